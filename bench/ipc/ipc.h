/*
 * The IPC benchmark of the kernel-core issue: call+reply round trips.
 */
#ifndef BENCH_IPC_H
#define BENCH_IPC_H

#include <stdint.h>

/*
 * Measure `rounds` call+reply round trips (one word each way) from the
 * calling thread to a server one priority below it, first in the same
 * task, then in a task of its own, each timed with the TSC, and print
 * `bench: ipc same-space ...` and `bench: ipc cross-space ...` lines (with
 * full_report also `bench: hist ipc-same-space|ipc-cross-space ...`
 * histogram lines). tsc_cost (TSC ticks between two back-to-back reads)
 * is subtracted. Returns 0, or -1 after printing why it could not run.
 */
int ipc_benchmark(uint32_t rounds, uint64_t tsc_cost, int full_report);

#endif
