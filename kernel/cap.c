/*
 * Capability lookup, copy and removal (see cap.h). The validation that
 * makes a system call's "decode" step lives here and in cap.h
 * (cap_lookup, inline for the IPC path): every selector a user passes
 * goes through cap_lookup() or cap_empty_slot() and comes back as a
 * status code, never as a crash.
 */
#include "cap.h"
#include "kstring.h"

enum status cap_empty_slot(const struct cap_space *space, cap_selector sel, struct cap **out)
{
	if (sel >= space->size)
		return STATUS_BAD_CAP;
	if (cap_slot(space, sel)->object)
		return STATUS_BUSY;
	*out = cap_slot(space, sel);
	return STATUS_OK;
}

void cap_install(struct cap *slot, struct object *object, uint32_t rights, uint64_t badge)
{
	object->references++;
	*slot = (struct cap){.object = object, .badge = badge, .rights = rights & RIGHTS_ALL};
}

enum status cap_copy_check(const struct cap_space *from, cap_selector src,
			   const struct cap_space *to, cap_selector dst, uint64_t badge,
			   uint32_t need_rights)
{
	if (src >= from->size || !cap_slot(from, src)->object || cap_slot(from, src)->object->dead)
		return STATUS_BAD_CAP;
	const struct cap *source = cap_slot(from, src);
	if ((source->rights & need_rights) != need_rights)
		return STATUS_NO_RIGHTS;
	struct cap *slot;
	enum status s = cap_empty_slot(to, dst, &slot);
	if (s != STATUS_OK)
		return s;
	if (badge && (source->object->type != OBJECT_ENDPOINT || source->badge))
		return STATUS_BAD_ARG;
	return STATUS_OK;
}

enum status cap_copy(const struct cap_space *from, cap_selector src, const struct cap_space *to,
		     cap_selector dst, uint32_t rights_mask, uint64_t badge)
{
	enum status s = cap_copy_check(from, src, to, dst, badge, 0);
	if (s != STATUS_OK)
		return s;
	const struct cap *source = cap_slot(from, src);
	cap_install(cap_slot(to, dst), source->object, source->rights & rights_mask,
		    badge ? badge : source->badge);
	return STATUS_OK;
}

struct object *cap_clear(struct cap *slot)
{
	struct object *o = slot->object;
	*slot = (struct cap){0};
	if (o && --o->references == 0)
		return o;
	return NULL;
}
