/*
 * The boot configuration check of a root task (see config_boot.h): the
 * boot information says which modules exist and how much memory there
 * is; config_check (config.c) does the rest.
 */
#include <stdio.h>
#include <string.h>

#include "config_boot.h"

struct printer {
	const char *prefix;
	bool unreadable;
};

/* config_report_fn: print one problem. */
static void print_problem(void *context, const char *path, const char *property,
			  const char *message)
{
	struct printer *printer = context;

	if (strcmp(path, "dtb") == 0)
		printer->unreadable = true;
	printf("%s%s: %s%s%s\n", printer->prefix, path, property, *property ? ": " : "", message);
}

unsigned config_check_boot(const struct bootinfo *bi, const void *blob, size_t size,
			   struct config_plan *plan, const char *prefix, bool *unreadable)
{
	/* Module names in the boot information need not end in a NUL. */
	static char names[BOOTINFO_MAX_MODULES][BOOTINFO_NAME_MAX + 1];
	const char *modules[BOOTINFO_MAX_MODULES];
	struct printer printer = {prefix, false};
	uint64_t user_pages = 0;

	for (uint64_t i = 0; i < bi->memory_count && i < BOOTINFO_MAX_MEMORY; i++)
		user_pages += bi->memory[i].size / CONFIG_PAGE_SIZE;

	for (uint64_t i = 0; i < bi->module_count && i < BOOTINFO_MAX_MODULES; i++) {
		memcpy(names[i], bi->modules[i].name, BOOTINFO_NAME_MAX);
		modules[i] = names[i];
	}
	struct config_limits limits = {
	    .modules = modules,
	    .module_count =
		bi->module_count < BOOTINFO_MAX_MODULES ? bi->module_count : BOOTINFO_MAX_MODULES,
	    .kernel_pages = bi->kernel_pages,
	    .user_pages = user_pages,
	    .root_priority = CONFIG_ROOT_PRIORITY,
	};
	unsigned problems = config_check(blob, size, &limits, plan, print_problem, &printer);
	*unreadable = printer.unreadable;
	return problems;
}
