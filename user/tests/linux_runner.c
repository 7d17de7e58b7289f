/*
 * linux_runner: run a Vireo user program (root.elf) as a Linux process,
 * standing in for the kernel, so the user runtime, newlib port and root
 * task can be tested on the host without booting anything.
 *
 *   linux_runner PROGRAM [-c CMDLINE] [NAME=FILE ...]
 *
 * It starts PROGRAM under ptrace, stops at its first instruction, maps a
 * boot information page, the modules (read-only) and a heap into it by
 * injecting mmap/mprotect system calls, and enters _start(bootinfo) with
 * the stack aligned as right after a call. Every Vireo system call is then
 * translated at its entry stop (PTRACE_SYSCALL): debug_write becomes
 * write(1), thread_set_fs_base becomes arch_prctl(ARCH_SET_FS), and
 * thread_exit becomes exit_group. Registers other than rax, rcx and r11
 * are restored after each call, as the Vireo kernel preserves them.
 *
 * Exit status: the program's exit code; 128 + signal when it was stopped by
 * a fault (after a `linux_runner: task stopped: ...` line); 125 when the
 * runner itself failed.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vireo/bootinfo.h>
#include <vireo/status.h>
#include <vireo/syscall.h>

#define RUNNER_FAILED 125
#define REGION_BASE 0x10000000ull
#define HEAP_SIZE (4ull << 20)
#define PAGE_ROUND(x) (((x) + 0xfffull) & ~0xfffull)

struct module_file {
	const char *name;
	void *data;
	size_t size;
	uint64_t address;
};

static _Noreturn void fail(const char *what)
{
	fprintf(stderr, "linux_runner: %s: %s\n", what, strerror(errno));
	exit(RUNNER_FAILED);
}

static void load_file(struct module_file *m, const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		fail(path);
	m->size = (size_t)st.st_size;
	m->data = malloc(m->size ? m->size : 1);
	if (m->data == NULL || read(fd, m->data, m->size) != (ssize_t)m->size)
		fail(path);
	close(fd);
}

/*
 * Run one Linux system call inside the stopped child: put a SYSCALL
 * instruction at its rip, single-step it, then restore the code and the
 * registers. Returns the system call's result (rax).
 */
static long inject_syscall(pid_t pid, long number, long a0, long a1, long a2,
			   long a3, long a4, long a5)
{
	struct user_regs_struct saved, regs;
	int status;

	if (ptrace(PTRACE_GETREGS, pid, 0, &saved) < 0)
		fail("PTRACE_GETREGS");
	errno = 0;
	long code = ptrace(PTRACE_PEEKTEXT, pid, saved.rip, 0);
	if (errno != 0)
		fail("PTRACE_PEEKTEXT");
	long patched = (code & ~0xffffl) | 0x050f; /* 0f 05: syscall */
	if (ptrace(PTRACE_POKETEXT, pid, saved.rip, patched) < 0)
		fail("PTRACE_POKETEXT");
	regs = saved;
	regs.rax = (unsigned long long)number;
	regs.rdi = (unsigned long long)a0;
	regs.rsi = (unsigned long long)a1;
	regs.rdx = (unsigned long long)a2;
	regs.r10 = (unsigned long long)a3;
	regs.r8 = (unsigned long long)a4;
	regs.r9 = (unsigned long long)a5;
	if (ptrace(PTRACE_SETREGS, pid, 0, &regs) < 0 ||
	    ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0 ||
	    waitpid(pid, &status, 0) < 0 ||
	    ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
		fail("injecting a system call");
	if (ptrace(PTRACE_POKETEXT, pid, saved.rip, code) < 0 ||
	    ptrace(PTRACE_SETREGS, pid, 0, &saved) < 0)
		fail("restoring after a system call");
	return (long)regs.rax;
}

static void write_child(pid_t pid, uint64_t address, const void *data,
			size_t size)
{
	struct iovec local = {(void *)data, size};
	struct iovec remote = {(void *)(uintptr_t)address, size};

	if (size && process_vm_writev(pid, &local, 1, &remote, 1, 0) !=
			    (ssize_t)size)
		fail("process_vm_writev");
}

/* Map boot information, modules and heap into the child at its first
 * instruction, and point rdi/rsp at them. */
static void set_up_child(pid_t pid, struct module_file *modules, int count,
			 const char *cmdline)
{
	static struct bootinfo bi;
	uint64_t next = REGION_BASE + PAGE_ROUND(sizeof(bi));

	bi.magic = BOOTINFO_MAGIC;
	bi.size = sizeof(bi);
	bi.module_count = (uint64_t)count;
	snprintf(bi.cmdline, sizeof(bi.cmdline), "%s", cmdline);
	for (int i = 0; i < count; i++) {
		modules[i].address = next;
		next += PAGE_ROUND(modules[i].size ? modules[i].size : 1);
		bi.modules[i].address = modules[i].address;
		bi.modules[i].size = modules[i].size;
		snprintf(bi.modules[i].name, sizeof(bi.modules[i].name), "%s",
			 modules[i].name);
	}
	bi.heap_start = next;
	bi.heap_size = HEAP_SIZE;
	uint64_t total = next + HEAP_SIZE - REGION_BASE;

	long mapped = inject_syscall(pid, SYS_mmap, (long)REGION_BASE,
				     (long)total, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS |
					     MAP_FIXED_NOREPLACE,
				     -1, 0);
	if (mapped != (long)REGION_BASE) {
		errno = (int)-mapped;
		fail("mapping the boot region in the child");
	}
	write_child(pid, REGION_BASE, &bi, sizeof(bi));
	for (int i = 0; i < count; i++)
		write_child(pid, modules[i].address, modules[i].data,
			    modules[i].size);
	if (inject_syscall(pid, SYS_mprotect, (long)REGION_BASE,
			   (long)(bi.heap_start - REGION_BASE), PROT_READ, 0,
			   0, 0) != 0)
		fail("write-protecting boot information and modules");

	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
		fail("PTRACE_GETREGS");
	regs.rdi = REGION_BASE;
	regs.rsp = (regs.rsp & ~0xfull) - 8; /* as right after a call */
	uint64_t zero = 0;
	write_child(pid, regs.rsp, &zero, sizeof(zero));
	if (ptrace(PTRACE_SETREGS, pid, 0, &regs) < 0)
		fail("PTRACE_SETREGS");
}

/*
 * At a system call entry stop, turn the Vireo call into a Linux one (or
 * into nothing, orig_rax = -1). Returns the status to report at the exit
 * stop when the Linux call succeeds; *on_error the one when it fails.
 */
static enum status translate(struct user_regs_struct *regs,
			     enum status *on_error)
{
	uint64_t a0 = regs->rdi, a1 = regs->rsi;

	*on_error = STATUS_BAD_ADDRESS;
	switch (regs->orig_rax) {
	case SYS_DEBUG_WRITE:
		if (a1 > DEBUG_WRITE_MAX) {
			regs->orig_rax = (unsigned long long)-1;
			*on_error = STATUS_BAD_ARG;
			return STATUS_BAD_ARG;
		}
		regs->orig_rax = SYS_write;
		regs->rdi = STDOUT_FILENO;
		regs->rsi = a0;
		regs->rdx = a1;
		return STATUS_OK;
	case SYS_THREAD_EXIT:
		fflush(stdout);
		regs->orig_rax = SYS_exit_group;
		return STATUS_OK;
	case SYS_THREAD_SET_FS_BASE:
		regs->orig_rax = SYS_arch_prctl;
		regs->rdi = ARCH_SET_FS;
		regs->rsi = a0;
		return STATUS_OK;
	default:
		regs->orig_rax = (unsigned long long)-1;
		*on_error = STATUS_BAD_SYSCALL;
		return STATUS_BAD_SYSCALL;
	}
}

int main(int argc, char **argv)
{
	struct module_file modules[BOOTINFO_MAX_MODULES];
	int count = 0;
	const char *cmdline = "";

	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM [-c CMDLINE] [NAME=FILE ...]\n",
			argv[0]);
		return RUNNER_FAILED;
	}
	for (int i = 2; i < argc; i++) {
		char *equals = strchr(argv[i], '=');
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			cmdline = argv[++i];
		} else if (equals != NULL && count < BOOTINFO_MAX_MODULES) {
			*equals = '\0';
			modules[count].name = argv[i];
			load_file(&modules[count++], equals + 1);
		} else {
			fprintf(stderr, "linux_runner: bad argument %s\n", argv[i]);
			return RUNNER_FAILED;
		}
	}

	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		char *child_argv[] = {argv[1], NULL};
		char *child_env[] = {NULL};
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(RUNNER_FAILED);
		execve(argv[1], child_argv, child_env);
		_exit(RUNNER_FAILED);
	}

	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
		fail("starting the program");
	ptrace(PTRACE_SETOPTIONS, pid, 0,
	       PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
	set_up_child(pid, modules, count, cmdline);
	for (int i = 0; i < count; i++)
		free(modules[i].data);

	struct user_regs_struct saved;
	enum status result = STATUS_OK, on_error = STATUS_OK;
	int in_call = 0, signal_number = 0;
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, 0, signal_number) < 0)
			fail("PTRACE_SYSCALL");
		signal_number = 0;
		if (waitpid(pid, &status, 0) < 0)
			fail("waitpid");
		if (WIFEXITED(status)) {
			printf("linux_runner: exit code %d\n", WEXITSTATUS(status));
			return WEXITSTATUS(status);
		}
		if (WIFSIGNALED(status)) {
			printf("linux_runner: killed by signal %d\n",
			       WTERMSIG(status));
			return 128 + WTERMSIG(status);
		}
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			struct user_regs_struct regs;
			ptrace(PTRACE_GETREGS, pid, 0, &regs);
			if (!in_call) {
				saved = regs;
				result = translate(&regs, &on_error);
				ptrace(PTRACE_SETREGS, pid, 0, &regs);
			} else {
				long linux_result = (long)regs.rax;
				unsigned long long fs_base = regs.fs_base;
				regs = saved;
				regs.fs_base = fs_base; /* set_fs_base's effect */
				regs.rax = linux_result < 0 ? on_error : result;
				ptrace(PTRACE_SETREGS, pid, 0, &regs);
			}
			in_call = !in_call;
			continue;
		}
		/* A fault: report it the way the kernel does and stop. */
		siginfo_t info;
		struct user_regs_struct regs;
		ptrace(PTRACE_GETSIGINFO, pid, 0, &info);
		int stop_signal = WSTOPSIG(status);
		ptrace(PTRACE_GETREGS, pid, 0, &regs);
		printf("linux_runner: task stopped: signal %d (%s) at rip %#llx, "
		       "address %p\n",
		       stop_signal, strsignal(stop_signal), regs.rip, info.si_addr);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 128 + stop_signal;
	}
}
