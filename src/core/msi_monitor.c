/* SPDX-License-Identifier: MIT */
/*
 * The lifecycle contract monitor: per-core violation records, per-domain
 * call counts and the controller resources a device domain holds.
 */
#include "core/msi_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

static const char *const rule_names[MSK_MSI_RULE__COUNT] = {
	[MSK_MSI_RULE_PREPARE_ONCE] = "prepare-once",
	[MSK_MSI_RULE_TEARDOWN_ONCE] = "teardown-once",
	[MSK_MSI_RULE_ALLOC_AFTER_TEARDOWN] = "alloc-after-teardown",
	[MSK_MSI_RULE_RESOURCES_RETURNED] = "resources-returned",
	[MSK_MSI_RULE_POST_FREE_UNDID_PREPARE] = "post-free-undid-prepare",
	[MSK_MSI_RULE_PREPARE_SIZE] = "prepare-size",
};

const char *msk_msi_rule_name(enum msk_msi_rule rule)
{
	return (unsigned)rule < MSK_MSI_RULE__COUNT ? rule_names[rule] : "?";
}

int msk_msi_core_init(struct msk_core *core)
{
	core->msi = msk_calloc(1, sizeof(*core->msi));
	if (!core->msi)
		return msk_err(MSK_ENOMEM, "core: MSI state");
	pthread_mutex_init(&core->msi->lock, NULL);
	return 0;
}

void msk_msi_core_fini(struct msk_core *core)
{
	if (!core->msi)
		return;
	pthread_mutex_destroy(&core->msi->lock);
	msk_free(core->msi);
	core->msi = NULL;
}

uint64_t msi_mon_event(struct msk_core *core)
{
	pthread_mutex_lock(&core->msi->lock);
	uint64_t seq = ++core->msi->sequence;
	pthread_mutex_unlock(&core->msi->lock);
	return seq;
}

void msi_mon_violation(struct msk_core *core, enum msk_msi_rule rule, const char *device,
		       const char *domain, const char *fmt, ...)
{
	struct msk_msi_violation v;
	memset(&v, 0, sizeof(v));
	v.rule = rule;
	snprintf(v.device, sizeof(v.device), "%s", device ? device : "");
	snprintf(v.domain, sizeof(v.domain), "%s", domain ? domain : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v.detail, sizeof(v.detail), fmt, ap);
	va_end(ap);
	struct msk_msi_core *m = core->msi;
	pthread_mutex_lock(&m->lock);
	v.sequence = ++m->sequence;
	if (m->nviol < MSI_MAX_VIOLATIONS)
		m->viol[m->nviol] = v;
	m->nviol++;
	void (*hook)(void *, const struct msk_msi_violation *) = m->hook;
	void *ctx = m->hook_ctx;
	pthread_mutex_unlock(&m->lock);
	if (hook)
		hook(ctx, &v);
}

unsigned int msk_msi_violation_count(struct msk_core *core)
{
	pthread_mutex_lock(&core->msi->lock);
	unsigned int n = core->msi->nviol;
	pthread_mutex_unlock(&core->msi->lock);
	return n;
}

int msk_msi_get_violation(struct msk_core *core, unsigned int i, struct msk_msi_violation *out)
{
	pthread_mutex_lock(&core->msi->lock);
	unsigned int kept =
		core->msi->nviol < MSI_MAX_VIOLATIONS ? core->msi->nviol : MSI_MAX_VIOLATIONS;
	int rc = 0;
	if (i >= kept)
		rc = msk_err(MSK_ERANGE, "violation %u of %u kept", i, kept);
	else
		*out = core->msi->viol[i];
	pthread_mutex_unlock(&core->msi->lock);
	return rc;
}

void msk_msi_set_violation_hook(struct msk_core *core,
				void (*fn)(void *ctx, const struct msk_msi_violation *v), void *ctx)
{
	pthread_mutex_lock(&core->msi->lock);
	core->msi->hook = fn;
	core->msi->hook_ctx = ctx;
	pthread_mutex_unlock(&core->msi->lock);
}

/* The monitor's counter for kind, created on first use (NULL if the table is full). */
static int64_t *res_slot(struct msi_mon *mon, const char *kind, bool create)
{
	for (int i = 0; i < MSI_MON_KINDS; i++)
		if (mon->res[i].kind[0] && strcmp(mon->res[i].kind, kind) == 0)
			return &mon->res[i].count;
	if (!create)
		return NULL;
	for (int i = 0; i < MSI_MON_KINDS; i++) {
		if (!mon->res[i].kind[0]) {
			snprintf(mon->res[i].kind, sizeof(mon->res[i].kind), "%s", kind);
			return &mon->res[i].count;
		}
	}
	return NULL;
}

void msk_msi_monitor_resource(struct msk_irq_domain *device_domain, const char *kind, int64_t delta)
{
	struct msi_bundle *b = msk_msi_bundle_of(device_domain);
	if (!b || !kind)
		return;
	int64_t *c = res_slot(&b->mon, kind, true);
	if (c)
		*c += delta;
}

int64_t msk_msi_monitor_resources(struct msk_irq_domain *device_domain, const char *kind)
{
	struct msi_bundle *b = msk_msi_bundle_of(device_domain);
	if (!b || !kind)
		return 0;
	int64_t *c = res_slot(&b->mon, kind, false);
	return c ? *c : 0;
}

int msk_msi_domain_stats(struct msk_irq_domain *device_domain, struct msk_msi_domain_stats *out)
{
	struct msi_bundle *b = msk_msi_bundle_of(device_domain);
	if (!b)
		return msk_err(MSK_EINVAL, "%s is not an MSI device domain",
			       device_domain ? msk_domain_name(device_domain) : "(null)");
	*out = b->mon.st;
	return 0;
}

void msi_mon_check_removal(struct msi_bundle *b, struct msk_irq_domain *d)
{
	for (int i = 0; i < MSI_MON_KINDS; i++) {
		if (b->mon.res[i].kind[0] && b->mon.res[i].count != 0)
			msi_mon_violation(msk_domain_core(d), MSK_MSI_RULE_RESOURCES_RETURNED,
					  b->dev->name, b->name,
					  "%lld %s still held after msi_teardown",
					  (long long)b->mon.res[i].count, b->mon.res[i].kind);
	}
}
