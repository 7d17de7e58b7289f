/*
 * Threads: the saved user registers (struct frame), FPU/SSE state, %fs
 * base, priority, the UTCB, and IPC state. A blocked thread has no kernel
 * stack to come back to: whoever wakes it writes its system call results
 * straight into its frame (rax = status, ...).
 */
#ifndef VIREO_THREAD_H
#define VIREO_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "cap.h"
#include "task.h"
#include "uapi/vireo/syscall.h"
#include "uapi/vireo/utcb.h"

#define PRIORITY_LEVELS 256

enum thread_state {
	THREAD_INACTIVE,         /* created, not started */
	THREAD_READY,            /* in a run queue (possibly running) */
	THREAD_BLOCKED_SEND,     /* in an endpoint's send queue */
	THREAD_BLOCKED_RECEIVE,  /* in an endpoint's receive queue */
	THREAD_BLOCKED_REPLY,    /* called, waiting for the reply */
	THREAD_STOPPED,          /* after a fault or exit: for good */
	THREAD_SUSPENDED,        /* by thread_suspend, until thread_resume */
	THREAD_DEAD,             /* its task was destroyed */
};

struct endpoint;

struct thread {
	struct frame frame; /* first: entry.S saves user registers here */
	uint8_t fpu_state[512] __attribute__((aligned(16))); /* FXSAVE area */
	struct object object;
	uint64_t fs_base;
	struct task *task;
	struct thread *task_next;   /* next thread of the same task */
	struct thread *run_next, *run_prev; /* run queue links */
	enum thread_state state;
	uint8_t priority;
	uint16_t cpu;               /* whose run queue and timer hold it */
	struct run_queue *run_queue; /* that CPU's, for the hot paths */
	uint64_t time_slice_ticks;  /* round-robin quantum, TSC ticks */

	struct utcb *utcb;          /* kernel view (direct map); NULL: none */
	uint64_t utcb_address;      /* user view */

	/* IPC */
	struct endpoint *waiting_on; /* endpoint whose queue holds us */
	struct thread *wait_next;    /* next in that queue */
	struct thread *reply_to;     /* caller waiting for our reply */
	struct thread *caller_of;    /* while BLOCKED_REPLY: who we wait for */
	uint64_t send_badge;         /* badge of the capability we sent with */
	uint64_t send_words;
	int is_call;

	/* Exceptions: sent as a call to `handler` (a counted reference). */
	struct endpoint *handler;
	uint64_t handler_badge;
	bool in_exception;           /* blocked in that call */
	uint64_t exception_message[EXCEPTION_WORDS];
	/* Timeout of a blocked IPC (timer.c): a deadline-sorted list. */
	uint64_t timeout_deadline;   /* TSC; 0: none */
	struct thread *timeout_next, *timeout_prev;
	/* TSC ticks left of its time slice when a higher priority took the
	 * CPU from it (timer.c); 0: a full slice on its next turn. */
	uint64_t slice_left;
};

static inline struct thread *thread_from_object(struct object *o)
{
	return (struct thread *)((char *)o - offsetof(struct thread, object));
}

/*
 * Creates an inactive thread in task, paid from payer's quota, with its
 * UTCB mapped read-write at utcb_address in task. Returns STATUS_NO_MEM
 * (quota or memory out), STATUS_BAD_ADDRESS / STATUS_BUSY (utcb_address
 * unusable); nothing stays allocated on failure.
 */
enum status thread_create(struct task *payer, struct task *task, uint8_t priority,
			  uint64_t utcb_address, struct thread **out);

/* Makes an inactive thread ready at rip with stack rsp and rdi = arg. */
void thread_start(struct thread *t, uint64_t rip, uint64_t rsp, uint64_t arg);


/* Stops t for good. If t is the root task's first thread, the machine
 * shuts down with exit_code. */
void thread_stop(struct thread *t, int exit_code);

/* Ends t as part of destroying its task: out of every queue and IPC
 * (a caller waiting for its reply gets BAD_CAP), UTCB freed. */
void thread_kill(struct thread *t);

/* Sets the %fs base of t, the running thread. */
void thread_set_fs_base(struct thread *t, uint64_t base);

/* Continues t in user mode. Does not return. Expects interrupts off. */
_Noreturn void thread_resume(struct thread *t);

/* The scheduler (sched.c): fixed priorities, round robin within one; a
 * thread is queued on the CPU t->cpu names. sched_cpu_init gives a CPU
 * its run queue before it creates or runs threads. */
void sched_cpu_init(struct percpu *cpu);
void sched_enqueue(struct thread *t);
void sched_dequeue(struct thread *t);
/*
 * Lets pending interrupts in for a moment in the middle of a long system
 * call of t. True when a thread of higher priority than t is ready now:
 * the call should stop and restart later (STATUS_RESTART).
 */
bool preemption_point(struct thread *t);

/* Runs the highest-priority ready thread, or idles. Does not return. */
_Noreturn void schedule(void);

/* Takes t off the timeout list if it is there (timer.c, see timer.h). */
void timeout_cancel(struct thread *t);

/* Puts a blocked thread back in the run queue. Inline, as thread_block:
 * each IPC wakes one thread and blocks one. */
static inline void thread_wake(struct thread *t)
{
	timeout_cancel(t);
	t->state = THREAD_READY;
	sched_enqueue(t);
}

/* Takes the thread out of the run queue to block in `state`. */
static inline void thread_block(struct thread *t, enum thread_state state)
{
	if (t->state == THREAD_READY)
		sched_dequeue(t);
	t->state = state;
}

#endif
