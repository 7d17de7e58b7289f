/*
 * Call+reply round trips (see ipc.h), twice: to a server thread of the
 * same task, and to a server thread in a task of its own. The caller runs
 * at the program's priority, the server one below it, so each call
 * switches to the server and each reply straight back; across tasks each
 * switch also loads the other task's page tables (CR3).
 *
 * Both servers run the same few instructions, ipc_echo_server below: it
 * needs no stack and no data, so the server task gets only an alias of
 * this program's code (the pages between __executable_start and
 * __text_end, user.ld), its UTCB and the endpoint capability. The
 * measuring loop is the same for both.
 */
#include "ipc.h"

#include <stdio.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#include "../latency/histogram.h"
#include "../latency/hpet.h"
#include "../threads.h"

#define PAGE_SIZE 4096ull
#define SERVER_PRIORITY 254
#define SERVER_SLOTS (CAP_FIRST_FREE + 1)
#define SERVER_ENDPOINT CAP_FIRST_FREE   /* its selector in the server task */
#define SERVER_UTCB 0x7f0000000000ull    /* the server thread's UTCB there */
#define SERVER_QUOTA 16                  /* pages: its page tables and nodes */

extern char __executable_start[], __text_end[];

/*
 * The server: rdi = the endpoint's selector (thread_start's argument).
 * Receive, then reply_wait with one word, forever. Every system call
 * keeps rdi (sys.h), so nothing is ever stored. Plain asm (a naked
 * function), so no compiler-made prologue touches a stack: the numbers
 * are written out, checked against syscall.h here.
 */
_Static_assert(SYS_IPC_RECEIVE == 10 && SYS_IPC_REPLY_WAIT == 12,
	       "ipc_echo_server has the system call numbers written out");
__attribute__((naked, noreturn)) static void ipc_echo_server(__attribute__((unused)) uint64_t endpoint)
{
	__asm__ volatile("movl $10, %eax\n\t"  /* SYS_IPC_RECEIVE */
			 "movq $-1, %rsi\n\t"  /* TIMEOUT_NEVER */
			 "syscall\n"
			 "1:\n\t"
			 "movl $12, %eax\n\t"  /* SYS_IPC_REPLY_WAIT */
			 "movl $1, %esi\n\t"   /* one word */
			 "movq $-1, %rdx\n\t"  /* TIMEOUT_NEVER */
			 "syscall\n\t"
			 "jmp 1b");
}

/* rounds timed calls on ep into h; returns the first failing status. */
static enum status ipc_rounds(cap_selector ep, uint32_t rounds, uint64_t tsc_cost,
			      struct histogram *h)
{
	histogram_reset(h);
	/* One untimed call first: the server reaches its reply_wait. */
	enum status s = sys_ipc_call(ep, 1, TIMEOUT_NEVER, NULL);
	for (uint32_t i = 0; s == STATUS_OK && i < rounds; i++) {
		uint64_t start = rdtsc();
		s = sys_ipc_call(ep, 1, TIMEOUT_NEVER, NULL);
		uint64_t end = rdtsc();
		uint64_t cycles = end - start;
		if (s == STATUS_OK)
			histogram_add(h, cycles > tsc_cost ? cycles - tsc_cost : 0);
	}
	return s;
}

/* A task of its own for the server: the code alias, the endpoint, one
 * thread. Returns the first failing status. */
static enum status start_remote_server(cap_selector endpoint)
{
	cap_selector task = bench_slot(), thread = bench_slot();
	uint64_t text = (uintptr_t)__executable_start & ~(PAGE_SIZE - 1);
	uint64_t pages = ((uintptr_t)__text_end - text + PAGE_SIZE - 1) / PAGE_SIZE;
	enum status s = sys_task_create(task, SERVER_QUOTA, SERVER_SLOTS, "ipc-server");
	if (s == STATUS_OK)
		s = sys_mem_map(task, text, text, pages, MEM_EXECUTE, NULL);
	if (s == STATUS_OK)
		s = sys_cap_copy(endpoint, task, SERVER_ENDPOINT, RIGHT_RECEIVE, 0);
	if (s == STATUS_OK)
		s = sys_thread_create(thread, task, SERVER_UTCB, SERVER_PRIORITY);
	/* rsp 0: the server uses no stack (a push would fault). */
	if (s == STATUS_OK)
		s = sys_thread_start(thread, (uintptr_t)ipc_echo_server, 0, SERVER_ENDPOINT);
	return s;
}

static void print_rounds(const char *space, const struct histogram *h, uint64_t tsc_cost)
{
	printf("bench: ipc %s call+reply rounds=%llu min=%llu mean=%llu p50=%llu p99=%llu "
	       "max=%llu cycles (tsc read cost %llu subtracted)\n",
	       space, (unsigned long long)h->count, (unsigned long long)h->min,
	       (unsigned long long)histogram_mean(h),
	       (unsigned long long)histogram_percentile(h, 5000),
	       (unsigned long long)histogram_percentile(h, 9900), (unsigned long long)h->max,
	       (unsigned long long)tsc_cost);
}

/* One `bench: hist ipc-SPACE LOW HIGH COUNT` line per non-empty bucket. */
static void print_buckets(const char *space, const struct histogram *h)
{
	for (unsigned b = 0; b < HISTOGRAM_BUCKETS; b++)
		if (h->buckets[b])
			printf("bench: hist ipc-%s %llu %llu %u\n", space,
			       (unsigned long long)histogram_bucket_low(b),
			       (unsigned long long)histogram_bucket_high(b),
			       (unsigned)h->buckets[b]);
}

static int failed(const char *step, enum status s)
{
	printf("bench: error: ipc: %s: %s\n", step, status_name(s));
	return -1;
}

int ipc_benchmark(uint32_t rounds, uint64_t tsc_cost, int full_report)
{
	static struct histogram same, cross;
	if (rounds == 0)
		return 0;
	cap_selector local = bench_slot(), remote = bench_slot();
	enum status s = sys_endpoint_create(local);
	if (s == STATUS_OK)
		s = sys_endpoint_create(remote);
	if (s != STATUS_OK)
		return failed("endpoint_create", s);
	s = bench_thread_start(SERVER_PRIORITY, ipc_echo_server, local, NULL);
	if (s != STATUS_OK)
		return failed("same-space server", s);
	s = ipc_rounds(local, rounds, tsc_cost, &same);
	if (s != STATUS_OK)
		return failed("same-space rounds", s);
	s = start_remote_server(remote);
	if (s != STATUS_OK)
		return failed("cross-space server", s);
	s = ipc_rounds(remote, rounds, tsc_cost, &cross);
	if (s != STATUS_OK)
		return failed("cross-space rounds", s);
	print_rounds("same-space", &same, tsc_cost);
	print_rounds("cross-space", &cross, tsc_cost);
	if (full_report) {
		print_buckets("same-space", &same);
		print_buckets("cross-space", &cross);
	}
	return 0;
}
