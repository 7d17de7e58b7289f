/*
 * The handful of C library string and memory functions the kernel uses.
 *
 * The kernel is freestanding (no libc), so kernel/lib/string.c implements
 * these; the compiler may also emit calls to memcpy/memset/memmove/memcmp
 * on its own (C11 §5.1.2.1 leaves a freestanding implementation free to do
 * so, and GCC documents that it does), which is why they keep their
 * standard names. The pure-logic files (format, multiboot2, ACPI, ELF,
 * frame allocator) are also compiled into host unit tests with
 * -DVIREO_HOST_TEST: there this header is the host's <string.h>, so the
 * sanitizers see every access.
 */
#ifndef VIREO_KSTRING_H
#define VIREO_KSTRING_H

#include <stddef.h>

#ifdef VIREO_HOST_TEST
#include <string.h>
#else
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/*
 * Copy the NUL-terminated string src into dst of size bytes, truncating;
 * dst is always NUL-terminated when size > 0. Returns strlen(src), like
 * BSD strlcpy, so truncation shows as a return value >= size.
 */
size_t kstrlcpy(char *dst, const char *src, size_t size);

#endif
