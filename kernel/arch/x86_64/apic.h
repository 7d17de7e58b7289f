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

/* Routes gsi to vector on this CPU, masked. False when no IOAPIC has it. */
bool ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low);

/* Masks or unmasks a routed gsi. */
void ioapic_set_masked(uint32_t gsi, bool masked);

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
