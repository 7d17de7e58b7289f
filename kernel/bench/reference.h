/*
 * The in-kernel reference handler of the HPET latency benchmark, compiled
 * only into the bench kernel (build/kernel/kernel-bench.elf, built with
 * -DVIREO_BENCH_KERNEL_HPET by kernel/bench/SConscript). For every device
 * interrupt that belongs to an Irq, irq_interrupt() calls
 * bench_reference_irq() first; it reads the TSC and writes the value into
 * message register BENCH_REFERENCE_WORD of the thread waiting on the Irq's
 * endpoint, if one waits. The latency tool (bench/latency/) clears that
 * word before each wait and so gets, for the same interrupt, both the time
 * from the deadline to the kernel's C handler (the platform's floor: what
 * a handler inside the kernel would see) and to its own first instruction.
 *
 * The user side includes this header for BENCH_REFERENCE_WORD only.
 */
#ifndef VIREO_BENCH_REFERENCE_H
#define VIREO_BENCH_REFERENCE_H

/* The last message register: a signal carries no words, so nothing else
 * writes it while the handler thread waits. */
#define BENCH_REFERENCE_WORD 63

#ifndef __ASSEMBLER__
#ifdef VIREO_BENCH_KERNEL_HPET
struct irq;
/* Expects interrupts off; O(1). */
void bench_reference_irq(const struct irq *irq);
#endif
#endif

#endif
