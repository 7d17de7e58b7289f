/*
 * Physical memory for the kernel: the frame allocator (frame.h) set up
 * from the multiboot2 memory map, minus the kernel image, the boot
 * information and the modules. Pages come back zeroed.
 */
#ifndef VIREO_MEMORY_H
#define VIREO_MEMORY_H

#include <stdint.h>

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

#endif
