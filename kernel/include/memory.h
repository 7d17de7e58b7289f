/*
 * Physical memory for the kernel: the frame allocator (frame.h) set up
 * from the multiboot2 memory map, minus the kernel image, the boot
 * information and the modules. Pages come back zeroed.
 */
#ifndef VIREO_MEMORY_H
#define VIREO_MEMORY_H

#include <stdint.h>

#include <stdbool.h>
#include <stddef.h>

#include "frame.h"
#include "multiboot2.h"

/* Sets up the allocator and prints the memory map. Panics when there is
 * no usable memory map. */
void memory_init(const struct mb2_info *boot, uint64_t info_phys);

/* End of the physical range the direct map covers (at least 4 GiB, so
 * firmware tables and the boot information are always reachable). */
uint64_t memory_direct_map_end(void);

/* A zeroed 4 KiB page's physical address; 0 when memory is exhausted. */
uint64_t page_alloc(void);

/* Returns a page; freeing a page twice is a kernel bug and panics. */
void page_free(uint64_t phys);

uint64_t memory_free_pages(void);

/* The smallest pool of pages the kernel keeps for its objects. */
#define KERNEL_POOL_MIN_PAGES 4096u
#define MEMORY_ROOT_RANGES_MAX 16

/* Whether pa is in the root task's memory (handed over at boot, never
 * the kernel's again), and whether pa is RAM of any kind (else device
 * memory or nothing). */
bool memory_is_root(uint64_t pa);
bool memory_is_ram(uint64_t pa);

/* The root task's memory ranges, highest first. */
size_t memory_root_ranges(const struct mem_range **out);

/* A word of kernel data per frame of RAM the allocator manages; a page
 * table's word is the address of its node table (paging.c). */
uint64_t *memory_frame_meta(uint64_t phys);

#endif
