/*
 * Call+reply round trips between two threads of one task (see ipc.h).
 * The caller runs at the program's priority, the server one below it, so
 * each call switches to the server and each reply straight back.
 *
 * Between address spaces: the kernel cannot yet put code into another
 * task (the map system calls are being written). When it can, start the
 * same ipc_server in a second task with the endpoint capability copied
 * into it, and call ipc_rounds() on that endpoint: the measuring loop is
 * already independent of where the server lives. Until then `bench: ipc
 * cross-space` says it was not measured.
 */
#include "ipc.h"

#include <stdio.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#include "../latency/histogram.h"
#include "../latency/hpet.h"
#include "../threads.h"

static cap_selector endpoint;
static struct histogram round_trips;

static void ipc_server(uint64_t arg)
{
	(void)arg;
	sys_ipc_receive(endpoint, TIMEOUT_NEVER, NULL, NULL);
	for (;;)
		sys_ipc_reply_wait(endpoint, 1, TIMEOUT_NEVER, NULL, NULL);
}

/* rounds timed calls on ep into h; returns the first failing status. */
static enum status ipc_rounds(cap_selector ep, uint32_t rounds, uint64_t tsc_cost,
			      struct histogram *h)
{
	for (uint32_t i = 0; i < rounds; i++) {
		uint64_t start = rdtsc();
		enum status s = sys_ipc_call(ep, 1, TIMEOUT_NEVER, NULL);
		uint64_t end = rdtsc();
		if (s != STATUS_OK)
			return s;
		uint64_t cycles = end - start;
		histogram_add(h, cycles > tsc_cost ? cycles - tsc_cost : 0);
	}
	return STATUS_OK;
}

int ipc_benchmark(uint32_t rounds, uint64_t tsc_cost, int full_report)
{
	if (rounds == 0)
		return 0;
	endpoint = bench_slot();
	enum status s = sys_endpoint_create(endpoint);
	if (s == STATUS_OK)
		s = bench_thread_start(254, ipc_server, 0, NULL);
	histogram_reset(&round_trips);
	/* One untimed call first: the server reaches its receive. */
	if (s == STATUS_OK)
		s = sys_ipc_call(endpoint, 1, TIMEOUT_NEVER, NULL);
	if (s == STATUS_OK)
		s = ipc_rounds(endpoint, rounds, tsc_cost, &round_trips);
	if (s != STATUS_OK) {
		printf("bench: error: ipc: %s\n", status_name(s));
		return -1;
	}
	const struct histogram *h = &round_trips;
	printf("bench: ipc same-space call+reply rounds=%llu min=%llu mean=%llu p50=%llu "
	       "p99=%llu max=%llu cycles (tsc read cost %llu subtracted)\n",
	       (unsigned long long)h->count, (unsigned long long)h->min,
	       (unsigned long long)histogram_mean(h),
	       (unsigned long long)histogram_percentile(h, 5000),
	       (unsigned long long)histogram_percentile(h, 9900), (unsigned long long)h->max,
	       (unsigned long long)tsc_cost);
	if (full_report)
		printf("bench: ipc cross-space not measured: the kernel cannot load code into "
		       "a second task yet (hook: bench/ipc/ipc.c)\n");
	return 0;
}
