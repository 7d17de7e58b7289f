/*
 * The root task's ELF loader: puts a task's program, heap, stack and
 * start-up block into the task's address space (the layout of
 * <vireo/startinfo.h>). The image is checked by the kernel's own checker,
 * kernel/lib/elf.c (compiled into the root task as it is), before a byte
 * is copied: a task image gets exactly the checks the root task's image
 * got. Each segment is copied into fresh pages of the root task's memory
 * (pages.h), the rest of its pages zeroed, and mapped into the task with
 * the segment's rights, never writable and executable at once.
 */
#ifndef ROOT_LOADER_H
#define ROOT_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include <vireo/sys.h>

#include "elf.h"
#include "pages.h"

/*
 * Check `image` (size bytes) as a task's program: a static x86-64 ELF
 * executable whose segments lie in [STARTINFO_IMAGE_BOTTOM,
 * STARTINFO_IMAGE_TOP). Returns NULL and fills *elf, or err filled with
 * what is wrong.
 */
const char *loader_check(const void *image, size_t size, struct elf_image *elf, char *err,
			 size_t errlen);

/*
 * Copy the checked image's segments into fresh pages from `list` (which
 * records them for the task's end) and map them into `task` (CONTROL).
 * Returns OK, or the status of the call that failed with err saying which
 * segment and call (pages mapped before stay; the caller destroys the
 * task).
 */
enum status loader_load(cap_selector task, const void *image, const struct elf_image *elf,
			struct page_list *list, char *err, size_t errlen);

/*
 * Map `pages` fresh zeroed pages, taken with `list`, at `address` in
 * `task` with `flags` (MEM_WRITE, MEM_EXECUTE or 0: read-only); `what`
 * names them in err. *window (if not NULL) is where the root task reaches
 * them. Returns OK, NO_MEM when the pool is out of pages (or the list is
 * full), or the status of the mem_map.
 */
enum status loader_map_fresh(cap_selector task, uint64_t address, uint64_t pages, unsigned flags,
			     const char *what, struct page_list *list, void **window, char *err,
			     size_t errlen);

#endif
