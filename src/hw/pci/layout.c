/* SPDX-License-Identifier: MIT */
/*
 * The geometry of a PCI function: which BARs exist, how big they are, and
 * where the MSI-X table, the PBA and the IMS store live in them. Shared by
 * functions built from a config struct and from a config-space image.
 */
#include "hw/pci/pcifn.h"

#include "base/error.h"

unsigned int pcifn_msi_cap_size(bool is64, bool pvm)
{
	return 10u + (is64 ? 4u : 0u) + (pvm ? 10u : 0u);
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = MSK_PCIFN_BAR_MIN;
	while (p < v && p < (1ull << 62))
		p <<= 1;
	return p;
}

static uint64_t bar_max(unsigned int flags)
{
	return (flags & MSK_PCIFN_BAR_64) ? MSK_PCIFN_BAR64_MAX : MSK_PCIFN_BAR32_MAX;
}

/* A structure placed in a BAR. */
struct item {
	const char *what;
	struct msk_pcifn_loc *loc;
	uint64_t len;
};

static unsigned int items_of(struct pcifn_layout *lay, struct item it[3])
{
	unsigned int n = 0;
	if (lay->msix_n) {
		it[n++] = (struct item){ "MSI-X table", &lay->msix_table,
					 (uint64_t)lay->msix_n * MSIX_ENTRY_SIZE };
		it[n++] = (struct item){ "MSI-X PBA", &lay->msix_pba,
					 ((uint64_t)lay->msix_n + 63) / 64 * 8 };
	}
	if (lay->ims_n)
		it[n++] = (struct item){ "IMS", &lay->ims, (uint64_t)lay->ims_n * MSIX_ENTRY_SIZE };
	return n;
}

static bool slot_referenced(const struct pcifn_layout *lay, unsigned int i)
{
	return (lay->msix_table.set && lay->msix_table.bar == i) ||
	       (lay->msix_pba.set && lay->msix_pba.bar == i) || (lay->ims.set && lay->ims.bar == i);
}

/* The lowest BAR slot that can take a structure of its own, or -1. */
static int free_slot(const struct pcifn_layout *lay)
{
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		const struct pcifn_bar_layout *b = &lay->bar[i];
		if (!b->upper && !b->io && !b->size_given && !slot_referenced(lay, i))
			return (int)i;
	}
	return -1;
}

static int check_slots(struct pcifn_layout *lay, const char *who)
{
	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		struct pcifn_bar_layout *b = &lay->bar[i];
		if (b->flags & ~(MSK_PCIFN_BAR_64 | MSK_PCIFN_BAR_PREFETCH))
			return msk_err(MSK_EINVAL, "%s: BAR%u: unknown flags 0x%x", who, i,
				       b->flags);
		if (b->upper)
			continue; /* checked when its 64-bit BAR was */
		if (b->flags & MSK_PCIFN_BAR_64) {
			if (i + 1 >= MSK_PCIFN_NUM_BARS)
				return msk_err(MSK_EINVAL,
					       "%s: BAR%u cannot be 64-bit (no slot above)", who,
					       i);
			struct pcifn_bar_layout *u = &lay->bar[i + 1];
			if (u->size_given || u->flags || u->io)
				return msk_err(MSK_EINVAL,
					       "%s: BAR%u is the upper half of 64-bit BAR%u and "
					       "cannot have a size or flags",
					       who, i + 1, i);
			u->upper = true;
		}
		if (b->size_given) {
			if (b->io)
				return msk_err(MSK_EINVAL, "%s: BAR%u: I/O BARs are not modelled",
					       who, i);
			if (!is_pow2(b->size) || b->size < MSK_PCIFN_BAR_MIN ||
			    b->size > bar_max(b->flags))
				return msk_err(MSK_EINVAL,
					       "%s: BAR%u size 0x%llx: want a power of two in "
					       "[4 KiB, %s]",
					       who, i, (unsigned long long)b->size,
					       (b->flags & MSK_PCIFN_BAR_64) ? "256 TiB" : "2 GiB");
		}
	}
	return 0;
}

static int check_loc(const struct pcifn_layout *lay, const struct item *it, const char *who)
{
	const struct msk_pcifn_loc *l = it->loc;
	if (l->bar >= MSK_PCIFN_NUM_BARS)
		return msk_err(MSK_EINVAL, "%s: %s in BAR%u: BARs are 0-5", who, it->what, l->bar);
	if (lay->bar[l->bar].upper)
		return msk_err(MSK_EINVAL, "%s: %s in BAR%u, the upper half of 64-bit BAR%u", who,
			       it->what, l->bar, l->bar - 1);
	if (lay->bar[l->bar].io)
		return msk_err(MSK_EINVAL, "%s: %s in BAR%u, an I/O BAR", who, it->what, l->bar);
	if (l->offset & 7)
		return msk_err(MSK_EINVAL, "%s: %s offset 0x%x is not 8-byte aligned", who,
			       it->what, l->offset);
	return 0;
}

static int place_defaults(struct pcifn_layout *lay, const char *who)
{
	if (lay->msix_n && !lay->msix_table.set) {
		int s = free_slot(lay);
		if (s < 0)
			return msk_err(MSK_EINVAL, "%s: no free BAR for the MSI-X table", who);
		uint64_t tbytes = (uint64_t)lay->msix_n * MSIX_ENTRY_SIZE;
		lay->msix_table = (struct msk_pcifn_loc){ true, (unsigned int)s, 0 };
		if (!lay->msix_pba.set)
			lay->msix_pba =
				(struct msk_pcifn_loc){ true, (unsigned int)s,
							(uint32_t)(tbytes > 2048 ? tbytes : 2048) };
	} else if (lay->msix_n && !lay->msix_pba.set) {
		uint64_t end =
			(uint64_t)lay->msix_table.offset + (uint64_t)lay->msix_n * MSIX_ENTRY_SIZE;
		if (end > 0xFFFFFFF8u)
			return msk_err(MSK_EINVAL, "%s: no room for the MSI-X PBA after the table",
				       who);
		lay->msix_pba = (struct msk_pcifn_loc){ true, lay->msix_table.bar, (uint32_t)end };
	}
	if (lay->ims_n && !lay->ims.set) {
		int s = free_slot(lay);
		if (s < 0)
			return msk_err(MSK_EINVAL, "%s: no free BAR for the IMS store", who);
		lay->ims = (struct msk_pcifn_loc){ true, (unsigned int)s, 0 };
	}
	return 0;
}

int pcifn_layout_finish(struct pcifn_layout *lay, const char *who, bool synth)
{
	int rc = check_slots(lay, who);
	if (rc < 0)
		return rc;
	if (!lay->msix_n && (lay->msix_table.set || lay->msix_pba.set))
		return msk_err(MSK_EINVAL, "%s: MSI-X location given without MSI-X entries", who);
	if (!lay->ims_n && lay->ims.set)
		return msk_err(MSK_EINVAL, "%s: IMS location given without IMS entries", who);

	struct item it[3];
	unsigned int n = items_of(lay, it);
	for (unsigned int i = 0; i < n; i++)
		if (it[i].loc->set && (rc = check_loc(lay, &it[i], who)) < 0)
			return rc;
	if ((rc = place_defaults(lay, who)) < 0)
		return rc;
	n = items_of(lay, it);

	for (unsigned int a = 0; a < n; a++)
		for (unsigned int b = a + 1; b < n; b++) {
			const struct msk_pcifn_loc *x = it[a].loc, *y = it[b].loc;
			if (x->bar == y->bar && x->offset < y->offset + it[b].len &&
			    y->offset < x->offset + it[a].len)
				return msk_err(MSK_EINVAL,
					       "%s: %s [0x%x, +0x%llx) overlaps %s [0x%x, +0x%llx) "
					       "in BAR%u",
					       who, it[a].what, x->offset,
					       (unsigned long long)it[a].len, it[b].what, y->offset,
					       (unsigned long long)it[b].len, x->bar);
		}

	for (unsigned int i = 0; i < MSK_PCIFN_NUM_BARS; i++) {
		struct pcifn_bar_layout *b = &lay->bar[i];
		if (b->upper)
			continue;
		uint64_t need = 0;
		const char *what = NULL;
		for (unsigned int k = 0; k < n; k++) {
			uint64_t end = it[k].loc->offset + it[k].len;
			if (it[k].loc->bar == i && end > need) {
				need = end;
				what = it[k].what;
			}
		}
		if (b->size_given) {
			if (need > b->size)
				return msk_err(
					MSK_EINVAL,
					"%s: BAR%u is 0x%llx bytes but the %s ends at 0x%llx", who,
					i, (unsigned long long)b->size, what,
					(unsigned long long)need);
		} else if (need) {
			b->size = pow2_at_least(need);
			if (b->size > bar_max(b->flags))
				return msk_err(
					MSK_EINVAL,
					"%s: BAR%u would need 0x%llx bytes for the %s, more than "
					"a %s BAR can have",
					who, i, (unsigned long long)b->size, what,
					(b->flags & MSK_PCIFN_BAR_64) ? "64-bit" : "32-bit");
		} else if (b->flags) {
			if (synth)
				return msk_err(MSK_EINVAL,
					       "%s: BAR%u has flags but no size and holds nothing",
					       who, i);
			if ((b->flags & MSK_PCIFN_BAR_64) && i + 1 < MSK_PCIFN_NUM_BARS)
				lay->bar[i + 1].upper = false;
			b->flags = 0; /* an image's BAR we cannot size: not implemented */
		}
	}
	return 0;
}
