/*
 * Thread creation, blocking and waking, and the switch back to user mode
 * (see thread.h).
 */
#include "console.h"
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
	t->priority = priority;
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

void thread_block(struct thread *t, enum thread_state state)
{
	if (t->state == THREAD_READY)
		sched_dequeue(t);
	t->state = state;
}

void thread_wake(struct thread *t)
{
	timeout_cancel(t);
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

_Noreturn void thread_resume(struct thread *t)
{
	struct percpu *cpu = this_cpu();
	if (cpu->current != t) {
		struct thread *previous = cpu->current;
		if (!previous || previous->task != t->task)
			write_cr3(t->task->page_table_root);
		cpu->current = t;
		cpu_set_frame(cpu, &t->frame);
		wrmsr(MSR_FS_BASE, t->fs_base);
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
