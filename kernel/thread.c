/*
 * Thread creation, blocking and waking, and the switch back to user mode
 * (see thread.h).
 */
#include "console.h"
#include "ipc.h"
#include "kstring.h"
#include "memory.h"
#include "paging.h"
#include "syscalls.h"
#include "thread.h"
#include "timer.h"
#include "x86.h"

_Static_assert(sizeof(struct thread) <= PAGE_SIZE, "a thread fits one page");

/* User RFLAGS: interrupts on, reserved bit 1 set, nothing else (IOPL 0). */
#define USER_RFLAGS (RFLAGS_IF | RFLAGS_RESERVED1)

enum status thread_create(struct task *payer, struct task *task, uint8_t priority,
			  uint64_t utcb_address, struct thread **out)
{
	if (payer && payer->quota_pages < 2)
		return STATUS_NO_MEM;
	uint64_t page = page_alloc(), utcb = page_alloc();
	if (!page || !utcb) {
		if (page)
			page_free(page);
		if (utcb)
			page_free(utcb);
		return STATUS_NO_MEM;
	}
	enum status s = paging_map_user(task, utcb_address, utcb, MAP_WRITE);
	if (s != STATUS_OK) {
		page_free(page);
		page_free(utcb);
		return s;
	}
	if (payer)
		payer->quota_pages -= 2;
	struct thread *t = phys_to_virt(page);
	t->object.type = OBJECT_THREAD;
	t->frame = (struct frame){
		.cs = SELECTOR_USER_CODE,
		.rflags = USER_RFLAGS,
		.ss = SELECTOR_USER_DATA,
	};
	/* Power-on x87/SSE state: FCW 0x37f, MXCSR 0x1f80 (SDM vol. 1 §8.1.5,
	 * §10.2.3.1); FXSAVE layout SDM vol. 1 table 10-2. */
	t->fpu_state[0] = 0x7f;
	t->fpu_state[1] = 0x03;
	t->fpu_state[24] = 0x80;
	t->fpu_state[25] = 0x1f;
	t->task = task;
	t->task_next = task->threads;
	task->threads = t;
	t->priority = priority;
	t->cpu = this_cpu()->cpu; /* the creator's; a later call may move it */
	t->run_queue = this_cpu()->run_queue;
	t->time_slice_ticks = timer_ns_to_ticks(TIME_SLICE_DEFAULT_NS);
	t->state = THREAD_INACTIVE;
	t->utcb = phys_to_virt(utcb);
	t->utcb_address = utcb_address;
	*out = t;
	return STATUS_OK;
}

void thread_start(struct thread *t, uint64_t rip, uint64_t rsp, uint64_t arg)
{
	t->frame.rip = rip;
	t->frame.rsp = rsp;
	t->frame.rdi = arg;
	t->task->thread_count++;
	t->state = THREAD_READY;
	sched_enqueue(t);
}

void thread_stop(struct thread *t, int exit_code)
{
	if (t->state == THREAD_STOPPED)
		return;
	if (t->state != THREAD_INACTIVE)
		t->task->thread_count--;
	thread_block(t, THREAD_STOPPED);
	if (this_cpu()->fpu_owner == t)
		this_cpu()->fpu_owner = NULL;
	/* Like a process whose main thread returns from main(). */
	if (t == t->task->main_thread) {
		kprintf("vireo: root task ended\n");
		platform_shutdown(exit_code);
	}
}

void thread_kill(struct thread *t)
{
	if (t->state == THREAD_READY)
		sched_dequeue(t);
	else
		ipc_abort(t);
	if (t->reply_to) {
		/* Its caller waits for a reply that will not come. */
		struct thread *caller = t->reply_to;
		t->reply_to = NULL;
		caller->caller_of = NULL;
		ipc_cancel(caller, STATUS_BAD_CAP);
	}
	if (t->state != THREAD_INACTIVE && t->state != THREAD_STOPPED)
		t->task->thread_count--;
	t->state = THREAD_DEAD;
	if (t->handler)
		object_release(&t->handler->object);
	t->handler = NULL;
	if (this_cpu()->fpu_owner == t)
		this_cpu()->fpu_owner = NULL;
	timer_forget(t);
	/* Paid back to the dying task, which passes it on to its parent; the
	 * thread's own page too, though it stays until its last reference. */
	task_page_free(t->task, virt_to_phys(t->utcb));
	t->task->quota_pages++;
	t->utcb = NULL;
	t->object.dead = true;
	if (t->object.references == 0)
		task_object_free(&t->object);
}

/* Sets the user %fs base, unless the CPU has it already (threads of a
 * task often share one; WRMSR is slow on hardware). */
static void load_fs_base(struct percpu *cpu, uint64_t base)
{
	if (cpu->fs_base != base) {
		wrmsr(MSR_FS_BASE, base);
		cpu->fs_base = base;
	}
}

void thread_set_fs_base(struct thread *t, uint64_t base)
{
	t->fs_base = base;
	load_fs_base(this_cpu(), base);
}

_Noreturn void thread_resume(struct thread *t)
{
	struct percpu *cpu = this_cpu();
	if (cpu->current != t) {
		struct thread *previous = cpu->current;
		if (!previous || previous->task != t->task) {
			write_cr3(t->task->page_table_root);
			cpu_switch_io_bitmap(cpu, &t->task->io_ports);
		}
		cpu->current = t;
		cpu_set_frame(cpu, &t->frame);
		load_fs_base(cpu, t->fs_base);
	}
	/* Eager FPU switch, only when another thread's state is loaded
	 * (lazy switching leaks state through speculation: CVE-2018-3665). */
	if (cpu->fpu_owner != t) {
		if (cpu->fpu_owner)
			fxsave(cpu->fpu_owner->fpu_state);
		fxrstor(t->fpu_state);
		cpu->fpu_owner = t;
	}
	return_to_user(&t->frame);
}

/* thread_create(dst, task, utcb_address, priority): priority at most the
 * caller's own (NO_RIGHTS otherwise), so no thread can raise itself. */
enum status sys_thread_create(struct thread *t, struct frame *f)
{
	struct cap *slot, *task_cap;
	enum status s = cap_empty_slot(&t->task->caps, f->rdi, &slot);
	if (s == STATUS_OK)
		s = cap_lookup(&t->task->caps, f->rsi, OBJECT_TASK, RIGHT_CONTROL, &task_cap);
	if (s != STATUS_OK)
		return s;
	if (f->r10 > t->priority)
		return STATUS_NO_RIGHTS;
	struct thread *created;
	s = thread_create(t->task, (struct task *)task_cap->object, (uint8_t)f->r10, f->rdx,
			  &created);
	if (s == STATUS_OK)
		cap_install(slot, &created->object, RIGHTS_ALL, 0);
	return s;
}

/* thread_start(thread, rip, rsp, arg): BUSY unless the thread is new. */
enum status sys_thread_start(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = cap_lookup(&t->task->caps, f->rdi, OBJECT_THREAD, RIGHT_CONTROL, &c);
	if (s != STATUS_OK)
		return s;
	struct thread *target = thread_from_object(c->object);
	if (target->state != THREAD_INACTIVE)
		return STATUS_BUSY;
	if (f->rsi >= USER_TOP || f->rdx >= USER_TOP)
		return STATUS_BAD_ADDRESS;
	thread_start(target, f->rsi, f->rdx, f->r10);
	return STATUS_OK;
}

/* The thread a capability names, with CONTROL. */
static enum status lookup_thread(struct thread *t, uint64_t sel, struct thread **out)
{
	struct cap *c;
	enum status s = cap_lookup(&t->task->caps, sel, OBJECT_THREAD, RIGHT_CONTROL, &c);
	if (s == STATUS_OK)
		*out = thread_from_object(c->object);
	return s;
}

static void set_priority(struct thread *t, uint8_t priority)
{
	if (t->state == THREAD_READY) {
		sched_dequeue(t);
		t->priority = priority;
		sched_enqueue(t);
	} else {
		t->priority = priority;
	}
}

/* thread_configure(thread, handler, priority, time_slice_ns) */
enum status sys_thread_configure(struct thread *t, struct frame *f)
{
	struct thread *target;
	struct cap *c = NULL;
	enum status s = lookup_thread(t, f->rdi, &target);
	if (s == STATUS_OK && f->rsi != NO_SELECTOR)
		s = cap_lookup(&t->task->caps, f->rsi, OBJECT_ENDPOINT, RIGHT_SEND, &c);
	if (s != STATUS_OK)
		return s;
	if (f->rdx > t->priority)
		return STATUS_NO_RIGHTS;
	if (f->r10 && (f->r10 < TIME_SLICE_MIN_NS || f->r10 > TIME_SLICE_MAX_NS))
		return STATUS_BAD_ARG;
	struct object *old = target->handler ? &target->handler->object : NULL;
	target->handler = c ? (struct endpoint *)c->object : NULL;
	target->handler_badge = c ? c->badge : 0;
	if (c)
		c->object->references++;
	if (old)
		object_release(old);
	set_priority(target, (uint8_t)f->rdx);
	target->time_slice_ticks = timer_ns_to_ticks(f->r10 ? f->r10 : TIME_SLICE_DEFAULT_NS);
	return STATUS_OK;
}

/* thread_suspend(thread): BUSY unless the thread runs or waits. */
enum status sys_thread_suspend(struct thread *t, struct frame *f)
{
	struct thread *target;
	enum status s = lookup_thread(t, f->rdi, &target);
	if (s != STATUS_OK)
		return s;
	if (target->state == THREAD_INACTIVE || target->state == THREAD_STOPPED ||
	    target->state == THREAD_SUSPENDED)
		return STATUS_BUSY;
	if (target->state != THREAD_READY && !ipc_abort(target))
		target->frame.rax = STATUS_TIMEOUT;
	thread_block(target, THREAD_SUSPENDED);
	return STATUS_OK;
}

/* thread_resume(thread): BUSY unless the thread is suspended. */
enum status sys_thread_resume(struct thread *t, struct frame *f)
{
	struct thread *target;
	enum status s = lookup_thread(t, f->rdi, &target);
	if (s != STATUS_OK)
		return s;
	if (target->state != THREAD_SUSPENDED)
		return STATUS_BUSY;
	thread_wake(target);
	return STATUS_OK;
}

/* Registers of a thread that is not running and cannot run meanwhile. */
static enum status lookup_still_thread(struct thread *t, uint64_t sel, struct thread **out)
{
	enum status s = lookup_thread(t, sel, out);
	if (s == STATUS_OK && (*out)->state == THREAD_READY)
		s = STATUS_BUSY;
	return s;
}

enum status sys_thread_read_regs(struct thread *t, struct frame *f)
{
	struct thread *target;
	enum status s = lookup_still_thread(t, f->rdi, &target);
	if (s != STATUS_OK)
		return s;
	const struct frame *r = &target->frame;
	struct thread_regs regs = {
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
		r->rip, r->rflags, target->fs_base,
	};
	memcpy(t->utcb->message, &regs, sizeof(regs));
	return STATUS_OK;
}

/* Flags a thread may set: CF PF AF ZF SF TF DF OF AC (SDM vol. 1 §3.4.3);
 * IF stays on and IOPL at 0. */
#define USER_SETTABLE_RFLAGS 0x40dd5ull

enum status sys_thread_write_regs(struct thread *t, struct frame *f)
{
	struct thread *target;
	enum status s = lookup_still_thread(t, f->rdi, &target);
	if (s != STATUS_OK)
		return s;
	struct thread_regs regs;
	memcpy(&regs, t->utcb->message, sizeof(regs));
	if (regs.rip >= USER_TOP || regs.rsp >= USER_TOP || regs.fs_base >= USER_TOP)
		return STATUS_BAD_ADDRESS;
	struct frame *r = &target->frame;
	*r = (struct frame){
		.rax = regs.rax, .rbx = regs.rbx, .rcx = regs.rcx, .rdx = regs.rdx,
		.rsi = regs.rsi, .rdi = regs.rdi, .rbp = regs.rbp, .rsp = regs.rsp,
		.r8 = regs.r8, .r9 = regs.r9, .r10 = regs.r10, .r11 = regs.r11,
		.r12 = regs.r12, .r13 = regs.r13, .r14 = regs.r14, .r15 = regs.r15,
		.rip = regs.rip, .rflags = (regs.rflags & USER_SETTABLE_RFLAGS) | USER_RFLAGS,
		.cs = SELECTOR_USER_CODE, .ss = SELECTOR_USER_DATA,
		/* Not a SYSCALL frame any more: back to user mode by IRET, which
		 * restores every register (entry.S). */
		.vector = 0,
	};
	target->fs_base = regs.fs_base;
	return STATUS_OK;
}
