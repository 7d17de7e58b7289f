/*
 * Irq objects and the user-level HPET path: the root task programs an
 * HPET comparator (HPET spec 1.0a §2.3.8, timer N configuration at 0x100 +
 * 0x20 N, comparator at 0x108 + 0x20 N) to fire on an IOAPIC input its
 * route capability allows, and receives the interrupt as a signal on an
 * endpoint. Also the failure cases of irq_create and irq_ack.
 */
#include "ktest.h"

#define HPET_CAPABILITIES 0x000
#define HPET_COUNTER 0x0f0
#define HPET_TIMER_CONFIG(n) (0x100 + 0x20 * (n))
#define HPET_TIMER_COMPARATOR(n) (0x108 + 0x20 * (n))
#define TIMER_INTERRUPT_ENABLE (1ull << 2)
#define TIMER_ROUTE_SHIFT 9

static volatile uint64_t *hpet;

static uint64_t hpet_read(unsigned reg)
{
	return hpet[reg / 8];
}

static void hpet_write(unsigned reg, uint64_t v)
{
	hpet[reg / 8] = v;
}

/* A GSI of 16..31 that timer n may route to (Tn_INT_ROUTE_CAP), or -1. */
static int routable_gsi(unsigned n)
{
	uint32_t cap = (uint32_t)(hpet_read(HPET_TIMER_CONFIG(n)) >> 32);
	for (int gsi = 16; gsi < 32; gsi++)
		if (cap & (1u << gsi))
			return gsi;
	return -1;
}

static void test_irq_failures(cap_selector endpoint)
{
	cap_selector slot = ktest_slot();
	ktest_status("irq-create-badge-zero", sys_irq_create(slot, 16, endpoint, 0, 0),
		     STATUS_BAD_ARG);
	ktest_status("irq-create-bad-flags", sys_irq_create(slot, 16, endpoint, 1, 4),
		     STATUS_BAD_ARG);
	ktest_status("irq-create-no-ioapic-input", sys_irq_create(slot, 4000, endpoint, 1, 0),
		     STATUS_NOT_FOUND);
	ktest_status("irq-create-not-endpoint", sys_irq_create(slot, 16, CAP_SELF_TASK, 1, 0),
		     STATUS_BAD_TYPE);
	ktest_status("irq-create-slot-busy", sys_irq_create(CAP_SELF_TASK, 16, endpoint, 1, 0),
		     STATUS_BUSY);
	ktest_status("irq-ack-not-irq", sys_irq_ack(endpoint), STATUS_BAD_TYPE);
	ktest_status("irq-ack-bad-selector", sys_irq_ack(BAD_SELECTOR), STATUS_BAD_CAP);
}

void test_irq(void)
{
	cap_selector endpoint = ktest_endpoint("irq-endpoint");
	test_irq_failures(endpoint);
	if (!ktest_check(runtime_bootinfo->hpet != 0, "irq-hpet-mapped", "no HPET in bootinfo"))
		return;
	hpet = (volatile uint64_t *)(uintptr_t)runtime_bootinfo->hpet;
	int gsi = routable_gsi(0);
	if (!ktest_check(gsi >= 0, "irq-hpet-route", "timer 0 routes to no GSI 16-31"))
		return;
	cap_selector irq = ktest_slot();
	if (!ktest_status("irq-create", sys_irq_create(irq, (uint32_t)gsi, endpoint, 0x5, 0),
			  STATUS_OK))
		return;
	ktest_status("irq-create-gsi-busy",
		     sys_irq_create(ktest_slot(), (uint32_t)gsi, endpoint, 1, 0), STATUS_BUSY);

	/* Two one-shot deadlines 100 us apart in HPET ticks, each received as
	 * a signal with the Irq's badge, each after the deadline. */
	uint64_t period_fs = hpet_read(HPET_CAPABILITIES) >> 32;
	uint64_t delta = 100000000000ull / period_fs; /* 100 us */
	for (int round = 0; round < 2; round++) {
		uint64_t deadline = hpet_read(HPET_COUNTER) + delta;
		hpet_write(HPET_TIMER_COMPARATOR(0), deadline);
		hpet_write(HPET_TIMER_CONFIG(0),
			   TIMER_INTERRUPT_ENABLE | (uint64_t)gsi << TIMER_ROUTE_SHIFT);
		uint64_t badge = 0, words = 99;
		enum status s = sys_ipc_receive(endpoint, 1000000000ull, &badge, &words);
		uint64_t now = hpet_read(HPET_COUNTER);
		ktest_check(s == STATUS_OK && badge == 0x5 && words == 0,
			    round ? "irq-hpet-second" : "irq-hpet-first",
			    "receive: %s, badge 0x%llx, %llu words", status_name(s),
			    (unsigned long long)badge, (unsigned long long)words);
		ktest_check(now >= deadline, round ? "irq-hpet-after-deadline-2" : "irq-hpet-after-deadline",
			    "woken at %llu, before the deadline %llu", (unsigned long long)now,
			    (unsigned long long)deadline);
		hpet_write(HPET_TIMER_CONFIG(0), 0);
		ktest_status(round ? "irq-ack-2" : "irq-ack", sys_irq_ack(irq), STATUS_OK);
	}
	/* Nobody waiting: the signal is kept and the next receive gets it. */
	hpet_write(HPET_TIMER_COMPARATOR(0), hpet_read(HPET_COUNTER) + delta);
	hpet_write(HPET_TIMER_CONFIG(0), TIMER_INTERRUPT_ENABLE | (uint64_t)gsi << TIMER_ROUTE_SHIFT);
	uint64_t until = hpet_read(HPET_COUNTER) + 3 * delta;
	while (hpet_read(HPET_COUNTER) < until)
		;
	uint64_t badge = 0;
	ktest_check(sys_ipc_receive(endpoint, 0, &badge, NULL) == STATUS_OK && badge == 0x5,
		    "irq-signal-pending", "badge 0x%llx", (unsigned long long)badge);
	hpet_write(HPET_TIMER_CONFIG(0), 0);
	sys_irq_ack(irq);
}
