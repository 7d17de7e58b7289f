/*
 * ktest: the scheduler with the timer. Round robin within a priority:
 * SPINNERS threads of one priority that never block share the CPU in
 * time slices, in the order they became ready, over and over. Each thread
 * logs its turns (a turn starts when it sees another thread ran last), so
 * the checks are on that order and on counts, never on measured time:
 *   - `round-robin-order`: the main thread sleeps a slice at a time;
 *   - `round-robin-order-preempted`: the main thread (priority 255) wakes
 *     every millisecond, a tenth of a slice: a thread preempted that often
 *     must still lose the CPU to its peers when its slice is used up.
 * Preemption by a higher priority: a thread woken by its timeout takes
 * the CPU from the spinners and keeps it across its own slice ends until
 * it ends; none of them advances meanwhile, and they go on afterwards.
 * Every loop here is bounded by a number of sleeps, not by time.
 */
#include "ktest.h"

#define SPINNERS 4
#define SPIN_PRIORITY 40
#define HIGH_PRIORITY 60
#define SLICE_NS 10000000ull /* the kernel's TIME_SLICE_NS */
#define MS 1000000ull
#define TURNS_LOGGED 64
#define TURNS_WANTED (2 * SPINNERS + 1)

static volatile int stop;
static volatile unsigned last_runner;
static volatile unsigned turns;
static volatile unsigned char turn_log[TURNS_LOGGED];
static volatile uint64_t spun[SPINNERS];

/* arg0 = its number. A timer interrupt inside the `if` (a few
 * instructions a turn) could log a turn late; it cannot reorder turns. */
static void spinner(struct worker *w)
{
	unsigned me = (unsigned)w->arg[0];
	while (!stop) {
		if (last_runner != me) {
			last_runner = me;
			if (turns < TURNS_LOGGED)
				turn_log[turns] = (unsigned char)me;
			turns++;
		}
		spun[me]++;
	}
}

static uint64_t spun_total(void)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < SPINNERS; i++)
		sum += spun[i];
	return sum;
}

static int start_spinners(const char *name, unsigned count)
{
	stop = 0;
	last_runner = SPINNERS;
	turns = 0;
	for (unsigned i = 0; i < SPINNERS; i++)
		spun[i] = 0;
	for (unsigned i = 0; i < count; i++)
		if (!worker_run(name, SPIN_PRIORITY, spinner, i, 0))
			return 0;
	return 1;
}

static void stop_spinners(void)
{
	stop = 1;
	ktest_settle();
}

/* "0 1 2 3 0 ..." of the first n logged turns, for a message. */
static const char *log_text(unsigned n, char *text, size_t size)
{
	size_t at = 0;
	for (unsigned i = 0; i < n && at + 3 < size; i++) {
		text[at++] = (char)('0' + turn_log[i]);
		text[at++] = ' ';
	}
	text[at] = 0;
	return text;
}

/* Spinners run while the main thread sleeps `nap` at a time, until they
 * took TURNS_WANTED turns (or max_naps sleeps passed). */
static void test_round_robin(const char *name, uint64_t nap, unsigned max_naps)
{
	if (!start_spinners(name, SPINNERS))
		return;
	unsigned naps = 0;
	while (turns < TURNS_WANTED && naps < max_naps) {
		ktest_sleep(nap);
		naps++;
	}
	/* The main thread has the CPU: nothing changes while it looks. */
	unsigned n = turns < TURNS_LOGGED ? turns : TURNS_LOGGED;
	int cyclic = turns >= TURNS_WANTED;
	for (unsigned i = 0; i < n; i++)
		cyclic = cyclic && turn_log[i] == i % SPINNERS;
	int all_ran = 1;
	for (unsigned i = 0; i < SPINNERS; i++)
		all_ran = all_ran && spun[i] > 0;
	stop_spinners();
	char text[2 * TURNS_LOGGED + 1];
	ktest_check(cyclic && all_ran, name,
		    "after %u sleeps of %llu ns: %u turns, order %s(want 0 1 2 3 0 1 ...)", naps,
		    (unsigned long long)nap, turns, log_text(n, text, sizeof(text)));
}

/* arg0 = how long to sleep first, arg1 = TSC ticks to spin after. */
static void high_spinner(struct worker *w)
{
	ktest_sleep(w->arg[0]);
	w->value[0] = spun_total();
	uint64_t end = rdtsc() + w->arg[1];
	while (rdtsc() < end)
		w->count++;
	w->value[1] = spun_total();
}

static void test_higher_priority(void)
{
	if (!start_spinners("preempt-by-timeout", 2))
		return;
	/* Wakes after 15 ms, then spins two and a half slices. */
	struct worker *h = worker_run("preempt-by-timeout", HIGH_PRIORITY, high_spinner, 15 * MS,
				      runtime_bootinfo->tsc_khz * 25);
	if (!h) {
		stop_spinners();
		return;
	}
	for (unsigned naps = 0; !h->done && naps < 200; naps++)
		ktest_sleep(5 * MS);
	uint64_t after_high = spun_total();
	for (unsigned naps = 0; spun_total() == after_high && naps < 10; naps++)
		ktest_sleep(SLICE_NS);
	uint64_t later = spun_total();
	stop_spinners();
	ktest_check(h->done && h->value[0] > 0 && h->value[1] == h->value[0],
		    "preempt-higher-keeps-cpu",
		    "high thread %s; spinners at %llu when it woke, %llu when it ended",
		    h->done ? "ended" : "did not end", (unsigned long long)h->value[0],
		    (unsigned long long)h->value[1]);
	ktest_check(later > after_high, "preempt-lower-runs-after",
		    "the spinners did not run again after the high thread ended");
}

void test_sched(void)
{
	if (!runtime_bootinfo->tsc_khz)
		return;
	test_round_robin("round-robin-order", SLICE_NS, 40);
	test_round_robin("round-robin-order-preempted", MS, 400);
	test_higher_priority();
}
