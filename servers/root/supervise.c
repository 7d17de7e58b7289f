/*
 * The root task after the start: it serves its endpoint, where each task's
 * exit report (the runtime's runtime_exit, <vireo/startinfo.h>) and each
 * exception of a task's thread (the kernel's exception call, badged
 * START_EXCEPTION_BADGE) arrive, and destroys every task that ended. See
 * start.h for when it stops.
 */
#include <stdio.h>
#include <vireo/runtime.h>
#include <vireo/startinfo.h>

#include "start.h"

/* A few exception names (Intel SDM vol. 3A table 6-1) for the report. */
static const char *exception_name(uint64_t vector)
{
	switch (vector) {
	case 0: return "divide error";
	case 3: return "breakpoint";
	case 6: return "invalid opcode";
	case 13: return "general protection";
	case 14: return "page fault";
	default: return "exception";
	}
}

static struct child *child_of(struct system *sys, uint64_t badge)
{
	uint64_t index = (badge & ~START_EXCEPTION_BADGE) - 1;

	if (index >= sys->count || sys->children[index].state != CHILD_RUNNING)
		return NULL;
	return &sys->children[index];
}

static void report_fault(const struct child *c, const uint64_t *words)
{
	printf("root: task %s: fault: %s (vector %llu), error %#llx, address %#llx, rip %#llx, rsp "
	       "%#llx; task destroyed\n",
	       c->config->name, exception_name(words[EXCEPTION_VECTOR]),
	       (unsigned long long)words[EXCEPTION_VECTOR],
	       (unsigned long long)words[EXCEPTION_ERROR],
	       (unsigned long long)words[EXCEPTION_ADDRESS],
	       (unsigned long long)words[EXCEPTION_RIP], (unsigned long long)words[EXCEPTION_RSP]);
}

/*
 * Handle one message from task c; returns true when it ended (and is
 * destroyed). A request the root task does not know is not answered: the
 * caller stays blocked until the next receive drops its call.
 */
static bool handle(struct system *sys, struct child *c, uint64_t badge, uint64_t words,
		   bool *failed)
{
	const uint64_t *message = runtime_utcb->message;

	if (badge & START_EXCEPTION_BADGE) {
		report_fault(c, message);
		start_destroy(sys, c, CHILD_FAULTED);
		*failed = true;
		return true;
	}
	if (words >= STARTINFO_EXIT_WORDS && message[STARTINFO_EXIT_REQUEST] == STARTINFO_EXIT) {
		c->exit_code = (long long)message[STARTINFO_EXIT_CODE];
		printf("root: task %s: exited with code %lld\n", c->config->name, c->exit_code);
		start_destroy(sys, c, CHILD_EXITED);
		*failed |= c->exit_code != 0;
		return true;
	}
	printf("root: task %s: unknown request %#llx (%llu words), not answered\n", c->config->name,
	       (unsigned long long)(words ? message[0] : 0), (unsigned long long)words);
	return false;
}

/* Print the names of the running tasks after `what`; returns how many. */
static unsigned list_running(const struct system *sys, const char *what)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sys->count; i++) {
		if (sys->children[i].state != CHILD_RUNNING)
			continue;
		printf("%s %s", n++ ? "," : what, sys->children[i].config->name);
	}
	if (n)
		printf("\n");
	return n;
}

int supervise(struct system *sys)
{
	unsigned waiting = 0;
	bool failed = false;

	for (unsigned i = 0; i < sys->count; i++)
		waiting += !sys->children[i].server;
	/* With only servers there is nothing to wait for: serve forever. */
	bool forever = waiting == 0;
	if (forever)
		printf("root: every task serves another: serving their exceptions until the end\n");

	while (forever || waiting > 0) {
		uint64_t badge = 0, words = 0;
		enum status s = sys_ipc_receive(sys->endpoint, TIMEOUT_NEVER, &badge, &words);
		if (s != STATUS_OK) {
			printf("root: receive on its endpoint failed: %s\n", status_name(s));
			failed = true;
			break;
		}
		struct child *c = child_of(sys, badge);
		if (c == NULL || !handle(sys, c, badge, words, &failed))
			continue;
		if (c->server) {
			printf(
			    "root: task %s served other tasks, which would wait for it forever\n",
			    c->config->name);
			failed = true;
			break;
		}
		waiting--;
	}

	list_running(sys, "root: stopping");
	unsigned exited = 0, failures = 0, stopped = 0;
	for (unsigned i = 0; i < sys->count; i++) {
		struct child *c = &sys->children[i];
		if (c->state == CHILD_RUNNING)
			start_destroy(sys, c, CHILD_STOPPED);
		exited += c->state == CHILD_EXITED && c->exit_code == 0;
		failures += c->state == CHILD_FAULTED || (c->state == CHILD_EXITED && c->exit_code);
		stopped += c->state == CHILD_STOPPED;
	}
	printf("root: summary: %u tasks started, %u exited with code 0, %u failed, %u stopped; "
	       "%llu pages of memory given back, %llu kept\n",
	       sys->count, exited, failures, stopped, (unsigned long long)sys->pages_back,
	       (unsigned long long)sys->pool.taken);
	return failed ? EXIT_TASK_FAILED : 0;
}
