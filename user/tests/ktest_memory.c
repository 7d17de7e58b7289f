/*
 * ktest: memory. The root task's window onto physical memory, mem_map
 * (aliases in the root task, mappings into a child task), grant, unmap
 * with recursive revocation, the depth limit, every refusal, and a long
 * map that a higher-priority thread interrupts (a restart inside the
 * kernel, invisible to the caller except in time).
 */
#include "ktest.h"

/* Alias addresses in the root task, away from everything else it has. */
#define ALIAS 0x0000300000000000ull
#define ALIAS2 0x0000300100000000ull
#define CHAIN 0x0000300200000000ull
#define BIG 0x0000300400000000ull
#define CHILD_VA 0x0000000040000000ull
#define BIG_PAGES 8192ull

static uint64_t window(uint64_t pa)
{
	return BOOTINFO_PHYS_WINDOW + pa;
}

/* A page of the root task's own memory through the window. */
static uint64_t own_page(unsigned n)
{
	return window(runtime_bootinfo->memory[0].base + n * PAGE_SIZE);
}

static enum status map(cap_selector task, uint64_t src, uint64_t dst, uint64_t pages,
		       unsigned flags)
{
	return sys_mem_map(task, src, dst, pages, flags, NULL);
}

/* Whether the root task can pass its page at va on (it is mapped). */
static int mapped(uint64_t va)
{
	enum status s = map(CAP_SELF_TASK, va, ALIAS2, 1, 0);
	if (s == STATUS_OK)
		sys_mem_unmap(ALIAS2, 1, UNMAP_SELF);
	return s == STATUS_OK;
}

static void test_window(void)
{
	const struct bootinfo *bi = runtime_bootinfo;
	ktest_check(bi->memory_count > 0 && bi->memory[0].size >= (64ull << 20), "window-memory",
		    "%llu ranges, first %llu bytes", (unsigned long long)bi->memory_count,
		    (unsigned long long)bi->memory[0].size);
	volatile uint64_t *p = (volatile uint64_t *)own_page(0);
	p[0] = 0x5eed;
	p[511] = ~0ull;
	ktest_check(p[0] == 0x5eed && p[511] == ~0ull, "window-read-write", "read back %llx",
		    (unsigned long long)p[0]);
	ktest_check(bi->hpet == window(bi->hpet_address), "window-hpet",
		    "hpet at %llx, expected the window", (unsigned long long)bi->hpet);
	/* The kernel never reads device memory for a system call: it would
	 * go through its cached direct map, which stops at the end of RAM
	 * (a kernel page fault, found by reading the code). */
	volatile uint8_t *device = (volatile uint8_t *)window(0x100000000ull + 0x40000000ull);
	(void)*device;
	ktest_status("debug-write-device-memory", sys_debug_write((const char *)device, 8),
		     STATUS_BAD_ADDRESS);
	ktest_status("debug-write-hpet", sys_debug_write((const char *)bi->hpet, 8),
		     STATUS_BAD_ADDRESS);
	/* Kernel memory (the kernel image at 2 MiB) and the local APIC are
	 * not the root task's to pass on. */
	ktest_status("map-kernel-ram", map(CAP_SELF_TASK, window(0x200000), ALIAS, 1, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("map-lapic", map(CAP_SELF_TASK, window(0xfee00000), ALIAS, 1, 0),
		     STATUS_BAD_ADDRESS);
}

static void test_map_errors(void)
{
	uint64_t src = own_page(0);
	cap_selector ep = ktest_endpoint("map-errors");
	ktest_status("map-bad-cap", map(BAD_SELECTOR, src, ALIAS, 1, 0), STATUS_BAD_CAP);
	ktest_status("map-bad-type", map(ep, src, ALIAS, 1, 0), STATUS_BAD_TYPE);
	cap_selector weak = ktest_slot();
	sys_cap_copy(CAP_SELF_TASK, CAP_SELF_TASK, weak, RIGHT_SEND, 0);
	ktest_status("map-no-control", map(weak, src, ALIAS, 1, 0), STATUS_NO_RIGHTS);
	ktest_status("map-write-execute", map(CAP_SELF_TASK, src, ALIAS, 1, MEM_WRITE | MEM_EXECUTE),
		     STATUS_BAD_ARG);
	ktest_status("map-unknown-flag", map(CAP_SELF_TASK, src, ALIAS, 1, 1u << 7), STATUS_BAD_ARG);
	ktest_status("map-unaligned-src", map(CAP_SELF_TASK, src + 8, ALIAS, 1, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("map-unaligned-dst", map(CAP_SELF_TASK, src, ALIAS + 8, 1, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("map-kernel-dst", map(CAP_SELF_TASK, src, KERNEL_ADDRESS, 1, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("map-past-user-top", map(CAP_SELF_TASK, src, USER_TOP - PAGE_SIZE, 2, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("map-huge-count", map(CAP_SELF_TASK, src, ALIAS, ~0ull, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("map-unmapped-src", map(CAP_SELF_TASK, UNMAPPED, ALIAS, 1, 0),
		     STATUS_BAD_ADDRESS);
	ktest_status("map-utcb", map(CAP_SELF_TASK, runtime_bootinfo->utcb, ALIAS, 1, 0),
		     STATUS_NO_RIGHTS);
	ktest_status("map-grant-original", map(CAP_SELF_TASK, src, ALIAS, 1, MEM_GRANT),
		     STATUS_NO_RIGHTS);
	ktest_status("map-none-is-ok", map(CAP_SELF_TASK, src, ALIAS, 0, 0), STATUS_OK);
	ktest_status("unmap-unknown-flag", sys_mem_unmap(ALIAS, 1, 2), STATUS_BAD_ARG);
	ktest_status("unmap-kernel", sys_mem_unmap(KERNEL_ADDRESS, 1, 0), STATUS_BAD_ADDRESS);
	ktest_status("unmap-nothing-is-ok", sys_mem_unmap(ALIAS, 16, UNMAP_SELF), STATUS_OK);
}

static void test_alias_and_revoke(void)
{
	volatile uint64_t *orig = (volatile uint64_t *)own_page(1);
	volatile uint64_t *alias = (volatile uint64_t *)ALIAS;
	ktest_status("alias-map", map(CAP_SELF_TASK, own_page(1), ALIAS, 1, MEM_WRITE), STATUS_OK);
	alias[3] = 0xa11a5;
	ktest_check(orig[3] == 0xa11a5, "alias-same-frame", "window saw %llx",
		    (unsigned long long)orig[3]);
	ktest_status("alias-busy", map(CAP_SELF_TASK, own_page(2), ALIAS, 1, 0), STATUS_BUSY);
	/* A chain window -> ALIAS -> CHAIN: unmapping ALIAS's children takes
	 * CHAIN, unmapping ALIAS itself then takes ALIAS. */
	ktest_status("chain-map", map(CAP_SELF_TASK, ALIAS, CHAIN, 1, 0), STATUS_OK);
	ktest_status("unmap-children", sys_mem_unmap(ALIAS, 1, 0), STATUS_OK);
	ktest_check(!mapped(CHAIN) && mapped(ALIAS), "unmap-children-only",
		    "chain %d alias %d", mapped(CHAIN), mapped(ALIAS));
	ktest_status("chain-map-again", map(CAP_SELF_TASK, ALIAS, CHAIN, 1, 0), STATUS_OK);
	ktest_status("unmap-self", sys_mem_unmap(ALIAS, 1, UNMAP_SELF), STATUS_OK);
	ktest_check(!mapped(CHAIN) && !mapped(ALIAS), "unmap-self-recursive",
		    "chain %d alias %d", mapped(CHAIN), mapped(ALIAS));
	/* The original stays: unmapping it takes only what came from it. */
	ktest_status("unmap-original", sys_mem_unmap(own_page(1), 1, UNMAP_SELF), STATUS_OK);
	ktest_check(orig[3] == 0xa11a5, "original-stays", "read %llx",
		    (unsigned long long)orig[3]);
}

/* Mapping chains stop at 64 levels below the original. */
static void test_depth_limit(void)
{
	uint64_t from = own_page(3);
	enum status s = STATUS_OK;
	unsigned depth = 0;
	while (depth < 70 && s == STATUS_OK) {
		uint64_t to = CHAIN + depth * PAGE_SIZE;
		s = map(CAP_SELF_TASK, from, to, 1, 0);
		if (s == STATUS_OK)
			depth++;
		from = to;
	}
	ktest_check(s == STATUS_BAD_ARG && depth == 64, "map-depth-limit",
		    "stopped at depth %u with %s", depth, status_name(s));
	ktest_status("depth-unmap", sys_mem_unmap(CHAIN, 1, UNMAP_SELF), STATUS_OK);
	ktest_check(!mapped(CHAIN + 63 * PAGE_SIZE), "depth-unmap-all", "the deepest stayed");
}

static void test_child(void)
{
	cap_selector child = ktest_slot(), poor = ktest_slot();
	if (!ktest_status("child-create", sys_task_create(child, 16, 8, "mem-child"), STATUS_OK))
		return;
	ktest_status("poor-create", sys_task_create(poor, 0, 8, "mem-poor"), STATUS_OK);
	ktest_status("map-no-quota", map(poor, own_page(4), CHILD_VA, 1, 0), STATUS_NO_MEM);
	struct mem_progress left;
	ktest_status("map-child", sys_mem_map(child, own_page(4), CHILD_VA, 4, MEM_WRITE, &left),
		     STATUS_OK);
	ktest_check(left.pages == 0 && left.va == own_page(8) && left.dst == CHILD_VA + 4 * PAGE_SIZE,
		    "map-progress-done", "left %llu at %llx", (unsigned long long)left.pages,
		    (unsigned long long)left.va);
	/* The third page is taken: the first two go, the error names the third. */
	ktest_status("map-child-partial",
		     sys_mem_map(child, own_page(10), CHILD_VA - 2 * PAGE_SIZE, 4, 0, &left),
		     STATUS_BUSY);
	ktest_check(left.pages == 2 && left.dst == CHILD_VA, "map-progress-error",
		    "left %llu at %llx", (unsigned long long)left.pages,
		    (unsigned long long)left.dst);
	/* Revoking the window page takes the child's mapping with it. */
	ktest_status("unmap-from-child", sys_mem_unmap(own_page(4), 1, 0), STATUS_OK);
	ktest_status("child-remap-after-revoke", map(child, own_page(5), CHILD_VA, 1, 0),
		     STATUS_OK);
	/* Grant: ALIAS (a derived mapping) moves into the child. */
	ktest_status("grant-source", map(CAP_SELF_TASK, own_page(12), ALIAS, 1, MEM_WRITE),
		     STATUS_OK);
	ktest_status("grant", map(child, ALIAS, CHILD_VA + 64 * PAGE_SIZE, 1, MEM_GRANT),
		     STATUS_OK);
	ktest_check(!mapped(ALIAS), "grant-moves", "the granter still has the page");
	ktest_status("grant-revoked-by-original", sys_mem_unmap(own_page(12), 1, 0), STATUS_OK);
	ktest_status("grant-slot-free-again",
		     map(child, own_page(12), CHILD_VA + 64 * PAGE_SIZE, 1, 0), STATUS_OK);
}

/* A long map by a low-priority worker; the main thread (priority 255)
 * wakes from a timeout in the middle and finds it still running. */
static void big_map(struct worker *w)
{
	struct mem_progress left;
	w->status = sys_mem_map(CAP_SELF_TASK, own_page(0), BIG, BIG_PAGES, MEM_WRITE, &left);
	w->value[0] = left.pages;
}

/* One big map by a worker while the main thread sleeps in 50 µs steps;
 * returns how often it woke while the map was still running. */
static unsigned big_map_wakeups(cap_selector ep, struct worker **out)
{
	struct worker *w = worker_run("big-map", 10, big_map, 0, 0);
	unsigned wakeups_during = 0;
	while (w && !w->done) {
		sys_ipc_receive(ep, 50000, NULL, NULL);
		if (!w->done)
			wakeups_during++;
	}
	*out = w;
	return wakeups_during;
}

static void test_restart(void)
{
	if (!runtime_bootinfo->tsc_khz)
		return;
	cap_selector ep = ktest_endpoint("restart");
	struct worker *w = NULL;
	unsigned wakeups = 0;
	/* The timer is real time on an emulator without icount: a host hiccup
	 * can hide one map from it, so up to three tries. */
	for (unsigned attempt = 0; attempt < 3 && !wakeups; attempt++) {
		if (attempt)
			sys_mem_unmap(own_page(0), BIG_PAGES, 0);
		wakeups = big_map_wakeups(ep, &w);
	}
	ktest_status("big-map", w ? w->status : STATUS_BAD_ARG, STATUS_OK);
	ktest_check(w && w->value[0] == 0, "big-map-complete", "pages left");
	ktest_check(wakeups > 0, "big-map-preempted", "the main thread never ran during the map");
	volatile uint64_t *last = (volatile uint64_t *)(BIG + (BIG_PAGES - 1) * PAGE_SIZE);
	volatile uint64_t *orig = (volatile uint64_t *)own_page(BIG_PAGES - 1);
	*last = 0xb16;
	ktest_check(*orig == 0xb16, "big-map-last-page", "read %llx", (unsigned long long)*orig);
	ktest_status("big-unmap", sys_mem_unmap(own_page(0), BIG_PAGES, 0), STATUS_OK);
	ktest_check(!mapped(BIG) && !mapped(BIG + (BIG_PAGES - 1) * PAGE_SIZE), "big-unmap-all",
		    "a page stayed");
}

/*
 * Not pass/fail: what mapping 16 pages into a region without page tables
 * costs (three new tables and their node tables, zeroed as they are
 * allocated), and the same 16 pages again once the tables exist.
 */
static void measure_fresh_map(void)
{
	const uint64_t fresh = 0x0000300600000000ull, pages = 16;
	uint64_t start = rdtsc();
	enum status first = map(CAP_SELF_TASK, own_page(0), fresh, pages, MEM_WRITE);
	uint64_t fresh_ticks = rdtsc() - start;
	sys_mem_unmap(fresh, pages, UNMAP_SELF);
	start = rdtsc();
	enum status again = map(CAP_SELF_TASK, own_page(0), fresh, pages, MEM_WRITE);
	uint64_t again_ticks = rdtsc() - start;
	sys_mem_unmap(fresh, pages, UNMAP_SELF);
	if (!ktest_check(first == STATUS_OK && again == STATUS_OK, "map-cost-measured",
			 "%s, %s", status_name(first), status_name(again)))
		return;
	ktest_print("ktest: map-cost: TSC ticks for mem_map of %llu pages: into a fresh region "
		    "%llu; page tables already there %llu\n",
		    (unsigned long long)pages, (unsigned long long)fresh_ticks,
		    (unsigned long long)again_ticks);
}

void test_memory(void)
{
	measure_fresh_map();
	test_window();
	test_map_errors();
	test_alias_and_revoke();
	test_depth_limit();
	test_child();
	test_restart();
}
