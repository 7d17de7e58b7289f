/*
 * The user runtime's view of the process: the boot information the kernel
 * passed to _start (user/crt0.c) in the root task, or the start-up block
 * the root task passed in a task it started (<vireo/startinfo.h>), and
 * helpers over them. Every user program links the runtime
 * (libvireo_user.a) and may use these after main() starts.
 */
#ifndef VIREO_RUNTIME_H
#define VIREO_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vireo/bootinfo.h>
#include <vireo/startinfo.h>
#include <vireo/utcb.h>

/* Exit code after a stack-protector failure or a fatal signal (128 + 6,
 * as a shell reports SIGABRT). */
#define RUNTIME_EXIT_ABORT 134

/*
 * The boot information page (read-only), checked by crt0 before main():
 * magic and size are valid and module_count <= BOOTINFO_MAX_MODULES. NULL
 * in a task the root task started.
 */
extern const struct bootinfo *runtime_bootinfo;

/*
 * The start-up block (read-only) of a task the root task started, checked
 * by crt0 before main() (magic, size, counts within their arrays,
 * arguments terminated). NULL in the root task.
 */
extern const struct startinfo *runtime_startinfo;

/* The first thread's UTCB: its message registers. */
extern struct utcb *runtime_utcb;

/* The heap newlib's sbrk hands out: [runtime_heap_start, + runtime_heap_size),
 * from whichever of the two blocks the program got. */
extern uintptr_t runtime_heap_start;
extern size_t runtime_heap_size;

/* The program's entry after crt0: argv[0] is the program's name. */
int main(int argc, char **argv);

/*
 * Look up a boot module by name. Returns it, or NULL when there is none.
 * The module's bytes are at (const void *)m->address, m->size long.
 */
const struct bootinfo_module *runtime_find_module(const char *name);

/* Write a NUL-terminated message straight to the kernel log, bypassing
 * stdio: for paths where newlib may not be usable (early start, failures). */
void runtime_log(const char *message);

/*
 * The endpoint (SEND) of this task's IPC connection to the task `name`
 * (the configuration's `connect`), or NO_SELECTOR when it has none (also
 * in the root task).
 */
cap_selector runtime_connection(const char *name);

/* The name of the client whose calls carry `badge` (a server's view of
 * its callers), or NULL when no client has it. */
const char *runtime_client_name(uint64_t badge);

/* The interrupt the configuration names `name` for this task, or NULL. */
const struct startinfo_interrupt *runtime_interrupt(const char *name);

/* Where this task reaches the device registers at physical address
 * [physical, physical + size), or NULL when no MMIO range it was given
 * covers all of them. */
volatile void *runtime_mmio(uint64_t physical, uint64_t size);

/*
 * A server's loop over `endpoint` (RECEIVE): receive a message, call
 * serve(badge, words) with the request in runtime_utcb's message
 * registers, reply with the number of words serve returns (the reply,
 * written there over the request; 0 for none), and receive the next. It
 * returns only when a receive fails, with that status.
 */
typedef uint64_t runtime_serve_fn(uint64_t badge, uint64_t words);
enum status runtime_serve(cap_selector endpoint, runtime_serve_fn *serve);

/*
 * The option `name` (e.g. "--ticks") of argv and the word after it, a
 * decimal number in 1..max, into *value. Returns false (*value untouched)
 * when the option is missing or its value is no such number.
 */
bool runtime_number_option(int argc, char **argv, const char *name, unsigned long max,
			   unsigned long *value);

/*
 * End the program with `code` without flushing stdio (exit() flushes, then
 * calls _exit, which calls this). In a started task, first the console
 * gets the last unfinished line (if the task has a console connection) and
 * the root task an exit report (struct startinfo_exit_word); then the
 * thread ends. Does not return.
 */
_Noreturn void runtime_exit(int code);

#endif
