/*
 * Memory passed between tasks (doc/memory.md): map, grant and unmap over
 * the mapping database (mapdb.c) and the page tables (paging.c), and the
 * root task's window onto physical memory.
 *
 * Every user page a task can pass on has a mapping node, found through the
 * node table beside its page table. The root task's nodes are the
 * originals (depth 0); a map adds a child node in the receiver, a grant
 * moves a node, an unmap removes a subtree. Pages the kernel maps for
 * itself (UTCBs) have no node: they cannot be passed on or unmapped.
 */
#include "apic.h"
#include "arch.h"
#include "console.h"
#include "mapdb.h"
#include "mapping.h"
#include "memory.h"
#include "paging.h"
#include "syscalls.h"
#include "task.h"
#include "uapi/vireo/bootinfo.h"
#include "uapi/vireo/syscall.h"

_Static_assert(MAPDB_WRITE == MAP_WRITE && MAPDB_EXECUTE == MAP_EXECUTE,
	       "mapdb and paging rights are the same bits");
_Static_assert(MEM_WRITE == MAP_WRITE && MEM_EXECUTE == MAP_EXECUTE,
	       "the system call flags are the paging rights");

/* Pages a system call works on between two preemption points. */
#define PAGES_PER_STEP 16
/* Nodes an unmap removes between two preemption points. */
#define NODES_PER_STEP 64

/*
 * Nodes come from pages paid by the task that holds the mappings. Each
 * node page's first node links the task's node pages (for freeing them
 * with the task); the others are nodes.
 */
#define NODES_PER_PAGE (PAGE_SIZE / sizeof(struct mapping))

static struct mapping *node_alloc(struct task *task)
{
	if (!task->free_nodes) {
		uint64_t page = task_page_alloc(task);
		if (!page)
			return NULL;
		struct mapping *nodes = phys_to_virt(page);
		nodes[0].next = task->node_pages;
		task->node_pages = &nodes[0];
		for (size_t i = 1; i < NODES_PER_PAGE; i++) {
			nodes[i].next = task->free_nodes;
			task->free_nodes = &nodes[i];
		}
	}
	struct mapping *m = task->free_nodes;
	task->free_nodes = m->next;
	return m;
}

static void node_free(struct task *task, struct mapping *m)
{
	m->next = task->free_nodes;
	task->free_nodes = m;
}

void mapping_free_nodes(struct task *task)
{
	while (task->node_pages) {
		struct mapping *page = task->node_pages;
		task->node_pages = page->next;
		task_page_free(task, virt_to_phys(page));
	}
	task->free_nodes = NULL;
}

/* Makes the entry e of va an original mapping of pa: the node may pass on
 * `rights`, the task's own entry has `own`. */
static enum status add_original(struct task *task, struct user_entry e, uint64_t va,
				uint64_t pa, unsigned rights, unsigned own)
{
	struct mapping *m = node_alloc(task);
	if (!m)
		return STATUS_NO_MEM;
	mapdb_init_root(m, task, va, pa, (uint8_t)rights);
	*e.pte = paging_user_pte(pa, own);
	*e.node = m;
	return STATUS_OK;
}

enum status mapping_add_original(struct task *task, uint64_t va, uint64_t pa, unsigned rights)
{
	struct user_entry e;
	enum status s = paging_user_entry(task, va, true, &e);
	if (s == STATUS_OK && (*e.pte & PAGING_PRESENT))
		s = STATUS_BUSY;
	return s == STATUS_OK ? add_original(task, e, va, pa, rights, rights) : s;
}

/*
 * The root task's window: physical address pa appears at
 * BOOTINFO_PHYS_WINDOW + pa. Its own memory is RAM it may map on with any
 * rights (its own entry is writable, never executable: W^X); device memory
 * (not RAM, not an interrupt controller) is writable and uncached. The
 * entry and the original node are made when the page is first touched or
 * passed on.
 */
static enum status window_fill(struct task *task, uint64_t va, struct user_entry e)
{
	uint64_t pa = va - BOOTINFO_PHYS_WINDOW;
	unsigned rights, own;
	if (memory_is_root(pa)) {
		rights = MAP_WRITE | MAP_EXECUTE;
		own = MAP_WRITE;
	} else if (!memory_is_ram(pa) && !apic_owns(pa)) {
		rights = MAP_WRITE;
		own = MAP_WRITE | MAP_UNCACHED;
	} else {
		return STATUS_BAD_ADDRESS;
	}
	return add_original(task, e, va, pa, rights, own);
}

static bool in_window(struct task *task, uint64_t va)
{
	return task == root_task && va >= BOOTINFO_PHYS_WINDOW &&
	       va - BOOTINFO_PHYS_WINDOW < BOOTINFO_PHYS_WINDOW_SIZE;
}

bool mapping_fault(struct task *task, uint64_t va)
{
	struct user_entry e;
	va &= ~(PAGE_SIZE - 1);
	return in_window(task, va) && paging_user_entry(task, va, true, &e) == STATUS_OK &&
	       !(*e.pte & PAGING_PRESENT) && window_fill(task, va, e) == STATUS_OK;
}

/* The entry and node of a page the task may pass on. */
static enum status source_entry(struct task *task, uint64_t va, struct user_entry *e)
{
	enum status s = paging_user_entry(task, va, in_window(task, va), e);
	if (s == STATUS_NOT_FOUND)
		return STATUS_BAD_ADDRESS;
	if (s == STATUS_OK && !(*e->pte & PAGING_PRESENT))
		s = in_window(task, va) ? window_fill(task, va, *e) : STATUS_BAD_ADDRESS;
	if (s == STATUS_OK && !*e->node)
		s = STATUS_NO_RIGHTS;
	return s;
}

enum status mapping_prepare(struct task *from, uint64_t src, struct task *to, uint64_t dst,
			    unsigned flags, struct mapping_page *p)
{
	enum status s = source_entry(from, src, &p->source);
	if (s != STATUS_OK)
		return s;
	struct mapping *parent = *p->source.node;
	bool grant = flags & MEM_GRANT;
	/* Originals stay with the root task: its window is rebuilt from
	 * them, so a granted original would put one frame in two trees. */
	if (grant && parent->depth == 0)
		return STATUS_NO_RIGHTS;
	if (!grant && parent->depth >= MAPDB_MAX_DEPTH)
		return STATUS_BAD_ARG;
	s = paging_user_entry(to, dst, true, &p->target);
	if (s == STATUS_OK && (*p->target.pte & PAGING_PRESENT))
		s = STATUS_BUSY;
	p->node = s == STATUS_OK ? node_alloc(to) : NULL;
	if (s != STATUS_OK || !p->node)
		return s != STATUS_OK ? s : STATUS_NO_MEM;
	p->src = src;
	p->dst = dst;
	return STATUS_OK;
}

void mapping_unprepare(struct task *to, struct mapping_page *p)
{
	node_free(to, p->node);
}

void mapping_commit(struct task *from, struct task *to, unsigned flags, struct mapping_page *p)
{
	struct mapping *parent = *p->source.node, *m = p->node;
	if (flags & MEM_GRANT) {
		mapdb_grant(parent, m, to, p->dst);
		*p->target.pte = *p->source.pte;
		paging_clear_user(from, p->source, p->src);
		node_free(from, parent);
	} else {
		mapdb_derive(parent, m, to, p->dst, (uint8_t)(flags & MAPDB_RIGHTS));
		unsigned cache = paging_pte_rights(*p->source.pte) & MAP_UNCACHED;
		*p->target.pte = paging_user_pte(parent->frame, m->rights | cache);
	}
	*p->target.node = m;
}

enum status mapping_targets_free(const struct mapping_page *pages, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		if (*pages[i].target.pte & PAGING_PRESENT)
			return STATUS_BUSY;
	return STATUS_OK;
}

/* Maps or grants one page; nothing changes on failure. */
static enum status map_one(struct task *from, uint64_t src, struct task *to, uint64_t dst,
			   unsigned flags)
{
	struct mapping_page p;
	enum status s = mapping_prepare(from, src, to, dst, flags, &p);
	if (s == STATUS_OK)
		mapping_commit(from, to, flags, &p);
	return s;
}

bool mapping_range_ok(uint64_t va, uint64_t pages)
{
	return !(va & (PAGE_SIZE - 1)) && va >= USER_BOTTOM && va < USER_TOP &&
	       pages <= (USER_TOP - va) / PAGE_SIZE;
}

/* mem_map(task, src, dst, pages, flags): rsi, rdx and r10 advance with
 * each page done, so a restart (or the caller, after an error) sees where
 * the work stands. */
enum status sys_mem_map(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = cap_lookup(&t->task->caps, f->rdi, OBJECT_TASK, RIGHT_CONTROL, &c);
	if (s != STATUS_OK)
		return s;
	unsigned flags = (unsigned)f->r8;
	if (!mapping_flags_ok(f->r8))
		return STATUS_BAD_ARG;
	if (!mapping_range_ok(f->rsi, f->r10) || !mapping_range_ok(f->rdx, f->r10))
		return STATUS_BAD_ADDRESS;
	struct task *to = (struct task *)c->object;
	for (unsigned step = 0; f->r10; f->rsi += PAGE_SIZE, f->rdx += PAGE_SIZE, f->r10--) {
		if (++step > PAGES_PER_STEP) {
			if (preemption_point(t))
				return STATUS_RESTART;
			step = 1;
		}
		s = map_one(t->task, f->rsi, to, f->rdx, flags);
		if (s != STATUS_OK)
			return s;
	}
	return STATUS_OK;
}

/* Empties the node's entry and frees the node (mapdb_revoke's callback). */
static void remove_node(struct mapping *m, void *ctx)
{
	(void)ctx;
	struct task *task = m->space;
	struct user_entry e;
	if (paging_user_entry(task, m->va, false, &e) != STATUS_OK || *e.node != m)
		panic("mapping: node of 0x%lx in '%s' has no entry", m->va, task->name);
	paging_clear_user(task, e, m->va);
	node_free(task, m);
}

/*
 * Removes the mappings derived from task's page at va (and with self the
 * page's own, unless it is an original), NODES_PER_STEP at a time with a
 * preemption point between. False when a higher-priority thread must run
 * first: the caller restarts, and the node is looked up again, as
 * doc/mapping-database.md requires after every break.
 */
static bool unmap_one(struct thread *t, uint64_t va, bool self)
{
	for (;;) {
		struct user_entry e;
		if (paging_user_entry(t->task, va, false, &e) != STATUS_OK || !*e.node)
			return true;
		struct mapping *m = *e.node;
		bool done;
		mapdb_revoke(m, self && m->depth > 0, NODES_PER_STEP, remove_node, NULL, &done);
		if (done)
			return true;
		if (preemption_point(t))
			return false;
	}
}

bool mapping_remove_all(struct task *task, struct thread *by)
{
	uint64_t va = USER_BOTTOM;
	struct user_entry e;
	for (unsigned step = 0; paging_next_mapped(task, &va, &e);) {
		if (++step > PAGES_PER_STEP) {
			if (preemption_point(by))
				return false;
			step = 1;
		}
		struct mapping *m = *e.node;
		if (!m) {
			*e.pte = 0; /* a kernel-made entry (a UTCB, freed with its thread) */
			continue;
		}
		bool done;
		mapdb_revoke(m, true, NODES_PER_STEP, remove_node, NULL, &done);
		if (!done && preemption_point(by))
			return false;
	}
	return true;
}

/* mem_unmap(va, pages, flags): rdi and rsi advance like mem_map's. */
enum status sys_mem_unmap(struct thread *t, struct frame *f)
{
	if (f->rdx & ~(uint64_t)UNMAP_SELF)
		return STATUS_BAD_ARG;
	if (!mapping_range_ok(f->rdi, f->rsi))
		return STATUS_BAD_ADDRESS;
	for (unsigned step = 0; f->rsi; f->rdi += PAGE_SIZE, f->rsi--) {
		if (++step > PAGES_PER_STEP) {
			if (preemption_point(t))
				return STATUS_RESTART;
			step = 1;
		}
		if (!unmap_one(t, f->rdi, f->rdx & UNMAP_SELF))
			return STATUS_RESTART;
	}
	return STATUS_OK;
}
