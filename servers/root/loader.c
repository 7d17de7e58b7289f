/*
 * The root task's ELF loader (see loader.h).
 */
#include "loader.h"

#include <stdio.h>
#include <string.h>
#include <vireo/bootinfo.h>
#include <vireo/startinfo.h>

const char *loader_check(const void *image, size_t size, struct elf_image *elf, char *err,
			 size_t errlen)
{
	return elf_check(image, size, STARTINFO_IMAGE_BOTTOM, STARTINFO_IMAGE_TOP, elf, err,
			 errlen);
}

static void *window_of(uint64_t physical)
{
	return (void *)(uintptr_t)(BOOTINFO_PHYS_WINDOW + physical);
}

enum status loader_map_fresh(cap_selector task, uint64_t address, uint64_t pages, unsigned flags,
			     const char *what, struct page_list *list, void **window, char *err,
			     size_t errlen)
{
	uint64_t physical = page_list_take(list, pages);

	if (physical == 0) {
		snprintf(err, errlen, "%s: no %llu contiguous free pages of user memory left", what,
			 (unsigned long long)pages);
		return STATUS_NO_MEM;
	}
	/* The frames hold whatever their last user left. */
	memset(window_of(physical), 0, pages * PAGE_SIZE);
	struct mem_progress left;
	enum status s =
	    sys_mem_map(task, (uintptr_t)window_of(physical), address, pages, flags, &left);
	if (s != STATUS_OK) {
		snprintf(err, errlen, "%s: mem_map to %#llx: %s at page %#llx", what,
			 (unsigned long long)address, status_name(s), (unsigned long long)left.dst);
		return s;
	}
	if (window)
		*window = window_of(physical);
	return STATUS_OK;
}

/* The mem_map rights of a segment's ELF flags (W^X: elf_check refused a
 * segment with both). */
static unsigned segment_rights(uint32_t flags)
{
	if (flags & PF_X)
		return MEM_EXECUTE;
	return flags & PF_W ? MEM_WRITE : 0;
}

enum status loader_load(cap_selector task, const void *image, const struct elf_image *elf,
			struct page_list *list, char *err, size_t errlen)
{
	for (size_t i = 0; i < elf->segment_count; i++) {
		const struct elf_segment *s = &elf->segments[i];
		uint64_t first = s->vaddr & ~(uint64_t)(PAGE_SIZE - 1);
		/* elf_check: vaddr + memsz is inside the user range. */
		uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		char what[64];
		void *pages;

		snprintf(what, sizeof(what), "segment %#llx+%#llx", (unsigned long long)s->vaddr,
			 (unsigned long long)s->memsz);
		enum status status =
		    loader_map_fresh(task, first, (end - first) / PAGE_SIZE,
				     segment_rights(s->flags), what, list, &pages, err, errlen);
		if (status != STATUS_OK)
			return status;
		/* The mapping is the task's view; the root task still writes
		 * the frames through its window. */
		memcpy((char *)pages + (s->vaddr - first), (const char *)image + s->offset,
		       s->filesz);
	}
	return STATUS_OK;
}
