/*
 * Task creation and the kernel memory quota (see task.h).
 */
#include "arch.h"
#include "console.h"
#include "kstring.h"
#include "mapping.h"
#include "memory.h"
#include "paging.h"
#include "syscalls.h"
#include "task.h"
#include "thread.h"
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
	task->parent = parent;
	if (parent) {
		task->sibling = parent->children;
		parent->children = task;
	}
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

void task_object_free(struct object *o)
{
	/* Quota for the page went back when the object was destroyed. */
	if (o->type == OBJECT_THREAD)
		page_free(virt_to_phys(thread_from_object(o)));
	else
		page_free(virt_to_phys(o));
}

static void unlink_child(struct task *parent, struct task *child)
{
	struct task **link = &parent->children;
	while (*link != child)
		link = &(*link)->sibling;
	*link = child->sibling;
}

/* Everything in the cap space is dropped; then its pages go. */
static void free_caps(struct task *task)
{
	for (uint64_t sel = 0; sel < task->caps.size; sel++) {
		struct object *o = cap_clear(cap_slot(&task->caps, sel));
		if (o)
			object_destroy(o);
	}
	for (uint64_t i = 0; i < leaf_count(task->caps.size); i++)
		task_page_free(task, virt_to_phys(task->caps.leaves[i]));
	task_page_free(task, virt_to_phys(task->caps.leaves));
	task->caps.size = 0;
}

enum status task_destroy(struct task *task, struct thread *by)
{
	if (!task->object.dead) {
		task->object.dead = true;
		task->object.references++; /* until the end, whatever free_caps drops */
		while (task->threads) {
			struct thread *t = task->threads;
			task->threads = t->task_next;
			thread_kill(t);
		}
	}
	if (!mapping_remove_all(task, by))
		return STATUS_RESTART;
	mapping_free_nodes(task);
	paging_destroy_user(task);
	task_page_free(task, task->page_table_root);
	free_caps(task);
	struct task *parent = task->parent;
	unlink_child(parent, task);
	while (task->children) {
		struct task *child = task->children;
		task->children = child->sibling;
		child->parent = parent;
		child->sibling = parent->children;
		parent->children = child;
	}
	/* Its quota, and the task's own page (freed with its last reference). */
	parent->quota_pages += task->quota_pages + 1;
	task->quota_pages = 0;
	task->parent = NULL;
	task->destroyed = true;
	object_release(&task->object);
	return STATUS_OK;
}

/* task_destroy(task): CONTROL; not the caller's own task, not the root
 * task. Restartable. */
enum status sys_task_destroy(struct thread *t, struct frame *f)
{
	uint64_t sel = f->rdi;
	/* Not cap_lookup: a destruction that restarted names a dead task. */
	if (sel >= t->task->caps.size || !cap_slot(&t->task->caps, sel)->object)
		return STATUS_BAD_CAP;
	struct cap *c = cap_slot(&t->task->caps, sel);
	if (c->object->type != OBJECT_TASK)
		return STATUS_BAD_TYPE;
	if (!(c->rights & RIGHT_CONTROL))
		return STATUS_NO_RIGHTS;
	struct task *victim = (struct task *)c->object;
	if (victim->destroyed)
		return STATUS_BAD_CAP;
	if (victim == t->task || victim == root_task)
		return STATUS_NO_RIGHTS;
	return task_destroy(victim, t);
}

/* task_quota(task): its kernel memory quota left, in rsi (CONTROL). */
enum status sys_task_quota(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = cap_lookup(&t->task->caps, f->rdi, OBJECT_TASK, RIGHT_CONTROL, &c);
	if (s == STATUS_OK)
		f->rsi = ((struct task *)c->object)->quota_pages;
	return s;
}
