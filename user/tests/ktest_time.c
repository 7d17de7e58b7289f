/*
 * ktest: what needs the timer. Relative IPC timeouts (in nanoseconds)
 * expire with TIMEOUT, leave no trace in the endpoint's queues, last at
 * least as long as asked, stop counting when the IPC happens, and also
 * cover the wait for a reply once a call's message was taken. Round
 * robin: two spinning threads of one priority both get the CPU. Without a
 * calibrated TSC the kernel has no timer and refuses relative timeouts
 * with BAD_ARG; then only that is checked.
 */
#include "ktest.h"

#define MS 1000000ull

/* Blocks the main thread for ns nanoseconds. */
static void sleep_ns(cap_selector e, uint64_t ns)
{
	sys_ipc_receive(e, ns, NULL, NULL);
}

/* arg0 = endpoint, arg1 = timeout. */
static void timed_caller(struct worker *w)
{
	w->utcb->message[0] = 1;
	w->status = sys_ipc_call(w->arg[0], 1, w->arg[1], NULL);
	w->value[0] = w->utcb->message[0];
}

static void timed_receiver(struct worker *w)
{
	w->status = sys_ipc_receive(w->arg[0], w->arg[1], NULL, NULL);
}

static volatile int spin_stop;

static void spinner(struct worker *w)
{
	while (!spin_stop)
		w->count++;
}

void test_time(void)
{
	cap_selector e = ktest_endpoint("time"), nap = ktest_endpoint("time");
	if (!runtime_bootinfo->tsc_khz) {
		ktest_status("ipc-timeout-without-timer", sys_ipc_receive(e, MS, NULL, NULL),
			     STATUS_BAD_ARG);
		return;
	}
	uint64_t start = rdtsc();
	ktest_status("ipc-receive-timeout", sys_ipc_receive(e, 2 * MS, NULL, NULL),
		     STATUS_TIMEOUT);
	uint64_t elapsed = rdtsc() - start, want = 2 * runtime_bootinfo->tsc_khz;
	ktest_check(elapsed >= want, "ipc-timeout-long-enough",
		    "a 2 ms timeout expired after %llu TSC ticks, want at least %llu",
		    (unsigned long long)elapsed, (unsigned long long)want);
	ktest_status("ipc-send-timeout", sys_ipc_send(e, 1, MS), STATUS_TIMEOUT);
	ktest_status("ipc-send-timeout-leaves-queue", sys_ipc_receive(e, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	ktest_status("ipc-call-timeout", sys_ipc_call(e, 1, MS, NULL), STATUS_TIMEOUT);
	ktest_status("ipc-reply-wait-timeout", sys_ipc_reply_wait(e, 0, MS, NULL, NULL),
		     STATUS_TIMEOUT);
	ktest_status("ipc-receive-timeout-leaves-queue", sys_ipc_send(e, 0, 0), STATUS_TIMEOUT);

	/* The message comes before the timeout: OK, and no late TIMEOUT. */
	struct worker *w = worker_run("ipc-timeout-met", 100, timed_receiver, e, 50 * MS);
	ktest_settle();
	ktest_status("ipc-timeout-met-send", sys_ipc_send(e, 0, 0), STATUS_OK);
	ktest_settle();
	if (w)
		ktest_check(w->done && w->status == STATUS_OK, "ipc-timeout-met",
			    "receiver got %s", status_name(w->status));

	/* A caller queued with a timeout is taken by a receive; the timeout
	 * then covers the wait for the reply, and a late reply is dropped. */
	w = worker_run("ipc-reply-timeout", 100, timed_caller, e, 2 * MS);
	ktest_settle();
	ktest_status("ipc-reply-timeout-receive", sys_ipc_receive(e, 0, NULL, NULL), STATUS_OK);
	sleep_ns(nap, 5 * MS);
	ktest_settle();
	if (w)
		ktest_check(w->done && w->status == STATUS_TIMEOUT, "ipc-reply-timeout",
			    "caller got %s (%s)", status_name(w->status),
			    w->done ? "ended" : "still waiting");
	ktest_utcb()->message[0] = 77;
	ktest_status("ipc-reply-after-timeout-dropped", sys_ipc_reply_wait(e, 1, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	if (w)
		ktest_check(w->value[0] == 1, "ipc-reply-after-timeout-not-delivered",
			    "the caller's UTCB got %llu", (unsigned long long)w->value[0]);

	/* Round robin: two spinners at one priority both run while main
	 * sleeps; main's timeout preempts them. */
	spin_stop = 0;
	struct worker *a = worker_run("round-robin", 50, spinner, 0, 0);
	struct worker *b = worker_run("round-robin", 50, spinner, 0, 0);
	sleep_ns(nap, 60 * MS);
	/* The main thread runs again while both still spin: the timer took
	 * the CPU from them. */
	if (a && b)
		ktest_check(!a->done && !b->done && a->count + b->count > 0,
			    "timer-preempts-spinning-threads", "spinners %s, counted %llu",
			    a->done || b->done ? "ended" : "never ran",
			    (unsigned long long)(a->count + b->count));
	spin_stop = 1;
	ktest_settle();
	if (a && b)
		ktest_check(a->count > 0 && b->count > 0 && a->done && b->done, "round-robin",
			    "spinners counted %llu and %llu", (unsigned long long)a->count,
			    (unsigned long long)b->count);
}
