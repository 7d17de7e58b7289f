/*
 * The timer driver: a user-level driver with an interrupt. It owns one
 * HPET comparator (its configuration's interrupt `tick`, kind
 * hpet-comparator) and the HPET's registers (its first `mmio` range); the
 * root task created the comparator's Irq object on an IOAPIC input the
 * comparator can be routed to and says which in the start-up block, or,
 * with `delivery = "msi"`, an MSI Irq and the message that raises it,
 * which the driver gives the comparator (FSB interrupt delivery, HPET
 * specification 1.0a §2.3.9). A
 * client calls it (protocol in timer.h) to wait for n ticks: the driver
 * programs the comparator to interrupt periodically every --period-us
 * microseconds, receives n interrupts on the Irq's endpoint, acknowledging
 * each, stops the comparator and replies with what it counted.
 *
 * Register programming is the latency tool's (bench/latency/hpet.c, HPET
 * specification 1.0a §2.3); this file only fills its struct hpet for the
 * comparator it was given.
 *
 * Usage (the configuration's `arguments`):
 *   --period-us N          the tick period, 1..1000000
 *   --exit-after-ticks N   exit with code 3 at the Nth tick of a request,
 *                          the comparator still running: the driver the
 *                          system test `timer-exit` needs (the root task
 *                          must stop the comparator of a task it destroys)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#include "latency/hpet.h"
#include "timer.h"

#define INTERRUPT_NAME "tick"
#define PERIOD_US_MAX  1000000u
#define EXIT_USAGE     2
#define EXIT_ARMED     3

/* HPET specification 1.0a §2.3.4, table 2-5: the capabilities register;
 * §2.3.8, table 2-9: a comparator's configuration register. */
#define HPET_CAPABILITIES      0x000
#define HPET_TIMER_CONFIG(n)   (0x100 + 0x20 * (n))
#define CAP_COUNT_SIZE_64      (1ull << 13)
#define CAP_TIMERS(cap)	       ((unsigned)((cap) >> 8 & 0x1f) + 1)
#define CAP_PERIOD_MAX_FS      100000000ull /* COUNTER_CLK_PERIOD: at most 100 ns */
#define TIMER_PERIODIC_CAPABLE (1ull << 4)
#define TIMER_SIZE_64	       (1ull << 5)
#define TIMER_FSB_CAPABLE      (1ull << 15) /* Tn_FSB_INT_DEL_CAP */
/* How long the driver waits for one tick before it gives up: this many
 * periods (a bound for a comparator that stopped, not a measurement). */
#define TICK_TIMEOUT_PERIODS 100

static struct hpet hpet;
static const struct startinfo_interrupt *tick;
static uint64_t period_ns;
static unsigned long exit_after; /* ticks; 0: never */

/* Fill `hpet` for the comparator of `irq`, routed to its GSI or to its
 * message; false with a message when the registers are no HPET or the
 * comparator cannot tick periodically or send messages. */
static bool hpet_setup(volatile uint64_t *regs, const struct startinfo_interrupt *irq)
{
	unsigned timer = irq->number;
	uint64_t cap = regs[HPET_CAPABILITIES / 8];
	uint64_t period_fs = cap >> 32;

	if (period_fs == 0 || period_fs > CAP_PERIOD_MAX_FS || timer >= CAP_TIMERS(cap)) {
		printf("mmio range 0 is no HPET with comparator %u (capabilities %#llx)\n", timer,
		       (unsigned long long)cap);
		return false;
	}
	uint64_t config = regs[HPET_TIMER_CONFIG(timer) / 8];
	/* The comparator matches 64 bits only when both the counter and the
	 * comparator are 64 bits wide (§2.3.8, Tn_SIZE_CAP). */
	bool wide = (cap & CAP_COUNT_SIZE_64) && (config & TIMER_SIZE_64);
	hpet = (struct hpet){
	    .regs = regs,
	    .period_fs = period_fs,
	    .bits = wide ? 64 : 32,
	    .mask = wide ? ~0ull : 0xffffffffull,
	    .timer = timer,
	    .gsi = irq->gsi,
	    .periodic = config & TIMER_PERIODIC_CAPABLE,
	};
	if (!hpet.periodic) {
		printf("HPET comparator %u cannot interrupt periodically (Tn_PER_INT_CAP)\n",
		       timer);
		return false;
	}
	if (!(irq->flags & IRQ_MSI))
		return true;
	if (!(config & TIMER_FSB_CAPABLE)) {
		printf("HPET comparator %u cannot send its interrupt as a message "
		       "(Tn_FSB_INT_DEL_CAP)\n",
		       timer);
		return false;
	}
	hpet_route_message(&hpet, irq->msi_address, irq->msi_data);
	return true;
}

/* The timeout for one tick: TICK_TIMEOUT_PERIODS periods, or none when
 * the kernel has no timer for timeouts. */
static uint64_t tick_timeout(void)
{
	return runtime_startinfo->tsc_khz ? TICK_TIMEOUT_PERIODS * period_ns : TIMEOUT_NEVER;
}

/* Take an interrupt that came after the comparator was stopped, so that
 * the next request does not count it. */
static void drain(void)
{
	if (sys_ipc_receive(tick->endpoint, 0, NULL, NULL) == STATUS_OK)
		sys_irq_ack(tick->irq);
}

/* Count n ticks; fills the reply words and returns the reply's status. */
static enum status count_ticks(uint64_t n, uint64_t *reply)
{
	uint64_t first = 0, last = 0, counted = 0;
	enum status s = STATUS_OK;

	hpet_arm_periodic(&hpet, hpet_counter(&hpet) + hpet_ticks(&hpet, period_ns),
			  hpet_ticks(&hpet, period_ns));
	while (counted < n) {
		s = sys_ipc_receive(tick->endpoint, tick_timeout(), NULL, NULL);
		if (s != STATUS_OK)
			break;
		last = hpet_counter(&hpet);
		if (counted++ == 0)
			first = last;
		if (counted == exit_after) {
			printf("exiting at tick %llu with comparator %u running\n",
			       (unsigned long long)counted, hpet.timer);
			exit(EXIT_ARMED);
		}
		sys_irq_ack(tick->irq);
	}
	hpet_disarm(&hpet);
	drain();
	reply[TIMER_REPLY_TICKS] = counted;
	reply[TIMER_REPLY_ELAPSED] = counted ? hpet_elapsed(&hpet, first, last) : 0;
	reply[TIMER_REPLY_COUNTER_FS] = hpet.period_fs;
	reply[TIMER_REPLY_PERIOD_NS] = period_ns;
	return s;
}

/* Serve one call of `words` words from the client with `badge`; returns
 * the number of reply words (in the UTCB). */
static uint64_t serve(uint64_t badge, uint64_t words) /* runtime_serve_fn */
{
	uint64_t *message = runtime_utcb->message;
	const char *client = runtime_client_name(badge);
	uint64_t n = message[TIMER_REQUEST_TICKS];

	if (client == NULL || words < TIMER_REQUEST_WORDS ||
	    message[TIMER_REQUEST] != TIMER_TICKS || n == 0 || n > TIMER_TICKS_MAX) {
		message[TIMER_REPLY_STATUS] = STATUS_BAD_ARG;
		return 1;
	}
	uint64_t reply[TIMER_REPLY_WORDS];
	enum status s = count_ticks(n, reply);
	printf("%s: %llu of %llu ticks, %s\n", client, (unsigned long long)reply[TIMER_REPLY_TICKS],
	       (unsigned long long)n, status_name(s));
	memcpy(message, reply, sizeof(reply));
	message[TIMER_REPLY_STATUS] = s;
	return TIMER_REPLY_WORDS;
}

int main(int argc, char **argv)
{
	const struct startinfo *si = runtime_startinfo;
	unsigned long period_us;

	if (!runtime_number_option(argc, argv, "--period-us", PERIOD_US_MAX, &period_us)) {
		printf("usage: %s --period-us N (1..%u)\n", argv[0], PERIOD_US_MAX);
		return EXIT_USAGE;
	}
	period_ns = period_us * 1000;
	runtime_number_option(argc, argv, "--exit-after-ticks", TIMER_TICKS_MAX, &exit_after);
	tick = runtime_interrupt(INTERRUPT_NAME);
	if (tick == NULL || tick->kind != STARTINFO_IRQ_HPET || si->mmio_count < 1 ||
	    si->service == NO_SELECTOR) {
		printf("needs an HPET comparator interrupt named '%s', the HPET's registers as its "
		       "first mmio range and a client\n",
		       INTERRUPT_NAME);
		return EXIT_USAGE;
	}
	if (!hpet_setup((volatile uint64_t *)(uintptr_t)si->mmio[0].address, tick))
		return EXIT_USAGE;
	if (hpet.message)
		printf("HPET comparator %u by MSI (address %#llx, data %#x), period %lu us\n",
		       tick->number, (unsigned long long)tick->msi_address, tick->msi_data,
		       period_us);
	else
		printf("HPET comparator %u on GSI %u, period %lu us\n", tick->number, tick->gsi,
		       period_us);

	printf("receive failed: %s\n", status_name(runtime_serve(si->service, serve)));
	return EXIT_USAGE;
}
