/*
 * Irq objects and their system calls (see irq.h). Vectors
 * VECTOR_DEVICE_BASE..VECTOR_LAPIC_TIMER-1 are handed out to Irqs in
 * order; the table vector -> Irq makes delivery O(1).
 */
#include "apic.h"
#include "console.h"
#include "irq.h"
#include "memory.h"
#include "syscalls.h"
#include "task.h"
#include "uapi/vireo/syscall.h"
#ifdef VIREO_BENCH_KERNEL_HPET
#include "bench/reference.h"
#endif

static struct irq *vector_irq[256];

bool irq_interrupt(uint8_t vector)
{
	struct irq *irq = vector_irq[vector];
	if (!irq)
		return false;
#ifdef VIREO_BENCH_KERNEL_HPET
	bench_reference_irq(irq); /* the latency benchmark's in-kernel timestamp */
#endif
	ioapic_set_masked(irq->gsi, true);
	lapic_eoi();
	endpoint_signal(irq->endpoint, irq->badge);
	return true;
}

static int free_vector(void)
{
	for (int v = VECTOR_DEVICE_BASE; v < VECTOR_LAPIC_TIMER; v++)
		if (!vector_irq[v])
			return v;
	return -1;
}

static bool gsi_taken(uint32_t gsi)
{
	for (int v = VECTOR_DEVICE_BASE; v < VECTOR_LAPIC_TIMER; v++)
		if (vector_irq[v] && vector_irq[v]->gsi == gsi)
			return true;
	return false;
}

/* irq_create(dst, gsi, endpoint, badge, flags) */
enum status sys_irq_create(struct thread *t, struct frame *f)
{
	struct cap *slot, *ep;
	if (t->task != root_task)
		return STATUS_NO_RIGHTS;
	enum status s = cap_empty_slot(&t->task->caps, f->rdi, &slot);
	if (s == STATUS_OK)
		s = cap_lookup(&t->task->caps, f->rdx, OBJECT_ENDPOINT, RIGHT_SEND, &ep);
	if (s != STATUS_OK)
		return s;
	if (f->r10 == 0 || (f->r8 & ~(uint64_t)(IRQ_LEVEL | IRQ_ACTIVE_LOW)) || f->rsi > 0xffffffff)
		return STATUS_BAD_ARG;
	if (gsi_taken((uint32_t)f->rsi))
		return STATUS_BUSY;
	int vector = free_vector();
	if (vector < 0)
		return STATUS_NO_MEM;
	if (!ioapic_route((uint32_t)f->rsi, (uint8_t)vector, f->r8 & IRQ_LEVEL,
			  f->r8 & IRQ_ACTIVE_LOW))
		return STATUS_NOT_FOUND;
	uint64_t page = task_page_alloc(t->task);
	if (!page)
		return STATUS_NO_MEM;
	struct irq *irq = phys_to_virt(page);
	*irq = (struct irq){
		.object.type = OBJECT_IRQ,
		.gsi = (uint32_t)f->rsi,
		.vector = (uint8_t)vector,
		.endpoint = (struct endpoint *)ep->object,
		.badge = f->r10,
	};
	irq->endpoint->object.references++;
	vector_irq[vector] = irq;
	cap_install(slot, &irq->object, RIGHTS_ALL, 0);
	ioapic_set_masked(irq->gsi, false);
	return STATUS_OK;
}

void irq_destroy(struct irq *irq)
{
	ioapic_set_masked(irq->gsi, true);
	vector_irq[irq->vector] = NULL;
	object_release(&irq->endpoint->object);
	/* Only the root task creates Irqs (sys_irq_create): it paid. */
	task_page_free(root_task, virt_to_phys(irq));
}

/* irq_ack(irq) */
enum status sys_irq_ack(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = cap_lookup(&t->task->caps, f->rdi, OBJECT_IRQ, RIGHT_CONTROL, &c);
	if (s != STATUS_OK)
		return s;
	ioapic_set_masked(((struct irq *)c->object)->gsi, false);
	return STATUS_OK;
}
