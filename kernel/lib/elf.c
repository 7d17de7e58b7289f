/*
 * ELF-64 image checks (see elf.h). An image reaches the kernel as a boot
 * module, that is from a file anybody could have replaced, so every field
 * is validated before use and all arithmetic on offsets and sizes is done
 * so that it cannot wrap (a + b > limit is written as b > limit - a after
 * checking a <= limit). Headers are copied out with memcpy: the image has
 * no alignment guarantee.
 */
#include <elf.h>
#include <format.h>
#include <kstring.h>
#include <stdarg.h>
#include <stdbool.h>

static const char *flags_name(uint32_t flags)
{
	static const char *const names[8] = { "---", "--x", "-w-", "-wx",
					      "r--", "r-x", "rw-", "rwx" };

	return names[flags & 7];
}

static const char *check_header(const struct elf64_ehdr *eh, size_t size,
				char *err, size_t errlen)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (memcmp(eh->e_ident, magic, sizeof(magic)))
		return format_error(err, errlen, "bad magic %02x %02x %02x %02x (not an ELF file)",
			    eh->e_ident[0], eh->e_ident[1], eh->e_ident[2],
			    eh->e_ident[3]);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return format_error(err, errlen, "ELF class %u, expected %u (64-bit)",
			    eh->e_ident[EI_CLASS], ELFCLASS64);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return format_error(err, errlen, "ELF data encoding %u, expected %u (little-endian)",
			    eh->e_ident[EI_DATA], ELFDATA2LSB);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return format_error(err, errlen, "ELF version %u/%u, expected %u",
			    eh->e_ident[EI_VERSION], eh->e_version, EV_CURRENT);
	if (eh->e_machine != EM_X86_64)
		return format_error(err, errlen, "machine %u, expected %u (x86-64)",
			    eh->e_machine, EM_X86_64);
	if (eh->e_type == ET_DYN)
		return format_error(err, errlen, "type ET_DYN: position-independent and "
			    "dynamic executables not supported");
	if (eh->e_type != ET_EXEC)
		return format_error(err, errlen, "type %u, expected %u (ET_EXEC)",
			    eh->e_type, ET_EXEC);
	if (eh->e_ehsize < sizeof(struct elf64_ehdr) || eh->e_ehsize > size)
		return format_error(err, errlen, "header size %u, expected %zu",
			    eh->e_ehsize, sizeof(struct elf64_ehdr));
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return format_error(err, errlen, "program header size %u, expected %zu",
			    eh->e_phentsize, sizeof(struct elf64_phdr));
	if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
		return format_error(err, errlen, "%u program headers: no segments to load",
			    eh->e_phnum);
	/* phnum <= 0xfffe, so phnum * 56 cannot overflow. */
	if (eh->e_phoff > size ||
	    (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr) > size - eh->e_phoff)
		return format_error(err, errlen, "program header table 0x%lx+%u*%zu outside "
			    "image of 0x%zx bytes", eh->e_phoff, eh->e_phnum,
			    sizeof(struct elf64_phdr), size);
	return NULL;
}

static const char *check_segment(const struct elf64_phdr *ph, unsigned index,
				 size_t size, uint64_t user_lo, uint64_t user_hi,
				 char *err, size_t errlen)
{
	if (ph->p_filesz > ph->p_memsz)
		return format_error(err, errlen, "program header %u: file size 0x%lx larger "
			    "than memory size 0x%lx", index, ph->p_filesz, ph->p_memsz);
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return format_error(err, errlen, "program header %u: file range 0x%lx+0x%lx "
			    "outside image of 0x%zx bytes", index, ph->p_offset,
			    ph->p_filesz, size);
	if (ph->p_vaddr < user_lo || ph->p_vaddr >= user_hi ||
	    ph->p_memsz > user_hi - ph->p_vaddr)
		return format_error(err, errlen, "program header %u: memory range 0x%lx+0x%lx "
			    "outside user range [0x%lx, 0x%lx)", index, ph->p_vaddr,
			    ph->p_memsz, user_lo, user_hi);
	if (ph->p_filesz && ph->p_vaddr % ELF_PAGE_SIZE != ph->p_offset % ELF_PAGE_SIZE)
		return format_error(err, errlen, "program header %u: address 0x%lx and file "
			    "offset 0x%lx differ modulo the page size", index,
			    ph->p_vaddr, ph->p_offset);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return format_error(err, errlen, "program header %u: segment at 0x%lx is both "
			    "writable and executable (W+X, flags %s)", index,
			    ph->p_vaddr, flags_name(ph->p_flags));
	return NULL;
}

/* First page and one past the last page of a checked segment. */
static uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

static uint64_t page_up_end(const struct elf_segment *s)
{
	/*
	 * vaddr + memsz <= user_hi; round up without overflow by rounding
	 * the last byte down and adding a page (may be 2^64 -> 0 only if
	 * user_hi is 2^64, which a user range never is).
	 */
	return page_down(s->vaddr + s->memsz - 1) + ELF_PAGE_SIZE;
}

const char *elf_check(const void *image, size_t size, uint64_t user_lo,
		      uint64_t user_hi, struct elf_image *out, char *err,
		      size_t errlen)
{
	const uint8_t *bytes = image;
	struct elf64_ehdr eh;
	const char *msg;
	bool entry_ok = false;

	memset(out, 0, sizeof(*out));
	if (!image || size < sizeof(eh))
		return format_error(err, errlen, "image of %zu bytes is smaller than the "
			    "%zu-byte ELF header", image ? size : 0, sizeof(eh));
	if (user_lo >= user_hi)
		return format_error(err, errlen, "empty user range [0x%lx, 0x%lx)",
			    user_lo, user_hi);
	memcpy(&eh, bytes, sizeof(eh));
	msg = check_header(&eh, size, err, errlen);
	if (msg)
		return msg;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		struct elf_segment *s;

		memcpy(&ph, bytes + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
			return format_error(err, errlen, "program header %u: %s: dynamic "
				    "executables not supported", i,
				    ph.p_type == PT_INTERP ? "PT_INTERP" : "PT_DYNAMIC");
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		msg = check_segment(&ph, i, size, user_lo, user_hi, err, errlen);
		if (msg)
			return msg;
		if (out->segment_count == ELF_MAX_SEGMENTS)
			return format_error(err, errlen, "program header %u: more than %d "
				    "PT_LOAD segments", i, ELF_MAX_SEGMENTS);
		s = &out->segments[out->segment_count];
		*s = (struct elf_segment){ ph.p_vaddr, ph.p_memsz, ph.p_offset,
					   ph.p_filesz, ph.p_flags & 7 };
		/* Segments share no page: each page gets one set of rights. */
		for (size_t j = 0; j < out->segment_count; j++) {
			const struct elf_segment *o = &out->segments[j];

			if (page_down(s->vaddr) < page_up_end(o) &&
			    page_down(o->vaddr) < page_up_end(s))
				return format_error(err, errlen, "program header %u: segment "
					    "0x%lx+0x%lx overlaps segment 0x%lx+0x%lx "
					    "(page-rounded)", i, s->vaddr, s->memsz,
					    o->vaddr, o->memsz);
		}
		if ((s->flags & PF_X) && eh.e_entry >= s->vaddr &&
		    eh.e_entry - s->vaddr < s->memsz)
			entry_ok = true;
		out->segment_count++;
	}
	if (out->segment_count == 0)
		return format_error(err, errlen, "no loadable (PT_LOAD) segment");
	if (!entry_ok)
		return format_error(err, errlen, "entry point 0x%lx is not inside an "
			    "executable segment", eh.e_entry);
	out->entry = eh.e_entry;
	return NULL;
}
