/*
 * Host tests of kernel/acpi/tables.c over a fake physical memory that
 * holds a QEMU-like set of tables: RSDP, XSDT and RSDT, MADT (two CPUs,
 * one I/O APIC, ISA overrides, a LINT1 NMI), HPET and a FACP stand-in.
 * The map callback copies each request into a fresh allocation of exactly
 * the requested size and frees it at the next call, so ASan catches any
 * read past what was mapped and any use of a stale mapping.
 */
#include "host_test.h"

#include <acpi.h>

#define MEM_BASE 0x000e0000ull
#define MEM_SIZE 0x8000u
#define RSDP_AT 0x000e0000ull
#define XSDT_AT 0x000e1000ull
#define RSDT_AT 0x000e1800ull
#define MADT_AT 0x000e2000ull
#define HPET_AT 0x000e3000ull
#define FACP_AT 0x000e4000ull

static uint8_t mem[MEM_SIZE];
static void *mapping;
static unsigned map_calls;
static struct acpi_info info;
static char err[256];

static const void *fake_map(uint64_t phys, size_t len, void *ctx)
{
	(void)ctx;
	map_calls++;
	free(mapping);
	mapping = NULL;
	if (phys < MEM_BASE || len > MEM_SIZE || phys - MEM_BASE > MEM_SIZE - len)
		return NULL;
	mapping = malloc(len ? len : 1);
	memcpy(mapping, mem + (phys - MEM_BASE), len);
	return mapping;
}

static uint8_t *at(uint64_t phys)
{
	return mem + (phys - MEM_BASE);
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void header(uint64_t phys, const char *sig, uint32_t length)
{
	uint8_t *t = at(phys);

	memcpy(t, sig, 4);
	put32(t + 4, length);
	t[8] = 1;
	memcpy(t + 10, "VIREO ", 6);
	memcpy(t + 16, "TESTTBL ", 8);
}

static uint32_t length_of(uint64_t phys)
{
	uint32_t v;

	memcpy(&v, at(phys) + 4, 4);
	return v;
}

static void fix_table(uint64_t phys)
{
	uint8_t *t = at(phys);
	uint32_t len = length_of(phys);

	if (len < 36 || len > MEM_SIZE - (phys - MEM_BASE))
		return;
	t[9] = 0;
	t[9] = checksum_fix(t, len);
}

static void fix_rsdp(void)
{
	uint8_t *r = at(RSDP_AT);

	r[8] = 0;
	r[8] = checksum_fix(r, 20);
	r[32] = 0;
	r[32] = checksum_fix(r, 36);
}

static void fix_all(void)
{
	fix_table(XSDT_AT);
	fix_table(RSDT_AT);
	fix_table(MADT_AT);
	fix_table(HPET_AT);
	fix_table(FACP_AT);
	fix_rsdp();
}

/* MADT entries appended by the builder. */
static size_t madt_len;

static uint8_t *madt_entry(uint8_t type, uint8_t length)
{
	uint8_t *e = at(MADT_AT) + madt_len;

	e[0] = type;
	e[1] = length;
	madt_len += length;
	put32(at(MADT_AT) + 4, (uint32_t)madt_len);
	return e;
}

static void madt_cpu(uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	uint8_t *e = madt_entry(ACPI_MADT_LOCAL_APIC, 8);

	e[2] = uid;
	e[3] = apic_id;
	put32(e + 4, flags);
}

static void madt_override(uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t *e = madt_entry(ACPI_MADT_INTERRUPT_OVERRIDE, 10);

	e[2] = 0;
	e[3] = irq;
	put32(e + 4, gsi);
	put16(e + 8, flags);
}

static void madt_ioapic(uint8_t id, uint32_t address, uint32_t gsi_base)
{
	uint8_t *e = madt_entry(ACPI_MADT_IO_APIC, 12);

	e[2] = id;
	put32(e + 4, address);
	put32(e + 8, gsi_base);
}

static int build(void **state)
{
	uint8_t *r = at(RSDP_AT), *e;

	(void)state;
	memset(mem, 0, sizeof(mem));
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = 2;
	put32(r + 16, (uint32_t)RSDT_AT);
	put32(r + 20, 36);
	put64(r + 24, XSDT_AT);

	header(XSDT_AT, "XSDT", 36 + 3 * 8);
	put64(at(XSDT_AT) + 36, FACP_AT);
	put64(at(XSDT_AT) + 44, MADT_AT);
	put64(at(XSDT_AT) + 52, HPET_AT);
	header(RSDT_AT, "RSDT", 36 + 3 * 4);
	put32(at(RSDT_AT) + 36, (uint32_t)FACP_AT);
	put32(at(RSDT_AT) + 40, (uint32_t)MADT_AT);
	put32(at(RSDT_AT) + 44, (uint32_t)HPET_AT);
	header(FACP_AT, "FACP", 116);

	header(MADT_AT, "APIC", 44);
	madt_len = 44;
	put32(at(MADT_AT) + 36, 0xfee00000u);
	put32(at(MADT_AT) + 40, ACPI_MADT_PCAT_COMPAT);
	madt_cpu(0, 0, ACPI_CPU_ENABLED);
	madt_cpu(1, 1, ACPI_CPU_ENABLED);
	madt_ioapic(0, 0xfec00000u, 0);
	madt_override(0, 2, 0);
	madt_override(5, 5, ACPI_INTI_TRIGGER_LEVEL | ACPI_INTI_POLARITY_HIGH);
	madt_override(9, 9, ACPI_INTI_TRIGGER_LEVEL | ACPI_INTI_POLARITY_HIGH);
	e = madt_entry(ACPI_MADT_LOCAL_APIC_NMI, 6);
	e[2] = 0xff;
	put16(e + 3, 0);
	e[5] = 1;

	header(HPET_AT, "HPET", 56);
	put32(at(HPET_AT) + 36, 0x8086a201u);
	at(HPET_AT)[40] = ACPI_GAS_SYSTEM_MEMORY;
	put64(at(HPET_AT) + 44, 0xfed00000ull);
	at(HPET_AT)[52] = 0;
	put16(at(HPET_AT) + 53, 0x80);

	fix_all();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mapping);
	mapping = NULL;
	return 0;
}

static const char *parse_phys(void)
{
	return acpi_parse(RSDP_AT, NULL, 0, fake_map, NULL, &info, err, sizeof(err));
}

/* Parse from a copy of the RSDP, as the multiboot2 tag provides it. */
static const char *parse_copy(size_t len)
{
	uint8_t copy[64];

	memcpy(copy, at(RSDP_AT), sizeof(copy));
	uint8_t *exact = malloc(len);
	memcpy(exact, copy, len);
	const char *msg = acpi_parse(0, exact, len, fake_map, NULL, &info, err,
				     sizeof(err));
	free(exact);
	return msg;
}

static void expect_error(const char *msg, const char *want)
{
	if (!msg)
		fail_msg("accepted, expected an error containing '%s'", want);
	if (!strstr(msg, want))
		fail_msg("message '%s' does not contain '%s'", msg, want);
}

static bool has_warning(const char *want)
{
	for (size_t i = 0; i < info.warning_count && i < ACPI_MAX_WARNINGS; i++)
		if (strstr(info.warnings[i], want))
			return true;
	return false;
}

static void check_qemu_like(void)
{
	uint16_t flags;

	assert_string_equal(info.oem_id, "BOCHS ");
	assert_int_equal(info.table_count, 3);
	assert_int_equal(info.bad_table_count, 0);
	assert_string_equal(info.tables[0].signature, "FACP");
	assert_true(info.tables[1].valid);
	assert_true(info.has_madt);
	assert_int_equal(info.lapic_address, 0xfee00000u);
	assert_true(info.legacy_pic);
	assert_int_equal(info.cpu_count, 2);
	assert_int_equal(info.cpus[1].apic_id, 1);
	assert_true(info.cpus[1].enabled);
	assert_false(info.cpus[1].x2apic);
	assert_int_equal(info.ioapic_count, 1);
	assert_int_equal(info.ioapics[0].address, 0xfec00000u);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.override_count, 3);
	assert_int_equal(info.nmi_count, 1);
	assert_true(info.nmis[0].local);
	assert_int_equal(info.nmis[0].lint, 1);
	assert_int_equal(info.nmis[0].processor_uid, 0xffffffffu);
	assert_true(info.has_hpet);
	assert_int_equal(info.hpet_address, 0xfed00000u);
	assert_int_equal(info.hpet_comparators, 3);
	assert_true(info.hpet_64bit);
	assert_true(info.hpet_legacy_capable);
	assert_int_equal(info.hpet_vendor, 0x8086);
	assert_int_equal(info.hpet_minimum_tick, 0x80);
	assert_int_equal(info.warning_count, 0);

	assert_int_equal(acpi_irq_to_gsi(&info, 0, &flags), 2);
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_irq_to_gsi(&info, 9, &flags), 9);
	assert_int_equal(flags, ACPI_INTI_TRIGGER_LEVEL | ACPI_INTI_POLARITY_HIGH);
	assert_int_equal(acpi_irq_to_gsi(&info, 4, &flags), 4);
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_irq_to_gsi(&info, 1, NULL), 1);
}

static void test_valid_copy(void **state)
{
	(void)state;
	assert_null(parse_copy(36));
	assert_true(info.xsdt_used);
	assert_int_equal(info.rsdp_revision, 2);
	assert_int_equal(info.root_address, XSDT_AT);
	check_qemu_like();
}

static void test_valid_phys(void **state)
{
	(void)state;
	assert_null(parse_phys());
	assert_true(info.xsdt_used);
	check_qemu_like();
}

static void test_rsdp_v1_uses_rsdt(void **state)
{
	(void)state;
	at(RSDP_AT)[15] = 0;
	fix_rsdp();
	assert_null(parse_copy(20));
	assert_false(info.xsdt_used);
	assert_int_equal(info.root_address, RSDT_AT);
	check_qemu_like();
	assert_int_equal(info.rsdp_revision, 0);
}

static void test_xsdt_zero_uses_rsdt(void **state)
{
	(void)state;
	put64(at(RSDP_AT) + 24, 0);
	fix_rsdp();
	assert_null(parse_copy(36));
	assert_false(info.xsdt_used);
}

static void test_no_rsdp(void **state)
{
	(void)state;
	expect_error(acpi_parse(0, NULL, 0, fake_map, NULL, &info, err, sizeof(err)),
		     "no RSDP");
	expect_error(acpi_parse(0x1000, NULL, 0, fake_map, NULL, &info, err,
				sizeof(err)), "not accessible");
}

static void test_rsdp_bad_signature(void **state)
{
	(void)state;
	at(RSDP_AT)[0] = 'X';
	fix_rsdp();
	expect_error(parse_copy(36), "signature");
}

static void test_rsdp_bad_checksum(void **state)
{
	(void)state;
	at(RSDP_AT)[8] ^= 1;
	expect_error(parse_copy(36), "checksum of the first 20 bytes");
	expect_error(parse_phys(), "checksum of the first 20 bytes");
}

static void test_rsdp_bad_extended_checksum(void **state)
{
	(void)state;
	at(RSDP_AT)[32] ^= 1;
	expect_error(parse_copy(36), "extended checksum");
}

static void test_rsdp_short_copy(void **state)
{
	(void)state;
	expect_error(parse_copy(19), "shorter than 20");
	/* A revision 2 RSDP needs 36 bytes. */
	expect_error(parse_copy(20), "RSDP revision 2");
}

static void test_rsdp_length_too_big(void **state)
{
	(void)state;
	put32(at(RSDP_AT) + 20, 100);
	fix_rsdp();
	expect_error(parse_copy(36), "length 100");
}

static void test_root_bad_checksum(void **state)
{
	(void)state;
	at(XSDT_AT)[9] ^= 1;
	expect_error(parse_copy(36), "XSDT at 0xe1000: bad checksum");
}

static void test_root_unmapped(void **state)
{
	(void)state;
	put64(at(RSDP_AT) + 24, 0x7fff0000ull);
	fix_rsdp();
	expect_error(parse_copy(36), "header not accessible");
}

static void test_root_bad_signature(void **state)
{
	(void)state;
	memcpy(at(XSDT_AT), "RSDT", 4);
	fix_all();
	expect_error(parse_copy(36), "signature 'RSDT'");
}

static void test_root_too_long(void **state)
{
	(void)state;
	put32(at(XSDT_AT) + 4, 0x10000000u);
	expect_error(parse_copy(36), "larger than 4 MiB");
	put32(at(XSDT_AT) + 4, 20);
	expect_error(parse_copy(36), "shorter than the 36-byte header");
	put32(at(XSDT_AT) + 4, MEM_SIZE);
	expect_error(parse_copy(36), "table not accessible");
}

static void test_root_odd_length(void **state)
{
	(void)state;
	put32(at(XSDT_AT) + 4, 36 + 3 * 8 + 4);
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.table_count, 3);
	assert_true(has_warning("not 36 + a multiple of 8"));
}

static void test_bad_madt_skipped(void **state)
{
	(void)state;
	at(MADT_AT)[9] ^= 1;
	assert_null(parse_copy(36));
	assert_false(info.has_madt);
	assert_int_equal(info.bad_table_count, 1);
	assert_false(info.tables[1].valid);
	assert_true(has_warning("table 1 ('APIC' at 0xe2000): bad checksum"));
	assert_true(has_warning("no MADT"));
	/* The other tables still count. */
	assert_true(info.has_hpet);
}

static void test_table_address_bad(void **state)
{
	(void)state;
	put64(at(XSDT_AT) + 36, 0);
	put64(at(XSDT_AT) + 52, 0x12345000ull);
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.bad_table_count, 2);
	assert_true(has_warning("address 0"));
	assert_true(has_warning("header not accessible"));
	assert_true(info.has_madt);
	assert_false(info.has_hpet);
}

static void test_table_short(void **state)
{
	(void)state;
	put32(at(FACP_AT) + 4, 10);
	assert_null(parse_copy(36));
	assert_int_equal(info.bad_table_count, 1);
	assert_true(has_warning("shorter than the 36-byte header"));
}

static void test_table_runs_off_memory(void **state)
{
	(void)state;
	put32(at(FACP_AT) + 4, 0x10000);
	assert_null(parse_copy(36));
	assert_true(has_warning("table not accessible"));
}

static void test_madt_entry_zero_length(void **state)
{
	(void)state;
	at(MADT_AT)[44 + 8 + 1] = 0; /* second CPU entry */
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.ioapic_count, 0);
	assert_true(has_warning("rest of the MADT ignored"));
}

static void test_madt_entry_past_end(void **state)
{
	(void)state;
	at(MADT_AT)[44 + 1] = 200;
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.cpu_count, 0);
	assert_true(has_warning("has length 200"));
}

static void test_madt_entry_too_short(void **state)
{
	(void)state;
	madt_entry(ACPI_MADT_IO_APIC, 6);
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.ioapic_count, 1);
	assert_true(has_warning("expected 12"));
}

static void test_madt_truncated_header(void **state)
{
	(void)state;
	put32(at(MADT_AT) + 4, 40);
	fix_all();
	assert_null(parse_copy(36));
	assert_false(info.has_madt);
	assert_true(has_warning("MADT: length 40"));
}

static void test_madt_trailing_byte(void **state)
{
	(void)state;
	put32(at(MADT_AT) + 4, (uint32_t)madt_len + 1);
	fix_all();
	assert_null(parse_copy(36));
	assert_true(has_warning("trailing byte"));
	assert_int_equal(info.cpu_count, 2);
}

static void test_too_many_cpus(void **state)
{
	(void)state;
	for (int i = 2; i < 70; i++)
		madt_cpu((uint8_t)i, (uint8_t)i, ACPI_CPU_ENABLED);
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.cpu_count, 70);
	assert_int_equal(info.cpus[63].apic_id, 63);
	assert_true(has_warning("more than 64 CPUs"));
}

static void test_too_many_ioapics_and_overrides(void **state)
{
	(void)state;
	for (int i = 1; i < 10; i++)
		madt_ioapic((uint8_t)i, 0xfec00000u + i * 0x1000, i * 24);
	for (int i = 0; i < 20; i++)
		madt_override((uint8_t)(i + 10), i + 10, 0);
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.ioapic_count, 10);
	assert_int_equal(info.override_count, 23);
	assert_true(has_warning("more than 8 I/O APICs"));
	assert_true(has_warning("more than 16 interrupt source overrides"));
	/* Overrides past the limit are not consulted (and not read). */
	assert_int_equal(acpi_irq_to_gsi(&info, 29, NULL), 29);
}

static void test_cpu_flags_and_x2apic(void **state)
{
	uint8_t *e;

	(void)state;
	madt_cpu(2, 2, 0);                       /* placeholder: skipped */
	madt_cpu(3, 3, ACPI_CPU_ONLINE_CAPABLE); /* hot-pluggable */
	madt_cpu(4, 1, ACPI_CPU_ENABLED);        /* duplicate APIC ID */
	e = madt_entry(ACPI_MADT_LOCAL_X2APIC, 16);
	put32(e + 4, 300);
	put32(e + 8, ACPI_CPU_ENABLED);
	put32(e + 12, 77);
	e = madt_entry(ACPI_MADT_LOCAL_APIC_OVERRIDE, 12);
	put64(e + 4, 0x1fee00000ull);
	e = madt_entry(ACPI_MADT_NMI_SOURCE, 8);
	put16(e + 2, 5);
	put32(e + 4, 7);
	e = madt_entry(ACPI_MADT_LOCAL_X2APIC_NMI, 12);
	put32(e + 4, 77);
	e[8] = 0;
	madt_entry(0x7f, 4); /* unknown type: skipped */
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.cpu_count, 4);
	assert_int_equal(info.cpus[2].apic_id, 3);
	assert_false(info.cpus[2].enabled);
	assert_true(info.cpus[2].online_capable);
	assert_int_equal(info.cpus[3].apic_id, 300);
	assert_int_equal(info.cpus[3].processor_uid, 77);
	assert_true(info.cpus[3].x2apic);
	assert_true(has_warning("APIC ID 1 listed twice"));
	assert_int_equal(info.lapic_address, 0x1fee00000ull);
	assert_int_equal(info.nmi_count, 3);
	assert_false(info.nmis[1].local);
	assert_int_equal(info.nmis[1].gsi, 7);
	assert_int_equal(info.nmis[2].processor_uid, 77);
}

static void test_hpet_io_space(void **state)
{
	(void)state;
	at(HPET_AT)[40] = 1;
	fix_all();
	assert_null(parse_copy(36));
	assert_false(info.has_hpet);
	assert_true(has_warning("address space 1"));
}

static void test_hpet_bad_address(void **state)
{
	(void)state;
	put64(at(HPET_AT) + 44, 0xfed00010ull);
	fix_all();
	assert_null(parse_copy(36));
	assert_false(info.has_hpet);
	assert_true(has_warning("not 1 KiB aligned"));
}

static void test_hpet_short(void **state)
{
	(void)state;
	put32(at(HPET_AT) + 4, 50);
	fix_all();
	assert_null(parse_copy(36));
	assert_false(info.has_hpet);
	assert_true(has_warning("HPET: length 50"));
}

static void test_many_warnings_counted(void **state)
{
	(void)state;
	for (int i = 0; i < 20; i++)
		madt_cpu(1, 1, ACPI_CPU_ENABLED); /* each a duplicate */
	fix_all();
	assert_null(parse_copy(36));
	assert_int_equal(info.warning_count, 20);
	for (int i = 0; i < ACPI_MAX_WARNINGS; i++)
		assert_true(strlen(info.warnings[i]) < ACPI_WARNING_LENGTH);
}

/*
 * Random damage to the tables. Half the time the checksums are repaired
 * afterwards, so the damage reaches the MADT and HPET decoders instead of
 * stopping at the checksum check.
 */
static void test_fuzz(void **state)
{
	struct rng r = { 0xacb1 };
	uint8_t pristine[MEM_SIZE];
	unsigned accepted = 0;

	(void)state;
	memcpy(pristine, mem, sizeof(mem));
	for (int iter = 0; iter < 100000; iter++) {
		static const uint64_t targets[] = { RSDP_AT, XSDT_AT, MADT_AT,
						    MADT_AT, MADT_AT, HPET_AT };
		uint64_t t = targets[rng_below(&r, 6)];

		memcpy(mem, pristine, sizeof(mem));
		rng_mutate(&r, at(t), t == RSDP_AT ? 36 : 0x100);
		if (rng_below(&r, 2))
			fix_all();
		if (!(rng_below(&r, 2) ? parse_phys() : parse_copy(36))) {
			accepted++;
			assert_true(info.warning_count >= (info.bad_table_count ? 1 : 0));
			(void)acpi_irq_to_gsi(&info, (uint8_t)rng_below(&r, 16), NULL);
		}
	}
	assert_true(accepted > 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, build, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_copy),
		T(test_valid_phys),
		T(test_rsdp_v1_uses_rsdt),
		T(test_xsdt_zero_uses_rsdt),
		T(test_no_rsdp),
		T(test_rsdp_bad_signature),
		T(test_rsdp_bad_checksum),
		T(test_rsdp_bad_extended_checksum),
		T(test_rsdp_short_copy),
		T(test_rsdp_length_too_big),
		T(test_root_bad_checksum),
		T(test_root_unmapped),
		T(test_root_bad_signature),
		T(test_root_too_long),
		T(test_root_odd_length),
		T(test_bad_madt_skipped),
		T(test_table_address_bad),
		T(test_table_short),
		T(test_table_runs_off_memory),
		T(test_madt_entry_zero_length),
		T(test_madt_entry_past_end),
		T(test_madt_entry_too_short),
		T(test_madt_truncated_header),
		T(test_madt_trailing_byte),
		T(test_too_many_cpus),
		T(test_too_many_ioapics_and_overrides),
		T(test_cpu_flags_and_x2apic),
		T(test_hpet_io_space),
		T(test_hpet_bad_address),
		T(test_hpet_short),
		T(test_many_warnings_counted),
		T(test_fuzz),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
