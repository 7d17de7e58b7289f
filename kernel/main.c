/*
 * kernel_main: the boot sequence in C, from the multiboot2 hand-over to the
 * root task's first instruction. doc/implementation.md walks through it.
 * Runs once, on the boot CPU, with interrupts off and the boot page tables
 * of boot.S; never returns.
 */
#include <stdint.h>

#include "acpi.h"
#include "apic.h"
#include "arch.h"
#include "console.h"
#include "hpet.h"
#include "memory.h"
#include "multiboot2.h"
#include "paging.h"
#include "roottask.h"
#include "thread.h"
#include "timer.h"
#include "x86.h"

#define VIREO_VERSION "0.1"

extern char boot_kernel_stack_top[];

static struct percpu boot_cpu;
static struct mb2_info boot;
static struct acpi_info acpi;

static const struct mb2_info *parse_boot_information(uint32_t magic, uint32_t info_phys)
{
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a multiboot2 loader (eax=0x%x)", magic);
	char err[200];
	/* The boot page tables map the first 4 GiB, where the loader put it. */
	if (mb2_parse(phys_to_virt(info_phys), (4ull << 30) - info_phys, &boot, err,
		      sizeof(err)))
		panic("multiboot2 boot information rejected: %s", err);
	kprintf("boot: loader '%s', command line '%s', %lu modules\n", boot.bootloader_name,
		boot.cmdline, (uint64_t)boot.module_count);
	for (size_t i = 0; i < boot.module_count; i++)
		kprintf("boot: module %016lx-%016lx '%s'\n", boot.modules[i].start,
			boot.modules[i].end - 1, boot.modules[i].string);
	return &boot;
}

static const void *acpi_map(uint64_t phys, size_t len, void *ctx)
{
	(void)ctx;
	if (phys + len < phys || phys + len > memory_direct_map_end())
		return NULL;
	return phys_to_virt(phys);
}

static void parse_acpi(void)
{
	const void *rsdp = boot.rsdp_new ? boot.rsdp_new : boot.rsdp_old;
	size_t rsdp_length = boot.rsdp_new ? boot.rsdp_new_length : boot.rsdp_old_length;
	char err[200];
	if (!rsdp) {
		kprintf("acpi: the boot loader passed no RSDP; no ACPI tables\n");
		return;
	}
	if (acpi_parse(0, rsdp, rsdp_length, acpi_map, NULL, &acpi, err, sizeof(err))) {
		kprintf("acpi: tables rejected: %s\n", err);
		acpi = (struct acpi_info){0};
		return;
	}
	kprintf("acpi: revision %u, OEM '%s', %s with %lu tables (%lu bad)\n",
		acpi.rsdp_revision, acpi.oem_id, acpi.xsdt_used ? "XSDT" : "RSDT",
		(uint64_t)acpi.table_count, (uint64_t)acpi.bad_table_count);
	for (size_t i = 0; i < acpi.warning_count && i < ACPI_MAX_WARNINGS; i++)
		kprintf("acpi: warning: %s\n", acpi.warnings[i]);
	kprintf("acpi: MADT: %lu CPUs, %lu IOAPICs, %lu overrides, local APIC at 0x%lx%s\n",
		(uint64_t)acpi.cpu_count, (uint64_t)acpi.ioapic_count,
		(uint64_t)acpi.override_count, acpi.lapic_address,
		acpi.legacy_pic ? ", 8259 PICs present" : "");
}

static void check_wx(void)
{
	struct wx_report r = paging_check_wx(paging_kernel_root(), 1);
	kprintf("vireo: W^X check: %lu kernel pages, %lu writable+executable\n", r.pages,
		r.writable_executable);
	if (r.writable_executable)
		panic("kernel page at 0x%lx is writable and executable", r.first_bad_va);
}

_Noreturn void kernel_main(uint32_t magic, uint32_t info_phys);
_Noreturn void kernel_main(uint32_t magic, uint32_t info_phys)
{
	serial_init();
	kprintf("\nVireo " VIREO_VERSION " - x86-64 microkernel\n");
	parse_boot_information(magic, info_phys);
	cpu_detect_features();
	cpu_print_features();
	cpu_init(&boot_cpu, (uint64_t)boot_kernel_stack_top);
	sched_cpu_init(&boot_cpu);

	memory_init(&boot, info_phys);
	paging_init(memory_direct_map_end());
	check_wx();

	parse_acpi();
	pic_disable();
	lapic_init(&acpi);
	ioapic_init(&acpi);
	hpet_init(&acpi);
	uint64_t tsc_khz = tsc_calibrate(10);
	if (tsc_khz)
		kprintf("tsc: %lu.%03lu MHz (calibrated against the HPET over 10 ms)%s\n",
			tsc_khz / 1000, tsc_khz % 1000,
			cpu_features.invariant_tsc ? ", invariant" : "");
	timer_init(tsc_khz);

	root_task_create(&boot, tsc_khz, acpi.has_hpet ? acpi.hpet_address : 0);
	schedule();
}
