/*
 * ktest's entry and its check functions (see ktest.h). main() runs the
 * suites in an order that matters: the quota suite gives nearly all of
 * the root task's kernel memory quota away, so it runs last; the worker
 * threads must all have ended before main returns, since the root task's
 * last thread to exit decides the shutdown code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ktest.h"

int ktest_failures;
static int passes;
static cap_selector next_slot = CAP_FIRST_FREE;

void ktest_print(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	sys_debug_write(line, (size_t)n);
}

int ktest_check(int ok, const char *name, const char *why_fmt, ...)
{
	if (ok) {
		passes++;
		ktest_print("TEST PASS %s\n", name);
		return 1;
	}
	char why[300];
	va_list ap;
	va_start(ap, why_fmt);
	vsnprintf(why, sizeof(why), why_fmt, ap);
	va_end(ap);
	ktest_failures++;
	ktest_print("TEST FAIL %s: %s\n", name, why);
	return 0;
}

int ktest_status(const char *name, enum status got, enum status want)
{
	return ktest_check(got == want, name, "returned %s, expected %s", status_name(got),
			   status_name(want));
}

cap_selector ktest_slot(void)
{
	return next_slot++;
}

cap_selector ktest_endpoint(const char *name)
{
	cap_selector sel = ktest_slot();
	enum status s = sys_endpoint_create(sel);
	if (s != STATUS_OK)
		ktest_check(0, name, "endpoint_create: %s", status_name(s));
	return sel;
}

struct utcb *ktest_utcb(void)
{
	return (struct utcb *)(uintptr_t)runtime_bootinfo->utcb;
}

uint64_t ktest_quota(void)
{
	uint64_t pages = 0;
	sys_task_quota(CAP_SELF_TASK, &pages);
	return pages;
}

uint64_t ktest_heap_end(void)
{
	return runtime_bootinfo->heap_start + runtime_bootinfo->heap_size;
}

uint64_t ktest_own_page(uint64_t n)
{
	return BOOTINFO_PHYS_WINDOW + runtime_bootinfo->memory[0].base + n * PAGE_SIZE;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ktest_print("ktest: kernel system call tests, quota %llu pages\n",
		    (unsigned long long)runtime_bootinfo->kernel_pages);
	ktest_settle_init();
	ktest_pool_check("pool-at-start");
	test_basic();
	test_caps();
	test_objects();
	test_ipc();
	test_reply_rights();
	test_time();
	test_sched();
	test_irq();
	test_memory();
	test_preempted_calls();
	test_exception();
	test_mapitems();
	test_handler_gone();
	test_destroy();
	test_ioports();
	test_stress_concurrent();
	ktest_settle();
	ktest_check(ktest_workers_done(), "workers-ended", "a worker thread is still blocked");
	ktest_settle_end();
	test_quota();
	ktest_print("ktest: %d passed, %d failed\n", passes, ktest_failures);
	return ktest_failures ? 1 : 0;
}
