/*
 * Irq objects and the user-level HPET path: the root task programs an
 * HPET comparator (HPET spec 1.0a §2.3.8, timer N configuration at 0x100 +
 * 0x20 N, comparator at 0x108 + 0x20 N) to fire on an IOAPIC input its
 * route capability allows, and receives the interrupt as a signal on an
 * endpoint. Also the failure cases of irq_create and irq_ack, the
 * destruction of an Irq with its last capability (cap_delete, or the
 * task holding it destroyed), after which its GSI can be routed again,
 * and MSI: an HPET timer that can deliver its interrupt as a message
 * (FSB delivery, HPET spec 1.0a §2.3.9) writes the data irq_create gave
 * to the address it gave. Only QEMU's HPET can (with `-global
 * hpet.msi=on`, site_scons/vireo/platforms.py); on an HPET without it
 * the message part says SKIP with the reason.
 */
#include "ktest.h"

#define HPET_CAPABILITIES 0x000
#define HPET_COUNTER 0x0f0
#define HPET_TIMER_CONFIG(n) (0x100 + 0x20 * (n))
#define HPET_TIMER_COMPARATOR(n) (0x108 + 0x20 * (n))
#define TIMER_INTERRUPT_ENABLE (1ull << 2)
#define TIMER_ROUTE_SHIFT 9
#define TIMER_FSB_ENABLE (1ull << 14)  /* Tn_FSB_EN_CNF */
#define TIMER_FSB_CAPABLE (1ull << 15) /* Tn_FSB_INT_DEL_CAP */
/* Tn_FSB_INT_ROUTE: the data in bits 31:0, the address in 63:32. */
#define HPET_TIMER_FSB_ROUTE(n) (0x110 + 0x20 * (n))

static volatile uint64_t *hpet;

static uint64_t hpet_read(unsigned reg)
{
	return hpet[reg / 8];
}

static void hpet_write(unsigned reg, uint64_t v)
{
	hpet[reg / 8] = v;
}

/* Arms HPET timer n one-shot `delta` ticks from now with the given
 * configuration bits (interrupt enable is added); returns the deadline. */
static uint64_t hpet_fire(unsigned n, uint64_t config, uint64_t delta)
{
	uint64_t deadline = hpet_read(HPET_COUNTER) + delta;
	hpet_write(HPET_TIMER_COMPARATOR(n), deadline);
	hpet_write(HPET_TIMER_CONFIG(n), TIMER_INTERRUPT_ENABLE | config);
	return deadline;
}

/* 100 us in HPET ticks. */
static uint64_t hpet_100us(void)
{
	return 100000000000ull / (hpet_read(HPET_CAPABILITIES) >> 32);
}

/* Fires timer n with `config` and receives on endpoint: passes `name`
 * when the signal comes with `badge` and 0 words. */
static int check_delivery(const char *name, unsigned n, uint64_t config, cap_selector endpoint,
			  uint64_t badge)
{
	hpet_fire(n, config, hpet_100us());
	uint64_t got = 0, words = 99;
	enum status s = sys_ipc_receive(endpoint, 1000000000ull, &got, &words);
	hpet_write(HPET_TIMER_CONFIG(n), 0);
	return ktest_check(s == STATUS_OK && got == badge && words == 0, name,
			   "receive: %s, badge 0x%llx, %llu words", status_name(s),
			   (unsigned long long)got, (unsigned long long)words);
}

static void wait_receive(struct worker *w)
{
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, NULL, NULL);
}

/*
 * The Irq goes with its last capability: its GSI is free again, its page
 * back in the quota, its endpoint reference dropped; also when the task
 * holding the last capability is destroyed.
 */
static void test_irq_destroy(cap_selector irq, int gsi, cap_selector endpoint)
{
	uint64_t before = ktest_quota();
	ktest_status("irq-delete", sys_cap_delete(irq), STATUS_OK);
	ktest_check(ktest_quota() == before + 1, "irq-delete-quota-back",
		    "quota %llu before, %llu after", (unsigned long long)before,
		    (unsigned long long)ktest_quota());
	ktest_status("irq-recreate", sys_irq_create(irq, (uint32_t)gsi, endpoint, 0x9, 0),
		     STATUS_OK);
	check_delivery("irq-recreated-delivers", 0, (uint64_t)gsi << TIMER_ROUTE_SHIFT, endpoint,
		       0x9);
	sys_irq_ack(irq);
	sys_cap_delete(irq);

	/* The endpoint lives while an Irq names it, and goes with the Irq. */
	cap_selector own = ktest_endpoint("irq-destroy-endpoint");
	ktest_status("irq-create-own-endpoint", sys_irq_create(irq, (uint32_t)gsi, own, 1, 0),
		     STATUS_OK);
	struct worker *w = worker_run("irq-endpoint-waiter", 10, wait_receive, own, 0);
	ktest_settle();
	sys_cap_delete(own);
	ktest_settle();
	ktest_check(w && !w->done, "irq-keeps-endpoint", "the receiver woke: %s",
		    w ? status_name(w->status) : "no worker");
	sys_cap_delete(irq);
	ktest_settle();
	ktest_check(w && w->done && w->status == STATUS_BAD_CAP, "irq-releases-endpoint",
		    "receiver done %d: %s", w ? w->done : 0, w ? status_name(w->status) : "-");

	/* An Irq whose last capability is in a task that is destroyed. */
	cap_selector child = ktest_slot();
	if (!ktest_status("irq-child", sys_task_create(child, 0, 3, "irq-child"), STATUS_OK))
		return;
	sys_irq_create(irq, (uint32_t)gsi, endpoint, 1, 0);
	ktest_status("irq-copy-to-child", sys_cap_copy(irq, child, CAP_FIRST_FREE, RIGHTS_ALL, 0),
		     STATUS_OK);
	sys_cap_delete(irq);
	ktest_status("irq-held-by-child", sys_irq_create(irq, (uint32_t)gsi, endpoint, 1, 0),
		     STATUS_BUSY);
	sys_task_destroy(child);
	sys_cap_delete(child);
	ktest_status("irq-freed-with-task", sys_irq_create(irq, (uint32_t)gsi, endpoint, 1, 0),
		     STATUS_OK);
	sys_cap_delete(irq);
}

/* The first HPET timer that can send its interrupt as a message, or -1. */
static int fsb_timer(void)
{
	unsigned timers = ((hpet_read(HPET_CAPABILITIES) >> 8) & 0x1f) + 1;
	for (unsigned n = 0; n < timers; n++)
		if (hpet_read(HPET_TIMER_CONFIG(n)) & TIMER_FSB_CAPABLE)
			return (int)n;
	return -1;
}

/*
 * An MSI Irq: a free vector and the message that raises it (Intel SDM
 * vol. 3A §11.11), delivered by the HPET when it can; no ack needed; the
 * vector is free again after the Irq goes.
 */
static void test_msi(cap_selector endpoint)
{
	cap_selector irq = ktest_slot(), other = ktest_slot();
	uint64_t address = 0, other_address = 0, before = ktest_quota();
	uint32_t data = 0, other_data = 0;
	if (!ktest_status("irq-msi-create",
			  sys_irq_create_msi(irq, endpoint, 0x11, &address, &data), STATUS_OK))
		return;
	ktest_check((address & ~0xff000ull) == 0xfee00000 && data >= 48 && data < 0xf0,
		    "irq-msi-message", "address 0x%llx data 0x%x", (unsigned long long)address,
		    data);
	sys_irq_create_msi(other, endpoint, 0x22, &other_address, &other_data);
	ktest_check(other_data != data && other_address == address, "irq-msi-own-vector",
		    "vectors 0x%x and 0x%x", data, other_data);
	sys_cap_delete(other);
	ktest_status("irq-msi-ack", sys_irq_ack(irq), STATUS_OK);

	int n = fsb_timer();
	if (n < 0) {
		ktest_print("ktest: SKIP irq-msi-hpet: no timer of this HPET can deliver by FSB "
			    "(Tn_FSB_INT_DEL_CAP, HPET spec 1.0a §2.3.8, clear on every timer)\n");
	} else {
		hpet_write(HPET_TIMER_FSB_ROUTE(n), address << 32 | data);
		check_delivery("irq-msi-hpet", (unsigned)n, TIMER_FSB_ENABLE, endpoint, 0x11);
		/* Nothing was masked: the next message comes without an ack. */
		check_delivery("irq-msi-hpet-no-ack", (unsigned)n, TIMER_FSB_ENABLE, endpoint,
			       0x11);
	}
	sys_cap_delete(irq);
	ktest_check(ktest_quota() == before, "irq-msi-quota-back", "quota %llu before, %llu after",
		    (unsigned long long)before, (unsigned long long)ktest_quota());
	ktest_status("irq-msi-again",
		     sys_irq_create_msi(irq, endpoint, 0x11, &address, &other_data), STATUS_OK);
	ktest_check(other_data == data, "irq-msi-vector-free-again", "vector 0x%x, before 0x%x",
		    other_data, data);
	sys_cap_delete(irq);
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
	ktest_status("irq-create-bad-flags", sys_irq_create(slot, 16, endpoint, 1, 8),
		     STATUS_BAD_ARG);
	ktest_status("irq-msi-gsi-not-0",
		     syscall6(SYS_IRQ_CREATE, slot, 16, endpoint, 1, IRQ_MSI, 0, NULL),
		     STATUS_BAD_ARG);
	ktest_status("irq-msi-level",
		     syscall6(SYS_IRQ_CREATE, slot, 0, endpoint, 1, IRQ_MSI | IRQ_LEVEL, 0, NULL),
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
	uint64_t delta = hpet_100us(), route = (uint64_t)gsi << TIMER_ROUTE_SHIFT;
	for (int round = 0; round < 2; round++) {
		uint64_t deadline = hpet_fire(0, route, delta);
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
	hpet_fire(0, route, delta);
	uint64_t until = hpet_read(HPET_COUNTER) + 3 * delta;
	while (hpet_read(HPET_COUNTER) < until)
		;
	uint64_t badge = 0;
	ktest_check(sys_ipc_receive(endpoint, 0, &badge, NULL) == STATUS_OK && badge == 0x5,
		    "irq-signal-pending", "badge 0x%llx", (unsigned long long)badge);
	hpet_write(HPET_TIMER_CONFIG(0), 0);
	sys_irq_ack(irq);
	test_irq_destroy(irq, gsi, endpoint);
	test_msi(endpoint);
}
