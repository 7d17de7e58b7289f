/*
 * The scheduler: per CPU, run queues (run_queue.h: a FIFO ring per
 * priority and a bitmap, O(1) selection), and the loop that runs the
 * highest ready thread or idles. A thread sits in the queues of the CPU
 * t->cpu names; each CPU picks only from its own (today only CPU 0 runs:
 * bringing up the others adds no structure here).
 */
#include "console.h"
#include "run_queue.h"
#include "thread.h"
#include "timer.h"
#include "x86.h"

static struct run_queue run_queues[CPU_MAX];

void sched_cpu_init(struct percpu *cpu)
{
	cpu->run_queue = &run_queues[cpu->cpu];
}

/* The first thread of this CPU's highest non-empty priority queue. */
static struct thread *highest_ready(void)
{
	return run_queue_highest(this_cpu()->run_queue);
}

bool preemption_point(struct thread *t)
{
	/* STI takes effect after the next instruction (SDM vol. 2B, STI), so
	 * the NOP is the one place a pending interrupt comes in. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	struct thread *next = highest_ready();
	return next && next->priority > t->priority;
}

_Noreturn void schedule(void)
{
	struct thread *t = highest_ready();
	if (t) {
		timer_switch_to(t);
		thread_resume(t);
	}
	/* Nothing to run: halt until an interrupt; its handler calls
	 * schedule() again (entry.S, trap.c interrupt_from_idle). */
	idle();
}
