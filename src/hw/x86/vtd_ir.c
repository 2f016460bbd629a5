/* SPDX-License-Identifier: MIT */
/*
 * VT-d interrupt remapping: the fate of a message while remapping is on.
 * Lock-free: reads the latched table pointer from one atomic word and the
 * IRTE from guest RAM on every message (no interrupt entry cache).
 */
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

/* Translate a remappable-format message; every path ends delivered or faulted. */
static void remap(struct msk_vtd *v, uint64_t st, uint32_t addr, uint32_t data, uint32_t rid,
		  uint32_t weight)
{
	uint32_t handle = ((addr >> 5) & 0x7FFFu) | ((addr >> 2) & 1u) << 15;
	uint32_t index = handle;
	if (addr & MSK_X86_MSI_ADDR_SHV) {
		if (data >> 16) {
			msk_vtd_fault(v, MSK_VTD_FR_REQ_RESERVED, rid, index, false, weight);
			return;
		}
		index += data & 0xFFFFu;
	}
	if (!(st & VTD_ST_IRTPS)) {
		msk_vtd_fault(v, MSK_VTD_FR_TABLE_INVALID, rid, index, false, weight);
		return;
	}
	uint32_t entries = 2u << (st & MSK_VTD_IRTA_S_MASK);
	if (index >= entries) {
		msk_vtd_fault(v, MSK_VTD_FR_INDEX_OOR, rid, index, false, weight);
		return;
	}
	uint64_t base = st & MSK_VTD_IRTA_BASE_MASK;
	uint64_t at = base + (uint64_t)index * 16;
	struct msk_bus *bus = v->x86->bus;
	struct irte e;
	if (at < base || !msk_ram_contains(bus, at, 16) || msk_ram_read64(bus, at, &e.lo) < 0 ||
	    msk_ram_read64(bus, at + 8, &e.hi) < 0) {
		msk_vtd_fault(v, MSK_VTD_FR_TABLE_INVALID, rid, index, false, weight);
		return;
	}
	bool fpd = (e.lo & MSK_IRTE_LO_FPD) != 0;
	bool eime = (st & MSK_VTD_IRTA_EIME) != 0;
	if (!(e.lo & MSK_IRTE_LO_P)) {
		msk_vtd_fault(v, MSK_VTD_FR_NOT_PRESENT, rid, index, fpd, weight);
		return;
	}
	unsigned int svt = (e.hi >> MSK_IRTE_HI_SVT_SHIFT) & 3u;
	if ((e.lo & IRTE_LO_RSVD) || (!eime && (e.lo & IRTE_LO_RSVD_XAPIC)) ||
	    (e.hi & IRTE_HI_RSVD) || svt == 3) {
		msk_vtd_fault(v, MSK_VTD_FR_IRTE_RESERVED, rid, index, fpd, weight);
		return;
	}
	if (!sid_ok(&e, rid)) {
		msk_vtd_fault(v, MSK_VTD_FR_SID, rid, index, fpd, weight);
		return;
	}
	uint32_t dst = (uint32_t)(e.lo >> MSK_IRTE_LO_DST_SHIFT);
	struct msk_apic_irq irq = {
		.dest = eime ? dst : (dst >> 8) & 0xFFu,
		.x2apic = eime,
		.logical = (e.lo & MSK_IRTE_LO_DM_LOGICAL) != 0,
		.redir_hint = (e.lo & MSK_IRTE_LO_RH) != 0,
		.delivery_mode = (e.lo >> MSK_IRTE_LO_DLM_SHIFT) & 7u,
		.vector = (uint8_t)(e.lo >> MSK_IRTE_LO_V_SHIFT),
	};
	atomic_fetch_add_explicit(&v->remapped, 1, memory_order_relaxed);
	msk_lapic_deliver(v->x86, &irq, weight);
}

bool msk_vtd_intercept(struct msk_vtd *v, uint32_t addr, uint32_t data, uint32_t rid,
		       uint32_t weight)
{
	uint64_t st = atomic_load_explicit(&v->state, memory_order_acquire);
	if (!(st & VTD_ST_IRES))
		return false;
	if (addr & MSK_X86_MSI_ADDR_REMAPPABLE) {
		remap(v, st, addr, data, rid, weight);
		return true;
	}
	/* Compatibility format: passes only with CFIS=1 and xAPIC mode (EIME=0). */
	if ((st & VTD_ST_CFIS) && !(st & MSK_VTD_IRTA_EIME))
		return false;
	msk_vtd_fault(v, MSK_VTD_FR_COMPAT_BLOCKED, rid, 0, false, weight);
	return true;
}
