/*
 * Memory passed between tasks: map, grant, unmap (mm/mapping.c) and the
 * root task's window onto physical memory. doc/memory.md describes the
 * model; doc/mapping-database.md the tree underneath.
 */
#ifndef VIREO_MAPPING_H
#define VIREO_MAPPING_H

#include <stdbool.h>
#include <stdint.h>

#include "uapi/vireo/status.h"

struct task;
struct thread;

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
