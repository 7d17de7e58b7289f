/*
 * The root task's page pool (see pages.h).
 */
#include "pages.h"

#include <stdbool.h>

static uint64_t extent_end(const struct page_extent *e)
{
	return e->address + e->pages * PAGE_SIZE;
}

/* The index of the first free extent above address (count if none). */
static size_t free_after(const struct page_pool *pool, uint64_t address)
{
	size_t i = 0;

	while (i < pool->count && pool->free[i].address <= address)
		i++;
	return i;
}

/* Free extents i and i + 1 touch: make them one. */
static void join_next(struct page_pool *pool, size_t i)
{
	pool->free[i].pages += pool->free[i + 1].pages;
	for (size_t j = i + 1; j + 1 < pool->count; j++)
		pool->free[j] = pool->free[j + 1];
	pool->count--;
}

/* Put the pages [address, end) among the free extents, joined with the
 * ones they touch: NOT_FOUND when they overlap a free one, NO_MEM when a
 * new extent is needed and there is no room. */
static enum status put_free(struct page_pool *pool, uint64_t address, uint64_t end)
{
	size_t i = free_after(pool, address);
	struct page_extent *before = i > 0 ? &pool->free[i - 1] : NULL;
	struct page_extent *after = i < pool->count ? &pool->free[i] : NULL;

	if ((before && extent_end(before) > address) || (after && end > after->address))
		return STATUS_NOT_FOUND;
	bool joins_before = before && extent_end(before) == address;
	bool joins_after = after && end == after->address;
	if (!joins_before && !joins_after && pool->count == PAGE_POOL_EXTENTS)
		return STATUS_NO_MEM;
	if (joins_before) {
		before->pages += (end - address) / PAGE_SIZE;
		if (joins_after)
			join_next(pool, i - 1);
	} else if (joins_after) {
		after->address = address;
		after->pages += (end - address) / PAGE_SIZE;
	} else {
		for (size_t j = pool->count; j > i; j--)
			pool->free[j] = pool->free[j - 1];
		pool->free[i] = (struct page_extent){address, (end - address) / PAGE_SIZE};
		pool->count++;
	}
	return STATUS_OK;
}

void page_pool_init(struct page_pool *pool, const struct bootinfo_memory *ranges, size_t count)
{
	pool->range_count = 0;
	pool->count = 0;
	pool->taken = 0;
	for (size_t i = 0; i < count && i < BOOTINFO_MAX_MEMORY; i++) {
		uint64_t base = ranges[i].base, size = ranges[i].size;
		if (size > UINT64_MAX - base)
			continue; /* wraps: no such memory */
		uint64_t first = (base + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		uint64_t end = (base + size) & ~(uint64_t)(PAGE_SIZE - 1);
		if (first == 0)
			first = PAGE_SIZE; /* 0 means "none" to page_pool_take's callers */
		if (first < base || first >= end)
			continue; /* no whole page */
		if (put_free(pool, first, end) != STATUS_OK)
			continue; /* overlaps a range before it */
		pool->ranges[pool->range_count].first = first;
		pool->ranges[pool->range_count].end = end;
		pool->range_count++;
	}
}

uint64_t page_pool_take(struct page_pool *pool, uint64_t pages)
{
	if (pages == 0 || pages > UINT64_MAX / PAGE_SIZE)
		return 0;
	for (size_t i = 0; i < pool->count; i++) {
		struct page_extent *e = &pool->free[i];
		if (e->pages < pages)
			continue;
		uint64_t address = e->address;
		e->address += pages * PAGE_SIZE;
		e->pages -= pages;
		if (e->pages == 0) {
			for (size_t j = i; j + 1 < pool->count; j++)
				pool->free[j] = pool->free[j + 1];
			pool->count--;
		}
		pool->taken += pages;
		return address;
	}
	return 0;
}

/* Every page of [address, end) lies in a range of the pool (an extent
 * taken may span two ranges that touch). */
static bool in_ranges(const struct page_pool *pool, uint64_t address, uint64_t end)
{
	while (address < end) {
		size_t i = 0;
		while (i < pool->range_count &&
		       !(address >= pool->ranges[i].first && address < pool->ranges[i].end))
			i++;
		if (i == pool->range_count)
			return false;
		address = pool->ranges[i].end;
	}
	return true;
}

enum status page_pool_give(struct page_pool *pool, uint64_t address, uint64_t pages)
{
	if (pages == 0)
		return STATUS_BAD_ARG;
	if (address % PAGE_SIZE != 0 || pages > (UINT64_MAX - address) / PAGE_SIZE)
		return STATUS_BAD_ADDRESS;
	uint64_t end = address + pages * PAGE_SIZE;
	if (!in_ranges(pool, address, end))
		return STATUS_BAD_ADDRESS;
	enum status s = put_free(pool, address, end);
	if (s == STATUS_OK)
		pool->taken -= pages;
	return s;
}

void page_list_init(struct page_list *list, struct page_pool *pool)
{
	list->pool = pool;
	list->count = 0;
}

uint64_t page_list_take(struct page_list *list, uint64_t pages)
{
	if (list->count == PAGE_LIST_MAX)
		return 0;
	uint64_t address = page_pool_take(list->pool, pages);
	if (address != 0)
		list->extents[list->count++] = (struct page_extent){address, pages};
	return address;
}

uint64_t page_list_pages(const struct page_list *list)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < list->count; i++)
		pages += list->extents[i].pages;
	return pages;
}

enum status page_list_give_back(struct page_list *list)
{
	enum status first = STATUS_OK;

	for (size_t i = 0; i < list->count; i++) {
		enum status s =
		    page_pool_give(list->pool, list->extents[i].address, list->extents[i].pages);
		if (first == STATUS_OK)
			first = s;
	}
	list->count = 0;
	return first;
}
