/*
 * Capability spaces and the kernel object header.
 *
 * Every kernel object (task, thread, endpoint, irq) starts with a
 * struct object: its type and a count of the capabilities that name it.
 * A capability space is an array of slots; a selector is an index. All
 * functions here are pure logic (no hardware, no allocation), so they run
 * in the host unit tests too. They expect interrupts off in the kernel.
 */
#ifndef VIREO_CAP_H
#define VIREO_CAP_H

#include <stdbool.h>
#include <stdint.h>

#include "uapi/vireo/cap.h"
#include "uapi/vireo/status.h"

struct object {
	enum object_type type;
	uint32_t references; /* slots (and kernel links) naming this object */
	bool dead;           /* destroyed; kept only for the references left */
};

struct cap {
	struct object *object; /* NULL: empty slot */
	uint64_t badge;        /* endpoints: what a receiver sees */
	uint32_t rights;       /* enum cap_rights */
} __attribute__((aligned(32)));

/*
 * Two levels, so a large space needs no contiguous memory: a page of leaf
 * pointers, each leaf a page of 128 slots (up to 65536 slots).
 */
#define CAP_SLOTS_PER_LEAF (4096 / sizeof(struct cap))
#define CAP_MAX_LEAVES (4096 / sizeof(struct cap *))
_Static_assert(sizeof(struct cap) == 32, "128 slots per page");

struct cap_space {
	struct cap **leaves;
	uint64_t size; /* slots; selectors 0 .. size-1 */
};

static inline struct cap *cap_slot(const struct cap_space *space, cap_selector sel)
{
	return &space->leaves[sel / CAP_SLOTS_PER_LEAF][sel % CAP_SLOTS_PER_LEAF];
}

/*
 * The capability at sel if it names an object of `type` with at least
 * `rights`. Returns STATUS_BAD_CAP (selector out of range or slot empty),
 * STATUS_BAD_TYPE or STATUS_NO_RIGHTS; never fails for good arguments.
 * Inline: every IPC system call starts with it, and a call costs about
 * ten instructions of argument and result shuffling.
 */
static inline enum status cap_lookup(const struct cap_space *space, cap_selector sel,
				     enum object_type type, uint32_t rights, struct cap **out)
{
	if (sel >= space->size || !cap_slot(space, sel)->object ||
	    cap_slot(space, sel)->object->dead)
		return STATUS_BAD_CAP;
	struct cap *c = cap_slot(space, sel);
	if (c->object->type != type)
		return STATUS_BAD_TYPE;
	if ((c->rights & rights) != rights)
		return STATUS_NO_RIGHTS;
	*out = c;
	return STATUS_OK;
}

/* The empty slot at sel: STATUS_BAD_CAP when out of range, STATUS_BUSY
 * when the slot is in use. */
enum status cap_empty_slot(const struct cap_space *space, cap_selector sel, struct cap **out);

/* Fills an empty slot with a new reference to object. Cannot fail. */
void cap_install(struct cap *slot, struct object *object, uint32_t rights, uint64_t badge);

/*
 * The checks of cap_copy, and that the source has need_rights
 * (STATUS_NO_RIGHTS otherwise, checked right after the source exists):
 * the status cap_copy would return. Changes nothing; when it returns
 * STATUS_OK, cap_copy with the same arguments cannot fail.
 */
enum status cap_copy_check(const struct cap_space *from, cap_selector src,
			   const struct cap_space *to, cap_selector dst, uint64_t badge,
			   uint32_t need_rights);

/*
 * Copies the capability at src into the empty slot dst (which may be in
 * another space), keeping only the rights in rights_mask. A badge can be
 * set only on an unbadged endpoint capability (badge 0 keeps the
 * original). Returns the status of looking up both slots, or
 * STATUS_BAD_ARG for a badge on something else. Fails without change.
 */
enum status cap_copy(const struct cap_space *from, cap_selector src, const struct cap_space *to,
		     cap_selector dst, uint32_t rights_mask, uint64_t badge);

/*
 * Empties slot. Returns the object when this was its last reference (the
 * caller destroys it), else NULL.
 */
struct object *cap_clear(struct cap *slot);

#endif
