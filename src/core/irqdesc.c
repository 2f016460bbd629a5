/* SPDX-License-Identifier: MIT */
/*
 * The virq number space and descriptors.
 *
 * Virqs are allocated in consecutive runs from a bitmap (multi-MSI needs
 * runs) under the control lock; a hint remembers the lowest possibly-free
 * virq so sequential allocation does not rescan the space. Descriptors are
 * published in an RCU radix map once their hierarchy is set up, and freed
 * a grace period after they are unpublished, so msk_irq_to_desc() from any
 * thread never meets freed memory.
 */
#include "core/internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define WORD_BITS 64u

static bool bit_test(const uint64_t *map, unsigned int bit)
{
	return (map[bit / WORD_BITS] >> (bit % WORD_BITS)) & 1;
}

bool msk_virq_is_allocated(const struct msk_core *core, unsigned int virq)
{
	return virq > 0 && virq < core->nr_irqs && bit_test(core->virq_bitmap, virq);
}

/* Set or clear [first, first + nr) and keep the full-word summary right. */
static void bits_set(struct msk_core *core, unsigned int first, unsigned int nr, bool on)
{
	uint64_t *map = core->virq_bitmap;
	for (unsigned int b = first; b < first + nr; b++) {
		unsigned int w = b / WORD_BITS;
		uint64_t m = 1ull << (b % WORD_BITS);
		if (on)
			map[w] |= m;
		else
			map[w] &= ~m;
		uint64_t s = 1ull << (w % WORD_BITS);
		if (map[w] == ~0ull)
			core->virq_full[w / WORD_BITS] |= s;
		else
			core->virq_full[w / WORD_BITS] &= ~s;
	}
}

/*
 * The first free bit at or after `from`, or nbits. Full words are skipped
 * through the summary (64 words per summary word), so the cost is bounded
 * by the space / 4096 whatever is allocated.
 */
static unsigned int next_free(const struct msk_core *core, unsigned int from)
{
	const uint64_t *map = core->virq_bitmap, *full = core->virq_full;
	unsigned int nbits = core->nr_irqs, words = (nbits + WORD_BITS - 1) / WORD_BITS;
	if (from >= nbits)
		return nbits;
	unsigned int w = from / WORD_BITS;
	uint64_t free_bits = ~map[w] & (~0ull << (from % WORD_BITS));
	if (free_bits)
		return w * WORD_BITS + (unsigned int)__builtin_ctzll(free_bits);
	/* The next word that is not full, via the summary. */
	for (unsigned int sw = (w + 1) / WORD_BITS, bit = (w + 1) % WORD_BITS;
	     sw * WORD_BITS < words; sw++, bit = 0) {
		uint64_t notfull = ~full[sw] & (~0ull << bit);
		if (!notfull)
			continue;
		unsigned int nw = sw * WORD_BITS + (unsigned int)__builtin_ctzll(notfull);
		if (nw >= words)
			break;
		return nw * WORD_BITS + (unsigned int)__builtin_ctzll(~map[nw]);
	}
	return nbits;
}

/* The first used bit at or after `from`, or nbits. */
static unsigned int next_used(const uint64_t *map, unsigned int from, unsigned int nbits)
{
	unsigned int b = from;
	while (b < nbits) {
		uint64_t w = map[b / WORD_BITS] >> (b % WORD_BITS);
		if (w)
			return b + (unsigned int)__builtin_ctzll(w) < nbits
				       ? b + (unsigned int)__builtin_ctzll(w)
				       : nbits;
		b = (b / WORD_BITS + 1) * WORD_BITS;
	}
	return nbits;
}

/* The longest run of free virqs (for error messages only: a full pass). */
static unsigned int largest_free_run(const struct msk_core *core)
{
	unsigned int n = core->nr_irqs, largest = 0;
	for (unsigned int b = next_free(core, 1); b < n;) {
		unsigned int end = next_used(core->virq_bitmap, b, n);
		if (end - b > largest)
			largest = end - b;
		b = next_free(core, end);
	}
	return largest;
}

int msk_virq_range_alloc(struct msk_core *core, unsigned int nr, unsigned int *first)
{
	unsigned int n = core->nr_irqs;
	if (nr == 0 || nr >= n)
		return msk_err(MSK_EINVAL, "cannot allocate %u virqs: the space has %u", nr, n - 1);
	unsigned int b = next_free(core, core->alloc_hint);
	core->alloc_hint = b; /* nothing below b is free */
	while (b < n && n - b >= nr) {
		/* Only [b, b + nr) matters: never scan further than that. */
		unsigned int end = next_used(core->virq_bitmap, b, b + nr);
		if (end - b >= nr) {
			bits_set(core, b, nr, true);
			if (b == core->alloc_hint)
				core->alloc_hint = next_free(core, b + nr);
			*first = b;
			return 0;
		}
		b = next_free(core, end);
	}
	return msk_err(MSK_ENOSPC,
		       "virq space full: %u contiguous virqs wanted, largest free run %u of %u", nr,
		       largest_free_run(core), n - 1);
}

void msk_virq_range_release(struct msk_core *core, unsigned int first, unsigned int nr)
{
	bits_set(core, first, nr, false);
	if (first < core->alloc_hint)
		core->alloc_hint = first;
}

struct msk_cpumask msk_online_mask(const struct msk_core *core)
{
	struct msk_cpumask m;
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		m.bits[i] = atomic_load_explicit(&((struct msk_core *)core)->online[i],
						 memory_order_relaxed);
	return m;
}

/* Take a descriptor out of the live counts (it is being freed). */
static void desc_uncount(struct msk_irq_desc *desc)
{
	struct msk_core *core = desc->core;
	unsigned int heap_levels = 0;
	for (struct msk_irq_data *d = desc->irq_data.parent_data; d; d = d->parent_data)
		heap_levels++;
	msk_stat_add(&core->nr_irq_data, -(int64_t)heap_levels);
	msk_stat_add(&core->bytes,
		     -(int64_t)(sizeof(*desc) + heap_levels * sizeof(struct msk_irq_data) +
				core->nr_cpus * sizeof(uint64_t)));
}

static void desc_release_memory(struct msk_irq_desc *desc)
{
	struct msk_irq_data *d = desc->irq_data.parent_data;
	while (d) {
		struct msk_irq_data *next = d->parent_data;
		msk_free(d);
		d = next;
	}
	pthread_mutex_destroy(&desc->lock);
	msk_free(desc->dev_name);
	msk_free(desc);
}

struct msk_irq_desc *msk_desc_alloc(struct msk_core *core, unsigned int virq,
				    struct msk_irq_domain *domain,
				    const struct msk_irq_affinity_desc *aff)
{
	struct msk_irq_desc *desc =
		msk_calloc(1, sizeof(*desc) + core->nr_cpus * sizeof(desc->kstat[0]));
	if (!desc)
		return NULL;
	desc->core = core;
	/*
	 * Recursive: a chip callback run under this lock (unmask, message
	 * write) may make a device send at once, re-entering the flow on the
	 * same thread; its slow path then only records the event as pending,
	 * and the outer call replays it.
	 */
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&desc->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	msk_stat_add(&core->bytes, (int64_t)(sizeof(*desc) + core->nr_cpus * sizeof(uint64_t)));

	/* One irq_data per level, outermost embedded, linked inwards. */
	struct msk_irq_data *level = &desc->irq_data;
	level->virq = virq;
	level->domain = domain;
	level->desc = desc;
	desc->nlevels = 1;
	for (struct msk_irq_domain *p = domain->parent; p; p = p->parent) {
		struct msk_irq_data *d = msk_calloc(1, sizeof(*d));
		if (!d) {
			desc_uncount(desc);
			desc_release_memory(desc);
			return NULL;
		}
		d->virq = virq;
		d->domain = p;
		d->desc = desc;
		level->parent_data = d;
		level = d;
		desc->nlevels++;
		msk_stat_add(&core->nr_irq_data, 1);
		msk_stat_add(&core->bytes, (int64_t)sizeof(*d));
	}

	atomic_init(&desc->fstate, F_MASKED); /* not started */
	desc->flow = MSK_FLOW_EDGE;
	if (aff) {
		desc->affinity = aff->mask;
		desc->cstate |= C_AFFINITY_SET;
		if (aff->is_managed)
			desc->cstate |= C_MANAGED;
	} else {
		desc->affinity = msk_online_mask(core);
	}
	return desc;
}

void msk_desc_free_now(struct msk_irq_desc *desc)
{
	desc_uncount(desc);
	desc_release_memory(desc);
}

static void desc_free_cb(msk_rcu_head *head)
{
	desc_release_memory(caa_container_of(head, struct msk_irq_desc, rcu));
}

void msk_desc_free_rcu(struct msk_irq_desc *desc)
{
	desc_uncount(desc);
	msk_call_rcu(&desc->rcu, desc_free_cb);
}

/* --- lookups and accessors --------------------------------------------------------- */

struct msk_irq_desc *msk_irq_to_desc(struct msk_core *core, unsigned int virq)
{
	if (!core || virq == 0 || virq >= core->nr_irqs)
		return NULL;
	msk_rcu_read_lock();
	struct msk_irq_desc *desc = msk_radix_lookup(&core->descs, virq);
	msk_rcu_read_unlock();
	return desc;
}

struct msk_irq_data *msk_irq_get_irq_data(struct msk_core *core, unsigned int virq)
{
	struct msk_irq_desc *desc = msk_irq_to_desc(core, virq);
	return desc ? &desc->irq_data : NULL;
}

struct msk_irq_data *msk_desc_irq_data(struct msk_irq_desc *desc)
{
	return &desc->irq_data;
}

unsigned int msk_desc_virq(const struct msk_irq_desc *desc)
{
	return desc->irq_data.virq;
}

void msk_desc_set_msi_desc(struct msk_irq_desc *desc, void *msi_desc)
{
	desc->msi_desc = msi_desc;
}

void *msk_desc_msi_desc(const struct msk_irq_desc *desc)
{
	return desc->msi_desc;
}

int msk_desc_set_dev_name(struct msk_irq_desc *desc, const char *name)
{
	char *copy = NULL;
	if (name) {
		copy = msk_strdup(name);
		if (!copy)
			return msk_err(MSK_ENOMEM, "virq %u: device name", desc->irq_data.virq);
	}
	pthread_mutex_lock(&desc->lock);
	char *old = desc->dev_name;
	desc->dev_name = copy;
	pthread_mutex_unlock(&desc->lock);
	msk_free(old);
	return 0;
}

uint64_t msk_irq_count(struct msk_core *core, unsigned int virq, unsigned int cpu)
{
	if (!core || cpu >= core->nr_cpus || virq == 0 || virq >= core->nr_irqs)
		return 0;
	msk_rcu_read_lock();
	struct msk_irq_desc *desc = msk_radix_lookup(&core->descs, virq);
	uint64_t n = desc ? atomic_load_explicit(&desc->kstat[cpu], memory_order_relaxed) : 0;
	msk_rcu_read_unlock();
	return n;
}

static const char *flow_name(enum msk_flow_type flow)
{
	return flow == MSK_FLOW_FASTEOI ? "fasteoi" : "edge";
}

int msk_irq_get_info(struct msk_core *core, unsigned int virq, struct msk_irq_info *out)
{
	/* The control lock keeps the descriptor (and the strings returned) alive. */
	pthread_mutex_lock(&core->lock);
	struct msk_irq_desc *desc =
		virq && virq < core->nr_irqs ? msk_radix_lookup(&core->descs, virq) : NULL;
	if (!desc) {
		pthread_mutex_unlock(&core->lock);
		return msk_err(MSK_EINVAL, "virq %u is not allocated", virq);
	}
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&desc->lock);
	uint64_t f = atomic_load(&desc->fstate);
	struct msk_irqaction *act = atomic_load(&desc->action);
	out->virq = virq;
	out->action_name = act ? act->name : NULL;
	out->flow_name = flow_name(desc->flow);
	out->dev_name = desc->dev_name;
	out->depth = desc->depth;
	out->activated = desc->cstate & C_ACTIVATED;
	out->started = desc->cstate & C_STARTED;
	out->managed = desc->cstate & C_MANAGED;
	out->reserved_mode = desc->cstate & C_CAN_RESERVE;
	out->masked = f & F_MASKED;
	out->disabled = f & F_DISABLED;
	out->pending = f & F_PENDING;
	out->pending_weight = (uint32_t)(f >> 32);
	out->affinity = desc->affinity;
	out->effective_affinity = desc->effective;
	out->spurious = atomic_load(&desc->spurious);
	out->replayed = atomic_load(&desc->replayed);
	pthread_mutex_unlock(&desc->lock);
	pthread_mutex_unlock(&core->lock);
	return 0;
}

int msk_core_for_each_irq(struct msk_core *core, int (*fn)(void *ctx, unsigned int virq), void *ctx)
{
	pthread_mutex_lock(&core->lock);
	int rc = 0;
	for (unsigned int v = next_used(core->virq_bitmap, 1, core->nr_irqs); v < core->nr_irqs;
	     v = next_used(core->virq_bitmap, v + 1, core->nr_irqs)) {
		if (v >= core->nr_irqs)
			break;
		/* Published descriptors only (a run being set up is skipped). */
		if (!msk_radix_lookup(&core->descs, v))
			continue;
		rc = fn(ctx, v);
		if (rc)
			break;
	}
	pthread_mutex_unlock(&core->lock);
	return rc;
}

unsigned int msk_desc_replay_cpu(struct msk_irq_desc *desc)
{
	unsigned int cpu = msk_cpumask_first(&desc->effective);
	if (cpu == MSK_CPU_NONE || cpu >= desc->core->nr_cpus) {
		struct msk_cpumask online = msk_online_mask(desc->core);
		cpu = msk_cpumask_first(&online);
	}
	return cpu == MSK_CPU_NONE ? 0 : cpu;
}
