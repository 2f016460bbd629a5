/* SPDX-License-Identifier: MIT */
#ifndef MSK_PLATFORM_ARM64_H
#define MSK_PLATFORM_ARM64_H

/* Internals of the arm64 board (arm64.c, arm64_route.c) for tests and benchmarks. */

#include <msikit/platform.h>

#include "irqchip/its.h"

#define ARM64_ITS_BASE	  0x08080000ull /* as QEMU's virt machine */
#define ARM64_REDIST_BASE 0x080A0000ull
#define ARM64_LPI_BITS	  16u /* Linux's ITS_MAX_LPI_NRBITS */

/* The GIC model of an arm64 platform (NULL for another arch). */
struct msk_gic *arm64_platform_gic(struct msk_platform *p);

/* The ITS driver state (NULL on a bare platform or another arch). */
struct its *arm64_platform_its(struct msk_platform *p);

/* The guest RAM allocator the drivers carve tables from (NULL when bare). */
struct gic_ram *arm64_platform_ram(struct msk_platform *p);

/* The GICv3 root domain the CPU service looks INTIDs up in (NULL when bare). */
struct msk_irq_domain *arm64_platform_root(struct msk_platform *p);

/* The platform op route (arm64_route.c): msk_platform_route for this platform. */
int arm64_route(struct msk_platform *p, uint32_t requester_id, uint64_t addr, uint32_t data,
		struct msk_platform_route *out);

#endif
