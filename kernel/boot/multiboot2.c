/*
 * The multiboot2 boot information parser (multiboot2 spec §3.6).
 *
 * GRUB leaves a list of tags in memory and its address in ebx; the kernel
 * hands that memory here as a virtual pointer with the number of bytes
 * that are mapped behind it. Nothing in the list is trusted: the walk
 * checks total_size against what is mapped, each tag's size against what
 * is left, that every string ends inside its tag, and that fixed-size
 * tables do not overflow the copies kept in struct mb2_info. Fields are
 * read with memcpy so a misaligned (hostile) pointer is not undefined
 * behaviour. The first problem ends the parse with a message; GRUB never
 * produces any of them, so a message here means a broken loader or memory
 * corruption, and the kernel is expected to stop.
 */
#include <format.h>
#include <kstring.h>
#include <unaligned.h>
#include <multiboot2.h>
#include <stdarg.h>

static const char *const tag_names[MB2_TAG_TYPE_COUNT] = {
	[MB2_TAG_END] = "end",
	[MB2_TAG_CMDLINE] = "command line",
	[MB2_TAG_BOOTLOADER_NAME] = "boot loader name",
	[MB2_TAG_MODULE] = "module",
	[MB2_TAG_BASIC_MEMINFO] = "basic memory information",
	[MB2_TAG_BOOTDEV] = "BIOS boot device",
	[MB2_TAG_MMAP] = "memory map",
	[MB2_TAG_VBE] = "VBE information",
	[MB2_TAG_FRAMEBUFFER] = "framebuffer",
	[MB2_TAG_ELF_SECTIONS] = "ELF sections",
	[MB2_TAG_APM] = "APM table",
	[MB2_TAG_EFI32] = "EFI 32-bit system table",
	[MB2_TAG_EFI64] = "EFI 64-bit system table",
	[MB2_TAG_SMBIOS] = "SMBIOS tables",
	[MB2_TAG_ACPI_OLD] = "ACPI old RSDP",
	[MB2_TAG_ACPI_NEW] = "ACPI new RSDP",
	[MB2_TAG_NETWORK] = "network",
	[MB2_TAG_EFI_MMAP] = "EFI memory map",
	[MB2_TAG_EFI_BS_NOT_TERMINATED] = "EFI boot services not terminated",
	[MB2_TAG_EFI32_IH] = "EFI 32-bit image handle",
	[MB2_TAG_EFI64_IH] = "EFI 64-bit image handle",
	[MB2_TAG_LOAD_BASE_ADDR] = "image load base address",
};

const char *mb2_tag_name(uint32_t type)
{
	return type < MB2_TAG_TYPE_COUNT ? tag_names[type] : "unknown";
}

const char *mb2_memory_type_name(uint32_t type)
{
	switch (type) {
	case MB2_MEMORY_AVAILABLE:
		return "available";
	case MB2_MEMORY_RESERVED:
		return "reserved";
	case MB2_MEMORY_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MB2_MEMORY_NVS:
		return "ACPI NVS";
	case MB2_MEMORY_BADRAM:
		return "bad RAM";
	default:
		return "unknown";
	}
}

/* Where we are in the walk, for messages. */
struct walk {
	char *err;
	size_t errlen;
	uint32_t type;
	size_t offset;
};

static const char *fail(struct walk *w, const char *fmt, ...) FORMAT_CHECK(2, 3);

static const char *fail(struct walk *w, const char *fmt, ...)
{
	size_t n = format(w->err, w->errlen, "tag %u (%s) at offset 0x%zx: ",
			  w->type, mb2_tag_name(w->type), w->offset);
	va_list args;

	va_start(args, fmt);
	if (n < w->errlen)
		vformat(w->err + n, w->errlen - n, fmt, args);
	va_end(args);
	return w->err;
}

/*
 * Check that [p, p + len) holds a NUL; returns the string or NULL.
 * GRUB pads strings with the NUL inside the tag's size (§3.6.5).
 */
static const char *checked_string(const uint8_t *p, size_t len)
{
	return memchr(p, '\0', len) ? (const char *)p : NULL;
}

static const char *parse_mmap(struct walk *w, const uint8_t *tag, uint32_t size,
			      struct mb2_info *out)
{
	uint32_t entry_size, version;
	size_t count;

	if (size < sizeof(struct mb2_tag_mmap))
		return fail(w, "size %u is smaller than %zu",
			    size, sizeof(struct mb2_tag_mmap));
	entry_size = read_u32(tag + 8);
	version = read_u32(tag + 12);
	if (version != 0)
		return fail(w, "entry version %u is not 0", version);
	if (entry_size < sizeof(struct mb2_mmap_entry) || entry_size % 8)
		return fail(w, "entry size %u is not a multiple of 8 >= %zu",
			    entry_size, sizeof(struct mb2_mmap_entry));
	if ((size - 16) % entry_size)
		return fail(w, "%u bytes of entries are not a multiple of the entry size %u",
			    size - 16, entry_size);
	if (out->memory_range_count)
		return fail(w, "a second memory map");
	count = (size - 16) / entry_size;
	if (count == 0)
		return fail(w, "no entries");
	if (count > MB2_MAX_MEMORY_RANGES)
		return fail(w, "%zu entries, at most %d are supported",
			    count, MB2_MAX_MEMORY_RANGES);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = tag + 16 + i * entry_size;
		struct mb2_memory_range *r = &out->memory_ranges[i];

		r->base = read_u64(e);
		r->length = read_u64(e + 8);
		r->type = read_u32(e + 16);
		if (r->base + r->length < r->base)
			return fail(w, "range %zu: 0x%lx+0x%lx wraps around the address space",
				    i,
				    r->base, r->length);
	}
	out->memory_range_count = count;
	return NULL;
}

static const char *parse_module(struct walk *w, const uint8_t *tag, uint32_t size,
				struct mb2_info *out)
{
	struct mb2_module *m;

	if (size < sizeof(struct mb2_tag_module) + 1)
		return fail(w, "size %u is smaller than %zu",
			    size, sizeof(struct mb2_tag_module) + 1);
	if (out->module_count >= MB2_MAX_MODULES)
		return fail(w, "more than %d modules", MB2_MAX_MODULES);
	m = &out->modules[out->module_count];
	m->start = read_u32(tag + 8);
	m->end = read_u32(tag + 12);
	if (m->end < m->start)
		return fail(w, "module ends at 0x%lx before its start 0x%lx",
			    m->end, m->start);
	m->string = checked_string(tag + 16, size - 16);
	if (!m->string)
		return fail(w, "module string is not NUL-terminated within %u bytes",
			    size - 16);
	out->module_count++;
	return NULL;
}

/* Tags of which at most one may appear: a second one is an error. */
static bool seen_before(uint32_t type, uint32_t *seen)
{
	uint32_t bit = 1u << type;
	bool before = *seen & bit;

	*seen |= bit;
	return before;
}

static const char *parse_tag(struct walk *w, const uint8_t *tag, uint32_t size,
			     struct mb2_info *out, uint32_t *seen)
{
	const char *s;

	if (w->type != MB2_TAG_MODULE && w->type != MB2_TAG_MMAP &&
	    w->type < 32 && seen_before(w->type, seen))
		return fail(w, "appears twice");

	switch (w->type) {
	case MB2_TAG_CMDLINE:
	case MB2_TAG_BOOTLOADER_NAME:
		s = checked_string(tag + 8, size - 8);
		if (!s)
			return fail(w, "string is not NUL-terminated within %u bytes",
				    size - 8);
		if (w->type == MB2_TAG_CMDLINE)
			out->cmdline = s;
		else
			out->bootloader_name = s;
		return NULL;
	case MB2_TAG_MODULE:
		return parse_module(w, tag, size, out);
	case MB2_TAG_MMAP:
		return parse_mmap(w, tag, size, out);
	case MB2_TAG_BASIC_MEMINFO:
		if (size < sizeof(struct mb2_tag_basic_meminfo))
			break;
		out->has_basic_meminfo = true;
		out->mem_lower_kib = read_u32(tag + 8);
		out->mem_upper_kib = read_u32(tag + 12);
		return NULL;
	case MB2_TAG_ACPI_OLD:
		/* §3.6.16: a copy of the ACPI 1.0 RSDP, 20 bytes. */
		if (size < 8 + 20)
			return fail(w, "size %u is too small for a 20-byte RSDP", size);
		out->rsdp_old = tag + 8;
		out->rsdp_old_length = size - 8;
		return NULL;
	case MB2_TAG_ACPI_NEW:
		/* §3.6.17: a copy of the ACPI 2.0+ RSDP, 36 bytes. */
		if (size < 8 + 36)
			return fail(w, "size %u is too small for a 36-byte RSDP", size);
		out->rsdp_new = tag + 8;
		out->rsdp_new_length = size - 8;
		return NULL;
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI32_IH:
		if (size < sizeof(struct mb2_tag_efi32))
			break;
		if (w->type == MB2_TAG_EFI32)
			out->efi32_system_table = read_u32(tag + 8);
		return NULL;
	case MB2_TAG_EFI64:
	case MB2_TAG_EFI64_IH:
		if (size < sizeof(struct mb2_tag_efi64))
			break;
		if (w->type == MB2_TAG_EFI64)
			out->efi64_system_table = read_u64(tag + 8);
		else
			out->efi64_image_handle = read_u64(tag + 8);
		return NULL;
	case MB2_TAG_EFI_BS_NOT_TERMINATED:
		out->efi_boot_services_active = true;
		return NULL;
	case MB2_TAG_EFI_MMAP:
		out->has_efi_memory_map = true;
		return NULL;
	case MB2_TAG_LOAD_BASE_ADDR:
		if (size < sizeof(struct mb2_tag_load_base_addr))
			break;
		out->has_load_base_addr = true;
		out->load_base_addr = read_u32(tag + 8);
		return NULL;
	case MB2_TAG_FRAMEBUFFER:
		out->has_framebuffer = true;
		return NULL;
	default:
		/* Other and future tags carry nothing the kernel needs (§3.6.2). */
		return NULL;
	}
	return fail(w, "size %u is too small for this tag type", size);
}

const char *mb2_parse(const void *mbi, size_t avail, struct mb2_info *out,
		      char *err, size_t errlen)
{
	const uint8_t *base = mbi;
	struct walk w = { err, errlen, 0, 0 };
	uint32_t total, seen = 0;
	size_t offset;

	memset(out, 0, sizeof(*out));
	out->cmdline = "";
	out->bootloader_name = "";
	if (!mbi) {
		format(err, errlen, "no multiboot2 information (NULL pointer)");
		return err;
	}
	if ((uintptr_t)mbi % 8) {
		format(err, errlen, "multiboot2 information at %p is not 8-byte aligned", mbi);
		return err;
	}
	if (avail < sizeof(struct mb2_info_header) + sizeof(struct mb2_tag)) {
		format(err, errlen, "only %zu bytes of multiboot2 information readable, "
		       "need at least 16", avail);
		return err;
	}
	total = read_u32(base);
	if (total < sizeof(struct mb2_info_header) + sizeof(struct mb2_tag)) {
		format(err, errlen, "total_size %u is smaller than 16 (header + end tag)",
		       total);
		return err;
	}
	if (total > avail) {
		format(err, errlen, "total_size %u is larger than the %zu bytes mapped",
		       total, avail);
		return err;
	}
	out->total_size = total;

	for (offset = sizeof(struct mb2_info_header);;) {
		const uint8_t *tag = base + offset;
		uint32_t size;
		const char *msg;

		/* offset is 8-aligned and <= total - 8 here, so the header fits. */
		w.offset = offset;
		w.type = read_u32(tag);
		size = read_u32(tag + 4);
		out->tag_count++;
		if (size < sizeof(struct mb2_tag))
			return fail(&w, "size %u is smaller than the %zu-byte tag header",
				    size, sizeof(struct mb2_tag));
		if (size > total - offset)
			return fail(&w, "size %u runs past total_size %u",
				    size, total);
		if (w.type == MB2_TAG_END) {
			if (size != sizeof(struct mb2_tag))
				return fail(&w, "end tag has size %u, not %zu",
					    size, sizeof(struct mb2_tag));
			if (offset + size != total) {
				format(err, errlen, "end tag at offset 0x%zx, but total_size "
				       "is %u", offset, total);
				return err;
			}
			return NULL;
		}
		msg = parse_tag(&w, tag, size, out, &seen);
		if (msg)
			return msg;
		/* Next tag at size rounded up to 8; stop if no room for a header. */
		offset += ((size_t)size + 7) & ~(size_t)7;
		if (offset > total - sizeof(struct mb2_tag)) {
			format(err, errlen, "no end tag within total_size %u", total);
			return err;
		}
	}
}
