/*
 * Time slices and IPC timeouts (see timer.h), per CPU: each CPU's LAPIC
 * timer serves the threads whose t->cpu names it. The timeout list is
 * kept sorted, so expiry looks only at its head; inserting is O(n) in the
 * number of threads blocked with a timeout, removing is O(1).
 */
#include "apic.h"
#include "ipc.h"
#include "timer.h"
#include "x86.h"

static uint64_t tsc_khz;

struct cpu_timer {
	struct thread *timeouts;  /* earliest first */
	struct thread *slice_owner;
	uint64_t slice_end;
	uint64_t armed;           /* deadline the LAPIC timer is set to */
};

static struct cpu_timer cpu_timers[CPU_MAX];

static struct cpu_timer *this_timer(void)
{
	return &cpu_timers[this_cpu()->cpu];
}

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

uint64_t timer_ns_to_ticks(uint64_t ns)
{
	return ns / 1000000 * tsc_khz + ns % 1000000 * tsc_khz / 1000000;
}

/*
 * Arms this CPU's LAPIC timer for `deadline` (0: none) unless it is armed
 * for an earlier one. Every deadline arms itself here when it starts (a
 * slice in timer_switch_to, a timeout in timeout_add), so the armed one
 * is never later than the slice end or the first timeout. A deadline that
 * moves later or goes away leaves it early: it fires with nothing due and
 * timer_interrupt arms the real one. So a thread switch, which starts a
 * slice ending later than the armed deadline, does not touch the LAPIC.
 */
static void arm(struct cpu_timer *c, uint64_t deadline)
{
	if (deadline && (!c->armed || deadline < c->armed)) {
		c->armed = deadline;
		lapic_timer_arm(deadline);
	}
}

void timeout_add(struct thread *t, uint64_t ns)
{
	uint64_t ticks = timer_ns_to_ticks(ns), now = rdtsc();
	t->timeout_deadline = now + ticks < now ? ~0ull : now + ticks;
	struct cpu_timer *c = &cpu_timers[t->cpu];
	struct thread **link = &c->timeouts, *previous = NULL;
	while (*link && (*link)->timeout_deadline <= t->timeout_deadline) {
		previous = *link;
		link = &(*link)->timeout_next;
	}
	t->timeout_next = *link;
	t->timeout_prev = previous;
	if (*link)
		(*link)->timeout_prev = t;
	*link = t;
	arm(c, t->timeout_deadline);
}

void timeout_cancel(struct thread *t)
{
	if (!t->timeout_deadline)
		return;
	if (t->timeout_prev)
		t->timeout_prev->timeout_next = t->timeout_next;
	else
		cpu_timers[t->cpu].timeouts = t->timeout_next;
	if (t->timeout_next)
		t->timeout_next->timeout_prev = t->timeout_prev;
	t->timeout_next = t->timeout_prev = NULL;
	t->timeout_deadline = 0;
}

void timer_switch_to(struct thread *t)
{
	if (!tsc_khz)
		return;
	struct cpu_timer *c = this_timer();
	/* The same owner keeps its slice end: nothing new to arm. */
	if (t != c->slice_owner) {
		uint64_t now = rdtsc();
		struct thread *owner = c->slice_owner;
		/* An owner still ready was preempted by a higher priority: it
		 * keeps the rest of its slice for its next turn (at least a
		 * tick: a slice used up but not yet rotated then ends at once,
		 * and timer_interrupt rotates it). A fresh slice each time would
		 * let it keep the CPU from its peers for good whenever a higher
		 * priority wakes more often than once a slice (ktest
		 * round-robin-order*). No calls here: no stack frame on the
		 * switch path. */
		uint64_t end = c->slice_end, left = t->slice_left;
		if (owner && owner->state == THREAD_READY)
			owner->slice_left = end > now ? end - now : 1;
		if (left)
			t->slice_left = 0;
		else
			left = t->time_slice_ticks;
		c->slice_owner = t;
		c->slice_end = now + left;
		arm(c, c->slice_end);
	}
}

void timer_forget(struct thread *t)
{
	struct cpu_timer *c = &cpu_timers[t->cpu];
	if (c->slice_owner == t) {
		c->slice_owner = NULL;
		c->slice_end = 0;
	}
}

void timer_interrupt(void)
{
	struct cpu_timer *c = this_timer();
	uint64_t now = rdtsc();
	c->armed = 0;
	while (c->timeouts && c->timeouts->timeout_deadline <= now)
		ipc_cancel(c->timeouts, STATUS_TIMEOUT);
	/* Slice over: to the back of its priority's queue (round robin). */
	if (c->slice_owner && c->slice_end <= now) {
		if (c->slice_owner->state == THREAD_READY) {
			sched_dequeue(c->slice_owner);
			sched_enqueue(c->slice_owner);
		}
		c->slice_owner = NULL;
		c->slice_end = 0;
	}
	uint64_t next = c->slice_end;
	if (c->timeouts && (!next || c->timeouts->timeout_deadline < next))
		next = c->timeouts->timeout_deadline;
	arm(c, next);
}
