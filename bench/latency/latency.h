/*
 * The HPET interrupt-latency measurement of Schild et al. 2009 §4.1: the
 * highest-priority thread owns an HPET comparator and its interrupt,
 * programs deadlines and, on each wake-up, computes the time from the
 * deadline to its first instructions with the TSC (hpet.h says how a
 * deadline becomes a TSC value).
 */
#ifndef BENCH_LATENCY_H
#define BENCH_LATENCY_H

#include <vireo/cap.h>

#include "../scenario.h"
#include "histogram.h"
#include "hpet.h"

struct latency_result {
	struct histogram user;   /* deadline -> handler thread's 2nd instruction */
	struct histogram kernel; /* deadline -> irq_interrupt() (bench kernel only) */
	uint64_t missed;         /* no interrupt within the wait, or a period skipped */
	uint64_t past;           /* deadline already reached when it was armed */
	uint64_t wraps;          /* deadlines after a counter wrap */
	uint64_t early;          /* woken before the deadline (not in the histograms) */
	uint64_t no_stamp;       /* samples without an in-kernel timestamp */
	uint64_t spread_max;     /* largest anchor spread (TSC ticks) */
};

/*
 * Measure s->samples interrupts of HPET timer h in s->mode, waiting on the
 * Irq `irq` bound to `endpoint`. The calling thread must have the highest
 * priority. Prints a progress line every tenth of the samples when
 * `progress`. Returns 0, or -1 after printing why it stopped.
 */
int latency_measure(const struct hpet *h, const struct scenario *s, cap_selector irq,
		    cap_selector endpoint, int progress, struct latency_result *r);

/* The seeded pseudo-random generator of the one-shot offsets
 * (splitmix64), exposed for the host tests. */
uint64_t latency_random(uint64_t *state);

#endif
