/*
 * A latency histogram with logarithmic-linear buckets (the layout of
 * HdrHistogram): values below HISTOGRAM_SUB_BUCKETS are counted exactly,
 * every power of two above is cut into HISTOGRAM_SUB_BUCKETS equal buckets,
 * so a bucket is never wider than 1/HISTOGRAM_SUB_BUCKETS of its values
 * (1.6 %). It keeps the exact minimum, maximum and sum beside the counts.
 * Memory is fixed (no allocation), adding is O(1), and nothing here
 * depends on Vireo: the host unit tests (bench/tests/) check it.
 */
#ifndef BENCH_HISTOGRAM_H
#define BENCH_HISTOGRAM_H

#include <stdint.h>

#define HISTOGRAM_SUB_BITS 6
#define HISTOGRAM_SUB_BUCKETS (1u << HISTOGRAM_SUB_BITS)
/* Values up to 2^40 - 1 fit (18 minutes at 1 GHz); larger ones count in
 * the last bucket and in `clipped`. */
#define HISTOGRAM_MAX_BITS 40
#define HISTOGRAM_BUCKETS ((HISTOGRAM_MAX_BITS - HISTOGRAM_SUB_BITS + 1) * HISTOGRAM_SUB_BUCKETS)

struct histogram {
	uint64_t count;
	uint64_t min, max;
	uint64_t sum;     /* saturates at UINT64_MAX instead of wrapping */
	uint64_t clipped; /* values above the last bucket */
	uint32_t buckets[HISTOGRAM_BUCKETS];
};

/* Empties h. */
void histogram_reset(struct histogram *h);

/* Counts one value. */
void histogram_add(struct histogram *h, uint64_t value);

/* The bucket a value falls in, and the bucket's value range [low, high]. */
unsigned histogram_bucket(uint64_t value);
uint64_t histogram_bucket_low(unsigned bucket);
uint64_t histogram_bucket_high(unsigned bucket);

/*
 * The value below which `per_mille_tenths` / 10000 of the values lie (so
 * 5000 is the median, 9990 the 99.9th percentile): the upper bound of the
 * bucket that holds the ceil(count * p)-th smallest value, clamped to
 * [min, max]. Returns 0 for an empty histogram.
 */
uint64_t histogram_percentile(const struct histogram *h, unsigned per_ten_thousand);

/* The mean rounded down; 0 for an empty histogram. */
uint64_t histogram_mean(const struct histogram *h);

#endif
