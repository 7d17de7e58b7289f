/*
 * Host tests of the latency tool's histogram (bench/latency/histogram.c)
 * and of the /scenario reader (bench/scenario.c) on blobs built with
 * libfdt's sequential-write functions, including wrong ones: each must be
 * rejected with a message naming the property.
 */
#include "host_test.h"

#include <libfdt.h>

#include "latency/histogram.h"
#include "scenario.h"

static struct histogram h;

static void test_buckets_cover_every_value(void **state)
{
	(void)state;
	for (unsigned b = 0; b + 1 < HISTOGRAM_BUCKETS; b++)
		assert_int_equal(histogram_bucket_high(b) + 1, histogram_bucket_low(b + 1));
	struct rng r = {0x1234567};
	for (int i = 0; i < 100000; i++) {
		uint64_t v = rng_next(&r) >> (rng_next(&r) % 64);
		if (v >> HISTOGRAM_MAX_BITS)
			continue;
		unsigned b = histogram_bucket(v);
		assert_true(histogram_bucket_low(b) <= v && v <= histogram_bucket_high(b));
		/* Width at most 1/64 of the bucket's values. */
		uint64_t width = histogram_bucket_high(b) - histogram_bucket_low(b) + 1;
		assert_true(width == 1 || width * HISTOGRAM_SUB_BUCKETS <= histogram_bucket_low(b));
	}
}

static void test_percentiles(void **state)
{
	(void)state;
	histogram_reset(&h);
	assert_int_equal(histogram_percentile(&h, 5000), 0);
	assert_int_equal(histogram_mean(&h), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		histogram_add(&h, v);
	assert_int_equal(h.count, 1000);
	assert_int_equal(h.min, 1);
	assert_int_equal(h.max, 1000);
	assert_int_equal(histogram_mean(&h), 500); /* 500500 / 1000 */
	uint64_t p50 = histogram_percentile(&h, 5000);
	assert_true(p50 >= 500 && p50 <= 500 + 500 / 64 + 1);
	uint64_t p99 = histogram_percentile(&h, 9900);
	assert_true(p99 >= 990 && p99 <= 1000);
	assert_int_equal(histogram_percentile(&h, 10000), 1000);
	assert_int_equal(histogram_percentile(&h, 0), 1);
}

static void test_one_value_and_extremes(void **state)
{
	(void)state;
	histogram_reset(&h);
	histogram_add(&h, 12345);
	assert_int_equal(histogram_percentile(&h, 5000), 12345);
	assert_int_equal(histogram_percentile(&h, 9990), 12345);
	histogram_add(&h, UINT64_MAX);
	assert_int_equal(h.clipped, 1);
	assert_int_equal(h.max, UINT64_MAX);
	assert_int_equal(h.sum, UINT64_MAX); /* saturated, not wrapped */
	assert_int_equal(h.buckets[HISTOGRAM_BUCKETS - 1], 1);
}

/* ---- /scenario ---- */

static char blob[4096];

/* Begin a blob with a /scenario node (properties follow). */
static void begin(void)
{
	assert_int_equal(fdt_create(blob, sizeof(blob)), 0);
	assert_int_equal(fdt_finish_reservemap(blob), 0);
	assert_int_equal(fdt_begin_node(blob, ""), 0);
	assert_int_equal(fdt_begin_node(blob, "scenario"), 0);
}

static void finish(void)
{
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_finish(blob), 0);
}

static void string(const char *name, const char *value)
{
	assert_int_equal(fdt_property_string(blob, name, value), 0);
}

static void cell(const char *name, uint32_t value)
{
	assert_int_equal(fdt_property_u32(blob, name, value), 0);
}

static int read_scenario(struct scenario *s, char *why)
{
	return scenario_read(blob, s, why, 160);
}

static void test_scenario_full(void **state)
{
	(void)state;
	begin();
	string("benchmark", "hpet-latency");
	string("load", "cache");
	string("mode", "periodic");
	cell("samples", 42);
	string("report", "short");
	cell("seed", 7);
	cell("period-ns", 50000);
	uint32_t offsets[2] = {cpu_to_fdt32(2000), cpu_to_fdt32(3000)};
	assert_int_equal(fdt_property(blob, "offset-ns", offsets, sizeof(offsets)), 0);
	string("kernel", "bench");
	finish();
	struct scenario s;
	char why[160];
	assert_int_equal(read_scenario(&s, why), 1);
	assert_int_equal(s.load, LOAD_CACHE);
	assert_int_equal(s.mode, MODE_PERIODIC);
	assert_int_equal(s.samples, 42);
	assert_false(s.full_report);
	assert_int_equal(s.seed, 7);
	assert_int_equal(s.period_ns, 50000);
	assert_int_equal(s.offset_min_ns, 2000);
	assert_int_equal(s.offset_max_ns, 3000);
	assert_int_equal(s.ipc_rounds, 1000);
}

static void test_scenario_absent(void **state)
{
	(void)state;
	struct scenario s;
	char why[160];
	assert_int_equal(fdt_create_empty_tree(blob, sizeof(blob)), 0);
	assert_int_equal(read_scenario(&s, why), 0);
	begin();
	string("load", "busy"); /* a scenario without a benchmark */
	finish();
	assert_int_equal(read_scenario(&s, why), 0);
}

/* A scenario with benchmark = "hpet-latency" plus one bad property. */
static void expect_rejected(void (*bad)(void), const char *message)
{
	begin();
	string("benchmark", "hpet-latency");
	bad();
	finish();
	struct scenario s;
	char why[160] = "";
	assert_int_equal(read_scenario(&s, why), -1);
	if (!strstr(why, message))
		fail_msg("message \"%s\" lacks \"%s\"", why, message);
}

static void bad_load(void)
{
	string("load", "disk");
}

static void load_not_string(void)
{
	cell("load", 1);
}

static void samples_short(void)
{
	assert_int_equal(fdt_property(blob, "samples", "ab", 2), 0);
}

static void samples_zero(void)
{
	cell("samples", 0);
}

static void offsets_reversed(void)
{
	uint32_t offsets[2] = {cpu_to_fdt32(5000), cpu_to_fdt32(4000)};
	assert_int_equal(fdt_property(blob, "offset-ns", offsets, sizeof(offsets)), 0);
}

static void bad_kernel(void)
{
	string("kernel", "fast");
}

static void test_scenario_rejected(void **state)
{
	(void)state;
	expect_rejected(bad_load, "/scenario/load: \"disk\" is not one of none|busy|cache|ipc|map");
	expect_rejected(load_not_string, "/scenario/load: not a single string");
	expect_rejected(samples_short, "/scenario/samples: 2 bytes, expected 4");
	expect_rejected(samples_zero, "/scenario/samples: 0 is outside 1..");
	expect_rejected(offsets_reversed, "/scenario/offset-ns: minimum 5000 above maximum 4000");
	expect_rejected(bad_kernel, "/scenario/kernel:");
	begin();
	string("benchmark", "dhrystone");
	finish();
	struct scenario s;
	char why[160];
	assert_int_equal(read_scenario(&s, why), -1);
	assert_non_null(strstr(why, "/scenario/benchmark"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_cover_every_value),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_one_value_and_extremes),
		cmocka_unit_test(test_scenario_full),
		cmocka_unit_test(test_scenario_absent),
		cmocka_unit_test(test_scenario_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
