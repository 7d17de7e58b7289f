/*
 * System call stubs for user programs: one static inline function per
 * system call in <vireo/syscall.h>, each a single SYSCALL instruction.
 * doc/syscalls.md is the reference: what each call does and every status
 * it returns; the comments here are the short version.
 *
 * Convention (kernel/include/uapi/vireo/syscall.h): number in rax,
 * arguments in rdi, rsi, rdx, r10, r8, r9; the enum status comes back in
 * rax, and the IPC calls also return a badge in rsi and a word count in
 * rdx. SYSCALL itself overwrites rcx (return rip) and r11 (rflags), see
 * Intel SDM vol. 2B, "SYSCALL"; every other register is preserved. The
 * "memory" clobber keeps the compiler from caching memory the kernel reads
 * or writes (debug_write's buffer, the UTCB's message registers) across
 * the call.
 *
 * Selectors name capabilities in the caller's own capability space
 * (<vireo/cap.h>); the UTCB's message registers (<vireo/utcb.h>) carry IPC
 * messages.
 */
#ifndef VIREO_SYS_H
#define VIREO_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <vireo/cap.h>
#include <vireo/status.h>
#include <vireo/syscall.h>
#include <vireo/utcb.h>

/* What a system call leaves in rsi and rdx besides the status in rax. */
struct syscall_result {
	uint64_t rsi, rdx;
};

/*
 * The general stub: any number, six arguments, and rsi/rdx as they come
 * back (into *out when out is not NULL). The named stubs below use it;
 * tests use it to pass numbers and arguments no named stub would.
 */
static inline enum status syscall6(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2,
				   uint64_t a3, uint64_t a4, uint64_t a5,
				   struct syscall_result *out)
{
	uint64_t rax = number;
	register uint64_t rsi __asm__("rsi") = a1;
	register uint64_t rdx __asm__("rdx") = a2;
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+r"(rsi), "+r"(rdx)
			 : "D"(a0), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	if (out) {
		out->rsi = rsi;
		out->rdx = rdx;
	}
	return (enum status)rax;
}

static inline enum status syscall1(enum syscall_number number, uint64_t a0)
{
	uint64_t rax = number;
	__asm__ volatile("syscall"
			 : "+a"(rax)
			 : "D"(a0)
			 : "rcx", "r11", "memory");
	return (enum status)rax;
}

static inline enum status syscall2(enum syscall_number number, uint64_t a0,
				   uint64_t a1)
{
	uint64_t rax = number;
	__asm__ volatile("syscall"
			 : "+a"(rax)
			 : "D"(a0), "S"(a1)
			 : "rcx", "r11", "memory");
	return (enum status)rax;
}

/*
 * Print len bytes of buf to the kernel log (serial COM1). Returns OK,
 * BAD_ARG when len > DEBUG_WRITE_MAX, or BAD_ADDRESS when buf is not
 * readable user memory (nothing is printed then).
 */
static inline enum status sys_debug_write(const char *buf, size_t len)
{
	return syscall2(SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)buf, len);
}

/*
 * End the calling thread with an exit code; never returns. When the last
 * thread of the root task exits, the kernel shuts the machine down with
 * that thread's code.
 */
static inline _Noreturn void sys_thread_exit(long code)
{
	syscall1(SYS_THREAD_EXIT, (uint64_t)code);
	for (;;)
		__asm__ volatile("pause"); /* not reached */
}

/*
 * Set the calling thread's %fs base (where TLS and the stack-protector
 * canary at %fs:0x28 live). Returns OK, or BAD_ADDRESS when base is not a
 * canonical user address (below USER_TOP, 0x7fff_ffff_e000).
 */
static inline enum status sys_thread_set_fs_base(uintptr_t base)
{
	return syscall1(SYS_THREAD_SET_FS_BASE, base);
}

/*
 * Copy the capability at src (own space) into the empty slot dst of the
 * task named by dst_task (needs CONTROL on it; CAP_SELF_TASK for one's own
 * space), keeping only the rights in rights_mask. A nonzero badge may be
 * set on an endpoint capability that has none yet; badge 0 keeps the
 * source's. Returns OK, BAD_CAP (src empty or out of range, dst or
 * dst_task out of range), BAD_TYPE (dst_task is no task), NO_RIGHTS, BUSY
 * (dst in use) or BAD_ARG (badge not allowed).
 */
static inline enum status sys_cap_copy(cap_selector src, cap_selector dst_task,
				       cap_selector dst, uint32_t rights_mask,
				       uint64_t badge)
{
	return syscall6(SYS_CAP_COPY, src, dst_task, dst, rights_mask, badge, 0, NULL);
}

/*
 * Empty slot sel of one's own capability space. When it held the last
 * capability to an endpoint, the endpoint is destroyed and the threads
 * waiting on it wake with BAD_CAP. Returns OK, or BAD_CAP (out of range or
 * already empty).
 */
static inline enum status sys_cap_delete(cap_selector sel)
{
	return syscall1(SYS_CAP_DELETE, sel);
}

/*
 * Create a task (empty address space, cap_slots capability slots, slot
 * CAP_SELF_TASK naming itself) named by the NUL-terminated name (at most
 * 31 characters), and move quota_pages of the caller's kernel memory quota
 * to it. Its capability goes to the empty slot dst. Costs the caller
 * 3 + ceil(cap_slots / 128) pages plus quota_pages. Returns OK, BAD_CAP /
 * BUSY (dst), BAD_ARG (cap_slots not in 3..4096, name too long),
 * BAD_ADDRESS (name unreadable) or NO_MEM.
 */
static inline enum status sys_task_create(cap_selector dst, uint64_t quota_pages,
					  uint64_t cap_slots, const char *name)
{
	return syscall6(SYS_TASK_CREATE, dst, quota_pages, cap_slots,
			(uint64_t)(uintptr_t)name, 0, 0, NULL);
}

/*
 * Create an inactive thread in the task named by task (CONTROL), with its
 * UTCB page mapped read-write at utcb (page aligned, unmapped) in that
 * task, at a priority no higher than the caller's. Its capability goes to
 * the empty slot dst; it costs the caller 2 pages of quota. Returns OK,
 * BAD_CAP / BUSY (dst), BAD_CAP / BAD_TYPE / NO_RIGHTS (task), NO_RIGHTS
 * (priority above the caller's), BAD_ADDRESS (utcb unaligned or outside
 * user space), BUSY (utcb already mapped) or NO_MEM.
 */
static inline enum status sys_thread_create(cap_selector dst, cap_selector task,
					    uintptr_t utcb, unsigned priority)
{
	return syscall6(SYS_THREAD_CREATE, dst, task, utcb, priority, 0, 0, NULL);
}

/*
 * Start a new thread (CONTROL) at rip with stack pointer rsp and rdi =
 * arg. For a C function as entry, rsp must be 16-byte aligned minus 8 (as
 * right after a call). Returns OK, BAD_CAP / BAD_TYPE / NO_RIGHTS, BUSY
 * (already started) or BAD_ADDRESS (rip or rsp not below USER_TOP).
 */
static inline enum status sys_thread_start(cap_selector thread, uintptr_t rip,
					   uintptr_t rsp, uint64_t arg)
{
	return syscall6(SYS_THREAD_START, thread, rip, rsp, arg, 0, 0, NULL);
}

/*
 * Create an IPC endpoint in the empty slot dst, with all rights and no
 * badge; costs one page of quota. Returns OK, BAD_CAP / BUSY (dst) or
 * NO_MEM.
 */
static inline enum status sys_endpoint_create(cap_selector dst)
{
	return syscall1(SYS_ENDPOINT_CREATE, dst);
}

/*
 * Send message registers 0 .. words-1 of the caller's UTCB through the
 * endpoint (SEND). Waits for a receiver (timeout TIMEOUT_NEVER) or not at
 * all (timeout 0: TIMEOUT when none waits). Returns OK, BAD_CAP / BAD_TYPE
 * / NO_RIGHTS, BAD_ARG (words > UTCB_MESSAGE_WORDS or another timeout),
 * TIMEOUT, or BAD_CAP when the endpoint is destroyed while waiting.
 */
static inline enum status sys_ipc_send(cap_selector endpoint, uint64_t words,
				       uint64_t timeout)
{
	return syscall6(SYS_IPC_SEND, endpoint, words, timeout, 0, 0, 0, NULL);
}

/*
 * Receive a message through the endpoint (RECEIVE) into the caller's UTCB.
 * On OK, *badge (if not NULL) is the badge of the sender's capability and
 * *words (if not NULL) the number of message registers received. Same
 * statuses and timeouts as sys_ipc_send.
 */
static inline enum status sys_ipc_receive(cap_selector endpoint, uint64_t timeout,
					  uint64_t *badge, uint64_t *words)
{
	struct syscall_result r;
	enum status s = syscall6(SYS_IPC_RECEIVE, endpoint, timeout, 0, 0, 0, 0, &r);
	if (s == STATUS_OK && badge)
		*badge = r.rsi;
	if (s == STATUS_OK && words)
		*words = r.rdx;
	return s;
}

/*
 * Send like sys_ipc_send (the timeout applies to the send), then wait for
 * the receiver's reply, which arrives in the caller's UTCB; on OK
 * *reply_words (if not NULL) is its length. Same statuses as sys_ipc_send.
 */
static inline enum status sys_ipc_call(cap_selector endpoint, uint64_t words,
				       uint64_t timeout, uint64_t *reply_words)
{
	struct syscall_result r;
	enum status s = syscall6(SYS_IPC_CALL, endpoint, words, timeout, 0, 0, 0, &r);
	if (s == STATUS_OK && reply_words)
		*reply_words = r.rdx;
	return s;
}

/*
 * Reply with message registers 0 .. words-1 to the thread that last
 * called the caller (if one waits for a reply), then receive through the
 * endpoint (RECEIVE) like sys_ipc_receive. The reply never waits; the
 * timeout applies to the receive. Returns the receive's status (the reply
 * is delivered even when that is TIMEOUT).
 */
static inline enum status sys_ipc_reply_wait(cap_selector endpoint, uint64_t words,
					     uint64_t timeout, uint64_t *badge,
					     uint64_t *received_words)
{
	struct syscall_result r;
	enum status s =
		syscall6(SYS_IPC_REPLY_WAIT, endpoint, words, timeout, 0, 0, 0, &r);
	if (s == STATUS_OK && badge)
		*badge = r.rsi;
	if (s == STATUS_OK && received_words)
		*received_words = r.rdx;
	return s;
}

/*
 * Map items (doc/syscalls.md, "Map items"). `words` may be
 * IPC_MSG(untyped, items): after the untyped message registers come
 * IPC_ITEM_WORDS registers per item,
 *   { IPC_CAP_ITEM(rights_mask), selector, badge }: a copy of a capability
 *     that has RIGHT_GRANT, with rights & rights_mask (badge 0: keep);
 *   { IPC_MEM_ITEM(pages, flags), va, window_offset }: pages mapped with
 *     MEM_WRITE or MEM_EXECUTE (never both, never more than the sender
 *     has), or moved with MEM_GRANT; 16 pages per message at most.
 * They land in the receiver's utcb->window (capabilities in its slots from
 * cap_first on, pages at mem_va + window_offset), which it sets before it
 * receives; all zero accepts nothing. The receiver gets the count back
 * in the same form and each item with word 1 rewritten to where it
 * landed. Everything is checked before anything is delivered: when an
 * item fails, the receiver gets nothing and the sender's call returns
 * BAD_ARG (layout, window too small, rights or flags), BAD_CAP, NO_RIGHTS
 * (no GRANT, a UTCB, a granted original), BAD_ADDRESS, BUSY (slot or page
 * in use) or NO_MEM (the receiver's quota). A reply's items go to the
 * caller's window; a reply to a page fault maps at window_offset = the
 * address, anywhere in the faulting thread's space.
 */

/*
 * Route IOAPIC input gsi to the kernel as an Irq object in slot dst: each
 * interrupt masks the input and signals `endpoint` (SEND) with `badge`
 * (non-zero); a receiver gets the badge and 0 words. flags: IRQ_LEVEL,
 * IRQ_ACTIVE_LOW (edge, active high without). Root task only. Deleting
 * the last capability to the Irq masks the input and frees it for a new
 * Irq. Returns NO_RIGHTS (not the root task), BAD_CAP/BUSY (dst),
 * BAD_CAP/BAD_TYPE/NO_RIGHTS (endpoint), BAD_ARG (badge 0, unknown flags,
 * gsi > 2^32-1), BUSY (gsi already has an Irq), NOT_FOUND (no IOAPIC has
 * the gsi), NO_MEM (no vector or quota left).
 */
static inline enum status sys_irq_create(cap_selector dst, uint32_t gsi, cap_selector endpoint,
					 uint64_t badge, unsigned flags)
{
	struct syscall_result r;
	return syscall6(SYS_IRQ_CREATE, dst, gsi, endpoint, badge, flags, 0, &r);
}

/*
 * An Irq in slot dst for a device's message-signalled interrupts: the
 * kernel takes a free vector on the calling CPU, and the device must write
 * the 32 bits *data to physical address *address (Intel SDM vol. 3A
 * §11.11: fixed delivery, edge). Each message signals `endpoint` with
 * `badge` like an IOAPIC input's interrupt, but nothing is masked: every
 * message signals (badges pile up in the endpoint while nobody receives),
 * and sys_irq_ack is OK and does nothing. Stop the device before deleting
 * the Irq: its vector goes to the next Irq created. Returns what
 * sys_irq_create does, except BUSY and NOT_FOUND for the gsi.
 */
static inline enum status sys_irq_create_msi(cap_selector dst, cap_selector endpoint,
					     uint64_t badge, uint64_t *address, uint32_t *data)
{
	struct syscall_result r;
	enum status s = syscall6(SYS_IRQ_CREATE, dst, 0, endpoint, badge, IRQ_MSI, 0, &r);
	if (s == STATUS_OK) {
		*address = r.rsi;
		*data = (uint32_t)r.rdx;
	}
	return s;
}

/* Unmask the Irq's input again after handling it (CONTROL); nothing to
 * do for an MSI (OK). */
static inline enum status sys_irq_ack(cap_selector irq)
{
	return syscall1(SYS_IRQ_ACK, irq);
}

/*
 * Configure a thread (CONTROL): `handler` names an endpoint (SEND) that
 * receives its exceptions and page faults as calls (enum exception_word),
 * or is NO_SELECTOR for none (a fault then stops the thread); `priority`
 * is at most the caller's (NO_RIGHTS otherwise); `time_slice_ns` is its
 * round-robin quantum, 0 for TIME_SLICE_DEFAULT_NS, else within
 * TIME_SLICE_MIN_NS..TIME_SLICE_MAX_NS (BAD_ARG otherwise).
 */
static inline enum status sys_thread_configure(cap_selector thread, cap_selector handler,
					       unsigned priority, uint64_t time_slice_ns)
{
	return syscall6(SYS_THREAD_CONFIGURE, thread, handler, priority, time_slice_ns, 0, 0,
			NULL);
}

/* Take a running or waiting thread off the CPU (BUSY if new, ended or
 * suspended already); an IPC it waited in returns TIMEOUT. */
static inline enum status sys_thread_suspend(cap_selector thread)
{
	return syscall1(SYS_THREAD_SUSPEND, thread);
}

/* Let a suspended thread go on (BUSY if it is not suspended). */
static inline enum status sys_thread_resume(cap_selector thread)
{
	return syscall1(SYS_THREAD_RESUME, thread);
}

/* A thread's registers into *regs (BUSY while it is ready to run). The
 * kernel passes them in the caller's message registers. */
static inline enum status sys_thread_read_regs(cap_selector thread, struct utcb *utcb,
					       struct thread_regs *regs)
{
	enum status s = syscall1(SYS_THREAD_READ_REGS, thread);
	if (s == STATUS_OK)
		__builtin_memcpy(regs, utcb->message, sizeof(*regs));
	return s;
}

/* Sets a thread's registers (BUSY while it is ready; BAD_ADDRESS when
 * rip, rsp or fs_base is not a user address). */
static inline enum status sys_thread_write_regs(cap_selector thread, struct utcb *utcb,
						const struct thread_regs *regs)
{
	__builtin_memcpy(utcb->message, regs, sizeof(*regs));
	return syscall1(SYS_THREAD_WRITE_REGS, thread);
}

/*
 * End a task (CONTROL; NO_RIGHTS for the caller's own task or the root
 * task): its threads die (a thread waiting for one of their replies gets
 * BAD_CAP), every mapping it holds is revoked with all derived from it,
 * its capabilities are dropped and its quota goes back to its parent.
 * Capabilities that still name it say BAD_CAP from now on.
 */
static inline enum status sys_task_destroy(cap_selector task)
{
	return syscall1(SYS_TASK_DESTROY, task);
}

/* The kernel memory pages a task may still use (CONTROL). */
static inline enum status sys_task_quota(cap_selector task, uint64_t *pages)
{
	struct syscall_result r;
	enum status s = syscall6(SYS_TASK_QUOTA, task, 0, 0, 0, 0, 0, &r);
	*pages = r.rsi;
	return s;
}

/* The root task only: the free pages of the kernel's object pool (0 for
 * any other task). */
static inline uint64_t sys_kernel_free_pages(void)
{
	struct syscall_result r;
	syscall6(SYS_TASK_QUOTA, CAP_SELF_TASK, 0, 0, 0, 0, 0, &r);
	return r.rdx;
}

/*
 * Let the task named by task (CONTROL; CAP_SELF_TASK for one's own) use
 * the I/O ports [first, first + count) with IN/OUT; with flags IO_REVOKE,
 * take them away instead. The caller must have every one of the ports
 * itself (the root task has all 65536 at boot). An IN/OUT to a port a task
 * does not have raises #GP (vector 13), which goes to the thread's
 * exception handler. The first ports a task gets cost it 2 pages of its
 * own quota (its bitmap, given back when it is destroyed). Returns OK,
 * BAD_CAP/BAD_TYPE/NO_RIGHTS (task), BAD_ARG (count 0, the range runs past
 * port 0xffff, unknown flags), NO_RIGHTS (the caller lacks one of the
 * ports) or NO_MEM (the task's quota is below 2 pages).
 */
static inline enum status sys_io_ports(cap_selector task, unsigned first, unsigned count,
				       unsigned flags)
{
	return syscall6(SYS_IO_PORTS, task, first, count, flags, 0, 0, NULL);
}

/* Where a mem_map or mem_unmap stopped: its argument registers as the
 * kernel left them (doc/memory.md, "Restartable calls"). */
struct mem_progress {
	uint64_t va;    /* mem_map: the source page; mem_unmap: the page */
	uint64_t dst;   /* mem_map: the destination page */
	uint64_t pages; /* pages not done (0 after STATUS_OK) */
};

/*
 * Map `pages` pages from the caller's src to task's dst (CONTROL on task):
 * rights are MEM_WRITE or MEM_EXECUTE (or neither: read-only), narrowed to
 * what the caller has; MEM_GRANT moves the mappings instead. Returns
 * BAD_CAP/BAD_TYPE/NO_RIGHTS (task), BAD_ARG (unknown flags, write and
 * execute together, the mapping chain is 64 deep), BAD_ADDRESS (src or dst
 * unaligned or outside user space, src not mapped), NO_RIGHTS (src is a
 * UTCB, or a granted page is one of the root task's originals), BUSY (dst
 * mapped already), NO_MEM (task's quota is out). On an error the pages
 * before the failing one stay mapped and *left names the failing one.
 * The registers change: the kernel restarts long calls in them.
 */
static inline enum status sys_mem_map(cap_selector task, uintptr_t src, uintptr_t dst,
				      uint64_t pages, unsigned flags, struct mem_progress *left)
{
	uint64_t rax = SYS_MEM_MAP;
	register uint64_t rsi __asm__("rsi") = src;
	register uint64_t rdx __asm__("rdx") = dst;
	register uint64_t r10 __asm__("r10") = pages;
	register uint64_t r8 __asm__("r8") = flags;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+r"(rsi), "+r"(rdx), "+r"(r10)
			 : "D"(task), "r"(r8)
			 : "rcx", "r11", "memory");
	if (left)
		*left = (struct mem_progress){rsi, rdx, r10};
	return (enum status)rax;
}

/*
 * Take back every mapping derived from the caller's pages [va, va +
 * pages * 4096), in every task, recursively; with UNMAP_SELF the caller's
 * own mappings too (not the root task's originals). Pages with nothing
 * mapped are skipped. Returns BAD_ARG (unknown flags) or BAD_ADDRESS.
 */
static inline enum status sys_mem_unmap(uintptr_t va, uint64_t pages, unsigned flags)
{
	uint64_t rax = SYS_MEM_UNMAP;
	register uint64_t rdi __asm__("rdi") = va;
	register uint64_t rsi __asm__("rsi") = pages;
	register uint64_t rdx __asm__("rdx") = flags;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx)
			 :
			 : "rcx", "r11", "memory");
	return (enum status)rax;
}

#endif
