/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_PLATFORM_PPC64_H
#define MSIKIT_PLATFORM_PPC64_H

/*
 * The ppc64 (pSeries) platform's fixed addresses and its models, for
 * tests, scripts and bare-mode guests (docs/platform-ppc64.md).
 *
 * msk_platform_create("ppc64", ...) builds a XIVE with
 * MSK_PPC64_NR_SOURCES sources (two 64 KiB ESB pages each at
 * MSK_PPC64_ESB_BASE), a PHB MSI window at MSK_PPC64_MSI_WINDOW, and the
 * pSeries firmware on top (LISNs [0, ncpus) claimed for IPIs, the rest an
 * MSI pool; one PHB, BUID MSK_PPC64_BUID; each PCI function its own PE
 * with cfg.pseries.pe_quota MSIs, default 256). Unless bare, it adds the
 * drivers: the "XIVE" root domain and the "pSeries-MSI" MSI parent.
 *
 * Its controller fault (msk_platform_fault_arm) is MSK_PLATFORM_FAULT_FIRMWARE:
 * the Nth firmware call is refused (msk_spapr_fault_arm, once); it follows
 * messages (msk_platform_route) through the XIVE and the XIVE root domain.
 */

#include <msikit/hw_xive.h>
#include <msikit/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSK_PPC64_ESB_BASE     0x0006010000000000ull /* QEMU sPAPR's ESB base */
#define MSK_PPC64_ESB_SHIFT    16u
#define MSK_PPC64_MSI_WINDOW   0x0000040000000000ull /* QEMU's SPAPR_PCI_MSI_WINDOW */
#define MSK_PPC64_NR_SOURCES   4096u
#define MSK_PPC64_BUID	       0x800000020000000ull
#define MSK_PPC64_PE_QUOTA_DEF 256u

/* The XIVE model of a ppc64 platform (NULL for another arch). */
struct msk_xive *msk_ppc64_platform_xive(struct msk_platform *p);

/* The pSeries firmware model: hcalls and RTAS (NULL for another arch). */
struct msk_spapr *msk_ppc64_platform_firmware(struct msk_platform *p);

#ifdef __cplusplus
}
#endif
#endif
