/*
 * Per-CPU setup: the GDT with the TSS, the IDT, the SYSCALL MSRs, FPU/SSE
 * enable, and CPU feature detection. cpu_init() runs once per CPU; it
 * makes %gs point at the CPU's struct percpu for the kernel.
 */
#include "arch.h"
#include "console.h"
#include "kstring.h"
#include "x86.h"

struct cpu_features cpu_features;

/* Interrupt gate, SDM vol. 3A §6.14.1 figure 6-8. */
struct __attribute__((packed)) idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attributes; /* P, DPL, type 0xe = 64-bit interrupt gate */
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "SDM vol. 3A figure 6-8");

static struct idt_gate idt[256];

/* Separate stacks for NMI, double fault and machine check (IST 1..3), so
 * they run on a good stack whatever the kernel was doing. */
enum { IST_NMI = 1, IST_DOUBLE_FAULT = 2, IST_MACHINE_CHECK = 3, IST_COUNT = 3 };
static uint8_t ist_stacks[IST_COUNT][4096] __attribute__((aligned(16)));

static void idt_set(int vector, uint64_t handler, int ist, int dpl)
{
	idt[vector] = (struct idt_gate){
		.offset_low = (uint16_t)handler,
		.selector = GDT_KERNEL_CODE,
		.ist = (uint8_t)ist,
		.type_attributes = (uint8_t)(0x80 | dpl << 5 | 0xe),
		.offset_middle = (uint16_t)(handler >> 16),
		.offset_high = (uint32_t)(handler >> 32),
	};
}

static void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		idt_set(v, vector_entries[v], 0, 0);
	idt_set(2, vector_entries[2], IST_NMI, 0);
	idt_set(3, vector_entries[3], 0, 3); /* int3 allowed from user mode */
	idt_set(8, vector_entries[8], IST_DOUBLE_FAULT, 0);
	idt_set(18, vector_entries[18], IST_MACHINE_CHECK, 0);
}

/* Code/data descriptors, SDM vol. 3A §3.4.5. User code32 (0x18) stays
 * null: nothing may run in compatibility mode, and SYSRET only needs the
 * slot's position (STAR). */
static void gdt_init(struct percpu *p)
{
	uint64_t *g = p->gdt;
	g[0] = 0;
	g[GDT_KERNEL_CODE / 8] = 0x00af9a000000ffffull;
	g[GDT_KERNEL_DATA / 8] = 0x00cf92000000ffffull;
	g[GDT_USER_CODE32 / 8] = 0;
	g[GDT_USER_DATA / 8] = 0x00cff2000000ffffull;
	g[GDT_USER_CODE / 8] = 0x00affa000000ffffull;
	/* 16-byte TSS descriptor, SDM vol. 3A §8.2.3 figure 8-4: type 9. */
	uint64_t base = (uint64_t)&p->tss, limit = sizeof(p->tss) - 1;
	g[GDT_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
			 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	g[GDT_TSS / 8 + 1] = base >> 32;

	struct descriptor_pointer gdtr = {sizeof(p->gdt) - 1, (uint64_t)g};
	lgdt(&gdtr);
	/* Reload the segment registers with the new table's selectors. */
	__asm__ volatile("pushq %0\n"
			 "leaq 1f(%%rip), %%rax\n"
			 "pushq %%rax\n"
			 "lretq\n"
			 "1:\n"
			 "mov %1, %%ds\n"
			 "mov %1, %%es\n"
			 "mov %1, %%ss\n"
			 : : "i"((uint64_t)GDT_KERNEL_CODE), "r"((uint16_t)GDT_KERNEL_DATA)
			 : "rax", "memory");
	ltr(GDT_TSS);
}

void cpu_init(struct percpu *p, uint64_t kernel_stack_top)
{
	p->self = p;
	p->kernel_stack_top = kernel_stack_top;
	/* No ports until a task with some runs; the map all ones till then. */
	p->tss.iomap_base = TSS_IOMAP_OFF;
	memset(p->tss.io_bitmap, 0xff, sizeof(p->tss.io_bitmap));
	p->tss.io_bitmap_end = 0xff;
	p->io_loaded = NULL;
	p->io_dirty_bytes = 0;
	p->tss.ist[IST_NMI - 1] = (uint64_t)ist_stacks[0] + sizeof(ist_stacks[0]);
	p->tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)ist_stacks[1] + sizeof(ist_stacks[1]);
	p->tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)ist_stacks[2] + sizeof(ist_stacks[2]);
	gdt_init(p);
	if (p->cpu == 0)
		idt_init();
	struct descriptor_pointer idtr = {sizeof(idt) - 1, (uint64_t)idt};
	lidt(&idtr);

	/* %gs = percpu in the kernel; SWAPGS exchanges it with the user's. */
	__asm__ volatile("mov %0, %%gs" : : "r"(0));
	wrmsr(MSR_GS_BASE, (uint64_t)p);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	/* What p->fs_base says (thread.c loads a thread's only if it differs). */
	wrmsr(MSR_FS_BASE, 0);
	p->fs_base = 0;

	/*
	 * SYSCALL: CS/SS from STAR[47:32], SYSRET's from STAR[63:48] (+16 for
	 * CS, +8 for SS): AMD APM vol. 2 §6.1.1, Intel SDM vol. 2B SYSCALL.
	 * FMASK clears IF (the kernel runs with interrupts off), DF, TF, AC,
	 * NT and IOPL on entry.
	 */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, (uint64_t)GDT_USER_CODE32 << 48 | (uint64_t)GDT_KERNEL_CODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT | RFLAGS_IOPL);

	/* x87 and SSE for user threads (SDM vol. 3A §14.1.3): the kernel
	 * itself is compiled with -mgeneral-regs-only. CR4.FSGSBASE stays
	 * clear: RD/WR FS/GS BASE would let user mode change bases the kernel
	 * does not save per thread (a %gs base would reach the next thread of
	 * any task); the %fs base is set with thread_set_fs_base. */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4((read_cr4() & ~CR4_FSGSBASE) | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE);
	fninit();
}

void cpu_load_io_bitmap(struct percpu *p, const struct io_bitmap *b)
{
	/* Past max(both counts) both maps are all ones already; rounding up
	 * to words copies more of b's ones. */
	uint32_t n = b->bytes > p->io_dirty_bytes ? b->bytes : p->io_dirty_bytes;
	uint32_t words = (n + 7) / 8;
	for (unsigned i = 0; i < IO_BITMAP_PAGES && words; i++) {
		uint32_t page_words = IO_BITMAP_PAGE_BYTES / 8;
		uint32_t now = words < page_words ? words : page_words;
		copy_words(p->tss.io_bitmap + i * IO_BITMAP_PAGE_BYTES, b->pages[i], now);
		words -= now;
	}
	p->io_loaded = b;
	p->io_dirty_bytes = b->bytes;
}

void cpu_forget_io_bitmap(struct percpu *p, const struct io_bitmap *b)
{
	if (p->io_loaded == b)
		p->io_loaded = NULL;
}

static void copy_regs(char *dst, const struct cpuid_regs *r, int n)
{
	const uint32_t *w = &r->eax;
	for (int i = 0; i < n; i++)
		memcpy(dst + 4 * i, &w[i], 4);
}

/* CPUID leaves: Intel SDM vol. 2A CPUID; AMD APM vol. 3 appendix E. */
void cpu_detect_features(void)
{
	struct cpu_features *f = &cpu_features;
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t max_leaf = r.eax;
	memcpy(f->vendor + 0, &r.ebx, 4);
	memcpy(f->vendor + 4, &r.edx, 4);
	memcpy(f->vendor + 8, &r.ecx, 4);
	f->vendor[12] = 0;

	r = cpuid(1, 0);
	f->stepping = r.eax & 0xf;
	f->model = (r.eax >> 4) & 0xf;
	f->family = (r.eax >> 8) & 0xf;
	if (f->family == 0xf)
		f->family += (r.eax >> 20) & 0xff;
	if (f->family >= 6)
		f->model |= ((r.eax >> 16) & 0xf) << 4;
	f->vmx = r.ecx & (1u << 5);
	f->x2apic = r.ecx & (1u << 21);
	f->tsc_deadline = r.ecx & (1u << 24);
	f->xsave = r.ecx & (1u << 26);
	if (max_leaf >= 7)
		f->fsgsbase = cpuid(7, 0).ebx & 1;

	uint32_t max_ext = cpuid(0x80000000, 0).eax;
	if (max_ext >= 0x80000001) {
		r = cpuid(0x80000001, 0);
		f->svm = r.ecx & (1u << 2);
		f->nx = r.edx & (1u << 20);
		f->page1g = r.edx & (1u << 26);
	}
	if (max_ext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			r = cpuid(0x80000002 + i, 0);
			copy_regs(f->brand + 16 * i, &r, 4);
		}
		f->brand[48] = 0;
	}
	if (max_ext >= 0x80000007)
		f->invariant_tsc = cpuid(0x80000007, 0).edx & (1u << 8);
	if (f->svm && max_ext >= 0x8000000a) {
		r = cpuid(0x8000000a, 0); /* AMD APM vol. 3 E.4.9 */
		f->npt = r.edx & 1;
		f->svm_asids = r.ebx;
	}
	/* EPT and VPID are allowed-1 bits of the secondary processor-based
	 * controls (SDM vol. 3D appendix A.3.3), which exist only if bit 63
	 * of the primary controls' MSR allows them. The VMX capability MSRs
	 * exist only when CPUID reports VMX, so read them only then. */
	if (f->vmx && (rdmsr(MSR_VMX_PROCBASED_CTLS) >> 63)) {
		uint64_t ctls2 = rdmsr(MSR_VMX_PROCBASED_CTLS2) >> 32;
		f->ept = ctls2 & (1u << 1);
		f->vpid = ctls2 & (1u << 5);
	}
}

void cpu_print_features(void)
{
	const struct cpu_features *f = &cpu_features;
	const char *brand = f->brand;
	while (*brand == ' ')
		brand++;
	kprintf("cpu: %s family %u model %u stepping %u: %s\n", f->vendor, f->family,
		f->model, f->stepping, brand);
	static const struct {
		const char *name;
		size_t offset;
	} flags[] = {
#define FLAG(n, field) {n, offsetof(struct cpu_features, field)}
		FLAG("svm", svm), FLAG("npt", npt), FLAG("vmx", vmx), FLAG("ept", ept),
		FLAG("vpid", vpid), FLAG("x2apic", x2apic), FLAG("tsc-deadline", tsc_deadline),
		FLAG("invariant-tsc", invariant_tsc), FLAG("fsgsbase", fsgsbase),
		FLAG("nx", nx), FLAG("1g-pages", page1g),
#undef FLAG
	};
	char line[160];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		bool on = *(const bool *)((const char *)f + flags[i].offset);
		n += format(line + n, sizeof(line) - n, " %s%s", on ? "+" : "-", flags[i].name);
	}
	kprintf("cpu: features:%s\n", line);
	if (f->svm)
		kprintf("cpu: svm: %u ASIDs\n", f->svm_asids);
}
