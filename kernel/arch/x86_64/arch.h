/*
 * The x86-64 pieces that generic kernel code sees: the saved register
 * frame, the per-CPU block, CPU features, and the arch entry points
 * (descriptor tables, paging, interrupt controllers, timers).
 */
#ifndef VIREO_ARCH_H
#define VIREO_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* A thread's user registers, laid out as entry.S pushes them. */
struct frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* the CPU's interrupt frame */
};
_Static_assert(sizeof(struct frame) == 176, "entry.S frame layout");
_Static_assert(sizeof(struct frame) % 16 == 0, "TSS.rsp0 must stay 16-aligned");
_Static_assert(offsetof(struct frame, rcx) == 96, "entry.S FRAME_RCX");
_Static_assert(offsetof(struct frame, r11) == 32, "entry.S FRAME_R11");
_Static_assert(offsetof(struct frame, rdi) == 72, "entry.S FRAME_RDI");
_Static_assert(offsetof(struct frame, vector) == 120, "entry.S FRAME_VECTOR");
_Static_assert(offsetof(struct frame, rip) == 136, "entry.S FRAME_RIP");
_Static_assert(offsetof(struct frame, cs) == 144, "entry.S FRAME_CS");
_Static_assert(offsetof(struct frame, rflags) == 152, "entry.S FRAME_RFLAGS");
_Static_assert(offsetof(struct frame, rsp) == 160, "entry.S FRAME_RSP");

/*
 * I/O permission bit map (Intel SDM vol. 1 §19.5.2): bit p set = an IN or
 * OUT to port p in user mode (CPL 3 > IOPL 0) raises #GP; a multi-byte
 * access needs the bits of all its ports clear.
 */
#define IO_PORT_COUNT 65536u
#define IO_BITMAP_BYTES (IO_PORT_COUNT / 8)
#define IO_BITMAP_PAGE_BYTES 4096u
#define IO_BITMAP_PAGES (IO_BITMAP_BYTES / IO_BITMAP_PAGE_BYTES)

/*
 * 64-bit TSS: Intel SDM vol. 3A §8.7, figure 8-11, followed by the I/O
 * permission bit map that iomap_base points at while the running task has
 * ports (TSS_IOMAP_ON); TSS_IOMAP_OFF lies past the TSS limit, where
 * every port faults (vol. 1 §19.5.2).
 */
struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp[3];   /* +4: stacks for CPL 0..2 */
	uint64_t reserved1;
	uint64_t ist[7];   /* +36: interrupt stack table 1..7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* +102 */
	uint8_t io_bitmap[IO_BITMAP_BYTES]; /* +104 */
	/* The CPU reads two bytes for every check, so the byte after the map
	 * must be inside the limit and all ones (vol. 1 §19.5.2). */
	uint8_t io_bitmap_end;
};
_Static_assert(offsetof(struct tss, io_bitmap) == 104, "SDM vol. 3A figure 8-11");
_Static_assert(sizeof(struct tss) == 104 + IO_BITMAP_BYTES + 1, "TSS limit covers the map");
#define TSS_IOMAP_ON offsetof(struct tss, io_bitmap)
#define TSS_IOMAP_OFF sizeof(struct tss)

/*
 * A task's I/O permission bitmap, in the same format, on two pages (the
 * kernel allocates pages one at a time, so they need not be adjacent).
 * Only the first `bytes` bytes can have a clear bit: `bytes` is one past
 * the last byte with a port allowed, and only those bytes are copied into
 * the TSS on a switch (cpu_switch_io_bitmap).
 */
struct io_bitmap {
	uint8_t *pages[IO_BITMAP_PAGES]; /* direct map; NULL: the task never had ports */
	uint32_t bytes;                  /* 0: no ports */
};

struct thread;
struct run_queue;

/* CPUs the kernel's per-CPU tables have room for (as ACPI's MADT list). */
#define CPU_MAX 64

/*
 * Per-CPU data, reached through %gs in the kernel (GS base = this block).
 * The first fields are used by entry.S; their offsets are in layout.h.
 */
struct percpu {
	struct percpu *self;
	uint64_t kernel_stack_top;
	uint64_t frame_end;          /* end of the current thread's frame */
	uint64_t user_rsp;           /* scratch for syscall_entry */
	struct thread *current;
	struct thread *fpu_owner;    /* whose FPU/SSE state is in the registers */
	uint64_t fs_base;            /* what MSR_FS_BASE holds */
	unsigned cpu;                /* index, < CPU_MAX */
	struct run_queue *run_queue; /* its ready threads (sched.c) */
	uint32_t lapic_id;
	struct tss tss;
	uint64_t gdt[9];
	/* What tss.io_bitmap holds: the bitmap of io_loaded (NULL: none
	 * known), and a count of bytes from the start that may not be all
	 * ones (the rest are). */
	const struct io_bitmap *io_loaded;
	uint32_t io_dirty_bytes;
};
_Static_assert(offsetof(struct percpu, self) == PERCPU_SELF, "layout.h");
_Static_assert(offsetof(struct percpu, kernel_stack_top) == PERCPU_KERNEL_STACK_TOP, "layout.h");
_Static_assert(offsetof(struct percpu, frame_end) == PERCPU_FRAME_END, "layout.h");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "layout.h");

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* CPU features (cpu.c), detected once at boot. */
struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	bool svm, npt, vmx, ept, vpid, x2apic, tsc_deadline, invariant_tsc;
	bool fsgsbase, nx, page1g, xsave;
	uint32_t svm_asids;
};
extern struct cpu_features cpu_features;

void cpu_detect_features(void);
void cpu_print_features(void);
void cpu_init(struct percpu *p, uint64_t kernel_stack_top);
/* f is the running thread's frame: the CPU's interrupt push (TSS.rsp0)
 * and syscall_entry land just past its end. */
static inline void cpu_set_frame(struct percpu *p, struct frame *f)
{
	p->frame_end = (uint64_t)(f + 1);
	p->tss.rsp[0] = p->frame_end;
}

/* Copies b into the TSS's map: max(b->bytes, p->io_dirty_bytes) bytes. */
void cpu_load_io_bitmap(struct percpu *p, const struct io_bitmap *b);

/*
 * Gives user mode on this CPU the ports of bitmap b (the task about to
 * run). A task without ports costs a test and a store: the map is
 * switched off. A task with ports costs a copy of max(its bytes, the
 * bytes of the map there before) unless its map is still loaded from its
 * last turn.
 */
static inline void cpu_switch_io_bitmap(struct percpu *p, const struct io_bitmap *b)
{
	if (!b->bytes) {
		p->tss.iomap_base = TSS_IOMAP_OFF;
		return;
	}
	if (p->io_loaded != b)
		cpu_load_io_bitmap(p, b);
	p->tss.iomap_base = TSS_IOMAP_ON;
}

/* b changed or is about to be freed: the next cpu_switch_io_bitmap to
 * it copies it again. */
void cpu_forget_io_bitmap(struct percpu *p, const struct io_bitmap *b);

/* entry.S */
extern const uint64_t vector_entries[256];
void syscall_entry(void);
_Noreturn void return_to_user(struct frame *f);
/* Halts with interrupts on until one comes, on a fresh kernel stack; the
 * interrupt goes on in interrupt_from_idle (trap.c), never back here. */
_Noreturn void idle(void);

/* serial.c: COM1 console. */
void serial_init(void);
void serial_write(const char *s, size_t len);
/* Waits until every byte written has left the UART. */
void serial_flush(void);

/* platform.c: leave the emulator (or halt a real PC) with an exit code. */
_Noreturn void platform_shutdown(int code);

/* Physical memory through the direct map (paging.c). */
static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(phys + DIRECT_MAP_BASE);
}

/* Inverse of phys_to_virt, for direct-map pointers only. */
static inline uint64_t virt_to_phys(const void *p)
{
	return (uint64_t)p - DIRECT_MAP_BASE;
}

#endif
