/*
 * The kernel log: kprintf() formats (format.h) and writes to COM1.
 * panic() prints a message and shuts the machine down with PANIC_CODE so a
 * test run ends at once instead of hanging.
 */
#ifndef VIREO_CONSOLE_H
#define VIREO_CONSOLE_H

#include "format.h"

#define PANIC_CODE 99

__attribute__((format(printf, 1, 2))) void kprintf(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) _Noreturn void panic(const char *fmt, ...);

/* Invariants of kernel state only: never for user input (STYLE.md). */
#define assert(c)                                                             \
	do {                                                                  \
		if (!(c))                                                     \
			panic("assertion failed: %s (%s:%d)", #c, __FILE__,   \
			      __LINE__);                                      \
	} while (0)

#endif
