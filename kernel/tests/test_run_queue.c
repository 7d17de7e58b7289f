/*
 * Host tests of kernel/run_queue.c: FIFO order within a priority, the
 * highest priority first across all four bitmap words, round robin by
 * dequeue + enqueue, removal from anywhere in a ring, and a long random
 * run against a plain model (a list per priority).
 */
#include "host_test.h"

#include <run_queue.h>

#define THREADS 64

static struct run_queue queue;
static struct thread threads[THREADS];

static int setup(void **state)
{
	(void)state;
	memset(&queue, 0, sizeof(queue));
	memset(threads, 0, sizeof(threads));
	for (unsigned i = 0; i < THREADS; i++)
		threads[i].run_queue = &queue;
	return 0;
}

static struct thread *ready(unsigned i, uint8_t priority)
{
	threads[i].priority = priority;
	sched_enqueue(&threads[i]);
	return &threads[i];
}

static void test_empty(void **state)
{
	(void)state;
	assert_null(run_queue_highest(&queue));
}

static void test_fifo_within_priority(void **state)
{
	(void)state;
	ready(0, 7);
	ready(1, 7);
	ready(2, 7);
	assert_ptr_equal(run_queue_highest(&queue), &threads[0]);
	sched_dequeue(&threads[0]);
	assert_ptr_equal(run_queue_highest(&queue), &threads[1]);
	sched_dequeue(&threads[1]);
	assert_ptr_equal(run_queue_highest(&queue), &threads[2]);
	sched_dequeue(&threads[2]);
	assert_null(run_queue_highest(&queue));
	assert_int_equal(queue.ready[0], 0);
}

static void test_highest_across_words(void **state)
{
	(void)state;
	/* One priority at each edge of the four 64-bit bitmap words. */
	const uint8_t priorities[] = {0, 63, 64, 127, 128, 191, 192, 255};
	for (unsigned i = 0; i < sizeof(priorities); i++)
		ready(i, priorities[i]);
	for (int i = sizeof(priorities) - 1; i >= 0; i--) {
		struct thread *t = run_queue_highest(&queue);
		assert_ptr_equal(t, &threads[i]);
		sched_dequeue(t);
	}
	assert_null(run_queue_highest(&queue));
	for (unsigned w = 0; w < RUN_QUEUE_WORDS; w++)
		assert_int_equal(queue.ready[w], 0);
}

static void test_round_robin(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 3; i++)
		ready(i, 100);
	/* A slice ends: the head goes to the tail, three times round. */
	for (unsigned turn = 0; turn < 9; turn++) {
		struct thread *t = run_queue_highest(&queue);
		assert_ptr_equal(t, &threads[turn % 3]);
		sched_dequeue(t);
		sched_enqueue(t);
	}
}

static void test_dequeue_middle_and_tail(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4; i++)
		ready(i, 1);
	sched_dequeue(&threads[2]); /* middle */
	sched_dequeue(&threads[3]); /* tail */
	assert_null(threads[2].run_next);
	assert_ptr_equal(run_queue_highest(&queue), &threads[0]);
	sched_dequeue(&threads[0]);
	assert_ptr_equal(run_queue_highest(&queue), &threads[1]);
	assert_ptr_equal(threads[1].run_next, &threads[1]); /* alone in its ring */
	sched_dequeue(&threads[1]);
	assert_null(run_queue_highest(&queue));
}

/* The model: per priority, thread indices in FIFO order. */
static uint8_t model[PRIORITY_LEVELS][THREADS];
static unsigned model_count[PRIORITY_LEVELS];

static int model_highest(void)
{
	for (int p = PRIORITY_LEVELS - 1; p >= 0; p--)
		if (model_count[p])
			return model[p][0];
	return -1;
}

static void model_remove(unsigned i)
{
	uint8_t p = threads[i].priority;
	for (unsigned k = 0; k < model_count[p]; k++)
		if (model[p][k] == i) {
			memmove(&model[p][k], &model[p][k + 1], model_count[p] - k - 1);
			model_count[p]--;
			return;
		}
	fail_msg("thread %u not in the model", i);
}

static void test_random_against_model(void **state)
{
	(void)state;
	bool queued[THREADS] = {false};
	memset(model_count, 0, sizeof(model_count));
	uint64_t seed = 0x5eed;
	for (unsigned step = 0; step < 200000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		unsigned i = (seed >> 33) % THREADS;
		if (queued[i]) {
			sched_dequeue(&threads[i]);
			model_remove(i);
		} else {
			/* Few priorities, so rings hold several threads. */
			uint8_t p = (uint8_t)((seed >> 17) % 8 * 37);
			ready(i, p);
			model[p][model_count[p]++] = (uint8_t)i;
		}
		queued[i] = !queued[i];
		int expected = model_highest();
		struct thread *t = run_queue_highest(&queue);
		if (expected < 0)
			assert_null(t);
		else
			assert_ptr_equal(t, &threads[expected]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_fifo_within_priority, setup),
		cmocka_unit_test_setup(test_highest_across_words, setup),
		cmocka_unit_test_setup(test_round_robin, setup),
		cmocka_unit_test_setup(test_dequeue_middle_and_tail, setup),
		cmocka_unit_test_setup(test_random_against_model, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
