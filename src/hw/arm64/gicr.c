/* SPDX-License-Identifier: MIT */
/*
 * Redistributors: the RD_base registers, LPI pending state (model-owned,
 * written through to the pending table in RAM), the configuration cache
 * refills, and the CPU interface (ack, EOI).
 *
 * Pending state per RD: chunks of LPI_CHUNK LPIs (bitmap + weight per
 * LPI), allocated on first use. Everything here runs under the RD's lock.
 */
#include "hw/arm64/gic.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define PROPBASER_MASK \
	(0x1Full | (7ull << 7) | (3ull << 10) | MSK_GICR_PROPBASER_PA_MASK | (7ull << 56))
#define PENDBASER_MASK ((7ull << 7) | (3ull << 10) | MSK_GICR_PENDBASER_PA_MASK | (7ull << 56))
#define GICR_PIDR2_V3  0x3Bu
#define NO_LPI	       1023u

void gic_lose(struct msk_gic *gic, enum msk_loss reason, uint64_t weight)
{
	for (; weight > UINT32_MAX; weight -= UINT32_MAX)
		msk_ledger_lose(gic->ledger, reason, UINT32_MAX);
	msk_ledger_lose(gic->ledger, reason, (uint32_t)weight);
}

void gic_deliver(struct msk_gic *gic, uint64_t weight)
{
	for (; weight > UINT32_MAX; weight -= UINT32_MAX)
		msk_ledger_deliver(gic->ledger, UINT32_MAX);
	msk_ledger_deliver(gic->ledger, (uint32_t)weight);
}

static void kick(struct msk_gic *gic, struct gicr *rd)
{
	atomic_fetch_add(&rd->kicks, 1);
	if (gic->cfg.notify.kick)
		gic->cfg.notify.kick(gic->cfg.notify.ctx, rd->cpu);
}

/* First INTID beyond the LPIs described by a PROPBASER value. */
static uint32_t propbaser_end(const struct msk_gic *gic, uint64_t propbaser)
{
	unsigned int bits = (unsigned int)(propbaser & MSK_GICR_PROPBASER_IDBITS) + 1;
	if (bits < 14)
		return MSK_GIC_LPI_BASE; /* the table holds no LPI */
	if (bits > gic->cfg.lpi_id_bits)
		bits = gic->cfg.lpi_id_bits;
	return 1u << bits;
}

static bool lpi_enabled(const struct msk_gic *gic, uint32_t intid)
{
	return gic_lpi_cfg(gic, intid) & MSK_GIC_LPI_PROP_ENABLE;
}

/* ---- pending state (RD lock held) ---------------------------------------- */

static struct lpi_chunk *chunk_of(struct gicr *rd, uint32_t intid, bool create)
{
	unsigned int idx = (intid - MSK_GIC_LPI_BASE) >> LPI_CHUNK_SHIFT;
	if (!rd->chunks[idx] && create)
		rd->chunks[idx] = msk_calloc_nofault(1, sizeof(struct lpi_chunk));
	return rd->chunks[idx];
}

static bool is_pending(const struct gicr *rd, uint32_t intid, uint64_t *weight)
{
	const struct lpi_chunk *ch = rd->chunks[(intid - MSK_GIC_LPI_BASE) >> LPI_CHUNK_SHIFT];
	unsigned int i = (intid - MSK_GIC_LPI_BASE) & (LPI_CHUNK - 1);
	if (!ch || !(ch->bits[i / 64] & (1ull << (i % 64))))
		return false;
	if (weight)
		*weight = ch->weight[i];
	return true;
}

/* The byte of the RD's pending table in RAM that holds the LPI's bit. */
static uint64_t pend_byte(const struct gicr *rd, uint32_t intid)
{
	return (rd->pendbaser & MSK_GICR_PENDBASER_PA_MASK) + intid / 8;
}

/* Set or clear the LPI's bit in the RD's pending table in RAM. */
static int pend_table_write(struct msk_gic *gic, const struct gicr *rd, uint32_t intid, bool set)
{
	uint64_t addr = pend_byte(rd, intid);
	uint8_t b;
	if (msk_ram_read(gic->bus, addr, &b, 1) < 0)
		return -MSK_EFAULT;
	b = set ? (uint8_t)(b | (1u << (intid % 8))) : (uint8_t)(b & ~(1u << (intid % 8)));
	return msk_ram_write(gic->bus, addr, &b, 1);
}

/*
 * Add `weight` to LPI intid of an RD with LPIs enabled (intid in range).
 * `write_through` is false when importing the RAM table. Returns true when
 * it is pending afterwards; otherwise the weight has been lost.
 */
static bool rd_add(struct msk_gic *gic, struct gicr *rd, uint32_t intid, uint64_t weight,
		   bool write_through)
{
	struct lpi_chunk *ch = chunk_of(rd, intid, true);
	if (!ch) {
		gic_lose(gic, MSK_LOSS_TABLE_FAULT, weight); /* the host is out of memory */
		return false;
	}
	unsigned int i = (intid - MSK_GIC_LPI_BASE) & (LPI_CHUNK - 1);
	uint64_t bit = 1ull << (i % 64);
	if (!(ch->bits[i / 64] & bit)) {
		if (write_through && pend_table_write(gic, rd, intid, true) < 0) {
			gic_lose(gic, MSK_LOSS_TABLE_FAULT, weight);
			return false;
		}
		ch->bits[i / 64] |= bit;
		ch->n++;
		ch->weight[i] = 0;
		atomic_fetch_add(&rd->pending, 1);
	}
	ch->weight[i] += weight;
	atomic_fetch_add(&rd->held, weight);
	atomic_fetch_add(&gic->held, weight);
	return true;
}

/* Remove a pending LPI; returns its weight (the caller accounts for it). */
static uint64_t rd_remove(struct msk_gic *gic, struct gicr *rd, uint32_t intid, bool write_through)
{
	struct lpi_chunk *ch = chunk_of(rd, intid, false);
	unsigned int i = (intid - MSK_GIC_LPI_BASE) & (LPI_CHUNK - 1);
	uint64_t w = ch->weight[i];
	ch->bits[i / 64] &= ~(1ull << (i % 64));
	ch->n--;
	ch->weight[i] = 0;
	atomic_fetch_sub(&rd->pending, 1);
	atomic_fetch_sub(&rd->held, w);
	atomic_fetch_sub(&gic->held, w);
	if (write_through)
		pend_table_write(gic, rd, intid, false); /* a fault only loses the mirror */
	return w;
}

/*
 * Call fn for every pending LPI of the RD, in INTID order, until it
 * returns false. fn may remove the LPI it is given.
 */
static void rd_for_each(struct msk_gic *gic, struct gicr *rd,
			bool (*fn)(struct msk_gic *, struct gicr *, uint32_t, void *), void *arg)
{
	for (unsigned int c = 0; c < gic->nr_chunks; c++) {
		struct lpi_chunk *ch = rd->chunks[c];
		if (!ch || !ch->n)
			continue;
		for (unsigned int w = 0; w < LPI_CHUNK / 64; w++) {
			uint64_t bits = ch->bits[w];
			while (bits) {
				unsigned int b = (unsigned int)__builtin_ctzll(bits);
				bits &= bits - 1;
				uint32_t intid =
					MSK_GIC_LPI_BASE + (c << LPI_CHUNK_SHIFT) + w * 64 + b;
				if (!fn(gic, rd, intid, arg))
					return;
			}
		}
	}
}

struct best {
	uint32_t intid;
	unsigned int prio;
};

static bool find_best(struct msk_gic *gic, struct gicr *rd, uint32_t intid, void *arg)
{
	struct best *b = arg;
	uint8_t cfg = gic_lpi_cfg(gic, intid);
	if (!(cfg & MSK_GIC_LPI_PROP_ENABLE))
		return true;
	unsigned int prio = MSK_GIC_LPI_PROP_PRIO(cfg);
	if (prio < b->prio) {
		b->prio = prio;
		b->intid = intid;
	}
	return prio != 0; /* nothing beats priority 0 seen first */
}

static bool rd_deliverable(struct msk_gic *gic, struct gicr *rd)
{
	if (!atomic_load(&rd->pending))
		return false;
	struct best b = { NO_LPI, 256 };
	rd_for_each(gic, rd, find_best, &b);
	return b.intid != NO_LPI;
}

static bool drop_one(struct msk_gic *gic, struct gicr *rd, uint32_t intid, void *arg)
{
	const enum msk_loss *reason = arg;
	gic_lose(gic, *reason, rd_remove(gic, rd, intid, false));
	return true;
}

static void rd_drop_all(struct msk_gic *gic, struct gicr *rd, enum msk_loss reason)
{
	if (atomic_load(&rd->pending))
		rd_for_each(gic, rd, drop_one, &reason);
}

/* Why an RD cannot take intid now, or MSK_LOSS__COUNT when it can (RD lock held). */
static enum msk_loss rd_refusal(const struct gicr *rd, uint32_t intid)
{
	if (!rd->lpis_enabled)
		return MSK_LOSS_LPIS_DISABLED;
	if (intid < MSK_GIC_LPI_BASE || intid >= rd->lpi_end)
		return MSK_LOSS_LPI_OUT_OF_RANGE;
	return MSK_LOSS__COUNT;
}

/* Lose weight for an RD that cannot take intid; returns true if it can. */
static bool rd_accepts(struct msk_gic *gic, const struct gicr *rd, uint32_t intid, uint64_t weight)
{
	enum msk_loss why = rd_refusal(rd, intid);
	if (why == MSK_LOSS__COUNT)
		return true;
	gic_lose(gic, why, weight);
	return false;
}

/* ---- calls from the ITS ---------------------------------------------------- */

bool gicr_set_pending(struct msk_gic *gic, unsigned int cpu, uint32_t intid, uint64_t weight)
{
	struct gicr *rd = &gic->rd[cpu];
	bool ok = false;
	pthread_mutex_lock(&rd->lock);
	if (rd_accepts(gic, rd, intid, weight) && rd_add(gic, rd, intid, weight, true)) {
		ok = true;
		if (lpi_enabled(gic, intid))
			kick(gic, rd);
	}
	pthread_mutex_unlock(&rd->lock);
	return ok;
}

enum msk_loss gicr_probe(struct msk_gic *gic, unsigned int cpu, uint32_t intid, bool *enabled)
{
	struct gicr *rd = &gic->rd[cpu];
	pthread_mutex_lock(&rd->lock);
	enum msk_loss why = rd_refusal(rd, intid);
	/* rd_add's write-through: a newly pending LPI needs its pending-table byte. */
	if (why == MSK_LOSS__COUNT && !is_pending(rd, intid, NULL) &&
	    !msk_ram_contains(gic->bus, pend_byte(rd, intid), 1))
		why = MSK_LOSS_TABLE_FAULT;
	if (why == MSK_LOSS__COUNT)
		*enabled = lpi_enabled(gic, intid);
	pthread_mutex_unlock(&rd->lock);
	return why;
}

void gicr_clear_pending(struct msk_gic *gic, unsigned int cpu, uint32_t intid, enum msk_loss reason)
{
	struct gicr *rd = &gic->rd[cpu];
	pthread_mutex_lock(&rd->lock);
	if (intid >= MSK_GIC_LPI_BASE && intid < gic->lpi_limit && is_pending(rd, intid, NULL))
		gic_lose(gic, reason, rd_remove(gic, rd, intid, true));
	pthread_mutex_unlock(&rd->lock);
}

struct move {
	struct gicr *to;
	bool kick;
};

static bool move_one(struct msk_gic *gic, struct gicr *from, uint32_t intid, void *arg)
{
	struct move *m = arg;
	uint64_t w = rd_remove(gic, from, intid, true);
	if (rd_accepts(gic, m->to, intid, w) && rd_add(gic, m->to, intid, w, true) &&
	    lpi_enabled(gic, intid))
		m->kick = true;
	return true;
}

void gicr_move_pending(struct msk_gic *gic, unsigned int from, unsigned int to, bool all,
		       uint32_t intid)
{
	if (from == to)
		return;
	struct gicr *a = &gic->rd[from < to ? from : to], *b = &gic->rd[from < to ? to : from];
	pthread_mutex_lock(&a->lock);
	pthread_mutex_lock(&b->lock);
	struct move m = { &gic->rd[to], false };
	struct gicr *src = &gic->rd[from];
	if (all) {
		if (atomic_load(&src->pending))
			rd_for_each(gic, src, move_one, &m);
	} else if (intid >= MSK_GIC_LPI_BASE && intid < gic->lpi_limit &&
		   is_pending(src, intid, NULL)) {
		move_one(gic, src, intid, &m);
	}
	if (m.kick)
		kick(gic, m.to);
	pthread_mutex_unlock(&b->lock);
	pthread_mutex_unlock(&a->lock);
}

/* Refill the configuration cache for [first, end) from a PROPBASER's table. */
static void load_config(struct msk_gic *gic, uint64_t propbaser, uint32_t first, uint32_t end)
{
	uint64_t base = (propbaser & MSK_GICR_PROPBASER_PA_MASK) - MSK_GIC_LPI_BASE;
	uint8_t buf[4096];
	for (uint32_t id = first; id < end;) {
		uint32_t n = end - id < sizeof(buf) ? end - id : (uint32_t)sizeof(buf);
		if (msk_ram_read(gic->bus, base + id, buf, n) < 0) {
			for (uint32_t k = 0; k < n; k++)
				msk_ram_read(gic->bus, base + id + k, &buf[k],
					     1); /* 0 if outside */
		}
		for (uint32_t k = 0; k < n; k++)
			atomic_store_explicit(&gic->lpi_cfg[id + k - MSK_GIC_LPI_BASE], buf[k],
					      memory_order_relaxed);
		id += n;
	}
}

void gicr_invalidate(struct msk_gic *gic, unsigned int cpu, bool all, uint32_t intid)
{
	struct gicr *rd = &gic->rd[cpu];
	pthread_mutex_lock(&rd->lock);
	uint32_t end = propbaser_end(gic, rd->propbaser);
	if (all)
		load_config(gic, rd->propbaser, MSK_GIC_LPI_BASE, end);
	else if (intid >= MSK_GIC_LPI_BASE && intid < end)
		load_config(gic, rd->propbaser, intid, intid + 1);
	pthread_mutex_unlock(&rd->lock);
	/* Any RD may hold an LPI that just became deliverable. */
	for (unsigned int c = 0; c < gic->cfg.nr_cpus; c++) {
		struct gicr *r = &gic->rd[c];
		pthread_mutex_lock(&r->lock);
		bool go = all ? rd_deliverable(gic, r)
			      : (intid >= MSK_GIC_LPI_BASE && intid < gic->lpi_limit &&
				 is_pending(r, intid, NULL) && lpi_enabled(gic, intid));
		if (go)
			kick(gic, r);
		pthread_mutex_unlock(&r->lock);
	}
}

void gicr_drop_all(struct msk_gic *gic, enum msk_loss reason)
{
	for (unsigned int c = 0; c < gic->cfg.nr_cpus; c++) {
		struct gicr *rd = &gic->rd[c];
		pthread_mutex_lock(&rd->lock);
		rd_drop_all(gic, rd, reason);
		pthread_mutex_unlock(&rd->lock);
	}
}

/* ---- EnableLPIs ------------------------------------------------------------ */

/* Import the pending table (PTZ = 0): every set LPI bit pends with weight 0. */
static void import_pending(struct msk_gic *gic, struct gicr *rd)
{
	uint64_t base = rd->pendbaser & MSK_GICR_PENDBASER_PA_MASK;
	uint8_t buf[512];
	for (uint32_t id = MSK_GIC_LPI_BASE; id < rd->lpi_end;) {
		uint32_t n = (rd->lpi_end - id) / 8 < sizeof(buf) ? (rd->lpi_end - id) / 8
								  : (uint32_t)sizeof(buf);
		if (msk_ram_read(gic->bus, base + id / 8, buf, n) < 0)
			memset(buf, 0, n);
		for (uint32_t k = 0; k < n; k++)
			for (unsigned int b = 0; buf[k] && b < 8; b++)
				if (buf[k] & (1u << b))
					rd_add(gic, rd, id + k * 8 + b, 0, false);
		id += n * 8;
	}
}

static void set_enable_lpis(struct msk_gic *gic, struct gicr *rd, bool on, bool ptz)
{
	if (on == rd->lpis_enabled)
		return;
	if (!on) {
		rd_drop_all(gic, rd, MSK_LOSS_LPIS_DISABLED);
		rd->lpis_enabled = false;
		return;
	}
	rd->lpis_enabled = true;
	rd->lpi_end = propbaser_end(gic, rd->propbaser);
	load_config(gic, rd->propbaser, MSK_GIC_LPI_BASE, rd->lpi_end);
	if (!ptz)
		import_pending(gic, rd);
	if (rd_deliverable(gic, rd))
		kick(gic, rd);
}

/* ---- CPU interface ----------------------------------------------------------- */

int msk_gic_ack(struct msk_gic *gic, unsigned int cpu, uint32_t *intid, uint64_t *weight)
{
	if (cpu >= gic->cfg.nr_cpus)
		return msk_err(MSK_EINVAL, "gic: ack on CPU %u >= %u redistributors", cpu,
			       gic->cfg.nr_cpus);
	struct gicr *rd = &gic->rd[cpu];
	struct best b = { NO_LPI, 256 };
	uint64_t w = 0;
	pthread_mutex_lock(&rd->lock);
	if (atomic_load(&rd->pending))
		rd_for_each(gic, rd, find_best, &b);
	if (b.intid != NO_LPI) {
		w = rd_remove(gic, rd, b.intid, true);
		atomic_fetch_add(&rd->acks, 1);
		if (!gic->cfg.ack_hands_over)
			gic_deliver(gic, w);
	}
	pthread_mutex_unlock(&rd->lock);
	*intid = b.intid;
	if (weight)
		*weight = w;
	return b.intid != NO_LPI;
}

int msk_gic_eoi(struct msk_gic *gic, unsigned int cpu, uint32_t intid)
{
	if (cpu >= gic->cfg.nr_cpus)
		return msk_err(MSK_EINVAL, "gic: EOI on CPU %u >= %u redistributors", cpu,
			       gic->cfg.nr_cpus);
	if (intid < MSK_GIC_LPI_BASE || intid >= gic->lpi_limit)
		return msk_err(MSK_EINVAL, "gic: EOI of INTID %u, not an LPI below %u", intid,
			       gic->lpi_limit);
	atomic_fetch_add(&gic->rd[cpu].eois, 1);
	return 0;
}

int msk_gic_lpi_pending(const struct msk_gic *gic, unsigned int cpu, uint32_t intid,
			uint64_t *weight)
{
	if (cpu >= gic->cfg.nr_cpus)
		return msk_err(MSK_EINVAL, "gic: CPU %u >= %u redistributors", cpu,
			       gic->cfg.nr_cpus);
	if (intid < MSK_GIC_LPI_BASE || intid >= gic->lpi_limit)
		return 0;
	struct gicr *rd = &gic->rd[cpu];
	pthread_mutex_lock(&rd->lock);
	bool p = is_pending(rd, intid, weight);
	pthread_mutex_unlock(&rd->lock);
	return p;
}

/* ---- RD_base registers -------------------------------------------------------- */

static uint64_t typer(const struct msk_gic *gic, unsigned int cpu)
{
	uint64_t aff = (cpu & 0xFFu) | ((uint64_t)(cpu >> 8) << 8);
	uint64_t v = aff << 32 | (uint64_t)cpu << 8 | MSK_GICR_TYPER_PLPIS;
	if (cpu == gic->cfg.nr_cpus - 1)
		v |= MSK_GICR_TYPER_LAST;
	return v;
}

static void bad_access(struct msk_gic *gic)
{
	atomic_fetch_add(&gic->bad_accesses, 1);
}

static uint64_t gicr_read(void *opaque, uint64_t off, unsigned int size,
			  const struct msk_bus_attrs *attrs)
{
	struct msk_gic *gic = opaque;
	unsigned int cpu = (unsigned int)(off / MSK_GICR_STRIDE);
	uint64_t r = off % MSK_GICR_STRIDE;
	if (cpu >= gic->cfg.nr_cpus || r >= 0x10000)
		return 0; /* SGI_base frame: RAZ/WI */
	struct gicr *rd = &gic->rd[cpu];
	uint64_t v = 0;
	pthread_mutex_lock(&rd->lock);
	if (gic_reg_access(r, size, MSK_GICR_CTLR, 4))
		v = rd->lpis_enabled ? MSK_GICR_CTLR_ENABLE_LPIS : 0;
	else if (gic_reg_access(r, size, MSK_GICR_IIDR, 4))
		v = MSK_GICR_IIDR_VALUE;
	else if (gic_reg_access(r, size, MSK_GICR_TYPER, 8))
		v = gic_reg_read64(typer(gic, cpu), r, size);
	else if (gic_reg_access(r, size, MSK_GICR_WAKER, 4))
		v = rd->waker;
	else if (gic_reg_access(r, size, MSK_GICR_PROPBASER, 8))
		v = gic_reg_read64(rd->propbaser, r, size);
	else if (gic_reg_access(r, size, MSK_GICR_PENDBASER, 8))
		v = gic_reg_read64(rd->pendbaser & PENDBASER_MASK, r, size);
	else if (gic_reg_access(r, size, MSK_GICR_PIDR2, 4))
		v = GICR_PIDR2_V3;
	else
		bad_access(gic);
	pthread_mutex_unlock(&rd->lock);
	return v;
}

static void gicr_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		       const struct msk_bus_attrs *attrs)
{
	struct msk_gic *gic = opaque;
	if (attrs->is_msi) {
		gic_lose(gic, MSK_LOSS_NO_DOORBELL, attrs->weight);
		return;
	}
	unsigned int cpu = (unsigned int)(off / MSK_GICR_STRIDE);
	uint64_t r = off % MSK_GICR_STRIDE;
	if (cpu >= gic->cfg.nr_cpus || r >= 0x10000)
		return;
	struct gicr *rd = &gic->rd[cpu];
	pthread_mutex_lock(&rd->lock);
	if (gic_reg_access(r, size, MSK_GICR_CTLR, 4)) {
		set_enable_lpis(gic, rd, value & MSK_GICR_CTLR_ENABLE_LPIS,
				rd->pendbaser & MSK_GICR_PENDBASER_PTZ);
	} else if (gic_reg_access(r, size, MSK_GICR_WAKER, 4)) {
		rd->waker = (value & MSK_GICR_WAKER_SLEEP)
				    ? MSK_GICR_WAKER_SLEEP | MSK_GICR_WAKER_ASLEEP
				    : 0;
	} else if (gic_reg_access(r, size, MSK_GICR_PROPBASER, 8)) {
		if (!rd->lpis_enabled)
			rd->propbaser =
				gic_reg_write64(rd->propbaser, r, size, value) & PROPBASER_MASK;
	} else if (gic_reg_access(r, size, MSK_GICR_PENDBASER, 8)) {
		if (!rd->lpis_enabled)
			rd->pendbaser = gic_reg_write64(rd->pendbaser, r, size, value) &
					(PENDBASER_MASK | MSK_GICR_PENDBASER_PTZ);
	} else if (!gic_reg_access(r, size, MSK_GICR_IIDR, 4) &&
		   !gic_reg_access(r, size, MSK_GICR_TYPER, 8) &&
		   !gic_reg_access(r, size, MSK_GICR_PIDR2, 4)) {
		bad_access(gic);
	}
	pthread_mutex_unlock(&rd->lock);
}

const struct msk_mmio_ops gicr_mmio_ops = { gicr_read, gicr_write };
