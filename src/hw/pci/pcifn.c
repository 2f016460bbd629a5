/* SPDX-License-Identifier: MIT */
/* PCI function model: creation, reset, destruction and introspection. */
#include "hw/pci/pcifn.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

static void set_name(char *dst, size_t cap, const char *name, unsigned int bus, unsigned int dev,
		     unsigned int fn)
{
	if (name)
		snprintf(dst, cap, "%s", name);
	else
		snprintf(dst, cap, "%02x:%02x.%x", bus, dev, fn);
}

static int check_rid(const char *who, unsigned int bus, unsigned int dev, unsigned int fn)
{
	if (bus > 255 || dev > 31 || fn > 7)
		return msk_err(MSK_EINVAL,
			       "%s: bus %u device %u function %u: want bus <= 255, device <= 31, "
			       "function <= 7",
			       who, bus, dev, fn);
	return 0;
}

static void free_fn(struct msk_pcifn *fn)
{
	pthread_mutex_destroy(&fn->lock);
	pthread_mutex_destroy(&fn->map_lock);
	msk_free(fn->msix);
	msk_free(fn->ims);
	msk_free(fn);
}

/* A function with its slot arrays, not yet in any state. */
static int alloc_fn(struct msk_bus *bus, const struct pcifn_layout *lay, const char *who,
		    unsigned int b, unsigned int d, unsigned int f, struct msk_pcifn **out)
{
	struct msk_pcifn *fn = msk_calloc(1, sizeof(*fn));
	if (!fn)
		return msk_err(MSK_ENOMEM, "%s: out of memory", who);
	if (lay->msix_n && !(fn->msix = msk_calloc(lay->msix_n, sizeof(*fn->msix)))) {
		msk_free(fn);
		return msk_err(MSK_ENOMEM, "%s: out of memory for %u MSI-X entries", who,
			       lay->msix_n);
	}
	if (lay->ims_n && !(fn->ims = msk_calloc(lay->ims_n, sizeof(*fn->ims)))) {
		msk_free(fn->msix);
		msk_free(fn);
		return msk_err(MSK_ENOMEM, "%s: out of memory for %u IMS entries", who, lay->ims_n);
	}
	pthread_mutex_init(&fn->lock, NULL);
	pthread_mutex_init(&fn->map_lock, NULL);
	fn->bus = bus;
	fn->ledger = msk_bus_ledger(bus);
	snprintf(fn->name, sizeof(fn->name), "%s", who);
	fn->rid = (uint16_t)(b << 8 | d << 3 | f);
	fn->lay = *lay;
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++)
		fn->ctx[i] = (struct pcifn_bar_ctx){ fn, i };
	*out = fn;
	return 0;
}

uint64_t pcifn_reset_locked(struct msk_pcifn *fn)
{
	uint64_t dropped = fn->held;
	memcpy(fn->cfg, fn->reset_cfg, sizeof(fn->cfg));
	for (unsigned int k = 0; k < fn->lay.msix_n; k++) {
		struct pcifn_slot *s = &fn->msix[k];
		*s = (struct pcifn_slot){ .ctrl = MSIX_CTRL_MASK, .sent = s->sent };
	}
	for (unsigned int k = 0; k < fn->lay.ims_n; k++) {
		struct pcifn_slot *s = &fn->ims[k];
		*s = (struct pcifn_slot){ .ctrl = MSIX_CTRL_MASK, .sent = s->sent };
	}
	memset(fn->msi_weight, 0, sizeof(fn->msi_weight));
	fn->msix_pending = fn->ims_pending = 0;
	fn->held = 0;
	pcifn_count_loss(fn, MSK_LOSS_DEVICE_RESET, dropped);
	return dropped;
}

void pcifn_do_reset(struct msk_pcifn *fn)
{
	pthread_mutex_lock(&fn->lock);
	uint64_t dropped = pcifn_reset_locked(fn);
	fn->stats.resets++;
	pthread_mutex_unlock(&fn->lock);
	pcifn_ledger_lose64(fn, MSK_LOSS_DEVICE_RESET, dropped);
	pcifn_bars_sync(fn, false);
}

int msk_pcifn_reset(struct msk_pcifn *fn)
{
	pcifn_do_reset(fn);
	return 0;
}

/* The first state of a new function: reset, then (image) the kept RW values. */
static void init_state(struct msk_pcifn *fn, const uint8_t *keep)
{
	if (fn->lay.msi_pvm)
		put32(fn->reset_cfg, pcifn_msi_pend_off(fn), 0);
	for (unsigned int o = 0; o < 256; o++)
		fn->reset_cfg[o] &= (uint8_t)~fn->wmask[o];
	pcifn_reset_locked(fn);
	if (keep) {
		for (unsigned int o = 0; o < 256; o++)
			fn->cfg[o] =
				(uint8_t)((fn->cfg[o] & ~fn->wmask[o]) | (keep[o] & fn->wmask[o]));
		pcifn_msi_clamp(fn);
	}
}

static int check_config(const struct msk_pcifn_config *c, const char *who)
{
	int rc = check_rid(who, c->bus, c->dev, c->fn);
	if (rc < 0)
		return rc;
	if (c->vendor_id == 0xFFFF)
		return msk_err(MSK_EINVAL, "%s: vendor ID 0xFFFF reads as no function", who);
	if (c->class_code > 0xFFFFFF)
		return msk_err(MSK_EINVAL, "%s: class code 0x%x is more than 24 bits", who,
			       c->class_code);
	unsigned int v = c->msi_vectors;
	if (v > MSK_PCIFN_MSI_MAX || (v & (v - 1)))
		return msk_err(MSK_EINVAL, "%s: %u MSI vectors: want 0, 1, 2, 4, 8, 16 or 32", who,
			       v);
	if (c->msix_entries > MSK_PCIFN_MSIX_MAX)
		return msk_err(MSK_EINVAL, "%s: %u MSI-X entries, at most %u", who, c->msix_entries,
			       MSK_PCIFN_MSIX_MAX);
	if (c->ims_entries > MSK_PCIFN_IMS_MAX)
		return msk_err(MSK_EINVAL, "%s: %u IMS entries, at most %u", who, c->ims_entries,
			       MSK_PCIFN_IMS_MAX);
	if ((unsigned int)c->msix_while_disabled > MSK_PCIFN_MSIX_LATCH)
		return msk_err(MSK_EINVAL, "%s: unknown MSI-X while-disabled policy %d", who,
			       (int)c->msix_while_disabled);
	return 0;
}

int msk_pcifn_create(struct msk_bus *bus, const struct msk_pcifn_config *c, struct msk_pcifn **out)
{
	if (!bus || !c || !out)
		return msk_err(MSK_EINVAL, "pci function: NULL bus, config or result");
	char who[32];
	set_name(who, sizeof(who), c->name, c->bus, c->dev, c->fn);
	int rc = check_config(c, who);
	if (rc < 0)
		return rc;

	struct pcifn_layout lay;
	memset(&lay, 0, sizeof(lay));
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		lay.bar[i].size = c->bar_size[i];
		lay.bar[i].size_given = c->bar_size[i] != 0;
		lay.bar[i].flags = c->bar_flags[i];
	}
	if (c->msi_vectors) {
		lay.msi_cap = SYNTH_MSI_CAP;
		while ((1u << lay.msi_mmc) < c->msi_vectors)
			lay.msi_mmc++;
		lay.msi_64 = c->msi_64bit;
		lay.msi_pvm = c->msi_pvm;
	}
	lay.msix_cap = c->msix_entries ? SYNTH_MSIX_CAP : 0;
	lay.msix_n = c->msix_entries;
	lay.msix_table = c->msix_table;
	lay.msix_pba = c->msix_pba;
	lay.policy = c->msix_while_disabled;
	lay.ims_n = c->ims_entries;
	lay.ims = c->ims;
	lay.pcie_cap = c->pcie_flr ? SYNTH_PCIE_CAP : 0;
	lay.manual_bars = c->manual_bars;
	if ((rc = pcifn_layout_finish(&lay, who, true)) < 0)
		return rc;

	struct msk_pcifn *fn;
	if ((rc = alloc_fn(bus, &lay, who, c->bus, c->dev, c->fn, &fn)) < 0)
		return rc;
	pcifn_cfg_synth(c, &fn->lay, fn->reset_cfg);
	pcifn_cfg_wmask(&fn->lay, fn->wmask);
	init_state(fn, NULL);
	*out = fn;
	return 0;
}

int msk_pcifn_create_from_image(struct msk_bus *bus, const void *image, size_t len,
				const struct msk_pcifn_image_opts *opts, struct msk_pcifn **out)
{
	static const struct msk_pcifn_image_opts defaults;
	if (!bus || !image || !out)
		return msk_err(MSK_EINVAL, "pci function: NULL bus, image or result");
	if (!opts)
		opts = &defaults;
	char who[32];
	set_name(who, sizeof(who), opts->name, opts->bus, opts->dev, opts->fn);
	int rc = check_rid(who, opts->bus, opts->dev, opts->fn);
	if (rc < 0)
		return rc;
	struct pcifn_layout lay;
	uint8_t *bytes = msk_malloc(MSK_PCIFN_CFG_SIZE);
	if (!bytes)
		return msk_err(MSK_ENOMEM, "%s: out of memory", who);
	rc = pcifn_image_decode(image, len, opts, who, &lay, bytes);
	if (rc == 0)
		rc = pcifn_layout_finish(&lay, who, false);
	struct msk_pcifn *fn = NULL;
	if (rc == 0)
		rc = alloc_fn(bus, &lay, who, opts->bus, opts->dev, opts->fn, &fn);
	if (rc < 0) {
		msk_free(bytes);
		return rc;
	}
	/* BAR slots the model does not implement read 0. */
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		const struct pcifn_bar_layout *b = &fn->lay.bar[i];
		bool live = b->upper ? fn->lay.bar[i - 1].size != 0 : b->size != 0;
		if (!live)
			put32(bytes, PCI_BAR0 + 4 * i, 0);
	}
	memcpy(fn->reset_cfg, bytes, MSK_PCIFN_CFG_SIZE);
	msk_free(bytes);
	pcifn_cfg_wmask(&fn->lay, fn->wmask);
	uint8_t keep[256];
	if (opts->keep_state) {
		memset(keep, 0, sizeof(keep));
		memcpy(keep, image, len < sizeof(keep) ? len : sizeof(keep));
	}
	init_state(fn, opts->keep_state ? keep : NULL);
	*out = fn;
	pcifn_bars_sync(fn, false);
	return 0;
}

void msk_pcifn_destroy(struct msk_pcifn *fn)
{
	if (!fn)
		return;
	pcifn_bars_sync(fn, true);
	bool still_mapped = false;
	pthread_mutex_lock(&fn->map_lock);
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++)
		still_mapped |= fn->mapped[i];
	pthread_mutex_unlock(&fn->map_lock);

	pthread_mutex_lock(&fn->lock);
	uint64_t dropped = pcifn_reset_locked(fn);
	/* Reclassify: this is a removal, not a reset. */
	fn->stats.lost_by_reason[MSK_LOSS_DEVICE_RESET] -= dropped;
	fn->stats.lost_by_reason[MSK_LOSS_DEVICE_REMOVED] += dropped;
	put16(fn->cfg, PCI_COMMAND, 0); /* a region left mapped now sends nothing */
	pthread_mutex_unlock(&fn->lock);
	pcifn_ledger_lose64(fn, MSK_LOSS_DEVICE_REMOVED, dropped);
	/*
	 * The bus could not unmap a BAR (out of memory): its handlers may still
	 * run, so the function must stay allocated. Leaking beats a dangling
	 * pointer.
	 */
	if (!still_mapped)
		free_fn(fn);
}

uint16_t msk_pcifn_rid(const struct msk_pcifn *fn)
{
	return fn->rid;
}

const char *msk_pcifn_name(const struct msk_pcifn *fn)
{
	return fn->name;
}

/* ---- introspection ---- */

static void vector_of(const struct pcifn_slot *s, struct msk_pcifn_vector *out)
{
	*out = (struct msk_pcifn_vector){
		.addr = (uint64_t)s->addr_hi << 32 | s->addr_lo,
		.data = s->data,
		.control = s->ctrl,
		.masked = s->ctrl & MSIX_CTRL_MASK,
		.pending = s->weight != 0,
		.pending_weight = s->weight,
		.sent = s->sent,
	};
}

int msk_pcifn_msix_entry(struct msk_pcifn *fn, unsigned int index, struct msk_pcifn_vector *out)
{
	if (index >= fn->lay.msix_n)
		return msk_err(MSK_EINVAL, "%s: MSI-X entry %u: the table has %u", fn->name, index,
			       fn->lay.msix_n);
	pthread_mutex_lock(&fn->lock);
	vector_of(&fn->msix[index], out);
	pthread_mutex_unlock(&fn->lock);
	return 0;
}

int msk_pcifn_ims_entry(struct msk_pcifn *fn, unsigned int index, struct msk_pcifn_vector *out)
{
	if (index >= fn->lay.ims_n)
		return msk_err(MSK_EINVAL, "%s: IMS entry %u: the store has %u", fn->name, index,
			       fn->lay.ims_n);
	pthread_mutex_lock(&fn->lock);
	vector_of(&fn->ims[index], out);
	pthread_mutex_unlock(&fn->lock);
	return 0;
}

int msk_pcifn_msix_state(struct msk_pcifn *fn, struct msk_pcifn_msix_state *out)
{
	const struct pcifn_layout *lay = &fn->lay;
	memset(out, 0, sizeof(*out));
	out->while_disabled = lay->policy;
	if (!lay->msix_cap)
		return 0;
	pthread_mutex_lock(&fn->lock);
	out->cap = lay->msix_cap;
	out->entries = lay->msix_n;
	out->enabled = pcifn_msix_enabled(fn);
	out->function_mask = pcifn_msix_fmask(fn);
	out->table_bar = lay->msix_table.bar;
	out->table_offset = lay->msix_table.offset;
	out->pba_bar = lay->msix_pba.bar;
	out->pba_offset = lay->msix_pba.offset;
	out->pending = fn->msix_pending;
	pthread_mutex_unlock(&fn->lock);
	return 0;
}

int msk_pcifn_msi_state(struct msk_pcifn *fn, struct msk_pcifn_msi_state *out)
{
	const struct pcifn_layout *lay = &fn->lay;
	memset(out, 0, sizeof(*out));
	if (!lay->msi_cap)
		return 0;
	pthread_mutex_lock(&fn->lock);
	unsigned int p = lay->msi_cap;
	out->cap = p;
	out->vectors_capable = 1u << lay->msi_mmc;
	out->vectors_enabled = 1u << pcifn_msi_mme(fn);
	out->enabled = pcifn_msi_enabled(fn);
	out->is_64bit = lay->msi_64;
	out->pvm = lay->msi_pvm;
	out->addr = get32(fn->cfg, p + 4);
	if (lay->msi_64)
		out->addr |= (uint64_t)get32(fn->cfg, p + 8) << 32;
	out->data = get16(fn->cfg, pcifn_msi_data_off(fn));
	if (lay->msi_pvm) {
		out->mask = get32(fn->cfg, pcifn_msi_mask_off(fn));
		out->pending = get32(fn->cfg, pcifn_msi_pend_off(fn));
	}
	memcpy(out->pending_weight, fn->msi_weight, sizeof(out->pending_weight));
	memcpy(out->sent, fn->msi_sent, sizeof(out->sent));
	pthread_mutex_unlock(&fn->lock);
	return 0;
}

int msk_pcifn_ims_state(struct msk_pcifn *fn, struct msk_pcifn_ims_state *out)
{
	memset(out, 0, sizeof(*out));
	if (!fn->lay.ims_n)
		return 0;
	pthread_mutex_lock(&fn->lock);
	out->entries = fn->lay.ims_n;
	out->bar = fn->lay.ims.bar;
	out->offset = fn->lay.ims.offset;
	out->pending = fn->ims_pending;
	pthread_mutex_unlock(&fn->lock);
	return 0;
}

int msk_pcifn_bar_info(struct msk_pcifn *fn, unsigned int bar, struct msk_pcifn_bar_info *out)
{
	if (bar >= MSK_PCIFN_NUM_BARS)
		return msk_err(MSK_EINVAL, "%s: BAR%u: BARs are 0-5", fn->name, bar);
	memset(out, 0, sizeof(*out));
	const struct pcifn_bar_layout *b = &fn->lay.bar[bar];
	if (!b->size || b->upper)
		return 0;
	out->size = b->size;
	out->flags = b->flags;
	pthread_mutex_lock(&fn->map_lock);
	out->decoded = fn->mapped[bar];
	out->decoded_at = fn->mapped[bar] ? fn->mapped_at[bar] : 0;
	pthread_mutex_unlock(&fn->map_lock);
	pthread_mutex_lock(&fn->lock);
	out->address = pcifn_bar_address(fn, bar);
	pthread_mutex_unlock(&fn->lock);
	return 0;
}

void msk_pcifn_stats(struct msk_pcifn *fn, struct msk_pcifn_stats *out)
{
	pthread_mutex_lock(&fn->lock);
	*out = fn->stats;
	out->held = fn->held;
	pthread_mutex_unlock(&fn->lock);
}
