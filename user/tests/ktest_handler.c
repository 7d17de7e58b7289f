/*
 * ktest: faults nobody answers, and faults answered from another task. A
 * thread whose exception call can no longer be answered is stopped, and
 * the kernel goes on (ipc.c, ipc_cancel: "exception handler gone"):
 *   - its handler takes another call while it owes the fault's reply;
 *   - its handler endpoint loses its last reference (the capabilities
 *     were deleted, then thread_configure drops the thread's own link);
 *   - the handler thread's task is destroyed while it owes the reply.
 * A thread in a child task with no handler is stopped too. And a child
 * task's thread whose pager is the root task: the fault arrives as a call,
 * the root task maps the page into the child and replies, the thread goes
 * on. "Stopped" is seen from outside: thread_suspend says BUSY only for a
 * thread that is new, suspended or stopped, and these were none of the
 * first two.
 */
#include <stdio.h>

#include "ktest.h"

#define FAULT_VA 0x0000300a00000000ull
#define FAULT_PAGE 9001          /* root task memory page mapped there */
#define CHILD_SLOTS 8
#define CHILD_ENDPOINT KTEST_CHILD_CAPS    /* a root endpoint, in the child */
#define CHILD_PARK (KTEST_CHILD_CAPS + 1)  /* an endpoint nobody sends to */
#define CHILD_UTCB 0x7f0000000000ull
#define CHILD_FAULT_VA 0x50000000ull
#define CHILD_QUOTA 64

static unsigned char child_stacks[2][8192] __attribute__((aligned(16)));
static volatile uint64_t child_saw;

static void touch_fault_page(struct worker *w)
{
	*(volatile uint64_t *)FAULT_VA = 1;
	w->value[0] = 1;
}

/* One call on e that the main thread receives without replying. */
static void one_call(struct worker *w)
{
	w->status = sys_ipc_call(w->arg[0], 0, TIMEOUT_NEVER, NULL);
}

/* The thread is stopped (see the top); it never runs again. */
static void check_stopped(const char *name, struct worker *w)
{
	enum status s = sys_thread_suspend(w->thread);
	ktest_check(s == STATUS_BUSY && !w->done, name, "suspend said %s, the worker %s",
		    status_name(s), w->done ? "ended" : "has not ended");
	w->stopped = 1;
}

static void test_handler_takes_another_call(void)
{
	cap_selector e = ktest_endpoint("handler-busy");
	struct worker *w = worker_with_handler("handler-busy", 90, touch_fault_page, e);
	if (w)
		worker_start(w);
	ktest_settle();
	struct worker *c = worker_run("handler-busy-caller", 90, one_call, e, 0);
	ktest_settle();
	if (!w || !c)
		return;
	uint64_t words = 0;
	ktest_check(sys_ipc_receive(e, 0, NULL, &words) == STATUS_OK && words == EXCEPTION_WORDS,
		    "handler-busy-fault", "the fault did not come first");
	ktest_status("handler-busy-other-call", sys_ipc_receive(e, 0, NULL, NULL), STATUS_OK);
	check_stopped("handler-busy-faulter-stopped", w);
	sys_ipc_reply_wait(e, 0, 0, NULL, NULL);
	ktest_settle();
	ktest_check(c->done && c->status == STATUS_OK, "handler-busy-caller-answered",
		    "the other caller got %s", status_name(c->status));
}

static void test_handler_released(void)
{
	cap_selector e = ktest_endpoint("handler-released");
	struct worker *w = worker_with_handler("handler-released", 90, touch_fault_page, e);
	if (!w)
		return;
	/* The thread's link keeps the endpoint; nobody can receive on it. */
	sys_cap_delete(e);
	worker_start(w);
	ktest_settle();
	ktest_check(!w->done, "handler-unreachable-waits", "the faulting store went through");
	ktest_status("handler-released-configure", sys_thread_configure(w->thread, NO_SELECTOR, 90, 0),
		     STATUS_OK);
	check_stopped("handler-released-faulter-stopped", w);
}

/* In a child task: takes one call on CHILD_ENDPOINT, then waits where
 * nothing comes, owing the reply. */
static void take_and_keep(uint64_t arg)
{
	(void)arg;
	if (sys_ipc_receive(CHILD_ENDPOINT, TIMEOUT_NEVER, NULL, NULL) == STATUS_OK)
		child_saw = 1;
	sys_ipc_receive(CHILD_PARK, TIMEOUT_NEVER, NULL, NULL);
}

/* In a child task: a store to CHILD_FAULT_VA, then what it reads back. */
static void child_store(uint64_t value)
{
	*(volatile uint64_t *)CHILD_FAULT_VA = value;
	child_saw = *(volatile uint64_t *)CHILD_FAULT_VA;
}

/* A child task of one test and what the root task had before it. */
struct child {
	cap_selector endpoint, task, thread;
	uint64_t quota_before;
};

/*
 * Makes c->task: ktest's image, c->endpoint (made by the caller) as
 * CHILD_ENDPOINT, a new endpoint nobody sends to as CHILD_PARK, and
 * thread c->thread at priority 100 running function(arg) on child stack
 * `stack`, with `handler` (a root task selector, or NO_SELECTOR) as its
 * exception handler. Returns 0 after a failed check <name>-setup.
 */
static int start_child(const char *name, struct child *c, cap_selector handler,
		       child_function *function, uint64_t arg, unsigned stack)
{
	const cap_selector caps[] = {c->endpoint, ktest_endpoint(name)};
	c->task = ktest_slot();
	c->thread = ktest_slot();
	c->quota_before = ktest_quota();
	child_saw = 0;
	const char *failed = ktest_child_task(c->task, CHILD_QUOTA, CHILD_SLOTS, name, caps, 2);
	if (!failed && sys_thread_create(c->thread, c->task, CHILD_UTCB, 100) != STATUS_OK)
		failed = "thread_create";
	if (!failed && sys_thread_configure(c->thread, handler, 100, 0) != STATUS_OK)
		failed = "thread_configure";
	if (!failed && ktest_child_start(c->thread, function, arg, child_stacks[stack],
					 sizeof(child_stacks[stack])) != STATUS_OK)
		failed = "thread_start";
	char test[64];
	snprintf(test, sizeof(test), "%s-setup", name);
	return ktest_check(!failed, test, "%s failed", failed);
}

/* Destroys the child and deletes its capabilities; the root task's quota
 * must be back where it was. */
static void end_child(const char *name, const struct child *c)
{
	sys_task_destroy(c->task);
	sys_cap_delete(c->task);
	sys_cap_delete(c->thread);
	ktest_check(ktest_quota() == c->quota_before, name, "quota %llu before, %llu after",
		    (unsigned long long)c->quota_before, (unsigned long long)ktest_quota());
}

static void test_handler_task_destroyed(void)
{
	struct child c = {.endpoint = ktest_endpoint("handler-task")};
	struct worker *w = worker_with_handler("handler-task", 90, touch_fault_page, c.endpoint);
	if (!w || !start_child("handler-task", &c, NO_SELECTOR, take_and_keep, 0, 0))
		return;
	ktest_settle();
	worker_start(w);
	ktest_settle();
	ktest_check(child_saw == 1 && !w->done, "handler-task-took-fault",
		    "the handler in the child did not take the fault");
	ktest_status("handler-task-destroy", sys_task_destroy(c.task), STATUS_OK);
	check_stopped("handler-task-faulter-stopped", w);
	end_child("handler-task-quota-back", &c);
}

/* The root task as the pager of a thread in a child task. */
static void test_pager_of_child(void)
{
	struct child c = {.endpoint = ktest_endpoint("child-pager")};
	cap_selector pager = ktest_slot();
	sys_cap_copy(c.endpoint, CAP_SELF_TASK, pager, RIGHT_SEND, 0xc41d);
	volatile uint64_t *frame = (volatile uint64_t *)ktest_own_page(FAULT_PAGE);
	*frame = 0; /* its window entry is made now, outside the quota check */
	if (!start_child("child-pager", &c, pager, child_store, 0xfeed, 1))
		return;
	uint64_t badge = 0, words = 0;
	ktest_status("child-pager-fault",
		     sys_ipc_receive(c.endpoint, TIMEOUT_NEVER, &badge, &words), STATUS_OK);
	const uint64_t *m = ktest_utcb()->message;
	ktest_check(badge == 0xc41d && words == EXCEPTION_WORDS && m[EXCEPTION_VECTOR] == 14 &&
			    m[EXCEPTION_ADDRESS] == CHILD_FAULT_VA,
		    "child-pager-message", "badge %#llx, %llu words, vector %llu, address %#llx",
		    (unsigned long long)badge, (unsigned long long)words,
		    (unsigned long long)m[EXCEPTION_VECTOR],
		    (unsigned long long)m[EXCEPTION_ADDRESS]);
	ktest_status("child-pager-map",
		     sys_mem_map(c.task, ktest_own_page(FAULT_PAGE), CHILD_FAULT_VA, 1, MEM_WRITE,
				 NULL),
		     STATUS_OK);
	sys_ipc_reply_wait(c.endpoint, 0, 0, NULL, NULL);
	ktest_settle();
	ktest_check(child_saw == 0xfeed, "child-pager-resolved", "the child read %#llx",
		    (unsigned long long)child_saw);
	ktest_check(*frame == 0xfeed, "child-pager-same-frame", "the root task's page holds %#llx",
		    (unsigned long long)*frame);
	end_child("child-pager-quota-back", &c);
}

/* A thread in a child task faults with no handler: stopped, the kernel
 * prints why (as it does for any task) and goes on. */
static void test_no_handler_in_child(void)
{
	struct child c = {.endpoint = ktest_endpoint("no-handler")};
	if (!start_child("no-handler", &c, NO_SELECTOR, child_store, 1, 1))
		return;
	ktest_settle();
	enum status s = sys_thread_suspend(c.thread);
	ktest_check(s == STATUS_BUSY && child_saw == 0, "no-handler-stopped",
		    "suspend said %s, the store %s", status_name(s),
		    child_saw ? "went through" : "did not happen");
	struct thread_regs regs;
	ktest_status("no-handler-regs", sys_thread_read_regs(c.thread, ktest_utcb(), &regs),
		     STATUS_OK);
	ktest_check(regs.rip >= 0x400000 && regs.rip < 0x800000, "no-handler-regs-rip",
		    "rip %#llx, not in ktest's code", (unsigned long long)regs.rip);
	end_child("no-handler-quota-back", &c);
}

/* In a child task: what task_quota tells it about the kernel pool. */
static void child_reads_pool(uint64_t unused)
{
	(void)unused;
	child_saw = sys_kernel_free_pages() + 1; /* 1: it ran and saw 0 */
}

/* Only the root task sees the kernel pool's level (task_quota's rdx). */
static void test_pool_for_root_only(void)
{
	struct child c = {.endpoint = ktest_endpoint("pool-root-only")};
	if (!start_child("pool-root-only", &c, NO_SELECTOR, child_reads_pool, 0, 0))
		return;
	ktest_settle();
	ktest_check(child_saw == 1 && sys_kernel_free_pages() > 0, "pool-root-only",
		    "child saw %llu (+1), root sees %llu", (unsigned long long)child_saw,
		    (unsigned long long)sys_kernel_free_pages());
	end_child("pool-root-only-quota", &c);
}

void test_handler_gone(void)
{
	test_handler_takes_another_call();
	test_handler_released();
	test_handler_task_destroyed();
	test_pager_of_child();
	test_no_handler_in_child();
	test_pool_for_root_only();
}
