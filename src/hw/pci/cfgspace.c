/* SPDX-License-Identifier: MIT */
/*
 * Config space: the bytes of a synthesised function, the write mask that
 * says which bits software may change, and the access path. A write is
 * applied in dword-bounded pieces; after each piece the model acts on what
 * changed (BAR decoding, MSI/MSI-X unmask transitions, FLR) with its lock
 * released.
 */
#include "hw/pci/pcifn.h"

#include <string.h>

#include "base/error.h"

static unsigned int msi_data_off(const struct pcifn_layout *lay)
{
	return lay->msi_cap + (lay->msi_64 ? 0x0Cu : 0x08u);
}

static unsigned int msi_mask_off(const struct pcifn_layout *lay)
{
	return lay->msi_cap + (lay->msi_64 ? 0x10u : 0x0Cu);
}

unsigned int pcifn_msi_data_off(const struct msk_pcifn *fn)
{
	return msi_data_off(&fn->lay);
}

unsigned int pcifn_msi_mask_off(const struct msk_pcifn *fn)
{
	return msi_mask_off(&fn->lay);
}

unsigned int pcifn_msi_pend_off(const struct msk_pcifn *fn)
{
	return msi_mask_off(&fn->lay) + 4;
}

void pcifn_cfg_synth(const struct msk_pcifn_config *c, const struct pcifn_layout *lay,
		     uint8_t cfg[MSK_PCIFN_CFG_SIZE])
{
	memset(cfg, 0, MSK_PCIFN_CFG_SIZE);
	put16(cfg, PCI_VENDOR_ID, c->vendor_id);
	put16(cfg, PCI_VENDOR_ID + 2, c->device_id);
	cfg[PCI_REVISION] = c->revision;
	cfg[PCI_REVISION + 1] = (uint8_t)c->class_code;
	cfg[PCI_REVISION + 2] = (uint8_t)(c->class_code >> 8);
	cfg[PCI_REVISION + 3] = (uint8_t)(c->class_code >> 16);
	put16(cfg, PCI_SUBSYS_VENDOR, c->subsys_vendor_id);
	put16(cfg, PCI_SUBSYS_VENDOR + 2, c->subsys_id);
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		const struct pcifn_bar_layout *b = &lay->bar[i];
		if (b->size && !b->upper)
			put32(cfg, PCI_BAR0 + 4 * i,
			      ((b->flags & MSK_PCIFN_BAR_64) ? 0x4u : 0) |
				      ((b->flags & MSK_PCIFN_BAR_PREFETCH) ? 0x8u : 0));
	}

	unsigned int link = PCI_CAP_PTR;
	if (lay->pcie_cap) {
		unsigned int p = lay->pcie_cap;
		cfg[p] = PCI_CAP_ID_PCIE;
		put16(cfg, p + 2, 0x0002); /* version 2, PCI Express endpoint */
		put32(cfg, p + PCIE_DEVCAP, PCIE_DEVCAP_FLR);
		cfg[link] = (uint8_t)p;
		link = p + 1;
	}
	if (lay->msi_cap) {
		unsigned int p = lay->msi_cap;
		cfg[p] = PCI_CAP_ID_MSI;
		put16(cfg, p + 2,
		      (uint16_t)(lay->msi_mmc << 1 | (lay->msi_64 ? MSI_CTL_64 : 0) |
				 (lay->msi_pvm ? MSI_CTL_PVM : 0)));
		cfg[link] = (uint8_t)p;
		link = p + 1;
	}
	if (lay->msix_cap) {
		unsigned int p = lay->msix_cap;
		cfg[p] = PCI_CAP_ID_MSIX;
		put16(cfg, p + 2, (uint16_t)(lay->msix_n - 1));
		put32(cfg, p + 4, lay->msix_table.offset | lay->msix_table.bar);
		put32(cfg, p + 8, lay->msix_pba.offset | lay->msix_pba.bar);
		cfg[link] = (uint8_t)p;
		link = p + 1;
	}
	if (link != PCI_CAP_PTR)
		put16(cfg, PCI_STATUS, PCI_STATUS_CAPS);
}

void pcifn_cfg_wmask(const struct pcifn_layout *lay, uint8_t wm[256])
{
	memset(wm, 0, 256);
	put16(wm, PCI_COMMAND, PCI_CMD_MEMORY | PCI_CMD_MASTER | PCI_CMD_INTX_DIS);
	wm[PCI_CACHE_LINE] = 0xFF;
	wm[PCI_INT_LINE] = 0xFF;
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		const struct pcifn_bar_layout *b = &lay->bar[i];
		if (b->upper && lay->bar[i - 1].size)
			put32(wm, PCI_BAR0 + 4 * i, (uint32_t)(~(lay->bar[i - 1].size - 1) >> 32));
		else if (b->size && !b->upper)
			put32(wm, PCI_BAR0 + 4 * i, (uint32_t) ~(b->size - 1) & ~0xFu);
	}
	if (lay->msi_cap) {
		unsigned int p = lay->msi_cap;
		put16(wm, p + 2, MSI_CTL_ENABLE | MSI_CTL_MME);
		put32(wm, p + 4, ~0x3u);
		if (lay->msi_64)
			put32(wm, p + 8, ~0u);
		put16(wm, msi_data_off(lay), 0xFFFF);
		if (lay->msi_pvm) {
			unsigned int nvec = 1u << lay->msi_mmc;
			put32(wm, msi_mask_off(lay), nvec == 32 ? ~0u : (1u << nvec) - 1);
		}
	}
	if (lay->msix_cap)
		put16(wm, lay->msix_cap + 2, MSIX_CTL_FMASK | MSIX_CTL_ENABLE);
	if (lay->pcie_cap)
		put16(wm, lay->pcie_cap + PCIE_DEVCTL, (uint16_t)~PCIE_DEVCTL_FLR);
}

void pcifn_msi_clamp(struct msk_pcifn *fn)
{
	if (!fn->lay.msi_cap)
		return;
	unsigned int p = fn->lay.msi_cap + 2;
	uint16_t mc = get16(fn->cfg, p);
	if (((mc & MSI_CTL_MME) >> 4) > fn->lay.msi_mmc)
		put16(fn->cfg, p, (uint16_t)((mc & ~MSI_CTL_MME) | fn->lay.msi_mmc << 4));
}

static bool size_ok(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static bool in(unsigned int o, unsigned int base, unsigned int len)
{
	return o >= base && o < base + len;
}

int msk_pcifn_cfg_read(struct msk_pcifn *fn, unsigned int off, unsigned int size, uint64_t *value)
{
	if (!size_ok(size) || off >= MSK_PCIFN_CFG_SIZE || size > MSK_PCIFN_CFG_SIZE - off) {
		*value = size_ok(size) && size < 8 ? (1ull << (8 * size)) - 1 : ~0ull;
		return msk_err(MSK_EINVAL, "%s: config read of %u bytes at 0x%x", fn->name, size,
			       off);
	}
	uint64_t v = 0;
	pthread_mutex_lock(&fn->lock);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)fn->cfg[off + i] << (8 * i);
	pthread_mutex_unlock(&fn->lock);
	*value = v;
	return 0;
}

/* What a piece of a config write asks the model to do once unlocked. */
struct cfg_effects {
	bool bars, flush, flr;
};

/* Apply bytes [pos, end) of a write (lock held). */
static void write_piece(struct msk_pcifn *fn, unsigned int pos, unsigned int end,
			const uint8_t *bytes, struct cfg_effects *e)
{
	const struct pcifn_layout *lay = &fn->lay;
	unsigned int msi_len = lay->msi_cap ? pcifn_msi_cap_size(lay->msi_64, lay->msi_pvm) : 0;
	for (unsigned int o = pos; o < end; o++) {
		uint8_t b = bytes[o - pos];
		if (o >= 256)
			continue; /* extended config space is read-only */
		fn->cfg[o] = (uint8_t)((fn->cfg[o] & ~fn->wmask[o]) | (b & fn->wmask[o]));
		if (in(o, PCI_COMMAND, 2) || in(o, PCI_BAR0, 24))
			e->bars = true;
		if (lay->msi_cap && in(o, lay->msi_cap, msi_len))
			e->flush = true;
		if (lay->msix_cap && in(o, lay->msix_cap + 2, 2))
			e->flush = true;
		if (lay->pcie_cap && o == lay->pcie_cap + PCIE_DEVCTL + 1 &&
		    (b & (PCIE_DEVCTL_FLR >> 8)))
			e->flr = true;
	}
	pcifn_msi_clamp(fn);
}

int msk_pcifn_cfg_write(struct msk_pcifn *fn, unsigned int off, uint64_t value, unsigned int size)
{
	if (!size_ok(size) || off >= MSK_PCIFN_CFG_SIZE || size > MSK_PCIFN_CFG_SIZE - off)
		return msk_err(MSK_EINVAL, "%s: config write of %u bytes at 0x%x", fn->name, size,
			       off);
	uint8_t bytes[8];
	for (unsigned int i = 0; i < size; i++)
		bytes[i] = (uint8_t)(value >> (8 * i));
	for (unsigned int pos = off, end = off + size; pos < end;) {
		unsigned int piece_end = (pos & ~3u) + 4;
		if (piece_end > end)
			piece_end = end;
		struct cfg_effects e = { false, false, false };
		pthread_mutex_lock(&fn->lock);
		write_piece(fn, pos, piece_end, bytes + (pos - off), &e);
		pthread_mutex_unlock(&fn->lock);
		if (e.flr) {
			pcifn_do_reset(fn);
		} else {
			if (e.flush)
				pcifn_flush(fn, 0, pcifn_gidx_ims(fn));
			if (e.bars)
				pcifn_bars_sync(fn, false);
		}
		pos = piece_end;
	}
	return 0;
}
