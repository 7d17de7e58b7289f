/*
 * Copying between the kernel and a thread's user memory. The kernel runs
 * with interrupts off and treats any fault of its own as a bug, so user
 * pointers are never dereferenced directly: each page is translated by a
 * software page-table walk first, and a bad pointer gives a status code.
 */
#ifndef VIREO_USERCOPY_H
#define VIREO_USERCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "thread.h"
#include "uapi/vireo/status.h"

/* STATUS_BAD_ADDRESS unless all of [src, src+len) is readable user memory. */
enum status copy_from_user(struct thread *t, void *dst, uint64_t src, size_t len);

/* STATUS_BAD_ADDRESS unless all of [dst, dst+len) is writable user memory;
 * nothing is written then. */
enum status copy_to_user(struct thread *t, uint64_t dst, const void *src, size_t len);

/* Copies a NUL-terminated user string of at most size - 1 characters;
 * STATUS_BAD_ARG when it is longer, STATUS_BAD_ADDRESS when unreadable. */
enum status copy_string_from_user(struct thread *t, char *dst, uint64_t src, size_t size);

/* Like copy_to_user, but the kernel may write read-only user pages: for
 * filling in what it maps into a task (the root task's boot info). */
enum status copy_to_task(struct task *task, uint64_t dst, const void *src, size_t len);

#endif
