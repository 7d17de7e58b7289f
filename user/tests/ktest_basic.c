/*
 * ktest: the calls that name no object. debug_write and its address
 * checks (kernel, unmapped, non-canonical, wrapping, crossing into an
 * unmapped page), thread_set_fs_base and that the %fs base is kept per
 * thread, unknown system call numbers, and which registers a system call
 * preserves.
 */
#include <string.h>

#include "ktest.h"

static char big[DEBUG_WRITE_MAX + 1];

static void test_debug_write(void)
{
	static const char hello[] = "ktest: debug_write works\n";
	ktest_status("debug-write", sys_debug_write(hello, sizeof(hello) - 1), STATUS_OK);
	ktest_status("debug-write-empty", sys_debug_write(hello, 0), STATUS_OK);
	/* One line: a label, spaces, a newline. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "ktest: 4096 bytes:", 18);
	big[DEBUG_WRITE_MAX - 1] = '\n';
	ktest_status("debug-write-max", sys_debug_write(big, DEBUG_WRITE_MAX), STATUS_OK);
	ktest_status("debug-write-too-long", sys_debug_write(big, DEBUG_WRITE_MAX + 1),
		     STATUS_BAD_ARG);
	ktest_status("debug-write-huge-length", sys_debug_write(big, ~0ull), STATUS_BAD_ARG);
	ktest_status("debug-write-null", sys_debug_write(NULL, 1), STATUS_BAD_ADDRESS);
	ktest_status("debug-write-unmapped", sys_debug_write((char *)UNMAPPED, 1),
		     STATUS_BAD_ADDRESS);
	ktest_status("debug-write-kernel-address", sys_debug_write((char *)KERNEL_ADDRESS, 1),
		     STATUS_BAD_ADDRESS);
	ktest_status("debug-write-direct-map", sys_debug_write((char *)DIRECT_MAP_ADDRESS, 1),
		     STATUS_BAD_ADDRESS);
	ktest_status("debug-write-non-canonical", sys_debug_write((char *)NON_CANONICAL, 1),
		     STATUS_BAD_ADDRESS);
	ktest_status("debug-write-user-top", sys_debug_write((char *)(USER_TOP - 8), 8),
		     STATUS_BAD_ADDRESS);
	/* va + len wraps around zero. */
	ktest_status("debug-write-wrap", sys_debug_write((char *)~0xffull, 0x200),
		     STATUS_BAD_ADDRESS);

	/* The heap's last bytes are readable; one more byte is not. */
	char *end = (char *)(uintptr_t)ktest_heap_end();
	memcpy(end - 8, "heapend\n", 8);
	ktest_status("debug-write-heap-end", sys_debug_write(end - 8, 8), STATUS_OK);
	ktest_status("debug-write-crossing", sys_debug_write(end - 8, 16), STATUS_BAD_ADDRESS);
	/* The read-only boot information page is readable too. */
	ktest_status("debug-write-read-only", sys_debug_write((const char *)runtime_bootinfo, 0),
		     STATUS_OK);
}

static uint64_t read_fs(unsigned offset)
{
	uint64_t value;
	__asm__ volatile("movq %%fs:(%1), %0" : "=r"(value) : "r"((uint64_t)offset));
	return value;
}

/* A second TCB for the worker of test_fs_base: self pointer and canary. */
static uint64_t other_tcb[8] __attribute__((aligned(64)));

static void fs_worker(struct worker *w)
{
	w->value[0] = read_fs(0);
}

static void test_fs_base(void)
{
	uint64_t tcb = read_fs(0);
	ktest_status("fs-base-set", sys_thread_set_fs_base(tcb), STATUS_OK);
	ktest_check(read_fs(0) == tcb, "fs-base-kept", "%%fs:0 changed after setting it again");
	ktest_status("fs-base-kernel-address", sys_thread_set_fs_base(KERNEL_ADDRESS),
		     STATUS_BAD_ADDRESS);
	ktest_status("fs-base-non-canonical", sys_thread_set_fs_base(NON_CANONICAL),
		     STATUS_BAD_ADDRESS);
	ktest_status("fs-base-user-top", sys_thread_set_fs_base(USER_TOP), STATUS_BAD_ADDRESS);
	ktest_check(read_fs(0) == tcb, "fs-base-unchanged-on-error",
		    "%%fs:0 is %#llx after failed calls, expected %#llx",
		    (unsigned long long)read_fs(0), (unsigned long long)tcb);

	/* Another thread with another %fs base: each keeps its own. */
	memcpy(other_tcb, (void *)(uintptr_t)tcb, sizeof(other_tcb));
	other_tcb[0] = (uint64_t)(uintptr_t)other_tcb;
	struct worker *w = worker_create("fs-base-per-thread", 200, fs_worker);
	if (!w)
		return;
	w->tcb = (uint64_t)(uintptr_t)other_tcb;
	worker_start(w);
	ktest_settle();
	ktest_check(w->done && w->value[0] == (uint64_t)(uintptr_t)other_tcb &&
			    read_fs(0) == tcb,
		    "fs-base-per-thread", "worker saw %#llx (want %p), main sees %#llx (want %#llx)",
		    (unsigned long long)w->value[0], (void *)other_tcb,
		    (unsigned long long)read_fs(0), (unsigned long long)tcb);
}

static void test_bad_syscall(void)
{
	ktest_status("bad-syscall-count", syscall6(SYS_COUNT, 0, 0, 0, 0, 0, 0, NULL),
		     STATUS_BAD_SYSCALL);
	ktest_status("bad-syscall-large", syscall6(0x1000, 0, 0, 0, 0, 0, 0, NULL),
		     STATUS_BAD_SYSCALL);
	ktest_status("bad-syscall-all-ones", syscall6(~0ull, 0, 0, 0, 0, 0, 0, NULL),
		     STATUS_BAD_SYSCALL);
	/* The whole of rax is the number: 2^32 + 0 is not debug_write. */
	static const char x[] = "TEST FAIL bad-syscall-high-bits: ran debug_write\n";
	ktest_status("bad-syscall-high-bits",
		     syscall6((1ull << 32) | SYS_DEBUG_WRITE, (uintptr_t)x, sizeof(x) - 1, 0, 0,
			      0, 0, NULL),
		     STATUS_BAD_SYSCALL);
}

/*
 * Every register but rax, rcx and r11 comes back unchanged from a system
 * call that returns nothing else (here debug_write of 0 bytes, and an
 * unknown number).
 */
static int registers_preserved(uint64_t number)
{
	register uint64_t rdi __asm__("rdi") = 0;
	register uint64_t rsi __asm__("rsi") = 0;
	register uint64_t rdx __asm__("rdx") = 0x1111222233334444ull;
	register uint64_t r8 __asm__("r8") = 0x5555666677778888ull;
	register uint64_t r9 __asm__("r9") = 0x99990000aaaabbbbull;
	register uint64_t r10 __asm__("r10") = 0xccccddddeeeeffffull;
	register uint64_t r12 __asm__("r12") = 0x1212121212121212ull;
	register uint64_t r13 __asm__("r13") = 0x1313131313131313ull;
	register uint64_t r14 __asm__("r14") = 0x1414141414141414ull;
	register uint64_t r15 __asm__("r15") = 0x1515151515151515ull;
	uint64_t rbx = 0xb0b0b0b0b0b0b0b0ull, rax = number;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+b"(rbx), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r8),
			   "+r"(r9), "+r"(r10), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
			 :
			 : "rcx", "r11", "memory");
	return rdi == 0 && rsi == 0 && rdx == 0x1111222233334444ull &&
	       r8 == 0x5555666677778888ull && r9 == 0x99990000aaaabbbbull &&
	       r10 == 0xccccddddeeeeffffull && r12 == 0x1212121212121212ull &&
	       r13 == 0x1313131313131313ull && r14 == 0x1414141414141414ull &&
	       r15 == 0x1515151515151515ull && rbx == 0xb0b0b0b0b0b0b0b0ull;
}

/* SSE registers survive a switch to another thread that uses them too. */
static void sse_worker(struct worker *w)
{
	uint64_t value = 0x0123456789abcdefull, out;
	__asm__ volatile("movq %1, %%xmm5\n\t"
			 "movq %%xmm5, %0"
			 : "=r"(out)
			 : "r"(value)
			 : "xmm5");
	w->value[0] = out;
}

static void test_registers(void)
{
	ktest_check(registers_preserved(SYS_DEBUG_WRITE), "syscall-preserves-registers",
		    "a general register changed across debug_write");
	ktest_check(registers_preserved(SYS_COUNT + 7), "bad-syscall-preserves-registers",
		    "a general register changed across an unknown system call");

	struct worker *w = worker_create("sse-preserved", 200, sse_worker);
	if (!w)
		return;
	uint64_t mine = 0xfedcba9876543210ull;
	worker_start(w);
	uint64_t after = ktest_settle_xmm5(mine);
	ktest_check(w->done && after == mine, "sse-preserved",
		    "xmm5 is %#llx after another thread used it (want %#llx)",
		    (unsigned long long)after, (unsigned long long)mine);
}

void test_basic(void)
{
	test_debug_write();
	test_fs_base();
	test_bad_syscall();
	test_registers();
}
