/* SPDX-License-Identifier: MIT */
/*
 * msk_xive_route: a device message followed through the XIVE without
 * touching it, with the decoders, the PQ state machine and the EAS/END
 * checks the real data path uses (xive_esb.c, xive_router.c), so the two
 * cannot disagree about where a message goes or why it is lost.
 */
#include "hw/ppc64/xive_internal.h"

#include <string.h>

/* The source's part: PQ, then EAS and END (lock held). */
static void follow_source(struct msk_xive *x, uint32_t lisn, struct msk_xive_route *out)
{
	const struct xive_source *s = &x->src[lisn];
	uint8_t next;
	out->source = true;
	out->lisn = lisn;
	out->pq = s->pq;
	enum xive_pq_effect fx = xive_pq_trigger(s->pq, &next);
	if (fx == XIVE_PQ_DROP) {
		out->lost = true;
		out->reason = MSK_LOSS_XIVE_OFF;
		return;
	}
	out->coalesced = fx == XIVE_PQ_COALESCE;
	struct xive_end *e = NULL;
	/* Queue room matters for a notification now, not for the one an EOI sends later. */
	enum msk_loss why = xive_dest_locked(x, lisn, !out->coalesced, &e);
	if (why == MSK_LOSS__COUNT && !out->coalesced &&
	    !msk_ram_contains(x->bus, e->qaddr + 4ull * e->windex, 4))
		why = MSK_LOSS_TABLE_FAULT; /* what the EQ write would meet */
	if (why != MSK_LOSS__COUNT) {
		out->lost = true;
		out->reason = why;
		return;
	}
	out->cpu = s->eas_cpu;
	out->prio = s->eas_prio;
	out->eisn = s->eas_eisn;
}

int msk_xive_route(struct msk_xive *x, uint64_t addr, uint32_t data, struct msk_xive_route *out)
{
	memset(out, 0, sizeof(*out));
	uint32_t lisn = 0;
	enum msk_loss why = MSK_LOSS__COUNT;
	if (x->msi_size && addr - x->msi_base < x->msi_size) {
		out->window = true;
		why = xive_msi_decode(x, 4, data, &lisn);
	} else if (addr - x->esb_base < x->esb_size) {
		bool mgmt;
		uint64_t pgoff;
		if (!xive_esb_store_decode(x, addr - x->esb_base, 4, &lisn, &mgmt, &pgoff) ||
		    !xive_esb_store_triggers(mgmt, pgoff))
			why = MSK_LOSS_BAD_MESSAGE;
	} else {
		return 0;
	}
	if (why != MSK_LOSS__COUNT) {
		out->lost = true;
		out->reason = why;
		return 1;
	}
	pthread_mutex_lock(&x->lock);
	follow_source(x, lisn, out);
	pthread_mutex_unlock(&x->lock);
	return 1;
}
