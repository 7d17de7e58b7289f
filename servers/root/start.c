/*
 * Checking, building and starting the plan's tasks (see start.h and
 * doc/servers.md for the layout of a started task and its capabilities).
 */
#include "start.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <vireo/runtime.h>
#include <vireo/startinfo.h>

#include "loader.h"
#include "pci.h"

/* A started task's capability space: slots 0 and 1 as in every task
 * (itself, its first thread), then these. */
#define CHILD_SLOTS 64
enum child_slot {
	SLOT_PARENT = CAP_FIRST_FREE,
	SLOT_SERVICE,
	SLOT_CONNECTIONS,
	/* Two per interrupt: the Irq, then its endpoint. */
	SLOT_INTERRUPTS = SLOT_CONNECTIONS + CONFIG_MAX_CONNECTIONS,
};
_Static_assert(SLOT_INTERRUPTS + 2 * CONFIG_MAX_INTERRUPTS <= CHILD_SLOTS,
	       "a started task's capability space holds every capability it may get");
_Static_assert(CONFIG_MAX_CONNECTIONS <= STARTINFO_MAX_CONNECTIONS &&
		   CONFIG_MAX_INTERRUPTS <= STARTINFO_MAX_INTERRUPTS &&
		   CONFIG_MAX_RANGES <= STARTINFO_MAX_RANGES &&
		   CONFIG_MAX_TASKS <= STARTINFO_MAX_CLIENTS + 1 &&
		   CONFIG_NAME_MAX < STARTINFO_NAME_MAX,
	       "the start-up block holds what a plan's task may have");
_Static_assert(STARTINFO_HEAP + CONFIG_MAX_HEAP_PAGES * (uint64_t)PAGE_SIZE == STARTINFO_ADDRESS,
	       "the checker's largest heap fills the heap's part of the address space");
_Static_assert((uint64_t)CONFIG_TASK_FIXED_PAGES *PAGE_SIZE ==
		   STARTINFO_STACK_SIZE + STARTINFO_PAGES * PAGE_SIZE,
	       "the checker counts a task's stack and start-up block");
/* Each task lists its program's segments, heap, stack and start-up block;
 * the pool's free extents stay below ranges + extents handed out (pages.h). */
_Static_assert(ELF_MAX_SEGMENTS + 3 <= PAGE_LIST_MAX, "a task's page list holds its pages");
_Static_assert(BOOTINFO_MAX_MEMORY + CONFIG_MAX_TASKS * PAGE_LIST_MAX <= PAGE_POOL_EXTENTS,
	       "every task's pages can go back to the pool");

/* The root task's slots from here on are the starter's (below: the
 * benchmark's, bench/threads.c). Slots given back are used again. */
#define ROOT_FIRST_SLOT 256
#define ROOT_SLOTS	1024
#define SPARE_SLOTS	64

/* IOAPIC inputs an HPET comparator may be routed to: 16..31, which no ISA
 * device uses (the MADT maps ISA IRQs 0..15 to GSIs below 16 on PCs). */
#define HPET_FIRST_GSI	     16
#define HPET_LAST_GSI	     31
#define HPET_CAPABILITIES    0x000		  /* HPET specification 1.0a §2.3.4 */
#define HPET_TIMER_CONFIG(n) (0x100 + 0x20 * (n)) /* §2.3.8 */
#define HPET_TIMERS(cap)     ((unsigned)((cap) >> 8 & 0x1f) + 1)
#define HPET_ROUTES(config)  ((uint32_t)((config) >> 32)) /* Tn_INT_ROUTE_CAP */
#define HPET_INT_ENABLE	     (1ull << 2)		  /* Tn_INT_ENB_CNF */
#define HPET_FSB_ENABLE	     (1ull << 14)		  /* Tn_FSB_EN_CNF */
#define HPET_FSB_CAPABLE     (1ull << 15)		  /* Tn_FSB_INT_DEL_CAP */

#define ERROR_LENGTH 200

static cap_selector next_slot = ROOT_FIRST_SLOT;
static cap_selector spare_slots[SPARE_SLOTS];
static unsigned spare_count;
static unsigned problems;

/* An empty slot of the root task, or NO_SELECTOR when none is left. */
static cap_selector take_slot(void)
{
	if (spare_count > 0)
		return spare_slots[--spare_count];
	return next_slot < ROOT_SLOTS ? next_slot++ : NO_SELECTOR;
}

/* Delete the root task's capability in `slot` and keep the slot. */
static void give_slot(cap_selector *slot)
{
	if (*slot == NO_SELECTOR)
		return;
	sys_cap_delete(*slot);
	if (spare_count < SPARE_SLOTS)
		spare_slots[spare_count++] = *slot;
	*slot = NO_SELECTOR;
}

/* Print `root: task NAME: <what>` and count it as a problem. */
static void problem(const struct child *c, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(const struct child *c, const char *format, ...)
{
	va_list arguments;

	printf("root: task %s: ", c->config->name);
	va_start(arguments, format);
	vprintf(format, arguments);
	va_end(arguments);
	printf("\n");
	problems++;
}

/* A system call's status: true when OK, else the problem is printed. */
static bool succeeded(const struct child *c, enum status s, const char *what)
{
	if (s != STATUS_OK)
		problem(c, "%s: %s", what, status_name(s));
	return s == STATUS_OK;
}

/* ------------------------------------------------------------- checks */

/*
 * True with *config the configuration register of HPET comparator n
 * (HPET specification 1.0a §2.3.8), or false with why filled when the
 * machine has no such comparator.
 */
static bool hpet_comparator(const struct system *sys, unsigned n, uint64_t *config, char *why,
			    size_t why_size)
{
	const volatile uint64_t *hpet = (const volatile uint64_t *)(uintptr_t)sys->bi->hpet;

	if (hpet == NULL) {
		snprintf(why, why_size, "the machine has no HPET (no ACPI HPET table)");
		return false;
	}
	uint64_t cap = hpet[HPET_CAPABILITIES / 8];
	if (n >= HPET_TIMERS(cap)) {
		snprintf(why, why_size, "the HPET has comparators 0..%u", HPET_TIMERS(cap) - 1);
		return false;
	}
	*config = hpet[HPET_TIMER_CONFIG(n) / 8];
	return true;
}

/*
 * GSIs HPET comparator `n` can interrupt on that no task's `gsi`
 * interrupt claims, as a mask of bits 16..31; 0 with why filled when
 * there is none.
 */
static uint32_t hpet_gsis(const struct system *sys, unsigned n, char *why, size_t why_size)
{
	uint64_t config;

	if (!hpet_comparator(sys, n, &config, why, why_size))
		return 0;
	uint32_t routes = HPET_ROUTES(config);
	uint32_t gsis = routes & ~((1u << HPET_FIRST_GSI) - 1);
	for (unsigned t = 0; t < sys->count; t++) {
		const struct config_task *task = sys->children[t].config;
		for (unsigned i = 0; i < task->interrupt_count; i++)
			if (task->interrupts[i].kind == CONFIG_IRQ_GSI &&
			    task->interrupts[i].number <= HPET_LAST_GSI)
				gsis &= ~(1u << task->interrupts[i].number);
	}
	if (gsis == 0)
		snprintf(why, why_size,
			 "comparator %u can interrupt on no free GSI %d..%d (route capability %#x)",
			 n, HPET_FIRST_GSI, HPET_LAST_GSI, (unsigned)routes);
	return gsis;
}

/* True when HPET comparator n can send its interrupt as a message (FSB
 * interrupt delivery, HPET specification 1.0a §2.3.9); else why. */
static bool hpet_sends_messages(const struct system *sys, unsigned n, char *why, size_t why_size)
{
	uint64_t config;

	if (!hpet_comparator(sys, n, &config, why, why_size))
		return false;
	if (!(config & HPET_FSB_CAPABLE))
		snprintf(why, why_size,
			 "comparator %u cannot send its interrupt as a message "
			 "(Tn_FSB_INT_DEL_CAP clear, HPET specification 1.0a §2.3.8)",
			 n);
	return config & HPET_FSB_CAPABLE;
}

static void check_interrupt(const struct system *sys, const struct child *c,
			    const struct config_interrupt *irq)
{
	char why[ERROR_LENGTH];

	switch (irq->kind) {
	case CONFIG_IRQ_GSI: break; /* irq_create checks the GSI */
	case CONFIG_IRQ_MSI:
		/* Several vectors need a block of them, aligned, that the
		 * device numbers in data's low bits (PCI Local Bus Specification
		 * 3.0 §6.8.3.2); irq_create gives one vector. */
		if (irq->vectors > 1)
			problem(c,
				"interrupt %s: vectors: %u, but an MSI Irq has one vector (the "
				"kernel gives no aligned blocks of vectors)",
				irq->name, irq->vectors);
		if (!pci_has_msi(irq->bus, irq->device, irq->function, why, sizeof(why)))
			problem(c, "interrupt %s: msi: %s", irq->name, why);
		break;
	case CONFIG_IRQ_HPET:
		if (irq->message && !hpet_sends_messages(sys, irq->number, why, sizeof(why)))
			problem(c, "interrupt %s: hpet-comparator: delivery msi: %s", irq->name,
				why);
		else if (!irq->message && hpet_gsis(sys, irq->number, why, sizeof(why)) == 0)
			problem(c, "interrupt %s: hpet-comparator: %s", irq->name, why);
		break;
	}
}

/* What the configuration checker could not see; prints each problem. */
static void check_task(struct system *sys, struct child *c)
{
	const struct config_task *task = c->config;
	char why[ERROR_LENGTH];

	c->module = runtime_find_module(task->image);
	if (c->module == NULL)
		problem(c, "image: no boot module named '%s'", task->image);
	else if (loader_check((const void *)(uintptr_t)c->module->address, c->module->size, &c->elf,
			      why, sizeof(why)) != NULL)
		problem(c, "image '%s' rejected: %s", task->image, why);
	if (task->cpu != 0)
		problem(c,
			"cpu: %u, but only CPU 0 runs threads (the kernel starts no other CPU yet)",
			task->cpu);
	if (task->arguments.len > STARTINFO_ARGUMENTS_MAX)
		problem(c, "arguments: %d bytes, the start-up block holds %d", task->arguments.len,
			STARTINFO_ARGUMENTS_MAX);
	for (unsigned i = 0; i < task->interrupt_count; i++)
		check_interrupt(sys, c, &task->interrupts[i]);
}

/* ------------------------------------------------------------ building */

static void copy_name(char *to, const char *name)
{
	strncpy(to, name, STARTINFO_NAME_MAX - 1);
	to[STARTINFO_NAME_MAX - 1] = '\0';
}

/* The caller's connections: a SEND copy of each server's endpoint,
 * badged with the caller. */
static bool give_connections(struct system *sys, unsigned index, struct startinfo *info)
{
	struct child *c = &sys->children[index];

	for (unsigned k = 0; k < c->config->connection_count; k++) {
		const struct child *server = &sys->children[c->config->connections[k]];
		cap_selector slot = SLOT_CONNECTIONS + k;
		char what[64];
		snprintf(what, sizeof(what), "connect %s: cap_copy", server->config->name);
		if (!succeeded(c,
			       sys_cap_copy(server->service, c->task, slot, RIGHT_SEND,
					    start_badge(index)),
			       what))
			return false;
		copy_name(info->connections[k].name, server->config->name);
		info->connections[k].endpoint = slot;
	}
	info->connection_count = c->config->connection_count;
	return true;
}

/* A server learns its clients' names and badges. */
static void list_clients(const struct system *sys, unsigned index, struct startinfo *info)
{
	for (unsigned t = 0; t < sys->count; t++) {
		const struct config_task *other = sys->children[t].config;
		for (unsigned k = 0; k < other->connection_count; k++) {
			if (other->connections[k] != index)
				continue;
			struct startinfo_client *client = &info->clients[info->client_count++];
			copy_name(client->name, other->name);
			client->badge = start_badge(t);
		}
	}
}

/* An MSI Irq: the kernel picks the vector and says which message raises
 * it; the task programs its device with it. */
static enum status make_msi(cap_selector slot, cap_selector endpoint,
			    struct startinfo_interrupt *out)
{
	out->flags = IRQ_MSI;
	out->gsi = 0;
	return sys_irq_create_msi(slot, endpoint, STARTINFO_IRQ_BADGE, &out->msi_address,
				  &out->msi_data);
}

/* The Irq of an interrupt on an endpoint of its own; for an HPET
 * comparator without messages on the first free GSI it can be routed to. */
static enum status make_irq(const struct system *sys, const struct config_interrupt *irq,
			    cap_selector slot, cap_selector endpoint,
			    struct startinfo_interrupt *out)
{
	char why[ERROR_LENGTH];

	out->flags = (irq->level ? IRQ_LEVEL : 0) | (irq->active_low ? IRQ_ACTIVE_LOW : 0);
	out->number = irq->number;
	if (irq->kind == CONFIG_IRQ_GSI) {
		out->kind = STARTINFO_IRQ_GSI;
		out->gsi = irq->number;
		return sys_irq_create(slot, irq->number, endpoint, STARTINFO_IRQ_BADGE, out->flags);
	}
	if (irq->kind == CONFIG_IRQ_MSI) {
		out->kind = STARTINFO_IRQ_PCI_MSI;
		out->number = STARTINFO_PCI_FUNCTION(irq->bus, irq->device, irq->function);
		return make_msi(slot, endpoint, out);
	}
	out->kind = STARTINFO_IRQ_HPET;
	if (irq->message)
		return make_msi(slot, endpoint, out);
	/* The comparator interrupts edge-triggered, active high (Tn_INT_TYPE_CNF
	 * 0, HPET specification 1.0a §2.3.8), as the driver programs it. A
	 * GSI another Irq has (BUSY) is skipped. */
	uint32_t gsis = hpet_gsis(sys, irq->number, why, sizeof(why));
	enum status s = STATUS_NOT_FOUND;
	for (unsigned gsi = HPET_FIRST_GSI; gsi <= HPET_LAST_GSI; gsi++) {
		if (!(gsis & (1u << gsi)))
			continue;
		out->gsi = gsi;
		s = sys_irq_create(slot, gsi, endpoint, STARTINFO_IRQ_BADGE, out->flags);
		if (s != STATUS_BUSY)
			break;
	}
	return s;
}

/* Each interrupt: an endpoint and an Irq, both handed to the task; the
 * root task keeps no capability to them. */
static bool give_interrupts(struct system *sys, struct child *c, struct startinfo *info)
{
	for (unsigned k = 0; k < c->config->interrupt_count; k++) {
		const struct config_interrupt *irq = &c->config->interrupts[k];
		struct startinfo_interrupt *out = &info->interrupts[k];
		cap_selector endpoint = take_slot(), slot = take_slot();
		char what[64];
		snprintf(what, sizeof(what), "interrupt %s", irq->name);
		enum status s = endpoint == NO_SELECTOR || slot == NO_SELECTOR
				    ? STATUS_NO_MEM
				    : sys_endpoint_create(endpoint);
		if (s == STATUS_OK)
			s = make_irq(sys, irq, slot, endpoint, out);
		if (s == STATUS_OK)
			s = sys_cap_copy(slot, c->task, SLOT_INTERRUPTS + 2 * k, RIGHT_CONTROL, 0);
		if (s == STATUS_OK)
			s = sys_cap_copy(endpoint, c->task, SLOT_INTERRUPTS + 2 * k + 1,
					 RIGHT_RECEIVE, 0);
		give_slot(&slot);
		give_slot(&endpoint);
		if (!succeeded(c, s, what))
			return false;
		copy_name(out->name, irq->name);
		out->irq = SLOT_INTERRUPTS + 2 * k;
		out->endpoint = SLOT_INTERRUPTS + 2 * k + 1;
	}
	info->interrupt_count = c->config->interrupt_count;
	return true;
}

/* Device registers: the root task's window pages, mapped at the same
 * address in the task (uncached: the window's device pages are). */
static bool give_mmio(struct child *c, struct startinfo *info)
{
	for (unsigned k = 0; k < c->config->mmio_count; k++) {
		const struct config_range *r = &c->config->mmio[k];
		uint64_t address = BOOTINFO_PHYS_WINDOW + r->base;
		struct mem_progress left;
		enum status s =
		    sys_mem_map(c->task, address, address, r->size / PAGE_SIZE, MEM_WRITE, &left);
		if (s != STATUS_OK) {
			problem(c, "mmio [%#llx, +%#llx): mem_map: %s at %#llx",
				(unsigned long long)r->base, (unsigned long long)r->size,
				status_name(s),
				(unsigned long long)(left.va - BOOTINFO_PHYS_WINDOW));
			return false;
		}
		info->mmio[k] = (struct startinfo_mmio){r->base, r->size, address};
	}
	info->mmio_count = c->config->mmio_count;
	return true;
}

static bool give_ports(struct child *c, struct startinfo *info)
{
	for (unsigned k = 0; k < c->config->port_count; k++) {
		const struct config_range *r = &c->config->ports[k];
		char what[64];
		snprintf(what, sizeof(what), "io-ports [%#llx, +%#llx): io_ports",
			 (unsigned long long)r->base, (unsigned long long)r->size);
		if (!succeeded(c, sys_io_ports(c->task, (unsigned)r->base, (unsigned)r->size, 0),
			       what))
			return false;
		info->ports[k] = (struct startinfo_ports){(uint32_t)r->base, (uint32_t)r->size};
	}
	info->port_count = c->config->port_count;
	return true;
}

/* The address space: start-up block, program, heap, stack; each page
 * listed in c->memory. */
static bool build_memory(struct child *c, struct startinfo **info)
{
	char why[ERROR_LENGTH];
	void *block;

	enum status s = loader_map_fresh(c->task, STARTINFO_ADDRESS, STARTINFO_PAGES, 0,
					 "start-up block", &c->memory, &block, why, sizeof(why));
	if (s == STATUS_OK)
		s = loader_load(c->task, (const void *)(uintptr_t)c->module->address, &c->elf,
				&c->memory, why, sizeof(why));
	if (s == STATUS_OK)
		s = loader_map_fresh(c->task, STARTINFO_HEAP, c->config->heap_pages, MEM_WRITE,
				     "heap", &c->memory, NULL, why, sizeof(why));
	if (s == STATUS_OK)
		s = loader_map_fresh(c->task, STARTINFO_STACK_TOP - STARTINFO_STACK_SIZE,
				     STARTINFO_STACK_SIZE / PAGE_SIZE, MEM_WRITE, "stack",
				     &c->memory, NULL, why, sizeof(why));
	if (s != STATUS_OK) {
		problem(c, "%s", why);
		return false;
	}
	*info = block;
	return true;
}

/* Fill the start-up block's fixed part and arguments. */
static void describe(const struct system *sys, const struct child *c, struct startinfo *info)
{
	info->magic = STARTINFO_MAGIC;
	info->size = sizeof(*info);
	copy_name(info->name, c->config->name);
	info->heap_start = STARTINFO_HEAP;
	info->heap_size = (uint64_t)c->config->heap_pages * PAGE_SIZE;
	info->utcb = STARTINFO_UTCB;
	info->tsc_khz = sys->bi->tsc_khz;
	info->parent = SLOT_PARENT;
	info->service = c->server ? SLOT_SERVICE : NO_SELECTOR;
	const struct config_strings *a = &c->config->arguments;
	if (a->len > 0) /* the checker made them NUL-terminated strings */
		memcpy(info->arguments, a->data, (size_t)a->len);
	info->arguments_size = (uint32_t)a->len;
	for (int at = 0; at < a->len; at += (int)strlen(a->data + at) + 1)
		info->argument_count++;
}

/* The first thread, whose exceptions come to the root task, with the
 * task's priority and time slice (the checker kept it in the range
 * thread_configure takes). */
static bool build_thread(struct system *sys, unsigned index)
{
	struct child *c = &sys->children[index];
	unsigned priority = c->config->priority;

	c->thread = take_slot();
	c->exception = take_slot();
	if (c->thread == NO_SELECTOR || c->exception == NO_SELECTOR)
		return succeeded(c, STATUS_NO_MEM, "thread: the root task has no slot left");
	return succeeded(c, sys_thread_create(c->thread, c->task, STARTINFO_UTCB, priority),
			 "thread_create") &&
	       succeeded(c, sys_cap_copy(c->thread, c->task, CAP_SELF_THREAD, RIGHTS_ALL, 0),
			 "cap_copy of its thread") &&
	       succeeded(c,
			 sys_cap_copy(sys->endpoint, CAP_SELF_TASK, c->exception, RIGHT_SEND,
				      START_EXCEPTION_BADGE | start_badge(index)),
			 "cap_copy of the exception endpoint") &&
	       succeeded(c,
			 sys_thread_configure(c->thread, c->exception, priority,
					      c->config->time_slice_us * 1000ull),
			 "thread_configure");
}

static bool build_task(struct system *sys, unsigned index)
{
	struct child *c = &sys->children[index];
	struct startinfo *info;

	if (!build_memory(c, &info))
		return false;
	describe(sys, c, info);
	list_clients(sys, index, info);
	return succeeded(c,
			 sys_cap_copy(sys->endpoint, c->task, SLOT_PARENT, RIGHT_SEND,
				      start_badge(index)),
			 "cap_copy of the root task's endpoint") &&
	       give_connections(sys, index, info) && give_interrupts(sys, c, info) &&
	       give_mmio(c, info) && give_ports(c, info) && build_thread(sys, index);
}

/* Tasks and service endpoints first: connections need both ends. */
static bool create_tasks(struct system *sys)
{
	sys->endpoint = take_slot();
	if (sys->endpoint == NO_SELECTOR || sys_endpoint_create(sys->endpoint) != STATUS_OK) {
		printf("root: cannot create its endpoint for the tasks\n");
		problems++;
		return false;
	}
	for (unsigned i = 0; i < sys->count; i++) {
		struct child *c = &sys->children[i];
		c->task = take_slot();
		if (!succeeded(c,
			       c->task == NO_SELECTOR
				   ? STATUS_NO_MEM
				   : sys_task_create(c->task, c->config->memory_pages, CHILD_SLOTS,
						     c->config->name),
			       "task_create")) {
			give_slot(&c->task);
			return false;
		}
		if (!c->server)
			continue;
		c->service = take_slot();
		if (!succeeded(c,
			       c->service == NO_SELECTOR ? STATUS_NO_MEM
							 : sys_endpoint_create(c->service),
			       "endpoint_create") ||
		    !succeeded(c, sys_cap_copy(c->service, c->task, SLOT_SERVICE, RIGHT_RECEIVE, 0),
			       "cap_copy of its service endpoint"))
			return false;
	}
	return true;
}

/*
 * Stop the HPET comparators of a task about to be destroyed: a driver
 * that ended in the middle of its work leaves its comparator interrupting,
 * and with the task its Irq goes, whose vector the kernel gives to the
 * next Irq made (doc/syscalls.md, "MSI": stop the device first). The root
 * task has the HPET's registers; the task cannot run meanwhile (the root
 * task has the highest priority).
 */
static void stop_comparators(const struct system *sys, const struct child *c)
{
	volatile uint64_t *hpet = (volatile uint64_t *)(uintptr_t)sys->bi->hpet;

	for (unsigned i = 0; hpet != NULL && i < c->config->interrupt_count; i++) {
		const struct config_interrupt *irq = &c->config->interrupts[i];
		if (irq->kind != CONFIG_IRQ_HPET)
			continue;
		volatile uint64_t *config = &hpet[HPET_TIMER_CONFIG(irq->number) / 8];
		uint64_t was = *config;
		*config = was & ~(HPET_INT_ENABLE | HPET_FSB_ENABLE);
		if (was & HPET_INT_ENABLE)
			printf("root: task %s: HPET comparator %u stopped\n", c->config->name,
			       irq->number);
	}
}

/* The task is gone with every mapping of its pages (task_destroy revokes
 * what was derived from them too): the pool can hand them out again. */
static void give_back_memory(struct system *sys, struct child *c)
{
	uint64_t pages = page_list_pages(&c->memory);
	enum status s = page_list_give_back(&c->memory);

	if (s == STATUS_OK)
		sys->pages_back += pages;
	else
		printf("root: task %s: its %llu pages of memory not all given back: %s\n",
		       c->config->name, (unsigned long long)pages, status_name(s));
}

void start_destroy(struct system *sys, struct child *c, enum child_state state)
{
	if (c->task != NO_SELECTOR) {
		stop_comparators(sys, c);
		enum status s = sys_task_destroy(c->task);
		if (s == STATUS_OK)
			give_back_memory(sys, c);
		else
			printf("root: task %s: task_destroy: %s; its memory is not used again\n",
			       c->config->name, status_name(s));
	}
	give_slot(&c->task);
	give_slot(&c->thread);
	give_slot(&c->exception);
	give_slot(&c->service);
	c->state = state;
}

static void destroy_all(struct system *sys)
{
	for (unsigned i = 0; i < sys->count; i++)
		start_destroy(sys, &sys->children[i], CHILD_STOPPED);
	give_slot(&sys->endpoint);
}

int start_tasks(struct system *sys, const struct config_plan *plan, const struct bootinfo *bi)
{
	*sys = (struct system){.plan = plan, .bi = bi, .count = plan->task_count};
	page_pool_init(&sys->pool, bi->memory, bi->memory_count);
	for (unsigned i = 0; i < sys->count; i++) {
		struct child *c = &sys->children[i];
		*c = (struct child){.config = &plan->tasks[i],
				    .task = NO_SELECTOR,
				    .thread = NO_SELECTOR,
				    .exception = NO_SELECTOR,
				    .service = NO_SELECTOR};
		page_list_init(&c->memory, &sys->pool);
		for (unsigned t = 0; t < sys->count; t++)
			for (unsigned k = 0; k < plan->tasks[t].connection_count; k++)
				c->server |= plan->tasks[t].connections[k] == i;
	}
	problems = 0;
	for (unsigned i = 0; i < sys->count; i++)
		check_task(sys, &sys->children[i]);

	bool built = problems == 0 && create_tasks(sys);
	for (unsigned i = 0; built && i < sys->count; i++)
		built = build_task(sys, i);
	/* The clients have their copies of the service endpoints now. */
	for (unsigned i = 0; i < sys->count; i++)
		give_slot(&sys->children[i].service);
	for (unsigned i = 0; built && i < sys->count; i++) {
		struct child *c = &sys->children[i];
		built = succeeded(c,
				  sys_thread_start(c->thread, c->elf.entry, STARTINFO_STACK_TOP - 8,
						   STARTINFO_ADDRESS),
				  "thread_start");
	}
	if (!built) {
		/* The root task has the highest priority and did not block:
		 * no thread it started has run yet. */
		destroy_all(sys);
		printf("root: %u problem%s, nothing started\n", problems, problems == 1 ? "" : "s");
		return EXIT_NOT_STARTED;
	}
	for (unsigned i = 0; i < sys->count; i++) {
		struct child *c = &sys->children[i];
		uint64_t quota = 0;
		c->state = CHILD_RUNNING;
		sys_task_quota(c->task, &quota);
		printf(
		    "root: task %s: started, %llu pages of memory, %llu of %u kernel pages left, "
		    "entry %#llx%s\n",
		    c->config->name, (unsigned long long)page_list_pages(&c->memory),
		    (unsigned long long)quota, c->config->memory_pages,
		    (unsigned long long)c->elf.entry, c->server ? ", serves others" : "");
	}
	return 0;
}
