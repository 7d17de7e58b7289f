/*
 * ktest: tasks that end. A child task gets aliases of ktest's own image
 * (text executable, data writable: the same frames, so its threads share
 * ktest's globals), threads that serve IPC in it, and is destroyed in the
 * middle of a call; then a stress loop does the same many times with
 * maps, unmaps and IPC in between and checks that the root task's kernel
 * memory quota comes back to the last page (no leak).
 */
#include "ktest.h"

extern char __executable_start[], __text_end[], __data_start[], _end[];

#define CHILD_SLOTS 16
#define CHILD_EP KTEST_CHILD_CAPS /* the endpoint's selector in the child */
#define CHILD_PARK (CHILD_EP + 1)  /* an endpoint nobody sends to */
#define CHILD_UTCB 0x7f0000000000ull
#define REMOTE_THREADS 3
#define STRESS_ROUNDS 24

static uint64_t page_down(uintptr_t a)
{
	return a & ~(PAGE_SIZE - 1);
}

static uint64_t page_up(uintptr_t a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

enum status ktest_map_image(cap_selector task)
{
	uint64_t text = page_down((uintptr_t)__executable_start);
	uint64_t text_end = page_up((uintptr_t)__text_end);
	uint64_t data = page_down((uintptr_t)__data_start), end = page_up((uintptr_t)_end);
	enum status s = sys_mem_map(task, text, text, (text_end - text) / PAGE_SIZE,
				    MEM_EXECUTE, NULL);
	if (s == STATUS_OK)
		s = sys_mem_map(task, text_end, text_end, (data - text_end) / PAGE_SIZE, 0, NULL);
	if (s == STATUS_OK)
		s = sys_mem_map(task, data, data, (end - data) / PAGE_SIZE, MEM_WRITE, NULL);
	return s;
}

const char *ktest_child_task(cap_selector task, uint64_t quota_pages, uint64_t slots,
			     const char *name, const cap_selector *caps, unsigned n)
{
	if (sys_task_create(task, quota_pages, slots, name) != STATUS_OK)
		return "task_create";
	if (ktest_map_image(task) != STATUS_OK)
		return "map_image";
	for (unsigned i = 0; i < n; i++)
		if (sys_cap_copy(caps[i], task, KTEST_CHILD_CAPS + i, RIGHTS_ALL, 0) != STATUS_OK)
			return "cap_copy";
	return NULL;
}

/* What ktest_child_start leaves at the top of the new thread's stack. */
struct child_start {
	child_function *function;
	uint64_t arg, tcb;
};

NO_STACK_PROTECTOR _Noreturn static void child_entry(struct child_start *start)
{
	sys_thread_set_fs_base(start->tcb);
	start->function(start->arg);
	sys_thread_exit(0);
}

enum status ktest_child_start(cap_selector thread, child_function *function, uint64_t arg,
			      void *stack, size_t size)
{
	uint64_t top = ((uintptr_t)stack + size) & ~15ull;
	struct child_start *start = (struct child_start *)(uintptr_t)(top - 32);
	uint64_t tcb;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(tcb));
	*start = (struct child_start){function, arg, tcb};
	/* As right after a call: 16-byte aligned minus the return address. */
	return sys_thread_start(thread, (uintptr_t)child_entry, (uintptr_t)start - 8,
				(uintptr_t)start);
}

/* What the threads in the child do, and what they saw. */
static unsigned char remote_stacks[REMOTE_THREADS][8192] __attribute__((aligned(16)));
static cap_selector park;
static volatile uint64_t remote_served;
static uint64_t main_tcb;

/* In the child: answer calls on CHILD_EP; every third one is kept
 * unanswered while the thread waits on CHILD_PARK, where nothing comes:
 * its caller stays blocked in the reply until the task is destroyed. */
NO_STACK_PROTECTOR _Noreturn static void remote_entry(uint64_t tcb)
{
	sys_thread_set_fs_base(tcb);
	sys_ipc_receive(CHILD_EP, TIMEOUT_NEVER, NULL, NULL);
	for (uint64_t n = 1;; n++) {
		remote_served++;
		if (n % 3 == 0)
			sys_ipc_receive(CHILD_PARK, TIMEOUT_NEVER, NULL, NULL);
		sys_ipc_reply_wait(CHILD_EP, 0, TIMEOUT_NEVER, NULL, NULL);
	}
}

/* A child task with the image, the endpoint and REMOTE_THREADS servers.
 * Returns 0 or the step that failed. */
static const char *make_child(cap_selector child, cap_selector ep, cap_selector threads[],
			      uint64_t quota)
{
	const cap_selector caps[] = {ep, park};
	const char *failed = ktest_child_task(child, quota, CHILD_SLOTS, "child", caps, 2);
	if (failed)
		return failed;
	for (unsigned i = 0; i < REMOTE_THREADS; i++) {
		if (sys_thread_create(threads[i], child, CHILD_UTCB + i * PAGE_SIZE, 40) != STATUS_OK)
			return "thread_create";
		uint64_t rsp = (uint64_t)(uintptr_t)&remote_stacks[i][sizeof(remote_stacks[i])] - 8;
		if (sys_thread_start(threads[i], (uintptr_t)remote_entry, rsp, main_tcb) !=
		    STATUS_OK)
			return "thread_start";
	}
	return NULL;
}

static void caller(struct worker *w)
{
	cap_selector ep = (cap_selector)w->arg[0];
	for (uint64_t i = 0; i < w->arg[1]; i++) {
		w->status = sys_ipc_call(ep, 0, TIMEOUT_NEVER, NULL);
		if (w->status != STATUS_OK)
			return;
		w->count++;
	}
}

static uint64_t quota(void)
{
	uint64_t pages = 0;
	sys_task_quota(CAP_SELF_TASK, &pages);
	return pages;
}

static void test_destroy_in_ipc(void)
{
	__asm__ volatile("movq %%fs:0, %0" : "=r"(main_tcb));
	cap_selector ep = ktest_endpoint("destroy"), child = ktest_slot();
	cap_selector threads[REMOTE_THREADS];
	for (unsigned i = 0; i < REMOTE_THREADS; i++)
		threads[i] = ktest_slot();
	park = ktest_endpoint("park");
	/* A caller at priority 30 (below the servers): calls until one is not
	 * answered, then waits in the reply. Made before the quota is read. */
	struct worker *w = worker_create("destroy-caller", 30, caller);
	uint64_t alias = BOOTINFO_PHYS_WINDOW + runtime_bootinfo->memory[0].base;
	for (unsigned i = 0; i < 4; i++) /* window pages made before, too */
		(void)*(volatile uint64_t *)(alias + i * PAGE_SIZE);
	uint64_t before = quota();
	const char *failed = make_child(child, ep, threads, 256);
	if (!ktest_check(!failed && w, "destroy-setup", "%s failed", failed ? failed : "worker"))
		return;
	w->arg[0] = ep;
	w->arg[1] = 1000;
	worker_start(w);
	ktest_settle();
	ktest_check(w && !w->done && w->count >= 2 && remote_served >= 3, "ipc-across-tasks",
		    "served %llu, caller got %llu replies", (unsigned long long)remote_served,
		    w ? (unsigned long long)w->count : 0ull);
	ktest_status("destroy-map-data", sys_mem_map(child, alias, 0x10000000, 4, MEM_WRITE, NULL),
		     STATUS_OK);
	ktest_status("destroy-not-self", sys_task_destroy(CAP_SELF_TASK), STATUS_NO_RIGHTS);
	ktest_status("destroy-not-task", sys_task_destroy(ep), STATUS_BAD_TYPE);
	ktest_status("destroy", sys_task_destroy(child), STATUS_OK);
	ktest_settle();
	ktest_check(w && w->done && w->status == STATUS_BAD_CAP, "destroy-wakes-caller",
		    "caller %s", w ? status_name(w->status) : "missing");
	ktest_status("destroy-twice", sys_task_destroy(child), STATUS_BAD_CAP);
	ktest_status("destroyed-task-map", sys_mem_map(child, alias, 0x10000000, 1, 0, NULL),
		     STATUS_BAD_CAP);
	ktest_status("destroyed-thread-start",
		     sys_thread_start(threads[0], (uintptr_t)remote_entry, 0x1000, 0), STATUS_BAD_CAP);
	ktest_status("destroyed-task-delete", sys_cap_delete(child), STATUS_OK);
	for (unsigned i = 0; i < REMOTE_THREADS; i++)
		sys_cap_delete(threads[i]);
	ktest_check(quota() == before, "destroy-quota-back", "quota %llu before, %llu after",
		    (unsigned long long)before, (unsigned long long)quota());
}

/* Create, use and destroy tasks over and over; the quota must come back.
 * The main thread is the caller, with a timeout for parked servers. */
static void test_stress(void)
{
	if (!runtime_bootinfo->tsc_khz)
		return;
	cap_selector ep = ktest_endpoint("stress"), child = ktest_slot();
	cap_selector threads[REMOTE_THREADS];
	for (unsigned i = 0; i < REMOTE_THREADS; i++)
		threads[i] = ktest_slot();
	uint64_t before = 0, window = BOOTINFO_PHYS_WINDOW + runtime_bootinfo->memory[0].base;
	uint64_t served = remote_served;
	unsigned rounds = 0;
	const char *failed = NULL;
	for (; rounds < STRESS_ROUNDS && !failed; rounds++) {
		if (rounds == 1)
			before = quota(); /* round 0 made the window pages */
		failed = make_child(child, ep, threads, 128 + rounds * 8);
		/* Maps into the child, some taken back again. */
		for (unsigned i = 0; !failed && i < 8; i++) {
			uint64_t va = 0x20000000 + i * 0x200000ull;
			if (sys_mem_map(child, window + i * 16 * PAGE_SIZE, va, 16, MEM_WRITE, NULL))
				failed = "mem_map";
			else if (i % 2 && sys_mem_unmap(window + i * 16 * PAGE_SIZE, 8, 0))
				failed = "mem_unmap";
		}
		for (unsigned i = 0; !failed && i < 5; i++) {
			enum status s = sys_ipc_call(ep, 0, 2000000, NULL); /* 2 ms */
			if (s != STATUS_OK && s != STATUS_TIMEOUT)
				failed = "ipc_call";
		}
		if (!failed && sys_task_destroy(child) != STATUS_OK)
			failed = "task_destroy";
		sys_cap_delete(child);
		for (unsigned i = 0; i < REMOTE_THREADS; i++)
			sys_cap_delete(threads[i]);
	}
	ktest_check(!failed, "stress-rounds", "round %u: %s", rounds, failed ? failed : "");
	ktest_check(quota() == before, "stress-no-leak", "quota %llu before, %llu after %u rounds",
		    (unsigned long long)before, (unsigned long long)quota(), rounds);
	ktest_check(remote_served - served >= STRESS_ROUNDS * 2, "stress-ipc",
		    "only %llu calls served", (unsigned long long)(remote_served - served));
}

void test_destroy(void)
{
	test_destroy_in_ipc();
	test_stress();
}
