/*
 * COM1 serial console: 115200 baud, 8N1, polled. The kernel log and every
 * test result leave the machine this way (PC16550D data sheet; port layout
 * as on every PC: base 0x3f8, line status at +5, THR empty is bit 5).
 */
#include "arch.h"
#include "x86.h"

#define COM1 0x3f8
#define LSR_THR_EMPTY 0x20
#define LSR_TRANSMITTER_EMPTY 0x40

void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts: the kernel polls */
	outb(COM1 + 3, 0x80); /* DLAB on to set the divisor */
	outb(COM1 + 0, 0x01); /* 115200 / 1 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8 bits, no parity, one stop bit */
	outb(COM1 + 2, 0xc7); /* FIFOs on and cleared */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

static void serial_putc(char c)
{
	/* Bounded wait: a missing UART (some laptops) must not hang the kernel. */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THR_EMPTY); i++)
		pause();
	outb(COM1, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r'); /* terminals in raw mode want CR LF */
		serial_putc(s[i]);
	}
}

void serial_flush(void)
{
	/* Bounded, like serial_putc: wait until the shift register is empty too. */
	for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & LSR_TRANSMITTER_EMPTY); i++)
		pause();
}
