/*
 * The root task's look at PCI configuration space, before it hands a PCI
 * function's message-signalled interrupt (an `msi` interrupt of the boot
 * configuration) to a task: the function must exist and have an MSI
 * capability. Configuration mechanism #1 (PCI Local Bus Specification 3.0
 * §3.2.2.3.2): the address goes to I/O port 0xcf8, the register is read at
 * 0xcfc. The root task holds every I/O port (doc/servers.md).
 */
#ifndef ROOT_PCI_H
#define ROOT_PCI_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when bus:device.function exists (its vendor ID is not 0xffff) and
 * lists an MSI capability (ID 5, §6.8.1) in its capability list (§6.7);
 * otherwise false with why filled.
 */
bool pci_has_msi(unsigned bus, unsigned device, unsigned function, char *why, size_t why_size);

#endif
