/*
 * Kernel log output. Each kprintf() formats into one buffer and writes it
 * in one piece, so a line is never torn by another CPU's output once SMP
 * arrives (a lock goes here then). Lines longer than the buffer are cut and
 * marked with "...", never silently.
 */
#include <stdarg.h>

#include "arch.h"
#include "console.h"
#include "x86.h"

static void console_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	size_t n = vformat(buf, sizeof(buf), fmt, ap);
	if (n >= sizeof(buf)) {
		serial_write(buf, sizeof(buf) - 1);
		serial_write("...\n", 4);
		return;
	}
	serial_write(buf, n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

_Noreturn void panic(const char *fmt, ...)
{
	cli();
	va_list ap;
	va_start(ap, fmt);
	kprintf("PANIC: ");
	console_vprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	platform_shutdown(PANIC_CODE);
}
