/*
 * A CPU's run queues: one FIFO ring of ready threads per priority (0
 * lowest, 255 highest) and a bitmap of the non-empty rings, so the highest
 * ready thread is found with a few bit scans whatever the number of
 * threads (O(1)). sched_enqueue adds at the tail of t's priority on the
 * queue t->run_queue points to; sched_dequeue takes t out from wherever it
 * is. Round robin is dequeue + enqueue. Pure logic, host-tested.
 */
#ifndef VIREO_RUN_QUEUE_H
#define VIREO_RUN_QUEUE_H

#include "thread.h"

#define RUN_QUEUE_WORDS (PRIORITY_LEVELS / 64)

struct run_queue {
	struct thread *head[PRIORITY_LEVELS];
	uint64_t ready[RUN_QUEUE_WORDS]; /* bit p: head[p] is not empty */
};

/* The first thread of q's highest non-empty priority, or NULL. */
static inline struct thread *run_queue_highest(const struct run_queue *q)
{
	for (int w = RUN_QUEUE_WORDS - 1; w >= 0; w--)
		if (q->ready[w])
			return q->head[w * 64 + 63 - __builtin_clzll(q->ready[w])];
	return NULL;
}

#endif
