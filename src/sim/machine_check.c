/* SPDX-License-Identifier: MIT */
/*
 * What a machine checks and records while it runs: the invariants after
 * every step, the trace of every ledger fate, seeded fault injection.
 */
#include "sim/machine_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msikit/fault.h>

#include "base/alloc.h"
#include "base/error.h"

/* --- notes (invariant failures, service errors) ------------------------------------------ */

/* Plain malloc: notes must survive (and not be failed by) fault injection. */
void machine_note(struct machine_notes *n, const char *key, const char *fmt, ...)
{
	if (n->n >= MACHINE_MAX_NOTES)
		return;
	if (key)
		for (unsigned int i = 0; i < n->n; i++)
			if (n->key[i] && strcmp(n->key[i], key) == 0)
				return;
	char buf[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char *msg = strdup(buf);
	char *k = key ? strdup(key) : NULL;
	if (!msg || (key && !k)) {
		free(msg);
		free(k);
		return;
	}
	n->msg[n->n] = msg;
	n->key[n->n] = k;
	n->n++;
}

void machine_notes_free(struct machine_notes *n)
{
	for (unsigned int i = 0; i < n->n; i++) {
		free(n->msg[i]);
		free(n->key[i]);
	}
	n->n = 0;
}

unsigned int msk_machine_invariant_count(const struct msk_machine *m)
{
	return m->inv.n;
}

const char *msk_machine_invariant(const struct msk_machine *m, unsigned int i)
{
	return i < m->inv.n ? m->inv.msg[i] : NULL;
}

bool msk_machine_ledger_broken(const struct msk_machine *m)
{
	return m->ledger_broken;
}

unsigned int msk_machine_service_error_count(const struct msk_machine *m)
{
	return m->svc.n;
}

const char *msk_machine_service_error(const struct msk_machine *m, unsigned int i)
{
	return i < m->svc.n ? m->svc.msg[i] : NULL;
}

/* --- invariants --------------------------------------------------------------------------- */

uint64_t msk_machine_models_held(struct msk_machine *m)
{
	if (!m)
		return 0;
	uint64_t held = m->plat ? msk_platform_held(m->plat) : 0;
	for (unsigned int i = 0; i < m->ndevs; i++)
		held += msk_pcifn_held(m->devs[i]->pcifn);
	return held;
}

struct msg_check {
	struct msk_machine *m;
	struct msk_machine_dev *d;
	int rc;
};

/* An allocated, unmasked MSI-X entry must hold the message composed for its descriptor. */
static int check_entry(void *ctx, struct msk_msi_desc *desc)
{
	struct msg_check *c = ctx;
	if (!desc->irq || !desc->pci.is_msix || desc->pci.is_virtual)
		return 0;
	struct msk_pcifn_vector v;
	if (msk_pcifn_msix_entry(c->d->pcifn, desc->msi_index, &v) < 0 || v.masked)
		return 0;
	uint64_t want = (uint64_t)desc->msg.address_hi << 32 | desc->msg.address_lo;
	if (v.addr == want && v.data == desc->msg.data)
		return 0;
	char key[64];
	snprintf(key, sizeof(key), "msix-message/%s/%u", c->d->name, desc->msi_index);
	machine_note(&c->m->inv, key,
		     "msix-message: %s MSI-X entry %u (virq %u) holds address 0x%llx data 0x%x, "
		     "its hierarchy composed 0x%llx data 0x%x (step %llu)",
		     c->d->name, desc->msi_index, desc->irq, (unsigned long long)v.addr, v.data,
		     (unsigned long long)want, desc->msg.data,
		     (unsigned long long)msk_sim_steps(c->m->sim));
	c->rc = msk_err(MSK_EIO, "%s", c->m->inv.n ? c->m->inv.msg[c->m->inv.n - 1] : key);
	return 0;
}

static int check_messages(struct msk_machine *m)
{
	int rc = 0;
	for (unsigned int i = 0; i < m->ndevs; i++) {
		struct msk_machine_dev *d = m->devs[i];
		if (!d->pdev)
			continue;
		struct msk_pcifn_msix_state st;
		msk_pcifn_msix_state(d->pcifn, &st);
		if (!st.cap || !st.enabled || st.function_mask)
			continue;
		struct msg_check c = { m, d, 0 };
		msk_msi_for_each_desc(msk_pci_msi_device(d->pdev), MSK_MSI_DEFAULT_DOMAIN,
				      check_entry, &c);
		if (c.rc < 0 && rc == 0)
			rc = c.rc;
	}
	return rc;
}

/* --- msi-route: every active message reaches its own descriptor --------------------------- */

struct route_check {
	struct msk_machine *m;
	struct msk_machine_dev *d;
	const char *what; /* "MSI-X entry", "MSI vector", "IMS slot" */
	int rc;
	bool quiet; /* at quiescence: nothing-stranded instead of msi-route */
};

static void note_violation(struct route_check *c, const char *rule, unsigned int index,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record a violation of `rule` for vector `index` of c's device. */
static void note_violation(struct route_check *c, const char *rule, unsigned int index,
			   const char *fmt, ...)
{
	struct msk_machine *m = c->m;
	char text[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	char key[80];
	snprintf(key, sizeof(key), "%s/%s/%s/%u", rule, c->d->name, c->what, index);
	machine_note(&m->inv, key, "%s: %s %s %u %s (step %llu)", rule, c->d->name, c->what, index,
		     text, (unsigned long long)msk_sim_steps(m->sim));
	if (c->rc == 0)
		c->rc = msk_err(MSK_EIO, "%s", m->inv.n ? m->inv.msg[m->inv.n - 1] : key);
}

/*
 * nothing-stranded, at quiescence: virq's message reaches it on an online
 * CPU (r), and virq is started, unmasked and enabled - so no event of it
 * may still wait anywhere: in the device (`dev_held`), the controller
 * (r->held) or the core's pending state. Whatever waits there now would
 * wait forever on an idle machine.
 */
static void check_stranded(struct route_check *c, unsigned int index, unsigned int virq,
			   uint64_t dev_held, const struct msk_platform_route *r)
{
	struct msk_machine *m = c->m;
	struct msk_irq_info info;
	struct msk_cpumask online = msk_core_online_cpus(m->core);
	if (msk_irq_get_info(m->core, virq, &info) < 0 || !info.started || info.masked ||
	    info.disabled || !msk_cpumask_test(&online, r->cpu))
		return;
	uint64_t core_held = info.pending ? info.pending_weight : 0;
	if (!dev_held && !r->held && !info.pending)
		return;
	note_violation(c, "nothing-stranded", index,
		       "(virq %u, unmasked, enabled, CPU %u online) holds events at quiescence: "
		       "device %llu, controller %llu, core %llu",
		       virq, r->cpu, (unsigned long long)dev_held, (unsigned long long)r->held,
		       (unsigned long long)core_held);
}

/*
 * Follow (addr, data) from the device; note where it does not reach virq
 * (or, at quiescence, what is stranded on the way: check_stranded).
 */
static void route_one(struct route_check *c, unsigned int index, unsigned int virq, uint64_t addr,
		      uint32_t data, uint64_t dev_held)
{
	struct msk_machine *m = c->m;
	struct msk_platform_route r;
	if (m->route_unsupported)
		return;
	if (msk_platform_route(m->plat, msk_pcifn_rid(c->d->pcifn), addr, data, &r) < 0) {
		m->route_unsupported = true;
		return;
	}
	if (c->quiet) {
		if (!r.lost && r.virq == virq)
			check_stranded(c, index, virq, dev_held, &r);
		return;
	}
	char why[200];
	if (r.lost)
		snprintf(why, sizeof(why), "would be lost \"%s\"", msk_loss_name(r.reason));
	else if (r.virq != virq)
		snprintf(why, sizeof(why), "reaches virq %u on CPU %u", r.virq, r.cpu);
	else {
		struct msk_cpumask eff = msk_irq_get_effective_affinity(m->core, virq);
		if (msk_cpumask_empty(&eff) || msk_cpumask_test(&eff, r.cpu))
			return;
		snprintf(why, sizeof(why), "reaches it on CPU %u, outside its effective affinity",
			 r.cpu);
	}
	note_violation(c, "msi-route", index, "(virq %u): message 0x%llx data 0x%x %s%s%s", virq,
		       (unsigned long long)addr, data, why, r.detail[0] ? ": " : "", r.detail);
}

static int route_msix(void *ctx, struct msk_msi_desc *desc)
{
	struct route_check *c = ctx;
	struct msk_pcifn_vector v;
	if (!desc->irq || !desc->pci.is_msix || desc->pci.is_virtual ||
	    msk_pcifn_msix_entry(c->d->pcifn, desc->msi_index, &v) < 0 || v.masked)
		return 0;
	route_one(c, desc->msi_index, desc->irq, v.addr, v.data, v.pending ? v.pending_weight : 0);
	return 0;
}

static int route_msi(void *ctx, struct msk_msi_desc *desc)
{
	struct route_check *c = ctx;
	struct msk_pcifn_msi_state st;
	if (!desc->irq || desc->pci.is_msix || msk_pcifn_msi_state(c->d->pcifn, &st) < 0 ||
	    !st.enabled)
		return 0;
	/* Multi-MSI: the function puts the vector number in the low data bits. */
	unsigned int n = st.vectors_enabled ? st.vectors_enabled : 1;
	for (unsigned int i = 0; i < desc->nvec_used && i < n; i++) {
		if (st.pvm && (st.mask & (1u << i)))
			continue;
		/*
		 * Without per-vector masking the OS masks a vector at its
		 * controller only (a XIVE source off): it expects no delivery.
		 */
		struct msk_irq_info info;
		if (!st.pvm &&
		    (msk_irq_get_info(c->m->core, desc->irq + i, &info) < 0 || info.masked))
			continue;
		route_one(c, i, desc->irq + i, st.addr, (uint32_t)((st.data & ~(n - 1)) | i),
			  st.pending_weight[i]);
	}
	return 0;
}

static int route_ims(void *ctx, struct msk_msi_desc *desc)
{
	struct route_check *c = ctx;
	struct msk_pcifn_vector v;
	if (!desc->irq || msk_pcifn_ims_entry(c->d->pcifn, desc->msi_index, &v) < 0 || v.masked)
		return 0;
	route_one(c, desc->msi_index, desc->irq, v.addr, v.data, v.pending ? v.pending_weight : 0);
	return 0;
}

static int check_routes(struct msk_machine *m, bool quiet)
{
	int rc = 0;
	for (unsigned int i = 0; i < m->ndevs && !m->route_unsupported; i++) {
		struct msk_machine_dev *d = m->devs[i];
		if (!d->pdev)
			continue;
		struct msk_device *md = msk_pci_msi_device(d->pdev);
		struct msk_pcifn_msix_state st;
		msk_pcifn_msix_state(d->pcifn, &st);
		struct route_check c = { m, d, "MSI-X entry", 0, quiet };
		if (st.cap && st.enabled && !st.function_mask)
			msk_msi_for_each_desc(md, MSK_MSI_DEFAULT_DOMAIN, route_msix, &c);
		c.what = "MSI vector";
		msk_msi_for_each_desc(md, MSK_MSI_DEFAULT_DOMAIN, route_msi, &c);
		c.what = "IMS slot";
		msk_msi_for_each_desc(md, MSK_MSI_SECONDARY_DOMAIN, route_ims, &c);
		if (c.rc < 0 && rc == 0)
			rc = c.rc;
	}
	return rc;
}

int msk_machine_check(struct msk_machine *m)
{
	/* A handler's own event is in flight: neither held nor delivered yet. */
	if (msk_in_interrupt())
		return msk_err(MSK_EPERM, "machine: the invariants cannot be checked from an "
					  "interrupt handler (its event is still in flight)");
	uint64_t held = msk_core_held(m->core) + msk_machine_models_held(m);
	int rc = msk_ledger_check(m->ledger, held);
	if (rc < 0) {
		m->ledger_broken = true;
		machine_note(&m->inv, "ledger-balance", "ledger-balance: %s (step %llu, time %llu)",
			     msk_last_error(), (unsigned long long)msk_sim_steps(m->sim),
			     (unsigned long long)msk_sim_now(m->sim));
		return msk_err(MSK_EIO, "%s", m->inv.n ? m->inv.msg[m->inv.n - 1] : "ledger");
	}
	if (m->cfg.bare)
		return 0;
	rc = check_messages(m);
	int rr = check_routes(m, false);
	return rc < 0 ? rc : rr;
}

/* --- faults -------------------------------------------------------------------------------- */

int machine_arm_faults(struct msk_machine *m)
{
	const struct msk_machine_config *cfg = &m->cfg;
	unsigned long n = cfg->faults.alloc_fail;
	if (cfg->faults.alloc_fail_random)
		n = 1 + (unsigned long)msk_sim_random_below(m->sim, 256);
	if (cfg->faults.cpu_offline && cfg->ncpus > 1) {
		m->faults.cpu_offline_step = cfg->faults.cpu_offline_step
						     ? cfg->faults.cpu_offline_step
						     : 1 + msk_sim_random_below(m->sim, 64);
		m->faults.cpu_offlined = 1 + (int)msk_sim_random_below(m->sim, cfg->ncpus - 1);
	}
	if (cfg->faults.controller || cfg->faults.controller_random) {
		uint64_t nth = cfg->faults.controller ? cfg->faults.controller
						      : 1 + msk_sim_random_below(m->sim, 64);
		int rc = msk_platform_fault_arm(m->plat, cfg->faults.controller_kind, nth);
		if (rc < 0)
			return rc;
	}
	if (n) {
		m->faults.alloc_fail_at = n;
		m->fault_armed = n;
		msk_fault_reset();
		msk_fault_fail_alloc(n);
	}
	return 0;
}

/* Stop counting: the failure fired already, or note how many allocations are left. */
static void faults_stop(struct msk_machine *m)
{
	if (!m->fault_armed)
		return;
	unsigned long fired = msk_fault_injected_count();
	unsigned long used = msk_fault_alloc_count();
	m->faults.allocs_failed += fired;
	m->fault_left = fired || used >= m->fault_armed ? 0 : m->fault_armed - used;
	m->fault_armed = 0;
	msk_fault_reset();
}

void machine_faults_pause(struct msk_machine *m)
{
	faults_stop(m);
}

void machine_faults_resume(struct msk_machine *m)
{
	if (!m->fault_left)
		return;
	m->fault_armed = m->fault_left;
	m->fault_left = 0;
	msk_fault_reset();
	msk_fault_fail_alloc(m->fault_armed);
}

void msk_machine_faults_disarm(struct msk_machine *m)
{
	if (!m)
		return;
	faults_stop(m);
	m->fault_left = 0;
	if (m->plat && !m->controller_disarmed) {
		/* Keep what the controller fault did for the report; stop it firing. */
		msk_platform_fault_state(m->plat, &m->faults.controller);
		if (m->faults.controller.nth)
			msk_platform_fault_arm(m->plat, m->faults.controller.kind, 0);
		m->controller_disarmed = true;
	}
}

void msk_machine_faults(const struct msk_machine *m, struct msk_machine_faults *out)
{
	*out = m->faults;
	if (m->plat && !m->controller_disarmed)
		msk_platform_fault_state(m->plat, &out->controller);
	if (m->fault_armed)
		out->allocs_failed += msk_fault_injected_count();
}

static void offline_fault(struct msk_machine *m, uint64_t step)
{
	if (m->faults.cpu_offlined < 0 || step != m->faults.cpu_offline_step)
		return;
	unsigned int cpu = (unsigned int)m->faults.cpu_offlined;
	struct msk_cpumask online = msk_core_online_cpus(m->core);
	if (!msk_cpumask_test(&online, cpu) || msk_cpumask_weight(&online) == 1) {
		/* The scenario took that CPU (or every other one) offline itself. */
		m->faults.cpu_offline_rc = -MSK_EALREADY;
		return;
	}
	m->faults.cpu_offline_rc = msk_machine_cpu_offline(m, cpu);
	if (m->faults.cpu_offline_rc < 0)
		machine_note(&m->svc, NULL, "fault: CPU %u offline at step %llu: %s", cpu,
			     (unsigned long long)step, msk_last_error());
}

int machine_quiescent(void *ctx)
{
	struct msk_machine *m = ctx;
	if (m->cfg.bare || m->ledger_broken)
		return 0;
	return check_routes(m, true);
}

int machine_after_step(void *ctx, const struct msk_sim_step *step)
{
	struct msk_machine *m = ctx;
	offline_fault(m, step->n);
	msk_machine_check(m);
	return 0;
}

/* --- trace ---------------------------------------------------------------------------------- */

void machine_ledger_observer(void *ctx, char kind, enum msk_loss reason, uint32_t weight)
{
	struct msk_machine *m = ctx;
	if (!m->trace)
		return;
	struct msk_machine_event ev = {
		.time = msk_sim_now(m->sim),
		.step = msk_sim_steps(m->sim) + (msk_sim_running(m->sim) ? 1 : 0),
		.kind = kind,
		.reason = reason,
		.weight = weight,
		.cpu = m->ctx_cpu,
		.actor = msk_sim_current_actor(m->sim),
		.device = m->ctx_device,
		.index = m->ctx_index,
		.virq = m->ctx_virq,
	};
	m->trace(m->trace_ctx, &ev);
}

void msk_machine_set_trace(struct msk_machine *m,
			   void (*fn)(void *ctx, const struct msk_machine_event *ev), void *ctx)
{
	m->trace = fn;
	m->trace_ctx = ctx;
}

void msk_machine_trace_context(struct msk_machine *m, const char *device, int index)
{
	m->ctx_device = device;
	m->ctx_index = device ? index : -1;
}

void msk_machine_trace_virq(struct msk_machine *m, unsigned int virq)
{
	m->ctx_virq = virq;
}
