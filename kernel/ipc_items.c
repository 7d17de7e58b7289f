/*
 * Decoding the map items of an IPC message (see ipc_items.h). Every rule
 * here is a layout rule: it needs only the message words, the receiver's
 * window and the size of its capability space. Whether a selector names a
 * capability or an address is mapped is for ipc.c to check afterwards.
 *
 * Where items land (doc/syscalls.md, "Map items"):
 *  - the n-th capability item of a message goes to slot cap_first + n;
 *  - a memory item's pages go to mem_va + its window offset; the memory
 *    items of one message take increasing, non-overlapping parts of the
 *    window, so no two of them can land on the same page.
 */
#include <stdbool.h>

#include "ipc_items.h"
#include "mapping.h"

enum status ipc_items_check_words(uint64_t words)
{
	if (words & ~(uint64_t)IPC_MSG(0xff, 0xff))
		return STATUS_BAD_ARG;
	uint64_t registers = IPC_MSG_UNTYPED(words) + IPC_MSG_ITEMS(words) * IPC_ITEM_WORDS;
	return registers > UTCB_MESSAGE_WORDS ? STATUS_BAD_ARG : STATUS_OK;
}

/* The n-th capability item of the message, {word0, selector, badge}. */
static enum status decode_cap(const uint64_t *w, uint64_t n, const struct utcb_window *window,
			      uint64_t cap_slots, struct ipc_item *item)
{
	if (IPC_ITEM_PAGES(w[0]))
		return STATUS_BAD_ARG; /* bits 32-63 are a memory item's */
	/* Window slots past the end of the space do not count. */
	uint64_t slots = window->cap_first < cap_slots ? cap_slots - window->cap_first : 0;
	if (n >= slots || n >= window->cap_count)
		return STATUS_BAD_ARG;
	item->source = w[1];
	item->badge = w[2];
	item->target = window->cap_first + n;
	return STATUS_OK;
}

/*
 * A memory item {word0, va, window offset}. *next is the first window page
 * the previous items left free, *pages the pages they carry; both move on.
 */
static enum status decode_mem(const uint64_t *w, const struct utcb_window *window, uint64_t *next,
			      uint64_t *pages, struct ipc_item *item)
{
	uint64_t offset = w[2];
	item->pages = IPC_ITEM_PAGES(w[0]);
	if (!mapping_flags_ok(item->flags))
		return STATUS_BAD_ARG; /* unknown flags, or W+X */
	if (item->pages == 0 || item->pages > IPC_MAP_PAGES_MAX - *pages)
		return STATUS_BAD_ARG;
	uint64_t first = offset / PAGE_SIZE;
	if (offset % PAGE_SIZE || first < *next || first > window->mem_pages ||
	    item->pages > window->mem_pages - first)
		return STATUS_BAD_ARG;
	item->source = w[1];
	item->target = window->mem_va + offset;
	*next = first + item->pages;
	*pages += item->pages;
	return STATUS_OK;
}

/* Do the source pages of two memory items overlap? In page numbers, so
 * nothing wraps (an unaligned or kernel va fails later, in ipc.c). */
static bool sources_overlap(const struct ipc_item *a, const struct ipc_item *b)
{
	uint64_t a0 = a->source / PAGE_SIZE, b0 = b->source / PAGE_SIZE;
	return a0 < b0 + b->pages && b0 < a0 + a->pages;
}

/*
 * A granted page leaves the sender when it is delivered, so no other
 * memory item of the message may use it: at most IPC_MAP_PAGES_MAX memory
 * items, so at most 16 * 15 / 2 pairs.
 */
static enum status check_grants(const struct ipc_items *items)
{
	for (unsigned i = 0; i < items->count; i++) {
		const struct ipc_item *a = &items->item[i];
		for (unsigned j = i + 1; a->type == IPC_ITEM_MEM && j < items->count; j++) {
			const struct ipc_item *b = &items->item[j];
			if (b->type == IPC_ITEM_MEM && ((a->flags | b->flags) & MEM_GRANT) &&
			    sources_overlap(a, b))
				return STATUS_BAD_ARG;
		}
	}
	return STATUS_OK;
}

enum status ipc_items_decode(uint64_t words, const uint64_t *message,
			     const struct utcb_window *window, uint64_t cap_slots,
			     struct ipc_items *out)
{
	enum status s = ipc_items_check_words(words);
	if (s != STATUS_OK)
		return s;
	out->untyped = (unsigned)IPC_MSG_UNTYPED(words);
	out->count = (unsigned)IPC_MSG_ITEMS(words);
	uint64_t caps = 0, next_page = 0, pages = 0;
	for (unsigned i = 0; i < out->count; i++) {
		const uint64_t *w = &message[out->untyped + i * IPC_ITEM_WORDS];
		struct ipc_item *item = &out->item[i];
		*item = (struct ipc_item){.type = (unsigned)IPC_ITEM_TYPE(w[0]),
					  .flags = (unsigned)IPC_ITEM_FLAGS(w[0])};
		if (item->type == IPC_ITEM_CAP)
			s = decode_cap(w, caps++, window, cap_slots, item);
		else if (item->type == IPC_ITEM_MEM)
			s = decode_mem(w, window, &next_page, &pages, item);
		else
			s = STATUS_BAD_ARG;
		if (s != STATUS_OK)
			return s;
	}
	return check_grants(out);
}
