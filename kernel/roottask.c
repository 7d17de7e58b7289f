/*
 * Loading the root task (see roottask.h). The ELF image was checked by
 * elf_check() before any of it is used, so the loader below only copies
 * what the checker has proven to lie inside the image and user space.
 */
#include "arch.h"
#include "console.h"
#include "elf.h"
#include "format.h"
#include "irq.h"
#include "kstring.h"
#include "mapping.h"
#include "memory.h"
#include "paging.h"
#include "roottask.h"
#include "thread.h"
#include "uapi/vireo/bootinfo.h"
#include "usercopy.h"

_Noreturn static void reject(const char *fmt, const char *detail)
{
	char message[256];
	format(message, sizeof(message), fmt, detail);
	kprintf("vireo: root task image rejected: %s\n", message);
	platform_shutdown(SHUTDOWN_BAD_ROOT_TASK);
}

/* The root task's boot mappings are originals: it may pass them on. */
static void map_or_panic(struct task *task, uint64_t va, uint64_t pa, unsigned rights)
{
	enum status s = mapping_add_original(task, va, pa, rights);
	if (s != STATUS_OK)
		panic("root task: cannot map 0x%lx: %s", va, status_name(s));
}

/* A zeroed page paid from the root task's quota. */
static uint64_t root_page(struct task *task)
{
	uint64_t page = task_page_alloc(task);
	if (!page)
		panic("root task: out of memory");
	return page;
}

/* Maps fresh zeroed pages over [va, va+size). */
static void map_fresh(struct task *task, uint64_t va, uint64_t size, unsigned rights)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		map_or_panic(task, va + off, root_page(task), rights);
}

static void load_segment(struct task *task, const uint8_t *image, const struct elf_segment *s)
{
	unsigned rights = (s->flags & PF_W ? MAP_WRITE : 0) | (s->flags & PF_X ? MAP_EXECUTE : 0);
	uint64_t first = s->vaddr & ~(PAGE_SIZE - 1);
	uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	for (uint64_t va = first; va < end; va += PAGE_SIZE) {
		uint64_t page = root_page(task);
		/* Copy the part of [vaddr, vaddr+filesz) that falls in this page. */
		uint64_t from = va > s->vaddr ? va : s->vaddr;
		uint64_t to = s->vaddr + s->filesz < va + PAGE_SIZE ? s->vaddr + s->filesz
								      : va + PAGE_SIZE;
		if (from < to)
			memcpy((uint8_t *)phys_to_virt(page) + (from - va),
			       image + s->offset + (from - s->vaddr), to - from);
		map_or_panic(task, va, page, rights);
	}
}

/* Splits "name args..." at the first space; rejects over-long parts. */
static void split_module_string(const char *string, struct bootinfo_module *m)
{
	size_t name_length = 0;
	while (string[name_length] && string[name_length] != ' ')
		name_length++;
	if (name_length >= sizeof(m->name))
		reject("module name '%s' is longer than 63 characters", string);
	memcpy(m->name, string, name_length);
	m->name[name_length] = 0;
	const char *args = string + name_length;
	while (*args == ' ')
		args++;
	if (strlen(args) >= sizeof(m->args))
		reject("arguments of module '%s' are longer than 255 characters", m->name);
	kstrlcpy(m->args, args, sizeof(m->args));
}

void root_task_create(const struct mb2_info *boot, uint64_t tsc_khz, uint64_t hpet_address)
{
	static struct bootinfo info;
	info = (struct bootinfo){
		.magic = BOOTINFO_MAGIC,
		.size = sizeof(info),
		.heap_start = ROOT_HEAP_BASE,
		.heap_size = ROOT_HEAP_SIZE,
		.tsc_khz = tsc_khz,
		.hpet_address = hpet_address,
		.module_count = boot->module_count,
	};
	const struct mb2_module *root = NULL;
	for (size_t i = 0; i < boot->module_count; i++) {
		split_module_string(boot->modules[i].string, &info.modules[i]);
		if (!root && !strcmp(info.modules[i].name, "root")) {
			root = &boot->modules[i];
			kstrlcpy(info.cmdline, info.modules[i].args, sizeof(info.cmdline));
		}
	}
	if (!root)
		reject("%s", "no multiboot module is named 'root'");

	static struct elf_image elf;
	char err[200];
	if (elf_check(phys_to_virt(root->start), root->end - root->start, USER_BOTTOM,
		      ROOT_IMAGE_LIMIT, &elf, err, sizeof(err)))
		reject("%s", err);

	/* Kernel memory the root task may use: all there is. It hands parts
	 * on to the tasks it creates. */
	struct task *task = task_create(NULL, "root", memory_free_pages(), ROOT_CAP_SLOTS);
	struct thread *thread;
	if (!task || thread_create(NULL, task, ROOT_PRIORITY, ROOT_UTCB, &thread) != STATUS_OK)
		panic("root task: out of memory");
	/* The task's and the thread's own pages had no parent to pay for
	 * them: the quota is what is left now, every page of it in the pool
	 * (ktest pool-at-start). */
	task->quota_pages = memory_free_pages();
	info.utcb = ROOT_UTCB;
	root_task = task;
	/* All I/O ports, COM1 too: the kernel's own use of it at CPL 0 does
	 * not depend on the bitmap (doc/syscalls.md, io_ports). */
	if (task_io_ports_all(task) != STATUS_OK)
		panic("root task: out of memory");
	/* Device memory, the HPET's registers among it, is in the window. */
	if (hpet_address)
		info.hpet = BOOTINFO_PHYS_WINDOW + hpet_address;
	const struct mem_range *memory;
	info.memory_count = memory_root_ranges(&memory);
	for (size_t i = 0; i < info.memory_count; i++)
		info.memory[i] = (struct bootinfo_memory){memory[i].base, memory[i].length};
	task->main_thread = thread;
	cap_install(cap_slot(&task->caps, CAP_SELF_THREAD), &thread->object, RIGHTS_ALL, 0);
	for (size_t i = 0; i < elf.segment_count; i++)
		load_segment(task, phys_to_virt(root->start), &elf.segments[i]);

	/* Modules, read-only, each on its own pages with a guard page between. */
	uint64_t va = ROOT_MODULES_BASE;
	for (size_t i = 0; i < boot->module_count; i++) {
		const struct mb2_module *m = &boot->modules[i];
		uint64_t first = m->start & ~(PAGE_SIZE - 1);
		info.modules[i].address = va + (m->start - first);
		info.modules[i].size = m->end - m->start;
		for (uint64_t pa = first; pa < m->end; pa += PAGE_SIZE, va += PAGE_SIZE)
			map_or_panic(task, va, pa, MAP_READ);
		va += PAGE_SIZE;
	}

	map_fresh(task, ROOT_HEAP_BASE, ROOT_HEAP_SIZE, MAP_WRITE);
	map_fresh(task, ROOT_STACK_TOP - ROOT_STACK_SIZE, ROOT_STACK_SIZE, MAP_WRITE);
	map_fresh(task, ROOT_BOOTINFO, sizeof(info), MAP_READ);
	info.kernel_pages = task->quota_pages;
	if (copy_to_task(task, ROOT_BOOTINFO, &info, sizeof(info)) != STATUS_OK)
		panic("root task: boot info not mapped");

	/* rsp as right after a call: the entry is an ordinary C function. */
	thread_start(thread, elf.entry, ROOT_STACK_TOP - 8, ROOT_BOOTINFO);
	kprintf("vireo: root task loaded: %lu segments, entry 0x%lx, %lu modules\n",
		(uint64_t)elf.segment_count, elf.entry, (uint64_t)boot->module_count);
	struct wx_report wx = paging_check_wx(task->page_table_root, 0);
	kprintf("vireo: W^X check: root task: %lu user pages, %lu writable+executable\n",
		wx.pages, wx.writable_executable);
	if (wx.writable_executable)
		panic("root task page 0x%lx is writable and executable", wx.first_bad_va);
}
