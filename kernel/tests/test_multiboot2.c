/*
 * Host tests of kernel/boot/multiboot2.c. A builder assembles boot
 * information the way GRUB lays it out (8-byte aligned tags, end tag,
 * total_size), then single fields are broken to check each message; a
 * fuzz test mutates a full GRUB-like information block under ASan/UBSan.
 */
#include "host_test.h"

#include <multiboot2.h>

struct builder {
	_Alignas(8) uint8_t buf[8192];
	size_t len;
};

static struct builder b;
static struct mb2_info info;
static char err[256];

static void begin(void)
{
	memset(&b, 0, sizeof(b));
	b.len = 8;
}

/* Append a tag with a payload of n bytes; returns its offset. */
static size_t tag(uint32_t type, const void *payload, size_t n)
{
	size_t at = b.len;
	uint32_t size = (uint32_t)(8 + n);

	memcpy(b.buf + at, &type, 4);
	memcpy(b.buf + at + 4, &size, 4);
	if (n)
		memcpy(b.buf + at + 8, payload, n);
	b.len = (at + size + 7) & ~(size_t)7;
	return at;
}

static size_t tag_string(uint32_t type, const char *s)
{
	return tag(type, s, strlen(s) + 1);
}

static size_t tag_module(uint32_t start, uint32_t end, const char *s)
{
	uint8_t p[256];

	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, s, strlen(s) + 1);
	return tag(MB2_TAG_MODULE, p, 8 + strlen(s) + 1);
}

static size_t tag_mmap(const struct mb2_mmap_entry *e, size_t n)
{
	uint8_t p[16 + 8 * 200];
	uint32_t entry_size = sizeof(*e), version = 0;

	memcpy(p, &entry_size, 4);
	memcpy(p + 4, &version, 4);
	memcpy(p + 8, e, n * sizeof(*e));
	return tag(MB2_TAG_MMAP, p, 8 + n * sizeof(*e));
}

static void end(void)
{
	uint32_t total;

	tag(MB2_TAG_END, NULL, 0);
	total = (uint32_t)b.len;
	memcpy(b.buf, &total, 4);
}

static const struct mb2_mmap_entry qemu_map[] = {
	{ 0, 0x9fc00, MB2_MEMORY_AVAILABLE, 0 },
	{ 0x9fc00, 0x400, MB2_MEMORY_RESERVED, 0 },
	{ 0xf0000, 0x10000, MB2_MEMORY_RESERVED, 0 },
	{ 0x100000, 0x7ee0000, MB2_MEMORY_AVAILABLE, 0 },
	{ 0x7fe0000, 0x20000, MB2_MEMORY_RESERVED, 0 },
	{ 0xfffc0000, 0x40000, MB2_MEMORY_RESERVED, 0 },
};

static uint8_t rsdp_v1[20] = "RSD PTR ";
static uint8_t rsdp_v2[36] = "RSD PTR ";

/* What GRUB gives a kernel under QEMU with two modules. */
static void build_grub_like(void)
{
	uint32_t meminfo[2] = { 639, 130048 };

	begin();
	tag_string(MB2_TAG_CMDLINE, "serial=com1 verbose");
	tag_string(MB2_TAG_BOOTLOADER_NAME, "GRUB 2.06-13+deb12u1");
	tag_module(0x200000, 0x203000, "root arg1 arg2");
	tag_module(0x204000, 0x204400, "config");
	tag(MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
	tag_mmap(qemu_map, sizeof(qemu_map) / sizeof(qemu_map[0]));
	tag(MB2_TAG_FRAMEBUFFER, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	tag(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof(rsdp_v1));
	tag(MB2_TAG_ACPI_NEW, rsdp_v2, sizeof(rsdp_v2));
	tag(MB2_TAG_LOAD_BASE_ADDR, "\0\0\x10\0", 4);
	end();
}

static const char *parse(void)
{
	return mb2_parse(b.buf, b.len, &info, err, sizeof(err));
}

static void expect_error(const char *want)
{
	const char *msg = parse();

	if (!msg)
		fail_msg("accepted, expected an error containing '%s'", want);
	if (!strstr(msg, want))
		fail_msg("message '%s' does not contain '%s'", msg, want);
}

static void set32(size_t offset, uint32_t v)
{
	memcpy(b.buf + offset, &v, 4);
}

static void test_grub_like(void **state)
{
	(void)state;
	build_grub_like();
	assert_null(parse());
	assert_string_equal(info.cmdline, "serial=com1 verbose");
	assert_string_equal(info.bootloader_name, "GRUB 2.06-13+deb12u1");
	assert_int_equal(info.module_count, 2);
	assert_int_equal(info.modules[0].start, 0x200000);
	assert_int_equal(info.modules[0].end, 0x203000);
	assert_string_equal(info.modules[0].string, "root arg1 arg2");
	assert_string_equal(info.modules[1].string, "config");
	assert_int_equal(info.memory_range_count, 6);
	assert_int_equal(info.memory_ranges[3].base, 0x100000);
	assert_int_equal(info.memory_ranges[3].length, 0x7ee0000);
	assert_int_equal(info.memory_ranges[3].type, MB2_MEMORY_AVAILABLE);
	assert_true(info.has_basic_meminfo);
	assert_int_equal(info.mem_upper_kib, 130048);
	assert_non_null(info.rsdp_old);
	assert_int_equal(info.rsdp_old_length, 20);
	assert_memory_equal(info.rsdp_old, "RSD PTR ", 8);
	assert_non_null(info.rsdp_new);
	assert_int_equal(info.rsdp_new_length, 36);
	assert_true(info.has_framebuffer);
	assert_true(info.has_load_base_addr);
	assert_int_equal(info.load_base_addr, 0x100000);
	assert_false(info.efi_boot_services_active);
	assert_int_equal(info.total_size, b.len);
	assert_int_equal(info.tag_count, 11);
}

static void test_minimal(void **state)
{
	(void)state;
	begin();
	end();
	assert_null(parse());
	assert_string_equal(info.cmdline, "");
	assert_string_equal(info.bootloader_name, "");
	assert_int_equal(info.module_count, 0);
	assert_int_equal(info.memory_range_count, 0);
	assert_null(info.rsdp_old);
	assert_null(info.rsdp_new);
}

static void test_efi_tags(void **state)
{
	uint64_t table = 0x7f9e018ull, handle = 0x7e1b2c0ull;

	(void)state;
	begin();
	tag(MB2_TAG_EFI64, &table, 8);
	tag(MB2_TAG_EFI64_IH, &handle, 8);
	tag(MB2_TAG_EFI_BS_NOT_TERMINATED, NULL, 0);
	tag(MB2_TAG_EFI_MMAP, "\x30\0\0\0\1\0\0\0", 8);
	end();
	assert_null(parse());
	assert_int_equal(info.efi64_system_table, table);
	assert_int_equal(info.efi64_image_handle, handle);
	assert_true(info.efi_boot_services_active);
	assert_true(info.has_efi_memory_map);
}

static void test_unknown_tag_ignored(void **state)
{
	(void)state;
	begin();
	tag(0x1234, "abc", 3);
	tag(MB2_TAG_NETWORK, "xyzxyz", 6);
	end();
	assert_null(parse());
}

static void test_null_and_unaligned(void **state)
{
	(void)state;
	build_grub_like();
	assert_non_null(mb2_parse(NULL, 100, &info, err, sizeof(err)));
	assert_non_null(strstr(mb2_parse(b.buf + 4, b.len - 4, &info, err,
					 sizeof(err)), "aligned"));
}

static void test_avail_too_small(void **state)
{
	(void)state;
	build_grub_like();
	assert_non_null(strstr(mb2_parse(b.buf, 15, &info, err, sizeof(err)),
			       "only 15 bytes"));
	assert_non_null(strstr(mb2_parse(b.buf, b.len - 1, &info, err, sizeof(err)),
			       "larger than the"));
}

static void test_total_size_too_small(void **state)
{
	(void)state;
	build_grub_like();
	set32(0, 8);
	expect_error("smaller than 16");
}

static void test_tag_size_too_small(void **state)
{
	(void)state;
	begin();
	size_t at = tag_string(MB2_TAG_CMDLINE, "abc");
	end();
	set32(at + 4, 4);
	expect_error("tag 1 (command line) at offset 0x8: size 4 is smaller");
}

static void test_tag_past_total(void **state)
{
	(void)state;
	begin();
	size_t at = tag_string(MB2_TAG_CMDLINE, "abc");
	end();
	set32(at + 4, 0x1000);
	expect_error("runs past total_size");
}

static void test_no_end_tag(void **state)
{
	(void)state;
	begin();
	tag_string(MB2_TAG_CMDLINE, "abc");
	tag_string(MB2_TAG_BOOTLOADER_NAME, "x");
	/* total_size ends right after the last tag: no room for an end tag. */
	set32(0, (uint32_t)b.len);
	expect_error("no end tag");
}

static void test_end_tag_early(void **state)
{
	(void)state;
	begin();
	tag(MB2_TAG_END, NULL, 0);
	tag_string(MB2_TAG_CMDLINE, "abc");
	end();
	expect_error("end tag at offset 0x8");
}

static void test_end_tag_bad_size(void **state)
{
	(void)state;
	begin();
	end();
	set32(8 + 4, 16);
	set32(0, 24);
	b.len = 24;
	expect_error("end tag has size 16");
}

static void test_cmdline_unterminated(void **state)
{
	(void)state;
	begin();
	tag(MB2_TAG_CMDLINE, "abcdefgh", 8);
	end();
	expect_error("not NUL-terminated");
}

static void test_duplicate_cmdline(void **state)
{
	(void)state;
	begin();
	tag_string(MB2_TAG_CMDLINE, "a");
	tag_string(MB2_TAG_CMDLINE, "b");
	end();
	expect_error("appears twice");
}

static void test_module_end_before_start(void **state)
{
	(void)state;
	begin();
	tag_module(0x300000, 0x200000, "root");
	end();
	expect_error("before its start");
}

static void test_module_string_unterminated(void **state)
{
	uint8_t p[12] = { 0, 0, 0x20, 0, 0, 0x10, 0x20, 0, 'r', 'o', 'o', 't' };

	(void)state;
	begin();
	tag(MB2_TAG_MODULE, p, sizeof(p));
	end();
	expect_error("module string is not NUL-terminated");
}

static void test_module_tag_short(void **state)
{
	(void)state;
	begin();
	tag(MB2_TAG_MODULE, "\0\0\0\0", 4);
	end();
	expect_error("size 12 is smaller than 17");
}

static void test_too_many_modules(void **state)
{
	(void)state;
	begin();
	for (int i = 0; i <= MB2_MAX_MODULES; i++)
		tag_module(0x200000 + i * 0x1000, 0x200800 + i * 0x1000, "m");
	end();
	expect_error("more than 16 modules");
	/* Exactly the maximum is fine. */
	begin();
	for (int i = 0; i < MB2_MAX_MODULES; i++)
		tag_module(0x200000 + i * 0x1000, 0x200800 + i * 0x1000, "m");
	end();
	assert_null(parse());
	assert_int_equal(info.module_count, MB2_MAX_MODULES);
}

static void test_mmap_bad_entry_size(void **state)
{
	(void)state;
	begin();
	size_t at = tag_mmap(qemu_map, 2);
	end();
	set32(at + 8, 20);
	expect_error("entry size 20");
	set32(at + 8, 28);
	expect_error("entry size 28");
	/* 48 is legal but 2 * 24 bytes of entries make one 48-byte entry... */
	set32(at + 8, 48);
	assert_null(parse());
	assert_int_equal(info.memory_range_count, 1);
}

static void test_mmap_bad_version(void **state)
{
	(void)state;
	begin();
	size_t at = tag_mmap(qemu_map, 2);
	end();
	set32(at + 12, 1);
	expect_error("entry version 1");
}

static void test_mmap_partial_entry(void **state)
{
	(void)state;
	begin();
	size_t at = tag_mmap(qemu_map, 2);
	end();
	set32(at + 4, 16 + 24 + 8);
	expect_error("not a multiple of the entry size");
}

static void test_mmap_too_many(void **state)
{
	static struct mb2_mmap_entry many[MB2_MAX_MEMORY_RANGES + 1];
	uint8_t *p = malloc(8 + sizeof(many));
	uint32_t entry_size = 24, version = 0;

	(void)state;
	for (size_t i = 0; i < MB2_MAX_MEMORY_RANGES + 1; i++)
		many[i] = (struct mb2_mmap_entry){ i * 0x10000, 0x1000, 1, 0 };
	memcpy(p, &entry_size, 4);
	memcpy(p + 4, &version, 4);
	memcpy(p + 8, many, sizeof(many));
	begin();
	tag(MB2_TAG_MMAP, p, 8 + sizeof(many));
	end();
	expect_error("129 entries, at most 128");
	free(p);
}

static void test_mmap_wraps(void **state)
{
	struct mb2_mmap_entry e = { 0xfffffffffffff000ull, 0x2000, 1, 0 };

	(void)state;
	begin();
	tag_mmap(&e, 1);
	end();
	expect_error("wraps around");
}

static void test_mmap_twice(void **state)
{
	(void)state;
	begin();
	tag_mmap(qemu_map, 2);
	tag_mmap(qemu_map, 2);
	end();
	expect_error("a second memory map");
}

static void test_rsdp_tag_short(void **state)
{
	(void)state;
	begin();
	tag(MB2_TAG_ACPI_NEW, rsdp_v1, sizeof(rsdp_v1));
	end();
	expect_error("too small for a 36-byte RSDP");
	begin();
	tag(MB2_TAG_ACPI_OLD, rsdp_v1, 10);
	end();
	expect_error("too small for a 20-byte RSDP");
}

static void test_short_fixed_tags(void **state)
{
	(void)state;
	begin();
	tag(MB2_TAG_EFI64, "\1\2\3\4", 4);
	end();
	expect_error("too small for this tag type");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(mb2_tag_name(MB2_TAG_MMAP), "memory map");
	assert_string_equal(mb2_tag_name(999), "unknown");
	assert_string_equal(mb2_memory_type_name(MB2_MEMORY_AVAILABLE), "available");
	assert_string_equal(mb2_memory_type_name(77), "unknown");
}

/* Every prefix length of a valid block is rejected, never overread. */
static void test_truncated_every_length(void **state)
{
	(void)state;
	build_grub_like();
	size_t full = b.len;

	for (size_t len = 0; len < full; len++) {
		/* malloc is 16-aligned and ASan knows its exact size. */
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, b.buf, len);
		assert_non_null(mb2_parse(copy, len, &info, err, sizeof(err)));
		/* Also with total_size shrunk to match: the end tag is cut off. */
		if (len >= 4) {
			uint32_t total = (uint32_t)len;

			memcpy(copy, &total, 4);
			assert_non_null(mb2_parse(copy, len, &info, err, sizeof(err)));
		}
		free(copy);
	}
}

static void test_fuzz(void **state)
{
	struct rng r = { 0x36d76289 };
	uint8_t pristine[sizeof(b.buf)];
	size_t full;
	unsigned accepted = 0;

	(void)state;
	build_grub_like();
	full = b.len;
	memcpy(pristine, b.buf, full);
	for (int iter = 0; iter < 200000; iter++) {
		uint8_t *copy = malloc(full);

		memcpy(copy, pristine, full);
		rng_mutate(&r, copy, full);
		if (!mb2_parse(copy, full, &info, err, sizeof(err))) {
			accepted++;
			assert_true(info.module_count <= MB2_MAX_MODULES);
			assert_true(info.memory_range_count <= MB2_MAX_MEMORY_RANGES);
			for (size_t i = 0; i < info.module_count; i++) {
				assert_true(info.modules[i].end >= info.modules[i].start);
				assert_true(strlen(info.modules[i].string) < full);
			}
			assert_true(strlen(info.cmdline) < full);
		}
		free(copy);
	}
	assert_true(accepted > 0);
}

int main(void)
{
	memcpy(rsdp_v1, "RSD PTR ", 8);
	memcpy(rsdp_v2, "RSD PTR ", 8);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub_like),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_efi_tags),
		cmocka_unit_test(test_unknown_tag_ignored),
		cmocka_unit_test(test_null_and_unaligned),
		cmocka_unit_test(test_avail_too_small),
		cmocka_unit_test(test_total_size_too_small),
		cmocka_unit_test(test_tag_size_too_small),
		cmocka_unit_test(test_tag_past_total),
		cmocka_unit_test(test_no_end_tag),
		cmocka_unit_test(test_end_tag_early),
		cmocka_unit_test(test_end_tag_bad_size),
		cmocka_unit_test(test_cmdline_unterminated),
		cmocka_unit_test(test_duplicate_cmdline),
		cmocka_unit_test(test_module_end_before_start),
		cmocka_unit_test(test_module_string_unterminated),
		cmocka_unit_test(test_module_tag_short),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_mmap_bad_entry_size),
		cmocka_unit_test(test_mmap_bad_version),
		cmocka_unit_test(test_mmap_partial_entry),
		cmocka_unit_test(test_mmap_too_many),
		cmocka_unit_test(test_mmap_wraps),
		cmocka_unit_test(test_mmap_twice),
		cmocka_unit_test(test_rsdp_tag_short),
		cmocka_unit_test(test_short_fixed_tags),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
