/*
 * The latency tool's HPET driver: one comparator of the HPET the kernel
 * mapped into the root task (bootinfo.hpet), its interrupt routed to an
 * IOAPIC input, and the conversion of HPET counter values to TSC values.
 * Register layout: IA-PC HPET specification 1.0a §2.3, table 2-1.
 *
 * Converting a deadline to TSC time: the TSC runs ratio TSC ticks per
 * HPET tick, measured once over HPET_CALIBRATION_NS of HPET time
 * (hpet_calibrate). Before each deadline is programmed, an anchor pair is
 * read: TSC before, HPET counter, TSC after; the anchor's TSC is the
 * middle of the two TSC reads, and the deadline's TSC value is
 *     anchor_tsc + (deadline - anchor_hpet) * ratio.
 * The error of one conversion is at most half the anchor's TSC spread plus
 * offset * (ratio error); both are reported.
 */
#ifndef BENCH_HPET_H
#define BENCH_HPET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HPET_CALIBRATION_NS 10000000ull /* 10 ms */

struct hpet {
	volatile uint64_t *regs;
	uint64_t period_fs;  /* counter period, femtoseconds */
	uint64_t mask;       /* counter values the comparator compares */
	unsigned bits;       /* 32 or 64 */
	unsigned timer;      /* the comparator used */
	unsigned gsi;        /* its IOAPIC input */
	bool message;        /* interrupts as a message instead (hpet_route_message) */
	bool periodic;       /* the comparator can run periodically */
	uint64_t ratio;      /* TSC ticks per HPET tick, 32.32 fixed point */
};

/* One anchor: TSC and HPET values read at (nearly) the same time. */
struct hpet_anchor {
	uint64_t tsc;    /* middle of the TSC reads around the HPET read */
	uint64_t hpet;   /* masked counter */
	uint64_t spread; /* TSC ticks between the two TSC reads */
};

static inline uint64_t rdtsc(void)
{
	uint32_t low, high;
	__asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
	return (uint64_t)high << 32 | low;
}

/*
 * Find the HPET in the boot information and pick timer 0 and a GSI its
 * route capability allows (16..31, inputs no legacy device uses). Returns
 * false with a message in why when there is no HPET or no usable route.
 */
bool hpet_open(struct hpet *h, const void *mapped, char *why, size_t why_size);

/* The masked main counter. */
uint64_t hpet_counter(const struct hpet *h);

/* HPET ticks in ns nanoseconds (at least 1). */
uint64_t hpet_ticks(const struct hpet *h, uint64_t ns);

/* Measure h->ratio over HPET_CALIBRATION_NS; false if the counter or the
 * TSC does not move. */
bool hpet_calibrate(struct hpet *h);

struct hpet_anchor hpet_anchor(const struct hpet *h);

/* The TSC value at which the counter reaches `deadline`, a masked counter
 * value at most half the counter's range after the anchor. */
uint64_t hpet_deadline_tsc(const struct hpet *h, const struct hpet_anchor *a,
			   uint64_t deadline);

/* Ticks from a to b (masked counter values, b after a). */
uint64_t hpet_elapsed(const struct hpet *h, uint64_t a, uint64_t b);

/* One-shot: interrupt when the counter reaches deadline (§2.3.9.2.1). */
void hpet_arm_oneshot(const struct hpet *h, uint64_t deadline);

/* Periodic: first interrupt at `first`, then every `period` ticks
 * (§2.3.9.2.2). Only when h->periodic. */
void hpet_arm_periodic(const struct hpet *h, uint64_t first, uint64_t period);

/* Stop the comparator's interrupts. */
void hpet_disarm(const struct hpet *h);

/* From now on the comparator interrupts by writing `data` to physical
 * `address` (FSB interrupt delivery, §2.3.9; only when its
 * Tn_FSB_INT_DEL_CAP is set), not through its IOAPIC input. */
void hpet_route_message(struct hpet *h, uint64_t address, uint32_t data);

#endif
