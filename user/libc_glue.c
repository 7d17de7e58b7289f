/*
 * The newlib port: the "system calls" newlib's C library calls underneath
 * stdio, malloc, exit and abort. newlib 3.3.0 for x86_64-elf is built with
 * MISSING_SYSCALL_NAMES (see user/SConscript), so its reentrant wrappers
 * (_write_r and friends) call these under their plain POSIX names: sbrk,
 * write, read, ... They follow newlib's convention: -1 with errno set on
 * failure.
 *
 * Vireo has no files yet. fds 0, 1 and 2 are the console: writes go to the
 * console server when the task has a connection named "console"
 * (user/console.c), otherwise to the kernel log through SYS_DEBUG_WRITE;
 * reads see end of file, and fstat reports a character device so stdout is
 * line-buffered. The heap is the read-write region the boot information
 * page or the start-up block describes.
 */
/* POSIX and BSD declarations (sbrk, kill) that -std=c11 hides. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vireo/console.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

/*
 * Two errnos: newlib's reentrant wrappers (_write_r, ...) read the plain
 * global `errno` after calling a stub, while a program that calls write()
 * directly reads errno the C way, through __errno() (_REENT->_errno).
 * fail() sets both.
 */
#undef errno
extern int errno;

static int fail(int error)
{
	errno = error;
	*__errno() = error;
	return -1;
}

/* The root task is the only process; its "pid" for getpid and kill. */
#define RUNTIME_PID 1

/* _init and _fini come from crti.o on hosted systems; newlib's
 * __libc_init_array and __libc_fini_array call them (HAVE_INIT_FINI).
 * Constructors run from .init_array instead, so both are empty. */
void _init(void);
void _fini(void);
void __stack_chk_fail(void);

void _init(void)
{
}

void _fini(void)
{
}

void runtime_log(const char *message)
{
	size_t len = strlen(message);

	while (len > 0) {
		size_t chunk = len < DEBUG_WRITE_MAX ? len : DEBUG_WRITE_MAX;
		if (sys_debug_write(message, chunk) != STATUS_OK)
			return;
		message += chunk;
		len -= chunk;
	}
}

const struct bootinfo_module *runtime_find_module(const char *name)
{
	const struct bootinfo *bi = runtime_bootinfo;
	size_t len = strlen(name);

	if (bi == NULL || len >= BOOTINFO_NAME_MAX)
		return NULL;
	for (uint64_t i = 0; i < bi->module_count; i++) {
		const struct bootinfo_module *m = &bi->modules[i];
		if (strncmp(m->name, name, BOOTINFO_NAME_MAX) == 0)
			return m;
	}
	return NULL;
}

/*
 * Called by code compiled with -fstack-protector when a function's canary
 * at %fs:0x28 was overwritten. The stack cannot be trusted, so no stdio and
 * no atexit handlers: a message straight to the kernel log, then the thread
 * ends. Does not return.
 */
void __stack_chk_fail(void)
{
	runtime_log("user: stack smashing detected, exiting\n");
	runtime_exit(RUNTIME_EXIT_ABORT);
}

/*
 * Move the end of the heap by increment bytes and return its old end.
 * Fails with ENOMEM (returning (void *)-1) when the result would leave the
 * heap region of the boot information page, in either direction; the
 * arithmetic is done on distances so it never wraps around.
 */
void *sbrk(ptrdiff_t increment)
{
	static uintptr_t heap_end;

	if (runtime_heap_start == 0) {
		fail(ENOMEM);
		return (void *)-1;
	}
	uintptr_t start = runtime_heap_start;
	uintptr_t limit = runtime_heap_start + runtime_heap_size;
	if (heap_end == 0)
		heap_end = start;

	uintptr_t old_end = heap_end;
	if (increment >= 0) {
		if ((uintptr_t)increment > limit - old_end) {
			fail(ENOMEM);
			return (void *)-1;
		}
		heap_end = old_end + (uintptr_t)increment;
	} else {
		/* -(increment + 1) + 1 avoids overflowing PTRDIFF_MIN. */
		uintptr_t decrement = (uintptr_t)(-(increment + 1)) + 1;
		if (decrement > old_end - start) {
			fail(ENOMEM);
			return (void *)-1;
		}
		heap_end = old_end - decrement;
	}
	return (void *)old_end;
}

static int is_console(int fd)
{
	return fd >= 0 && fd <= 2;
}

/*
 * Write to stdout or stderr: the console server when the task has a
 * connection to it, else (or when the console refuses, e.g. it was
 * destroyed) the kernel log, at most DEBUG_WRITE_MAX bytes per system
 * call. Returns len, or -1 with EBADF for any other fd and EIO when the
 * kernel refuses (bad buffer).
 */
_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;

	/* newlib's write returns an int here: never write more than that. */
	if (len > INT_MAX)
		len = left = INT_MAX;
	if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
		return fail(EBADF);
	}
	cap_selector console = runtime_connection(CONSOLE_CONNECTION);
	if (console != NO_SELECTOR) {
		size_t taken = 0;
		if (console_write(console, runtime_utcb, p, left, &taken) == STATUS_OK)
			return (_READ_WRITE_RETURN_TYPE)len;
		p += taken; /* the rest goes to the kernel log */
		left -= taken;
	}
	while (left > 0) {
		size_t chunk = left < DEBUG_WRITE_MAX ? left : DEBUG_WRITE_MAX;
		if (sys_debug_write(p, chunk) != STATUS_OK) {
			return fail(EIO);
		}
		p += chunk;
		left -= chunk;
	}
	return (_READ_WRITE_RETURN_TYPE)len;
}

/* stdin has no device behind it yet: always end of file. */
_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
	(void)buf;
	(void)len;
	if (fd != STDIN_FILENO) {
		return fail(EBADF);
	}
	return 0;
}

int close(int fd)
{
	if (!is_console(fd)) {
		return fail(EBADF);
	}
	return 0;
}

off_t lseek(int fd, off_t offset, int whence)
{
	(void)offset;
	(void)whence;
	return fail(is_console(fd) ? ESPIPE : EBADF);
}

/* The console is a character device, so newlib line-buffers stdout. */
int fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		return fail(EBADF);
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0620;
	st->st_blksize = 0;
	return 0;
}

int isatty(int fd)
{
	if (!is_console(fd)) {
		fail(EBADF);
		return 0;
	}
	return 1;
}

/* There is no file system: every path is missing. */
int open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	return fail(ENOENT);
}

int stat(const char *path, struct stat *st)
{
	(void)path;
	(void)st;
	return fail(ENOENT);
}

int link(const char *old_path, const char *new_path)
{
	(void)old_path;
	(void)new_path;
	return fail(ENOENT);
}

int unlink(const char *path)
{
	(void)path;
	return fail(ENOENT);
}

/* End the program without running atexit handlers or flushing stdio
 * (exit() has already done both when it calls this). */
void _exit(int code)
{
	runtime_exit(code);
}

pid_t getpid(void)
{
	return RUNTIME_PID;
}

/*
 * Signals have no handlers to run at this level: a signal sent to ourselves
 * (raise(), abort()) ends the program with 128 + the signal number, as a
 * shell would report it. Any other pid does not exist.
 */
int kill(pid_t pid, int signal_number)
{
	if (pid != RUNTIME_PID) {
		return fail(ESRCH);
	}
	runtime_log("user: killed by a signal, exiting\n");
	runtime_exit(128 + signal_number);
}

/* Processes are started by the root task through the kernel, not by
 * fork/exec; there is no clock system call yet. */
pid_t fork(void)
{
	return fail(ENOSYS);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path;
	(void)argv;
	(void)envp;
	return fail(ENOSYS);
}

pid_t wait(int *status)
{
	(void)status;
	return fail(ECHILD);
}

clock_t times(struct tms *buf)
{
	(void)buf;
	fail(ENOSYS);
	return (clock_t)-1;
}

int gettimeofday(struct timeval *tv, void *timezone)
{
	(void)tv;
	(void)timezone;
	return fail(ENOSYS);
}
