/*
 * Starting the tasks of a checked boot configuration (doc/servers.md).
 * The root task, which holds every resource at boot (sigma0's role in
 * L4), turns each task of the plan into a running task:
 *
 *   start_tasks  1. checks what the configuration checker cannot: each
 *                   image is a loadable ELF (the kernel's checker,
 *                   loader.h), the arguments fit the start-up block, the
 *                   CPU exists, each interrupt can be made; every problem
 *                   is printed and nothing is built when there is one;
 *                2. builds every task: address space (program, heap,
 *                   stack, start-up block), capabilities (connections,
 *                   interrupts), device registers, I/O ports, a thread
 *                   whose exceptions come to the root task; a refused
 *                   system call destroys everything built, nothing ran;
 *                3. starts all threads at once.
 *   supervise    serves the root task's endpoint: exit reports and
 *                exceptions of the tasks; waits until every task that no
 *                other task connects to (a client) has ended, then stops
 *                the others (the servers) and prints a summary.
 */
#ifndef ROOT_START_H
#define ROOT_START_H

#include <stdbool.h>
#include <vireo/bootinfo.h>
#include <vireo/sys.h>

#include "config.h"
#include "elf.h"
#include "pages.h"

/* The root task's exit codes from here (main.c has the others). */
#define EXIT_NOT_STARTED 6 /* a task could not be loaded or built: nothing ran */
#define EXIT_TASK_FAILED 7 /* a task faulted or exited with a code other than 0 */

/* The badge of the exception capability of a task's thread: the task's
 * own badge (its index + 1) with this bit. */
#define START_EXCEPTION_BADGE (1ull << 32)

enum child_state {
	CHILD_NEW,     /* being built, not started */
	CHILD_RUNNING, /* started, has not ended */
	CHILD_EXITED,  /* exited (exit report), destroyed */
	CHILD_FAULTED, /* faulted, destroyed */
	CHILD_STOPPED, /* destroyed by the root task at the end */
};

/* One task of the plan, as the root task sees it. */
struct child {
	const struct config_task *config;
	const struct bootinfo_module *module; /* its image */
	struct elf_image elf;
	/* Selectors in the root task's space; NO_SELECTOR when none. */
	cap_selector task, thread, exception, service;
	bool server; /* another task connects to it */
	enum child_state state;
	long long exit_code;
	struct page_list memory; /* the root task's user memory it got */
};

struct system {
	const struct config_plan *plan;
	const struct bootinfo *bi;
	unsigned count;
	struct child children[CONFIG_MAX_TASKS];
	cap_selector endpoint; /* exit reports and exceptions arrive here */
	struct page_pool pool;
	uint64_t pages_back; /* of destroyed tasks, given back to the pool */
};

/* A child's badge: the task's index in the plan + 1 (0 means none). */
static inline uint64_t start_badge(unsigned index)
{
	return index + 1;
}

/*
 * Check, build and start every task of `plan` (checked by config_check)
 * with the resources of `bi`. Returns 0 when all run; otherwise prints
 * every problem, leaves nothing running and returns EXIT_NOT_STARTED.
 */
int start_tasks(struct system *sys, const struct config_plan *plan, const struct bootinfo *bi);

/*
 * Serve the started tasks until every client has ended, then stop the
 * servers and print the summary. A server that ends takes every task
 * down: its clients would wait for it forever. Returns 0, or
 * EXIT_TASK_FAILED when a task faulted or exited with a code other than 0.
 */
int supervise(struct system *sys);

/* Destroy a built or running task, drop the root task's capabilities to
 * it and give its memory back to the pool; its state becomes `state`. */
void start_destroy(struct system *sys, struct child *c, enum child_state state);

#endif
