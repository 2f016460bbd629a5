/* SPDX-License-Identifier: MIT */
/*
 * XIVE routing: a source's notification goes through its EAS to an END,
 * whose event queue in guest RAM receives the EQ entry; the target CPU
 * takes entries back out (msk_xive_take). The model keeps the weight of
 * each entry written and not yet taken (see xive_internal.h).
 */
#include "hw/ppc64/xive_internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define RING_MIN 64u /* weight slots allocated with a queue */

static uint32_t end_entries(const struct xive_end *e)
{
	return 1u << (e->qshift - 2);
}

/* Lose `h` weight (possibly more than 32 bits' worth) with `reason`. */
static void lose_wide(struct msk_ledger *l, enum msk_loss reason, uint64_t h)
{
	while (h) {
		uint32_t part = h > UINT32_MAX ? UINT32_MAX : (uint32_t)h;
		msk_ledger_lose(l, reason, part);
		h -= part;
	}
}

void xive_end_reset_locked(struct msk_xive *x, struct xive_end *e)
{
	lose_wide(x->ledger, MSK_LOSS_XIVE_QUEUE_RESET, e->held);
	x->held -= e->held;
	msk_free(e->w);
	memset(e, 0, sizeof(*e));
}

/* Make room for one more weight slot; false when out of memory. */
static bool ring_grow(struct xive_end *e)
{
	if (e->count < e->cap)
		return true;
	uint32_t ncap = e->cap ? e->cap * 2 : RING_MIN;
	if (ncap > end_entries(e))
		ncap = end_entries(e);
	uint32_t *nw = msk_malloc_nofault((size_t)ncap * sizeof(*nw));
	if (!nw)
		return false;
	for (uint32_t i = 0; i < e->count; i++)
		nw[i] = e->w[(e->head + i) % e->cap];
	msk_free(e->w);
	e->w = nw;
	e->cap = ncap;
	e->head = 0;
	return true;
}

enum msk_loss xive_dest_locked(struct msk_xive *x, uint32_t lisn, bool room, struct xive_end **e)
{
	const struct xive_source *s = &x->src[lisn];
	if (!s->eas_valid)
		return MSK_LOSS_XIVE_INVALID_SOURCE;
	if (s->eas_masked)
		return MSK_LOSS_XIVE_EAS_MASKED;
	*e = xive_end_of(x, s->eas_cpu, s->eas_prio);
	if (!(*e)->qshift)
		return MSK_LOSS_XIVE_NO_QUEUE;
	if (room && (*e)->count == end_entries(*e))
		return MSK_LOSS_XIVE_QUEUE_OVERFLOW;
	return MSK_LOSS__COUNT;
}

void xive_notify_locked(struct msk_xive *x, uint32_t lisn, uint32_t w, struct xive_kick *k)
{
	const struct xive_source *s = &x->src[lisn];
	struct xive_end *e = NULL;
	enum msk_loss why = xive_dest_locked(x, lisn, true, &e);
	if (why != MSK_LOSS__COUNT) {
		msk_ledger_lose(x->ledger, why, w);
		return;
	}
	if (!ring_grow(e)) { /* the host is out of memory (not subject to fault injection) */
		msk_ledger_lose(x->ledger, MSK_LOSS_TABLE_FAULT, w);
		return;
	}
	uint32_t entry = (uint32_t)e->gen << 31 | (s->eas_eisn & 0x7FFFFFFFu);
	if (msk_ram_write32(x->bus, e->qaddr + 4ull * e->windex, __builtin_bswap32(entry)) < 0) {
		msk_ledger_lose(x->ledger, MSK_LOSS_TABLE_FAULT, w);
		return;
	}
	e->w[(e->head + e->count) % e->cap] = w;
	e->count++;
	e->held += w;
	x->held += w;
	if (++e->windex == end_entries(e)) {
		e->windex = 0;
		e->gen = !e->gen;
	}
	k->cpu = s->eas_cpu;
}

int msk_xive_set_eas(struct msk_xive *x, uint32_t lisn, const struct msk_xive_eas *eas)
{
	if (lisn >= x->nr_sources)
		return msk_err(MSK_EINVAL, "xive: EAS of LISN 0x%x >= %u sources", lisn,
			       x->nr_sources);
	if (eas->cpu >= x->nr_cpus || eas->prio >= MSK_XIVE_PRIORITIES)
		return msk_err(MSK_EINVAL,
			       "xive: EAS of LISN 0x%x: END (CPU %u, priority %u) "
			       "does not exist (%u CPUs)",
			       lisn, eas->cpu, eas->prio, x->nr_cpus);
	pthread_mutex_lock(&x->lock);
	struct xive_source *s = &x->src[lisn];
	s->eas_valid = eas->valid;
	s->eas_masked = eas->masked;
	s->eas_cpu = eas->cpu;
	s->eas_prio = eas->prio;
	s->eas_eisn = eas->eisn & 0x7FFFFFFFu;
	pthread_mutex_unlock(&x->lock);
	return 0;
}

int msk_xive_get_eas(struct msk_xive *x, uint32_t lisn, struct msk_xive_eas *out)
{
	struct msk_xive_source_info info;
	int rc = msk_xive_get_source(x, lisn, &info);
	if (rc == 0)
		*out = info.eas;
	return rc;
}

static int check_end(const struct msk_xive *x, uint32_t cpu, unsigned int prio)
{
	if (cpu >= x->nr_cpus || prio >= MSK_XIVE_PRIORITIES)
		return msk_err(MSK_EINVAL,
			       "xive: no END (CPU %u, priority %u): %u CPUs, %u "
			       "priorities",
			       cpu, prio, x->nr_cpus, MSK_XIVE_PRIORITIES);
	return 0;
}

int msk_xive_set_queue(struct msk_xive *x, uint32_t cpu, unsigned int prio, uint64_t qaddr,
		       unsigned int qshift, bool ucond)
{
	int rc = check_end(x, cpu, prio);
	if (rc < 0)
		return rc;
	uint32_t *ring = NULL, cap = 0;
	if (qshift) {
		if (qshift < MSK_XIVE_QSHIFT_MIN || qshift > MSK_XIVE_QSHIFT_MAX)
			return msk_err(MSK_EINVAL,
				       "xive: END (CPU %u, priority %u): queue "
				       "size 2^%u not in 2^%u..2^%u",
				       cpu, prio, qshift, MSK_XIVE_QSHIFT_MIN, MSK_XIVE_QSHIFT_MAX);
		if (qaddr & ((1ull << qshift) - 1))
			return msk_err(MSK_EINVAL,
				       "xive: END (CPU %u, priority %u): queue at "
				       "0x%llx not aligned to 2^%u",
				       cpu, prio, (unsigned long long)qaddr, qshift);
		if (!msk_ram_contains(x->bus, qaddr, 1ull << qshift))
			return msk_err(MSK_EFAULT,
				       "xive: END (CPU %u, priority %u): queue "
				       "[0x%llx, +2^%u) is not in RAM",
				       cpu, prio, (unsigned long long)qaddr, qshift);
		cap = RING_MIN < (1u << (qshift - 2)) ? RING_MIN : 1u << (qshift - 2);
		/* The model's record of the queue the guest configures: not subject to injection. */
		ring = msk_malloc_nofault((size_t)cap * sizeof(*ring));
		if (!ring)
			return msk_err(MSK_ENOMEM,
				       "xive: END (CPU %u, priority %u): out of "
				       "memory",
				       cpu, prio);
	}
	pthread_mutex_lock(&x->lock);
	struct xive_end *e = xive_end_of(x, cpu, prio);
	xive_end_reset_locked(x, e);
	if (qshift) {
		e->qaddr = qaddr;
		e->qshift = (uint8_t)qshift;
		e->ucond = ucond;
		e->gen = true;
		e->w = ring;
		e->cap = cap;
	}
	pthread_mutex_unlock(&x->lock);
	return 0;
}

int msk_xive_get_queue(struct msk_xive *x, uint32_t cpu, unsigned int prio,
		       struct msk_xive_end_info *out)
{
	int rc = check_end(x, cpu, prio);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&x->lock);
	const struct xive_end *e = xive_end_of(x, cpu, prio);
	memset(out, 0, sizeof(*out));
	out->enqueue = e->qshift != 0;
	out->ucond = e->ucond;
	out->qaddr = e->qaddr;
	out->qshift = e->qshift;
	out->entries = e->qshift ? end_entries(e) : 0;
	out->windex = e->windex;
	out->generation = e->gen;
	out->cindex = e->cindex;
	out->toggle = e->toggle;
	out->outstanding = e->count;
	out->held = e->held;
	pthread_mutex_unlock(&x->lock);
	return 0;
}

/* Take the entry at END e's consumer index if valid; see msk_xive_take. */
static bool take_one(struct msk_xive *x, struct xive_end *e, uint32_t *eisn, uint32_t *weight)
{
	uint32_t raw;
	if (msk_ram_read32(x->bus, e->qaddr + 4ull * e->cindex, &raw) < 0)
		return false;
	uint32_t entry = __builtin_bswap32(raw);
	if ((entry >> 31) == (uint32_t)e->toggle)
		return false;
	uint32_t n = end_entries(e);
	uint32_t w = 0;
	/* The oldest weight belongs to slot windex - count. */
	if (e->count && (e->windex + n - e->count) % n == e->cindex) {
		w = e->w[e->head];
		e->head = (e->head + 1) % e->cap;
		e->count--;
		e->held -= w;
		x->held -= w;
	}
	if (++e->cindex == n) {
		e->cindex = 0;
		e->toggle = !e->toggle;
	}
	*eisn = entry & 0x7FFFFFFFu;
	*weight = w;
	return true;
}

int msk_xive_take(struct msk_xive *x, uint32_t cpu, uint32_t *eisn, unsigned int *prio,
		  uint32_t *weight)
{
	if (cpu >= x->nr_cpus)
		return msk_err(MSK_EINVAL, "xive: take on CPU %u >= %u CPUs", cpu, x->nr_cpus);
	int taken = 0;
	pthread_mutex_lock(&x->lock);
	for (unsigned int p = 0; p < MSK_XIVE_PRIORITIES && !taken; p++) {
		struct xive_end *e = xive_end_of(x, cpu, p);
		uint32_t ev, w;
		if (e->qshift && take_one(x, e, &ev, &w)) {
			*eisn = ev;
			*prio = p;
			*weight = w;
			taken = 1;
		}
	}
	pthread_mutex_unlock(&x->lock);
	return taken;
}

void msk_xive_reset_router(struct msk_xive *x)
{
	pthread_mutex_lock(&x->lock);
	for (uint32_t i = 0; i < x->nr_sources; i++) {
		struct xive_source *s = &x->src[i];
		s->eas_masked = s->eas_valid;
		s->eas_cpu = 0;
		s->eas_prio = 0;
		s->eas_eisn = 0;
	}
	for (uint64_t i = 0; i < (uint64_t)x->nr_cpus * MSK_XIVE_PRIORITIES; i++)
		xive_end_reset_locked(x, &x->end[i]);
	pthread_mutex_unlock(&x->lock);
}
