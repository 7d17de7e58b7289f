/*
 * The boot configuration check as a root task makes it (config_boot.c):
 * the limits come from the boot information the kernel passed. Used by
 * the root task (main.c) and the bench program (bench/main.c).
 */
#ifndef ROOT_CONFIG_BOOT_H
#define ROOT_CONFIG_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <vireo/bootinfo.h>

#include "config.h"

/*
 * Check blob[0..size) (the `config` module) against the boot modules, the
 * root task's kernel memory quota (bootinfo.kernel_pages) and its user
 * memory (the bootinfo.memory ranges) in *bi, and tasks against the root
 * task's priority. Prints each problem as
 * `<prefix><path>: <property>: <what>` and returns how many there are;
 * *unreadable is set when the blob itself is broken (the problems name
 * "dtb"). The plan is valid only when it returns 0.
 */
unsigned config_check_boot(const struct bootinfo *bi, const void *blob, size_t size,
			   struct config_plan *plan, const char *prefix, bool *unreadable);

#endif
