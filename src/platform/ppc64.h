/* SPDX-License-Identifier: MIT */
#ifndef MSK_PLATFORM_PPC64_H
#define MSK_PLATFORM_PPC64_H

/* The ppc64 board's state, shared by ppc64.c, ppc64_pci.c and ppc64_route.c. */

#include <msikit/platform_ppc64.h>

#include <pthread.h>

#include "irqchip/pseries.h"
#include "irqchip/xive.h"

struct ppc64_fn;

/*
 * The PCI host bridge (ppc64_pci.c): the functions registered with the
 * firmware and attached to the pSeries MSI driver.
 */
struct ppc64_phb {
	struct msk_spapr *fw;
	uint64_t buid;
	struct pseries_msi *ps;
	pthread_mutex_t lock; /* fns */
	struct ppc64_fn *fns;
};

/*
 * ppc64_phb_init - an empty host bridge in front of fw (BUID buid) and the
 * pSeries MSI driver ps. ppc64_phb_fini() undoes it once it is empty.
 * Context: control path.
 */
void ppc64_phb_init(struct ppc64_phb *phb, struct msk_spapr *fw, uint64_t buid,
		    struct pseries_msi *ps);
void ppc64_phb_fini(struct ppc64_phb *phb);

/*
 * ppc64_phb_attach - register a PCI function with the firmware (its own PE;
 * the firmware writes messages into the function through its config space
 * and MSI-X table BAR) and have the driver create its OS view.
 * Context: control path.
 * Return: 0, -MSK_EEXIST (already attached), or the firmware's / PCI
 * layer's error (nothing registered then).
 */
int ppc64_phb_attach(struct ppc64_phb *phb, struct msk_pcifn *fn, struct msk_pci_dev **out);

/*
 * ppc64_phb_detach - the driver frees the device (teardown: firmware
 * disable), then the firmware forgets the function.
 * Context: control path.
 * Return: 0; -MSK_ENOENT if pdev is not attached here; the PCI layer's
 * error (e.g. -MSK_EBUSY with a handler installed) leaves it attached.
 */
int ppc64_phb_detach(struct ppc64_phb *phb, struct msk_pci_dev *pdev);

/*
 * ppc64_phb_detach_all - detach every function, before the driver goes.
 * Context: control path.
 * Return: 0, or the first detach's error (the rest stay attached).
 */
int ppc64_phb_detach_all(struct ppc64_phb *phb);

struct ppc64 {
	struct msk_platform pub; /* first */
	struct msk_xive *xive;
	struct msk_spapr *fw;
	struct xive_drv *xdrv;	/* NULL when bare */
	struct pseries_msi *ps; /* NULL when bare */
	struct ppc64_phb phb;	/* its functions (initialised with ps) */
	uint32_t pe_quota;
	bool fault_armed; /* a firmware fault was armed since creation */
};

static inline struct ppc64 *ppc64_of(struct msk_platform *p)
{
	return (struct ppc64 *)p;
}

/* The platform op msk_platform_route (ppc64_route.c). */
int ppc64_route(struct msk_platform *p, uint32_t requester_id, uint64_t addr, uint32_t data,
		struct msk_platform_route *out);

#endif
