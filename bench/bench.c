/*
 * The benchmark program's main line (see bench.h): read the scenario,
 * set up the HPET and its Irq, measure IPC round trips, start the load,
 * measure interrupt latencies and print the report. Every figure is
 * printed in TSC cycles together with the TSC frequency, so the host
 * (site_scons/vireo/bench.py) converts them without losing precision;
 * under QEMU -icount shift=0 one cycle is one instruction is one virtual
 * nanosecond.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#include "ipc/ipc.h"
#include "latency/latency.h"
#include "threads.h"

#define IRQ_BADGE 1
#define PAPER_CACHE_BYTES (32u << 20)

static struct latency_result result;

/* TSC ticks between two back-to-back reads: the cost of one read. */
static uint64_t tsc_read_cost(void)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 1000; i++) {
		uint64_t a = rdtsc();
		uint64_t b = rdtsc();
		if (b - a < best)
			best = b - a;
	}
	return best;
}

/* "C cycles (U.UUU us)": cycles and microseconds at the TSC's rate. */
static void print_time(const char *what, uint64_t cycles)
{
	uint64_t ns = (uint64_t)((unsigned __int128)cycles * 1000000 / runtime_bootinfo->tsc_khz);
	printf(" %s %llu cycles (%llu.%03llu us)", what, (unsigned long long)cycles,
	       (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

static void print_result(const char *name, const struct histogram *h)
{
	if (h->count == 0) {
		printf("bench: result %s count=0\n", name);
		return;
	}
	printf("bench: result %s count=%llu min=%llu mean=%llu p50=%llu p99=%llu p99.9=%llu "
	       "max=%llu cycles\n",
	       name, (unsigned long long)h->count, (unsigned long long)h->min,
	       (unsigned long long)histogram_mean(h),
	       (unsigned long long)histogram_percentile(h, 5000),
	       (unsigned long long)histogram_percentile(h, 9900),
	       (unsigned long long)histogram_percentile(h, 9990), (unsigned long long)h->max);
}

/* One `bench: hist NAME LOW HIGH COUNT` line per non-empty bucket. */
static void print_histogram(const char *name, const struct histogram *h)
{
	for (unsigned b = 0; b < HISTOGRAM_BUCKETS; b++)
		if (h->buckets[b])
			printf("bench: hist %s %llu %llu %u\n", name,
			       (unsigned long long)histogram_bucket_low(b),
			       (unsigned long long)histogram_bucket_high(b), (unsigned)h->buckets[b]);
}

/* The cache load's memory when the caller has none: as much of the heap
 * as malloc gives, at most the paper's 32 MB. */
static struct load_memory heap_memory(void)
{
	for (size_t size = PAPER_CACHE_BYTES; size >= 4096; size /= 2) {
		void *p = malloc(size);
		if (p)
			return (struct load_memory){p, size};
	}
	return (struct load_memory){NULL, 0};
}

static void print_header(const struct scenario *s, const struct hpet *h, uint64_t tsc_cost)
{
	printf("bench: hpet-latency load=%s mode=%s samples=%u seed=%u offset-ns=%u..%u "
	       "period-ns=%u report=%s\n",
	       scenario_load_name(s->load), scenario_mode_name(s->mode), (unsigned)s->samples,
	       (unsigned)s->seed, (unsigned)s->offset_min_ns, (unsigned)s->offset_max_ns,
	       (unsigned)s->period_ns, s->full_report ? "full" : "short");
	printf("bench: clock tsc-khz=%llu hpet-period-fs=%llu hpet-bits=%u timer=%u gsi=%u "
	       "tsc-per-hpet-tick=%llu.%06llu\n",
	       (unsigned long long)runtime_bootinfo->tsc_khz, (unsigned long long)h->period_fs,
	       h->bits, h->timer, h->gsi, (unsigned long long)(h->ratio >> 32),
	       (unsigned long long)(((h->ratio & 0xffffffffull) * 1000000) >> 32));
	printf("bench: overhead tsc-read=%llu cycles\n", (unsigned long long)tsc_cost);
}

static void print_report(const struct scenario *s)
{
	const struct latency_result *r = &result;
	printf("bench: overhead anchor-spread-max=%llu cycles (deadline conversion error "
	       "<= half of it)\n",
	       (unsigned long long)r->spread_max);
	if (s->full_report) {
		print_histogram("user", &r->user);
		print_histogram("kernel", &r->kernel);
	}
	print_result("user", &r->user);
	print_result("kernel", &r->kernel);
	printf("bench: events missed=%llu past=%llu wraps=%llu early=%llu no-kernel-stamp=%llu\n",
	       (unsigned long long)r->missed, (unsigned long long)r->past,
	       (unsigned long long)r->wraps, (unsigned long long)r->early,
	       (unsigned long long)r->no_stamp);
	printf("bench: summary deadline->user handler");
	print_time("p50", histogram_percentile(&r->user, 5000));
	print_time("max", r->user.max);
	if (r->kernel.count) {
		printf(", deadline->kernel handler");
		print_time("p50", histogram_percentile(&r->kernel, 5000));
		print_time("max", r->kernel.max);
	}
	printf(" (%llu samples, load %s, %s)\n", (unsigned long long)r->user.count,
	       scenario_load_name(s->load), scenario_mode_name(s->mode));
}

/* Endpoint and Irq for the HPET timer's input; 0 or -1 (printed). */
static int bind_irq(const struct hpet *h, cap_selector *irq, cap_selector *endpoint)
{
	*endpoint = bench_slot();
	*irq = bench_slot();
	enum status st = sys_endpoint_create(*endpoint);
	if (st == STATUS_OK)
		st = sys_irq_create(*irq, h->gsi, *endpoint, IRQ_BADGE, 0);
	if (st != STATUS_OK) {
		printf("bench: error: Irq for GSI %u: %s\n", h->gsi, status_name(st));
		return -1;
	}
	return 0;
}

static int measure(const struct scenario *s, const struct load_memory *memory)
{
	const struct bootinfo *bi = runtime_bootinfo;
	char why[160];
	struct hpet h;
	if (bi->tsc_khz == 0) {
		printf("bench: error: the kernel did not calibrate the TSC (bootinfo.tsc_khz 0)\n");
		return -1;
	}
	if (!hpet_open(&h, (const void *)(uintptr_t)bi->hpet, why, sizeof(why))) {
		printf("bench: error: %s\n", why);
		return -1;
	}
	if (!hpet_calibrate(&h)) {
		printf("bench: error: the HPET counter or the TSC does not advance\n");
		return -1;
	}
	uint64_t tsc_cost = tsc_read_cost();
	print_header(s, &h, tsc_cost);
	if (ipc_benchmark(s->ipc_rounds, tsc_cost, s->full_report) < 0)
		return -1;
	cap_selector irq, endpoint;
	if (bind_irq(&h, &irq, &endpoint) < 0)
		return -1;
	struct load_memory heap = {0};
	if (s->load == LOAD_CACHE && !memory) {
		heap = heap_memory();
		memory = &heap;
	}
	if (load_start(s->load, memory) < 0)
		return -1;
	if (latency_measure(&h, s, irq, endpoint, s->full_report, &result) < 0)
		return -1;
	print_report(s);
	return 0;
}

int bench_run(const void *blob, const struct load_memory *memory, bool *ran)
{
	struct scenario s;
	char why[160];
	int found = scenario_read(blob, &s, why, sizeof(why));
	*ran = found != 0;
	if (found == 0)
		return 0;
	if (found < 0) {
		printf("bench: scenario rejected: %s\n", why);
		return BENCH_EXIT_CONFIG;
	}
	int failed = measure(&s, memory);
	printf("bench: end%s\n", failed ? " (failed)" : "");
	return failed ? BENCH_EXIT_FAILED : 0;
}
