/*
 * Benchmark threads (see threads.h). A new thread starts with %fs base 0,
 * so its entry (built without the stack protector) first points %fs at
 * the main thread's TCB, whose address crt0 stored at %fs:0.
 */
#include "threads.h"

#include <vireo/runtime.h>

#define PAGE_SIZE 4096u
#define STACK_SIZE (16u * 1024)

struct start {
	bench_thread_function *function;
	uint64_t arg;
	uint64_t tcb;
};

static struct start starts[BENCH_MAX_THREADS];
static unsigned char stacks[BENCH_MAX_THREADS][STACK_SIZE] __attribute__((aligned(16)));
static unsigned thread_count;
static cap_selector next_slot = CAP_FIRST_FREE;

cap_selector bench_slot(void)
{
	return next_slot++;
}

__attribute__((no_stack_protector, noinline)) _Noreturn static void entry(struct start *s)
{
	sys_thread_set_fs_base(s->tcb);
	s->function(s->arg);
	sys_thread_exit(0);
}

enum status bench_thread_start(unsigned priority, bench_thread_function *function,
			       uint64_t arg, cap_selector *thread)
{
	if (thread_count == BENCH_MAX_THREADS)
		return STATUS_NO_MEM;
	unsigned i = thread_count;
	cap_selector sel = bench_slot();
	uint64_t utcb = runtime_bootinfo->utcb + (i + 1) * PAGE_SIZE;
	enum status s = sys_thread_create(sel, CAP_SELF_TASK, utcb, priority);
	if (s != STATUS_OK)
		return s;
	thread_count++;
	uint64_t tcb;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(tcb));
	starts[i] = (struct start){function, arg, tcb};
	/* As right after a call: 16-byte aligned minus the return address. */
	uint64_t rsp = (uint64_t)(uintptr_t)&stacks[i][STACK_SIZE] - 8;
	s = sys_thread_start(sel, (uintptr_t)entry, rsp, (uint64_t)(uintptr_t)&starts[i]);
	if (s == STATUS_OK && thread)
		*thread = sel;
	return s;
}
