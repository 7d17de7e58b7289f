/*
 * Load threads for the latency benchmark, at a priority below the
 * measuring thread, selected by the scenario's `load`:
 *   busy   an endless loop (Table 1 row 1 of Schild et al. 2009);
 *   cache  writes a buffer of contiguous memory over and over (row 5,
 *          32 MB in the paper; the size we have is printed);
 *   ipc    a client and a server thread doing call+reply without pause,
 *          so the kernel's IPC path (interrupts off) is what the
 *          interrupt most often hits;
 *   map    one thread mapping LOAD_MAP_PAGES pages of the root task's
 *          memory with one mem_map and taking them back with one
 *          mem_unmap, over and over: long calls that the interrupt stops
 *          at their preemption points (doc/memory.md);
 *   none   nothing: the CPU idles (hlt) between interrupts.
 */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "../scenario.h"

#define LOAD_PRIORITY 100
#define LOAD_MAP_PAGES 4096 /* 16 MiB per call */

/* Memory the cache load writes (the caller's: a static buffer in the
 * bench program, nothing in the root server). */
struct load_memory {
	void *base;
	size_t size;
};

/*
 * Start the load threads of `load`. Prints one `bench: load ...` line
 * saying what runs (and, for cache, how many bytes against the paper's
 * 32 MB). Returns 0, or -1 after printing why it could not.
 */
int load_start(enum load load, const struct load_memory *memory);

/* Work the load threads did so far (loop passes, bytes, round trips). */
uint64_t load_progress(void);

#endif
