/* SPDX-License-Identifier: MIT */
/*
 * Domains: the registry, hierarchical allocation and freeing, activation.
 *
 * Allocation builds the descriptors off-line ("staged": visible to the
 * domains' alloc callbacks through msk_domain_get_irq_data() but not to
 * the delivery path), runs the hierarchy's alloc, checks the result,
 * records every level's reverse mapping and only then publishes the
 * descriptors. Any failure unwinds all of it.
 */
#include "core/internal.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "core/handler_ctx.h"

#define REVMAP_CHUNK_BITS 6

static const char *const bus_token_names[MSK_DOMAIN_BUS__COUNT] = {
	[MSK_DOMAIN_BUS_ANY] = "ANY",
	[MSK_DOMAIN_BUS_WIRED] = "WIRED",
	[MSK_DOMAIN_BUS_GENERIC_MSI] = "GENERIC_MSI",
	[MSK_DOMAIN_BUS_PCI_MSI] = "PCI_MSI",
	[MSK_DOMAIN_BUS_NEXUS] = "NEXUS",
	[MSK_DOMAIN_BUS_PCI_DEVICE_MSI] = "PCI_DEVICE_MSI",
	[MSK_DOMAIN_BUS_PCI_DEVICE_MSIX] = "PCI_DEVICE_MSIX",
	[MSK_DOMAIN_BUS_PCI_DEVICE_IMS] = "PCI_DEVICE_IMS",
	[MSK_DOMAIN_BUS_DMAR] = "DMAR",
};

const char *msk_bus_token_name(enum msk_bus_token token)
{
	if ((unsigned)token >= MSK_DOMAIN_BUS__COUNT)
		return "?";
	return bus_token_names[token];
}

/* --- registry ---------------------------------------------------------------------- */

static struct msk_irq_domain *find_locked(struct msk_core *core, const char *name)
{
	for (struct msk_irq_domain *d = core->domains; d; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

int msk_domain_create(struct msk_core *core, const struct msk_irq_domain_info *info,
		      struct msk_irq_domain **out)
{
	if (!core || !info || !out)
		return msk_err(MSK_EINVAL, "domain: missing argument");
	const char *name = info->name ? info->name : "(null)";
	if (!info->name || !info->name[0])
		return msk_err(MSK_EINVAL, "domain: a domain needs a name");
	if (!info->ops || !info->ops->alloc || !info->ops->free)
		return msk_err(MSK_EINVAL, "domain %s: ops must have alloc and free", name);
	if (info->hwirq_max > (1ull << 32))
		return msk_err(MSK_EINVAL, "domain %s: hwirq_max 0x%llx above 2^32", name,
			       (unsigned long long)info->hwirq_max);
	if (info->parent && info->parent->core != core)
		return msk_err(MSK_EINVAL, "domain %s: parent %s belongs to another core", name,
			       info->parent->name);
	if ((unsigned)info->bus_token >= MSK_DOMAIN_BUS__COUNT)
		return msk_err(MSK_EINVAL, "domain %s: bad bus token %d", name, info->bus_token);
	MSK_NOT_IN_HANDLER("msk_domain_create");

	struct msk_irq_domain *d = msk_calloc(1, sizeof(*d));
	char *copy = msk_strdup(info->name);
	if (!d || !copy) {
		msk_free(d);
		msk_free(copy);
		return msk_err(MSK_ENOMEM, "domain %s: out of memory", name);
	}
	d->core = core;
	d->name = copy;
	d->ops = info->ops;
	d->parent = info->parent;
	d->host_data = info->host_data;
	d->hwirq_max = info->hwirq_max ? info->hwirq_max : (1ull << 32);
	d->bus_token = info->bus_token;
	d->flags = info->flags;
	unsigned int bits = 1;
	while (bits < 32 && (1ull << bits) < d->hwirq_max)
		bits++;
	msk_radix_init(&d->revmap, bits, REVMAP_CHUNK_BITS);

	pthread_mutex_lock(&core->lock);
	if (find_locked(core, info->name)) {
		pthread_mutex_unlock(&core->lock);
		msk_free(copy);
		msk_free(d);
		return msk_err(MSK_EEXIST, "domain %s already exists", name);
	}
	if (d->parent) {
		d->parent->children++;
		d->depth = d->parent->depth + 1;
	}
	if (core->domains_tail)
		core->domains_tail->next = d;
	else
		core->domains = d;
	core->domains_tail = d;
	msk_stat_add(&core->nr_domains, 1);
	pthread_mutex_unlock(&core->lock);
	*out = d;
	return 0;
}

int msk_domain_remove(struct msk_irq_domain *d)
{
	if (!d)
		return msk_err(MSK_EINVAL, "domain: NULL");
	MSK_NOT_IN_HANDLER("msk_domain_remove");
	struct msk_core *core = d->core;
	pthread_mutex_lock(&core->lock);
	if (d->mapcount || d->children) {
		int rc = msk_err(MSK_EBUSY, "domain %s still has %u virqs and %u child domains",
				 d->name, d->mapcount, d->children);
		pthread_mutex_unlock(&core->lock);
		return rc;
	}
	struct msk_irq_domain **pp = &core->domains, *prev = NULL;
	while (*pp != d) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = d->next;
	if (core->domains_tail == d)
		core->domains_tail = prev;
	if (d->parent)
		d->parent->children--;
	msk_stat_add(&core->nr_domains, -1);
	pthread_mutex_unlock(&core->lock);

	if (d->ops->destroy)
		d->ops->destroy(d);
	/* The entry path may still be reading the (empty) reverse map. */
	msk_rcu_synchronize();
	msk_radix_fini(&d->revmap);
	msk_free(d->name);
	msk_free(d);
	return 0;
}

struct msk_irq_domain *msk_domain_find(struct msk_core *core, const char *name)
{
	if (!core || !name)
		return NULL;
	pthread_mutex_lock(&core->lock);
	struct msk_irq_domain *d = find_locked(core, name);
	pthread_mutex_unlock(&core->lock);
	return d;
}

const char *msk_domain_name(const struct msk_irq_domain *d)
{
	return d->name;
}

struct msk_irq_domain *msk_domain_parent(const struct msk_irq_domain *d)
{
	return d->parent;
}

struct msk_irq_domain *msk_domain_root(const struct msk_irq_domain *d)
{
	while (d->parent)
		d = d->parent;
	return (struct msk_irq_domain *)d;
}

struct msk_core *msk_domain_core(const struct msk_irq_domain *d)
{
	return d->core;
}

void *msk_domain_host_data(const struct msk_irq_domain *d)
{
	return d->host_data;
}

void msk_domain_set_host_data(struct msk_irq_domain *d, void *host_data)
{
	d->host_data = host_data;
}

unsigned int msk_domain_flags(const struct msk_irq_domain *d)
{
	return d->flags;
}

enum msk_bus_token msk_domain_bus_token(const struct msk_irq_domain *d)
{
	return d->bus_token;
}

uint64_t msk_domain_hwirq_max(const struct msk_irq_domain *d)
{
	return d->hwirq_max;
}

unsigned int msk_domain_mapcount(const struct msk_irq_domain *d)
{
	return d->mapcount;
}

size_t msk_domain_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			     size_t size)
{
	if (!buf || size == 0)
		return 0;
	buf[0] = '\0';
	if (!d || !d->ops->debug_show || (irqd && irqd->domain != d))
		return 0;
	d->ops->debug_show(d, irqd, buf, size);
	buf[size - 1] = '\0'; /* whatever the callback did */
	return strlen(buf);
}

int msk_core_for_each_domain(struct msk_core *core, int (*fn)(void *ctx, struct msk_irq_domain *d),
			     void *ctx)
{
	pthread_mutex_lock(&core->lock);
	unsigned int maxdepth = 0;
	for (struct msk_irq_domain *d = core->domains; d; d = d->next)
		if (d->depth > maxdepth)
			maxdepth = d->depth;
	int rc = 0;
	for (unsigned int depth = 0; depth <= maxdepth && !rc; depth++)
		for (struct msk_irq_domain *d = core->domains; d && !rc; d = d->next)
			if (d->depth == depth)
				rc = fn(ctx, d);
	pthread_mutex_unlock(&core->lock);
	return rc;
}

/* --- per-level helpers ---------------------------------------------------------------- */

/* Descriptors being set up by msk_domain_alloc_irqs(); core->lock held. */
struct staging {
	unsigned int first, nr;
	struct msk_irq_desc **descs;
};
static _Thread_local struct staging *staged;

static struct msk_irq_desc *desc_for_level_lookup(struct msk_core *core, unsigned int virq)
{
	if (staged && virq >= staged->first && virq - staged->first < staged->nr)
		return staged->descs[virq - staged->first];
	return msk_radix_lookup(&core->descs, virq);
}

struct msk_irq_data *msk_domain_get_irq_data(struct msk_irq_domain *d, unsigned int virq)
{
	if (!d)
		return NULL;
	struct msk_irq_desc *desc = desc_for_level_lookup(d->core, virq);
	if (!desc)
		return NULL;
	for (struct msk_irq_data *l = &desc->irq_data; l; l = l->parent_data)
		if (l->domain == d)
			return l;
	return NULL;
}

int msk_domain_set_hwirq_and_chip(struct msk_irq_domain *d, unsigned int virq, uint64_t hwirq,
				  const struct msk_irq_chip *chip, void *chip_data)
{
	struct msk_irq_data *l = msk_domain_get_irq_data(d, virq);
	if (!l)
		return msk_err(MSK_EINVAL, "domain %s has no level for virq %u",
			       d ? d->name : "(null)", virq);
	if (hwirq >= d->hwirq_max)
		return msk_err(MSK_EINVAL, "domain %s: hwirq 0x%llx >= hwirq_max 0x%llx", d->name,
			       (unsigned long long)hwirq, (unsigned long long)d->hwirq_max);
	l->hwirq = hwirq;
	l->chip = chip;
	l->chip_data = chip_data;
	return 0;
}

void msk_domain_reset_irq_data(struct msk_irq_data *d)
{
	d->hwirq = 0;
	d->chip = NULL;
	d->chip_data = NULL;
}

int msk_domain_alloc_irqs_parent(struct msk_irq_domain *d, unsigned int virq, unsigned int nr,
				 void *arg)
{
	if (!d->parent)
		return msk_err(MSK_EINVAL, "domain %s has no parent", d->name);
	return d->parent->ops->alloc(d->parent, virq, nr, arg);
}

void msk_domain_free_irqs_parent(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	if (d->parent)
		d->parent->ops->free(d->parent, virq, nr);
}

void msk_domain_free_irqs_common(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *l = msk_domain_get_irq_data(d, virq + i);
		if (l)
			msk_domain_reset_irq_data(l);
	}
	msk_domain_free_irqs_parent(d, virq, nr);
}

struct msk_irq_data *msk_domain_find_mapping(struct msk_irq_domain *d, uint64_t hwirq)
{
	msk_rcu_read_lock();
	struct msk_irq_data *l = msk_radix_lookup(&d->revmap, hwirq);
	msk_rcu_read_unlock();
	return l;
}

void msk_irq_data_set_can_reserve(struct msk_irq_data *d, bool can_reserve)
{
	if (can_reserve)
		d->desc->cstate |= C_CAN_RESERVE;
	else
		d->desc->cstate &= ~C_CAN_RESERVE;
}

bool msk_irq_data_is_managed(const struct msk_irq_data *d)
{
	return d->desc->cstate & C_MANAGED;
}

const struct msk_cpumask *msk_irq_data_affinity(const struct msk_irq_data *d)
{
	return &d->desc->affinity;
}

const struct msk_cpumask *msk_irq_data_effective_affinity(const struct msk_irq_data *d)
{
	return &d->desc->effective;
}

void msk_irq_data_set_flow(struct msk_irq_data *d, enum msk_flow_type flow)
{
	d->desc->flow = flow;
}

/* --- allocation ----------------------------------------------------------------------- */

/* Remove every mapping (reverse maps, virq map) that points at these descriptors. */
static void unmap_descs(struct msk_core *core, struct msk_irq_desc **descs, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_desc *desc = descs[i];
		for (struct msk_irq_data *l = &desc->irq_data; l; l = l->parent_data) {
			if (msk_radix_lookup(&l->domain->revmap, l->hwirq) == l) {
				msk_radix_erase(&l->domain->revmap, l->hwirq);
				msk_stat_add(&core->nr_revmap, -1);
			}
		}
		if (msk_radix_lookup(&core->descs, desc->irq_data.virq) == desc)
			msk_radix_erase(&core->descs, desc->irq_data.virq);
	}
}

/* Record reverse mappings and publish. On failure everything is unmapped. */
static int map_descs(struct msk_core *core, struct msk_irq_domain *d, struct msk_irq_desc **descs,
		     unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		for (struct msk_irq_data *l = &descs[i]->irq_data; l; l = l->parent_data) {
			int rc = msk_radix_insert(&l->domain->revmap, l->hwirq, l);
			if (rc < 0) {
				unmap_descs(core, descs, nr);
				if (rc == -MSK_EEXIST)
					return msk_err(
						MSK_EEXIST,
						"domain %s: hwirq 0x%llx of virq %u is already "
						"mapped",
						l->domain->name, (unsigned long long)l->hwirq,
						l->virq);
				return msk_err(rc == -MSK_ENOMEM ? MSK_ENOMEM : MSK_ERANGE,
					       "domain %s: cannot map hwirq 0x%llx",
					       l->domain->name, (unsigned long long)l->hwirq);
			}
			msk_stat_add(&core->nr_revmap, 1);
		}
	}
	for (unsigned int i = 0; i < nr; i++) {
		int rc = msk_radix_insert(&core->descs, descs[i]->irq_data.virq, descs[i]);
		if (rc < 0) {
			unmap_descs(core, descs, nr);
			return msk_err(MSK_ENOMEM, "domain %s: cannot publish virq %u", d->name,
				       descs[i]->irq_data.virq);
		}
	}
	return 0;
}

/* The first level of any descriptor left without a chip, or NULL. */
static struct msk_irq_data *find_unset_level(struct msk_irq_desc **descs, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		for (struct msk_irq_data *l = &descs[i]->irq_data; l; l = l->parent_data)
			if (!l->chip)
				return l;
	return NULL;
}

static void free_descs_now(struct msk_irq_desc **descs, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		if (descs[i])
			msk_desc_free_now(descs[i]);
}

int msk_domain_alloc_irqs(struct msk_irq_domain *d, unsigned int nr, void *arg,
			  const struct msk_irq_affinity_desc *affinity, unsigned int *virq)
{
	if (!d || !virq)
		return msk_err(MSK_EINVAL, "alloc: missing domain or result");
	MSK_NOT_IN_HANDLER("msk_domain_alloc_irqs");
	struct msk_core *core = d->core;
	if (nr == 0 || nr >= core->nr_irqs)
		return msk_err(MSK_EINVAL, "domain %s: cannot allocate %u virqs (space of %u)",
			       d->name, nr, core->nr_irqs - 1);

	pthread_mutex_lock(&core->lock);
	unsigned int first;
	int rc = msk_virq_range_alloc(core, nr, &first);
	if (rc < 0) {
		msk_err_context("domain %s", d->name);
		goto out_unlock;
	}
	struct msk_irq_desc **descs = msk_calloc(nr, sizeof(*descs));
	if (!descs) {
		rc = msk_err(MSK_ENOMEM, "domain %s: %u descriptors", d->name, nr);
		goto out_release;
	}
	for (unsigned int i = 0; i < nr; i++) {
		descs[i] = msk_desc_alloc(core, first + i, d, affinity ? &affinity[i] : NULL);
		if (!descs[i]) {
			rc = msk_err(MSK_ENOMEM, "domain %s: descriptor for virq %u", d->name,
				     first + i);
			goto out_free_descs;
		}
	}

	struct staging stage = { first, nr, descs };
	staged = &stage;
	msk_clear_error();
	rc = d->ops->alloc(d, first, nr, arg);
	if (rc < 0) {
		staged = NULL;
		if (msk_last_error_code() != rc)
			msk_err(-rc, "domain %s: alloc of %u virqs failed", d->name, nr);
		goto out_free_descs;
	}
	struct msk_irq_data *unset = find_unset_level(descs, nr);
	if (unset) {
		rc = msk_err(MSK_EINVAL, "domain %s left virq %u without a chip at level %s",
			     d->name, unset->virq, unset->domain->name);
	} else {
		rc = map_descs(core, d, descs, nr);
		if (rc < 0) /* some were visible for a moment: let readers finish */
			msk_rcu_synchronize();
	}
	if (rc < 0) {
		for (unsigned int i = 0; i < nr; i++)
			d->ops->free(d, first + i, 1);
		staged = NULL;
		goto out_free_descs;
	}
	staged = NULL;
	for (unsigned int i = 0; i < nr; i++)
		for (struct msk_irq_data *l = &descs[i]->irq_data; l; l = l->parent_data)
			l->domain->mapcount++;
	msk_stat_add(&core->nr_virqs, nr);
	msk_free(descs);
	pthread_mutex_unlock(&core->lock);
	*virq = first;
	return 0;

out_free_descs:
	free_descs_now(descs, nr);
	msk_free(descs);
out_release:
	msk_virq_range_release(core, first, nr);
out_unlock:
	pthread_mutex_unlock(&core->lock);
	return rc;
}

int msk_domain_free_irqs(struct msk_core *core, unsigned int virq, unsigned int nr)
{
	if (!core)
		return msk_err(MSK_EINVAL, "free: no core");
	MSK_NOT_IN_HANDLER("msk_domain_free_irqs");
	if (nr == 0 || virq == 0 || virq >= core->nr_irqs || nr > core->nr_irqs - virq)
		return msk_err(MSK_EINVAL, "free: bad virq range [%u, +%u)", virq, nr);
	pthread_mutex_lock(&core->lock);
	/* Check everything before touching anything. */
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_desc *desc = msk_radix_lookup(&core->descs, virq + i);
		if (!desc) {
			int rc = msk_err(MSK_EINVAL, "free: virq %u is not allocated", virq + i);
			pthread_mutex_unlock(&core->lock);
			return rc;
		}
		struct msk_irqaction *act = atomic_load(&desc->action);
		if (act) {
			int rc = msk_err(MSK_EBUSY, "free: virq %u still has handler \"%s\"",
					 virq + i, act->name ? act->name : "");
			pthread_mutex_unlock(&core->lock);
			return rc;
		}
	}
	struct msk_irq_desc *small[16];
	struct msk_irq_desc **descs = nr <= 16 ? small : msk_calloc(nr, sizeof(*descs));
	if (!descs) {
		int rc = msk_err(MSK_ENOMEM, "free: %u descriptors", nr);
		pthread_mutex_unlock(&core->lock);
		return rc;
	}
	for (unsigned int i = 0; i < nr; i++) {
		descs[i] = msk_radix_lookup(&core->descs, virq + i);
		pthread_mutex_lock(&descs[i]->lock);
		msk_deactivate_locked(descs[i]);
		pthread_mutex_unlock(&descs[i]->lock);
	}
	unmap_descs(core, descs, nr);
	/* No delivery may still be using a level that free() is about to reset. */
	msk_rcu_synchronize();
	struct staging stage = { virq, nr, descs };
	staged = &stage;
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_desc *desc = descs[i];
		desc->irq_data.domain->ops->free(desc->irq_data.domain, virq + i, 1);
		for (struct msk_irq_data *l = &desc->irq_data; l; l = l->parent_data)
			l->domain->mapcount--;
		msk_flow_drop_pending(desc, MSK_LOSS_FREED_WHILE_PENDING);
		msk_desc_free_rcu(desc);
	}
	staged = NULL;
	msk_virq_range_release(core, virq, nr);
	msk_stat_add(&core->nr_virqs, -(int64_t)nr);
	if (descs != small)
		msk_free(descs);
	pthread_mutex_unlock(&core->lock);
	return 0;
}

/* --- activation ------------------------------------------------------------------------ */

static void deactivate_level(struct msk_irq_data *l)
{
	if (l->domain->ops->deactivate)
		l->domain->ops->deactivate(l->domain, l);
	if (l->parent_data)
		deactivate_level(l->parent_data);
}

static int activate_level(struct msk_irq_data *l, bool reserve)
{
	if (l->parent_data) {
		int rc = activate_level(l->parent_data, reserve);
		if (rc < 0)
			return rc;
	}
	if (l->domain->ops->activate) {
		int rc = l->domain->ops->activate(l->domain, l, reserve);
		if (rc < 0) {
			if (l->parent_data)
				deactivate_level(l->parent_data);
			if (msk_last_error_code() != rc)
				msk_err(-rc, "domain %s: activation of virq %u failed",
					l->domain->name, l->virq);
			return rc;
		}
	}
	return 0;
}

int msk_activate_locked(struct msk_irq_desc *desc, bool reserve)
{
	if (desc->cstate & C_ACTIVATED)
		return 0;
	msk_clear_error();
	int rc = activate_level(&desc->irq_data, reserve);
	/*
	 * A reserving activation leaves the virq "not activated", so that
	 * starting it activates again for real (x86 reservation mode).
	 */
	if (rc == 0 && !reserve)
		desc->cstate |= C_ACTIVATED;
	return rc;
}

void msk_deactivate_locked(struct msk_irq_desc *desc)
{
	if (!(desc->cstate & C_ACTIVATED))
		return;
	deactivate_level(&desc->irq_data);
	desc->cstate &= ~C_ACTIVATED;
}

int msk_irq_activate(struct msk_core *core, unsigned int virq, bool reserve)
{
	MSK_NOT_IN_HANDLER("msk_irq_activate");
	pthread_mutex_lock(&core->lock);
	struct msk_irq_desc *desc = msk_radix_lookup(&core->descs, virq);
	int rc;
	if (!desc) {
		rc = msk_err(MSK_EINVAL, "activate: virq %u is not allocated", virq);
	} else {
		pthread_mutex_lock(&desc->lock);
		rc = msk_activate_locked(desc, reserve);
		pthread_mutex_unlock(&desc->lock);
	}
	pthread_mutex_unlock(&core->lock);
	return rc;
}

int msk_irq_deactivate(struct msk_core *core, unsigned int virq)
{
	MSK_NOT_IN_HANDLER("msk_irq_deactivate");
	pthread_mutex_lock(&core->lock);
	struct msk_irq_desc *desc = msk_radix_lookup(&core->descs, virq);
	int rc = 0;
	if (!desc) {
		rc = msk_err(MSK_EINVAL, "deactivate: virq %u is not allocated", virq);
	} else {
		pthread_mutex_lock(&desc->lock);
		msk_deactivate_locked(desc);
		pthread_mutex_unlock(&desc->lock);
	}
	pthread_mutex_unlock(&core->lock);
	return rc;
}

int msk_domain_handle_irq(struct msk_irq_domain *root, unsigned int cpu, uint64_t hwirq,
			  uint32_t weight)
{
	msk_rcu_read_lock();
	struct msk_irq_data *l = msk_radix_lookup(&root->revmap, hwirq);
	int rc;
	if (l) {
		rc = msk_flow_handle(l->desc, cpu, weight);
	} else {
		msk_ledger_lose(root->core->ledger, MSK_LOSS_NO_DESCRIPTOR, weight);
		rc = MSK_FLOW_NO_DESC;
	}
	msk_rcu_read_unlock();
	return rc;
}
