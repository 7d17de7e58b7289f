/*
 * The mapping database: who received each page mapping from whom, so that
 * unmap can take a page back from every task it was passed on to (the L4
 * recursive address space model; doc/mapping-database.md).
 *
 * There is one tree per physical frame. Its root is an original mapping
 * (the root task's memory from boot, mapdb_init_root); map adds a child
 * (mapdb_derive), grant moves a node to another space (mapdb_grant), unmap
 * removes a node's descendants and maybe the node itself (mapdb_revoke).
 *
 * A tree is stored as its pre-order list: a doubly linked list of nodes,
 * each with its depth (the root has depth 0). A node's descendants are
 * exactly the nodes that follow it with a greater depth, its first child
 * (if any) is the node right after it. This is the layout of NOVA's and
 * Fiasco's mapping databases: two links per node instead of four, and
 * grant, derive and unlinking a leaf are all O(1) however wide or deep the
 * tree is.
 *
 * The caller allocates and frees the nodes (the kernel from quota-charged
 * pages): nothing here allocates. Nothing here checks user input either:
 * the kernel validates addresses and rights before calling, and the only
 * limit a user can hit (the depth limit) is reported as a status. All
 * functions expect the caller to serialize access to a tree (the kernel runs
 * with interrupts off on one CPU; with SMP, a lock per tree or per frame).
 */
#ifndef VIREO_MAPDB_H
#define VIREO_MAPDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/vireo/status.h"

/* Rights: read is always implied. Same values as paging.h's MAP_WRITE and
 * MAP_EXECUTE, so the kernel can pass them straight through. */
#define MAPDB_WRITE   1u
#define MAPDB_EXECUTE 2u
#define MAPDB_RIGHTS  (MAPDB_WRITE | MAPDB_EXECUTE)

/*
 * Longest chain of derivations below an original mapping. It bounds the
 * extra work of one mapdb_revoke call (see there) and keeps a pair of
 * tasks from growing a chain one mapping at a time without end.
 */
#define MAPDB_MAX_DEPTH 64

/*
 * One mapping of a physical frame into one address space. The fields are
 * read by the kernel; only mapdb_* functions write them.
 */
struct mapping {
	struct mapping *prev; /* pre-order predecessor; NULL at the tree's root */
	struct mapping *next; /* pre-order successor; NULL at the tree's end */
	void *space;	      /* the address space (opaque here) */
	uint64_t va;	      /* virtual address in space */
	uint64_t frame;	      /* physical address: the same in the whole tree */
	uint8_t rights;	      /* MAPDB_WRITE | MAPDB_EXECUTE, a subset of the parent's */
	uint8_t depth;	      /* 0 for the original mapping, parent's + 1 below */
};
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(struct mapping) == 48, "85 nodes fit in a 4 KiB page");
#endif

/* Make m the root of a new tree: an original mapping of frame. Cannot fail. */
void mapdb_init_root(struct mapping *m, void *space, uint64_t va, uint64_t frame, uint8_t rights);

/*
 * Record that child maps parent's frame at va in space: the map operation.
 * The child's rights are rights & parent->rights (asking for more is not
 * an error: the rights are narrowed, never widened, as in L4). The child
 * becomes parent's first child. O(1). Returns STATUS_OK, or STATUS_BAD_ARG
 * without changing anything when parent already has depth MAPDB_MAX_DEPTH.
 * child must not be in any tree.
 */
enum status mapdb_derive(struct mapping *parent, struct mapping *child, void *space, uint64_t va,
			 uint8_t rights);

/*
 * The grant operation: to takes from's place in the tree (same parent,
 * same descendants, same rights and depth), at va in space, and from is
 * unlinked (its links are cleared); the caller then frees from. O(1).
 * Cannot fail. to must not be in any tree. Rights are kept: granting with
 * fewer rights would leave descendants with more rights than their parent.
 */
void mapdb_grant(struct mapping *from, struct mapping *to, void *space, uint64_t va);

/*
 * Called by mapdb_revoke for each node it takes out of the tree, after the
 * node is unlinked: the kernel clears the page table entry, flushes the TLB
 * entry and frees the node. It must not change the tree.
 */
typedef void mapdb_remove_fn(struct mapping *m, void *ctx);

/*
 * The unmap operation: remove m's descendants and, if include_self, m
 * itself, calling remove() for each. Leaves go first, so after every
 * removal the tree is a valid tree and every remaining node still has its
 * own parent. Removes at most budget nodes (0 counts as 1), sets *done to
 * whether the work is complete and returns how many nodes it removed.
 *
 * When *done is false, the caller takes a preemption point (lets pending
 * interrupts in; the kernel may even return to user mode to restart the
 * system call) and calls again with the same m. No state is kept between
 * calls: the tree is the state. So other operations may run in between:
 * nodes derived below m meanwhile are removed too, nodes granted away
 * meanwhile are removed in their new place, and if m itself disappears
 * (revoked through an ancestor, or granted away), the caller finds that
 * when it looks m up again, and the revocation is simply over.
 *
 * Work per call: at most 2 * budget + MAPDB_MAX_DEPTH + 1 steps, each
 * following one link (the descent to the first leaf costs up to
 * MAPDB_MAX_DEPTH steps, then every removal is followed by at most one
 * step back up and one step down). No recursion: constant stack.
 */
size_t mapdb_revoke(struct mapping *m, bool include_self, size_t budget, mapdb_remove_fn *remove,
		    void *ctx, bool *done);

/* Whether m has descendants. O(1). */
static inline bool mapdb_has_children(const struct mapping *m)
{
	return m->next && m->next->depth > m->depth;
}

/*
 * Pre-order iteration over top's descendants: start with cur = top; returns
 * the next descendant after cur, or NULL after the last one. O(1) per step.
 *
 *	for (c = mapdb_next_below(top, top); c; c = mapdb_next_below(top, c))
 */
static inline struct mapping *mapdb_next_below(const struct mapping *top, const struct mapping *cur)
{
	return cur->next && cur->next->depth > top->depth ? cur->next : NULL;
}

/* Number of m's descendants. O(descendants): for debugging and tests. */
size_t mapdb_count_descendants(const struct mapping *m);

/*
 * m's parent, or NULL for a root. Walks back over m's elder siblings and
 * their descendants, so O(size of the tree) in the worst case: for
 * debugging and tests, not for kernel paths.
 */
struct mapping *mapdb_parent(const struct mapping *m);

/*
 * Check the whole tree rooted at root: links agree both ways, the root has
 * depth 0 and no predecessor, every other node has depth 1 to
 * MAPDB_MAX_DEPTH and at most one more than its predecessor, every node
 * has the root's frame and a subset of its parent's rights. Returns NULL
 * when all holds, else a message naming the first broken rule. O(tree).
 */
const char *mapdb_check(const struct mapping *root);

#ifdef VIREO_HOST_TEST
/* Links followed by mapdb_revoke so far: lets the tests check its bound. */
extern uint64_t mapdb_revoke_steps;
#endif

#endif
