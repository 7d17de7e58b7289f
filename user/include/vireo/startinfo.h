/*
 * The start-up block: what the root task tells a task it starts
 * (servers/root/start.c), in place of the kernel's boot information that
 * only the root task gets. The root task maps it read-only at
 * STARTINFO_ADDRESS in the new task and starts the task's first thread at
 * the ELF entry with rdi = STARTINFO_ADDRESS; crt0 (user/crt0.c) tells the
 * two kinds of block apart by their magic. doc/servers.md describes the
 * whole start-up; this header is the contract between the root task and
 * the user runtime.
 *
 * Everything a task may use is named here: its arguments, the capability
 * selectors of its IPC connections (by the name of the task it calls), of
 * its service endpoint with the names of its clients, of its interrupts
 * (by the name the configuration gives them), and the addresses of its
 * device registers. A task finds them through <vireo/runtime.h>.
 */
#ifndef VIREO_STARTINFO_H
#define VIREO_STARTINFO_H

#include <stdint.h>
#include <vireo/cap.h>

#define STARTINFO_MAGIC 0x4b534154455649ull /* "VIETASK" */

/* A task's name with its NUL (the kernel's TASK_NAME_MAX). */
#define STARTINFO_NAME_MAX 32

/* What one block holds (servers/root/config.h has the same limits per
 * task, except clients: a server may have one per other task). */
#define STARTINFO_MAX_CONNECTIONS 16
#define STARTINFO_MAX_CLIENTS	  32
#define STARTINFO_MAX_INTERRUPTS  16
#define STARTINFO_MAX_RANGES	  16
#define STARTINFO_ARGUMENTS_MAX	  2048 /* bytes of NUL-terminated arguments */

/*
 * The address space of a started task. All of it sits in the first GiB
 * so that one page directory covers it (three page tables: image, heap,
 * the top block), and the task's quota pays little for tables.
 *
 *   [STARTINFO_IMAGE_BOTTOM, STARTINFO_IMAGE_TOP)  the ELF's PT_LOAD segments
 *   STARTINFO_HEAP, heap_size bytes                heap (newlib's sbrk)
 *   STARTINFO_ADDRESS, 2 pages                     this block, read-only
 *   STARTINFO_UTCB, 1 page                         the first thread's UTCB
 *   below STARTINFO_STACK_TOP, STARTINFO_STACK_SIZE the first thread's stack
 *   BOOTINFO_PHYS_WINDOW + physical address        each MMIO range it was given
 *
 * Unmapped pages separate the block, the UTCB and the stack, and the page
 * at STARTINFO_STACK_TOP stays unmapped: an overflow either way faults.
 */
#define STARTINFO_IMAGE_BOTTOM 0x400000ull
#define STARTINFO_IMAGE_TOP    0x10000000ull
#define STARTINFO_HEAP	       0x10000000ull /* its size: the configuration's heap-pages */
#define STARTINFO_ADDRESS      0x3fe00000ull
#define STARTINFO_PAGES	       2
#define STARTINFO_UTCB	       0x3fe03000ull
#define STARTINFO_STACK_TOP    0x3fff0000ull
#define STARTINFO_STACK_SIZE   0x10000ull /* 64 KiB */

/* An IPC connection: `endpoint` has SEND, with a badge that tells the
 * server which task calls. */
struct startinfo_connection {
	char name[STARTINFO_NAME_MAX]; /* the task this one calls */
	cap_selector endpoint;
};

/* A task that calls this one: the badge its calls arrive with. */
struct startinfo_client {
	char name[STARTINFO_NAME_MAX];
	uint64_t badge;
};

enum startinfo_interrupt_kind {
	STARTINFO_IRQ_GSI = 1, /* an IOAPIC input */
	STARTINFO_IRQ_HPET,    /* an HPET comparator, routed to `gsi` or by message */
	STARTINFO_IRQ_PCI_MSI, /* the message-signalled interrupt of a PCI function */
};

/* Each interrupt signals its own endpoint with badge STARTINFO_IRQ_BADGE. */
#define STARTINFO_IRQ_BADGE 1

/* A PCI function as `number` gives it: bus, device, function in the
 * layout of a PCI requester ID (bus << 8 | device << 3 | function). */
#define STARTINFO_PCI_FUNCTION(bus, device, function)                                              \
	((uint32_t)(bus) << 8 | (uint32_t)(device) << 3 | (uint32_t)(function))

/*
 * An interrupt the task was given. With IRQ_MSI in `flags` (an msi
 * interrupt, or an HPET comparator with delivery "msi") the Irq has no
 * IOAPIC input: the device raises it by writing the 32 bits msi_data to
 * the physical address msi_address (Intel SDM vol. 3A §11.11), which the
 * driver programs into the device (PCI MSI capability, HPET
 * Tn_FSB_INT_ROUTE); `gsi` is 0 then.
 */
struct startinfo_interrupt {
	char name[STARTINFO_NAME_MAX]; /* the configuration's node name */
	uint32_t kind;		       /* enum startinfo_interrupt_kind */
	uint32_t number;	       /* GSI, HPET comparator, or STARTINFO_PCI_FUNCTION */
	uint32_t gsi;		       /* the IOAPIC input the Irq object routes */
	uint32_t flags;	       /* as given to irq_create: IRQ_LEVEL, IRQ_ACTIVE_LOW, IRQ_MSI */
	cap_selector irq;      /* CONTROL: sys_irq_ack */
	cap_selector endpoint; /* RECEIVE: where the interrupt arrives */
	uint64_t msi_address;  /* IRQ_MSI: where the device writes */
	uint32_t msi_data;     /* IRQ_MSI: what it writes */
	uint32_t reserved;
};

/* A device register range, mapped read-write and uncached. */
struct startinfo_mmio {
	uint64_t physical, size; /* as the configuration gives it */
	uint64_t address;	 /* where it is in this task */
};

/* I/O ports [first, first + count) the task may use with IN and OUT. */
struct startinfo_ports {
	uint32_t first, count;
};

struct startinfo {
	uint64_t magic; /* STARTINFO_MAGIC */
	uint64_t size;	/* sizeof(struct startinfo) */
	char name[STARTINFO_NAME_MAX];
	uint64_t heap_start, heap_size; /* bytes, read-write */
	uint64_t utcb;			/* the first thread's UTCB */
	uint64_t tsc_khz;		/* as bootinfo.tsc_khz (0: unknown) */
	/* SEND to the root task, badged with this task: the runtime's exit
	 * report (struct startinfo_exit) goes there. */
	cap_selector parent;
	/* RECEIVE on the endpoint this task's clients call; NO_SELECTOR
	 * when no task connects to it. */
	cap_selector service;
	uint32_t argument_count; /* strings in arguments[] (argv[1]...) */
	uint32_t arguments_size; /* bytes used, each string with its NUL */
	uint32_t connection_count, client_count, interrupt_count;
	uint32_t mmio_count, port_count, reserved;
	struct startinfo_connection connections[STARTINFO_MAX_CONNECTIONS];
	struct startinfo_client clients[STARTINFO_MAX_CLIENTS];
	struct startinfo_interrupt interrupts[STARTINFO_MAX_INTERRUPTS];
	struct startinfo_mmio mmio[STARTINFO_MAX_RANGES];
	struct startinfo_ports ports[STARTINFO_MAX_RANGES];
	char arguments[STARTINFO_ARGUMENTS_MAX];
};

_Static_assert(sizeof(struct startinfo) <= STARTINFO_PAGES * 4096,
	       "the start-up block fits its pages");

/*
 * The exit report: the runtime's _exit calls `parent` with these words
 * before the thread ends, so the root task learns the exit code (it then
 * destroys the task; nothing replies).
 */
enum startinfo_exit_word {
	STARTINFO_EXIT_REQUEST, /* STARTINFO_EXIT */
	STARTINFO_EXIT_CODE,
	STARTINFO_EXIT_WORDS
};
#define STARTINFO_EXIT 0x65786974ull /* "exit" */

#endif
