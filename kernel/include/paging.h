/*
 * Page tables: the kernel's own mappings (direct map, image, MMIO window)
 * and user address spaces. 4-level paging, Intel SDM vol. 3A §4.5.
 * All functions expect interrupts off (as the whole kernel runs).
 */
#ifndef VIREO_PAGING_H
#define VIREO_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/vireo/status.h"

#define PAGE_SIZE 4096ull

/* Rights of a user mapping. */
enum map_rights {
	MAP_READ = 0,           /* always implied */
	MAP_WRITE = 1 << 0,
	MAP_EXECUTE = 1 << 1,
	MAP_UNCACHED = 1 << 2,  /* device memory (kernel-made mappings only) */
};

/* Builds the kernel page tables for RAM up to max_phys and switches to
 * them. Panics when out of memory (nothing can run without them). */
void paging_init(uint64_t max_phys);

/* Physical address of the kernel's PML4 (the template for all tasks). */
uint64_t paging_kernel_root(void);

/* A new address space sharing the kernel half; 0 when out of memory. */
uint64_t paging_create_address_space(void);

struct task;
struct mapping;

/* A user page's page table entry and the slot for its mapping database
 * node (NULL for the pages the kernel maps for itself: UTCBs). */
struct user_entry {
	uint64_t *pte;
	struct mapping **node;
};

/*
 * The entry for the page at va in task's space. With create, missing
 * tables are allocated from task's quota (a task pays for its own page
 * tables). Returns STATUS_BAD_ADDRESS for a va outside user space or not
 * page aligned, STATUS_NOT_FOUND (create false) when a table is missing,
 * STATUS_NO_MEM when quota or memory ran out (tables made so far stay,
 * reclaimed with the space).
 */
enum status paging_user_entry(struct task *task, uint64_t va, bool create,
			      struct user_entry *out);

/* The user page table entry for pa with rights, and back. */
uint64_t paging_user_pte(uint64_t pa, unsigned rights);
unsigned paging_pte_rights(uint64_t pte);
uint64_t paging_pte_frame(uint64_t pte);
/* The present bit of a user entry (PTE_P, SDM vol. 3A table 4-19). */
#define PAGING_PRESENT 1ull

/* Empties an entry and its node slot, and drops it from the TLB. */
void paging_clear_user(struct task *task, struct user_entry e, uint64_t va);

/*
 * Maps one 4 KiB page va -> pa with the given rights and no mapping node
 * (kernel-made mappings). Returns paging_user_entry's errors, or
 * STATUS_BUSY when va is mapped already.
 */
enum status paging_map_user(struct task *task, uint64_t va, uint64_t pa, unsigned rights);

/* The first present user entry at or above *va (moved to it); false
 * when there is none. */
bool paging_next_mapped(struct task *task, uint64_t *va, struct user_entry *out);

/* Frees every user page table of task back to its quota; every user
 * mapping must be gone. The PML4 stays (the task's own page). */
void paging_destroy_user(struct task *task);

/*
 * Translates a user virtual address by walking root's tables in software:
 * the physical address, or PAGING_NO_ACCESS unless the page is present,
 * user-accessible and (if want_write) writable at every level.
 */
#define PAGING_NO_ACCESS (~0ull)
uint64_t paging_user_to_phys(uint64_t root, uint64_t va, int want_write);

/* Maps device memory uncached into the kernel's MMIO window. Panics when
 * the window or memory is exhausted (boot-time only). */
volatile void *paging_map_mmio(uint64_t phys, size_t size);

/* Counts mapped 4 KiB pages in the upper (kernel) or lower (user) half of
 * an address space, and how many of them are writable and executable. */
struct wx_report {
	uint64_t pages;
	uint64_t writable_executable;
	uint64_t first_bad_va;
};
struct wx_report paging_check_wx(uint64_t root, int kernel_half);

#endif
