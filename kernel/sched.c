/*
 * The scheduler: per CPU, one FIFO run queue per priority (0 lowest, 255
 * highest) and a bitmap of non-empty queues, so picking the next thread
 * is a few bit scans whatever the number of threads (O(1)). Round robin
 * within a priority comes from re-enqueuing at the tail. A thread sits in
 * the queues of the CPU t->cpu names; each CPU picks only from its own
 * (today only CPU 0 runs: bringing up the others adds no structure here).
 */
#include "console.h"
#include "thread.h"
#include "timer.h"
#include "x86.h"

#define BITMAP_WORDS (PRIORITY_LEVELS / 64)

struct run_queue {
	struct thread *head[PRIORITY_LEVELS];
	uint64_t ready[BITMAP_WORDS]; /* bit p: head[p] is not empty */
};

static struct run_queue run_queues[CPU_MAX];

void sched_cpu_init(struct percpu *cpu)
{
	cpu->run_queue = &run_queues[cpu->cpu];
}

void sched_enqueue(struct thread *t)
{
	struct run_queue *q = t->run_queue;
	struct thread **head = &q->head[t->priority];
	if (!*head) {
		*head = t->run_next = t->run_prev = t;
		q->ready[t->priority / 64] |= 1ull << (t->priority % 64);
		return;
	}
	t->run_next = *head;
	t->run_prev = (*head)->run_prev;
	t->run_prev->run_next = t;
	(*head)->run_prev = t;
}

void sched_dequeue(struct thread *t)
{
	struct run_queue *q = t->run_queue;
	struct thread **head = &q->head[t->priority];
	if (t->run_next == t) {
		*head = NULL;
		q->ready[t->priority / 64] &= ~(1ull << (t->priority % 64));
	} else {
		t->run_prev->run_next = t->run_next;
		t->run_next->run_prev = t->run_prev;
		if (*head == t)
			*head = t->run_next;
	}
	t->run_next = t->run_prev = NULL;
}

/* The first thread of this CPU's highest non-empty priority queue. */
static struct thread *highest_ready(void)
{
	struct run_queue *q = this_cpu()->run_queue;
	for (int w = BITMAP_WORDS - 1; w >= 0; w--)
		if (q->ready[w])
			return q->head[w * 64 + 63 - __builtin_clzll(q->ready[w])];
	return NULL;
}

bool preemption_point(struct thread *t)
{
	/* STI takes effect after the next instruction (SDM vol. 2B, STI), so
	 * the NOP is the one place a pending interrupt comes in. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	struct thread *next = highest_ready();
	return next && next->priority > t->priority;
}

_Noreturn void schedule(void)
{
	struct thread *t = highest_ready();
	if (t) {
		timer_switch_to(t);
		thread_resume(t);
	}
	/* Nothing to run: halt until an interrupt; its handler calls
	 * schedule() again (entry.S, trap.c interrupt_from_idle). */
	idle();
}
