/*
 * Reading the /scenario node (see scenario.h) with libfdt. The blob is
 * untrusted: every property's length is checked before its value is used
 * (Devicetree Specification v0.4 §2.2.4: strings are NUL-terminated, u32
 * cells big-endian).
 */
#include "scenario.h"

#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NODE "/scenario"

static const char *const load_names[] = {
	[LOAD_NONE] = "none", [LOAD_BUSY] = "busy", [LOAD_CACHE] = "cache", [LOAD_IPC] = "ipc",
	[LOAD_MAP] = "map"};
static const char *const mode_names[] = {[MODE_ONESHOT] = "oneshot", [MODE_PERIODIC] = "periodic"};

const char *scenario_load_name(enum load load)
{
	return load_names[load];
}

const char *scenario_mode_name(enum mode mode)
{
	return mode_names[mode];
}

struct reader {
	const void *blob;
	int node;
	char *why;
	size_t why_size;
};

static int fail(struct reader *r, const char *property, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, const char *property, const char *fmt, ...)
{
	int n = snprintf(r->why, r->why_size, "%s/%s: ", NODE, property);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->why_size)
		vsnprintf(r->why + n, r->why_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A string property: NULL (and *error set) when present but not a string,
 * fallback when absent. */
static const char *get_string(struct reader *r, const char *name, const char *fallback,
			      int *error)
{
	int len;
	const char *value = fdt_getprop(r->blob, r->node, name, &len);
	if (!value)
		return fallback;
	if (len < 1 || value[len - 1] != '\0' || strlen(value) + 1 != (size_t)len) {
		*error = fail(r, name, "not a single string");
		return NULL;
	}
	return value;
}

/* Index of the string property `name` in names[0..count), or -1 (after a
 * message) when it is none of them. */
static int get_choice(struct reader *r, const char *name, const char *fallback,
		      const char *const *names, int count)
{
	int error = 0;
	const char *value = get_string(r, name, fallback, &error);
	if (!value)
		return -1;
	for (int i = 0; i < count; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	char list[80] = "";
	for (int i = 0; i < count; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? "|" : "",
			 names[i]);
	return fail(r, name, "\"%.32s\" is not one of %s", value, list);
}

/* `cells` u32 cells into out[], each in [min, max]; absent: unchanged. */
static int get_cells(struct reader *r, const char *name, uint32_t *out, int cells,
		     uint32_t min, uint32_t max)
{
	int len;
	const fdt32_t *value = fdt_getprop(r->blob, r->node, name, &len);
	if (!value)
		return 0;
	if (len != 4 * cells)
		return fail(r, name, "%d bytes, expected %d (%d u32 cell%s)", len, 4 * cells,
			    cells, cells > 1 ? "s" : "");
	for (int i = 0; i < cells; i++) {
		uint32_t v = fdt32_to_cpu(value[i]);
		if (v < min || v > max)
			return fail(r, name, "%u is outside %u..%u", (unsigned)v, (unsigned)min,
				    (unsigned)max);
		out[i] = v;
	}
	return 0;
}

int scenario_read(const void *blob, struct scenario *s, char *why, size_t why_size)
{
	struct reader r = {blob, fdt_path_offset(blob, NODE), why, why_size};
	if (r.node < 0)
		return 0;
	int error = 0;
	const char *benchmark = get_string(&r, "benchmark", NULL, &error);
	if (error)
		return -1;
	if (!benchmark)
		return 0;
	if (strcmp(benchmark, "hpet-latency") != 0)
		return fail(&r, "benchmark", "\"%.32s\" is unknown (this program runs "
					     "\"hpet-latency\")", benchmark);
	*s = (struct scenario){
		.samples = 1000,
		.seed = 1,
		.offset_min_ns = 20000,
		.offset_max_ns = 120000,
		.period_ns = 100000,
		.ipc_rounds = 1000,
	};
	int load = get_choice(&r, "load", "none", load_names, LOAD_MAP + 1);
	int mode = get_choice(&r, "mode", "oneshot", mode_names, 2);
	static const char *const reports[] = {"short", "full"};
	int report = get_choice(&r, "report", "full", reports, 2);
	static const char *const kernels[] = {"standard", "bench"};
	if (load < 0 || mode < 0 || report < 0 ||
	    get_choice(&r, "kernel", "standard", kernels, 2) < 0)
		return -1;
	s->load = (enum load)load;
	s->mode = (enum mode)mode;
	s->full_report = report == 1;
	uint32_t offsets[2] = {s->offset_min_ns, s->offset_max_ns};
	/* Offsets and periods: 1 us .. 1 s, so one sample never hangs long. */
	if (get_cells(&r, "samples", &s->samples, 1, 1, 10000000) ||
	    get_cells(&r, "seed", &s->seed, 1, 0, UINT32_MAX) ||
	    get_cells(&r, "offset-ns", offsets, 2, 1000, 1000000000) ||
	    get_cells(&r, "period-ns", &s->period_ns, 1, 1000, 1000000000) ||
	    get_cells(&r, "ipc-rounds", &s->ipc_rounds, 1, 0, 10000000))
		return -1;
	if (offsets[0] > offsets[1])
		return fail(&r, "offset-ns", "minimum %u above maximum %u", (unsigned)offsets[0],
			    (unsigned)offsets[1]);
	s->offset_min_ns = offsets[0];
	s->offset_max_ns = offsets[1];
	return 1;
}
