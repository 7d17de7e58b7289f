/*
 * IPC through endpoints (see ipc.h) and its system calls.
 *
 * No kernel stack per thread: a blocked thread's system call results are
 * written into its saved frame by the thread that completes the IPC
 * (rax = status, rsi = badge, rdx = words). Every operation here is O(1)
 * plus the copy of at most UTCB_MESSAGE_WORDS words; a message with map
 * items adds at most IPC_ITEMS_MAX capability copies and IPC_MAP_PAGES_MAX
 * page maps (doc/memory.md, "Map items"). Map items take their own path
 * (transfer_items, send_items, reply_items): a plain message never
 * executes an instruction of it, except one comparison when a receiver
 * takes the message of a waiting sender.
 */
#include "console.h"
#include "ipc.h"
#include "ipc_items.h"
#include "kstring.h"
#include "mapping.h"
#include "memory.h"
#include "syscalls.h"
#include "timer.h"
#include "uapi/vireo/syscall.h"
#include "x86.h"

static void queue_push(struct thread_queue *q, struct thread *t)
{
	t->wait_next = NULL;
	if (q->tail)
		q->tail->wait_next = t;
	else
		q->head = t;
	q->tail = t;
}

static struct thread *queue_pop(struct thread_queue *q)
{
	struct thread *t = q->head;
	if (t) {
		q->head = t->wait_next;
		if (!q->head)
			q->tail = NULL;
		t->wait_next = NULL;
		t->waiting_on = NULL;
	}
	return t;
}

static void queue_remove(struct thread_queue *q, struct thread *t)
{
	struct thread **link = &q->head, *previous = NULL;
	for (; *link && *link != t; link = &(*link)->wait_next)
		previous = *link;
	if (!*link)
		return;
	*link = t->wait_next;
	if (q->tail == t)
		q->tail = previous;
	t->wait_next = NULL;
	t->waiting_on = NULL;
}

/* Copies the message (a word per REP MOVSQ iteration: the kernel's
 * memcpy goes byte by byte) and sets the receiver's results. A thread in
 * an exception sends the kernel's message, not its UTCB. */
static void transfer(struct thread *from, struct thread *to, uint64_t words, uint64_t badge)
{
	const uint64_t *message = from->in_exception ? from->exception_message
						     : from->utcb->message;
	copy_words(to->utcb->message, message, words);
	to->frame.rax = STATUS_OK;
	to->frame.rsi = badge;
	to->frame.rdx = words;
}

/* ---- map items: checking and delivery (doc/syscalls.md, "Map items") ---- */

/*
 * What `to` accepts: the window in its UTCB; or, while it waits for the
 * reply to an exception call, memory anywhere in its address space (the
 * window offset is the address, as an L4 pager answers a page fault) and
 * no capabilities. A memory window that is no user range accepts nothing.
 */
static struct utcb_window receive_window(const struct thread *to)
{
	if (to->in_exception)
		return (struct utcb_window){.mem_pages = USER_TOP / PAGE_SIZE};
	struct utcb_window w = to->utcb->window;
	if (!mapping_range_ok(w.mem_va, w.mem_pages))
		w.mem_pages = 0;
	return w;
}

/* A transfer with map items under way: both threads, their states when
 * it began, the pages prepared so far, and both tasks' quota left. */
struct transfer {
	struct thread *from, *to;
	enum thread_state from_state, to_state;
	struct mapping_page pages[IPC_MAP_PAGES_MAX];
	unsigned used;
	uint64_t quota;
};

static uint64_t transfer_quota(const struct transfer *x)
{
	return x->from->task->quota_pages + x->to->task->quota_pages;
}

/*
 * The preemption point after a page prepared. A page whose tables and
 * nodes exist costs little; one that had to make them allocates and
 * zeroes up to about ten pages (memory.md), so only then is there a
 * preemption point. True when the transfer must start again from the
 * system call: a thread of higher priority is ready, or an interrupt woke
 * one of the two sides meanwhile (a timeout, an Irq signal), which leaves
 * it in another state. What was allocated stays (page tables, window
 * pages, node pages), so each new start gets further: the transfer ends
 * after as many starts as it makes allocations at most.
 */
static bool transfer_stopped(struct transfer *x)
{
	uint64_t quota = transfer_quota(x);
	if (quota == x->quota)
		return false;
	x->quota = quota;
	return preemption_point(this_cpu()->current) || x->from->state != x->from_state ||
	       x->to->state != x->to_state;
}

/* Checks one decoded item against both tasks and, for memory, prepares
 * its pages. Nothing changes that either task can see, except page tables
 * mapping_prepare makes. STATUS_RESTART: see transfer_stopped. */
static enum status item_prepare(struct transfer *x, const struct ipc_item *item)
{
	struct task *from = x->from->task, *to = x->to->task;
	if (item->type == IPC_ITEM_CAP)
		return cap_copy_check(&from->caps, item->source, &to->caps, item->target,
				      item->badge, RIGHT_GRANT);
	if (!mapping_range_ok(item->source, item->pages) ||
	    !mapping_range_ok(item->target, item->pages))
		return STATUS_BAD_ADDRESS;
	for (uint64_t i = 0; i < item->pages; i++) {
		enum status s = mapping_prepare(from, item->source + i * PAGE_SIZE, to,
						item->target + i * PAGE_SIZE, item->flags,
						&x->pages[x->used]);
		if (s != STATUS_OK)
			return s;
		x->used++;
		if (transfer_stopped(x))
			return STATUS_RESTART;
	}
	return STATUS_OK;
}

/* Delivers the prepared items; cannot fail. */
static void items_commit(struct task *from, struct task *to, const struct ipc_items *items,
			 struct mapping_page *pages)
{
	unsigned page = 0;
	for (unsigned i = 0; i < items->count; i++) {
		const struct ipc_item *item = &items->item[i];
		if (item->type == IPC_ITEM_CAP) {
			enum status s = cap_copy(&from->caps, item->source, &to->caps,
						 item->target, item->flags, item->badge);
			assert(s == STATUS_OK);
			(void)s;
			continue;
		}
		for (uint64_t n = 0; n < item->pages; n++)
			mapping_commit(from, to, item->flags, &pages[page++]);
	}
}

/*
 * transfer() for a message with map items. Every item is checked, and
 * what it needs reserved, before any is delivered: on failure `to` gets
 * nothing and the status is for the sender. Then the words are copied
 * with each item's word 1 rewritten to where it landed. A thread waiting
 * for the reply to an exception call gets the items only.
 * STATUS_RESTART: stopped at a preemption point with nothing done (page
 * tables made stay); the caller's system call must start again.
 */
static enum status transfer_items(struct thread *from, struct thread *to, uint64_t words,
				  uint64_t badge)
{
	struct utcb_window window = receive_window(to);
	struct ipc_items items;
	enum status s = ipc_items_decode(words, from->utcb->message, &window, to->task->caps.size,
					 &items);
	struct transfer x = {.from = from, .to = to, .from_state = from->state,
			     .to_state = to->state};
	x.quota = transfer_quota(&x);
	for (unsigned i = 0; s == STATUS_OK && i < items.count; i++)
		s = item_prepare(&x, &items.item[i]);
	if (s == STATUS_OK)
		s = mapping_targets_free(x.pages, x.used);
	if (s != STATUS_OK) {
		while (x.used)
			mapping_unprepare(to->task, &x.pages[--x.used]);
		return s;
	}
	items_commit(from->task, to->task, &items, x.pages);
	if (to->in_exception)
		return STATUS_OK;
	uint64_t *message = to->utcb->message;
	memcpy(message, from->utcb->message,
	       (items.untyped + items.count * IPC_ITEM_WORDS) * sizeof(uint64_t));
	for (unsigned i = 0; i < items.count; i++)
		message[items.untyped + i * IPC_ITEM_WORDS + 1] = items.item[i].target;
	to->frame.rax = STATUS_OK;
	to->frame.rsi = badge;
	to->frame.rdx = words;
	return STATUS_OK;
}

/* ---- rendezvous ---- */

/*
 * r becomes the replier of caller. A receiver that still owes a reply
 * drops it: that caller's call ends with BAD_CAP (its reply right is gone),
 * so no caller ever waits for a replier that no longer points back to it.
 */
static void set_replier(struct thread *r, struct thread *caller)
{
	struct thread *dropped = r->reply_to;
	if (dropped) {
		dropped->caller_of = NULL;
		ipc_cancel(dropped, STATUS_BAD_CAP);
	}
	r->reply_to = caller;
	caller->caller_of = r;
}

/* The receiver r got a message from s: a caller now waits for r's reply,
 * a plain sender continues. */
static void after_receive(struct thread *s, struct thread *r)
{
	if (s->is_call) {
		set_replier(r, s);
		s->state = THREAD_BLOCKED_REPLY;
	} else {
		s->frame.rax = STATUS_OK;
		thread_wake(s);
	}
}

static enum status check_words(uint64_t words)
{
	return words > UTCB_MESSAGE_WORDS ? STATUS_BAD_ARG : STATUS_OK;
}

/* Relative timeouts need the timer (no calibrated TSC: none). */
static enum status check_timeout(uint64_t timeout)
{
	if (timeout == 0 || timeout == TIMEOUT_NEVER || timer_available())
		return STATUS_OK;
	return STATUS_BAD_ARG;
}

/* Blocks t in `state` on queue q of endpoint e, with its timeout. */
static void block_on(struct thread *t, struct endpoint *e, struct thread_queue *q,
		     enum thread_state state, uint64_t timeout)
{
	t->waiting_on = e;
	queue_push(q, t);
	thread_block(t, state);
	if (timeout != TIMEOUT_NEVER)
		timeout_add(t, timeout);
}

/* The receiver r has t's message: r runs on; a caller waits for r's
 * reply. */
static inline void handed_over(struct thread *t, struct thread *r, uint64_t timeout,
			       int is_call)
{
	thread_wake(r);
	if (is_call) {
		/* A relative timeout runs until the reply, as when the caller
		 * had to wait for the receiver. */
		set_replier(r, t);
		thread_block(t, THREAD_BLOCKED_REPLY);
		if (timeout != TIMEOUT_NEVER && timeout != 0)
			timeout_add(t, timeout);
	}
}

/* No receiver waits: t waits in e's sender queue, unless timeout is 0. */
static inline enum status wait_to_send(struct thread *t, struct endpoint *e, uint64_t badge,
				       uint64_t words, uint64_t timeout)
{
	if (timeout == 0)
		return STATUS_TIMEOUT;
	t->send_badge = badge;
	t->send_words = words;
	block_on(t, e, &e->senders, THREAD_BLOCKED_SEND, timeout);
	return STATUS_OK;
}

static enum status send(struct thread *t, struct endpoint *e, uint64_t badge, uint64_t words,
			uint64_t timeout, int is_call)
{
	struct thread *r = queue_pop(&e->receivers);
	t->is_call = is_call;
	if (r) {
		transfer(t, r, words, badge);
		handed_over(t, r, timeout, is_call);
		return STATUS_OK;
	}
	return wait_to_send(t, e, badge, words, timeout);
}

void endpoint_signal(struct endpoint *e, uint64_t badge)
{
	struct thread *r = queue_pop(&e->receivers);
	if (!r) {
		e->pending |= badge;
		return;
	}
	r->frame.rax = STATUS_OK;
	r->frame.rsi = badge;
	r->frame.rdx = 0;
	thread_wake(r);
}

/* Puts t back at the head of q, e's queue, where queue_pop took it from. */
static void queue_push_front(struct thread_queue *q, struct thread *t, struct endpoint *e)
{
	t->wait_next = q->head;
	q->head = t;
	if (!q->tail)
		q->tail = t;
	t->waiting_on = e;
}

/*
 * receive() of the message of s, a sender with map items, taken from e's
 * queue. When an item fails, s's send fails with that status and t's
 * system call starts again (STATUS_RESTART), to take the next sender: a
 * queue of failing senders costs one system call entry each, not one long
 * stretch with interrupts off. When the transfer stopped at a preemption
 * point, s goes back to the head of the queue (unless a timeout ended its
 * send meanwhile) and t's call starts again too. Nothing of t's call is
 * done at that point (a reply_wait's reply is, and is not sent twice: t
 * owes no reply any more). Not inlined: in receive() its registers would
 * cost the plain path instructions (measured: 4 per call+reply).
 */
__attribute__((noinline)) static enum status receive_items(struct thread *s, struct thread *t,
							   struct endpoint *e)
{
	enum status failed = transfer_items(s, t, s->send_words, s->send_badge);
	if (failed == STATUS_OK) {
		after_receive(s, t);
		return STATUS_OK;
	}
	if (failed == STATUS_RESTART) {
		if (s->state == THREAD_BLOCKED_SEND)
			queue_push_front(&e->senders, s, e);
	} else {
		s->frame.rax = failed;
		thread_wake(s);
	}
	return STATUS_RESTART;
}

static enum status receive(struct thread *t, struct cap *c, uint64_t timeout)
{
	struct endpoint *e = (struct endpoint *)c->object;
	if (e->pending) {
		t->frame.rsi = e->pending;
		t->frame.rdx = 0;
		e->pending = 0;
		return STATUS_OK;
	}
	struct thread *s = queue_pop(&e->senders);
	if (s) {
		if (s->send_words > UTCB_MESSAGE_WORDS)
			return receive_items(s, t, e);
		transfer(s, t, s->send_words, s->send_badge);
		after_receive(s, t);
		return STATUS_OK;
	}
	if (timeout == 0)
		return STATUS_TIMEOUT;
	block_on(t, e, &e->receivers, THREAD_BLOCKED_RECEIVE, timeout);
	return STATUS_OK;
}

/* t's caller has its reply: it runs on, and t owes no reply. */
static inline void replied(struct thread *t, struct thread *caller)
{
	t->reply_to = NULL;
	caller->caller_of = NULL;
	thread_wake(caller);
}

/* Sends the reply to t's caller, if t has one. A thread that was in an
 * exception gets no message: it retries with its registers as they are. */
static void reply(struct thread *t, uint64_t words)
{
	struct thread *caller = t->reply_to;
	if (!caller)
		return;
	if (caller->in_exception)
		caller->in_exception = false;
	else
		transfer(t, caller, words, 0);
	replied(t, caller);
}

/* reply() with map items. When one fails, the caller gets nothing and
 * still waits for t's reply. */
static enum status reply_items(struct thread *t, uint64_t words)
{
	struct thread *caller = t->reply_to;
	if (!caller)
		return STATUS_OK;
	enum status s = transfer_items(t, caller, words, 0);
	if (s != STATUS_OK)
		return s;
	caller->in_exception = false;
	replied(t, caller);
	return STATUS_OK;
}

bool ipc_exception(struct thread *t, uint64_t vector, uint64_t error, uint64_t address)
{
	if (!t->handler)
		return false;
	t->exception_message[EXCEPTION_VECTOR] = vector;
	t->exception_message[EXCEPTION_ERROR] = error;
	t->exception_message[EXCEPTION_ADDRESS] = address;
	t->exception_message[EXCEPTION_RIP] = t->frame.rip;
	t->exception_message[EXCEPTION_RSP] = t->frame.rsp;
	t->in_exception = true;
	send(t, t->handler, t->handler_badge, EXCEPTION_WORDS, TIMEOUT_NEVER, 1);
	return true;
}

bool ipc_abort(struct thread *t)
{
	struct endpoint *e = t->waiting_on;
	bool was_exception = t->in_exception;
	if (e && t->state == THREAD_BLOCKED_SEND)
		queue_remove(&e->senders, t);
	else if (e && t->state == THREAD_BLOCKED_RECEIVE)
		queue_remove(&e->receivers, t);
	else if (t->state == THREAD_BLOCKED_REPLY && t->caller_of) {
		/* Gave up waiting for a reply: the replier must not reply now. */
		t->caller_of->reply_to = NULL;
		t->caller_of = NULL;
	}
	t->waiting_on = NULL;
	t->in_exception = false;
	timeout_cancel(t);
	return was_exception;
}

void ipc_cancel(struct thread *t, enum status status)
{
	if (ipc_abort(t)) {
		/* No handler will answer: the thread cannot go on. */
		kprintf("vireo: task '%s': exception handler gone (%s), thread stopped\n",
			t->task->name, status_name(status));
		thread_stop(t, 1);
		return;
	}
	t->frame.rax = status;
	thread_wake(t);
}

void endpoint_destroy(struct endpoint *e)
{
	struct thread *t;
	while ((t = queue_pop(&e->senders)))
		ipc_cancel(t, STATUS_BAD_CAP);
	while ((t = queue_pop(&e->receivers)))
		ipc_cancel(t, STATUS_BAD_CAP);
	page_free(virt_to_phys(e));
}

/* ---- system calls ---- */

enum status sys_endpoint_create(struct thread *t, struct frame *f)
{
	struct cap *slot;
	enum status s = cap_empty_slot(&t->task->caps, f->rdi, &slot);
	if (s != STATUS_OK)
		return s;
	uint64_t page = task_page_alloc(t->task);
	if (!page)
		return STATUS_NO_MEM;
	struct endpoint *e = phys_to_virt(page);
	e->object.type = OBJECT_ENDPOINT;
	cap_install(slot, &e->object, RIGHTS_ALL, 0);
	return STATUS_OK;
}

/* Decode step shared by the IPC calls: endpoint capability with `rights`,
 * word count and timeout in range. Inline: out of line (GCC's choice once
 * decode_items calls it too), its result through memory cost the
 * call+reply round trip 20 instructions (./vireo trace ipc). */
static inline enum status decode(struct thread *t, uint64_t sel, uint32_t rights,
				 uint64_t words, uint64_t timeout, struct cap **c)
{
	enum status s = cap_lookup(&t->task->caps, sel, OBJECT_ENDPOINT, rights, c);
	if (s == STATUS_OK)
		s = check_words(words);
	if (s == STATUS_OK)
		s = check_timeout(timeout);
	return s;
}

/*
 * decode() for a message with map items, which decode() refuses (words >
 * UTCB_MESSAGE_WORDS): the same checks of the endpoint and the timeout,
 * then the layout of the word count (ipc_items_check_words).
 */
static enum status decode_items(struct thread *t, uint64_t sel, uint32_t rights, uint64_t words,
				uint64_t timeout, struct cap **c)
{
	enum status s = decode(t, sel, rights, 0, timeout, c);
	return s == STATUS_OK ? ipc_items_check_words(words) : s;
}

/* ipc_send / ipc_call with map items: a receiver that waits gets them or,
 * when one fails, nothing, and the call returns that status. */
static enum status send_items(struct thread *t, struct frame *f, int is_call)
{
	struct cap *c;
	enum status s = decode_items(t, f->rdi, RIGHT_SEND, f->rsi, f->rdx, &c);
	if (s != STATUS_OK)
		return s;
	struct endpoint *e = (struct endpoint *)c->object;
	struct thread *r = e->receivers.head;
	t->is_call = is_call;
	if (!r)
		return wait_to_send(t, e, c->badge, f->rsi, f->rdx);
	s = transfer_items(t, r, f->rsi, c->badge);
	if (s != STATUS_OK)
		return s; /* r waits on */
	queue_pop(&e->receivers);
	handed_over(t, r, f->rdx, is_call);
	return STATUS_OK;
}

/* ipc_reply_wait with map items: when one fails, nothing is received and
 * the call returns that status. */
static enum status reply_wait_items(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = decode_items(t, f->rdi, RIGHT_RECEIVE, f->rsi, f->rdx, &c);
	if (s == STATUS_OK)
		s = reply_items(t, f->rsi);
	return s == STATUS_OK ? receive(t, c, f->rdx) : s;
}

/* The IPC calls: a word count above UTCB_MESSAGE_WORDS fails decode();
 * if it is a message with map items, it goes the items' way. */
enum status sys_ipc_send(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = decode(t, f->rdi, RIGHT_SEND, f->rsi, f->rdx, &c);
	if (s == STATUS_OK)
		return send(t, (struct endpoint *)c->object, c->badge, f->rsi, f->rdx, 0);
	return f->rsi > UTCB_MESSAGE_WORDS ? send_items(t, f, 0) : s;
}

enum status sys_ipc_call(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = decode(t, f->rdi, RIGHT_SEND, f->rsi, f->rdx, &c);
	if (s == STATUS_OK)
		return send(t, (struct endpoint *)c->object, c->badge, f->rsi, f->rdx, 1);
	return f->rsi > UTCB_MESSAGE_WORDS ? send_items(t, f, 1) : s;
}

enum status sys_ipc_receive(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = decode(t, f->rdi, RIGHT_RECEIVE, 0, f->rsi, &c);
	return s == STATUS_OK ? receive(t, c, f->rsi) : s;
}

enum status sys_ipc_reply_wait(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = decode(t, f->rdi, RIGHT_RECEIVE, f->rsi, f->rdx, &c);
	if (s != STATUS_OK)
		return f->rsi > UTCB_MESSAGE_WORDS ? reply_wait_items(t, f) : s;
	reply(t, f->rsi);
	return receive(t, c, f->rdx);
}
