/*
 * Map items in IPC messages: decoding a message's items against the
 * receiver's window (doc/syscalls.md, "Map items"). This is the pure part,
 * with no kernel object in sight, so the host unit tests run it too:
 * it checks the layout of a message (counts, types, flags, what fits the
 * window) and says where each item lands. ipc.c then checks each item
 * against the capability spaces and address spaces and delivers them.
 */
#ifndef VIREO_IPC_ITEMS_H
#define VIREO_IPC_ITEMS_H

#include <stdint.h>

#include "uapi/vireo/status.h"
#include "uapi/vireo/syscall.h"
#include "uapi/vireo/utcb.h"

_Static_assert(IPC_ITEMS_MAX == UTCB_MESSAGE_WORDS / IPC_ITEM_WORDS,
	       "IPC_ITEMS_MAX: as many items as the message registers hold");

/* One decoded item. */
struct ipc_item {
	unsigned type;	 /* enum ipc_item_type */
	unsigned flags;	 /* capability: rights mask; memory: MEM_* flags */
	uint64_t source; /* sender's selector, or its first page */
	uint64_t badge;	 /* capability: badge to set (0: keep the source's) */
	uint64_t pages;	 /* memory: page count */
	uint64_t target; /* receiver's slot, or its first page */
};

struct ipc_items {
	unsigned untyped; /* words before the first item */
	unsigned count;
	struct ipc_item item[IPC_ITEMS_MAX];
};

/*
 * The layout check of an IPC word count (IPC_MSG): STATUS_BAD_ARG when a
 * bit outside the two counts is set, or the untyped words and the items
 * together need more than UTCB_MESSAGE_WORDS registers.
 */
enum status ipc_items_check_words(uint64_t words);

/*
 * Decodes the items of a message of `words` (IPC_MSG) in `message` for a
 * receiver with `window` and a capability space of `cap_slots` slots. The
 * window's memory part must be a user range (or have 0 pages): the caller
 * checks it. Returns STATUS_OK with *out filled, or STATUS_BAD_ARG for
 * the first rule the message breaks (doc/syscalls.md lists them).
 * Reads only message[0 .. untyped + items * IPC_ITEM_WORDS - 1].
 */
enum status ipc_items_decode(uint64_t words, const uint64_t *message,
			     const struct utcb_window *window, uint64_t cap_slots,
			     struct ipc_items *out);

#endif
