/*
 * Host tests of the root task's page pool (servers/root/pages.c): ranges
 * rounded inward to whole pages, first fit across ranges, no page handed
 * out twice, refusals (too many pages, zero, overflowing counts), ranges
 * that hold no whole page or wrap, page 0 never handed out, and a random
 * sequence checked against a model of every page.
 */
#include "host_test.h"

#include <stdbool.h>

#include "pages.h"

#define P PAGE_SIZE

/* A request and the address it must get (0: refused). */
struct take {
	uint64_t pages, address;
};

/* Run the requests in order on a pool over ranges[0..count). */
static void expect_takes(const struct bootinfo_memory *ranges, size_t count,
			 const struct take *takes, size_t n, uint64_t taken)
{
	struct page_pool pool;

	page_pool_init(&pool, ranges, count);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(page_pool_take(&pool, takes[i].pages), takes[i].address);
	assert_int_equal(pool.taken, taken);
}

static void test_rounds_inward(void **state)
{
	(void)state;
	const struct bootinfo_memory ranges[] = {{0x100123, 3 * P}}; /* 0x101000, 0x102000 */
	const struct take takes[] = {{1, 0x101000}, {1, 0x102000}, {1, 0}};

	expect_takes(ranges, 1, takes, 3, 2);
}

/* Three pages do not fit the first range: the second gives them, and the
 * first still serves smaller requests afterwards. */
static void test_first_fit_across_ranges(void **state)
{
	(void)state;
	const struct bootinfo_memory ranges[] = {{0x200000, 2 * P}, {0x800000, 8 * P}};
	const struct take takes[] = {{3, 0x800000}, {2, 0x200000}, {5, 0x803000}, {1, 0}};

	expect_takes(ranges, 2, takes, 4, 10);
}

static void test_refusals(void **state)
{
	(void)state;
	struct page_pool pool;
	struct bootinfo_memory ranges[] = {{0x200000, 4 * P}};

	page_pool_init(&pool, ranges, 1);
	assert_int_equal(page_pool_take(&pool, 0), 0);
	assert_int_equal(page_pool_take(&pool, 5), 0);
	assert_int_equal(page_pool_take(&pool, UINT64_MAX), 0);
	assert_int_equal(page_pool_take(&pool, UINT64_MAX / P + 1), 0);
	assert_int_equal(pool.taken, 0);
	assert_int_equal(page_pool_take(&pool, 4), 0x200000);
}

static void test_bad_ranges(void **state)
{
	(void)state;
	struct page_pool pool;
	struct bootinfo_memory ranges[] = {
	    {0x300001, P},	     /* no whole page */
	    {UINT64_MAX - P, 2 * P}, /* wraps */
	    {0x0, 2 * P},	     /* page 0 is left out: 0 means none */
	    {0x400000, 0},	     /* empty */
	};

	page_pool_init(&pool, ranges, 4);
	assert_int_equal(pool.count, 1);
	assert_int_equal(page_pool_take(&pool, 1), P);
	assert_int_equal(page_pool_take(&pool, 1), 0);
}

static void test_too_many_ranges(void **state)
{
	(void)state;
	struct page_pool pool;
	struct bootinfo_memory ranges[BOOTINFO_MAX_MEMORY + 2];

	for (unsigned i = 0; i < BOOTINFO_MAX_MEMORY + 2; i++)
		ranges[i] = (struct bootinfo_memory){(i + 1) * 0x100000ull, P};
	page_pool_init(&pool, ranges, BOOTINFO_MAX_MEMORY + 2);
	assert_int_equal(pool.count, BOOTINFO_MAX_MEMORY);
}

/* Random requests: every page handed out lies in a range and only once. */
static void test_random_against_model(void **state)
{
	(void)state;
	enum { PAGES = 64 };
	struct bootinfo_memory ranges[] = {{0x10000, 7 * P}, {0x40000, 20 * P}, {0x100000, 37 * P}};
	static bool used[3][PAGES];
	struct rng r = {42};
	struct page_pool pool;
	uint64_t handed = 0;

	page_pool_init(&pool, ranges, 3);
	for (unsigned round = 0; round < 200; round++) {
		uint64_t n = 1 + rng_below(&r, 6);
		uint64_t address = page_pool_take(&pool, n);
		if (address == 0)
			continue;
		handed += n;
		for (uint64_t p = 0; p < n; p++) {
			uint64_t a = address + p * P;
			bool inside = false;
			for (unsigned i = 0; i < 3; i++) {
				if (a < ranges[i].base || a >= ranges[i].base + ranges[i].size)
					continue;
				uint64_t page = (a - ranges[i].base) / P;
				assert_false(used[i][page]);
				used[i][page] = true;
				inside = true;
			}
			assert_true(inside);
		}
	}
	assert_int_equal(pool.taken, handed);
	/* Single pages fill every gap the larger requests left. */
	while (page_pool_take(&pool, 1) != 0)
		handed++;
	assert_int_equal(handed, 7 + 20 + 37);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rounds_inward),   cmocka_unit_test(test_first_fit_across_ranges),
	    cmocka_unit_test(test_refusals),	    cmocka_unit_test(test_bad_ranges),
	    cmocka_unit_test(test_too_many_ranges), cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests_name("pages", tests, NULL, NULL);
}
