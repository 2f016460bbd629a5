/* SPDX-License-Identifier: MIT */
#ifndef MSK_PLATFORM_PPC64_H
#define MSK_PLATFORM_PPC64_H

/* The ppc64 platform's state, shared by ppc64_platform.c and ppc64_route.c. */

#include <msikit/platform_ppc64.h>

#include "irqchip/pseries.h"
#include "irqchip/xive.h"

struct ppc64 {
	struct msk_platform pub; /* first */
	struct msk_xive *xive;
	struct msk_spapr *fw;
	struct xive_drv *xdrv;	/* NULL when bare */
	struct pseries_msi *ps; /* NULL when bare */
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
