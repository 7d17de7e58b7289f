/*
 * ktest: the kernel's system call test suite, a user program that runs as
 * the root task (bench/SConscript builds the `ktest` image, site_scons/
 * vireo/systests.py boots it on QEMU and Bochs). Each check prints one
 * `TEST PASS <name>` or `TEST FAIL <name>: <why>` line; the program exits
 * 0 when all passed, 1 otherwise.
 *
 * This header holds what the test files share: the check functions, a
 * bump allocator for capability selectors, and "workers", extra threads in
 * the root task itself (their own stack and UTCB) that stand on the other
 * side of an IPC. ktest_settle() lets every other thread run until all of
 * them are blocked or gone, so a test can order events without a timer.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdint.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#define PAGE_SIZE 4096ull
#define USER_TOP 0x00007fffffffe000ull        /* kernel's layout.h */
#define KERNEL_ADDRESS 0xffffffff80000000ull  /* kernel image */
#define DIRECT_MAP_ADDRESS 0xffff800000100000ull
#define NON_CANONICAL 0x0000800000000000ull   /* first non-canonical */
#define UNMAPPED 0x200000ull                  /* below the program */
#define BAD_SELECTOR 65536ull                 /* above any space's size */

/* For the first function a new thread runs: its %fs base (and so the
 * stack canary at %fs:0x28) is not set yet. gcc 11 and clang 11 know the
 * attribute. */
#define NO_STACK_PROTECTOR __attribute__((no_stack_protector, noinline))

/* ---- checks (ktest_main.c) ---- */

/* Print to the kernel log at once (printf-style, one line at most 512). */
void ktest_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* TEST PASS name, or TEST FAIL name: <why> when !ok. Returns ok. */
int ktest_check(int ok, const char *name, const char *why_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Passes when got == want, else says both. Returns got == want. */
int ktest_status(const char *name, enum status got, enum status want);

extern int ktest_failures;

/* The next unused selector of the root task's capability space. */
cap_selector ktest_slot(void);

/* A new endpoint in a new slot (a failure is a TEST FAIL of `name`). */
cap_selector ktest_endpoint(const char *name);

/* The main thread's UTCB. */
struct utcb *ktest_utcb(void);

/* The root task's kernel memory quota left, in pages. */
uint64_t ktest_quota(void);

/* The end of the root task's heap: the next page is not mapped. */
uint64_t ktest_heap_end(void);

/* Page n of the root task's own memory (bootinfo.memory[0]), through its
 * window onto physical memory. */
uint64_t ktest_own_page(uint64_t n);

/* Maps ktest's image into task at the same addresses: text executable,
 * data writable, the same frames, so the task's threads share ktest's
 * globals (ktest_destroy.c). Returns the first failing mem_map's status. */
enum status ktest_map_image(cap_selector task);

/* ---- workers (ktest_thread.c) ---- */

/* The TSC, for the suites' cost lines (not pass/fail). */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

struct worker;
typedef void worker_function(struct worker *w);

struct worker {
	worker_function *function;
	cap_selector thread;      /* its capability */
	struct utcb *utcb;        /* its UTCB (mapped in the root task) */
	uint64_t tcb;             /* %fs base it starts with */
	volatile uint64_t arg[4]; /* test parameters (some change while it runs) */
	/* What it saw, for the main thread to check. */
	volatile enum status status;
	volatile uint64_t badge, words, count, value[4];
	volatile int started, done;
	/* Set by a test whose worker the kernel stopped on purpose (a fault
	 * nobody can answer): it never ends, and that is no failure. */
	int stopped;
};

/*
 * Creates and starts a worker running function(w) at priority, with
 * arguments a0, a1. Returns NULL (after a TEST FAIL of `name`) when it
 * cannot. The worker ends with thread_exit when function returns.
 */
struct worker *worker_run(const char *name, unsigned priority, worker_function *function,
			  uint64_t a0, uint64_t a1);

/* Creates the thread of a worker without starting it; 0 on failure. */
struct worker *worker_create(const char *name, unsigned priority, worker_function *function);

/* worker_create, then thread_configure with `handler` as its exception
 * handler endpoint; NULL (after a TEST FAIL) when either fails. */
struct worker *worker_with_handler(const char *name, unsigned priority,
				   worker_function *function, cap_selector handler);

/* Starts a worker made by worker_create; returns the status. */
enum status worker_start(struct worker *w);

/* Lets all other threads (priority > 0) run until each is blocked or
 * has ended. Needs ktest_settle_init() first. */
void ktest_settle(void);
void ktest_settle_init(void);
/* ktest_settle() with xmm5 = value throughout; returns xmm5 after it. */
uint64_t ktest_settle_xmm5(uint64_t value);
/* Stops the settle helper thread (before the program ends). */
void ktest_settle_end(void);

/* Blocks the calling thread for ns nanoseconds: a receive that times out
 * on an endpoint nobody sends to (made by ktest_settle_init). */
void ktest_sleep(uint64_t ns);

/* All workers started have ended (checked at the end). */
int ktest_workers_done(void);

/* An event order log: workers and main append one letter each. */
void order_reset(void);
void order_mark(char c);
const char *order_get(void);

/* ---- child tasks (ktest_destroy.c) ---- */

/* The first slot of a child task that ktest_child_task fills. */
#define KTEST_CHILD_CAPS 4

/*
 * Creates task `task` (quota_pages of the root task's quota, `slots`
 * capability slots, `name`) with ktest's image, and copies caps[0..n)
 * with all rights into its slots KTEST_CHILD_CAPS, KTEST_CHILD_CAPS + 1,
 * ... Returns NULL, or the step that failed.
 */
const char *ktest_child_task(cap_selector task, uint64_t quota_pages, uint64_t slots,
			     const char *name, const cap_selector *caps, unsigned n);

typedef void child_function(uint64_t arg);

/*
 * Starts `thread` (made by thread_create in a task that has ktest's image)
 * at function(arg) on the stack [stack, stack + size), with %fs at the
 * main thread's TCB (the stack-protector canary). The thread exits when
 * function returns. Code running there must not use stdio: it shares
 * newlib's state with the root task without any locking.
 */
enum status ktest_child_start(cap_selector thread, child_function *function, uint64_t arg,
			      void *stack, size_t size);

/* ---- the suites ---- */
void test_basic(void);
void test_caps(void);
void test_objects(void);
void test_ipc(void);
void test_time(void);
void test_quota(void);
void test_irq(void);
void test_memory(void);
void test_exception(void);
void test_destroy(void);
void test_ioports(void);
void test_mapitems(void);
void test_reply_rights(void);
void test_handler_gone(void);
void test_sched(void);
void test_preempted_calls(void);
void test_stress_concurrent(void);
/* Fills the root task's quota with real kernel pages (threads in a child
 * task) and checks that NO_MEM comes from the quota, not from an empty
 * kernel pool; everything goes back. One check named `name`. */
void ktest_pool_check(const char *name);

#endif
