/*
 * The HPET (IA-PC HPET specification 1.0a) as the kernel's reference clock:
 * it is enabled at boot and used to calibrate the TSC. Its comparators and
 * interrupts belong to user level (the latency benchmark owns one).
 */
#ifndef VIREO_HPET_H
#define VIREO_HPET_H

#include <stdint.h>

#include "acpi.h"

/* Maps and enables the HPET the ACPI tables describe; 0 if there is none,
 * else its counter period in femtoseconds. Prints what it found. */
uint64_t hpet_init(const struct acpi_info *acpi);

/* TSC ticks per millisecond measured against the HPET over `ms`
 * milliseconds; 0 if the HPET is missing or its counter does not move. */
uint64_t tsc_calibrate(unsigned ms);

#endif
