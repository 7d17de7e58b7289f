/*
 * Host tests of kernel/lib/format.c: results are compared with the host
 * C library's snprintf for every supported conversion, and truncation,
 * NUL termination and the return value are checked at every buffer size.
 */
#include "host_test.h"

#include <format.h>
#include <kstring.h>
#include <limits.h>

/* Compare format() against snprintf for one format and its arguments. */
#define SAME(...)                                                         \
	do {                                                              \
		char want[256], got[256];                                 \
		int wn = snprintf(want, sizeof(want), __VA_ARGS__);       \
		size_t gn = format(got, sizeof(got), __VA_ARGS__);        \
		assert_int_equal(gn, (size_t)wn);                         \
		assert_string_equal(got, want);                           \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	SAME("%d %i %u", 0, -1, 4000000000u);
	SAME("%d", INT_MIN);
	SAME("%d", INT_MAX);
	SAME("%ld", LONG_MIN);
	SAME("%lld", LLONG_MIN);
	SAME("%llu", ULLONG_MAX);
	SAME("%lu %zu", ULONG_MAX, (size_t)SIZE_MAX);
	SAME("%x %X", 0xdeadbeefu, 0xdeadbeefu);
	SAME("%lx %llX", 0x123456789abcdef0ul, 0xfedcba9876543210ull);
	SAME("%zx %zd", (size_t)0x1000, (size_t)42);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	SAME("[%5d]", 42);
	SAME("[%-5d]", 42);
	SAME("[%05d]", 42);
	SAME("[%05d]", -42);
	SAME("[%016lx]", 0xabcul);
	SAME("[%2d]", 12345);
	SAME("[%*d]", 6, 7);
	SAME("[%*d]", -6, 7);
	SAME("[%8s]", "abc");
	SAME("[%-8s]", "abc");
	SAME("[%3c]", 'x');
	SAME("[%-3c]", 'x');
}

static void test_strings(void **state)
{
	(void)state;
	SAME("%s", "hello");
	SAME("%s|%s", "", "x");
	SAME("%.3s", "abcdef");
	SAME("%.*s", 2, "abcdef");
	SAME("%.0s", "abc");
	SAME("%10.2s|", "abc");
	SAME("%c%c%c", 'a', 'b', 'c');
	SAME("100%%");
}

static void test_pointer(void **state)
{
	char buf[64];

	(void)state;
	format(buf, sizeof(buf), "%p", (void *)0x1234);
	assert_string_equal(buf, "0x1234");
	format(buf, sizeof(buf), "%p", (void *)0);
	assert_string_equal(buf, "0x0");
	format(buf, sizeof(buf), "%p", (void *)0xffff800000000000ul);
	assert_string_equal(buf, "0xffff800000000000");
}

/* format() without the compiler's format checks, for deliberately bad formats. */
static size_t unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	size_t n;

	va_start(args, fmt);
	n = vformat(buf, size, fmt, args);
	va_end(args);
	return n;
}

static void test_null_string(void **state)
{
	char buf[16];
	const char *null = NULL;

	(void)state;
	unchecked(buf, sizeof(buf), "%s", null);
	assert_string_equal(buf, "(null)");
}

/* Every buffer size from 0 up: bounded writes, NUL, and the full length back. */
static void test_truncation(void **state)
{
	const char *want = "value=-123 name=vireo hex=0xbeef";
	char buf[64];

	(void)state;
	for (size_t size = 0; size < sizeof(buf); size++) {
		memset(buf, 'Z', sizeof(buf));
		size_t n = format(buf, size, "value=%d name=%s hex=0x%x", -123,
				  "vireo", 0xbeef);
		assert_int_equal(n, strlen(want));
		if (size) {
			size_t kept = size - 1 < n ? size - 1 : n;

			assert_memory_equal(buf, want, kept);
			assert_int_equal(buf[kept], '\0');
			assert_int_equal(buf[kept + 1], 'Z');
		} else {
			assert_int_equal(buf[0], 'Z');
		}
	}
	/* A NULL buffer of size 0 just measures. */
	assert_int_equal(format(NULL, 0, "%s", "abc"), 3);
}

/* Unknown conversions are printed, not interpreted. */
static void test_unknown_conversion(void **state)
{
	char buf[64];

	(void)state;
	unchecked(buf, sizeof(buf), "a%qb");
	assert_string_equal(buf, "a%qb");
	unchecked(buf, sizeof(buf), "end%");
	assert_string_equal(buf, "end%");
	unchecked(buf, sizeof(buf), "%lq");
	assert_string_equal(buf, "%lq");
}

/* Huge widths are capped instead of looping for a long time. */
static void test_width_cap(void **state)
{
	char buf[8];

	(void)state;
	size_t n = format(buf, sizeof(buf), "%999999999d", 1);
	assert_true(n <= 300);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

static void count_put(char c, void *ctx)
{
	(void)c;
	(*(size_t *)ctx)++;
}

static size_t count_format(const char *fmt, ...)
{
	size_t count = 0, n;
	va_list args;

	va_start(args, fmt);
	n = format_to(count_put, &count, fmt, args);
	va_end(args);
	assert_int_equal(n, count);
	return n;
}

static void test_format_to(void **state)
{
	(void)state;
	assert_int_equal(count_format("%s=%d", "abc", 1234), 8);
	assert_int_equal(count_format(""), 0);
}

static void test_kstrlcpy(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(kstrlcpy(buf, "ab", sizeof(buf)), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(kstrlcpy(buf, "abcdef", sizeof(buf)), 6);
	assert_string_equal(buf, "abc");
	assert_int_equal(kstrlcpy(buf, "xyz", 0), 3);
	assert_string_equal(buf, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_width_cap),
		cmocka_unit_test(test_format_to),
		cmocka_unit_test(test_kstrlcpy),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
