/*
 * Exceptions and interrupts after entry.S has saved the registers.
 * A user fault the kernel does not resolve itself (the root task's window)
 * goes to the thread's exception handler as a call; without a handler the
 * thread stops with a register dump. A fault in the kernel is a kernel
 * bug: dump and panic. Exception names and error-code
 * meanings: Intel SDM vol. 3A §6.15.
 */
#include "apic.h"
#include "arch.h"
#include "console.h"
#include "ipc.h"
#include "irq.h"
#include "mapping.h"
#include "thread.h"
#include "timer.h"
#include "x86.h"

static const char *const exception_names[32] = {
	[0] = "divide error (#DE)",
	[1] = "debug (#DB)",
	[2] = "non-maskable interrupt (NMI)",
	[3] = "breakpoint (#BP)",
	[4] = "overflow (#OF)",
	[5] = "bound range exceeded (#BR)",
	[6] = "invalid opcode (#UD)",
	[7] = "device not available (#NM)",
	[8] = "double fault (#DF)",
	[10] = "invalid TSS (#TS)",
	[11] = "segment not present (#NP)",
	[12] = "stack-segment fault (#SS)",
	[13] = "general protection (#GP)",
	[14] = "page fault (#PF)",
	[16] = "x87 floating-point error (#MF)",
	[17] = "alignment check (#AC)",
	[18] = "machine check (#MC)",
	[19] = "SIMD floating-point exception (#XM)",
	[20] = "virtualization exception (#VE)",
	[21] = "control protection (#CP)",
};

static const char *exception_name(uint64_t vector)
{
	const char *name = vector < 32 ? exception_names[vector] : NULL;
	return name ? name : "reserved exception";
}

static void dump_frame(const struct frame *f)
{
	kprintf("  rip=%016lx cs=%04lx rflags=%016lx error=%lx\n", f->rip, f->cs, f->rflags,
		f->error_code);
	if (f->vector == 14) {
		/* #PF error code bits: SDM vol. 3A §4.7 figure 4-12. */
		kprintf("  cr2=%016lx (%s, %s, %s mode%s)\n", read_cr2(),
			f->error_code & 1 ? "protection violation" : "page not present",
			f->error_code & 2 ? "write" : f->error_code & 16 ? "instruction fetch" : "read",
			f->error_code & 4 ? "user" : "kernel",
			f->error_code & 8 ? ", reserved bit set" : "");
	}
	kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax, f->rbx, f->rcx,
		f->rdx);
	kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n", f->rsi, f->rdi, f->rbp,
		f->rsp);
	kprintf("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", f->r8, f->r9, f->r10,
		f->r11);
	kprintf("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", f->r12, f->r13, f->r14,
		f->r15);
	kprintf("  cr3=%016lx ss=%04lx\n", read_cr3(), f->ss);
}

static void handle_interrupt(uint64_t vector)
{
	if (vector == VECTOR_SPURIOUS)
		return; /* no EOI for spurious interrupts: SDM vol. 3A §11.9 */
	if (vector == VECTOR_LAPIC_TIMER) {
		lapic_eoi();
		timer_interrupt();
		return;
	}
	if (irq_interrupt((uint8_t)vector))
		return;
	kprintf("vireo: unexpected interrupt vector %lu\n", vector);
	lapic_eoi();
}

_Noreturn void trap_from_user(struct frame *f);
_Noreturn void trap_from_user(struct frame *f)
{
	struct thread *t = this_cpu()->current;
	if (f->vector >= 32) {
		handle_interrupt(f->vector);
		schedule();
	}
	/* A page not present (#PF error bit 0 clear) the kernel maps itself. */
	uint64_t address = f->vector == 14 ? read_cr2() : 0;
	if (f->vector == 14 && !(f->error_code & 1) && mapping_fault(t->task, address))
		schedule();
	/* Everything else is for the thread's handler to decide (L4 style). */
	if (ipc_exception(t, f->vector, f->error_code, address))
		schedule();
	kprintf("vireo: task '%s' stopped: %s at rip=%016lx\n", t->task->name,
		exception_name(f->vector), f->rip);
	dump_frame(f);
	thread_stop(t, 1);
	schedule();
}

/* An interrupt (vector >= 32) that ended idle()'s HLT: nothing to resume,
 * entry.S saved no registers and reset the stack. */
_Noreturn void interrupt_from_idle(uint64_t vector);
_Noreturn void interrupt_from_idle(uint64_t vector)
{
	handle_interrupt(vector);
	schedule();
}

/* Returns to resume the interrupted kernel code (a preemption point). */
void trap_from_kernel(struct frame *f);
void trap_from_kernel(struct frame *f)
{
	if (f->vector >= 32) {
		handle_interrupt(f->vector);
		return;
	}
	kprintf("vireo: kernel fault: %s (vector %lu)\n", exception_name(f->vector), f->vector);
	dump_frame(f);
	panic("fault in kernel mode");
}
