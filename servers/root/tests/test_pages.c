/*
 * Host tests of the root task's page pool (servers/root/pages.c): ranges
 * rounded inward to whole pages, first fit across ranges, no page handed
 * out twice, refusals (too many pages, zero, overflowing counts), ranges
 * that hold no whole page, wrap or overlap, page 0 never handed out;
 * pages given back and handed out again, neighbours joined, gives refused
 * (foreign, misaligned, twice, no room) without a change, page lists; and
 * a random sequence of takes and gives checked against a model of every
 * page.
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
	assert_int_equal(pool.range_count, 1);
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
	assert_int_equal(pool.range_count, BOOTINFO_MAX_MEMORY);
}

/* A pool whose every free extent is its range again. */
static void expect_whole(const struct page_pool *pool, const struct bootinfo_memory *ranges,
			 size_t count)
{
	assert_int_equal(pool->taken, 0);
	assert_int_equal(pool->count, count);
	for (size_t i = 0; i < count; i++) {
		assert_int_equal(pool->free[i].address, ranges[i].base);
		assert_int_equal(pool->free[i].pages, ranges[i].size / P);
	}
}

/* Pages given back are handed out again, first fit by address. */
static void test_give_back_and_reuse(void **state)
{
	(void)state;
	struct page_pool pool;
	const struct bootinfo_memory ranges[] = {{0x200000, 10 * P}};

	page_pool_init(&pool, ranges, 1);
	assert_int_equal(page_pool_take(&pool, 2), 0x200000);
	assert_int_equal(page_pool_take(&pool, 3), 0x202000);
	assert_int_equal(page_pool_take(&pool, 5), 0x205000);
	assert_int_equal(page_pool_take(&pool, 1), 0);
	assert_int_equal(page_pool_give(&pool, 0x202000, 3), STATUS_OK);
	assert_int_equal(pool.taken, 7);
	assert_int_equal(page_pool_take(&pool, 4), 0);
	assert_int_equal(page_pool_take(&pool, 1), 0x202000);
	assert_int_equal(page_pool_take(&pool, 2), 0x203000);
	/* Given back in any order, neighbours join into the whole range. */
	assert_int_equal(page_pool_give(&pool, 0x205000, 5), STATUS_OK);
	assert_int_equal(page_pool_give(&pool, 0x200000, 2), STATUS_OK);
	assert_int_equal(pool.count, 2);
	assert_int_equal(page_pool_give(&pool, 0x203000, 2), STATUS_OK);
	assert_int_equal(pool.count, 2);
	assert_int_equal(page_pool_give(&pool, 0x202000, 1), STATUS_OK);
	expect_whole(&pool, ranges, 1);
	assert_int_equal(page_pool_take(&pool, 10), 0x200000);
}

/* What page_pool_give refuses leaves the pool as it was. */
static void test_give_refusals(void **state)
{
	(void)state;
	struct page_pool pool, before;
	const struct bootinfo_memory ranges[] = {{0x200000, 8 * P}, {0x400000, 8 * P}};
	static const struct {
		uint64_t address, pages;
		enum status status;
	} gives[] = {
	    {0x201000, 0, STATUS_BAD_ARG},
	    {0x201001, 1, STATUS_BAD_ADDRESS},		 /* not page aligned */
	    {0x100000, 1, STATUS_BAD_ADDRESS},		 /* no range's */
	    {0x207000, 2, STATUS_BAD_ADDRESS},		 /* past the range's end */
	    {0x3ff000, 2, STATUS_BAD_ADDRESS},		 /* before the range */
	    {UINT64_MAX - P + 1, 2, STATUS_BAD_ADDRESS}, /* wraps */
	    {0x200000, UINT64_MAX / P, STATUS_BAD_ADDRESS},
	    {0x204000, 1, STATUS_NOT_FOUND}, /* free: never taken */
	    {0x203000, 2, STATUS_NOT_FOUND}, /* half taken, half free */
	};

	page_pool_init(&pool, ranges, 2);
	assert_int_equal(page_pool_take(&pool, 4), 0x200000);
	before = pool;
	for (size_t i = 0; i < sizeof(gives) / sizeof(gives[0]); i++) {
		assert_int_equal(page_pool_give(&pool, gives[i].address, gives[i].pages),
				 gives[i].status);
		assert_memory_equal(&pool, &before, sizeof(pool));
	}
	assert_int_equal(page_pool_give(&pool, 0x201000, 1), STATUS_OK);
	assert_int_equal(page_pool_give(&pool, 0x201000, 1), STATUS_NOT_FOUND); /* twice */
}

/* Ranges that touch make one extent; one taken across both goes back. */
static void test_touching_and_overlapping_ranges(void **state)
{
	(void)state;
	struct page_pool pool;
	const struct bootinfo_memory ranges[] = {
	    {0x102000, 2 * P}, {0x100000, 2 * P}, {0x101000, 4 * P} /* overlaps: left out */};

	page_pool_init(&pool, ranges, 3);
	assert_int_equal(pool.range_count, 2);
	assert_int_equal(pool.count, 1);
	assert_int_equal(page_pool_take(&pool, 4), 0x100000);
	assert_int_equal(page_pool_give(&pool, 0x100000, 4), STATUS_OK);
	assert_int_equal(pool.free[0].pages, 4);
}

/* A pool full of free extents refuses a give that joins none, and takes
 * one that joins two. */
static void test_extents_full(void **state)
{
	(void)state;
	enum { PAGES = 2 * PAGE_POOL_EXTENTS + 2 };
	static struct page_pool pool;
	const struct bootinfo_memory ranges[] = {{0x1000000, PAGES * (uint64_t)P}};

	page_pool_init(&pool, ranges, 1);
	for (unsigned i = 0; i < PAGES; i++)
		assert_int_equal(page_pool_take(&pool, 1), 0x1000000 + i * (uint64_t)P);
	for (unsigned i = 0; i < PAGE_POOL_EXTENTS; i++)
		assert_int_equal(page_pool_give(&pool, 0x1000000 + 2 * i * (uint64_t)P, 1),
				 STATUS_OK);
	assert_int_equal(pool.count, PAGE_POOL_EXTENTS);
	uint64_t last = 0x1000000 + (PAGES - 1) * (uint64_t)P;
	assert_int_equal(page_pool_give(&pool, last, 1), STATUS_NO_MEM);
	assert_int_equal(page_pool_give(&pool, 0x1000000 + P, 1), STATUS_OK);
	assert_int_equal(pool.count, PAGE_POOL_EXTENTS - 1);
	assert_int_equal(page_pool_give(&pool, last, 1), STATUS_OK);
}

/* A page list takes from its pool, counts, and gives everything back. */
static void test_page_list(void **state)
{
	(void)state;
	struct page_pool pool;
	struct page_list list;
	const struct bootinfo_memory ranges[] = {{0x200000, 64 * P}};

	page_pool_init(&pool, ranges, 1);
	page_list_init(&list, &pool);
	assert_int_equal(page_list_take(&list, 30), 0x200000);
	assert_int_equal(page_list_take(&list, 40), 0); /* the pool has 34 */
	for (unsigned i = 1; i < PAGE_LIST_MAX; i++)
		assert_int_equal(page_list_take(&list, 1), 0x200000 + (29 + i) * (uint64_t)P);
	assert_int_equal(page_list_take(&list, 1), 0); /* the list is full */
	assert_int_equal(page_list_pages(&list), 30 + PAGE_LIST_MAX - 1);
	assert_int_equal(pool.taken, 30 + PAGE_LIST_MAX - 1);
	assert_int_equal(page_list_give_back(&list), STATUS_OK);
	assert_int_equal(list.count, 0);
	expect_whole(&pool, ranges, 1);

	/* A refused extent is reported; the others still go back. */
	assert_int_equal(page_list_take(&list, 2), 0x200000);
	assert_int_equal(page_list_take(&list, 2), 0x202000);
	list.extents[0].address = 0x100000;
	assert_int_equal(page_list_give_back(&list), STATUS_BAD_ADDRESS);
	assert_int_equal(pool.taken, 2);
}

/* Random takes and gives: every page handed out lies in a range and is
 * out only once; when all is back the pool is whole again. */
static void test_random_against_model(void **state)
{
	(void)state;
	enum { PAGES = 64, HELD = 40 };
	const struct bootinfo_memory ranges[] = {
	    {0x10000, 7 * P}, {0x40000, 20 * P}, {0x100000, 37 * P}};
	static bool used[3][PAGES];
	struct page_extent held[HELD];
	size_t held_count = 0;
	struct rng r = {42};
	struct page_pool pool;
	uint64_t out = 0;

	page_pool_init(&pool, ranges, 3);
	for (unsigned round = 0; round < 5000; round++) {
		if (held_count > 0 && (held_count == HELD || rng_below(&r, 2) == 0)) {
			size_t k = rng_below(&r, held_count);
			struct page_extent e = held[k];
			assert_int_equal(page_pool_give(&pool, e.address, e.pages), STATUS_OK);
			for (uint64_t p = 0; p < e.pages; p++)
				for (unsigned i = 0; i < 3; i++)
					if (e.address + p * P >= ranges[i].base &&
					    e.address + p * P < ranges[i].base + ranges[i].size)
						used[i][(e.address + p * P - ranges[i].base) / P] =
						    false;
			out -= e.pages;
			held[k] = held[--held_count];
			continue;
		}
		uint64_t n = 1 + rng_below(&r, 6);
		uint64_t address = page_pool_take(&pool, n);
		if (address == 0)
			continue;
		out += n;
		held[held_count++] = (struct page_extent){address, n};
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
		assert_int_equal(pool.taken, out);
	}
	while (held_count > 0) {
		held_count--;
		assert_int_equal(
		    page_pool_give(&pool, held[held_count].address, held[held_count].pages),
		    STATUS_OK);
	}
	expect_whole(&pool, ranges, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rounds_inward),
	    cmocka_unit_test(test_first_fit_across_ranges),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_bad_ranges),
	    cmocka_unit_test(test_too_many_ranges),
	    cmocka_unit_test(test_give_back_and_reuse),
	    cmocka_unit_test(test_give_refusals),
	    cmocka_unit_test(test_touching_and_overlapping_ranges),
	    cmocka_unit_test(test_extents_full),
	    cmocka_unit_test(test_page_list),
	    cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests_name("pages", tests, NULL, NULL);
}
