/*
 * Host tests of kernel/mm/frame.c over a fake RAM of 32 MiB at physical
 * address 0. Checks that only usable-minus-reserved frames above 1 MiB are
 * handed out, each once; that frees are checked; that messy memory maps
 * (unaligned, overlapping, wrapping, too many pieces) are handled; and a
 * random alloc/free/contiguous sequence against a simple model.
 */
#include "host_test.h"

#include <frame.h>
#include <stdbool.h>

#define RAM_SIZE (32ull << 20)
#define MiB (1ull << 20)

static uint8_t *ram;
static struct frame_allocator fa;
static uint8_t owned[RAM_SIZE / FRAME_SIZE]; /* model: 1 = allocated by us */

static void *fake_phys_to_virt(uint64_t phys)
{
	if (phys >= RAM_SIZE)
		fail_msg("phys_to_virt(0x%llx) outside fake RAM",
			 (unsigned long long)phys);
	return ram + phys;
}

static int setup(void **state)
{
	(void)state;
	ram = aligned_alloc(FRAME_SIZE, RAM_SIZE);
	memset(owned, 0, sizeof(owned));
	memset(&fa, 0, sizeof(fa));
	fa.phys_to_virt = fake_phys_to_virt;
	return ram ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

/* The QEMU-like map: low memory, a hole, RAM to 32 MiB; kernel at 1-3 MiB. */
static const struct mem_range qemu_usable[] = {
	{ 0, 0x9fc00 },
	{ 0x100000, RAM_SIZE - 0x100000 },
};
static const struct mem_range kernel_reserved[] = {
	{ 0x100000, 0x200000 },
};

static bool in(uint64_t p, const struct mem_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p >= r[i].base && p - r[i].base < r[i].length)
			return true;
	return false;
}

/* Allocate everything; check each frame; return the count. */
static uint64_t drain(const struct mem_range *usable, size_t n,
		      const struct mem_range *reserved, size_t m)
{
	uint64_t count = 0, p;

	while ((p = frame_alloc(&fa)) != 0) {
		assert_int_equal(p % FRAME_SIZE, 0);
		assert_true(p >= FRAME_LOW_LIMIT);
		assert_true(p < RAM_SIZE);
		assert_false(owned[p / FRAME_SIZE]);
		owned[p / FRAME_SIZE] = 1;
		/* Whole frame inside usable, not touching reserved. */
		assert_true(in(p, usable, n) && in(p + FRAME_SIZE - 1, usable, n));
		for (uint64_t b = p; b < p + FRAME_SIZE; b += 512)
			assert_false(in(b, reserved, m));
		assert_false(p >= fa.bitmap_phys && p < fa.bitmap_phys + fa.bitmap_bytes);
		/* Scribble over it: the allocator must not keep data there. */
		memset(ram + p, 0xa5, FRAME_SIZE);
		count++;
	}
	assert_int_equal(frame_count_free(&fa), 0);
	return count;
}

static void test_qemu_map(void **state)
{
	uint64_t expected = (RAM_SIZE - 0x300000) / FRAME_SIZE - 1; /* - bitmap */

	(void)state;
	frame_init(&fa, qemu_usable, 2, kernel_reserved, 1);
	assert_int_equal(frame_count_free(&fa), expected);
	assert_int_equal(fa.total_count, expected);
	assert_int_equal(drain(qemu_usable, 2, kernel_reserved, 1), expected);
	assert_int_equal(frame_alloc(&fa), 0);
}

static void test_free_and_reuse(void **state)
{
	uint64_t a, b, c;

	(void)state;
	frame_init(&fa, qemu_usable, 2, kernel_reserved, 1);
	uint64_t total = frame_count_free(&fa);
	a = frame_alloc(&fa);
	b = frame_alloc(&fa);
	c = frame_alloc(&fa);
	assert_true(a && b && c && a != b && b != c);
	assert_int_equal(frame_count_free(&fa), total - 3);
	assert_null(frame_free(&fa, b));
	assert_int_equal(frame_count_free(&fa), total - 2);
	assert_int_equal(frame_alloc(&fa), b); /* LIFO reuse */
	assert_null(frame_free(&fa, a));
	assert_null(frame_free(&fa, b));
	assert_null(frame_free(&fa, c));
	assert_int_equal(frame_count_free(&fa), total);
}

static void test_bad_frees(void **state)
{
	uint64_t a;

	(void)state;
	frame_init(&fa, qemu_usable, 2, kernel_reserved, 1);
	a = frame_alloc(&fa);
	uint64_t before = frame_count_free(&fa);
	assert_string_equal(frame_free(&fa, a + 8), "not frame aligned");
	assert_string_equal(frame_free(&fa, 0), "not a managed frame");
	assert_string_equal(frame_free(&fa, 0x200000), "not a managed frame"); /* kernel */
	assert_string_equal(frame_free(&fa, fa.bitmap_phys), "not a managed frame");
	assert_string_equal(frame_free(&fa, 0x4000000), "not a managed frame");
	/* Managed but never handed out. */
	assert_string_equal(frame_free(&fa, RAM_SIZE - FRAME_SIZE),
			    "not allocated (double free?)");
	assert_null(frame_free(&fa, a));
	assert_string_equal(frame_free(&fa, a), "not allocated (double free?)");
	assert_int_equal(frame_count_free(&fa), before + 1);
}

static void test_unaligned_ranges(void **state)
{
	const struct mem_range usable[] = { { 0x100123, 0x100000 } };
	const struct mem_range reserved[] = { { 0x150010, 0x10 } };

	(void)state;
	frame_init(&fa, usable, 1, reserved, 1);
	/* Usable rounds inward to [0x101000, 0x200000): 255 frames; the
	 * reserved 16 bytes round outward to the frame 0x150000; 1 bitmap. */
	assert_int_equal(frame_count_free(&fa), 255 - 1 - 1);
	drain(usable, 1, reserved, 1);
	assert_false(owned[0x150000 / FRAME_SIZE]);
	assert_false(owned[0x100000 / FRAME_SIZE]);
	assert_false(owned[0x200000 / FRAME_SIZE]);
}

static void test_overlapping_usable(void **state)
{
	const struct mem_range usable[] = {
		{ 0x400000, 0x200000 },
		{ 0x500000, 0x200000 },
		{ 0x400000, 0x100000 },
		{ 0x680000, 0x1000 },
	};

	(void)state;
	frame_init(&fa, usable, 4, NULL, 0);
	assert_int_equal(fa.range_count, 1);
	assert_int_equal(frame_count_free(&fa), 0x300 - 1);
	assert_int_equal(drain(usable, 4, NULL, 0), 0x300 - 1); /* no duplicates */
}

static void test_low_memory_never(void **state)
{
	const struct mem_range usable[] = { { 0, 0x200000 } };

	(void)state;
	frame_init(&fa, usable, 1, NULL, 0);
	assert_int_equal(frame_count_free(&fa), 0x100 - 1);
	drain(usable, 1, NULL, 0);
	for (uint64_t f = 0; f < FRAME_LOW_LIMIT / FRAME_SIZE; f++)
		assert_false(owned[f]);
}

static void test_wrapping_and_empty(void **state)
{
	const struct mem_range usable[] = {
		{ 0xfffffffffffff000ull, 0x2000 }, /* wraps */
		{ 0xffffffffffff0000ull, 0xffffffffffffffffull },
		{ 0x300000, 0 },                    /* empty */
		{ 0x300800, 0x400 },                /* less than a frame */
		{ 0x400000, 0x10000 },
	};
	const struct mem_range reserved[] = {
		{ RAM_SIZE, 0xffffffffffffffffull }, /* everything above fake RAM */
	};

	(void)state;
	frame_init(&fa, usable, 5, reserved, 1);
	assert_int_equal(frame_count_free(&fa), 16 - 1);
	drain(usable, 5, reserved, 1);
}

static void test_nothing_usable(void **state)
{
	const struct mem_range usable[] = { { 0x1000, 0x9f000 } };

	(void)state;
	frame_init(&fa, usable, 1, NULL, 0);
	assert_int_equal(frame_count_free(&fa), 0);
	assert_int_equal(frame_alloc(&fa), 0);
	assert_int_equal(frame_alloc_contiguous(&fa, 1, 0), 0);
	frame_init(&fa, NULL, 0, NULL, 0);
	assert_int_equal(frame_alloc(&fa), 0);
	assert_string_equal(frame_free(&fa, 0x100000), "not a managed frame");
}

static void test_all_reserved(void **state)
{
	const struct mem_range reserved[] = { { 0, RAM_SIZE } };

	(void)state;
	frame_init(&fa, qemu_usable, 2, reserved, 1);
	assert_int_equal(frame_count_free(&fa), 0);
	assert_int_equal(frame_alloc(&fa), 0);
}

static void test_too_many_ranges(void **state)
{
	struct mem_range usable[100];

	(void)state;
	/* 100 ranges of 1 to 100 frames, each followed by a one-frame hole. */
	uint64_t base = 2 * MiB;
	for (int i = 0; i < 100; i++) {
		usable[i] = (struct mem_range){ base, (uint64_t)(i + 1) * FRAME_SIZE };
		base += (uint64_t)(i + 2) * FRAME_SIZE;
	}
	frame_init(&fa, usable, 100, NULL, 0);
	assert_int_equal(fa.range_count, FRAME_MAX_RANGES);
	assert_int_equal(fa.dropped_ranges, 100 - FRAME_MAX_RANGES);
	/* The smallest were dropped: 1 + ... + 36 frames. */
	assert_int_equal(fa.dropped_bytes, 36 * 37 / 2 * FRAME_SIZE);
	drain(usable, 100, NULL, 0);
}

static void test_split_at_limit(void **state)
{
	struct mem_range usable[FRAME_MAX_RANGES];
	struct mem_range reserved[4];

	(void)state;
	/* 64 ranges of 8 frames, and reserved frames in the middle of 4. */
	for (int i = 0; i < FRAME_MAX_RANGES; i++)
		usable[i] = (struct mem_range){ 2 * MiB + i * 0x10000ull, 8 * FRAME_SIZE };
	for (int i = 0; i < 4; i++)
		reserved[i] = (struct mem_range){ usable[i * 10].base + 3 * FRAME_SIZE,
						  FRAME_SIZE };
	frame_init(&fa, usable, FRAME_MAX_RANGES, reserved, 4);
	assert_true(fa.range_count <= FRAME_MAX_RANGES);
	assert_true(fa.dropped_ranges >= 4);
	uint64_t managed = fa.total_count;
	assert_int_equal(drain(usable, FRAME_MAX_RANGES, reserved, 4), managed);
	/* Ranges are sorted and disjoint. */
	for (size_t i = 1; i < fa.range_count; i++)
		assert_true(fa.ranges[i - 1].end <= fa.ranges[i].base);
}

static void test_contiguous(void **state)
{
	uint64_t p, total;

	(void)state;
	frame_init(&fa, qemu_usable, 2, kernel_reserved, 1);
	total = frame_count_free(&fa);
	(void)frame_alloc(&fa); /* misalign the bump cursor */
	p = frame_alloc_contiguous(&fa, 16, 0x10000);
	assert_int_not_equal(p, 0);
	assert_int_equal(p % 0x10000, 0);
	assert_int_equal(frame_count_free(&fa), total - 17);
	/* The frames skipped for alignment are still handed out. */
	uint64_t n = drain(qemu_usable, 2, kernel_reserved, 1);
	assert_int_equal(n, total - 17);
	for (uint64_t k = 0; k < 16; k++) {
		assert_false(owned[p / FRAME_SIZE + k]);
		assert_null(frame_free(&fa, p + k * FRAME_SIZE));
	}
	assert_int_equal(frame_count_free(&fa), 16);
	/* Bad arguments and requests that cannot fit. */
	assert_int_equal(frame_alloc_contiguous(&fa, 0, 0), 0);
	assert_int_equal(frame_alloc_contiguous(&fa, 1, 0x3000), 0);
	assert_int_equal(frame_alloc_contiguous(&fa, 1, 0x800), 0);
	assert_int_equal(frame_alloc_contiguous(&fa, SIZE_MAX, 0), 0);
}

/* Handing the top of memory to the root task: never-used frames only,
 * highest first, and they are no longer the allocator's. */
static void test_split_top(void **state)
{
	static const struct mem_range two[] = {
		{ 0x100000, 4 * MiB },
		{ 16 * MiB, 2 * MiB },
	};
	struct mem_range out[4];
	uint64_t total, p;

	(void)state;
	frame_init(&fa, two, 2, NULL, 0);
	total = frame_count_free(&fa);
	p = frame_alloc(&fa);
	/* 2 MiB from the top range, the rest from the lower one's top. */
	size_t n = frame_split_top(&fa, 768, out, 4);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].base, 16 * MiB);
	assert_int_equal(out[0].length, 2 * MiB);
	assert_int_equal(out[1].base + out[1].length, 0x100000 + 4 * MiB);
	assert_int_equal(out[1].length, 256 * FRAME_SIZE);
	assert_int_equal(frame_count_free(&fa), total - 1 - 768);
	assert_string_equal(frame_free(&fa, out[0].base), "not a managed frame");
	assert_string_equal(frame_free(&fa, out[1].base), "not a managed frame");
	/* What is left is still handed out, once, and never a split frame. */
	for (uint64_t q; (q = frame_alloc(&fa));)
		assert_true(q < out[1].base);
	assert_null(frame_free(&fa, p));
	/* Asking for more than there is takes what there is; max is kept. */
	frame_init(&fa, two, 2, NULL, 0);
	total = frame_count_free(&fa);
	assert_int_equal(frame_split_top(&fa, UINT64_MAX, out, 1), 1);
	assert_int_equal(frame_count_free(&fa), total - 512);
	assert_int_equal(frame_split_top(&fa, 0, out, 4), 0);
}

/* Random maps and random alloc/free/contiguous sequences against the model. */
static void test_random_sequences(void **state)
{
	struct rng r = { 0xf4a3e };

	(void)state;
	for (int round = 0; round < 40; round++) {
		struct mem_range usable[12], reserved[12];
		size_t n = 1 + rng_below(&r, 12), m = rng_below(&r, 12);
		static uint64_t held[8192];
		size_t nheld = 0;

		for (size_t i = 0; i < n; i++)
			usable[i] = (struct mem_range){ rng_below(&r, RAM_SIZE),
							rng_below(&r, 8 * MiB) };
		for (size_t i = 0; i < m; i++)
			reserved[i] = (struct mem_range){ rng_below(&r, RAM_SIZE),
							  rng_below(&r, 2 * MiB) };
		/* Keep everything inside the fake RAM. */
		reserved[m++] = (struct mem_range){ RAM_SIZE, UINT64_MAX - RAM_SIZE };
		memset(owned, 0, sizeof(owned));
		frame_init(&fa, usable, n, reserved, m);
		uint64_t total = frame_count_free(&fa);

		for (int step = 0; step < 4000; step++) {
			uint64_t k = rng_below(&r, 10), p;

			if (k < 6 && nheld < 8192) {
				p = frame_alloc(&fa);
				if (!p)
					continue;
				assert_false(owned[p / FRAME_SIZE]);
				assert_true(in(p, usable, n));
				assert_false(in(p, reserved, m));
				owned[p / FRAME_SIZE] = 1;
				held[nheld++] = p;
			} else if (k < 9 && nheld) {
				size_t i = rng_below(&r, nheld);

				p = held[i];
				held[i] = held[--nheld];
				assert_null(frame_free(&fa, p));
				owned[p / FRAME_SIZE] = 0;
				/* A second free is always caught. */
				assert_non_null(frame_free(&fa, p));
			} else if (nheld + 8 <= 8192) {
				size_t count = 1 + rng_below(&r, 8);

				p = frame_alloc_contiguous(&fa, count, FRAME_SIZE << rng_below(&r, 5));
				for (size_t j = 0; p && j < count; j++) {
					uint64_t q = p + j * FRAME_SIZE;

					assert_false(owned[q / FRAME_SIZE]);
					assert_false(in(q, reserved, m));
					owned[q / FRAME_SIZE] = 1;
					held[nheld++] = q;
				}
			}
			assert_int_equal(frame_count_free(&fa) + nheld, total);
		}
		while (nheld)
			assert_null(frame_free(&fa, held[--nheld]));
		assert_int_equal(frame_count_free(&fa), total);
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qemu_map),
		T(test_free_and_reuse),
		T(test_bad_frees),
		T(test_unaligned_ranges),
		T(test_overlapping_usable),
		T(test_low_memory_never),
		T(test_wrapping_and_empty),
		T(test_nothing_usable),
		T(test_all_reserved),
		T(test_too_many_ranges),
		T(test_split_at_limit),
		T(test_contiguous),
		T(test_split_top),
		T(test_random_sequences),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
