/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_PLATFORM_H
#define MSK_TEST_PLATFORM_H

/*
 * The "test" arch, for tests only (never shipped): a struct msk_platform
 * over the test MSI parent (test_msi_parent.h). Its "hardware" is a
 * doorbell at TP_DOORBELL: a message write (address bits 19:12 = CPU,
 * data = hwirq) sets that hwirq pending on that CPU with its weight
 * (coalescing, like an IRR bit) and kicks the CPU; msk_platform_cpu_service
 * takes the lowest pending hwirq into msk_domain_handle_irq(). Bare: the
 * caller takes raw hwirqs (counted delivered when taken).
 *
 * Switches of the platform config it follows:
 *   its.alloc_dyn      -> the parent offers PCI_MSIX_ALLOC_DYN
 *   pseries.post_free  -> the parent's msi_post_free frees the device table
 *                         (the pSeries conversion bug)
 *   pseries.pe_quota   -> prepare caps the device table at this many entries
 * The parent always offers MSI-X, multi-MSI and IMS. CPU hotplug moves
 * what is pending and the non-managed vectors to the first online CPU.
 */

#include <msikit.h>

int test_platform_create(struct msk_core *core, struct msk_bus *bus,
			 const struct msk_platform_config *cfg, struct msk_platform **out);

/* Make "test" an arch of msk_machine_create(). */
int test_platform_register(void);

#endif
