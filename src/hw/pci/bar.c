/* SPDX-License-Identifier: MIT */
/*
 * BAR memory space: which structure an offset falls in (MSI-X table, PBA,
 * IMS store, or nothing), the access rules, and decoding on the bus at the
 * addresses programmed in config space while Memory Space Enable is set.
 */
#include "hw/pci/pcifn.h"

#include <stdio.h>

#include "base/error.h"

enum bar_region { R_NONE, R_TABLE, R_PBA, R_IMS };

static bool within(const struct msk_pcifn_loc *l, unsigned int bar, uint64_t off, uint64_t len,
		   uint64_t *rel)
{
	if (!l->set || l->bar != bar || off < l->offset || off - l->offset >= len)
		return false;
	*rel = off - l->offset;
	return true;
}

static enum bar_region locate(const struct msk_pcifn *fn, unsigned int bar, uint64_t off,
			      uint64_t *rel)
{
	const struct pcifn_layout *lay = &fn->lay;
	if (lay->msix_n) {
		if (within(&lay->msix_table, bar, off, (uint64_t)lay->msix_n * MSIX_ENTRY_SIZE,
			   rel))
			return R_TABLE;
		if (within(&lay->msix_pba, bar, off, ((uint64_t)lay->msix_n + 63) / 64 * 8, rel))
			return R_PBA;
	}
	if (lay->ims_n && within(&lay->ims, bar, off, (uint64_t)lay->ims_n * MSIX_ENTRY_SIZE, rel))
		return R_IMS;
	return R_NONE;
}

/* Only naturally aligned dword and qword accesses reach the structures. */
static bool access_ok(uint64_t off, unsigned int size)
{
	return (size == 4 || size == 8) && !(off & (size - 1));
}

uint64_t pcifn_bar_do_read(struct msk_pcifn *fn, unsigned int bar, uint64_t off, unsigned int size)
{
	if (!access_ok(off, size))
		return 0;
	uint64_t rel = 0, v = 0;
	unsigned int n = size / 4;
	pthread_mutex_lock(&fn->lock);
	switch (locate(fn, bar, off, &rel)) {
	case R_TABLE:
		for (unsigned int i = 0; i < n; i++)
			v |= (uint64_t)pcifn_slot_read(&fn->msix[rel / 16],
						       (unsigned int)(rel / 4) + i)
			     << (32 * i);
		break;
	case R_IMS:
		for (unsigned int i = 0; i < n; i++)
			v |= (uint64_t)pcifn_slot_read(&fn->ims[rel / 16],
						       (unsigned int)(rel / 4) + i)
			     << (32 * i);
		break;
	case R_PBA:
		for (unsigned int i = 0; i < n; i++)
			v |= (uint64_t)pcifn_pba_read32(fn, rel / 4 + i) << (32 * i);
		break;
	case R_NONE:
		break;
	}
	pthread_mutex_unlock(&fn->lock);
	return v;
}

void pcifn_bar_do_write(struct msk_pcifn *fn, unsigned int bar, uint64_t off, uint64_t value,
			unsigned int size)
{
	if (!access_ok(off, size))
		return;
	for (unsigned int i = 0; i < size / 4; i++) {
		uint64_t rel = 0;
		uint32_t v = (uint32_t)(value >> (32 * i));
		bool unmasked = false;
		unsigned int g = 0;
		pthread_mutex_lock(&fn->lock);
		switch (locate(fn, bar, off + 4 * i, &rel)) {
		case R_TABLE:
			g = (unsigned int)(rel / 16);
			unmasked = pcifn_slot_write(&fn->msix[g], (unsigned int)(rel / 4), v,
						    MSIX_CTRL_MASK);
			break;
		case R_IMS:
			unmasked = pcifn_slot_write(&fn->ims[rel / 16], (unsigned int)(rel / 4), v,
						    IMS_CTRL_RW);
			g = pcifn_gidx_ims(fn) + (unsigned int)(rel / 16);
			break;
		case R_PBA: /* read-only */
		case R_NONE:
			break;
		}
		pthread_mutex_unlock(&fn->lock);
		if (unmasked)
			pcifn_flush(fn, g, g + 1);
	}
}

/* Is `bar` an implemented BAR (its low slot)? */
static bool bar_valid(const struct msk_pcifn *fn, unsigned int bar)
{
	return bar < MSK_PCIFN_NUM_BARS && fn->lay.bar[bar].size && !fn->lay.bar[bar].upper;
}

static bool size_ok(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

int msk_pcifn_bar_read(struct msk_pcifn *fn, unsigned int bar, uint64_t off, unsigned int size,
		       uint64_t *value)
{
	*value = 0;
	if (!bar_valid(fn, bar))
		return msk_err(MSK_EINVAL, "%s: BAR%u is not implemented", fn->name, bar);
	if (!size_ok(size) || off >= fn->lay.bar[bar].size || size > fn->lay.bar[bar].size - off)
		return msk_err(MSK_EINVAL, "%s: BAR%u read of %u bytes at 0x%llx", fn->name, bar,
			       size, (unsigned long long)off);
	*value = pcifn_bar_do_read(fn, bar, off, size);
	return 0;
}

int msk_pcifn_bar_write(struct msk_pcifn *fn, unsigned int bar, uint64_t off, uint64_t value,
			unsigned int size)
{
	if (!bar_valid(fn, bar))
		return msk_err(MSK_EINVAL, "%s: BAR%u is not implemented", fn->name, bar);
	if (!size_ok(size) || off >= fn->lay.bar[bar].size || size > fn->lay.bar[bar].size - off)
		return msk_err(MSK_EINVAL, "%s: BAR%u write of %u bytes at 0x%llx", fn->name, bar,
			       size, (unsigned long long)off);
	pcifn_bar_do_write(fn, bar, off, value, size);
	return 0;
}

/* ---- decoding on the bus ---- */

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned int size,
			  const struct msk_bus_attrs *attrs)
{
	const struct pcifn_bar_ctx *c = opaque;
	return pcifn_bar_do_read(c->fn, c->bar, off, size);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		       const struct msk_bus_attrs *attrs)
{
	const struct pcifn_bar_ctx *c = opaque;
	if (attrs && attrs->is_msi) {
		/* A message aimed at a BAR is misprogrammed; applying it could loop. */
		msk_ledger_lose(c->fn->ledger, MSK_LOSS_NO_DOORBELL, attrs->weight);
		return;
	}
	pcifn_bar_do_write(c->fn, c->bar, off, value, size);
}

static const struct msk_mmio_ops bar_ops = { mmio_read, mmio_write };

uint64_t pcifn_bar_address(const struct msk_pcifn *fn, unsigned int bar)
{
	uint64_t a = get32(fn->cfg, PCI_BAR0 + 4 * bar) & ~0xFull;
	if (fn->lay.bar[bar].flags & MSK_PCIFN_BAR_64)
		a |= (uint64_t)get32(fn->cfg, PCI_BAR0 + 4 * (bar + 1)) << 32;
	return a;
}

void pcifn_bars_sync(struct msk_pcifn *fn, bool off)
{
	bool want[MSK_PCIFN_NUM_BARS];
	uint64_t at[MSK_PCIFN_NUM_BARS];
	pthread_mutex_lock(&fn->map_lock);
	pthread_mutex_lock(&fn->lock);
	bool mse = get16(fn->cfg, PCI_COMMAND) & PCI_CMD_MEMORY;
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		want[i] = !off && !fn->lay.manual_bars && mse && bar_valid(fn, i);
		at[i] = want[i] ? pcifn_bar_address(fn, i) : 0;
	}
	pthread_mutex_unlock(&fn->lock);
	/* Unmap first, so that two BARs may swap addresses. */
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		if (fn->mapped[i] && (!want[i] || fn->mapped_at[i] != at[i])) {
			int rc = msk_bus_unmap(fn->bus, fn->mapped_at[i]);
			if (rc == 0 || rc == -MSK_ENOENT)
				fn->mapped[i] = false;
		}
	}
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		if (!want[i] || fn->mapped[i])
			continue;
		char name[48]; /* the bus keeps the first 39 characters */
		snprintf(name, sizeof(name), "pci %s BAR%u", fn->name, i);
		if (msk_bus_map(fn->bus, at[i], fn->lay.bar[i].size, &bar_ops, &fn->ctx[i], name) ==
		    0) {
			fn->mapped[i] = true;
			fn->mapped_at[i] = at[i];
		}
	}
	pthread_mutex_unlock(&fn->map_lock);
}
