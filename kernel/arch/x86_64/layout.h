/*
 * Memory layout and segment selectors, shared by the assembly files and C.
 *
 * Virtual address space (4-level paging, 48-bit, Intel SDM vol. 3A §4.5):
 *   0x0000_0000_0000_1000 .. USER_TOP        user space (per task)
 *   0xffff_8000_0000_0000 .. (+ RAM size)    direct map of physical memory, NX
 *   0xffff_8080_0000_0000 ..                 device MMIO window, NX, uncached
 *   0xffff_ffff_8000_0000 ..                 kernel image (-mcmodel=kernel)
 * The kernel image is loaded at physical KERNEL_PHYS and linked at
 * KERNEL_VIRT + KERNEL_PHYS; only the boot code (boot.S) is linked low.
 */
#ifndef VIREO_LAYOUT_H
#define VIREO_LAYOUT_H

#define KERNEL_PHYS 0x200000
#define KERNEL_VIRT 0xffffffff80000000
#define DIRECT_MAP_BASE 0xffff800000000000
#define MMIO_BASE 0xffff808000000000
/*
 * The highest user page stays unmapped: a SYSCALL as the last instruction
 * below 0x8000_0000_0000 would leave a non-canonical RCX for SYSRET, which
 * faults in ring 0 on Intel CPUs (SDM vol. 2B, SYSRET; the 2012 CVE-2012-0217).
 */
#define USER_TOP 0x00007fffffffe000
#define USER_BOTTOM 0x1000

/* GDT layout; the order is fixed by SYSCALL/SYSRET (SDM vol. 2B, SYSRET). */
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_CODE32 0x18 /* unused placeholder: STAR[63:48] points here */
#define GDT_USER_DATA 0x20
#define GDT_USER_CODE 0x28
#define GDT_TSS 0x30
#define SELECTOR_USER_DATA (GDT_USER_DATA | 3)
#define SELECTOR_USER_CODE (GDT_USER_CODE | 3)

/* Per-CPU block fields the entry code reaches through %gs (see percpu.h). */
#define PERCPU_SELF 0
#define PERCPU_KERNEL_STACK_TOP 8
#define PERCPU_FRAME_END 16
#define PERCPU_USER_RSP 24

/* Vector number recorded for frames that came in through SYSCALL. */
#define VECTOR_SYSCALL 0x100

#define KERNEL_STACK_SIZE 16384

#endif
