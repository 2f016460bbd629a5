/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_GIC_V3_RANGES_H
#define MSK_IRQCHIP_GIC_V3_RANGES_H

/*
 * A free-range allocator (first fit, merge on free) over one span of
 * numbers. The GICv3/ITS drivers use it twice: for LPI INTIDs (as Linux's
 * its_lpi_alloc free-range list) and for the guest RAM they carve their
 * tables from. Not thread-safe: the owner serialises calls.
 *
 * Free ranges are kept sorted in an array. An allocation reserves room for
 * the one range its later free may add, so a free never allocates and
 * never fails on a range it handed out.
 */

#include <stddef.h>
#include <stdint.h>

struct gic_range {
	uint64_t start, len;
};

struct gic_ranges {
	struct gic_range *r; /* free ranges, sorted by start, never adjacent */
	size_t n, cap;
	uint64_t base, size; /* the managed span */
	uint64_t free;	     /* numbers free */
	size_t live;	     /* allocations not yet freed */
};

/* Manage [base, base + size), all free. 0 or -MSK_EINVAL / -MSK_ENOMEM. */
int gic_ranges_init(struct gic_ranges *rs, uint64_t base, uint64_t size);
void gic_ranges_destroy(struct gic_ranges *rs);

/*
 * Take `len` numbers starting at the lowest multiple of `align` (a power of
 * two, >= 1) that fits: *out is the start. -MSK_ENOSPC when nothing fits,
 * -MSK_EINVAL for len 0 or a bad align, -MSK_ENOMEM; unchanged on failure.
 */
int gic_ranges_alloc(struct gic_ranges *rs, uint64_t len, uint64_t align, uint64_t *out);

/*
 * Give back [start, start + len), merging with its neighbours.
 * -MSK_EINVAL (nothing changed) when the range is outside the span or
 * overlaps a free range (a double free).
 */
int gic_ranges_free(struct gic_ranges *rs, uint64_t start, uint64_t len);

/* The longest free run. */
uint64_t gic_ranges_largest(const struct gic_ranges *rs);

#endif
