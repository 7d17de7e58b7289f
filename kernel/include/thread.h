/*
 * Threads and tasks, as far as the foundation needs them: a thread is a
 * saved user register frame, its FPU/SSE state and %fs base, a priority
 * and the task (address space) it runs in. The kernel-core issue turns
 * these into capability-named objects with IPC, pagers and quotas.
 */
#ifndef VIREO_THREAD_H
#define VIREO_THREAD_H

#include <stdint.h>

#include "arch.h"

#define TASK_NAME_MAX 32
#define PRIORITY_LEVELS 256

struct task {
	uint64_t page_table_root;   /* physical address of the PML4 */
	char name[TASK_NAME_MAX];
	unsigned thread_count;
};

enum thread_state {
	THREAD_READY,   /* in a run queue (or running) */
	THREAD_STOPPED, /* stopped after a fault or exit; not scheduled */
};

struct thread {
	struct frame frame; /* first: entry.S saves user registers here */
	uint8_t fpu_state[512] __attribute__((aligned(16))); /* FXSAVE area */
	uint64_t fs_base;
	struct task *task;
	struct thread *run_next, *run_prev; /* run queue links */
	enum thread_state state;
	uint8_t priority;
};

/* Creates a task with a fresh address space; NULL when out of memory. */
struct task *task_create(const char *name);

/* Creates a ready thread in task that starts at rip with stack rsp and rdi
 * = arg; NULL when out of memory. */
struct thread *thread_create(struct task *task, uint8_t priority, uint64_t rip,
			     uint64_t rsp, uint64_t arg);

/* Stops t for good and takes it off the run queue. If t was the last
 * thread of the root task, the machine shuts down with exit_code. */
void thread_stop(struct thread *t, int exit_code);

/* Continues t in user mode: switches address space, %fs base and FPU state
 * as needed. Does not return. Expects interrupts off. */
_Noreturn void thread_resume(struct thread *t);

/* The scheduler (sched.c): fixed priorities, round robin within one. */
void sched_enqueue(struct thread *t);
void sched_dequeue(struct thread *t);
/* Runs the highest-priority ready thread, or idles. Does not return. */
_Noreturn void schedule(void);

#endif
