/*
 * The UTCB (user thread control block): one page per thread, shared
 * between the thread and the kernel, holding its message registers. IPC
 * copies message registers from the sender's UTCB to the receiver's; the
 * system call says how many words.
 */
#ifndef VIREO_UAPI_UTCB_H
#define VIREO_UAPI_UTCB_H

#include <stdint.h>

#define UTCB_MESSAGE_WORDS 64

struct utcb {
	uint64_t message[UTCB_MESSAGE_WORDS]; /* message registers */
};

_Static_assert(sizeof(struct utcb) <= 4096, "a UTCB fits one page");

#endif
