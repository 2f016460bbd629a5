/* SPDX-License-Identifier: MIT */
/*
 * The VT-d register block (interrupt remapping subset): identification,
 * GCMD/GSTS, IRTA, and dispatch of the fault registers to vtd_fault.c.
 * Every access is decomposed into 32-bit register accesses under the
 * unit's lock.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "hw/x86/vtd.h"

#define VTD_VERSION 0x10u /* 1.0 */

/* CAP: fault recording registers only; DMA-remapping fields read 0. */
static const uint64_t vtd_cap = (uint64_t)(MSK_VTD_FRCD_REG / 16) << MSK_VTD_CAP_FRO_SHIFT |
				(uint64_t)(MSK_VTD_NFR - 1) << MSK_VTD_CAP_NFR_SHIFT;
static const uint64_t vtd_ecap = MSK_VTD_ECAP_IR | MSK_VTD_ECAP_EIM;

/* IRTA bits software can write (10:4 are reserved). */
#define IRTA_WRITABLE (MSK_VTD_IRTA_BASE_MASK | MSK_VTD_IRTA_EIME | MSK_VTD_IRTA_S_MASK)

int msk_vtd_create(struct msk_x86 *x86, struct msk_vtd **out)
{
	struct msk_vtd *v = msk_calloc(1, sizeof(*v));
	if (!v)
		return msk_err(MSK_ENOMEM, "VT-d unit at 0x%llx: out of memory",
			       (unsigned long long)x86->ir_base);
	v->x86 = x86;
	pthread_mutex_init(&v->lock, NULL);
	v->fectl = MSK_VTD_FECTL_IM;
	atomic_init(&v->state, 0);
	*out = v;
	return 0;
}

void msk_vtd_destroy(struct msk_vtd *v)
{
	if (!v)
		return;
	pthread_mutex_destroy(&v->lock);
	msk_free(v);
}

uint32_t msk_vtd_gsts_of(uint64_t state)
{
	return (state & VTD_ST_IRES ? MSK_VTD_GSTS_IRES : 0) |
	       (state & VTD_ST_IRTPS ? MSK_VTD_GSTS_IRTPS : 0) |
	       (state & VTD_ST_CFIS ? MSK_VTD_GSTS_CFIS : 0);
}

/*
 * GCMD: SIRTP latches IRTA; IRE and CFI set their status to the written
 * value. Processed in that order, so one write may latch and enable.
 */
static void gcmd_write(struct msk_vtd *v, uint32_t val)
{
	uint64_t st = atomic_load_explicit(&v->state, memory_order_relaxed);
	if (val & MSK_VTD_GCMD_SIRTP)
		st = (st & ~VTD_ST_IRTA_MASK) | (v->irta & VTD_ST_IRTA_MASK) | VTD_ST_IRTPS;
	st = val & MSK_VTD_GCMD_IRE ? st | VTD_ST_IRES : st & ~VTD_ST_IRES;
	st = val & MSK_VTD_GCMD_CFI ? st | VTD_ST_CFIS : st & ~VTD_ST_CFIS;
	atomic_store_explicit(&v->state, st, memory_order_release);
}

static bool is_frcd(uint32_t off)
{
	return off >= MSK_VTD_FRCD_REG && off < MSK_VTD_FRCD_REG + 16 * MSK_VTD_NFR;
}

/* One 32-bit register read at a 4-aligned offset; lock held. */
static uint32_t read32(struct msk_vtd *v, uint32_t off)
{
	if (is_frcd(off))
		return msk_vtd_frcd_read(v, (off - MSK_VTD_FRCD_REG) / 16, (off % 16) / 4);
	switch (off) {
	case MSK_VTD_VER_REG:
		return VTD_VERSION;
	case MSK_VTD_CAP_REG:
		return (uint32_t)vtd_cap;
	case MSK_VTD_CAP_REG + 4:
		return (uint32_t)(vtd_cap >> 32);
	case MSK_VTD_ECAP_REG:
		return (uint32_t)vtd_ecap;
	case MSK_VTD_ECAP_REG + 4:
		return (uint32_t)(vtd_ecap >> 32);
	case MSK_VTD_GSTS_REG:
		return msk_vtd_gsts_of(atomic_load_explicit(&v->state, memory_order_relaxed));
	case MSK_VTD_FSTS_REG:
		return msk_vtd_fsts_read(v);
	case MSK_VTD_FECTL_REG:
		return v->fectl;
	case MSK_VTD_FEDATA_REG:
		return v->fedata;
	case MSK_VTD_FEADDR_REG:
		return v->feaddr;
	case MSK_VTD_FEUADDR_REG:
		return v->feuaddr;
	case MSK_VTD_IRTA_REG:
		return (uint32_t)v->irta;
	case MSK_VTD_IRTA_REG + 4:
		return (uint32_t)(v->irta >> 32);
	default:
		return 0; /* GCMD (write-only), reserved and unmodelled registers */
	}
}

/* One 32-bit register write at a 4-aligned offset; lock held. */
static void write32(struct msk_vtd *v, uint32_t off, uint32_t val)
{
	if (is_frcd(off)) {
		msk_vtd_frcd_write(v, (off - MSK_VTD_FRCD_REG) / 16, (off % 16) / 4, val);
		return;
	}
	switch (off) {
	case MSK_VTD_GCMD_REG:
		gcmd_write(v, val);
		break;
	case MSK_VTD_FSTS_REG:
		msk_vtd_fsts_write(v, val);
		break;
	case MSK_VTD_FECTL_REG:
		msk_vtd_fectl_write(v, val);
		break;
	case MSK_VTD_FEDATA_REG:
		v->fedata = val;
		break;
	case MSK_VTD_FEADDR_REG:
		v->feaddr = val & ~3u;
		break;
	case MSK_VTD_FEUADDR_REG:
		v->feuaddr = val;
		break;
	case MSK_VTD_IRTA_REG:
		v->irta = (v->irta & ~0xFFFFFFFFull) | (val & (uint32_t)IRTA_WRITABLE);
		break;
	case MSK_VTD_IRTA_REG + 4:
		v->irta = (v->irta & 0xFFFFFFFFull) | (uint64_t)val << 32;
		break;
	default:
		break; /* read-only, reserved and unmodelled registers */
	}
}

static bool access_ok(uint64_t off, unsigned int size)
{
	return (size == 4 || size == 8) && !(off & (size - 1)) && off + size <= MSK_VTD_REG_SIZE;
}

static uint64_t vtd_read(void *opaque, uint64_t off, unsigned int size,
			 const struct msk_bus_attrs *attrs)
{
	struct msk_vtd *v = opaque;
	if (!access_ok(off, size))
		return 0;
	pthread_mutex_lock(&v->lock);
	uint64_t val = read32(v, (uint32_t)off);
	if (size == 8)
		val |= (uint64_t)read32(v, (uint32_t)off + 4) << 32;
	pthread_mutex_unlock(&v->lock);
	return val;
}

static void vtd_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		      const struct msk_bus_attrs *attrs)
{
	struct msk_vtd *v = opaque;
	if (attrs->is_msi) {
		/* Devices cannot reach the remapping unit's registers. */
		msk_ledger_lose(v->x86->ledger, MSK_LOSS_NO_DOORBELL, attrs->weight);
		return;
	}
	if (!access_ok(off, size))
		return;
	pthread_mutex_lock(&v->lock);
	write32(v, (uint32_t)off, (uint32_t)value);
	if (size == 8)
		write32(v, (uint32_t)off + 4, (uint32_t)(value >> 32));
	pthread_mutex_unlock(&v->lock);
}

const struct msk_mmio_ops msk_vtd_mmio_ops = { vtd_read, vtd_write };

void msk_vtd_get_state(struct msk_vtd *v, struct msk_vtd_state *out)
{
	pthread_mutex_lock(&v->lock);
	uint64_t st = atomic_load_explicit(&v->state, memory_order_relaxed);
	out->gsts = msk_vtd_gsts_of(st);
	out->fsts = msk_vtd_fsts_read(v);
	out->fectl = v->fectl;
	out->irta = v->irta;
	out->irta_latched = st & VTD_ST_IRTA_MASK;
	for (unsigned int i = 0; i < MSK_VTD_NFR; i++) {
		out->frcd[i].lo = v->frcd_lo[i];
		out->frcd[i].hi = v->frcd_hi[i];
	}
	pthread_mutex_unlock(&v->lock);
}

void msk_vtd_get_stats(struct msk_vtd *v, struct msk_x86_stats *out)
{
	out->remapped = atomic_load(&v->remapped);
	for (unsigned int i = 0; i < MSK_VTD_FR_COUNT; i++)
		out->faults[i] = atomic_load(&v->faults[i]);
	out->faults_recorded = atomic_load(&v->recorded);
	out->faults_suppressed = atomic_load(&v->suppressed);
	out->faults_overflowed = atomic_load(&v->overflowed);
	out->fault_events = atomic_load(&v->events);
}
