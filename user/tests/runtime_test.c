/*
 * runtime_test: a user program that checks the user runtime itself (crt0's
 * TCB and canary, the newlib port's stubs, float printf, libm, malloc over
 * sbrk). It prints one `TEST PASS runtime-<name>` or `TEST FAIL
 * runtime-<name>: <reason>` line per check and exits 0 only when all pass.
 * Boot it as the `root` module, or run it on the host with linux_runner.
 *
 * With the argument `smash` it instead overflows a stack buffer: the
 * stack protector must catch it, print a message and exit with
 * RUNTIME_EXIT_ABORT (134).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

static int failures;

static void check(int ok, const char *name, const char *reason)
{
	if (ok) {
		printf("TEST PASS runtime-%s\n", name);
	} else {
		printf("TEST FAIL runtime-%s: %s\n", name, reason);
		failures++;
	}
}

static uint64_t read_fs(unsigned offset)
{
	uint64_t value;
	__asm__ volatile("movq %%fs:(%1), %0" : "=r"(value) : "r"((uint64_t)offset));
	return value;
}

static void test_tcb(void)
{
	uint64_t self = read_fs(0);
	check(self != 0 && read_fs(0x28) != 0 && (read_fs(0x28) & 0xff) == 0,
	      "canary", "%fs:0x28 is zero or its low byte is not zero");
	check(self != 0 && *(volatile uint64_t *)self == self, "tcb-self",
	      "%fs:0 does not hold the TCB's own address");
}

static void test_printf(void)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3f %g %lld %zu %jd %#x", 3.14159, 0.5,
		 -1234567890123ll, (size_t)42, (intmax_t)-7, 255u);
	check(strcmp(buf, "3.142 0.5 -1234567890123 42 -7 0xff") == 0,
	      "printf", buf);
	double root2 = sqrt(2.0);
	check(fabs(root2 * root2 - 2.0) < 1e-12 && strtod("2.5e3", NULL) == 2500.0,
	      "libm", "sqrt or strtod gives a wrong value");
}

static void test_heap(void)
{
	const struct bootinfo *bi = runtime_bootinfo;
	char *small = malloc(100);
	char *big = malloc(256 * 1024);
	int ok = small != NULL && big != NULL;
	if (ok) {
		memset(big, 0x5a, 256 * 1024);
		ok = (uintptr_t)big >= bi->heap_start &&
		     (uintptr_t)big + 256 * 1024 <= bi->heap_start + bi->heap_size;
	}
	free(big);
	free(small);
	check(ok, "malloc", "malloc failed or returned memory outside the heap");

	errno = 0;
	void *too_big = malloc(bi->heap_size + 4096);
	check(too_big == NULL && errno == ENOMEM, "malloc-enomem",
	      "malloc past the heap did not fail with ENOMEM");

	char *end = sbrk(0);
	errno = 0;
	void *under = sbrk(-(ptrdiff_t)(end - (char *)bi->heap_start) - 1);
	check(under == (void *)-1 && errno == ENOMEM && sbrk(0) == end,
	      "sbrk-below", "sbrk below the heap start did not fail");
	errno = 0;
	void *wrap = sbrk(PTRDIFF_MIN);
	check(wrap == (void *)-1 && errno == ENOMEM && sbrk(0) == end,
	      "sbrk-wrap", "sbrk(PTRDIFF_MIN) did not fail");
	errno = 0;
	void *over = sbrk(PTRDIFF_MAX);
	check(over == (void *)-1 && errno == ENOMEM && sbrk(0) == end,
	      "sbrk-above", "sbrk past the heap end did not fail");
}

static void test_files(void)
{
	struct stat st;

	check(fstat(1, &st) == 0 && S_ISCHR(st.st_mode) && isatty(1) &&
		      !isatty(7),
	      "stdout-tty", "stdout is not a character device");
	errno = 0;
	check(write(5, "x", 1) == -1 && errno == EBADF, "write-ebadf",
	      "write to fd 5 did not fail with EBADF");
	char c;
	check(read(0, &c, 1) == 0, "read-eof", "stdin is not at end of file");
	check(fopen("/nothing", "r") == NULL && errno == ENOENT, "fopen-enoent",
	      "fopen of a missing file did not fail with ENOENT");
	check(sys_debug_write("x", DEBUG_WRITE_MAX + 1) == STATUS_BAD_ARG,
	      "debug-write-max", "an overlong debug_write was not BAD_ARG");
}

/* Overflow a stack buffer through a pointer the compiler cannot see. */
static void __attribute__((noinline)) smash(const char *source, size_t len)
{
	char buffer[16];
	memcpy(buffer, source, len);
	__asm__ volatile("" : : "r"(buffer) : "memory");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "smash") == 0) {
		static const char pattern[64] = "this string is longer than 16";
		printf("runtime_test: overflowing a stack buffer\n");
		fflush(stdout);
		smash(pattern, sizeof(pattern));
		printf("TEST FAIL runtime-stack-protector: overflow not caught\n");
		return 1;
	}
	check(argc >= 1 && argv[argc] == NULL, "argv", "argv is not terminated");
	test_tcb();
	test_printf();
	test_heap();
	test_files();
	printf("runtime_test: %d failed\n", failures);
	return failures == 0 ? 0 : 1;
}
