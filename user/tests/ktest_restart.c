/*
 * ktest: long calls that a higher-priority thread interrupts. A worker at
 * priority 10 runs one long task_destroy or mem_unmap while the main
 * thread (255) sleeps in 50 µs timeouts: when a timeout expires at one of
 * the call's preemption points, the kernel stops the call, runs the main
 * thread, and later runs the call again from where it stopped
 * (doc/memory.md, "Restartable system calls"). The checks: the main thread
 * woke while the call was still running, and the call still did all of
 * its work: every page unmapped, every page of kernel memory back.
 * Also: a second task_destroy by the main thread in the middle finishes
 * the work, and the interrupted one then says BAD_CAP.
 */
#include <stdio.h>

#include "ktest.h"

#define PAGES 8192ull
#define CHILD_VA 0x40000000ull
#define ALIAS 0x0000300c00000000ull
#define CHILD_QUOTA 512
#define NAP_NS 50000ull
#define TRIES 3

static void destroyer(struct worker *w)
{
	w->status = sys_task_destroy((cap_selector)w->arg[0]);
}

static void unmapper(struct worker *w)
{
	w->status = sys_mem_unmap(w->arg[0], w->arg[1], 0);
}

/*
 * Runs w (created, not started) at its low priority while the main
 * thread sleeps NAP_NS at a time; returns how often it woke while w was
 * inside its call: w has not ended, and (unless busy is NULL) busy(arg)
 * says the call has begun. At the first such wake-up, meanwhile(arg) runs
 * (if not NULL).
 */
static unsigned wakeups_during(struct worker *w, int (*busy)(uint64_t),
			       void (*meanwhile)(uint64_t), uint64_t arg)
{
	unsigned wakeups = 0;
	worker_start(w);
	while (!w->done) {
		ktest_sleep(NAP_NS);
		if (w->done || !w->started || (busy && !busy(arg)))
			continue;
		if (wakeups++ == 0 && meanwhile)
			meanwhile(arg);
	}
	return wakeups;
}

/* A task being destroyed is dead from the first call on: its capability
 * says BAD_CAP to everything but task_destroy. */
static int dying(uint64_t task)
{
	uint64_t pages;
	return sys_task_quota((cap_selector)task, &pages) == STATUS_BAD_CAP;
}

/* Whether the root task has a page at va (it can map it on). The probe
 * address has its page tables from the first call on. */
static int mapped(uint64_t va)
{
	uint64_t probe = ALIAS - PAGE_SIZE;
	enum status s = sys_mem_map(CAP_SELF_TASK, va, probe, 1, 0, NULL);
	if (s == STATUS_OK)
		sys_mem_unmap(probe, 1, UNMAP_SELF);
	return s == STATUS_OK;
}

/* A child with PAGES pages of the root task's memory and two threads
 * that never start; returns the step that failed. */
static const char *big_child(cap_selector child, cap_selector threads[2])
{
	if (sys_task_create(child, CHILD_QUOTA, 8, "big-child") != STATUS_OK)
		return "task_create";
	if (sys_mem_map(child, ktest_own_page(0), CHILD_VA, PAGES, MEM_WRITE, NULL) != STATUS_OK)
		return "mem_map";
	for (unsigned i = 0; i < 2; i++)
		if (sys_thread_create(threads[i], child, 0x10000 + i * PAGE_SIZE, 1) != STATUS_OK)
			return "thread_create";
	return NULL;
}

static volatile enum status joined;
static volatile enum status map_while_dying;

/* At the first wake-up: the dying task takes no new mapping. */
static void try_map(uint64_t child)
{
	map_while_dying = sys_mem_map(child, ktest_own_page(PAGES), 0x1000, 1, 0, NULL);
}

/* At the first wake-up: the main thread finishes the destruction. */
static void join_destroy(uint64_t child)
{
	try_map(child);
	joined = sys_task_destroy(child);
}

/* One child destroyed by a worker at priority 10; with `join`, the main
 * thread also destroys it at its first wake-up. */
static void destroy_preempted(const char *name, int join)
{
	cap_selector child = ktest_slot(), threads[2] = {ktest_slot(), ktest_slot()};
	uint64_t before = 0;
	struct worker *w = NULL;
	unsigned wakeups = 0;
	const char *failed = NULL;
	char test[64];
	/* The timer is host time on QEMU without icount: a host hiccup can
	 * hide one destruction from it, so up to TRIES children. */
	for (unsigned try = 0; try < TRIES && !wakeups && !failed; try++) {
		joined = STATUS_COUNT;
		map_while_dying = STATUS_COUNT;
		w = worker_create(name, 10, destroyer);
		if (!w)
			return;
		before = ktest_quota();
		failed = big_child(child, threads);
		w->arg[0] = child;
		if (!failed)
			wakeups = wakeups_during(w, dying, join ? join_destroy : try_map, child);
		sys_cap_delete(child);
		sys_cap_delete(threads[0]);
		sys_cap_delete(threads[1]);
	}
	snprintf(test, sizeof(test), "%s-setup", name);
	if (!ktest_check(!failed, test, "%s failed", failed))
		return;
	snprintf(test, sizeof(test), "%s-preempted", name);
	ktest_check(wakeups > 0, test, "the main thread never woke during the destruction");
	snprintf(test, sizeof(test), "%s-no-map-while-dying", name);
	ktest_check(!wakeups || map_while_dying == STATUS_BAD_CAP, test,
		    "mem_map into the dying task: %s", status_name(map_while_dying));
	snprintf(test, sizeof(test), "%s-status", name);
	if (join)
		ktest_check(joined == STATUS_OK && w->status == STATUS_BAD_CAP, test,
			    "main thread's destroy %s, the interrupted one %s",
			    status_name(joined), status_name(w->status));
	else
		ktest_status(test, w->status, STATUS_OK);
	snprintf(test, sizeof(test), "%s-quota-back", name);
	ktest_check(ktest_quota() == before, test, "quota %llu before, %llu after",
		    (unsigned long long)before, (unsigned long long)ktest_quota());
}

/* PAGES pages mapped into the root task itself, unmapped by a worker. */
static void test_unmap_preempted(void)
{
	struct worker *w = NULL;
	unsigned wakeups = 0;
	for (unsigned try = 0; try < TRIES && !wakeups; try++) {
		if (sys_mem_map(CAP_SELF_TASK, ktest_own_page(0), ALIAS, PAGES, MEM_WRITE, NULL) !=
		    STATUS_OK) {
			ktest_check(0, "unmap-preempted-setup", "mem_map of %llu pages failed", PAGES);
			return;
		}
		w = worker_create("unmap-preempted", 10, unmapper);
		if (!w)
			return;
		w->arg[0] = ktest_own_page(0);
		w->arg[1] = PAGES;
		wakeups = wakeups_during(w, NULL, NULL, 0);
	}
	ktest_check(wakeups > 0, "unmap-preempted", "the main thread never woke during the unmap");
	ktest_status("unmap-preempted-status", w->status, STATUS_OK);
	ktest_check(!mapped(ALIAS) && !mapped(ALIAS + (PAGES / 2) * PAGE_SIZE) &&
			    !mapped(ALIAS + (PAGES - 1) * PAGE_SIZE),
		    "unmap-preempted-all-gone", "a page stayed mapped");
}

void test_preempted_calls(void)
{
	if (!runtime_bootinfo->tsc_khz)
		return;
	/* The window pages and the alias's page tables are made once, here,
	 * so that the quota checks below see only the children's memory. */
	sys_mem_map(CAP_SELF_TASK, ktest_own_page(0), ALIAS, PAGES + 1, 0, NULL);
	sys_mem_unmap(ktest_own_page(0), PAGES + 1, 0);
	mapped(ktest_own_page(0));
	destroy_preempted("destroy-preempted", 0);
	destroy_preempted("destroy-joined", 1);
	test_unmap_preempted();
}
