/* SPDX-License-Identifier: MIT */
/*
 * Managing virqs: handlers (request/free), startup and shutdown,
 * enable/disable with depth, explicit masking, affinity, synchronize.
 *
 * Lock order: core->lock (when the hierarchy is touched: activation,
 * affinity) before desc->lock. Replays run after both are dropped, because
 * a handler may take desc->lock (msk_irq_disable_nosync).
 */
#include "core/internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "core/handler_ctx.h"

/* Look up a published descriptor; core->lock held. */
static struct msk_irq_desc *desc_locked(struct msk_core *core, unsigned int virq)
{
	if (virq == 0 || virq >= core->nr_irqs)
		return NULL;
	return msk_radix_lookup(&core->descs, virq);
}

/*
 * Look up a descriptor for a call that does not take core->lock: the
 * caller holds the RCU read lock for as long as it uses the result, so a
 * concurrent free cannot reclaim it meanwhile.
 */
static struct msk_irq_desc *desc_rcu(struct msk_core *core, unsigned int virq)
{
	if (!core || virq == 0 || virq >= core->nr_irqs)
		return NULL;
	return msk_radix_lookup(&core->descs, virq);
}

static void free_action_cb(msk_rcu_head *head)
{
	struct msk_irqaction *act = caa_container_of(head, struct msk_irqaction, rcu);
	msk_free(act->name);
	msk_free(act);
}

/* Start a virq: unmask at the chip (startup callback when present). */
int msk_startup_locked(struct msk_irq_desc *desc)
{
	const struct msk_irq_chip *c = desc->irq_data.chip;
	if (c && c->irq_startup) {
		int rc = c->irq_startup(&desc->irq_data);
		if (rc < 0)
			return rc;
		atomic_fetch_and(&desc->fstate, ~(uint64_t)F_MASKED);
	} else {
		msk_chip_unmask_locked(desc);
	}
	desc->cstate |= C_STARTED;
	desc->cstate &= ~C_LAZY_MASKED;
	return 0;
}

void msk_shutdown_locked(struct msk_irq_desc *desc)
{
	const struct msk_irq_chip *c = desc->irq_data.chip;
	if (c && c->irq_shutdown) {
		c->irq_shutdown(&desc->irq_data);
		atomic_fetch_or(&desc->fstate, F_MASKED);
	} else {
		msk_chip_mask_locked(desc);
	}
	desc->cstate &= ~(C_STARTED | C_LAZY_MASKED);
}

int msk_request_irq(struct msk_core *core, unsigned int virq, msk_irq_handler_fn handler,
		    const char *name, void *dev_id)
{
	if (!core || !handler)
		return msk_err(MSK_EINVAL, "request: virq %u: no handler", virq);
	MSK_NOT_IN_HANDLER("msk_request_irq");
	struct msk_irqaction *act = msk_calloc(1, sizeof(*act));
	char *copy = msk_strdup(name ? name : "");
	if (!act || !copy) {
		msk_free(act);
		msk_free(copy);
		return msk_err(MSK_ENOMEM, "request: virq %u: out of memory", virq);
	}
	act->handler = handler;
	act->dev_id = dev_id;
	act->name = copy;

	pthread_mutex_lock(&core->lock);
	struct msk_irq_desc *desc = desc_locked(core, virq);
	int rc = 0;
	if (!desc) {
		rc = msk_err(MSK_EINVAL, "request: virq %u is not allocated", virq);
		goto out_unlock_core;
	}
	pthread_mutex_lock(&desc->lock);
	struct msk_irqaction *old = atomic_load(&desc->action);
	if (old) {
		rc = msk_err(MSK_EBUSY, "request: virq %u already has handler \"%s\"", virq,
			     old->name);
		goto out_unlock;
	}
	/*
	 * A managed virq whose CPUs are all offline stays shut down with its
	 * handler installed; CPU hotplug starts it when a CPU comes back.
	 */
	struct msk_cpumask online = msk_online_mask(core);
	bool managed_down =
		(desc->cstate & C_MANAGED) && !msk_cpumask_intersects(&desc->affinity, &online);
	if (!managed_down) {
		rc = msk_activate_locked(desc, false);
		if (rc < 0) {
			msk_err_context("request: virq %u", virq);
			goto out_unlock;
		}
	}
	msk_rcu_assign(&desc->action, act);
	if (!managed_down) {
		rc = msk_startup_locked(desc);
		if (rc < 0) {
			msk_rcu_assign(&desc->action, NULL);
			msk_deactivate_locked(desc);
			if (msk_last_error_code() != rc)
				msk_err(-rc, "request: virq %u: startup failed", virq);
			goto out_unlock;
		}
	}
	act = NULL;
	msk_stat_add(&core->nr_actions, 1);
	unsigned int cpu = msk_desc_replay_cpu(desc);
	pthread_mutex_unlock(&desc->lock);
	pthread_mutex_unlock(&core->lock);
	msk_flow_check_replay(desc, cpu);
	return 0;

out_unlock:
	pthread_mutex_unlock(&desc->lock);
out_unlock_core:
	pthread_mutex_unlock(&core->lock);
	if (act) {
		/* A delivery may have seen it between assign and retraction. */
		msk_call_rcu(&act->rcu, free_action_cb);
	}
	return rc;
}

int msk_free_irq(struct msk_core *core, unsigned int virq)
{
	if (!core)
		return msk_err(MSK_EINVAL, "free_irq: no core");
	MSK_NOT_IN_HANDLER("msk_free_irq");
	pthread_mutex_lock(&core->lock);
	struct msk_irq_desc *desc = desc_locked(core, virq);
	if (!desc) {
		pthread_mutex_unlock(&core->lock);
		return msk_err(MSK_EINVAL, "free_irq: virq %u is not allocated", virq);
	}
	pthread_mutex_lock(&desc->lock);
	struct msk_irqaction *act = atomic_load(&desc->action);
	if (!act) {
		pthread_mutex_unlock(&desc->lock);
		pthread_mutex_unlock(&core->lock);
		return msk_err(MSK_EINVAL, "free_irq: virq %u has no handler", virq);
	}
	if (desc->cstate & C_STARTED)
		msk_shutdown_locked(desc);
	msk_deactivate_locked(desc);
	/* seq_cst: ordered before the wait below reads INPROGRESS (flow.c). */
	atomic_store_explicit(&desc->action, NULL, memory_order_seq_cst);
	msk_stat_add(&core->nr_actions, -1);
	pthread_mutex_unlock(&desc->lock);
	pthread_mutex_unlock(&core->lock);
	msk_flow_wait_idle(desc);
	msk_call_rcu(&act->rcu, free_action_cb);
	return 0;
}

/* What a control call does once the descriptor lock is dropped. */
enum after_op {
	AFTER_NOTHING,
	AFTER_REPLAY, /* replay a held event now that the irq may run */
	AFTER_WAIT,   /* wait until no handler of it runs */
};

/*
 * The shape of the control calls that do not take the control lock: find
 * the descriptor inside an RCU read section (a concurrent free cannot
 * reclaim it meanwhile), run `op` under its lock, then replay or wait as
 * asked before leaving the read section. Replays are skipped from a
 * handler (the running CPU's loop replays).
 */
static int with_desc(struct msk_core *core, unsigned int virq, const char *what,
		     int (*op)(struct msk_irq_desc *desc), enum after_op after)
{
	msk_rcu_read_lock();
	struct msk_irq_desc *desc = desc_rcu(core, virq);
	if (!desc) {
		msk_rcu_read_unlock();
		return msk_err(MSK_EINVAL, "%s: virq %u is not allocated", what, virq);
	}
	pthread_mutex_lock(&desc->lock);
	int rc = op(desc);
	unsigned int cpu = msk_desc_replay_cpu(desc);
	pthread_mutex_unlock(&desc->lock);
	if (rc == 0 && after == AFTER_REPLAY && !msk_in_handler)
		msk_flow_check_replay(desc, cpu);
	else if (rc == 0 && after == AFTER_WAIT)
		msk_flow_wait_idle(desc);
	msk_rcu_read_unlock();
	return rc;
}

static int op_disable(struct msk_irq_desc *desc)
{
	if (desc->depth++ == 0) /* seq_cst, before the wait (flow.c) */
		atomic_fetch_or_explicit(&desc->fstate, F_DISABLED, memory_order_seq_cst);
	return 0;
}

static int op_enable(struct msk_irq_desc *desc)
{
	if (desc->depth == 0)
		return msk_err(MSK_EINVAL, "enable: unbalanced enable of virq %u",
			       desc->irq_data.virq);
	if (--desc->depth == 0) {
		atomic_fetch_and(&desc->fstate, ~(uint64_t)F_DISABLED);
		if (desc->cstate & C_LAZY_MASKED) {
			msk_chip_unmask_locked(desc);
			desc->cstate &= ~C_LAZY_MASKED;
		}
	}
	return 0;
}

/*
 * Mask and unmask reach the chip only on a change, as Linux's mask_irq()
 * and unmask_irq() (kernel/irq/chip.c: irqd_irq_masked() first): a chip's
 * callback may not be idempotent (XIVE's unmask sets PQ=00 and would drop
 * the Q bit of a source that was never masked, stranding that event).
 */
static int op_mask(struct msk_irq_desc *desc)
{
	if (!(atomic_load(&desc->fstate) & F_MASKED))
		msk_chip_mask_locked(desc);
	desc->cstate &= ~C_LAZY_MASKED; /* an explicit mask outlives enable() */
	return 0;
}

static int op_unmask(struct msk_irq_desc *desc)
{
	/*
	 * A virq that is only reserved (x86 reservation mode) or shut down has
	 * no real target yet: its message leads to the shutdown vector, so an
	 * unmasked source would lose every event. Starting it activates it.
	 */
	if (!(desc->cstate & C_ACTIVATED))
		return msk_err(MSK_EINVAL, "unmask: virq %u is not activated (request it first)",
			       desc->irq_data.virq);
	if (atomic_load(&desc->fstate) & F_MASKED)
		msk_chip_unmask_locked(desc);
	desc->cstate &= ~C_LAZY_MASKED;
	return 0;
}

int msk_irq_disable_nosync(struct msk_core *core, unsigned int virq)
{
	return with_desc(core, virq, "disable", op_disable, AFTER_NOTHING);
}

int msk_irq_disable(struct msk_core *core, unsigned int virq)
{
	MSK_NOT_IN_HANDLER("msk_irq_disable");
	return with_desc(core, virq, "disable", op_disable, AFTER_WAIT);
}

int msk_irq_enable(struct msk_core *core, unsigned int virq)
{
	return with_desc(core, virq, "enable", op_enable, AFTER_REPLAY);
}

int msk_irq_mask(struct msk_core *core, unsigned int virq)
{
	return with_desc(core, virq, "mask", op_mask, AFTER_NOTHING);
}

int msk_irq_unmask(struct msk_core *core, unsigned int virq)
{
	return with_desc(core, virq, "unmask", op_unmask, AFTER_REPLAY);
}

int msk_synchronize_irq(struct msk_core *core, unsigned int virq)
{
	MSK_NOT_IN_HANDLER("msk_synchronize_irq");
	msk_rcu_read_lock();
	struct msk_irq_desc *desc = desc_rcu(core, virq);
	if (desc)
		msk_flow_wait_idle(desc);
	msk_rcu_read_unlock();
	if (!desc)
		return msk_err(MSK_EINVAL, "synchronize: virq %u is not allocated", virq);
	return 0;
}

int msk_irq_set_affinity(struct msk_core *core, unsigned int virq, const struct msk_cpumask *mask)
{
	if (!core || !mask)
		return msk_err(MSK_EINVAL, "affinity: virq %u: no mask", virq);
	MSK_NOT_IN_HANDLER("msk_irq_set_affinity");
	struct msk_cpumask all, online = msk_online_mask(core);
	msk_cpumask_fill(&all, core->nr_cpus);
	if (!msk_cpumask_subset(mask, &all) || !msk_cpumask_intersects(mask, &online)) {
		char buf[128];
		return msk_err(MSK_EINVAL, "affinity: virq %u: mask {%s} has no online CPU", virq,
			       msk_cpumask_format(mask, buf, sizeof(buf)));
	}
	pthread_mutex_lock(&core->lock);
	struct msk_irq_desc *desc = desc_locked(core, virq);
	int rc = 0;
	if (!desc) {
		rc = msk_err(MSK_EINVAL, "affinity: virq %u is not allocated", virq);
		goto out;
	}
	pthread_mutex_lock(&desc->lock);
	if (desc->cstate & C_MANAGED) {
		rc = msk_err(MSK_EPERM, "affinity: virq %u is managed", virq);
	} else if (!(desc->cstate & C_ACTIVATED)) {
		/* Not programmed yet: activation will use the new mask. */
		desc->affinity = *mask;
		desc->cstate |= C_AFFINITY_SET;
	} else {
		const struct msk_irq_chip *c = desc->irq_data.chip;
		if (!c || !c->irq_set_affinity) {
			rc = msk_err(MSK_ENOSYS, "affinity: virq %u: chip %s cannot set affinity",
				     virq, c && c->name ? c->name : "?");
		} else {
			msk_clear_error();
			rc = c->irq_set_affinity(&desc->irq_data, mask, false);
			if (rc == MSK_IRQ_SET_MASK_OK || rc == MSK_IRQ_SET_MASK_OK_DONE)
				desc->affinity = *mask;
			if (rc >= 0) {
				desc->cstate |= C_AFFINITY_SET;
				rc = 0;
			} else if (msk_last_error_code() != rc) {
				msk_err(-rc, "affinity: virq %u: the chip refused", virq);
			}
		}
	}
	pthread_mutex_unlock(&desc->lock);
out:
	pthread_mutex_unlock(&core->lock);
	return rc;
}

void msk_irq_data_update_effective_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask)
{
	d->desc->effective = *mask;
}

/* A copy of one of a descriptor's masks, taken under its lock (empty for a bad virq). */
static struct msk_cpumask read_mask(struct msk_core *core, unsigned int virq, bool effective)
{
	struct msk_cpumask m;
	msk_cpumask_clear(&m);
	msk_rcu_read_lock();
	struct msk_irq_desc *desc = desc_rcu(core, virq);
	if (desc) {
		pthread_mutex_lock(&desc->lock);
		m = effective ? desc->effective : desc->affinity;
		pthread_mutex_unlock(&desc->lock);
	}
	msk_rcu_read_unlock();
	return m;
}

struct msk_cpumask msk_irq_get_affinity(struct msk_core *core, unsigned int virq)
{
	return read_mask(core, virq, false);
}

struct msk_cpumask msk_irq_get_effective_affinity(struct msk_core *core, unsigned int virq)
{
	return read_mask(core, virq, true);
}
