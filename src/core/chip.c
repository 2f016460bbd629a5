/* SPDX-License-Identifier: MIT */
/* Chip helpers: forwarding to parent levels, message composition, masking. */
#include "core/internal.h"

#include "base/error.h"

static const struct msk_irq_chip *parent_chip(struct msk_irq_data *d)
{
	return d->parent_data ? d->parent_data->chip : NULL;
}

void msk_irq_chip_mask_parent(struct msk_irq_data *d)
{
	const struct msk_irq_chip *c = parent_chip(d);
	if (c && c->irq_mask)
		c->irq_mask(d->parent_data);
}

void msk_irq_chip_unmask_parent(struct msk_irq_data *d)
{
	const struct msk_irq_chip *c = parent_chip(d);
	if (c && c->irq_unmask)
		c->irq_unmask(d->parent_data);
}

void msk_irq_chip_ack_parent(struct msk_irq_data *d)
{
	const struct msk_irq_chip *c = parent_chip(d);
	if (c && c->irq_ack)
		c->irq_ack(d->parent_data);
}

void msk_irq_chip_eoi_parent(struct msk_irq_data *d)
{
	const struct msk_irq_chip *c = parent_chip(d);
	if (c && c->irq_eoi)
		c->irq_eoi(d->parent_data);
}

int msk_irq_chip_set_affinity_parent(struct msk_irq_data *d, const struct msk_cpumask *mask,
				     bool force)
{
	const struct msk_irq_chip *c = parent_chip(d);
	if (!c || !c->irq_set_affinity)
		return msk_err(MSK_ENOSYS, "virq %u: no parent of %s can set affinity", d->virq,
			       d->domain ? msk_domain_name(d->domain) : "?");
	return c->irq_set_affinity(d->parent_data, mask, force);
}

int msk_irq_chip_compose_msi_msg(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	for (struct msk_irq_data *l = d; l; l = l->parent_data) {
		if (l->chip && l->chip->irq_compose_msi_msg) {
			l->chip->irq_compose_msi_msg(l, msg);
			return 0;
		}
	}
	return msk_err(MSK_ENOSYS, "virq %u: no level composes an MSI message", d->virq);
}

void msk_chip_mask_locked(struct msk_irq_desc *desc)
{
	const struct msk_irq_chip *c = desc->irq_data.chip;
	if (c && c->irq_mask)
		c->irq_mask(&desc->irq_data);
	atomic_fetch_or(&desc->fstate, F_MASKED);
}

void msk_chip_unmask_locked(struct msk_irq_desc *desc)
{
	const struct msk_irq_chip *c = desc->irq_data.chip;
	if (c && c->irq_unmask)
		c->irq_unmask(&desc->irq_data);
	atomic_fetch_and(&desc->fstate, ~(uint64_t)F_MASKED);
}
