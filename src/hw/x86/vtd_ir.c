/* SPDX-License-Identifier: MIT */
/*
 * VT-d interrupt remapping: the fate of a message while remapping is on.
 * Lock-free: reads the latched table pointer from one atomic word and the
 * IRTE from guest RAM on every message (no interrupt entry cache). One
 * translate function serves delivery and, in probe mode, msk_x86_route.
 * The IRTE fetch fault injection (a simulation hook) sits at the fetch.
 */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "hw/x86/vtd.h"

/* Reserved bits of a remapped-format IRTE (IM is reserved too: CAP.PI=0). */
#define IRTE_LO_RSVD	   (0x7ull << 12 | MSK_IRTE_LO_IM | 0xFFull << 24)
#define IRTE_LO_RSVD_XAPIC (0xFFull << 32 | 0xFFFFull << 48)
#define IRTE_HI_RSVD	   (~0xFFFFFull)

struct irte {
	uint64_t lo, hi;
};

/* Does requester `rid` pass the IRTE's source-id check (SVT 0..2)? */
static bool sid_ok(const struct irte *e, uint32_t rid)
{
	unsigned int svt = (e->hi >> MSK_IRTE_HI_SVT_SHIFT) & 3u;
	unsigned int sq = (e->hi >> MSK_IRTE_HI_SQ_SHIFT) & 3u;
	uint32_t sid = (uint32_t)(e->hi & 0xFFFFu);
	if (svt == MSK_IRTE_SVT_NONE)
		return true;
	if (rid > 0xFFFFu)
		return false; /* no 16-bit requester ID to check */
	if (svt == MSK_IRTE_SVT_MASKED) {
		static const uint32_t sq_mask[4] = { 0xFFFF, 0xFFFB, 0xFFF9, 0xFFF8 };
		return (rid & sq_mask[sq]) == (sid & sq_mask[sq]);
	}
	uint32_t bus = rid >> 8, first = sid >> 8, last = sid & 0xFFu;
	return first <= bus && bus <= last;
}

/* A translation ends in a fault of reason fr. */
static void fault(struct msk_vtd_xlate *out, enum msk_vtd_fault_reason fr, uint32_t index, bool fpd)
{
	out->fault = true;
	out->fr = fr;
	out->index = index;
	out->fpd = fpd;
}

/*
 * Fault injection: is this IRTE fetch the armed nth one? Counts every
 * fetch while armed; exactly one caller sees seen == nth.
 */
static bool inject_fires(struct msk_vtd *v, uint32_t rid, uint32_t index, uint32_t handle, bool shv,
			 uint32_t data)
{
	uint64_t nth = atomic_load_explicit(&v->inj_nth, memory_order_acquire);
	if (!nth || atomic_fetch_add_explicit(&v->inj_seen, 1, memory_order_relaxed) + 1 != nth)
		return false;
	char who[24];
	if (rid <= 0xFFFFu)
		snprintf(who, sizeof(who), "%02x:%02x.%u", rid >> 8, (rid >> 3) & 0x1Fu, rid & 7u);
	else
		snprintf(who, sizeof(who), "requester 0x%x", rid);
	pthread_mutex_lock(&v->lock);
	if (shv)
		snprintf(v->inj_what, sizeof(v->inj_what),
			 "IRTE %u fetch for %s (handle %u + sub-handle %u): fault 0x%x", index, who,
			 handle, data & 0xFFFFu, MSK_VTD_FR_TABLE_INVALID);
	else
		snprintf(v->inj_what, sizeof(v->inj_what),
			 "IRTE %u fetch for %s (handle %u): fault 0x%x", index, who, handle,
			 MSK_VTD_FR_TABLE_INVALID);
	atomic_store_explicit(&v->inj_fired, 1, memory_order_relaxed);
	pthread_mutex_unlock(&v->lock);
	return true;
}

/* Translate a remappable-format message: a fault or an interrupt. */
static void remap(struct msk_vtd *v, uint64_t st, uint32_t addr, uint32_t data, uint32_t rid,
		  bool probe, struct msk_vtd_xlate *out)
{
	uint32_t handle = ((addr >> 5) & 0x7FFFu) | ((addr >> 2) & 1u) << 15;
	uint32_t index = handle;
	bool shv = (addr & MSK_X86_MSI_ADDR_SHV) != 0;
	if (shv) {
		if (data >> 16) {
			fault(out, MSK_VTD_FR_REQ_RESERVED, index, false);
			return;
		}
		index += data & 0xFFFFu;
	}
	if (!(st & VTD_ST_IRTPS)) {
		fault(out, MSK_VTD_FR_TABLE_INVALID, index, false);
		return;
	}
	uint32_t entries = 2u << (st & MSK_VTD_IRTA_S_MASK);
	if (index >= entries) {
		fault(out, MSK_VTD_FR_INDEX_OOR, index, false);
		return;
	}
	if (!probe && inject_fires(v, rid, index, handle, shv, data)) {
		/* As if reading the table failed: the IRTE is never seen. */
		fault(out, MSK_VTD_FR_TABLE_INVALID, index, false);
		out->injected = true;
		return;
	}
	uint64_t base = st & MSK_VTD_IRTA_BASE_MASK;
	uint64_t at = base + (uint64_t)index * 16;
	struct msk_bus *bus = v->x86->bus;
	struct irte e;
	if (at < base || !msk_ram_contains(bus, at, 16) || msk_ram_read64(bus, at, &e.lo) < 0 ||
	    msk_ram_read64(bus, at + 8, &e.hi) < 0) {
		fault(out, MSK_VTD_FR_TABLE_INVALID, index, false);
		return;
	}
	bool fpd = (e.lo & MSK_IRTE_LO_FPD) != 0;
	bool eime = (st & MSK_VTD_IRTA_EIME) != 0;
	if (!(e.lo & MSK_IRTE_LO_P)) {
		fault(out, MSK_VTD_FR_NOT_PRESENT, index, fpd);
		return;
	}
	unsigned int svt = (e.hi >> MSK_IRTE_HI_SVT_SHIFT) & 3u;
	if ((e.lo & IRTE_LO_RSVD) || (!eime && (e.lo & IRTE_LO_RSVD_XAPIC)) ||
	    (e.hi & IRTE_HI_RSVD) || svt == 3) {
		fault(out, MSK_VTD_FR_IRTE_RESERVED, index, fpd);
		return;
	}
	if (!sid_ok(&e, rid)) {
		fault(out, MSK_VTD_FR_SID, index, fpd);
		return;
	}
	uint32_t dst = (uint32_t)(e.lo >> MSK_IRTE_LO_DST_SHIFT);
	out->index = index;
	out->irq = (struct msk_apic_irq){
		.dest = eime ? dst : (dst >> 8) & 0xFFu,
		.x2apic = eime,
		.logical = (e.lo & MSK_IRTE_LO_DM_LOGICAL) != 0,
		.redir_hint = (e.lo & MSK_IRTE_LO_RH) != 0,
		.delivery_mode = (e.lo >> MSK_IRTE_LO_DLM_SHIFT) & 7u,
		.vector = (uint8_t)(e.lo >> MSK_IRTE_LO_V_SHIFT),
	};
}

bool msk_vtd_translate(struct msk_vtd *v, uint32_t addr, uint32_t data, uint32_t rid, bool probe,
		       struct msk_vtd_xlate *out)
{
	memset(out, 0, sizeof(*out));
	uint64_t st = atomic_load_explicit(&v->state, memory_order_acquire);
	if (!(st & VTD_ST_IRES))
		return false;
	if (addr & MSK_X86_MSI_ADDR_REMAPPABLE) {
		remap(v, st, addr, data, rid, probe, out);
		return true;
	}
	/* Compatibility format: passes only with CFIS=1 and xAPIC mode (EIME=0). */
	if ((st & VTD_ST_CFIS) && !(st & MSK_VTD_IRTA_EIME))
		return false;
	fault(out, MSK_VTD_FR_COMPAT_BLOCKED, 0, false);
	return true;
}

bool msk_vtd_intercept(struct msk_vtd *v, uint32_t addr, uint32_t data, uint32_t rid,
		       uint32_t weight)
{
	struct msk_vtd_xlate x;
	if (!msk_vtd_translate(v, addr, data, rid, false, &x))
		return false;
	if (x.fault) {
		msk_vtd_fault(v, x.fr, rid, x.index, x.fpd, weight);
		return true;
	}
	atomic_fetch_add_explicit(&v->remapped, 1, memory_order_relaxed);
	msk_lapic_deliver(v->x86, &x.irq, weight);
	return true;
}

int msk_x86_vtd_inject_irte_fault(struct msk_x86 *x86, uint64_t nth)
{
	struct msk_vtd *v = x86 ? x86->vtd : NULL;
	if (!v)
		return msk_err(MSK_ENODEV,
			       "x86: no VT-d remapping unit to inject an IRTE fault into");
	pthread_mutex_lock(&v->lock);
	if (nth) {
		v->inj_ever = true;
		atomic_store_explicit(&v->inj_seen, 0, memory_order_relaxed);
		atomic_store_explicit(&v->inj_fired, 0, memory_order_relaxed);
		v->inj_what[0] = '\0';
	}
	atomic_store_explicit(&v->inj_nth, nth, memory_order_release);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

int msk_x86_vtd_injection(const struct msk_x86 *x86, struct msk_vtd_injection *out)
{
	struct msk_vtd *v = x86 ? x86->vtd : NULL;
	if (!v)
		return msk_err(MSK_ENODEV, "x86: no VT-d remapping unit");
	pthread_mutex_lock(&v->lock);
	out->ever = v->inj_ever;
	out->nth = atomic_load(&v->inj_nth);
	out->seen = atomic_load(&v->inj_seen);
	out->fired = atomic_load(&v->inj_fired);
	memcpy(out->what, v->inj_what, sizeof(out->what));
	pthread_mutex_unlock(&v->lock);
	return 0;
}
