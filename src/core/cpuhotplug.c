/* SPDX-License-Identifier: MIT */
/*
 * CPU hotplug, the generic part (msikit/cpuhotplug.h): move interrupts off
 * a CPU going offline, shut down the managed ones that lose every CPU, and
 * start them again when one of their CPUs comes back.
 *
 * Runs under the core's control lock (taken by msk_core_for_each_irq),
 * each virq under its descriptor lock; replays of held events run after
 * both are dropped, as everywhere in the core.
 */
#include <msikit/cpuhotplug.h>

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "core/handler_ctx.h"
#include "core/internal.h"

struct hp_ctx {
	struct msk_core *core;
	unsigned int cpu;
	struct msk_hotplug_stats st;
	int first_error;
	unsigned int *replay; /* virqs to replay after the locks are dropped */
	unsigned int nreplay, cap;
	unsigned int lost_lo, lost_hi; /* virqs the list had no room for: [lo, hi], lo 0 if none */
};

static void note_replay(struct hp_ctx *c, unsigned int virq)
{
	if (c->nreplay == c->cap) {
		unsigned int cap = c->cap ? c->cap * 2 : 16;
		unsigned int *n = msk_realloc(c->replay, cap * sizeof(*n));
		if (!n) {
			/*
			 * No room (an allocation failed): remember the range and scan it
			 * afterwards - hotplug cannot fail, and a held event of a started,
			 * enabled virq must not wait for the next unmask.
			 */
			if (!c->lost_lo || virq < c->lost_lo)
				c->lost_lo = virq;
			if (virq > c->lost_hi)
				c->lost_hi = virq;
			return;
		}
		c->replay = n;
		c->cap = cap;
	}
	c->replay[c->nreplay++] = virq;
}

/* Replay what virq holds, if it may run now (locks dropped). */
static void replay_one(struct msk_core *core, unsigned int virq)
{
	msk_rcu_read_lock();
	struct msk_irq_desc *desc = msk_irq_to_desc(core, virq);
	if (desc) {
		pthread_mutex_lock(&desc->lock);
		unsigned int cpu = msk_desc_replay_cpu(desc);
		pthread_mutex_unlock(&desc->lock);
		msk_flow_check_replay(desc, cpu);
	}
	msk_rcu_read_unlock();
}

static void run_replays(struct hp_ctx *c)
{
	for (unsigned int i = 0; i < c->nreplay; i++)
		replay_one(c->core, c->replay[i]);
	/* A virq in the range that was not started here holds nothing it may replay. */
	for (unsigned int v = c->lost_lo; v && v <= c->lost_hi; v++)
		replay_one(c->core, v);
	msk_free(c->replay);
}

/* Linux migrate_one_irq(); core->lock and desc->lock held. */
static void migrate_one(struct hp_ctx *c, struct msk_irq_desc *desc)
{
	if (!(desc->cstate & C_ACTIVATED) || !msk_cpumask_test(&desc->effective, c->cpu))
		return;
	struct msk_cpumask online = msk_online_mask(c->core), avail;
	msk_cpumask_and(&avail, &desc->affinity, &online);
	if ((desc->cstate & C_MANAGED) && msk_cpumask_empty(&avail)) {
		desc->cstate |= C_MANAGED_SHUTDOWN;
		if (desc->depth++ == 0)
			atomic_fetch_or(&desc->fstate, F_DISABLED);
		if (desc->cstate & C_STARTED)
			msk_shutdown_locked(desc);
		msk_deactivate_locked(desc);
		c->st.shutdown++;
		return;
	}
	bool broken = msk_cpumask_empty(&avail);
	if (broken)
		avail = online;
	const struct msk_irq_chip *chip = desc->irq_data.chip;
	int rc = chip && chip->irq_set_affinity
			 ? chip->irq_set_affinity(&desc->irq_data, &avail, true)
			 : msk_err(MSK_ENOSYS, "virq %u: chip cannot set affinity",
				   desc->irq_data.virq);
	if (rc < 0) {
		c->st.failed++;
		if (!c->first_error) {
			c->first_error = rc;
			msk_err_context("CPU %u offline: virq %u stays", c->cpu,
					desc->irq_data.virq);
		}
		return;
	}
	if (broken) {
		desc->affinity = online;
		c->st.broken++;
	}
	c->st.migrated++;
}

static int offline_cb(void *ctx, unsigned int virq)
{
	struct hp_ctx *c = ctx;
	struct msk_irq_desc *desc = msk_radix_lookup(&c->core->descs, virq);
	pthread_mutex_lock(&desc->lock);
	migrate_one(c, desc);
	pthread_mutex_unlock(&desc->lock);
	return 0;
}

/* Linux irq_restore_affinity_of_irq() for managed virqs; both locks held. */
static void restore_one(struct hp_ctx *c, struct msk_irq_desc *desc)
{
	if (!(desc->cstate & C_MANAGED) || !msk_cpumask_test(&desc->affinity, c->cpu))
		return;
	if (desc->cstate & C_MANAGED_SHUTDOWN) {
		desc->cstate &= ~C_MANAGED_SHUTDOWN;
		if (desc->depth > 0 && --desc->depth == 0)
			atomic_fetch_and(&desc->fstate, ~(uint64_t)F_DISABLED);
	}
	if (!atomic_load(&desc->action) || (desc->cstate & C_STARTED))
		return;
	int rc = msk_activate_locked(desc, false);
	if (rc == 0)
		rc = msk_startup_locked(desc);
	if (rc < 0) {
		c->st.failed++;
		if (!c->first_error) {
			c->first_error = rc;
			msk_err_context("CPU %u online: virq %u", c->cpu, desc->irq_data.virq);
		}
		return;
	}
	c->st.started++;
	note_replay(c, desc->irq_data.virq);
}

static int online_cb(void *ctx, unsigned int virq)
{
	struct hp_ctx *c = ctx;
	struct msk_irq_desc *desc = msk_radix_lookup(&c->core->descs, virq);
	pthread_mutex_lock(&desc->lock);
	restore_one(c, desc);
	pthread_mutex_unlock(&desc->lock);
	return 0;
}

static int check_cpu(struct msk_core *core, unsigned int cpu, bool want_online)
{
	if (!core)
		return msk_err(MSK_EINVAL, "hotplug: no core");
	if (cpu >= core->nr_cpus)
		return msk_err(MSK_EINVAL, "hotplug: CPU %u does not exist (%u CPUs)", cpu,
			       core->nr_cpus);
	struct msk_cpumask on = msk_online_mask(core);
	if (msk_cpumask_test(&on, cpu) == want_online)
		return msk_err(MSK_EALREADY, "hotplug: CPU %u is already %s", cpu,
			       want_online ? "online" : "offline");
	return 0;
}

/* Both directions: flip the CPU's online bit, then visit every activated virq. */
static int hotplug(struct msk_core *core, unsigned int cpu, bool online,
		   int (*cb)(void *ctx, unsigned int virq), struct msk_hotplug_stats *st)
{
	int rc = check_cpu(core, cpu, online);
	if (rc == 0)
		rc = msk_core_set_cpu_online(core, cpu, online);
	if (rc < 0)
		return rc;
	struct hp_ctx c;
	memset(&c, 0, sizeof(c));
	c.core = core;
	c.cpu = cpu;
	msk_clear_error();
	msk_core_for_each_irq(core, cb, &c);
	run_replays(&c);
	if (st)
		*st = c.st;
	return c.first_error;
}

int msk_irq_cpu_offline(struct msk_core *core, unsigned int cpu, struct msk_hotplug_stats *st)
{
	MSK_NOT_IN_HANDLER("msk_irq_cpu_offline");
	return hotplug(core, cpu, false, offline_cb, st);
}

int msk_irq_cpu_online(struct msk_core *core, unsigned int cpu, struct msk_hotplug_stats *st)
{
	MSK_NOT_IN_HANDLER("msk_irq_cpu_online");
	return hotplug(core, cpu, true, online_cb, st);
}
