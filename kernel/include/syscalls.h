/*
 * The system call handlers, one per entry of enum syscall_number, each in
 * the file of the object it works on. Each gets the calling thread and
 * its saved frame (arguments in rdi, rsi, rdx, r10, r8, r9), validates
 * everything first (decode), then acts (invoke), and returns the status
 * that goes back in rax. A handler that blocks the caller leaves its
 * results to whoever wakes it.
 */
#ifndef VIREO_SYSCALLS_H
#define VIREO_SYSCALLS_H

#include "thread.h"

/* Not a status a caller sees: the handler stopped at a preemption point
 * with its progress in the frame's argument registers, and the system
 * call runs again when the caller is next scheduled. */
#define STATUS_RESTART ((enum status)STATUS_COUNT)

typedef enum status syscall_handler(struct thread *t, struct frame *f);

syscall_handler sys_debug_write, sys_thread_exit, sys_thread_set_fs_base;
syscall_handler sys_cap_copy, sys_cap_delete;
syscall_handler sys_task_create, sys_task_destroy, sys_task_quota, sys_io_ports;
syscall_handler sys_thread_create, sys_thread_start;
syscall_handler sys_endpoint_create, sys_ipc_send, sys_ipc_receive, sys_ipc_call,
	sys_ipc_reply_wait;
syscall_handler sys_irq_create, sys_irq_ack;
syscall_handler sys_mem_map, sys_mem_unmap;
syscall_handler sys_thread_configure, sys_thread_suspend, sys_thread_resume,
	sys_thread_read_regs, sys_thread_write_regs;

/* The last reference to o went: destroys or frees it. */
void object_destroy(struct object *o);

/* Drops a reference to o that is not a capability (a thread's handler);
 * the last one destroys o. */
void object_release(struct object *o);

#endif
