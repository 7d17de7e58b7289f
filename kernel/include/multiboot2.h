/*
 * Multiboot2: the structures GRUB2 and the kernel exchange, and the parser
 * that turns the boot information GRUB leaves in memory into a checked
 * struct mb2_info.
 *
 * Section numbers are those of the Multiboot2 Specification, version 2.0
 * (https://www.gnu.org/software/grub/manual/multiboot2/). The header the
 * kernel carries is written in assembly (kernel/arch/x86_64/); its tags are
 * described here as C structs for reference and for static checks.
 *
 * The boot information is treated as hostile: mb2_parse() checks every
 * size and offset before reading and reports the first problem as a
 * message. It copies what the kernel needs into mb2_info, except strings
 * and the RSDP copies, which stay pointers into the boot information (so
 * that memory must stay mapped and untouched while they are used).
 */
#ifndef VIREO_MULTIBOOT2_H
#define VIREO_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* §3.1.2: the header's magic, and the value the loader leaves in eax (§3.3). */
#define MB2_HEADER_MAGIC 0xe85250d6u
#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_ARCHITECTURE_I386 0u

/* §3.1.1: the header must sit in the first 32 KiB of the image, 8-aligned. */
#define MB2_HEADER_SEARCH_LIMIT 32768u

/* Header tag types (§3.1.3 to §3.1.13). */
enum mb2_header_tag_type {
	MB2_HEADER_TAG_END = 0,
	MB2_HEADER_TAG_INFORMATION_REQUEST = 1, /* §3.1.4 */
	MB2_HEADER_TAG_ADDRESS = 2,             /* §3.1.5 */
	MB2_HEADER_TAG_ENTRY_ADDRESS = 3,       /* §3.1.6 */
	MB2_HEADER_TAG_CONSOLE_FLAGS = 4,       /* §3.1.9 */
	MB2_HEADER_TAG_FRAMEBUFFER = 5,         /* §3.1.10 */
	MB2_HEADER_TAG_MODULE_ALIGN = 6,        /* §3.1.11 */
	MB2_HEADER_TAG_EFI_BS = 7,              /* §3.1.12 */
	MB2_HEADER_TAG_ENTRY_ADDRESS_EFI32 = 8, /* §3.1.7 */
	MB2_HEADER_TAG_ENTRY_ADDRESS_EFI64 = 9, /* §3.1.8 */
	MB2_HEADER_TAG_RELOCATABLE = 10,        /* §3.1.13 */
};

/* Header tag flags bit 0: the loader may ignore the tag (§3.1.3). */
#define MB2_HEADER_TAG_OPTIONAL 1u

/* §3.1.2: the fixed part of the header; all four fields sum to 0 mod 2^32. */
struct mb2_header {
	uint32_t magic;         /* 0x00 MB2_HEADER_MAGIC */
	uint32_t architecture;  /* 0x04 MB2_ARCHITECTURE_I386 */
	uint32_t header_length; /* 0x08 including all tags */
	uint32_t checksum;      /* 0x0c -(magic + architecture + length) */
};
_Static_assert(sizeof(struct mb2_header) == 16, "multiboot2 spec 3.1.2");

/* §3.1.3: every header tag starts like this; tags are 8-byte aligned. */
struct mb2_header_tag {
	uint16_t type;  /* 0x00 enum mb2_header_tag_type */
	uint16_t flags; /* 0x02 MB2_HEADER_TAG_OPTIONAL */
	uint32_t size;  /* 0x04 including this header */
};
_Static_assert(sizeof(struct mb2_header_tag) == 8, "multiboot2 spec 3.1.3");

/* §3.1.4: ask for boot information tags; followed by uint32_t types[]. */
struct mb2_header_tag_information_request {
	struct mb2_header_tag tag; /* 0x00 type 1 */
	uint32_t requests[];       /* 0x08 enum mb2_tag_type values */
};
_Static_assert(sizeof(struct mb2_header_tag_information_request) == 8,
	       "multiboot2 spec 3.1.4");

/* §3.1.6 (and §3.1.7/§3.1.8 for EFI): the 32-bit physical entry point. */
struct mb2_header_tag_entry_address {
	struct mb2_header_tag tag; /* 0x00 type 3, 8 or 9 */
	uint32_t entry_addr;       /* 0x08 */
};
_Static_assert(sizeof(struct mb2_header_tag_entry_address) == 12,
	       "multiboot2 spec 3.1.6");

/* §3.1.9: console flags (bit 0: console required, bit 1: EGA text supported). */
struct mb2_header_tag_console_flags {
	struct mb2_header_tag tag; /* 0x00 type 4 */
	uint32_t console_flags;    /* 0x08 */
};
_Static_assert(sizeof(struct mb2_header_tag_console_flags) == 12,
	       "multiboot2 spec 3.1.9");

/* §3.1.10: preferred framebuffer mode (0 = no preference). */
struct mb2_header_tag_framebuffer {
	struct mb2_header_tag tag; /* 0x00 type 5 */
	uint32_t width;            /* 0x08 */
	uint32_t height;           /* 0x0c */
	uint32_t depth;            /* 0x10 */
};
_Static_assert(sizeof(struct mb2_header_tag_framebuffer) == 20,
	       "multiboot2 spec 3.1.10");

/* §3.1.11: modules must be page aligned (no body). */
struct mb2_header_tag_module_align {
	struct mb2_header_tag tag; /* 0x00 type 6, size 8 */
};
_Static_assert(sizeof(struct mb2_header_tag_module_align) == 8,
	       "multiboot2 spec 3.1.11");

/* §3.1.13: the image may be loaded anywhere in [min_addr, max_addr]. */
struct mb2_header_tag_relocatable {
	struct mb2_header_tag tag; /* 0x00 type 10 */
	uint32_t min_addr;         /* 0x08 */
	uint32_t max_addr;         /* 0x0c */
	uint32_t align;            /* 0x10 */
	uint32_t preference;       /* 0x14 0 none, 1 lowest, 2 highest */
};
_Static_assert(sizeof(struct mb2_header_tag_relocatable) == 24,
	       "multiboot2 spec 3.1.13");

/* Boot information tag types (§3.6.3 to §3.6.23). */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,            /* §3.6.5 */
	MB2_TAG_BOOTLOADER_NAME = 2,    /* §3.6.9 */
	MB2_TAG_MODULE = 3,             /* §3.6.6 */
	MB2_TAG_BASIC_MEMINFO = 4,      /* §3.6.3 */
	MB2_TAG_BOOTDEV = 5,            /* §3.6.4 */
	MB2_TAG_MMAP = 6,               /* §3.6.8 */
	MB2_TAG_VBE = 7,                /* §3.6.11 */
	MB2_TAG_FRAMEBUFFER = 8,        /* §3.6.12 */
	MB2_TAG_ELF_SECTIONS = 9,       /* §3.6.7 */
	MB2_TAG_APM = 10,               /* §3.6.10 */
	MB2_TAG_EFI32 = 11,             /* §3.6.13 */
	MB2_TAG_EFI64 = 12,             /* §3.6.14 */
	MB2_TAG_SMBIOS = 13,            /* §3.6.15 */
	MB2_TAG_ACPI_OLD = 14,          /* §3.6.16 */
	MB2_TAG_ACPI_NEW = 15,          /* §3.6.17 */
	MB2_TAG_NETWORK = 16,           /* §3.6.18 */
	MB2_TAG_EFI_MMAP = 17,          /* §3.6.19 */
	MB2_TAG_EFI_BS_NOT_TERMINATED = 18, /* §3.6.20 */
	MB2_TAG_EFI32_IH = 19,          /* §3.6.21 */
	MB2_TAG_EFI64_IH = 20,          /* §3.6.22 */
	MB2_TAG_LOAD_BASE_ADDR = 21,    /* §3.6.23 */
	MB2_TAG_TYPE_COUNT
};

/* §3.6.2: the fixed part at the start of the boot information (8-aligned). */
struct mb2_info_header {
	uint32_t total_size; /* 0x00 including this header and the end tag */
	uint32_t reserved;   /* 0x04 zero, ignored */
};
_Static_assert(sizeof(struct mb2_info_header) == 8, "multiboot2 spec 3.6.2");

/* §3.6.2: every tag starts like this; the next tag is at size rounded up to 8. */
struct mb2_tag {
	uint32_t type; /* 0x00 enum mb2_tag_type */
	uint32_t size; /* 0x04 including this header, excluding padding */
};
_Static_assert(sizeof(struct mb2_tag) == 8, "multiboot2 spec 3.6.2");

/* §3.6.5 and §3.6.9: a NUL-terminated UTF-8 string follows. */
struct mb2_tag_string {
	struct mb2_tag tag; /* 0x00 type 1 or 2 */
	char string[];      /* 0x08 */
};
_Static_assert(sizeof(struct mb2_tag_string) == 8, "multiboot2 spec 3.6.5");

/* §3.6.6: one boot module; [mod_start, mod_end) physical, then its string. */
struct mb2_tag_module {
	struct mb2_tag tag; /* 0x00 type 3 */
	uint32_t mod_start; /* 0x08 */
	uint32_t mod_end;   /* 0x0c */
	char string[];      /* 0x10 NUL-terminated */
};
_Static_assert(sizeof(struct mb2_tag_module) == 16, "multiboot2 spec 3.6.6");

/* §3.6.3: memory below 1 MiB and from 1 MiB to the first hole, in KiB. */
struct mb2_tag_basic_meminfo {
	struct mb2_tag tag; /* 0x00 type 4 */
	uint32_t mem_lower; /* 0x08 */
	uint32_t mem_upper; /* 0x0c */
};
_Static_assert(sizeof(struct mb2_tag_basic_meminfo) == 16, "multiboot2 spec 3.6.3");

/* §3.6.8: memory map types. */
enum mb2_memory_type {
	MB2_MEMORY_AVAILABLE = 1,
	MB2_MEMORY_RESERVED = 2,
	MB2_MEMORY_ACPI_RECLAIMABLE = 3,
	MB2_MEMORY_NVS = 4,
	MB2_MEMORY_BADRAM = 5,
};

/* §3.6.8: one memory map entry (entry_size may be larger: step by it). */
struct mb2_mmap_entry {
	uint64_t base_addr; /* 0x00 */
	uint64_t length;    /* 0x08 */
	uint32_t type;      /* 0x10 enum mb2_memory_type */
	uint32_t reserved;  /* 0x14 zero */
};
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "multiboot2 spec 3.6.8");

/* §3.6.8: the memory map tag; entries start at 0x10. */
struct mb2_tag_mmap {
	struct mb2_tag tag;     /* 0x00 type 6 */
	uint32_t entry_size;    /* 0x08 a multiple of 8, >= 24 */
	uint32_t entry_version; /* 0x0c 0 */
};
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "multiboot2 spec 3.6.8");

/* §3.6.14: physical address of the EFI 64-bit system table. */
struct mb2_tag_efi64 {
	struct mb2_tag tag; /* 0x00 type 12 (type 20, §3.6.22, has the same layout) */
	uint64_t pointer;   /* 0x08 */
};
_Static_assert(sizeof(struct mb2_tag_efi64) == 16, "multiboot2 spec 3.6.14");

/* §3.6.13: physical address of the EFI 32-bit system table (also type 19). */
struct mb2_tag_efi32 {
	struct mb2_tag tag; /* 0x00 type 11 */
	uint32_t pointer;   /* 0x08 */
};
_Static_assert(sizeof(struct mb2_tag_efi32) == 12, "multiboot2 spec 3.6.13");

/* §3.6.16 and §3.6.17: a copy of the ACPI RSDP (v1: 20 bytes, v2: 36). */
struct mb2_tag_acpi {
	struct mb2_tag tag; /* 0x00 type 14 or 15 */
	uint8_t rsdp[];     /* 0x08 */
};
_Static_assert(sizeof(struct mb2_tag_acpi) == 8, "multiboot2 spec 3.6.16");

/* §3.6.23: where the image was loaded, for relocatable images. */
struct mb2_tag_load_base_addr {
	struct mb2_tag tag;      /* 0x00 type 21 */
	uint32_t load_base_addr; /* 0x08 */
};
_Static_assert(sizeof(struct mb2_tag_load_base_addr) == 12,
	       "multiboot2 spec 3.6.23");

/* Limits of what mb2_parse copies out; more is an error, never truncation. */
#define MB2_MAX_MEMORY_RANGES 128
#define MB2_MAX_MODULES 16

struct mb2_memory_range {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* enum mb2_memory_type (others passed through) */
};

struct mb2_module {
	uint64_t start;     /* physical, inclusive */
	uint64_t end;       /* physical, exclusive; end >= start */
	const char *string; /* points into the boot information; never NULL */
};

/* What mb2_parse found. Absent strings are "" and absent pointers 0/NULL. */
struct mb2_info {
	const char *cmdline;         /* kernel command line */
	const char *bootloader_name; /* e.g. "GRUB 2.06" */

	bool has_basic_meminfo;
	uint32_t mem_lower_kib, mem_upper_kib;

	size_t memory_range_count; /* 0: no memory map tag */
	struct mb2_memory_range memory_ranges[MB2_MAX_MEMORY_RANGES];

	size_t module_count;
	struct mb2_module modules[MB2_MAX_MODULES];

	/* ACPI RSDP copies (§3.6.16/17), pointers into the boot information. */
	const void *rsdp_old; /* ACPI 1.0 RSDP, >= 20 bytes; NULL if absent */
	size_t rsdp_old_length;
	const void *rsdp_new; /* ACPI 2.0+ RSDP, >= 36 bytes; NULL if absent */
	size_t rsdp_new_length;

	/* EFI (§3.6.13/14, §3.6.20 to 22): what a UEFI boot passed on. */
	uint64_t efi32_system_table; /* 0 if absent */
	uint64_t efi64_system_table; /* 0 if absent */
	uint64_t efi64_image_handle; /* 0 if absent */
	bool efi_boot_services_active; /* tag 18: ExitBootServices not called */
	bool has_efi_memory_map;       /* tag 17 seen (not parsed) */

	bool has_load_base_addr;
	uint32_t load_base_addr;

	bool has_framebuffer; /* tag 8 seen (ignored otherwise) */
	uint32_t total_size;  /* of the boot information, bytes */
	uint32_t tag_count;   /* tags seen, including the end tag */
};

/*
 * Parse and validate the multiboot2 boot information at mbi (a virtual
 * address, 8-aligned per §3.6.2), of which avail bytes are readable.
 * Returns NULL on success, with out filled; otherwise err (errlen bytes),
 * a message naming the problem, e.g. "tag 3 (module) at offset 0x48: size
 * 12 is smaller than 16". Never reads outside [mbi, mbi + avail). Pointers
 * in out point into the boot information.
 */
const char *mb2_parse(const void *mbi, size_t avail, struct mb2_info *out,
		      char *err, size_t errlen);

/* A short name for a boot information tag type ("memory map"), or "unknown". */
const char *mb2_tag_name(uint32_t type);

/* A short name for a memory map type ("available"), or "unknown". */
const char *mb2_memory_type_name(uint32_t type);

#endif
