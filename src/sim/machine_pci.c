/* SPDX-License-Identifier: MIT */
/*
 * PCI functions of a machine: the "firmware" part (BAR assignment in the
 * PCI MMIO window, Memory Space Enable), attaching through the platform,
 * removal, and the calls whose rules depend on the machine's MSI model.
 */
#include "sim/machine_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define PCI_COMMAND	   0x04
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_BAR0	   0x10

void msk_machine_pci_config_init(struct msk_machine_pci_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vendor_id = 0x1af4;
	cfg->device_id = 0x1000;
	cfg->msi_64bit = true;
	cfg->msi_mask = true;
}

const char *msk_machine_dev_name(const struct msk_machine_dev *dev)
{
	return dev->name;
}

struct msk_pcifn *msk_machine_dev_fn(struct msk_machine_dev *dev)
{
	return dev->pcifn;
}

struct msk_pci_dev *msk_machine_dev_pci(struct msk_machine_dev *dev)
{
	return dev->pdev;
}

unsigned int msk_machine_dev_count(const struct msk_machine *m)
{
	return m->ndevs;
}

struct msk_machine_dev *msk_machine_dev_at(struct msk_machine *m, unsigned int i)
{
	return i < m->ndevs ? m->devs[i] : NULL;
}

/* The function leaves the bus (its BARs stop decoding); that cannot fail. */
static void destroy_function(struct msk_machine *m, struct msk_pcifn *fn)
{
	machine_faults_pause(m);
	msk_pcifn_destroy(fn);
	machine_faults_resume(m);
}

/* Firmware: place every implemented BAR in the window and let the function decode it. */
static int assign_bars(struct msk_machine *m, struct msk_machine_dev *d)
{
	uint64_t next = m->bar_next;
	const uint64_t end = MSK_MACHINE_PCI_MMIO + MSK_MACHINE_PCI_MMIO_SIZE;
	for (unsigned int bar = 0; bar < MSK_PCIFN_NUM_BARS; bar++) {
		struct msk_pcifn_bar_info bi;
		if (msk_pcifn_bar_info(d->pcifn, bar, &bi) < 0 || bi.size == 0)
			continue;
		uint64_t addr = (next + bi.size - 1) & ~(bi.size - 1);
		if (addr + bi.size > end || addr + bi.size < addr)
			return msk_err(MSK_ENOSPC,
				       "PCI %s: no room for BAR %u (%llu bytes) in the PCI window",
				       d->name, bar, (unsigned long long)bi.size);
		msk_pcifn_cfg_write(d->pcifn, PCI_BAR0 + 4 * bar, (uint32_t)addr, 4);
		if (bi.flags & MSK_PCIFN_BAR_64)
			msk_pcifn_cfg_write(d->pcifn, PCI_BAR0 + 4 * (bar + 1), addr >> 32, 4);
		next = addr + bi.size;
	}
	uint64_t cmd = 0;
	msk_pcifn_cfg_read(d->pcifn, PCI_COMMAND, 2, &cmd);
	msk_pcifn_cfg_write(d->pcifn, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY, 2);
	for (unsigned int bar = 0; bar < MSK_PCIFN_NUM_BARS; bar++) {
		struct msk_pcifn_bar_info bi;
		if (msk_pcifn_bar_info(d->pcifn, bar, &bi) == 0 && bi.size && !bi.decoded)
			return msk_err(MSK_EBUSY,
				       "PCI %s: BAR %u at 0x%llx overlaps another region", d->name,
				       bar, (unsigned long long)bi.address);
	}
	m->bar_next = next;
	return 0;
}

static int make_function(struct msk_machine *m, const struct msk_machine_pci_config *cfg,
			 struct msk_machine_dev *d)
{
	struct msk_pcifn_config fc;
	memset(&fc, 0, sizeof(fc));
	fc.name = d->name;
	fc.bus = cfg->bus;
	fc.dev = cfg->dev;
	fc.fn = cfg->fn;
	fc.vendor_id = cfg->vendor_id;
	fc.device_id = cfg->device_id;
	fc.class_code = 0x010802; /* NVM Express: any class would do */
	fc.msi_vectors = cfg->msi;
	fc.msi_64bit = cfg->msi_64bit;
	fc.msi_pvm = cfg->msi_mask;
	fc.msix_entries = cfg->msix;
	fc.msix_while_disabled = cfg->while_disabled;
	fc.ims_entries = cfg->ims;
	int rc = msk_pcifn_create(m->bus, &fc, &d->pcifn);
	if (rc < 0)
		return msk_err_context("PCI %s", d->name);
	machine_faults_pause(m);
	rc = assign_bars(m, d);
	machine_faults_resume(m);
	return rc;
}

static int attach(struct msk_machine *m, struct msk_machine_dev *d)
{
	int rc = msk_platform_pci_add(m->plat, d->pcifn, &d->pdev);
	if (rc < 0) {
		d->pdev = NULL;
		return rc;
	}
	if (m->global && msk_device_msi_parent(msk_pci_msi_device(d->pdev)) != m->global) {
		const char *got =
			msk_domain_name(msk_device_msi_parent(msk_pci_msi_device(d->pdev)));
		msk_platform_pci_remove(m->plat, d->pdev);
		d->pdev = NULL;
		return msk_err(MSK_ENOTSUP,
			       "PCI %s: msi=global: the %s platform attached it to %s instead of "
			       "the global %s (its pci_add must use "
			       "msk_platform_device_msi_parent())",
			       d->name, m->arch, got, msk_domain_name(m->global));
	}
	return 0;
}

static int add_to_list(struct msk_machine *m, struct msk_machine_dev *d)
{
	if (m->ndevs == m->devcap) {
		unsigned int cap = m->devcap ? m->devcap * 2 : 8;
		struct msk_machine_dev **v = msk_realloc(m->devs, cap * sizeof(*v));
		if (!v)
			return msk_err(MSK_ENOMEM, "PCI %s: out of memory", d->name);
		m->devs = v;
		m->devcap = cap;
	}
	m->devs[m->ndevs++] = d;
	return 0;
}

int msk_machine_pci_add(struct msk_machine *m, const struct msk_machine_pci_config *cfg,
			struct msk_machine_dev **out)
{
	if (!m || !cfg || !out)
		return msk_err(MSK_EINVAL, "machine: missing argument");
	if (cfg->bus > 255 || cfg->dev > 31 || cfg->fn > 7)
		return msk_err(MSK_EINVAL, "PCI: bad BDF %02x:%02x.%x", cfg->bus, cfg->dev,
			       cfg->fn);
	for (unsigned int i = 0; i < m->ndevs; i++)
		if (m->devs[i]->bus == cfg->bus && m->devs[i]->dev == cfg->dev &&
		    m->devs[i]->fn == cfg->fn)
			return msk_err(MSK_EEXIST, "PCI %s exists already", m->devs[i]->name);
	struct msk_machine_dev *d = msk_calloc(1, sizeof(*d));
	if (!d)
		return msk_err(MSK_ENOMEM, "PCI: out of memory");
	d->m = m;
	d->bus = cfg->bus;
	d->dev = cfg->dev;
	d->fn = cfg->fn;
	snprintf(d->name, sizeof(d->name), "0000:%02x:%02x.%x", cfg->bus, cfg->dev, cfg->fn);
	int rc = make_function(m, cfg, d);
	if (rc == 0 && !m->cfg.bare)
		rc = attach(m, d);
	if (rc == 0)
		rc = add_to_list(m, d);
	if (rc < 0) {
		if (d->pdev)
			msk_platform_pci_remove(m->plat, d->pdev);
		destroy_function(m, d->pcifn);
		msk_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int msk_machine_pci_remove(struct msk_machine *m, struct msk_machine_dev *d)
{
	if (!m || !d)
		return msk_err(MSK_EINVAL, "machine: missing argument");
	unsigned int i = 0;
	while (i < m->ndevs && m->devs[i] != d)
		i++;
	if (i == m->ndevs)
		return msk_err(MSK_ENODEV, "PCI %s is not in this machine", d->name);
	if (d->pdev) {
		int rc = msk_platform_pci_remove(m->plat, d->pdev);
		if (rc < 0)
			return rc;
		d->pdev = NULL;
	}
	const char *saved = m->ctx_device;
	m->ctx_device = d->name;
	destroy_function(m, d->pcifn);
	m->ctx_device = saved;
	memmove(&m->devs[i], &m->devs[i + 1], (m->ndevs - i - 1) * sizeof(m->devs[0]));
	m->ndevs--;
	msk_free(d);
	return 0;
}

void machine_remove_all_devices(struct msk_machine *m)
{
	while (m->ndevs) {
		struct msk_machine_dev *d = m->devs[m->ndevs - 1];
		if (msk_machine_pci_remove(m, d) < 0) {
			/* The OS view refused (a bug elsewhere): take the hardware away regardless. */
			destroy_function(m, d->pcifn);
			m->ndevs--;
			msk_free(d);
		}
	}
}

int msk_machine_ims_domain(struct msk_machine *m, struct msk_machine_dev *d, unsigned int entries)
{
	if (!m || !d || !d->pdev)
		return msk_err(MSK_ENODEV, "machine: no OS view of that device");
	struct msk_pcifn_ims_state st;
	msk_pcifn_ims_state(d->pcifn, &st);
	if (st.entries == 0)
		return msk_err(MSK_ENODEV, "PCI %s has no IMS store (give it ims = N)", d->name);
	if (entries == 0 || entries > st.entries)
		return msk_err(MSK_EINVAL, "PCI %s: IMS domain of %u entries, the store has %u",
			       d->name, entries, st.entries);
	struct msk_pci_ims_store store = { .bar = st.bar, .offset = st.offset, .entries = entries };
	return msk_pci_create_ims_domain(d->pdev, &store, NULL);
}
