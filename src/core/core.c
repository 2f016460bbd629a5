/* SPDX-License-Identifier: MIT */
/* A core instance: creation, destruction, CPUs, statistics. */
#include "core/internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

/* Chunks of 1024 descriptors keep a 2^20 space two levels deep. */
#define DESC_CHUNK_BITS 10

int msk_core_create(const struct msk_core_config *cfg, struct msk_core **out)
{
	if (!cfg || !out)
		return msk_err(MSK_EINVAL, "core: no configuration");
	unsigned int nr_irqs = cfg->nr_irqs ? cfg->nr_irqs : MSK_DEFAULT_NR_IRQS;
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > MSK_MAX_CPUS)
		return msk_err(MSK_EINVAL, "core: %u CPUs (1..%u)", cfg->nr_cpus, MSK_MAX_CPUS);
	if (nr_irqs < 2 || nr_irqs > MSK_MAX_NR_IRQS)
		return msk_err(MSK_EINVAL, "core: virq space of %u (2..%u)", nr_irqs,
			       MSK_MAX_NR_IRQS);

	struct msk_core *core = msk_calloc(1, sizeof(*core));
	if (!core)
		return msk_err(MSK_ENOMEM, "core: out of memory");
	core->nr_cpus = cfg->nr_cpus;
	core->nr_irqs = nr_irqs;
	core->ledger = cfg->ledger;
	unsigned int words = (nr_irqs + 63) / 64;
	core->virq_bitmap = msk_calloc(words, sizeof(uint64_t));
	core->virq_full = msk_calloc((words + 63) / 64, sizeof(uint64_t));
	if (!core->virq_bitmap || !core->virq_full) {
		msk_free(core->virq_bitmap);
		msk_free(core->virq_full);
		msk_free(core);
		return msk_err(MSK_ENOMEM, "core: virq bitmap for %u virqs", nr_irqs);
	}
	/* virq 0 is never handed out; bits beyond the space count as taken. */
	core->virq_bitmap[0] = 1;
	if (nr_irqs % 64)
		core->virq_bitmap[words - 1] |= ~0ull << (nr_irqs % 64);
	for (unsigned int w = 0; w < words; w++)
		if (core->virq_bitmap[w] == ~0ull)
			core->virq_full[w / 64] |= 1ull << (w % 64);
	core->alloc_hint = 1;
	unsigned int bits = 1;
	while ((1ull << bits) < nr_irqs)
		bits++;
	msk_radix_init(&core->descs, bits, DESC_CHUNK_BITS);
	pthread_mutex_init(&core->lock, NULL);
	struct msk_cpumask all;
	msk_cpumask_fill(&all, cfg->nr_cpus);
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		atomic_init(&core->online[i], all.bits[i]);
	int rc = msk_msi_core_init(core);
	if (rc < 0) {
		pthread_mutex_destroy(&core->lock);
		msk_free(core->virq_bitmap);
		msk_free(core->virq_full);
		msk_free(core);
		return rc;
	}
	*out = core;
	return 0;
}

/* msk_core_for_each_irq() callback: stop at the first virq, returning it. */
static int first_virq(void *ctx, unsigned int virq)
{
	(void)ctx;
	return (int)virq;
}

void msk_core_destroy(struct msk_core *core)
{
	if (!core)
		return;
	/* Free every virq: handlers first, then the hierarchy, one by one. */
	for (;;) {
		int virq = msk_core_for_each_irq(core, first_virq, NULL);
		if (virq <= 0)
			break;
		struct msk_irq_desc *desc = msk_irq_to_desc(core, (unsigned int)virq);
		if (desc && atomic_load(&desc->action))
			msk_free_irq(core, (unsigned int)virq);
		if (msk_domain_free_irqs(core, (unsigned int)virq, 1) < 0)
			break; /* cannot happen: no handler remains */
	}
	/* Remove domains, leaves first: repeat until none is left. */
	while (core->domains) {
		bool removed = false;
		for (struct msk_irq_domain *d = core->domains; d; d = d->next) {
			if (d->children == 0 && d->mapcount == 0) {
				msk_domain_remove(d);
				removed = true;
				break;
			}
		}
		if (!removed)
			break;
	}
	msk_rcu_barrier(); /* every deferred descriptor free has run */
	msk_msi_core_fini(core);
	msk_radix_fini(&core->descs);
	pthread_mutex_destroy(&core->lock);
	msk_free(core->virq_bitmap);
	msk_free(core->virq_full);
	msk_free(core);
}

unsigned int msk_core_nr_cpus(const struct msk_core *core)
{
	return core->nr_cpus;
}

unsigned int msk_core_nr_irqs(const struct msk_core *core)
{
	return core->nr_irqs;
}

struct msk_ledger *msk_core_ledger(const struct msk_core *core)
{
	return core->ledger;
}

struct msk_cpumask msk_core_online_cpus(const struct msk_core *core)
{
	return msk_online_mask(core);
}

int msk_core_set_cpu_online(struct msk_core *core, unsigned int cpu, bool online)
{
	if (cpu >= core->nr_cpus)
		return msk_err(MSK_EINVAL, "CPU %u does not exist (%u CPUs)", cpu, core->nr_cpus);
	pthread_mutex_lock(&core->lock);
	struct msk_cpumask m = msk_online_mask(core);
	if (!online && msk_cpumask_test(&m, cpu) && msk_cpumask_weight(&m) == 1) {
		pthread_mutex_unlock(&core->lock);
		return msk_err(MSK_EINVAL, "CPU %u is the last online CPU", cpu);
	}
	uint64_t bit = 1ull << (cpu % 64);
	if (online)
		atomic_fetch_or(&core->online[cpu / 64], bit);
	else
		atomic_fetch_and(&core->online[cpu / 64], ~bit);
	pthread_mutex_unlock(&core->lock);
	return 0;
}

void msk_core_get_stats(const struct msk_core *core, struct msk_core_stats *out)
{
	struct msk_core *c = (struct msk_core *)core;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->lock);
	out->virqs = atomic_load(&c->nr_virqs);
	out->irq_data = atomic_load(&c->nr_irq_data);
	out->domains = atomic_load(&c->nr_domains);
	out->actions = atomic_load(&c->nr_actions);
	out->revmap_entries = atomic_load(&c->nr_revmap);
	out->held_weight = atomic_load(&c->held_weight);
	uint64_t bytes = atomic_load(&c->bytes) + msk_radix_bytes(&c->descs) +
			 ((c->nr_irqs + 63) / 64 + (c->nr_irqs + 4095) / 4096) * sizeof(uint64_t);
	for (struct msk_irq_domain *d = c->domains; d; d = d->next)
		bytes += msk_radix_bytes(&d->revmap) + sizeof(*d);
	out->bytes = bytes;
	pthread_mutex_unlock(&c->lock);
}

uint64_t msk_core_held(const struct msk_core *core)
{
	return atomic_load(&((struct msk_core *)core)->held_weight);
}
