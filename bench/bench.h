/*
 * The benchmark program's entry, shared by the bench program (bench/
 * main.c, the root task of the bench scenario images) and the root server
 * (which runs it when its configuration has a /scenario node, so that
 * `./vireo run` shows the short report).
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdbool.h>

#include "latency/load.h"

#define BENCH_EXIT_CONFIG 3 /* the /scenario node is wrong */
#define BENCH_EXIT_FAILED 4 /* the benchmark could not run */

/*
 * Run the benchmark the configuration blob's /scenario node asks for,
 * printing `bench: ...` lines (doc/benchmarks.md describes them). memory
 * is what the cache load may write (NULL: the heap). *ran says whether
 * the blob asked for a benchmark at all. Returns 0 or BENCH_EXIT_*.
 */
int bench_run(const void *blob, const struct load_memory *memory, bool *ran);

#endif
