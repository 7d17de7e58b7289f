/*
 * Time slices and IPC timeouts (see timer.h). The timeout list is kept
 * sorted, so expiry looks only at its head; inserting is O(n) in the
 * number of threads blocked with a timeout, removing is O(1).
 */
#include "apic.h"
#include "ipc.h"
#include "timer.h"
#include "x86.h"

static uint64_t tsc_khz;
static struct thread *timeouts;  /* earliest first */
static struct thread *slice_owner;
static uint64_t slice_end;
static uint64_t armed;           /* deadline the LAPIC timer is set to */

void timer_init(uint64_t khz)
{
	tsc_khz = khz;
	if (khz)
		lapic_timer_init(khz);
}

int timer_available(void)
{
	return tsc_khz != 0;
}

static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / 1000000 * tsc_khz + ns % 1000000 * tsc_khz / 1000000;
}

static void rearm(void)
{
	uint64_t next = slice_end;
	if (timeouts && (!next || timeouts->timeout_deadline < next))
		next = timeouts->timeout_deadline;
	if (next != armed) {
		armed = next;
		lapic_timer_arm(next);
	}
}

void timeout_add(struct thread *t, uint64_t ns)
{
	uint64_t ticks = ns_to_ticks(ns), now = rdtsc();
	t->timeout_deadline = now + ticks < now ? ~0ull : now + ticks;
	struct thread **link = &timeouts, *previous = NULL;
	while (*link && (*link)->timeout_deadline <= t->timeout_deadline) {
		previous = *link;
		link = &(*link)->timeout_next;
	}
	t->timeout_next = *link;
	t->timeout_prev = previous;
	if (*link)
		(*link)->timeout_prev = t;
	*link = t;
	rearm();
}

void timeout_cancel(struct thread *t)
{
	if (!t->timeout_deadline)
		return;
	if (t->timeout_prev)
		t->timeout_prev->timeout_next = t->timeout_next;
	else
		timeouts = t->timeout_next;
	if (t->timeout_next)
		t->timeout_next->timeout_prev = t->timeout_prev;
	t->timeout_next = t->timeout_prev = NULL;
	t->timeout_deadline = 0;
}

void timer_switch_to(struct thread *t)
{
	if (!tsc_khz)
		return;
	if (t != slice_owner) {
		slice_owner = t;
		slice_end = rdtsc() + ns_to_ticks(TIME_SLICE_NS);
	}
	rearm();
}

void timer_forget(struct thread *t)
{
	if (slice_owner == t) {
		slice_owner = NULL;
		slice_end = 0;
	}
}

void timer_interrupt(void)
{
	uint64_t now = rdtsc();
	armed = 0;
	while (timeouts && timeouts->timeout_deadline <= now)
		ipc_cancel(timeouts, STATUS_TIMEOUT);
	/* Slice over: to the back of its priority's queue (round robin). */
	if (slice_owner && slice_end <= now) {
		if (slice_owner->state == THREAD_READY) {
			sched_dequeue(slice_owner);
			sched_enqueue(slice_owner);
		}
		slice_owner = NULL;
		slice_end = 0;
	}
	rearm();
}
