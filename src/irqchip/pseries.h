/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_PSERIES_H
#define MSK_IRQCHIP_PSERIES_H

/*
 * The pSeries MSI parent (the OS side of arch/powerpc/platforms/pseries/
 * msi.c since 6.18, with the December 2025 quota fix).
 *
 * Domain "pSeries-MSI" (bus token NEXUS) sits on the XIVE root; its
 * children are per-device domains "pSeries-PCI-MSIX-<bdf>" /
 * "pSeries-PCI-MSI-<bdf>". hwirq = LISN at both levels.
 *
 * Firmware owns MSI on pSeries: RTAS ibm,change-msi allocates all of a
 * function's interrupts at once and programs the device's MSI/MSI-X
 * messages itself; ibm,query-interrupt-source-number gives the LISN of a
 * vector index. So:
 *
 *   msi_prepare (once per device domain, nvec = hwsize): ibm,change-msi
 *	for hwsize vectors of the domain's type; when the PE quota is
 *	smaller (status 0, count = what is available, nothing allocated) it
 *	asks again for that count and remembers it as the device's quota.
 *	Then it learns the LISN of every granted index with
 *	ibm,query-interrupt-source-number and keeps them with the prepared
 *	template ("lisn" resources reported to the contract monitor).
 *   alloc (per vector): index beyond the quota, or more vectors than the
 *	quota, is -MSK_ENOSPC (the PCI layer shrinks its request); else the
 *	XIVE level is allocated for the index's LISN.
 *   msi_teardown (at domain removal): ibm,change-msi count 0; everything
 *	released.
 *
 * Firmware refusals (RTAS -1 "hardware error", H_HARDWARE): a call that
 * can fail (prepare, the per-vector allocation) fails with -MSK_EIO
 * naming the call and the status, and rolls back (a grant already made is
 * released again); "busy" statuses are retried a bounded number of times,
 * hardware errors never by that loop. A release on a path that cannot fail
 * (teardown, post_free, prepare's rollback) is retried once with the
 * generic function code, like Linux's rtas_disable_msi; if the firmware
 * keeps the LISNs anyway they stay counted where they are: the domain's
 * "lisn" resources are not returned (the monitor reports it at teardown),
 * and the function's stranded count says what the firmware holds until the
 * next grant replaces it or the function is removed.
 *   post_free mode (the first version of the 6.18 conversion): an
 *	msi_post_free op disables MSI in firmware after every free; prepare
 *	does not run again, so the next allocation meets LISNs the firmware
 *	took back and fails in H_INT_GET_SOURCE_INFO with H_P2 (-55).
 *
 * The device domain's irq_write_msi_msg only caches the message (as
 * pseries_msi_write_msg does): the firmware already wrote it, and the
 * composed message - the XIVE's MSI window, data = LISN - is the same.
 * Caching only also keeps deactivation from clearing what the firmware
 * programmed (prepare, which programs it, runs once).
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit/domain.h>
#include <msikit/hw_pci.h>
#include <msikit/hw_xive.h>
#include <msikit/pci.h>

struct pseries_msi;

struct pseries_msi_config {
	struct msk_core *core;
	struct msk_xive *xive; /* for the MSI window address */
	struct msk_spapr *fw;
	struct msk_irq_domain *parent; /* the XIVE root */
	uint64_t buid;		       /* the one PHB's BUID */
	bool post_free;		       /* replay the first conversion */
};

/*
 * Create "pSeries-MSI" and make it an MSI parent. Returns 0, -MSK_EINVAL,
 * -MSK_EEXIST or -MSK_ENOMEM; nothing remains on failure.
 */
int pseries_msi_create(const struct pseries_msi_config *cfg, struct pseries_msi **out);

/*
 * Remove the domain. -MSK_EBUSY while a function is still attached (the
 * board detaches its functions first) or the domain is in use; the parent
 * stays usable then.
 */
int pseries_msi_destroy(struct pseries_msi *ps);

struct msk_irq_domain *pseries_msi_domain(struct pseries_msi *ps);

/*
 * pseries_pci_attach - create the OS view of a PCI function under
 * "pSeries-MSI": the function the board registered with the firmware at
 * config_addr (bus << 16 | devfn << 8, what RTAS calls name it by; Linux
 * reads it from the device tree, pdn->busno/devfn).
 * Context: control path; not for a function attached already (the board
 * keeps that from happening).
 * Return: 0, -MSK_EINVAL, -MSK_ENOMEM or the PCI layer's error (nothing
 * attached then).
 */
int pseries_pci_attach(struct pseries_msi *ps, struct msk_pcifn *fn, uint32_t config_addr,
		       struct msk_pci_dev **out);

/*
 * Device removal: the PCI layer frees everything (teardown: firmware
 * disable); the board then has the firmware forget the function.
 * -MSK_ENOENT if pdev was not attached here; the PCI layer's error (e.g.
 * -MSK_EBUSY with a handler installed) leaves it attached.
 */
int pseries_pci_detach(struct pseries_msi *ps, struct msk_pci_dev *pdev);

/* Functions attached right now. */
unsigned int pseries_attached(struct pseries_msi *ps);

/*
 * LISNs the firmware still holds for attached functions after refusing to
 * take them back (pseries_fn.stranded, summed); 0 unless a release was
 * refused twice in a row.
 */
uint32_t pseries_stranded(struct pseries_msi *ps);

#endif
