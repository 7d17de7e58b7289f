/*
 * Host tests of the kernel's own memcpy/memset/... in kernel/lib/string.c.
 *
 * Those functions are only compiled into the kernel (on the host, kstring.h
 * is the C library's <string.h>), so this file includes string.c itself
 * with every function renamed to kernel_<name> and VIREO_HOST_TEST turned
 * off, then compares each one with the C library on many sizes, offsets
 * and overlaps.
 */
#include "host_test.h"

#define memcpy kernel_memcpy
#define memmove kernel_memmove
#define memset kernel_memset
#define memcmp kernel_memcmp
#define memchr kernel_memchr
#define strlen kernel_strlen
#define strnlen kernel_strnlen
#define strcmp kernel_strcmp
#define strncmp kernel_strncmp
#define strchr kernel_strchr
#define kstrlcpy kernel_kstrlcpy
#undef VIREO_HOST_TEST
#include "../lib/string.c"
#define VIREO_HOST_TEST 1
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef kstrlcpy

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void test_memcpy_memset(void **state)
{
	uint8_t src[80], a[80], b[80];

	(void)state;
	fill(src, sizeof(src), 3);
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n + off <= 64; n++) {
			memset(a, 0, sizeof(a));
			memset(b, 0, sizeof(b));
			assert_ptr_equal(kernel_memcpy(a + off, src, n), a + off);
			memcpy(b + off, src, n);
			assert_memory_equal(a, b, sizeof(a));
			assert_ptr_equal(kernel_memset(a + off, 0x5a, n), a + off);
			memset(b + off, 0x5a, n);
			assert_memory_equal(a, b, sizeof(a));
		}
	}
}

static void test_memmove_overlap(void **state)
{
	uint8_t a[64], b[64];

	(void)state;
	for (size_t from = 0; from < 16; from++) {
		for (size_t to = 0; to < 16; to++) {
			for (size_t n = 0; n <= 48; n++) {
				fill(a, sizeof(a), 1);
				fill(b, sizeof(b), 1);
				kernel_memmove(a + to, a + from, n);
				memmove(b + to, b + from, n);
				assert_memory_equal(a, b, sizeof(a));
			}
		}
	}
}

static void test_compare_and_search(void **state)
{
	const char *words[] = { "", "a", "ab", "abc", "abd", "b", "\xff", "abc\0x" };
	uint8_t buf[16];

	(void)state;
	for (size_t i = 0; i < 8; i++) {
		for (size_t j = 0; j < 8; j++) {
			assert_int_equal(sign(kernel_strcmp(words[i], words[j])),
					 sign(strcmp(words[i], words[j])));
			for (size_t n = 0; n < 5; n++)
				assert_int_equal(sign(kernel_strncmp(words[i], words[j], n)),
						 sign(strncmp(words[i], words[j], n)));
		}
		assert_int_equal(kernel_strlen(words[i]), strlen(words[i]));
		for (size_t n = 0; n < 5; n++)
			assert_int_equal(kernel_strnlen(words[i], n), strnlen(words[i], n));
		assert_ptr_equal(kernel_strchr(words[i], 'b'), strchr(words[i], 'b'));
		assert_ptr_equal(kernel_strchr(words[i], '\0'), strchr(words[i], '\0'));
	}
	fill(buf, sizeof(buf), 0);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		assert_ptr_equal(kernel_memchr(buf, 21, n), memchr(buf, 21, n));
		assert_int_equal(kernel_memcmp(buf, buf, n), 0);
	}
	uint8_t other[16];
	memcpy(other, buf, sizeof(other));
	other[9] = 0xf0;
	assert_int_equal(sign(kernel_memcmp(buf, other, 16)), sign(memcmp(buf, other, 16)));
	assert_int_equal(sign(kernel_memcmp(other, buf, 16)), sign(memcmp(other, buf, 16)));
	assert_int_equal(kernel_memcmp(buf, other, 9), 0);
}

static void test_kstrlcpy(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(kernel_kstrlcpy(buf, "hello world", sizeof(buf)), 11);
	assert_string_equal(buf, "hello w");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_memset),
		cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_compare_and_search),
		cmocka_unit_test(test_kstrlcpy),
	};

	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
