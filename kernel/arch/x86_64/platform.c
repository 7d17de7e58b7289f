/*
 * Leaving the machine. In QEMU the isa-debug-exit device (port 0xf4, added
 * by the runner) ends QEMU with status (code << 1) | 1; in Bochs the string
 * "Shutdown" written to port 0x8900 ends the simulation (Bochs
 * iodev/unmapped.cc). On a PC neither port is decoded, so the kernel then
 * halts with interrupts off and says so.
 */
#include "arch.h"
#include "console.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

_Noreturn void platform_shutdown(int code)
{
	kprintf("vireo: shutdown (code %d)\n", code);
	serial_flush(); /* the emulators stop at once: let the line out first */
	outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)code);
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	kprintf("vireo: halted; reset the machine to restart\n");
	for (;;) {
		cli();
		hlt();
	}
}
