/*
 * The IPC benchmark of the kernel-core issue: call+reply round trips.
 */
#ifndef BENCH_IPC_H
#define BENCH_IPC_H

#include <stdint.h>

/*
 * Measure `rounds` call+reply round trips (one word each way) between
 * the calling thread and a server thread of the same task one priority
 * below, each timed with the TSC, and print `bench: ipc ...` lines.
 * tsc_cost (TSC ticks between two back-to-back reads) is subtracted.
 * Returns 0, or -1 after printing why it could not run.
 */
int ipc_benchmark(uint32_t rounds, uint64_t tsc_cost, int full_report);

#endif
