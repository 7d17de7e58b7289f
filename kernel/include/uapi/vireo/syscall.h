/*
 * System call numbers and calling convention, shared by kernel and user.
 *
 * Convention (like the SysV function ABI, with r10 for the 4th argument
 * because SYSCALL overwrites rcx): number in rax, arguments in rdi, rsi,
 * rdx, r10, r8, r9; the enum status comes back in rax. rcx and r11 are
 * clobbered (SYSCALL saves rip and rflags there: Intel SDM vol. 2B,
 * SYSCALL); every other register is preserved.
 */
#ifndef VIREO_UAPI_SYSCALL_H
#define VIREO_UAPI_SYSCALL_H

enum syscall_number {
	/* debug_write(const char *buf, size_t len): print to the kernel log. */
	SYS_DEBUG_WRITE = 0,
	/* thread_exit(long code): end the calling thread; never returns. */
	SYS_THREAD_EXIT = 1,
	/* thread_set_fs_base(uintptr_t base): set the caller's %fs base. */
	SYS_THREAD_SET_FS_BASE = 2,
	/* cap_copy(src, dst_task, dst, rights_mask, badge): copy a capability
	 * into slot dst of task dst_task (CONTROL), with fewer rights. */
	SYS_CAP_COPY = 3,
	/* cap_delete(sel): empty a slot of one's own capability space. */
	SYS_CAP_DELETE = 4,
	/* task_create(dst, quota_pages, cap_slots): a new empty task. */
	SYS_TASK_CREATE = 5,
	/* thread_create(dst, task, utcb, priority): a new thread, not started. */
	SYS_THREAD_CREATE = 6,
	/* thread_start(thread, rip, rsp, arg): start it at rip with rdi = arg. */
	SYS_THREAD_START = 7,
	/* endpoint_create(dst): a new IPC endpoint. */
	SYS_ENDPOINT_CREATE = 8,
	/* ipc_send(endpoint, words, timeout): send message registers (words:
	 * IPC_MSG(untyped, items), below). */
	SYS_IPC_SEND = 9,
	/* ipc_receive(endpoint, timeout) -> badge in rsi, words in rdx. */
	SYS_IPC_RECEIVE = 10,
	/* ipc_call(endpoint, words, timeout): send, then wait for the reply;
	 * -> words in rdx. */
	SYS_IPC_CALL = 11,
	/* ipc_reply_wait(endpoint, words, timeout): reply to the last caller
	 * (if any), then receive; -> badge in rsi, words in rdx. */
	SYS_IPC_REPLY_WAIT = 12,
	/* irq_create(dst, gsi, endpoint, badge, flags): route IOAPIC input
	 * gsi to the kernel; each interrupt masks it and signals endpoint
	 * with badge (root task only). flags: IRQ_LEVEL, IRQ_ACTIVE_LOW; or
	 * IRQ_MSI with gsi 0: a vector for a device's message-signalled
	 * interrupts, -> MSI address in rsi, data in rdx. */
	SYS_IRQ_CREATE = 13,
	/* irq_ack(irq): unmask the interrupt again (CONTROL); for an MSI,
	 * nothing to do (the device masks its messages). */
	SYS_IRQ_ACK = 14,
	/* mem_map(task, src, dst, pages, flags): map (or with MEM_GRANT move)
	 * the caller's pages at src to task's at dst (CONTROL on task),
	 * rights narrowed to flags' MEM_WRITE / MEM_EXECUTE. Restartable: on
	 * return rsi, rdx and r10 say where it stopped (see doc/memory.md). */
	SYS_MEM_MAP = 15,
	/* mem_unmap(va, pages, flags): take back every mapping derived from
	 * the caller's pages, in every task, recursively; with UNMAP_SELF the
	 * caller's own too. Restartable like mem_map. */
	SYS_MEM_UNMAP = 16,
	/* thread_configure(thread, handler, priority, time_slice_ns): the
	 * endpoint (SEND) that gets the thread's exceptions and page faults as
	 * calls (NO_SELECTOR: none, faults stop it), its priority (at most the
	 * caller's) and its round-robin time slice (0: TIME_SLICE_DEFAULT_NS).
	 * CONTROL on the thread. */
	SYS_THREAD_CONFIGURE = 17,
	/* thread_suspend(thread): take it off the CPU (an IPC it is blocked
	 * in ends with TIMEOUT; an exception it waits in is dropped and
	 * happens again); thread_resume(thread) lets it go on. CONTROL. */
	SYS_THREAD_SUSPEND = 18,
	SYS_THREAD_RESUME = 19,
	/* thread_read_regs(thread) / thread_write_regs(thread): its user
	 * registers to / from the caller's message registers, as struct
	 * thread_regs; the thread must not be ready (stopped, blocked or new). */
	SYS_THREAD_READ_REGS = 20,
	SYS_THREAD_WRITE_REGS = 21,
	/* task_destroy(task): end it (CONTROL; not the caller's own task nor
	 * the root task): threads killed, mappings revoked recursively,
	 * capabilities dropped, quota back to its parent. Restartable. */
	SYS_TASK_DESTROY = 22,
	/* task_quota(task): kernel memory pages it may still use -> rsi; to
	 * the root task also the kernel pool's free pages -> rdx. */
	SYS_TASK_QUOTA = 23,
	/* io_ports(task, first, count, flags): let task (CONTROL) use the
	 * I/O ports [first, first+count), all of which the caller must have;
	 * with IO_REVOKE take them away instead. */
	SYS_IO_PORTS = 24,
	SYS_COUNT
};

/* irq_create flags: trigger mode and polarity of the IOAPIC input; or
 * IRQ_MSI alone (gsi 0): a message-signalled interrupt, whose address and
 * data come back in rsi and rdx. */
#define IRQ_LEVEL (1u << 0)
#define IRQ_ACTIVE_LOW (1u << 1)
#define IRQ_MSI (1u << 2)

/* io_ports flags: take the ports away instead of giving them. */
#define IO_REVOKE (1u << 0)

/* mem_map flags: rights asked for (read is implied; never both) and
 * grant (move the mapping: the caller loses it). */
#define MEM_WRITE (1u << 0)
#define MEM_EXECUTE (1u << 1)
#define MEM_GRANT (1u << 3)
/* mem_unmap flags. */
#define UNMAP_SELF (1u << 0)

/* thread_configure's time slice: the default and the accepted range. */
#define TIME_SLICE_DEFAULT_NS 10000000ull  /* 10 ms */
#define TIME_SLICE_MIN_NS 10000ull         /* 10 µs: no timer storms */
#define TIME_SLICE_MAX_NS 10000000000ull   /* 10 s */

/* The selector that names no capability (thread_configure: no handler). */
#define NO_SELECTOR (~0ull)

/*
 * An exception or page fault arrives at the thread's handler as a call
 * with these message words (badge: the handler capability's). Replying
 * lets the thread retry the instruction; to do anything else, change its
 * registers (thread_write_regs) or stop it before replying.
 */
enum exception_word {
	EXCEPTION_VECTOR,  /* 0..31, SDM vol. 3A table 6-1 (14: page fault) */
	EXCEPTION_ERROR,   /* the CPU's error code (page fault: SDM fig. 4-12) */
	EXCEPTION_ADDRESS, /* page fault: the address (CR2); else 0 */
	EXCEPTION_RIP,
	EXCEPTION_RSP,
	EXCEPTION_WORDS
};

/* A thread's user registers in thread_read_regs/thread_write_regs order.
 * Written rflags keep only the arithmetic flags, DF, TF and AC; rip and
 * rsp must be user addresses. */
struct thread_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, fs_base;
};
#define THREAD_REGS_WORDS (sizeof(struct thread_regs) / 8)

/*
 * The `words` argument of the IPC calls and the count a receiver gets in
 * rdx: untyped words in bits 0-7, map items in bits 8-15, every other bit
 * zero (as Fiasco.OC's message tag and L4 X.2's MR0 count both kinds). A
 * count below 256 has no items: plain message registers, as before.
 * The untyped words come first, then IPC_ITEM_WORDS words per item; all
 * of them must fit the UTCB_MESSAGE_WORDS message registers.
 */
#define IPC_MSG(untyped, items) ((uint64_t)(untyped) | (uint64_t)(items) << 8)
#define IPC_MSG_UNTYPED(words) ((words) & 0xff)
#define IPC_MSG_ITEMS(words) (((words) >> 8) & 0xff)

/*
 * A map item (doc/syscalls.md, "Map items"), IPC_ITEM_WORDS message
 * registers:
 *   capability: { IPC_CAP_ITEM(rights_mask), selector, badge }
 *   memory:     { IPC_MEM_ITEM(pages, flags), va, window_offset }
 * Word 0 holds the type (bits 0-7), the rights mask or the MEM_WRITE /
 * MEM_EXECUTE / MEM_GRANT flags (bits 8-31) and a memory item's pages
 * (bits 32-63). The receiver gets the item back with word 1 rewritten to
 * where it landed: its slot, or its first page.
 */
#define IPC_ITEM_WORDS 3
/* Items one message can hold: all 64 message registers as items. */
#define IPC_ITEMS_MAX 21
enum ipc_item_type {
	IPC_ITEM_CAP = 1, /* a copy of a capability with GRANT */
	IPC_ITEM_MEM = 2, /* pages mapped (or with MEM_GRANT, moved) */
};
#define IPC_CAP_ITEM(rights_mask) (IPC_ITEM_CAP | (uint64_t)(rights_mask) << 8)
#define IPC_MEM_ITEM(pages, flags) \
	(IPC_ITEM_MEM | (uint64_t)(flags) << 8 | (uint64_t)(pages) << 32)
#define IPC_ITEM_TYPE(word0) ((word0) & 0xff)
#define IPC_ITEM_FLAGS(word0) (((word0) >> 8) & 0xffffff)
#define IPC_ITEM_PAGES(word0) ((word0) >> 32)
/* Pages all the memory items of one message may carry together: the
 * kernel maps them with interrupts off (doc/syscalls.md says why 16). */
#define IPC_MAP_PAGES_MAX 16

/* IPC timeouts: 0 = do not block, TIMEOUT_NEVER = block forever. */
#define TIMEOUT_NEVER (~0ull)

/* Longest message debug_write takes at once; longer ones get BAD_ARG. */
#define DEBUG_WRITE_MAX 4096

#endif
