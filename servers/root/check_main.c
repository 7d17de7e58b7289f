/*
 * vireo-check: the boot configuration checker (config.c, the same source
 * the root task runs) as a host tool. SCons runs it on every
 * .dts file of bench/scenarios/ after dtc, so a broken scenario fails the build;
 * `./vireo check FILE.dts` runs it on a user's file.
 *
 *   vireo-check --memory-pages N [--module NAME]... [--plan] FILE.dtb...
 *
 * What the root task learns from the machine, the caller says here: the
 * names of the boot modules (the images tasks may name) and how many
 * 4 KiB pages of memory there are: both the tasks' quotas (kernel memory)
 * and the guests' memory (user memory) are checked against that number,
 * an upper bound of what the root task will find. Every problem is printed as
 * `FILE: PATH: PROPERTY: WHAT` on stderr. Exit status: 0 when every file
 * passes, 1 when one has problems, 2 on bad usage or an unreadable file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* Larger files are not device trees of ours: refuse before reading. */
#define FILE_SIZE_MAX (16u << 20)

static void usage(void)
{
	fprintf(stderr, "usage: vireo-check --memory-pages N [--module NAME]... [--plan] "
			"FILE.dtb...\n");
	exit(2);
}

static void report_problem(void *context, const char *path, const char *property,
			   const char *message)
{
	fprintf(stderr, "%s: %s: %s%s%s\n", (const char *)context, path, property,
		*property ? ": " : "", message);
}

/* Read a whole file into a new allocation; NULL (after a message) if not. */
static void *read_file(const char *name, size_t *size)
{
	FILE *file = fopen(name, "rb");
	char *data = NULL;

	if (file == NULL) {
		fprintf(stderr, "vireo-check: %s: %s\n", name, strerror(errno));
		return NULL;
	}
	data = malloc(FILE_SIZE_MAX + 1);
	if (data != NULL)
		*size = fread(data, 1, FILE_SIZE_MAX + 1, file);
	if (data == NULL || ferror(file) || *size > FILE_SIZE_MAX) {
		fprintf(stderr, "vireo-check: %s: %s\n", name,
			data == NULL || ferror(file) ? "cannot read it" : "larger than 16 MiB");
		free(data);
		data = NULL;
	}
	fclose(file);
	return data;
}

/* Check one file; returns 0 (no problems), 1 (problems) or 2 (unreadable). */
static int check_file(const char *name, const struct config_limits *limits, bool plan_wanted)
{
	static struct config_plan plan;
	size_t size = 0;
	void *blob = read_file(name, &size);

	if (blob == NULL)
		return 2;
	unsigned problems = config_check(blob, size, limits, &plan, report_problem, (void *)name);
	if (problems != 0)
		fprintf(stderr, "%s: %u problem%s\n", name, problems, problems == 1 ? "" : "s");
	else if (plan_wanted)
		config_plan_print(&plan, "");
	free(blob);
	return problems != 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"module", required_argument, NULL, 'm'},
	    {"memory-pages", required_argument, NULL, 'p'},
	    {"plan", no_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	const char **modules = calloc((size_t)argc, sizeof(*modules));
	struct config_limits limits = {.modules = modules, .root_priority = CONFIG_ROOT_PRIORITY};
	bool memory_given = false, plan_wanted = false;
	int option, status = 0;

	if (modules == NULL)
		return 2;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		char *end;
		switch (option) {
		case 'm': modules[limits.module_count++] = optarg; break;
		case 'p':
			errno = 0;
			limits.kernel_pages = strtoull(optarg, &end, 0);
			limits.user_pages = limits.kernel_pages;
			if (errno != 0 || *end != '\0' || *optarg == '\0' || *optarg == '-') {
				fprintf(stderr, "vireo-check: --memory-pages %s: not a number\n",
					optarg);
				usage();
			}
			memory_given = true;
			break;
		case 'P': plan_wanted = true; break;
		default: usage();
		}
	}
	if (!memory_given || optind == argc)
		usage();
	for (int i = optind; i < argc; i++) {
		int result = check_file(argv[i], &limits, plan_wanted);
		status = result > status ? result : status;
	}
	free(modules);
	return status;
}
