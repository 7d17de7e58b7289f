/*
 * System call numbers and calling convention, shared by kernel and user.
 *
 * Convention (like the SysV function ABI, with r10 for the 4th argument
 * because SYSCALL overwrites rcx): number in rax, arguments in rdi, rsi,
 * rdx, r10, r8, r9; the enum status comes back in rax. rcx and r11 are
 * clobbered (SYSCALL saves rip and rflags there: Intel SDM vol. 2B,
 * SYSCALL); every other register is preserved.
 */
#ifndef VIREO_UAPI_SYSCALL_H
#define VIREO_UAPI_SYSCALL_H

enum syscall_number {
	/* debug_write(const char *buf, size_t len): print to the kernel log. */
	SYS_DEBUG_WRITE = 0,
	/* thread_exit(long code): end the calling thread; never returns. */
	SYS_THREAD_EXIT = 1,
	/* thread_set_fs_base(uintptr_t base): set the caller's %fs base. */
	SYS_THREAD_SET_FS_BASE = 2,
	SYS_COUNT
};

/* Longest message debug_write takes at once; longer ones get BAD_ARG. */
#define DEBUG_WRITE_MAX 4096

#endif
