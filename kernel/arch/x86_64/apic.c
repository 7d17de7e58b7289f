/*
 * 8259 PIC, local APIC and IOAPIC setup (see apic.h). The kernel uses the
 * local APIC in xAPIC (MMIO) mode, which QEMU, Bochs and every x86-64 PC
 * have. irq.c routes IOAPIC inputs, and composes MSI messages, for the
 * Irq objects that deliver them to user-level handler threads.
 */
#include "apic.h"
#include "arch.h"
#include "console.h"
#include "paging.h"
#include "x86.h"

/* Local APIC registers: SDM vol. 3A §11.4.1 table 11-1 (byte offsets). */
#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LAPIC_TIMER_DIVIDE_BY_1 0xb
#define LAPIC_TIMER_TSC_DEADLINE (2u << 17)
#define MSR_TSC_DEADLINE 0x6e0
#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_LVT_NMI (4u << 8)
#define APIC_BASE_ENABLE (1ull << 11)

/* IOAPIC registers behind the index/data window of apic.h (82093AA data
 * sheet §3.0). */
#define IOAPIC_ID 0x00
#define IOAPIC_VERSION 0x01
#define IOAPIC_REDIRECTION(pin) (0x10 + 2 * (pin))

static volatile uint32_t *lapic;

/* The IOAPICs found at boot, for routing GSIs. */
struct ioapic {
	volatile uint32_t *registers;
	uint32_t gsi_base;
	unsigned pins;
};
static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static size_t ioapic_count;

static uint32_t lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

void pic_disable(void)
{
	/* ICW1..ICW4 (8259A data sheet): remap to 32..47, then mask all. */
	static const uint8_t icw[2][4] = {
		{0x11, VECTOR_PIC_BASE, 0x04, 0x01},
		{0x11, VECTOR_PIC_BASE + 8, 0x02, 0x01},
	};
	for (int pic = 0; pic < 2; pic++) {
		uint16_t command = pic ? 0xa0 : 0x20, data = command + 1;
		outb(command, icw[pic][0]);
		for (int i = 1; i < 4; i++)
			outb(data, icw[pic][i]);
		outb(data, 0xff);
	}
}

/* Physical pages of the interrupt controllers: the kernel's alone. */
static uint64_t kernel_device_pages[1 + ACPI_MAX_IOAPICS];
static size_t kernel_device_count;

static volatile void *map_kernel_device(uint64_t phys)
{
	if (kernel_device_count < sizeof(kernel_device_pages) / sizeof(kernel_device_pages[0]))
		kernel_device_pages[kernel_device_count++] = phys & ~0xfffull;
	return paging_map_mmio(phys, PAGE_SIZE);
}

bool apic_owns(uint64_t pa)
{
	for (size_t i = 0; i < kernel_device_count; i++)
		if ((pa & ~0xfffull) == kernel_device_pages[i])
			return true;
	return false;
}

void lapic_init(const struct acpi_info *acpi)
{
	uint64_t base = acpi->has_madt ? acpi->lapic_address
				       : rdmsr(MSR_APIC_BASE) & 0xffffff000ull;
	wrmsr(MSR_APIC_BASE, (rdmsr(MSR_APIC_BASE) & ~0xffffff000ull) | base | APIC_BASE_ENABLE);
	lapic = map_kernel_device(base);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_NMI);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VECTOR_SPURIOUS);
	uint32_t version = lapic_read(LAPIC_VERSION);
	kprintf("lapic: base 0x%lx, id %u, version 0x%x, %u LVT entries\n", base, lapic_id(),
		version & 0xff, ((version >> 16) & 0xff) + 1);
}

/*
 * The LAPIC timer in one-shot mode counts down from an initial count at
 * the bus/core crystal rate (SDM vol. 3A §11.5.4); in TSC-deadline mode
 * it fires when the TSC reaches IA32_TSC_DEADLINE (§11.5.4.1), so no
 * conversion is needed. Which one: CPUID.01H:ECX[24].
 */
static uint64_t lapic_timer_khz, timer_tsc_khz;

void lapic_timer_init(uint64_t tsc_khz)
{
	timer_tsc_khz = tsc_khz;
	if (cpu_features.tsc_deadline) {
		lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_TSC_DEADLINE | VECTOR_LAPIC_TIMER);
		kprintf("lapic: timer in TSC-deadline mode\n");
		return;
	}
	/* Count LAPIC timer ticks over 1 ms of TSC time. */
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
	uint64_t start = rdtsc();
	while (rdtsc() - start < tsc_khz)
		pause();
	lapic_timer_khz = 0xffffffffull - lapic_read(LAPIC_TIMER_CURRENT);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	lapic_write(LAPIC_LVT_TIMER, VECTOR_LAPIC_TIMER);
	kprintf("lapic: timer in one-shot mode, %lu.%03lu MHz\n", lapic_timer_khz / 1000,
		lapic_timer_khz % 1000);
}

void lapic_timer_arm(uint64_t deadline)
{
	if (cpu_features.tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, deadline);
		return;
	}
	uint64_t now = rdtsc(), count = 0;
	if (deadline) {
		/* Clamped so the multiplication cannot overflow. */
		uint64_t delta = deadline > now ? deadline - now : 0;
		delta = delta > (1ull << 40) ? 1ull << 40 : delta;
		count = delta * lapic_timer_khz / timer_tsc_khz;
		count = count ? count : 1;
		count = count > 0xffffffff ? 0xffffffff : count;
	}
	lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)count);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static uint32_t ioapic_read(volatile uint32_t *io, uint32_t reg)
{
	io[IOAPIC_REGSEL / 4] = reg;
	return io[IOAPIC_WINDOW / 4];
}

void ioapic_init(const struct acpi_info *acpi)
{
	for (size_t i = 0; i < acpi->ioapic_count; i++) {
		const struct acpi_ioapic *a = &acpi->ioapics[i];
		volatile uint32_t *io = map_kernel_device(a->address);
		uint32_t version = ioapic_read(io, IOAPIC_VERSION);
		unsigned pins = ((version >> 16) & 0xff) + 1;
		for (unsigned pin = 0; pin < pins; pin++) {
			ioapic_write(io, IOAPIC_REDIRECTION(pin), IOAPIC_MASKED);
			ioapic_write(io, IOAPIC_REDIRECTION(pin) + 1, 0);
		}
		if (ioapic_count < ACPI_MAX_IOAPICS)
			ioapics[ioapic_count++] = (struct ioapic){io, a->gsi_base, pins};
		kprintf("ioapic: id %u at 0x%lx, version 0x%x, GSIs %u-%u, all masked\n", a->id,
			a->address, version & 0xff, a->gsi_base, a->gsi_base + pins - 1);
	}
	for (size_t i = 0; i < acpi->override_count && i < ACPI_MAX_OVERRIDES; i++) {
		const struct acpi_override *o = &acpi->overrides[i];
		kprintf("ioapic: ISA IRQ %u -> GSI %u (flags 0x%x)\n", o->source_irq, o->gsi,
			o->flags);
	}
}

/* The IOAPIC and pin of a GSI; NULL when no IOAPIC has it. */
static volatile uint32_t *ioapic_pin(uint32_t gsi, unsigned *pin)
{
	for (size_t i = 0; i < ioapic_count; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].pins) {
			*pin = gsi - ioapics[i].gsi_base;
			return ioapics[i].registers;
		}
	}
	return NULL;
}

/*
 * Redirection entry (82093AA data sheet §3.2.4): vector, fixed delivery,
 * physical destination = this CPU's LAPIC ID, polarity bit 13 (1: active
 * low), trigger bit 15 (1: level), mask bit 16.
 */
bool ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low,
		 struct ioapic_input *in)
{
	unsigned pin;
	volatile uint32_t *io = ioapic_pin(gsi, &pin);
	if (!io)
		return false;
	*in = (struct ioapic_input){
		.registers = io,
		.redirection = IOAPIC_REDIRECTION(pin),
		.low = (level ? 1u << 15 : 0) | (active_low ? 1u << 13 : 0) | vector,
	};
	ioapic_write(io, in->redirection + 1, lapic_id() << 24);
	ioapic_set_masked(in, true);
	return true;
}

/*
 * Intel SDM vol. 3A §11.11.1: address 0xfee in bits 31:20, destination
 * APIC ID in 19:12, RH (bit 3) and DM (bit 2) 0 = physical destination;
 * §11.11.2: data = vector, delivery mode 000 (fixed), trigger bit 15 0
 * (edge).
 */
struct msi_message apic_msi_message(uint8_t vector)
{
	return (struct msi_message){0xfee00000u | (lapic_id() & 0xff) << 12, vector};
}

