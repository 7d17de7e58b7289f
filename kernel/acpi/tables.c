/*
 * ACPI static table parser (see acpi.h): RSDP -> XSDT or RSDT -> every
 * table, with the MADT and the HPET table decoded into struct acpi_info.
 *
 * Physical memory is only reached through the caller's map function, one
 * table at a time: first its 36-byte header, then, once the length is
 * known and bounded, the whole table. Every read is checked against the
 * length that was mapped. The RSDP and root table must be sound or the
 * parse fails (without them nothing else can be found); any other table
 * that is unmappable, too short, too long or has a bad checksum is
 * skipped with a warning, because one broken vendor table should not cost
 * the machine its interrupt controllers.
 */
#include <acpi.h>
#include <format.h>
#include <kstring.h>
#include <unaligned.h>
#include <stdarg.h>

/* Bounds on what a sane firmware produces; larger is treated as corrupt. */
#define ACPI_MAX_TABLE_LENGTH (4u << 20)   /* the DSDT is the largest, ~1 MiB */
#define ACPI_MAX_ROOT_ENTRIES 1024u
#define ACPI_MAX_RSDP_LENGTH 4096u

struct parser {
	acpi_map_fn map;
	void *ctx;
	struct acpi_info *out;
};

static void warn(struct acpi_info *out, const char *fmt, ...) FORMAT_CHECK(2, 3);

static void warn(struct acpi_info *out, const char *fmt, ...)
{
	va_list args;

	if (out->warning_count < ACPI_MAX_WARNINGS) {
		va_start(args, fmt);
		vformat(out->warnings[out->warning_count], ACPI_WARNING_LENGTH, fmt,
			args);
		va_end(args);
	}
	out->warning_count++;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* A printable copy of a 4-character signature, for messages. */
static void signature_text(const uint8_t *sig, char text[5])
{
	for (int i = 0; i < 4; i++)
		text[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? (char)sig[i] : '?';
	text[4] = '\0';
}

/*
 * Map a whole table at phys: header first, then the length it claims.
 * Returns the table and its length in *length, or NULL with a reason in
 * why (a static string) and *length possibly set.
 */
static const uint8_t *map_table(struct parser *p, uint64_t phys, uint32_t *length,
				char sig[5], const char **why)
{
	const uint8_t *h = p->map(phys, sizeof(struct acpi_header), p->ctx);
	const uint8_t *t;

	*length = 0;
	if (!h) {
		*why = "header not accessible";
		return NULL;
	}
	signature_text(h, sig);
	*length = read_u32(h + 4);
	if (*length < sizeof(struct acpi_header)) {
		*why = "length shorter than the 36-byte header";
		return NULL;
	}
	if (*length > ACPI_MAX_TABLE_LENGTH) {
		*why = "length larger than 4 MiB";
		return NULL;
	}
	t = p->map(phys, *length, p->ctx);
	if (!t) {
		*why = "table not accessible";
		return NULL;
	}
	/* The header may have changed between the two maps: re-check. */
	if (read_u32(t + 4) != *length) {
		*why = "length changed while mapping";
		return NULL;
	}
	if (sum(t, *length)) {
		*why = "bad checksum";
		return NULL;
	}
	return t;
}

static void add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t uid,
		    uint32_t flags, bool x2apic)
{
	struct acpi_cpu *c;

	/* Neither enabled nor online capable: the entry is a placeholder. */
	if (!(flags & (ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE)))
		return;
	for (size_t i = 0; i < out->cpu_count && i < ACPI_MAX_CPUS; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			warn(out, "MADT: APIC ID %u listed twice, second ignored",
			     apic_id);
			return;
		}
	}
	if (out->cpu_count >= ACPI_MAX_CPUS) {
		if (out->cpu_count == ACPI_MAX_CPUS)
			warn(out, "MADT: more than %d CPUs, the rest ignored",
			     ACPI_MAX_CPUS);
		out->cpu_count++;
		return;
	}
	c = &out->cpus[out->cpu_count++];
	c->apic_id = apic_id;
	c->processor_uid = uid;
	c->enabled = flags & ACPI_CPU_ENABLED;
	c->online_capable = !c->enabled && (flags & ACPI_CPU_ONLINE_CAPABLE);
	c->x2apic = x2apic;
}

static void add_nmi(struct acpi_info *out, const struct acpi_nmi *nmi)
{
	if (out->nmi_count < ACPI_MAX_NMIS)
		out->nmis[out->nmi_count] = *nmi;
	else if (out->nmi_count == ACPI_MAX_NMIS)
		warn(out, "MADT: more than %d NMI entries, the rest ignored",
		     ACPI_MAX_NMIS);
	out->nmi_count++;
}

/* Minimum length of each MADT entry type the parser reads. */
static const uint8_t madt_entry_length[] = {
	[ACPI_MADT_LOCAL_APIC] = sizeof(struct acpi_madt_local_apic),
	[ACPI_MADT_IO_APIC] = sizeof(struct acpi_madt_io_apic),
	[ACPI_MADT_INTERRUPT_OVERRIDE] = sizeof(struct acpi_madt_interrupt_override),
	[ACPI_MADT_NMI_SOURCE] = sizeof(struct acpi_madt_nmi_source),
	[ACPI_MADT_LOCAL_APIC_NMI] = sizeof(struct acpi_madt_local_apic_nmi),
	[ACPI_MADT_LOCAL_APIC_OVERRIDE] = sizeof(struct acpi_madt_local_apic_override),
	[ACPI_MADT_LOCAL_X2APIC] = sizeof(struct acpi_madt_local_x2apic),
	[ACPI_MADT_LOCAL_X2APIC_NMI] = sizeof(struct acpi_madt_local_x2apic_nmi),
};

static void parse_madt_entry(struct acpi_info *out, const uint8_t *e)
{
	struct acpi_nmi nmi = { 0 };

	switch (e[0]) {
	case ACPI_MADT_LOCAL_APIC: /* §5.2.12.2 */
		add_cpu(out, e[3], e[2], read_u32(e + 4), false);
		break;
	case ACPI_MADT_LOCAL_X2APIC: /* §5.2.12.12 */
		add_cpu(out, read_u32(e + 4), read_u32(e + 12), read_u32(e + 8), true);
		break;
	case ACPI_MADT_IO_APIC: /* §5.2.12.3 */
		if (out->ioapic_count < ACPI_MAX_IOAPICS) {
			struct acpi_ioapic *io = &out->ioapics[out->ioapic_count];

			io->id = e[2];
			io->address = read_u32(e + 4);
			io->gsi_base = read_u32(e + 8);
		} else if (out->ioapic_count == ACPI_MAX_IOAPICS) {
			warn(out, "MADT: more than %d I/O APICs, the rest ignored",
			     ACPI_MAX_IOAPICS);
		}
		out->ioapic_count++;
		break;
	case ACPI_MADT_INTERRUPT_OVERRIDE: /* §5.2.12.5 */
		if (out->override_count < ACPI_MAX_OVERRIDES) {
			struct acpi_override *o = &out->overrides[out->override_count];

			o->bus = e[2];
			o->source_irq = e[3];
			o->gsi = read_u32(e + 4);
			o->flags = read_u16(e + 8);
		} else if (out->override_count == ACPI_MAX_OVERRIDES) {
			warn(out, "MADT: more than %d interrupt source overrides, "
			     "the rest ignored", ACPI_MAX_OVERRIDES);
		}
		out->override_count++;
		break;
	case ACPI_MADT_NMI_SOURCE: /* §5.2.12.6 */
		nmi.flags = read_u16(e + 2);
		nmi.gsi = read_u32(e + 4);
		add_nmi(out, &nmi);
		break;
	case ACPI_MADT_LOCAL_APIC_NMI: /* §5.2.12.7 */
		nmi.local = true;
		nmi.processor_uid = e[2] == 0xff ? 0xffffffffu : e[2];
		nmi.flags = read_u16(e + 3);
		nmi.lint = e[5];
		add_nmi(out, &nmi);
		break;
	case ACPI_MADT_LOCAL_X2APIC_NMI: /* §5.2.12.13 */
		nmi.local = true;
		nmi.flags = read_u16(e + 2);
		nmi.processor_uid = read_u32(e + 4);
		nmi.lint = e[8];
		add_nmi(out, &nmi);
		break;
	case ACPI_MADT_LOCAL_APIC_OVERRIDE: /* §5.2.12.8 */
		out->lapic_address = read_u64(e + 4);
		break;
	default:
		break; /* SAPIC, GIC, ... : not on x86 PCs */
	}
}

/* §5.2.12: the MADT. t is a checked table of length bytes. */
static void parse_madt(struct acpi_info *out, const uint8_t *t, uint32_t length)
{
	uint32_t offset = sizeof(struct acpi_madt);

	if (out->has_madt) {
		warn(out, "MADT: a second MADT, ignored");
		return;
	}
	if (length < sizeof(struct acpi_madt)) {
		warn(out, "MADT: length %u shorter than %zu", length,
		     sizeof(struct acpi_madt));
		return;
	}
	out->has_madt = true;
	out->lapic_address = read_u32(t + 36);
	out->legacy_pic = read_u32(t + 40) & ACPI_MADT_PCAT_COMPAT;

	while (offset < length) {
		const uint8_t *e = t + offset;
		uint8_t type, len;

		if (length - offset < 2) {
			warn(out, "MADT: trailing byte at offset %u", offset);
			break;
		}
		type = e[0];
		len = e[1];
		if (len < 2 || len > length - offset) {
			warn(out, "MADT: entry type %u at offset %u has length %u "
			     "(%u bytes left), rest of the MADT ignored", type,
			     offset, len, length - offset);
			break;
		}
		if (type < sizeof(madt_entry_length) && madt_entry_length[type] &&
		    len < madt_entry_length[type])
			warn(out, "MADT: entry type %u at offset %u has length %u, "
			     "expected %u; ignored", type, offset, len,
			     madt_entry_length[type]);
		else
			parse_madt_entry(out, e);
		offset += len;
	}
}

/* HPET spec 1.0a §3.2.4: the HPET description table. */
static void parse_hpet(struct acpi_info *out, const uint8_t *t, uint32_t length)
{
	uint32_t id;
	uint64_t address;

	if (out->has_hpet) {
		/* Several timer blocks: the first one is enough for Vireo. */
		return;
	}
	if (length < sizeof(struct acpi_hpet)) {
		warn(out, "HPET: length %u shorter than %zu", length,
		     sizeof(struct acpi_hpet));
		return;
	}
	if (t[40] != ACPI_GAS_SYSTEM_MEMORY) {
		warn(out, "HPET: base address in address space %u, not system "
		     "memory; HPET ignored", t[40]);
		return;
	}
	address = read_u64(t + 44);
	if (address == 0 || address % 1024) {
		/* The register block is 1 KiB and 1 KiB aligned (HPET spec §2.3.1). */
		warn(out, "HPET: base address 0x%lx is not 1 KiB aligned; HPET "
		     "ignored", address);
		return;
	}
	id = read_u32(t + 36);
	out->has_hpet = true;
	out->hpet_address = address;
	out->hpet_number = t[52];
	out->hpet_minimum_tick = read_u16(t + 53);
	out->hpet_comparators = (uint8_t)(ACPI_HPET_ID_LAST_COMPARATOR(id) + 1);
	out->hpet_64bit = ACPI_HPET_ID_COUNT_SIZE_64(id);
	out->hpet_legacy_capable = ACPI_HPET_ID_LEGACY_CAPABLE(id);
	out->hpet_vendor = (uint16_t)ACPI_HPET_ID_VENDOR(id);
}

static void parse_table(struct parser *p, size_t index, uint64_t phys)
{
	struct acpi_info *out = p->out;
	const char *why = "address 0";
	const uint8_t *t = NULL;
	uint32_t length = 0;
	char sig[5] = "????";

	if (phys)
		t = map_table(p, phys, &length, sig, &why);
	if (index < ACPI_MAX_TABLES) {
		struct acpi_table_ref *r = &out->tables[index];

		memcpy(r->signature, sig, sizeof(r->signature));
		r->address = phys;
		r->length = length;
		r->valid = t != NULL;
	}
	if (!t) {
		out->bad_table_count++;
		warn(out, "table %zu ('%s' at 0x%lx): %s, skipped", index, sig, phys,
		     why);
		return;
	}
	if (!memcmp(t, "APIC", 4))
		parse_madt(out, t, length);
	else if (!memcmp(t, "HPET", 4))
		parse_hpet(out, t, length);
}

/* §5.2.5.3: check the RSDP and return the root table's address and entry size. */
static const char *check_rsdp(const uint8_t *r, size_t len, struct acpi_info *out,
			      char *err, size_t errlen)
{
	uint32_t length;

	if (len < ACPI_RSDP_V1_LENGTH)
		return format_error(err, errlen, "RSDP of %zu bytes is shorter than %d", len,
			    ACPI_RSDP_V1_LENGTH);
	if (memcmp(r, "RSD PTR ", 8))
		return format_error(err, errlen, "RSDP signature is not \"RSD PTR \"");
	if (sum(r, ACPI_RSDP_V1_LENGTH))
		return format_error(err, errlen, "RSDP checksum of the first 20 bytes is wrong");
	out->rsdp_revision = r[15];
	memcpy(out->oem_id, r + 9, 6);
	for (int i = 0; i < 6; i++)
		if (out->oem_id[i] < 0x20 || out->oem_id[i] > 0x7e)
			out->oem_id[i] = '?';
	out->oem_id[6] = '\0';
	if (r[15] < 2)
		return NULL;
	if (len < sizeof(struct acpi_rsdp))
		return format_error(err, errlen, "RSDP revision %u needs %zu bytes, only %zu "
			    "available", r[15], sizeof(struct acpi_rsdp), len);
	length = read_u32(r + 20);
	if (length < sizeof(struct acpi_rsdp) || length > len)
		return format_error(err, errlen, "RSDP revision %u: length %u, but %zu bytes "
			    "available (need at least %zu)", r[15], length, len,
			    sizeof(struct acpi_rsdp));
	if (sum(r, length))
		return format_error(err, errlen, "RSDP extended checksum is wrong");
	return NULL;
}

const char *acpi_parse(uint64_t rsdp_phys_or_0, const void *rsdp_copy,
		       size_t rsdp_len, acpi_map_fn map, void *ctx,
		       struct acpi_info *out, char *err, size_t errlen)
{
	struct parser p = { map, ctx, out };
	const uint8_t *r = rsdp_copy;
	const uint8_t *root;
	const char *msg, *why = "";
	uint32_t root_length;
	size_t entry_size, count;
	char sig[5] = "????";

	memset(out, 0, sizeof(*out));
	if (!map)
		return format_error(err, errlen, "no map function");
	if (!r) {
		if (!rsdp_phys_or_0)
			return format_error(err, errlen, "no RSDP (neither a copy nor an address)");
		/* Map the v1 part, then as much as the revision says. */
		rsdp_len = ACPI_RSDP_V1_LENGTH;
		r = map(rsdp_phys_or_0, rsdp_len, ctx);
		if (r && r[15] >= 2) {
			uint32_t length = sizeof(struct acpi_rsdp);

			r = map(rsdp_phys_or_0, length, ctx);
			if (r) {
				length = read_u32(r + 20);
				if (length >= sizeof(struct acpi_rsdp) &&
				    length <= ACPI_MAX_RSDP_LENGTH) {
					rsdp_len = length;
					r = map(rsdp_phys_or_0, length, ctx);
				} else {
					rsdp_len = sizeof(struct acpi_rsdp);
				}
			}
		}
		if (!r)
			return format_error(err, errlen, "RSDP at 0x%lx is not accessible",
				    rsdp_phys_or_0);
	}
	msg = check_rsdp(r, rsdp_len, out, err, errlen);
	if (msg)
		return msg;

	if (out->rsdp_revision >= 2 && read_u64(r + 24)) {
		out->xsdt_used = true;
		out->root_address = read_u64(r + 24);
		entry_size = 8;
	} else {
		out->root_address = read_u32(r + 16);
		entry_size = 4;
	}
	if (!out->root_address)
		return format_error(err, errlen, "RSDP has no RSDT or XSDT address");
	root = map_table(&p, out->root_address, &root_length, sig, &why);
	if (!root)
		return format_error(err, errlen, "%s at 0x%lx: %s",
			    out->xsdt_used ? "XSDT" : "RSDT", out->root_address, why);
	if (memcmp(root, out->xsdt_used ? "XSDT" : "RSDT", 4)) {
		return format_error(err, errlen, "%s at 0x%lx has signature '%s'",
			    out->xsdt_used ? "XSDT" : "RSDT", out->root_address, sig);
	}
	count = (root_length - sizeof(struct acpi_header)) / entry_size;
	if ((root_length - sizeof(struct acpi_header)) % entry_size)
		warn(out, "%s length %u is not 36 + a multiple of %zu",
		     out->xsdt_used ? "XSDT" : "RSDT", root_length, entry_size);
	if (count > ACPI_MAX_ROOT_ENTRIES)
		return format_error(err, errlen, "%s has %zu entries (at most %u supported)",
			    out->xsdt_used ? "XSDT" : "RSDT", count,
			    ACPI_MAX_ROOT_ENTRIES);
	out->table_count = count;
	if (count > ACPI_MAX_TABLES)
		warn(out, "%zu tables, only the first %d listed in tables[]", count,
		     ACPI_MAX_TABLES);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = root + sizeof(struct acpi_header) + i * entry_size;
		uint64_t phys = entry_size == 8 ? read_u64(e) : read_u32(e);

		parse_table(&p, i, phys);
		/* Each map may reuse the mapping window: map the root again. */
		root = map(out->root_address, root_length, ctx);
		if (!root || read_u32(root + 4) != root_length)
			return format_error(err, errlen, "root table at 0x%lx changed or "
				    "became inaccessible", out->root_address);
	}
	if (!out->has_madt)
		warn(out, "no MADT: no I/O APIC information");
	return NULL;
}

uint32_t acpi_irq_to_gsi(const struct acpi_info *info, uint8_t isa_irq,
			 uint16_t *flags)
{
	size_t n = info->override_count < ACPI_MAX_OVERRIDES ?
			   info->override_count : ACPI_MAX_OVERRIDES;

	for (size_t i = 0; i < n; i++) {
		const struct acpi_override *o = &info->overrides[i];

		if (o->bus == 0 && o->source_irq == isa_irq) {
			if (flags)
				*flags = o->flags;
			return o->gsi;
		}
	}
	if (flags)
		*flags = 0;
	return isa_irq;
}
