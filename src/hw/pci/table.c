/* SPDX-License-Identifier: MIT */
/*
 * The MSI-X table, the PBA and the IMS store as dwords: entries of four
 * dwords (address low, address high, data, control) and the PBA as a
 * bitmap derived from the pending slots. Callers hold the function's lock
 * and have already rejected odd sizes and alignments.
 */
#include "hw/pci/pcifn.h"

uint32_t pcifn_slot_read(const struct pcifn_slot *s, unsigned int dword)
{
	switch (dword & 3) {
	case 0:
		return s->addr_lo;
	case 1:
		return s->addr_hi;
	case 2:
		return s->data;
	default:
		return s->ctrl;
	}
}

bool pcifn_slot_write(struct pcifn_slot *s, unsigned int dword, uint32_t v, uint32_t ctrl_rw)
{
	switch (dword & 3) {
	case 0:
		s->addr_lo = v & ~0x3u; /* DWORD-aligned messages: bits 1:0 hard-wired 0 */
		return false;
	case 1:
		s->addr_hi = v;
		return false;
	case 2:
		s->data = v;
		return false;
	default: {
		bool was_masked = s->ctrl & MSIX_CTRL_MASK;
		s->ctrl = v & ctrl_rw;
		return was_masked && !(s->ctrl & MSIX_CTRL_MASK);
	}
	}
}

uint32_t pcifn_pba_read32(const struct msk_pcifn *fn, uint64_t dword_index)
{
	uint32_t v = 0;
	if (dword_index >= (fn->lay.msix_n + 31u) / 32u)
		return 0;
	for (unsigned int b = 0; b < 32; b++) {
		uint64_t k = dword_index * 32 + b;
		if (k < fn->lay.msix_n && fn->msix[k].weight)
			v |= 1u << b;
	}
	return v;
}
