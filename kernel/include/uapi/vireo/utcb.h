/*
 * The UTCB (user thread control block): one page per thread, shared
 * between the thread and the kernel, holding its message registers. IPC
 * copies message registers from the sender's UTCB to the receiver's; the
 * system call says how many words. After them, the receive window: what
 * the thread accepts in the map items of a message it receives
 * (doc/syscalls.md, "Map items").
 */
#ifndef VIREO_UAPI_UTCB_H
#define VIREO_UAPI_UTCB_H

#include <stdint.h>

#define UTCB_MESSAGE_WORDS 64

/*
 * Where map items land in the receiver: capability items in the slots
 * cap_first, cap_first + 1, ... (at most cap_count of them), memory items
 * in the pages [mem_va, mem_va + mem_pages * 4096). A count of zero (a
 * fresh UTCB is all zero) accepts nothing of that kind. The kernel reads
 * the window when a message with items arrives.
 */
struct utcb_window {
	uint64_t cap_first; /* first slot of the receiver's capability space */
	uint64_t cap_count; /* slots from there on */
	uint64_t mem_va;    /* page aligned user address */
	uint64_t mem_pages; /* pages from there on */
};

struct utcb {
	uint64_t message[UTCB_MESSAGE_WORDS]; /* message registers */
	struct utcb_window window;            /* receive window for map items */
};

_Static_assert(sizeof(struct utcb) <= 4096, "a UTCB fits one page");

#endif
