/* SPDX-License-Identifier: MIT */
#ifndef MSK_PLATFORM_X86_H
#define MSK_PLATFORM_X86_H

/*
 * The x86 board, shared by x86.c (models + drivers, the CPU service,
 * hotplug, controller faults, the msk_x86_platform_* queries) and
 * x86_route.c (following messages). The drivers' state is the embedded
 * struct x86_vector (src/irqchip/x86_internal.h); the board reads it, the
 * drivers never see the board.
 */

#include <msikit/irqchip_x86.h>
#include <msikit/platform.h>

#include "irqchip/x86_internal.h"

_Static_assert(X86_SHUTDOWN_VECTOR == MSK_X86_SHUTDOWN_VECTOR, "one shutdown vector");

struct x86_platform {
	struct msk_platform base;
	struct x86_vector vec; /* the VECTOR / INTEL-IR-0 / DMAR-MSI drivers */
};

static inline struct x86_platform *x86_of(struct msk_platform *p)
{
	return (struct x86_platform *)p;
}

/* The drivers' state of an x86 board. */
static inline struct x86_vector *x86_vec(struct msk_platform *p)
{
	return &x86_of(p)->vec;
}

/* The platform's route op (msk_platform_route). */
int x86_route(struct msk_platform *pl, uint32_t requester_id, uint64_t addr, uint32_t data,
	      struct msk_platform_route *out);

#endif
