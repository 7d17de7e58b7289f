/*
 * Irq objects: one interrupt source delivered to user level, until the
 * last capability to it is deleted (irq_destroy): an IOAPIC input (a GSI)
 * or a vector a device raises with message-signalled interrupts (MSI).
 * Each interrupt masks its input and signals an endpoint with the Irq's
 * badge; the handler thread receives on that endpoint, does its work and
 * acknowledges, which unmasks the input. An MSI has no input to mask: its
 * device stops sending if need be (doc/syscalls.md). This is the path the
 * latency benchmarks measure, so it is kept short: vector -> Irq table ->
 * mask, EOI -> wake the receiver -> schedule() runs it at once when its
 * priority is the highest.
 */
#ifndef VIREO_IRQ_H
#define VIREO_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "apic.h"
#include "cap.h"
#include "ipc.h"

struct irq {
	struct object object;
	uint32_t gsi;              /* its IOAPIC input; 0 for an MSI */
	struct ioapic_input input; /* that input, routed (not for an MSI) */
	uint8_t vector;
	bool msi;                  /* a device's messages: no input to mask */
	struct endpoint *endpoint; /* holds a reference */
	uint64_t badge;
};

/* Handles device vector `vector`; false if no Irq owns it. */
bool irq_interrupt(uint8_t vector);

/*
 * The last capability to irq went: masks its input, frees its vector (so
 * its GSI can get a new Irq), drops its endpoint reference and frees its
 * page, which goes back to the root task's quota. Cannot fail.
 */
void irq_destroy(struct irq *irq);

#endif
