/* SPDX-License-Identifier: MIT */
/*
 * The JSON report (cJSON). Keys are added in a fixed order, so equal
 * snapshots print equal text. 64-bit numbers are written as raw exact
 * integers: a double would round counters and seeds beyond 2^53. Strings
 * are made well-formed UTF-8 first (jstr): an invalid byte becomes U+FFFD.
 */
#include "report/internal.h"
#include "report/json_str.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <msikit/version.h>

#include "base/alloc.h"
#include "base/error.h"

/* A tree under construction; any failed allocation sets oom and drops the item. */
struct jb {
	bool oom;
};

static cJSON *jadd(struct jb *b, cJSON *obj, const char *key, cJSON *item)
{
	if (item && obj && cJSON_AddItemToObject(obj, key, item))
		return item;
	cJSON_Delete(item);
	b->oom = true;
	return NULL;
}

static cJSON *jpush(struct jb *b, cJSON *arr, cJSON *item)
{
	if (item && arr && cJSON_AddItemToArray(arr, item))
		return item;
	cJSON_Delete(item);
	b->oom = true;
	return NULL;
}

static cJSON *ju64(uint64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRIu64, v);
	return cJSON_CreateRaw(num);
}

static cJSON *ji64(int64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRId64, v);
	return cJSON_CreateRaw(num);
}

/* Every string of the report enters here: made well-formed UTF-8 (msk_report_utf8_clean). */
cJSON *report_json_str(const char *s)
{
	if (!s)
		return cJSON_CreateNull();
	char small[256];
	size_t n = msk_report_utf8_clean(s, NULL, 0);
	char *clean = n < sizeof(small) ? small : msk_malloc(n + 1);
	if (!clean)
		return NULL;
	msk_report_utf8_clean(s, clean, n + 1);
	cJSON *item = cJSON_CreateString(clean);
	if (clean != small)
		msk_free(clean);
	return item;
}

static cJSON *jstr(const char *s)
{
	return report_json_str(s);
}

/* An array of the names in a "|"-separated list. */
static cJSON *jnames(struct jb *b, const char *names)
{
	cJSON *arr = cJSON_CreateArray();
	char one[128];
	while (arr && *names) {
		const char *bar = strchr(names, '|');
		size_t len = bar ? (size_t)(bar - names) : strlen(names);
		snprintf(one, sizeof(one), "%.*s", (int)len, names);
		jpush(b, arr, jstr(one));
		names += len + (bar ? 1 : 0);
	}
	return arr;
}

static cJSON *jkv_value(const struct msk_report_kv *kv)
{
	switch (kv->type) {
	case MSK_REPORT_VALUE_INT:
		return ji64(kv->num);
	case MSK_REPORT_VALUE_BOOL:
		return cJSON_CreateBool(kv->flag);
	default:
		return jstr(kv->str);
	}
}

static cJSON *jcpus(struct jb *b, const struct msk_cpumask *m)
{
	cJSON *arr = cJSON_CreateArray();
	unsigned int cpu;
	msk_for_each_cpu(cpu, m)
	{
		if (!arr)
			break;
		jpush(b, arr, ju64(cpu));
	}
	return arr;
}

static cJSON *jmachine(struct jb *b, const struct msk_report_snapshot *s)
{
	cJSON *m = cJSON_CreateObject();
	jadd(b, m, "arch", jstr(s->arch));
	jadd(b, m, "cpus", ju64(s->nr_cpus));
	jadd(b, m, "online", jcpus(b, &s->online));
	for (size_t i = 0; i < s->nr_switches; i++)
		jadd(b, m, s->switches[i].key, jkv_value(&s->switches[i]));
	return m;
}

static cJSON *jdomain(struct jb *b, const struct msk_report_snapshot *s,
		      const struct msk_report_domain *d)
{
	char names[512];
	bool dev = d->msi_info;
	cJSON *o = cJSON_CreateObject();
	jadd(b, o, "name", jstr(d->name));
	jadd(b, o, "parent", jstr(d->parent >= 0 ? s->domains[d->parent].name : NULL));
	jadd(b, o, "kind", jstr(msk_report_kind_name(d->kind)));
	jadd(b, o, "bus", jstr(msk_bus_token_name(d->bus_token)));
	jadd(b, o, "hwsize", ju64(dev ? d->msi_hwsize : d->size));
	jadd(b, o, "flags",
	     jnames(b, msk_report_domain_flags_format(d->flags, names, sizeof(names))));
	jadd(b, o, "mapped", ju64(d->mapped));
	if (dev) {
		jadd(b, o, "device", jstr(d->device));
		jadd(b, o, "msi_flags",
		     jnames(b, msk_msi_flags_format(d->msi_flags, names, sizeof(names))));
	}
	return o;
}

static cJSON *jirq(struct jb *b, const struct msk_report_snapshot *s,
		   const struct msk_report_irq *irq)
{
	const struct msk_report_level *top = &irq->levels[0];
	cJSON *o = cJSON_CreateObject();
	jadd(b, o, "virq", ju64(irq->virq));
	jadd(b, o, "device", jstr(irq->device));
	jadd(b, o, "bus",
	     jstr(top->domain_index >= 0
			  ? msk_bus_token_name(s->domains[top->domain_index].bus_token)
			  : NULL));
	jadd(b, o, "index", irq->has_index ? ju64(irq->index) : cJSON_CreateNull());
	jadd(b, o, "chip", jstr(top->chip));
	jadd(b, o, "action", jstr(irq->action));
	jadd(b, o, "flow", jstr(irq->flow));
	cJSON *levels = jadd(b, o, "levels", cJSON_CreateArray());
	for (unsigned int i = 0; i < irq->nr_levels && levels; i++) {
		cJSON *l = jpush(b, levels, cJSON_CreateObject());
		jadd(b, l, "domain", jstr(irq->levels[i].domain));
		jadd(b, l, "hwirq", ju64(irq->levels[i].hwirq));
		jadd(b, l, "chip", jstr(irq->levels[i].chip));
	}
	jadd(b, o, "affinity", jcpus(b, &irq->affinity));
	unsigned int eff = msk_cpumask_first(&irq->effective);
	jadd(b, o, "effective_cpu", eff == MSK_CPU_NONE ? cJSON_CreateNull() : ju64(eff));
	jadd(b, o, "managed", cJSON_CreateBool(irq->managed));
	cJSON *counts = jadd(b, o, "counts", cJSON_CreateArray());
	for (unsigned int c = 0; c < s->nr_cpus && counts; c++)
		jpush(b, counts, ju64(irq->counts[c]));
	jadd(b, o, "pending_weight", ju64(irq->pending_weight));
	jadd(b, o, "spurious", ju64(irq->spurious));
	return o;
}

static cJSON *jledger(struct jb *b, const struct msk_report_ledger *l)
{
	if (!l->present)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	jadd(b, o, "raised", ju64(l->counts.raised));
	jadd(b, o, "delivered", ju64(l->counts.delivered));
	jadd(b, o, "pending", ji64(l->pending));
	jadd(b, o, "lost", ju64(l->counts.lost));
	cJSON *by = jadd(b, o, "lost_by_reason", cJSON_CreateObject());
	for (int r = 0; r < MSK_LOSS__COUNT && by; r++)
		if (l->counts.lost_by_reason[r])
			jadd(b, by, msk_loss_name((enum msk_loss)r),
			     ju64(l->counts.lost_by_reason[r]));
	jadd(b, o, "held", ju64(l->held));
	jadd(b, o, "balanced", cJSON_CreateBool(l->balanced));
	return o;
}

static cJSON *jviolations(struct jb *b, const struct msk_report_snapshot *s)
{
	cJSON *arr = cJSON_CreateArray();
	for (unsigned int i = 0; i < s->nr_violations && arr; i++) {
		const struct msk_msi_violation *v = &s->violations[i];
		cJSON *o = jpush(b, arr, cJSON_CreateObject());
		jadd(b, o, "rule", jstr(msk_msi_rule_name(v->rule)));
		jadd(b, o, "device", jstr(v->device));
		jadd(b, o, "domain", jstr(v->domain));
		jadd(b, o, "detail", jstr(v->detail));
	}
	return arr;
}

static cJSON *jcore(struct jb *b, const struct msk_core_stats *st)
{
	cJSON *o = cJSON_CreateObject();
	jadd(b, o, "virqs", ju64(st->virqs));
	jadd(b, o, "irq_data", ju64(st->irq_data));
	jadd(b, o, "domains", ju64(st->domains));
	jadd(b, o, "actions", ju64(st->actions));
	jadd(b, o, "revmap_entries", ju64(st->revmap_entries));
	jadd(b, o, "held_weight", ju64(st->held_weight));
	return o;
}

static cJSON *jreport(struct jb *b, const struct msk_report_snapshot *s, const char *ledger_error)
{
	cJSON *root = cJSON_CreateObject();
	jadd(b, root, "msikit", jstr(msk_version()));
	jadd(b, root, "scenario", jstr(s->scenario));
	jadd(b, root, "seed", ju64(s->seed));
	jadd(b, root, "machine", jmachine(b, s));
	cJSON *domains = jadd(b, root, "domains", cJSON_CreateArray());
	for (unsigned int i = 0; i < s->nr_domains && domains; i++)
		jpush(b, domains, jdomain(b, s, &s->domains[i]));
	cJSON *irqs = jadd(b, root, "irqs", cJSON_CreateArray());
	for (unsigned int i = 0; i < s->nr_irqs && irqs; i++)
		jpush(b, irqs, jirq(b, s, &s->irqs[i]));
	jadd(b, root, "ledger", jledger(b, &s->ledger));
	jadd(b, root, "violations", jviolations(b, s));
	jadd(b, root, "violation_count", ju64(s->violation_count));
	cJSON *res = jadd(b, root, "resources", cJSON_CreateObject());
	for (size_t i = 0; i < s->nr_resources && res; i++)
		jadd(b, res, s->resources[i].key, jkv_value(&s->resources[i]));
	jadd(b, root, "core", jcore(b, &s->stats));
	cJSON *errors = jadd(b, root, "errors", cJSON_CreateArray());
	for (size_t i = 0; i < s->nr_errors && errors; i++)
		jpush(b, errors, jstr(s->errors[i]));
	if (ledger_error)
		jpush(b, errors, jstr(ledger_error));
	jadd(b, root, "result", jstr(msk_report_passed(s) ? "pass" : "fail"));
	return root;
}

int msk_report_write_json(const struct msk_report_snapshot *snap, unsigned int flags,
			  const struct msk_report_sink *out)
{
	struct rout o;
	int rc = rout_begin(&o, snap, out);
	if (rc < 0)
		return rc;
	char imbalance[256];
	bool unbalanced = snap->ledger.present && !snap->ledger.balanced;
	if (unbalanced)
		report_ledger_imbalance(&snap->ledger, imbalance, sizeof(imbalance));
	struct jb b = { .oom = false };
	cJSON *root = jreport(&b, snap, unbalanced ? imbalance : NULL);
	char *text = NULL;
	if (root && !b.oom)
		text = (flags & MSK_REPORT_JSON_COMPACT) ? cJSON_PrintUnformatted(root)
							 : cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return msk_err(MSK_ENOMEM, "report: JSON (%u domains, %u virqs)", snap->nr_domains,
			       snap->nr_irqs);
	rout_puts(&o, text);
	rout_puts(&o, "\n");
	cJSON_free(text);
	if (o.err)
		return o.err;
	if (unbalanced)
		return msk_err(MSK_EIO, "report: %s", imbalance);
	return 0;
}
