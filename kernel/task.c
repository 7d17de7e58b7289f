/*
 * Task creation and the kernel memory quota (see task.h).
 */
#include "arch.h"
#include "console.h"
#include "kstring.h"
#include "memory.h"
#include "paging.h"
#include "syscalls.h"
#include "task.h"
#include "usercopy.h"

_Static_assert(sizeof(struct task) <= PAGE_SIZE, "a task fits one page");

struct task *root_task;

uint64_t task_page_alloc(struct task *task)
{
	if (task && task->quota_pages == 0)
		return 0;
	uint64_t page = page_alloc();
	if (page && task)
		task->quota_pages--;
	return page;
}

void task_page_free(struct task *task, uint64_t page)
{
	page_free(page);
	if (task)
		task->quota_pages++;
}

static uint64_t leaf_count(uint64_t slots)
{
	return (slots + CAP_SLOTS_PER_LEAF - 1) / CAP_SLOTS_PER_LEAF;
}

/* Gives back what task_create took; pages[] may hold zeros. */
static void free_pages(const uint64_t *pages, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pages[i])
			page_free(pages[i]);
}

struct task *task_create(struct task *parent, const char *name, uint64_t quota,
			 uint64_t cap_slots)
{
	if (cap_slots <= CAP_FIRST_FREE || cap_slots > TASK_MAX_CAP_SLOTS)
		return NULL;
	/* The task, its PML4, the leaf directory and the leaves. */
	size_t n = 3 + leaf_count(cap_slots);
	/* Two comparisons, so a huge quota cannot wrap n + quota around. */
	if (parent && (parent->quota_pages < n || parent->quota_pages - n < quota))
		return NULL;
	uint64_t pages[3 + TASK_MAX_CAP_SLOTS / CAP_SLOTS_PER_LEAF] = {0};
	pages[1] = paging_create_address_space();
	for (size_t i = 0; i < n; i++) {
		if (i != 1)
			pages[i] = page_alloc();
		if (!pages[i]) {
			free_pages(pages, n);
			return NULL;
		}
	}
	if (parent)
		parent->quota_pages -= n + quota;
	struct task *task = phys_to_virt(pages[0]);
	task->object.type = OBJECT_TASK;
	task->page_table_root = pages[1];
	struct cap **leaves = phys_to_virt(pages[2]);
	for (size_t i = 3; i < n; i++)
		leaves[i - 3] = phys_to_virt(pages[i]);
	task->caps = (struct cap_space){leaves, cap_slots};
	task->quota_pages = quota;
	kstrlcpy(task->name, name, sizeof(task->name));
	cap_install(cap_slot(&task->caps, CAP_SELF_TASK), &task->object, RIGHTS_ALL, 0);
	return task;
}

/* task_create(dst, quota_pages, cap_slots, name): name is a user string
 * of at most TASK_NAME_MAX - 1 characters. */
enum status sys_task_create(struct thread *t, struct frame *f)
{
	struct cap *slot;
	enum status s = cap_empty_slot(&t->task->caps, f->rdi, &slot);
	if (s != STATUS_OK)
		return s;
	if (f->rdx <= CAP_FIRST_FREE || f->rdx > TASK_MAX_CAP_SLOTS)
		return STATUS_BAD_ARG;
	char name[TASK_NAME_MAX];
	s = copy_string_from_user(t, name, f->r10, sizeof(name));
	if (s != STATUS_OK)
		return s;
	struct task *task = task_create(t->task, name, f->rsi, f->rdx);
	if (!task)
		return STATUS_NO_MEM;
	cap_install(slot, &task->object, RIGHTS_ALL, 0);
	return STATUS_OK;
}
