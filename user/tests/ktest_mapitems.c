/*
 * ktest: map items in IPC messages (doc/syscalls.md, "Map items"). A
 * server thread runs in a child task (on aliases of ktest's image, as in
 * ktest_destroy.c, so it shares ktest's globals) and receives messages
 * from the main thread: capabilities land in its capability window,
 * pages in its memory window, and it reports what it got and does what
 * the message's first words tell it (read a page, pass a capability on,
 * reply with a page...). Each refusal must leave the server with nothing:
 * no message, no capability, no page. A second child with no quota left
 * checks NO_MEM; a pager in the root task answers the server's page faults
 * with memory items.
 */
#include "ktest.h"

#define CHILD_SLOTS	 32
#define CHILD_EP	 4 /* the endpoint the server receives on */
#define CHILD_PARK	 5 /* where it waits when told to park */
#define CHILD_UTCB	 0x7f0000000000ull
#define CAP_WINDOW	 16 /* its capability window: slots 16 .. 19 */
#define CAP_WINDOW_SLOTS 4
#define WINDOW_VA	 0x50000000ull /* its memory window: 8 pages */
#define WINDOW_PAGES	 8
#define CHILD_ALIAS	 0x58000000ull
#define TOUCH_VA	 0x60000000ull
#define FAR_VA		 0x100000000000ull /* no page tables there yet */
#define ROOT_ALIAS	 0x0000301000000000ull
#define ROOT_ALIAS2	 0x0000301000200000ull
#define MAIN_WINDOW	 0x0000301100000000ull
#define UNTYPED		 3 /* command, argument, second argument */

/* What a server does with a message: word 0 of it. */
enum command {
	CMD_NONE,
	CMD_READ,	 /* value = *(u64 *)arg */
	CMD_WRITE,	 /* *(u64 *)arg = arg2 */
	CMD_ALIAS,	 /* map its page at arg2 to arg in its own space */
	CMD_SEND_CAP,	 /* send on its slot arg */
	CMD_RECEIVE_CAP, /* receive on its slot arg, timeout 0 */
	CMD_DELETE,	 /* empty its slot arg */
	CMD_PARK,	 /* wait on CHILD_PARK */
	CMD_REPLY_PAGE,	 /* reply to the call with its page at arg */
};

/* A server and what it saw (written in the child, read by main). */
struct server {
	cap_selector task, thread, ep;
	struct utcb_window window; /* put in its UTCB before each receive */
	volatile uint64_t received, words, badge, value;
	volatile uint64_t message[UNTYPED + 2 * IPC_ITEM_WORDS];
	volatile enum status status, command_status, reply_status;
};

static struct server servers[2];
static unsigned char server_stacks[2][8192] __attribute__((aligned(16)));
static uint64_t main_tcb;
static cap_selector park;

/* Page n of the root task's own memory, through its window (ktest's other
 * suites use the first few hundred). */
static uint64_t own_page(unsigned n)
{
	return BOOTINFO_PHYS_WINDOW + runtime_bootinfo->memory[0].base + (600 + n) * PAGE_SIZE;
}

/* In the server: does the command of message m; returns the reply's word
 * count (the reply goes out with the next receive). */
static uint64_t serve(struct server *sv, struct utcb *u)
{
	uint64_t arg = u->message[1], arg2 = u->message[2];
	switch (u->message[0]) {
	case CMD_READ: sv->value = *(volatile uint64_t *)arg; break;
	case CMD_WRITE:
		*(volatile uint64_t *)arg = arg2;
		sv->value = arg2;
		break;
	case CMD_ALIAS:
		sv->command_status = sys_mem_map(CAP_SELF_TASK, arg2, arg, 1, 0, NULL);
		break;
	case CMD_SEND_CAP: sv->command_status = sys_ipc_send(arg, 0, TIMEOUT_NEVER); break;
	case CMD_RECEIVE_CAP: sv->command_status = sys_ipc_receive(arg, 0, NULL, NULL); break;
	case CMD_DELETE: sv->command_status = sys_cap_delete(arg); break;
	case CMD_PARK: sys_ipc_receive(CHILD_PARK, TIMEOUT_NEVER, NULL, NULL); break;
	case CMD_REPLY_PAGE:
		u->message[0] = IPC_MEM_ITEM(1, 0);
		u->message[1] = arg;
		u->message[2] = 0;
		return IPC_MSG(0, 1);
	}
	return 0;
}

/* The server's loop. A reply with items that fails is followed by an
 * empty one, so the caller never stays blocked. */
NO_STACK_PROTECTOR _Noreturn static void server_entry(uint64_t index)
{
	struct server *sv = &servers[index];
	sys_thread_set_fs_base(main_tcb);
	struct utcb *u = (struct utcb *)CHILD_UTCB;
	uint64_t reply = 0;
	for (;;) {
		u->window = sv->window;
		uint64_t badge = 0, words = 0;
		enum status s = sys_ipc_reply_wait(CHILD_EP, reply, TIMEOUT_NEVER, &badge, &words);
		if (reply > UTCB_MESSAGE_WORDS) {
			sv->reply_status = s;
			reply = 0;
			if (s != STATUS_OK)
				continue;
		}
		sv->status = s;
		sv->badge = badge;
		sv->words = words;
		for (unsigned i = 0; i < sizeof(sv->message) / sizeof(sv->message[0]); i++)
			sv->message[i] = u->message[i];
		sv->received++;
		reply = serve(sv, u);
	}
}

/* A child task with the image and a server waiting on its endpoint.
 * Returns 0 or the step that failed. */
static const char *start_server(unsigned index, uint64_t quota, const char *name)
{
	struct server *sv = &servers[index];
	sv->task = ktest_slot();
	sv->thread = ktest_slot();
	sv->ep = ktest_endpoint(name);
	if (sys_task_create(sv->task, quota, CHILD_SLOTS, name) != STATUS_OK)
		return "task_create";
	if (ktest_map_image(sv->task) != STATUS_OK)
		return "map_image";
	if (sys_cap_copy(sv->ep, sv->task, CHILD_EP, RIGHTS_ALL, 0) != STATUS_OK ||
	    sys_cap_copy(park, sv->task, CHILD_PARK, RIGHTS_ALL, 0) != STATUS_OK)
		return "cap_copy";
	if (sys_thread_create(sv->thread, sv->task, CHILD_UTCB, 40) != STATUS_OK)
		return "thread_create";
	uint64_t rsp = (uint64_t)(uintptr_t)&server_stacks[index][sizeof(server_stacks[index])] - 8;
	if (sys_thread_start(sv->thread, (uintptr_t)server_entry, rsp, index) != STATUS_OK)
		return "thread_start";
	ktest_settle();
	return NULL;
}

/* Item n of main's message, after the UNTYPED words. */
static void item(unsigned n, uint64_t word0, uint64_t word1, uint64_t word2)
{
	uint64_t *m = &ktest_utcb()->message[UNTYPED + n * IPC_ITEM_WORDS];
	m[0] = word0;
	m[1] = word1;
	m[2] = word2;
}

/* Sends the server cmd(arg, arg2) with `items` items (set with item()),
 * without waiting (it must be waiting), and lets it run. */
static enum status command(struct server *sv, uint64_t cmd, uint64_t arg, uint64_t arg2,
			   unsigned items)
{
	uint64_t *m = ktest_utcb()->message;
	m[0] = cmd;
	m[1] = arg;
	m[2] = arg2;
	enum status s = sys_ipc_send(sv->ep, IPC_MSG(UNTYPED, items), 0);
	ktest_settle();
	return s;
}

/* A message that must fail with `want` and leave the server with
 * nothing: not woken, no capability in its window, no page in it. */
static void refused(const char *name, struct server *sv, unsigned items, enum status want)
{
	uint64_t before = sv->received;
	enum status s = command(sv, CMD_NONE, 0, 0, items);
	ktest_check(s == want && sv->received == before, name, "returned %s (expected %s), %s",
		    status_name(s), status_name(want),
		    sv->received == before ? "nothing received" : "the server got a message");
}

/* Is the server's slot empty? (A copy into it works only then; the copy
 * is deleted again.) */
static int slot_empty(struct server *sv, cap_selector slot)
{
	if (sys_cap_copy(park, sv->task, slot, RIGHT_SEND, 0) != STATUS_OK)
		return 0;
	command(sv, CMD_DELETE, slot, 0, 0);
	return 1;
}

/* Is nothing mapped at va in the server's task? (A map to it works only
 * then; it is taken back again.) */
static int page_empty(struct server *sv, uint64_t va)
{
	uint64_t probe = own_page(99);
	if (sys_mem_map(sv->task, probe, va, 1, 0, NULL) != STATUS_OK)
		return 0;
	sys_mem_unmap(probe, 1, 0);
	return 1;
}

/* Can the root task pass its page at va on (is it mapped)? */
static int root_mapped(uint64_t va)
{
	enum status s = sys_mem_map(CAP_SELF_TASK, va, ROOT_ALIAS2, 1, 0, NULL);
	if (s == STATUS_OK)
		sys_mem_unmap(ROOT_ALIAS2, 1, UNMAP_SELF);
	return s == STATUS_OK;
}

static void test_word_counts(struct server *sv)
{
	ktest_status("items-too-many", sys_ipc_send(sv->ep, IPC_MSG(0, IPC_ITEMS_MAX + 1), 0),
		     STATUS_BAD_ARG);
	ktest_status("items-past-registers", sys_ipc_send(sv->ep, IPC_MSG(62, 1), 0),
		     STATUS_BAD_ARG);
	ktest_status("items-call-too-many",
		     sys_ipc_call(sv->ep, IPC_MSG(UTCB_MESSAGE_WORDS, 1), 0, NULL), STATUS_BAD_ARG);
	ktest_status("items-reply-wait-too-many",
		     sys_ipc_reply_wait(park, IPC_MSG(2, IPC_ITEMS_MAX), 0, NULL, NULL),
		     STATUS_BAD_ARG);
	ktest_status("items-other-bits", sys_ipc_send(sv->ep, IPC_MSG(1, 1) | 1ull << 16, 0),
		     STATUS_BAD_ARG);
	ktest_status("items-bad-endpoint-first", sys_ipc_send(BAD_SELECTOR, IPC_MSG(0, 1), 0),
		     STATUS_BAD_CAP);
	item(0, 0x7f, 0, 0); /* no such item type */
	refused("items-unknown-type", sv, 1, STATUS_BAD_ARG);
}

static void test_cap_items(struct server *sv)
{
	cap_selector ep = ktest_endpoint("items-cap"), no_grant = ktest_slot();
	sv->window = (struct utcb_window){.cap_first = CAP_WINDOW, .cap_count = CAP_WINDOW_SLOTS};
	command(sv, CMD_NONE, 0, 0, 0); /* the server takes the window */

	/* SEND only, with a badge: the server sends back on it. */
	item(0, IPC_CAP_ITEM(RIGHT_SEND), ep, 0xb0b);
	ktest_status("items-cap-send", command(sv, CMD_SEND_CAP, CAP_WINDOW, 0, 1), STATUS_OK);
	ktest_check(sv->words == IPC_MSG(UNTYPED, 1) &&
			sv->message[3] == IPC_CAP_ITEM(RIGHT_SEND) &&
			sv->message[4] == CAP_WINDOW && sv->message[5] == 0xb0b,
		    "items-cap-received", "words %#llx, item %#llx %llu %#llx",
		    (unsigned long long)sv->words, (unsigned long long)sv->message[3],
		    (unsigned long long)sv->message[4], (unsigned long long)sv->message[5]);
	uint64_t badge = 0;
	ktest_status("items-cap-usable", sys_ipc_receive(ep, TIMEOUT_NEVER, &badge, NULL),
		     STATUS_OK);
	ktest_settle();
	ktest_check(badge == 0xb0b && sv->command_status == STATUS_OK, "items-cap-badge",
		    "badge %#llx, server's send %s", (unsigned long long)badge,
		    status_name(sv->command_status));
	command(sv, CMD_RECEIVE_CAP, CAP_WINDOW, 0, 0);
	ktest_status("items-cap-narrowed", sv->command_status, STATUS_NO_RIGHTS);

	/* Refusals; the window's first slot is taken now. */
	item(0, IPC_CAP_ITEM(RIGHTS_ALL), ep, 0);
	refused("items-cap-slot-busy", sv, 1, STATUS_BUSY);
	command(sv, CMD_DELETE, CAP_WINDOW, 0, 0);
	sys_cap_copy(ep, CAP_SELF_TASK, no_grant, RIGHT_SEND | RIGHT_RECEIVE, 0);
	item(0, IPC_CAP_ITEM(RIGHTS_ALL), no_grant, 0);
	refused("items-cap-no-grant", sv, 1, STATUS_NO_RIGHTS);
	item(0, IPC_CAP_ITEM(RIGHTS_ALL), BAD_SELECTOR, 0);
	refused("items-cap-bad-selector", sv, 1, STATUS_BAD_CAP);
	item(0, IPC_CAP_ITEM(RIGHTS_ALL), ktest_slot(), 0);
	refused("items-cap-empty-slot", sv, 1, STATUS_BAD_CAP);
	item(0, IPC_CAP_ITEM(RIGHTS_ALL), CAP_SELF_TASK, 5); /* a badge on a task */
	refused("items-cap-badge-on-task", sv, 1, STATUS_BAD_ARG);
	for (unsigned i = 0; i <= CAP_WINDOW_SLOTS; i++)
		item(i, IPC_CAP_ITEM(RIGHT_SEND), ep, 0);
	refused("items-cap-window-too-small", sv, CAP_WINDOW_SLOTS + 1, STATUS_BAD_ARG);
	sv->window.cap_count = 0;
	command(sv, CMD_NONE, 0, 0, 0);
	refused("items-cap-no-window", sv, 1, STATUS_BAD_ARG);
	ktest_check(slot_empty(sv, CAP_WINDOW) && slot_empty(sv, CAP_WINDOW + 1),
		    "items-cap-nothing-landed", "a refused capability is in the server's window");
	sv->window.cap_count = CAP_WINDOW_SLOTS;
	command(sv, CMD_NONE, 0, 0, 0);

	/* Everything or nothing: two good items, then a bad page. */
	item(0, IPC_CAP_ITEM(RIGHT_SEND), ep, 0);
	item(1, IPC_MEM_ITEM(1, 0), own_page(0), 0);
	sv->window.mem_va = WINDOW_VA;
	sv->window.mem_pages = WINDOW_PAGES;
	command(sv, CMD_NONE, 0, 0, 0);
	item(2, IPC_MEM_ITEM(1, 0), UNMAPPED, PAGE_SIZE);
	refused("items-all-or-nothing", sv, 3, STATUS_BAD_ADDRESS);
	ktest_check(slot_empty(sv, CAP_WINDOW) && page_empty(sv, WINDOW_VA),
		    "items-all-or-nothing-empty", "an item of a refused message was delivered");
}

static void test_mem_items(struct server *sv)
{
	volatile uint64_t *page = (volatile uint64_t *)own_page(1);
	*page = 0x1eaf;
	sv->window = (struct utcb_window){.mem_va = WINDOW_VA, .mem_pages = WINDOW_PAGES};

	/* A map, read-only, at offset 2 pages; the server maps it on. */
	item(0, IPC_MEM_ITEM(1, 0), own_page(1), 2 * PAGE_SIZE);
	ktest_status("items-mem-map", command(sv, CMD_READ, WINDOW_VA + 2 * PAGE_SIZE, 0, 1),
		     STATUS_OK);
	ktest_check(sv->value == 0x1eaf && sv->message[4] == WINDOW_VA + 2 * PAGE_SIZE,
		    "items-mem-received", "read %#llx, item says %#llx",
		    (unsigned long long)sv->value, (unsigned long long)sv->message[4]);
	command(sv, CMD_ALIAS, CHILD_ALIAS, WINDOW_VA + 2 * PAGE_SIZE, 0);
	ktest_status("items-mem-map-on", sv->command_status, STATUS_OK);
	/* The sender takes its page back: both of the server's go. */
	sys_mem_unmap(own_page(1), 1, 0);
	ktest_check(page_empty(sv, WINDOW_VA + 2 * PAGE_SIZE) && page_empty(sv, CHILD_ALIAS),
		    "items-mem-revoked", "the server still has the page after the unmap");

	/* A grant moves the root task's mapping (depth 1) to the server. */
	ktest_status("items-grant-setup",
		     sys_mem_map(CAP_SELF_TASK, own_page(2), ROOT_ALIAS, 1, MEM_WRITE, NULL),
		     STATUS_OK);
	*(volatile uint64_t *)ROOT_ALIAS = 0x96a7;
	item(0, IPC_MEM_ITEM(1, MEM_GRANT), ROOT_ALIAS, 3 * PAGE_SIZE);
	ktest_status("items-grant", command(sv, CMD_READ, WINDOW_VA + 3 * PAGE_SIZE, 0, 1),
		     STATUS_OK);
	ktest_check(sv->value == 0x96a7 && !root_mapped(ROOT_ALIAS), "items-grant-moved",
		    "server read %#llx, sender %s", (unsigned long long)sv->value,
		    root_mapped(ROOT_ALIAS) ? "still has it" : "lost it");
	sys_mem_unmap(own_page(2), 1, 0);
	ktest_check(page_empty(sv, WINDOW_VA + 3 * PAGE_SIZE), "items-grant-revoked",
		    "a granted page outlived the unmap of its parent");

	/* Refusals. */
	item(0, IPC_MEM_ITEM(1, MEM_GRANT), own_page(3), 0);
	refused("items-grant-original", sv, 1, STATUS_NO_RIGHTS);
	item(0, IPC_MEM_ITEM(1, 0), UNMAPPED, 0);
	refused("items-mem-unmapped", sv, 1, STATUS_BAD_ADDRESS);
	item(0, IPC_MEM_ITEM(1, 0), own_page(3) + 8, 0);
	refused("items-mem-unaligned", sv, 1, STATUS_BAD_ADDRESS);
	item(0, IPC_MEM_ITEM(1, 0), KERNEL_ADDRESS, 0);
	refused("items-mem-kernel", sv, 1, STATUS_BAD_ADDRESS);
	item(0, IPC_MEM_ITEM(1, 0), NON_CANONICAL, 0);
	refused("items-mem-non-canonical", sv, 1, STATUS_BAD_ADDRESS);
	item(0, IPC_MEM_ITEM(1, 0), runtime_bootinfo->utcb, 0); /* the kernel's page */
	refused("items-mem-utcb", sv, 1, STATUS_NO_RIGHTS);
	item(0, IPC_MEM_ITEM(1, MEM_WRITE | MEM_EXECUTE), own_page(3), 0);
	refused("items-mem-write-execute", sv, 1, STATUS_BAD_ARG);
	item(0, IPC_MEM_ITEM(WINDOW_PAGES + 1, 0), own_page(3), 0);
	refused("items-mem-window-too-small", sv, 1, STATUS_BAD_ARG);
	item(0, IPC_MEM_ITEM(1, 0), own_page(3), WINDOW_PAGES * PAGE_SIZE);
	refused("items-mem-past-window", sv, 1, STATUS_BAD_ARG);
	item(0, IPC_MEM_ITEM(IPC_MAP_PAGES_MAX + 1, 0), own_page(3), 0);
	sv->window.mem_pages = 32;
	command(sv, CMD_NONE, 0, 0, 0);
	refused("items-mem-too-many-pages", sv, 1, STATUS_BAD_ARG);
	/* A granted page that another item maps too. */
	ktest_status("items-grant-overlap-setup",
		     sys_mem_map(CAP_SELF_TASK, own_page(4), ROOT_ALIAS, 2, 0, NULL), STATUS_OK);
	item(0, IPC_MEM_ITEM(2, 0), ROOT_ALIAS, 0);
	item(1, IPC_MEM_ITEM(1, MEM_GRANT), ROOT_ALIAS + PAGE_SIZE, 2 * PAGE_SIZE);
	refused("items-grant-overlap", sv, 2, STATUS_BAD_ARG);
	sys_mem_unmap(own_page(4), 2, 0);
	/* Window overlaps: the second item starts before the first ends. */
	item(0, IPC_MEM_ITEM(2, 0), own_page(3), 0);
	item(1, IPC_MEM_ITEM(1, 0), own_page(5), PAGE_SIZE);
	refused("items-mem-window-overlap", sv, 2, STATUS_BAD_ARG);
	/* A page is mapped there already. */
	item(0, IPC_MEM_ITEM(1, 0), own_page(3), 0);
	command(sv, CMD_NONE, 0, 0, 1);
	item(0, IPC_MEM_ITEM(1, 0), own_page(5), 0);
	refused("items-mem-busy", sv, 1, STATUS_BUSY);
	sys_mem_unmap(own_page(3), 1, 0);
	/* Refused after 15 pages were prepared: their nodes go back, so many
	 * such messages cost the receiver nothing more than one. */
	sv->window.mem_pages = IPC_MAP_PAGES_MAX;
	command(sv, CMD_NONE, 0, 0, 0);
	item(0, IPC_MEM_ITEM(IPC_MAP_PAGES_MAX - 1, 0), own_page(20), 0);
	item(1, IPC_MEM_ITEM(1, 0), UNMAPPED, (IPC_MAP_PAGES_MAX - 1) * PAGE_SIZE);
	refused("items-refused-late", sv, 2, STATUS_BAD_ADDRESS);
	uint64_t quota = 0, after = 0;
	sys_task_quota(sv->task, &quota);
	enum status s = STATUS_BAD_ADDRESS;
	for (unsigned i = 0; i < 100 && s == STATUS_BAD_ADDRESS; i++)
		s = sys_ipc_send(sv->ep, IPC_MSG(UNTYPED, 2), 0);
	sys_task_quota(sv->task, &after);
	ktest_check(s == STATUS_BAD_ADDRESS && after == quota, "items-refused-nodes-back",
		    "%s, receiver's quota %llu, then %llu after 100 refused messages",
		    status_name(s), (unsigned long long)quota, (unsigned long long)after);
	ktest_check(page_empty(sv, WINDOW_VA), "items-refused-late-empty",
		    "a page of a refused message landed");
	sv->window.mem_pages = 0;
	command(sv, CMD_NONE, 0, 0, 0);
	refused("items-mem-no-window", sv, 1, STATUS_BAD_ARG);
	ktest_check(page_empty(sv, WINDOW_VA), "items-mem-nothing-landed",
		    "a refused page is in the server's window");
}

/* A worker in the root task sends one memory item of arg[1] pages from
 * arg[2] and tells the server to read where it lands; or, when arg[3] is
 * not 0, the arg[3] items its message registers hold already. */
static void item_sender(struct worker *w)
{
	uint64_t *m = w->utcb->message;
	if (!w->arg[3]) {
		m[0] = CMD_READ;
		m[1] = WINDOW_VA;
		m[3] = IPC_MEM_ITEM(w->arg[1], 0);
		m[4] = w->arg[2];
		m[5] = 0;
	}
	w->status =
	    sys_ipc_send(w->arg[0], IPC_MSG(UNTYPED, w->arg[3] ? w->arg[3] : 1), TIMEOUT_NEVER);
}

/* Senders that waited: the server, back from parking, meets a sender
 * whose item does not fit (its send fails, the server sees nothing of it),
 * then one whose item does. */
static void test_waiting_senders(struct server *sv)
{
	volatile uint64_t *page = (volatile uint64_t *)own_page(6);
	*page = 0x5e4d;
	sv->window = (struct utcb_window){.mem_va = WINDOW_VA, .mem_pages = WINDOW_PAGES};
	command(sv, CMD_PARK, 0, 0, 0);
	uint64_t before = sv->received;
	struct worker *bad = worker_create("items-bad-sender", 30, item_sender);
	struct worker *good = worker_create("items-good-sender", 30, item_sender);
	if (!bad || !good)
		return;
	bad->arg[0] = good->arg[0] = sv->ep;
	bad->arg[1] = WINDOW_PAGES + 1;
	good->arg[1] = 1;
	bad->arg[2] = good->arg[2] = own_page(6);
	worker_start(bad);
	ktest_settle();
	worker_start(good);
	ktest_settle();
	ktest_check(!bad->done && !good->done, "items-senders-wait", "a sender did not wait");
	sys_ipc_send(park, 0, 0);
	ktest_settle();
	ktest_check(bad->done && bad->status == STATUS_BAD_ARG, "items-waiting-sender-refused",
		    "sender %s, %s", bad->done ? "done" : "still waiting",
		    status_name(bad->status));
	ktest_check(good->done && good->status == STATUS_OK && sv->received == before + 1 &&
			sv->value == 0x5e4d,
		    "items-next-sender-taken", "sender %s, server got %llu messages, read %#llx",
		    status_name(good->status), (unsigned long long)(sv->received - before),
		    (unsigned long long)sv->value);
	sys_mem_unmap(own_page(6), 1, 0);
}

/*
 * Two items for the root task itself, into a window over pages of its
 * physical memory window that were never touched. The second item's
 * source is the page the first is to land on: taking it fills it (an
 * original mapping), so the first item's page is no longer empty when
 * the items are delivered. The message must be refused (BUSY), and the
 * page must still be the root task's own.
 */
static void test_window_fill_collision(void)
{
	cap_selector ep = ktest_endpoint("items-self");
	uint64_t land = own_page(10000); /* ktest_memory's big map touches the first 8192 */
	volatile uint64_t *landed = (volatile uint64_t *)land;
	struct worker *w = worker_create("items-collision", 30, item_sender);
	if (!w)
		return;
	uint64_t *m = w->utcb->message;
	m[0] = CMD_NONE;
	m[3] = IPC_MEM_ITEM(1, 0);
	m[4] = own_page(1);
	m[5] = 0;
	m[6] = IPC_MEM_ITEM(1, 0);
	m[7] = land;
	m[8] = PAGE_SIZE;
	w->arg[0] = ep;
	w->arg[3] = 2;
	worker_start(w);
	ktest_settle();
	struct utcb *u = ktest_utcb();
	u->window = (struct utcb_window){.mem_va = land, .mem_pages = 2};
	ktest_status("items-window-fill-collision", sys_ipc_receive(ep, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	u->window = (struct utcb_window){0};
	ktest_settle();
	*landed = 0x1a2d;
	ktest_check(w->done && w->status == STATUS_BUSY && *landed == 0x1a2d && root_mapped(land),
		    "items-window-fill-refused", "sender %s, page %s", status_name(w->status),
		    root_mapped(land) ? "mapped" : "gone");
}

/* Replies with items: the server replies with a page to main's window. */
static void test_reply(struct server *sv)
{
	volatile uint64_t *page = (volatile uint64_t *)own_page(7);
	*page = 0x4e91;
	struct utcb *u = ktest_utcb();
	sv->window = (struct utcb_window){.mem_va = WINDOW_VA, .mem_pages = WINDOW_PAGES};
	item(0, IPC_MEM_ITEM(1, 0), own_page(7), 0);
	command(sv, CMD_NONE, 0, 0, 1);
	u->window = (struct utcb_window){0};
	u->message[0] = CMD_REPLY_PAGE;
	u->message[1] = WINDOW_VA;
	uint64_t words = ~0ull;
	enum status s = sys_ipc_call(sv->ep, IPC_MSG(UNTYPED, 0), TIMEOUT_NEVER, &words);
	ktest_check(s == STATUS_OK && words == 0 && sv->reply_status == STATUS_BAD_ARG,
		    "items-reply-refused", "call %s, %llu words, server's reply %s", status_name(s),
		    (unsigned long long)words, status_name(sv->reply_status));
	u->window = (struct utcb_window){.mem_va = MAIN_WINDOW, .mem_pages = 1};
	u->message[0] = CMD_REPLY_PAGE;
	u->message[1] = WINDOW_VA;
	s = sys_ipc_call(sv->ep, IPC_MSG(UNTYPED, 0), TIMEOUT_NEVER, &words);
	ktest_check(s == STATUS_OK && words == IPC_MSG(0, 1) && u->message[1] == MAIN_WINDOW,
		    "items-reply", "call %s, words %#llx, item at %#llx", status_name(s),
		    (unsigned long long)words, (unsigned long long)u->message[1]);
	/* The server's reply_wait returns (with its reply's status) when the
	 * next message comes. */
	command(sv, CMD_NONE, 0, 0, 0);
	ktest_status("items-reply-status", sv->reply_status, STATUS_OK);
	ktest_check(*(volatile uint64_t *)MAIN_WINDOW == 0x4e91, "items-reply-page", "read %#llx",
		    (unsigned long long)*(volatile uint64_t *)MAIN_WINDOW);
	u->window = (struct utcb_window){0};
	/* root -> server -> root: the first unmap takes back both. */
	sys_mem_unmap(own_page(7), 1, 0);
	ktest_check(!root_mapped(MAIN_WINDOW) && page_empty(sv, WINDOW_VA), "items-revoke-chain",
		    "a page passed on by IPC outlived the unmap of its original");
}

/* Receives the server's page fault on pager; checks where and why. */
static int fault(const char *name, cap_selector pager, uint64_t va, uint64_t error)
{
	uint64_t words = 0;
	enum status s = sys_ipc_receive(pager, TIMEOUT_NEVER, NULL, &words);
	uint64_t *m = ktest_utcb()->message;
	return ktest_check(
	    s == STATUS_OK && words == EXCEPTION_WORDS && m[EXCEPTION_VECTOR] == 14 &&
		m[EXCEPTION_ADDRESS] == va && m[EXCEPTION_ERROR] == error,
	    name, "%s, %llu words, vector %llu address %#llx error %#llx", status_name(s),
	    (unsigned long long)words, (unsigned long long)m[EXCEPTION_VECTOR],
	    (unsigned long long)m[EXCEPTION_ADDRESS], (unsigned long long)m[EXCEPTION_ERROR]);
}

/* Replies to the fault on pager with one memory item. */
static enum status pager_reply(cap_selector pager, uint64_t word0, uint64_t src, uint64_t va)
{
	uint64_t *m = ktest_utcb()->message;
	m[0] = word0;
	m[1] = src;
	m[2] = va;
	return sys_ipc_reply_wait(pager, IPC_MSG(0, 1), 0, NULL, NULL);
}

/* The L4 pager protocol: the server's page faults go to main, which
 * answers with a memory item at the fault address. */
static void test_pager(struct server *sv)
{
	cap_selector pager = ktest_endpoint("items-pager");
	volatile uint64_t *page = (volatile uint64_t *)own_page(8);
	*page = 0x9a6e;
	if (!ktest_status("items-pager-configure", sys_thread_configure(sv->thread, pager, 40, 0),
			  STATUS_OK))
		return;
	uint64_t *m = ktest_utcb()->message;
	m[0] = CMD_READ;
	m[1] = TOUCH_VA;
	sv->value = 0;
	sys_ipc_send(sv->ep, IPC_MSG(UNTYPED, 0), 0);
	if (!fault("items-pager-fault", pager, TOUCH_VA, 4)) /* user read, not present */
		return;
	ktest_status("items-pager-bad-page",
		     pager_reply(pager, IPC_MEM_ITEM(1, 0), UNMAPPED, TOUCH_VA),
		     STATUS_BAD_ADDRESS);
	ktest_status("items-pager-no-caps", pager_reply(pager, IPC_CAP_ITEM(RIGHTS_ALL), pager, 0),
		     STATUS_BAD_ARG);
	ktest_status("items-pager-low-address",
		     pager_reply(pager, IPC_MEM_ITEM(1, 0), own_page(8), 0), STATUS_BAD_ADDRESS);
	ktest_settle();
	ktest_check(sv->value == 0, "items-pager-still-waits",
		    "the faulting thread went on after refused replies");
	ktest_status("items-pager-reply",
		     pager_reply(pager, IPC_MEM_ITEM(1, 0), own_page(8), TOUCH_VA),
		     STATUS_TIMEOUT); /* the reply went out; nothing else to receive */
	ktest_settle();
	ktest_check(sv->value == 0x9a6e, "items-pager-resolved", "read %#llx",
		    (unsigned long long)sv->value);

	/* The page is read-only: a write faults (present, write, user); the
	 * pager takes it back and maps it writable. */
	m[0] = CMD_WRITE;
	m[1] = TOUCH_VA;
	m[2] = 0x3417e;
	sys_ipc_send(sv->ep, IPC_MSG(UNTYPED, 0), 0);
	if (fault("items-read-only", pager, TOUCH_VA, 7)) {
		sys_mem_unmap(own_page(8), 1, 0);
		ktest_status("items-pager-writable",
			     pager_reply(pager, IPC_MEM_ITEM(1, MEM_WRITE), own_page(8), TOUCH_VA),
			     STATUS_TIMEOUT);
		ktest_settle();
		ktest_check(*page == 0x3417e, "items-pager-write-shared", "root reads %#llx",
			    (unsigned long long)*page);
	}
	sys_thread_configure(sv->thread, NO_SELECTOR, 40, 0);
	sys_mem_unmap(own_page(8), 1, 0);
}

/* Pages of the long transfer below: window pages 2 MiB apart (a page
 * table each in the root task), to fresh 512 GiB regions of the child
 * (four new tables each). */
#define LONG_PAGES IPC_MAP_PAGES_MAX
#define REGION	   0x8000000000ull

static uint64_t long_source(unsigned i)
{
	return own_page(10100 + i * 512);
}

/* The server's pager for one fault: replies with LONG_PAGES items. */
static void long_pager(struct worker *w)
{
	uint64_t *m = w->utcb->message;
	w->status = sys_ipc_receive(w->arg[0], TIMEOUT_NEVER, NULL, NULL);
	if (w->status != STATUS_OK)
		return;
	for (unsigned i = 0; i < LONG_PAGES; i++) {
		m[i * IPC_ITEM_WORDS] = IPC_MEM_ITEM(1, 0);
		m[i * IPC_ITEM_WORDS + 1] = long_source(i);
		m[i * IPC_ITEM_WORDS + 2] = REGION * (i + 2);
	}
	w->value[0] = 1;
	w->status = sys_ipc_reply_wait(w->arg[0], IPC_MSG(0, LONG_PAGES), 0, NULL, NULL);
}

/*
 * A transfer with preemption points: a pager at priority 10 replies with
 * 16 pages that each make page tables on both sides (about 100000
 * instructions a page, doc/memory.md). The main thread (255) sleeps in
 * 50 us timeouts meanwhile and must get the CPU in the middle of it: it
 * sees the child's quota partly spent while the reply is not delivered.
 * The reply must then end with every page mapped.
 */
static void test_transfer_preempted(struct server *sv)
{
	if (!runtime_bootinfo->tsc_khz)
		return; /* no timeouts */
	cap_selector pager = ktest_endpoint("items-long"), sleep = ktest_endpoint("items-sleep");
	struct worker *w = worker_create("items-long-pager", 10, long_pager);
	if (!w || sys_thread_configure(sv->thread, pager, 40, 0) != STATUS_OK)
		return;
	*(volatile uint64_t *)long_source(0) = 0x10f7;
	w->arg[0] = pager;
	worker_start(w);
	uint64_t *m = ktest_utcb()->message;
	m[0] = CMD_READ;
	m[1] = REGION * 2;
	sv->value = 0;
	sys_ipc_send(sv->ep, IPC_MSG(UNTYPED, 0), 0);
	uint64_t before = 0, now = 0, after = 0, middle = 0;
	sys_task_quota(sv->task, &before);
	for (unsigned wakeups = 0; !w->done && wakeups < 1000000; wakeups++) {
		sys_ipc_receive(sleep, 50000, NULL, NULL);
		sys_task_quota(sv->task, &now);
		if (w->value[0] && !w->done && now < before)
			middle = now > middle ? now : middle;
	}
	sys_task_quota(sv->task, &after);
	ktest_settle();
	ktest_check(w->done && w->status == STATUS_TIMEOUT && middle > after,
		    "items-transfer-preempted",
		    "pager %s; child's quota %llu before, %llu after, highest seen in between %llu",
		    status_name(w->status), (unsigned long long)before, (unsigned long long)after,
		    (unsigned long long)middle);
	unsigned mapped = 0;
	for (unsigned i = 0; i < LONG_PAGES; i++)
		mapped += !page_empty(sv, REGION * (i + 2));

	ktest_check(mapped == LONG_PAGES && sv->value == 0x10f7, "items-transfer-complete",
		    "%u of %u pages mapped, server read %#llx", mapped, LONG_PAGES,
		    (unsigned long long)sv->value);
	sys_thread_configure(sv->thread, NO_SELECTOR, 40, 0);
	for (unsigned i = 0; i < LONG_PAGES; i++)
		sys_mem_unmap(long_source(i), 1, 0);
}

/* A receiver whose task has no quota left for the page tables. */
static void test_no_quota(void)
{
	struct server *sv = &servers[1];
	const char *failed = start_server(1, 48, "items-poor");
	if (!ktest_check(!failed, "items-poor-setup", "%s failed", failed ? failed : ""))
		return;
	enum status s = STATUS_OK;
	unsigned regions = 0;
	for (; s == STATUS_OK && regions < 256; regions++)
		s = sys_mem_map(sv->task, own_page(9), FAR_VA + regions * 0x200000ull, 1, 0, NULL);
	uint64_t left = ~0ull;
	sys_task_quota(sv->task, &left);
	ktest_check(s == STATUS_NO_MEM && left < 2, "items-poor-exhausted",
		    "mapping into it: %s after %u regions, %llu pages left", status_name(s),
		    regions, (unsigned long long)left);
	sv->window = (struct utcb_window){.mem_va = FAR_VA + 0x40000000ull, .mem_pages = 1};
	command(sv, CMD_NONE, 0, 0, 0);
	item(0, IPC_MEM_ITEM(1, 0), own_page(10), 0);
	refused("items-receiver-no-quota", sv, 1, STATUS_NO_MEM);
	ktest_status("items-poor-plain-message", command(sv, CMD_NONE, 0, 0, 0), STATUS_OK);
	sys_mem_unmap(own_page(9), 1, 0);
}

void test_mapitems(void)
{
	__asm__ volatile("movq %%fs:0, %0" : "=r"(main_tcb));
	park = ktest_endpoint("items-park");
	struct server *sv = &servers[0];
	const char *failed = start_server(0, 128, "items");
	if (!ktest_check(!failed, "items-setup", "%s failed", failed ? failed : ""))
		return;
	test_word_counts(sv);
	test_cap_items(sv);
	test_mem_items(sv);
	test_waiting_senders(sv);
	test_window_fill_collision();
	test_reply(sv);
	test_pager(sv);
	test_transfer_preempted(sv);
	test_no_quota();
	for (unsigned i = 0; i < 2; i++) {
		sys_task_destroy(servers[i].task);
		sys_cap_delete(servers[i].task);
		sys_cap_delete(servers[i].thread);
	}
}
