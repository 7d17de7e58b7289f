/*
 * Helpers shared by the host unit tests: cmocka's headers in the order it
 * wants them, and a small deterministic random number generator for the
 * fuzz tests (xorshift64*, fixed seeds, so a failure reproduces).
 */
#ifndef VIREO_HOST_TEST_H
#define VIREO_HOST_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct rng {
	uint64_t state;
};

static inline uint64_t rng_next(struct rng *r)
{
	r->state ^= r->state >> 12;
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return r->state * 0x2545f4914f6cdd1dull;
}

static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* Flip 1 to 8 random bits, or overwrite a few bytes with edge values. */
static inline void rng_mutate(struct rng *r, uint8_t *buf, size_t len)
{
	static const uint8_t edge[] = { 0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe };
	unsigned n = 1 + (unsigned)rng_below(r, 8);

	if (!len)
		return;
	for (unsigned i = 0; i < n; i++) {
		size_t at = rng_below(r, len);

		if (rng_below(r, 4) == 0)
			buf[at] = edge[rng_below(r, sizeof(edge))];
		else
			buf[at] ^= (uint8_t)(1u << rng_below(r, 8));
	}
}

/* Checksum byte that makes the n bytes at p sum to 0 (ACPI). */
static inline uint8_t checksum_fix(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return (uint8_t)-s;
}

#endif
