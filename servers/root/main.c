/*
 * The root task: the first and, for now, only user-level program. The
 * kernel starts it with every boot module mapped read-only (see
 * kernel/include/uapi/vireo/bootinfo.h). It proves the user runtime works
 * (printf through newlib, libfdt), lists the modules and reads the boot
 * configuration, the device tree blob in the module named `config`.
 *
 * When the configuration has a /scenario node naming a benchmark, it runs
 * it (bench/bench.h), so `./vireo run` shows the short report.
 *
 * Exit codes (the kernel shuts the machine down with them): 0 done,
 * 3 boot configuration missing or rejected, 4 benchmark failed.
 * The argument `fault-test` instead touches an unmapped address, so the
 * whole-system tests can check that the kernel stops a faulting task.
 */
#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vireo/runtime.h>

#include "bench.h"
#include "config.h"

#define EXIT_CONFIG_REJECTED 3

/* Write to an address that no task has mapped; does not return if the
 * kernel does its job. */
static void fault_test(void)
{
	uintptr_t address = 0x10;

	printf("root: fault-test: touching unmapped address %#lx\n",
	       (unsigned long)address);
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

	printf("root: Vireo root task, newlib printf works (%d modules)\n",
	       (int)bi->module_count);
	for (uint64_t i = 0; i < bi->module_count; i++)
		printf("root: module %.*s %llu bytes\n", BOOTINFO_NAME_MAX,
		       bi->modules[i].name,
		       (unsigned long long)bi->modules[i].size);

	if (has_argument(argc, argv, "fault-test")) {
		fault_test();
		return 1;
	}

	const struct bootinfo_module *config = runtime_find_module("config");
	if (config == NULL) {
		printf("root: boot configuration rejected: no module named "
		       "'config'\n");
		return EXIT_CONFIG_REJECTED;
	}

	const void *blob = (const void *)(uintptr_t)config->address;
	const char *what;
	int error = config_check(blob, config->size, &what);
	if (error != 0) {
		printf("root: boot configuration rejected: %s (%s)\n",
		       fdt_strerror(error), what);
		return EXIT_CONFIG_REJECTED;
	}
	config_print(blob);

	bool ran;
	int status = bench_run(blob, NULL, &ran);
	if (status != 0)
		return status;

	printf("root: done\n");
	return 0;
}
