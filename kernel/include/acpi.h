/*
 * ACPI static tables: the structures the kernel reads (RSDP, RSDT/XSDT,
 * MADT, HPET) and a parser that turns them into struct acpi_info.
 *
 * Sections are those of the ACPI Specification 6.5 (§5.2.5 RSDP, §5.2.6
 * system description table header, §5.2.7 RSDT, §5.2.8 XSDT, §5.2.12 MADT)
 * and of the IA-PC HPET Specification 1.0a (§3.2.4 the HPET description
 * table). Firmware tables are input like any other: the parser checks
 * lengths and checksums and reads nothing outside what it mapped. A bad
 * RSDP or root table fails the parse; a bad other table is skipped with a
 * warning; entries over the fixed limits below are counted and warned
 * about, never silently dropped.
 *
 * Physical memory is reached through a callback, so the same code runs in
 * the kernel (over its direct map) and in host tests (over a fake memory).
 */
#ifndef VIREO_ACPI_H
#define VIREO_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* §5.2.5.3: the Root System Description Pointer (20 bytes in ACPI 1.0). */
struct acpi_rsdp {
	char signature[8];         /* 0x00 "RSD PTR " */
	uint8_t checksum;          /* 0x08 first 20 bytes sum to 0 */
	char oem_id[6];            /* 0x09 */
	uint8_t revision;          /* 0x0f 0: ACPI 1.0, 2: ACPI 2.0+ */
	uint32_t rsdt_address;     /* 0x10 physical */
	uint32_t length;           /* 0x14 revision >= 2: whole structure */
	uint64_t xsdt_address;     /* 0x18 revision >= 2: physical */
	uint8_t extended_checksum; /* 0x20 revision >= 2: all bytes sum to 0 */
	uint8_t reserved[3];       /* 0x21 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 6.5 §5.2.5.3");
#define ACPI_RSDP_V1_LENGTH 20

/* §5.2.6: the header every system description table starts with. */
struct acpi_header {
	char signature[4];         /* 0x00 e.g. "APIC" for the MADT */
	uint32_t length;           /* 0x04 whole table, header included */
	uint8_t revision;          /* 0x08 */
	uint8_t checksum;          /* 0x09 all bytes sum to 0 */
	char oem_id[6];            /* 0x0a */
	char oem_table_id[8];      /* 0x10 */
	uint32_t oem_revision;     /* 0x18 */
	uint32_t creator_id;       /* 0x1c */
	uint32_t creator_revision; /* 0x20 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI 6.5 §5.2.6");

/* §5.2.7 RSDT: header, then uint32_t entries; §5.2.8 XSDT: uint64_t (unaligned). */

/* §5.2.12: the Multiple APIC Description Table, signature "APIC". */
struct acpi_madt {
	struct acpi_header header;   /* 0x00 */
	uint32_t local_apic_address; /* 0x24 physical, 32-bit */
	uint32_t flags;              /* 0x28 ACPI_MADT_PCAT_COMPAT */
	/* 0x2c: interrupt controller structures, each {type, length, ...} */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == 44, "ACPI 6.5 §5.2.12");
#define ACPI_MADT_PCAT_COMPAT 1u /* dual 8259 PICs present (must be masked) */

/* §5.2.12: interrupt controller structure types. */
enum acpi_madt_type {
	ACPI_MADT_LOCAL_APIC = 0,          /* §5.2.12.2 */
	ACPI_MADT_IO_APIC = 1,             /* §5.2.12.3 */
	ACPI_MADT_INTERRUPT_OVERRIDE = 2,  /* §5.2.12.5 */
	ACPI_MADT_NMI_SOURCE = 3,          /* §5.2.12.6 */
	ACPI_MADT_LOCAL_APIC_NMI = 4,      /* §5.2.12.7 */
	ACPI_MADT_LOCAL_APIC_OVERRIDE = 5, /* §5.2.12.8 */
	ACPI_MADT_LOCAL_X2APIC = 9,        /* §5.2.12.12 */
	ACPI_MADT_LOCAL_X2APIC_NMI = 10,   /* §5.2.12.13 */
};

/* §5.2.12.2: Processor Local APIC structure. */
struct acpi_madt_local_apic {
	uint8_t type;          /* 0x00 0 */
	uint8_t length;        /* 0x01 8 */
	uint8_t processor_uid; /* 0x02 */
	uint8_t apic_id;       /* 0x03 */
	uint32_t flags;        /* 0x04 ACPI_CPU_ENABLED, ACPI_CPU_ONLINE_CAPABLE */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_local_apic) == 8, "ACPI 6.5 §5.2.12.2");
#define ACPI_CPU_ENABLED 1u        /* §5.2.12.2 Local APIC flags: usable now */
#define ACPI_CPU_ONLINE_CAPABLE 2u /* may be enabled later (never with ENABLED) */

/* §5.2.12.3: I/O APIC structure. */
struct acpi_madt_io_apic {
	uint8_t type;      /* 0x00 1 */
	uint8_t length;    /* 0x01 12 */
	uint8_t id;        /* 0x02 I/O APIC ID */
	uint8_t reserved;  /* 0x03 */
	uint32_t address;  /* 0x04 physical MMIO base */
	uint32_t gsi_base; /* 0x08 first global system interrupt it handles */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_io_apic) == 12, "ACPI 6.5 §5.2.12.3");

/* §5.2.12.5: Interrupt Source Override (an ISA IRQ wired to another GSI). */
struct acpi_madt_interrupt_override {
	uint8_t type;   /* 0x00 2 */
	uint8_t length; /* 0x01 10 */
	uint8_t bus;    /* 0x02 0 = ISA */
	uint8_t source; /* 0x03 bus-relative IRQ */
	uint32_t gsi;   /* 0x04 */
	uint16_t flags; /* 0x08 MPS INTI flags (§5.2.12.5) */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_interrupt_override) == 10,
	       "ACPI 6.5 §5.2.12.5");

/* MPS INTI flags (§5.2.12.5): polarity bits 1:0, trigger mode bits 3:2. */
#define ACPI_INTI_POLARITY_MASK 3u
#define ACPI_INTI_POLARITY_CONFORMS 0u
#define ACPI_INTI_POLARITY_HIGH 1u
#define ACPI_INTI_POLARITY_LOW 3u
#define ACPI_INTI_TRIGGER_MASK (3u << 2)
#define ACPI_INTI_TRIGGER_CONFORMS (0u << 2)
#define ACPI_INTI_TRIGGER_EDGE (1u << 2)
#define ACPI_INTI_TRIGGER_LEVEL (3u << 2)

/* §5.2.12.6: Non-Maskable Interrupt Source structure. */
struct acpi_madt_nmi_source {
	uint8_t type;   /* 0x00 3 */
	uint8_t length; /* 0x01 8 */
	uint16_t flags; /* 0x02 MPS INTI flags */
	uint32_t gsi;   /* 0x04 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_nmi_source) == 8, "ACPI 6.5 §5.2.12.6");

/* §5.2.12.7: Local APIC NMI structure (which LINT pin carries NMI). */
struct acpi_madt_local_apic_nmi {
	uint8_t type;          /* 0x00 4 */
	uint8_t length;        /* 0x01 6 */
	uint8_t processor_uid; /* 0x02 0xff = all processors */
	uint16_t flags;        /* 0x03 MPS INTI flags */
	uint8_t lint;          /* 0x05 0 or 1 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_local_apic_nmi) == 6, "ACPI 6.5 §5.2.12.7");

/* §5.2.12.8: Local APIC Address Override (64-bit LAPIC base). */
struct acpi_madt_local_apic_override {
	uint8_t type;      /* 0x00 5 */
	uint8_t length;    /* 0x01 12 */
	uint16_t reserved; /* 0x02 */
	uint64_t address;  /* 0x04 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_local_apic_override) == 12,
	       "ACPI 6.5 §5.2.12.8");

/* §5.2.12.12: Processor Local x2APIC structure. */
struct acpi_madt_local_x2apic {
	uint8_t type;           /* 0x00 9 */
	uint8_t length;         /* 0x01 16 */
	uint16_t reserved;      /* 0x02 */
	uint32_t x2apic_id;     /* 0x04 */
	uint32_t flags;         /* 0x08 as for the local APIC */
	uint32_t processor_uid; /* 0x0c */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_local_x2apic) == 16, "ACPI 6.5 §5.2.12.12");

/* §5.2.12.13: Local x2APIC NMI structure. */
struct acpi_madt_local_x2apic_nmi {
	uint8_t type;           /* 0x00 10 */
	uint8_t length;         /* 0x01 12 */
	uint16_t flags;         /* 0x02 MPS INTI flags */
	uint32_t processor_uid; /* 0x04 0xffffffff = all processors */
	uint8_t lint;           /* 0x08 */
	uint8_t reserved[3];    /* 0x09 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_local_x2apic_nmi) == 12,
	       "ACPI 6.5 §5.2.12.13");

/* ACPI 6.5 §5.2.3.2: Generic Address Structure. */
struct acpi_gas {
	uint8_t address_space_id; /* 0x00 0 = system memory, 1 = system I/O */
	uint8_t bit_width;        /* 0x01 */
	uint8_t bit_offset;       /* 0x02 */
	uint8_t access_size;      /* 0x03 */
	uint64_t address;         /* 0x04 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "ACPI 6.5 §5.2.3.2");
#define ACPI_GAS_SYSTEM_MEMORY 0

/* HPET spec 1.0a §3.2.4: the HPET description table, signature "HPET". */
struct acpi_hpet {
	struct acpi_header header;     /* 0x00 */
	uint32_t event_timer_block_id; /* 0x24 copy of the capabilities' low half */
	struct acpi_gas base_address;  /* 0x28 must be system memory */
	uint8_t hpet_number;           /* 0x34 sequence number of this block */
	uint16_t minimum_tick;         /* 0x35 minimum periodic tick, in counter ticks */
	uint8_t page_protection;       /* 0x37 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET spec 1.0a §3.2.4");

/* event_timer_block_id fields (HPET spec 1.0a §3.2.4, as in §2.3.4 GCAP_ID). */
#define ACPI_HPET_ID_REVISION(id) ((id) & 0xffu)
#define ACPI_HPET_ID_LAST_COMPARATOR(id) (((id) >> 8) & 0x1fu)
#define ACPI_HPET_ID_COUNT_SIZE_64(id) (((id) >> 13) & 1u)
#define ACPI_HPET_ID_LEGACY_CAPABLE(id) (((id) >> 15) & 1u)
#define ACPI_HPET_ID_VENDOR(id) ((id) >> 16)

/* Fixed limits of struct acpi_info. */
#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_NMIS 16
#define ACPI_MAX_TABLES 32
#define ACPI_MAX_WARNINGS 8
#define ACPI_WARNING_LENGTH 112

struct acpi_cpu {
	uint32_t apic_id;       /* xAPIC or x2APIC ID */
	uint32_t processor_uid;
	bool enabled;           /* ACPI_CPU_ENABLED */
	bool online_capable;    /* ACPI_CPU_ONLINE_CAPABLE */
	bool x2apic;            /* came from a type 9 entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint64_t address;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t bus;        /* 0 = ISA */
	uint8_t source_irq;
	uint32_t gsi;
	uint16_t flags;     /* ACPI_INTI_* */
};

/* An NMI input: a local APIC LINT pin (lint_nmi) or a GSI (source). */
struct acpi_nmi {
	bool local;             /* true: Local APIC/x2APIC NMI, false: NMI source */
	uint32_t processor_uid; /* local: 0xff / 0xffffffff = all */
	uint8_t lint;           /* local: LINT0 or LINT1 */
	uint32_t gsi;           /* source */
	uint16_t flags;         /* ACPI_INTI_* */
};

struct acpi_table_ref {
	char signature[5];
	uint64_t address;
	uint32_t length;
	bool valid; /* length and checksum correct */
};

struct acpi_info {
	uint8_t rsdp_revision;
	char oem_id[7];
	bool xsdt_used;            /* false: RSDT */
	uint64_t root_address;     /* physical address of the XSDT or RSDT */

	size_t table_count;        /* entries in the root table */
	struct acpi_table_ref tables[ACPI_MAX_TABLES]; /* the first ones */
	size_t bad_table_count;    /* skipped: unmappable, bad length or checksum */

	bool has_madt;
	uint64_t lapic_address;    /* after a type 5 override */
	bool legacy_pic;           /* PCAT_COMPAT: 8259s present */
	size_t cpu_count;          /* all found, may exceed ACPI_MAX_CPUS */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	size_t ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	size_t override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	size_t nmi_count;
	struct acpi_nmi nmis[ACPI_MAX_NMIS];

	bool has_hpet;
	uint64_t hpet_address;     /* physical MMIO base */
	uint8_t hpet_number;
	uint16_t hpet_minimum_tick;
	uint8_t hpet_comparators;  /* 1 to 32 */
	bool hpet_64bit;           /* COUNT_SIZE_CAP */
	bool hpet_legacy_capable;  /* LEG_RT_CAP */
	uint16_t hpet_vendor;

	size_t warning_count;      /* all warnings, may exceed ACPI_MAX_WARNINGS */
	char warnings[ACPI_MAX_WARNINGS][ACPI_WARNING_LENGTH];
};

/*
 * Make [phys, phys + len) readable and return a pointer to it, or NULL if
 * it is not accessible (the parser then reports the address). The pointer
 * only needs to stay valid until the next call: the parser never holds
 * two mappings at once, so a kernel may map through one window.
 */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len, void *ctx);

/*
 * Parse the ACPI tables. The RSDP is rsdp_copy (rsdp_len bytes, e.g. from
 * the multiboot2 ACPI tag, preferred) or, when rsdp_copy is NULL, found at
 * rsdp_phys through map. Validates the RSDP checksum (and the extended
 * checksum for revision >= 2); follows the XSDT when revision >= 2 and its
 * address is not 0, else the RSDT. Returns NULL on success (out filled,
 * possibly with warnings about skipped tables or entries) or err filled
 * when the RSDP or root table is unusable.
 */
const char *acpi_parse(uint64_t rsdp_phys_or_0, const void *rsdp_copy,
		       size_t rsdp_len, acpi_map_fn map, void *ctx,
		       struct acpi_info *out, char *err, size_t errlen);

/*
 * The global system interrupt an ISA IRQ arrives on: the override's GSI
 * if there is an ISA (bus 0) override for it, else isa_irq itself (ACPI
 * 6.5 §5.2.12.5: ISA IRQs are identity-mapped unless overridden). *flags
 * (if not NULL) gets the override's ACPI_INTI_* flags, or 0 (conforms to
 * the bus: ISA is edge-triggered, active high).
 */
uint32_t acpi_irq_to_gsi(const struct acpi_info *info, uint8_t isa_irq,
			 uint16_t *flags);

#endif
