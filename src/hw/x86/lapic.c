/* SPDX-License-Identifier: MIT */
/*
 * Local APICs: per-CPU IRR and ISR with coalesced weights, processor
 * priority, take/EOI/TPR, and delivery of an APIC-bus interrupt to the
 * CPUs its destination names (msikit/hw_x86.h gives the rules).
 */
#include <string.h>

#include "base/error.h"
#include "hw/x86/x86.h"

#define BROADCAST_XAPIC	 0xFFu
#define BROADCAST_X2APIC 0xFFFFFFFFu

void msk_lapic_init(struct msk_lapic *l, uint32_t apic_id)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->apic_id = apic_id;
}

void msk_lapic_fini(struct msk_lapic *l)
{
	pthread_mutex_destroy(&l->lock);
}

/* Highest set bit of a 256-bit register, or -1. */
static int highest(const uint64_t r[4])
{
	for (int w = 3; w >= 0; w--)
		if (r[w])
			return w * 64 + 63 - __builtin_clzll(r[w]);
	return -1;
}

static bool test_bit(const uint64_t r[4], unsigned int v)
{
	return (r[v / 64] >> (v % 64)) & 1;
}

static void set_bit(uint64_t r[4], unsigned int v)
{
	r[v / 64] |= 1ull << (v % 64);
}

static void clear_bit(uint64_t r[4], unsigned int v)
{
	r[v / 64] &= ~(1ull << (v % 64));
}

/* PPR: TPR if its class is at least the in-service class, else ISRV & 0xF0. */
static unsigned int ppr_of(const struct msk_lapic *l)
{
	int isrv = highest(l->isr);
	unsigned int isr_class = isrv < 0 ? 0 : (unsigned int)isrv & 0xF0u;
	return (l->tpr & 0xF0u) >= isr_class ? l->tpr : isr_class;
}

/* The vector take() would return now, or -1. Caller holds l->lock. */
static int deliverable(const struct msk_lapic *l)
{
	int irrv = highest(l->irr);
	if (irrv < 0 || ((unsigned int)irrv >> 4) <= (ppr_of(l) >> 4))
		return -1;
	return irrv;
}

/* After a change under l->lock: publish PPR and kick if a new vector became deliverable. */
static void changed(struct msk_x86 *x86, unsigned int cpu, int before)
{
	struct msk_lapic *l = &x86->cpu[cpu];
	atomic_store_explicit(&l->ppr, ppr_of(l), memory_order_relaxed);
	int after = deliverable(l);
	if (after >= 0 && after != before && x86->notify.kick)
		x86->notify.kick(x86->notify.ctx, cpu);
}

/* Put `vector` with `weight` into CPU cpu's IRR. */
static void accept(struct msk_x86 *x86, unsigned int cpu, uint8_t vector, uint32_t weight)
{
	struct msk_lapic *l = &x86->cpu[cpu];
	pthread_mutex_lock(&l->lock);
	int before = deliverable(l);
	if (test_bit(l->irr, vector))
		atomic_fetch_add_explicit(&l->coalesced, 1, memory_order_relaxed);
	set_bit(l->irr, vector);
	l->weight[vector] += weight;
	atomic_fetch_add_explicit(&l->held, weight, memory_order_relaxed);
	atomic_fetch_add_explicit(&l->accepted, 1, memory_order_relaxed);
	changed(x86, cpu, before);
	pthread_mutex_unlock(&l->lock);
}

/* Does CPU l match the destination of irq? */
static bool matches(const struct msk_lapic *l, const struct msk_apic_irq *irq)
{
	uint32_t id = l->apic_id;
	if (!irq->x2apic) {
		if (!irq->logical)
			return irq->dest == BROADCAST_XAPIC || irq->dest == id;
		/* Flat model: logical ID 1 << id for IDs below 8. */
		return id < 8 && (irq->dest >> id) & 1;
	}
	if (irq->dest == BROADCAST_X2APIC)
		return true;
	if (!irq->logical)
		return irq->dest == id;
	/* Cluster model: cluster id >> 4, member bit id & 15. */
	return (irq->dest >> 16) == (id >> 4) && (irq->dest >> (id & 15)) & 1;
}

void msk_lapic_resolve(const struct msk_x86 *x86, const struct msk_apic_irq *irq,
		       struct msk_lapic_target *out)
{
	memset(out, 0, sizeof(*out));
	out->first = MSK_CPU_NONE;
	if (irq->delivery_mode != MSK_APIC_DM_FIXED && irq->delivery_mode != MSK_APIC_DM_LOWEST) {
		out->lost = true;
		out->reason = MSK_LOSS_APIC_DELIVERY_MODE;
		return;
	}
	if (irq->vector < 16) {
		out->lost = true;
		out->reason = MSK_LOSS_APIC_ILLEGAL_VECTOR;
		return;
	}
	out->one = irq->delivery_mode == MSK_APIC_DM_LOWEST || (irq->redir_hint && irq->logical);
	unsigned int best_ppr = 0;
	for (unsigned int c = 0; c < x86->ncpus; c++) {
		if (!matches(&x86->cpu[c], irq))
			continue;
		if (!out->one) {
			/* Every CPU of the set; the first one carries the weight. */
			msk_cpumask_set(&out->set, c);
			if (out->first == MSK_CPU_NONE)
				out->first = c;
			continue;
		}
		unsigned int ppr = atomic_load_explicit(&x86->cpu[c].ppr, memory_order_relaxed);
		if (out->first == MSK_CPU_NONE || ppr < best_ppr) {
			out->first = c;
			best_ppr = ppr;
		}
	}
	if (out->one && out->first != MSK_CPU_NONE)
		msk_cpumask_set(&out->set, out->first);
	if (out->first == MSK_CPU_NONE) {
		out->lost = true;
		out->reason = MSK_LOSS_APIC_NO_TARGET;
	}
}

void msk_lapic_deliver(struct msk_x86 *x86, const struct msk_apic_irq *irq, uint32_t weight)
{
	struct msk_lapic_target t;
	msk_lapic_resolve(x86, irq, &t);
	if (t.lost) {
		msk_ledger_lose(x86->ledger, t.reason, weight);
		return;
	}
	for (unsigned int c = t.first; c < x86->ncpus; c++)
		if (msk_cpumask_test(&t.set, c))
			accept(x86, c, irq->vector, c == t.first ? weight : 0);
}

static int bad_cpu(const struct msk_x86 *x86, unsigned int cpu, const char *what)
{
	return msk_err(MSK_EINVAL, "x86 %s: CPU %u out of range (%u CPUs)", what, cpu, x86->ncpus);
}

int msk_x86_take(struct msk_x86 *x86, unsigned int cpu, uint8_t *vector, uint64_t *weight)
{
	if (cpu >= x86->ncpus)
		return bad_cpu(x86, cpu, "take");
	struct msk_lapic *l = &x86->cpu[cpu];
	pthread_mutex_lock(&l->lock);
	int v = deliverable(l);
	if (v >= 0) {
		clear_bit(l->irr, (unsigned int)v);
		set_bit(l->isr, (unsigned int)v);
		*vector = (uint8_t)v;
		*weight = l->weight[v];
		l->weight[v] = 0;
		atomic_fetch_sub_explicit(&l->held, *weight, memory_order_relaxed);
		atomic_fetch_add_explicit(&l->taken, 1, memory_order_relaxed);
		/* Nothing else is deliverable until an EOI: no kick. */
		atomic_store_explicit(&l->ppr, ppr_of(l), memory_order_relaxed);
	}
	pthread_mutex_unlock(&l->lock);
	return v >= 0;
}

int msk_x86_eoi(struct msk_x86 *x86, unsigned int cpu)
{
	if (cpu >= x86->ncpus)
		return bad_cpu(x86, cpu, "EOI");
	struct msk_lapic *l = &x86->cpu[cpu];
	pthread_mutex_lock(&l->lock);
	int v = highest(l->isr);
	if (v >= 0) {
		int before = deliverable(l);
		clear_bit(l->isr, (unsigned int)v);
		atomic_fetch_add_explicit(&l->eois, 1, memory_order_relaxed);
		changed(x86, cpu, before);
	}
	pthread_mutex_unlock(&l->lock);
	if (v < 0)
		return msk_err(MSK_ENOENT, "x86 EOI: CPU %u has nothing in service", cpu);
	return v;
}

int msk_x86_set_tpr(struct msk_x86 *x86, unsigned int cpu, uint8_t tpr)
{
	if (cpu >= x86->ncpus)
		return bad_cpu(x86, cpu, "TPR");
	struct msk_lapic *l = &x86->cpu[cpu];
	pthread_mutex_lock(&l->lock);
	int before = deliverable(l);
	l->tpr = tpr;
	changed(x86, cpu, before);
	pthread_mutex_unlock(&l->lock);
	return 0;
}

uint64_t msk_x86_held(const struct msk_x86 *x86)
{
	uint64_t sum = 0;
	for (unsigned int c = 0; c < x86->ncpus; c++)
		sum += atomic_load_explicit(&x86->cpu[c].held, memory_order_relaxed);
	return sum;
}

/* 32 bits of a 256-bit register: vectors 32 * i .. 32 * i + 31. */
static uint32_t reg32(const uint64_t r[4], unsigned int i)
{
	return (uint32_t)(r[i / 2] >> (32 * (i % 2)));
}

int msk_x86_apic_read(const struct msk_x86 *x86, unsigned int cpu, unsigned int reg, uint32_t *val)
{
	if (cpu >= x86->ncpus)
		return bad_cpu(x86, cpu, "APIC read");
	bool isr = reg >= MSK_X86_APIC_ISR && reg < MSK_X86_APIC_ISR + 0x80u;
	bool irr = reg >= MSK_X86_APIC_IRR && reg < MSK_X86_APIC_IRR + 0x80u;
	bool known = reg == MSK_X86_APIC_ID || reg == MSK_X86_APIC_TPR || reg == MSK_X86_APIC_PPR ||
		     isr || irr;
	if (!known || (reg & 0xFu) || !val)
		return msk_err(MSK_EINVAL, "x86 APIC read: CPU %u: no register at offset 0x%x", cpu,
			       reg);
	struct msk_lapic *l = (struct msk_lapic *)&x86->cpu[cpu];
	pthread_mutex_lock(&l->lock);
	if (isr)
		*val = reg32(l->isr, (reg - MSK_X86_APIC_ISR) / 0x10u);
	else if (irr)
		*val = reg32(l->irr, (reg - MSK_X86_APIC_IRR) / 0x10u);
	else if (reg == MSK_X86_APIC_ID)
		*val = l->apic_id << 24;
	else if (reg == MSK_X86_APIC_TPR)
		*val = l->tpr;
	else
		*val = ppr_of(l);
	pthread_mutex_unlock(&l->lock);
	return 0;
}

int msk_x86_cpu_state(const struct msk_x86 *x86, unsigned int cpu, struct msk_x86_cpu_state *out)
{
	if (cpu >= x86->ncpus)
		return bad_cpu(x86, cpu, "CPU state");
	struct msk_lapic *l = (struct msk_lapic *)&x86->cpu[cpu];
	pthread_mutex_lock(&l->lock);
	out->apic_id = l->apic_id;
	out->tpr = l->tpr;
	out->ppr = (uint8_t)ppr_of(l);
	memcpy(out->irr, l->irr, sizeof(out->irr));
	memcpy(out->isr, l->isr, sizeof(out->isr));
	memcpy(out->weight, l->weight, sizeof(out->weight));
	out->held = atomic_load(&l->held);
	out->accepted = atomic_load(&l->accepted);
	out->coalesced = atomic_load(&l->coalesced);
	out->taken = atomic_load(&l->taken);
	out->eois = atomic_load(&l->eois);
	pthread_mutex_unlock(&l->lock);
	return 0;
}
