/*
 * Thread and task creation and the switch back to user mode.
 */
#include "console.h"
#include "kstring.h"
#include "memory.h"
#include "paging.h"
#include "thread.h"
#include "x86.h"

_Static_assert(sizeof(struct thread) <= PAGE_SIZE, "a thread fits one page");
_Static_assert(sizeof(struct task) <= PAGE_SIZE, "a task fits one page");

/* User RFLAGS: interrupts on, reserved bit 1 set, nothing else (IOPL 0). */
#define USER_RFLAGS (RFLAGS_IF | RFLAGS_RESERVED1)

struct task *task_create(const char *name)
{
	uint64_t page = page_alloc();
	if (!page)
		return NULL;
	struct task *task = phys_to_virt(page);
	task->page_table_root = paging_create_address_space();
	if (!task->page_table_root) {
		page_free(page);
		return NULL;
	}
	kstrlcpy(task->name, name, sizeof(task->name));
	return task;
}

struct thread *thread_create(struct task *task, uint8_t priority, uint64_t rip,
			     uint64_t rsp, uint64_t arg)
{
	uint64_t page = page_alloc();
	if (!page)
		return NULL;
	struct thread *t = phys_to_virt(page);
	t->frame = (struct frame){
		.rip = rip,
		.cs = SELECTOR_USER_CODE,
		.rflags = USER_RFLAGS,
		.rsp = rsp,
		.ss = SELECTOR_USER_DATA,
		.rdi = arg,
	};
	/* Power-on x87/SSE state: FCW 0x37f, MXCSR 0x1f80 (SDM vol. 1 §8.1.5,
	 * §10.2.3.1); FXSAVE layout SDM vol. 1 table 10-2. */
	t->fpu_state[0] = 0x7f;
	t->fpu_state[1] = 0x03;
	t->fpu_state[24] = 0x80;
	t->fpu_state[25] = 0x1f;
	t->task = task;
	t->priority = priority;
	t->state = THREAD_READY;
	task->thread_count++;
	sched_enqueue(t);
	return t;
}

void thread_stop(struct thread *t, int exit_code)
{
	if (t->state == THREAD_READY)
		sched_dequeue(t);
	t->state = THREAD_STOPPED;
	if (this_cpu()->fpu_owner == t)
		this_cpu()->fpu_owner = NULL;
	if (--t->task->thread_count == 0 && !strcmp(t->task->name, "root")) {
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
