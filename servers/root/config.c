/*
 * The boot configuration checker (see config.h and doc/configuration.md).
 *
 * The blob is untrusted input from a GRUB module or a user's file. Nothing
 * is read from it before fdt_check_full has walked its header and whole
 * structure block within the given size (libfdt's bounds checks,
 * Devicetree Specification v0.4 §5 "Flattened Devicetree (DTB) Format").
 * After that every libfdt access stays inside the blob, but the contents
 * are still hostile: names need not be unique, values can have any length,
 * and counts are bounded only by the blob's size. So the checker:
 *
 *  1. reads each node it knows against a table of its properties
 *     (read_properties: unknown, duplicated, mistyped, missing ones);
 *  2. turns each value into the plan, checking its range;
 *  3. checks what involves several nodes (names, connections, interrupts,
 *     MMIO and port ranges, memory) once all nodes are read
 *     (config_cross.c).
 *
 * It never stops at the first problem: each one is reported and the walk
 * goes on, so a user sees every mistake of a file at once. It descends
 * only into nodes of the schema (at most four levels), and keeps at most
 * CONFIG_MAX_* entries of each kind, so its work is linear in the blob's
 * size apart from the pairwise checks over those bounded arrays.
 */
#include <ctype.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "config_checker.h"

#define MESSAGE_LENGTH	   320
#define MODULE_LIST_LENGTH 160

/* x86 has 64 Ki I/O ports (Intel SDM vol. 1 §19.2 "I/O Port Addressing"). */
#define IO_PORT_LIMIT 0x10000u

/* Physical addresses have at most 52 bits (Intel SDM vol. 3A §4.1.4,
 * MAXPHYADDR; AMD APM vol. 2 §5.3.3). */
#define PHYSICAL_ADDRESS_LIMIT (1ull << 52)

/* An HPET has at most 32 comparators (HPET specification 1.0a §2.3.1,
 * NUM_TIM_CAP is 5 bits). */
#define HPET_COMPARATORS 32

/* PCI: 32 devices of 8 functions per bus, and MSI grants 1 to 32 vectors
 * in powers of two (PCI Local Bus Specification 3.0 §6.8.1.3). */
#define PCI_DEVICES	32
#define PCI_FUNCTIONS	8
#define MSI_VECTORS_MAX 32

/* The blob format version the Devicetree Specification v0.4 §5.2 fixes. */
#define DTB_VERSION 17u

const char *const config_intercept_names[CONFIG_INTERCEPT_COUNT] = {
    [CONFIG_INTERCEPT_WBINVD] = "wbinvd",   [CONFIG_INTERCEPT_HLT] = "hlt",
    [CONFIG_INTERCEPT_PAUSE] = "pause",	    [CONFIG_INTERCEPT_RDTSC] = "rdtsc",
    [CONFIG_INTERCEPT_RDPMC] = "rdpmc",	    [CONFIG_INTERCEPT_INVLPG] = "invlpg",
    [CONFIG_INTERCEPT_MONITOR] = "monitor", [CONFIG_INTERCEPT_MWAIT] = "mwait",
};

static const char *const device_types[] = {"uart-16550",   "pic-8259", "pit-8254",
					   "rtc-mc146818", "ioapic",   "hpet"};
static const char *const benchmark_names[] = {"hpet-latency"};
static const char *const load_names[] = {"busy", "cache", "ipc", "map", "none"};
static const char *const mode_names[] = {"oneshot", "periodic"};
static const char *const report_names[] = {"full", "short"};
static const char *const kernel_names[] = {"standard", "bench"};
static const char *const trigger_names[] = {"edge", "level"};
static const char *const polarity_names[] = {"high", "low"};
static const char *const delivery_names[] = {"ioapic", "msi"};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* ------------------------------------------------------------ reporting */

/* Copy text to out (size bytes), writing bytes that are not printable
 * ASCII as \xNN: names come from the blob and go to a serial log. */
static void escape(char *out, size_t size, const char *text)
{
	size_t used = 0;

	for (; *text != '\0' && used + 1 < size; text++) {
		unsigned char ch = (unsigned char)*text;
		if (ch < 0x80 && isprint(ch) && ch != '\\') {
			out[used++] = (char)ch;
		} else {
			if (used + 5 > size)
				break;
			snprintf(out + used, size - used, "\\x%02x", ch);
			used += 4;
		}
	}
	out[used] = '\0';
}

void problem(struct checker *c, const char *path, const char *property, const char *format, ...)
{
	char message[MESSAGE_LENGTH];
	char clean_path[PATH_LENGTH], clean_property[PATH_LENGTH];
	char clean_message[MESSAGE_LENGTH];
	va_list arguments;

	va_start(arguments, format);
	vsnprintf(message, sizeof(message), format, arguments);
	va_end(arguments);
	escape(clean_path, sizeof(clean_path), path);
	escape(clean_property, sizeof(clean_property), property);
	escape(clean_message, sizeof(clean_message), message);
	c->problems++;
	c->report(c->context, clean_path, clean_property, clean_message);
}

/*
 * The path of child, a subnode of the node at parent_path, into
 * path[PATH_LENGTH] (cut short if it does not fit). Each reader passes its
 * node's path down, so no problem costs a walk from the blob's start.
 */
static const char *child_path(const struct checker *c, const char *parent_path, int child,
			      char *path)
{
	const char *name = fdt_get_name(c->blob, child, NULL);
	snprintf(path, PATH_LENGTH, "%s/%s", strcmp(parent_path, "/") == 0 ? "" : parent_path,
		 name != NULL ? name : "?");
	return path;
}

/* ----------------------------------------------------- property reading */

enum value_type {
	TYPE_STRING,  /* one non-empty string */
	TYPE_STRINGS, /* one or more strings */
	TYPE_CELLS,   /* exactly `cells` u32 cells */
	TYPE_SIZE,    /* one u32 cell, or two cells holding a u64 */
	TYPE_PAIRS32, /* one or more <base size> pairs of u32 cells */
	TYPE_PAIRS64, /* one or more <base size> pairs of u64 (two cells each) */
};

struct property_spec {
	const char *name;
	enum value_type type;
	unsigned cells; /* TYPE_CELLS only */
	bool required;
};

/* A property found in a node; ok when it is there with the right type. */
struct property {
	const void *value;
	int len;
	bool ok;
};

/* Most properties one node kind has (the tasks'). */
#define MAX_SPECS 16

static const char *type_description(const struct property_spec *spec)
{
	switch (spec->type) {
	case TYPE_STRING: return "a non-empty string of printable ASCII";
	case TYPE_STRINGS: return "a list of strings of printable ASCII";
	case TYPE_CELLS:
		return spec->cells == 1	  ? "one u32 cell <n>"
		       : spec->cells == 2 ? "two u32 cells"
					  : "three u32 cells";
	case TYPE_SIZE: return "a u32 <n> or a u64 /bits/ 64 <n>";
	case TYPE_PAIRS32: return "u32 pairs <base size ...>";
	case TYPE_PAIRS64: return "u64 pairs /bits/ 64 <base size ...>";
	}
	return "?";
}

/* True when value[0..len) is one or more NUL-terminated strings of
 * printable ASCII (they end up in logs); with single, exactly one and not
 * empty. */
static bool is_strings(const char *value, int len, bool single)
{
	if (len <= 0 || value[len - 1] != '\0')
		return false;
	for (int i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)value[i];
		if (ch != '\0' && (ch >= 0x80 || !isprint(ch)))
			return false;
	}
	if (!single)
		return true;
	return len > 1 && memchr(value, '\0', (size_t)len) == value + len - 1;
}

static bool has_type(const struct property_spec *spec, const void *value, int len)
{
	switch (spec->type) {
	case TYPE_STRING: return is_strings(value, len, true);
	case TYPE_STRINGS: return is_strings(value, len, false);
	case TYPE_CELLS: return len == (int)(4 * spec->cells);
	case TYPE_SIZE: return len == 4 || len == 8;
	case TYPE_PAIRS32: return len > 0 && len % 8 == 0;
	case TYPE_PAIRS64: return len > 0 && len % 16 == 0;
	}
	return false;
}

/*
 * Read the properties of node (at path) against specs[0..count) into
 * found[0..count): report each property the table does not name, each one
 * defined twice, each one of the wrong type and each required one
 * missing. found[i].ok is true for the ones that can be used.
 */
static void read_properties(struct checker *c, int node, const char *path,
			    const struct property_spec *specs, unsigned count,
			    struct property *found)
{
	bool seen[MAX_SPECS] = {false};
	int offset;

	for (unsigned i = 0; i < count; i++)
		found[i] = (struct property){NULL, 0, false};
	fdt_for_each_property_offset(offset, c->blob, node)
	{
		const char *name;
		int len;
		const void *value = fdt_getprop_by_offset(c->blob, offset, &name, &len);
		unsigned i;

		if (value == NULL)
			continue; /* fdt_check_full has seen every name; not reached */
		for (i = 0; i < count && strcmp(specs[i].name, name) != 0; i++)
			;
		if (i == count) {
			problem(c, path, name, "unknown property");
		} else if (seen[i]) {
			problem(c, path, name, "defined more than once");
			found[i].ok = false;
		} else if (!has_type(&specs[i], value, len)) {
			seen[i] = true;
			problem(c, path, name, "must be %s (found %d bytes)",
				type_description(&specs[i]), len);
		} else {
			seen[i] = true;
			found[i] = (struct property){value, len, true};
		}
	}
	for (unsigned i = 0; i < count; i++)
		if (specs[i].required && !seen[i])
			problem(c, path, specs[i].name, "missing (required)");
}

static uint32_t cell(const struct property *p, unsigned index)
{
	return fdt32_ld((const fdt32_t *)p->value + index);
}

static uint32_t u32_or(const struct property *p, uint32_t fallback)
{
	return p->ok ? cell(p, 0) : fallback;
}

static uint64_t size_value(const struct property *p)
{
	return p->len == 8 ? fdt64_ld(p->value) : cell(p, 0);
}

static const char *string_or(const struct property *p, const char *fallback)
{
	return p->ok ? p->value : fallback;
}

/* Index of value among choices, or -1 after reporting that it is none. */
static int choose(struct checker *c, const char *path, const char *property, const char *value,
		  const char *const *choices, size_t count)
{
	char list[MESSAGE_LENGTH / 2] = "";

	for (size_t i = 0; i < count; i++)
		if (strcmp(value, choices[i]) == 0)
			return (int)i;
	for (size_t i = 0; i < count; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 choices[i]);
	problem(c, path, property, "'%s' is not one of %s", value, list);
	return -1;
}

/* Report every child of node (at path): for nodes that have none. */
static void no_children(struct checker *c, int node, const char *path)
{
	char child_at[PATH_LENGTH];
	int child;

	fdt_for_each_subnode(child, c->blob, node)
	{
		problem(c, child_path(c, path, child, child_at), "", "unknown node");
	}
}

/* ----------------------------------------------------- property values */

static bool valid_name(const char *name)
{
	size_t length = strlen(name);
	if (length == 0 || length > CONFIG_NAME_MAX)
		return false;
	for (; *name != '\0'; name++)
		if (!isalnum((unsigned char)*name) && strchr(",._+-", *name) == NULL)
			return false;
	return true;
}

static bool is_module(const struct config_limits *limits, const char *name)
{
	for (size_t i = 0; i < limits->module_count; i++)
		if (strcmp(limits->modules[i], name) == 0)
			return true;
	return false;
}

/* The image property of the node at path: must name a boot module. */
static const char *check_image(struct checker *c, const char *path, const struct property *p)
{
	char list[MODULE_LIST_LENGTH] = "";

	if (!p->ok)
		return NULL;
	if (is_module(c->limits, p->value))
		return p->value;
	for (size_t i = 0; i < c->limits->module_count && strlen(list) + 1 < sizeof(list); i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 c->limits->modules[i]);
	problem(c, path, "image", "no boot module named '%s' (modules: %s)", (const char *)p->value,
		c->limits->module_count ? list : "none");
	return NULL;
}

static uint32_t check_priority(struct checker *c, const char *path, const struct property *p)
{
	uint32_t priority = u32_or(p, 0);

	if (p->ok && priority >= c->limits->root_priority)
		problem(c, path, "priority", "%u is not below the root task's priority %u",
			priority, c->limits->root_priority);
	return priority;
}

/*
 * Read the ranges of an io-ports (TYPE_PAIRS32) or mmio (TYPE_PAIRS64)
 * property into out[], at most CONFIG_MAX_RANGES; returns how many are
 * usable. MMIO ranges are page-aligned and below the physical address
 * limit, port ranges inside the 64 Ki ports; none is empty or wraps.
 */
static unsigned read_ranges(struct checker *c, const char *path, const char *name,
			    const struct property *p, struct config_range *out)
{
	bool mmio = strcmp(name, "mmio") == 0;
	uint64_t limit = mmio ? PHYSICAL_ADDRESS_LIMIT : IO_PORT_LIMIT;
	unsigned count = p->ok ? (unsigned)p->len / (mmio ? 16 : 8) : 0;
	unsigned kept = 0;

	if (count > CONFIG_MAX_RANGES) {
		problem(c, path, name, "%u ranges, at most %u", count, CONFIG_MAX_RANGES);
		return 0;
	}
	for (unsigned i = 0; i < count; i++) {
		struct config_range r;
		const char *why = NULL;
		if (mmio) {
			r.base = fdt64_ld((const fdt64_t *)p->value + 2 * i);
			r.size = fdt64_ld((const fdt64_t *)p->value + 2 * i + 1);
		} else {
			r.base = cell(p, 2 * i);
			r.size = cell(p, 2 * i + 1);
		}
		if (r.size == 0)
			why = "is empty";
		else if (r.base > limit || r.size > limit - r.base)
			why = mmio ? "ends above the 52-bit physical address limit"
				   : "ends above port 0xffff";
		else if (mmio && (r.base % CONFIG_PAGE_SIZE || r.size % CONFIG_PAGE_SIZE))
			why = "is not 4 KiB aligned (base and size)";
		if (why != NULL)
			problem(c, path, name, "range %u [%#llx, +%#llx) %s", i,
				(unsigned long long)r.base, (unsigned long long)r.size, why);
		else
			out[kept++] = r;
	}
	return kept;
}

/*
 * Walk the children of node (at path) that hold up to max entries of one
 * kind (tasks, interrupts, vCPUs...): calls read(c, child, child's path,
 * index) for each, with index counting up from *count, and reports the
 * node's properties (it has none), names that could not be a task's, and
 * children beyond max. read returns whether the entry is kept.
 */
static void read_entries(struct checker *c, int node, const char *path, unsigned max,
			 const char *what, unsigned *count,
			 bool (*read)(struct checker *c, int node, const char *path, void *entries,
				      unsigned index),
			 void *entries)
{
	char at[PATH_LENGTH];
	int child;

	read_properties(c, node, path, NULL, 0, NULL);
	fdt_for_each_subnode(child, c->blob, node)
	{
		if (*count == max) {
			problem(c, path, "", "more than %u %s", max, what);
			return;
		}
		child_path(c, path, child, at);
		if (!valid_name(fdt_get_name(c->blob, child, NULL)))
			problem(c, at, "",
				"name must be 1 to %u of A-Z a-z 0-9 , . _ + - (no unit address)",
				CONFIG_NAME_MAX);
		if (read(c, child, at, entries, *count))
			(*count)++;
	}
}

/*
 * Walk the children of node (at path) that are sections, each allowed at
 * most once: names[i] is read by read(c, child, path, i). Others are
 * unknown nodes.
 */
static void read_sections(struct checker *c, int node, const char *path, const char *const *names,
			  unsigned count,
			  void (*read)(struct checker *c, int node, const char *path,
				       unsigned section, void *data),
			  void *data)
{
	char at[PATH_LENGTH];
	bool seen[4] = {false};
	int child;

	fdt_for_each_subnode(child, c->blob, node)
	{
		const char *name = fdt_get_name(c->blob, child, NULL);
		unsigned i;
		for (i = 0; i < count && strcmp(name, names[i]) != 0; i++)
			;
		child_path(c, path, child, at);
		if (i == count) {
			problem(c, at, "", "unknown node");
		} else if (seen[i]) {
			problem(c, at, "", "defined more than once");
		} else {
			seen[i] = true;
			read(c, child, at, i, data);
		}
	}
}

/* ---------------------------------------------------------------- tasks */

enum {
	IRQ_GSI,
	IRQ_MSI,
	IRQ_HPET,
	IRQ_TRIGGER,
	IRQ_POLARITY,
	IRQ_VECTORS,
	IRQ_DELIVERY,
	IRQ_PROPERTIES
};

static const struct property_spec interrupt_specs[IRQ_PROPERTIES] = {
    [IRQ_GSI] = {"gsi", TYPE_CELLS, 1, false},
    [IRQ_MSI] = {"msi", TYPE_CELLS, 3, false},
    [IRQ_HPET] = {"hpet-comparator", TYPE_CELLS, 1, false},
    [IRQ_TRIGGER] = {"trigger", TYPE_STRING, 0, false},
    [IRQ_POLARITY] = {"polarity", TYPE_STRING, 0, false},
    [IRQ_VECTORS] = {"vectors", TYPE_CELLS, 1, false},
    [IRQ_DELIVERY] = {"delivery", TYPE_STRING, 0, false},
};

/* The property an interrupt kind owns besides its number: trigger and
 * polarity for gsi, vectors for msi, delivery for hpet-comparator. */
static const unsigned irq_owner[IRQ_PROPERTIES] = {
    [IRQ_TRIGGER] = IRQ_GSI,
    [IRQ_POLARITY] = IRQ_GSI,
    [IRQ_VECTORS] = IRQ_MSI,
    [IRQ_DELIVERY] = IRQ_HPET,
};

static bool read_msi(struct checker *c, const char *path, const struct property *p,
		     struct config_interrupt *irq)
{
	uint32_t bus = cell(&p[IRQ_MSI], 0), device = cell(&p[IRQ_MSI], 1);
	uint32_t function = cell(&p[IRQ_MSI], 2);
	bool ok = true;

	irq->kind = CONFIG_IRQ_MSI;
	irq->vectors = u32_or(&p[IRQ_VECTORS], 1);
	if (bus > 255 || device >= PCI_DEVICES || function >= PCI_FUNCTIONS) {
		problem(c, path, "msi",
			"<%u %u %u> is no PCI function <bus 0..255 device 0..31 function 0..7>",
			bus, device, function);
		ok = false;
	}
	irq->bus = (uint8_t)bus;
	irq->device = (uint8_t)device;
	irq->function = (uint8_t)function;
	if (irq->vectors == 0 || irq->vectors > MSI_VECTORS_MAX ||
	    (irq->vectors & (irq->vectors - 1)) != 0) {
		problem(c, path, "vectors", "%u is not a power of two from 1 to %u", irq->vectors,
			MSI_VECTORS_MAX);
		ok = false;
	}
	return ok;
}

/* One child of a task's interrupts node; kept if usable. */
static bool read_interrupt(struct checker *c, int node, const char *path, void *entries,
			   unsigned index)
{
	struct config_interrupt *irq = (struct config_interrupt *)entries + index;
	struct property p[IRQ_PROPERTIES];
	bool ok = true;

	read_properties(c, node, path, interrupt_specs, IRQ_PROPERTIES, p);
	no_children(c, node, path);
	*irq = (struct config_interrupt){.name = fdt_get_name(c->blob, node, NULL), .vectors = 1};
	int kinds = p[IRQ_GSI].ok + p[IRQ_MSI].ok + p[IRQ_HPET].ok;
	if (kinds != 1) {
		problem(c, path, "",
			kinds ? "has more than one of gsi, msi, hpet-comparator"
			      : "needs one of gsi, msi, hpet-comparator");
		return false;
	}
	for (int i = IRQ_TRIGGER; i < IRQ_PROPERTIES; i++) {
		if (p[i].ok && !p[irq_owner[i]].ok) {
			problem(c, path, interrupt_specs[i].name, "only for %s interrupts",
				interrupt_specs[irq_owner[i]].name);
			ok = false;
		}
	}
	if (p[IRQ_MSI].ok)
		return read_msi(c, path, p, irq) && ok;
	if (p[IRQ_HPET].ok) {
		irq->kind = CONFIG_IRQ_HPET;
		irq->number = cell(&p[IRQ_HPET], 0);
		if (irq->number >= HPET_COMPARATORS) {
			problem(c, path, "hpet-comparator", "%u is not below %u", irq->number,
				HPET_COMPARATORS);
			ok = false;
		}
		int delivery = choose(c, path, "delivery", string_or(&p[IRQ_DELIVERY], "ioapic"),
				      delivery_names, COUNT(delivery_names));
		irq->message = delivery == 1;
		return ok && delivery >= 0;
	}
	irq->kind = CONFIG_IRQ_GSI;
	irq->number = cell(&p[IRQ_GSI], 0);
	int trigger = choose(c, path, "trigger", string_or(&p[IRQ_TRIGGER], "edge"), trigger_names,
			     COUNT(trigger_names));
	int polarity = choose(c, path, "polarity", string_or(&p[IRQ_POLARITY], "high"),
			      polarity_names, COUNT(polarity_names));
	irq->level = trigger == 1;
	irq->active_low = polarity == 1;
	return ok && trigger >= 0 && polarity >= 0;
}

enum {
	TASK_IMAGE,
	TASK_PRIORITY,
	TASK_CPU,
	TASK_SLICE,
	TASK_MEMORY,
	TASK_ARGUMENTS,
	TASK_CONNECT,
	TASK_MMIO,
	TASK_PORTS,
	TASK_HEAP,
	TASK_PROPERTIES
};

static const struct property_spec task_specs[TASK_PROPERTIES] = {
    [TASK_IMAGE] = {"image", TYPE_STRING, 0, true},
    [TASK_PRIORITY] = {"priority", TYPE_CELLS, 1, true},
    [TASK_CPU] = {"cpu", TYPE_CELLS, 1, false},
    [TASK_SLICE] = {"time-slice-us", TYPE_CELLS, 1, false},
    [TASK_MEMORY] = {"memory-pages", TYPE_CELLS, 1, true},
    [TASK_ARGUMENTS] = {"arguments", TYPE_STRINGS, 0, false},
    [TASK_CONNECT] = {"connect", TYPE_STRINGS, 0, false},
    [TASK_MMIO] = {"mmio", TYPE_PAIRS64, 0, false},
    [TASK_PORTS] = {"io-ports", TYPE_PAIRS32, 0, false},
    [TASK_HEAP] = {"heap-pages", TYPE_CELLS, 1, false},
};

/* Ceiling of a / b. */
static uint64_t pages_for(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/*
 * A heap-pages the task gives fits the address space of a started task,
 * and the task's quota (when it has one) pays at least the page tables
 * and mapping nodes of the heap alone. Its user memory is counted with
 * the others' in check_memory.
 */
static bool check_heap(struct checker *c, const char *path, const struct config_task *task,
		       bool has_quota)
{
	uint32_t heap = task->heap_pages;

	if (heap == 0 || heap > CONFIG_MAX_HEAP_PAGES) {
		problem(c, path, "heap-pages", "%u is outside 1..%u", heap, CONFIG_MAX_HEAP_PAGES);
		return false;
	}
	uint64_t tables = 2 * pages_for(heap, CONFIG_PAGE_TABLE_ENTRIES);
	uint64_t nodes = pages_for(heap, CONFIG_NODES_PER_PAGE);
	if (has_quota && task->memory_pages < tables + nodes)
		problem(c, path, "heap-pages",
			"%u pages need %llu kernel pages to be mapped (%llu for page tables, %llu "
			"for mapping nodes), memory-pages is %u",
			heap, (unsigned long long)(tables + nodes), (unsigned long long)tables,
			(unsigned long long)nodes, task->memory_pages);
	return true;
}

/* A child of /tasks or /vms: the root task has its own name. */
static void check_name(struct checker *c, const char *path, const char *name)
{
	if (strcmp(name, "root") == 0)
		problem(c, path, "", "'root' is the root task's own name");
}

static void read_task_section(struct checker *c, int node, const char *path, unsigned section,
			      void *task)
{
	(void)section; /* only "interrupts" */
	read_entries(c, node, path, CONFIG_MAX_INTERRUPTS, "interrupts",
		     &((struct config_task *)task)->interrupt_count, read_interrupt,
		     ((struct config_task *)task)->interrupts);
}

/* One child of /tasks; always kept, so that the cross-node checks see it. */
static bool read_task(struct checker *c, int node, const char *path, void *entries, unsigned index)
{
	static const char *const sections[] = {"interrupts"};
	struct config_task *task = (struct config_task *)entries + index;
	struct property p[TASK_PROPERTIES];

	read_properties(c, node, path, task_specs, TASK_PROPERTIES, p);
	*task = (struct config_task){.name = fdt_get_name(c->blob, node, NULL)};
	check_name(c, path, task->name);
	task->image = check_image(c, path, &p[TASK_IMAGE]);
	task->priority = check_priority(c, path, &p[TASK_PRIORITY]);
	task->cpu = u32_or(&p[TASK_CPU], 0);
	task->time_slice_us = u32_or(&p[TASK_SLICE], CONFIG_DEFAULT_TIME_SLICE_US);
	if (task->time_slice_us < CONFIG_MIN_TIME_SLICE_US ||
	    task->time_slice_us > CONFIG_MAX_TIME_SLICE_US)
		problem(c, path, "time-slice-us", "must be %u..%u", CONFIG_MIN_TIME_SLICE_US,
			CONFIG_MAX_TIME_SLICE_US);
	task->memory_pages = u32_or(&p[TASK_MEMORY], 0);
	task->heap_pages = u32_or(&p[TASK_HEAP], CONFIG_DEFAULT_HEAP_PAGES);
	if (p[TASK_HEAP].ok && !check_heap(c, path, task, p[TASK_MEMORY].ok))
		task->heap_pages = 0; /* so that no sum of memory is over because of it */
	if (p[TASK_ARGUMENTS].ok)
		task->arguments =
		    (struct config_strings){p[TASK_ARGUMENTS].value, p[TASK_ARGUMENTS].len};
	if (p[TASK_CONNECT].ok)
		c->connect[index] =
		    (struct config_strings){p[TASK_CONNECT].value, p[TASK_CONNECT].len};
	task->mmio_count = read_ranges(c, path, "mmio", &p[TASK_MMIO], task->mmio);
	task->port_count = read_ranges(c, path, "io-ports", &p[TASK_PORTS], task->ports);
	read_sections(c, node, path, sections, COUNT(sections), read_task_section, task);
	return true;
}

/* ------------------------------------------------------------------ VMs */

enum { VCPU_PRIORITY, VCPU_CPU, VCPU_PROPERTIES };

static const struct property_spec vcpu_specs[VCPU_PROPERTIES] = {
    [VCPU_PRIORITY] = {"priority", TYPE_CELLS, 1, true},
    [VCPU_CPU] = {"cpu", TYPE_CELLS, 1, false},
};

static bool read_vcpu(struct checker *c, int node, const char *path, void *entries, unsigned index)
{
	struct property p[VCPU_PROPERTIES];

	read_properties(c, node, path, vcpu_specs, VCPU_PROPERTIES, p);
	no_children(c, node, path);
	((struct config_vcpu *)entries)[index] = (struct config_vcpu){
	    .name = fdt_get_name(c->blob, node, NULL),
	    .priority = check_priority(c, path, &p[VCPU_PRIORITY]),
	    .cpu = u32_or(&p[VCPU_CPU], 0),
	};
	return true;
}

enum { DEVICE_TYPE, DEVICE_INTERRUPT, DEVICE_MMIO, DEVICE_PORTS, DEVICE_PROPERTIES };

static const struct property_spec device_specs[DEVICE_PROPERTIES] = {
    [DEVICE_TYPE] = {"type", TYPE_STRING, 0, true},
    [DEVICE_INTERRUPT] = {"interrupt", TYPE_CELLS, 1, false},
    [DEVICE_MMIO] = {"mmio", TYPE_PAIRS64, 0, false},
    [DEVICE_PORTS] = {"io-ports", TYPE_PAIRS32, 0, false},
};

static bool read_device(struct checker *c, int node, const char *path, void *entries,
			unsigned index)
{
	struct config_device *d = (struct config_device *)entries + index;
	struct property p[DEVICE_PROPERTIES];

	read_properties(c, node, path, device_specs, DEVICE_PROPERTIES, p);
	no_children(c, node, path);
	*d = (struct config_device){.name = fdt_get_name(c->blob, node, NULL)};
	if (p[DEVICE_TYPE].ok &&
	    choose(c, path, "type", p[DEVICE_TYPE].value, device_types, COUNT(device_types)) >= 0)
		d->type = p[DEVICE_TYPE].value;
	d->has_interrupt = p[DEVICE_INTERRUPT].ok;
	d->interrupt = u32_or(&p[DEVICE_INTERRUPT], 0);
	d->mmio_count = read_ranges(c, path, "mmio", &p[DEVICE_MMIO], d->mmio);
	d->port_count = read_ranges(c, path, "io-ports", &p[DEVICE_PORTS], d->ports);
	return true;
}

enum { VM_IMAGE, VM_MEMORY, VM_INTERCEPTS, VM_PROPERTIES };

static const struct property_spec vm_specs[VM_PROPERTIES] = {
    [VM_IMAGE] = {"image", TYPE_STRING, 0, true},
    [VM_MEMORY] = {"memory-size", TYPE_SIZE, 0, true},
    [VM_INTERCEPTS] = {"intercepts", TYPE_STRINGS, 0, false},
};

static void read_intercepts(struct checker *c, const char *path, const struct property *p,
			    struct config_vm *vm)
{
	const char *list = p->value;

	for (int at = 0; p->ok && at < p->len; at += (int)strlen(list + at) + 1) {
		int which = choose(c, path, "intercepts", list + at, config_intercept_names,
				   CONFIG_INTERCEPT_COUNT);
		if (which < 0)
			continue;
		if (vm->intercepts & (1u << which))
			problem(c, path, "intercepts", "'%s' listed twice", list + at);
		vm->intercepts |= 1u << which;
	}
}

static void read_vm_section(struct checker *c, int node, const char *path, unsigned section,
			    void *data)
{
	struct config_vm *vm = data;

	if (section == 0)
		read_entries(c, node, path, CONFIG_MAX_VCPUS, "vCPUs", &vm->vcpu_count, read_vcpu,
			     vm->vcpus);
	else
		read_entries(c, node, path, CONFIG_MAX_DEVICES, "devices", &vm->device_count,
			     read_device, vm->devices);
}

/* One child of /vms; always kept. */
static bool read_vm(struct checker *c, int node, const char *path, void *entries, unsigned index)
{
	static const char *const sections[] = {"vcpus", "devices"};
	struct config_vm *vm = (struct config_vm *)entries + index;
	struct property p[VM_PROPERTIES];

	read_properties(c, node, path, vm_specs, VM_PROPERTIES, p);
	*vm = (struct config_vm){.name = fdt_get_name(c->blob, node, NULL)};
	check_name(c, path, vm->name);
	vm->image = check_image(c, path, &p[VM_IMAGE]);
	if (p[VM_MEMORY].ok) {
		vm->memory_bytes = size_value(&p[VM_MEMORY]);
		if (vm->memory_bytes == 0 || vm->memory_bytes % CONFIG_PAGE_SIZE != 0 ||
		    vm->memory_bytes >= PHYSICAL_ADDRESS_LIMIT)
			problem(c, path, "memory-size",
				"%#llx is not a non-zero multiple of 4 KiB below 2^52",
				(unsigned long long)vm->memory_bytes);
	}
	read_intercepts(c, path, &p[VM_INTERCEPTS], vm);
	read_sections(c, node, path, sections, COUNT(sections), read_vm_section, vm);
	if (vm->vcpu_count == 0)
		problem(c, path, "", "needs a vcpus node with one vCPU or more");
	return true;
}

/* ------------------------------------------------------------- scenario */

enum {
	SCENARIO_BENCHMARK,
	SCENARIO_LOAD,
	SCENARIO_MODE,
	SCENARIO_SAMPLES,
	SCENARIO_REPORT,
	SCENARIO_SEED,
	SCENARIO_OFFSETS,
	SCENARIO_PERIOD,
	SCENARIO_IPC_ROUNDS,
	SCENARIO_KERNEL,
	SCENARIO_PROPERTIES
};

static const struct property_spec scenario_specs[SCENARIO_PROPERTIES] = {
    [SCENARIO_BENCHMARK] = {"benchmark", TYPE_STRING, 0, true},
    [SCENARIO_LOAD] = {"load", TYPE_STRING, 0, false},
    [SCENARIO_MODE] = {"mode", TYPE_STRING, 0, false},
    [SCENARIO_SAMPLES] = {"samples", TYPE_CELLS, 1, true},
    [SCENARIO_REPORT] = {"report", TYPE_STRING, 0, false},
    /* The benchmark's own settings (bench/scenario.c reads them). */
    [SCENARIO_SEED] = {"seed", TYPE_CELLS, 1, false},
    [SCENARIO_OFFSETS] = {"offset-ns", TYPE_CELLS, 2, false},
    [SCENARIO_PERIOD] = {"period-ns", TYPE_CELLS, 1, false},
    [SCENARIO_IPC_ROUNDS] = {"ipc-rounds", TYPE_CELLS, 1, false},
    [SCENARIO_KERNEL] = {"kernel", TYPE_STRING, 0, false},
};

/* Each of the cells of p (if present) is in [min, max]. */
static void check_cells(struct checker *c, const char *path, const struct property *p,
			const char *name, unsigned cells, uint32_t min, uint32_t max)
{
	for (unsigned i = 0; p->ok && i < cells; i++)
		if (cell(p, i) < min || cell(p, i) > max)
			problem(c, path, name, "%u is outside %u..%u", cell(p, i), min, max);
}

/* The values the benchmark takes (bench/scenario.c, doc/benchmarks.md). */
static void check_benchmark_values(struct checker *c, const char *path, const struct property *p)
{
	const struct property *offsets = &p[SCENARIO_OFFSETS];

	check_cells(c, path, &p[SCENARIO_SAMPLES], "samples", 1, 1, CONFIG_MAX_SAMPLES);
	check_cells(c, path, offsets, "offset-ns", 2, CONFIG_MIN_BENCH_NS, CONFIG_MAX_BENCH_NS);
	if (offsets->ok && cell(offsets, 0) > cell(offsets, 1))
		problem(c, path, "offset-ns", "minimum %u above maximum %u", cell(offsets, 0),
			cell(offsets, 1));
	check_cells(c, path, &p[SCENARIO_PERIOD], "period-ns", 1, CONFIG_MIN_BENCH_NS,
		    CONFIG_MAX_BENCH_NS);
	check_cells(c, path, &p[SCENARIO_IPC_ROUNDS], "ipc-rounds", 1, 0, CONFIG_MAX_IPC_ROUNDS);
}

static void read_scenario(struct checker *c, int node, const char *path)
{
	struct property p[SCENARIO_PROPERTIES];
	struct config_scenario *s = &c->plan->scenario;

	read_properties(c, node, path, scenario_specs, SCENARIO_PROPERTIES, p);
	no_children(c, node, path);
	s->present = true;
	s->benchmark = string_or(&p[SCENARIO_BENCHMARK], NULL);
	s->load = string_or(&p[SCENARIO_LOAD], "none");
	s->mode = string_or(&p[SCENARIO_MODE], "oneshot");
	s->report = string_or(&p[SCENARIO_REPORT], "full");
	s->samples = u32_or(&p[SCENARIO_SAMPLES], 0);
	if (s->benchmark != NULL)
		choose(c, path, "benchmark", s->benchmark, benchmark_names, COUNT(benchmark_names));
	choose(c, path, "load", s->load, load_names, COUNT(load_names));
	choose(c, path, "mode", s->mode, mode_names, COUNT(mode_names));
	choose(c, path, "report", s->report, report_names, COUNT(report_names));
	choose(c, path, "kernel", string_or(&p[SCENARIO_KERNEL], "standard"), kernel_names,
	       COUNT(kernel_names));
	check_benchmark_values(c, path, p);
}

/* ----------------------------------------------------------------- root */

enum { ROOT_COMPATIBLE, ROOT_PROPERTIES };

static const struct property_spec root_specs[ROOT_PROPERTIES] = {
    [ROOT_COMPATIBLE] = {"compatible", TYPE_STRING, 0, true},
};

static void read_root_section(struct checker *c, int node, const char *path, unsigned section,
			      void *data)
{
	struct config_plan *plan = data;

	if (section == 0)
		read_scenario(c, node, path);
	else if (section == 1)
		read_entries(c, node, path, CONFIG_MAX_TASKS, "tasks", &plan->task_count, read_task,
			     plan->tasks);
	else
		read_entries(c, node, path, CONFIG_MAX_VMS, "VMs", &plan->vm_count, read_vm,
			     plan->vms);
}

static void read_root(struct checker *c)
{
	static const char *const sections[] = {"scenario", "tasks", "vms"};
	struct property p[ROOT_PROPERTIES];

	read_properties(c, 0, "/", root_specs, ROOT_PROPERTIES, p);
	if (p[ROOT_COMPATIBLE].ok && strcmp(p[ROOT_COMPATIBLE].value, "vireo,scenario") != 0)
		problem(c, "/", "compatible", "'%s' is not \"vireo,scenario\"",
			(const char *)p[ROOT_COMPATIBLE].value);
	read_sections(c, 0, "/", sections, COUNT(sections), read_root_section, c->plan);
}

/* ---------------------------------------------------------------- entry */

/*
 * The offset in the structure block of the first property whose length
 * runs past the block's end, or -1 when there is none. libfdt 1.6.1's
 * fdt_next_tag adds a property's length to an int offset unchecked: a
 * length such as 0xfffffff4 brings it back to the same tag, and
 * fdt_check_full then walks forever (found by fuzz-config; fixed upstream
 * in dtc 1.7.0, "libfdt: prevent integer overflow in fdt_next_tag"). The
 * tags are those of the Devicetree Specification v0.4 §5.4; anything else
 * wrong stops this walk and is left to fdt_check_full. Expects a header
 * fdt_check_header accepted, so the block lies inside the blob.
 */
static long overlong_property(const void *blob)
{
	const uint8_t *block = (const uint8_t *)blob + fdt_off_dt_struct(blob);
	uint32_t size = fdt_size_dt_struct(blob), offset = 0;

	while (offset <= size && size - offset >= FDT_TAGSIZE) {
		uint32_t start = offset, tag = fdt32_ld((const fdt32_t *)(block + offset));
		offset += FDT_TAGSIZE;
		if (tag == FDT_BEGIN_NODE) {
			const uint8_t *end = memchr(block + offset, '\0', size - offset);
			if (end == NULL)
				return -1;
			offset = (uint32_t)(end - block) + 1;
		} else if (tag == FDT_PROP) {
			/* struct fdt_property: tag, len, nameoff, then the value. */
			if (size - offset < 2 * FDT_TAGSIZE)
				return -1;
			uint32_t len = fdt32_ld((const fdt32_t *)(block + offset));
			offset += 2 * FDT_TAGSIZE;
			if (len > size - offset)
				return start;
			offset += len;
		} else if (tag != FDT_END_NODE && tag != FDT_NOP) {
			return -1;
		}
		offset = (offset + FDT_TAGSIZE - 1) & ~(uint32_t)(FDT_TAGSIZE - 1);
	}
	return -1;
}

/* Check the header and the whole structure block; true when usable. */
static bool check_blob(struct checker *c, size_t size)
{
	int error;

	/* fdt_check_header reads the whole fixed header. */
	if (size < sizeof(struct fdt_header)) {
		problem(c, "dtb", "size", "%zu bytes, shorter than a device tree header", size);
		return false;
	}
	error = fdt_check_header(c->blob);
	if (error != 0) {
		problem(c, "dtb", "header", "%s", fdt_strerror(error));
		return false;
	}
	/* The specification's version (Devicetree Specification v0.4 §5.2:
	 * "shall contain the value 17"), which dtc writes. Older layouts
	 * crash libfdt 1.6.1's fdt_check_full (a NULL read, found by
	 * fuzz-config). */
	if (fdt_version(c->blob) != DTB_VERSION) {
		problem(c, "dtb", "header", "version %u, not %u", fdt_version(c->blob),
			DTB_VERSION);
		return false;
	}
	if (fdt_totalsize(c->blob) > size) {
		problem(c, "dtb", "size", "header's totalsize %u is past the end (%zu bytes)",
			fdt_totalsize(c->blob), size);
		return false;
	}
	long property = overlong_property(c->blob);
	if (property >= 0) {
		problem(c, "dtb", "structure", "the property at offset %ld runs past the block",
			property);
		return false;
	}
	error = fdt_check_full(c->blob, size);
	if (error != 0) {
		problem(c, "dtb", "structure", "%s", fdt_strerror(error));
		return false;
	}
	return true;
}

unsigned config_check(const void *blob, size_t size, const struct config_limits *limits,
		      struct config_plan *plan, config_report_fn *report, void *context)
{
	struct checker c = {
	    .blob = blob, .limits = limits, .plan = plan, .report = report, .context = context};

	memset(plan, 0, sizeof(*plan));
	if (!check_blob(&c, size))
		return c.problems;
	read_root(&c);
	check_names(&c);
	check_connections(&c);
	check_interrupts(&c);
	check_ranges(&c);
	check_memory(&c);
	return c.problems;
}
