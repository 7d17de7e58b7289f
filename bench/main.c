/*
 * The bench program: the root task of the bench scenario images
 * (bench/SConscript). It checks the configuration blob (the `config`
 * module) and runs the benchmark its /scenario node names (bench.c).
 * Until the kernel can start tasks from the configuration, the
 * benchmark is the root task itself, at the highest priority (255).
 *
 * The cache load's 32 MiB buffer is in .bss, so the kernel maps it with
 * the program (the heap is only 4 MiB). Exit codes: 0 done,
 * BENCH_EXIT_CONFIG configuration missing or wrong, BENCH_EXIT_FAILED.
 */
#include <stdio.h>
#include <vireo/runtime.h>

#include "bench.h"
#include "config_boot.h" /* the root server's configuration check */

#define CACHE_BYTES (32u << 20)

static uint64_t cache_buffer[CACHE_BYTES / sizeof(uint64_t)];

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const struct bootinfo_module *config = runtime_find_module("config");
	if (!config) {
		printf("bench: error: no module named 'config'\n");
		return BENCH_EXIT_CONFIG;
	}
	const void *blob = (const void *)(uintptr_t)config->address;
	static struct config_plan plan;
	bool unreadable;
	unsigned problems = config_check_boot(runtime_bootinfo, blob, config->size, &plan,
					      "bench: error: config: ", &unreadable);
	if (problems != 0) {
		printf("bench: error: configuration rejected: %u problem%s\n", problems,
		       problems == 1 ? "" : "s");
		return BENCH_EXIT_CONFIG;
	}
	struct load_memory memory = {cache_buffer, sizeof(cache_buffer)};
	bool ran;
	int status = bench_run(blob, &memory, &ran);
	if (!ran) {
		printf("bench: error: the configuration has no /scenario benchmark\n");
		return BENCH_EXIT_CONFIG;
	}
	return status;
}
