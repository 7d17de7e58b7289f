/*
 * crt0: the first user-level code of every Vireo program. The kernel jumps
 * to _start with the boot information page in rdi (the root task), or the
 * root task starts a task with its start-up block there
 * (<vireo/startinfo.h>); either way the stack is aligned as right after a
 * call, so _start is an ordinary C function. It
 *   1. builds the thread control block (TCB) that %fs points to, with a
 *      fresh stack-protector canary at %fs:0x28 (code compiled with
 *      -fstack-protector, our own and Debian's libfdt.a, reads it there),
 *   2. checks and stores the boot information or the start-up block,
 *   3. runs newlib's constructors, builds argv (the root task's command
 *      line split at blanks, or a started task's argument strings) and
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

/* Room for argv: each word takes at least two bytes of the command line
 * or of a start-up block's arguments (the larger of the two). */
#define ARGUMENT_BYTES_MAX                                                                         \
	(STARTINFO_ARGUMENTS_MAX > BOOTINFO_CMDLINE_MAX ? STARTINFO_ARGUMENTS_MAX                  \
							: BOOTINFO_CMDLINE_MAX)
#define ARGV_MAX (ARGUMENT_BYTES_MAX / 2 + 2)
static char cmdline_copy[ARGUMENT_BYTES_MAX + 1];
static char *argv_storage[ARGV_MAX + 1];

const struct bootinfo *runtime_bootinfo;
const struct startinfo *runtime_startinfo;
struct utcb *runtime_utcb;
uintptr_t runtime_heap_start;
size_t runtime_heap_size;

void __libc_init_array(void);
_Noreturn void _start(const void *info);

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

/* True if the start-up block is one the root task wrote: every count
 * within its array and the arguments NUL-terminated. */
static int startinfo_valid(const struct startinfo *si)
{
	return si->size >= sizeof(struct startinfo) &&
	       si->name[STARTINFO_NAME_MAX - 1] == '\0' &&
	       si->connection_count <= STARTINFO_MAX_CONNECTIONS &&
	       si->client_count <= STARTINFO_MAX_CLIENTS &&
	       si->interrupt_count <= STARTINFO_MAX_INTERRUPTS &&
	       si->mmio_count <= STARTINFO_MAX_RANGES && si->port_count <= STARTINFO_MAX_RANGES &&
	       si->arguments_size <= STARTINFO_ARGUMENTS_MAX &&
	       (si->arguments_size == 0 || si->arguments[si->arguments_size - 1] == '\0');
}

/*
 * argv of a started task: argv[0] its name, then its argument strings,
 * copied (C11 §5.1.2.2.1: the strings are the program's to modify; the
 * block is read-only). Returns argc.
 */
static int copy_arguments(const struct startinfo *si)
{
	static char name[STARTINFO_NAME_MAX];
	int argc = 0;

	for (size_t i = 0; i < STARTINFO_NAME_MAX; i++)
		name[i] = si->name[i];
	argv_storage[argc++] = name;
	for (size_t i = 0; i < si->arguments_size; i++)
		cmdline_copy[i] = si->arguments[i];
	for (size_t at = 0; at < si->arguments_size && argc < ARGV_MAX;) {
		argv_storage[argc++] = &cmdline_copy[at];
		while (cmdline_copy[at] != '\0')
			at++;
		at++;
	}
	argv_storage[argc] = NULL;
	return argc;
}

/* The boot information page is one the kernel wrote. */
static int bootinfo_valid(const struct bootinfo *bi)
{
	return bi->size >= sizeof(struct bootinfo) && bi->module_count <= BOOTINFO_MAX_MODULES;
}

/* Where the first thread's UTCB and the heap are; then newlib's
 * constructors, which may already allocate. */
static void use_memory(uint64_t utcb, uint64_t heap_start, uint64_t heap_size)
{
	runtime_utcb = (struct utcb *)(uintptr_t)utcb;
	runtime_heap_start = heap_start;
	runtime_heap_size = heap_size;
	__libc_init_array();
}

/*
 * Entry point from the kernel (root task) or the root task (other tasks);
 * never returns. A missing or malformed boot information page or start-up
 * block ends the program with exit code 1.
 */
void _start(const void *info)
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

	/* Both blocks start with their magic. */
	uint64_t magic = info ? *(const uint64_t *)info : 0;
	const struct bootinfo *bi = info;
	const struct startinfo *si = info;
	int argc;
	if (magic == BOOTINFO_MAGIC && bootinfo_valid(bi)) {
		static char program_name[] = "root";
		runtime_bootinfo = bi;
		use_memory(bi->utcb, bi->heap_start, bi->heap_size);
		argc = split_arguments(bi->cmdline, program_name);
	} else if (magic == STARTINFO_MAGIC && startinfo_valid(si)) {
		runtime_startinfo = si;
		use_memory(si->utcb, si->heap_start, si->heap_size);
		argc = copy_arguments(si);
	} else {
		runtime_log("crt0: no valid boot information page or start-up block\n");
		sys_thread_exit(1);
	}
	exit(main(argc, argv_storage));
}
