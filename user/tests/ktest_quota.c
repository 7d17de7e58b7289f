/*
 * ktest: the kernel memory quota. Every object a task creates is paid
 * from its quota (doc/syscalls.md lists the prices), and a new task's
 * quota is moved out of its creator's. The root task gives its quota away
 * to new tasks, halving the amount each time, until less than one more
 * task is left; then it cannot create more than it can pay for. This runs
 * last: afterwards the root task can create nothing.
 */
#include "ktest.h"

/* A task with 3 slots costs 3 pages + 1 page of slots, plus its quota. */
#define SMALL_TASK_PAGES 4

void test_quota(void)
{
	cap_selector child = ktest_slot();
	if (!ktest_status("quota-child", sys_task_create(child, 0, 3, "quota-child"), STATUS_OK))
		return;

	unsigned tasks = 0;
	cap_selector slot = ktest_slot();
	for (int bit = 62; bit >= 0; bit--) {
		enum status s;
		while ((s = sys_task_create(slot, 1ull << bit, 3, "quota")) == STATUS_OK) {
			tasks++;
			slot = ktest_slot();
		}
		if (s != STATUS_NO_MEM) {
			ktest_check(0, "quota-give-away", "task_create: %s", status_name(s));
			return;
		}
	}
	ktest_check(tasks > 0, "quota-give-away", "no task could take any quota");

	/* Less than SMALL_TASK_PAGES + 1 pages are left: endpoints (1 page
	 * each) until NO_MEM, at most that many. */
	unsigned endpoints = 0;
	enum status s = STATUS_OK;
	while (endpoints <= SMALL_TASK_PAGES && (s = sys_endpoint_create(slot)) == STATUS_OK) {
		endpoints++;
		slot = ktest_slot();
	}
	ktest_check(s == STATUS_NO_MEM && endpoints <= SMALL_TASK_PAGES, "quota-exhausted",
		    "%u endpoints from what was left, then %s", endpoints, status_name(s));
	ktest_status("quota-no-endpoint", sys_endpoint_create(slot), STATUS_NO_MEM);
	ktest_status("quota-no-thread", sys_thread_create(slot, child, 0x10000, 1), STATUS_NO_MEM);
	ktest_status("quota-no-task", sys_task_create(slot, 0, 3, "none"), STATUS_NO_MEM);
	ktest_status("quota-no-task-with-quota", sys_task_create(slot, 1, 3, "none"),
		     STATUS_NO_MEM);
	/* Failures took no slot: the slot is still empty. */
	ktest_status("quota-failures-leave-slot-empty", sys_cap_delete(slot), STATUS_BAD_CAP);
	/* Copies and deletes cost nothing. */
	cap_selector copy = ktest_slot();
	ktest_status("quota-copy-free", sys_cap_copy(child, CAP_SELF_TASK, copy, RIGHTS_ALL, 0),
		     STATUS_OK);
	ktest_status("quota-delete-free", sys_cap_delete(copy), STATUS_OK);
}
