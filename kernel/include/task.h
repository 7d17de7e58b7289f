/*
 * Tasks: an address space plus a capability space, and the account of
 * kernel memory the task may still use. Every kernel object a task creates
 * (threads, endpoints, page tables, further tasks) is paid from its quota,
 * so one task cannot exhaust the kernel's memory for all.
 */
#ifndef VIREO_TASK_H
#define VIREO_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "cap.h"

struct mapping;

#define TASK_NAME_MAX 32
#define TASK_MAX_CAP_SLOTS 4096

struct task {
	struct object object;
	uint64_t page_table_root;   /* physical address of the PML4 */
	struct cap_space caps;
	uint64_t quota_pages;       /* kernel pages it may still take */
	unsigned thread_count;      /* started and not yet stopped */
	struct thread *main_thread; /* root task: its end ends the system */
	struct task *parent;        /* gets the quota back when this task goes */
	struct task *children, *sibling;
	struct thread *threads;     /* every thread in this task (thread.task_next) */
	bool destroyed;             /* task_destroy has finished */
	/* Mapping database nodes (mapping.c), from pages paid by this task. */
	struct mapping *free_nodes;
	struct mapping *node_pages; /* first node of each node page, linked */
	/* The ports its threads may use (io_ports); paid by the task. */
	struct io_bitmap io_ports;
	char name[TASK_NAME_MAX];
};

/*
 * Creates a task with a fresh address space and `cap_slots` empty
 * capability slots (slot CAP_SELF_TASK names the task itself), paid from
 * parent's quota (NULL: the kernel's own memory, for the root task), and
 * moves `quota` pages from parent to it. NULL when memory or quota runs
 * out (nothing is left allocated then).
 */
struct task *task_create(struct task *parent, const char *name, uint64_t quota,
			 uint64_t cap_slots);

/* A zeroed page charged to task's quota; 0 when quota or memory is out. */
uint64_t task_page_alloc(struct task *task);

/* Gives a page from task_page_alloc back, and its quota with it. */
void task_page_free(struct task *task, uint64_t page);

/*
 * Ends a task (task_destroy; the caller is `by`): its threads are killed,
 * every mapping it holds is revoked (with those derived from it), its
 * capabilities are dropped, its tables freed, and its quota and memory go
 * back to its parent. Its children are handed to its parent. STATUS_RESTART
 * when it stopped at a preemption point (call again: it goes on).
 */
enum status task_destroy(struct task *task, struct thread *by);

/*
 * Gives task every I/O port, as the root task has them at boot. Its
 * bitmap (IO_BITMAP_PAGES pages) is paid from its quota: STATUS_NO_MEM
 * when that is out.
 */
enum status task_io_ports_all(struct task *task);

/* Frees the page of a task or thread whose last reference went. */
void task_object_free(struct object *o);

/* The root task (the one with all resources at boot). */
extern struct task *root_task;

#endif
