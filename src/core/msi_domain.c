/* SPDX-License-Identifier: MIT */
/*
 * MSI parent domains and per-device MSI domains: the parent policy, the
 * default ops and chip callbacks, the irq-domain ops every MSI device
 * domain runs on, and device-domain creation (prepare exactly once, with
 * hwsize) and removal (teardown exactly once).
 */
#include "core/msi_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "core/handler_ctx.h"

static const struct {
	uint32_t flag;
	const char *name;
} flag_names[] = {
	{ MSK_MSI_FLAG_USE_DEF_DOM_OPS, "USE_DEF_DOM_OPS" },
	{ MSK_MSI_FLAG_USE_DEF_CHIP_OPS, "USE_DEF_CHIP_OPS" },
	{ MSK_MSI_FLAG_ACTIVATE_EARLY, "ACTIVATE_EARLY" },
	{ MSK_MSI_FLAG_MUST_REACTIVATE, "MUST_REACTIVATE" },
	{ MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS, "ALLOC_SIMPLE_MSI_DESCS" },
	{ MSK_MSI_FLAG_FREE_MSI_DESCS, "FREE_MSI_DESCS" },
	{ MSK_MSI_FLAG_PCI_MSI_MASK_PARENT, "PCI_MSI_MASK_PARENT" },
	{ MSK_MSI_FLAG_MULTI_PCI_MSI, "MULTI_PCI_MSI" },
	{ MSK_MSI_FLAG_PCI_MSIX, "PCI_MSIX" },
	{ MSK_MSI_FLAG_MSIX_CONTIGUOUS, "MSIX_CONTIGUOUS" },
	{ MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN, "PCI_MSIX_ALLOC_DYN" },
	{ MSK_MSI_FLAG_PCI_IMS, "PCI_IMS" },
	{ MSK_MSI_FLAG_NO_AFFINITY, "NO_AFFINITY" },
	{ MSK_MSI_FLAG_NO_MASK, "NO_MASK" },
	{ MSK_MSI_FLAG_LEVEL_CAPABLE, "LEVEL_CAPABLE" },
};

char *msk_msi_flags_format(uint32_t flags, char *buf, unsigned long size)
{
	size_t used = 0;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(flags & flag_names[i].flag))
			continue;
		int n = snprintf(buf + used, size > used ? size - used : 0, "%s%s", used ? "|" : "",
				 flag_names[i].name);
		if (n < 0 || used + (size_t)n >= size)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* --- parents ------------------------------------------------------------------------------------ */

int msk_msi_set_parent_ops(struct msk_irq_domain *d, const struct msk_msi_parent_ops *ops)
{
	if (!d || !ops || !ops->init_dev_msi_info)
		return msk_err(MSK_EINVAL, "MSI parent: needs a domain and init_dev_msi_info");
	d->msi_parent_ops = ops;
	d->flags |= MSK_DOMAIN_FLAG_MSI_PARENT;
	return 0;
}

const struct msk_msi_parent_ops *msk_msi_parent_ops(const struct msk_irq_domain *d)
{
	return d ? d->msi_parent_ops : NULL;
}

int msk_msi_domain_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force)
{
	int rc = msk_irq_chip_set_affinity_parent(d, mask, force);
	if (rc < 0 || rc == MSK_IRQ_SET_MASK_OK_DONE)
		return rc;
	struct msk_msi_msg msg;
	if (msk_irq_chip_compose_msi_msg(d, &msg) == 0) {
		struct msk_msi_desc *desc = msk_desc_msi_desc(d->desc);
		if (desc && desc->irq == d->virq)
			desc->msg = msg; /* the cache follows every write */
		if (d->chip && d->chip->irq_write_msi_msg)
			d->chip->irq_write_msi_msg(d, &msg);
	}
	return rc;
}

bool msk_msi_lib_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				   struct msk_irq_domain *real_parent,
				   struct msk_msi_domain_info *info)
{
	const struct msk_msi_parent_ops *pops = msk_msi_parent_ops(real_parent);
	if (!pops) {
		msk_err(MSK_ENOTSUP, "%s is not an MSI parent", msk_domain_name(real_parent));
		return false;
	}
	switch (info->bus_token) {
	case MSK_DOMAIN_BUS_PCI_DEVICE_MSI:
	case MSK_DOMAIN_BUS_PCI_DEVICE_MSIX:
		break;
	case MSK_DOMAIN_BUS_PCI_DEVICE_IMS:
		if (!(pops->supported_flags & MSK_MSI_FLAG_PCI_IMS)) {
			msk_err(MSK_ENOTSUP, "device %s: parent %s does not support IMS",
				msk_device_name(dev), msk_domain_name(real_parent));
			return false;
		}
		break;
	default:
		msk_err(MSK_ENOTSUP, "device %s: parent %s cannot host a %s domain",
			msk_device_name(dev), msk_domain_name(real_parent),
			msk_bus_token_name(info->bus_token));
		return false;
	}
	info->flags &= MSK_MSI_GENERIC_FLAGS_MASK | pops->supported_flags;
	info->flags |= pops->required_flags;
	struct msk_irq_chip *chip = info->chip;
	if ((pops->chip_flags & MSK_MSI_CHIP_FLAG_SET_EOI) && !chip->irq_eoi)
		chip->irq_eoi = msk_irq_chip_eoi_parent;
	if ((pops->chip_flags & MSK_MSI_CHIP_FLAG_SET_ACK) && !chip->irq_ack)
		chip->irq_ack = msk_irq_chip_ack_parent;
	if (!(info->flags & MSK_MSI_FLAG_NO_AFFINITY) && !chip->irq_set_affinity)
		chip->irq_set_affinity = msk_msi_domain_set_affinity;
	return true;
}

bool msk_msi_parent_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				      struct msk_irq_domain *real_parent,
				      struct msk_msi_domain_info *info)
{
	struct msk_irq_domain *parent = msk_domain_parent(domain);
	const struct msk_msi_parent_ops *pops = msk_msi_parent_ops(parent);
	if (!pops) {
		msk_err(MSK_ENOTSUP, "%s has no MSI parent below it", msk_domain_name(domain));
		return false;
	}
	return pops->init_dev_msi_info(dev, parent, real_parent, info);
}

/* --- default ops ------------------------------------------------------------------------------------ */

static uint64_t def_get_hwirq(struct msk_msi_domain_info *info, struct msk_msi_alloc_info *arg)
{
	return arg->hwirq;
}

static int def_msi_init(struct msk_irq_domain *d, struct msk_msi_domain_info *info,
			unsigned int virq, uint64_t hwirq, struct msk_msi_alloc_info *arg)
{
	int rc = msk_domain_set_hwirq_and_chip(d, virq, hwirq, info->chip, info->chip_data);
	if (rc == 0)
		msk_irq_data_set_flow(msk_domain_get_irq_data(d, virq), MSK_FLOW_EDGE);
	return rc;
}

static void def_msi_free(struct msk_irq_domain *d, struct msk_msi_domain_info *info,
			 unsigned int virq)
{
}

static int def_msi_prepare(struct msk_irq_domain *d, struct msk_device *dev, unsigned int nvec,
			   struct msk_msi_alloc_info *arg)
{
	memset(arg, 0, sizeof(*arg));
	return 0;
}

static void def_set_desc(struct msk_msi_alloc_info *arg, struct msk_msi_desc *desc)
{
	arg->desc = desc;
	arg->hwirq = desc->msi_index;
}

static void fill_default_ops(struct msk_msi_domain_info *info)
{
	struct msk_msi_domain_ops *ops = info->ops;
	if (!(info->flags & MSK_MSI_FLAG_USE_DEF_DOM_OPS))
		return;
	if (!ops->get_hwirq)
		ops->get_hwirq = def_get_hwirq;
	if (!ops->msi_init)
		ops->msi_init = def_msi_init;
	if (!ops->msi_free)
		ops->msi_free = def_msi_free;
	if (!ops->msi_prepare)
		ops->msi_prepare = def_msi_prepare;
	if (!ops->set_desc)
		ops->set_desc = def_set_desc;
}

/* --- the irq-domain ops of every MSI device domain -------------------------------------------------- */

static struct msk_msi_domain_info *info_of(struct msk_irq_domain *d)
{
	return msk_domain_host_data(d);
}

static int msi_domain_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr,
			    void *argp)
{
	struct msk_msi_domain_info *info = info_of(d);
	struct msk_msi_alloc_info *arg = argp;
	uint64_t hwirq = info->ops->get_hwirq ? info->ops->get_hwirq(info, arg) : arg->hwirq;
	int rc = msk_domain_alloc_irqs_parent(d, virq, nr, arg);
	if (rc < 0)
		return rc;
	unsigned int done = 0;
	for (; done < nr; done++) {
		rc = info->ops->msi_init
			     ? info->ops->msi_init(d, info, virq + done, hwirq + done, arg)
			     : def_msi_init(d, info, virq + done, hwirq + done, arg);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		while (done--) {
			if (info->ops->msi_free)
				info->ops->msi_free(d, info, virq + done);
			msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + done));
		}
		msk_domain_free_irqs_parent(d, virq, nr);
		return rc;
	}
	return 0;
}

static void msi_domain_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	struct msk_msi_domain_info *info = info_of(d);
	for (unsigned int i = 0; i < nr; i++)
		if (info->ops->msi_free)
			info->ops->msi_free(d, info, virq + i);
	msk_domain_free_irqs_common(d, virq, nr);
}

/* The descriptor behind a virq (set by the MSI core at allocation). */
static struct msk_msi_desc *desc_of(struct msk_irq_data *irqd)
{
	return msk_desc_msi_desc(irqd->desc);
}

static int msi_domain_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	struct msk_msi_msg msg;
	int rc = msk_irq_chip_compose_msi_msg(irqd, &msg);
	if (rc < 0)
		return rc;
	struct msk_msi_desc *desc = desc_of(irqd);
	if (desc && desc->irq == irqd->virq)
		desc->msg = msg;
	if (irqd->chip && irqd->chip->irq_write_msi_msg)
		irqd->chip->irq_write_msi_msg(irqd, &msg);
	return 0;
}

static void msi_domain_deactivate(struct msk_irq_domain *d, struct msk_irq_data *irqd)
{
	struct msk_msi_msg zero = { 0, 0, 0 };
	struct msk_msi_desc *desc = desc_of(irqd);
	/*
	 * A multi-MSI block shares one message: zeroing it when its first
	 * vector goes (as Linux does) cuts off the vectors still in use. It
	 * stays until MSI is disabled; a stray write for the gone vector then
	 * meets its controller's unmapped hwirq and is lost with that reason.
	 */
	if (desc && desc->nvec_used > 1)
		return;
	if (desc && desc->irq == irqd->virq)
		desc->msg = zero;
	if (irqd->chip && irqd->chip->irq_write_msi_msg)
		irqd->chip->irq_write_msi_msg(irqd, &zero);
}

static void msi_domain_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
				  size_t size)
{
	struct msk_msi_desc *desc = irqd ? desc_of(irqd) : NULL;
	if (!desc) {
		snprintf(buf, size, "%s", "");
		return;
	}
	snprintf(buf, size, "address_hi: 0x%08x address_lo: 0x%08x msg_data: 0x%08x",
		 desc->msg.address_hi, desc->msg.address_lo, desc->msg.data);
}

static const struct msk_irq_domain_ops msi_irq_domain_ops = {
	.alloc = msi_domain_alloc,
	.free = msi_domain_free,
	.activate = msi_domain_activate,
	.deactivate = msi_domain_deactivate,
	.debug_show = msi_domain_debug_show,
};

bool msk_msi_is_device_domain(const struct msk_irq_domain *d)
{
	return d && d->ops == &msi_irq_domain_ops;
}

struct msk_msi_domain_info *msk_msi_domain_get_info(struct msk_irq_domain *d)
{
	return msk_msi_is_device_domain(d) ? info_of(d) : NULL;
}

struct msi_bundle *msk_msi_bundle_of(struct msk_irq_domain *d)
{
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d);
	return info ? caa_container_of(info, struct msi_bundle, t.info) : NULL;
}

/* --- device domains ---------------------------------------------------------------------------------- */

int msk_msi_create_device_domain(struct msk_device *dev, unsigned int domid,
				 const struct msk_msi_domain_template *tmpl, unsigned int hwsize,
				 void *domain_data, void *chip_data)
{
	if (!dev || !tmpl)
		return msk_err(MSK_EINVAL, "MSI domain: missing device or template");
	MSK_NOT_IN_HANDLER("msk_msi_create_device_domain");
	if (domid >= MSK_MSI_MAX_DOMAINS)
		return msk_err(MSK_EINVAL, "device %s: no MSI domain slot %u", dev->name, domid);
	if (hwsize == 0)
		hwsize = MSK_MSI_MAX_HWSIZE;
	if (hwsize > MSK_MSI_MAX_HWSIZE)
		return msk_err(MSK_EINVAL, "device %s: hwsize %u above %u", dev->name, hwsize,
			       MSK_MSI_MAX_HWSIZE);
	struct msk_irq_domain *parent = dev->parent;
	const struct msk_msi_parent_ops *pops = msk_msi_parent_ops(parent);
	if (!pops)
		return msk_err(MSK_ENOTSUP, "device %s has no MSI parent domain", dev->name);

	struct msi_bundle *b = msk_calloc(1, sizeof(*b));
	if (!b)
		return msk_err(MSK_ENOMEM, "device %s: MSI domain", dev->name);
	b->t = *tmpl;
	b->dev = dev;
	b->domid = domid;
	struct msk_msi_domain_info *info = &b->t.info;
	info->hwsize = hwsize;
	info->chip = &b->t.chip;
	info->ops = &b->t.ops;
	info->data = domain_data;
	info->chip_data = chip_data;
	info->alloc_data = &b->t.alloc_info;
	info->dev = dev;
	snprintf(b->name, sizeof(b->name), "%s%s-%s", pops->prefix ? pops->prefix : "", tmpl->name,
		 dev->name);
	b->t.chip.name = b->name; /* /proc/interrupts shows the device domain */

	msk_msi_lock_descs(dev);
	int rc;
	if (dev->slot[domid].domain) {
		rc = msk_err(MSK_EEXIST, "device %s: MSI domain slot %u holds %s", dev->name, domid,
			     msk_domain_name(dev->slot[domid].domain));
		goto fail_unlock;
	}
	msk_clear_error();
	if (!pops->init_dev_msi_info(dev, parent, parent, info)) {
		rc = msk_last_error_code() ? msk_last_error_code()
					   : msk_err(MSK_ENOTSUP, "parent %s refused %s",
						     msk_domain_name(parent), b->name);
		goto fail_unlock;
	}
	fill_default_ops(info);

	struct msk_irq_domain_info di = {
		.name = b->name,
		.ops = &msi_irq_domain_ops,
		.parent = parent,
		.host_data = info,
		.hwirq_max = hwsize,
		.bus_token = info->bus_token,
		.flags = MSK_DOMAIN_FLAG_MSI | MSK_DOMAIN_FLAG_MSI_DEVICE,
	};
	struct msk_irq_domain *d;
	rc = msk_domain_create(dev->core, &di, &d);
	if (rc < 0)
		goto fail_unlock;
	dev->slot[domid].domain = d;
	dev->slot[domid].bundle = b;
	msi_mon_event(dev->core);

	b->per_alloc_prepare = msk_msi_get_prepare_mode(dev->core) == MSK_MSI_PREPARE_PER_ALLOC;
	if (!b->per_alloc_prepare && info->ops->msi_prepare) {
		msi_mon_event(dev->core);
		b->mon.st.prepares++;
		b->mon.st.prepared_nvec = hwsize;
		msk_clear_error();
		rc = info->ops->msi_prepare(d, dev, hwsize, info->alloc_data);
		if (rc < 0) {
			if (msk_last_error_code() != rc)
				msk_err(-rc, "%s: msi_prepare(%u) failed", b->name, hwsize);
			msk_err_context("device %s", dev->name);
			dev->slot[domid].domain = NULL;
			dev->slot[domid].bundle = NULL;
			msk_domain_remove(d);
			goto fail_unlock;
		}
	}
	msk_msi_unlock_descs(dev);
	return 0;

fail_unlock:
	msk_msi_unlock_descs(dev);
	msk_free(b);
	return rc;
}

static int any_associated(void *ctx, struct msk_msi_desc *desc)
{
	return desc->irq ? 1 : 0;
}

int msk_msi_remove_device_domain(struct msk_device *dev, unsigned int domid)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS)
		return msk_err(MSK_EINVAL, "MSI domain: bad device or slot");
	MSK_NOT_IN_HANDLER("msk_msi_remove_device_domain");
	msk_msi_lock_descs(dev);
	struct msi_slot *s = &dev->slot[domid];
	struct msk_irq_domain *d = s->domain;
	if (!d) {
		msk_msi_unlock_descs(dev);
		return 0;
	}
	if (msk_msi_for_each_desc(dev, domid, any_associated, NULL)) {
		int rc = msk_err(MSK_EBUSY, "device %s: %s still has vectors", dev->name,
				 msk_domain_name(d));
		msk_msi_unlock_descs(dev);
		return rc;
	}
	struct msi_bundle *b = s->bundle;
	struct msk_msi_domain_info *info = &b->t.info;
	/* Unassociated descriptors go with the domain (their index space goes). */
	msk_msi_free_descs(dev, domid, 0, UINT32_MAX);
	msi_mon_event(dev->core);
	b->mon.st.teardowns++;
	if (b->mon.st.teardowns > 1)
		msi_mon_violation(dev->core, MSK_MSI_RULE_TEARDOWN_ONCE, dev->name, b->name,
				  "msi_teardown called %u times", b->mon.st.teardowns);
	if (info->ops->msi_teardown)
		info->ops->msi_teardown(d, info->alloc_data);
	b->mon.torn_down = true;
	msi_mon_check_removal(b, d);
	s->domain = NULL;
	s->bundle = NULL;
	int rc = msk_domain_remove(d);
	msk_msi_unlock_descs(dev);
	msk_free(b);
	return rc;
}

struct msk_irq_domain *msk_msi_get_device_domain(struct msk_device *dev, unsigned int domid)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS)
		return NULL;
	msk_msi_lock_descs(dev);
	struct msk_irq_domain *d = dev->slot[domid].domain;
	msk_msi_unlock_descs(dev);
	return d;
}
