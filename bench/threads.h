/*
 * Threads of the benchmark program in its own task (the kernel cannot
 * load code into another task yet): each gets a stack from a static pool
 * and a UTCB page above the main thread's. They share the main thread's
 * TCB (%fs), where the stack-protector canary lives.
 */
#ifndef BENCH_THREADS_H
#define BENCH_THREADS_H

#include <stdint.h>
#include <vireo/sys.h>

#define BENCH_MAX_THREADS 8

typedef void bench_thread_function(uint64_t arg);

/*
 * Create and start a thread at `priority` running function(arg) in the
 * calling task, its capability in a fresh slot (*thread if not NULL).
 * Returns the status of the first system call that failed, or OK. The
 * function must not return.
 */
enum status bench_thread_start(unsigned priority, bench_thread_function *function,
			       uint64_t arg, cap_selector *thread);

/* A fresh capability slot for the program's objects. */
cap_selector bench_slot(void);

#endif
