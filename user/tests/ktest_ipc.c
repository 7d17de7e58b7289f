/*
 * ktest: IPC. Polling (timeout 0) an endpoint nobody waits on, message
 * lengths, bad selectors, then the real thing with worker threads on the
 * other side: send to a waiting receiver, receive from a waiting sender,
 * badges, FIFO order of senders, call + reply_wait round trips, a reply
 * followed by a receive that times out, deleting an endpoint under
 * waiting threads, and priority preemption (a higher-priority thread made
 * ready by IPC runs before the sender continues; a lower or equal one
 * does not). Round robin needs the timer and is not tested yet.
 */
#include <stdio.h>
#include <string.h>

#include "ktest.h"

#define MARK 0xdeadbeefcafef00dull

/* arg0 = endpoint. Receives, records what came. */
static void receiver(struct worker *w)
{
	w->utcb->message[3] = MARK;
	uint64_t badge = 0, words = 0;
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, &badge, &words);
	order_mark('r');
	w->badge = badge;
	w->words = words;
	for (int i = 0; i < 4; i++)
		w->value[i] = w->utcb->message[i];
}

/* arg0 = endpoint, arg1 = first word. Sends three words. */
static void sender(struct worker *w)
{
	for (int i = 0; i < 3; i++)
		w->utcb->message[i] = w->arg[1] + (uint64_t)i;
	order_mark('s');
	w->status = sys_ipc_send(w->arg[0], 3, TIMEOUT_NEVER);
	order_mark('S');
}

/* arg0 = endpoint, arg1 = word. Calls with one word. */
static void caller(struct worker *w)
{
	w->utcb->message[0] = w->arg[1];
	uint64_t words = 0;
	w->status = sys_ipc_call(w->arg[0], 1, TIMEOUT_NEVER, &words);
	w->words = words;
	w->value[0] = w->utcb->message[0];
}

/* arg0 = endpoint. Serves until the endpoint goes: replies with each word
 * doubled and the caller's badge appended. */
static void server(struct worker *w)
{
	uint64_t reply = 0, badge, words;
	enum status s;
	while ((s = sys_ipc_reply_wait(w->arg[0], reply, TIMEOUT_NEVER, &badge, &words)) ==
	       STATUS_OK) {
		w->count++;
		w->badge = badge;
		w->words = words;
		for (uint64_t i = 0; i < words; i++)
			w->utcb->message[i] *= 2;
		if (words < UTCB_MESSAGE_WORDS)
			w->utcb->message[words] = badge;
		reply = words < UTCB_MESSAGE_WORDS ? words + 1 : words;
	}
	w->status = s;
}

static void test_poll_and_arguments(void)
{
	cap_selector e = ktest_endpoint("ipc-poll");
	ktest_status("ipc-send-poll-empty", sys_ipc_send(e, 1, 0), STATUS_TIMEOUT);
	ktest_status("ipc-receive-poll-empty", sys_ipc_receive(e, 0, NULL, NULL), STATUS_TIMEOUT);
	ktest_status("ipc-call-poll-empty", sys_ipc_call(e, 1, 0, NULL), STATUS_TIMEOUT);
	ktest_status("ipc-reply-wait-poll-empty", sys_ipc_reply_wait(e, 1, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	ktest_status("ipc-send-65-words", sys_ipc_send(e, UTCB_MESSAGE_WORDS + 1, 0),
		     STATUS_BAD_ARG);
	ktest_status("ipc-send-all-ones-words", sys_ipc_send(e, ~0ull, 0), STATUS_BAD_ARG);
	ktest_status("ipc-call-65-words", sys_ipc_call(e, UTCB_MESSAGE_WORDS + 1, 0, NULL),
		     STATUS_BAD_ARG);
	ktest_status("ipc-reply-wait-65-words",
		     sys_ipc_reply_wait(e, UTCB_MESSAGE_WORDS + 1, 0, NULL, NULL), STATUS_BAD_ARG);
	ktest_status("ipc-send-64-words-poll", sys_ipc_send(e, UTCB_MESSAGE_WORDS, 0),
		     STATUS_TIMEOUT);
	/* Relative timeouts need the timer: refused until it exists, then
	 * they expire on an endpoint nobody uses. */
	enum status s = sys_ipc_receive(e, 1000, NULL, NULL);
	ktest_check(s == STATUS_BAD_ARG || s == STATUS_TIMEOUT, "ipc-relative-timeout",
		    "returned %s, expected BAD_ARG (no timer yet) or TIMEOUT", status_name(s));
	cap_selector empty = ktest_slot();
	ktest_status("ipc-send-empty-slot", sys_ipc_send(empty, 0, 0), STATUS_BAD_CAP);
	ktest_status("ipc-send-out-of-range", sys_ipc_send(BAD_SELECTOR, 0, 0), STATUS_BAD_CAP);
	ktest_status("ipc-send-all-ones", sys_ipc_send(NO_SELECTOR, 0, 0), STATUS_BAD_CAP);
	ktest_status("ipc-receive-empty-slot", sys_ipc_receive(empty, 0, NULL, NULL),
		     STATUS_BAD_CAP);
	ktest_status("ipc-receive-all-ones", sys_ipc_receive(NO_SELECTOR, 0, NULL, NULL),
		     STATUS_BAD_CAP);
	ktest_status("ipc-call-out-of-range", sys_ipc_call(BAD_SELECTOR, 0, 0, NULL),
		     STATUS_BAD_CAP);
	ktest_status("ipc-reply-wait-all-ones", sys_ipc_reply_wait(NO_SELECTOR, 0, 0, NULL, NULL),
		     STATUS_BAD_CAP);
}

static void test_send_receive(void)
{
	struct utcb *u = ktest_utcb();
	cap_selector e = ktest_endpoint("ipc-send"), badged = ktest_slot(), rebadged = ktest_slot();
	sys_cap_copy(e, CAP_SELF_TASK, badged, RIGHT_SEND, 0xb0b);
	sys_cap_copy(badged, CAP_SELF_TASK, rebadged, RIGHTS_ALL, 0);

	struct worker *w = worker_run("ipc-send", 100, receiver, e, 0);
	ktest_settle();
	u->message[0] = 10, u->message[1] = 11, u->message[2] = 12, u->message[3] = 13;
	ktest_status("ipc-send-to-waiting-receiver", sys_ipc_send(e, 3, 0), STATUS_OK);
	ktest_settle();
	if (w)
		ktest_check(w->done && w->status == STATUS_OK && w->badge == 0 && w->words == 3 &&
				    w->value[0] == 10 && w->value[1] == 11 && w->value[2] == 12,
			    "ipc-send-received", "status %s badge %#llx words %llu [%llu %llu %llu]",
			    status_name(w->status), (unsigned long long)w->badge,
			    (unsigned long long)w->words, (unsigned long long)w->value[0],
			    (unsigned long long)w->value[1], (unsigned long long)w->value[2]);
	if (w)
		ktest_check(w->value[3] == MARK, "ipc-send-copies-only-words",
			    "word 3 of the receiver's UTCB was overwritten");

	w = worker_run("ipc-badge", 100, receiver, e, 0);
	ktest_settle();
	ktest_status("ipc-send-badged", sys_ipc_send(badged, 1, TIMEOUT_NEVER), STATUS_OK);
	ktest_settle();
	if (w)
		ktest_check(w->done && w->status == STATUS_OK && w->badge == 0xb0b, "ipc-badge",
			    "receiver saw badge %#llx (%s), expected 0xb0b",
			    (unsigned long long)w->badge, status_name(w->status));
	w = worker_run("ipc-badge-copied", 100, receiver, e, 0);
	ktest_settle();
	sys_ipc_send(rebadged, 0, TIMEOUT_NEVER);
	ktest_settle();
	if (w)
		ktest_check(w->done && w->badge == 0xb0b && w->words == 0, "ipc-badge-copied",
			    "a copy of a badged capability sent badge %#llx, %llu words",
			    (unsigned long long)w->badge, (unsigned long long)w->words);

	/* The sender comes first and waits; a poll then finds it. */
	w = worker_run("ipc-receive-waiting-sender", 100, sender, badged, 40);
	ktest_settle();
	uint64_t badge = 0, words = 0;
	memset(u->message, 0, sizeof(u->message));
	ktest_status("ipc-receive-from-waiting-sender", sys_ipc_receive(e, 0, &badge, &words),
		     STATUS_OK);
	ktest_check(badge == 0xb0b && words == 3 && u->message[0] == 40 && u->message[1] == 41 &&
			    u->message[2] == 42,
		    "ipc-receive-message", "badge %#llx words %llu [%llu %llu %llu]",
		    (unsigned long long)badge, (unsigned long long)words,
		    (unsigned long long)u->message[0], (unsigned long long)u->message[1],
		    (unsigned long long)u->message[2]);
	ktest_settle();
	if (w)
		ktest_check(w->done && w->status == STATUS_OK, "ipc-sender-released",
			    "the sender got %s", status_name(w->status));

	/* Two waiting senders are received in the order they came. */
	cap_selector one = ktest_slot(), two = ktest_slot();
	sys_cap_copy(e, CAP_SELF_TASK, one, RIGHT_SEND, 1);
	sys_cap_copy(e, CAP_SELF_TASK, two, RIGHT_SEND, 2);
	worker_run("ipc-sender-fifo", 100, sender, one, 100);
	ktest_settle();
	worker_run("ipc-sender-fifo", 100, sender, two, 200);
	ktest_settle();
	uint64_t first = 0, second = 0;
	sys_ipc_receive(e, 0, &first, NULL);
	sys_ipc_receive(e, 0, &second, NULL);
	ktest_check(first == 1 && second == 2, "ipc-sender-fifo",
		    "received badges %llu then %llu, expected 1 then 2",
		    (unsigned long long)first, (unsigned long long)second);
	ktest_settle();
}

/* Call + reply_wait round trips with a server at `priority`. */
static void test_call(const char *name, unsigned priority)
{
	struct utcb *u = ktest_utcb();
	cap_selector e = ktest_endpoint(name), badged = ktest_slot();
	sys_cap_copy(e, CAP_SELF_TASK, badged, RIGHT_SEND, 0x77);
	struct worker *s = worker_run(name, priority, server, e, 0);
	if (!s)
		return;
	ktest_settle();
	char test[64];

	u->message[0] = 1, u->message[1] = 2, u->message[2] = 3, u->message[3] = 4;
	uint64_t words = 0;
	snprintf(test, sizeof(test), "%s-call", name);
	ktest_status(test, sys_ipc_call(badged, 4, TIMEOUT_NEVER, &words), STATUS_OK);
	snprintf(test, sizeof(test), "%s-reply", name);
	ktest_check(words == 5 && u->message[0] == 2 && u->message[1] == 4 && u->message[2] == 6 &&
			    u->message[3] == 8 && u->message[4] == 0x77 && s->badge == 0x77 &&
			    s->words == 4,
		    test, "reply of %llu words [%llu %llu %llu %llu %#llx], server saw badge %#llx",
		    (unsigned long long)words, (unsigned long long)u->message[0],
		    (unsigned long long)u->message[1], (unsigned long long)u->message[2],
		    (unsigned long long)u->message[3], (unsigned long long)u->message[4],
		    (unsigned long long)s->badge);

	/* A full UTCB both ways; timeout 0 is enough when the server waits. */
	for (uint64_t i = 0; i < UTCB_MESSAGE_WORDS; i++)
		u->message[i] = i + 1000;
	words = 0;
	snprintf(test, sizeof(test), "%s-call-64-words-poll", name);
	ktest_status(test, sys_ipc_call(e, UTCB_MESSAGE_WORDS, 0, &words), STATUS_OK);
	int ok = words == UTCB_MESSAGE_WORDS && s->badge == 0;
	for (uint64_t i = 0; i < UTCB_MESSAGE_WORDS; i++)
		ok = ok && u->message[i] == 2 * (i + 1000);
	snprintf(test, sizeof(test), "%s-reply-64-words", name);
	ktest_check(ok, test, "reply of %llu words, or a word is wrong", (unsigned long long)words);

	/* Deleting the endpoint's last capabilities ends the server's wait. */
	sys_cap_delete(badged);
	sys_cap_delete(e);
	ktest_settle();
	snprintf(test, sizeof(test), "%s-server-woken-by-delete", name);
	ktest_check(s->done && s->status == STATUS_BAD_CAP && s->count == 2, test,
		    "server: %s after %llu messages, %s", status_name(s->status),
		    (unsigned long long)s->count, s->done ? "ended" : "still waiting");
}

static void test_reply(void)
{
	struct utcb *u = ktest_utcb();
	cap_selector e = ktest_endpoint("ipc-reply");
	struct worker *w = worker_run("ipc-reply", 100, caller, e, 5);
	ktest_settle();
	uint64_t words = 0;
	ktest_status("ipc-receive-call", sys_ipc_receive(e, 0, NULL, &words), STATUS_OK);
	ktest_check(words == 1 && u->message[0] == 5, "ipc-receive-call-message",
		    "%llu words, word 0 = %llu", (unsigned long long)words,
		    (unsigned long long)u->message[0]);
	u->message[0] = 99;
	ktest_status("ipc-reply-then-timeout", sys_ipc_reply_wait(e, 1, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	ktest_settle();
	if (w)
		ktest_check(w->done && w->status == STATUS_OK && w->words == 1 && w->value[0] == 99,
			    "ipc-reply-delivered", "caller got %s, %llu words, word 0 = %llu",
			    status_name(w->status), (unsigned long long)w->words,
			    (unsigned long long)w->value[0]);
	ktest_status("ipc-reply-only-once", sys_ipc_reply_wait(e, 1, 0, NULL, NULL),
		     STATUS_TIMEOUT);
}

/* A thread waiting on an endpoint wakes with BAD_CAP when the endpoint's
 * last capability is deleted. */
static void test_delete_wakes(const char *name, worker_function *function)
{
	cap_selector e = ktest_endpoint(name), copy = ktest_slot();
	sys_cap_copy(e, CAP_SELF_TASK, copy, RIGHTS_ALL, 0);
	struct worker *w = worker_run(name, 100, function, e, 1);
	if (!w)
		return;
	ktest_settle();
	sys_cap_delete(copy);
	ktest_settle();
	char test[64];
	snprintf(test, sizeof(test), "%s-copy-deleted", name);
	ktest_check(!w->done, test, "deleting one of two capabilities woke the waiter (%s)",
		    status_name(w->status));
	sys_cap_delete(e);
	ktest_settle();
	ktest_check(w->done && w->status == STATUS_BAD_CAP, name,
		    "the waiter %s with %s", w->done ? "ended" : "still waits",
		    status_name(w->status));
}

/* Priority preemption, checked with the order of events. */
static void high_receiver(struct worker *w)
{
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, NULL, NULL);
	order_mark('H');
}

static void low_sender(struct worker *w)
{
	order_mark('a');
	w->status = sys_ipc_send(w->arg[0], 0, TIMEOUT_NEVER);
	order_mark('b');
}

static void test_preemption(void)
{
	/* A priority-100 sender wakes a priority-200 receiver: the receiver
	 * runs before the sender's send returns. */
	cap_selector e = ktest_endpoint("ipc-preempt");
	order_reset();
	worker_run("ipc-preempt", 200, high_receiver, e, 0);
	ktest_settle();
	worker_run("ipc-preempt", 100, low_sender, e, 0);
	ktest_settle();
	ktest_check(!strcmp(order_get(), "aHb"), "ipc-preempt-higher",
		    "order %s, expected aHb (sender, woken higher receiver, sender again)",
		    order_get());

	/* Main (255) wakes a lower (100) and an equal (255) receiver: main
	 * goes on first both times. */
	order_reset();
	worker_run("ipc-no-preempt-lower", 100, receiver, e, 0);
	ktest_settle();
	order_mark('m');
	sys_ipc_send(e, 0, TIMEOUT_NEVER);
	order_mark('M');
	ktest_settle();
	ktest_check(!strcmp(order_get(), "mMr"), "ipc-no-preempt-lower",
		    "order %s, expected mMr", order_get());
	order_reset();
	worker_run("ipc-no-preempt-equal", 255, receiver, e, 0);
	ktest_settle();
	order_mark('m');
	sys_ipc_send(e, 0, TIMEOUT_NEVER);
	order_mark('M');
	ktest_settle();
	ktest_check(!strcmp(order_get(), "mMr"), "ipc-no-preempt-equal",
		    "order %s, expected mMr", order_get());

	/* A blocked sender is released by a receive: a lower sender does not
	 * run before the receiver goes on. */
	order_reset();
	worker_run("ipc-receive-no-preempt", 100, sender, e, 0);
	ktest_settle();
	order_reset();
	sys_ipc_receive(e, TIMEOUT_NEVER, NULL, NULL);
	order_mark('m');
	ktest_settle();
	ktest_check(!strcmp(order_get(), "mS"), "ipc-receive-no-preempt",
		    "order %s, expected mS", order_get());
}

/* arg0 = endpoint, arg1 = a letter. Receives, then marks the letter. */
static void marking_receiver(struct worker *w)
{
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, NULL, NULL);
	order_mark((char)w->arg[1]);
}

/* arg0 = endpoint, arg1 = a letter. Takes a call, marks the letter,
 * replies. */
static void marking_replier(struct worker *w)
{
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, NULL, NULL);
	order_mark((char)w->arg[1]);
	sys_ipc_reply_wait(w->arg[0], 0, 0, NULL, NULL);
}

/* arg1 = a letter. Marks it. */
static void marker(struct worker *w)
{
	order_mark((char)w->arg[1]);
}

/*
 * The order of ready threads of one priority: first the one that ran,
 * then the others in the order they became ready, also when one system
 * call wakes two, or wakes one and blocks the caller. A scheduler that
 * keeps the running or the woken thread out of its queues (lazy
 * scheduling, doc/implementation.md §13) must keep this order.
 */
static void test_ready_order(void)
{
	/* Two threads woken by one system call run in the order woken. */
	cap_selector e = ktest_endpoint("order-two-woken");
	order_reset();
	worker_run("order-two-woken", 100, marking_receiver, e, 'x');
	worker_run("order-two-woken", 100, marking_receiver, e, 'y');
	ktest_settle();
	sys_cap_delete(e); /* wakes x, then y, with BAD_CAP */
	ktest_settle();
	ktest_check(!strcmp(order_get(), "xy"), "order-two-woken", "order %s, expected xy",
		    order_get());

	/* A thread woken after another of its priority became ready runs
	 * after it, also when the thread that woke it blocks in the same
	 * system call (a call). */
	e = ktest_endpoint("order-woken-last");
	order_reset();
	worker_run("order-woken-last", 100, marking_replier, e, 'r');
	ktest_settle();
	worker_run("order-woken-last", 100, marker, 0, 'q');
	ktest_status("order-woken-last-call", sys_ipc_call(e, 0, TIMEOUT_NEVER, NULL), STATUS_OK);
	ktest_settle();
	ktest_check(!strcmp(order_get(), "qr"), "order-woken-last", "order %s, expected qr",
		    order_get());

	/* A thread preempted by a higher one it woke goes on before the
	 * others of its priority. */
	e = ktest_endpoint("order-preempted-first");
	order_reset();
	worker_run("order-preempted-first", 200, high_receiver, e, 0);
	ktest_settle();
	worker_run("order-preempted-first", 100, low_sender, e, 0);
	worker_run("order-preempted-first", 100, marker, 0, 'c');
	ktest_settle();
	ktest_check(!strcmp(order_get(), "aHbc"), "order-preempted-first",
		    "order %s, expected aHbc (the sender, the receiver it woke, the sender "
		    "again, then its peer)",
		    order_get());
}

void test_ipc(void)
{
	test_poll_and_arguments();
	test_send_receive();
	test_call("ipc-server-lower", 100);
	test_call("ipc-server-equal", 255);
	test_reply();
	test_delete_wakes("ipc-delete-wakes-receiver", receiver);
	test_delete_wakes("ipc-delete-wakes-sender", sender);
	test_delete_wakes("ipc-delete-wakes-caller", caller);
	test_preemption();
	test_ready_order();
}
