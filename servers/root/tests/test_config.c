/*
 * Host tests of the boot configuration checker (servers/root/config.c):
 * one test per class of problem the schema (doc/configuration.md) names,
 * files with several problems reported together, the plan a valid file
 * turns into, and hostile blobs: every truncation, broken headers,
 * duplicated nodes and properties that dtc would never write (built with
 * libfdt's sequential-write functions), names with unprintable bytes.
 *
 * Readable cases are .dts text compiled by dtc (Debian's
 * device-tree-compiler, which the build needs anyway).
 */
#include "host_test.h"

#include <libfdt.h>
#include <unistd.h>

#include "config.h"
#include "mapdb.h"
#include "roottask.h"
#include "scenario.h"
#include "task.h"
#include "timer.h"

_Static_assert(CONFIG_ROOT_PRIORITY == ROOT_PRIORITY, "the kernel's root priority");
_Static_assert(CONFIG_NAME_MAX == TASK_NAME_MAX - 1, "the kernel's task name length");
_Static_assert(CONFIG_DEFAULT_TIME_SLICE_US * 1000ull == TIME_SLICE_DEFAULT_NS, "the kernel's slice");
_Static_assert(CONFIG_MIN_TIME_SLICE_US * 1000ull == TIME_SLICE_MIN_NS, "the kernel's minimum");
_Static_assert(CONFIG_MAX_TIME_SLICE_US * 1000ull == TIME_SLICE_MAX_NS, "the kernel's maximum");
/* A node page holds PAGE_SIZE / 48 nodes, the first links the pages
 * (kernel/mm/mapping.c, NODES_PER_PAGE). */
_Static_assert(CONFIG_NODES_PER_PAGE == 4096 / sizeof(struct mapping) - 1, "the kernel's nodes");

#define MAX_LINES   256
#define LINE_LENGTH 512

/* Every problem of one check, as "path: property: message" lines. */
struct problems {
	unsigned count;
	char lines[MAX_LINES][LINE_LENGTH];
};

static void collect(void *context, const char *path, const char *property, const char *message)
{
	struct problems *p = context;

	if (p->count < MAX_LINES)
		snprintf(p->lines[p->count], LINE_LENGTH, "%s: %s: %s", path, property, message);
	p->count++;
}

static const char *const test_modules[] = {"root",   "config", "console",
					   "driver", "client", "linux"};
static const struct config_limits test_limits = {
    .modules = test_modules,
    .module_count = 6,
    .kernel_pages = 1000,
    .user_pages = 2000,
    .root_priority = CONFIG_ROOT_PRIORITY,
};

static struct problems problems;
static struct config_plan plan;

/* Compile a whole .dts text with dtc; returns a malloc'd blob. */
static void *compile(const char *source, size_t *size)
{
	char in[] = "/tmp/test_config_XXXXXX", out[64], command[192];
	int fd = mkstemp(in);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, source, strlen(source)), (ssize_t)strlen(source));
	close(fd);
	snprintf(out, sizeof(out), "%s.dtb", in);
	snprintf(command, sizeof(command), "dtc -q -I dts -O dtb -o %s %s", out, in);
	if (system(command) != 0)
		fail_msg("dtc rejected:\n%s", source);
	FILE *file = fopen(out, "rb");
	assert_non_null(file);
	void *blob = malloc(1 << 16);
	*size = fread(blob, 1, 1 << 16, file);
	fclose(file);
	unlink(in);
	unlink(out);
	return blob;
}

/* Check a blob with the test limits into problems and plan. */
static unsigned check_blob(const void *blob, size_t size)
{
	memset(&problems, 0, sizeof(problems));
	unsigned count = config_check(blob, size, &test_limits, &plan, collect, &problems);
	assert_int_equal(count, problems.count);
	return count;
}

/* Keeps the last compiled blob alive while the plan points into it. */
static void *last_blob;

/* Check `/ { compatible = "vireo,scenario"; <body> };`. */
static unsigned check(const char *body)
{
	char source[16384];
	size_t size;

	snprintf(source, sizeof(source),
		 "/dts-v1/;\n/ {\n\tcompatible = \"vireo,scenario\";\n%s\n};\n", body);
	free(last_blob);
	last_blob = NULL;
	last_blob = compile(source, &size);
	return check_blob(last_blob, size);
}

/* The problem lines, for failure messages. */
static const char *all_lines(void)
{
	static char text[MAX_LINES * 80];
	text[0] = '\0';
	for (unsigned i = 0; i < problems.count && i < MAX_LINES; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "  %s\n",
			 problems.lines[i]);
	return text;
}

/* Some problem line starts with `expected`. */
static void expect(const char *expected)
{
	for (unsigned i = 0; i < problems.count && i < MAX_LINES; i++)
		if (strncmp(problems.lines[i], expected, strlen(expected)) == 0)
			return;
	fail_msg("no problem starting with '%s'; got %u:\n%s", expected, problems.count,
		 all_lines());
}

static void expect_count(unsigned count)
{
	if (problems.count != count)
		fail_msg("expected %u problems, got %u:\n%s", count, problems.count, all_lines());
}

/* A task with everything required, plus `extra` properties. */
#define TASK(name, extra)                                                                          \
	"\t\t" name " { image = \"console\"; priority = <100>; memory-pages = <10>; " extra " };"  \
	"\n"

static const char multi_task[] =
    "\tscenario { benchmark = \"hpet-latency\"; load = \"busy\"; mode = \"periodic\";\n"
    "\t\tsamples = <1000>; report = \"short\"; };\n"
    "\ttasks {\n"
    "\t\tconsole { image = \"console\"; priority = <200>; memory-pages = <64>;\n"
    "\t\t\tio-ports = <0x2f8 8>;\n"
    "\t\t\tinterrupts { com2 { gsi = <3>; }; }; };\n"
    "\t\tdriver { image = \"driver\"; priority = <220>; cpu = <1>; memory-pages = <32>;\n"
    "\t\t\tmmio = /bits/ 64 <0xfed00000 0x1000>;\n"
    "\t\t\tconnect = \"console\";\n"
    "\t\t\tinterrupts { timer { hpet-comparator = <2>; delivery = \"msi\"; };\n"
    "\t\t\t\tnic { msi = <0 3 1>; vectors = <4>; };\n"
    "\t\t\t\tserial { gsi = <4>; trigger = \"level\"; polarity = \"low\"; }; }; };\n"
    "\t\tclient { image = \"client\"; priority = <100>; time-slice-us = <5000>;\n"
    "\t\t\tmemory-pages = <128>; heap-pages = <1000>; arguments = \"--count\", \"10\";\n"
    "\t\t\tconnect = \"console\", \"driver\"; };\n"
    "\t};\n"
    "\tvms { guest { image = \"linux\"; memory-size = /bits/ 64 <0x100000>;\n"
    "\t\tintercepts = \"wbinvd\", \"hlt\";\n"
    "\t\tvcpus { vcpu0 { priority = <50>; }; vcpu1 { priority = <50>; cpu = <1>; }; };\n"
    "\t\tdevices { serial { type = \"uart-16550\"; io-ports = <0x3f8 8>; interrupt = <4>; };\n"
    "\t\t\tclock { type = \"hpet\"; mmio = /bits/ 64 <0xfed00000 0x1000>; }; }; }; };\n";

/* ------------------------------------------------------------ valid files */

static void test_empty_system(void **state)
{
	(void)state;
	assert_int_equal(check(""), 0);
	assert_false(plan.scenario.present);
	assert_int_equal(plan.task_count, 0);
	assert_int_equal(plan.vm_count, 0);
	assert_int_equal(plan.kernel_limit, 1000);
	assert_int_equal(plan.user_limit, 2000);
}

static void test_multi_task_plan(void **state)
{
	(void)state;
	if (check(multi_task) != 0)
		fail_msg("%s", all_lines());
	assert_true(plan.scenario.present);
	assert_string_equal(plan.scenario.benchmark, "hpet-latency");
	assert_string_equal(plan.scenario.load, "busy");
	assert_string_equal(plan.scenario.mode, "periodic");
	assert_string_equal(plan.scenario.report, "short");
	assert_int_equal(plan.scenario.samples, 1000);
	assert_int_equal(plan.task_count, 3);

	const struct config_task *console = &plan.tasks[0], *driver = &plan.tasks[1];
	const struct config_task *client = &plan.tasks[2];
	assert_string_equal(console->name, "console");
	assert_int_equal(console->priority, 200);
	assert_int_equal(console->cpu, 0);
	assert_int_equal(console->time_slice_us, CONFIG_DEFAULT_TIME_SLICE_US);
	assert_int_equal(console->port_count, 1);
	assert_int_equal(console->ports[0].base, 0x2f8);
	assert_int_equal(console->ports[0].size, 8);
	assert_int_equal(console->interrupt_count, 1);
	assert_int_equal(console->interrupts[0].kind, CONFIG_IRQ_GSI);
	assert_int_equal(console->interrupts[0].number, 3);
	assert_int_equal(console->heap_pages, CONFIG_DEFAULT_HEAP_PAGES);
	assert_false(console->interrupts[0].level);
	assert_false(console->interrupts[0].active_low);

	assert_string_equal(driver->image, "driver");
	assert_int_equal(driver->cpu, 1);
	assert_int_equal(driver->mmio_count, 1);
	assert_int_equal(driver->mmio[0].base, 0xfed00000);
	assert_int_equal(driver->mmio[0].size, 0x1000);
	assert_int_equal(driver->interrupt_count, 3);
	assert_int_equal(driver->interrupts[0].kind, CONFIG_IRQ_HPET);
	assert_int_equal(driver->interrupts[0].number, 2);
	assert_true(driver->interrupts[0].message);
	assert_int_equal(driver->interrupts[1].kind, CONFIG_IRQ_MSI);
	assert_int_equal(driver->interrupts[1].device, 3);
	assert_int_equal(driver->interrupts[1].function, 1);
	assert_int_equal(driver->interrupts[1].vectors, 4);
	assert_true(driver->interrupts[2].level);
	assert_true(driver->interrupts[2].active_low);
	assert_int_equal(driver->connection_count, 1);
	assert_int_equal(driver->connections[0], 0);

	assert_int_equal(client->time_slice_us, 5000);
	assert_int_equal(client->heap_pages, 1000);
	assert_int_equal(client->arguments.len, sizeof("--count\0"
						       "10"));
	assert_int_equal(client->connection_count, 2);
	assert_int_equal(client->connections[0], 0);
	assert_int_equal(client->connections[1], 1);

	assert_int_equal(plan.vm_count, 1);
	const struct config_vm *vm = &plan.vms[0];
	assert_int_equal(vm->memory_bytes, 0x100000);
	assert_int_equal(vm->intercepts,
			 (1u << CONFIG_INTERCEPT_WBINVD) | (1u << CONFIG_INTERCEPT_HLT));
	assert_int_equal(vm->vcpu_count, 2);
	assert_int_equal(vm->vcpus[1].cpu, 1);
	assert_int_equal(vm->device_count, 2);
	assert_true(vm->devices[0].has_interrupt);
	assert_int_equal(vm->devices[0].interrupt, 4);
	/* Guest addresses are the guest's: the host's HPET range of the
	 * driver does not collide with the guest's. */
	assert_int_equal(vm->devices[1].mmio[0].base, 0xfed00000);
	assert_int_equal(plan.kernel_pages, 64 + 32 + 128);
	assert_int_equal(plan.guest_pages, 256);
	assert_int_equal(plan.task_pages, 64 + 64 + 1000 + 3 * CONFIG_TASK_FIXED_PAGES);
}

/* The printed plan has one line per task, resource, VM, vCPU, device. */
static void test_plan_print(void **state)
{
	(void)state;
	assert_int_equal(check(multi_task), 0);
	char name[] = "/tmp/test_config_print_XXXXXX";
	int fd = mkstemp(name), saved = dup(1);
	fflush(stdout);
	dup2(fd, 1);
	config_plan_print(&plan, "p: ");
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	char text[8192] = "";
	lseek(fd, 0, SEEK_SET);
	assert_true(read(fd, text, sizeof(text) - 1) > 0);
	close(fd);
	unlink(name);
	static const char *const lines[] = {
	    ("p: scenario: benchmark hpet-latency, load busy, mode periodic, 1000 samples, "
	     "report short\n"),
	    ("p: task console: image console, priority 200, cpu 0, time slice 10000 us, 64 pages, "
	     "heap 64 pages\n"),
	    ("p: task client: image client, priority 100, cpu 0, time slice 5000 us, 128 pages, "
	     "heap 1000 pages\n"),
	    "p:   interrupt com2: gsi 3 edge high\n",
	    "p:   io-ports [0x2f8, +0x8)\n",
	    "p:   interrupt timer: hpet comparator 2, delivery msi\n",
	    "p:   interrupt nic: msi 00:03.1, 4 vectors\n",
	    "p:   interrupt serial: gsi 4 level low\n",
	    "p:   mmio [0xfed00000, +0x1000)\n",
	    "p:   arguments: \"--count\" \"10\"\n",
	    "p:   connect console\n",
	    "p:   connect driver\n",
	    "p: vm guest: image linux, memory 0x100000 bytes, intercepts: wbinvd hlt\n",
	    "p:   vcpu vcpu1: priority 50, cpu 1\n",
	    "p:   device serial: uart-16550, guest gsi 4\n",
	    "p:     guest mmio [0xfed00000, +0x1000)\n",
	    ("p: 3 tasks, 1 VMs; kernel memory 224 of 1000 pages, user memory 1438 of 2000 pages "
	     "(tasks 1182, guests 256)\n"),
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (strstr(text, lines[i]) == NULL)
			fail_msg("missing line %s in:\n%s", lines[i], text);
}

/* ------------------------------------------------------- schema problems */

static void test_unknown_nodes_and_properties(void **state)
{
	(void)state;
	check("\tcolour = \"blue\";\n\tchosen { };\n"
	      "\tscenario { benchmark = \"x\"; samples = <1>; speed = <3>; extra { }; };\n"
	      "\ttasks { " TASK(
		  "a", "colour = <1>; stack { };") " };\n"
						   "\tvms { v { image = \"linux\"; memory-size = "
						   "<0x1000>; vcpus { c { priority = <1>; "
						   "turbo; }; }; disks { }; }; };\n");
	expect("/chosen: : unknown node");
	expect("/: colour: unknown property");
	expect("/scenario: speed: unknown property");
	expect("/scenario/extra: : unknown node");
	expect("/tasks/a: colour: unknown property");
	expect("/tasks/a/stack: : unknown node");
	expect("/vms/v/vcpus/c: turbo: unknown property");
	expect("/vms/v/disks: : unknown node");
	expect("/scenario: benchmark: 'x' is not one of hpet-latency");
	expect_count(9);
}

static void test_wrong_types(void **state)
{
	(void)state;
	check(
	    "\ttasks {\n"
	    "\t\ta { image = <1>; priority = \"high\"; memory-pages = <1 2>; };\n"
	    "\t\tb { image = \"console\"; priority = <1>; memory-pages = <1>;\n"
	    "\t\t\tmmio = <0xfed00000 0x1000>; io-ports = <0x60>; arguments = <7>;\n"
	    "\t\t\tinterrupts { i { msi = <1 2>; }; }; };\n"
	    "\t};\n"
	    "\tvms { v { image = \"\"; memory-size = [01 02 03]; vcpus { c { priority = <1>; }; }; "
	    "}; };\n");
	expect("/tasks/a: image: must be a non-empty string");
	expect("/tasks/a: priority: must be one u32 cell <n> (found 5 bytes)");
	expect("/tasks/a: memory-pages: must be one u32 cell <n> (found 8 bytes)");
	expect("/tasks/b: mmio: must be u64 pairs");
	expect("/tasks/b: io-ports: must be u32 pairs");
	expect("/tasks/b: arguments: must be a list of strings");
	expect("/tasks/b/interrupts/i: msi: must be three u32 cells");
	expect("/tasks/b/interrupts/i: : needs one of gsi, msi, hpet-comparator");
	expect("/vms/v: image: must be a non-empty string");
	expect("/vms/v: memory-size: must be a u32 <n> or a u64");
	expect_count(10);
}

static void test_missing_required(void **state)
{
	(void)state;
	check("\tscenario { load = \"none\"; };\n"
	      "\ttasks { a { cpu = <0>; }; };\n"
	      "\tvms { v { devices { d { }; }; }; };\n");
	expect("/scenario: benchmark: missing (required)");
	expect("/scenario: samples: missing (required)");
	expect("/tasks/a: image: missing (required)");
	expect("/tasks/a: priority: missing (required)");
	expect("/tasks/a: memory-pages: missing (required)");
	expect("/vms/v: image: missing (required)");
	expect("/vms/v: memory-size: missing (required)");
	expect("/vms/v/devices/d: type: missing (required)");
	expect("/vms/v: : needs a vcpus node with one vCPU or more");
	expect_count(9);
}

static void test_compatible(void **state)
{
	(void)state;
	size_t size;
	void *blob = compile("/dts-v1/; / { tasks { }; };", &size);
	check_blob(blob, size);
	expect("/: compatible: missing (required)");
	expect_count(1);
	free(blob);
	blob = compile("/dts-v1/; / { compatible = \"acme,board\"; };", &size);
	check_blob(blob, size);
	expect("/: compatible: 'acme,board' is not \"vireo,scenario\"");
	expect_count(1);
	free(blob);
}

static void test_image_not_a_module(void **state)
{
	(void)state;
	check(
	    "\ttasks { a { image = \"shell\"; priority = <1>; memory-pages = <1>; }; };\n"
	    "\tvms { v { image = \"windows\"; memory-size = <0x1000>; vcpus { c { priority = <1>; "
	    "}; }; }; };\n");
	expect("/tasks/a: image: no boot module named 'shell' (modules: root, config, console, "
	       "driver, client, linux)");
	expect("/vms/v: image: no boot module named 'windows'");
	expect_count(2);
}

static void test_priority_above_root(void **state)
{
	(void)state;
	check("\ttasks { " TASK("a", "") TASK("b", "") " };\n"
						       "\tvms { v { image = \"linux\"; memory-size "
						       "= <0x1000>; vcpus { c { priority = <254>; "
						       "}; }; }; };\n");
	expect_count(0);
	check(
	    "\ttasks { a { image = \"console\"; priority = <255>; memory-pages = <1>; };\n"
	    "\t\tb { image = \"console\"; priority = <4096>; memory-pages = <1>; };\n"
	    "\t\tok { image = \"console\"; priority = <254>; memory-pages = <1>; }; };\n"
	    "\tvms { v { image = \"linux\"; memory-size = <0x1000>; vcpus { c { priority = <255>; "
	    "}; }; }; };\n");
	expect("/tasks/a: priority: 255 is not below the root task's priority 255");
	expect("/tasks/b: priority: 4096 is not below the root task's priority 255");
	expect("/vms/v/vcpus/c: priority: 255 is not below");
	expect_count(3);
}

static void test_interrupt_conflicts(void **state)
{
	(void)state;
	check(
	    "\ttasks {\n" TASK("a", "interrupts { x { gsi = <9>; }; t { hpet-comparator = <1>; };"
				    " m { msi = <0 2 0>; }; };")
		TASK("b", "interrupts { y { gsi = <9>; trigger = \"level\"; };"
			  " u { hpet-comparator = <1>; }; n { msi = <0 2 0>; vectors = <2>; }; };")
		    TASK("c", "interrupts { ok1 { gsi = <1>; }; ok2 { hpet-comparator = <9>; };"
			      " ok3 { msi = <0 2 1>; }; again { gsi = <1>; }; };") "\t};\n");
	expect("/tasks/b/interrupts/y: gsi: also claimed by /tasks/a/interrupts/x");
	expect("/tasks/b/interrupts/u: hpet-comparator: also claimed by /tasks/a/interrupts/t");
	expect("/tasks/b/interrupts/n: msi: also claimed by /tasks/a/interrupts/m");
	expect("/tasks/c/interrupts/again: gsi: also claimed by /tasks/c/interrupts/ok1");
	expect_count(4);
}

static void test_range_overlaps(void **state)
{
	(void)state;
	check(
	    "\ttasks {\n" TASK("a",
			       "mmio = /bits/ 64 <0xfe000000 0x2000>; io-ports = <0x60 1 0x64 1>;")
		TASK("b", "mmio = /bits/ 64 <0xfe001000 0x1000>; io-ports = <0x5f 3>;")
		    TASK("c", "mmio = /bits/ 64 <0xfe002000 0x1000 0xfe002000 0x1000>;"
			      " io-ports = <0x65 1>;") "\t};\n"
						       "\tvms { v { image = \"linux\"; memory-size "
						       "= <0x1000>; vcpus { c { priority = <1>; "
						       "}; };\n"
						       "\t\tdevices { d { type = \"pit-8254\"; "
						       "io-ports = <0x40 4>; };\n"
						       "\t\t\te { type = \"rtc-mc146818\"; "
						       "io-ports = <0x43 2>; }; }; }; };\n");
	expect("/tasks/b: mmio: [0xfe001000, +0x1000) overlaps [0xfe000000, +0x2000) of /tasks/a");
	expect("/tasks/b: io-ports: [0x5f, +0x3) overlaps [0x60, +0x1) of /tasks/a");
	expect("/tasks/c: mmio: [0xfe002000, +0x1000) overlaps [0xfe002000, +0x1000) of /tasks/c");
	expect("/vms/v/devices/e: io-ports: [0x43, +0x2) overlaps [0x40, +0x4) of "
	       "/vms/v/devices/d");
	/* Adjacent ranges (a's 0x64, c's 0x65; a's end, c's start) are fine. */
	expect_count(4);
}

static void test_memory_over(void **state)
{
	(void)state;
	check(
	    "\ttasks { a { image = \"console\"; priority = <1>; memory-pages = <500>; };\n"
	    "\t\tb { image = \"console\"; priority = <1>; memory-pages = <500>; }; };\n"
	    "\tvms { v { image = \"linux\"; memory-size = <0x72c000>; vcpus { c { priority = <1>; "
	    "}; }; }; };\n");
	/* 500 + 500 kernel pages; 1836 guest pages and 2 * (64 + 18) for the
	 * tasks' heaps, stacks and start-up blocks: 2000 user pages, all there
	 * is. */
	expect_count(0);
	assert_int_equal(plan.kernel_pages, 1000);
	assert_int_equal(plan.guest_pages, 1836);
	assert_int_equal(plan.task_pages, 164);
	check(
	    "\ttasks { a { image = \"console\"; priority = <1>; memory-pages = <500>; };\n"
	    "\t\tb { image = \"console\"; priority = <1>; memory-pages = <501>; }; };\n"
	    "\tvms { v { image = \"linux\"; memory-size = <0x7d1000>; vcpus { c { priority = <1>; "
	    "}; }; }; };\n");
	expect("/tasks: memory-pages: the tasks' quotas need 1001 pages of 4 KiB, the root task "
	       "has 1000");
	expect("/vms: memory-size: the guests need 2001 pages of 4 KiB, user memory has 2000");
	expect_count(2);
	/* Sums of u32 quotas cannot wrap. */
	check("\ttasks { a { image = \"console\"; priority = <1>; memory-pages = <0xffffffff>; };\n"
	      "\t\tb { image = \"console\"; priority = <1>; memory-pages = <0xffffffff>; }; };\n");
	expect("/tasks: memory-pages: the tasks' quotas need 8589934590 pages");
	expect_count(1);
}

static void test_names(void **state)
{
	(void)state;
	check("\ttasks { " TASK("root", "") TASK("console@1", "")
		  TASK("a-very-long-task-name-of-32-char", "")
		      TASK("twin", "") " };\n"
				       "\tvms { twin { image = \"linux\"; memory-size = <0x1000>; "
				       "vcpus { c { priority = "
				       "<1>; }; }; }; };\n");
	expect("/tasks/root: : 'root' is the root task's own name");
	expect("/tasks/console@1: : name must be 1 to 31 of");
	expect("/tasks/a-very-long-task-name-of-32-char: : name must be 1 to 31 of");
	expect("/vms/twin: : name already used by /tasks/twin");
	expect_count(4);
}

static void test_connections(void **state)
{
	(void)state;
	check("\ttasks {\n" TASK("a", "connect = \"b\", \"nobody\", \"a\", \"b\", \"v\";")
		  TASK("b", "") "\t};\n"
				"\tvms { v { image = \"linux\"; memory-size = <0x1000>; vcpus { c "
				"{ priority = <1>; "
				"}; }; }; };\n");
	expect("/tasks/a: connect: no task named 'nobody'");
	expect("/tasks/a: connect: 'a' is the task itself");
	expect("/tasks/a: connect: 'b' listed twice");
	expect("/tasks/a: connect: no task named 'v'");
	expect_count(4);
	assert_int_equal(plan.tasks[0].connection_count, 1);
	assert_int_equal(plan.tasks[0].connections[0], 1);
}

static void test_value_ranges(void **state)
{
	(void)state;
	check(
	    "\tscenario { benchmark = \"x\"; samples = <0>; load = \"disk\"; mode = \"burst\";"
	    " report = \"long\"; };\n"
	    "\ttasks {\n" TASK("a",
			       "time-slice-us = <0>; interrupts { h { hpet-comparator = <32>; };"
			       " m { msi = <256 32 8>; vectors = <3>; };"
			       " g { gsi = <1>; trigger = \"rising\"; polarity = \"up\"; };"
			       " v { hpet-comparator = <1>; vectors = <2>; trigger = \"edge\"; };"
			       " two { gsi = <2>; hpet-comparator = <3>; }; };")
		TASK("b",
		     "mmio = /bits/ 64 <0xfed00800 0x1000 0x1000 0 0x000ffffffffff000 0x2000>;"
		     " io-ports = <0xfff8 9 0x10 0>;") "\t};\n"
						       "\tvms { v { image = \"linux\"; memory-size "
						       "= <0x1001>;"
						       " intercepts = \"wbinvd\", \"cpuid\", "
						       "\"wbinvd\";"
						       " vcpus { c { priority = <1>; }; }; devices "
						       "{ d { type = \"floppy\"; }; }; }; };\n");
	expect("/scenario: samples: 0 is outside 1..10000000");
	expect("/scenario: benchmark: 'x' is not one of hpet-latency");
	expect("/scenario: load: 'disk' is not one of busy, cache, ipc, map, none");
	expect("/scenario: mode: 'burst' is not one of oneshot, periodic");
	expect("/scenario: report: 'long' is not one of full, short");
	expect("/tasks/a: time-slice-us: must be 10..10000000");
	expect("/tasks/a/interrupts/h: hpet-comparator: 32 is not below 32");
	expect("/tasks/a/interrupts/m: msi: <256 32 8> is no PCI function");
	expect("/tasks/a/interrupts/m: vectors: 3 is not a power of two from 1 to 32");
	expect("/tasks/a/interrupts/g: trigger: 'rising' is not one of edge, level");
	expect("/tasks/a/interrupts/g: polarity: 'up' is not one of high, low");
	expect("/tasks/a/interrupts/v: vectors: only for msi interrupts");
	expect("/tasks/a/interrupts/v: trigger: only for gsi interrupts");
	expect("/tasks/a/interrupts/two: : has more than one of gsi, msi, hpet-comparator");
	expect("/tasks/b: mmio: range 0 [0xfed00800, +0x1000) is not 4 KiB aligned");
	expect("/tasks/b: mmio: range 1 [0x1000, +0) is empty");
	expect("/tasks/b: mmio: range 2 [0xffffffffff000, +0x2000) ends above the 52-bit");
	expect("/tasks/b: io-ports: range 0 [0xfff8, +0x9) ends above port 0xffff");
	expect("/tasks/b: io-ports: range 1 [0x10, +0) is empty");
	expect("/vms/v: memory-size: 0x1001 is not a non-zero multiple of 4 KiB");
	expect("/vms/v: intercepts: 'cpuid' is not one of wbinvd, hlt, pause, rdtsc, rdpmc, "
	       "invlpg, monitor, mwait");
	expect("/vms/v: intercepts: 'wbinvd' listed twice");
	expect("/vms/v/devices/d: type: 'floppy' is not one of uart-16550");
	expect_count(23);
}

/* The benchmark's own /scenario settings (bench/scenario.h). */
static void test_scenario_benchmark_settings(void **state)
{
	(void)state;
	check("\tscenario { benchmark = \"hpet-latency\"; samples = <200>; seed = <7>;\n"
	      "\t\toffset-ns = <1000 2000>; period-ns = <50000>; ipc-rounds = <10>;\n"
	      "\t\tkernel = \"bench\"; };\n");
	expect_count(0);
	check("\tscenario { benchmark = \"hpet-latency\"; samples = <200>;\n"
	      "\t\toffset-ns = <1000>; kernel = \"fast\"; };\n");
	expect("/scenario: offset-ns: must be two u32 cells (found 4 bytes)");
	expect("/scenario: kernel: 'fast' is not one of standard, bench");
	expect_count(2);
}

/*
 * The benchmark's values out of their ranges: the build refuses what the
 * benchmark would refuse when it runs.
 */
static void test_scenario_value_ranges(void **state)
{
	(void)state;
	check(
	    "\tscenario { benchmark = \"hpet-latency\"; samples = <10000000>; seed = <0>;\n"
	    "\t\toffset-ns = <1000 1000000000>; period-ns = <1000000000>; ipc-rounds = <0>; };\n");
	expect_count(0);
	check("\tscenario { benchmark = \"hpet-latency\"; samples = <10000001>;\n"
	      "\t\toffset-ns = <999 1000000001>; period-ns = <999>; ipc-rounds = <10000001>; };\n");
	expect("/scenario: samples: 10000001 is outside 1..10000000");
	expect("/scenario: offset-ns: 999 is outside 1000..1000000000");
	expect("/scenario: offset-ns: 1000000001 is outside 1000..1000000000");
	expect("/scenario: period-ns: 999 is outside 1000..1000000000");
	expect("/scenario: ipc-rounds: 10000001 is outside 0..10000000");
	expect_count(5);
	check("\tscenario { benchmark = \"hpet-latency\"; samples = <1>; offset-ns = <5000 4999>;\n"
	      "\t\tperiod-ns = <1000000001>; };\n");
	expect("/scenario: offset-ns: minimum 5000 above maximum 4999");
	expect("/scenario: period-ns: 1000000001 is outside 1000..1000000000");
	expect_count(2);
}

/*
 * The checker and the benchmark (bench/scenario.c, which reads /scenario
 * when it runs) agree on every value at and around each limit: the
 * checker passes a file exactly when the benchmark takes it.
 */
static void test_scenario_agrees_with_benchmark(void **state)
{
	(void)state;
	static const char *const settings[] = {
	    "samples = <0>;",
	    "samples = <1>;",
	    "samples = <10000000>;",
	    "samples = <10000001>;",
	    "samples = <1>; seed = <0>;",
	    "samples = <1>; seed = <0xffffffff>;",
	    "samples = <1>; offset-ns = <999 2000>;",
	    "samples = <1>; offset-ns = <1000 1000>;",
	    "samples = <1>; offset-ns = <1001 1000>;",
	    "samples = <1>; offset-ns = <1000 1000000000>;",
	    "samples = <1>; offset-ns = <1000 1000000001>;",
	    "samples = <1>; period-ns = <999>;",
	    "samples = <1>; period-ns = <1000>;",
	    "samples = <1>; period-ns = <1000000000>;",
	    "samples = <1>; period-ns = <1000000001>;",
	    "samples = <1>; ipc-rounds = <0>;",
	    "samples = <1>; ipc-rounds = <10000000>;",
	    "samples = <1>; ipc-rounds = <10000001>;",
	    "samples = <1>; load = \"cache\"; mode = \"periodic\"; report = \"short\";",
	    "samples = <1>; load = \"disk\";",
	    "samples = <1>; mode = \"burst\";",
	    "samples = <1>; kernel = \"bench\";",
	    "samples = <1>; kernel = \"fast\";",
	};
	char body[512];

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		for (int known = 0; known <= 1; known++) {
			snprintf(body, sizeof(body), "\tscenario { benchmark = \"%s\"; %s };\n",
				 known ? "hpet-latency" : "other", settings[i]);
			bool checked = check(body) == 0;
			struct scenario s;
			char why[200] = "";
			bool taken = scenario_read(last_blob, &s, why, sizeof(why)) == 1;
			if (checked != taken)
				fail_msg("the checker %s, the benchmark %s (%s):\n%s%s",
					 checked ? "passes" : "refuses",
					 taken ? "takes it" : "refuses it", why, body, all_lines());
		}
	}
}

/* A task with a heap of `pages` and the quota to map it. */
#define HEAP_TASK(name, pages)                                                                     \
	"\t\t" name " { image = \"console\"; priority = <1>; memory-pages = <20>;"                 \
	" heap-pages = <" pages ">; };\n"

/* heap-pages: the default, a range, the quota that maps it, user memory. */
static void test_heap_pages(void **state)
{
	(void)state;
	static const char tasks[] =
	    "\ttasks {\n" TASK("a", "heap-pages = <0>;") TASK("b", "heap-pages = <196097>;")
		TASK("c", "heap-pages = <600>;")
	    "\t\td { image = \"console\"; priority = <1>; memory-pages = <12>;"
	    " heap-pages = <600>; };\n"
	    "\t\te { image = \"console\"; priority = <1>; heap-pages = <1>; };\n"
	    "\t\tf { image = \"console\"; priority = <1>; memory-pages = <10>;"
	    " heap-pages = <1 2>; };\n"
	    "\t};\n";

	check(tasks);
	expect("/tasks/a: heap-pages: 0 is outside 1..196096");
	expect("/tasks/b: heap-pages: 196097 is outside 1..196096");
	/* 2 page tables with their node tables, 600 / 84 pages of nodes. */
	expect("/tasks/c: heap-pages: 600 pages need 12 kernel pages to be mapped (4 for page "
	       "tables, 8 for mapping nodes), memory-pages is 10");
	expect("/tasks/e: memory-pages: missing (required)");
	expect("/tasks/f: heap-pages: must be one u32 cell <n> (found 8 bytes)");
	expect_count(5);
	assert_int_equal(plan.tasks[3].heap_pages, 600);
	/* Out of range: counted as no heap, so no sum is over because of it. */
	assert_int_equal(plan.task_pages, 18 + 18 + 618 + 618 + 19 + 82);
	assert_int_equal(plan.tasks[5].heap_pages, CONFIG_DEFAULT_HEAP_PAGES);

	/* 2000 user pages: two tasks of 18 + 982 fill them (each needs 16
	 * kernel pages to map its heap). */
	check("\ttasks {\n" HEAP_TASK("a", "982") HEAP_TASK("b", "982") "\t};\n");
	expect_count(0);
	assert_int_equal(plan.task_pages, 2000);
	check("\ttasks {\n" HEAP_TASK("a", "982") HEAP_TASK("b", "983") "\t};\n");
	expect(
	    "/tasks: heap-pages: the tasks' heaps, stacks and start-up blocks need 2001 pages of "
	    "4 KiB, user memory has 2000");
	expect_count(1);
	static const char with_vm[] =
	    "\ttasks {\n" HEAP_TASK("a", "982") HEAP_TASK("b", "982") "\t};\n"
	    "\tvms { v { image = \"linux\"; memory-size = <0x1000>;"
	    " vcpus { c { priority = <1>; }; }; }; };\n";
	check(with_vm);
	expect(
	    "/tasks: heap-pages: the tasks' heaps, stacks and start-up blocks need 2000 pages of "
	    "4 KiB, user memory has 1999 besides the guests'");
	expect_count(1);
}

/* delivery: how an HPET comparator's interrupt arrives. */
static void test_interrupt_delivery(void **state)
{
	(void)state;
	check("\ttasks {\n" TASK("a",
				 "interrupts { m { hpet-comparator = <1>; delivery = \"msi\"; };"
				 " i { hpet-comparator = <2>; delivery = \"ioapic\"; };"
				 " d { hpet-comparator = <3>; }; };") "\t};\n");
	expect_count(0);
	assert_true(plan.tasks[0].interrupts[0].message);
	assert_false(plan.tasks[0].interrupts[1].message);
	assert_false(plan.tasks[0].interrupts[2].message);
	check("\ttasks {\n" TASK("a",
				 "interrupts { f { hpet-comparator = <1>; delivery = \"fsb\"; };"
				 " g { gsi = <3>; delivery = \"msi\"; };"
				 " p { msi = <0 1 0>; delivery = \"msi\"; }; };") "\t};\n");
	expect("/tasks/a/interrupts/f: delivery: 'fsb' is not one of ioapic, msi");
	expect("/tasks/a/interrupts/g: delivery: only for hpet-comparator interrupts");
	expect("/tasks/a/interrupts/p: delivery: only for hpet-comparator interrupts");
	expect_count(3);
}

/* Append `count` copies of `format` (with %d the copy's number) to text. */
static void repeat(char *text, size_t size, const char *format, int count)
{
	for (int i = 0; i < count; i++)
		snprintf(text + strlen(text), size - strlen(text), format, i, i, i);
}

static void test_plan_limits(void **state)
{
	(void)state;
	char body[12000] = "\ttasks {\n";
	repeat(body, sizeof(body),
	       "\t\tt%d { image = \"console\"; priority = <1>; memory-pages = <3>; heap-pages = "
	       "<1>; };\n",
	       CONFIG_MAX_TASKS + 1);
	strcat(body, "\t\t};\n");
	check(body);
	expect("/tasks: : more than 32 tasks");
	expect_count(1);
	assert_int_equal(plan.task_count, CONFIG_MAX_TASKS);

	strcpy(body, "\ttasks { a { image = \"console\"; priority = <1>; memory-pages = <1>;\n"
		     "\t\tmmio = /bits/ 64 <");
	repeat(body, sizeof(body), " 0x%d000 0x1000", CONFIG_MAX_RANGES + 1);
	strcat(body, ">;\n\t\tio-ports = <");
	repeat(body, sizeof(body), " %d 1", CONFIG_MAX_RANGES + 1);
	strcat(body, ">; connect = ");
	repeat(body, sizeof(body), "\"s%d\", ", CONFIG_MAX_CONNECTIONS + 1);
	strcat(body, "\"s0\";\n\t\tinterrupts {");
	repeat(body, sizeof(body), " i%d { gsi = <%d>; };", CONFIG_MAX_INTERRUPTS + 1);
	strcat(body, " }; };\n");
	repeat(body, sizeof(body),
	       "\t\ts%d { image = \"console\"; priority = <1>; memory-pages = <1>; };\n",
	       CONFIG_MAX_CONNECTIONS + 1);
	strcat(body, "\t};\n");
	check(body);
	expect("/tasks/a/interrupts: : more than 16 interrupts");
	expect("/tasks/a: mmio: 17 ranges, at most 16");
	expect("/tasks/a: io-ports: 17 ranges, at most 16");
	expect("/tasks/a: connect: more than 16 connections");
	expect("/tasks/a: connect: 's0' listed twice");
	expect_count(5);
}

/* One file with one problem of each kind: all of them come out, once. */
static void test_many_problems_at_once(void **state)
{
	(void)state;
	check("\tbogus { };\n"
	      "\tscenario { benchmark = \"x\"; };\n"
	      "\ttasks {\n"
	      "\t\ta { image = \"nothing\"; priority = <300>; memory-pages = <900>;"
	      " mmio = /bits/ 64 <0x1000 0x1000>; connect = \"ghost\";"
	      " interrupts { i { gsi = <5>; }; }; };\n"
	      "\t\tb { image = \"console\"; priority = \"x\"; memory-pages = <900>;"
	      " mmio = /bits/ 64 <0x1000 0x1000>; interrupts { j { gsi = <5>; }; }; };\n"
	      "\t};\n");
	expect("/bogus: : unknown node");
	expect("/scenario: samples: missing (required)");
	expect("/tasks/a: image: no boot module named 'nothing'");
	expect("/tasks/a: priority: 300 is not below");
	expect("/tasks/b: priority: must be one u32 cell");
	expect("/tasks/a: connect: no task named 'ghost'");
	expect("/tasks/b/interrupts/j: gsi: also claimed by /tasks/a/interrupts/i");
	expect("/tasks/b: mmio: [0x1000, +0x1000) overlaps [0x1000, +0x1000) of /tasks/a");
	expect("/tasks: memory-pages: the tasks' quotas need 1800 pages");
	expect("/scenario: benchmark: 'x' is not one of hpet-latency");
	expect_count(10);
}

/* ----------------------------------------------------------- hostile blobs */

/* Every prefix of a valid blob is rejected (the header says how long the
 * blob is), and its problem names the blob, not a node. */
static void test_every_truncation(void **state)
{
	(void)state;
	char source[8192];
	size_t size;
	snprintf(source, sizeof(source),
		 "/dts-v1/;\n/ {\n\tcompatible = \"vireo,scenario\";\n%s\n};\n", multi_task);
	void *blob = compile(source, &size);
	for (size_t length = 0; length < size; length++) {
		void *copy = malloc(length ? length : 1);
		memcpy(copy, blob, length);
		assert_int_not_equal(check_blob(copy, length), 0);
		assert_memory_equal(problems.lines[0], "dtb: ", 5);
		free(copy);
	}
	free(blob);
}

static void test_broken_headers(void **state)
{
	(void)state;
	size_t size;
	void *blob = compile("/dts-v1/; / { compatible = \"vireo,scenario\"; };", &size);
	struct fdt_header *header = blob;

	header->magic = cpu_to_fdt32(0xdeadbeef);
	check_blob(blob, size);
	expect("dtb: header: FDT_ERR_BADMAGIC");
	expect_count(1);

	header->magic = cpu_to_fdt32(FDT_MAGIC);
	header->totalsize = cpu_to_fdt32(0x7fffffff);
	check_blob(blob, size);
	expect("dtb: ");
	expect_count(1);

	header->totalsize = cpu_to_fdt32((uint32_t)size);
	header->off_dt_struct = cpu_to_fdt32((uint32_t)size + 64);
	check_blob(blob, size);
	expect("dtb: header: ");
	expect_count(1);

	header->off_dt_struct = cpu_to_fdt32(sizeof(*header) + 16);
	header->size_dt_struct = cpu_to_fdt32(0x7ffffff0);
	check_blob(blob, size);
	expect("dtb: header: ");
	expect_count(1);

	check_blob(blob, 10);
	expect("dtb: size: 10 bytes, shorter than a device tree header");
	expect_count(1);
	free(blob);
}

/*
 * Versions before 16 store full paths as node names and lack fields libfdt
 * 1.6.1's fdt_check_full relies on: it dereferenced NULL on a dtc blob
 * whose version was changed to 3 (found by fuzz-config). Only version 17,
 * the one the Devicetree Specification (v0.4 §5.2) and dtc write, passes.
 */
static void test_old_versions(void **state)
{
	(void)state;
	size_t size;
	void *blob = compile("/dts-v1/; / { compatible = \"vireo,scenario\"; };", &size);
	struct fdt_header *header = blob;

	for (uint32_t version = 1; version <= 18; version++) {
		header->version = cpu_to_fdt32(version);
		header->last_comp_version = cpu_to_fdt32(version < 16 ? 0 : 16);
		check_blob(blob, size);
		if (version == 17) {
			expect_count(0);
			continue;
		}
		expect("dtb: header: ");
		expect_count(1);
	}
	free(blob);
}

/* A property whose length field points past the structure block. */
static void test_huge_property_length(void **state)
{
	(void)state;
	size_t size;
	void *blob = compile("/dts-v1/; / { compatible = \"vireo,scenario\"; };", &size);
	/* The first property follows the root's FDT_BEGIN_NODE and its empty
	 * name (8 bytes); its length is the word after the FDT_PROP tag. */
	uint8_t *structure = (uint8_t *)blob + fdt_off_dt_struct(blob);
	assert_int_equal(fdt32_ld((fdt32_t *)(structure + 8)), FDT_PROP);
	*(fdt32_t *)(structure + 12) = cpu_to_fdt32(0xfffffff0);
	check_blob(blob, size);
	expect("dtb: structure: ");
	expect_count(1);
	free(blob);
}

/*
 * A property length that wraps the structure offset back onto the same or
 * an earlier tag: libfdt 1.6.1's fdt_next_tag adds it without an overflow
 * check, so fdt_check_full walked the same tags forever (found by
 * fuzz-config with length 0xfffffff4; fixed upstream in dtc 1.7.0, "libfdt:
 * prevent integer overflow in fdt_next_tag"). alarm() turns a hang into a
 * failure here.
 */
static void test_property_length_wraps(void **state)
{
	(void)state;
	static const uint32_t lengths[] = {0xfffffff4, 0xfffffff0, 0xffffffe8,
					   0xfffffffc, 0x80000000, 0x7ffffffc};
	size_t size;
	void *blob = compile("/dts-v1/; / { compatible = \"vireo,scenario\"; tasks { }; };", &size);
	uint8_t *structure = (uint8_t *)blob + fdt_off_dt_struct(blob);

	alarm(10);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		*(fdt32_t *)(structure + 12) = cpu_to_fdt32(lengths[i]);
		check_blob(blob, size);
		expect("dtb: structure: ");
		expect_count(1);
	}
	alarm(0);
	free(blob);
}

/* Build blobs dtc would refuse to write, with libfdt's sequential writer. */
static void *build_start(void)
{
	void *blob = malloc(4096);
	assert_int_equal(fdt_create(blob, 4096), 0);
	assert_int_equal(fdt_finish_reservemap(blob), 0);
	assert_int_equal(fdt_begin_node(blob, ""), 0);
	assert_int_equal(fdt_property_string(blob, "compatible", "vireo,scenario"), 0);
	return blob;
}

static void build_task(void *blob, const char *name, const char *image)
{
	assert_int_equal(fdt_begin_node(blob, name), 0);
	assert_int_equal(fdt_property_string(blob, "image", image), 0);
	assert_int_equal(fdt_property_u32(blob, "priority", 1), 0);
	assert_int_equal(fdt_property_u32(blob, "memory-pages", 1), 0);
	assert_int_equal(fdt_end_node(blob), 0);
}

static size_t build_finish(void *blob)
{
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_finish(blob), 0);
	return fdt_totalsize(blob);
}

static void test_duplicates_in_blob(void **state)
{
	(void)state;
	void *blob = build_start();
	assert_int_equal(fdt_property_string(blob, "compatible", "vireo,scenario"), 0);
	assert_int_equal(fdt_begin_node(blob, "tasks"), 0);
	build_task(blob, "a", "console");
	build_task(blob, "a", "driver");
	assert_int_equal(fdt_begin_node(blob, "b"), 0);
	assert_int_equal(fdt_property_string(blob, "image", "console"), 0);
	assert_int_equal(fdt_property_u32(blob, "priority", 1), 0);
	assert_int_equal(fdt_property_u32(blob, "priority", 2), 0);
	assert_int_equal(fdt_property_u32(blob, "memory-pages", 1), 0);
	assert_int_equal(fdt_begin_node(blob, "interrupts"), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_begin_node(blob, "interrupts"), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_begin_node(blob, "tasks"), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	check_blob(blob, build_finish(blob));
	expect("/: compatible: defined more than once");
	expect("/tasks/a: : name already used by /tasks/a");
	expect("/tasks/b: priority: defined more than once");
	expect("/tasks/b/interrupts: : defined more than once");
	expect("/tasks: : defined more than once");
	expect_count(5);
	free(blob);
}

/* Names from the blob are printed with unprintable bytes as \xNN, and
 * unknown subtrees are not descended into, however deep. */
static void test_hostile_names_and_depth(void **state)
{
	(void)state;
	void *blob = build_start();
	assert_int_equal(fdt_property(blob, "\x01weird", "", 0), 0);
	assert_int_equal(fdt_begin_node(blob, "tasks"), 0);
	build_task(blob, "bad\033[2Jname", "console");
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_begin_node(blob, "deep"), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(fdt_begin_node(blob, "d"), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	check_blob(blob, build_finish(blob));
	expect("/tasks/bad\\x1b[2Jname: : name must be 1 to 31 of");
	expect("/deep: : unknown node");
	expect("/: \\x01weird: unknown property");
	expect_count(3);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_system),
	    cmocka_unit_test(test_multi_task_plan),
	    cmocka_unit_test(test_plan_print),
	    cmocka_unit_test(test_unknown_nodes_and_properties),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_missing_required),
	    cmocka_unit_test(test_compatible),
	    cmocka_unit_test(test_image_not_a_module),
	    cmocka_unit_test(test_priority_above_root),
	    cmocka_unit_test(test_interrupt_conflicts),
	    cmocka_unit_test(test_range_overlaps),
	    cmocka_unit_test(test_memory_over),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_connections),
	    cmocka_unit_test(test_value_ranges),
	    cmocka_unit_test(test_scenario_benchmark_settings),
	    cmocka_unit_test(test_scenario_value_ranges),
	    cmocka_unit_test(test_scenario_agrees_with_benchmark),
	    cmocka_unit_test(test_heap_pages),
	    cmocka_unit_test(test_interrupt_delivery),
	    cmocka_unit_test(test_plan_limits),
	    cmocka_unit_test(test_many_problems_at_once),
	    cmocka_unit_test(test_every_truncation),
	    cmocka_unit_test(test_broken_headers),
	    cmocka_unit_test(test_old_versions),
	    cmocka_unit_test(test_huge_property_length),
	    cmocka_unit_test(test_property_length_wraps),
	    cmocka_unit_test(test_duplicates_in_blob),
	    cmocka_unit_test(test_hostile_names_and_depth),
	};
	int failed = cmocka_run_group_tests_name("config", tests, NULL, NULL);
	free(last_blob);
	return failed;
}
