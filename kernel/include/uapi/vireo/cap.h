/*
 * Capabilities as user level sees them: object types and rights.
 *
 * Each task has a capability space, a table of slots; a system call names
 * an object by the slot's index, its selector. A slot holds a reference to
 * a kernel object, the rights the holder has on it and, for endpoints, a
 * badge the receiver sees (so a server knows which client called).
 */
#ifndef VIREO_UAPI_CAP_H
#define VIREO_UAPI_CAP_H

#include <stdint.h>

typedef uint64_t cap_selector;

enum object_type {
	OBJECT_NONE = 0, /* empty slot */
	OBJECT_TASK,     /* address space + capability space */
	OBJECT_THREAD,   /* a schedulable thread */
	OBJECT_ENDPOINT, /* IPC rendezvous point */
	OBJECT_IRQ,      /* one interrupt source bound to a thread */
	OBJECT_TYPE_COUNT
};

/* Rights: a copy of a capability may have fewer rights, never more. */
enum cap_rights {
	RIGHT_SEND = 1 << 0,    /* endpoint: send / call */
	RIGHT_RECEIVE = 1 << 1, /* endpoint: receive / reply-and-wait */
	RIGHT_CONTROL = 1 << 2, /* task/thread/irq: create in, configure, destroy */
	RIGHT_GRANT = 1 << 3,   /* may be passed on in an IPC map item */
	RIGHTS_ALL = 0xf,
};

/* Well-known selectors in every task's capability space at start. */
enum {
	CAP_SELF_TASK = 0,   /* the task itself */
	CAP_SELF_THREAD = 1, /* the task's first thread */
	CAP_FIRST_FREE = 2,
};

#endif
