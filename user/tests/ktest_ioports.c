/*
 * ktest: I/O ports (io_ports, doc/syscalls.md). Two child tasks run
 * ktest's image (ktest_map_image) with one server thread each; the main
 * thread calls a child with a small program of steps (an OUT, an IN, an
 * io_ports call, a loop of calls to the other child) and gets the results
 * in the reply. A port the child does not have raises #GP, which a worker
 * in the root task receives as the child's exception handler: it notes
 * the vector and moves the child past the instruction.
 *
 * The port used is COM1's scratch register (0x3ff, PC16550D data sheet
 * §8.10: eight bits of storage that do nothing), so an OUT and an IN show
 * that the access really reached the device. The kernel's log on COM1
 * never touches it. At the end, the children are destroyed and the root
 * task's quota is back where it was (the bitmaps' pages included), and
 * call+reply between tasks with and without ports is timed, so the cost
 * of loading a bitmap on a task switch can be read off (TSC ticks: ktest
 * runs under QEMU -icount shift=0, one tick per instruction;
 * doc/implementation.md section 12).
 */
#include "ktest.h"

#define SCRATCH 0x3ffu        /* COM1 scratch register */
#define OTHER_PORT 0x3feu     /* COM1 modem status: never given */
#define CHILD_SLOTS 16
#define CHILD_EP 4            /* the child's server endpoint (RECEIVE) */
#define CHILD_PEER_EP 5       /* the other child's endpoint (SEND) */
#define CHILD_PEER_TASK 6     /* the other child (CONTROL) */
#define CHILD_UTCB 0x7f0000000000ull
#define CHILD_PRIORITY 100
#define HANDLER_PRIORITY 200
#define TIMING_ROUNDS 200

/* A step of a child's program: STEP_WORDS message words. */
enum step_op { OP_NOTHING = 1, OP_OUT8, OP_OUT16, OP_IN8, OP_IO_PORTS, OP_CALL_PEER };
#define STEP_WORDS 5
#define MAX_STEPS 4

struct child {
	const char *name;
	cap_selector task, thread, ep, handler;
	uint64_t badge;
};

static struct child children[2];
static unsigned char child_stacks[2][8192] __attribute__((aligned(16)));
static uint64_t main_tcb;
/* Length of the I/O instruction a child is about to run, for the
 * handler to step over when it faults. */
static volatile uint64_t io_length;

static inline void out8(uint16_t port, uint8_t v)
{
	io_length = 1; /* ee */
	__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void out16(uint16_t port, uint16_t v)
{
	io_length = 2; /* 66 ef */
	__asm__ volatile("outw %w0, %w1" : : "a"(v), "d"(port) : "memory");
}

static inline uint8_t in8(uint16_t port)
{
	uint8_t v = 0;
	io_length = 1; /* ec */
	__asm__ volatile("inb %w1, %b0" : "+a"(v) : "d"(port) : "memory");
	return v;
}

/* One step in the child: returns its result. */
static uint64_t child_step(const uint64_t *m)
{
	switch (m[0]) {
	case OP_NOTHING:
		return 0;
	case OP_OUT8:
		out8((uint16_t)m[1], (uint8_t)m[2]);
		return 0;
	case OP_OUT16:
		out16((uint16_t)m[1], (uint16_t)m[2]);
		return 0;
	case OP_IN8:
		return in8((uint16_t)m[1]);
	case OP_IO_PORTS:
		return sys_io_ports(m[1], (unsigned)m[2], (unsigned)m[3], (unsigned)m[4]);
	case OP_CALL_PEER: {
		/* m[1] calls to the other child: TSC ticks per call+reply. */
		uint64_t start = rdtsc();
		for (uint64_t i = 0; i < m[1]; i++)
			if (sys_ipc_call(CHILD_PEER_EP, 0, TIMEOUT_NEVER, NULL) != STATUS_OK)
				return ~0ull;
		return (rdtsc() - start) / (m[1] ? m[1] : 1);
	}
	default:
		return ~0ull;
	}
}

/* The child's server: each message is a program of up to MAX_STEPS steps;
 * the reply carries one result per step. */
NO_STACK_PROTECTOR _Noreturn static void child_server(uint64_t tcb)
{
	sys_thread_set_fs_base(tcb);
	struct utcb *u = (struct utcb *)(uintptr_t)CHILD_UTCB;
	uint64_t words = 0;
	sys_ipc_receive(CHILD_EP, TIMEOUT_NEVER, NULL, &words);
	for (;;) {
		uint64_t program[MAX_STEPS * STEP_WORDS], steps = words / STEP_WORDS;
		steps = steps > MAX_STEPS ? MAX_STEPS : steps;
		for (uint64_t i = 0; i < steps * STEP_WORDS; i++)
			program[i] = u->message[i];
		for (uint64_t i = 0; i < steps; i++)
			u->message[i] = child_step(&program[i * STEP_WORDS]);
		sys_ipc_reply_wait(CHILD_EP, steps, TIMEOUT_NEVER, NULL, &words);
	}
}

/* Exception handler for both children (badge: child index + 1): counts
 * faults, keeps the last one's words, steps over the instruction. */
static void fault_handler(struct worker *w)
{
	uint64_t badge = 0;
	enum status s = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, &badge, NULL);
	while (s == STATUS_OK && badge >= 1 && badge <= 2) {
		w->count++;
		w->value[0] = w->utcb->message[EXCEPTION_VECTOR];
		w->value[1] = w->utcb->message[EXCEPTION_ERROR];
		w->value[2] = badge;
		struct thread_regs regs;
		w->status = sys_thread_read_regs(children[badge - 1].thread, w->utcb, &regs);
		regs.rip += io_length;
		if (w->status == STATUS_OK)
			w->status = sys_thread_write_regs(children[badge - 1].thread, w->utcb, &regs);
		s = sys_ipc_reply_wait(w->arg[0], 0, TIMEOUT_NEVER, &badge, NULL);
	}
}

static struct worker *handler;

/* Runs a program of `steps` steps (STEP_WORDS words each) in child c;
 * results[i] is step i's. Returns the call's status. */
static enum status run(const struct child *c, const uint64_t *program, unsigned steps,
		       uint64_t *results)
{
	for (unsigned i = 0; i < steps * STEP_WORDS; i++)
		ktest_utcb()->message[i] = program[i];
	uint64_t words = 0;
	enum status s = sys_ipc_call(c->ep, steps * STEP_WORDS, TIMEOUT_NEVER, &words);
	for (unsigned i = 0; i < steps && s == STATUS_OK; i++)
		results[i] = ktest_utcb()->message[i];
	return s;
}

/* One step; its result (~0 when the call failed). */
static uint64_t run1(const struct child *c, uint64_t op, uint64_t a, uint64_t b, uint64_t d,
		     uint64_t e)
{
	uint64_t program[STEP_WORDS] = {op, a, b, d, e}, result = ~0ull;
	run(c, program, 1, &result);
	return result;
}

/* Runs an OUT (op OP_OUT8 or OP_OUT16) in c: whether it faulted (with
 * #GP, error 0, in c) is checked against `faults`. */
static void check_io(const char *name, const struct child *c, uint64_t op, uint16_t port,
		     int faults)
{
	uint64_t before = handler->count;
	run1(c, op, port, 0x5a, 0, 0);
	uint64_t seen = handler->count - before;
	if (!faults) {
		ktest_check(seen == 0, name, "OUT to 0x%x in %s faulted (vector %llu)", port,
			    c->name, (unsigned long long)handler->value[0]);
		return;
	}
	ktest_check(seen == 1 && handler->value[0] == 13 && handler->value[1] == 0 &&
			    handler->value[2] == c->badge && handler->status == STATUS_OK,
		    name, "OUT to 0x%x in %s: %llu faults, vector %llu error %llu from %llu", port,
		    c->name, (unsigned long long)seen, (unsigned long long)handler->value[0],
		    (unsigned long long)handler->value[1], (unsigned long long)handler->value[2]);
}

static const char *make_child(struct child *c, cap_selector handler_ep, unsigned index)
{
	c->task = ktest_slot();
	c->thread = ktest_slot();
	c->handler = ktest_slot();
	c->badge = index + 1;
	if (sys_task_create(c->task, 64, CHILD_SLOTS, c->name) != STATUS_OK)
		return "task_create";
	if (ktest_map_image(c->task) != STATUS_OK)
		return "map_image";
	if (sys_cap_copy(c->ep, c->task, CHILD_EP, RIGHTS_ALL, 0) != STATUS_OK ||
	    sys_cap_copy(handler_ep, CAP_SELF_TASK, c->handler, RIGHT_SEND, c->badge) != STATUS_OK)
		return "cap_copy";
	if (sys_thread_create(c->thread, c->task, CHILD_UTCB, CHILD_PRIORITY) != STATUS_OK ||
	    sys_thread_configure(c->thread, c->handler, CHILD_PRIORITY, 0) != STATUS_OK)
		return "thread_create";
	uint64_t rsp = (uint64_t)(uintptr_t)&child_stacks[index][sizeof(child_stacks[index])] - 8;
	if (sys_thread_start(c->thread, (uintptr_t)child_server, rsp, main_tcb) != STATUS_OK)
		return "thread_start";
	return NULL;
}

/* Each child may call and give ports to the other. */
static const char *connect_children(void)
{
	for (unsigned i = 0; i < 2; i++) {
		struct child *c = &children[i], *peer = &children[1 - i];
		if (sys_cap_copy(peer->ep, c->task, CHILD_PEER_EP, RIGHT_SEND, 0) != STATUS_OK ||
		    sys_cap_copy(peer->task, c->task, CHILD_PEER_TASK, RIGHTS_ALL, 0) != STATUS_OK)
			return "cap_copy";
	}
	return NULL;
}

static void test_bad_arguments(cap_selector task)
{
	ktest_status("io-ports-count-zero", sys_io_ports(task, SCRATCH, 0, 0), STATUS_BAD_ARG);
	ktest_status("io-ports-past-ffff", sys_io_ports(task, 0xffff, 2, 0), STATUS_BAD_ARG);
	ktest_status("io-ports-first-10000", sys_io_ports(task, 0x10000, 1, 0), STATUS_BAD_ARG);
	ktest_status("io-ports-count-10001", sys_io_ports(task, 0, 0x10001, 0), STATUS_BAD_ARG);
	ktest_status("io-ports-count-wraps",
		     syscall6(SYS_IO_PORTS, task, 1, ~0ull, 0, 0, 0, NULL), STATUS_BAD_ARG);
	ktest_status("io-ports-bad-flags", sys_io_ports(task, SCRATCH, 1, 2), STATUS_BAD_ARG);
	ktest_status("io-ports-bad-selector", sys_io_ports(BAD_SELECTOR, SCRATCH, 1, 0),
		     STATUS_BAD_CAP);
	ktest_status("io-ports-not-task", sys_io_ports(children[0].ep, SCRATCH, 1, 0),
		     STATUS_BAD_TYPE);
	cap_selector weak = ktest_slot();
	sys_cap_copy(task, CAP_SELF_TASK, weak, RIGHT_SEND, 0);
	ktest_status("io-ports-no-control", sys_io_ports(weak, SCRATCH, 1, 0), STATUS_NO_RIGHTS);
	sys_cap_delete(weak);
}

/* The bitmap's pages come from the receiving task's quota. */
static void test_io_quota(void)
{
	uint64_t before = ktest_quota();
	cap_selector poor = ktest_slot(), enough = ktest_slot();
	uint64_t left = 0;
	if (!ktest_status("io-quota-task", sys_task_create(poor, 1, 3, "io-poor"), STATUS_OK))
		return;
	ktest_status("io-ports-no-quota", sys_io_ports(poor, SCRATCH, 1, 0), STATUS_NO_MEM);
	sys_task_quota(poor, &left);
	ktest_check(left == 1, "io-ports-no-quota-refunded", "quota %llu, not 1",
		    (unsigned long long)left);
	ktest_status("io-ports-revoke-none", sys_io_ports(poor, SCRATCH, 1, IO_REVOKE), STATUS_OK);
	sys_task_create(enough, 2, 3, "io-enough");
	ktest_status("io-ports-quota-2", sys_io_ports(enough, SCRATCH, 1, 0), STATUS_OK);
	sys_task_quota(enough, &left);
	ktest_check(left == 0, "io-ports-costs-2-pages", "quota %llu left of 2",
		    (unsigned long long)left);
	sys_task_destroy(poor);
	sys_task_destroy(enough);
	sys_cap_delete(poor);
	sys_cap_delete(enough);
	ktest_check(ktest_quota() == before, "io-ports-quota-back", "quota %llu before, %llu after",
		    (unsigned long long)before, (unsigned long long)ktest_quota());
}

static void check_out(const char *name, const struct child *c, uint16_t port, int faults)
{
	check_io(name, c, OP_OUT8, port, faults);
}

/* Giving, using, revoking; a child gives and takes ports itself. */
static void test_ports(void)
{
	struct child *a = &children[0], *b = &children[1];
	check_out("io-ports-none", a, SCRATCH, 1);
	ktest_status("io-ports-give", sys_io_ports(a->task, SCRATCH, 1, 0), STATUS_OK);
	uint64_t program[2 * STEP_WORDS] = {OP_OUT8, SCRATCH, 0xa5, 0, 0, OP_IN8, SCRATCH, 0, 0, 0};
	uint64_t results[2] = {0};
	uint64_t before = handler->count;
	enum status s = run(a, program, 2, results);
	ktest_check(s == STATUS_OK && handler->count == before && results[1] == 0xa5,
		    "io-ports-out-in", "%s, %llu faults, read 0x%llx", status_name(s),
		    (unsigned long long)(handler->count - before), (unsigned long long)results[1]);
	check_out("io-ports-other-port", a, OTHER_PORT, 1);
	/* A word at 0x3ff is ports 0x3ff and 0x400: one of them missing. */
	check_io("io-ports-word-needs-both", a, OP_OUT16, SCRATCH, 1);
	/* The last port; a word there would need port 0x10000, whose bit
	 * is the all-ones byte after the map. */
	ktest_status("io-ports-last-port", sys_io_ports(a->task, 0xffff, 1, 0), STATUS_OK);
	check_out("io-ports-last-port-out", a, 0xffff, 0);
	check_io("io-ports-word-past-ffff", a, OP_OUT16, 0xffff, 1);
	/* b ran after root (all ports): it must not see them. */
	check_out("io-ports-not-inherited", b, SCRATCH, 1);

	/* a may give b what it has, and nothing else. */
	ktest_status("io-ports-child-lacks",
		     run1(a, OP_IO_PORTS, CHILD_PEER_TASK, OTHER_PORT, 2, 0), STATUS_NO_RIGHTS);
	ktest_status("io-ports-child-gives", run1(a, OP_IO_PORTS, CHILD_PEER_TASK, SCRATCH, 1, 0),
		     STATUS_OK);
	check_out("io-ports-given-by-child", b, SCRATCH, 0);
	ktest_status("io-ports-revoke", sys_io_ports(b->task, SCRATCH, 1, IO_REVOKE), STATUS_OK);
	check_out("io-ports-revoked", b, SCRATCH, 1);

	/* a revokes its own port and uses it in the same program: the TSS
	 * must change at once, not on the next switch. */
	uint64_t self[2 * STEP_WORDS] = {OP_IO_PORTS, CAP_SELF_TASK, SCRATCH, 1, IO_REVOKE,
					 OP_OUT8, SCRATCH, 0, 0, 0};
	before = handler->count;
	s = run(a, self, 2, results);
	ktest_check(s == STATUS_OK && results[0] == STATUS_OK && handler->count == before + 1 &&
			    handler->value[0] == 13,
		    "io-ports-self-revoke", "%s, io_ports %s, %llu faults", status_name(s),
		    status_name((enum status)results[0]),
		    (unsigned long long)(handler->count - before));
	ktest_status("io-ports-caller-lacks", run1(a, OP_IO_PORTS, CAP_SELF_TASK, SCRATCH, 1, 0),
		     STATUS_NO_RIGHTS);
}

/* Call+reply a -> b, TSC ticks per round trip. */
static uint64_t peer_round_trip(void)
{
	return run1(&children[0], OP_CALL_PEER, TIMING_ROUNDS, 0, 0, 0);
}

/* Call+reply root -> a, TSC ticks per round trip. */
static uint64_t root_round_trip(void)
{
	uint64_t start = rdtsc();
	for (unsigned i = 0; i < TIMING_ROUNDS; i++)
		run1(&children[0], OP_NOTHING, 0, 0, 0, 0);
	return (rdtsc() - start) / TIMING_ROUNDS;
}

/* Not pass/fail: prints what a switch costs, from no ports to the
 * whole map and back (revoking all of a task's ports makes it cost
 * nothing again). Runs first, on children without ports. */
static void measure_switches(void)
{
	cap_selector a = children[0].task, b = children[1].task;
	uint64_t none = peer_round_trip(), root_none = root_round_trip();
	sys_io_ports(a, 0x80, 1, 0);
	uint64_t one = peer_round_trip();
	sys_io_ports(b, 0x80, 1, 0);
	uint64_t both = peer_round_trip(), root_low = root_round_trip();
	sys_io_ports(b, 0xfff8, 1, 0);
	uint64_t high = peer_round_trip();
	sys_io_ports(a, 0x80, 1, IO_REVOKE);
	sys_io_ports(b, 0x80, 1, IO_REVOKE);
	sys_io_ports(b, 0xfff8, 1, IO_REVOKE);
	uint64_t revoked = peer_round_trip();
	int ok = none != ~0ull && one != ~0ull && both != ~0ull && high != ~0ull &&
		 revoked != ~0ull;
	if (!ktest_check(ok, "io-switch-measured", "a call from one child to the other failed"))
		return;
	ktest_print("ktest: io-switch: TSC ticks per call+reply, %u rounds, between two "
		    "tasks: no ports %llu; caller with port 0x80 %llu; both with port 0x80 %llu; "
		    "one with 0x80, one with 0xfff8 %llu; all revoked %llu\n",
		    TIMING_ROUNDS, (unsigned long long)none, (unsigned long long)one,
		    (unsigned long long)both, (unsigned long long)high,
		    (unsigned long long)revoked);
	ktest_print("ktest: io-switch: TSC ticks per call+reply, %u rounds, root task (all "
		    "ports) and a task: without ports %llu; with port 0x80 %llu\n",
		    TIMING_ROUNDS, (unsigned long long)root_none, (unsigned long long)root_low);
}

void test_ioports(void)
{
	__asm__ volatile("movq %%fs:0, %0" : "=r"(main_tcb));
	children[0].name = "io-a";
	children[1].name = "io-b";
	cap_selector handler_ep = ktest_endpoint("io-handler");
	handler = worker_run("io-handler", HANDLER_PRIORITY, fault_handler, handler_ep, 0);
	if (!handler)
		return;
	test_io_quota();
	/* Endpoints are paid for good: made before the quota is read. */
	for (unsigned i = 0; i < 2; i++)
		children[i].ep = ktest_endpoint("io-child-endpoint");
	uint64_t before = ktest_quota();
	const char *failed = NULL;
	for (unsigned i = 0; i < 2 && !failed; i++)
		failed = make_child(&children[i], handler_ep, i);
	if (!failed)
		failed = connect_children();
	if (!ktest_check(!failed, "io-ports-setup", "%s failed", failed))
		return;
	measure_switches();
	test_bad_arguments(children[0].task);
	test_ports();
	for (unsigned i = 0; i < 2; i++) {
		sys_task_destroy(children[i].task);
		sys_cap_delete(children[i].task);
		sys_cap_delete(children[i].thread);
		sys_cap_delete(children[i].handler);
		sys_cap_delete(children[i].ep);
	}
	ktest_check(ktest_quota() == before, "io-ports-destroy-quota-back",
		    "quota %llu before, %llu after", (unsigned long long)before,
		    (unsigned long long)ktest_quota());
	/* The handler's endpoint goes with its last capability: the worker
	 * wakes with BAD_CAP and ends. */
	sys_cap_delete(handler_ep);
	ktest_settle();
}
