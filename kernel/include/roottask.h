/*
 * Starting the root task: the one user program the kernel loads itself,
 * from the multiboot module named "root". Everything else is started by
 * the root task.
 */
#ifndef VIREO_ROOTTASK_H
#define VIREO_ROOTTASK_H

#include <stdint.h>

#include "multiboot2.h"

/* Root task address space layout (user half; doc/implementation.md). */
#define ROOT_IMAGE_LIMIT 0x0000100000000000ull    /* ELF segments below this */
#define ROOT_MODULES_BASE 0x0000100000000000ull   /* modules, read-only */
#define ROOT_HEAP_BASE 0x0000200000000000ull      /* heap, read-write */
#define ROOT_HEAP_SIZE (4ull << 20)
#define ROOT_BOOTINFO 0x00007ff000000000ull       /* struct bootinfo, read-only */
#define ROOT_UTCB 0x00007ff000100000ull           /* the first thread's UTCB */
#define ROOT_CAP_SLOTS 1024
#define ROOT_STACK_TOP 0x00007ffff0000000ull
#define ROOT_STACK_SIZE (64ull << 10)
#define ROOT_PRIORITY 255

/* Exit code of the kernel when the root task image is unusable. */
#define SHUTDOWN_BAD_ROOT_TASK 2

/*
 * Loads the module named "root" as an ELF executable into a new task,
 * maps all modules, a heap, a stack and the boot information into it and
 * makes its thread ready. A missing or malformed image is reported as
 * "vireo: root task image rejected: <reason>" and the machine shuts down
 * with SHUTDOWN_BAD_ROOT_TASK; running out of memory panics.
 */
void root_task_create(const struct mb2_info *boot, uint64_t tsc_khz, uint64_t hpet_address);

#endif
