/* SPDX-License-Identifier: MIT */
/*
 * XIVE model: the instance, its bus regions (ESB pages, PHB MSI window),
 * source ownership (claim / free) and introspection. The PQ state machine
 * and page decoding live in xive_esb.c, routing and queues in
 * xive_router.c.
 */
#include "hw/ppc64/xive_internal.h"

#include "base/alloc.h"
#include "base/error.h"

static int check_config(const struct msk_xive_config *cfg, unsigned int shift)
{
	if (!cfg->nr_sources || cfg->nr_sources > MSK_XIVE_MAX_SOURCES)
		return msk_err(MSK_EINVAL, "xive: %u sources (1..%u)", cfg->nr_sources,
			       MSK_XIVE_MAX_SOURCES);
	if (!cfg->nr_cpus || cfg->nr_cpus > MSK_XIVE_MAX_CPUS)
		return msk_err(MSK_EINVAL, "xive: %u CPUs (1..%u)", cfg->nr_cpus,
			       MSK_XIVE_MAX_CPUS);
	if (shift != 12 && shift != 16)
		return msk_err(MSK_EINVAL, "xive: ESB page shift %u (12 or 16)", shift);
	uint64_t size = (uint64_t)cfg->nr_sources << (shift + 1);
	if (cfg->esb_base & ((1ull << shift) - 1) || cfg->esb_base + size - 1 < cfg->esb_base)
		return msk_err(MSK_EINVAL, "xive: ESB base 0x%llx misaligned or wraps",
			       (unsigned long long)cfg->esb_base);
	if (cfg->msi_window_size &&
	    cfg->msi_window_base + cfg->msi_window_size - 1 < cfg->msi_window_base)
		return msk_err(MSK_EINVAL, "xive: MSI window at 0x%llx wraps",
			       (unsigned long long)cfg->msi_window_base);
	return 0;
}

int msk_xive_create(struct msk_bus *bus, const struct msk_xive_config *cfg, struct msk_xive **out)
{
	unsigned int shift = cfg->esb_shift ? cfg->esb_shift : 16;
	int rc = check_config(cfg, shift);
	if (rc < 0)
		return rc;
	struct msk_xive *x = msk_calloc(1, sizeof(*x));
	if (!x)
		return msk_err(MSK_ENOMEM, "xive: out of memory");
	x->src = msk_calloc(cfg->nr_sources, sizeof(*x->src));
	x->end = msk_calloc((size_t)cfg->nr_cpus * MSK_XIVE_PRIORITIES, sizeof(*x->end));
	if (!x->src || !x->end) {
		msk_free(x->src);
		msk_free(x->end);
		msk_free(x);
		return msk_err(MSK_ENOMEM, "xive: out of memory for %u sources, %u CPUs",
			       cfg->nr_sources, cfg->nr_cpus);
	}
	x->bus = bus;
	x->ledger = msk_bus_ledger(bus);
	x->nr_sources = cfg->nr_sources;
	x->nr_cpus = cfg->nr_cpus;
	x->esb_shift = shift;
	x->esb_base = cfg->esb_base;
	x->esb_size = (uint64_t)cfg->nr_sources << (shift + 1);
	x->msi_base = cfg->msi_window_base;
	x->msi_size = cfg->msi_window_size;
	x->store_eoi = cfg->store_eoi;
	x->notify = cfg->notify;
	for (uint32_t i = 0; i < x->nr_sources; i++)
		x->src[i].pq = MSK_XIVE_PQ_OFF;
	pthread_mutex_init(&x->lock, NULL);

	rc = msk_bus_map(bus, x->esb_base, x->esb_size, &msk_xive_esb_ops, x, "xive-esb");
	if (rc == 0 && x->msi_size) {
		rc = msk_bus_map(bus, x->msi_base, x->msi_size, &msk_xive_msi_ops, x,
				 "xive-msi-window");
		if (rc < 0)
			msk_bus_unmap(bus, x->esb_base);
	}
	if (rc < 0) {
		pthread_mutex_destroy(&x->lock);
		msk_free(x->src);
		msk_free(x->end);
		msk_free(x);
		return msk_err_context("xive");
	}
	*out = x;
	return 0;
}

void msk_xive_destroy(struct msk_xive *x)
{
	if (!x)
		return;
	if (x->msi_size)
		msk_bus_unmap(x->bus, x->msi_base);
	msk_bus_unmap(x->bus, x->esb_base);
	for (uint64_t i = 0; i < (uint64_t)x->nr_cpus * MSK_XIVE_PRIORITIES; i++)
		msk_free(x->end[i].w);
	pthread_mutex_destroy(&x->lock);
	msk_free(x->src);
	msk_free(x->end);
	msk_free(x);
}

struct msk_bus *msk_xive_bus(const struct msk_xive *x)
{
	return x->bus;
}

uint32_t msk_xive_nr_sources(const struct msk_xive *x)
{
	return x->nr_sources;
}

uint32_t msk_xive_nr_cpus(const struct msk_xive *x)
{
	return x->nr_cpus;
}

unsigned int msk_xive_esb_shift(const struct msk_xive *x)
{
	return x->esb_shift;
}

uint64_t msk_xive_msi_window(const struct msk_xive *x)
{
	return x->msi_size ? x->msi_base : 0;
}

bool msk_xive_store_eoi(const struct msk_xive *x)
{
	return x->store_eoi;
}

int msk_xive_esb_pages(const struct msk_xive *x, uint32_t lisn, uint64_t *trigger, uint64_t *mgmt)
{
	if (lisn >= x->nr_sources)
		return msk_err(MSK_EINVAL, "xive: LISN 0x%x >= %u sources", lisn, x->nr_sources);
	uint64_t t = x->esb_base + ((uint64_t)lisn << (x->esb_shift + 1));
	if (trigger)
		*trigger = t;
	if (mgmt)
		*mgmt = t + (1ull << x->esb_shift);
	return 0;
}

int msk_xive_source_claim(struct msk_xive *x, uint32_t lisn)
{
	if (lisn >= x->nr_sources)
		return msk_err(MSK_EINVAL, "xive: claim of LISN 0x%x >= %u sources", lisn,
			       x->nr_sources);
	pthread_mutex_lock(&x->lock);
	struct xive_source *s = &x->src[lisn];
	s->eas_valid = true;
	s->eas_masked = true;
	s->eas_cpu = 0;
	s->eas_prio = 0;
	s->eas_eisn = 0;
	s->pq = MSK_XIVE_PQ_OFF;
	pthread_mutex_unlock(&x->lock);
	return 0;
}

int msk_xive_source_free(struct msk_xive *x, uint32_t lisn)
{
	if (lisn >= x->nr_sources)
		return msk_err(MSK_EINVAL, "xive: free of LISN 0x%x >= %u sources", lisn,
			       x->nr_sources);
	pthread_mutex_lock(&x->lock);
	struct xive_source *s = &x->src[lisn];
	s->eas_valid = false;
	s->eas_masked = false;
	s->eas_cpu = 0;
	s->eas_prio = 0;
	s->eas_eisn = 0;
	s->pq = MSK_XIVE_PQ_OFF;
	uint64_t h = s->held;
	s->held = 0;
	x->held -= h;
	while (h) {
		uint32_t part = h > UINT32_MAX ? UINT32_MAX : (uint32_t)h;
		msk_ledger_lose(x->ledger, MSK_LOSS_FREED_WHILE_PENDING, part);
		h -= part;
	}
	pthread_mutex_unlock(&x->lock);
	return 0;
}

int msk_xive_get_source(struct msk_xive *x, uint32_t lisn, struct msk_xive_source_info *out)
{
	if (lisn >= x->nr_sources)
		return msk_err(MSK_EINVAL, "xive: LISN 0x%x >= %u sources", lisn, x->nr_sources);
	pthread_mutex_lock(&x->lock);
	const struct xive_source *s = &x->src[lisn];
	out->pq = s->pq;
	out->held = s->held;
	out->eas.valid = s->eas_valid;
	out->eas.masked = s->eas_masked;
	out->eas.cpu = s->eas_cpu;
	out->eas.prio = s->eas_prio;
	out->eas.eisn = s->eas_eisn;
	pthread_mutex_unlock(&x->lock);
	return 0;
}

uint64_t msk_xive_held(struct msk_xive *x)
{
	pthread_mutex_lock(&x->lock);
	uint64_t h = x->held;
	pthread_mutex_unlock(&x->lock);
	return h;
}

void xive_kick(struct msk_xive *x, const struct xive_kick *k)
{
	if (k->cpu != UINT32_MAX && x->notify.kick)
		x->notify.kick(x->notify.ctx, k->cpu);
}
