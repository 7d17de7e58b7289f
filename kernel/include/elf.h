/*
 * ELF-64 executables: the file structures and the checker the kernel runs
 * on the root task's image (and later on every image it loads) before
 * copying a single byte.
 *
 * Layouts are from the System V ABI, "ELF-64 Object File Format" version
 * 1.5 (header §3, program header §6) and the AMD64 psABI supplement
 * (EM_X86_64 = 62). elf_check() validates the image completely; after it
 * succeeded, struct elf_image is all the loader needs, and every
 * [offset, offset + filesz) it lists lies inside the image and every
 * [vaddr, vaddr + memsz) inside the user range.
 */
#ifndef VIREO_ELF_H
#define VIREO_ELF_H

#include <stddef.h>
#include <stdint.h>

/* e_ident indexes and values (ELF-64 §3, Table 2 to 4). */
#define EI_MAG0 0
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_OSABI 7
#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define PN_XNUM 0xffff /* real count in section header 0: not supported */

/* Program header types and flags (ELF-64 §6, Tables 16 and 17). */
#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_PHDR 6
#define PT_TLS 7
#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

/* ELF-64 §3: the file header, at offset 0. */
struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT]; /* 0x00 "\x7fELF", class, data, version... */
	uint16_t e_type;            /* 0x10 ET_EXEC */
	uint16_t e_machine;         /* 0x12 EM_X86_64 */
	uint32_t e_version;         /* 0x14 EV_CURRENT */
	uint64_t e_entry;           /* 0x18 entry point virtual address */
	uint64_t e_phoff;           /* 0x20 program header table file offset */
	uint64_t e_shoff;           /* 0x28 section header table (unused here) */
	uint32_t e_flags;           /* 0x30 */
	uint16_t e_ehsize;          /* 0x34 sizeof(struct elf64_ehdr) */
	uint16_t e_phentsize;       /* 0x36 sizeof(struct elf64_phdr) */
	uint16_t e_phnum;           /* 0x38 */
	uint16_t e_shentsize;       /* 0x3a */
	uint16_t e_shnum;           /* 0x3c */
	uint16_t e_shstrndx;        /* 0x3e */
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF-64 §3");

/* ELF-64 §6: one program header (segment). */
struct elf64_phdr {
	uint32_t p_type;   /* 0x00 PT_* */
	uint32_t p_flags;  /* 0x04 PF_* */
	uint64_t p_offset; /* 0x08 file offset of the segment */
	uint64_t p_vaddr;  /* 0x10 virtual address */
	uint64_t p_paddr;  /* 0x18 ignored */
	uint64_t p_filesz; /* 0x20 bytes in the file */
	uint64_t p_memsz;  /* 0x28 bytes in memory (rest zero-filled) */
	uint64_t p_align;  /* 0x30 */
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF-64 §6");

#define ELF_MAX_SEGMENTS 16
#define ELF_PAGE_SIZE 4096u

/* One PT_LOAD segment, checked. */
struct elf_segment {
	uint64_t vaddr;  /* in [user_lo, user_hi) */
	uint64_t memsz;  /* > 0; vaddr + memsz <= user_hi */
	uint64_t offset; /* offset + filesz <= image size */
	uint64_t filesz; /* <= memsz */
	uint32_t flags;  /* PF_R | PF_W | PF_X, never PF_W and PF_X both */
};

struct elf_image {
	uint64_t entry;       /* inside an executable segment */
	size_t segment_count; /* 1 to ELF_MAX_SEGMENTS */
	struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/*
 * Check that image (size bytes) is an ELF-64 x86-64 little-endian static
 * executable whose loadable segments fit in [user_lo, user_hi), do not
 * overlap, are never writable and executable, and whose entry point is in
 * an executable segment. Returns NULL and fills out on success; otherwise
 * returns err filled with a message naming the problem, e.g. "program
 * header 2: file range 0x1000+0x5000 outside image of 0x3000 bytes".
 * Never reads outside [image, image + size); image need not be aligned.
 * PT_LOAD segments with memsz 0 are ignored; other segment types than
 * PT_LOAD, PT_INTERP and PT_DYNAMIC are ignored.
 */
const char *elf_check(const void *image, size_t size, uint64_t user_lo,
		      uint64_t user_hi, struct elf_image *out, char *err,
		      size_t errlen);

#endif
