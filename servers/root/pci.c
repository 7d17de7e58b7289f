/*
 * PCI configuration space for the root task (see pci.h). Offsets are those
 * of the PCI Local Bus Specification 3.0 §6.1 (the configuration header).
 */
#include "pci.h"

#include <stdint.h>
#include <stdio.h>

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA    0xcfc
#define CONFIG_ENABLE  (1u << 31)

#define PCI_VENDOR_ID	     0x00      /* 16 bits; 0xffff: no function there */
#define PCI_STATUS	     0x06      /* 16 bits */
#define PCI_HEADER_TYPE	     0x0e      /* 8 bits; bit 7: multi-function */
#define PCI_CAPABILITIES     0x34      /* 8 bits: the first capability (header types 0 and 1) */
#define STATUS_CAPABILITIES  (1u << 4) /* §6.2.3: the capability list exists */
#define CAPABILITY_MSI	     0x05
#define NO_FUNCTION	     0xffff
#define CAPABILITY_FIRST     0x40 /* capabilities live after the 64-byte header */
#define CAPABILITIES_AT_MOST 48	  /* (256 - 64) / 4: a longer list loops */

static void out32(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static uint32_t in32(uint16_t port)
{
	uint32_t value;
	__asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

/* The configuration register of `size` bytes (1, 2) at offset. */
static unsigned read_config(unsigned bus, unsigned device, unsigned function, unsigned offset,
			    unsigned size)
{
	out32(CONFIG_ADDRESS,
	      CONFIG_ENABLE | bus << 16 | device << 11 | function << 8 | (offset & 0xfc));
	uint32_t dword = in32(CONFIG_DATA) >> 8 * (offset & 3);
	return size == 1 ? dword & 0xff : dword & 0xffff;
}

bool pci_has_msi(unsigned bus, unsigned device, unsigned function, char *why, size_t why_size)
{
	if (read_config(bus, device, function, PCI_VENDOR_ID, 2) == NO_FUNCTION) {
		snprintf(why, why_size, "no PCI function %02x:%02x.%u (vendor ID 0xffff)", bus,
			 device, function);
		return false;
	}
	unsigned header = read_config(bus, device, function, PCI_HEADER_TYPE, 1) & 0x7f;
	if (header > 1 ||
	    !(read_config(bus, device, function, PCI_STATUS, 2) & STATUS_CAPABILITIES)) {
		snprintf(why, why_size, "PCI function %02x:%02x.%u has no capability list", bus,
			 device, function);
		return false;
	}
	unsigned at = read_config(bus, device, function, PCI_CAPABILITIES, 1) & 0xfc;
	for (unsigned n = 0; at >= CAPABILITY_FIRST && n < CAPABILITIES_AT_MOST; n++) {
		if (read_config(bus, device, function, at, 1) == CAPABILITY_MSI)
			return true;
		at = read_config(bus, device, function, at + 1, 1) & 0xfc;
	}
	snprintf(why, why_size, "PCI function %02x:%02x.%u has no MSI capability", bus, device,
		 function);
	return false;
}
