/* SPDX-License-Identifier: MIT */
/*
 * Taking a report snapshot: one pass over the core's domains and virqs
 * through its public API, copying everything the views show into memory
 * the snapshot owns (an arena of chunks plus two growable arrays).
 *
 * The virq pass runs in two steps. Under msk_core_for_each_irq() (the
 * control lock: levels cannot go away meanwhile) it copies each virq's
 * levels, counts and MSI descriptor; then, outside the lock,
 * msk_irq_get_info() adds the descriptor state. A virq freed in between
 * (which the caller should not do) is dropped, never read after its free.
 */
#include "report/internal.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

/* --- the arena -------------------------------------------------------------------------------- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

struct msk_report_arena {
	struct arena_chunk *chunks;
	/* Growable arrays, published through the snapshot's const pointers. */
	struct msk_report_domain *domains;
	unsigned int domains_cap;
	struct msk_report_irq *irqs;
	unsigned int irqs_cap;
};

#define ARENA_CHUNK 16384u

static void *arena_alloc(struct msk_report_arena *a, size_t size)
{
	size = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	struct arena_chunk *c = a->chunks;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		c = msk_malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->chunks;
		a->chunks = c;
	}
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

/* A copy of s in the arena; NULL for NULL. *oom is set when memory runs out. */
static const char *arena_strdup(struct msk_report_arena *a, const char *s, bool *oom)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(a, n);
	if (!p) {
		*oom = true;
		return NULL;
	}
	memcpy(p, s, n);
	return p;
}

static void arena_free(struct msk_report_arena *a)
{
	if (!a)
		return;
	while (a->chunks) {
		struct arena_chunk *next = a->chunks->next;
		msk_free(a->chunks);
		a->chunks = next;
	}
	msk_free(a->domains);
	msk_free(a->irqs);
	msk_free(a);
}

/* Make room for one more element in a growable array. */
static bool grow(void **arr, unsigned int *cap, unsigned int n, size_t elem)
{
	if (n < *cap)
		return true;
	unsigned int ncap = *cap ? *cap * 2 : 16;
	void *p = msk_realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

/* --- taking it ------------------------------------------------------------------------------------ */

struct dref {
	const struct msk_irq_domain *d, *parent;
	int index;
};

struct take {
	struct msk_core *core;
	struct msk_report_snapshot *s;
	struct msk_report_arena *a;
	/*
	 * The domains seen, with their parents: in snapshot order while the
	 * domain pass runs, then sorted by address to find domains fast.
	 */
	struct dref *refs;
	unsigned int refs_cap;
	bool oom;
};

static int oom(const char *what)
{
	return msk_err(MSK_ENOMEM, "report snapshot: out of memory (%s)", what);
}

static int dref_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct dref *)a)->d;
	uintptr_t y = (uintptr_t)((const struct dref *)b)->d;
	return x < y ? -1 : x > y;
}

/* After the domain pass (refs sorted): the snapshot index of d, or -1. */
static int domain_index(const struct take *t, const struct msk_irq_domain *d)
{
	struct dref key = { .d = d };
	const struct dref *r =
		d ? bsearch(&key, t->refs, t->s->nr_domains, sizeof(*t->refs), dref_cmp) : NULL;
	return r ? r->index : -1;
}

/* Sort the domains seen by address and point every domain at its parent. */
static void index_domains(struct take *t)
{
	unsigned int n = t->s->nr_domains;
	if (!n)
		return;
	qsort(t->refs, n, sizeof(*t->refs), dref_cmp);
	for (unsigned int i = 0; i < n; i++)
		t->a->domains[t->refs[i].index].parent = domain_index(t, t->refs[i].parent);
}

static enum msk_report_kind kind_of(struct msk_irq_domain *d)
{
	unsigned int f = msk_domain_flags(d);
	if (f & MSK_DOMAIN_FLAG_MSI_DEVICE)
		return MSK_REPORT_KIND_MSI_DEVICE;
	if (msk_domain_bus_token(d) == MSK_DOMAIN_BUS_DMAR)
		return MSK_REPORT_KIND_REMAP;
	if (f & MSK_DOMAIN_FLAG_MSI_PARENT)
		return MSK_REPORT_KIND_MSI_PARENT;
	if (!msk_domain_parent(d))
		return MSK_REPORT_KIND_ROOT;
	return MSK_REPORT_KIND_OTHER;
}

/* Under the control lock (msk_core_for_each_domain). */
static int take_domain(void *ctx, struct msk_irq_domain *d)
{
	struct take *t = ctx;
	struct msk_report_snapshot *s = t->s;
	unsigned int n = s->nr_domains;
	if (!grow((void **)&t->a->domains, &t->a->domains_cap, n, sizeof(*t->a->domains)) ||
	    !grow((void **)&t->refs, &t->refs_cap, n, sizeof(*t->refs)))
		return oom("domains");
	struct msk_report_domain *rd = &t->a->domains[n];
	memset(rd, 0, sizeof(*rd));
	rd->name = arena_strdup(t->a, msk_domain_name(d), &t->oom);
	rd->parent = -1; /* index_domains() */
	rd->kind = kind_of(d);
	rd->bus_token = msk_domain_bus_token(d);
	rd->flags = msk_domain_flags(d);
	rd->size = msk_domain_hwirq_max(d);
	rd->mapped = msk_domain_mapcount(d);
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d);
	if (info) {
		rd->msi_info = true;
		rd->device =
			info->dev ? arena_strdup(t->a, msk_device_name(info->dev), &t->oom) : NULL;
		rd->msi_hwsize = info->hwsize;
		rd->msi_flags = info->flags;
	}
	char text[512];
	msk_domain_debug_show(d, NULL, text, sizeof(text));
	rd->debug = arena_strdup(t->a, text, &t->oom);
	if (t->oom)
		return oom("domain names");
	t->refs[n] = (struct dref){ .d = d, .parent = msk_domain_parent(d), .index = (int)n };
	s->domains = t->a->domains;
	s->nr_domains = n + 1;
	return 0;
}

/* The MSI descriptor behind a virq, when its outermost domain is an MSI device domain. */
static void take_msi_desc(struct take *t, struct msk_report_irq *ri, struct msk_irq_data *top)
{
	if (!msk_msi_domain_get_info(top->domain) || !top->desc)
		return;
	const struct msk_msi_desc *md = msk_desc_msi_desc(top->desc);
	if (!md)
		return;
	if (md->dev)
		ri->device = arena_strdup(t->a, msk_device_name(md->dev), &t->oom);
	unsigned int nvec = md->nvec_used ? md->nvec_used : 1;
	if (md->irq && ri->virq >= md->irq && ri->virq - md->irq < nvec) {
		ri->has_index = true;
		ri->index = md->msi_index + (ri->virq - md->irq);
	}
}

/* Under the control lock (msk_core_for_each_irq): levels, counts, descriptor. */
static int take_irq(void *ctx, unsigned int virq)
{
	struct take *t = ctx;
	struct msk_report_snapshot *s = t->s;
	struct msk_irq_data *top = msk_irq_get_irq_data(t->core, virq);
	if (!top)
		return 0;
	unsigned int n = s->nr_irqs;
	if (!grow((void **)&t->a->irqs, &t->a->irqs_cap, n, sizeof(*t->a->irqs)))
		return oom("virqs");
	struct msk_report_irq *ri = &t->a->irqs[n];
	memset(ri, 0, sizeof(*ri));
	ri->virq = virq;

	unsigned int nl = 0;
	for (struct msk_irq_data *l = top; l; l = l->parent_data)
		nl++;
	struct msk_report_level *levels = arena_alloc(t->a, nl * sizeof(*levels));
	uint64_t *counts = arena_alloc(t->a, s->nr_cpus * sizeof(*counts));
	if (!levels || !counts)
		return oom("virq levels");
	unsigned int i = 0;
	for (struct msk_irq_data *l = top; l; l = l->parent_data, i++) {
		struct msk_report_level *rl = &levels[i];
		char text[512];
		rl->domain =
			arena_strdup(t->a, l->domain ? msk_domain_name(l->domain) : "", &t->oom);
		rl->domain_index = domain_index(t, l->domain);
		rl->hwirq = l->hwirq;
		rl->chip = l->chip ? arena_strdup(t->a, l->chip->name ? l->chip->name : "", &t->oom)
				   : NULL;
		msk_domain_debug_show(l->domain, l, text, sizeof(text));
		rl->debug = arena_strdup(t->a, text, &t->oom);
	}
	ri->levels = levels;
	ri->nr_levels = nl;
	for (unsigned int c = 0; c < s->nr_cpus; c++)
		counts[c] = msk_irq_count(t->core, virq, c);
	ri->counts = counts;
	take_msi_desc(t, ri, top);
	if (t->oom)
		return oom("virq names");
	s->irqs = t->a->irqs;
	s->nr_irqs = n + 1;
	return 0;
}

/* Outside the lock: the descriptor's state. False when the virq went away. */
static bool take_irq_state(struct take *t, struct msk_report_irq *ri)
{
	struct msk_irq_info info;
	if (msk_irq_get_info(t->core, ri->virq, &info) < 0)
		return false;
	ri->action = arena_strdup(t->a, info.action_name, &t->oom);
	ri->flow = info.flow_name && strcmp(info.flow_name, "fasteoi") == 0 ? "fasteoi" : "edge";
	if (!ri->device)
		ri->device = arena_strdup(t->a, info.dev_name, &t->oom);
	ri->activated = info.activated;
	ri->started = info.started;
	ri->masked = info.masked;
	ri->disabled = info.disabled;
	ri->pending = info.pending;
	ri->managed = info.managed;
	ri->depth = info.depth;
	ri->pending_weight = info.pending_weight;
	ri->spurious = info.spurious;
	ri->replayed = info.replayed;
	ri->affinity = info.affinity;
	ri->effective = info.effective_affinity;
	return true;
}

static int take_irqs(struct take *t)
{
	int rc = msk_core_for_each_irq(t->core, take_irq, t);
	if (rc)
		return rc < 0 ? rc : -MSK_EIO;
	unsigned int kept = 0;
	for (unsigned int i = 0; i < t->s->nr_irqs; i++) {
		if (!take_irq_state(t, &t->a->irqs[i]))
			continue;
		if (kept != i)
			t->a->irqs[kept] = t->a->irqs[i];
		kept++;
	}
	t->s->nr_irqs = kept;
	return t->oom ? oom("handler names") : 0;
}

static void take_ledger(const struct msk_report_src *src, struct msk_report_snapshot *s)
{
	struct msk_ledger *l = src->ledger ? src->ledger : msk_core_ledger(src->core);
	struct msk_report_ledger *rl = &s->ledger;
	if (!l)
		return;
	rl->present = true;
	msk_ledger_read(l, &rl->counts);
	rl->held = msk_core_held(src->core) + src->held_extra;
	rl->pending = (int64_t)(rl->counts.raised - rl->counts.delivered - rl->counts.lost);
	rl->balanced = rl->counts.raised == rl->counts.delivered + rl->held + rl->counts.lost;
}

static int take_violations(struct take *t)
{
	struct msk_report_snapshot *s = t->s;
	s->violation_count = msk_msi_violation_count(t->core);
	if (!s->violation_count)
		return 0;
	struct msk_msi_violation *v = arena_alloc(t->a, s->violation_count * sizeof(*v));
	if (!v)
		return oom("violations");
	unsigned int n = 0;
	while (n < s->violation_count && msk_msi_get_violation(t->core, n, &v[n]) == 0)
		n++;
	s->violations = v;
	s->nr_violations = n;
	return 0;
}

static int copy_kv(struct take *t, const struct msk_report_kv *in, size_t n,
		   const struct msk_report_kv **out)
{
	if (!n)
		return 0;
	struct msk_report_kv *kv = arena_alloc(t->a, n * sizeof(*kv));
	if (!kv)
		return oom("key/value list");
	for (size_t i = 0; i < n; i++) {
		kv[i] = in[i];
		kv[i].key = arena_strdup(t->a, in[i].key, &t->oom);
		kv[i].str = in[i].type == MSK_REPORT_VALUE_STR
				    ? arena_strdup(t->a, in[i].str, &t->oom)
				    : NULL;
	}
	*out = kv;
	return t->oom ? oom("key/value list") : 0;
}

static int take_meta(struct take *t, const struct msk_report_src *src)
{
	struct msk_report_snapshot *s = t->s;
	s->scenario = arena_strdup(t->a, src->scenario, &t->oom);
	s->arch = arena_strdup(t->a, src->arch, &t->oom);
	s->seed = src->seed;
	s->failed = src->failed;
	s->violations_judged = src->violations_judged;
	int rc = copy_kv(t, src->switches, src->nr_switches, &s->switches);
	if (rc < 0)
		return rc;
	s->nr_switches = src->nr_switches;
	rc = copy_kv(t, src->resources, src->nr_resources, &s->resources);
	if (rc < 0)
		return rc;
	s->nr_resources = src->nr_resources;
	if (src->nr_errors) {
		const char **e = arena_alloc(t->a, src->nr_errors * sizeof(*e));
		if (!e)
			return oom("errors");
		for (size_t i = 0; i < src->nr_errors; i++)
			e[i] = arena_strdup(t->a, src->errors[i], &t->oom);
		s->errors = e;
		s->nr_errors = src->nr_errors;
	}
	return t->oom ? oom("scenario strings") : 0;
}

static bool kv_ok(const struct msk_report_kv *kv)
{
	return kv->key && (kv->type == MSK_REPORT_VALUE_STR || kv->type == MSK_REPORT_VALUE_INT ||
			   kv->type == MSK_REPORT_VALUE_BOOL);
}

/*
 * A list of named values: each with a key and a known type, no key twice,
 * none of the reserved ones (keys the report itself puts beside them).
 */
static int check_kv(const char *what, const struct msk_report_kv *kv, size_t n,
		    const char *const *reserved)
{
	if (n && !kv)
		return msk_err(MSK_EINVAL, "report snapshot: %u %ss but no list", (unsigned)n,
			       what);
	for (size_t i = 0; i < n; i++) {
		if (!kv_ok(&kv[i]))
			return msk_err(MSK_EINVAL, "report snapshot: %s %zu: %s", what, i,
				       kv[i].key ? "bad type" : "no key");
		for (size_t k = 0; k < i; k++)
			if (strcmp(kv[k].key, kv[i].key) == 0)
				return msk_err(MSK_EINVAL, "report snapshot: %s \"%s\" given twice",
					       what, kv[i].key);
		for (const char *const *r = reserved; *r; r++)
			if (strcmp(*r, kv[i].key) == 0)
				return msk_err(MSK_EINVAL, "report snapshot: %s \"%s\" is reserved",
					       what, kv[i].key);
	}
	return 0;
}

static int check_src(const struct msk_report_src *src)
{
	static const char *const machine_keys[] = { "arch", "cpus", "online", NULL };
	static const char *const no_keys[] = { NULL };
	if (!src || !src->core)
		return msk_err(MSK_EINVAL, "report snapshot: needs a core");
	int rc = check_kv("machine switch", src->switches, src->nr_switches, machine_keys);
	if (rc == 0)
		rc = check_kv("resource", src->resources, src->nr_resources, no_keys);
	if (rc < 0)
		return rc;
	if (src->nr_errors && !src->errors)
		return msk_err(MSK_EINVAL, "report snapshot: %zu errors but no list",
			       src->nr_errors);
	for (size_t i = 0; i < src->nr_errors; i++)
		if (!src->errors[i])
			return msk_err(MSK_EINVAL, "report snapshot: error message %zu is NULL", i);
	return 0;
}

int msk_report_snapshot_take(const struct msk_report_src *src, struct msk_report_snapshot **out)
{
	int rc = check_src(src);
	if (rc < 0)
		return rc;
	if (!out)
		return msk_err(MSK_EINVAL, "report snapshot: nowhere to put it");
	struct take t = { .core = src->core };
	t.s = msk_calloc(1, sizeof(*t.s));
	t.a = msk_calloc(1, sizeof(*t.a));
	if (!t.s || !t.a) {
		msk_free(t.s);
		msk_free(t.a);
		return oom("snapshot");
	}
	t.s->arena = t.a;
	t.s->nr_cpus = msk_core_nr_cpus(src->core);
	t.s->online = msk_core_online_cpus(src->core);
	msk_core_get_stats(src->core, &t.s->stats);
	rc = msk_core_for_each_domain(src->core, take_domain, &t);
	if (rc == 0) {
		index_domains(&t);
		rc = take_irqs(&t);
	}
	if (rc == 0)
		rc = take_violations(&t);
	if (rc == 0)
		rc = take_meta(&t, src);
	msk_free(t.refs);
	if (rc < 0) {
		msk_report_snapshot_free(t.s);
		return rc;
	}
	take_ledger(src, t.s);
	*out = t.s;
	return 0;
}

void msk_report_snapshot_free(struct msk_report_snapshot *snap)
{
	if (!snap)
		return;
	arena_free(snap->arena);
	msk_free(snap);
}

bool msk_report_passed(const struct msk_report_snapshot *snap)
{
	if (!snap || snap->failed || (snap->violation_count && !snap->violations_judged))
		return false;
	return !snap->ledger.present || snap->ledger.balanced;
}
