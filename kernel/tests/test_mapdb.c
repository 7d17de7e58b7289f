/*
 * Host tests of kernel/mm/mapdb.c. Nodes come from one static pool (or a
 * heap array for the big trees) so a test can name them by index. Covered:
 * derive chains and wide trees, rights narrowing, the depth limit, grant at
 * the root, in the middle of a chain and at a leaf, revocation with and
 * without the node itself, revocation one node per call with the tree
 * checked after every call, the per-call work bound, trees of 100 000
 * nodes (deep, wide and random) revoked with constant stack, mapdb_check
 * catching corruption, and random operation sequences (revocations left
 * half done while other operations run) checked against a simple model.
 */
#include "host_test.h"

#include <mapdb.h>
#include <stdbool.h>

#define POOL  512
#define FRAME 0x123000ull

static struct mapping pool[POOL];
static char spaces[8]; /* opaque address space identities */

#define S(i) ((void *)&spaces[i])
#define N(i) (&pool[i])

/* What the remove callback saw. */
struct removals {
	struct mapping *base; /* array the nodes come from */
	size_t size;
	uint8_t *removed; /* per node: how many times removed */
	size_t count;
};

static void record_remove(struct mapping *m, void *ctx)
{
	struct removals *r = ctx;
	size_t i = (size_t)(m - r->base);

	assert_true(m >= r->base && i < r->size);
	assert_null(m->prev); /* unlinked before the callback */
	assert_null(m->next);
	assert_int_equal(r->removed[i], 0);
	r->removed[i]++;
	r->count++;
}

static uint8_t pool_removed[POOL];

static struct removals pool_removals(void)
{
	memset(pool_removed, 0, sizeof(pool_removed));
	return (struct removals){pool, POOL, pool_removed, 0};
}

/* Revoke to the end with the given budget; returns the number of calls. */
static size_t revoke_all(struct mapping *m, bool include_self, size_t budget, struct removals *r)
{
	size_t calls = 0;
	bool done = false;

	while (!done) {
		size_t before = r->count;
		size_t n = mapdb_revoke(m, include_self, budget, record_remove, r, &done);

		assert_int_equal(n, r->count - before);
		assert_true(r->count - before <= (budget ? budget : 1));
		calls++;
	}
	return calls;
}

static int setup(void **state)
{
	(void)state;
	memset(pool, 0xa5, sizeof(pool)); /* no field may be left unset */
	return 0;
}

static void test_root(void **state)
{
	(void)state;
	mapdb_init_root(N(0), S(0), 0x400000, FRAME, MAPDB_WRITE | MAPDB_EXECUTE | 0xf0);
	assert_null(N(0)->prev);
	assert_null(N(0)->next);
	assert_ptr_equal(N(0)->space, S(0));
	assert_int_equal(N(0)->va, 0x400000);
	assert_int_equal(N(0)->frame, FRAME);
	assert_int_equal(N(0)->rights, MAPDB_WRITE | MAPDB_EXECUTE); /* no stray bits */
	assert_int_equal(N(0)->depth, 0);
	assert_false(mapdb_has_children(N(0)));
	assert_null(mapdb_parent(N(0)));
	assert_int_equal(mapdb_count_descendants(N(0)), 0);
	assert_null(mapdb_check(N(0)));
}

static void test_derive_chain(void **state)
{
	(void)state;
	mapdb_init_root(N(0), S(0), 0x1000, FRAME, MAPDB_WRITE);
	for (int i = 1; i < 10; i++) {
		assert_int_equal(
		    mapdb_derive(N(i - 1), N(i), S(i % 8), 0x1000ull * (i + 1), MAPDB_WRITE),
		    STATUS_OK);
		assert_null(mapdb_check(N(0)));
	}
	for (int i = 1; i < 10; i++) {
		assert_ptr_equal(mapdb_parent(N(i)), N(i - 1));
		assert_int_equal(N(i)->depth, i);
		assert_int_equal(N(i)->frame, FRAME);
		assert_ptr_equal(N(i)->space, S(i % 8));
		assert_int_equal(N(i)->va, 0x1000ull * (i + 1));
		assert_int_equal(mapdb_count_descendants(N(i)), 9 - i);
	}
	assert_int_equal(mapdb_count_descendants(N(0)), 9);
	assert_false(mapdb_has_children(N(9)));
}

static void test_rights_narrowing(void **state)
{
	(void)state;
	mapdb_init_root(N(0), S(0), 0, FRAME, MAPDB_WRITE | MAPDB_EXECUTE);
	/* Asking for what the parent has. */
	assert_int_equal(mapdb_derive(N(0), N(1), S(1), 0, MAPDB_WRITE | MAPDB_EXECUTE), STATUS_OK);
	assert_int_equal(N(1)->rights, MAPDB_WRITE | MAPDB_EXECUTE);
	/* Narrowing to read-write, then asking for execute back: masked. */
	assert_int_equal(mapdb_derive(N(1), N(2), S(2), 0, MAPDB_WRITE), STATUS_OK);
	assert_int_equal(mapdb_derive(N(2), N(3), S(3), 0, MAPDB_WRITE | MAPDB_EXECUTE), STATUS_OK);
	assert_int_equal(N(3)->rights, MAPDB_WRITE);
	/* Read-only below, never writable again. */
	assert_int_equal(mapdb_derive(N(3), N(4), S(4), 0, 0), STATUS_OK);
	assert_int_equal(mapdb_derive(N(4), N(5), S(5), 0, 0xff), STATUS_OK);
	assert_int_equal(N(4)->rights, 0);
	assert_int_equal(N(5)->rights, 0);
	/* Undefined bits never get in. */
	assert_int_equal(mapdb_derive(N(0), N(6), S(6), 0, 0xfc), STATUS_OK);
	assert_int_equal(N(6)->rights, 0);
	assert_null(mapdb_check(N(0)));
}

static void test_depth_limit(void **state)
{
	struct mapping before, extra;

	(void)state;
	mapdb_init_root(N(0), S(0), 0, FRAME, MAPDB_WRITE);
	for (int i = 1; i <= MAPDB_MAX_DEPTH; i++)
		assert_int_equal(mapdb_derive(N(i - 1), N(i), S(1), (uint64_t)i << 12, MAPDB_WRITE),
				 STATUS_OK);
	assert_int_equal(N(MAPDB_MAX_DEPTH)->depth, MAPDB_MAX_DEPTH);
	/* One more is refused and changes nothing. */
	memset(&extra, 0x5a, sizeof(extra));
	before = extra;
	assert_int_equal(mapdb_derive(N(MAPDB_MAX_DEPTH), &extra, S(2), 0, MAPDB_WRITE),
			 STATUS_BAD_ARG);
	assert_memory_equal(&extra, &before, sizeof(extra));
	assert_null(N(MAPDB_MAX_DEPTH)->next);
	assert_null(mapdb_check(N(0)));
	/* A sibling at a shallower level is still fine. */
	assert_int_equal(mapdb_derive(N(MAPDB_MAX_DEPTH - 1), N(100), S(3), 0, MAPDB_WRITE),
			 STATUS_OK);
	assert_int_equal(N(100)->depth, MAPDB_MAX_DEPTH);
	assert_null(mapdb_check(N(0)));
}

/* Root 0 with children 1..20, each with children 100 + 4 * i + 0..3. */
static void build_wide(void)
{
	mapdb_init_root(N(0), S(0), 0, FRAME, MAPDB_WRITE | MAPDB_EXECUTE);
	for (int i = 1; i <= 20; i++) {
		assert_int_equal(mapdb_derive(N(0), N(i), S(1), (uint64_t)i << 12, MAPDB_WRITE),
				 STATUS_OK);
		for (int j = 0; j < 4; j++)
			assert_int_equal(mapdb_derive(N(i), N(100 + 4 * i + j), S(2),
						      (uint64_t)(100 + 4 * i + j) << 12,
						      MAPDB_WRITE),
					 STATUS_OK);
	}
	assert_null(mapdb_check(N(0)));
}

static void test_wide_tree(void **state)
{
	struct mapping *c;
	int seen = 0, at_depth1 = 0;

	(void)state;
	build_wide();
	assert_int_equal(mapdb_count_descendants(N(0)), 100);
	for (int i = 1; i <= 20; i++) {
		assert_ptr_equal(mapdb_parent(N(i)), N(0));
		assert_int_equal(mapdb_count_descendants(N(i)), 4);
		for (int j = 0; j < 4; j++)
			assert_ptr_equal(mapdb_parent(N(100 + 4 * i + j)), N(i));
	}
	/* Pre-order: each child is followed by its own four children. */
	for (c = mapdb_next_below(N(0), N(0)); c; c = mapdb_next_below(N(0), c)) {
		seen++;
		if (c->depth == 1) {
			at_depth1++;
			assert_int_equal(mapdb_count_descendants(c), 4);
		} else {
			assert_int_equal(c->depth, 2);
			assert_int_equal(mapdb_parent(c)->depth, 1);
		}
	}
	assert_int_equal(seen, 100);
	assert_int_equal(at_depth1, 20);
	/* Iteration below a middle child stops at its own subtree. */
	seen = 0;
	for (c = mapdb_next_below(N(7), N(7)); c; c = mapdb_next_below(N(7), c)) {
		assert_ptr_equal(mapdb_parent(c), N(7));
		seen++;
	}
	assert_int_equal(seen, 4);
}

static void test_revoke_keep_self(void **state)
{
	struct removals r = pool_removals();

	(void)state;
	build_wide();
	assert_int_equal(revoke_all(N(7), false, 100, &r), 1);
	assert_int_equal(r.count, 4);
	for (int j = 0; j < 4; j++)
		assert_int_equal(pool_removed[100 + 28 + j], 1);
	assert_int_equal(pool_removed[7], 0);
	assert_false(mapdb_has_children(N(7)));
	assert_ptr_equal(mapdb_parent(N(7)), N(0));
	assert_int_equal(mapdb_count_descendants(N(0)), 96);
	assert_null(mapdb_check(N(0)));
	/* Again: nothing to do, done at once. */
	assert_int_equal(revoke_all(N(7), false, 1, &r), 1);
	assert_int_equal(r.count, 4);
	/* The root keeping itself: everything else goes. */
	assert_int_equal(revoke_all(N(0), false, 1000, &r), 1);
	assert_int_equal(r.count, 100);
	assert_null(N(0)->next);
	assert_null(mapdb_check(N(0)));
}

static void test_revoke_include_self(void **state)
{
	struct removals r = pool_removals();

	(void)state;
	build_wide();
	assert_int_equal(revoke_all(N(20), true, 100, &r), 1); /* the last child */
	assert_int_equal(r.count, 5);
	assert_int_equal(pool_removed[20], 1);
	assert_int_equal(revoke_all(N(1), true, 100, &r), 1); /* the first */
	assert_int_equal(r.count, 10);
	assert_int_equal(mapdb_count_descendants(N(0)), 90);
	assert_null(mapdb_check(N(0)));
	/* A leaf. */
	assert_int_equal(revoke_all(N(100 + 4 * 5 + 2), true, 100, &r), 1);
	assert_int_equal(mapdb_count_descendants(N(5)), 3);
	assert_null(mapdb_check(N(0)));
	/* The whole tree, root included. */
	assert_int_equal(revoke_all(N(0), true, 1000, &r), 1);
	assert_int_equal(r.count, 101);
	for (int i = 0; i < POOL; i++)
		assert_int_equal(pool_removed[i],
				 i == 0 || (i >= 1 && i <= 20) || (i >= 104 && i < 184));
}

static void test_grant_middle_of_chain(void **state)
{
	struct removals r = pool_removals();

	(void)state;
	mapdb_init_root(N(0), S(0), 0x1000, FRAME, MAPDB_WRITE);
	for (int i = 1; i < 6; i++)
		assert_int_equal(mapdb_derive(N(i - 1), N(i), S(i), 0x1000, MAPDB_WRITE),
				 STATUS_OK);
	assert_int_equal(mapdb_derive(N(3), N(10), S(7), 0x5000, 0), STATUS_OK); /* sibling of 4 */
	/* 3 grants its mapping to space 6 at 0x9000 (node 20). */
	mapdb_grant(N(3), N(20), S(6), 0x9000);
	assert_null(N(3)->prev);
	assert_null(N(3)->next);
	assert_null(mapdb_check(N(0)));
	assert_ptr_equal(N(20)->space, S(6));
	assert_int_equal(N(20)->va, 0x9000);
	assert_int_equal(N(20)->depth, 3);
	assert_int_equal(N(20)->rights, MAPDB_WRITE);
	assert_int_equal(N(20)->frame, FRAME);
	assert_ptr_equal(mapdb_parent(N(20)), N(2));
	assert_ptr_equal(mapdb_parent(N(4)), N(20));
	assert_ptr_equal(mapdb_parent(N(10)), N(20));
	assert_int_equal(mapdb_count_descendants(N(20)), 3);
	/* Unmap by 2 still reaches everything the granted node passed on. */
	assert_int_equal(revoke_all(N(2), false, 2, &r), 2);
	assert_int_equal(r.count, 4);
	assert_true(pool_removed[20] && pool_removed[4] && pool_removed[5] && pool_removed[10]);
	assert_false(mapdb_has_children(N(2)));
	assert_null(mapdb_check(N(0)));
}

static void test_grant_root_and_leaf(void **state)
{
	(void)state;
	mapdb_init_root(N(0), S(0), 0, FRAME, MAPDB_WRITE | MAPDB_EXECUTE);
	assert_int_equal(mapdb_derive(N(0), N(1), S(1), 0, MAPDB_EXECUTE), STATUS_OK);
	assert_int_equal(mapdb_derive(N(1), N(2), S(2), 0, MAPDB_EXECUTE), STATUS_OK);
	/* The root moves: the new node is the root now. */
	mapdb_grant(N(0), N(30), S(3), 0x7000);
	assert_null(mapdb_check(N(30)));
	assert_null(mapdb_parent(N(30)));
	assert_ptr_equal(mapdb_parent(N(1)), N(30));
	assert_int_equal(N(30)->rights, MAPDB_WRITE | MAPDB_EXECUTE);
	/* A leaf moves, also into the same space it was in. */
	mapdb_grant(N(2), N(31), S(2), 0x8000);
	assert_null(mapdb_check(N(30)));
	assert_ptr_equal(mapdb_parent(N(31)), N(1));
	assert_null(N(31)->next);
	assert_int_equal(mapdb_count_descendants(N(30)), 2);
	/* Granting twice in a row. */
	mapdb_grant(N(31), N(32), S(4), 0x9000);
	assert_ptr_equal(N(1)->next, N(32));
	assert_null(mapdb_check(N(30)));
}

/*
 * A random tree of n nodes numbered in derivation order, node 0 the root:
 * each new node hangs below the previous one (deep chains) or below a
 * random earlier node (width), never deeper than MAPDB_MAX_DEPTH.
 */
static void build_random(struct mapping *nodes, size_t n, struct rng *rng, int *parent)
{
	mapdb_init_root(&nodes[0], S(0), 0, FRAME, MAPDB_WRITE | MAPDB_EXECUTE);
	parent[0] = -1;
	for (size_t i = 1; i < n; i++) {
		size_t p = rng_below(rng, 2) ? i - 1 : rng_below(rng, i);

		if (nodes[p].depth == MAPDB_MAX_DEPTH)
			p = 0;
		assert_int_equal(mapdb_derive(&nodes[p], &nodes[i], S(i % 8), i << 12,
					      (uint8_t)rng_below(rng, 4)),
				 STATUS_OK);
		parent[i] = (int)p;
	}
}

/* Budget 1: after every call the tree is valid, each remaining node keeps
 * its parent, and each removed node had no children left. */
static void test_revoke_budget_one(void **state)
{
	static int parent[POOL];
	struct removals r = pool_removals();
	struct rng rng = {0x9e3779b97f4a7c15ull};
	size_t calls = 0, expected = 0, top = 1;
	bool done = false;

	(void)state;
	build_random(pool, 300, &rng, parent);
	/* A middle node with a good-sized subtree. */
	while (mapdb_count_descendants(N(top)) < 20 || mapdb_count_descendants(N(top)) > 200)
		top++;
	expected = mapdb_count_descendants(N(top)) + 1;
	while (!done) {
		assert_true(mapdb_revoke(N(top), true, 1, record_remove, &r, &done) <= 1);
		calls++;
		assert_null(mapdb_check(N(0)));
		for (int i = 1; i < 300; i++) {
			if (pool_removed[i])
				continue;
			/* Nodes still there keep their parents. */
			assert_false(pool_removed[parent[i]]);
			assert_ptr_equal(mapdb_parent(N(i)), N(parent[i]));
		}
	}
	assert_int_equal(r.count, expected);
	assert_int_equal(calls, expected);
	assert_int_equal(mapdb_count_descendants(N(0)), 299 - expected);
	/* Every removed node was top or below it. */
	for (int i = 0; i < 300; i++) {
		int a = i;

		while (a >= 0 && a != (int)top)
			a = parent[a];
		assert_int_equal(pool_removed[i], a == (int)top);
	}
}

/* The big trees live on the heap; their removal flags too. */
#define BIG 100000

static void revoke_big(struct mapping *nodes, size_t n, size_t budget)
{
	struct removals r = {nodes, n, calloc(n, 1), 0};
	size_t calls = 0;
	bool done = false;

	assert_non_null(r.removed);
	while (!done) {
		uint64_t steps = mapdb_revoke_steps;

		mapdb_revoke(&nodes[0], true, budget, record_remove, &r, &done);
		/* The documented bound on the work of one call. */
		assert_true(mapdb_revoke_steps - steps <= 2 * budget + MAPDB_MAX_DEPTH + 1);
		calls++;
	}
	assert_int_equal(r.count, n);
	assert_int_equal(calls, (n + budget - 1) / budget);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(r.removed[i], 1);
	free(r.removed);
}

static void test_big_random_tree(void **state)
{
	struct mapping *nodes = calloc(BIG, sizeof(*nodes));
	int *parent = calloc(BIG, sizeof(*parent));
	struct rng rng = {12345};

	(void)state;
	assert_true(nodes && parent);
	build_random(nodes, BIG, &rng, parent);
	assert_null(mapdb_check(&nodes[0]));
	assert_int_equal(mapdb_count_descendants(&nodes[0]), BIG - 1);
	revoke_big(nodes, BIG, 64);
	free(parent);
	free(nodes);
}

static void test_big_wide_and_deep(void **state)
{
	struct mapping *nodes = calloc(BIG, sizeof(*nodes));

	(void)state;
	assert_non_null(nodes);
	/* A star: 99 999 children of the root. */
	mapdb_init_root(&nodes[0], S(0), 0, FRAME, MAPDB_WRITE);
	for (size_t i = 1; i < BIG; i++)
		assert_int_equal(mapdb_derive(&nodes[0], &nodes[i], S(1), i << 12, MAPDB_WRITE),
				 STATUS_OK);
	assert_null(mapdb_check(&nodes[0]));
	revoke_big(nodes, BIG, 1000);
	/* Combs: chains of MAPDB_MAX_DEPTH hanging off the root. */
	mapdb_init_root(&nodes[0], S(0), 0, FRAME, MAPDB_WRITE);
	for (size_t i = 1; i < BIG; i++) {
		size_t p = (i - 1) % MAPDB_MAX_DEPTH == 0 ? 0 : i - 1;

		assert_int_equal(mapdb_derive(&nodes[p], &nodes[i], S(2), i << 12, MAPDB_WRITE),
				 STATUS_OK);
	}
	assert_null(mapdb_check(&nodes[0]));
	revoke_big(nodes, BIG, 7);
	free(nodes);
}

static void test_check_catches_corruption(void **state)
{
	struct mapping saved;

	(void)state;
	mapdb_init_root(N(0), S(0), 0, FRAME, MAPDB_WRITE);
	assert_int_equal(mapdb_derive(N(0), N(1), S(1), 0, MAPDB_WRITE), STATUS_OK);
	assert_int_equal(mapdb_derive(N(1), N(2), S(2), 0, 0), STATUS_OK);
	assert_int_equal(mapdb_derive(N(0), N(3), S(3), 0, MAPDB_WRITE), STATUS_OK);
	/* List: 0 3 1 2 */
	assert_null(mapdb_check(N(0)));

	saved = *N(2);
	N(2)->prev = N(0);
	assert_string_equal(mapdb_check(N(0)), "prev link does not match next link");
	*N(2) = saved;
	N(2)->depth = 3;
	assert_string_equal(mapdb_check(N(0)), "depth grows by more than one");
	N(2)->depth = 0;
	assert_string_equal(mapdb_check(N(0)), "depth out of range");
	*N(2) = saved;
	N(2)->frame = FRAME + 0x1000;
	assert_string_equal(mapdb_check(N(0)), "frame differs from the root's");
	*N(2) = saved;
	N(1)->rights = 0;
	N(2)->rights = MAPDB_WRITE;
	assert_string_equal(mapdb_check(N(0)), "rights exceed the parent's");
	N(1)->rights = MAPDB_WRITE;
	assert_null(mapdb_check(N(0)));
	N(0)->depth = 1;
	assert_string_equal(mapdb_check(N(0)), "root depth is not 0");
	N(0)->depth = 0;
	assert_string_equal(mapdb_check(N(3)), "root has a predecessor");
	/* A cycle ends the walk too. */
	N(2)->next = N(1);
	assert_string_equal(mapdb_check(N(0)), "prev link does not match next link");
	N(2)->next = NULL;
	assert_null(mapdb_check(N(0)));
}

/*
 * Revocations left half done while other operations run, checked against
 * a model: per node, alive, parent, depth, rights and identity. A pending
 * revocation names its node by (space, va), as the kernel would look it up
 * again after a preemption point; when that lookup fails (the node was
 * revoked through an ancestor or granted away) the revocation is over.
 */
struct model_node {
	bool alive;
	int parent;
	uint8_t depth, rights;
	int space;
	uint64_t va, frame;
};

static struct model_node model[POOL];

struct pending {
	bool active, include_self;
	int space;
	uint64_t va;
	size_t budget;
};

struct model_ctx {
	struct removals r;
	int top; /* the node being revoked */
};

static int find(int space, uint64_t va)
{
	for (int i = 0; i < POOL; i++)
		if (model[i].alive && model[i].space == space && model[i].va == va)
			return i;
	return -1;
}

static int free_slot(struct rng *rng)
{
	int start = (int)rng_below(rng, POOL);

	for (int k = 0; k < POOL; k++) {
		int i = (start + k) % POOL;

		if (!model[i].alive)
			return i;
	}
	return -1;
}

static int random_alive(struct rng *rng)
{
	int start = (int)rng_below(rng, POOL);

	for (int k = 0; k < POOL; k++) {
		int i = (start + k) % POOL;

		if (model[i].alive)
			return i;
	}
	return -1;
}

static bool has_alive_child(int i)
{
	for (int j = 0; j < POOL; j++)
		if (model[j].alive && model[j].parent == i)
			return true;
	return false;
}

static void model_remove(struct mapping *m, void *ctx)
{
	struct model_ctx *c = ctx;
	int i = (int)(m - pool), a = i;

	record_remove(m, &c->r);
	assert_true(model[i].alive);
	assert_false(has_alive_child(i)); /* leaves first */
	while (a >= 0 && a != c->top)
		a = model[a].parent;
	assert_int_equal(a, c->top); /* only top's subtree */
	model[i].alive = false;
}

/* Walk every tree's list and compare it with the model. */
static void verify_model(void)
{
	int stack[MAPDB_MAX_DEPTH + 1];
	int alive = 0, listed = 0;

	for (int i = 0; i < POOL; i++) {
		if (!model[i].alive)
			continue;
		alive++;
		if (model[i].parent >= 0) {
			assert_true(model[model[i].parent].alive);
			continue;
		}
		assert_null(mapdb_check(N(i)));
		for (struct mapping *n = N(i); n; n = n->next) {
			int k = (int)(n - pool);

			assert_true(k >= 0 && k < POOL && model[k].alive);
			assert_int_equal(n->depth, model[k].depth);
			stack[n->depth] = k;
			assert_int_equal(n->depth ? stack[n->depth - 1] : -1, model[k].parent);
			assert_int_equal(n->rights, model[k].rights);
			assert_ptr_equal(n->space, S(model[k].space));
			assert_int_equal(n->va, model[k].va);
			assert_int_equal(n->frame, model[k].frame);
			listed++;
		}
	}
	assert_int_equal(listed, alive);
}

static int vanished; /* pending revocations whose node went meanwhile */

/* One call of a pending revocation; returns false when it is over. */
static bool advance(struct pending *p)
{
	struct model_ctx c = {pool_removals(), find(p->space, p->va)};
	bool done;
	size_t n;

	if (c.top < 0) {
		vanished++;
		return false;
	}
	n = mapdb_revoke(N(c.top), p->include_self, p->budget, model_remove, &c, &done);
	assert_int_equal(n, c.r.count);
	assert_true(n <= p->budget);
	if (done) {
		assert_false(has_alive_child(c.top) && model[c.top].alive);
		assert_int_equal(model[c.top].alive, !p->include_self);
	}
	return !done;
}

/* Finish what is pending, then revoke every tree, root included. */
static void revoke_everything(struct pending *pending)
{
	for (int k = 0; k < 4; k++)
		while (pending[k].active)
			pending[k].active = advance(&pending[k]);
	verify_model();
	for (int i = 0; i < POOL; i++) {
		if (model[i].alive && model[i].parent < 0) {
			struct pending p = {true, true, model[i].space, model[i].va, 5};

			while (advance(&p))
				verify_model();
		}
	}
	for (int i = 0; i < POOL; i++)
		assert_false(model[i].alive);
}

static void test_random_against_model(void **state)
{
	static const size_t budgets[] = {1, 1, 2, 3, 8, 64, 1000};
	struct pending pending[4] = {{0}};
	struct rng rng = {0x5eed5eed5eedull};
	uint64_t next_va = 0x1000, next_frame = 0x100000;
	int derives = 0, grants = 0, revokes = 0, refused = 0;

	(void)state;
	memset(model, 0, sizeof(model));
	for (int step = 0; step < 30000; step++) {
		unsigned op = (unsigned)rng_below(&rng, 100);
		int a = random_alive(&rng), b = free_slot(&rng);

		/* Now and then clear everything and grow a chain past the depth
		 * limit, so that later steps also work on a deep tree. */
		if (step % 10000 == 9000) {
			revoke_everything(pending);
			verify_model();
			a = random_alive(&rng);
		}
		if (step % 10000 >= 9000 && step % 10000 < 9100 && op >= 3)
			op = 5;

		if (a < 0 || op < 3) {
			/* A new original mapping. */
			uint8_t rights = (uint8_t)rng_below(&rng, 4);
			int space = (int)rng_below(&rng, 8);

			if (b < 0)
				continue;
			model[b] =
			    (struct model_node){true, -1, 0, rights, space, next_va, next_frame};
			mapdb_init_root(N(b), S(model[b].space), next_va, next_frame,
					model[b].rights);
			next_va += 0x1000;
			next_frame += 0x1000;
		} else if (op < 50) {
			uint8_t rights = (uint8_t)rng_below(&rng, 256);
			int space = (int)rng_below(&rng, 8);

			if (b < 0)
				continue;
			if (op < 12) /* go deep: below the deepest node */
				for (int j = 0; j < POOL; j++)
					if (model[j].alive && model[j].depth > model[a].depth)
						a = j;
			if (model[a].depth == MAPDB_MAX_DEPTH) {
				assert_int_equal(
				    mapdb_derive(N(a), N(b), S(space), next_va, rights),
				    STATUS_BAD_ARG);
				refused++;
				continue;
			}
			assert_int_equal(mapdb_derive(N(a), N(b), S(space), next_va, rights),
					 STATUS_OK);
			model[b] = (struct model_node){true,
						       a,
						       (uint8_t)(model[a].depth + 1),
						       (uint8_t)(rights & model[a].rights & 3),
						       space,
						       next_va,
						       model[a].frame};
			next_va += 0x1000;
			derives++;
		} else if (op < 65) {
			int space = (int)rng_below(&rng, 8);

			if (b < 0)
				continue;
			mapdb_grant(N(a), N(b), S(space), next_va);
			model[b] = model[a];
			model[b].space = space;
			model[b].va = next_va;
			model[a].alive = false;
			for (int j = 0; j < POOL; j++)
				if (model[j].alive && model[j].parent == a)
					model[j].parent = b;
			next_va += 0x1000;
			grants++;
		} else if (op < 80) {
			/* Start a revocation and leave it pending. */
			struct pending *p = &pending[rng_below(&rng, 4)];
			bool include_self = rng_below(&rng, 2);
			size_t budget =
			    budgets[rng_below(&rng, sizeof(budgets) / sizeof(budgets[0]))];

			if (p->active)
				continue;
			*p = (struct pending){true, include_self, model[a].space, model[a].va,
					      budget};
			p->active = advance(p);
			revokes++;
		} else {
			/* Advance a pending revocation by one call. */
			struct pending *p = &pending[rng_below(&rng, 4)];

			if (p->active)
				p->active = advance(p);
		}
		verify_model();
	}
	revoke_everything(pending);
	/* The sequence did exercise everything. */
	print_message("derives %d grants %d revokes %d refused %d vanished %d\n", derives, grants,
		      revokes, refused, vanished);
	assert_true(derives > 5000 && grants > 2000 && revokes > 2000 && refused > 0 &&
		    vanished > 20);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_root),
	    T(test_derive_chain),
	    T(test_rights_narrowing),
	    T(test_depth_limit),
	    T(test_wide_tree),
	    T(test_revoke_keep_self),
	    T(test_revoke_include_self),
	    T(test_grant_middle_of_chain),
	    T(test_grant_root_and_leaf),
	    T(test_revoke_budget_one),
	    T(test_big_random_tree),
	    T(test_big_wide_and_deep),
	    T(test_check_catches_corruption),
	    T(test_random_against_model),
	};

	return cmocka_run_group_tests_name("mapdb", tests, NULL, NULL);
}
