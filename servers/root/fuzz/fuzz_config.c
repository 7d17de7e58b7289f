/*
 * libFuzzer target over the boot configuration checker (config.c): any
 * byte string as a blob. A finding is a sanitizer report (ASan, UBSan), a
 * crash, a timeout, or a broken promise of config_check checked here: the
 * number it returns is the number of problems it reported, every report
 * is printable, and a plan without problems keeps the schema's rules (so
 * the root task may act on it without checking again).
 *
 * Built by servers/SConscript as build/host/fuzz-config; `./vireo test`
 * runs it for a bounded number of runs over servers/root/fuzz/corpus/
 * (site_scons/vireo/testing.py). By hand:
 *   build/host/fuzz-config -dict=servers/root/fuzz/config.dict NEW_DIR \
 *       servers/root/fuzz/corpus
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const modules[] = {"root", "config", "console", "driver", "client", "linux"};
static const struct config_limits limits = {
    .modules = modules,
    .module_count = sizeof(modules) / sizeof(modules[0]),
    .kernel_pages = 16384,
    .user_pages = 131072,
    .root_priority = CONFIG_ROOT_PRIORITY,
};

static void require(bool condition, const char *what)
{
	if (!condition) {
		fprintf(stderr, "fuzz-config: broken promise: %s\n", what);
		abort();
	}
}

static bool printable(const char *text)
{
	for (; *text != '\0'; text++)
		if ((unsigned char)*text >= 0x80 || !isprint((unsigned char)*text))
			return false;
	return true;
}

static void count_problem(void *context, const char *path, const char *property,
			  const char *message)
{
	require(printable(path) && printable(property) && printable(message),
		"reports are printable");
	(*(unsigned *)context)++;
}

static void check_task(const struct config_plan *plan, const struct config_task *task)
{
	require(task->image != NULL, "every task has an image");
	require(task->priority < limits.root_priority, "tasks are below the root task");
	require(task->time_slice_us > 0, "time slices are not empty");
	require(strlen(task->name) <= CONFIG_NAME_MAX, "task names fit the kernel");
	for (unsigned i = 0; i < task->connection_count; i++)
		require(task->connections[i] < plan->task_count &&
			    &plan->tasks[task->connections[i]] != task,
			"connections name other tasks");
	for (unsigned i = 0; i < task->mmio_count; i++)
		require(task->mmio[i].size > 0 && task->mmio[i].base % CONFIG_PAGE_SIZE == 0,
			"MMIO ranges are pages");
	for (unsigned i = 0; i < task->port_count; i++)
		require(task->ports[i].size > 0 &&
			    task->ports[i].base + task->ports[i].size <= 0x10000,
			"port ranges are ports");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The accepted plans are printed too (config_print.c), to nowhere. */
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config_plan plan;
	unsigned reported = 0;
	/* libfdt wants the blob 8-byte aligned, as GRUB's modules are. */
	void *blob = malloc(size ? size : 1);

	memcpy(blob, data, size);
	unsigned problems = config_check(blob, size, &limits, &plan, count_problem, &reported);
	require(problems == reported, "the count is the number of reports");
	if (problems == 0) {
		require(plan.task_count <= CONFIG_MAX_TASKS && plan.vm_count <= CONFIG_MAX_VMS,
			"bounded plan");
		require(plan.kernel_pages <= limits.kernel_pages &&
			    plan.guest_pages <= limits.user_pages,
			"memory fits");
		for (unsigned i = 0; i < plan.task_count; i++)
			check_task(&plan, &plan.tasks[i]);
		for (unsigned i = 0; i < plan.vm_count; i++)
			require(plan.vms[i].vcpu_count > 0 && plan.vms[i].image != NULL,
				"VMs have an image and vCPUs");
		config_plan_print(&plan, "");
	}
	free(blob);
	return 0;
}
