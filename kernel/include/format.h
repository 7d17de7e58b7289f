/*
 * Formatted output for the kernel: a small snprintf.
 *
 * Supported conversions: %s %c %d %i %u %x %X %p %%, length modifiers
 * l, ll and z, a field width (number or *), the '-' (left-justify) and '0'
 * (zero-pad) flags, and a precision for %s (number or *). Anything else is
 * printed as-is, so a bad format string shows up in the output rather than
 * crashing. There is no floating point: the kernel is built with
 * -mgeneral-regs-only. format() is compiled into the kernel and into host
 * tests, and the console's printf sits on vformat() or format_to().
 */
#ifndef VIREO_FORMAT_H
#define VIREO_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#define FORMAT_CHECK(fmt_index, args_index) \
	__attribute__((format(printf, fmt_index, args_index)))

/*
 * Format into buf of size bytes. Always NUL-terminates when size > 0 and
 * never writes past buf[size - 1]. Returns the length the full output
 * would have had (without the NUL), like snprintf: truncation happened
 * when the result is >= size. Cannot fail.
 */
size_t format(char *buf, size_t size, const char *fmt, ...) FORMAT_CHECK(3, 4);
size_t vformat(char *buf, size_t size, const char *fmt, va_list args)
	FORMAT_CHECK(3, 0);

/*
 * Format and hand each output character to put(c, ctx), unbuffered (for a
 * console that cannot allocate). Returns the number of characters put.
 */
size_t format_to(void (*put)(char c, void *ctx), void *ctx, const char *fmt,
		 va_list args) FORMAT_CHECK(3, 0);

/*
 * Formats a message into err (errlen bytes) and returns err: the one-line
 * way for a parser to fail with "what is wrong" (elf_check, acpi_parse).
 */
const char *format_error(char *err, size_t errlen, const char *fmt, ...)
	FORMAT_CHECK(3, 4);

#endif
