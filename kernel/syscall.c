/*
 * System call dispatch. entry.S saved the caller's registers in its
 * thread's frame; the number is in rax and the arguments in rdi, rsi,
 * rdx, r10, r8, r9 (uapi/vireo/syscall.h). Each handler validates its
 * arguments first and returns an enum status, which goes back in rax.
 */
#include "arch.h"
#include "console.h"
#include "kstring.h"
#include "paging.h"
#include "thread.h"
#include "uapi/vireo/syscall.h"
#include "usercopy.h"
#include "x86.h"

typedef enum status (*syscall_handler)(struct thread *t, struct frame *f);

static enum status sys_debug_write(struct thread *t, struct frame *f)
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

static enum status sys_thread_exit(struct thread *t, struct frame *f)
{
	thread_stop(t, (int)f->rdi);
	schedule();
}

static enum status sys_thread_set_fs_base(struct thread *t, struct frame *f)
{
	if (f->rdi >= USER_TOP)
		return STATUS_BAD_ADDRESS;
	t->fs_base = f->rdi;
	wrmsr(MSR_FS_BASE, t->fs_base);
	return STATUS_OK;
}

static const syscall_handler syscalls[SYS_COUNT] = {
	[SYS_DEBUG_WRITE] = sys_debug_write,
	[SYS_THREAD_EXIT] = sys_thread_exit,
	[SYS_THREAD_SET_FS_BASE] = sys_thread_set_fs_base,
};

_Noreturn void syscall_from_user(struct frame *f);
_Noreturn void syscall_from_user(struct frame *f)
{
	struct thread *t = this_cpu()->current;
	f->rax = f->rax < SYS_COUNT ? syscalls[f->rax](t, f) : STATUS_BAD_SYSCALL;
	thread_resume(t);
}
