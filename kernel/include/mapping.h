/*
 * Memory passed between tasks: map, grant, unmap (mm/mapping.c) and the
 * root task's window onto physical memory. doc/memory.md describes the
 * model; doc/mapping-database.md the tree underneath.
 */
#ifndef VIREO_MAPPING_H
#define VIREO_MAPPING_H

#include <stdbool.h>
#include <stdint.h>

#include "paging.h"
#include "uapi/vireo/status.h"
#include "uapi/vireo/syscall.h"

struct task;
struct thread;

/* mem_map's flags (MEM_WRITE, MEM_EXECUTE, MEM_GRANT) without other bits
 * and without write and execute together (W^X). */
static inline bool mapping_flags_ok(uint64_t flags)
{
	return !(flags & ~(uint64_t)(MEM_WRITE | MEM_EXECUTE | MEM_GRANT)) &&
	       (flags & (MEM_WRITE | MEM_EXECUTE)) != (MEM_WRITE | MEM_EXECUTE);
}

/* Is [va, va + pages * 4096) page aligned, at or above 0x1000 and below
 * USER_TOP (which also rules out kernel and non-canonical addresses)? */
bool mapping_range_ok(uint64_t va, uint64_t pages);

/*
 * Mapping a page in two steps, for a caller that must check many pages
 * before it maps any (IPC map items): mapping_prepare checks one page as
 * mem_map does and reserves what the map needs; mapping_commit then maps
 * it and cannot fail. Between the two nothing else may change either
 * address space, except other prepares and commits of the same batch
 * (which must not grant a page another one uses). mem_map is prepare and
 * commit one page at a time.
 */
struct mapping_page {
	struct user_entry source, target;
	struct mapping *node; /* reserved in the receiving task */
	uint64_t src, dst;
};

/*
 * Checks that from's page at src can be mapped (flags as for mem_map) to
 * to's empty page at dst: makes the page tables dst needs and takes a node
 * from to's quota. Returns mem_map's per-page statuses: BAD_ADDRESS,
 * NO_RIGHTS, BAD_ARG (depth), BUSY, NO_MEM. Tables made stay on failure
 * (as with mem_map); nothing else changes. src and dst must pass
 * mapping_range_ok, flags mapping_flags_ok.
 */
enum status mapping_prepare(struct task *from, uint64_t src, struct task *to, uint64_t dst,
			    unsigned flags, struct mapping_page *p);

/*
 * After preparing a batch: STATUS_BUSY when a target is no longer empty.
 * That happens only when a later page of the batch came from a window
 * page of the root task that was filled on the way, at the address an
 * earlier page is to land on. STATUS_OK: the batch can be committed.
 */
enum status mapping_targets_free(const struct mapping_page *pages, unsigned count);

/* Gives back what a successful prepare reserved (the node, to to's list
 * of free nodes), when the page will not be committed. */
void mapping_unprepare(struct task *to, struct mapping_page *p);

/* Maps (or with MEM_GRANT moves) the prepared page. Cannot fail. */
void mapping_commit(struct task *from, struct task *to, unsigned flags, struct mapping_page *p);

/* A page fault at va in task that the kernel resolves itself: the root
 * task touching its physical memory window for the first time. True when
 * the page is now mapped. */
bool mapping_fault(struct task *task, uint64_t va);

/* Maps pa at va in task as an original mapping (the root of a mapping
 * tree) with rights (enum map_rights). For the root task's boot mappings. */
enum status mapping_add_original(struct task *task, uint64_t va, uint64_t pa, unsigned rights);

/* Revokes every mapping task holds, and everything derived from them in
 * other tasks, with preemption points for `by`, the thread doing it.
 * False when a higher-priority thread must run first (call again). */
bool mapping_remove_all(struct task *task, struct thread *by);

/* Frees task's node pages; every one of its mappings must be gone. */
void mapping_free_nodes(struct task *task);

#endif
