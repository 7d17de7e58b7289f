/*
 * The mapping database (see mapdb.h for the interface and
 * doc/mapping-database.md for the design).
 *
 * Each tree is kept as its pre-order list with a depth per node. Two facts
 * about that list carry every operation here:
 *
 *  - a node's descendants are the run of nodes after it with a greater
 *    depth, and its first child is the node right after it; so a new child
 *    is inserted right after its parent (O(1)), and grant replaces one list
 *    element by another (O(1)), with no depth to update anywhere;
 *  - following first children from a node (always the next node while the
 *    depth grows) reaches a leaf whose predecessor is its parent; removing
 *    that leaf leaves a valid pre-order list, and the parent is where the
 *    next search starts. That is a post-order walk with no stack and no
 *    saved position, which is what makes revocation restartable.
 *
 * Invariants kept by every function (mapdb_check tests them): the root has
 * depth 0 and no predecessor; each other node's depth is 1 to
 * MAPDB_MAX_DEPTH and at most its predecessor's depth + 1; prev and next
 * agree; all nodes share the root's frame; each node's rights are a subset
 * of its parent's.
 */
#include <mapdb.h>

#ifdef VIREO_HOST_TEST
uint64_t mapdb_revoke_steps;
#define COUNT_STEP() (mapdb_revoke_steps++)
#else
#define COUNT_STEP() ((void)0)
#endif

void mapdb_init_root(struct mapping *m, void *space, uint64_t va, uint64_t frame, uint8_t rights)
{
	m->prev = NULL;
	m->next = NULL;
	m->space = space;
	m->va = va;
	m->frame = frame;
	m->rights = rights & MAPDB_RIGHTS;
	m->depth = 0;
}

enum status mapdb_derive(struct mapping *parent, struct mapping *child, void *space, uint64_t va,
			 uint8_t rights)
{
	if (parent->depth >= MAPDB_MAX_DEPTH)
		return STATUS_BAD_ARG;
	child->space = space;
	child->va = va;
	child->frame = parent->frame;
	child->rights = rights & parent->rights & MAPDB_RIGHTS;
	child->depth = (uint8_t)(parent->depth + 1);
	/* Right after the parent: its first child. Whatever followed has a
	 * depth of at most parent->depth + 1, so the list stays valid. */
	child->prev = parent;
	child->next = parent->next;
	if (parent->next)
		parent->next->prev = child;
	parent->next = child;
	return STATUS_OK;
}

void mapdb_grant(struct mapping *from, struct mapping *to, void *space, uint64_t va)
{
	*to = *from;
	to->space = space;
	to->va = va;
	if (to->prev)
		to->prev->next = to;
	if (to->next)
		to->next->prev = to;
	from->prev = NULL;
	from->next = NULL;
}

/* Take m out of its list; its links are cleared so stale use shows. */
static void unlink_node(struct mapping *m)
{
	if (m->prev)
		m->prev->next = m->next;
	if (m->next)
		m->next->prev = m->prev;
	m->prev = NULL;
	m->next = NULL;
}

size_t mapdb_revoke(struct mapping *m, bool include_self, size_t budget, mapdb_remove_fn *remove,
		    void *ctx, bool *done)
{
	struct mapping *cur = m;
	size_t removed = 0;

	if (budget == 0)
		budget = 1;
	while (removed < budget) {
		struct mapping *parent;

		COUNT_STEP();
		if (mapdb_has_children(cur)) {
			cur = cur->next; /* down to the first child */
			continue;
		}
		if (cur == m) {
			/* No descendants left. */
			if (include_self) {
				unlink_node(m);
				remove(m, ctx);
				removed++;
			}
			*done = true;
			return removed;
		}
		/*
		 * cur is a leaf below m, reached from its parent through
		 * first children, and only nodes after it were removed since:
		 * its predecessor is still its parent.
		 */
		parent = cur->prev;
		unlink_node(cur);
		remove(cur, ctx);
		removed++;
		cur = parent;
	}
	*done = !include_self && !mapdb_has_children(m);
	return removed;
}

size_t mapdb_count_descendants(const struct mapping *m)
{
	size_t n = 0;

	for (const struct mapping *c = mapdb_next_below(m, m); c; c = mapdb_next_below(m, c))
		n++;
	return n;
}

struct mapping *mapdb_parent(const struct mapping *m)
{
	for (struct mapping *p = m->prev; p; p = p->prev)
		if (p->depth < m->depth)
			return p;
	return NULL;
}

const char *mapdb_check(const struct mapping *root)
{
	/* rights[d]: rights of the last node seen at depth d, the parent of
	 * any node at depth d + 1 that follows. */
	uint8_t rights[MAPDB_MAX_DEPTH + 1];
	const struct mapping *prev = root;

	if (root->prev)
		return "root has a predecessor";
	if (root->depth != 0)
		return "root depth is not 0";
	if (root->rights & ~MAPDB_RIGHTS)
		return "undefined rights bits";
	rights[0] = root->rights;
	/* A cycle would have to enter some node a second time from a node
	 * other than its prev, so the prev check also ends the walk. */
	for (const struct mapping *n = root->next; n; prev = n, n = n->next) {
		if (n->prev != prev)
			return "prev link does not match next link";
		if (n->depth == 0 || n->depth > MAPDB_MAX_DEPTH)
			return "depth out of range";
		if (n->depth > prev->depth + 1)
			return "depth grows by more than one";
		if (n->frame != root->frame)
			return "frame differs from the root's";
		if (n->rights & ~rights[n->depth - 1])
			return "rights exceed the parent's";
		rights[n->depth] = n->rights;
	}
	return NULL;
}
