/*
 * The physical frame allocator: hands out 4 KiB frames of RAM.
 *
 * It works before any other allocator exists: all of its state is in
 * struct frame_allocator (static in the kernel) plus a bitmap of allocated
 * frames that frame_init() carves out of the usable memory itself. Free
 * frames are found in O(1): first from a free list threaded through the
 * freed frames themselves (which is why the allocator needs phys_to_virt),
 * then by bumping a cursor through never-used memory. The bitmap catches
 * double frees and frees of frames the allocator never handed out.
 *
 * Usage: set fa->phys_to_virt, then frame_init(fa, usable, n, reserved, m)
 * with the memory map's available ranges as usable and everything that
 * must not be handed out (the kernel image, boot modules, the multiboot2
 * information, every non-available memory map range, anything above the
 * direct map) as reserved.
 */
#ifndef VIREO_FRAME_H
#define VIREO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE 4096u
#define FRAME_MAX_RANGES 64
/* Never handed out: the real-mode IVT, BIOS data, EBDA, VGA, option ROMs. */
#define FRAME_LOW_LIMIT 0x100000u

/* A physical address range [base, base + length). */
struct mem_range {
	uint64_t base;
	uint64_t length;
};

/* One run of managed frames [base, end), both FRAME_SIZE aligned. */
struct frame_range {
	uint64_t base;
	uint64_t end;
	uint64_t next;      /* bump cursor: [next, end) has never been handed out */
	uint64_t first_bit; /* bitmap index of the frame at base */
};

struct frame_allocator {
	/* Set by the caller before frame_init(); must map every usable frame. */
	void *(*phys_to_virt)(uint64_t phys);

	size_t range_count; /* sorted by base, disjoint */
	struct frame_range ranges[FRAME_MAX_RANGES];
	size_t bump_range;  /* first range whose bump cursor is not at its end */

	uint64_t free_list; /* physical address of the first freed frame, 0: empty */
	uint64_t free_count;  /* frames available (free list + bump space) */
	uint64_t total_count; /* frames managed */

	uint64_t *bitmap;     /* one bit per managed frame, 1 = allocated */
	uint64_t bitmap_phys; /* where the bitmap lives (taken from usable RAM) */
	uint64_t bitmap_bytes;

	/* Usable memory lost because more than FRAME_MAX_RANGES pieces remained. */
	size_t dropped_ranges;
	uint64_t dropped_bytes;
};

/*
 * Set up fa to manage usable minus reserved: usable ranges are rounded
 * inward to whole frames, reserved ones outward, and nothing below
 * FRAME_LOW_LIMIT (so never frame 0) is managed. Overlapping usable ranges
 * are merged. If the result has more than FRAME_MAX_RANGES pieces, the
 * smallest are dropped and counted in dropped_ranges/dropped_bytes. The
 * bitmap is placed in the first piece large enough for it. Cannot fail;
 * with nothing usable, every allocation returns 0. Expects fa->phys_to_virt
 * to be set; keeps it and resets every other field.
 */
void frame_init(struct frame_allocator *fa, const struct mem_range *usable,
		size_t n, const struct mem_range *reserved, size_t m);

/*
 * Allocate one frame; returns its physical address (FRAME_SIZE aligned,
 * never 0) or 0 when out of memory. O(1). The contents are undefined: the
 * caller zeroes it if needed.
 */
uint64_t frame_alloc(struct frame_allocator *fa);

/*
 * Allocate n physically contiguous frames starting at a multiple of align
 * (a power of two >= FRAME_SIZE, or 0 for FRAME_SIZE). Takes them from
 * never-used memory only (freed frames are not coalesced), so it is meant
 * for early boot (DMA buffers, page tables of a known size). Returns the
 * first frame's address or 0 if no range has room.
 */
uint64_t frame_alloc_contiguous(struct frame_allocator *fa, size_t n,
				uint64_t align);

/*
 * Give back a frame from frame_alloc or frame_alloc_contiguous. Returns
 * NULL on success or, without changing anything, a message saying why
 * phys cannot be freed: "not frame aligned", "not a managed frame" or "not
 * allocated (double free?)". Freeing a frame twice or a frame the
 * allocator does not own is a kernel bug: the caller should panic with the
 * message and the address.
 */
const char *frame_free(struct frame_allocator *fa, uint64_t phys);

/*
 * Hands up to `frames` never-used frames over to someone else for good
 * (the root task's memory): takes them from the top of the highest
 * ranges, writes at most max pieces to out (highest first) and returns how
 * many. The frames stop being managed: frame_free() on one of them says
 * "not a managed frame". Meant for boot, like frame_alloc_contiguous().
 */
size_t frame_split_top(struct frame_allocator *fa, uint64_t frames,
		       struct mem_range *out, size_t max);

/* Frames currently available. */
uint64_t frame_count_free(const struct frame_allocator *fa);

#endif
