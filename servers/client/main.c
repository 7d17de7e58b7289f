/*
 * The client of the multi-task scenario: asks the timer driver (its
 * connection `timer`, protocol in servers/timer/timer.h) for a number of
 * ticks and prints what came back; its output goes to the console server
 * through its connection `console` (the runtime's write()). Exits 0 when
 * every tick arrived.
 *
 * Usage (the configuration's `arguments`):
 *   --ticks N   ask for N ticks (1..TIMER_TICKS_MAX)
 *   --fault     write to an unmapped address at once, for the system test
 *               of a task that faults at start (the root task reports it
 *               and destroys the task)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

#include "timer.h"

#define EXIT_FAILED 1
#define EXIT_USAGE  2
#define FS_PER_NS   1000000ull

/* Write to an address nothing maps; does not return. */
static _Noreturn void fault(void)
{
	uintptr_t address = 0x10;

	/* Hide the constant from the compiler (see servers/root/main.c). */
	__asm__ volatile("" : "+r"(address));
	*(volatile uint32_t *)address = 0xdead;
	printf("the write to %#lx did not fault\n", (unsigned long)address);
	exit(EXIT_FAILED);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--fault") == 0)
		fault();
	unsigned long n;
	cap_selector timer = runtime_connection(TIMER_CONNECTION);
	if (!runtime_number_option(argc, argv, "--ticks", TIMER_TICKS_MAX, &n) ||
	    timer == NO_SELECTOR) {
		printf("usage: %s --ticks N (1..%u), with a connection to '%s'\n", argv[0],
		       TIMER_TICKS_MAX, TIMER_CONNECTION);
		return EXIT_USAGE;
	}

	printf("asking the timer for %lu ticks\n", n);
	uint64_t *message = runtime_utcb->message;
	message[TIMER_REQUEST] = TIMER_TICKS;
	message[TIMER_REQUEST_TICKS] = n;
	uint64_t words = 0;
	enum status s = sys_ipc_call(timer, TIMER_REQUEST_WORDS, TIMEOUT_NEVER, &words);
	if (s == STATUS_OK)
		s = words ? (enum status)message[TIMER_REPLY_STATUS] : STATUS_BAD_ARG;
	if (s == STATUS_OK && words < TIMER_REPLY_WORDS)
		s = STATUS_BAD_ARG;
	if (s != STATUS_OK) {
		printf("the timer failed: %s\n", status_name(s));
		return EXIT_FAILED;
	}
	/* ELAPSED spans n - 1 periods: from the first tick to the last. */
	unsigned long long elapsed_ns =
	    message[TIMER_REPLY_ELAPSED] * message[TIMER_REPLY_COUNTER_FS] / FS_PER_NS;
	printf("result: %llu ticks of %llu ns; first to last took %llu ns of HPET time\n",
	       (unsigned long long)message[TIMER_REPLY_TICKS],
	       (unsigned long long)message[TIMER_REPLY_PERIOD_NS], elapsed_ns);
	return 0;
}
