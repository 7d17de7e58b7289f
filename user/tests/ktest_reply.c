/*
 * ktest: who may still reply, and how a wait ends early. A receiver has
 * one caller to reply to: when it takes a new call while it still owes a
 * reply, the first caller's call ends with BAD_CAP (ipc.c, set_replier),
 * whether the new call was queued or found it waiting; a plain send
 * taken meanwhile changes nothing. thread_suspend ends every kind of IPC
 * wait (receive, send, call before and after its message was taken) with
 * TIMEOUT, takes the thread off the endpoint's queue and the replier's
 * right to reply, and thread_resume lets it go on with that status. A
 * thread suspended in an exception call has no status to return: it runs
 * the faulting instruction again when resumed and faults again.
 */
#include <stdio.h>

#include "ktest.h"

#define FAULT_VA 0x0000300900000000ull
#define FAULT_PAGE 9000 /* the page of the root task's memory mapped there */

/* arg0 = endpoint, arg1 = the word it sends. Calls once; value[0] is its
 * message register 0 afterwards (its own word when no reply came). */
static void one_call(struct worker *w)
{
	w->utcb->message[0] = w->arg[1];
	w->status = sys_ipc_call(w->arg[0], 1, TIMEOUT_NEVER, NULL);
	w->value[0] = w->utcb->message[0];
}

static void one_receive(struct worker *w)
{
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, NULL, NULL);
}

static void one_send(struct worker *w)
{
	w->status = sys_ipc_send(w->arg[0], 0, TIMEOUT_NEVER);
}

/* The caller's results: done, `status`, and its word unchanged (no reply
 * was copied in) or replaced by `word`. */
static int call_ended(const struct worker *w, enum status status, uint64_t word)
{
	return w->done && w->status == status && w->value[0] == word;
}

static int call_ended_check(const char *name, const struct worker *w, enum status status,
			    uint64_t word)
{
	return ktest_check(call_ended(w, status, word), name,
			   "caller %s with %s, word %llu (want %s, %llu)",
			   w->done ? "ended" : "still waits", status_name(w->status),
			   (unsigned long long)w->value[0], status_name(status),
			   (unsigned long long)word);
}

/* Two callers queued; the main thread receives both without replying. */
static void test_second_call_queued(void)
{
	struct utcb *u = ktest_utcb();
	cap_selector e = ktest_endpoint("owed-reply");
	struct worker *first = worker_run("owed-reply", 100, one_call, e, 1);
	struct worker *second = worker_run("owed-reply", 100, one_call, e, 2);
	if (!first || !second)
		return;
	ktest_settle();
	ktest_status("owed-reply-receive-first", sys_ipc_receive(e, 0, NULL, NULL), STATUS_OK);
	ktest_check(u->message[0] == 1, "owed-reply-first-message", "word %llu",
		    (unsigned long long)u->message[0]);
	ktest_status("owed-reply-receive-second", sys_ipc_receive(e, 0, NULL, NULL), STATUS_OK);
	ktest_settle();
	call_ended_check("owed-reply-first-bad-cap", first, STATUS_BAD_CAP, 1);
	ktest_check(!second->done, "owed-reply-second-waits", "the second caller got %s",
		    status_name(second->status));
	u->message[0] = 22;
	ktest_status("owed-reply-to-second", sys_ipc_reply_wait(e, 1, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	ktest_settle();
	call_ended_check("owed-reply-second-answered", second, STATUS_OK, 22);
	/* Nothing is owed any more: a second reply goes nowhere. */
	ktest_status("owed-reply-nothing-owed", sys_ipc_reply_wait(e, 1, 0, NULL, NULL),
		     STATUS_TIMEOUT);
}

/* arg0 = endpoint: takes a call, then waits for another message while
 * still owing the reply, then replies (to whoever it owes) with 7. */
static void forgetful_server(struct worker *w)
{
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, NULL, NULL);
	w->value[0] = w->utcb->message[0];
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, NULL, NULL);
	w->value[1] = w->utcb->message[0];
	w->utcb->message[0] = 7;
	w->status = sys_ipc_reply_wait(w->arg[0], 1, 0, NULL, NULL);
}

/* The server waits when the second call comes: the kernel's send path
 * makes it the replier of the second caller and drops the first. */
static void test_second_call_to_waiting_server(void)
{
	cap_selector e = ktest_endpoint("owed-reply-waiting");
	struct worker *server = worker_run("owed-reply-waiting", 100, forgetful_server, e, 0);
	ktest_settle();
	struct worker *first = worker_run("owed-reply-waiting", 50, one_call, e, 1);
	ktest_settle();
	struct worker *second = worker_run("owed-reply-waiting", 50, one_call, e, 2);
	ktest_settle();
	if (!server || !first || !second)
		return;
	call_ended_check("owed-reply-waiting-first-bad-cap", first, STATUS_BAD_CAP, 1);
	call_ended_check("owed-reply-waiting-second-answered", second, STATUS_OK, 7);
	ktest_check(server->done && server->value[0] == 1 && server->value[1] == 2,
		    "owed-reply-waiting-server", "server saw %llu then %llu",
		    (unsigned long long)server->value[0], (unsigned long long)server->value[1]);
}

/* A plain send taken while a reply is owed leaves the caller's right. */
static void test_send_keeps_reply(void)
{
	struct utcb *u = ktest_utcb();
	cap_selector e = ktest_endpoint("owed-reply-send");
	struct worker *c = worker_run("owed-reply-send", 100, one_call, e, 3);
	ktest_settle();
	struct worker *s = worker_run("owed-reply-send", 100, one_send, e, 0);
	ktest_settle();
	if (!c || !s)
		return;
	ktest_status("owed-reply-send-take-call", sys_ipc_receive(e, 0, NULL, NULL), STATUS_OK);
	ktest_status("owed-reply-send-take-send", sys_ipc_receive(e, 0, NULL, NULL), STATUS_OK);
	ktest_settle();
	ktest_check(s->done && s->status == STATUS_OK && !c->done, "owed-reply-send-caller-waits",
		    "sender %s, caller %s (%s)", status_name(s->status),
		    c->done ? "ended" : "waits", status_name(c->status));
	u->message[0] = 33;
	sys_ipc_reply_wait(e, 1, 0, NULL, NULL);
	ktest_settle();
	call_ended_check("owed-reply-send-caller-answered", c, STATUS_OK, 33);
}

/*
 * A worker waits in IPC on e (what `function` does); suspending it takes
 * it out of the wait, and after resume it returns TIMEOUT. poll() must
 * then find nobody on the endpoint.
 */
static void suspend_in_wait(const char *name, worker_function *function, cap_selector e,
			    enum status (*poll)(cap_selector))
{
	char test[64];
	struct worker *w = worker_run(name, 100, function, e, 5);
	ktest_settle();
	if (!w)
		return;
	snprintf(test, sizeof(test), "%s-suspend", name);
	ktest_status(test, sys_thread_suspend(w->thread), STATUS_OK);
	snprintf(test, sizeof(test), "%s-dequeued", name);
	ktest_status(test, poll(e), STATUS_TIMEOUT);
	ktest_settle();
	snprintf(test, sizeof(test), "%s-stays-suspended", name);
	ktest_check(!w->done, test, "it ran on while suspended (%s)", status_name(w->status));
	snprintf(test, sizeof(test), "%s-resume", name);
	ktest_status(test, sys_thread_resume(w->thread), STATUS_OK);
	ktest_settle();
	snprintf(test, sizeof(test), "%s-timeout", name);
	ktest_check(w->done && w->status == STATUS_TIMEOUT, test, "the wait ended with %s (%s)",
		    status_name(w->status), w->done ? "ended" : "still waits");
}

static enum status poll_send(cap_selector e)
{
	return sys_ipc_send(e, 0, 0);
}

static enum status poll_receive(cap_selector e)
{
	return sys_ipc_receive(e, 0, NULL, NULL);
}

/* Suspended while waiting for the reply: the server's reply is dropped. */
static void test_suspend_waiting_for_reply(void)
{
	struct utcb *u = ktest_utcb();
	cap_selector e = ktest_endpoint("suspend-reply");
	struct worker *w = worker_run("suspend-reply", 100, one_call, e, 4);
	ktest_settle();
	if (!w)
		return;
	ktest_status("suspend-reply-receive", sys_ipc_receive(e, 0, NULL, NULL), STATUS_OK);
	ktest_status("suspend-reply-suspend", sys_thread_suspend(w->thread), STATUS_OK);
	u->message[0] = 44;
	ktest_status("suspend-reply-dropped", sys_ipc_reply_wait(e, 1, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	ktest_status("suspend-reply-resume", sys_thread_resume(w->thread), STATUS_OK);
	ktest_settle();
	call_ended_check("suspend-reply-timeout", w, STATUS_TIMEOUT, 4);
}

static void touch_fault_page(struct worker *w)
{
	volatile uint64_t *p = (volatile uint64_t *)FAULT_VA;
	*p = 0x5a5;
	w->value[0] = *p;
}

/* Receives an exception call on e; returns its vector (0 on failure). */
static uint64_t exception_vector(cap_selector e, uint64_t timeout)
{
	uint64_t words = 0;
	if (sys_ipc_receive(e, timeout, NULL, &words) != STATUS_OK || words != EXCEPTION_WORDS)
		return 0;
	return ktest_utcb()->message[EXCEPTION_VECTOR];
}

/* Suspended in an exception call, before and after its handler took the
 * message: each resume runs the faulting store again, which faults again. */
static void test_suspend_in_exception(void)
{
	cap_selector e = ktest_endpoint("suspend-fault");
	struct worker *w = worker_with_handler("suspend-fault", 100, touch_fault_page, e);
	if (!w || worker_start(w) != STATUS_OK)
		return;
	ktest_settle();
	ktest_status("suspend-fault-queued", sys_thread_suspend(w->thread), STATUS_OK);
	ktest_status("suspend-fault-dequeued", sys_ipc_receive(e, 0, NULL, NULL), STATUS_TIMEOUT);
	sys_thread_resume(w->thread);
	ktest_settle();
	ktest_check(exception_vector(e, 0) == 14, "suspend-fault-refaults",
		    "no page fault message after resume");
	/* Now the handler owes the reply: suspending drops it too. */
	ktest_status("suspend-fault-taken", sys_thread_suspend(w->thread), STATUS_OK);
	ktest_status("suspend-fault-reply-dropped", sys_ipc_reply_wait(e, 0, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	sys_thread_resume(w->thread);
	ktest_settle();
	ktest_check(!w->done && exception_vector(e, 0) == 14, "suspend-fault-refaults-again",
		    "no page fault message after the second resume");
	ktest_status("suspend-fault-map",
		     sys_mem_map(CAP_SELF_TASK, ktest_own_page(FAULT_PAGE), FAULT_VA, 1, MEM_WRITE,
				 NULL),
		     STATUS_OK);
	sys_ipc_reply_wait(e, 0, 0, NULL, NULL);
	ktest_settle();
	ktest_check(w->done && w->value[0] == 0x5a5, "suspend-fault-resolved",
		    "the worker did not finish its store");
	sys_mem_unmap(ktest_own_page(FAULT_PAGE), 1, 0);
}

void test_reply_rights(void)
{
	test_second_call_queued();
	test_second_call_to_waiting_server();
	test_send_keeps_reply();
	suspend_in_wait("suspend-receiver", one_receive, ktest_endpoint("suspend"), poll_send);
	suspend_in_wait("suspend-sender", one_send, ktest_endpoint("suspend"), poll_receive);
	suspend_in_wait("suspend-caller", one_call, ktest_endpoint("suspend"), poll_receive);
	test_suspend_waiting_for_reply();
	test_suspend_in_exception();
}
