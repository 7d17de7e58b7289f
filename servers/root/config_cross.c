/*
 * The configuration checker's checks across nodes (see config.c): once
 * every node is read into the plan, names must be unique, connections
 * must name tasks, no interrupt source, MMIO range or port range may be
 * given out twice, and the memory the tasks and VMs take must exist.
 * Each pairwise check runs over the plan's bounded arrays
 * (CONFIG_MAX_TASKS and friends).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "config_checker.h"

/* Names of tasks and VMs are one name space: the kernel's task names. */
void check_names(struct checker *c)
{
	const struct config_plan *plan = c->plan;
	unsigned count = plan->task_count + plan->vm_count;

	for (unsigned i = 0; i < count; i++) {
		bool task = i < plan->task_count;
		const char *name =
		    task ? plan->tasks[i].name : plan->vms[i - plan->task_count].name;
		for (unsigned j = 0; j < i; j++) {
			bool other_task = j < plan->task_count;
			const char *other =
			    other_task ? plan->tasks[j].name : plan->vms[j - plan->task_count].name;
			char path[PATH_LENGTH];
			if (strcmp(name, other) != 0)
				continue;
			snprintf(path, sizeof(path), "/%s/%s", task ? "tasks" : "vms", name);
			problem(c, path, "", "name already used by /%s/%s",
				other_task ? "tasks" : "vms", other);
			break;
		}
	}
}

static int find_task(const struct config_plan *plan, const char *name)
{
	for (unsigned i = 0; i < plan->task_count; i++)
		if (strcmp(plan->tasks[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool is_connected(const struct config_task *task, unsigned server)
{
	for (unsigned k = 0; k < task->connection_count; k++)
		if (task->connections[k] == server)
			return true;
	return false;
}

/* Resolve each task's connect list to task indices. */
void check_connections(struct checker *c)
{
	for (unsigned i = 0; i < c->plan->task_count; i++) {
		struct config_task *task = &c->plan->tasks[i];
		const char *list = c->connect[i].data;
		char path[PATH_LENGTH];

		snprintf(path, sizeof(path), "/tasks/%s", task->name);
		for (int at = 0; at < c->connect[i].len; at += (int)strlen(list + at) + 1) {
			const char *name = list + at;
			int server = find_task(c->plan, name);
			if (server < 0)
				problem(c, path, "connect", "no task named '%s'", name);
			else if ((unsigned)server == i)
				problem(c, path, "connect", "'%s' is the task itself", name);
			else if (is_connected(task, (unsigned)server))
				problem(c, path, "connect", "'%s' listed twice", name);
			else if (task->connection_count == CONFIG_MAX_CONNECTIONS)
				problem(c, path, "connect", "more than %u connections",
					CONFIG_MAX_CONNECTIONS);
			else
				task->connections[task->connection_count++] = (unsigned)server;
		}
	}
}

static bool same_interrupt(const struct config_interrupt *a, const struct config_interrupt *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == CONFIG_IRQ_MSI)
		return a->bus == b->bus && a->device == b->device && a->function == b->function;
	return a->number == b->number;
}

/* No interrupt source is given to two tasks (or twice to one). */
void check_interrupts(struct checker *c)
{
	static const char *const kind_property[] = {"gsi", "msi", "hpet-comparator"};
	const struct config_plan *plan = c->plan;

	for (unsigned t = 0; t < plan->task_count; t++) {
		const struct config_task *task = &plan->tasks[t];
		for (unsigned i = 0; i < task->interrupt_count; i++) {
			const struct config_interrupt *irq = &task->interrupts[i];
			for (unsigned u = 0; u <= t; u++) {
				const struct config_task *other = &plan->tasks[u];
				unsigned end = u == t ? i : other->interrupt_count, j;
				for (j = 0; j < end && !same_interrupt(irq, &other->interrupts[j]);
				     j++)
					;
				if (j == end)
					continue;
				char path[PATH_LENGTH];
				snprintf(path, sizeof(path), "/tasks/%s/interrupts/%s", task->name,
					 irq->name);
				problem(c, path, kind_property[irq->kind],
					"also claimed by /tasks/%s/interrupts/%s", other->name,
					other->interrupts[j].name);
				break;
			}
		}
	}
}

/* The ranges of one owner (a task or a VM's device) for check_overlaps. */
struct range_set {
	const char *name;
	const struct config_range *ranges;
	unsigned count;
};

static bool overlap(const struct config_range *a, const struct config_range *b)
{
	/* Both are non-empty and do not wrap (read_ranges). */
	return a->base < b->base + b->size && b->base < a->base + a->size;
}

/*
 * No range of sets[0..count) overlaps one of an earlier set or an earlier
 * range of its own set; each owner's path is prefix + its name.
 */
static void check_overlaps(struct checker *c, const char *prefix, const char *property,
			   const struct range_set *sets, unsigned count)
{
	for (unsigned a = 0; a < count; a++) {
		for (unsigned i = 0; i < sets[a].count; i++) {
			const struct config_range *r = &sets[a].ranges[i];
			for (unsigned b = 0; b <= a; b++) {
				unsigned end = b == a ? i : sets[b].count, j;
				for (j = 0; j < end && !overlap(r, &sets[b].ranges[j]); j++)
					;
				if (j == end)
					continue;
				const struct config_range *o = &sets[b].ranges[j];
				char path[PATH_LENGTH];
				snprintf(path, sizeof(path), "%s%s", prefix, sets[a].name);
				problem(c, path, property,
					"[%#llx, +%#llx) overlaps [%#llx, +%#llx) of %s%s",
					(unsigned long long)r->base, (unsigned long long)r->size,
					(unsigned long long)o->base, (unsigned long long)o->size,
					prefix, sets[b].name);
				break;
			}
		}
	}
}

/* MMIO and port ranges: between tasks, and between one VM's devices. */
void check_ranges(struct checker *c)
{
	const struct config_plan *plan = c->plan;
	struct range_set mmio[CONFIG_MAX_TASKS], ports[CONFIG_MAX_TASKS];
	_Static_assert(CONFIG_MAX_DEVICES <= CONFIG_MAX_TASKS, "sets hold a VM's devices");

	for (unsigned i = 0; i < plan->task_count; i++) {
		const struct config_task *t = &plan->tasks[i];
		mmio[i] = (struct range_set){t->name, t->mmio, t->mmio_count};
		ports[i] = (struct range_set){t->name, t->ports, t->port_count};
	}
	check_overlaps(c, "/tasks/", "mmio", mmio, plan->task_count);
	check_overlaps(c, "/tasks/", "io-ports", ports, plan->task_count);
	for (unsigned v = 0; v < plan->vm_count; v++) {
		const struct config_vm *vm = &plan->vms[v];
		char prefix[PATH_LENGTH];
		for (unsigned i = 0; i < vm->device_count; i++) {
			const struct config_device *d = &vm->devices[i];
			mmio[i] = (struct range_set){d->name, d->mmio, d->mmio_count};
			ports[i] = (struct range_set){d->name, d->ports, d->port_count};
		}
		snprintf(prefix, sizeof(prefix), "/vms/%s/devices/", vm->name);
		check_overlaps(c, prefix, "mmio", mmio, vm->device_count);
		check_overlaps(c, prefix, "io-ports", ports, vm->device_count);
	}
}

/*
 * The tasks' quotas fit in the kernel memory the root task can hand out,
 * and the guests' memory and the tasks' heaps, stacks and start-up blocks
 * in the user memory (doc/memory.md: the kernel pool and user memory are
 * separate; the tasks' programs come on top, the root task checks them
 * when it loads them). Sums of u32 quotas and heaps and of guest sizes
 * below 2^52 cannot wrap in 64 bits with the plan's bounds.
 */
void check_memory(struct checker *c)
{
	struct config_plan *plan = c->plan;

	for (unsigned i = 0; i < plan->task_count; i++) {
		plan->kernel_pages += plan->tasks[i].memory_pages;
		plan->task_pages += plan->tasks[i].heap_pages + CONFIG_TASK_FIXED_PAGES;
	}
	for (unsigned i = 0; i < plan->vm_count; i++)
		plan->guest_pages += plan->vms[i].memory_bytes / CONFIG_PAGE_SIZE;
	plan->kernel_limit = c->limits->kernel_pages;
	plan->user_limit = c->limits->user_pages;
	if (plan->kernel_pages > plan->kernel_limit)
		problem(c, "/tasks", "memory-pages",
			"the tasks' quotas need %llu pages of 4 KiB, the root task has %llu",
			(unsigned long long)plan->kernel_pages,
			(unsigned long long)plan->kernel_limit);
	if (plan->guest_pages > plan->user_limit)
		problem(c, "/vms", "memory-size",
			"the guests need %llu pages of 4 KiB, user memory has %llu",
			(unsigned long long)plan->guest_pages,
			(unsigned long long)plan->user_limit);
	else if (plan->guest_pages + plan->task_pages > plan->user_limit)
		problem(c, "/tasks", "heap-pages",
			"the tasks' heaps, stacks and start-up blocks need %llu pages of 4 KiB, "
			"user memory has %llu%s",
			(unsigned long long)plan->task_pages,
			(unsigned long long)(plan->user_limit - plan->guest_pages),
			plan->guest_pages ? " besides the guests'" : "");
}
