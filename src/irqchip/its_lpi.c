/* SPDX-License-Identifier: MIT */
/*
 * LPI ranges for ITS devices, as Linux's its_lpi_alloc: first fit in the
 * free-range list from 8192, halving the request until a run fits (so a
 * device may get fewer LPIs than its ITT has entries), merge on free.
 */
#include "irqchip/its.h"

#include "base/error.h"

int its_lpi_alloc(struct gic_ranges *lpis, unsigned int want, uint32_t *base, unsigned int *got)
{
	for (unsigned int n = want; n > 0; n /= 2) {
		uint64_t at;
		int rc = gic_ranges_alloc(lpis, n, 1, &at);
		if (rc == 0) {
			*base = (uint32_t)at;
			*got = n;
			return 0;
		}
		if (rc != -MSK_ENOSPC)
			return rc;
	}
	return msk_err(MSK_ENOSPC, "no free LPI: %llu of %llu in use",
		       (unsigned long long)(lpis->size - lpis->free),
		       (unsigned long long)lpis->size);
}

void its_lpi_free(struct gic_ranges *lpis, uint32_t base, unsigned int nr)
{
	if (nr)
		gic_ranges_free(lpis, base, nr);
}
