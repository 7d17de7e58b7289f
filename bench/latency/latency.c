/*
 * The latency measurement loop (see latency.h). One sample:
 *   1. clear the in-kernel timestamp word of our UTCB;
 *   2. read an anchor (TSC, HPET, TSC) and program the deadline: one-shot
 *      at a seeded pseudo-random offset after the anchor, or the next
 *      periodic match;
 *   3. wait for the Irq's signal; the first user instruction after the
 *      system call saves the status, the second reads the TSC;
 *   4. deadline's TSC value -> latency; the bench kernel's timestamp, if
 *      it wrote one, -> in-kernel latency; acknowledge the Irq.
 * Nothing waits without a timeout, so a missed interrupt costs at most
 * MISSED_AFTER_NS and is counted, never a hang.
 */
#include "latency.h"

#include <stdbool.h>
#include <stdio.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#include "bench/reference.h"

/* How long past its deadline an interrupt counts as missed. */
#define MISSED_AFTER_NS 10000000ull /* 10 ms */

uint64_t latency_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * sys_ipc_receive with a timestamp: after SYSCALL returns, the first
 * instruction saves the status (RDTSC overwrites rax and rdx), the second
 * is RDTSC. rsi (badge) and rdx (words) are not needed: an Irq's signal
 * has a known badge and no words.
 */
static enum status receive_stamped(cap_selector endpoint, uint64_t timeout, uint64_t *tsc)
{
	uint64_t rax = SYS_IPC_RECEIVE;
	register uint64_t rsi __asm__("rsi") = timeout;
	register uint64_t rdx __asm__("rdx") = 0;
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	register uint64_t r9 __asm__("r9") = 0;
	__asm__ volatile("syscall\n\t"
			 "mov %%rax, %%r8\n\t"
			 "rdtsc"
			 : "+a"(rax), "+r"(rsi), "+r"(rdx), "+r"(r8)
			 : "D"(endpoint), "r"(r10), "r"(r9)
			 : "rcx", "r11", "memory");
	*tsc = rdx << 32 | (uint32_t)rax;
	return (enum status)r8;
}

struct run {
	const struct hpet *h;
	const struct scenario *s;
	cap_selector irq, endpoint;
	volatile uint64_t *stamp; /* our UTCB's BENCH_REFERENCE_WORD */
	uint64_t timeout_ns;
	int progress;
	struct latency_result *r;
};

/* A `bench: progress` line after every tenth of the samples (one-shot
 * mode only: no comparator runs while it prints; in periodic mode the
 * print would make the tool miss periods itself). */
static void show_progress(const struct run *run, uint32_t done)
{
	uint32_t tenth = run->s->samples / 10;
	if (run->progress && tenth && done % tenth == 0)
		printf("bench: progress %u/%u\n", (unsigned)done, (unsigned)run->s->samples);
}

/* Record one wake-up at TSC `now` for a deadline at TSC `deadline`;
 * false (counted as early) when it came before the deadline. */
static bool record(struct run *run, uint64_t now, uint64_t deadline)
{
	if (now < deadline) {
		run->r->early++;
		return false;
	}
	histogram_add(&run->r->user, now - deadline);
	uint64_t kernel = *run->stamp;
	if (kernel >= deadline && kernel <= now)
		histogram_add(&run->r->kernel, kernel - deadline);
	else
		run->r->no_stamp++;
	return true;
}

/* Take a signal that may be pending and unmask the input again. */
static void drain(struct run *run)
{
	sys_ipc_receive(run->endpoint, 0, NULL, NULL);
	sys_irq_ack(run->irq);
}

static void note_anchor(struct run *run, const struct hpet_anchor *a)
{
	if (a->spread > run->r->spread_max)
		run->r->spread_max = a->spread;
}

/*
 * Wait for the interrupt of a deadline; 1 on a sample, 0 when missed, -1
 * on an error (printed). A signal before the deadline belongs to an
 * earlier match: it is counted as early, the input unmasked, and the wait
 * goes on for this deadline's. QEMU 7.2's HPET sends such a second signal
 * after every periodic match (doc/benchmarks.md, "Known limits"). Each
 * round takes an interrupt and time only moves on, so the loop ends at the
 * deadline's interrupt or the timeout.
 */
static int wait_for(struct run *run, uint64_t deadline_tsc)
{
	for (;;) {
		uint64_t now;
		enum status st = receive_stamped(run->endpoint, run->timeout_ns, &now);
		if (st == STATUS_TIMEOUT) {
			run->r->missed++;
			return 0;
		}
		if (st != STATUS_OK) {
			printf("bench: error: waiting for the HPET interrupt: %s\n",
			       status_name(st));
			return -1;
		}
		if (record(run, now, deadline_tsc))
			return 1;
		sys_irq_ack(run->irq);
	}
}

static int oneshot_sample(struct run *run, uint64_t *random_state)
{
	const struct hpet *h = run->h;
	const struct scenario *s = run->s;
	uint64_t span = (uint64_t)s->offset_max_ns - s->offset_min_ns + 1;
	uint64_t offset = hpet_ticks(h, s->offset_min_ns + latency_random(random_state) % span);
	*run->stamp = 0;
	struct hpet_anchor a = hpet_anchor(h);
	note_anchor(run, &a);
	uint64_t deadline = (a.hpet + offset) & h->mask;
	if (deadline < a.hpet)
		run->r->wraps++;
	uint64_t deadline_tsc = hpet_deadline_tsc(h, &a, deadline);
	hpet_arm_oneshot(h, deadline);
	/* The comparator fires when the counter equals it (HPET spec
	 * §2.3.9.2.1): a deadline reached before the write never fires. */
	if (hpet_elapsed(h, a.hpet, hpet_counter(h)) >= offset) {
		run->r->past++;
		hpet_disarm(h);
		drain(run);
		return 0;
	}
	int got = wait_for(run, deadline_tsc);
	hpet_disarm(h);
	if (got == 0)
		drain(run);
	else if (got > 0)
		sys_irq_ack(run->irq);
	return got < 0 ? -1 : 0;
}

static int oneshot(struct run *run)
{
	uint64_t random_state = run->s->seed;
	for (uint32_t i = 0; i < run->s->samples; i++) {
		if (oneshot_sample(run, &random_state) < 0)
			return -1;
		show_progress(run, i + 1);
	}
	return 0;
}

/* Index of the first periodic match after counter value `now`. */
static uint64_t next_index(const struct hpet *h, uint64_t first, uint64_t period, uint64_t now)
{
	uint64_t since = hpet_elapsed(h, first, now);
	if (since > h->mask / 2)
		return 0; /* `now` is before the first match */
	return since / period + 1;
}

static int periodic(struct run *run)
{
	const struct hpet *h = run->h;
	if (!h->periodic) {
		printf("bench: error: HPET timer %u has no periodic mode (Tn_PER_INT_CAP)\n",
		       h->timer);
		return -1;
	}
	uint64_t period = hpet_ticks(h, run->s->period_ns);
	struct hpet_anchor a = hpet_anchor(h);
	uint64_t first = (a.hpet + period) & h->mask;
	hpet_arm_periodic(h, first, period);
	uint64_t index = 0, previous = first;
	for (uint32_t i = 0; i < run->s->samples; i++) {
		uint64_t deadline = (first + index * period) & h->mask;
		if (deadline < previous)
			run->r->wraps++;
		previous = deadline;
		*run->stamp = 0;
		note_anchor(run, &a);
		if (wait_for(run, hpet_deadline_tsc(h, &a, deadline)) < 0) {
			hpet_disarm(h);
			return -1;
		}
		sys_irq_ack(run->irq);
		/* Matches that passed while the input was masked are lost
		 * (edge-triggered, IOAPIC): count them as missed. */
		a = hpet_anchor(h);
		uint64_t next = next_index(h, first, period, a.hpet);
		if (next > index + 1)
			run->r->missed += next - index - 1;
		index = next > index + 1 ? next : index + 1;
	}
	hpet_disarm(h);
	drain(run);
	return 0;
}

int latency_measure(const struct hpet *h, const struct scenario *s, cap_selector irq,
		    cap_selector endpoint, int progress, struct latency_result *r)
{
	struct utcb *utcb = (struct utcb *)(uintptr_t)runtime_bootinfo->utcb;
	struct run run = {
		.h = h,
		.s = s,
		.irq = irq,
		.endpoint = endpoint,
		.stamp = &utcb->message[BENCH_REFERENCE_WORD],
		.timeout_ns = (s->mode == MODE_ONESHOT ? s->offset_max_ns : s->period_ns) +
			      MISSED_AFTER_NS,
		.progress = progress,
		.r = r,
	};
	histogram_reset(&r->user);
	histogram_reset(&r->kernel);
	r->missed = r->past = r->wraps = r->early = r->no_stamp = r->spread_max = 0;
	return s->mode == MODE_ONESHOT ? oneshot(&run) : periodic(&run);
}
