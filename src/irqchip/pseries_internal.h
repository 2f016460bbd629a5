/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_PSERIES_INTERNAL_H
#define MSK_IRQCHIP_PSERIES_INTERNAL_H

/* Private state of the pSeries MSI parent (pseries_msi.c, pseries_fw.c). */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <msikit/msi.h>

#include "irqchip/pseries.h"

/* A PCI function the board registered with the firmware (pseries_pci_attach). */
struct pseries_fn {
	struct pseries_fn *next;
	struct pseries_msi *ps;
	struct msk_pci_dev *pdev;
	struct msk_device *dev;
	uint32_t config_addr; /* bus << 16 | devfn << 8 */
	/*
	 * LISNs the firmware kept for this function after refusing to take
	 * them back (ibm,change-msi count 0 answered "hardware error" twice)
	 * and that no device domain owns any more. The next ibm,change-msi
	 * that allocates replaces them; removing the function reclaims them.
	 * Under ps->lock.
	 */
	uint32_t stranded;
};

struct pseries_msi {
	struct msk_core *core;
	struct msk_spapr *fw;
	struct msk_irq_domain *domain;
	uint64_t window; /* the XIVE's MSI window: every message's address */
	uint64_t buid;
	bool post_free;
	struct msk_msi_parent_ops pops;
	pthread_mutex_t lock; /* fns */
	struct pseries_fn *fns;
};

/*
 * What prepare learned for one device domain (the template's
 * scratchpad[0]): the firmware's grant and the LISN of each index.
 */
struct pseries_dev {
	struct pseries_msi *ps;
	struct pseries_fn *pfn;
	unsigned int type; /* MSK_RTAS_TYPE_MSI / _MSIX */
	uint32_t quota;	   /* vectors the firmware granted */
	uint32_t used;	   /* allocated now */
	bool fw_holds;	   /* the firmware still holds the grant */
	uint32_t lisn[];   /* quota entries */
};

/* The registered function of a device, or NULL. */
struct pseries_fn *pseries_find_fn(struct pseries_msi *ps, struct msk_device *dev);

/*
 * ibm,change-msi for pfn: function code `func`, `count` vectors. Returns
 * the RTAS status (after retrying "busy" answers a bounded number of
 * times); *granted receives the count returned.
 */
int32_t pseries_rtas_change_msi(struct pseries_msi *ps, struct pseries_fn *pfn, uint32_t func,
				uint32_t count, uint32_t *granted);

/*
 * Give every MSI of pfn back to the firmware (ibm,change-msi count 0) on a
 * path that cannot fail: the function code of `type` first and, when that
 * is refused, once more with the generic "change" code - Linux's
 * rtas_disable_msi. Bounded: at most two calls. True when the firmware
 * released them; false when it kept them (a persistent hardware error).
 */
bool pseries_rtas_release(struct pseries_msi *ps, struct pseries_fn *pfn, unsigned int type);

/* Record (count > 0) or clear (0) LISNs the firmware kept for pfn. */
void pseries_set_stranded(struct pseries_fn *pfn, uint32_t count);

/* "hardware error", "busy", "parameter error", ... for an RTAS status. */
const char *pseries_rtas_status_name(int32_t status);

/* ibm,query-interrupt-source-number: the RTAS status; *lisn the source. */
int32_t pseries_rtas_query_source(struct pseries_msi *ps, struct pseries_fn *pfn, uint32_t index,
				  uint32_t *lisn);

#endif
