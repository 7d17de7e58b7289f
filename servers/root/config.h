/*
 * The boot configuration: a flattened device tree (compiled by dtc from a
 * .dts file in bench/scenarios/) that GRUB loads as the module named
 * `config`. doc/configuration.md is the schema: every node and property.
 *
 * config_check() validates the whole blob before anything is started and
 * turns it into a `struct config_plan`: the tasks, their resources, the
 * virtual machines and the benchmark scenario. It reports every problem it
 * finds (node path, property name, what is wrong) through a callback, and
 * the plan may only be used when it found none. The same source file is
 * built into the root task and into the host tool build/host/vireo-check,
 * which checks every scenario at build time (servers/root/check_main.c).
 */
#ifndef ROOT_CONFIG_H
#define ROOT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The root task's priority (kernel/include/roottask.h ROOT_PRIORITY; the
 * host test checks they agree). Every task and vCPU must be below it. */
#define CONFIG_ROOT_PRIORITY 255

/* Longest task name, without the NUL (kernel/include/task.h
 * TASK_NAME_MAX - 1, the limit of sys_task_create). */
#define CONFIG_NAME_MAX 31

/* Time slice when a task gives none, and the range the kernel's
 * thread_configure takes (TIME_SLICE_DEFAULT_NS, _MIN_NS, _MAX_NS in
 * uapi/vireo/syscall.h; the host test checks they agree). */
#define CONFIG_DEFAULT_TIME_SLICE_US 10000u
#define CONFIG_MIN_TIME_SLICE_US     10u
#define CONFIG_MAX_TIME_SLICE_US     10000000u

/* A task's heap in 4 KiB pages (`heap-pages`): 256 KiB when the task gives
 * none; at most what fits between the heap's start and the start-up block
 * of a started task's address space (<vireo/startinfo.h>,
 * [STARTINFO_HEAP, STARTINFO_ADDRESS) = [256 MiB, 1022 MiB); start.c
 * checks they agree). */
#define CONFIG_DEFAULT_HEAP_PAGES 64u
#define CONFIG_MAX_HEAP_PAGES	  196096u

/* User memory pages every started task gets besides its program and heap:
 * its stack (16) and its start-up block (2) (start.c checks they agree
 * with <vireo/startinfo.h>). */
#define CONFIG_TASK_FIXED_PAGES 18u

/* What mapping the heap costs the task's kernel memory quota
 * (doc/memory.md, "What memory costs"): a page table and its node table
 * (2 pages) per 512 pages (a page table's entries, Intel SDM vol. 3A
 * §4.5), and a page of mapping nodes per 84 pages (85 nodes of 48 bytes
 * in a page, the first links the pages; the host test checks it against
 * kernel/include/mapdb.h). */
#define CONFIG_PAGE_TABLE_ENTRIES 512u
#define CONFIG_NODES_PER_PAGE	  84u

/* How much one plan holds; a blob asking for more is rejected. */
#define CONFIG_MAX_TASKS       32
#define CONFIG_MAX_VMS	       8
#define CONFIG_MAX_RANGES      16 /* MMIO ranges, port ranges: per task or device */
#define CONFIG_MAX_INTERRUPTS  16 /* per task */
#define CONFIG_MAX_CONNECTIONS 16 /* per task */
#define CONFIG_MAX_VCPUS       16 /* per VM */
#define CONFIG_MAX_DEVICES     16 /* virtual devices per VM */

/* Pages are 4 KiB: MMIO ranges and guest memory are multiples of one. */
#define CONFIG_PAGE_SIZE 4096u

/* A string list property (`arguments = "a", "b"`): len bytes of
 * NUL-terminated strings inside the blob. */
struct config_strings {
	const char *data;
	int len;
};

/* A base and a size, both in bytes (MMIO) or port numbers (I/O). */
struct config_range {
	uint64_t base;
	uint64_t size;
};

enum config_interrupt_kind {
	CONFIG_IRQ_GSI,	 /* an IOAPIC input (global system interrupt) */
	CONFIG_IRQ_MSI,	 /* message-signalled, from one PCI function */
	CONFIG_IRQ_HPET, /* one HPET comparator */
};

struct config_interrupt {
	const char *name; /* the node's name: how the task asks for it */
	enum config_interrupt_kind kind;
	uint32_t number;	       /* GSI, or HPET comparator */
	bool level;		       /* GSI: level-triggered (else edge) */
	bool active_low;	       /* GSI: active low (else high) */
	uint8_t bus, device, function; /* MSI: the PCI function */
	uint32_t vectors;	       /* MSI: how many vectors */
	bool message;		       /* HPET: delivered as a message (delivery = "msi") */
};

struct config_task {
	const char *name;  /* the node's name, unique among tasks and VMs */
	const char *image; /* a boot module's name */
	uint32_t priority;
	uint32_t cpu;
	uint32_t time_slice_us;
	uint32_t memory_pages; /* kernel memory quota, 4 KiB pages */
	uint32_t heap_pages;   /* user memory for its heap, 4 KiB pages */
	struct config_strings arguments;
	unsigned interrupt_count, mmio_count, port_count, connection_count;
	struct config_interrupt interrupts[CONFIG_MAX_INTERRUPTS];
	struct config_range mmio[CONFIG_MAX_RANGES];
	struct config_range ports[CONFIG_MAX_RANGES];
	unsigned connections[CONFIG_MAX_CONNECTIONS]; /* indices into tasks[] */
};

/* Instructions a VM may have intercepted (bits of config_vm.intercepts). */
enum config_intercept {
	CONFIG_INTERCEPT_WBINVD,
	CONFIG_INTERCEPT_HLT,
	CONFIG_INTERCEPT_PAUSE,
	CONFIG_INTERCEPT_RDTSC,
	CONFIG_INTERCEPT_RDPMC,
	CONFIG_INTERCEPT_INVLPG,
	CONFIG_INTERCEPT_MONITOR,
	CONFIG_INTERCEPT_MWAIT,
	CONFIG_INTERCEPT_COUNT
};

struct config_vcpu {
	const char *name;
	uint32_t priority;
	uint32_t cpu;
};

struct config_device {
	const char *name;
	const char *type; /* one of the device models, config_device_types */
	bool has_interrupt;
	uint32_t interrupt; /* the guest's GSI */
	unsigned mmio_count, port_count;
	struct config_range mmio[CONFIG_MAX_RANGES];  /* guest physical */
	struct config_range ports[CONFIG_MAX_RANGES]; /* guest ports */
};

struct config_vm {
	const char *name;
	const char *image;     /* the guest's boot module */
	uint64_t memory_bytes; /* guest RAM */
	uint32_t intercepts;   /* 1 << enum config_intercept */
	unsigned vcpu_count, device_count;
	struct config_vcpu vcpus[CONFIG_MAX_VCPUS];
	struct config_device devices[CONFIG_MAX_DEVICES];
};

/*
 * The benchmark's settings in /scenario: the values the benchmark
 * (bench/scenario.c) accepts, so that a scenario it would refuse fails the
 * build (the host test reads the same files with both). Offsets and the
 * period are 1 us .. 1 s, so that no sample waits long.
 */
#define CONFIG_MAX_SAMPLES    10000000u
#define CONFIG_MIN_BENCH_NS   1000u
#define CONFIG_MAX_BENCH_NS   1000000000u
#define CONFIG_MAX_IPC_ROUNDS 10000000u

/* The /scenario node: which benchmark runs and how. */
struct config_scenario {
	bool present;
	const char *benchmark;
	const char *load; /* busy | cache | ipc | none */
	const char *mode; /* oneshot | periodic */
	uint32_t samples;
	const char *report; /* full | short */
};

struct config_plan {
	struct config_scenario scenario;
	unsigned task_count, vm_count;
	struct config_task tasks[CONFIG_MAX_TASKS];
	struct config_vm vms[CONFIG_MAX_VMS];
	uint64_t kernel_pages; /* the tasks' quotas together */
	uint64_t guest_pages;  /* the VMs' memory together */
	uint64_t task_pages;   /* user memory of the tasks' heaps, stacks, start-up blocks */
	uint64_t kernel_limit; /* config_limits.kernel_pages */
	uint64_t user_limit;   /* config_limits.user_pages */
};

/* What the checker cannot learn from the blob: the caller's machine. */
struct config_limits {
	const char *const *modules; /* names of the boot modules */
	size_t module_count;
	uint64_t kernel_pages;	/* 4 KiB pages of kernel memory quota the tasks may take */
	uint64_t user_pages;	/* 4 KiB pages of RAM the guests may take */
	uint32_t root_priority; /* tasks and vCPUs must be below it */
};

/*
 * Called once per problem. path is the node's path ("/tasks/client"), or
 * "dtb" for the blob itself; property is the property's name, or "" when
 * the problem is the node's. message says what is wrong. All three are
 * printable ASCII: bytes from the blob that are not are written \xNN.
 */
typedef void config_report_fn(void *context, const char *path, const char *property,
			      const char *message);

/*
 * Check blob[0..size) against the schema and the limits and fill *plan.
 * The blob is untrusted: its header and structure are checked first
 * (fdt_check_full), and nothing else is read if they are broken. Returns
 * the number of problems reported; the plan is valid only when it is 0.
 * The plan points into the blob for names and strings.
 */
unsigned config_check(const void *blob, size_t size, const struct config_limits *limits,
		      struct config_plan *plan, config_report_fn *report, void *context);

/* The names config_vm.intercepts bits stand for ("wbinvd", ...). */
extern const char *const config_intercept_names[CONFIG_INTERCEPT_COUNT];

/*
 * Print the plan, one line per task, resource, VM, vCPU and device, each
 * line starting with prefix (e.g. "root: plan: "). Uses printf.
 */
void config_plan_print(const struct config_plan *plan, const char *prefix);

#endif
