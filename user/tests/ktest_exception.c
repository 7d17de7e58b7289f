/*
 * ktest: exceptions as IPC and thread control. A worker with a handler
 * endpoint faults; the main thread receives the fault as a call, fixes it
 * (maps the page, or moves rip past a ud2 with thread_write_regs) and
 * replies, and the worker goes on. Also: thread_configure, suspend and
 * resume, and reading and writing registers, with their refusals.
 */
#include "ktest.h"

#define FAULT_VA 0x0000300800000000ull

static void touch_unmapped(struct worker *w)
{
	volatile uint64_t *p = (volatile uint64_t *)FAULT_VA;
	*p = 0xfa17;
	w->value[0] = *p;
}

static void undefined_instruction(struct worker *w)
{
	__asm__ volatile("ud2");
	w->value[0] = 0x0d;
}

/* Sets the direction flag, then faults: the kernel's exception path must
 * not run with it (entry.S clears it) nor lose it for the thread. */
static void undefined_with_df(struct worker *w)
{
	uint64_t rflags;
	__asm__ volatile("std; ud2; pushfq; popq %0; cld" : "=r"(rflags));
	w->value[0] = rflags;
}

static void spin(struct worker *w)
{
	while (!w->arg[0])
		w->count++;
}

/* A worker at priority 20 running function, with ep as its exception
 * handler; NULL (after a TEST FAIL) when it cannot be made. */
static struct worker *start_with_handler(const char *name, cap_selector ep,
					 worker_function *function)
{
	struct worker *w = worker_create(name, 20, function);
	if (w) {
		sys_thread_configure(w->thread, ep, 20, 0);
		worker_start(w);
	}
	return w;
}

/* Receives one exception call on ep; checks and returns its words. */
static int receive_exception(const char *name, cap_selector ep, uint64_t badge_wanted,
			     uint64_t *words)
{
	uint64_t badge = 0, n = 0;
	enum status s = sys_ipc_receive(ep, TIMEOUT_NEVER, &badge, &n);
	for (unsigned i = 0; i < EXCEPTION_WORDS; i++)
		words[i] = ktest_utcb()->message[i];
	return ktest_check(s == STATUS_OK && badge == badge_wanted && n == EXCEPTION_WORDS, name,
			   "%s badge %llx words %llu", status_name(s), (unsigned long long)badge,
			   (unsigned long long)n);
}

static void test_page_fault_handler(void)
{
	cap_selector ep = ktest_endpoint("pager"), badged = ktest_slot();
	sys_cap_copy(ep, CAP_SELF_TASK, badged, RIGHT_SEND, 0x9a6e);
	struct worker *w = worker_create("faulter", 20, touch_unmapped);
	if (!w)
		return;
	ktest_status("configure-handler", sys_thread_configure(w->thread, badged, 20, 0), STATUS_OK);
	worker_start(w);
	uint64_t m[EXCEPTION_WORDS];
	if (!receive_exception("pagefault-message", ep, 0x9a6e, m))
		return;
	ktest_check(m[EXCEPTION_VECTOR] == 14 && m[EXCEPTION_ADDRESS] == FAULT_VA &&
			    (m[EXCEPTION_ERROR] & 6) == 6 && m[EXCEPTION_RIP] >= 0x400000,
		    "pagefault-words", "vector %llu address %llx error %llx",
		    (unsigned long long)m[EXCEPTION_VECTOR],
		    (unsigned long long)m[EXCEPTION_ADDRESS],
		    (unsigned long long)m[EXCEPTION_ERROR]);
	struct thread_regs regs;
	ktest_status("read-regs-in-fault", sys_thread_read_regs(w->thread, ktest_utcb(), &regs),
		     STATUS_OK);
	ktest_check(regs.rip == m[EXCEPTION_RIP] && regs.rsp == m[EXCEPTION_RSP],
		    "read-regs-match", "rip %llx", (unsigned long long)regs.rip);
	uint64_t page = BOOTINFO_PHYS_WINDOW + runtime_bootinfo->memory[0].base + 40 * PAGE_SIZE;
	ktest_status("pager-maps", sys_mem_map(CAP_SELF_TASK, page, FAULT_VA, 1, MEM_WRITE, NULL),
		     STATUS_OK);
	ktest_status("pager-replies", sys_ipc_reply_wait(ep, 0, 0, NULL, NULL), STATUS_TIMEOUT);
	ktest_settle();
	ktest_check(w->done && w->value[0] == 0xfa17, "pagefault-resolved",
		    "worker done %d value %llx", w->done, (unsigned long long)w->value[0]);
	sys_mem_unmap(page, 1, 0);
}

static void test_undefined_instruction(void)
{
	cap_selector ep = ktest_endpoint("ud-handler");
	struct worker *w = start_with_handler("ud2", ep, undefined_instruction);
	if (!w)
		return;
	uint64_t m[EXCEPTION_WORDS];
	if (!receive_exception("ud-message", ep, 0, m))
		return;
	ktest_check(m[EXCEPTION_VECTOR] == 6, "ud-vector", "vector %llu",
		    (unsigned long long)m[EXCEPTION_VECTOR]);
	struct thread_regs regs;
	sys_thread_read_regs(w->thread, ktest_utcb(), &regs);
	regs.rip += 2; /* ud2 is 0f 0b */
	regs.rflags |= 1ull << 9 | 3ull << 12; /* IF is kept on, IOPL never set */
	struct thread_regs bad = regs;
	bad.rip = KERNEL_ADDRESS;
	ktest_status("write-regs-kernel-rip", sys_thread_write_regs(w->thread, ktest_utcb(), &bad),
		     STATUS_BAD_ADDRESS);
	bad.rip = NON_CANONICAL;
	ktest_status("write-regs-noncanonical-rip",
		     sys_thread_write_regs(w->thread, ktest_utcb(), &bad), STATUS_BAD_ADDRESS);
	ktest_status("write-regs", sys_thread_write_regs(w->thread, ktest_utcb(), &regs),
		     STATUS_OK);
	sys_thread_read_regs(w->thread, ktest_utcb(), &bad);
	ktest_check((bad.rflags & (3ull << 12)) == 0 && (bad.rflags & (1ull << 9)),
		    "write-regs-rflags-sanitized", "rflags %llx", (unsigned long long)bad.rflags);
	sys_ipc_reply_wait(ep, 0, 0, NULL, NULL);
	ktest_settle();
	ktest_check(w->done && w->value[0] == 0x0d, "ud-skipped", "worker done %d", w->done);
}

static void test_direction_flag(void)
{
	cap_selector ep = ktest_endpoint("df-handler");
	struct worker *w = start_with_handler("df", ep, undefined_with_df);
	if (!w)
		return;
	uint64_t m[EXCEPTION_WORDS];
	if (!receive_exception("df-message", ep, 0, m))
		return;
	struct thread_regs regs;
	sys_thread_read_regs(w->thread, ktest_utcb(), &regs);
	ktest_check(regs.rflags & (1ull << 10), "df-seen-by-handler", "rflags %llx",
		    (unsigned long long)regs.rflags);
	regs.rip += 2; /* ud2 */
	sys_thread_write_regs(w->thread, ktest_utcb(), &regs);
	sys_ipc_reply_wait(ep, 0, 0, NULL, NULL);
	ktest_settle();
	ktest_check(w->done && (w->value[0] & (1ull << 10)), "df-kept-for-thread",
		    "done %d rflags %llx", w->done, (unsigned long long)w->value[0]);
}

/* WRGSBASE from user mode (5 bytes: F3 REX.W 0F AE /3). */
static void write_gs_base(struct worker *w)
{
	__asm__ volatile("wrgsbase %0" : : "r"(0ull));
	w->value[0] = 0x65;
}

/*
 * The %fs and %gs bases are kernel state (thread_set_fs_base; the kernel
 * keeps %gs): RDFSBASE, WRFSBASE, RDGSBASE and WRGSBASE must raise #UD in
 * user mode (CR4.FSGSBASE clear, SDM vol. 2D WRFSBASE). With them, a
 * thread could set a %gs base the next thread, of any task, would find,
 * and an %fs base the kernel would not keep across a switch.
 */
static void test_no_user_fs_gs_base(void)
{
	cap_selector ep = ktest_endpoint("wrgsbase-handler");
	struct worker *w = start_with_handler("wrgsbase", ep, write_gs_base);
	if (!w)
		return;
	uint64_t badge = 0, n = 0;
	enum status s = sys_ipc_receive(ep, 100000000, &badge, &n);
	uint64_t vector = ktest_utcb()->message[EXCEPTION_VECTOR];
	if (!ktest_check(s == STATUS_OK && vector == 6, "wrgsbase-user-ud",
			 "%s, vector %llu (WRGSBASE ran in user mode)", status_name(s),
			 (unsigned long long)vector))
		return;
	struct thread_regs regs;
	sys_thread_read_regs(w->thread, ktest_utcb(), &regs);
	regs.rip += 5;
	sys_thread_write_regs(w->thread, ktest_utcb(), &regs);
	sys_ipc_reply_wait(ep, 0, 0, NULL, NULL);
	ktest_settle();
	ktest_check(w->done && w->value[0] == 0x65, "wrgsbase-skipped", "worker done %d",
		    w->done);
}

static void test_suspend_resume(void)
{
	struct worker *w = worker_run("spinner", 5, spin, 0, 0);
	if (!w)
		return;
	ktest_status("read-regs-ready", sys_thread_read_regs(w->thread, ktest_utcb(),
							     &(struct thread_regs){0}),
		     STATUS_BUSY);
	ktest_status("resume-not-suspended", sys_thread_resume(w->thread), STATUS_BUSY);
	ktest_status("suspend", sys_thread_suspend(w->thread), STATUS_OK);
	ktest_status("suspend-twice", sys_thread_suspend(w->thread), STATUS_BUSY);
	uint64_t before = w->count;
	ktest_settle();
	ktest_check(w->count == before, "suspended-does-not-run", "count moved %llu -> %llu",
		    (unsigned long long)before, (unsigned long long)w->count);
	w->arg[0] = 1;
	ktest_status("resume", sys_thread_resume(w->thread), STATUS_OK);
	ktest_settle();
	ktest_check(w->done, "resumed-runs", "the spinner did not finish");
	/* A thread blocked in IPC: suspending it ends the IPC with TIMEOUT. */
	ktest_status("configure-bad-priority", sys_thread_configure(w->thread, NO_SELECTOR, 256, 0),
		     STATUS_NO_RIGHTS);
	ktest_status("configure-bad-handler", sys_thread_configure(w->thread, CAP_SELF_TASK, 1, 0),
		     STATUS_BAD_TYPE);
	ktest_status("configure-not-thread", sys_thread_configure(CAP_SELF_TASK, NO_SELECTOR, 1, 0),
		     STATUS_BAD_TYPE);
	ktest_status("configure-slice-too-short",
		     sys_thread_configure(w->thread, NO_SELECTOR, 1, TIME_SLICE_MIN_NS - 1),
		     STATUS_BAD_ARG);
	ktest_status("configure-slice-too-long",
		     sys_thread_configure(w->thread, NO_SELECTOR, 1, TIME_SLICE_MAX_NS + 1),
		     STATUS_BAD_ARG);
}

/*
 * Two spinners at one priority, one with a 1 ms slice and one with 3 ms:
 * round robin gives the second about three times the CPU. Counted in loop
 * iterations over 60 ms of the main thread sleeping, so the ratio, not a
 * speed, is checked (both run on the same CPU at the same rate).
 */
static void test_time_slices(void)
{
	const uint64_t ms = 1000000;
	struct worker *short_slice = worker_create("slice-1ms", 5, spin);
	struct worker *long_slice = worker_create("slice-3ms", 5, spin);
	if (!short_slice || !long_slice)
		return;
	ktest_status("configure-slice-1ms",
		     sys_thread_configure(short_slice->thread, NO_SELECTOR, 5, 1 * ms), STATUS_OK);
	ktest_status("configure-slice-3ms",
		     sys_thread_configure(long_slice->thread, NO_SELECTOR, 5, 3 * ms), STATUS_OK);
	worker_start(short_slice);
	worker_start(long_slice);
	cap_selector nobody = ktest_endpoint("sleep");
	enum status slept = sys_ipc_receive(nobody, 60 * ms, NULL, NULL);
	ktest_status("slice-sleep", slept, STATUS_TIMEOUT);
	uint64_t a = short_slice->count, b = long_slice->count;
	short_slice->arg[0] = long_slice->arg[0] = 1;
	ktest_settle();
	/* 60 ms hold 15 rounds of 1 + 3 ms: b/a = 3, give or take a slice. */
	ktest_check(a > 0 && b > 2 * a && b < 4 * a, "time-slice-ratio",
		    "1 ms slice %llu iterations, 3 ms slice %llu", (unsigned long long)a,
		    (unsigned long long)b);
	sys_cap_delete(nobody);
}

void test_exception(void)
{
	test_page_fault_handler();
	test_undefined_instruction();
	test_direction_flag();
	test_no_user_fs_gs_base();
	test_suspend_resume();
	test_time_slices();
}
