/*
 * Interrupt controllers: the legacy 8259 PICs (remapped and masked), the
 * local APIC of each CPU and the IOAPICs. Intel SDM vol. 3A chapter 11
 * (local APIC); Intel 82093AA IOAPIC data sheet.
 */
#ifndef VIREO_APIC_H
#define VIREO_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi.h"

/* Vectors: 0..31 exceptions, 32..47 where the masked PICs would deliver,
 * 48..239 device interrupts, the top ones for the kernel itself. */
#define VECTOR_PIC_BASE 32
#define VECTOR_DEVICE_BASE 48
#define VECTOR_LAPIC_TIMER 0xf0
#define VECTOR_SPURIOUS 0xff

/* Masks both PICs for good (after remapping them off the exception
 * vectors, so a stray one is recognizable). */
void pic_disable(void);

/* Enables this CPU's local APIC at the ACPI-reported base, all local
 * interrupts masked, and prints what it found. */
void lapic_init(const struct acpi_info *acpi);
void lapic_eoi(void);

/* Sets the LAPIC timer up (tsc_khz from tsc_calibrate) and prints its mode. */
void lapic_timer_init(uint64_t tsc_khz);

/* One interrupt on VECTOR_LAPIC_TIMER when the TSC reaches deadline (0:
 * none). A deadline in the past fires at once. A far deadline may fire
 * early (the one-shot counter is 32 bits); the caller re-arms. */
void lapic_timer_arm(uint64_t deadline);
uint32_t lapic_id(void);

/* Maps every IOAPIC, masks all its pins and prints what it found. */
void ioapic_init(const struct acpi_info *acpi);

/* IOAPIC: an index register and a data window onto the others (82093AA
 * data sheet §3.0); bit 16 of a redirection entry's low half masks it. */
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_MASKED (1u << 16)

static inline void ioapic_write(volatile uint32_t *io, uint32_t reg, uint32_t v)
{
	io[IOAPIC_REGSEL / 4] = reg;
	io[IOAPIC_WINDOW / 4] = v;
}

/* A routed IOAPIC input: where its redirection entry's low half is, and
 * that half's value unmasked. */
struct ioapic_input {
	volatile uint32_t *registers;
	uint32_t redirection; /* register number of the low half */
	uint32_t low;
};

/* Routes gsi to vector on this CPU, masked, and describes the input in
 * *in. False when no IOAPIC has it. */
bool ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low,
		  struct ioapic_input *in);

/*
 * Masks or unmasks a routed input: two MMIO writes, no read and no search
 * (this is on every interrupt's path). The rest of the low half is what
 * ioapic_route wrote; its delivery status and remote IRR bits are read
 * only (data sheet §3.2.4), so writing them changes nothing.
 */
static inline void ioapic_set_masked(const struct ioapic_input *in, bool masked)
{
	ioapic_write(in->registers, in->redirection, masked ? in->low | IOAPIC_MASKED : in->low);
}

/* What a device writes, and where, to interrupt a CPU (MSI). */
struct msi_message {
	uint32_t address, data;
};

/* The message that raises `vector` on this CPU, fixed delivery, edge. */
struct msi_message apic_msi_message(uint8_t vector);

/* Whether the physical page of pa belongs to a local APIC or an IOAPIC
 * (never handed to a task). */
bool apic_owns(uint64_t pa);

#endif
