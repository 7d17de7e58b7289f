/*
 * User memory access by software page-table walk (see usercopy.h).
 */
#include "arch.h"
#include "kstring.h"
#include "memory.h"
#include "paging.h"
#include "usercopy.h"

enum direction { TO_KERNEL, TO_USER };

/*
 * Copies len bytes between kernel buffer `kernel` and user range [va,
 * va+len) of task, page by page through the direct map. Every page is
 * checked first (present, user, writable if need_write, and RAM: device
 * memory is not in the direct map above RAM, and must not be read through
 * a cached mapping anyway), so a copy either happens whole or not at all.
 */
static enum status copy(struct task *task, uint64_t va, void *kernel, size_t len,
			enum direction dir, int need_write)
{
	if (len == 0)
		return STATUS_OK;
	if (va + len < va || va + len > USER_TOP)
		return STATUS_BAD_ADDRESS;
	uint64_t root = task->page_table_root;
	for (uint64_t page = va & ~(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE) {
		uint64_t pa = paging_user_to_phys(root, page, need_write);
		if (pa == PAGING_NO_ACCESS || !memory_is_ram(pa))
			return STATUS_BAD_ADDRESS;
	}
	for (size_t done = 0, n; done < len; done += n) {
		uint64_t at = va + done;
		size_t room = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		n = len - done < room ? len - done : room;
		uint8_t *user = phys_to_virt(paging_user_to_phys(root, at, 0));
		if (dir == TO_USER)
			memcpy(user, (uint8_t *)kernel + done, n);
		else
			memcpy((uint8_t *)kernel + done, user, n);
	}
	return STATUS_OK;
}

enum status copy_from_user(struct thread *t, void *dst, uint64_t src, size_t len)
{
	return copy(t->task, src, dst, len, TO_KERNEL, 0);
}

enum status copy_to_user(struct thread *t, uint64_t dst, const void *src, size_t len)
{
	return copy(t->task, dst, (void *)src, len, TO_USER, 1);
}

enum status copy_to_task(struct task *task, uint64_t dst, const void *src, size_t len)
{
	return copy(task, dst, (void *)src, len, TO_USER, 0);
}

enum status copy_string_from_user(struct thread *t, char *dst, uint64_t src, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		enum status s = copy_from_user(t, &dst[i], src + i, 1);
		if (s != STATUS_OK)
			return s;
		if (dst[i] == 0)
			return STATUS_OK;
	}
	return STATUS_BAD_ARG;
}
