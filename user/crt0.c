/*
 * crt0: the first user-level code of every Vireo program. The kernel jumps
 * to _start with the boot information page in rdi and a stack aligned as
 * right after a call, so _start is an ordinary C function. It
 *   1. builds the thread control block (TCB) that %fs points to, with a
 *      fresh stack-protector canary at %fs:0x28 (code compiled with
 *      -fstack-protector, our own and Debian's libfdt.a, reads it there),
 *   2. checks and stores the boot information,
 *   3. runs newlib's constructors, splits the command line into argv and
 *      calls main(), then exit() with its result.
 * This file is compiled without the stack protector: the canary does not
 * exist until step 1 is done.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

/*
 * The TCB, laid out like the x86-64 psABI's TLS variant II thread pointer
 * block that compilers assume: %fs:0 holds the TCB's own address and
 * %fs:0x28 the stack guard (gcc/clang emit `mov %fs:0x28, %reg` in every
 * protected function).
 */
struct tcb {
	struct tcb *self;        /* 0x00 */
	uint64_t reserved[4];    /* 0x08 (glibc: dtv, self, multiple_threads) */
	uint64_t stack_guard;    /* 0x28 */
	uint64_t pointer_guard;  /* 0x30 */
};
_Static_assert(offsetof(struct tcb, stack_guard) == 0x28,
	       "compilers read the stack canary at %fs:0x28");

static struct tcb main_tcb __attribute__((aligned(64)));

/* Room for argv: each word takes at least two bytes of the command line. */
#define ARGV_MAX (BOOTINFO_CMDLINE_MAX / 2 + 2)
static char cmdline_copy[BOOTINFO_CMDLINE_MAX + 1];
static char *argv_storage[ARGV_MAX + 1];

const struct bootinfo *runtime_bootinfo;

void __libc_init_array(void);
_Noreturn void _start(const struct bootinfo *bi);

static inline uint64_t read_tsc(void)
{
	uint32_t low, high;
	__asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
	return ((uint64_t)high << 32) | low;
}

/*
 * A random-ish 64-bit value: RDRAND when the CPU has it (CPUID.01H:ECX bit
 * 30, Intel SDM vol. 2B "RDRAND"), mixed with the TSC so that a machine
 * without it still gets a value that differs from boot to boot.
 */
static uint64_t random_seed(void)
{
	uint32_t eax = 1, ebx, ecx = 0, edx;
	uint64_t value = 0;
	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	if (ecx & (1u << 30)) {
		for (int tries = 0; tries < 10; tries++) {
			unsigned char ok;
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(value), "=qm"(ok));
			if (ok)
				break;
		}
	}
	/* splitmix64 finaliser over the TSC, so nearby TSC values differ. */
	uint64_t z = read_tsc() + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return value ^ z ^ (z >> 31);
}

/*
 * Split the boot command line into argv[1..] at spaces and tabs, after
 * argv[0] = name. Returns argc. The copy is needed because the boot
 * information page is read-only and the words need terminators.
 */
static int split_arguments(const char *cmdline, char *name)
{
	int argc = 0;
	size_t i;

	argv_storage[argc++] = name;
	for (i = 0; i < BOOTINFO_CMDLINE_MAX && cmdline[i] != '\0'; i++)
		cmdline_copy[i] = cmdline[i];
	cmdline_copy[i] = '\0';

	char *p = cmdline_copy;
	while (*p != '\0' && argc < ARGV_MAX) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		argv_storage[argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	argv_storage[argc] = NULL;
	return argc;
}

/*
 * Entry point from the kernel; never returns. A missing or malformed boot
 * information page ends the program with exit code 1.
 */
void _start(const struct bootinfo *bi)
{
	main_tcb.self = &main_tcb;
	/* The low byte stays zero, so a string overflow that copies up to the
	 * canary cannot also reproduce it (glibc does the same). */
	main_tcb.stack_guard = random_seed() & ~0xffull;
	main_tcb.pointer_guard = random_seed();
	if (sys_thread_set_fs_base((uintptr_t)&main_tcb) != STATUS_OK) {
		runtime_log("crt0: cannot set the %fs base for the TCB\n");
		sys_thread_exit(1);
	}

	if (bi == NULL || bi->magic != BOOTINFO_MAGIC ||
	    bi->size < sizeof(struct bootinfo) ||
	    bi->module_count > BOOTINFO_MAX_MODULES) {
		runtime_log("crt0: bad boot information page\n");
		sys_thread_exit(1);
	}
	runtime_bootinfo = bi;

	__libc_init_array();

	static char program_name[] = "root";
	int argc = split_arguments(bi->cmdline, program_name);
	exit(main(argc, argv_storage));
}
