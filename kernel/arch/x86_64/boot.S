/*
 * void _start(void)  -- entered by a multiboot2 loader (GRUB2), never returns
 *
 * The multiboot2 header and the 32-bit entry. GRUB2 jumps here in 32-bit
 * protected mode with paging off, EAX = 0x36d76289 and EBX = physical
 * address of the boot information (multiboot2 spec §3.3, "I386 machine
 * state"). This code checks that the CPU has long mode and NX, builds boot
 * page tables that map the first 4 GiB three times (identity, for the
 * switch; at DIRECT_MAP_BASE, for phys_to_virt; and the first 2 GiB at
 * KERNEL_VIRT, where the kernel is linked), turns on long mode
 * (Intel SDM vol. 3A §10.8.5, "Initializing IA-32e Mode") and calls
 *     void kernel_main(uint32_t magic, uint32_t info_phys)
 * on the boot kernel stack in the higher half. paging.c later replaces the
 * boot tables with the kernel's own.
 *
 * Stack frame on the call to kernel_main: none (fresh stack, rsp 16-aligned
 * before the call, so kernel_main sees the SysV ABI's alignment).
 */
#include "layout.h"

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_HEADER_LENGTH (mb2_header_end - mb2_header)
#define PTE_BOOT_TABLE 0x3		/* present, writable */
#define PTE_BOOT_LARGE 0x83		/* present, writable, 2 MiB page */

	.section .multiboot2, "a"
	/* Multiboot2 spec §3.1.1: 8-byte aligned, in the first 32 KiB of the file. */
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long MB2_HEADER_LENGTH
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + MB2_HEADER_LENGTH)
	/* End tag (§3.1.3): type 0, flags 0, size 8. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	mov $boot_stack_top, %esp
	mov %eax, boot_magic
	mov %ebx, boot_info

	/* Long mode and NX: CPUID 0x80000001 EDX bits 29 and 20 (SDM vol. 2A, CPUID). */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode
	bt $20, %edx
	jnc no_long_mode

	/* Four page directories of 2 MiB pages: physical 0..4 GiB. */
	mov $boot_pd, %edi
	mov $(PTE_BOOT_LARGE), %eax
	xor %edx, %edx
	mov $2048, %ecx
1:	mov %eax, (%edi)
	mov %edx, 4(%edi)
	add $0x200000, %eax
	adc $0, %edx
	add $8, %edi
	loop 1b

	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $(1 << 5), %eax		/* CR4.PAE */
	mov %eax, %cr4
	mov $0xc0000080, %ecx		/* EFER */
	rdmsr
	or $((1 << 8) | (1 << 11)), %eax	/* LME, NXE */
	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16)), %eax	/* PG, WP */
	mov %eax, %cr0
	lgdt boot_gdt_pointer
	ljmp $GDT_KERNEL_CODE, $long_mode

no_long_mode:
	mov $no_long_mode_message, %esi
2:	lodsb
	test %al, %al
	jz 4f
	mov %al, %bl
	mov $0x3fd, %dx			/* COM1 line status: wait for THRE */
3:	in %dx, %al
	test $0x20, %al
	jz 3b
	mov $0x3f8, %dx
	mov %bl, %al
	out %al, %dx
	jmp 2b
4:	hlt
	jmp 4b

	.code64
long_mode:
	mov $GDT_KERNEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	movabs $higher_half, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 8
no_long_mode_message:
	.asciz "Vireo: this CPU has no 64-bit long mode or no NX bit; halted.\r\n"
	.global boot_magic, boot_info
boot_magic:
	.long 0
boot_info:
	.long 0
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00209a0000000000	/* 0x08: 64-bit code, DPL 0 (SDM vol. 3A §3.4.5) */
	.quad 0x0000920000000000	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_pointer:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.balign 4096
boot_pml4:
	.quad boot_pdpt_low + PTE_BOOT_TABLE	/* identity */
	.fill 255, 8, 0
	.quad boot_pdpt_low + PTE_BOOT_TABLE	/* DIRECT_MAP_BASE */
	.fill 254, 8, 0
	.quad boot_pdpt_high + PTE_BOOT_TABLE
boot_pdpt_low:
	.quad boot_pd + PTE_BOOT_TABLE
	.quad boot_pd + 0x1000 + PTE_BOOT_TABLE
	.quad boot_pd + 0x2000 + PTE_BOOT_TABLE
	.quad boot_pd + 0x3000 + PTE_BOOT_TABLE
	.fill 508, 8, 0
boot_pdpt_high:
	.fill 510, 8, 0
	.quad boot_pd + PTE_BOOT_TABLE	/* KERNEL_VIRT = -2 GiB: entry 510 */
	.quad boot_pd + 0x1000 + PTE_BOOT_TABLE

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pd:
	.skip 4 * 4096
boot_stack:
	.skip 4096
boot_stack_top:

	.text
higher_half:
	movabs $boot_kernel_stack_top, %rsp
	xor %ebp, %ebp
	mov boot_magic, %edi
	mov boot_info, %esi
	call kernel_main
5:	cli
	hlt
	jmp 5b

	.bss
	.balign 16
	.global boot_kernel_stack, boot_kernel_stack_top
boot_kernel_stack:
	.skip KERNEL_STACK_SIZE
boot_kernel_stack_top:

	.section .note.GNU-stack, "", @progbits
