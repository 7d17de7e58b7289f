/*
 * ktest: many things at once (issue 3: "many threads and tasks doing IPC,
 * map/unmap and create/destroy for a bounded time"; bounded here by
 * rounds, not time).
 *
 * CHILDREN child slots. A live child has ktest's image, SERVICE_PAGES
 * pages of the root task's memory, and three threads at priorities that
 * change with the round it was made in: two servers on the slot's
 * endpoint (some calls are answered at once, some after a wait, some
 * never: the caller stays blocked until the task goes) and a client that
 * calls the next slot's endpoint with a timeout and maps its own pages
 * into the next slot's task (a chain root task -> child -> neighbour, cut
 * when either dies). In the root task: three callers at priorities 25, 55
 * and 85 call the slots' endpoints in turn (one never times out), a
 * mapper at priority 15 maps and unmaps MAPPER_PAGES pages over and over
 * (its calls restart whenever something above it wakes), and a destroyer
 * at priority 50 destroys the children the main thread hands it.
 *
 * The main thread (255), ROUNDS times: picks a slot (a fixed pseudo-random
 * sequence); destroys its child itself, or has the destroyer do it, or
 * creates it again; maps or unmaps pages of another live child; sleeps a
 * two milliseconds so that everything else runs. Threads are blocked in IPC
 * with a child (callers in its endpoint's queue and waiting for a reply,
 * its own client waiting on the neighbour) whenever it is destroyed.
 *
 * At the end: every child destroyed, the endpoints deleted (the callers
 * still waiting get BAD_CAP), every thread ended, no unexpected status
 * anywhere, the root task's quota back to the page, and the kernel pool
 * still holds at least that quota (ktest_pool_check).
 */
#include "ktest.h"

#define CHILDREN 3
#define ROUNDS 48
#define CHILD_QUOTA 160
#define CHILD_SLOTS 16
#define SERVICE KTEST_CHILD_CAPS       /* the slot's endpoint, in the child */
#define PARK (SERVICE + 1)             /* an endpoint nobody sends to */
#define NEIGHBOUR (SERVICE + 2)        /* the next slot's endpoint */
#define NEIGHBOUR_TASK (SERVICE + 3)   /* the next slot's task (if it lived) */
#define CHILD_UTCB 0x7f0000000000ull
#define SERVICE_VA 0x60000000ull   /* the child's own pages */
#define SERVICE_PAGES 16
#define EXTRA_VA 0x70000000ull     /* pages the main thread maps in */
#define EXTRA_PAGES 32
#define NEIGHBOUR_VA 0x80000000ull /* where a client maps into its neighbour */
#define MAPPER_VA 0x0000300e00000000ull
#define MAPPER_PAGES 256
#define PAGE_BASE 12000            /* first root task memory page used here */
#define SERVICE_PAGE(slot) (PAGE_BASE + (slot) * SERVICE_PAGES)
#define EXTRA_PAGE(slot) (PAGE_BASE + CHILDREN * SERVICE_PAGES + (slot) * EXTRA_PAGES)
#define MAPPER_PAGE (PAGE_BASE + CHILDREN * (SERVICE_PAGES + EXTRA_PAGES))
#define MS 1000000ull

struct slot {
	cap_selector task, threads[3];
	volatile int alive, dying;
	unsigned char stacks[3][8192] __attribute__((aligned(16)));
};

static struct slot slots[CHILDREN];
static cap_selector service[CHILDREN], park, to_destroyer;
static volatile int stop;
static uint64_t random_state = 0x5eed5eed5eedull;

/* What happened, for the checks; the first unexpected status wins. */
static volatile uint64_t served, client_calls, client_maps, destroyed, blocked_caller_freed;
static const char *volatile bad_where;
static volatile enum status bad_status;

static void unexpected(const char *where, enum status s)
{
	if (!bad_where) {
		bad_status = s;
		bad_where = where;
	}
}

/* xorshift64 (Marsaglia 2003): the same sequence on every run. */
static unsigned next_random(unsigned below)
{
	random_state ^= random_state << 13;
	random_state ^= random_state >> 7;
	random_state ^= random_state << 17;
	return (unsigned)(random_state % below);
}

/* ---- in a child ---- */

/* Call number n: 0 mod 5 is never answered (the server waits on PARK,
 * where nothing comes); 2 mod 5 is answered after 200 µs, when its caller
 * may have given up. */
static void child_server(uint64_t arg)
{
	(void)arg;
	enum status s = sys_ipc_receive(SERVICE, TIMEOUT_NEVER, NULL, NULL);
	for (uint64_t n = 1; s == STATUS_OK; n++) {
		served++;
		if (n % 5 == 0)
			sys_ipc_receive(PARK, TIMEOUT_NEVER, NULL, NULL);
		else if (n % 5 == 2)
			sys_ipc_receive(PARK, 200000, NULL, NULL);
		s = sys_ipc_reply_wait(SERVICE, 1, TIMEOUT_NEVER, NULL, NULL);
	}
	unexpected("child server", s);
}

static void child_client(uint64_t arg)
{
	(void)arg;
	for (;;) {
		enum status s = sys_ipc_call(NEIGHBOUR, 1, 500000, NULL);
		if (s != STATUS_OK && s != STATUS_TIMEOUT && s != STATUS_BAD_CAP)
			unexpected("child call", s);
		client_calls++;
		/* BAD_CAP: the neighbour is gone or was not there. */
		s = sys_mem_map(NEIGHBOUR_TASK, SERVICE_VA, NEIGHBOUR_VA, SERVICE_PAGES, MEM_WRITE,
				NULL);
		if (s == STATUS_OK)
			client_maps++;
		else if (s != STATUS_BAD_CAP)
			unexpected("child map", s);
		s = sys_mem_unmap(SERVICE_VA, SERVICE_PAGES, 0);
		if (s != STATUS_OK)
			unexpected("child unmap", s);
	}
}

/* ---- in the root task ---- */

/* arg0 = timeout, arg1 = first slot. value[0]: BAD_CAPs before the end. */
static void caller(struct worker *w)
{
	for (uint64_t n = w->arg[1]; !stop; n++) {
		enum status s = sys_ipc_call(service[n % CHILDREN], 1, w->arg[0], NULL);
		if (s == STATUS_OK)
			w->count++;
		else if (s == STATUS_BAD_CAP && !stop)
			blocked_caller_freed++;
		else if (s != STATUS_TIMEOUT && s != STATUS_BAD_CAP)
			unexpected("caller", s);
	}
}

static void mapper(struct worker *w)
{
	while (!stop) {
		enum status s = sys_mem_map(CAP_SELF_TASK, ktest_own_page(MAPPER_PAGE), MAPPER_VA,
					    MAPPER_PAGES, MEM_WRITE, NULL);
		if (s == STATUS_OK)
			s = sys_mem_unmap(ktest_own_page(MAPPER_PAGE), MAPPER_PAGES, 0);
		if (s != STATUS_OK)
			unexpected("mapper", s);
		w->count++;
	}
}

/* Receives slot numbers and destroys those children. */
static void destroyer(struct worker *w)
{
	while (sys_ipc_receive(to_destroyer, TIMEOUT_NEVER, NULL, NULL) == STATUS_OK) {
		struct slot *c = &slots[w->utcb->message[0] % CHILDREN];
		enum status s = sys_task_destroy(c->task);
		if (s != STATUS_OK)
			unexpected("destroyer", s);
		w->count++;
		c->dying = 0;
	}
}

static unsigned child_priority(unsigned round, unsigned thread)
{
	return 20 + (round * 37 + thread * 23) % 70;
}

/* Makes the child of slot i; returns the step that failed. */
static const char *make_child(unsigned i, unsigned round)
{
	struct slot *c = &slots[i];
	const struct slot *next = &slots[(i + 1) % CHILDREN];
	const cap_selector caps[] = {service[i], park, service[(i + 1) % CHILDREN]};
	const char *failed =
		ktest_child_task(c->task, CHILD_QUOTA, CHILD_SLOTS, "stress-child", caps, 3);
	if (failed)
		return failed;
	if (sys_mem_map(c->task, ktest_own_page(SERVICE_PAGE(i)), SERVICE_VA, SERVICE_PAGES,
			MEM_WRITE, NULL) != STATUS_OK)
		return "mem_map";
	if (next->alive && sys_cap_copy(next->task, c->task, NEIGHBOUR_TASK, RIGHTS_ALL, 0) !=
				   STATUS_OK)
		return "cap_copy task";
	for (unsigned k = 0; k < 3; k++) {
		if (sys_thread_create(c->threads[k], c->task, CHILD_UTCB + k * PAGE_SIZE,
				      child_priority(round, k)) != STATUS_OK)
			return "thread_create";
		if (ktest_child_start(c->threads[k], k < 2 ? child_server : child_client, 0,
				      c->stacks[k], sizeof(c->stacks[k])) != STATUS_OK)
			return "thread_start";
	}
	c->alive = 1;
	return NULL;
}

static void delete_child_caps(struct slot *c)
{
	sys_cap_delete(c->task);
	for (unsigned k = 0; k < 3; k++)
		sys_cap_delete(c->threads[k]);
}

/* Destroys slot i's child: by the main thread, or (by_worker) by the
 * destroyer, which the main thread waits for later. */
static const char *destroy_child(unsigned i, int by_worker)
{
	struct slot *c = &slots[i];
	c->alive = 0;
	destroyed++;
	if (!by_worker) {
		enum status s = sys_task_destroy(c->task);
		delete_child_caps(c);
		return s == STATUS_OK ? NULL : "task_destroy";
	}
	c->dying = 1;
	ktest_utcb()->message[0] = i;
	return sys_ipc_send(to_destroyer, 1, TIMEOUT_NEVER) == STATUS_OK ? NULL : "send";
}

/* Maps EXTRA_PAGES pages into a live child, or takes half of them back. */
static const char *map_into_some_child(unsigned round)
{
	unsigned i = next_random(CHILDREN);
	if (!slots[i].alive)
		return NULL;
	uint64_t page = ktest_own_page(EXTRA_PAGE(i));
	if (round % 2)
		return sys_mem_unmap(page, EXTRA_PAGES / 2, 0) == STATUS_OK ? NULL : "mem_unmap";
	/* BUSY: the pages are still there from an earlier round. */
	enum status s = sys_mem_map(slots[i].task, page, EXTRA_VA, EXTRA_PAGES, 0, NULL);
	return s == STATUS_OK || s == STATUS_BUSY ? NULL : "mem_map extra";
}

/* Waits (bounded) until the destroyer is done with every slot; the
 * destroyed tasks' capabilities can go then. */
static void wait_for_destroyer(void)
{
	for (unsigned i = 0; i < CHILDREN; i++) {
		for (unsigned naps = 0; slots[i].dying && naps < 1000; naps++)
			ktest_sleep(MS);
		if (!slots[i].alive && !slots[i].dying)
			delete_child_caps(&slots[i]);
	}
}

static const char *one_round(unsigned round)
{
	unsigned i = next_random(CHILDREN);
	const char *failed = NULL;
	struct slot *c = &slots[i];
	if (c->dying) {
		/* The destroyer has not finished it: nothing to do there. */
	} else if (c->alive) {
		failed = destroy_child(i, next_random(3) == 0);
	} else {
		delete_child_caps(c);
		failed = make_child(i, round);
	}
	if (!failed)
		failed = map_into_some_child(round);
	ktest_sleep(2 * MS);
	return failed;
}

/* The root task's memory pages used here get their window entries, and
 * the mapper's alias its page tables, before the quota is read. */
static void warm_up(void)
{
	uint64_t first = ktest_own_page(PAGE_BASE);
	unsigned pages = MAPPER_PAGE + MAPPER_PAGES - PAGE_BASE;
	sys_mem_map(CAP_SELF_TASK, first, MAPPER_VA, pages, 0, NULL);
	sys_mem_unmap(first, pages, 0);
}

static int start_workers(struct worker *w[5])
{
	static const uint64_t timeouts[3] = {300000, TIMEOUT_NEVER, 2000000};
	for (unsigned k = 0; k < 3; k++)
		w[k] = worker_run("stress-caller", 25 + 30 * k, caller, timeouts[k], k);
	w[3] = worker_run("stress-mapper", 15, mapper, 0, 0);
	w[4] = worker_run("stress-destroyer", 50, destroyer, 0, 0);
	for (unsigned k = 0; k < 5; k++)
		if (!w[k])
			return 0;
	return 1;
}

void test_stress_concurrent(void)
{
	if (!runtime_bootinfo->tsc_khz)
		return;
	for (unsigned i = 0; i < CHILDREN; i++) {
		service[i] = ktest_endpoint("stress-concurrent");
		slots[i].task = ktest_slot();
		for (unsigned k = 0; k < 3; k++)
			slots[i].threads[k] = ktest_slot();
	}
	park = ktest_endpoint("stress-concurrent");
	to_destroyer = ktest_endpoint("stress-concurrent");
	warm_up();
	struct worker *w[5];
	if (!start_workers(w))
		return;
	uint64_t before = ktest_quota(), pool_before = sys_kernel_free_pages();
	const char *failed = NULL;
	unsigned round = 0;
	for (; round < ROUNDS && !failed; round++)
		failed = one_round(round);
	uint64_t freed_during_rounds = blocked_caller_freed;
	stop = 1;
	wait_for_destroyer();
	for (unsigned i = 0; i < CHILDREN; i++)
		if (slots[i].alive && !failed)
			failed = destroy_child(i, 0);
	for (unsigned i = 0; i < CHILDREN; i++)
		sys_cap_delete(service[i]);
	sys_cap_delete(park);
	sys_cap_delete(to_destroyer);
	ktest_settle();

	ktest_check(!failed, "stress-concurrent-rounds", "round %u: %s failed", round,
		    failed ? failed : "");
	ktest_check(!bad_where, "stress-concurrent-statuses", "%s got %s",
		    bad_where ? bad_where : "", status_name(bad_status));
	int ended = 1;
	for (unsigned k = 0; k < 5; k++)
		ended = ended && w[k]->done;
	ktest_check(ended, "stress-concurrent-threads-ended", "a root task thread still runs");
	ktest_check(served && client_calls && client_maps && w[0]->count + w[1]->count + w[2]->count &&
			    w[3]->count && w[4]->count && freed_during_rounds,
		    "stress-concurrent-activity",
		    "served %llu, child calls %llu, child maps %llu, caller replies %llu/%llu/%llu, "
		    "mapper rounds %llu, destroyer %llu of %llu, callers freed by a destruction %llu",
		    (unsigned long long)served, (unsigned long long)client_calls,
		    (unsigned long long)client_maps, (unsigned long long)w[0]->count,
		    (unsigned long long)w[1]->count, (unsigned long long)w[2]->count,
		    (unsigned long long)w[3]->count, (unsigned long long)w[4]->count,
		    (unsigned long long)destroyed, (unsigned long long)freed_during_rounds);
	ktest_print("ktest: stress: %u rounds, %llu children destroyed, %llu calls served in "
		    "children, %llu child calls, %llu child maps, %llu caller replies, %llu callers "
		    "freed by a destruction, %llu mapper rounds\n",
		    round, (unsigned long long)destroyed, (unsigned long long)served,
		    (unsigned long long)client_calls, (unsigned long long)client_maps,
		    (unsigned long long)(w[0]->count + w[1]->count + w[2]->count),
		    (unsigned long long)freed_during_rounds, (unsigned long long)w[3]->count);
	ktest_check(ktest_quota() == before, "stress-concurrent-no-leak",
		    "quota %llu before, %llu after %u rounds", (unsigned long long)before,
		    (unsigned long long)ktest_quota(), round);
	/* The kernel's pool itself: everything the rounds took is back, plus
	 * the pages of the endpoints made before the rounds and deleted above
	 * (one per child's service, park, to_destroyer). */
	uint64_t pool_expected = pool_before + CHILDREN + 2;
	ktest_check(sys_kernel_free_pages() == pool_expected, "stress-concurrent-pool-exact",
		    "kernel pool %llu free pages before, %llu after, %llu expected",
		    (unsigned long long)pool_before, (unsigned long long)sys_kernel_free_pages(),
		    (unsigned long long)pool_expected);
	ktest_pool_check("stress-concurrent-pool");
}

/* ---- the kernel pool behind the quota ---- */

#define FILLER_UTCB 0x10000000ull

void ktest_pool_check(const char *name)
{
	cap_selector filler = ktest_slot(), thread = ktest_slot();
	uint64_t before = ktest_quota();
	/* The filler pays the UTCBs' page tables: a page table and its node
	 * table per 512 threads, and a page directory and its pointer table. */
	uint64_t tables = 2 + 2 * (before / 2 / 512 + 1);
	enum status s = sys_task_create(filler, tables, 3, "pool-filler");
	if (s != STATUS_OK) {
		ktest_check(0, name, "task_create: %s", status_name(s));
		return;
	}
	uint64_t threads = 0, left, filler_left = 0;
	while ((s = sys_thread_create(thread, filler, FILLER_UTCB + threads * PAGE_SIZE, 1)) ==
	       STATUS_OK) {
		sys_cap_delete(thread);
		threads++;
	}
	left = ktest_quota();
	sys_task_quota(filler, &filler_left);
	sys_task_destroy(filler);
	sys_cap_delete(filler);
	ktest_check(s == STATUS_NO_MEM && left < 2 && ktest_quota() == before, name,
		    "%llu threads (2 pages each), then %s with %llu pages of quota left "
		    "(the filler %llu); quota %llu before, %llu after",
		    (unsigned long long)threads, status_name(s), (unsigned long long)left,
		    (unsigned long long)filler_left, (unsigned long long)before,
		    (unsigned long long)ktest_quota());
}
