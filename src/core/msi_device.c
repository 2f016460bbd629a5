/* SPDX-License-Identifier: MIT */
/*
 * MSI devices and their descriptor stores: one sparse index space per
 * domain slot, up to the slot domain's hwsize, under the device's
 * (recursive) descriptor lock.
 */
#include "core/msi_internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "core/handler_ctx.h"

#define DESC_CHUNK_BITS 6

int msk_device_create(struct msk_core *core, const char *name, struct msk_irq_domain *msi_parent,
		      void *bus_data, struct msk_device **out)
{
	if (!core || !name || !name[0] || !out)
		return msk_err(MSK_EINVAL, "device: a device needs a core and a name");
	if (msi_parent && (msk_domain_core(msi_parent) != core || !msk_msi_parent_ops(msi_parent)))
		return msk_err(MSK_EINVAL, "device %s: domain %s is not an MSI parent of this core",
			       name, msk_domain_name(msi_parent));
	struct msk_device *dev = msk_calloc(1, sizeof(*dev));
	char *copy = msk_strdup(name);
	if (!dev || !copy) {
		msk_free(dev);
		msk_free(copy);
		return msk_err(MSK_ENOMEM, "device %s: out of memory", name);
	}
	dev->core = core;
	dev->name = copy;
	dev->parent = msi_parent;
	dev->bus_data = bus_data;
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&dev->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	for (unsigned int i = 0; i < MSK_MSI_MAX_DOMAINS; i++)
		msk_radix_init(&dev->slot[i].descs, 17, DESC_CHUNK_BITS); /* indexes <= 65536 */
	*out = dev;
	return 0;
}

static int free_desc_cb(void *ctx, struct msk_msi_desc *desc)
{
	struct msk_device *dev = ctx;
	for (unsigned int i = 0; i < MSK_MSI_MAX_DOMAINS; i++)
		if (msk_radix_lookup(&dev->slot[i].descs, desc->msi_index) == desc) {
			msi_desc_erase(dev, i, (struct msi_desc_priv *)desc);
			break;
		}
	return 0;
}

/* for_each callback: -MSK_EBUSY if a virq of desc still has a handler. */
static int busy_cb(void *ctx, struct msk_msi_desc *d)
{
	struct msk_device *dev = ctx;
	for (unsigned int v = d->irq; d->irq && v < d->irq + d->nvec_used; v++) {
		struct msk_irq_info info;
		if (msk_irq_get_info(dev->core, v, &info) == 0 && info.action_name)
			return msk_err(MSK_EBUSY,
				       "device %s: virq %u (index %u) still has handler \"%s\"",
				       dev->name, v, d->msi_index, info.action_name);
	}
	return 0;
}

int msk_device_destroy(struct msk_device *dev)
{
	if (!dev)
		return 0;
	MSK_NOT_IN_HANDLER("msk_device_destroy");
	msk_msi_lock_descs(dev);
	/* Refuse before changing anything if a handler is still installed. */
	for (unsigned int i = 0; i < MSK_MSI_MAX_DOMAINS; i++) {
		int rc = msk_msi_for_each_desc(dev, i, busy_cb, dev);
		if (rc < 0) {
			msk_msi_unlock_descs(dev);
			return rc;
		}
	}
	for (unsigned int i = 0; i < MSK_MSI_MAX_DOMAINS; i++) {
		if (dev->slot[i].domain)
			msk_msi_domain_free_irqs_all(dev, i);
		msk_msi_remove_device_domain(dev, i);
		msk_msi_for_each_desc(dev, i, free_desc_cb, dev);
		msk_radix_fini(&dev->slot[i].descs);
	}
	msk_msi_unlock_descs(dev);
	pthread_mutex_destroy(&dev->lock);
	msk_free(dev->name);
	msk_free(dev);
	return 0;
}

const char *msk_device_name(const struct msk_device *dev)
{
	return dev->name;
}

struct msk_core *msk_device_core(const struct msk_device *dev)
{
	return dev->core;
}

struct msk_irq_domain *msk_device_msi_parent(const struct msk_device *dev)
{
	return dev->parent;
}

void *msk_device_bus_data(const struct msk_device *dev)
{
	return dev->bus_data;
}

void msk_msi_lock_descs(struct msk_device *dev)
{
	pthread_mutex_lock(&dev->lock);
}

void msk_msi_unlock_descs(struct msk_device *dev)
{
	pthread_mutex_unlock(&dev->lock);
}

uint32_t msi_slot_hwsize(struct msk_device *dev, unsigned int domid)
{
	struct msi_slot *s = &dev->slot[domid];
	if (s->domain)
		return msk_msi_domain_get_info(s->domain)->hwsize;
	return MSK_MSI_MAX_HWSIZE;
}

struct msk_msi_desc *msi_desc_lookup(struct msk_device *dev, unsigned int domid, uint32_t index)
{
	if (domid >= MSK_MSI_MAX_DOMAINS)
		return NULL;
	return msk_radix_lookup(&dev->slot[domid].descs, index);
}

struct msi_desc_priv *msi_desc_new(struct msk_device *dev, unsigned int domid, uint32_t index,
				   const struct msk_msi_desc *init,
				   const struct msk_irq_affinity_desc *aff)
{
	struct msi_desc_priv *p = msk_calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (init)
		p->pub = *init;
	p->pub.irq = 0;
	p->pub.dev = dev;
	p->pub.msi_index = index;
	if (!p->pub.nvec_used)
		p->pub.nvec_used = 1;
	p->pub.affinity = NULL;
	const struct msk_irq_affinity_desc *src = aff ? aff : (init ? init->affinity : NULL);
	if (src) {
		p->pub.affinity = msk_calloc(p->pub.nvec_used, sizeof(*src));
		if (!p->pub.affinity) {
			msk_free(p);
			return NULL;
		}
		memcpy(p->pub.affinity, src, p->pub.nvec_used * sizeof(*src));
	}
	int rc = msk_radix_insert(&dev->slot[domid].descs, index, p);
	if (rc < 0) {
		msk_free(p->pub.affinity);
		msk_free(p);
		if (rc == -MSK_EEXIST)
			msk_err(MSK_EEXIST, "device %s: MSI index %u is in use", dev->name, index);
		else
			msk_err(-rc, "device %s: cannot store MSI index %u", dev->name, index);
		return NULL;
	}
	return p;
}

void msi_desc_erase(struct msk_device *dev, unsigned int domid, struct msi_desc_priv *p)
{
	msk_radix_erase(&dev->slot[domid].descs, p->pub.msi_index);
	msk_free(p->pub.affinity);
	msk_free(p);
}

int msk_msi_insert_desc(struct msk_device *dev, unsigned int domid, const struct msk_msi_desc *init)
{
	if (!dev || !init || domid >= MSK_MSI_MAX_DOMAINS)
		return msk_err(MSK_EINVAL, "insert_desc: bad arguments");
	if (init->nvec_used > 32)
		return msk_err(MSK_EINVAL, "device %s: a descriptor covers at most 32 vectors",
			       dev->name);
	msk_msi_lock_descs(dev);
	uint32_t hwsize = msi_slot_hwsize(dev, domid);
	int rc = 0;
	if (init->msi_index >= hwsize) {
		rc = msk_err(MSK_ERANGE, "device %s: MSI index %u >= hwsize %u", dev->name,
			     init->msi_index, hwsize);
	} else {
		struct msi_desc_priv *p = msi_desc_new(dev, domid, init->msi_index, init, NULL);
		if (!p)
			rc = msk_last_error_code() == -MSK_EEXIST ? -MSK_EEXIST : -MSK_ENOMEM;
		if (!p && rc == -MSK_ENOMEM)
			msk_err(MSK_ENOMEM, "device %s: descriptor %u", dev->name, init->msi_index);
	}
	msk_msi_unlock_descs(dev);
	return rc;
}

struct free_ctx {
	struct msk_device *dev;
	unsigned int domid;
	uint32_t first, last;
};

static int free_unassociated(void *ctx, struct msk_msi_desc *desc)
{
	struct free_ctx *c = ctx;
	if (desc->msi_index >= c->first && desc->msi_index <= c->last && !desc->irq)
		msi_desc_erase(c->dev, c->domid, (struct msi_desc_priv *)desc);
	return 0;
}

void msk_msi_free_descs(struct msk_device *dev, unsigned int domid, uint32_t first, uint32_t last)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS)
		return;
	struct free_ctx c = { dev, domid, first, last };
	msk_msi_lock_descs(dev);
	msk_msi_for_each_desc(dev, domid, free_unassociated, &c);
	msk_msi_unlock_descs(dev);
}

struct msk_msi_desc *msk_msi_find_desc(struct msk_device *dev, unsigned int domid, uint32_t index)
{
	if (!dev)
		return NULL;
	msk_msi_lock_descs(dev);
	struct msk_msi_desc *d = msi_desc_lookup(dev, domid, index);
	msk_msi_unlock_descs(dev);
	return d;
}

int msi_for_range(struct msk_device *dev, unsigned int domid, uint32_t first, uint32_t last,
		  int (*fn)(void *ctx, struct msk_msi_desc *desc), void *ctx)
{
	struct msk_radix *r = &dev->slot[domid].descs;
	uint64_t key, from = first;
	struct msk_msi_desc *d;
	/* Look the next index up afresh each time, so fn may erase what it got. */
	while (from <= last && (d = msk_radix_next(r, from, &key)) && key <= last) {
		int rc = fn(ctx, d);
		if (rc)
			return rc;
		from = key + 1;
	}
	return 0;
}

int msk_msi_for_each_desc(struct msk_device *dev, unsigned int domid,
			  int (*fn)(void *ctx, struct msk_msi_desc *desc), void *ctx)
{
	if (!dev || domid >= MSK_MSI_MAX_DOMAINS)
		return 0;
	msk_msi_lock_descs(dev);
	int rc = msi_for_range(dev, domid, 0, UINT32_MAX, fn, ctx);
	msk_msi_unlock_descs(dev);
	return rc;
}

struct count_ctx {
	bool associated;
	unsigned int n;
};

static int count_cb(void *ctx, struct msk_msi_desc *desc)
{
	struct count_ctx *c = ctx;
	if (!c->associated || desc->irq)
		c->n++;
	return 0;
}

unsigned int msk_msi_desc_count(struct msk_device *dev, unsigned int domid, bool associated)
{
	struct count_ctx c = { associated, 0 };
	msk_msi_for_each_desc(dev, domid, count_cb, &c);
	return c.n;
}
