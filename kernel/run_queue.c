/*
 * The run queues' pure part (see run_queue.h), apart from sched.c so the
 * host tests (kernel/tests/test_run_queue.c) can check it: a FIFO ring of
 * threads per priority and a bitmap of the non-empty ones.
 */
#include "run_queue.h"

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
