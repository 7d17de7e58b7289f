/*
 * The console server: owns a 16550 UART (COM1 in the shipped scenarios)
 * and prints the output of every task that has a connection to it, one
 * line at a time, each line tagged with the task's name:
 *
 *     [client] asking the timer for 10 ticks
 *     [client]+ the rest of a line longer than CONSOLE_LINE_MAX bytes
 *
 * The root task starts it with the UART's ports (its first `io-ports`
 * range, at least 8 ports: PC16550D data sheet, registers 0..7) and with
 * its clients' names and badges in the start-up block (<vireo/startinfo.h>).
 * Clients call it with the protocol of <vireo/console.h>; the runtime's
 * write() does that for stdout and stderr. Requests are served one at a
 * time, and every line a request completes is on the wire before the
 * reply, so a task that returns from printf has its lines printed.
 *
 * The kernel prints on the same UART (its log, debug_write of tasks
 * without a console connection, the root task's output). Each kernel
 * write is whole (the kernel runs with interrupts off), and a line of the
 * console server is whole as long as no other task runs while it is
 * printed: that holds when the console server has the highest priority of
 * the started tasks, as the scenarios give it (doc/servers.md, "Ordering").
 * The UART's line settings (115200 8N1) are the kernel's
 * (kernel/arch/x86_64/serial.c); the server does not change them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vireo/console.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#include "lines.h"

#define UART_PORTS	  8
#define UART_DATA	  0 /* transmit holding register (write) */
#define UART_LINE_STATUS  5
#define LSR_THR_EMPTY	  0x20
#define UART_WAIT_POLLS	  100000 /* as the kernel's serial_putc: a missing UART must not hang */
#define EXIT_NO_RESOURCES 1

static uint16_t uart;

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static void uart_putc(char c)
{
	for (int i = 0; i < UART_WAIT_POLLS && !(inb(uart + UART_LINE_STATUS) & LSR_THR_EMPTY); i++)
		__asm__ volatile("pause");
	outb(uart + UART_DATA, (uint8_t)c);
}

static void uart_write(const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++)
		uart_putc(text[i]);
}

/* console_emit_fn: `[name] text` or `[name]+ text`, then CR LF (as the
 * kernel ends its lines). */
static void print_line(void *context, const char *name, const char *text, size_t length,
		       bool continuation)
{
	(void)context;
	uart_putc('[');
	uart_write(name, strlen(name)); /* the root task terminated it */
	uart_write(continuation ? "]+" : "]", continuation ? 2 : 1);
	if (length > 0) {
		uart_putc(' ');
		uart_write(text, length);
	}
	uart_write("\r\n", 2);
}

/* The console's own lines, tagged with its own name. */
static void say(const char *text)
{
	print_line(NULL, runtime_startinfo->name, text, strlen(text), false);
}

/* Which client has `badge` (an index into the start-up block's clients),
 * or -1. */
static int client_of(uint64_t badge)
{
	const struct startinfo *si = runtime_startinfo;

	for (uint32_t i = 0; i < si->client_count; i++)
		if (si->clients[i].badge == badge)
			return (int)i;
	return -1;
}

static struct console_line lines[STARTINFO_MAX_CLIENTS]; /* one per client */

/* Do one request of `words` message registers from the client with
 * `badge`. Returns the status for the reply. */
static enum status request(uint64_t badge, uint64_t words)
{
	const uint64_t *message = runtime_utcb->message;
	int client = client_of(badge);

	if (client < 0)
		return STATUS_BAD_CAP;
	if (words < 1)
		return STATUS_BAD_ARG;
	const char *name = runtime_startinfo->clients[client].name;
	switch (message[CONSOLE_WORD_REQUEST]) {
	case CONSOLE_WRITE: {
		if (words < CONSOLE_WORD_TEXT)
			return STATUS_BAD_ARG;
		uint64_t n = message[CONSOLE_WORD_LENGTH];
		if (n == 0 || n > CONSOLE_BYTES_MAX || words < CONSOLE_WORD_TEXT + (n + 7) / 8)
			return STATUS_BAD_ARG;
		console_line_add(&lines[client], name, (const char *)&message[CONSOLE_WORD_TEXT], n,
				 print_line, NULL);
		return STATUS_OK;
	}
	case CONSOLE_FLUSH:
		console_line_flush(&lines[client], name, print_line, NULL);
		return STATUS_OK;
	default: return STATUS_BAD_ARG;
	}
}

/* runtime_serve_fn: the reply is one word, the request's status. */
static uint64_t serve(uint64_t badge, uint64_t words)
{
	runtime_utcb->message[0] = request(badge, words);
	return 1;
}

int main(int argc, char **argv)
{
	const struct startinfo *si = runtime_startinfo;

	(void)argc; /* it takes no arguments */
	(void)argv;
	if (si == NULL || si->service == NO_SELECTOR) {
		runtime_log("console: not started by the root task, or no task connects to it\n");
		return EXIT_NO_RESOURCES;
	}
	if (si->port_count < 1 || si->ports[0].count < UART_PORTS) {
		printf("console: needs the UART's %d I/O ports as its first io-ports range\n",
		       UART_PORTS);
		return EXIT_NO_RESOURCES;
	}
	uart = (uint16_t)si->ports[0].first;

	char text[CONSOLE_LINE_MAX];
	snprintf(text, sizeof(text), "UART at %#x, %u client%s", uart, si->client_count,
		 si->client_count == 1 ? "" : "s");
	say(text);
	/* It holds the endpoint and waits without a timeout: a receive fails
	 * only if the kernel broke. */
	printf("console: receive failed: %s\n", status_name(runtime_serve(si->service, serve)));
	return EXIT_NO_RESOURCES;
}
