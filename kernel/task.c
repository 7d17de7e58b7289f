/*
 * Task creation and destruction, the kernel memory quota, and the I/O
 * ports a task may use (see task.h).
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

/*
 * I/O ports. A task's bitmap (struct io_bitmap, arch.h) has a bit per
 * port, set = denied; thread_resume loads it into the TSS when a thread
 * of another task runs next. Ranges are worked on a byte at a time, so
 * the longest (all 65536 ports) is 8192 steps.
 */

static uint8_t *io_byte(const struct io_bitmap *b, uint32_t i)
{
	return &b->pages[i / IO_BITMAP_PAGE_BYTES][i % IO_BITMAP_PAGE_BYTES];
}

/* The bits of bitmap byte i that the ports [first, end) cover. */
static uint8_t io_range_mask(uint32_t i, uint32_t first, uint32_t end)
{
	uint32_t low = first > i * 8 ? first - i * 8 : 0;
	uint32_t high = end < i * 8 + 8 ? end - i * 8 : 8;
	return (uint8_t)(((1u << high) - 1) & ~((1u << low) - 1));
}

/* Whether b allows every port of [first, end) (first < end). */
static bool io_ports_held(const struct io_bitmap *b, uint32_t first, uint32_t end)
{
	if (!b->bytes)
		return false;
	for (uint32_t i = first / 8; i <= (end - 1) / 8; i++)
		if (*io_byte(b, i) & io_range_mask(i, first, end))
			return false;
	return true;
}

/* Allows (or denies) the ports [first, end) in b, which has its pages,
 * and keeps b->bytes one past the last byte with a port allowed. */
static void io_ports_set(struct io_bitmap *b, uint32_t first, uint32_t end, bool allow)
{
	uint32_t last = (end - 1) / 8;
	for (uint32_t i = first / 8; i <= last; i++) {
		uint8_t *byte = io_byte(b, i), mask = io_range_mask(i, first, end);
		*byte = allow ? *byte & ~mask : *byte | mask;
	}
	if (allow && last + 1 > b->bytes)
		b->bytes = last + 1;
	while (!allow && b->bytes && *io_byte(b, b->bytes - 1) == 0xff)
		b->bytes--;
}

static void io_bitmap_free(struct task *task)
{
	struct io_bitmap *b = &task->io_ports;
	cpu_forget_io_bitmap(this_cpu(), b);
	for (unsigned i = 0; i < IO_BITMAP_PAGES; i++)
		if (b->pages[i])
			task_page_free(task, virt_to_phys(b->pages[i]));
	*b = (struct io_bitmap){0};
}

/* The task's bitmap pages, all ports denied, paid from its quota. */
static enum status io_bitmap_alloc(struct task *task)
{
	struct io_bitmap *b = &task->io_ports;
	for (unsigned i = 0; i < IO_BITMAP_PAGES; i++) {
		uint64_t page = task_page_alloc(task);
		if (!page) {
			io_bitmap_free(task);
			return STATUS_NO_MEM;
		}
		b->pages[i] = phys_to_virt(page);
		memset(b->pages[i], 0xff, IO_BITMAP_PAGE_BYTES);
	}
	return STATUS_OK;
}

enum status task_io_ports_all(struct task *task)
{
	enum status s = io_bitmap_alloc(task);
	if (s == STATUS_OK)
		io_ports_set(&task->io_ports, 0, IO_PORT_COUNT, true);
	return s;
}

/* io_ports(task, first, count, flags): CONTROL on task; the caller must
 * hold every port of the range itself, to give it or to take it. */
enum status sys_io_ports(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = cap_lookup(&t->task->caps, f->rdi, OBJECT_TASK, RIGHT_CONTROL, &c);
	if (s != STATUS_OK)
		return s;
	uint64_t first = f->rsi, count = f->rdx;
	if ((f->r10 & ~(uint64_t)IO_REVOKE) || count == 0 || first >= IO_PORT_COUNT ||
	    count > IO_PORT_COUNT - first)
		return STATUS_BAD_ARG;
	uint32_t end = (uint32_t)(first + count);
	if (!io_ports_held(&t->task->io_ports, (uint32_t)first, end))
		return STATUS_NO_RIGHTS;
	struct task *target = (struct task *)c->object;
	bool allow = !(f->r10 & IO_REVOKE);
	if (!target->io_ports.pages[0]) {
		if (!allow)
			return STATUS_OK; /* it has no ports to take */
		s = io_bitmap_alloc(target);
		if (s != STATUS_OK)
			return s;
	}
	io_ports_set(&target->io_ports, (uint32_t)first, end, allow);
	/* The TSS may hold the old bitmap: copied again when needed, and at
	 * once when the caller changed its own ports. */
	cpu_forget_io_bitmap(this_cpu(), &target->io_ports);
	if (target == t->task)
		cpu_switch_io_bitmap(this_cpu(), &target->io_ports);
	return STATUS_OK;
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
	io_bitmap_free(task);
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
	if (s != STATUS_OK)
		return s;
	f->rsi = ((struct task *)c->object)->quota_pages;
	/* The resource owner also sees the kernel pool, so it (and the leak
	 * checks of ktest) can tell what the kernel itself holds; other tasks
	 * see only their own budget. */
	f->rdx = t->task == root_task ? memory_free_pages() : 0;
	return STATUS_OK;
}
