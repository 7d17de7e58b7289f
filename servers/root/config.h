/*
 * The root task's reading of the boot configuration: a flattened device
 * tree (compiled by dtc from a .dts file in bench/scenarios/) that GRUB loaded as the
 * module named `config`. For now the root task only checks it and prints
 * what it found; later issues turn nodes into tasks, threads and VMs.
 */
#ifndef ROOT_CONFIG_H
#define ROOT_CONFIG_H

#include <stddef.h>

/*
 * Check that blob[0..size) is a complete, well-formed device tree, with
 * libfdt's header check and its full structure walk. Returns 0 when it is;
 * otherwise a negative libfdt error (-FDT_ERR_*) and *what names the part
 * that failed ("header", "size", "structure").
 */
int config_check(const void *blob, size_t size, const char **what);

/*
 * Print one `root: config: <path> name=value ...` line per node of a blob
 * that config_check accepted. Strings print quoted, values whose length is
 * a multiple of four as u32 cells, anything else as bytes; long values are
 * shortened with "...".
 */
void config_print(const void *blob);

#endif
