/*
 * The root task's user memory, handed out to the tasks it starts: the
 * RAM ranges of the boot information (bootinfo.memory[], all the root
 * task's, doc/memory.md), page by page, first fit over the ranges. The
 * root task writes a page through its window onto physical memory
 * (BOOTINFO_PHYS_WINDOW + address) and maps it into the task.
 *
 * Pages are never taken back: each task is started once, and when it ends
 * its mappings are revoked but the root task does not reuse the frames.
 * Pure logic (no system calls), so the host tests
 * (servers/root/tests/test_pages.c) build it too.
 */
#ifndef ROOT_PAGES_H
#define ROOT_PAGES_H

#include <stddef.h>
#include <stdint.h>
#include <vireo/bootinfo.h>

#define PAGE_SIZE 4096u

struct page_pool {
	size_t count; /* ranges */
	struct {
		uint64_t next; /* the first page not handed out */
		uint64_t end;  /* the end of the range's last whole page */
	} ranges[BOOTINFO_MAX_MEMORY];
	uint64_t taken; /* pages handed out in all */
};

/* Start with the ranges[0..count) of RAM (at most BOOTINFO_MAX_MEMORY are
 * used); bytes outside whole pages are left out. */
void page_pool_init(struct page_pool *pool, const struct bootinfo_memory *ranges, size_t count);

/* The physical address of `pages` contiguous pages nobody had, or 0 when
 * no range has that many left (also for pages 0). */
uint64_t page_pool_take(struct page_pool *pool, uint64_t pages);

#endif
