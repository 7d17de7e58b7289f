/*
 * Host tests of kernel/lib/elf.c. A small but complete static executable
 * is built in memory (text r-x at 0x400000, data rw- at 0x401000 with a
 * bss tail, a PT_GNU_STACK and a PT_NOTE header) and then damaged in every
 * way the checker must catch; a fuzz test flips bits in it and truncates
 * it at every length under ASan/UBSan.
 */
#include "host_test.h"

#include <elf.h>

#define USER_LO 0x1000ull
#define USER_HI 0x0000800000000000ull
#define IMAGE_SIZE 0x1800
#define TEXT_VADDR 0x400000ull
#define DATA_VADDR 0x401000ull
#define PT_GNU_STACK 0x6474e551u

static uint8_t image[IMAGE_SIZE];
static char err[256];
static struct elf_image out;

static struct elf64_ehdr *ehdr(void)
{
	return (struct elf64_ehdr *)image;
}

static struct elf64_phdr *phdr(unsigned i)
{
	return (struct elf64_phdr *)(image + sizeof(struct elf64_ehdr)) + i;
}

/* Build the reference image: 4 program headers, 2 of them PT_LOAD. */
static int build(void **state)
{
	struct elf64_ehdr *eh = ehdr();

	(void)state;
	memset(image, 0, sizeof(image));
	memcpy(eh->e_ident, "\x7f" "ELF", 4);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = TEXT_VADDR + 0x120;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(struct elf64_phdr);
	eh->e_phnum = 4;
	*phdr(0) = (struct elf64_phdr){ PT_LOAD, PF_R | PF_X, 0, TEXT_VADDR,
					TEXT_VADDR, 0x200, 0x200, 0x1000 };
	*phdr(1) = (struct elf64_phdr){ PT_LOAD, PF_R | PF_W, 0x1000, DATA_VADDR,
					DATA_VADDR, 0x800, 0x3000, 0x1000 };
	*phdr(2) = (struct elf64_phdr){ PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16 };
	*phdr(3) = (struct elf64_phdr){ PT_NOTE, PF_R, 0x100, TEXT_VADDR + 0x100,
					0, 0x20, 0x20, 4 };
	/* Some recognisable code and data bytes. */
	memset(image + 0x120, 0x90, 16);
	memset(image + 0x1000, 0xaa, 0x800);
	return 0;
}

static const char *check(size_t size)
{
	return elf_check(image, size, USER_LO, USER_HI, &out, err, sizeof(err));
}

/* The check must fail and its message contain want. */
static void expect_error(const char *want)
{
	const char *msg = check(sizeof(image));

	if (!msg)
		fail_msg("accepted, expected an error containing '%s'", want);
	if (!strstr(msg, want))
		fail_msg("message '%s' does not contain '%s'", msg, want);
}

static void test_valid(void **state)
{
	(void)state;
	assert_null(check(sizeof(image)));
	assert_int_equal(out.entry, TEXT_VADDR + 0x120);
	assert_int_equal(out.segment_count, 2);
	assert_int_equal(out.segments[0].vaddr, TEXT_VADDR);
	assert_int_equal(out.segments[0].filesz, 0x200);
	assert_int_equal(out.segments[0].flags, PF_R | PF_X);
	assert_int_equal(out.segments[1].vaddr, DATA_VADDR);
	assert_int_equal(out.segments[1].offset, 0x1000);
	assert_int_equal(out.segments[1].memsz, 0x3000);
	assert_int_equal(out.segments[1].flags, PF_R | PF_W);
}

/* Any shorter image is rejected with a message, never read past. */
static void test_truncated_every_length(void **state)
{
	(void)state;
	for (size_t len = 0; len < sizeof(image); len++) {
		/* A copy of exactly len bytes, so ASan sees any overread. */
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, image, len);
		const char *msg = elf_check(copy, len, USER_LO, USER_HI, &out, err,
					    sizeof(err));
		if (!msg)
			fail_msg("truncated image of %zu bytes accepted", len);
		assert_true(strlen(msg) > 0);
		free(copy);
	}
}

static void test_truncated_message(void **state)
{
	(void)state;
	const char *msg = check(0x1400);

	assert_non_null(msg);
	assert_string_equal(msg, "program header 1: file range 0x1000+0x800 "
			    "outside image of 0x1400 bytes");
}

static void test_null_and_tiny(void **state)
{
	(void)state;
	assert_non_null(elf_check(NULL, 100, USER_LO, USER_HI, &out, err, sizeof(err)));
	assert_non_null(check(63));
}

static void test_bad_magic(void **state)
{
	(void)state;
	image[1] = 'X';
	expect_error("bad magic");
}

static void test_bad_class(void **state)
{
	(void)state;
	image[EI_CLASS] = 1; /* ELFCLASS32 */
	expect_error("ELF class 1");
}

static void test_big_endian(void **state)
{
	(void)state;
	image[EI_DATA] = 2;
	expect_error("little-endian");
}

static void test_bad_version(void **state)
{
	(void)state;
	ehdr()->e_version = 2;
	expect_error("ELF version");
}

static void test_wrong_machine(void **state)
{
	(void)state;
	ehdr()->e_machine = 3; /* EM_386 */
	expect_error("machine 3");
}

static void test_dyn_type(void **state)
{
	(void)state;
	ehdr()->e_type = ET_DYN;
	expect_error("not supported");
}

static void test_rel_type(void **state)
{
	(void)state;
	ehdr()->e_type = 1; /* ET_REL */
	expect_error("type 1");
}

static void test_bad_phentsize(void **state)
{
	(void)state;
	ehdr()->e_phentsize = 32;
	expect_error("program header size 32");
}

static void test_bad_ehsize(void **state)
{
	(void)state;
	ehdr()->e_ehsize = 20;
	expect_error("header size 20");
}

static void test_phdr_out_of_bounds(void **state)
{
	(void)state;
	ehdr()->e_phoff = IMAGE_SIZE - 100;
	expect_error("program header table");
}

static void test_phoff_huge(void **state)
{
	(void)state;
	ehdr()->e_phoff = 0xfffffffffffffff0ull;
	expect_error("program header table");
}

static void test_huge_phnum(void **state)
{
	(void)state;
	ehdr()->e_phnum = 0xfffe;
	expect_error("program header table");
	ehdr()->e_phnum = PN_XNUM;
	expect_error("no segments");
	ehdr()->e_phnum = 0;
	expect_error("no segments");
}

static void test_offset_filesz_overflow(void **state)
{
	(void)state;
	phdr(1)->p_offset = 0xfffffffffffff000ull;
	phdr(1)->p_vaddr = DATA_VADDR; /* keep the modulo-page check quiet */
	expect_error("program header 1: file range 0xfffffffffffff000+0x800");
}

static void test_filesz_overflow(void **state)
{
	(void)state;
	phdr(1)->p_filesz = 0xffffffffffffff00ull;
	phdr(1)->p_memsz = 0xffffffffffffff00ull;
	expect_error("file range");
}

static void test_filesz_larger_than_memsz(void **state)
{
	(void)state;
	phdr(1)->p_memsz = 0x100;
	expect_error("larger than memory size");
}

static void test_vaddr_memsz_overflow(void **state)
{
	(void)state;
	phdr(1)->p_memsz = 0xffffffffffffff00ull;
	expect_error("outside user range");
}

static void test_kernel_half_vaddr(void **state)
{
	(void)state;
	phdr(1)->p_vaddr = 0xffffffff80001000ull;
	expect_error("program header 1: memory range 0xffffffff80001000+0x3000 "
		     "outside user range");
}

static void test_vaddr_below_user(void **state)
{
	(void)state;
	phdr(0)->p_vaddr = 0;
	ehdr()->e_entry = 0x120;
	expect_error("outside user range");
}

static void test_segment_crosses_user_hi(void **state)
{
	(void)state;
	phdr(1)->p_vaddr = USER_HI - 0x1000;
	expect_error("outside user range");
}

static void test_misaligned_offset(void **state)
{
	(void)state;
	phdr(1)->p_offset = 0x1008;
	phdr(1)->p_filesz = 0x700;
	expect_error("differ modulo the page size");
}

static void test_overlap(void **state)
{
	(void)state;
	phdr(1)->p_vaddr = TEXT_VADDR + 0x800; /* same page as text after rounding */
	phdr(1)->p_offset = 0x800;
	expect_error("overlaps");
}

static void test_overlap_page_rounded(void **state)
{
	(void)state;
	/* Text ends at 0x400200: data starting in the same page still overlaps. */
	phdr(1)->p_vaddr = TEXT_VADDR + 0xf00;
	phdr(1)->p_offset = 0xf00;
	phdr(1)->p_filesz = 0x100;
	expect_error("overlaps");
}

static void test_write_execute(void **state)
{
	(void)state;
	phdr(1)->p_flags = PF_R | PF_W | PF_X;
	expect_error("W+X");
}

static void test_entry_outside(void **state)
{
	(void)state;
	ehdr()->e_entry = DATA_VADDR + 0x10; /* in data, not executable */
	expect_error("entry point 0x401010");
	ehdr()->e_entry = 0x12345678;
	expect_error("entry point");
	ehdr()->e_entry = TEXT_VADDR + 0x200; /* one past text's end */
	expect_error("entry point");
}

static void test_no_load(void **state)
{
	(void)state;
	phdr(0)->p_type = PT_NULL;
	phdr(1)->p_type = PT_NOTE;
	expect_error("no loadable");
}

static void test_interp(void **state)
{
	(void)state;
	phdr(3)->p_type = PT_INTERP;
	expect_error("dynamic executables not supported");
	phdr(3)->p_type = PT_DYNAMIC;
	expect_error("dynamic executables not supported");
}

static void test_too_many_segments(void **state)
{
	static uint8_t big[0x1000 + 64 + 20 * 56];
	struct elf64_ehdr eh;

	(void)state;
	/* 17 tiny r-- segments in separate pages plus one r-x for the entry. */
	memcpy(&eh, image, sizeof(eh));
	eh.e_phnum = ELF_MAX_SEGMENTS + 2;
	eh.e_entry = TEXT_VADDR;
	memset(big, 0, sizeof(big));
	memcpy(big, &eh, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph = { PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, 0,
					 TEXT_VADDR + i * 0x1000ull, 0, 0x10, 0x10,
					 0x1000 };
		memcpy(big + 64 + i * sizeof(ph), &ph, sizeof(ph));
	}
	const char *msg = elf_check(big, sizeof(big), USER_LO, USER_HI, &out, err,
				    sizeof(err));
	assert_non_null(msg);
	assert_non_null(strstr(msg, "more than 16 PT_LOAD"));

	/* Exactly 16 is fine. */
	eh.e_phnum = ELF_MAX_SEGMENTS;
	memcpy(big, &eh, sizeof(eh));
	assert_null(elf_check(big, sizeof(big), USER_LO, USER_HI, &out, err,
			      sizeof(err)));
	assert_int_equal(out.segment_count, ELF_MAX_SEGMENTS);
}

static void test_empty_segment_ignored(void **state)
{
	(void)state;
	phdr(3)->p_type = PT_LOAD;
	phdr(3)->p_memsz = 0;
	phdr(3)->p_filesz = 0;
	assert_null(check(sizeof(image)));
	assert_int_equal(out.segment_count, 2);
}

static void test_unaligned_image(void **state)
{
	uint8_t *copy = malloc(sizeof(image) + 1);

	(void)state;
	memcpy(copy + 1, image, sizeof(image));
	assert_null(elf_check(copy + 1, sizeof(image), USER_LO, USER_HI, &out, err,
			      sizeof(err)));
	free(copy);
}

static void test_bad_user_range(void **state)
{
	(void)state;
	assert_non_null(elf_check(image, sizeof(image), USER_HI, USER_LO, &out, err,
				  sizeof(err)));
}

/* Messages are cut to the buffer, never overrun it. */
static void test_small_error_buffer(void **state)
{
	char small[8];

	(void)state;
	image[0] = 0;
	memset(small, 'Z', sizeof(small));
	assert_non_null(elf_check(image, sizeof(image), USER_LO, USER_HI, &out,
				  small, 4));
	assert_int_equal(strlen(small), 3);
	assert_int_equal(small[4], 'Z');
}

/* Random damage: no crash, no sanitizer report, and accepted images are sane. */
static void test_fuzz(void **state)
{
	struct rng r = { 0x1badb002 };
	uint8_t pristine[IMAGE_SIZE];
	unsigned accepted = 0;

	(void)state;
	memcpy(pristine, image, sizeof(image));
	for (int iter = 0; iter < 200000; iter++) {
		size_t len = sizeof(image);
		uint8_t *copy;

		memcpy(image, pristine, sizeof(image));
		/* Mostly damage the headers, where the parser looks. */
		rng_mutate(&r, image, 64 + 4 * 56);
		if (rng_below(&r, 8) == 0)
			len = rng_below(&r, sizeof(image) + 1);
		copy = malloc(len ? len : 1);
		memcpy(copy, image, len);
		if (!elf_check(copy, len, USER_LO, USER_HI, &out, err, sizeof(err))) {
			accepted++;
			assert_true(out.segment_count >= 1);
			for (size_t i = 0; i < out.segment_count; i++) {
				const struct elf_segment *s = &out.segments[i];

				assert_true(s->offset <= len && s->filesz <= len - s->offset);
				assert_true(s->vaddr >= USER_LO && s->vaddr < USER_HI);
				assert_true(s->memsz <= USER_HI - s->vaddr);
				assert_false((s->flags & PF_W) && (s->flags & PF_X));
			}
		}
		free(copy);
	}
	/* Some mutations hit only harmless fields. */
	assert_true(accepted > 0);
}

#define T(name) cmocka_unit_test_setup(name, build)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid),
		T(test_truncated_every_length),
		T(test_truncated_message),
		T(test_null_and_tiny),
		T(test_bad_magic),
		T(test_bad_class),
		T(test_big_endian),
		T(test_bad_version),
		T(test_wrong_machine),
		T(test_dyn_type),
		T(test_rel_type),
		T(test_bad_phentsize),
		T(test_bad_ehsize),
		T(test_phdr_out_of_bounds),
		T(test_phoff_huge),
		T(test_huge_phnum),
		T(test_offset_filesz_overflow),
		T(test_filesz_overflow),
		T(test_filesz_larger_than_memsz),
		T(test_vaddr_memsz_overflow),
		T(test_kernel_half_vaddr),
		T(test_vaddr_below_user),
		T(test_segment_crosses_user_hi),
		T(test_misaligned_offset),
		T(test_overlap),
		T(test_overlap_page_rounded),
		T(test_write_execute),
		T(test_entry_outside),
		T(test_no_load),
		T(test_interp),
		T(test_too_many_segments),
		T(test_empty_segment_ignored),
		T(test_unaligned_image),
		T(test_bad_user_range),
		T(test_small_error_buffer),
		T(test_fuzz),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
