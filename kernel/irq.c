/*
 * Irq objects and their system calls (see irq.h). Vectors
 * VECTOR_DEVICE_BASE..VECTOR_LAPIC_TIMER-1 are handed out to Irqs, the
 * lowest free one first; the table vector -> Irq makes delivery O(1).
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
	/* An IOAPIC input is the common case: the MSI test costs it a
	 * compare and a branch not taken. */
	if (__builtin_expect(!irq->msi, 1))
		ioapic_set_masked(&irq->input, true);
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
		if (vector_irq[v] && !vector_irq[v]->msi && vector_irq[v]->gsi == gsi)
			return true;
	return false;
}

/* irq_create's flags: IRQ_MSI alone with gsi 0, or an IOAPIC input's
 * trigger mode and polarity with a 32-bit gsi. */
static bool flags_valid(uint64_t gsi, uint64_t flags)
{
	if (flags & IRQ_MSI)
		return flags == IRQ_MSI && gsi == 0;
	return !(flags & ~(uint64_t)(IRQ_LEVEL | IRQ_ACTIVE_LOW)) && gsi <= 0xffffffff;
}

/* irq_create(dst, gsi, endpoint, badge, flags); an MSI's address and
 * data go back in rsi and rdx. */
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
	if (f->r10 == 0 || !flags_valid(f->rsi, f->r8))
		return STATUS_BAD_ARG;
	bool msi = f->r8 & IRQ_MSI;
	uint32_t gsi = (uint32_t)f->rsi;
	if (!msi && gsi_taken(gsi))
		return STATUS_BUSY;
	int vector = free_vector();
	if (vector < 0)
		return STATUS_NO_MEM;
	uint64_t page = task_page_alloc(t->task);
	if (!page)
		return STATUS_NO_MEM;
	/* Routed masked: unmasked below, once the Irq is there. */
	struct ioapic_input input = {0};
	if (!msi && !ioapic_route(gsi, (uint8_t)vector, f->r8 & IRQ_LEVEL,
				  f->r8 & IRQ_ACTIVE_LOW, &input)) {
		task_page_free(t->task, page);
		return STATUS_NOT_FOUND;
	}
	struct irq *irq = phys_to_virt(page);
	*irq = (struct irq){
		.object.type = OBJECT_IRQ,
		.gsi = gsi,
		.input = input,
		.vector = (uint8_t)vector,
		.msi = msi,
		.endpoint = (struct endpoint *)ep->object,
		.badge = f->r10,
	};
	irq->endpoint->object.references++;
	vector_irq[vector] = irq;
	cap_install(slot, &irq->object, RIGHTS_ALL, 0);
	if (msi) {
		struct msi_message m = apic_msi_message((uint8_t)vector);
		f->rsi = m.address;
		f->rdx = m.data;
	} else {
		ioapic_set_masked(&irq->input, false);
	}
	return STATUS_OK;
}

void irq_destroy(struct irq *irq)
{
	if (!irq->msi)
		ioapic_set_masked(&irq->input, true);
	vector_irq[irq->vector] = NULL;
	object_release(&irq->endpoint->object);
	/* Only the root task creates Irqs (sys_irq_create): it paid. */
	task_page_free(root_task, virt_to_phys(irq));
}

/* irq_ack(irq): unmasks the input; an MSI has none (its device stops
 * its messages, if it must). */
enum status sys_irq_ack(struct thread *t, struct frame *f)
{
	struct cap *c;
	enum status s = cap_lookup(&t->task->caps, f->rdi, OBJECT_IRQ, RIGHT_CONTROL, &c);
	if (s != STATUS_OK)
		return s;
	struct irq *irq = (struct irq *)c->object;
	if (!irq->msi)
		ioapic_set_masked(&irq->input, false);
	return STATUS_OK;
}
