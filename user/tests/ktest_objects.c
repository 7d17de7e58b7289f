/*
 * ktest: tasks and threads. task_create (slots, names, quota), copying
 * capabilities into a new task, thread_create (selectors, the task
 * capability's rights, priorities above the caller's, UTCB addresses) and
 * thread_start (addresses, starting twice). New tasks cannot run code yet
 * (no map system call), so threads that run are created in the root task;
 * every one of those is started, because the root task only ends, and the
 * machine only shuts down, when all its threads have exited.
 */
#include <string.h>

#include "ktest.h"

static cap_selector child; /* a task made here, 16 slots */

static void test_task_create(void)
{
	child = ktest_slot();
	ktest_status("task-create", sys_task_create(child, 8, 16, "ktest-child"), STATUS_OK);
	ktest_status("task-create-dst-busy", sys_task_create(child, 0, 16, "x"), STATUS_BUSY);
	ktest_status("task-create-dst-out-of-range", sys_task_create(BAD_SELECTOR, 0, 16, "x"),
		     STATUS_BAD_CAP);
	ktest_status("task-create-dst-all-ones", sys_task_create(NO_SELECTOR, 0, 16, "x"),
		     STATUS_BAD_CAP);
	ktest_status("task-create-slots-zero", sys_task_create(ktest_slot(), 0, 0, "x"),
		     STATUS_BAD_ARG);
	ktest_status("task-create-slots-too-few", sys_task_create(ktest_slot(), 0, 2, "x"),
		     STATUS_BAD_ARG);
	ktest_status("task-create-slots-too-many", sys_task_create(ktest_slot(), 0, 4097, "x"),
		     STATUS_BAD_ARG);
	ktest_status("task-create-slots-all-ones", sys_task_create(ktest_slot(), 0, ~0ull, "x"),
		     STATUS_BAD_ARG);
	ktest_status("task-create-slots-min", sys_task_create(ktest_slot(), 0, 3, "min"),
		     STATUS_OK);
	ktest_status("task-create-slots-max", sys_task_create(ktest_slot(), 0, 4096, "max"),
		     STATUS_OK);

	ktest_status("task-create-name-null", sys_task_create(ktest_slot(), 0, 3, NULL),
		     STATUS_BAD_ADDRESS);
	ktest_status("task-create-name-kernel",
		     sys_task_create(ktest_slot(), 0, 3, (const char *)KERNEL_ADDRESS),
		     STATUS_BAD_ADDRESS);
	ktest_status("task-create-name-non-canonical",
		     sys_task_create(ktest_slot(), 0, 3, (const char *)NON_CANONICAL),
		     STATUS_BAD_ADDRESS);
	ktest_status("task-create-name-empty", sys_task_create(ktest_slot(), 0, 3, ""),
		     STATUS_OK);
	char name[40];
	memset(name, 'n', sizeof(name));
	name[31] = 0;
	ktest_status("task-create-name-31", sys_task_create(ktest_slot(), 0, 3, name), STATUS_OK);
	name[31] = 'n';
	name[32] = 0;
	ktest_status("task-create-name-32", sys_task_create(ktest_slot(), 0, 3, name),
		     STATUS_BAD_ARG);
	/* A name running into the unmapped page after the heap. */
	char *end = (char *)(uintptr_t)ktest_heap_end();
	memset(end - 4, 'e', 4);
	ktest_status("task-create-name-crossing", sys_task_create(ktest_slot(), 0, 3, end - 4),
		     STATUS_BAD_ADDRESS);

	uint64_t quota = runtime_bootinfo->kernel_pages;
	ktest_status("task-create-quota-too-big", sys_task_create(ktest_slot(), quota, 3, "big"),
		     STATUS_NO_MEM);
	/* quota + the task's own pages wraps around 2^64: still too much. */
	ktest_status("task-create-quota-wraps",
		     sys_task_create(ktest_slot(), ~0ull - 1, 3, "wrap"), STATUS_NO_MEM);
	ktest_status("task-create-quota-all-ones",
		     sys_task_create(ktest_slot(), ~0ull, 3, "wrap"), STATUS_NO_MEM);

	/* Capabilities go into the new task's space, within its 16 slots. */
	cap_selector e = ktest_endpoint("task-cap-copy");
	ktest_status("task-cap-copy", sys_cap_copy(e, child, 2, RIGHT_SEND, 0), STATUS_OK);
	ktest_status("task-cap-copy-last-slot", sys_cap_copy(e, child, 15, RIGHT_SEND, 0),
		     STATUS_OK);
	ktest_status("task-cap-copy-busy", sys_cap_copy(e, child, 2, RIGHT_SEND, 0), STATUS_BUSY);
	ktest_status("task-cap-copy-self-slot", sys_cap_copy(e, child, CAP_SELF_TASK, RIGHT_SEND, 0),
		     STATUS_BUSY);
	ktest_status("task-cap-copy-past-end", sys_cap_copy(e, child, 16, RIGHT_SEND, 0),
		     STATUS_BAD_CAP);
}

static void plain_worker(struct worker *w)
{
	w->value[0] = w->arg[0];
	w->status = STATUS_OK;
}

/* Runs at priority 100: may create threads up to 100, not 101. */
static void priority_worker(struct worker *w)
{
	w->status = sys_thread_create(ktest_slot(), CAP_SELF_TASK,
				      runtime_bootinfo->utcb + 0x100000, 101);
	struct worker *same = worker_create("thread-create-own-priority", 100, plain_worker);
	w->value[0] = same != NULL;
	if (same)
		worker_start(same);
}

static void test_thread_create(void)
{
	uint64_t free_utcb = runtime_bootinfo->utcb + 0x100000;
	cap_selector dst = ktest_slot();
	cap_selector weak_task = ktest_slot(), e = ktest_endpoint("thread-create");
	sys_cap_copy(CAP_SELF_TASK, CAP_SELF_TASK, weak_task, RIGHT_SEND | RIGHT_RECEIVE, 0);

	ktest_status("thread-create-dst-busy",
		     sys_thread_create(CAP_SELF_THREAD, CAP_SELF_TASK, free_utcb, 1), STATUS_BUSY);
	ktest_status("thread-create-dst-out-of-range",
		     sys_thread_create(BAD_SELECTOR, CAP_SELF_TASK, free_utcb, 1), STATUS_BAD_CAP);
	ktest_status("thread-create-dst-all-ones",
		     sys_thread_create(NO_SELECTOR, CAP_SELF_TASK, free_utcb, 1), STATUS_BAD_CAP);
	ktest_status("thread-create-task-empty", sys_thread_create(dst, ktest_slot(), free_utcb, 1),
		     STATUS_BAD_CAP);
	ktest_status("thread-create-task-all-ones",
		     sys_thread_create(dst, NO_SELECTOR, free_utcb, 1), STATUS_BAD_CAP);
	ktest_status("thread-create-task-is-endpoint", sys_thread_create(dst, e, free_utcb, 1),
		     STATUS_BAD_TYPE);
	ktest_status("thread-create-task-no-control",
		     sys_thread_create(dst, weak_task, free_utcb, 1), STATUS_NO_RIGHTS);
	ktest_status("thread-create-priority-256",
		     sys_thread_create(dst, CAP_SELF_TASK, free_utcb, 256), STATUS_NO_RIGHTS);
	ktest_status("thread-create-priority-all-ones",
		     syscall6(SYS_THREAD_CREATE, dst, CAP_SELF_TASK, free_utcb, ~0ull, 0, 0, NULL),
		     STATUS_NO_RIGHTS);
	ktest_status("thread-create-utcb-unaligned",
		     sys_thread_create(dst, CAP_SELF_TASK, free_utcb + 8, 1), STATUS_BAD_ADDRESS);
	ktest_status("thread-create-utcb-null", sys_thread_create(dst, CAP_SELF_TASK, 0, 1),
		     STATUS_BAD_ADDRESS);
	ktest_status("thread-create-utcb-kernel",
		     sys_thread_create(dst, CAP_SELF_TASK, KERNEL_ADDRESS, 1), STATUS_BAD_ADDRESS);
	ktest_status("thread-create-utcb-non-canonical",
		     sys_thread_create(dst, CAP_SELF_TASK, NON_CANONICAL, 1), STATUS_BAD_ADDRESS);
	ktest_status("thread-create-utcb-user-top",
		     sys_thread_create(dst, CAP_SELF_TASK, USER_TOP, 1), STATUS_BAD_ADDRESS);
	ktest_status("thread-create-utcb-over-utcb",
		     sys_thread_create(dst, CAP_SELF_TASK, runtime_bootinfo->utcb, 1), STATUS_BUSY);
	ktest_status("thread-create-utcb-over-code",
		     sys_thread_create(dst, CAP_SELF_TASK, 0x400000, 1), STATUS_BUSY);
	ktest_status("thread-create-failures-leave-slot-empty", sys_cap_delete(dst),
		     STATUS_BAD_CAP);

	/* A thread in the new task: its own address space, so 0x400000 (our
	 * code) is free there. Not started: the task has no code yet. */
	cap_selector t = ktest_slot();
	ktest_status("thread-create-in-other-task", sys_thread_create(t, child, 0x400000, 10),
		     STATUS_OK);
	ktest_status("thread-create-in-other-task-utcb-busy",
		     sys_thread_create(ktest_slot(), child, 0x400000, 10), STATUS_BUSY);
	ktest_status("thread-start-other-task-bad-rip",
		     sys_thread_start(t, USER_TOP, 0x1000, 0), STATUS_BAD_ADDRESS);

	/* Priority: at most the caller's own. */
	struct worker *w = worker_run("thread-create-priority-above-own", 100, priority_worker, 0,
				      0);
	ktest_settle();
	if (w)
		ktest_check(w->done && w->status == STATUS_NO_RIGHTS && w->value[0],
			    "thread-create-priority-above-own",
			    "thread at priority 100 creating one at 101: %s, at 100: %s",
			    status_name(w->status), w->value[0] ? "OK" : "failed");
}

static void test_thread_start(void)
{
	struct worker *w = worker_create("thread-start", 200, plain_worker);
	if (!w)
		return;
	w->arg[0] = 0x5eed;
	uint64_t rsp = 0x10000;
	cap_selector no_control = ktest_slot();
	sys_cap_copy(w->thread, CAP_SELF_TASK, no_control, RIGHT_SEND | RIGHT_RECEIVE, 0);
	ktest_status("thread-start-no-control", sys_thread_start(no_control, 0x400000, rsp, 0),
		     STATUS_NO_RIGHTS);
	ktest_status("thread-start-empty", sys_thread_start(ktest_slot(), 0x400000, rsp, 0),
		     STATUS_BAD_CAP);
	ktest_status("thread-start-all-ones", sys_thread_start(NO_SELECTOR, 0x400000, rsp, 0),
		     STATUS_BAD_CAP);
	ktest_status("thread-start-rip-user-top", sys_thread_start(w->thread, USER_TOP, rsp, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("thread-start-rip-kernel", sys_thread_start(w->thread, KERNEL_ADDRESS, rsp, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("thread-start-rip-non-canonical",
		     sys_thread_start(w->thread, NON_CANONICAL, rsp, 0), STATUS_BAD_ADDRESS);
	ktest_status("thread-start-rsp-kernel",
		     sys_thread_start(w->thread, 0x400000, KERNEL_ADDRESS, 0), STATUS_BAD_ADDRESS);
	ktest_status("thread-start-running-self", sys_thread_start(CAP_SELF_THREAD, 0x400000, rsp, 0),
		     STATUS_BUSY);
	ktest_status("thread-start", worker_start(w), STATUS_OK);
	ktest_status("thread-start-twice", worker_start(w), STATUS_BUSY);
	ktest_settle();
	ktest_check(w->done && w->value[0] == 0x5eed, "thread-start-runs",
		    "the started thread did not run with its argument");
	ktest_status("thread-start-after-exit", worker_start(w), STATUS_BUSY);
}

/* task_quota: a task's quota left, for CONTROL on it only. */
static void test_task_quota(void)
{
	uint64_t pages = 0;
	ktest_check(sys_task_quota(child, &pages) == STATUS_OK && pages == 8, "task-quota",
		    "the child made with 8 pages has %llu", (unsigned long long)pages);
	cap_selector weak = ktest_slot(), e = ktest_endpoint("task-quota");
	sys_cap_copy(child, CAP_SELF_TASK, weak, RIGHT_SEND, 0);
	ktest_status("task-quota-no-control", sys_task_quota(weak, &pages), STATUS_NO_RIGHTS);
	ktest_status("task-quota-not-task", sys_task_quota(e, &pages), STATUS_BAD_TYPE);
	ktest_status("task-quota-thread", sys_task_quota(CAP_SELF_THREAD, &pages), STATUS_BAD_TYPE);
	ktest_status("task-quota-empty", sys_task_quota(ktest_slot(), &pages), STATUS_BAD_CAP);
	ktest_status("task-quota-out-of-range", sys_task_quota(BAD_SELECTOR, &pages),
		     STATUS_BAD_CAP);
	ktest_status("task-quota-all-ones", sys_task_quota(NO_SELECTOR, &pages), STATUS_BAD_CAP);
}

void test_objects(void)
{
	test_task_create();
	test_task_quota();
	test_thread_create();
	test_thread_start();
}
