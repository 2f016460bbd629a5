/* SPDX-License-Identifier: MIT */
/*
 * Decoding a real function's config space (as read from sysfs) into a
 * layout: BAR types, and the MSI and MSI-X capabilities found by a
 * bounded walk of the capability list. The bytes themselves become the
 * function's read-only contents.
 */
#include "hw/pci/pcifn.h"

#include <string.h>

#include "base/error.h"

#define CAP_WALK_MAX 48 /* as many 4-byte capabilities as fit in 0x40-0xFF */

static int decode_bars(const uint8_t *cfg, const struct msk_pcifn_image_opts *opts, const char *who,
		       struct pcifn_layout *lay)
{
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		struct pcifn_bar_layout *b = &lay->bar[i];
		if (opts->bar_size[i]) {
			b->size = opts->bar_size[i];
			b->size_given = true;
		}
		if (b->upper)
			continue;
		uint32_t v = get32(cfg, PCI_BAR0 + 4 * i);
		if (v & 1) {
			b->io = true;
			continue;
		}
		unsigned int type = (v >> 1) & 3;
		if (type == 1 || type == 3)
			return msk_err(MSK_EINVAL, "%s: BAR%u has the reserved memory type %u", who,
				       i, type);
		if (type == 2) {
			if (i + 1 >= MSK_PCIFN_NUM_BARS)
				return msk_err(MSK_EINVAL,
					       "%s: BAR%u is 64-bit but is the last BAR", who, i);
			b->flags |= MSK_PCIFN_BAR_64;
			lay->bar[i + 1].upper = true;
		}
		if (v & 8)
			b->flags |= MSK_PCIFN_BAR_PREFETCH;
	}
	/* check_slots() wants the upper slot unmarked until it meets the 64-bit BAR. */
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++)
		if (lay->bar[i].upper && lay->bar[i].size_given)
			return msk_err(
				MSK_EINVAL,
				"%s: BAR%u is the upper half of 64-bit BAR%u and cannot have a "
				"size",
				who, i, i - 1);
	return 0;
}

static int decode_msi(const uint8_t *cfg, unsigned int p, const char *who, struct pcifn_layout *lay)
{
	uint16_t mc = get16(cfg, p + 2);
	unsigned int mmc = (mc & MSI_CTL_MMC) >> 1;
	if (mmc > 5)
		return msk_err(MSK_EINVAL,
			       "%s: MSI capability at 0x%02x: Multiple Message Capable %u is "
			       "reserved",
			       who, p, mmc);
	bool is64 = mc & MSI_CTL_64, pvm = mc & MSI_CTL_PVM;
	unsigned int size = pcifn_msi_cap_size(is64, pvm);
	if (p + size > 0x100)
		return msk_err(MSK_EINVAL, "%s: MSI capability at 0x%02x (%u bytes) runs past 0xFF",
			       who, p, size);
	lay->msi_cap = p;
	lay->msi_mmc = mmc;
	lay->msi_64 = is64;
	lay->msi_pvm = pvm;
	return 0;
}

static int decode_locator(uint32_t v, unsigned int p, const char *what, const char *who,
			  struct msk_pcifn_loc *loc)
{
	if ((v & 7) > 5)
		return msk_err(MSK_EINVAL, "%s: MSI-X capability at 0x%02x: %s BIR %u is reserved",
			       who, p, what, v & 7);
	*loc = (struct msk_pcifn_loc){ true, v & 7, v & ~7u };
	return 0;
}

static int decode_msix(const uint8_t *cfg, unsigned int p, const char *who,
		       struct pcifn_layout *lay)
{
	if (p + 12 > 0x100)
		return msk_err(MSK_EINVAL, "%s: MSI-X capability at 0x%02x runs past 0xFF", who, p);
	int rc = decode_locator(get32(cfg, p + 4), p, "table", who, &lay->msix_table);
	if (rc == 0)
		rc = decode_locator(get32(cfg, p + 8), p, "PBA", who, &lay->msix_pba);
	if (rc < 0)
		return rc;
	lay->msix_cap = p;
	lay->msix_n = (get16(cfg, p + 2) & MSIX_CTL_QSIZE) + 1u;
	return 0;
}

/*
 * Walk the list like a careful OS: pointers have their low two bits
 * ignored, a pointer into the header (< 0x40) ends the list, a capability
 * seen twice ends it (a loop), and at most CAP_WALK_MAX entries are read.
 */
static int walk_caps(const uint8_t *cfg, const char *who, struct pcifn_layout *lay)
{
	bool seen[64] = { false };
	unsigned int p = cfg[PCI_CAP_PTR] & 0xFCu;
	for (unsigned int ttl = CAP_WALK_MAX; p >= PCI_HDR_END && ttl; ttl--) {
		if (seen[p >> 2])
			break;
		seen[p >> 2] = true;
		int rc = 0;
		if (cfg[p] == PCI_CAP_ID_MSI && !lay->msi_cap)
			rc = decode_msi(cfg, p, who, lay);
		else if (cfg[p] == PCI_CAP_ID_MSIX && !lay->msix_cap)
			rc = decode_msix(cfg, p, who, lay);
		if (rc < 0)
			return rc;
		p = cfg[p + 1] & 0xFCu;
	}
	if (lay->msi_cap && lay->msix_cap) {
		unsigned int a = lay->msi_cap, alen = pcifn_msi_cap_size(lay->msi_64, lay->msi_pvm);
		unsigned int b = lay->msix_cap, blen = 12;
		if (a < b + blen && b < a + alen)
			return msk_err(MSK_EINVAL,
				       "%s: MSI capability at 0x%02x overlaps MSI-X capability at "
				       "0x%02x",
				       who, a, b);
	}
	return 0;
}

int pcifn_image_decode(const uint8_t *img, size_t len, const struct msk_pcifn_image_opts *opts,
		       const char *who, struct pcifn_layout *lay, uint8_t cfg[MSK_PCIFN_CFG_SIZE])
{
	if (len < PCI_HDR_END || len > MSK_PCIFN_CFG_SIZE)
		return msk_err(MSK_EINVAL, "%s: config image of %zu bytes: want 64 to 4096", who,
			       len);
	memset(cfg, 0, MSK_PCIFN_CFG_SIZE);
	memcpy(cfg, img, len);
	memset(lay, 0, sizeof(*lay));
	uint16_t vendor = get16(cfg, PCI_VENDOR_ID);
	if (vendor == 0xFFFF || vendor == 0)
		return msk_err(MSK_EINVAL, "%s: vendor ID 0x%04x: no function in this image", who,
			       vendor);
	if (cfg[PCI_HEADER_TYPE] & 0x7F)
		return msk_err(MSK_EINVAL, "%s: header type %u: only type 0 functions are modelled",
			       who, cfg[PCI_HEADER_TYPE] & 0x7F);
	if ((unsigned int)opts->msix_while_disabled > MSK_PCIFN_MSIX_LATCH)
		return msk_err(MSK_EINVAL, "%s: unknown MSI-X while-disabled policy %d", who,
			       (int)opts->msix_while_disabled);
	if (opts->ims_entries > MSK_PCIFN_IMS_MAX)
		return msk_err(MSK_EINVAL, "%s: %u IMS entries, at most %u", who, opts->ims_entries,
			       MSK_PCIFN_IMS_MAX);
	if (opts->ims_entries && !opts->ims.set)
		return msk_err(MSK_EINVAL,
			       "%s: IMS in a function built from an image needs a "
			       "location",
			       who);

	int rc = decode_bars(cfg, opts, who, lay);
	if (rc < 0)
		return rc;
	/* Leave the 64-bit upper slots for check_slots() to mark again. */
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++)
		lay->bar[i].upper = false;
	uint16_t status = get16(cfg, PCI_STATUS);
	if ((status & PCI_STATUS_CAPS) && (rc = walk_caps(cfg, who, lay)) < 0)
		return rc;

	lay->policy = opts->msix_while_disabled;
	lay->ims_n = opts->ims_entries;
	lay->ims = opts->ims;
	lay->manual_bars = opts->manual_bars;

	/* What the model does not implement reads 0. */
	put16(cfg, PCI_STATUS, status & (uint16_t) ~(PCI_STATUS_RW1C | PCI_STATUS_INTX));
	put16(cfg, PCI_COMMAND, 0);
	put32(cfg, PCI_ROM, 0);
	return 0;
}
