/*
 * IPC endpoints: synchronous rendezvous between threads. A sender and a
 * receiver meet at an endpoint; whoever comes first waits in the
 * endpoint's queue (FIFO). The message is copied from the sender's UTCB
 * to the receiver's; the receiver also gets the badge of the capability
 * the sender used. A call makes the receiver the caller's replier: its
 * next reply goes straight back to the caller. A message may also carry
 * map items, capabilities and pages that land in the receiver's window
 * (ipc_items.h, doc/syscalls.md "Map items").
 */
#ifndef VIREO_IPC_H
#define VIREO_IPC_H

#include "cap.h"
#include "thread.h"

struct thread_queue {
	struct thread *head, *tail;
};

struct endpoint {
	struct object object;
	struct thread_queue senders;
	struct thread_queue receivers;
	uint64_t pending; /* badges of signals no receiver has taken yet */
};

/* A signal (from an interrupt): the first waiting receiver gets `badge`
 * and no message words; with nobody waiting, the badge is OR-ed into
 * `pending` and the next receive returns it. O(1); never blocks. */
void endpoint_signal(struct endpoint *e, uint64_t badge);

/* Destroys an endpoint whose last capability went: its waiting threads
 * wake with STATUS_BAD_CAP. */
void endpoint_destroy(struct endpoint *e);

/* Wakes a thread blocked on an endpoint with `status` (used when the
 * endpoint or the thread goes away). */
void ipc_cancel(struct thread *t, enum status status);

/* Takes a blocked thread out of its IPC without waking it (it stays in
 * its blocked state). True when that IPC was an exception call. */
bool ipc_abort(struct thread *t);

/*
 * Sends t's exception (vector, error code, fault address) to its handler
 * as a call and blocks t until the reply; false (nothing sent) when t has
 * no handler.
 */
bool ipc_exception(struct thread *t, uint64_t vector, uint64_t error, uint64_t address);

#endif
