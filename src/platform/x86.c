/* SPDX-License-Identifier: MIT */
/*
 * The x86 platform: the LAPIC/MSI-window/VT-d model plus the VECTOR and
 * (with cfg.x86.ir) INTEL-IR-0 drivers, the CPU service (the interrupt
 * entry: take from the LAPIC, look the vector up in the CPU's vector
 * table, run the core's entry path, EOI) and CPU hotplug.
 */
#include "platform/x86.h"

#include <msikit/cpuhotplug.h>
#include <msikit/pci.h>

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

/* Bound on the interrupts drained from a CPU going offline. */
#define DRAIN_LIMIT 4096u

/* Hand `weight` (which may exceed 32 bits after coalescing) to the entry path. */
static void deliver(struct x86_vector *p, unsigned int cpu, unsigned int virq, uint64_t weight)
{
	do {
		uint32_t w = weight > UINT32_MAX ? UINT32_MAX : (uint32_t)weight;
		msk_domain_handle_irq(p->vector_domain, cpu, virq, w);
		weight -= w;
	} while (weight);
}

static void lose(struct x86_vector *p, enum msk_loss why, uint64_t weight)
{
	struct msk_ledger *l = msk_bus_ledger(p->bus);
	do {
		uint32_t w = weight > UINT32_MAX ? UINT32_MAX : (uint32_t)weight;
		msk_ledger_lose(l, why, w);
		weight -= w;
	} while (weight);
}

/*
 * Take and handle up to max interrupts on cpu (its thread, or the drain of
 * a CPU going offline). `dying`: Linux's fixup_irqs() (6.12,
 * arch/x86/kernel/irq.c) retriggers only the pending vectors whose
 * vector_irq entry still names a descriptor - the current vector of an
 * irq that could not move, the previous one of a move - and skips the
 * others (VECTOR_SHUTDOWN: a managed irq shut down, an irq deactivated);
 * their IRR bits die with the CPU (INIT clears them when it comes back).
 * Here a live one is handled on the dying CPU (same fate: delivered), any
 * other is lost "cpu-offline".
 */
static int service(struct x86_vector *p, unsigned int cpu, unsigned int max, bool dying)
{
	int n = 0;
	while ((unsigned int)n < max) {
		uint8_t vector;
		uint64_t weight;
		if (msk_x86_take(p->x86, cpu, &vector, &weight) <= 0)
			break;
		n++;
		msk_rcu_read_lock();
		struct x86_apicd *a =
			atomic_load_explicit(x86_slot(p, cpu, vector), memory_order_acquire);
		if (a && dying && !x86_vector_is_live(p, a, cpu, vector)) {
			lose(p, MSK_LOSS_CPU_OFFLINE, weight);
		} else if (a) {
			x86_cur = (struct x86_current){ p, cpu, vector };
			deliver(p, cpu, a->virq, weight);
			x86_cur.p = NULL;
		} else {
			atomic_fetch_add_explicit(&p->not_assigned, 1, memory_order_relaxed);
			lose(p, MSK_LOSS_VECTOR_NOT_ASSIGNED, weight);
		}
		msk_rcu_read_unlock();
		msk_x86_eoi(p->x86, cpu);
	}
	atomic_fetch_add_explicit(&p->taken, (uint64_t)n, memory_order_relaxed);
	if (atomic_load_explicit(&p->nrecords, memory_order_relaxed))
		x86_vector_cleanup(p);
	return n;
}

static int x86_cpu_service(struct msk_platform *pl, unsigned int cpu, unsigned int max)
{
	return service(x86_vec(pl), cpu, max, false);
}

/* Bare mode: one raw vector, ended at once (its handling is the caller's business). */
static int x86_cpu_take(struct msk_platform *pl, unsigned int cpu, uint64_t *id, uint64_t *weight)
{
	struct x86_vector *p = x86_vec(pl);
	if (!pl->cfg.bare)
		return msk_err(MSK_ENOTSUP,
			       "x86: CPU %u is serviced by the drivers "
			       "(msk_platform_cpu_service)",
			       cpu);
	uint8_t vector;
	uint64_t w;
	int rc = msk_x86_take(p->x86, cpu, &vector, &w);
	if (rc <= 0)
		return rc;
	msk_x86_eoi(p->x86, cpu);
	*id = vector;
	*weight = w;
	/* Bare: the guest that takes the vector is its consumer - its events are delivered. */
	for (uint64_t left = w; left;) {
		uint32_t part = left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
		msk_ledger_deliver(msk_bus_ledger(pl->bus), part);
		left -= part;
	}
	return 1;
}

static uint64_t x86_held(struct msk_platform *pl)
{
	return msk_x86_held(x86_vec(pl)->x86);
}

static struct msk_irq_domain *x86_msi_parent(struct msk_platform *pl)
{
	struct x86_vector *p = x86_vec(pl);
	return p->ir_domain ? p->ir_domain : p->vector_domain;
}

/*
 * Offline: refuse when the other CPUs cannot take the CPU's vectors; take
 * it out of the matrix and the core (which moves or shuts down its
 * interrupts); let it handle what is still pending in its APIC on vectors
 * still live (service(), `dying`: the rest is lost "cpu-offline", as in
 * Linux's fixup_irqs()); release every vector left there.
 */
static int x86_cpu_offline(struct msk_platform *pl, unsigned int cpu)
{
	struct x86_vector *p = x86_vec(pl);
	if (pl->cfg.bare)
		return msk_err(MSK_ENOTSUP, "x86: a bare platform has no drivers to move vectors");
	if (cpu >= p->ncpus)
		return msk_err(MSK_EINVAL, "x86: no CPU %u", cpu);
	struct msk_cpumask on = msk_core_online_cpus(pl->core);
	if (!msk_cpumask_test(&on, cpu))
		return msk_err(MSK_EALREADY, "x86: CPU %u is already offline", cpu);
	if (msk_cpumask_weight(&on) == 1)
		return msk_err(MSK_EINVAL, "x86: CPU %u is the last online CPU", cpu);
	pthread_mutex_lock(&p->vector_lock);
	x86_vector_cleanup_locked(p);
	int rc = msk_matrix_can_offline(p->matrix, cpu, NULL);
	if (rc == 0)
		rc = msk_matrix_offline(p->matrix, cpu);
	pthread_mutex_unlock(&p->vector_lock);
	if (rc < 0)
		return rc;
	rc = msk_irq_cpu_offline(pl->core, cpu, NULL);
	on = msk_core_online_cpus(pl->core);
	if (rc < 0 && msk_cpumask_test(&on, cpu)) {
		/* The core refused before changing anything: undo the matrix. */
		pthread_mutex_lock(&p->vector_lock);
		msk_matrix_online(p->matrix, cpu);
		pthread_mutex_unlock(&p->vector_lock);
		return rc;
	}
	int err = rc;
	service(p, cpu, DRAIN_LIMIT, true);
	pthread_mutex_lock(&p->vector_lock);
	msk_cpumask_set(&p->dying, cpu);
	x86_vector_flush_cpu_locked(p, cpu);
	msk_cpumask_unset(&p->dying, cpu);
	pthread_mutex_unlock(&p->vector_lock);
	return err;
}

static int x86_cpu_online(struct msk_platform *pl, unsigned int cpu)
{
	struct x86_vector *p = x86_vec(pl);
	if (pl->cfg.bare)
		return msk_err(MSK_ENOTSUP, "x86: a bare platform has no drivers");
	if (cpu >= p->ncpus)
		return msk_err(MSK_EINVAL, "x86: no CPU %u", cpu);
	pthread_mutex_lock(&p->vector_lock);
	int rc = msk_matrix_online(p->matrix, cpu);
	pthread_mutex_unlock(&p->vector_lock);
	if (rc < 0)
		return rc;
	rc = msk_irq_cpu_online(pl->core, cpu, NULL);
	if (rc == -MSK_EALREADY || rc == -MSK_EINVAL) {
		pthread_mutex_lock(&p->vector_lock);
		msk_matrix_offline(p->matrix, cpu);
		pthread_mutex_unlock(&p->vector_lock);
	}
	return rc;
}

static int x86_pci_add(struct msk_platform *pl, struct msk_pcifn *fn, struct msk_pci_dev **out)
{
	if (pl->cfg.bare)
		return msk_err(MSK_ENOTSUP, "x86: a bare platform has no OS view of devices");
	return msk_pci_dev_create_pcifn(pl->core, msk_platform_device_msi_parent(pl), fn, 0, out);
}

static int x86_pci_remove(struct msk_platform *pl, struct msk_pci_dev *pdev)
{
	return msk_pci_dev_destroy(pdev);
}

static void x86_layout(struct msk_platform *pl, struct msk_platform_layout *out)
{
	out->msi = MSK_X86_MSI_BASE;
	out->iommu = pl->cfg.x86.ir ? MSK_X86_IR_BASE : 0;
}

static size_t x86_counters(struct msk_platform *pl, struct msk_platform_counter *out, size_t max)
{
	struct x86_vector *p = x86_vec(pl);
	if (!p->matrix)
		return 0;
	struct msk_matrix_stats st;
	unsigned int irte_used, irte_size, parked;
	pthread_mutex_lock(&p->vector_lock);
	msk_matrix_stats(p->matrix, &st);
	x86_ir_counts(p, &irte_used, &irte_size);
	parked = p->nparked;
	pthread_mutex_unlock(&p->vector_lock);
	uint64_t faults, overflows, events;
	x86_dmar_counts(p, &faults, &overflows, &events);
	const struct {
		const char *name;
		int64_t value;
	} c[] = {
		{ "vectors", st.total_allocated },
		{ "vectors_available", st.global_available },
		{ "vectors_reserved", st.global_reserved },
		{ "irtes", irte_used },
		{ "irte_table_size", irte_size },
		{ "moves", (int64_t)atomic_load(&p->moves) },
		{ "moves_completed", (int64_t)atomic_load(&p->moves_completed) },
		{ "moves_forced", (int64_t)atomic_load(&p->moves_forced) },
		{ "vectors_cleaned", (int64_t)atomic_load(&p->cleaned) },
		{ "cleanup_pending", atomic_load(&p->nrecords) },
		{ "vectors_parked", parked },
		{ "vector_not_assigned", (int64_t)atomic_load(&p->not_assigned) },
		{ "interrupts_taken", (int64_t)atomic_load(&p->taken) },
		{ "ir_faults", (int64_t)faults },
		{ "ir_fault_overflows", (int64_t)overflows },
		{ "ir_fault_events", (int64_t)events },
	};
	size_t n = 0;
	for (; n < sizeof(c) / sizeof(c[0]) && n < max; n++) {
		memset(out[n].name, 0, sizeof(out[n].name));
		strncpy(out[n].name, c[n].name, sizeof(out[n].name) - 1);
		out[n].value = c[n].value;
	}
	return n;
}

/*
 * Tear down: the domains first (they must have no devices left), then the
 * drivers' state, then the model. If a domain is still in use the platform
 * state is kept (leaked) rather than left dangling under live domains.
 */
static void x86_destroy(struct msk_platform *pl)
{
	struct x86_vector *p = x86_vec(pl);
	if (p->ir_domain && msk_domain_remove(p->ir_domain) < 0)
		return;
	p->ir_domain = NULL;
	if (x86_dmar_fini(p) < 0)
		return;
	if (p->vector_domain && msk_domain_remove(p->vector_domain) < 0)
		return;
	p->vector_domain = NULL;
	msk_rcu_barrier(); /* every apic_data freed by RCU is gone */
	x86_ir_fini(p);
	x86_vector_fini(p);
	if (p->x86 && msk_x86_destroy(p->x86) < 0)
		return;
	pthread_mutex_destroy(&p->vector_lock);
	msk_free(x86_of(pl));
}

/* With remapping: the IRTE fetch fault; without, none. */
static enum msk_platform_fault_kind x86_fault_default(struct msk_platform *pl)
{
	return msk_x86_has_ir(x86_vec(pl)->x86) ? MSK_PLATFORM_FAULT_IRTE
						: MSK_PLATFORM_FAULT_DEFAULT;
}

/* The injection point is the model's IRTE fetch (msk_x86_vtd_inject_irte_fault). */
static int x86_fault_arm(struct msk_platform *pl, enum msk_platform_fault_kind kind, uint64_t nth)
{
	struct x86_vector *p = x86_vec(pl);
	if (kind != MSK_PLATFORM_FAULT_IRTE)
		return msk_err(MSK_ENOTSUP,
			       "x86: no \"%s\" controller fault (x86 injects \"irte\": an IRTE "
			       "fetch fault, with x86.ir = true)",
			       msk_platform_fault_name(kind));
	if (!msk_x86_has_ir(p->x86))
		return msk_err(MSK_ENOTSUP, "x86: the \"irte\" controller fault needs interrupt "
					    "remapping (x86.ir = true): there are no IRTEs");
	return msk_x86_vtd_inject_irte_fault(p->x86, nth);
}

static void x86_fault_state(struct msk_platform *pl, struct msk_platform_fault_state *out)
{
	struct msk_x86 *x86 = x86_vec(pl)->x86;
	struct msk_vtd_injection inj;
	if (!msk_x86_has_ir(x86) || msk_x86_vtd_injection(x86, &inj) < 0 || !inj.ever)
		return; /* never armed: all zero */
	out->kind = MSK_PLATFORM_FAULT_IRTE;
	out->nth = inj.nth;
	out->seen = inj.seen;
	out->fired = inj.fired;
	snprintf(out->what, sizeof(out->what), "%s", inj.what);
}

static const struct msk_platform_ops x86_ops = {
	.arch = "x86",
	.destroy = x86_destroy,
	.msi_parent = x86_msi_parent,
	.cpu_service = x86_cpu_service,
	.cpu_take = x86_cpu_take,
	.held = x86_held,
	.cpu_offline = x86_cpu_offline,
	.cpu_online = x86_cpu_online,
	.pci_add = x86_pci_add,
	.pci_remove = x86_pci_remove,
	.layout = x86_layout,
	.counters = x86_counters,
	.fault_arm = x86_fault_arm,
	.fault_state = x86_fault_state,
	.fault_default = x86_fault_default,
	.route = x86_route,
};

int msk_x86_platform_create(struct msk_core *core, struct msk_bus *bus,
			    const struct msk_platform_config *cfg, struct msk_platform **out)
{
	if (!core || !bus || !cfg || !out)
		return msk_err(MSK_EINVAL, "x86 platform: missing argument");
	if (cfg->ncpus < 1 || cfg->ncpus > msk_core_nr_cpus(core) || cfg->ncpus > 255)
		return msk_err(MSK_EINVAL, "x86 platform: %u CPUs (1..%u, at most 255 xAPIC IDs)",
			       cfg->ncpus, msk_core_nr_cpus(core));
	struct x86_platform *p = msk_calloc(1, sizeof(*p));
	if (!p)
		return msk_err(MSK_ENOMEM, "x86 platform");
	p->base.ops = &x86_ops;
	p->base.core = core;
	p->base.bus = bus;
	p->base.cfg = *cfg;
	p->vec.core = core;
	p->vec.bus = bus;
	p->vec.ncpus = cfg->ncpus;
	p->vec.ir_regs = MSK_X86_IR_BASE;
	p->vec.table_base = cfg->table_base;
	p->vec.table_size = cfg->table_size;
	pthread_mutex_init(&p->vec.vector_lock, NULL);
	struct msk_x86_config xc = {
		.ncpus = cfg->ncpus,
		.ir_base = cfg->x86.ir ? MSK_X86_IR_BASE : 0,
	};
	int rc = msk_x86_create(bus, &xc, &cfg->notify, &p->vec.x86);
	if (rc < 0) {
		pthread_mutex_destroy(&p->vec.vector_lock);
		msk_free(p);
		return rc;
	}
	if (!cfg->bare) {
		rc = x86_vector_init(&p->vec);
		if (rc == 0 && cfg->x86.ir)
			rc = x86_ir_init(&p->vec);
		if (rc < 0) {
			msk_err_context("x86 platform");
			x86_destroy(&p->base);
			return rc;
		}
	}
	*out = &p->base;
	return 0;
}

struct msk_x86 *msk_x86_platform_model(struct msk_platform *pl)
{
	if (!pl || strcmp(pl->ops->arch, "x86") != 0)
		return NULL;
	return x86_vec(pl)->x86;
}

static struct x86_vector *with_matrix(struct msk_platform *pl)
{
	if (!pl || strcmp(pl->ops->arch, "x86") != 0 || !x86_vec(pl)->matrix)
		return NULL;
	return x86_vec(pl);
}

int msk_x86_platform_matrix_stats(struct msk_platform *pl, struct msk_matrix_stats *out)
{
	struct x86_vector *p = with_matrix(pl);
	if (!p || !out)
		return msk_err(MSK_EINVAL, "not an x86 platform with drivers");
	pthread_mutex_lock(&p->vector_lock);
	msk_matrix_stats(p->matrix, out);
	pthread_mutex_unlock(&p->vector_lock);
	return 0;
}

int msk_x86_platform_matrix_cpu_stats(struct msk_platform *pl, unsigned int cpu,
				      struct msk_matrix_cpu_stats *out)
{
	struct x86_vector *p = with_matrix(pl);
	if (!p || !out)
		return msk_err(MSK_EINVAL, "not an x86 platform with drivers");
	pthread_mutex_lock(&p->vector_lock);
	int rc = msk_matrix_cpu_stats(p->matrix, cpu, out);
	pthread_mutex_unlock(&p->vector_lock);
	return rc;
}

size_t msk_x86_platform_matrix_dump(struct msk_platform *pl, char *buf, size_t size)
{
	struct x86_vector *p = with_matrix(pl);
	if (!p) {
		if (buf && size)
			buf[0] = '\0';
		return 0;
	}
	pthread_mutex_lock(&p->vector_lock);
	size_t n = msk_matrix_dump(p->matrix, buf, size);
	pthread_mutex_unlock(&p->vector_lock);
	return n;
}

unsigned int msk_x86_platform_cleanup(struct msk_platform *pl)
{
	struct x86_vector *p = with_matrix(pl);
	if (!p)
		return 0;
	uint64_t before = atomic_load(&p->cleaned);
	x86_vector_cleanup(p);
	return (unsigned int)(atomic_load(&p->cleaned) - before);
}

int msk_x86_platform_irq_vector(struct msk_platform *pl, unsigned int virq,
				struct msk_x86_irq_vector *out)
{
	if (!pl || !out || strcmp(pl->ops->arch, "x86") != 0 || pl->cfg.bare)
		return msk_err(MSK_EINVAL, "not an x86 platform with drivers");
	struct x86_vector *p = x86_vec(pl);
	struct x86_apicd *a = x86_vector_apicd(p, virq);
	if (!a)
		return msk_err(MSK_EINVAL, "x86: virq %u has no VECTOR level", virq);
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&p->vector_lock);
	out->assigned = a->has_vector;
	out->reserved = a->has_reserved;
	out->managed = a->is_managed;
	out->can_reserve = a->can_reserve;
	out->move_in_progress = atomic_load(&a->move_in_progress);
	out->cleanup_pending = x86_apicd_on_cleanup(a);
	out->vector = atomic_load(&a->vector);
	out->cpu = atomic_load(&a->cpu);
	if (out->move_in_progress) {
		out->prev_vector = a->prev_vector;
		out->prev_cpu = a->prev_cpu;
	}
	unsigned int index, sub;
	out->remapped = x86_ir_lookup(p, virq, &index, &sub);
	if (out->remapped) {
		out->irte_index = index;
		out->sub_handle = sub;
	}
	pthread_mutex_unlock(&p->vector_lock);
	return 0;
}

size_t msk_x86_platform_ir_fault_log(struct msk_platform *pl, struct msk_x86_ir_fault *out,
				     size_t max)
{
	if (!pl || strcmp(pl->ops->arch, "x86") != 0 || (max && !out))
		return 0;
	struct x86_ir_fault rec[X86_DMAR_LOG];
	size_t n = x86_dmar_fault_log(x86_vec(pl), rec, max < X86_DMAR_LOG ? max : X86_DMAR_LOG);
	for (size_t k = 0; k < n; k++) {
		out[k].reason = rec[k].reason;
		out[k].sid = rec[k].sid;
		out[k].index = rec[k].index;
		_Static_assert(sizeof(out[k].text) == sizeof(rec[k].text), "same text size");
		memcpy(out[k].text, rec[k].text, sizeof(out[k].text));
	}
	return n;
}
