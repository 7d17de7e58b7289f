/*
 * The load threads (see load.h). They never stop: the machine shuts down
 * when the benchmark's main thread ends.
 */
#include "load.h"

#include <stdio.h>
#include <vireo/sys.h>

#include "../threads.h"

#define PAPER_CACHE_BYTES (32ull << 20)

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
	}
	return -1;
}
