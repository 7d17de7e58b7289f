/*
 * HPET setup and TSC calibration (see hpet.h). Register layout: HPET
 * specification 1.0a §2.3, table 2-1.
 */
#include <stdbool.h>

#include "arch.h"
#include "console.h"
#include "hpet.h"
#include "paging.h"
#include "x86.h"

#define HPET_CAPABILITIES 0x000 /* GCAP_ID */
#define HPET_CONFIG 0x010       /* GEN_CONF */
#define HPET_COUNTER 0x0f0      /* MAIN_CNT */
#define HPET_CONFIG_ENABLE 1ull
#define HPET_CAP_64BIT (1ull << 13)
#define FEMTOSECONDS_PER_MS 1000000000000ull

static volatile uint64_t *hpet;
static uint64_t hpet_period_fs;
static bool hpet_64bit;

static uint64_t hpet_read(unsigned reg)
{
	return hpet[reg / 8];
}

uint64_t hpet_init(const struct acpi_info *acpi)
{
	if (!acpi->has_hpet) {
		kprintf("hpet: none in the ACPI tables\n");
		return 0;
	}
	hpet = paging_map_mmio(acpi->hpet_address, 1024);
	uint64_t cap = hpet_read(HPET_CAPABILITIES);
	hpet_period_fs = cap >> 32;
	hpet_64bit = cap & HPET_CAP_64BIT;
	/* §2.3.4: a period of 0 or above 100 ns (10^8 fs) is invalid. */
	if (hpet_period_fs == 0 || hpet_period_fs > 100000000) {
		kprintf("hpet: at 0x%lx reports an invalid period of %lu fs; not used\n",
			acpi->hpet_address, hpet_period_fs);
		hpet = NULL;
		return 0;
	}
	hpet[HPET_CONFIG / 8] = hpet_read(HPET_CONFIG) | HPET_CONFIG_ENABLE;
	uint64_t khz = 1000000000000ull / hpet_period_fs; /* 10^15 fs/s / 1000 */
	kprintf("hpet: at 0x%lx, %u comparators, %s counter, period %lu fs (%lu.%03lu MHz)\n",
		acpi->hpet_address, ((unsigned)(cap >> 8) & 0x1f) + 1,
		hpet_64bit ? "64-bit" : "32-bit", hpet_period_fs, khz / 1000, khz % 1000);
	return hpet_period_fs;
}

static uint64_t hpet_counter(void)
{
	uint64_t c = hpet_read(HPET_COUNTER);
	return hpet_64bit ? c : (uint32_t)c;
}

uint64_t tsc_calibrate(unsigned ms)
{
	if (!hpet)
		return 0;
	uint64_t ticks = ms * FEMTOSECONDS_PER_MS / hpet_period_fs;
	uint64_t mask = hpet_64bit ? ~0ull : 0xffffffffull;
	uint64_t c0 = hpet_counter(), t0 = rdtsc(), c1, t1;
	/* Bounded: a stuck counter must not hang the boot. */
	for (uint64_t spins = 0;; spins++) {
		c1 = hpet_counter();
		t1 = rdtsc();
		if (((c1 - c0) & mask) >= ticks)
			break;
		if (spins > 1000000000ull) {
			kprintf("tsc: the HPET counter does not advance; TSC not calibrated\n");
			return 0;
		}
	}
	uint64_t elapsed_ns = ((c1 - c0) & mask) * hpet_period_fs / 1000000;
	return (t1 - t0) * 1000000 / elapsed_ns;
}
