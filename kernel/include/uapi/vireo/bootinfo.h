/*
 * The boot information page: what the kernel tells the root task about the
 * machine at start. The kernel maps it read-only into the root task and
 * passes its address in rdi to the entry point (see user/crt0.c).
 */
#ifndef VIREO_UAPI_BOOTINFO_H
#define VIREO_UAPI_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAGIC 0x4f4e5249455649ull /* "VIREINO" */
#define BOOTINFO_MAX_MODULES 16
#define BOOTINFO_NAME_MAX 64
#define BOOTINFO_CMDLINE_MAX 256

/* One multiboot module, mapped read-only into the root task. */
struct bootinfo_module {
	uint64_t address;                /* user virtual address */
	uint64_t size;                   /* bytes */
	char name[BOOTINFO_NAME_MAX];    /* first word of the module string */
	char args[BOOTINFO_CMDLINE_MAX]; /* rest of the module string */
};

/*
 * The root task's window onto physical memory: physical address pa is at
 * user address BOOTINFO_PHYS_WINDOW + pa. Its own memory (bootinfo's
 * memory[] ranges) is RAM, read-write; device memory (anything that is
 * not RAM, except the interrupt controllers) is read-write and uncached.
 * Other RAM (the kernel's) faults. Pages appear when first touched.
 */
#define BOOTINFO_PHYS_WINDOW 0x400000000000ull
#define BOOTINFO_PHYS_WINDOW_SIZE 0x200000000000ull
#define BOOTINFO_MAX_MEMORY 16

struct bootinfo_memory {
	uint64_t base; /* physical address */
	uint64_t size; /* bytes */
};

struct bootinfo {
	uint64_t magic;           /* BOOTINFO_MAGIC */
	uint64_t size;            /* sizeof(struct bootinfo), for versioning */
	uint64_t heap_start;      /* user virtual address of the heap */
	uint64_t heap_size;       /* bytes, mapped read-write */
	uint64_t tsc_khz;         /* calibrated TSC frequency (0: unknown) */
	uint64_t hpet_address;    /* physical HPET base (0: none) */
	uint64_t hpet;            /* the HPET's registers in the window (0: none) */
	uint64_t utcb;            /* user address of the first thread's UTCB */
	uint64_t kernel_pages;    /* kernel memory quota of the root task */
	uint64_t memory_count;    /* the root task's memory: ranges of RAM */
	struct bootinfo_memory memory[BOOTINFO_MAX_MEMORY];
	uint64_t module_count;
	struct bootinfo_module modules[BOOTINFO_MAX_MODULES];
	char cmdline[BOOTINFO_CMDLINE_MAX]; /* the root task's own arguments */
};

_Static_assert(sizeof(struct bootinfo) <= 4096 * 2, "boot info fits two pages");

#endif
