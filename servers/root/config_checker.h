/*
 * What the two halves of the configuration checker share: config.c reads
 * the nodes into the plan, config_cross.c checks what involves several of
 * them. Not for other users: config.h is the interface.
 */
#ifndef ROOT_CONFIG_CHECKER_H
#define ROOT_CONFIG_CHECKER_H

#include "config.h"

/* Longest node path in a report (longer ones are cut short). */
#define PATH_LENGTH 256

struct checker {
	const void *blob;
	const struct config_limits *limits;
	struct config_plan *plan;
	config_report_fn *report;
	void *context;
	unsigned problems;
	/* Per task, what only the cross-node checks need. */
	struct config_strings connect[CONFIG_MAX_TASKS];
};

/* Report one problem (printf-style message) and count it. */
__attribute__((format(printf, 4, 5))) void problem(struct checker *c, const char *path,
						   const char *property, const char *format, ...);

/* The checks across nodes, after every node is read (config_cross.c). */
void check_names(struct checker *c);
void check_connections(struct checker *c);
void check_interrupts(struct checker *c);
void check_ranges(struct checker *c);
void check_memory(struct checker *c);

#endif
