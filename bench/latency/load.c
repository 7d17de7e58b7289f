/*
 * The load threads (see load.h). They never stop: the machine shuts down
 * when the benchmark's main thread ends.
 */
#include "load.h"

#include <stdio.h>
#include <string.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#include "../threads.h"

#define PAPER_CACHE_BYTES (32ull << 20)
#define MAP_ALIAS 0x0000300000000000ull /* where the map load maps its pages */

static volatile uint64_t progress;
static struct load_memory cache;
static cap_selector ipc_endpoint;

uint64_t load_progress(void)
{
	return progress;
}

static void busy_loop(uint64_t arg)
{
	(void)arg;
	for (;;)
		progress++;
}

/* Every 8-byte word of the buffer, in address order, pass after pass. */
static void cache_loop(uint64_t arg)
{
	(void)arg;
	volatile uint64_t *words = cache.base;
	size_t count = cache.size / sizeof(uint64_t);
	for (uint64_t pass = 0;; pass++) {
		for (size_t i = 0; i < count; i++)
			words[i] = pass + i;
		progress += cache.size;
	}
}

static void ipc_client(uint64_t arg)
{
	(void)arg;
	for (;;) {
		sys_ipc_call(ipc_endpoint, 2, TIMEOUT_NEVER, NULL);
		progress++;
	}
}

static void ipc_server(uint64_t arg)
{
	(void)arg;
	sys_ipc_receive(ipc_endpoint, TIMEOUT_NEVER, NULL, NULL);
	for (;;)
		sys_ipc_reply_wait(ipc_endpoint, 2, TIMEOUT_NEVER, NULL, NULL);
}

/* From a load thread: a line straight to the kernel log, not through
 * stdio, which the measuring thread uses meanwhile. */
static void load_failed(const char *call, enum status s)
{
	char line[96];
	snprintf(line, sizeof(line), "bench: error: load map: %s: %s\n", call, status_name(s));
	sys_debug_write(line, strlen(line));
}

/* The first LOAD_MAP_PAGES pages of the root task's memory (its window
 * onto physical memory, bootinfo.memory[0]) mapped to MAP_ALIAS and taken
 * back, over and over; progress counts pages. Stops at the first error. */
static void map_loop(uint64_t arg)
{
	(void)arg;
	uint64_t pages = LOAD_MAP_PAGES;
	uint64_t src = BOOTINFO_PHYS_WINDOW + runtime_bootinfo->memory[0].base;
	for (;;) {
		enum status s = sys_mem_map(CAP_SELF_TASK, src, MAP_ALIAS, pages, MEM_WRITE, NULL);
		if (s != STATUS_OK) {
			load_failed("mem_map", s);
			return;
		}
		s = sys_mem_unmap(src, pages, 0);
		if (s != STATUS_OK) {
			load_failed("mem_unmap", s);
			return;
		}
		progress += 2 * pages;
	}
}

static int started(enum status s, const char *what)
{
	if (s == STATUS_OK)
		return 0;
	printf("bench: error: load %s: %s\n", what, status_name(s));
	return -1;
}

int load_start(enum load load, const struct load_memory *memory)
{
	switch (load) {
	case LOAD_NONE:
		printf("bench: load none: the CPU idles between interrupts\n");
		return 0;
	case LOAD_BUSY:
		printf("bench: load busy: 1 thread at priority %d, an endless loop\n",
		       LOAD_PRIORITY);
		return started(bench_thread_start(LOAD_PRIORITY, busy_loop, 0, NULL), "busy");
	case LOAD_CACHE:
		cache = *memory;
		if (cache.size < sizeof(uint64_t)) {
			printf("bench: error: load cache: no memory to write\n");
			return -1;
		}
		printf("bench: load cache: 1 thread at priority %d writes %zu bytes (%zu MiB) "
		       "over and over; the paper wrote %llu MiB%s\n",
		       LOAD_PRIORITY, cache.size, cache.size >> 20,
		       (unsigned long long)(PAPER_CACHE_BYTES >> 20),
		       cache.size < PAPER_CACHE_BYTES ? " (less memory is available here)" : "");
		return started(bench_thread_start(LOAD_PRIORITY, cache_loop, 0, NULL), "cache");
	case LOAD_IPC:
		ipc_endpoint = bench_slot();
		printf("bench: load ipc: a client and a server thread at priority %d doing "
		       "call+reply (2 words)\n",
		       LOAD_PRIORITY);
		if (started(sys_endpoint_create(ipc_endpoint), "endpoint"))
			return -1;
		if (started(bench_thread_start(LOAD_PRIORITY, ipc_server, 0, NULL), "server"))
			return -1;
		return started(bench_thread_start(LOAD_PRIORITY, ipc_client, 0, NULL), "client");
	case LOAD_MAP:
		if (runtime_bootinfo->memory_count == 0 ||
		    runtime_bootinfo->memory[0].size < LOAD_MAP_PAGES * 4096ull) {
			printf("bench: error: load map: the root task has less than %u pages of "
			       "memory\n",
			       LOAD_MAP_PAGES);
			return -1;
		}
		printf("bench: load map: 1 thread at priority %d maps %u pages (%u MiB) with one "
		       "mem_map and unmaps them with one mem_unmap, over and over\n",
		       LOAD_PRIORITY, LOAD_MAP_PAGES, LOAD_MAP_PAGES >> 8);
		return started(bench_thread_start(LOAD_PRIORITY, map_loop, 0, NULL), "map");
	}
	return -1;
}
