/*
 * The latency tool's HPET driver (see hpet.h). Timer N's registers:
 * configuration at 0x100 + 0x20 N, comparator at 0x108 + 0x20 N (HPET
 * specification 1.0a §2.3.8, §2.3.9).
 */
#include "hpet.h"

#include <stdio.h>

#define HPET_CAPABILITIES 0x000 /* GCAP_ID, §2.3.4 */
#define HPET_COUNTER 0x0f0      /* MAIN_CNT, §2.3.7 */
#define HPET_TIMER_CONFIG(n) (0x100 + 0x20 * (n))
#define HPET_TIMER_COMPARATOR(n) (0x108 + 0x20 * (n))
/* Tn_FSB_INT_ROUTE: the data in bits 31:0, the address in 63:32. */
#define HPET_TIMER_FSB_ROUTE(n) (0x110 + 0x20 * (n))

#define CAP_COUNT_SIZE_64 (1ull << 13)
/* Timer configuration bits, §2.3.8 table 2-9. */
#define TIMER_INT_ENABLE (1ull << 2)
#define TIMER_PERIODIC (1ull << 3)
#define TIMER_PERIODIC_CAPABLE (1ull << 4)
#define TIMER_SIZE_64 (1ull << 5)
#define TIMER_VALUE_SET (1ull << 6)
#define TIMER_ROUTE_SHIFT 9
#define TIMER_FSB_ENABLE (1ull << 14)

#define FS_PER_NS 1000000ull

static uint64_t read_reg(const struct hpet *h, unsigned reg)
{
	return h->regs[reg / 8];
}

static void write_reg(const struct hpet *h, unsigned reg, uint64_t value)
{
	h->regs[reg / 8] = value;
}

bool hpet_open(struct hpet *h, const void *mapped, char *why, size_t why_size)
{
	if (!mapped) {
		snprintf(why, why_size, "no HPET: bootinfo.hpet is 0 (no ACPI HPET table)");
		return false;
	}
	*h = (struct hpet){.regs = (volatile uint64_t *)mapped, .timer = 0};
	uint64_t cap = read_reg(h, HPET_CAPABILITIES);
	uint64_t config = read_reg(h, HPET_TIMER_CONFIG(h->timer));
	h->period_fs = cap >> 32;
	/* The comparator matches 64 bits only when both the counter and the
	 * timer are 64 bits wide (§2.3.8, Tn_SIZE_CAP). */
	h->bits = (cap & CAP_COUNT_SIZE_64) && (config & TIMER_SIZE_64) ? 64 : 32;
	h->mask = h->bits == 64 ? ~0ull : 0xffffffffull;
	h->periodic = config & TIMER_PERIODIC_CAPABLE;
	uint32_t routes = (uint32_t)(config >> 32);
	for (h->gsi = 16; h->gsi < 32 && !(routes & (1u << h->gsi)); h->gsi++)
		;
	if (h->gsi == 32) {
		snprintf(why, why_size, "HPET timer %u routes to no GSI 16..31 (route cap 0x%08x)",
			 h->timer, (unsigned)routes);
		return false;
	}
	return true;
}

uint64_t hpet_counter(const struct hpet *h)
{
	return read_reg(h, HPET_COUNTER) & h->mask;
}

uint64_t hpet_ticks(const struct hpet *h, uint64_t ns)
{
	uint64_t ticks = ns * FS_PER_NS / h->period_fs;
	return ticks ? ticks : 1;
}

uint64_t hpet_elapsed(const struct hpet *h, uint64_t a, uint64_t b)
{
	return (b - a) & h->mask;
}

struct hpet_anchor hpet_anchor(const struct hpet *h)
{
	uint64_t before = rdtsc();
	uint64_t counter = hpet_counter(h);
	uint64_t after = rdtsc();
	return (struct hpet_anchor){before + (after - before) / 2, counter, after - before};
}

bool hpet_calibrate(struct hpet *h)
{
	uint64_t ticks = hpet_ticks(h, HPET_CALIBRATION_NS);
	struct hpet_anchor start = hpet_anchor(h), end;
	/* Bounded: a counter that does not move must not hang the tool. */
	for (uint64_t spins = 0;; spins++) {
		end = hpet_anchor(h);
		if (hpet_elapsed(h, start.hpet, end.hpet) >= ticks)
			break;
		if (spins > 100000000ull)
			return false;
	}
	unsigned __int128 tsc = (unsigned __int128)(end.tsc - start.tsc) << 32;
	h->ratio = (uint64_t)(tsc / hpet_elapsed(h, start.hpet, end.hpet));
	return h->ratio != 0;
}

uint64_t hpet_deadline_tsc(const struct hpet *h, const struct hpet_anchor *a, uint64_t deadline)
{
	unsigned __int128 ticks = hpet_elapsed(h, a->hpet, deadline);
	return a->tsc + (uint64_t)((ticks * h->ratio) >> 32);
}

/* Where the interrupt goes: Tn_INT_ROUTE_CNF, or Tn_FSB_EN_CNF (§2.3.8). */
static uint64_t route(const struct hpet *h)
{
	return h->message ? TIMER_FSB_ENABLE : (uint64_t)h->gsi << TIMER_ROUTE_SHIFT;
}

void hpet_arm_oneshot(const struct hpet *h, uint64_t deadline)
{
	write_reg(h, HPET_TIMER_CONFIG(h->timer), route(h));
	write_reg(h, HPET_TIMER_COMPARATOR(h->timer), deadline);
	write_reg(h, HPET_TIMER_CONFIG(h->timer), TIMER_INT_ENABLE | route(h));
}

/* 32-bit halves of a 64-bit register (the HPET allows 32-bit accesses,
 * §2.3: "32-bit or 64-bit"). */
static void write_half(const struct hpet *h, unsigned reg, uint32_t value)
{
	((volatile uint32_t *)h->regs)[reg / 4] = value;
}

void hpet_arm_periodic(const struct hpet *h, uint64_t first, uint64_t period)
{
	/*
	 * §2.3.9.2.2: a comparator write with Tn_VAL_SET_CNF set loads the
	 * comparator, a write without it the period added after each match;
	 * the bit clears itself after each write. A 64-bit store may reach
	 * the HPET as two 32-bit writes (QEMU's does; its high half then
	 * lands in the period), so each half of `first` is written with the
	 * bit set again.
	 */
	uint64_t config = TIMER_INT_ENABLE | TIMER_PERIODIC | route(h);
	unsigned comparator = HPET_TIMER_COMPARATOR(h->timer);
	write_reg(h, HPET_TIMER_CONFIG(h->timer), route(h));
	write_reg(h, HPET_TIMER_CONFIG(h->timer), config | TIMER_VALUE_SET);
	write_half(h, comparator, (uint32_t)first);
	write_reg(h, HPET_TIMER_CONFIG(h->timer), config | TIMER_VALUE_SET);
	write_half(h, comparator + 4, (uint32_t)(first >> 32));
	write_half(h, comparator, (uint32_t)period);
	write_half(h, comparator + 4, (uint32_t)(period >> 32));
}

void hpet_disarm(const struct hpet *h)
{
	write_reg(h, HPET_TIMER_CONFIG(h->timer), route(h));
}

void hpet_route_message(struct hpet *h, uint64_t address, uint32_t data)
{
	write_reg(h, HPET_TIMER_FSB_ROUTE(h->timer), address << 32 | data);
	h->message = true;
}
