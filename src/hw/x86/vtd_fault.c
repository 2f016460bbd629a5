/* SPDX-License-Identifier: MIT */
/*
 * VT-d primary fault logging for interrupt-remapping faults: the ring of
 * fault recording registers, FSTS (PFO, PPF, FRI), and the fault event
 * message controlled by FECTL/FEDATA/FEADDR.
 */
#include "hw/x86/vtd.h"

enum msk_loss msk_vtd_fault_loss(enum msk_vtd_fault_reason fr)
{
	switch (fr) {
	case MSK_VTD_FR_INDEX_OOR:
		return MSK_LOSS_IRTE_OUT_OF_RANGE;
	case MSK_VTD_FR_NOT_PRESENT:
		return MSK_LOSS_IRTE_NOT_PRESENT;
	case MSK_VTD_FR_TABLE_INVALID:
		return MSK_LOSS_IR_TABLE_INVALID;
	case MSK_VTD_FR_COMPAT_BLOCKED:
		return MSK_LOSS_IR_COMPAT_BLOCKED;
	case MSK_VTD_FR_SID:
		return MSK_LOSS_IRTE_SID_MISMATCH;
	case MSK_VTD_FR_REQ_RESERVED:
	case MSK_VTD_FR_IRTE_RESERVED:
	default:
		return MSK_LOSS_IRTE_RESERVED;
	}
}

/* Faults whose recording IRTE.FPD can suppress (they concern a fetched IRTE). */
static bool qualified(enum msk_vtd_fault_reason fr)
{
	return fr == MSK_VTD_FR_NOT_PRESENT || fr == MSK_VTD_FR_IRTE_RESERVED ||
	       fr == MSK_VTD_FR_SID;
}

static bool any_pending(const struct msk_vtd *v)
{
	for (unsigned int i = 0; i < MSK_VTD_NFR; i++)
		if (v->frcd_hi[i] & MSK_VTD_FRCD_HI_F)
			return true;
	return false;
}

/* Send the fault event message (FEADDR/FEDATA) to the LAPICs; lock held. */
static void send_event(struct msk_vtd *v)
{
	v->fectl &= ~MSK_VTD_FECTL_IP;
	atomic_fetch_add_explicit(&v->events, 1, memory_order_relaxed);
	/* Outside the interrupt address range the write reaches no APIC. */
	if (v->feuaddr || (v->feaddr >> 20) != (uint32_t)(MSK_X86_MSI_BASE >> 20))
		return;
	struct msk_apic_irq irq;
	msk_x86_compat_decode(v->feaddr, v->fedata, &irq);
	msk_lapic_deliver(v->x86, &irq, 0);
}

/* An interrupt condition: set IP, send at once unless masked; lock held. */
static void raise_event(struct msk_vtd *v)
{
	v->fectl |= MSK_VTD_FECTL_IP;
	if (!(v->fectl & MSK_VTD_FECTL_IM))
		send_event(v);
}

/* IP stays set only while some fault status needs service; lock held. */
static void update_ip(struct msk_vtd *v)
{
	if (!(v->fsts & MSK_VTD_FSTS_PFO) && !any_pending(v))
		v->fectl &= ~MSK_VTD_FECTL_IP;
}

static void record(struct msk_vtd *v, enum msk_vtd_fault_reason fr, uint32_t rid, uint32_t index)
{
	if (v->fsts & MSK_VTD_FSTS_PFO) {
		atomic_fetch_add_explicit(&v->overflowed, 1, memory_order_relaxed);
		return;
	}
	unsigned int i = v->next_frcd;
	if (v->frcd_hi[i] & MSK_VTD_FRCD_HI_F) {
		v->fsts |= MSK_VTD_FSTS_PFO;
		atomic_fetch_add_explicit(&v->overflowed, 1, memory_order_relaxed);
		return;
	}
	bool was_pending = any_pending(v);
	v->frcd_lo[i] = (uint64_t)(index & 0xFFFFu) << MSK_VTD_FRCD_LO_INDEX_SHIFT;
	v->frcd_hi[i] = (rid & MSK_VTD_FRCD_HI_SID_MASK) |
			(uint64_t)fr << MSK_VTD_FRCD_HI_FR_SHIFT | MSK_VTD_FRCD_HI_F;
	v->next_frcd = (i + 1) % MSK_VTD_NFR;
	atomic_fetch_add_explicit(&v->recorded, 1, memory_order_relaxed);
	if (!was_pending) {
		v->fsts = (v->fsts & ~(0xFFu << MSK_VTD_FSTS_FRI_SHIFT)) |
			  i << MSK_VTD_FSTS_FRI_SHIFT;
		raise_event(v);
	}
}

void msk_vtd_fault(struct msk_vtd *v, enum msk_vtd_fault_reason fr, uint32_t rid, uint32_t index,
		   bool fpd, uint32_t weight)
{
	msk_ledger_lose(v->x86->ledger, msk_vtd_fault_loss(fr), weight);
	atomic_fetch_add_explicit(&v->faults[fr - MSK_VTD_FR_FIRST], 1, memory_order_relaxed);
	if (fpd && qualified(fr)) {
		atomic_fetch_add_explicit(&v->suppressed, 1, memory_order_relaxed);
		return;
	}
	pthread_mutex_lock(&v->lock);
	record(v, fr, rid, index);
	pthread_mutex_unlock(&v->lock);
}

uint32_t msk_vtd_fsts_read(const struct msk_vtd *v)
{
	return v->fsts | (any_pending(v) ? MSK_VTD_FSTS_PPF : 0);
}

void msk_vtd_fsts_write(struct msk_vtd *v, uint32_t val)
{
	if (val & MSK_VTD_FSTS_PFO) {
		v->fsts &= ~MSK_VTD_FSTS_PFO;
		update_ip(v);
	}
}

void msk_vtd_fectl_write(struct msk_vtd *v, uint32_t val)
{
	v->fectl = (v->fectl & ~MSK_VTD_FECTL_IM) | (val & MSK_VTD_FECTL_IM);
	if ((v->fectl & MSK_VTD_FECTL_IP) && !(v->fectl & MSK_VTD_FECTL_IM))
		send_event(v);
}

uint32_t msk_vtd_frcd_read(const struct msk_vtd *v, unsigned int idx, unsigned int dword)
{
	uint64_t q = dword < 2 ? v->frcd_lo[idx] : v->frcd_hi[idx];
	return (uint32_t)(dword & 1 ? q >> 32 : q);
}

void msk_vtd_frcd_write(struct msk_vtd *v, unsigned int idx, unsigned int dword, uint32_t val)
{
	/* Only F (bit 127 = bit 31 of dword 3) is writable: write 1 to clear. */
	if (dword == 3 && (val & (1u << 31))) {
		v->frcd_hi[idx] &= ~MSK_VTD_FRCD_HI_F;
		update_ip(v);
	}
}
