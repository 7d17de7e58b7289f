/*
 * Time: round-robin time slices and IPC timeouts, both driven by the one
 * per-CPU one-shot LAPIC timer. The timer is armed for the earliest of
 * "current thread's slice ends" and "first timeout expires", and only
 * reprogrammed when that moves earlier: a thread switch starts a slice
 * that ends later, and the armed deadline, when it fires with nothing
 * due, arms the real one. That keeps the IPC path free of the LAPIC.
 */
#ifndef VIREO_TIMER_H
#define VIREO_TIMER_H

#include <stdint.h>

#include "thread.h"

/* Starts time keeping; tsc_khz from tsc_calibrate (0: no timer at all,
 * then slices never end and relative timeouts are refused). */
void timer_init(uint64_t tsc_khz);

/* ns as TSC ticks (0 while there is no timer). Thread time slices are
 * kept in ticks so a thread switch does no division. */
uint64_t timer_ns_to_ticks(uint64_t ns);

/* Whether relative timeouts can be served. */
int timer_available(void);

/* Puts blocked thread t on the timeout list, due in `ns` nanoseconds. */
void timeout_add(struct thread *t, uint64_t ns);

/* timeout_cancel(t) (declared in thread.h, for thread_wake) takes t off
 * the timeout list if it is there. O(1). */

/* Called by schedule() for the thread about to run: when the thread
 * changed, starts a new slice and arms the timer if that moved the
 * deadline earlier. */
void timer_switch_to(struct thread *t);

/* The LAPIC timer interrupt: expire timeouts, end the slice. */
void timer_interrupt(void);

/* Forgets t as the owner of the current time slice (t is going away). */
void timer_forget(struct thread *t);

#endif
