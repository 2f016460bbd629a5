/* SPDX-License-Identifier: MIT */
/*
 * The x86 platform's route op: where a device's message ends, without
 * side effects. The model follows it to a CPU and vector (msk_x86_route:
 * the window, the remapping unit, the APICs); then the OS side does what
 * the CPU service would do with that vector: look it up in the CPU's
 * vector table. A vector with no entry is lost there as
 * "vector-not-assigned", the reason the CPU service gives.
 */
#include "platform/x86.h"

#include <stdio.h>
#include <string.h>

int x86_route(struct msk_platform *pl, uint32_t requester_id, uint64_t addr, uint32_t data,
	      struct msk_platform_route *out)
{
	struct x86_vector *p = x86_vec(pl);
	struct msk_x86_route r;
	int rc = msk_x86_route(p->x86, requester_id, addr, data, &r);
	if (rc < 0)
		return rc;
	if (r.lost) {
		out->lost = true;
		out->reason = r.reason;
		snprintf(out->detail, sizeof(out->detail), "%s", r.detail);
		return 0;
	}
	out->cpu = r.cpu;
	if (!p->table) {
		/* Bare: the guest takes the raw vector; no virq. */
		snprintf(out->detail, sizeof(out->detail), "%s", r.detail);
		return 0;
	}
	msk_rcu_read_lock();
	struct x86_apicd *a =
		atomic_load_explicit(x86_slot(p, r.cpu, r.vector), memory_order_acquire);
	unsigned int virq = a ? a->virq : 0;
	msk_rcu_read_unlock();
	if (!virq) {
		out->lost = true;
		out->reason = MSK_LOSS_VECTOR_NOT_ASSIGNED;
		snprintf(out->detail, sizeof(out->detail), "%s: no irq", r.detail);
		return 0;
	}
	out->virq = virq;
	snprintf(out->detail, sizeof(out->detail), "%s virq %u", r.detail, virq);
	return 0;
}
