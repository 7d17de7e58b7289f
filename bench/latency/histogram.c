/*
 * Logarithmic-linear latency histogram (see histogram.h). Bucket b < 64
 * holds the value b; above, bucket 64 * k + s (k >= 1) holds the values
 * whose highest set bit is bit k + 5 and whose next six bits are s.
 */
#include "histogram.h"

#include <string.h>

void histogram_reset(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned histogram_bucket(uint64_t value)
{
	if (value < HISTOGRAM_SUB_BUCKETS)
		return (unsigned)value;
	unsigned top = 63u - (unsigned)__builtin_clzll(value); /* >= SUB_BITS */
	if (top >= HISTOGRAM_MAX_BITS)
		return HISTOGRAM_BUCKETS - 1;
	unsigned shift = top - HISTOGRAM_SUB_BITS;
	unsigned sub = (unsigned)(value >> shift) - HISTOGRAM_SUB_BUCKETS;
	return (shift + 1) * HISTOGRAM_SUB_BUCKETS + sub;
}

uint64_t histogram_bucket_low(unsigned bucket)
{
	if (bucket < HISTOGRAM_SUB_BUCKETS)
		return bucket;
	unsigned shift = bucket / HISTOGRAM_SUB_BUCKETS - 1;
	uint64_t sub = bucket % HISTOGRAM_SUB_BUCKETS + HISTOGRAM_SUB_BUCKETS;
	return sub << shift;
}

uint64_t histogram_bucket_high(unsigned bucket)
{
	if (bucket < HISTOGRAM_SUB_BUCKETS)
		return bucket;
	unsigned shift = bucket / HISTOGRAM_SUB_BUCKETS - 1;
	return histogram_bucket_low(bucket) + (1ull << shift) - 1;
}

void histogram_add(struct histogram *h, uint64_t value)
{
	unsigned b = histogram_bucket(value);
	if (value > histogram_bucket_high(HISTOGRAM_BUCKETS - 1))
		h->clipped++;
	h->buckets[b]++;
	h->count++;
	h->sum = h->sum + value < h->sum ? UINT64_MAX : h->sum + value;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
}

uint64_t histogram_percentile(const struct histogram *h, unsigned per_ten_thousand)
{
	if (h->count == 0)
		return 0;
	/* The rank (1-based) of the value wanted: ceil(count * p). */
	uint64_t rank = (h->count * per_ten_thousand + 9999) / 10000;
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned b = 0; b < HISTOGRAM_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= rank) {
			uint64_t v = histogram_bucket_high(b);
			if (v > h->max)
				v = h->max;
			return v < h->min ? h->min : v;
		}
	}
	return h->max;
}

uint64_t histogram_mean(const struct histogram *h)
{
	return h->count ? h->sum / h->count : 0;
}
