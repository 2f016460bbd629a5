/* SPDX-License-Identifier: MIT */
/*
 * Events: a raised vector becomes a message write, a held weight in a
 * pending slot, or a loss. Decisions are taken under the function's lock
 * and acted on (bus write, ledger loss) after it is released, so that a
 * doorbell may call back into the function.
 *
 * Invariant (whenever the lock is free and no flush is running): no slot
 * that holds a weight is deliverable. So releasing pending slots after a
 * change that may unmask something only needs to look for slots that are
 * pending and deliverable, and each is sent exactly once.
 */
#include "hw/pci/pcifn.h"

#include "base/error.h"

bool pcifn_bme(const struct msk_pcifn *fn)
{
	return get16(fn->cfg, PCI_COMMAND) & PCI_CMD_MASTER;
}

bool pcifn_msix_enabled(const struct msk_pcifn *fn)
{
	return fn->lay.msix_cap && (get16(fn->cfg, fn->lay.msix_cap + 2) & MSIX_CTL_ENABLE);
}

bool pcifn_msix_fmask(const struct msk_pcifn *fn)
{
	return fn->lay.msix_cap && (get16(fn->cfg, fn->lay.msix_cap + 2) & MSIX_CTL_FMASK);
}

bool pcifn_msi_enabled(const struct msk_pcifn *fn)
{
	return fn->lay.msi_cap && (get16(fn->cfg, fn->lay.msi_cap + 2) & MSI_CTL_ENABLE);
}

unsigned int pcifn_msi_mme(const struct msk_pcifn *fn)
{
	return (get16(fn->cfg, fn->lay.msi_cap + 2) & MSI_CTL_MME) >> 4;
}

unsigned int pcifn_gidx_ims(const struct msk_pcifn *fn)
{
	return fn->lay.msix_n + MSK_PCIFN_MSI_MAX;
}

void pcifn_count_loss(struct msk_pcifn *fn, enum msk_loss reason, uint64_t weight)
{
	fn->stats.lost += weight;
	fn->stats.lost_by_reason[reason] += weight;
}

void pcifn_ledger_lose64(struct msk_pcifn *fn, enum msk_loss reason, uint64_t weight)
{
	while (weight) {
		uint32_t w = weight > UINT32_MAX ? UINT32_MAX : (uint32_t)weight;
		msk_ledger_lose(fn->ledger, reason, w);
		weight -= w;
	}
}

void pcifn_emit(struct msk_pcifn *fn, const struct pcifn_out *out)
{
	if (out->kind == OUT_SEND)
		msk_bus_msi(fn->bus, out->addr, out->data, fn->rid, out->weight);
	else if (out->kind == OUT_LOSE)
		msk_ledger_lose(fn->ledger, out->reason, out->weight);
}

/* ---- outcomes (lock held) ---- */

static void lose(struct msk_pcifn *fn, struct pcifn_out *out, enum msk_loss reason, uint32_t weight)
{
	pcifn_count_loss(fn, reason, weight);
	*out = (struct pcifn_out){ .kind = OUT_LOSE, .reason = reason, .weight = weight };
}

static void send(struct msk_pcifn *fn, struct pcifn_out *out, uint64_t addr, uint32_t data,
		 uint32_t weight)
{
	fn->stats.weight_sent += weight;
	*out = (struct pcifn_out){ .kind = OUT_SEND, .weight = weight, .addr = addr, .data = data };
}

/* Add weight to a pending slot; *count counts the nonzero slots of its kind. */
static void hold(struct msk_pcifn *fn, struct pcifn_out *out, uint32_t *slot, unsigned int *count,
		 uint32_t weight)
{
	if (*slot > UINT32_MAX - weight) {
		lose(fn, out, MSK_LOSS_PENDING_OVERFLOW, weight);
		return;
	}
	if (!*slot && count)
		(*count)++;
	*slot += weight;
	fn->held += weight;
	out->kind = OUT_NONE;
}

static uint64_t slot_addr(const struct pcifn_slot *s)
{
	return (uint64_t)s->addr_hi << 32 | s->addr_lo;
}

static void send_slot(struct msk_pcifn *fn, struct pcifn_out *out, struct pcifn_slot *s,
		      uint64_t *kind_count, uint32_t weight)
{
	s->sent++;
	(*kind_count)++;
	send(fn, out, slot_addr(s), s->data, weight);
}

static void msi_set_pending(struct msk_pcifn *fn, unsigned int k, bool on)
{
	if (!fn->lay.msi_pvm)
		return;
	unsigned int off = pcifn_msi_pend_off(fn);
	uint32_t v = get32(fn->cfg, off);
	put32(fn->cfg, off, on ? v | 1u << k : v & ~(1u << k));
}

static void send_msi(struct msk_pcifn *fn, struct pcifn_out *out, unsigned int k, uint32_t weight)
{
	unsigned int p = fn->lay.msi_cap;
	uint64_t addr = get32(fn->cfg, p + 4);
	if (fn->lay.msi_64)
		addr |= (uint64_t)get32(fn->cfg, p + 8) << 32;
	uint32_t nvec = 1u << pcifn_msi_mme(fn);
	uint32_t data = (get16(fn->cfg, pcifn_msi_data_off(fn)) & ~(nvec - 1)) | k;
	fn->msi_sent[k]++;
	fn->stats.msgs_msi++;
	send(fn, out, addr, data, weight);
}

static bool msi_vector_masked(const struct msk_pcifn *fn, unsigned int k)
{
	return fn->lay.msi_pvm && (get32(fn->cfg, pcifn_msi_mask_off(fn)) >> k & 1);
}

static void hold_msi(struct msk_pcifn *fn, struct pcifn_out *out, unsigned int k, uint32_t weight)
{
	hold(fn, out, &fn->msi_weight[k], NULL, weight);
	if (out->kind == OUT_NONE)
		msi_set_pending(fn, k, true);
}

/* The MSI-X / MSI path of one event (lock held). */
static void raise_locked(struct msk_pcifn *fn, unsigned int k, uint32_t w, struct pcifn_out *out)
{
	const struct pcifn_layout *lay = &fn->lay;
	if (!pcifn_bme(fn)) {
		lose(fn, out, MSK_LOSS_BUS_MASTER_OFF, w);
	} else if (pcifn_msix_enabled(fn)) {
		if (k >= lay->msix_n)
			lose(fn, out, MSK_LOSS_VECTOR_OUT_OF_RANGE, w);
		else if (pcifn_msix_fmask(fn) || (fn->msix[k].ctrl & MSIX_CTRL_MASK))
			hold(fn, out, &fn->msix[k].weight, &fn->msix_pending, w);
		else
			send_slot(fn, out, &fn->msix[k], &fn->stats.msgs_msix, w);
	} else if (pcifn_msi_enabled(fn)) {
		if (k >= 1u << pcifn_msi_mme(fn))
			lose(fn, out, MSK_LOSS_VECTOR_OUT_OF_RANGE, w);
		else if (msi_vector_masked(fn, k))
			hold_msi(fn, out, k, w);
		else
			send_msi(fn, out, k, w);
	} else if (lay->msix_cap) {
		if (lay->policy == MSK_PCIFN_MSIX_DROP)
			lose(fn, out, MSK_LOSS_MSIX_DISABLED, w);
		else if (k >= lay->msix_n)
			lose(fn, out, MSK_LOSS_VECTOR_OUT_OF_RANGE, w);
		else
			hold(fn, out, &fn->msix[k].weight, &fn->msix_pending, w);
	} else {
		lose(fn, out, MSK_LOSS_NO_MSI_MODE, w);
	}
}

int msk_pcifn_raise(struct msk_pcifn *fn, unsigned int index)
{
	return msk_pcifn_raise_weight(fn, index, 1);
}

int msk_pcifn_raise_weight(struct msk_pcifn *fn, unsigned int index, uint32_t weight)
{
	unsigned int msi_n = fn->lay.msi_cap ? 1u << fn->lay.msi_mmc : 0;
	unsigned int limit = fn->lay.msix_n > msi_n ? fn->lay.msix_n : msi_n;
	if (!weight)
		return msk_err(MSK_EINVAL, "%s: event of weight 0", fn->name);
	if (index >= limit)
		return msk_err(
			MSK_EINVAL,
			"%s: vector %u: the function has %u MSI-X entries and %u MSI vectors",
			fn->name, index, fn->lay.msix_n, msi_n);
	msk_ledger_raise(fn->ledger, weight);
	struct pcifn_out out = { .kind = OUT_NONE };
	pthread_mutex_lock(&fn->lock);
	fn->stats.raised += weight;
	raise_locked(fn, index, weight, &out);
	pthread_mutex_unlock(&fn->lock);
	pcifn_emit(fn, &out);
	return 0;
}

int msk_pcifn_ims_raise(struct msk_pcifn *fn, unsigned int index)
{
	return msk_pcifn_ims_raise_weight(fn, index, 1);
}

int msk_pcifn_ims_raise_weight(struct msk_pcifn *fn, unsigned int index, uint32_t weight)
{
	if (!weight)
		return msk_err(MSK_EINVAL, "%s: event of weight 0", fn->name);
	if (index >= fn->lay.ims_n)
		return msk_err(MSK_EINVAL, "%s: IMS entry %u: the function has %u", fn->name, index,
			       fn->lay.ims_n);
	msk_ledger_raise(fn->ledger, weight);
	struct pcifn_out out = { .kind = OUT_NONE };
	pthread_mutex_lock(&fn->lock);
	fn->stats.raised += weight;
	struct pcifn_slot *s = &fn->ims[index];
	if (!pcifn_bme(fn))
		lose(fn, &out, MSK_LOSS_BUS_MASTER_OFF, weight);
	else if (s->ctrl & MSIX_CTRL_MASK)
		hold(fn, &out, &s->weight, &fn->ims_pending, weight);
	else
		send_slot(fn, &out, s, &fn->stats.msgs_ims, weight);
	pthread_mutex_unlock(&fn->lock);
	pcifn_emit(fn, &out);
	return 0;
}

/* ---- releasing pending slots ---- */

/* Empty a pending slot into a message, or a loss if bus mastering is off (lock held). */
static void release(struct msk_pcifn *fn, struct pcifn_out *out, uint32_t *slot,
		    unsigned int *count)
{
	uint32_t w = *slot;
	*slot = 0;
	if (count)
		(*count)--;
	fn->held -= w;
	if (!pcifn_bme(fn))
		lose(fn, out, MSK_LOSS_BUS_MASTER_OFF, w);
}

/*
 * Find the first deliverable pending slot at global index >= *pos and < to,
 * release it into *out and move *pos past it. False when there is none
 * (lock held).
 */
static bool next_release(struct msk_pcifn *fn, unsigned int *pos, unsigned int to,
			 struct pcifn_out *out)
{
	unsigned int n = fn->lay.msix_n, g = *pos;
	if (g < n && g < to) {
		if (fn->msix_pending && pcifn_msix_enabled(fn) && !pcifn_msix_fmask(fn)) {
			for (unsigned int k = g; k < n && k < to; k++) {
				struct pcifn_slot *s = &fn->msix[k];
				if (!s->weight || (s->ctrl & MSIX_CTRL_MASK))
					continue;
				uint32_t w = s->weight;
				release(fn, out, &s->weight, &fn->msix_pending);
				if (out->kind != OUT_LOSE)
					send_slot(fn, out, s, &fn->stats.msgs_msix, w);
				*pos = k + 1;
				return true;
			}
		}
		g = n;
	}
	unsigned int m = pcifn_gidx_ims(fn);
	if (g < m && g < to) {
		if (pcifn_msi_enabled(fn) && !pcifn_msix_enabled(fn)) {
			unsigned int nvec = 1u << pcifn_msi_mme(fn);
			for (unsigned int k = g - n; k < nvec && n + k < to; k++) {
				if (!fn->msi_weight[k] || msi_vector_masked(fn, k))
					continue;
				uint32_t w = fn->msi_weight[k];
				release(fn, out, &fn->msi_weight[k], NULL);
				msi_set_pending(fn, k, false);
				if (out->kind != OUT_LOSE)
					send_msi(fn, out, k, w);
				*pos = n + k + 1;
				return true;
			}
		}
		g = m;
	}
	if (g < to && fn->ims_pending) {
		for (unsigned int k = g - m; k < fn->lay.ims_n && m + k < to; k++) {
			struct pcifn_slot *s = &fn->ims[k];
			if (!s->weight || (s->ctrl & MSIX_CTRL_MASK))
				continue;
			uint32_t w = s->weight;
			release(fn, out, &s->weight, &fn->ims_pending);
			if (out->kind != OUT_LOSE)
				send_slot(fn, out, s, &fn->stats.msgs_ims, w);
			*pos = m + k + 1;
			return true;
		}
	}
	*pos = to;
	return false;
}

void pcifn_flush(struct msk_pcifn *fn, unsigned int from, unsigned int to)
{
	unsigned int pos = from;
	while (pos < to) {
		struct pcifn_out out = { .kind = OUT_NONE };
		pthread_mutex_lock(&fn->lock);
		bool found = fn->held && next_release(fn, &pos, to, &out);
		pthread_mutex_unlock(&fn->lock);
		if (!found)
			break;
		pcifn_emit(fn, &out);
	}
}

uint64_t msk_pcifn_held(struct msk_pcifn *fn)
{
	pthread_mutex_lock(&fn->lock);
	uint64_t h = fn->held;
	pthread_mutex_unlock(&fn->lock);
	return h;
}
