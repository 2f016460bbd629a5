/* SPDX-License-Identifier: MIT */
/*
 * Allocating and freeing MSI vectors of a device domain.
 *
 * Every allocation starts from a copy of the domain's prepared template
 * (or, in the per-alloc compat mode, from a fresh msi_prepare with this
 * allocation's count), then per descriptor: prepare_desc, set_desc,
 * allocate nvec_used virqs through the hierarchy, bind them to the
 * descriptor and activate them early when the domain asks. Any failure
 * frees what this call allocated and the descriptors it created; a parent
 * that ran out of room turns into a positive "retry with this many".
 */
#include "core/msi_internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "core/handler_ctx.h"

static struct msi_slot *slot_of(struct msk_device *dev, unsigned int domid)
{
	return domid < MSK_MSI_MAX_DOMAINS ? &dev->slot[domid] : NULL;
}

/* Reservation mode applies to maskable PCI vectors of MUST_REACTIVATE domains. */
static bool can_reserve(const struct msk_msi_domain_info *info, const struct msk_msi_desc *desc)
{
	switch (info->bus_token) {
	case MSK_DOMAIN_BUS_PCI_MSI:
	case MSK_DOMAIN_BUS_PCI_DEVICE_MSI:
	case MSK_DOMAIN_BUS_PCI_DEVICE_MSIX:
		break;
	default:
		return false;
	}
	if (!(info->flags & MSK_MSI_FLAG_MUST_REACTIVATE) || (info->flags & MSK_MSI_FLAG_NO_MASK))
		return false;
	return desc->pci.is_msix || desc->pci.can_mask;
}

/* Bind the virqs to the descriptor and activate them early if asked. */
static int init_virqs(struct msk_device *dev, struct msk_msi_domain_info *info,
		      struct msk_msi_desc *desc)
{
	struct msk_core *core = dev->core;
	struct msk_cpumask online = msk_core_online_cpus(core);
	bool reserve = can_reserve(info, desc);
	for (unsigned int i = 0; i < desc->nvec_used; i++) {
		unsigned int virq = desc->irq + i;
		struct msk_irq_desc *d = msk_irq_to_desc(core, virq);
		msk_desc_set_msi_desc(d, desc);
		if (msk_desc_set_dev_name(d, dev->name) < 0)
			return -MSK_ENOMEM;
		if (!(info->flags & MSK_MSI_FLAG_ACTIVATE_EARLY))
			continue;
		/* A managed vector whose CPUs are all offline stays shut down. */
		struct msk_irq_data *irqd = msk_desc_irq_data(d);
		if (msk_irq_data_is_managed(irqd) &&
		    !msk_cpumask_intersects(msk_irq_data_affinity(irqd), &online))
			continue;
		int rc = msk_irq_activate(core, virq, reserve);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Free the virqs of one descriptor (no handler may be installed). */
static void free_desc_virqs(struct msk_device *dev, struct msk_msi_desc *desc, struct msi_bundle *b)
{
	if (!desc->irq)
		return;
	msk_domain_free_irqs(dev->core, desc->irq, desc->nvec_used);
	if (b)
		b->mon.st.frees += desc->nvec_used;
	desc->irq = 0;
}

struct range {
	struct msk_device *dev;
	unsigned int domid;
	uint32_t first, last;
	uint64_t gen; /* only descriptors of this allocation call (0: all) */
	struct msi_bundle *b;
	unsigned int count;
	/* free: descriptors whose virqs form one run, freed in one core call */
	struct msk_msi_desc **run;
	unsigned int run_n, run_cap;
	unsigned int run_virq, run_nr;
};

static int undo_cb(void *ctx, struct msk_msi_desc *desc)
{
	struct range *r = ctx;
	struct msi_desc_priv *p = (struct msi_desc_priv *)desc;
	if (desc->msi_index < r->first || desc->msi_index > r->last || p->gen != r->gen)
		return 0;
	free_desc_virqs(r->dev, desc, r->b);
	if (p->simple)
		msi_desc_erase(r->dev, r->domid, p);
	return 0;
}

/* Undo one allocation call: its virqs and the descriptors it created. */
static void undo_alloc(struct msk_device *dev, unsigned int domid, uint32_t first, uint32_t last,
		       uint64_t gen)
{
	struct range r = { .dev = dev,
			   .domid = domid,
			   .first = first,
			   .last = last,
			   .gen = gen,
			   .b = dev->slot[domid].bundle };
	msi_for_range(dev, domid, first, last, undo_cb, &r);
}

struct alloc_ctx {
	struct msk_device *dev;
	unsigned int domid;
	uint32_t first, last;
	struct msk_irq_domain *domain;
	struct msi_bundle *b;
	struct msk_msi_alloc_info arg;
	uint64_t gen;
	unsigned int allocated;
	int rc;
};

static int alloc_one(void *ctx, struct msk_msi_desc *desc)
{
	struct alloc_ctx *c = ctx;
	if (desc->msi_index < c->first || desc->msi_index > c->last || desc->irq)
		return 0;
	struct msk_msi_domain_info *info = &c->b->t.info;
	struct msk_msi_alloc_info arg = c->arg;
	if (info->ops->prepare_desc)
		info->ops->prepare_desc(c->domain, &arg, desc);
	if (info->ops->set_desc)
		info->ops->set_desc(&arg, desc);
	else
		arg.desc = desc;
	unsigned int virq;
	msk_clear_error();
	int rc = msk_domain_alloc_irqs(c->domain, desc->nvec_used, &arg, desc->affinity, &virq);
	if (rc < 0) {
		struct msi_mon *mon = &c->b->mon;
		mon->st.failed_allocs++;
		if (mon->post_free_since_prepare && !mon->post_free_flagged) {
			mon->post_free_flagged = true;
			msi_mon_violation(c->dev->core, MSK_MSI_RULE_POST_FREE_UNDID_PREPARE,
					  c->dev->name, c->b->name,
					  "post_free undid prepare while the domain lives: "
					  "allocation of index %u then failed: %s",
					  desc->msi_index, msk_last_error());
		}
		msk_err_context("device %s: %s index %u", c->dev->name, c->b->name,
				desc->msi_index);
		/* Out of room at the parent: tell the caller how many would fit. */
		if (rc == -MSK_ENOSPC) {
			if (desc->nvec_used > 1)
				return 1;
			if (c->allocated > 0)
				return (int)c->allocated;
		}
		return rc;
	}
	desc->irq = virq;
	((struct msi_desc_priv *)desc)->gen = c->gen;
	c->b->mon.st.allocs += desc->nvec_used;
	c->allocated++;
	rc = init_virqs(c->dev, info, desc);
	if (rc < 0)
		return rc;
	return 0;
}

/* Count the vectors an allocation of [first, last] needs (for per-alloc prepare). */
static int count_cb(void *ctx, struct msk_msi_desc *desc)
{
	struct range *r = ctx;
	if (desc->msi_index >= r->first && desc->msi_index <= r->last && !desc->irq)
		r->count += desc->nvec_used;
	return 0;
}

/*
 * Allocate the unassociated descriptors of [first, last]; the device lock
 * is held. On a non-zero return everything this call did is undone.
 */
static int alloc_locked(struct msk_device *dev, unsigned int domid, uint32_t first, uint32_t last,
			uint64_t gen)
{
	struct msi_slot *s = slot_of(dev, domid);
	if (!s || !s->domain)
		return msk_err(MSK_ENODEV, "device %s has no MSI domain in slot %u", dev->name,
			       domid);
	struct msi_bundle *b = s->bundle;
	struct msk_msi_domain_info *info = &b->t.info;
	if (b->mon.torn_down) {
		msi_mon_violation(dev->core, MSK_MSI_RULE_ALLOC_AFTER_TEARDOWN, dev->name, b->name,
				  "allocation of [%u, %u] after msi_teardown", first, last);
		return msk_err(MSK_ESHUTDOWN, "device %s: %s was torn down", dev->name, b->name);
	}
	msi_mon_event(dev->core);
	struct alloc_ctx c = { .dev = dev,
			       .domid = domid,
			       .first = first,
			       .last = last,
			       .domain = s->domain,
			       .b = b,
			       .gen = gen };
	if (b->per_alloc_prepare) {
		/* Pre-2025 behaviour: prepare at every allocation with its count. */
		struct range r = {
			.dev = dev, .domid = domid, .first = first, .last = last, .b = b
		};
		msi_for_range(dev, domid, first, last, count_cb, &r);
		if (r.count == 0)
			return 0;
		b->mon.st.prepares++;
		b->mon.st.prepared_nvec = r.count;
		if (b->mon.st.prepares > 1)
			msi_mon_violation(dev->core, MSK_MSI_RULE_PREPARE_ONCE, dev->name, b->name,
					  "msi_prepare called again (call %u, nvec %u)",
					  b->mon.st.prepares, r.count);
		if (r.count < info->hwsize)
			msi_mon_violation(dev->core, MSK_MSI_RULE_PREPARE_SIZE, dev->name, b->name,
					  "msi_prepare sized for %u vectors, the domain has %u",
					  r.count, info->hwsize);
		memset(&c.arg, 0, sizeof(c.arg));
		if (info->ops->msi_prepare) {
			msk_clear_error();
			int rc = info->ops->msi_prepare(s->domain, dev, r.count, &c.arg);
			if (rc < 0) {
				if (msk_last_error_code() != rc)
					msk_err(-rc, "%s: msi_prepare(%u) failed", b->name,
						r.count);
				return rc;
			}
		}
		b->mon.post_free_since_prepare = false;
	} else {
		c.arg = *info->alloc_data;
	}
	int rc = msi_for_range(dev, domid, first, last, alloc_one, &c);
	if (rc != 0)
		undo_alloc(dev, domid, first, last, gen);
	return rc;
}

struct simple_ctx {
	struct msk_device *dev;
	unsigned int domid;
	uint64_t gen;
};

int msk_msi_domain_alloc_irqs_range(struct msk_device *dev, unsigned int domid, uint32_t first,
				    uint32_t last)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS || first > last)
		return msk_err(MSK_EINVAL, "MSI alloc: bad device, slot or range");
	MSK_NOT_IN_HANDLER("msk_msi_domain_alloc_irqs_range");
	msk_msi_lock_descs(dev);
	struct msi_slot *s = &dev->slot[domid];
	int rc = 0;
	uint64_t gen = ++dev->gen;
	if (!s->domain) {
		rc = msk_err(MSK_ENODEV, "device %s has no MSI domain in slot %u", dev->name,
			     domid);
		goto out;
	}
	struct msk_msi_domain_info *info = &s->bundle->t.info;
	if (last >= info->hwsize) {
		rc = msk_err(MSK_ERANGE, "device %s: %s index %u >= hwsize %u", dev->name,
			     s->bundle->name, last, info->hwsize);
		goto out;
	}
	if (info->flags & MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS) {
		for (uint32_t i = first; i <= last; i++) {
			if (msi_desc_lookup(dev, domid, i))
				continue;
			struct msi_desc_priv *p = msi_desc_new(dev, domid, i, NULL, NULL);
			if (!p) {
				rc = msk_err(MSK_ENOMEM, "device %s: descriptor %u", dev->name, i);
				undo_alloc(dev, domid, first, last, gen);
				goto out;
			}
			p->simple = true;
			p->gen = gen;
		}
	}
	rc = alloc_locked(dev, domid, first, last, gen);
out:
	msk_msi_unlock_descs(dev);
	return rc;
}

int msk_msi_domain_alloc_irqs_all(struct msk_device *dev, unsigned int domid)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS)
		return msk_err(MSK_EINVAL, "MSI alloc: bad device or slot");
	MSK_NOT_IN_HANDLER("msk_msi_domain_alloc_irqs_all");
	msk_msi_lock_descs(dev);
	int rc = alloc_locked(dev, domid, 0, UINT32_MAX, ++dev->gen);
	msk_msi_unlock_descs(dev);
	return rc;
}

/* The first index of the slot without a descriptor, or hwsize: the first gap. */
static uint32_t first_free_index(struct msk_device *dev, unsigned int domid, uint32_t hwsize)
{
	uint64_t key, want = 0;
	while (want < hwsize && msk_radix_next(&dev->slot[domid].descs, want, &key) && key == want)
		want++;
	return (uint32_t)want;
}

struct msk_msi_map msk_msi_domain_alloc_irq_at(struct msk_device *dev, unsigned int domid,
					       uint32_t index,
					       const struct msk_irq_affinity_desc *affinity,
					       uint64_t icookie, const struct msk_msi_desc *init)
{
	struct msk_msi_map map = { -MSK_EINVAL, 0 };
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS) {
		msk_err(MSK_EINVAL, "MSI alloc_at: bad device or slot");
		return map;
	}
	if (msk_in_handler) {
		map.index = msk_err(MSK_EPERM, "msk_msi_domain_alloc_irq_at called from an "
					       "interrupt handler");
		return map;
	}
	msk_msi_lock_descs(dev);
	struct msi_slot *s = &dev->slot[domid];
	if (!s->domain) {
		map.index = msk_err(MSK_ENODEV, "device %s has no MSI domain in slot %u", dev->name,
				    domid);
		goto out;
	}
	struct msk_msi_domain_info *info = &s->bundle->t.info;
	if (index == MSK_MSI_ANY_INDEX) {
		index = first_free_index(dev, domid, info->hwsize);
		if (index >= info->hwsize) {
			map.index =
				msk_err(MSK_ENOSPC, "device %s: all %u indexes of %s are in use",
					dev->name, info->hwsize, s->bundle->name);
			goto out;
		}
	} else if (index >= info->hwsize) {
		map.index = msk_err(MSK_ERANGE, "device %s: %s index %u >= hwsize %u", dev->name,
				    s->bundle->name, index, info->hwsize);
		goto out;
	} else if (msi_desc_lookup(dev, domid, index)) {
		map.index = msk_err(MSK_EBUSY, "device %s: %s index %u is in use", dev->name,
				    s->bundle->name, index);
		goto out;
	}
	uint64_t gen = ++dev->gen;
	struct msk_msi_desc tmp;
	memset(&tmp, 0, sizeof(tmp));
	if (init)
		tmp = *init;
	tmp.nvec_used = 1;
	tmp.icookie = icookie;
	struct msi_desc_priv *p = msi_desc_new(dev, domid, index, &tmp, affinity);
	if (!p) {
		map.index = msk_err(MSK_ENOMEM, "device %s: descriptor %u", dev->name, index);
		goto out;
	}
	p->simple = true;
	p->gen = gen;
	int rc = alloc_locked(dev, domid, index, index, gen);
	if (rc != 0) {
		/* A single vector has no smaller retry: report the parent's refusal. */
		map.index = rc > 0 ? msk_err(MSK_ENOSPC, "device %s: no room for index %u",
					     dev->name, index)
				   : rc;
		goto out;
	}
	map.index = (int)index;
	map.virq = p->pub.irq;
out:
	msk_msi_unlock_descs(dev);
	return map;
}

static int busy_cb(void *ctx, struct msk_msi_desc *desc)
{
	struct range *r = ctx;
	if (desc->msi_index < r->first || desc->msi_index > r->last || !desc->irq)
		return 0;
	for (unsigned int v = desc->irq; v < desc->irq + desc->nvec_used; v++) {
		struct msk_irq_info info;
		if (msk_irq_get_info(r->dev->core, v, &info) == 0 && info.action_name)
			return msk_err(MSK_EBUSY, "device %s: index %u (virq %u) still has handler",
				       r->dev->name, desc->msi_index, v);
	}
	return 0;
}

/*
 * Free the pending run of virqs with one core call: the core waits for one
 * RCU grace period per call, so a device whose vectors were allocated
 * together goes away in one grace period instead of one per vector.
 */
static void free_run(struct range *r)
{
	if (!r->run_n)
		return;
	msk_domain_free_irqs(r->dev->core, r->run_virq, r->run_nr);
	r->b->mon.st.frees += r->run_nr;
	for (unsigned int i = 0; i < r->run_n; i++)
		r->run[i]->irq = 0;
	r->run_n = 0;
	r->run_nr = 0;
}

static int free_cb(void *ctx, struct msk_msi_desc *desc)
{
	struct range *r = ctx;
	if (desc->msi_index < r->first || desc->msi_index > r->last || !desc->irq)
		return 0;
	r->count++;
	if (r->run_n && desc->irq != r->run_virq + r->run_nr)
		free_run(r);
	if (r->run_n == r->run_cap) {
		unsigned int cap = r->run_cap ? r->run_cap * 2 : 16;
		struct msk_msi_desc **run = msk_realloc(r->run, cap * sizeof(*run));
		if (!run) { /* no room to batch: free this one on its own */
			free_run(r);
			free_desc_virqs(r->dev, desc, r->b);
			return 0;
		}
		r->run = run;
		r->run_cap = cap;
	}
	if (!r->run_n)
		r->run_virq = desc->irq;
	r->run[r->run_n++] = desc;
	r->run_nr += desc->nvec_used;
	return 0;
}

/* After the virqs are gone: drop the descriptors the domain does not keep. */
static int erase_cb(void *ctx, struct msk_msi_desc *desc)
{
	struct range *r = ctx;
	if (desc->msi_index < r->first || desc->msi_index > r->last || desc->irq)
		return 0;
	struct msi_desc_priv *p = (struct msi_desc_priv *)desc;
	if (p->simple || (r->b->t.info.flags & MSK_MSI_FLAG_FREE_MSI_DESCS))
		msi_desc_erase(r->dev, r->domid, p);
	return 0;
}

int msk_msi_domain_free_irqs_range(struct msk_device *dev, unsigned int domid, uint32_t first,
				   uint32_t last)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS || first > last)
		return msk_err(MSK_EINVAL, "MSI free: bad device, slot or range");
	MSK_NOT_IN_HANDLER("msk_msi_domain_free_irqs_range");
	msk_msi_lock_descs(dev);
	struct msi_slot *s = &dev->slot[domid];
	int rc = 0;
	if (!s->domain) {
		rc = msk_err(MSK_ENODEV, "device %s has no MSI domain in slot %u", dev->name,
			     domid);
		goto out;
	}
	struct range r = {
		.dev = dev, .domid = domid, .first = first, .last = last, .b = s->bundle
	};
	rc = msi_for_range(dev, domid, first, last, busy_cb, &r);
	if (rc < 0)
		goto out;
	msi_mon_event(dev->core);
	msi_for_range(dev, domid, first, last, free_cb, &r);
	free_run(&r);
	msk_free(r.run);
	msi_for_range(dev, domid, first, last, erase_cb, &r);
	struct msk_msi_domain_info *info = &s->bundle->t.info;
	if (r.count && info->ops->msi_post_free) {
		/* The pre-6.18 hook: whatever it undoes, prepare will not run again. */
		s->bundle->mon.st.post_frees++;
		msi_mon_event(dev->core);
		info->ops->msi_post_free(s->domain, dev);
		if (!s->bundle->per_alloc_prepare) {
			s->bundle->mon.post_free_since_prepare = true;
			s->bundle->mon.post_free_flagged = false;
		}
	}
out:
	msk_msi_unlock_descs(dev);
	return rc;
}

int msk_msi_domain_busy(struct msk_device *dev, unsigned int domid)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS)
		return msk_err(MSK_EINVAL, "MSI busy: bad device or slot");
	msk_msi_lock_descs(dev);
	struct msi_slot *s = &dev->slot[domid];
	int rc = 0;
	if (s->domain) {
		struct range r = {
			.dev = dev, .domid = domid, .first = 0, .last = UINT32_MAX, .b = s->bundle
		};
		rc = msi_for_range(dev, domid, 0, UINT32_MAX, busy_cb, &r);
	}
	msk_msi_unlock_descs(dev);
	return rc;
}

int msk_msi_domain_free_irqs_all(struct msk_device *dev, unsigned int domid)
{
	return msk_msi_domain_free_irqs_range(dev, domid, 0, UINT32_MAX);
}

unsigned int msk_msi_get_virq(struct msk_device *dev, unsigned int domid, uint32_t index)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS)
		return 0;
	msk_msi_lock_descs(dev);
	unsigned int virq = 0;
	struct msk_msi_desc *d = msi_desc_lookup(dev, domid, index);
	if (d && d->irq) {
		virq = d->irq;
	} else {
		/* Multi-MSI: index i of the block at index 0. */
		struct msk_msi_desc *d0 = msi_desc_lookup(dev, domid, 0);
		if (d0 && d0->irq && !d0->pci.is_msix && index < d0->nvec_used)
			virq = d0->irq + index;
	}
	msk_msi_unlock_descs(dev);
	return virq;
}

void msk_msi_set_prepare_mode(struct msk_core *core, enum msk_msi_prepare_mode mode)
{
	pthread_mutex_lock(&core->msi->lock);
	core->msi->prepare_mode = mode;
	pthread_mutex_unlock(&core->msi->lock);
}

enum msk_msi_prepare_mode msk_msi_get_prepare_mode(struct msk_core *core)
{
	pthread_mutex_lock(&core->msi->lock);
	enum msk_msi_prepare_mode m = core->msi->prepare_mode;
	pthread_mutex_unlock(&core->msi->lock);
	return m;
}
