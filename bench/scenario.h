/*
 * The benchmark scenario: what the /scenario node of the boot
 * configuration (a device tree blob, the `config` module) asks for:
 *
 *   scenario {
 *       benchmark = "hpet-latency";
 *       load = "busy";        // busy | cache | ipc | map | none
 *       mode = "oneshot";     // oneshot | periodic
 *       samples = <1000>;
 *       report = "full";      // full | short
 *       // optional, with their defaults:
 *       seed = <1>;           // of the one-shot offsets
 *       offset-ns = <20000 120000>; // one-shot offsets, min and max
 *       period-ns = <100000>; // periodic mode
 *       ipc-rounds = <1000>;  // call+reply round trips measured
 *       kernel = "standard";  // "bench": the image has the bench kernel
 *   };
 *
 * bench/SConscript reads `kernel` to pick the kernel image; the program
 * only reports it.
 */
#ifndef BENCH_SCENARIO_H
#define BENCH_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum load { LOAD_NONE, LOAD_BUSY, LOAD_CACHE, LOAD_IPC, LOAD_MAP };
enum mode { MODE_ONESHOT, MODE_PERIODIC };

struct scenario {
	enum load load;
	enum mode mode;
	uint32_t samples;
	bool full_report;
	uint32_t seed;
	uint32_t offset_min_ns, offset_max_ns;
	uint32_t period_ns;
	uint32_t ipc_rounds;
};

/*
 * Read /scenario from the blob (already checked by the caller with
 * fdt_check_full). Returns 1 and fills *s when the node is there and asks
 * for the hpet-latency benchmark; 0 when there is no /scenario node or no
 * `benchmark` in it; -1 when the node is wrong, with a message naming the
 * property in why[0..why_size).
 */
int scenario_read(const void *blob, struct scenario *s, char *why, size_t why_size);

const char *scenario_load_name(enum load load);
const char *scenario_mode_name(enum mode mode);

#endif
