/*
 * The root task: the first user-level program. The kernel starts it with
 * every boot module mapped read-only (see
 * kernel/include/uapi/vireo/bootinfo.h). It proves the user runtime works
 * (printf through newlib, libfdt), lists the modules and checks the boot
 * configuration, the device tree blob in the module named `config`, with
 * config_check (config.c, doc/configuration.md): every problem is printed
 * as `root: config: <path>: <property>: <what>` and nothing is started; a
 * clean configuration is printed as its plan, `root: plan: ...`.
 *
 * When the configuration has a /scenario node naming a benchmark, it runs
 * it (bench/bench.h), so `./vireo run` shows the short report. Then it
 * starts the plan's tasks and waits for them (start.h, doc/servers.md).
 *
 * Exit codes (the kernel shuts the machine down with them): 0 done,
 * 3 boot configuration missing or not a readable device tree,
 * 4 benchmark failed, 5 boot configuration readable but wrong (each
 * problem printed), 6 a task could not be loaded or built (nothing
 * started), 7 a started task faulted or exited with a code other than 0.
 * The argument `fault-test` instead touches an unmapped address, so the
 * whole-system tests can check that the kernel stops a faulting task.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vireo/runtime.h>

#include "bench.h"
#include "config.h"
#include "config_boot.h"
#include "start.h"

#define EXIT_CONFIG_UNREADABLE 3
#define EXIT_CONFIG_WRONG      5

/* Write to an address that no task has mapped; does not return if the
 * kernel does its job. */
static void fault_test(void)
{
	uintptr_t address = 0x10;

	printf("root: fault-test: touching unmapped address %#lx\n", (unsigned long)address);
	fflush(stdout);
	/* Hide the constant from the compiler, which would otherwise warn
	 * about (or drop) a store through a constant near-null pointer. */
	__asm__ volatile("" : "+r"(address));
	*(volatile uint32_t *)address = 0xdead;
	printf("root: fault-test: the write did not fault\n");
}

static bool has_argument(int argc, char **argv, const char *word)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], word) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const struct bootinfo *bi = runtime_bootinfo;

	printf("root: Vireo root task, newlib printf works (%d modules)\n", (int)bi->module_count);
	for (uint64_t i = 0; i < bi->module_count; i++)
		printf("root: module %.*s %llu bytes\n", BOOTINFO_NAME_MAX, bi->modules[i].name,
		       (unsigned long long)bi->modules[i].size);

	if (has_argument(argc, argv, "fault-test")) {
		fault_test();
		return 1;
	}

	const struct bootinfo_module *config = runtime_find_module("config");
	if (config == NULL) {
		printf("root: boot configuration rejected: no module named "
		       "'config'\n");
		return EXIT_CONFIG_UNREADABLE;
	}

	const void *blob = (const void *)(uintptr_t)config->address;
	static struct config_plan plan; /* about 100 KiB: not on the stack */
	bool unreadable;
	unsigned count =
	    config_check_boot(bi, blob, config->size, &plan, "root: config: ", &unreadable);
	if (count != 0) {
		printf("root: boot configuration rejected: %u problem%s, nothing started\n", count,
		       count == 1 ? "" : "s");
		return unreadable ? EXIT_CONFIG_UNREADABLE : EXIT_CONFIG_WRONG;
	}
	config_plan_print(&plan, "root: plan: ");

	bool ran;
	int status = bench_run(blob, NULL, &ran);
	if (status != 0)
		return status;

	if (plan.task_count > 0) {
		static struct system system; /* the plan's tasks, as started */
		status = start_tasks(&system, &plan, bi);
		if (status == 0)
			status = supervise(&system);
		if (status != 0)
			return status;
	}
	printf("root: done\n");
	return 0;
}
