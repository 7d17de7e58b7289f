/*
 * System call dispatch, and the calls that belong to no single object
 * (debug output, capability copy and delete). entry.S saved the caller's
 * registers in its thread's frame; the number is in rax and the arguments
 * in rdi, rsi, rdx, r10, r8, r9 (uapi/vireo/syscall.h).
 */
#include "arch.h"
#include "console.h"
#include "ipc.h"
#include "irq.h"
#include "kstring.h"
#include "paging.h"
#include "syscalls.h"
#include "uapi/vireo/syscall.h"
#include "usercopy.h"
#include "x86.h"

enum status sys_debug_write(struct thread *t, struct frame *f)
{
	uint64_t buf = f->rdi, len = f->rsi;
	if (len > DEBUG_WRITE_MAX)
		return STATUS_BAD_ARG;
	char text[DEBUG_WRITE_MAX];
	enum status s = copy_from_user(t, text, buf, len);
	if (s != STATUS_OK)
		return s;
	serial_write(text, len);
	return STATUS_OK;
}

enum status sys_thread_exit(struct thread *t, struct frame *f)
{
	thread_stop(t, (int)f->rdi);
	return STATUS_OK;
}

enum status sys_thread_set_fs_base(struct thread *t, struct frame *f)
{
	if (f->rdi >= USER_TOP)
		return STATUS_BAD_ADDRESS;
	thread_set_fs_base(t, f->rdi);
	return STATUS_OK;
}

enum status sys_cap_copy(struct thread *t, struct frame *f)
{
	struct cap *target;
	enum status s = cap_lookup(&t->task->caps, f->rsi, OBJECT_TASK, RIGHT_CONTROL, &target);
	if (s != STATUS_OK)
		return s;
	struct task *to = (struct task *)target->object;
	return cap_copy(&t->task->caps, f->rdi, &to->caps, f->rdx, (uint32_t)f->r10, f->r8);
}

void object_destroy(struct object *o)
{
	switch (o->type) {
	case OBJECT_ENDPOINT:
		endpoint_destroy((struct endpoint *)o);
		break;
	case OBJECT_TASK:
	case OBJECT_THREAD:
		/* A live task or thread stays without capabilities (a task
		 * until task_destroy, a thread until it ends with its task);
		 * a destroyed one's page goes now. */
		if (o->dead)
			task_object_free(o);
		break;
	case OBJECT_IRQ:
		irq_destroy((struct irq *)o);
		break;
	default:
		break;
	}
}

void object_release(struct object *o)
{
	if (--o->references == 0)
		object_destroy(o);
}

enum status sys_cap_delete(struct thread *t, struct frame *f)
{
	if (f->rdi >= t->task->caps.size || !cap_slot(&t->task->caps, f->rdi)->object)
		return STATUS_BAD_CAP;
	struct object *dead = cap_clear(cap_slot(&t->task->caps, f->rdi));
	if (dead)
		object_destroy(dead);
	return STATUS_OK;
}

static syscall_handler *const syscalls[SYS_COUNT] = {
	[SYS_DEBUG_WRITE] = sys_debug_write,
	[SYS_THREAD_EXIT] = sys_thread_exit,
	[SYS_THREAD_SET_FS_BASE] = sys_thread_set_fs_base,
	[SYS_CAP_COPY] = sys_cap_copy,
	[SYS_CAP_DELETE] = sys_cap_delete,
	[SYS_TASK_CREATE] = sys_task_create,
	[SYS_THREAD_CREATE] = sys_thread_create,
	[SYS_THREAD_START] = sys_thread_start,
	[SYS_ENDPOINT_CREATE] = sys_endpoint_create,
	[SYS_IPC_SEND] = sys_ipc_send,
	[SYS_IPC_RECEIVE] = sys_ipc_receive,
	[SYS_IPC_CALL] = sys_ipc_call,
	[SYS_IPC_REPLY_WAIT] = sys_ipc_reply_wait,
	[SYS_IRQ_CREATE] = sys_irq_create,
	[SYS_IRQ_ACK] = sys_irq_ack,
	[SYS_MEM_MAP] = sys_mem_map,
	[SYS_MEM_UNMAP] = sys_mem_unmap,
	[SYS_THREAD_CONFIGURE] = sys_thread_configure,
	[SYS_THREAD_SUSPEND] = sys_thread_suspend,
	[SYS_THREAD_RESUME] = sys_thread_resume,
	[SYS_THREAD_READ_REGS] = sys_thread_read_regs,
	[SYS_THREAD_WRITE_REGS] = sys_thread_write_regs,
	[SYS_TASK_DESTROY] = sys_task_destroy,
	[SYS_TASK_QUOTA] = sys_task_quota,
	[SYS_IO_PORTS] = sys_io_ports,
};

/*
 * After the handler: the caller, if still ready, stays at the head of its
 * priority's queue, so schedule() continues it unless the call made a
 * higher-priority thread ready (which then runs at once).
 */
_Noreturn void syscall_from_user(struct frame *f);
_Noreturn void syscall_from_user(struct frame *f)
{
	struct thread *t = this_cpu()->current;
	enum status s = f->rax < SYS_COUNT ? syscalls[f->rax](t, f) : STATUS_BAD_SYSCALL;
	if (s == STATUS_RESTART)
		f->rip -= 2; /* back onto the 2-byte SYSCALL (0f 05); rax keeps the number */
	else
		f->rax = s;
	schedule();
}
