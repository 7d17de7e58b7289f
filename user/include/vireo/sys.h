/*
 * System call stubs for user programs: one static inline function per
 * system call in <vireo/syscall.h>, each a single SYSCALL instruction.
 *
 * Convention (kernel/include/uapi/vireo/syscall.h): number in rax,
 * arguments in rdi, rsi, rdx, r10, r8, r9; the enum status comes back in
 * rax; SYSCALL itself overwrites rcx (return rip) and r11 (rflags), see
 * Intel SDM vol. 2B, "SYSCALL". The "memory" clobber keeps the compiler from
 * caching memory the kernel reads (debug_write's buffer) across the call.
 */
#ifndef VIREO_SYS_H
#define VIREO_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <vireo/status.h>
#include <vireo/syscall.h>

static inline enum status syscall1(enum syscall_number number, uint64_t a0)
{
	uint64_t rax = number;
	__asm__ volatile("syscall"
			 : "+a"(rax)
			 : "D"(a0)
			 : "rcx", "r11", "memory");
	return (enum status)rax;
}

static inline enum status syscall2(enum syscall_number number, uint64_t a0,
				   uint64_t a1)
{
	uint64_t rax = number;
	__asm__ volatile("syscall"
			 : "+a"(rax)
			 : "D"(a0), "S"(a1)
			 : "rcx", "r11", "memory");
	return (enum status)rax;
}

/*
 * Print len bytes of buf to the kernel log (serial COM1). Returns OK,
 * BAD_ARG when len > DEBUG_WRITE_MAX, or BAD_ADDRESS when buf is not
 * readable user memory.
 */
static inline enum status sys_debug_write(const char *buf, size_t len)
{
	return syscall2(SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)buf, len);
}

/*
 * End the calling thread with an exit code; never returns. When the root
 * task's thread exits, the kernel shuts the machine down with that code.
 */
static inline _Noreturn void sys_thread_exit(long code)
{
	syscall1(SYS_THREAD_EXIT, (uint64_t)code);
	for (;;)
		__asm__ volatile("pause"); /* not reached */
}

/*
 * Set the calling thread's %fs base (where TLS and the stack-protector
 * canary at %fs:0x28 live). Returns OK, or BAD_ADDRESS when base is not a
 * canonical user address.
 */
static inline enum status sys_thread_set_fs_base(uintptr_t base)
{
	return syscall1(SYS_THREAD_SET_FS_BASE, base);
}

#endif
