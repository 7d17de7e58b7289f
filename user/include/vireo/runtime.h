/*
 * The user runtime's view of the process: the boot information the kernel
 * passed to _start (user/crt0.c) and helpers over it. Every user program
 * links the runtime (libvireo_user.a) and may use these after main() starts.
 */
#ifndef VIREO_RUNTIME_H
#define VIREO_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <vireo/bootinfo.h>

/* Exit code after a stack-protector failure or a fatal signal (128 + 6,
 * as a shell reports SIGABRT). */
#define RUNTIME_EXIT_ABORT 134

/*
 * The boot information page (read-only), checked by crt0 before main():
 * magic and size are valid and module_count <= BOOTINFO_MAX_MODULES.
 */
extern const struct bootinfo *runtime_bootinfo;

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

#endif
