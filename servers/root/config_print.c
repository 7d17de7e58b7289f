/*
 * Printing a checked boot configuration (see config.h): the root task
 * prints its plan before it starts anything, and `vireo-check --plan`
 * prints the same lines on the host. One line per task, resource, VM,
 * vCPU and device, so that a test can match each one.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"

static void print_ranges(const char *prefix, const char *what, const struct config_range *ranges,
			 unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		printf("%s  %s [%#llx, +%#llx)\n", prefix, what, (unsigned long long)ranges[i].base,
		       (unsigned long long)ranges[i].size);
}

static void print_interrupt(const char *prefix, const struct config_interrupt *irq)
{
	printf("%s  interrupt %s: ", prefix, irq->name);
	switch (irq->kind) {
	case CONFIG_IRQ_GSI:
		printf("gsi %u %s %s\n", irq->number, irq->level ? "level" : "edge",
		       irq->active_low ? "low" : "high");
		break;
	case CONFIG_IRQ_MSI:
		printf("msi %02x:%02x.%u, %u vector%s\n", irq->bus, irq->device, irq->function,
		       irq->vectors, irq->vectors == 1 ? "" : "s");
		break;
	case CONFIG_IRQ_HPET:
		printf("hpet comparator %u%s\n", irq->number, irq->message ? ", delivery msi" : "");
		break;
	}
}

static void print_task(const struct config_plan *plan, const struct config_task *task,
		       const char *prefix)
{
	printf("%stask %s: image %s, priority %u, cpu %u, time slice %u us, %u pages, heap %u "
	       "pages\n",
	       prefix, task->name, task->image, task->priority, task->cpu, task->time_slice_us,
	       task->memory_pages, task->heap_pages);
	if (task->arguments.len > 0) {
		printf("%s  arguments:", prefix);
		for (int at = 0; at < task->arguments.len;
		     at += (int)strlen(task->arguments.data + at) + 1)
			printf(" \"%s\"", task->arguments.data + at);
		printf("\n");
	}
	for (unsigned i = 0; i < task->interrupt_count; i++)
		print_interrupt(prefix, &task->interrupts[i]);
	print_ranges(prefix, "mmio", task->mmio, task->mmio_count);
	print_ranges(prefix, "io-ports", task->ports, task->port_count);
	for (unsigned i = 0; i < task->connection_count; i++)
		printf("%s  connect %s\n", prefix, plan->tasks[task->connections[i]].name);
}

static void print_vm(const struct config_vm *vm, const char *prefix)
{
	printf("%svm %s: image %s, memory %#llx bytes, intercepts:", prefix, vm->name, vm->image,
	       (unsigned long long)vm->memory_bytes);
	for (unsigned i = 0; i < CONFIG_INTERCEPT_COUNT; i++)
		if (vm->intercepts & (1u << i))
			printf(" %s", config_intercept_names[i]);
	printf("%s\n", vm->intercepts ? "" : " none");
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		printf("%s  vcpu %s: priority %u, cpu %u\n", prefix, vm->vcpus[i].name,
		       vm->vcpus[i].priority, vm->vcpus[i].cpu);
	for (unsigned i = 0; i < vm->device_count; i++) {
		const struct config_device *d = &vm->devices[i];
		printf("%s  device %s: %s", prefix, d->name, d->type);
		if (d->has_interrupt)
			printf(", guest gsi %u", d->interrupt);
		printf("\n");
		print_ranges(prefix, "  guest mmio", d->mmio, d->mmio_count);
		print_ranges(prefix, "  guest io-ports", d->ports, d->port_count);
	}
}

void config_plan_print(const struct config_plan *plan, const char *prefix)
{
	const struct config_scenario *s = &plan->scenario;

	if (s->present)
		printf("%sscenario: benchmark %s, load %s, mode %s, %u samples, report %s\n",
		       prefix, s->benchmark, s->load, s->mode, s->samples, s->report);
	else
		printf("%sscenario: none\n", prefix);
	for (unsigned i = 0; i < plan->task_count; i++)
		print_task(plan, &plan->tasks[i], prefix);
	for (unsigned i = 0; i < plan->vm_count; i++)
		print_vm(&plan->vms[i], prefix);
	printf("%s%u tasks, %u VMs; kernel memory %llu of %llu pages, user memory %llu of %llu "
	       "pages (tasks %llu, guests %llu)\n",
	       prefix, plan->task_count, plan->vm_count, (unsigned long long)plan->kernel_pages,
	       (unsigned long long)plan->kernel_limit,
	       (unsigned long long)(plan->task_pages + plan->guest_pages),
	       (unsigned long long)plan->user_limit, (unsigned long long)plan->task_pages,
	       (unsigned long long)plan->guest_pages);
}
