/*
 * The root task's user memory, handed out to the tasks it starts: the
 * RAM ranges of the boot information (bootinfo.memory[], all the root
 * task's, doc/memory.md), page by page, first fit by address. The root
 * task writes a page through its window onto physical memory
 * (BOOTINFO_PHYS_WINDOW + address) and maps it into the task.
 *
 * The pool keeps its free pages as extents (address, pages), sorted by
 * address, none touching another: taking cuts the first extent large
 * enough, giving back puts the pages in place and joins them with their
 * neighbours. Each started task's pages are listed (struct page_list) and
 * go back to the pool when the task is destroyed, so a task started later
 * can get them.
 *
 * Pure logic (no system calls), so the host tests
 * (servers/root/tests/test_pages.c) build it too.
 */
#ifndef ROOT_PAGES_H
#define ROOT_PAGES_H

#include <stddef.h>
#include <stdint.h>
#include <vireo/bootinfo.h>
#include <vireo/status.h>

#define PAGE_SIZE 4096u

/*
 * Free extents a pool holds. Between two free extents lies a page handed
 * out or the end of a range, so a pool never has more free extents than
 * ranges plus extents handed out: this bounds what the root task hands out
 * at once (start.c checks it).
 */
#define PAGE_POOL_EXTENTS 1024

/* Extents one page list holds: a task's program segments, heap, stack
 * and start-up block (start.c checks it). */
#define PAGE_LIST_MAX 20

struct page_extent {
	uint64_t address; /* physical, page aligned */
	uint64_t pages;
};

struct page_pool {
	size_t range_count;
	struct {
		uint64_t first; /* the range's first whole page */
		uint64_t end;	/* the end of its last whole page */
	} ranges[BOOTINFO_MAX_MEMORY];
	size_t count; /* free extents */
	struct page_extent free[PAGE_POOL_EXTENTS];
	uint64_t taken; /* pages handed out and not given back */
};

/* The pages one user of a pool has, to give back together. */
struct page_list {
	struct page_pool *pool;
	size_t count;
	struct page_extent extents[PAGE_LIST_MAX];
};

/* Start with the ranges[0..count) of RAM (at most BOOTINFO_MAX_MEMORY are
 * used); bytes outside whole pages, page 0 and ranges that overlap one
 * before them are left out. */
void page_pool_init(struct page_pool *pool, const struct bootinfo_memory *ranges, size_t count);

/* The physical address of `pages` contiguous pages nobody has, or 0 when
 * no free extent has that many (also for pages 0). */
uint64_t page_pool_take(struct page_pool *pool, uint64_t pages);

/*
 * Give back `pages` pages at `address` that page_pool_take handed out.
 * Returns OK; BAD_ARG for 0 pages; BAD_ADDRESS when they are not page
 * aligned, wrap or are not inside one range of the pool; NOT_FOUND when
 * some of them are free already (given back twice); NO_MEM when the pool
 * holds PAGE_POOL_EXTENTS free extents and these join none. The pool is
 * unchanged unless OK.
 */
enum status page_pool_give(struct page_pool *pool, uint64_t address, uint64_t pages);

/* An empty list over pool. */
void page_list_init(struct page_list *list, struct page_pool *pool);

/* page_pool_take from the list's pool, and list the pages; 0 when the
 * pool has none or the list is full. */
uint64_t page_list_take(struct page_list *list, uint64_t pages);

/* The pages the list has. */
uint64_t page_list_pages(const struct page_list *list);

/* Give every extent of the list back to its pool and empty the list.
 * Returns OK, or the first status page_pool_give refused one with (the
 * extents refused are dropped from the list all the same). */
enum status page_list_give_back(struct page_list *list);

#endif
