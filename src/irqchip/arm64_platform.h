/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_ARM64_PLATFORM_H
#define MSK_IRQCHIP_ARM64_PLATFORM_H

/* Internals of the arm64 platform for tests and benchmarks. */

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

#endif
