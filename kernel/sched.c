/*
 * The scheduler: one FIFO run queue per priority (0 lowest, 255 highest)
 * and a bitmap of non-empty queues, so picking the next thread is a few
 * bit scans whatever the number of threads (O(1)). Round robin within a
 * priority comes from re-enqueuing at the tail. Per-CPU queues come with
 * SMP; today there is one CPU and one set of queues.
 */
#include "console.h"
#include "thread.h"
#include "timer.h"
#include "x86.h"

#define BITMAP_WORDS (PRIORITY_LEVELS / 64)

static struct thread *queue_head[PRIORITY_LEVELS];
static uint64_t ready_bitmap[BITMAP_WORDS];

void sched_enqueue(struct thread *t)
{
	struct thread **head = &queue_head[t->priority];
	if (!*head) {
		*head = t->run_next = t->run_prev = t;
		ready_bitmap[t->priority / 64] |= 1ull << (t->priority % 64);
		return;
	}
	t->run_next = *head;
	t->run_prev = (*head)->run_prev;
	t->run_prev->run_next = t;
	(*head)->run_prev = t;
}

void sched_dequeue(struct thread *t)
{
	struct thread **head = &queue_head[t->priority];
	if (t->run_next == t) {
		*head = NULL;
		ready_bitmap[t->priority / 64] &= ~(1ull << (t->priority % 64));
	} else {
		t->run_prev->run_next = t->run_next;
		t->run_next->run_prev = t->run_prev;
		if (*head == t)
			*head = t->run_next;
	}
	t->run_next = t->run_prev = NULL;
}

static struct thread *highest_ready(void)
{
	for (int w = BITMAP_WORDS - 1; w >= 0; w--)
		if (ready_bitmap[w])
			return queue_head[w * 64 + 63 - __builtin_clzll(ready_bitmap[w])];
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
	for (;;) {
		struct thread *t = highest_ready();
		if (t) {
			timer_switch_to(t);
			thread_resume(t);
		}
		/* Nothing to run: halt until an interrupt makes something ready. */
		sti_hlt();
	}
}
