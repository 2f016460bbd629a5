/* SPDX-License-Identifier: MIT */
/*
 * XIVE sources: the ESB PQ state machine, the decoding of the ESB pages
 * and of the PHB MSI window, and the weight a source holds (see
 * msikit/hw_xive.h for the rules).
 */
#include "hw/ppc64/xive_internal.h"

#include "base/error.h"

/* Add w to what source s holds. */
static void hold(struct msk_xive *x, struct xive_source *s, uint32_t w)
{
	s->held += w;
	x->held += w;
}

/* Lose what source s holds. */
static void drop_held(struct msk_xive *x, struct xive_source *s, enum msk_loss why)
{
	for (uint64_t left = s->held; left;) {
		uint32_t w = left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
		msk_ledger_lose(x->ledger, why, w);
		left -= w;
	}
	x->held -= s->held;
	s->held = 0;
}

/*
 * The weight the next notification of s carries: what s holds plus the
 * incoming w, at most UINT32_MAX; the rest stays held.
 */
static uint32_t carry(struct msk_xive *x, struct xive_source *s, uint32_t w)
{
	uint64_t total = s->held + w;
	uint32_t out = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	x->held -= s->held;
	s->held = total - out;
	x->held += s->held;
	return out;
}

enum xive_pq_effect xive_pq_trigger(uint8_t pq, uint8_t *next)
{
	switch (pq & 3) {
	case MSK_XIVE_PQ_RESET:
		*next = MSK_XIVE_PQ_PENDING;
		return XIVE_PQ_NOTIFY;
	case MSK_XIVE_PQ_OFF:
		*next = MSK_XIVE_PQ_OFF;
		return XIVE_PQ_DROP;
	default: /* PENDING, QUEUED */
		*next = MSK_XIVE_PQ_QUEUED;
		return XIVE_PQ_COALESCE;
	}
}

void xive_trigger_locked(struct msk_xive *x, uint32_t lisn, uint32_t w, struct xive_kick *k)
{
	struct xive_source *s = &x->src[lisn];
	switch (xive_pq_trigger(s->pq, &s->pq)) {
	case XIVE_PQ_NOTIFY:
		xive_notify_locked(x, lisn, carry(x, s, w), k);
		break;
	case XIVE_PQ_DROP:
		msk_ledger_lose(x->ledger, MSK_LOSS_XIVE_OFF, w);
		break;
	case XIVE_PQ_COALESCE:
		hold(x, s, w);
		break;
	}
}

/* EOI of source lisn: 1 if it notified again. */
static uint64_t eoi_locked(struct msk_xive *x, uint32_t lisn, struct xive_kick *k)
{
	struct xive_source *s = &x->src[lisn];
	switch (s->pq) {
	case MSK_XIVE_PQ_PENDING:
		s->pq = MSK_XIVE_PQ_RESET;
		return 0;
	case MSK_XIVE_PQ_QUEUED:
		s->pq = MSK_XIVE_PQ_PENDING;
		xive_notify_locked(x, lisn, carry(x, s, 0), k);
		return 1;
	default: /* RESET, OFF: unchanged */
		return 0;
	}
}

/*
 * SET_PQ_xx: the old PQ. Leaving QUEUED for OFF (01) or PENDING (10) clears
 * the one bit that recorded the coalesced triggers, and nothing re-sends
 * them: Linux's mask (xive_do_source_set_mask) keeps only P. Their weight
 * is lost "xive-q-dropped". SET_PQ_00 hands Q back to the OS, whose EOI
 * path re-triggers (the trigger carries the held weight); SET_PQ_11 keeps it.
 */
static uint64_t set_pq_locked(struct msk_xive *x, uint32_t lisn, uint8_t pq)
{
	struct xive_source *s = &x->src[lisn];
	uint8_t old = s->pq;
	s->pq = pq & 3;
	if (old == MSK_XIVE_PQ_QUEUED && (s->pq == MSK_XIVE_PQ_OFF || s->pq == MSK_XIVE_PQ_PENDING))
		drop_held(x, s, MSK_LOSS_XIVE_Q_DROPPED);
	return old;
}

void xive_esb_op_locked(struct msk_xive *x, uint32_t lisn, bool mgmt, uint64_t off, bool store,
			uint64_t *value, uint32_t w, struct xive_kick *k)
{
	uint32_t op = (uint32_t)(off & 0xFFF);
	if (!store) {
		if (!mgmt)
			*value = ~0ull; /* loads from a trigger page */
		else if (op < MSK_XIVE_ESB_GET)
			*value = eoi_locked(x, lisn, k);
		else if (op < MSK_XIVE_ESB_SET_PQ_00)
			*value = x->src[lisn].pq;
		else
			*value = set_pq_locked(x, lisn, (uint8_t)(op >> 8));
		return;
	}
	if (xive_esb_store_triggers(mgmt, off)) {
		xive_trigger_locked(x, lisn, w, k);
		return;
	}
	/* Management operations other than a trigger carry no event. */
	msk_ledger_lose(x->ledger, MSK_LOSS_BAD_MESSAGE, w);
	if (op < MSK_XIVE_ESB_GET) {
		if (x->store_eoi)
			eoi_locked(x, lisn, k);
	} else if (op >= MSK_XIVE_ESB_SET_PQ_00) {
		set_pq_locked(x, lisn, (uint8_t)(op >> 8));
	}
	/* 0x800-0xBFF: undefined, ignored. */
}

bool xive_esb_store_triggers(bool mgmt, uint64_t pgoff)
{
	return !mgmt || (pgoff & 0xFFF) < MSK_XIVE_ESB_STORE_EOI;
}

/* Decode a region offset into (lisn, management page?, page offset). */
static void esb_decode(const struct msk_xive *x, uint64_t off, uint32_t *lisn, bool *mgmt,
		       uint64_t *pgoff)
{
	*lisn = (uint32_t)(off >> (x->esb_shift + 1));
	*mgmt = (off >> x->esb_shift) & 1;
	*pgoff = off & ((1ull << x->esb_shift) - 1);
}

bool xive_esb_store_decode(const struct msk_xive *x, uint64_t off, unsigned int size,
			   uint32_t *lisn, bool *mgmt, uint64_t *pgoff)
{
	if (off >= x->esb_size)
		return false;
	esb_decode(x, off, lisn, mgmt, pgoff);
	/* 8 bytes naturally aligned; 4 bytes aligned on a trigger page (a PCI message). */
	return (size == 8 && !(off & 7)) || (size == 4 && !(off & 3) && !*mgmt);
}

static uint64_t esb_read(void *opaque, uint64_t off, unsigned int size,
			 const struct msk_bus_attrs *attrs)
{
	struct msk_xive *x = opaque;
	if (size != 8 || (off & 7) || off >= x->esb_size)
		return ~0ull;
	uint32_t lisn;
	bool mgmt;
	uint64_t pgoff, v;
	esb_decode(x, off, &lisn, &mgmt, &pgoff);
	struct xive_kick k = { UINT32_MAX };
	pthread_mutex_lock(&x->lock);
	xive_esb_op_locked(x, lisn, mgmt, pgoff, false, &v, 0, &k);
	pthread_mutex_unlock(&x->lock);
	xive_kick(x, &k);
	return v;
}

static void esb_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		      const struct msk_bus_attrs *attrs)
{
	struct msk_xive *x = opaque;
	uint32_t w = attrs->weight;
	uint32_t lisn;
	bool mgmt;
	uint64_t pgoff;
	if (!xive_esb_store_decode(x, off, size, &lisn, &mgmt, &pgoff)) {
		msk_ledger_lose(x->ledger, MSK_LOSS_BAD_MESSAGE, w);
		return;
	}
	struct xive_kick k = { UINT32_MAX };
	pthread_mutex_lock(&x->lock);
	xive_esb_op_locked(x, lisn, mgmt, pgoff, true, &value, w, &k);
	pthread_mutex_unlock(&x->lock);
	xive_kick(x, &k);
}

const struct msk_mmio_ops msk_xive_esb_ops = { esb_read, esb_write };

static uint64_t msi_read(void *opaque, uint64_t off, unsigned int size,
			 const struct msk_bus_attrs *attrs)
{
	return ~0ull;
}

enum msk_loss xive_msi_decode(const struct msk_xive *x, unsigned int size, uint64_t value,
			      uint32_t *lisn)
{
	if (size != 4 && size != 8)
		return MSK_LOSS_BAD_MESSAGE;
	/* The data is the LISN; the address within the window and the RID are not checked. */
	if ((uint32_t)value >= x->nr_sources)
		return MSK_LOSS_XIVE_INVALID_SOURCE;
	*lisn = (uint32_t)value;
	return MSK_LOSS__COUNT;
}

static void msi_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		      const struct msk_bus_attrs *attrs)
{
	struct msk_xive *x = opaque;
	uint32_t w = attrs->weight;
	uint32_t lisn;
	enum msk_loss why = xive_msi_decode(x, size, value, &lisn);
	if (why != MSK_LOSS__COUNT) {
		msk_ledger_lose(x->ledger, why, w);
		return;
	}
	struct xive_kick k = { UINT32_MAX };
	pthread_mutex_lock(&x->lock);
	xive_trigger_locked(x, lisn, w, &k);
	pthread_mutex_unlock(&x->lock);
	xive_kick(x, &k);
}

const struct msk_mmio_ops msk_xive_msi_ops = { msi_read, msi_write };

int msk_xive_trigger(struct msk_xive *x, uint32_t lisn, uint32_t weight)
{
	if (lisn >= x->nr_sources) {
		msk_ledger_lose(x->ledger, MSK_LOSS_XIVE_INVALID_SOURCE, weight);
		return msk_err(MSK_ENOENT, "xive: trigger of LISN 0x%x >= %u sources", lisn,
			       x->nr_sources);
	}
	struct xive_kick k = { UINT32_MAX };
	pthread_mutex_lock(&x->lock);
	xive_trigger_locked(x, lisn, weight, &k);
	pthread_mutex_unlock(&x->lock);
	xive_kick(x, &k);
	return 0;
}

int msk_xive_esb_access(struct msk_xive *x, uint32_t lisn, uint64_t offset, bool store,
			uint64_t *value)
{
	if (lisn >= x->nr_sources)
		return msk_err(MSK_EINVAL, "xive: ESB access to LISN 0x%x >= %u sources", lisn,
			       x->nr_sources);
	if (offset >= (1ull << x->esb_shift))
		return msk_err(MSK_EINVAL, "xive: ESB offset 0x%llx >= page size 0x%llx",
			       (unsigned long long)offset, 1ull << x->esb_shift);
	if (offset & 7) { /* like an unaligned MMIO access: no effect */
		if (!store)
			*value = ~0ull;
		return 0;
	}
	struct xive_kick k = { UINT32_MAX };
	pthread_mutex_lock(&x->lock);
	xive_esb_op_locked(x, lisn, true, offset, store, value, 0, &k);
	pthread_mutex_unlock(&x->lock);
	xive_kick(x, &k);
	return 0;
}
