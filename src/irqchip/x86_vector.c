/* SPDX-License-Identifier: MIT */
/*
 * The x86 VECTOR domain: the root of every x86 MSI hierarchy and, without
 * interrupt remapping, the MSI parent (Linux arch/x86/kernel/apic/vector.c
 * and msi.c).
 *
 * hwirq = virq; chip "APIC"; one struct x86_apicd per virq. Vectors come
 * from the matrix with Linux's policies:
 *
 *  - managed virqs reserve one managed slot on every CPU of their mask at
 *    allocation and get a real vector from those slots at activation;
 *  - every other virq is allocated in reservation mode: a global
 *    reservation at allocation, a real vector only at a real activation
 *    (request). An activation with reserve=true (the MSI core's early
 *    activation) points the message at the shutdown vector.
 *
 * Moves (set_affinity): a new vector is allocated and published, the old
 * one stays valid - its per-CPU table entry still names the virq - until
 * the first interrupt arrives on the new one (the acknowledge sees it and
 * ends the move), and then until it is no longer pending in its CPU's IRR;
 * the cleanup pass releases it. As in Linux the old vector waits in the
 * one cleanup record embedded in the apic_data, so a second move while
 * one is in progress (or its old vector awaits cleanup) fails with
 * -MSK_EBUSY. A forced move (CPU hotplug) and a deactivation first
 * force-complete such a move, and allocate nothing: they cannot fail
 * for want of memory. A vector they must retire while an interrupt is
 * still pending on it and the record is still taken is parked on its CPU
 * (x86_internal.h) - kept, never lost.
 */
#include "irqchip/x86_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

_Thread_local struct x86_current x86_cur;

/* msi_alloc_info.flags: the allocation type (Linux X86_IRQ_ALLOC_TYPE_PCI_MSI/MSIX). */
#define X86_ALLOC_TYPE_PCI_MSI	1u
#define X86_ALLOC_TYPE_PCI_MSIX 2u
#define X86_ALLOC_TYPE_IMS	3u

static struct x86_vector *plat_of(struct msk_irq_domain *d)
{
	return msk_domain_host_data(d);
}

/* The online CPUs the platform has (the core may have more). */
static struct msk_cpumask online_cpus(struct x86_vector *p)
{
	struct msk_cpumask on = msk_core_online_cpus(p->core), all;
	msk_cpumask_fill(&all, p->ncpus);
	msk_cpumask_and(&on, &on, &all);
	msk_cpumask_andnot(&on, &on, &p->dying);
	return on;
}

static void publish(struct x86_vector *p, unsigned int cpu, unsigned int vector,
		    struct x86_apicd *a)
{
	atomic_store_explicit(x86_slot(p, cpu, vector), a, memory_order_release);
}

/* Point a virq without a real vector at the shutdown vector of the first online CPU. */
static void point_at_shutdown(struct x86_vector *p, struct x86_apicd *a)
{
	struct msk_cpumask on = online_cpus(p);
	unsigned int cpu = msk_cpumask_first(&on);
	atomic_store(&a->vector, X86_SHUTDOWN_VECTOR);
	atomic_store(&a->cpu, cpu == MSK_CPU_NONE ? 0 : cpu);
}

/*
 * Is `vector` still in use on CPU `cpu`: pending in its IRR, or in service
 * (ISR: taken, its table lookup and handler may still be running until the
 * EOI)? Read through the local APIC's registers, as Linux's
 * __vector_cleanup() (6.12, arch/x86/kernel/apic/vector.c) reads APIC_IRR.
 * Linux looks at the IRR alone, on the CPU itself with interrupts off, so
 * no handler of that vector can be running there; here the cleanup may run
 * on another thread while CPU `cpu` handles it, hence the ISR too. A dying
 * CPU was drained: no.
 */
static bool vector_pending(struct x86_vector *p, unsigned int cpu, unsigned int vector)
{
	if (msk_cpumask_test(&p->dying, cpu))
		return false;
	/*
	 * IRR before ISR: a vector only moves IRR -> ISR -> idle (the move sent
	 * nothing new here), so these two reads miss it no more than one
	 * snapshot would.
	 */
	unsigned int at = vector / 32u * 0x10u;
	uint32_t irr, isr;
	if (msk_x86_apic_read(p->x86, cpu, MSK_X86_APIC_IRR + at, &irr) < 0 ||
	    msk_x86_apic_read(p->x86, cpu, MSK_X86_APIC_ISR + at, &isr) < 0)
		return false;
	return ((irr | isr) >> (vector % 32u)) & 1u;
}

/* Give a vector back: unpublish it and free it in the matrix. */
static void release_now(struct x86_vector *p, struct x86_apicd *a, unsigned int cpu,
			unsigned int vector, bool managed)
{
	struct x86_apicd *_Atomic *slot = x86_slot(p, cpu, vector);
	if (atomic_load(slot) == a)
		atomic_store_explicit(slot, NULL, memory_order_release);
	msk_matrix_free(p->matrix, cpu, vector, managed);
	atomic_fetch_add(&p->cleaned, 1);
}

/* ---- the cleanup list (Linux: apic_chip_data.clist on cleanup_list) ------------------ */

/* Make (cpu, vector) a's previous vector, waiting in the cleanup list (a has none). */
static void record_prev(struct x86_vector *p, struct x86_apicd *a, unsigned int cpu,
			unsigned int vector)
{
	a->prev_cpu = cpu;
	a->prev_vector = vector;
	a->clist_next = p->cleanup;
	if (p->cleanup)
		p->cleanup->clist_pprev = &a->clist_next;
	p->cleanup = a;
	a->clist_pprev = &p->cleanup;
	atomic_fetch_add(&p->nrecords, 1);
}

/* Take a off the cleanup list; its previous vector is the caller's to give back. */
static void clist_del(struct x86_vector *p, struct x86_apicd *a)
{
	*a->clist_pprev = a->clist_next;
	if (a->clist_next)
		a->clist_next->clist_pprev = a->clist_pprev;
	a->clist_next = NULL;
	a->clist_pprev = NULL;
	a->prev_vector = 0;
	atomic_fetch_sub(&p->nrecords, 1);
}

/* Linux free_moved_vector(): release a's previous vector and end its record. */
static void free_moved_vector(struct x86_vector *p, struct x86_apicd *a)
{
	unsigned int cpu = a->prev_cpu, vector = a->prev_vector;
	clist_del(p, a);
	release_now(p, a, cpu, vector, a->is_managed);
}

/* ---- parked vectors (struct x86_parked) ------------------------------------------------ */

static uint64_t bit_of(unsigned int vector)
{
	return 1ull << (vector % 64);
}

/* Park (cpu, vector): it stays allocated and its table entry stays as it is. */
static void park(struct x86_vector *p, unsigned int cpu, unsigned int vector, bool managed)
{
	struct x86_parked *pk = &p->parked[cpu];
	pk->bits[vector / 64] |= bit_of(vector);
	if (managed)
		pk->managed[vector / 64] |= bit_of(vector);
	p->nparked++;
	atomic_fetch_add(&p->nrecords, 1);
}

/* Release every parked vector that is neither pending nor in service any more. */
static void cleanup_parked(struct x86_vector *p)
{
	for (unsigned int cpu = 0; p->nparked && cpu < p->ncpus; cpu++) {
		struct x86_parked *pk = &p->parked[cpu];
		for (unsigned int w = 0; w < X86_NR_VECTORS / 64; w++) {
			for (uint64_t left = pk->bits[w]; left; left &= left - 1) {
				unsigned int vector = w * 64 + (unsigned int)__builtin_ctzll(left);
				if (vector_pending(p, cpu, vector))
					continue;
				bool managed = pk->managed[w] & bit_of(vector);
				pk->bits[w] &= ~bit_of(vector);
				pk->managed[w] &= ~bit_of(vector);
				/* Nobody else can have published it: it was never free. */
				atomic_store_explicit(x86_slot(p, cpu, vector), NULL,
						      memory_order_release);
				msk_matrix_free(p->matrix, cpu, vector, managed);
				atomic_fetch_add(&p->cleaned, 1);
				p->nparked--;
				atomic_fetch_sub(&p->nrecords, 1);
			}
		}
	}
}

/* a goes away: the table entries of parked vectors stop naming it (they stay parked). */
static void unpark_owner(struct x86_vector *p, struct x86_apicd *a)
{
	for (unsigned int cpu = 0; p->nparked && cpu < p->ncpus; cpu++) {
		const struct x86_parked *pk = &p->parked[cpu];
		for (unsigned int w = 0; w < X86_NR_VECTORS / 64; w++) {
			for (uint64_t left = pk->bits[w]; left; left &= left - 1) {
				unsigned int vector = w * 64 + (unsigned int)__builtin_ctzll(left);
				struct x86_apicd *_Atomic *slot = x86_slot(p, cpu, vector);
				if (atomic_load(slot) == a)
					atomic_store_explicit(slot, NULL, memory_order_release);
			}
		}
	}
}

/* ---- retiring vectors -------------------------------------------------------------------- */

/*
 * Retire vector (cpu, vector) of `a`, which nothing points at any more:
 * released at once when nothing can still arrive on it; otherwise it
 * becomes a's previous vector in the cleanup list (released also only
 * once the move has completed if `wait_move`) or, when a's record is
 * taken already, it is parked on its CPU (without waiting for a move: only
 * a forced move can find the record taken). Returns true if it waits in
 * a's record.
 */
static bool retire(struct x86_vector *p, struct x86_apicd *a, unsigned int cpu, unsigned int vector,
		   bool wait_move)
{
	if (!wait_move && !vector_pending(p, cpu, vector)) {
		release_now(p, a, cpu, vector, a->is_managed);
		return false;
	}
	if (!x86_apicd_on_cleanup(a)) {
		record_prev(p, a, cpu, vector);
		return true;
	}
	park(p, cpu, vector, a->is_managed);
	return false;
}

/*
 * Linux irq_force_complete_move(), before a forced move or a deactivation
 * (vector_lock held): a move in progress ends here, without an interrupt on
 * its new vector. The previous vector is released now unless an interrupt
 * on it is still pending or in service - Linux frees it regardless and
 * warns; here it stays in the record until its CPU has taken that
 * interrupt, which its table entry still delivers to this irq.
 */
static void force_complete(struct x86_vector *p, struct x86_apicd *a)
{
	if (atomic_exchange(&a->move_in_progress, false))
		atomic_fetch_add(&p->moves_forced, 1);
	if (x86_apicd_on_cleanup(a) && !vector_pending(p, a->prev_cpu, a->prev_vector))
		free_moved_vector(p, a);
}

void x86_vector_cleanup_locked(struct x86_vector *p)
{
	for (struct x86_apicd *a = p->cleanup, *next; a; a = next) {
		next = a->clist_next;
		if (!atomic_load(&a->move_in_progress) &&
		    !vector_pending(p, a->prev_cpu, a->prev_vector))
			free_moved_vector(p, a);
	}
	if (p->nparked)
		cleanup_parked(p);
}

void x86_vector_cleanup(struct x86_vector *p)
{
	pthread_mutex_lock(&p->vector_lock);
	x86_vector_cleanup_locked(p);
	pthread_mutex_unlock(&p->vector_lock);
}

void x86_vector_flush_cpu_locked(struct x86_vector *p, unsigned int cpu)
{
	for (struct x86_apicd *a = p->cleanup; a; a = a->clist_next) {
		/* The old CPU is gone: the move is over whether or not the new vector fired. */
		if (a->prev_cpu == cpu && atomic_exchange(&a->move_in_progress, false))
			atomic_fetch_add(&p->moves_forced, 1);
	}
	x86_vector_cleanup_locked(p);
}

bool x86_vector_is_live(struct x86_vector *p, struct x86_apicd *a, unsigned int cpu,
			unsigned int vector)
{
	(void)cpu;
	(void)vector;
	/*
	 * Only clear_irq_vector() (deactivation) writes VECTOR_SHUTDOWN; a move
	 * away from the dying CPU leaves its old entry naming the descriptor.
	 * Not modelled: an irq deactivated and activated again since.
	 */
	pthread_mutex_lock(&p->vector_lock);
	bool live = a->has_vector;
	pthread_mutex_unlock(&p->vector_lock);
	return live;
}

void x86_vector_fini(struct x86_vector *p)
{
	/* Every apic_data is gone with its domain: what was listed or parked goes with the matrix. */
	p->cleanup = NULL;
	p->nparked = 0;
	atomic_store(&p->nrecords, 0);
	msk_matrix_destroy(p->matrix);
	p->matrix = NULL;
	msk_free(p->parked);
	p->parked = NULL;
	msk_free(p->table);
	p->table = NULL;
}

/*
 * a goes away: give (cpu, vector) back, or park it while an interrupt on
 * it is still pending or in service (unpark_owner() then empties its
 * table entry, so that interrupt is lost as vector-not-assigned and never
 * reaches whichever irq gets the vector next).
 */
static void let_go(struct x86_vector *p, struct x86_apicd *a, unsigned int cpu, unsigned int vector)
{
	if (vector_pending(p, cpu, vector))
		park(p, cpu, vector, a->is_managed);
	else
		release_now(p, a, cpu, vector, a->is_managed);
}

/* ENOSPC message with every online CPU's available count appended. */
static int nospc_with_counts(struct x86_vector *p, unsigned int virq)
{
	char counts[256];
	size_t used = 0;
	counts[0] = '\0';
	for (unsigned int c = 0; c < p->ncpus && used < sizeof(counts) - 32; c++) {
		struct msk_matrix_cpu_stats st;
		msk_matrix_cpu_stats(p->matrix, c, &st);
		int n = snprintf(counts + used, sizeof(counts) - used, "%sCPU %u: %u available%s",
				 used ? ", " : "", c, st.available, st.online ? "" : " (offline)");
		if (n > 0)
			used += (size_t)n;
	}
	return msk_err_context("VECTOR: virq %u [%s]", virq, counts);
}

/* ---- the chip ------------------------------------------------------------------------ */

static void apic_ack(struct msk_irq_data *d)
{
	struct x86_apicd *a = d->chip_data;
	if (!atomic_load_explicit(&a->move_in_progress, memory_order_acquire))
		return;
	if (x86_cur.p != a->p || x86_cur.cpu != atomic_load(&a->cpu) ||
	    x86_cur.vector != atomic_load(&a->vector))
		return; /* still arriving on the old vector */
	bool expected = true;
	if (atomic_compare_exchange_strong(&a->move_in_progress, &expected, false)) {
		atomic_fetch_add(&a->p->moves_completed, 1);
	}
}

static void apic_compose(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	struct x86_apicd *a = d->chip_data;
	unsigned int cpu = atomic_load(&a->cpu);
	msg->address_lo = msk_x86_msi_compat_addr((uint8_t)x86_apic_id(a->p, cpu), false, false);
	msg->address_hi = 0;
	msg->data =
		msk_x86_msi_compat_data((uint8_t)atomic_load(&a->vector), MSK_APIC_DM_FIXED, false);
}

/* Allocate a real vector for `a` on the online CPUs of `mask`. vector_lock held. */
static int alloc_vector(struct x86_vector *p, struct x86_apicd *a, const struct msk_cpumask *mask,
			bool reserved, unsigned int *cpu)
{
	if (a->is_managed)
		return msk_matrix_alloc_managed(p->matrix, mask, cpu);
	return msk_matrix_alloc(p->matrix, mask, reserved, cpu);
}

static int apic_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force)
{
	struct x86_apicd *a = d->chip_data;
	struct x86_vector *p = a->p;
	char list[96];
	pthread_mutex_lock(&p->vector_lock);
	x86_vector_cleanup_locked(p);
	int rc = MSK_IRQ_SET_MASK_OK;
	if (!a->has_vector)
		goto out; /* not assigned: the next activation uses the new mask */
	struct msk_cpumask on = online_cpus(p), target;
	msk_cpumask_and(&target, mask, &on);
	if (msk_cpumask_empty(&target)) {
		rc = msk_err(MSK_EINVAL, "VECTOR: virq %u: no online CPU in {%s}", a->virq,
			     msk_cpumask_format(mask, list, sizeof(list)));
		goto out;
	}
	unsigned int old_cpu = atomic_load(&a->cpu), old_vec = atomic_load(&a->vector);
	if (msk_cpumask_test(&target, old_cpu)) {
		/* Already there: no point in moving (as Linux). */
		struct msk_cpumask one = msk_cpumask_of(old_cpu);
		msk_irq_data_update_effective_affinity(d, &one);
		goto out;
	}
	/* Checked after "already there", as Linux: staying put needs no cleanup. */
	if (!force && (atomic_load(&a->move_in_progress) || x86_apicd_on_cleanup(a))) {
		rc = msk_err(MSK_EBUSY,
			     "VECTOR: virq %u: a move from vector 0x%x on CPU %u is in progress",
			     a->virq, a->prev_vector, a->prev_cpu);
		goto out;
	}
	unsigned int cpu;
	int vec = alloc_vector(p, a, &target, false, &cpu);
	if (vec < 0) {
		rc = vec;
		msk_err_context("VECTOR: virq %u: move", a->virq);
		goto out;
	}
	/* From here on nothing can fail: a forced move must not (the CPU goes regardless). */
	if (force)
		force_complete(p, a);
	publish(p, cpu, (unsigned int)vec, a);
	atomic_store(&a->vector, (unsigned int)vec);
	atomic_store(&a->cpu, cpu);
	/*
	 * The old vector stays valid until an interrupt arrives on the new one
	 * (Linux move_in_progress) - unless its CPU is going or gone: then only
	 * what is pending there still counts (Linux frees it at once).
	 */
	bool old_online = msk_cpumask_test(&on, old_cpu);
	if (retire(p, a, old_cpu, old_vec, old_online) && old_online)
		atomic_store_explicit(&a->move_in_progress, true, memory_order_release);
	atomic_fetch_add(&p->moves, 1);
	struct msk_cpumask one = msk_cpumask_of(cpu);
	msk_irq_data_update_effective_affinity(d, &one);
out:
	pthread_mutex_unlock(&p->vector_lock);
	return rc;
}

static const struct msk_irq_chip apic_chip = {
	.name = "APIC",
	.irq_ack = apic_ack,
	.irq_set_affinity = apic_set_affinity,
	.irq_compose_msi_msg = apic_compose,
};

/* ---- the domain ------------------------------------------------------------------------- */

/* Undo the allocation-time resources of one virq (vector_lock held). */
static void release_all_locked(struct x86_vector *p, struct x86_apicd *a)
{
	atomic_store(&a->move_in_progress, false);
	if (x86_apicd_on_cleanup(a)) {
		unsigned int cpu = a->prev_cpu, vector = a->prev_vector;
		clist_del(p, a);
		let_go(p, a, cpu, vector);
	}
	if (a->has_vector) {
		let_go(p, a, atomic_load(&a->cpu), atomic_load(&a->vector));
		a->has_vector = false;
	}
	unpark_owner(p, a);
	if (a->has_reserved) {
		msk_matrix_remove_reserved(p->matrix);
		a->has_reserved = false;
	}
	if (a->has_slots) {
		msk_matrix_remove_managed(p->matrix, &a->managed_mask);
		a->has_slots = false;
	}
}

static void free_apicd_cb(msk_rcu_head *head)
{
	msk_free(caa_container_of(head, struct x86_apicd, rcu));
}

static void vector_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	struct x86_vector *p = plat_of(d);
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *irqd = msk_domain_get_irq_data(d, virq + i);
		if (!irqd || !irqd->chip_data)
			continue;
		struct x86_apicd *a = irqd->chip_data;
		pthread_mutex_lock(&p->vector_lock);
		release_all_locked(p, a);
		pthread_mutex_unlock(&p->vector_lock);
		if (a->dev_domain)
			msk_msi_monitor_resource(a->dev_domain, "vector", -1);
		msk_domain_reset_irq_data(irqd);
		msk_call_rcu(&a->rcu, free_apicd_cb);
	}
}

static int vector_alloc_one(struct x86_vector *p, struct msk_irq_domain *d, unsigned int virq)
{
	struct msk_irq_data *irqd = msk_domain_get_irq_data(d, virq);
	if (!irqd)
		return msk_err(MSK_EINVAL, "VECTOR: virq %u has no VECTOR level", virq);
	struct x86_apicd *a = msk_calloc(1, sizeof(*a));
	if (!a)
		return msk_err(MSK_ENOMEM, "VECTOR: virq %u", virq);
	a->p = p;
	a->virq = virq;
	a->is_managed = msk_irq_data_is_managed(irqd);
	struct msk_cpumask all;
	msk_cpumask_fill(&all, p->ncpus);
	int rc;
	pthread_mutex_lock(&p->vector_lock);
	x86_vector_cleanup_locked(p);
	if (a->is_managed) {
		msk_cpumask_and(&a->managed_mask, msk_irq_data_affinity(irqd), &all);
		rc = msk_matrix_reserve_managed(p->matrix, &a->managed_mask);
		a->has_slots = rc == 0;
	} else {
		rc = msk_matrix_reserve(p->matrix);
		a->has_reserved = rc == 0;
		a->can_reserve = true;
	}
	if (rc == -MSK_ENOSPC)
		nospc_with_counts(p, virq);
	point_at_shutdown(p, a);
	pthread_mutex_unlock(&p->vector_lock);
	if (rc < 0) {
		msk_free(a);
		return rc;
	}
	msk_domain_set_hwirq_and_chip(d, virq, virq, &apic_chip, a);
	if (a->can_reserve)
		msk_irq_data_set_can_reserve(irqd, true);
	struct msk_irq_data *top = msk_desc_irq_data(irqd->desc);
	if (top && msk_msi_domain_get_info(top->domain)) {
		a->dev_domain = top->domain;
		msk_msi_monitor_resource(a->dev_domain, "vector", 1);
	}
	return 0;
}

static int vector_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	struct x86_vector *p = plat_of(d);
	for (unsigned int i = 0; i < nr; i++) {
		int rc = vector_alloc_one(p, d, virq + i);
		if (rc < 0) {
			vector_free(d, virq, i);
			return rc;
		}
	}
	return 0;
}

static int vector_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	struct x86_vector *p = plat_of(d);
	struct x86_apicd *a = irqd->chip_data;
	int rc = 0;
	pthread_mutex_lock(&p->vector_lock);
	x86_vector_cleanup_locked(p);
	if (a->has_vector)
		goto out;
	struct msk_cpumask on = online_cpus(p), target;
	msk_cpumask_and(&target, msk_irq_data_affinity(irqd), &on);
	if (reserve || (a->is_managed && msk_cpumask_empty(&target))) {
		/* Reservation, or managed with no CPU: the shutdown vector. */
		point_at_shutdown(p, a);
		goto out;
	}
	unsigned int cpu;
	int vec;
	if (a->is_managed) {
		vec = msk_matrix_alloc_managed(p->matrix, &target, &cpu);
	} else {
		bool reserved = a->has_reserved;
		if (msk_cpumask_empty(&target))
			target = on;
		vec = msk_matrix_alloc(p->matrix, &target, reserved, &cpu);
		if (vec == -MSK_ENOSPC && reserved && !msk_cpumask_equal(&target, &on))
			vec = msk_matrix_alloc(p->matrix, &on, reserved, &cpu); /* any online CPU */
		if (vec >= 0)
			a->has_reserved = false;
	}
	if (vec < 0) {
		rc = vec;
		if (rc == -MSK_ENOSPC)
			nospc_with_counts(p, a->virq);
		goto out;
	}
	publish(p, cpu, (unsigned int)vec, a);
	atomic_store(&a->vector, (unsigned int)vec);
	atomic_store(&a->cpu, cpu);
	a->has_vector = true;
	struct msk_cpumask one = msk_cpumask_of(cpu);
	msk_irq_data_update_effective_affinity(irqd, &one);
out:
	pthread_mutex_unlock(&p->vector_lock);
	return rc;
}

static void vector_deactivate(struct msk_irq_domain *d, struct msk_irq_data *irqd)
{
	struct x86_vector *p = plat_of(d);
	struct x86_apicd *a = irqd->chip_data;
	pthread_mutex_lock(&p->vector_lock);
	if (a->has_vector) {
		/* Linux clear_irq_vector(): a move in progress ends; nothing is allocated. */
		force_complete(p, a);
		retire(p, a, atomic_load(&a->cpu), atomic_load(&a->vector), false);
		a->has_vector = false;
		/* Back to reservation mode (Linux reserve_irq_vector_locked). */
		if (a->can_reserve && !a->has_reserved)
			a->has_reserved = msk_matrix_reserve(p->matrix) == 0;
	}
	point_at_shutdown(p, a);
	x86_vector_cleanup_locked(p);
	pthread_mutex_unlock(&p->vector_lock);
}

static void vector_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			      size_t size)
{
	struct x86_vector *p = plat_of(d);
	if (!irqd) {
		struct msk_matrix_stats st;
		pthread_mutex_lock(&p->vector_lock);
		msk_matrix_stats(p->matrix, &st);
		pthread_mutex_unlock(&p->vector_lock);
		snprintf(buf, size, "online CPUs: %u, available: %u, reserved: %u, allocated: %u",
			 st.online_cpus, st.global_available, st.global_reserved,
			 st.total_allocated);
		return;
	}
	struct x86_apicd *a = irqd->chip_data;
	if (!a) {
		snprintf(buf, size, "%s", "");
		return;
	}
	pthread_mutex_lock(&p->vector_lock);
	snprintf(buf, size,
		 "vector: %u target: %u previous vector: %u previous target: %u "
		 "move_in_progress: %d is_managed: %d can_reserve: %d has_reserved: %d "
		 "cleanup_pending: %d",
		 atomic_load(&a->vector), atomic_load(&a->cpu),
		 atomic_load(&a->move_in_progress) ? a->prev_vector : 0,
		 atomic_load(&a->move_in_progress) ? a->prev_cpu : 0,
		 atomic_load(&a->move_in_progress), a->is_managed, a->can_reserve, a->has_reserved,
		 x86_apicd_on_cleanup(a));
	pthread_mutex_unlock(&p->vector_lock);
}

static const struct msk_irq_domain_ops vector_ops = {
	.alloc = vector_alloc,
	.free = vector_free,
	.activate = vector_activate,
	.deactivate = vector_deactivate,
	.debug_show = vector_debug_show,
};

/* ---- the MSI parent ------------------------------------------------------------------ */

static int x86_msi_prepare(struct msk_irq_domain *d, struct msk_device *dev, unsigned int nvec,
			   struct msk_msi_alloc_info *arg)
{
	memset(arg, 0, sizeof(*arg));
	switch (msk_domain_bus_token(d)) {
	case MSK_DOMAIN_BUS_PCI_DEVICE_MSIX:
		arg->flags = X86_ALLOC_TYPE_PCI_MSIX;
		break;
	case MSK_DOMAIN_BUS_PCI_DEVICE_IMS:
		arg->flags = X86_ALLOC_TYPE_IMS;
		break;
	default:
		arg->flags = X86_ALLOC_TYPE_PCI_MSI;
		break;
	}
	return 0;
}

/*
 * Linux x86_init_dev_msi_info, reached directly (VECTOR is the parent) or
 * through INTEL-IR-0 (real_parent is then the remapping domain, whose
 * supported flags apply).
 */
static bool x86_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				  struct msk_irq_domain *real_parent,
				  struct msk_msi_domain_info *info)
{
	if (!msk_msi_lib_init_dev_msi_info(dev, domain, real_parent, info))
		return false;
	info->ops->msi_prepare = x86_msi_prepare;
	return true;
}

static const struct msk_msi_parent_ops vector_msi_parent_ops = {
	.supported_flags = MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN,
	.required_flags = MSK_MSI_FLAG_USE_DEF_DOM_OPS | MSK_MSI_FLAG_USE_DEF_CHIP_OPS,
	.chip_flags = MSK_MSI_CHIP_FLAG_SET_ACK,
	.bus_select_token = MSK_DOMAIN_BUS_ANY,
	.prefix = "",
	.init_dev_msi_info = x86_init_dev_msi_info,
};

int x86_vector_init(struct x86_vector *p)
{
	int rc = msk_matrix_create(X86_NR_VECTORS, X86_FIRST_VECTOR, X86_FIRST_SYSTEM, p->ncpus,
				   &p->matrix);
	if (rc < 0)
		return rc;
	rc = msk_matrix_assign_system(p->matrix, X86_SYSCALL_VECTOR);
	for (unsigned int c = 0; rc == 0 && c < p->ncpus; c++)
		rc = msk_matrix_online(p->matrix, c);
	if (rc < 0)
		return rc;
	p->table = msk_calloc((size_t)p->ncpus * X86_NR_VECTORS, sizeof(*p->table));
	p->parked = msk_calloc(p->ncpus, sizeof(*p->parked));
	if (!p->table || !p->parked)
		return msk_err(MSK_ENOMEM, "x86: vector tables of %u CPUs", p->ncpus);
	struct msk_irq_domain_info di = {
		.name = "VECTOR",
		.ops = &vector_ops,
		.host_data = p,
		.bus_token = MSK_DOMAIN_BUS_ANY,
	};
	rc = msk_domain_create(p->core, &di, &p->vector_domain);
	if (rc < 0)
		return rc;
	return msk_msi_set_parent_ops(p->vector_domain, &vector_msi_parent_ops);
}

struct x86_apicd *x86_vector_apicd(struct x86_vector *p, unsigned int virq)
{
	if (!p->vector_domain)
		return NULL;
	struct msk_irq_data *irqd = msk_domain_get_irq_data(p->vector_domain, virq);
	return irqd ? irqd->chip_data : NULL;
}
