/*
 * Worker threads and the settle helper for ktest (see ktest.h).
 *
 * Workers live in the root task itself: there is no system call to put
 * code into another task yet. Each gets a stack from a static pool and a
 * UTCB page the kernel maps just above the main thread's. A new thread
 * starts with %fs base 0, and code built with -fstack-protector reads its
 * canary at %fs:0x28, so the entry function (built without the protector)
 * first points %fs at a TCB: the main thread's unless the test gave one.
 *
 * Settling: a helper thread at priority 0, below every worker, waits on
 * `go`. ktest_settle() sends on `go` and then waits on `done`; the helper
 * only gets the CPU once every other thread is blocked or gone, and then
 * answers on `done`. No timer is needed, so the order of events is the
 * same on every machine.
 */
#include <string.h>

#include "ktest.h"

#define MAX_WORKERS 96
#define STACK_SIZE (16 * 1024)

static struct worker workers[MAX_WORKERS];
static unsigned char stacks[MAX_WORKERS][STACK_SIZE] __attribute__((aligned(16)));
static unsigned worker_count;
static cap_selector settle_go, settle_done, nap;
static struct worker *settle_helper;

static char order_log[64];
static unsigned order_length;

/* The TCB of the main thread: crt0 made %fs:0 hold its own address. */
static uint64_t main_tcb(void)
{
	uint64_t self;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(self));
	return self;
}

/* First code of every worker: rdi = the worker. Cannot use the canary
 * until %fs is set. Exits with the suite's result so far, because the
 * root task's last thread to exit sets the machine's shutdown code. */
NO_STACK_PROTECTOR _Noreturn static void worker_entry(struct worker *w)
{
	sys_thread_set_fs_base(w->tcb);
	w->started = 1;
	w->function(w);
	w->done = 1;
	sys_thread_exit(ktest_failures ? 1 : 0);
}

struct worker *worker_create(const char *name, unsigned priority, worker_function *function)
{
	if (worker_count == MAX_WORKERS) {
		ktest_check(0, name, "out of worker slots");
		return NULL;
	}
	struct worker *w = &workers[worker_count];
	uint64_t utcb = runtime_bootinfo->utcb + (worker_count + 1) * PAGE_SIZE;
	cap_selector sel = ktest_slot();
	enum status s = sys_thread_create(sel, CAP_SELF_TASK, utcb, priority);
	if (s != STATUS_OK) {
		ktest_check(0, name, "thread_create for a worker: %s", status_name(s));
		return NULL;
	}
	worker_count++;
	*w = (struct worker){
		.function = function,
		.thread = sel,
		.utcb = (struct utcb *)(uintptr_t)utcb,
		.tcb = main_tcb(),
		.status = STATUS_COUNT,
	};
	return w;
}

struct worker *worker_with_handler(const char *name, unsigned priority,
				   worker_function *function, cap_selector handler)
{
	struct worker *w = worker_create(name, priority, function);
	if (!w)
		return NULL;
	enum status s = sys_thread_configure(w->thread, handler, priority, 0);
	if (s != STATUS_OK) {
		ktest_check(0, name, "thread_configure for a worker: %s", status_name(s));
		return NULL;
	}
	return w;
}

enum status worker_start(struct worker *w)
{
	unsigned index = (unsigned)(w - workers);
	/* As right after a call: 16-byte aligned minus the return address. */
	uint64_t rsp = (uint64_t)(uintptr_t)&stacks[index][STACK_SIZE] - 8;
	return sys_thread_start(w->thread, (uintptr_t)worker_entry, rsp, (uint64_t)(uintptr_t)w);
}

struct worker *worker_run(const char *name, unsigned priority, worker_function *function,
			  uint64_t a0, uint64_t a1)
{
	struct worker *w = worker_create(name, priority, function);
	if (!w)
		return NULL;
	w->arg[0] = a0;
	w->arg[1] = a1;
	enum status s = worker_start(w);
	if (s != STATUS_OK) {
		ktest_check(0, name, "thread_start for a worker: %s", status_name(s));
		return NULL;
	}
	return w;
}

int ktest_workers_done(void)
{
	for (unsigned i = 0; i < worker_count; i++)
		if (&workers[i] != settle_helper && workers[i].started && !workers[i].done &&
		    !workers[i].stopped)
			return 0;
	return 1;
}

static void settle_loop(struct worker *w)
{
	(void)w;
	while (sys_ipc_receive(settle_go, TIMEOUT_NEVER, NULL, NULL) == STATUS_OK)
		sys_ipc_send(settle_done, 0, TIMEOUT_NEVER);
}

void ktest_settle_init(void)
{
	settle_go = ktest_endpoint("settle");
	settle_done = ktest_endpoint("settle");
	nap = ktest_endpoint("nap");
	settle_helper = worker_run("settle", 0, settle_loop, 0, 0);
}

void ktest_settle(void)
{
	if (!settle_helper)
		return;
	sys_ipc_send(settle_go, 0, TIMEOUT_NEVER);
	sys_ipc_receive(settle_done, TIMEOUT_NEVER, NULL, NULL);
}

uint64_t ktest_settle_xmm5(uint64_t value)
{
	if (!settle_helper)
		return value;
	uint64_t out;
	/* One asm block, so the compiler cannot use xmm5 in between. */
	__asm__ volatile("movq %[value], %%xmm5\n\t"
			 "movq %[go], %%rdi\n\t"
			 "xorl %%esi, %%esi\n\t"
			 "movq $-1, %%rdx\n\t"
			 "movl %[send], %%eax\n\t"
			 "syscall\n\t"
			 "movq %[done], %%rdi\n\t"
			 "movq $-1, %%rsi\n\t"
			 "movl %[receive], %%eax\n\t"
			 "syscall\n\t"
			 "movq %%xmm5, %[out]"
			 : [out] "=r"(out)
			 : [value] "r"(value), [go] "r"(settle_go), [done] "r"(settle_done),
			   [send] "i"(SYS_IPC_SEND), [receive] "i"(SYS_IPC_RECEIVE)
			 : "rax", "rdi", "rsi", "rdx", "rcx", "r11", "xmm5", "memory");
	return out;
}

void ktest_settle_end(void)
{
	sys_cap_delete(settle_go);
	sys_cap_delete(settle_done);
	settle_helper = NULL;
}

void ktest_sleep(uint64_t ns)
{
	sys_ipc_receive(nap, ns, NULL, NULL);
}

void order_reset(void)
{
	order_length = 0;
	order_log[0] = 0;
}

void order_mark(char c)
{
	if (order_length + 1 < sizeof(order_log)) {
		order_log[order_length++] = c;
		order_log[order_length] = 0;
	}
}

const char *order_get(void)
{
	return order_log;
}
