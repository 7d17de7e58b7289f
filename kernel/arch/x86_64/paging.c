/*
 * Kernel page tables and user address spaces (Intel SDM vol. 3A §4.5).
 *
 * The kernel half (PML4 entries 256..511) is built once by paging_init()
 * and shared by every address space: each PML4 entry there points to a
 * page-directory-pointer table allocated at boot, so later kernel mappings
 * (MMIO) appear in every task without copying. Permissions follow W^X:
 * kernel text is read+execute, read-only data read-only, everything else
 * (data, bss, the direct map of RAM, device memory) no-execute.
 */
#include "arch.h"
#include "console.h"
#include "kstring.h"
#include "memory.h"
#include "paging.h"
#include "task.h"
#include "x86.h"

extern char kernel_text_start[], kernel_text_end[];
extern char kernel_rodata_start[], kernel_rodata_end[];
extern char kernel_data_start[], kernel_data_end[];

static uint64_t kernel_root;
static uint64_t mmio_next = MMIO_BASE;

#define ENTRIES 512
#define LEVEL_SHIFT(level) (12 + 9 * (level)) /* level 3 = PML4 .. 0 = PT */

static inline uint64_t *table(uint64_t phys)
{
	return phys_to_virt(phys & PTE_ADDR);
}

static inline unsigned index_of(uint64_t va, int level)
{
	return (va >> LEVEL_SHIFT(level)) & (ENTRIES - 1);
}

/*
 * The entry for va at `level` (0: 4 KiB page table entry, 1: 2 MiB page
 * directory entry), creating missing tables with table_flags. Returns NULL
 * when a table cannot be allocated or a large page is in the way.
 */
static uint64_t *walk_create(uint64_t root, uint64_t va, int level, uint64_t table_flags)
{
	uint64_t *t = table(root);
	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[index_of(va, l)];
		if (!(*e & PTE_P)) {
			uint64_t page = page_alloc();
			if (!page)
				return NULL;
			*e = page | table_flags;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		t = table(*e);
	}
	return &t[index_of(va, level)];
}

static void map_kernel_range(uint64_t va, uint64_t end, uint64_t flags)
{
	for (; va < end; va += PAGE_SIZE) {
		uint64_t *e = walk_create(kernel_root, va, 0, PTE_P | PTE_W);
		if (!e)
			panic("paging: out of memory mapping the kernel at 0x%lx", va);
		*e = (va - KERNEL_VIRT) | flags;
	}
}

void paging_init(uint64_t max_phys)
{
	kernel_root = page_alloc();
	if (!kernel_root)
		panic("paging: no memory for the kernel page tables");
	uint64_t *pml4 = table(kernel_root);
	for (int i = ENTRIES / 2; i < ENTRIES; i++) {
		uint64_t page = page_alloc();
		if (!page)
			panic("paging: no memory for the kernel page tables");
		pml4[i] = page | PTE_P | PTE_W;
	}

	/* Direct map of RAM with 2 MiB pages, read-write, never executable. */
	uint64_t end = (max_phys + (2ull << 20) - 1) & ~((2ull << 20) - 1);
	for (uint64_t pa = 0; pa < end; pa += 2ull << 20) {
		uint64_t *e = walk_create(kernel_root, DIRECT_MAP_BASE + pa, 1, PTE_P | PTE_W);
		if (!e)
			panic("paging: out of memory for the direct map at 0x%lx", pa);
		*e = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
	}

	const uint64_t kernel = PTE_P | PTE_G;
	map_kernel_range((uint64_t)kernel_text_start, (uint64_t)kernel_text_end, kernel);
	map_kernel_range((uint64_t)kernel_rodata_start, (uint64_t)kernel_rodata_end,
			 kernel | PTE_NX);
	map_kernel_range((uint64_t)kernel_data_start, (uint64_t)kernel_data_end,
			 kernel | PTE_W | PTE_NX);
	write_cr3(kernel_root);
}

uint64_t paging_kernel_root(void)
{
	return kernel_root;
}

uint64_t paging_create_address_space(void)
{
	uint64_t root = page_alloc();
	if (!root)
		return 0;
	memcpy(table(root) + ENTRIES / 2, table(kernel_root) + ENTRIES / 2,
	       ENTRIES / 2 * sizeof(uint64_t));
	return root;
}

/*
 * A new table for a user space, paid from task's quota. A page table (the
 * last level) gets a node table beside it: one struct mapping pointer per
 * entry, found through the page table's frame_meta word (memory.h), so the
 * mapping database node of any user page is one table walk away.
 */
static uint64_t new_user_table(struct task *task, bool leaf)
{
	if (task->quota_pages < (leaf ? 2u : 1u))
		return 0;
	uint64_t page = task_page_alloc(task);
	if (!page || !leaf)
		return page;
	uint64_t nodes = task_page_alloc(task);
	if (!nodes) {
		task_page_free(task, page);
		return 0;
	}
	*memory_frame_meta(page) = nodes;
	return page;
}

/* Entry i of page table t, and its slot in the table's node table. */
static struct user_entry entry_in(uint64_t *t, unsigned i)
{
	struct mapping **nodes = phys_to_virt(*memory_frame_meta(virt_to_phys(t)));
	return (struct user_entry){&t[i], &nodes[i]};
}

enum status paging_user_entry(struct task *task, uint64_t va, bool create,
			      struct user_entry *out)
{
	if (va < USER_BOTTOM || va >= USER_TOP || (va & (PAGE_SIZE - 1)))
		return STATUS_BAD_ADDRESS;
	uint64_t *t = table(task->page_table_root);
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &t[index_of(va, level)];
		if (!(*e & PTE_P)) {
			if (!create)
				return STATUS_NOT_FOUND;
			uint64_t page = new_user_table(task, level == 1);
			if (!page)
				return STATUS_NO_MEM;
			/* Rights are decided in the last level alone. */
			*e = page | PTE_P | PTE_W | PTE_U;
		}
		t = table(*e);
	}
	*out = entry_in(t, index_of(va, 0));
	return STATUS_OK;
}

uint64_t paging_user_pte(uint64_t pa, unsigned rights)
{
	return pa | PTE_P | PTE_U | (rights & MAP_WRITE ? PTE_W : 0) |
	       (rights & MAP_EXECUTE ? 0 : PTE_NX) |
	       (rights & MAP_UNCACHED ? PTE_PCD | PTE_PWT : 0);
}

unsigned paging_pte_rights(uint64_t pte)
{
	return (pte & PTE_W ? MAP_WRITE : 0) | (pte & PTE_NX ? 0 : MAP_EXECUTE) |
	       (pte & PTE_PCD ? MAP_UNCACHED : 0);
}

uint64_t paging_pte_frame(uint64_t pte)
{
	return pte & PTE_ADDR;
}

void paging_clear_user(struct task *task, struct user_entry e, uint64_t va)
{
	*e.pte = 0;
	*e.node = NULL;
	/* Other spaces' user entries leave the TLB when CR3 is next written
	 * (no PCIDs, no global user pages: SDM vol. 3A §4.10.4.1). */
	if (read_cr3() == task->page_table_root)
		invlpg(va);
}

enum status paging_map_user(struct task *task, uint64_t va, uint64_t pa, unsigned rights)
{
	struct user_entry e;
	enum status s = paging_user_entry(task, va, true, &e);
	if (s == STATUS_OK && (*e.pte & PTE_P))
		s = STATUS_BUSY;
	if (s == STATUS_OK && (pa & (PAGE_SIZE - 1)))
		s = STATUS_BAD_ADDRESS;
	if (s == STATUS_OK)
		*e.pte = paging_user_pte(pa, rights);
	return s;
}

bool paging_next_mapped(struct task *task, uint64_t *va, struct user_entry *out)
{
	for (uint64_t v = *va < USER_BOTTOM ? USER_BOTTOM : *va; v < USER_TOP;) {
		uint64_t *t = table(task->page_table_root);
		int level = 3;
		for (; level > 0 && (t[index_of(v, level)] & PTE_P); level--)
			t = table(t[index_of(v, level)]);
		if (level > 0) {
			/* No table here: on to the next one of this level. */
			v = (v | ((1ull << LEVEL_SHIFT(level)) - 1)) + 1;
			continue;
		}
		if (t[index_of(v, 0)] & PTE_P) {
			*out = entry_in(t, index_of(v, 0));
			*va = v;
			return true;
		}
		v += PAGE_SIZE;
	}
	return false;
}

/* Frees the user half's tables (and node tables) back to task's quota.
 * The entries must be empty: the mappings were removed first. */
static void free_user_tables(struct task *task, uint64_t t, int level)
{
	uint64_t *entries = table(t);
	for (unsigned i = 0; level > 0 && i < (level == 3 ? ENTRIES / 2 : ENTRIES); i++)
		if (entries[i] & PTE_P)
			free_user_tables(task, entries[i] & PTE_ADDR, level - 1);
	if (level == 0) {
		task_page_free(task, *memory_frame_meta(t));
		*memory_frame_meta(t) = 0;
	}
	if (level < 3)
		task_page_free(task, t);
}

void paging_destroy_user(struct task *task)
{
	free_user_tables(task, task->page_table_root, 3);
}

uint64_t paging_user_to_phys(uint64_t root, uint64_t va, int want_write)
{
	if (va < USER_BOTTOM || va >= USER_TOP)
		return PAGING_NO_ACCESS;
	uint64_t required = PTE_P | PTE_U | (want_write ? PTE_W : 0);
	uint64_t *t = table(root);
	for (int level = 3;; level--) {
		uint64_t e = t[index_of(va, level)];
		if ((e & required) != required)
			return PAGING_NO_ACCESS;
		if (level == 0 || (e & PTE_PS)) {
			uint64_t size = 1ull << LEVEL_SHIFT(level);
			return ((e & PTE_ADDR) & ~(size - 1)) + (va & (size - 1));
		}
		t = table(e);
	}
}

volatile void *paging_map_mmio(uint64_t phys, size_t size)
{
	uint64_t offset = phys & (PAGE_SIZE - 1);
	uint64_t va = mmio_next;
	for (uint64_t p = phys - offset; p < phys + size; p += PAGE_SIZE) {
		uint64_t *e = walk_create(kernel_root, mmio_next, 0, PTE_P | PTE_W);
		if (!e)
			panic("paging: out of memory mapping MMIO 0x%lx", phys);
		*e = p | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | PTE_NX;
		mmio_next += PAGE_SIZE;
	}
	return (volatile void *)(va + offset);
}

/* Sign-extends a 48-bit address (SDM vol. 3A §3.3.7.1, canonical form). */
static uint64_t canonical(uint64_t va)
{
	return va & (1ull << 47) ? va | 0xffff000000000000ull : va;
}

static void check_table(uint64_t t, int level, uint64_t va, bool writable, bool executable,
			struct wx_report *r)
{
	uint64_t *entries = table(t);
	for (unsigned i = 0; i < ENTRIES; i++) {
		uint64_t e = entries[i];
		if (!(e & PTE_P))
			continue;
		uint64_t at = canonical(va | (uint64_t)i << LEVEL_SHIFT(level));
		bool w = writable && (e & PTE_W), x = executable && !(e & PTE_NX);
		if (level > 0 && !(e & PTE_PS)) {
			check_table(e, level - 1, at, w, x, r);
			continue;
		}
		uint64_t pages = 1ull << (9 * level);
		r->pages += pages;
		if (w && x) {
			if (!r->writable_executable)
				r->first_bad_va = at;
			r->writable_executable += pages;
		}
	}
}

struct wx_report paging_check_wx(uint64_t root, int kernel_half)
{
	struct wx_report r = {0};
	uint64_t *pml4 = table(root);
	unsigned from = kernel_half ? ENTRIES / 2 : 0, to = kernel_half ? ENTRIES : ENTRIES / 2;
	for (unsigned i = from; i < to; i++) {
		if (!(pml4[i] & PTE_P))
			continue;
		check_table(pml4[i], 2, canonical((uint64_t)i << LEVEL_SHIFT(3)), pml4[i] & PTE_W,
			    !(pml4[i] & PTE_NX), &r);
	}
	return r;
}
