/*
 * Kernel entry and exit: interrupt/exception stubs, the SYSCALL entry and
 * the return to user mode. The C side is trap.c and syscall.c.
 *
 *   void syscall_entry(void);                       -- MSR_LSTAR target
 *   extern const uint64_t vector_entries[256];      -- IDT targets
 *   _Noreturn void return_to_user(struct frame *f); -- SYSRET or IRET to f
 *   _Noreturn void idle(void);                      -- HLT until an interrupt
 *
 * Vireo keeps no per-thread kernel stack (as NOVA and seL4): a thread's user
 * registers are saved straight into the `struct frame` inside its thread
 * object. TSS.rsp0 and percpu.frame_end both point just past that frame, so
 * the CPU's own interrupt push (SDM vol. 3A §6.14.2: 16-byte aligned, SS,
 * RSP, RFLAGS, CS, RIP, error code) lands in it and the stub pushes the rest.
 * Then the stub moves to the CPU's kernel stack and calls C, which never
 * returns there: it ends in return_to_user() for whichever thread runs next.
 * The kernel itself runs with interrupts off; the only kernel code ever
 * interrupted is idle() below, whose interrupts go on in schedule(), and
 * the preemption points of long system calls (sched.c), whose frames stay
 * on the kernel stack.
 *
 * struct frame (arch.h), lowest address first, 22 * 8 = 176 bytes:
 *   0   r15 r14 r13 r12 r11 r10 r9 r8          pushed by the stub
 *   64  rbp rdi rsi rdx rcx rbx rax
 *   120 vector                                 stub (VECTOR_SYSCALL for SYSCALL)
 *   128 error_code                             CPU, or 0 from the stub
 *   136 rip cs rflags rsp ss                   CPU (SYSCALL: the stub)
 */
#include "layout.h"

#define FRAME_RCX 96
#define FRAME_R11 32
#define FRAME_RDI 72
#define FRAME_VECTOR 120
#define FRAME_RIP 136
#define FRAME_CS 144
#define FRAME_RFLAGS 152
#define FRAME_RSP 160

.macro push_registers
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro pop_registers
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm

/* Exceptions that push an error code: SDM vol. 3A §6.15, table 6-1. */
.macro vector_stub n
	.balign 16
vector_\n:
	.if (\n == 8) || (\n == 10) || (\n == 11) || (\n == 12) || (\n == 13) || (\n == 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp interrupt_common
.endm

.macro vector_address n
	.quad vector_\n
.endm

	.text
	.altmacro
	.set i, 0
	.rept 256
	vector_stub %i
	.set i, i + 1
	.endr

/* Offsets from rsp in interrupt_common before push_registers. */
#define STUB_VECTOR 0
#define STUB_RIP 16
#define STUB_CS 24

interrupt_common:
	/* C code may use string instructions, and the SysV ABI (§3.2.1) has
	 * DF clear on function entry; user mode may have set it (SYSCALL
	 * clears it through FMASK, interrupts do not). The user's DF stays
	 * in the saved RFLAGS. */
	cld
	testb $3, STUB_CS(%rsp)
	jz 1f
	push_registers
	mov %rsp, %rdi
	swapgs
	mov %gs:PERCPU_KERNEL_STACK_TOP, %rsp
	call trap_from_user		/* does not return */
	ud2
	/*
	 * From ring 0. An interrupt that woke idle() has nothing to go back
	 * to: no registers to save, the handler goes on in schedule() from
	 * the top of the kernel stack. Exceptions and interrupts of a
	 * preemption point save the registers and return.
	 */
1:	cmpq $idle_woken, STUB_RIP(%rsp)
	jne 2f
	cmpq $32, STUB_VECTOR(%rsp)
	jb 2f
	mov STUB_VECTOR(%rsp), %rdi
	mov %gs:PERCPU_KERNEL_STACK_TOP, %rsp
	call interrupt_from_idle	/* does not return */
	ud2
2:	push_registers
	mov %rsp, %rdi
	call trap_from_kernel		/* returns */
	pop_registers
	add $16, %rsp			/* vector, error code */
	iretq

	/*
	 * _Noreturn void idle(void): wait for an interrupt with nothing to
	 * run (schedule). STI takes effect after the next instruction (SDM
	 * vol. 2B, STI), so no interrupt comes between it and HLT; the one
	 * that ends HLT finds idle_woken as its return address.
	 */
	.global idle
idle:
	mov %gs:PERCPU_KERNEL_STACK_TOP, %rsp
	sti
	hlt
idle_woken:
	cli				/* only after an NMI: halt again */
	jmp idle

	.global syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:PERCPU_USER_RSP
	mov %gs:PERCPU_FRAME_END, %rsp
	pushq $SELECTOR_USER_DATA	/* ss */
	pushq %gs:PERCPU_USER_RSP	/* rsp */
	push %r11			/* rflags, saved by SYSCALL */
	pushq $SELECTOR_USER_CODE	/* cs */
	push %rcx			/* rip, saved by SYSCALL */
	pushq $0			/* error code */
	pushq $VECTOR_SYSCALL
	push_registers
	mov %rsp, %rdi
	mov %gs:PERCPU_KERNEL_STACK_TOP, %rsp
	call syscall_from_user		/* does not return */
	ud2

	.global return_to_user
return_to_user:
	cmpq $VECTOR_SYSCALL, FRAME_VECTOR(%rdi)
	je 2f
	mov %rdi, %rsp
	pop_registers
	add $16, %rsp
	swapgs
	iretq
	/*
	 * Back from a system call: SYSRET is much cheaper than IRET. It takes
	 * RIP from RCX and RFLAGS from R11, which SYSCALL clobbered anyway.
	 * The frame's rip is a user address below USER_TOP (layout.h says why
	 * that matters). Interrupts stay off until SYSRET loads RFLAGS; an NMI
	 * in between runs on its own IST stack.
	 */
2:	mov %rdi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	add $8, %rsp			/* r11 */
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	add $8, %rsp			/* rdi, restored last */
	pop %rsi
	pop %rdx
	add $8, %rsp			/* rcx */
	pop %rbx
	pop %rax
	mov FRAME_RIP(%rdi), %rcx
	mov FRAME_RFLAGS(%rdi), %r11
	mov FRAME_RSP(%rdi), %rsp
	mov FRAME_RDI(%rdi), %rdi
	swapgs
	sysretq

	.section .rodata
	.balign 8
	.global vector_entries
vector_entries:
	.set i, 0
	.rept 256
	vector_address %i
	.set i, i + 1
	.endr

	.section .note.GNU-stack, "", @progbits
