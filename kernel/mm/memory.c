/*
 * The kernel's physical memory (see memory.h). The allocator hands out the
 * lowest frames first, so everything allocated while only the boot page
 * tables exist (they map the first 4 GiB) is reachable through them.
 */
#include "arch.h"
#include "console.h"
#include "frame.h"
#include "kstring.h"
#include "memory.h"
#include "x86.h"

extern char kernel_image_end[];

static struct frame_allocator frames;
static uint64_t direct_map_end;

/* Physical memory that is RAM of any kind (not device memory). */
static struct mem_range ram[MB2_MAX_MEMORY_RANGES];
static size_t ram_count;

/* The root task's memory (frame_split_top) and one word per frame. */
static struct mem_range root_ranges[MEMORY_ROOT_RANGES_MAX];
static size_t root_range_count;
static uint64_t *frame_meta;
static uint64_t frame_meta_frames;

static const char *memory_type_name(uint32_t type)
{
	switch (type) {
	case MB2_MEMORY_AVAILABLE: return "available";
	case MB2_MEMORY_ACPI_RECLAIMABLE: return "ACPI reclaimable";
	case MB2_MEMORY_NVS: return "ACPI NVS";
	case MB2_MEMORY_BADRAM: return "bad RAM";
	default: return "reserved";
	}
}

static void *frame_to_virt(uint64_t phys)
{
	return phys_to_virt(phys);
}

void memory_init(const struct mb2_info *boot, uint64_t info_phys)
{
	/* Firmware maps may list an available range overlapping a reserved
	 * one: every non-available range is passed as reserved, so the
	 * overlap is never handed out. */
	static struct mem_range usable[MB2_MAX_MEMORY_RANGES];
	static struct mem_range reserved[2 + MB2_MAX_MODULES + MB2_MAX_MEMORY_RANGES];
	size_t n = 0, m = 0;
	uint64_t usable_bytes = 0;
	direct_map_end = 4ull << 30;
	if (boot->memory_range_count == 0)
		panic("the boot loader passed no memory map");
	for (size_t i = 0; i < boot->memory_range_count; i++) {
		const struct mb2_memory_range *r = &boot->memory_ranges[i];
		kprintf("memory: %016lx-%016lx %s\n", r->base, r->base + r->length - 1,
			memory_type_name(r->type));
		if (r->type >= MB2_MEMORY_AVAILABLE && r->type <= MB2_MEMORY_BADRAM &&
		    r->type != MB2_MEMORY_RESERVED)
			ram[ram_count++] = (struct mem_range){r->base, r->length};
		if (r->type != MB2_MEMORY_AVAILABLE) {
			reserved[m++] = (struct mem_range){r->base, r->length};
			continue;
		}
		usable[n++] = (struct mem_range){r->base, r->length};
		usable_bytes += r->length;
		if (r->base + r->length > direct_map_end)
			direct_map_end = r->base + r->length;
	}

	reserved[m++] = (struct mem_range){KERNEL_PHYS,
					   (uint64_t)kernel_image_end - KERNEL_VIRT - KERNEL_PHYS};
	reserved[m++] = (struct mem_range){info_phys, boot->total_size};
	for (size_t i = 0; i < boot->module_count; i++)
		reserved[m++] = (struct mem_range){boot->modules[i].start,
						   boot->modules[i].end - boot->modules[i].start};

	frames.phys_to_virt = frame_to_virt;
	frame_init(&frames, usable, n, reserved, m);
	if (frames.dropped_ranges)
		kprintf("memory: %lu bytes in %lu ranges not used: too many pieces\n",
			frames.dropped_bytes, (uint64_t)frames.dropped_ranges);
	/* One word per frame of RAM, for page tables' node tables. */
	uint64_t top = 0;
	for (size_t i = 0; i < n; i++)
		if (usable[i].base + usable[i].length > top)
			top = usable[i].base + usable[i].length;
	frame_meta_frames = top / FRAME_SIZE;
	uint64_t meta_pages = (frame_meta_frames * 8 + FRAME_SIZE - 1) / FRAME_SIZE;
	uint64_t meta = frame_alloc_contiguous(&frames, meta_pages, 0);
	if (!meta)
		panic("memory: no room for %lu pages of frame data", meta_pages);
	frame_meta = phys_to_virt(meta);
	memset(frame_meta, 0, meta_pages * FRAME_SIZE);

	/* The kernel keeps an eighth of what is free (at least 16 MiB, or all
	 * of it on a tiny machine) for its objects; the root task gets the
	 * rest as user memory and hands it out (sigma0's role in L4). */
	uint64_t free = frame_count_free(&frames), keep = free / 8;
	if (keep < KERNEL_POOL_MIN_PAGES)
		keep = free < KERNEL_POOL_MIN_PAGES ? free : KERNEL_POOL_MIN_PAGES;
	root_range_count = frame_split_top(&frames, free - keep, root_ranges,
					   MEMORY_ROOT_RANGES_MAX);
	uint64_t root_bytes = 0;
	for (size_t i = 0; i < root_range_count; i++)
		root_bytes += root_ranges[i].length;
	kprintf("memory: %lu MiB usable: %lu MiB for kernel objects, %lu MiB for the root task\n",
		usable_bytes >> 20, (frame_count_free(&frames) * FRAME_SIZE) >> 20,
		root_bytes >> 20);
}

static bool in_ranges(const struct mem_range *r, size_t n, uint64_t pa)
{
	for (size_t i = 0; i < n; i++)
		if (pa >= r[i].base && pa - r[i].base < r[i].length)
			return true;
	return false;
}

bool memory_is_root(uint64_t pa)
{
	return in_ranges(root_ranges, root_range_count, pa);
}

bool memory_is_ram(uint64_t pa)
{
	return in_ranges(ram, ram_count, pa);
}

size_t memory_root_ranges(const struct mem_range **out)
{
	*out = root_ranges;
	return root_range_count;
}

uint64_t *memory_frame_meta(uint64_t phys)
{
	if (phys / FRAME_SIZE >= frame_meta_frames)
		panic("memory_frame_meta(0x%lx): not RAM the kernel manages", phys);
	return &frame_meta[phys / FRAME_SIZE];
}

uint64_t memory_direct_map_end(void)
{
	return direct_map_end;
}

uint64_t page_alloc(void)
{
	uint64_t page = frame_alloc(&frames);
	/* Every kernel object and page table starts zeroed. REP STOSQ, not
	 * the byte-loop memset: mem_map of 16 pages into a region without
	 * page tables took 123,628 instructions with memset, 12,454 with
	 * this (ktest `map-cost` line, QEMU icount). */
	if (page)
		zero_words(phys_to_virt(page), FRAME_SIZE / 8);
	return page;
}

void page_free(uint64_t phys)
{
	const char *error = frame_free(&frames, phys);
	if (error)
		panic("page_free(0x%lx): %s", phys, error);
}

uint64_t memory_free_pages(void)
{
	return frame_count_free(&frames);
}
