/*
 * The root task's page pool (see pages.h).
 */
#include "pages.h"

void page_pool_init(struct page_pool *pool, const struct bootinfo_memory *ranges, size_t count)
{
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
		pool->ranges[pool->count].end = end;
		pool->ranges[pool->count].next = first;
		pool->count++;
	}
}

uint64_t page_pool_take(struct page_pool *pool, uint64_t pages)
{
	if (pages == 0 || pages > UINT64_MAX / PAGE_SIZE)
		return 0;
	uint64_t bytes = pages * PAGE_SIZE;
	for (size_t i = 0; i < pool->count; i++) {
		if (pool->ranges[i].end - pool->ranges[i].next >= bytes) {
			uint64_t address = pool->ranges[i].next;
			pool->ranges[i].next += bytes;
			pool->taken += pages;
			return address;
		}
	}
	return 0;
}
