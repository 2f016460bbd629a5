/* SPDX-License-Identifier: MIT */
/*
 * The OS view of a PCI function: creation (capability discovery through
 * config space), removal, and the register accessors the layer uses.
 */
#include "bus/pci/pci_internal.h"

#include <stdio.h>
#include <string.h>

#include <msikit/hw_pci.h>

#include "base/alloc.h"
#include "base/error.h"

uint32_t pci_cfg_read(struct msk_pci_dev *p, unsigned int off, unsigned int size)
{
	uint64_t v = 0;
	if (p->acc->cfg_read(p->acc_ctx, off, size, &v) < 0)
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return (uint32_t)v;
}

void pci_cfg_write(struct msk_pci_dev *p, unsigned int off, uint32_t value, unsigned int size)
{
	p->acc->cfg_write(p->acc_ctx, off, value, size);
}

uint32_t pci_bar_read32(struct msk_pci_dev *p, unsigned int bar, uint64_t off)
{
	uint64_t v = 0;
	if (p->acc->bar_read(p->acc_ctx, bar, off, 4, &v) < 0)
		return 0xffffffffu;
	return (uint32_t)v;
}

void pci_bar_write32(struct msk_pci_dev *p, unsigned int bar, uint64_t off, uint32_t value)
{
	p->acc->bar_write(p->acc_ctx, bar, off, value, 4);
}

/*
 * MSI messages are memory writes by the function: Bus Master Enable must be
 * on (Linux pci_set_master). BAR placement and Memory Space Enable are the
 * firmware's business; the layer reaches BARs through its accessors.
 */
void pci_set_master(struct msk_pci_dev *p)
{
	uint32_t cmd = pci_cfg_read(p, PCI_COMMAND, 2);
	if (!(cmd & PCI_COMMAND_MASTER))
		pci_cfg_write(p, PCI_COMMAND, cmd | PCI_COMMAND_MASTER, 2);
}

/* Walk the capability list (bounded: at most 48 entries, pointers >= 0x40). */
static unsigned int find_cap(struct msk_pci_dev *p, unsigned int id)
{
	if (!(pci_cfg_read(p, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	unsigned int pos = pci_cfg_read(p, PCI_CAPABILITY_LIST, 1) & ~3u;
	for (int ttl = 48; ttl && pos >= 0x40 && pos < 0x100; ttl--) {
		uint32_t hdr = pci_cfg_read(p, pos, 2);
		if ((hdr & 0xff) == id)
			return pos;
		pos = (hdr >> 8) & 0xfc;
	}
	return 0;
}

static int read_caps(struct msk_pci_dev *p)
{
	uint32_t id = pci_cfg_read(p, 0, 4);
	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return msk_err(MSK_EINVAL, "PCI %s: no function answers (vendor 0x%04x)", p->name,
			       id & 0xffff);
	p->msi_cap = find_cap(p, PCI_CAP_ID_MSI);
	if (p->msi_cap) {
		uint32_t flags = pci_cfg_read(p, p->msi_cap + PCI_MSI_FLAGS, 2);
		unsigned int mmc = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
		if (mmc > 5)
			return msk_err(MSK_EINVAL, "PCI %s: MSI capability with reserved MMC %u",
				       p->name, mmc);
		p->msi_vectors = 1u << mmc;
		p->msi_64 = flags & PCI_MSI_FLAGS_64BIT;
		p->msi_pvm = flags & PCI_MSI_FLAGS_MASKBIT;
	}
	p->msix_cap = find_cap(p, PCI_CAP_ID_MSIX);
	if (p->msix_cap) {
		uint32_t flags = pci_cfg_read(p, p->msix_cap + PCI_MSIX_FLAGS, 2);
		uint32_t table = pci_cfg_read(p, p->msix_cap + PCI_MSIX_TABLE, 4);
		p->msix_entries = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
		p->table_bar = table & PCI_MSIX_BIR;
		p->table_off = table & ~(uint32_t)PCI_MSIX_BIR;
		if (p->table_bar > 5)
			return msk_err(MSK_EINVAL, "PCI %s: MSI-X table in reserved BIR %u",
				       p->name, p->table_bar);
	}
	return 0;
}

int msk_pci_dev_create(struct msk_core *core, struct msk_irq_domain *msi_parent, const char *name,
		       uint16_t rid, const struct msk_pci_access *acc, void *acc_ctx,
		       struct msk_pci_dev **out)
{
	if (!core || !name || !acc || !acc->cfg_read || !acc->cfg_write || !acc->bar_read ||
	    !acc->bar_write || !out)
		return msk_err(MSK_EINVAL, "PCI: device needs a core, a name and accessors");
	if (msk_in_interrupt())
		return msk_err(MSK_EPERM, "msk_pci_dev_create called from an interrupt handler");
	struct msk_pci_dev *p = msk_calloc(1, sizeof(*p));
	if (!p)
		return msk_err(MSK_ENOMEM, "PCI %s: out of memory", name);
	p->core = core;
	p->acc = acc;
	p->acc_ctx = acc_ctx;
	p->rid = rid;
	snprintf(p->name, sizeof(p->name), "%s", name);
	int rc = read_caps(p);
	if (rc == 0)
		rc = msk_device_create(core, p->name, msi_parent, p, &p->dev);
	if (rc < 0) {
		msk_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* The model binding: config and BAR accessors of msikit's PCI function model. */
static int fn_cfg_read(void *ctx, unsigned int off, unsigned int size, uint64_t *v)
{
	return msk_pcifn_cfg_read(ctx, off, size, v);
}

static int fn_cfg_write(void *ctx, unsigned int off, uint64_t v, unsigned int size)
{
	return msk_pcifn_cfg_write(ctx, off, v, size);
}

static int fn_bar_read(void *ctx, unsigned int bar, uint64_t off, unsigned int size, uint64_t *v)
{
	return msk_pcifn_bar_read(ctx, bar, off, size, v);
}

static int fn_bar_write(void *ctx, unsigned int bar, uint64_t off, uint64_t v, unsigned int size)
{
	return msk_pcifn_bar_write(ctx, bar, off, v, size);
}

static const struct msk_pci_access pcifn_access = {
	.cfg_read = fn_cfg_read,
	.cfg_write = fn_cfg_write,
	.bar_read = fn_bar_read,
	.bar_write = fn_bar_write,
};

int msk_pci_dev_create_pcifn(struct msk_core *core, struct msk_irq_domain *msi_parent,
			     struct msk_pcifn *fn, unsigned int segment, struct msk_pci_dev **out)
{
	if (!fn)
		return msk_err(MSK_EINVAL, "PCI: no function");
	uint16_t rid = msk_pcifn_rid(fn);
	char name[32];
	snprintf(name, sizeof(name), "%04x:%02x:%02x.%u", segment & 0xffff, rid >> 8,
		 (rid >> 3) & 0x1f, rid & 7);
	return msk_pci_dev_create(core, msi_parent, name, rid, &pcifn_access, fn, out);
}

int msk_pci_dev_destroy(struct msk_pci_dev *p)
{
	if (!p)
		return 0;
	if (msk_in_interrupt())
		return msk_err(MSK_EPERM, "msk_pci_dev_destroy called from an interrupt handler");
	msk_msi_lock_descs(p->dev);
	/* A handler on either domain refuses the removal before anything is freed. */
	int rc = msk_msi_domain_busy(p->dev, MSK_MSI_DEFAULT_DOMAIN);
	if (rc == 0 && p->ims)
		rc = msk_msi_domain_busy(p->dev, MSK_MSI_SECONDARY_DOMAIN);
	if (rc == 0)
		rc = msk_pci_free_irq_vectors(p);
	if (rc == 0 && p->ims)
		rc = msk_msi_domain_free_irqs_all(p->dev, MSK_MSI_SECONDARY_DOMAIN);
	if (rc < 0) {
		msk_msi_unlock_descs(p->dev);
		return rc;
	}
	msk_msi_unlock_descs(p->dev);
	rc = msk_device_destroy(p->dev); /* removes the domains: teardown once each */
	if (rc < 0)
		return rc;
	msk_free(p);
	return 0;
}

const char *msk_pci_name(const struct msk_pci_dev *p)
{
	return p->name;
}

uint16_t msk_pci_rid(const struct msk_pci_dev *p)
{
	return p->rid;
}

struct msk_device *msk_pci_msi_device(struct msk_pci_dev *p)
{
	return p->dev;
}

int msk_pci_msi_vec_count(struct msk_pci_dev *p)
{
	if (!p || !p->msi_cap)
		return msk_err(MSK_EINVAL, "PCI %s has no MSI capability", p ? p->name : "?");
	return (int)p->msi_vectors;
}

int msk_pci_msix_vec_count(struct msk_pci_dev *p)
{
	if (!p || !p->msix_cap)
		return msk_err(MSK_EINVAL, "PCI %s has no MSI-X capability", p ? p->name : "?");
	return (int)p->msix_entries;
}

void msk_pci_get_state(struct msk_pci_dev *p, struct msk_pci_state *out)
{
	memset(out, 0, sizeof(*out));
	msk_msi_lock_descs(p->dev);
	out->msi_enabled = p->msi_enabled;
	out->msix_enabled = p->msix_enabled;
	out->nvec = p->nvec;
	out->msi_cap = p->msi_cap;
	out->msix_cap = p->msix_cap;
	out->msi_vectors = p->msi_vectors;
	out->msix_entries = p->msix_entries;
	out->ims = p->ims;
	msk_msi_unlock_descs(p->dev);
}
