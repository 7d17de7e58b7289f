/*
 * The in-kernel reference handler (see reference.h): a timestamp taken in
 * the kernel's C code for an Irq's interrupt, handed to the thread that
 * waits for that interrupt. Only in the bench kernel.
 */
#include "reference.h"

#include "irq.h"
#include "x86.h"

_Static_assert(BENCH_REFERENCE_WORD < UTCB_MESSAGE_WORDS, "a message register");

void bench_reference_irq(const struct irq *irq)
{
	uint64_t now = rdtsc();
	struct thread *receiver = irq->endpoint->receivers.head;
	if (receiver && receiver->utcb)
		receiver->utcb->message[BENCH_REFERENCE_WORD] = now;
}
