/* SPDX-License-Identifier: MIT */
/*
 * ITS registers: the control frame (GITS_CTLR .. GITS_BASER<n>, ID
 * registers) and the translation frame (GITS_TRANSLATER). Register state
 * is under its.lock; command processing runs from CWRITER writes, CREADR
 * reads and the Enabled 0 -> 1 transition, a bounded batch each time.
 */
#include "hw/arm64/gic.h"

#define CBASER_RW_MASK                                                                    \
	(0xFFull | (3ull << 10) | MSK_GITS_CBASER_PA_MASK | (7ull << 53) | (7ull << 59) | \
	 MSK_GITS_CBASER_VALID)
#define GITS_PIDR2_V3 0x3Bu

static uint64_t gits_typer(const struct msk_gic *gic)
{
	const struct msk_gic_config *c = &gic->cfg;
	uint64_t v = 1ull;			   /* Physical */
	v |= (uint64_t)(ITS_ENTRY_SIZE - 1) << 4;  /* ITT_entry_size */
	v |= (uint64_t)(c->eventid_bits - 1) << 8; /* ID_bits */
	v |= (uint64_t)(c->devbits - 1) << 13;	   /* Devbits */
	v |= (uint64_t)c->hcc << 24;		   /* HCC */
	if (c->cidbits < 16)
		v |= 1ull << 36 | (uint64_t)(c->cidbits - 1) << 32; /* CIL, CIDbits */
	return v;
}

static bool can_enable(const struct its *its)
{
	return (its->cbaser & MSK_GITS_CBASER_VALID) && (its->baser[0] & MSK_GITS_BASER_VALID) &&
	       (its->baser[1] & MSK_GITS_BASER_VALID);
}

static uint64_t queue_bytes(const struct its *its)
{
	return ((its->cbaser & MSK_GITS_CBASER_SIZE) + 1) * 4096;
}

static uint64_t its_read(void *opaque, uint64_t off, unsigned int size,
			 const struct msk_bus_attrs *attrs)
{
	struct msk_gic *gic = opaque;
	struct its *its = &gic->its;
	uint64_t v = 0;
	if (off >= 0x10000) {
		if (off != MSK_GITS_TRANSLATER)
			atomic_fetch_add(&gic->bad_accesses, 1);
		return 0; /* GITS_TRANSLATER is write-only and reads as zero */
	}
	pthread_mutex_lock(&its->lock);
	if (gic_reg_access(off, size, MSK_GITS_CTLR, 4)) {
		v = its->ctlr;
		if (!(its->ctlr & MSK_GITS_CTLR_ENABLED))
			v |= MSK_GITS_CTLR_QUIESCENT;
	} else if (gic_reg_access(off, size, MSK_GITS_IIDR, 4)) {
		v = MSK_GITS_IIDR_VALUE;
	} else if (gic_reg_access(off, size, MSK_GITS_TYPER, 8)) {
		v = gic_reg_read64(gits_typer(gic), off, size);
	} else if (gic_reg_access(off, size, MSK_GITS_CBASER, 8)) {
		v = gic_reg_read64(its->cbaser, off, size);
	} else if (gic_reg_access(off, size, MSK_GITS_CWRITER, 8)) {
		v = gic_reg_read64(its->cwriter, off, size);
	} else if (gic_reg_access(off, size, MSK_GITS_CREADR, 8)) {
		its_process_queue(gic); /* a polling driver sees progress */
		v = gic_reg_read64(its->creadr | (its->stalled ? MSK_GITS_CREADR_STALLED : 0), off,
				   size);
	} else if (off >= MSK_GITS_BASER(0) && off < MSK_GITS_BASER(8) &&
		   gic_reg_access(off, size, off & ~7ull, 8)) {
		v = gic_reg_read64(
			its_baser_read(gic, (unsigned int)((off - MSK_GITS_BASER(0)) / 8)), off,
			size);
	} else if (gic_reg_access(off, size, MSK_GITS_PIDR2, 4)) {
		v = GITS_PIDR2_V3;
	} else {
		atomic_fetch_add(&gic->bad_accesses, 1);
	}
	pthread_mutex_unlock(&its->lock);
	return v;
}

static void write_ctlr(struct msk_gic *gic, uint64_t value)
{
	struct its *its = &gic->its;
	bool on = value & MSK_GITS_CTLR_ENABLED;
	if (!on) {
		its->ctlr &= ~MSK_GITS_CTLR_ENABLED;
		return;
	}
	if ((its->ctlr & MSK_GITS_CTLR_ENABLED) || !can_enable(its))
		return; /* already on, or tables not valid: Enabled stays 0 */
	its->ctlr |= MSK_GITS_CTLR_ENABLED;
	its_process_queue(gic);
}

static void write_cwriter(struct msk_gic *gic, uint64_t off, unsigned int size, uint64_t value)
{
	struct its *its = &gic->its;
	uint64_t v = gic_reg_write64(its->cwriter, off, size, value);
	bool low_half = size == 8 || !(off & 4);
	if (low_half && (v & MSK_GITS_CWRITER_RETRY) && its->stalled)
		its->stalled = false; /* retry the command at CREADR */
	uint64_t offset = v & MSK_GITS_OFFSET_MASK;
	if (offset < queue_bytes(its))
		its->cwriter = offset;
	its_process_queue(gic);
}

static void its_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		      const struct msk_bus_attrs *attrs)
{
	struct msk_gic *gic = opaque;
	struct its *its = &gic->its;
	if (off == MSK_GITS_TRANSLATER) {
		its_translater_write(gic, value, size, attrs);
		return;
	}
	if (attrs->is_msi) { /* a message aimed anywhere else in the ITS */
		gic_lose(gic, MSK_LOSS_NO_DOORBELL, attrs->weight);
		return;
	}
	if (off >= 0x10000) {
		atomic_fetch_add(&gic->bad_accesses, 1);
		return;
	}
	pthread_mutex_lock(&its->lock);
	bool enabled = its->ctlr & MSK_GITS_CTLR_ENABLED;
	if (gic_reg_access(off, size, MSK_GITS_CTLR, 4)) {
		write_ctlr(gic, value);
	} else if (gic_reg_access(off, size, MSK_GITS_CBASER, 8)) {
		if (!enabled) {
			its->cbaser =
				gic_reg_write64(its->cbaser, off, size, value) & CBASER_RW_MASK;
			its->creadr = its->cwriter = 0;
			its->stalled = false;
		}
	} else if (gic_reg_access(off, size, MSK_GITS_CWRITER, 8)) {
		write_cwriter(gic, off, size, value);
	} else if (off >= MSK_GITS_BASER(0) && off < MSK_GITS_BASER(8) &&
		   gic_reg_access(off, size, off & ~7ull, 8)) {
		unsigned int n = (unsigned int)((off - MSK_GITS_BASER(0)) / 8);
		if (!enabled && n < 2)
			its_baser_write(gic, n,
					gic_reg_write64(its_baser_read(gic, n), off, size, value));
	} else if (!gic_reg_access(off, size, MSK_GITS_IIDR, 4) &&
		   !gic_reg_access(off, size, MSK_GITS_TYPER, 8) &&
		   !gic_reg_access(off, size, MSK_GITS_CREADR, 8) &&
		   !gic_reg_access(off, size, MSK_GITS_PIDR2, 4)) {
		atomic_fetch_add(&gic->bad_accesses, 1);
	}
	pthread_mutex_unlock(&its->lock);
}

const struct msk_mmio_ops its_mmio_ops = { its_read, its_write };
