/*
 * The physical frame allocator (see frame.h for the interface).
 *
 * frame_init() turns the firmware's memory map into at most
 * FRAME_MAX_RANGES sorted, disjoint runs of whole frames, then steals the
 * first frames of one run for the allocation bitmap (one bit per frame:
 * 32 KiB per GiB of RAM). Each run hands out its frames in address order
 * through a bump cursor; freed frames go on a LIFO list whose links live in
 * the first 8 bytes of each free frame. Allocation is O(1); freeing and
 * reusing a listed frame costs a binary search over the runs to find its
 * bitmap bit (at most 6 steps).
 *
 * The memory map is firmware input: ranges may be unaligned, overlap,
 * wrap past 2^64 or be empty, and all of that is handled here.
 */
#include <frame.h>
#include <kstring.h>
#include <stdbool.h>

static uint64_t align_down(uint64_t a)
{
	return a & ~(uint64_t)(FRAME_SIZE - 1);
}

/* Round up, saturating at the highest frame boundary instead of wrapping. */
static uint64_t align_up(uint64_t a)
{
	if (a > UINT64_MAX - (FRAME_SIZE - 1))
		return align_down(UINT64_MAX);
	return align_down(a + FRAME_SIZE - 1);
}

/* End of [base, base + length), saturated at 2^64 - 1. */
static uint64_t range_end(const struct mem_range *r)
{
	return r->length > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->length;
}

/* Drop the smallest piece to make room for one more. */
static void drop_smallest(struct frame_allocator *fa)
{
	size_t smallest = 0;

	for (size_t i = 1; i < fa->range_count; i++)
		if (fa->ranges[i].end - fa->ranges[i].base <
		    fa->ranges[smallest].end - fa->ranges[smallest].base)
			smallest = i;
	fa->dropped_ranges++;
	fa->dropped_bytes += fa->ranges[smallest].end - fa->ranges[smallest].base;
	fa->ranges[smallest] = fa->ranges[--fa->range_count];
}

static void add_piece(struct frame_allocator *fa, uint64_t base, uint64_t end)
{
	if (base >= end)
		return;
	if (fa->range_count == FRAME_MAX_RANGES) {
		/* Keep the larger of the new piece and the current smallest. */
		size_t smallest = 0;

		for (size_t i = 1; i < fa->range_count; i++)
			if (fa->ranges[i].end - fa->ranges[i].base <
			    fa->ranges[smallest].end - fa->ranges[smallest].base)
				smallest = i;
		if (end - base <= fa->ranges[smallest].end - fa->ranges[smallest].base) {
			fa->dropped_ranges++;
			fa->dropped_bytes += end - base;
			return;
		}
		drop_smallest(fa);
	}
	fa->ranges[fa->range_count++] = (struct frame_range){ base, end, 0, 0 };
}

static void sort_and_merge(struct frame_allocator *fa)
{
	size_t out = 0;

	/* Insertion sort: at most 64 entries, once at boot. */
	for (size_t i = 1; i < fa->range_count; i++) {
		struct frame_range r = fa->ranges[i];
		size_t j = i;

		for (; j > 0 && fa->ranges[j - 1].base > r.base; j--)
			fa->ranges[j] = fa->ranges[j - 1];
		fa->ranges[j] = r;
	}
	for (size_t i = 0; i < fa->range_count; i++) {
		if (out && fa->ranges[i].base <= fa->ranges[out - 1].end) {
			if (fa->ranges[i].end > fa->ranges[out - 1].end)
				fa->ranges[out - 1].end = fa->ranges[i].end;
		} else {
			fa->ranges[out++] = fa->ranges[i];
		}
	}
	fa->range_count = out;
}

/* Remove [base, end) from every piece, splitting pieces where needed. */
static void subtract(struct frame_allocator *fa, uint64_t base, uint64_t end)
{
restart:
	for (size_t i = 0; i < fa->range_count; i++) {
		struct frame_range *r = &fa->ranges[i];
		uint64_t tail_base = end, tail_end = r->end;

		if (end <= r->base || base >= r->end)
			continue;
		if (base > r->base) {
			r->end = base; /* keep the head */
			if (tail_base < tail_end) {
				/*
				 * add_piece may drop a piece and move another
				 * into its slot: start over (subtracting again
				 * changes nothing in pieces already done).
				 */
				add_piece(fa, tail_base, tail_end);
				goto restart;
			}
		} else if (end < r->end) {
			r->base = end; /* keep the tail */
		} else {
			r->base = r->end; /* all of it: emptied, removed below */
		}
	}
	/* Remove emptied pieces. */
	for (size_t i = 0; i < fa->range_count;) {
		if (fa->ranges[i].base >= fa->ranges[i].end)
			fa->ranges[i] = fa->ranges[--fa->range_count];
		else
			i++;
	}
}

static void place_bitmap(struct frame_allocator *fa)
{
	uint64_t frames = 0, words, bytes;

	for (size_t i = 0; i < fa->range_count; i++)
		frames += (fa->ranges[i].end - fa->ranges[i].base) / FRAME_SIZE;
	if (!frames)
		return;
	words = (frames + 63) / 64;
	bytes = align_up(words * 8);
	for (size_t i = 0; i < fa->range_count; i++) {
		struct frame_range *r = &fa->ranges[i];

		if (r->end - r->base < bytes)
			continue;
		fa->bitmap_phys = r->base;
		fa->bitmap_bytes = bytes;
		fa->bitmap = fa->phys_to_virt(r->base);
		memset(fa->bitmap, 0, bytes);
		r->base += bytes;
		if (r->base == r->end) {
			for (size_t j = i; j + 1 < fa->range_count; j++)
				fa->ranges[j] = fa->ranges[j + 1];
			fa->range_count--;
		}
		return;
	}
	/* No piece holds the bitmap: manage nothing rather than go without. */
	fa->dropped_ranges += fa->range_count;
	for (size_t i = 0; i < fa->range_count; i++)
		fa->dropped_bytes += fa->ranges[i].end - fa->ranges[i].base;
	fa->range_count = 0;
}

void frame_init(struct frame_allocator *fa, const struct mem_range *usable,
		size_t n, const struct mem_range *reserved, size_t m)
{
	void *(*phys_to_virt)(uint64_t) = fa->phys_to_virt;
	uint64_t bit = 0;

	memset(fa, 0, sizeof(*fa));
	fa->phys_to_virt = phys_to_virt;
	if (!phys_to_virt)
		return;

	for (size_t i = 0; i < n; i++) {
		uint64_t base = align_up(usable[i].base);
		uint64_t end = align_down(range_end(&usable[i]));

		if (base < FRAME_LOW_LIMIT)
			base = FRAME_LOW_LIMIT;
		add_piece(fa, base, end);
	}
	sort_and_merge(fa);
	for (size_t i = 0; i < m; i++)
		subtract(fa, align_down(reserved[i].base),
			 range_end(&reserved[i]) == UINT64_MAX ?
				 UINT64_MAX : align_up(range_end(&reserved[i])));
	sort_and_merge(fa);
	place_bitmap(fa);

	for (size_t i = 0; i < fa->range_count; i++) {
		struct frame_range *r = &fa->ranges[i];

		r->next = r->base;
		r->first_bit = bit;
		bit += (r->end - r->base) / FRAME_SIZE;
	}
	fa->total_count = bit;
	fa->free_count = bit;
}

/* The run holding phys, or NULL. Runs are sorted and disjoint. */
static struct frame_range *find_range(struct frame_allocator *fa, uint64_t phys)
{
	size_t lo = 0, hi = fa->range_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct frame_range *r = &fa->ranges[mid];

		if (phys < r->base)
			hi = mid;
		else if (phys >= r->end)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static uint64_t bit_index(const struct frame_range *r, uint64_t phys)
{
	return r->first_bit + (phys - r->base) / FRAME_SIZE;
}

static bool test_bit(const struct frame_allocator *fa, uint64_t bit)
{
	return fa->bitmap[bit / 64] & (1ull << (bit % 64));
}

static void set_bit(struct frame_allocator *fa, uint64_t bit)
{
	fa->bitmap[bit / 64] |= 1ull << (bit % 64);
}

static void clear_bit(struct frame_allocator *fa, uint64_t bit)
{
	fa->bitmap[bit / 64] &= ~(1ull << (bit % 64));
}

static void push_free(struct frame_allocator *fa, uint64_t phys)
{
	uint64_t *link = fa->phys_to_virt(phys);

	*link = fa->free_list;
	fa->free_list = phys;
}

uint64_t frame_alloc(struct frame_allocator *fa)
{
	uint64_t phys;

	if (fa->free_list) {
		phys = fa->free_list;
		fa->free_list = *(uint64_t *)fa->phys_to_virt(phys);
		set_bit(fa, bit_index(find_range(fa, phys), phys));
		fa->free_count--;
		return phys;
	}
	for (; fa->bump_range < fa->range_count; fa->bump_range++) {
		struct frame_range *r = &fa->ranges[fa->bump_range];

		if (r->next < r->end) {
			phys = r->next;
			r->next += FRAME_SIZE;
			set_bit(fa, bit_index(r, phys));
			fa->free_count--;
			return phys;
		}
	}
	return 0;
}

uint64_t frame_alloc_contiguous(struct frame_allocator *fa, size_t n,
				uint64_t align)
{
	if (align == 0)
		align = FRAME_SIZE;
	if (n == 0 || align < FRAME_SIZE || (align & (align - 1)) ||
	    n > UINT64_MAX / FRAME_SIZE)
		return 0;
	for (size_t i = fa->bump_range; i < fa->range_count; i++) {
		struct frame_range *r = &fa->ranges[i];
		uint64_t start, size = (uint64_t)n * FRAME_SIZE;

		if (r->next > UINT64_MAX - (align - 1))
			continue;
		start = (r->next + align - 1) & ~(align - 1);
		if (start >= r->end || size > r->end - start)
			continue;
		/* Frames skipped for alignment stay available, on the free list. */
		for (; r->next < start; r->next += FRAME_SIZE)
			push_free(fa, r->next);
		for (uint64_t k = 0; k < n; k++)
			set_bit(fa, bit_index(r, start + k * FRAME_SIZE));
		r->next = start + size;
		fa->free_count -= n;
		return start;
	}
	return 0;
}

const char *frame_free(struct frame_allocator *fa, uint64_t phys)
{
	struct frame_range *r;
	uint64_t bit;

	if (phys % FRAME_SIZE)
		return "not frame aligned";
	r = find_range(fa, phys);
	if (!r)
		return "not a managed frame";
	bit = bit_index(r, phys);
	if (phys >= r->next || !test_bit(fa, bit))
		return "not allocated (double free?)";
	clear_bit(fa, bit);
	push_free(fa, phys);
	fa->free_count++;
	return NULL;
}

size_t frame_split_top(struct frame_allocator *fa, uint64_t frames,
		       struct mem_range *out, size_t max)
{
	size_t n = 0;

	for (size_t i = fa->range_count; i-- > 0 && frames && n < max;) {
		struct frame_range *r = &fa->ranges[i];
		uint64_t spare = (r->end - r->next) / FRAME_SIZE;
		uint64_t take = spare < frames ? spare : frames;

		if (take == 0)
			continue;
		r->end -= take * FRAME_SIZE;
		out[n++] = (struct mem_range){r->end, take * FRAME_SIZE};
		fa->free_count -= take;
		frames -= take;
	}
	return n;
}

uint64_t frame_count_free(const struct frame_allocator *fa)
{
	return fa->free_count;
}
