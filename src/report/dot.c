/* SPDX-License-Identifier: MIT */
/*
 * Graphviz DOT of the hierarchy. Nodes: d<i> for domain i of the snapshot
 * (shape and colour by kind), v<virq> for a virq, n<i> for the "N virqs"
 * summary of domain i, l<i> for what was lost at domain i, c<n> for CPU n
 * (or c_all for all of them). Edges go from child to parent; the graph is
 * drawn bottom-up (rankdir=BT), so the CPUs are on top, then the roots,
 * and virqs hang below their outermost domain. The domains of one device
 * share a cluster named by the device and its outermost domain.
 */
#include "report/internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define DOT_DEFAULT_MAX_VIRQS 64u
#define DOT_DEFAULT_MAX_CPUS  16u
#define DOT_MAX_LOSS_LINES    8u

/* Text inside a DOT double-quoted string: quotes and backslashes escaped, control characters dropped. */
static void dot_escaped(struct rout *o, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\') {
			char esc[2] = { '\\', *s };
			rout_write(o, esc, 2);
		} else if ((unsigned char)*s >= 0x20 && *s != 0x7f) {
			rout_write(o, s, 1);
		}
	}
}

static const char *kind_style(enum msk_report_kind kind)
{
	switch (kind) {
	case MSK_REPORT_KIND_ROOT:
		return "shape=box3d, style=filled, fillcolor=\"#fdd0a2\"";
	case MSK_REPORT_KIND_MSI_PARENT:
		return "shape=box, style=\"filled,bold\", fillcolor=\"#c6dbef\"";
	case MSK_REPORT_KIND_REMAP:
		return "shape=hexagon, style=filled, fillcolor=\"#e5d8bd\"";
	case MSK_REPORT_KIND_MSI_DEVICE:
		return "shape=box, style=\"filled,rounded\", fillcolor=\"#c7e9c0\"";
	default:
		return "shape=box, style=filled, fillcolor=\"#eeeeee\"";
	}
}

static void dot_domain(struct rout *o, const struct msk_report_snapshot *s, unsigned int i,
		       const char *indent)
{
	const struct msk_report_domain *d = &s->domains[i];
	rout_printf(o, "%sd%u [label=\"", indent, i);
	dot_escaped(o, d->name);
	/* "\n" between the lines of a label is DOT's line break. */
	rout_printf(o, "\\n%s, %s", msk_report_kind_name(d->kind),
		    msk_bus_token_name(d->bus_token));
	if (d->msi_info)
		rout_printf(o, "\\nhwsize %u, mapped %u\"", d->msi_hwsize, d->mapped);
	else
		rout_printf(o, "\\nsize %llu, mapped %u\"", (unsigned long long)d->size, d->mapped);
	rout_printf(o, ", %s];\n", kind_style(d->kind));
}

/*
 * The virqs whose outermost level is in domain i: a node each, or one
 * summary node when summarizing (nvirqs[i]: how many; nodes are drawn only
 * up to max_virqs virqs in all, so the loop below stays short).
 */
static void dot_virqs(struct rout *o, const struct msk_report_snapshot *s, unsigned int i,
		      const unsigned int *nvirqs, bool summarize, const char *indent)
{
	if (summarize) {
		if (nvirqs[i])
			rout_printf(o, "%sn%u [label=\"%u virq%s\", shape=note, fontsize=8];\n",
				    indent, i, nvirqs[i], nvirqs[i] == 1 ? "" : "s");
		return;
	}
	for (unsigned int k = 0; k < s->nr_irqs && nvirqs[i]; k++) {
		const struct msk_report_irq *irq = &s->irqs[k];
		if (irq->levels[0].domain_index != (int)i)
			continue;
		rout_printf(o, "%sv%u [label=\"%u", indent, irq->virq, irq->virq);
		if (irq->action) {
			rout_puts(o, "\\n");
			dot_escaped(o, irq->action);
		}
		rout_puts(o, "\", shape=ellipse, fontsize=8, height=0.2];\n");
	}
	/* In ascending order, left to right: one rank, chained by invisible edges. */
	if (nvirqs[i] < 2)
		return;
	unsigned int prev = 0;
	rout_printf(o, "%s{ rank=same;", indent);
	for (unsigned int k = 0; k < s->nr_irqs; k++)
		if (s->irqs[k].levels[0].domain_index == (int)i)
			rout_printf(o, " v%u;", s->irqs[k].virq);
	rout_puts(o, " }\n");
	for (unsigned int k = 0; k < s->nr_irqs; k++) {
		if (s->irqs[k].levels[0].domain_index != (int)i)
			continue;
		if (prev)
			rout_printf(o, "%sv%u -> v%u [style=invis];\n", indent, prev,
				    s->irqs[k].virq);
		prev = s->irqs[k].virq;
	}
}

/* The edges from the virq (or summary) nodes of domain i to it. */
static void dot_virq_edges(struct rout *o, const struct msk_report_snapshot *s, unsigned int i,
			   const unsigned int *nvirqs, bool summarize)
{
	if (summarize) {
		if (nvirqs[i])
			rout_printf(o, "\tn%u -> d%u [style=dashed, arrowhead=none];\n", i, i);
		return;
	}
	for (unsigned int k = 0; k < s->nr_irqs && nvirqs[i]; k++)
		if (s->irqs[k].levels[0].domain_index == (int)i)
			rout_printf(o, "\tv%u -> d%u [style=dashed, arrowhead=none];\n",
				    s->irqs[k].virq, i);
}

/* Is domain i the first of the snapshot's domains with its device? */
static bool first_of_device(const struct msk_report_snapshot *s, unsigned int i)
{
	for (unsigned int k = 0; k < i; k++)
		if (s->domains[k].device && strcmp(s->domains[k].device, s->domains[i].device) == 0)
			return false;
	return true;
}

/* --- CPUs ------------------------------------------------------------------------------------ */

static uint64_t cpu_handled(const struct msk_report_snapshot *s, unsigned int c)
{
	uint64_t n = 0;
	for (unsigned int k = 0; k < s->nr_irqs; k++)
		n += s->irqs[k].counts[c];
	return n;
}

/* The CPUs' cluster: a node per CPU, or one for all beyond max. */
static void dot_cpus(struct rout *o, const struct msk_report_snapshot *s, unsigned int max)
{
	rout_puts(o, "\tsubgraph cluster_cpus {\n\t\tlabel=\"CPUs\";\n\t\tstyle=\"rounded\";\n");
	if (s->nr_cpus > max) {
		uint64_t n = 0;
		for (unsigned int c = 0; c < s->nr_cpus; c++)
			n += cpu_handled(s, c);
		char online[128];
		msk_cpumask_format(&s->online, online, sizeof(online));
		rout_printf(o,
			    "\t\tc_all [label=\"%u CPUs\\nonline %s\\n%llu interrupts\", "
			    "shape=box, style=filled, fillcolor=\"#f0f0f0\"];\n",
			    s->nr_cpus, online, (unsigned long long)n);
	} else {
		for (unsigned int c = 0; c < s->nr_cpus; c++) {
			bool on = msk_cpumask_test(&s->online, c);
			rout_printf(o,
				    "\t\tc%u [label=\"CPU%u\\n%llu interrupts%s\", shape=box, "
				    "style=\"%s\", fillcolor=\"#f0f0f0\"];\n",
				    c, c, (unsigned long long)cpu_handled(s, c),
				    on ? "" : "\\noffline", on ? "filled" : "dashed");
		}
		/* Side by side, in order. */
		for (unsigned int c = 0; c + 1 < s->nr_cpus; c++)
			rout_printf(o, "\t\tc%u -> c%u [style=invis];\n", c, c + 1);
		if (s->nr_cpus > 1) {
			rout_puts(o, "\t\t{ rank=same;");
			for (unsigned int c = 0; c < s->nr_cpus; c++)
				rout_printf(o, " c%u;", c);
			rout_puts(o, " }\n");
		}
	}
	rout_puts(o, "\t}\n");
	const char *first = s->nr_cpus > max ? "c_all" : "c0";
	for (unsigned int i = 0; i < s->nr_domains; i++)
		if (s->domains[i].parent < 0)
			rout_printf(o, "\td%u -> %s [lhead=cluster_cpus, color=\"#999999\"];\n", i,
				    first);
}

/* --- losses ---------------------------------------------------------------------------------- */

enum loss_level { AT_DEVICE, AT_REMAP, AT_PARENT, AT_ROOT };

/* Which level drops an event for this reason. */
static enum loss_level loss_level(enum msk_loss r)
{
	switch (r) {
	case MSK_LOSS_IRTE_NOT_PRESENT:
	case MSK_LOSS_IRTE_SID_MISMATCH:
	case MSK_LOSS_IRTE_OUT_OF_RANGE:
	case MSK_LOSS_IRTE_RESERVED:
	case MSK_LOSS_IR_COMPAT_BLOCKED:
	case MSK_LOSS_IR_TABLE_INVALID:
	case MSK_LOSS_IR_DISABLED:
		return AT_REMAP;
	case MSK_LOSS_ITS_DISABLED:
	case MSK_LOSS_NO_MAPPING:
	case MSK_LOSS_DEVID_OUT_OF_RANGE:
	case MSK_LOSS_ITT_OUT_OF_RANGE:
	case MSK_LOSS_ITS_CLEAR:
	case MSK_LOSS_ITS_DISCARD:
		return AT_PARENT;
	case MSK_LOSS_VECTOR_NOT_ASSIGNED:
	case MSK_LOSS_APIC_NO_TARGET:
	case MSK_LOSS_APIC_ILLEGAL_VECTOR:
	case MSK_LOSS_APIC_DELIVERY_MODE:
	case MSK_LOSS_LPIS_DISABLED:
	case MSK_LOSS_TABLE_FAULT:
	case MSK_LOSS_LPI_OUT_OF_RANGE:
	case MSK_LOSS_XIVE_OFF:
	case MSK_LOSS_XIVE_INVALID_SOURCE:
	case MSK_LOSS_XIVE_EAS_MASKED:
	case MSK_LOSS_XIVE_NO_QUEUE:
	case MSK_LOSS_XIVE_QUEUE_OVERFLOW:
	case MSK_LOSS_XIVE_QUEUE_RESET:
		return AT_ROOT;
	default: /* the device, its message, or the core's handling of its virq */
		return AT_DEVICE;
	}
}

/* Does a loss's device name (maybe "BDF/ims") name device? */
static bool same_device(const char *loss_dev, const char *device)
{
	size_t n = strcspn(loss_dev, "/");
	return device && strlen(device) == n && strncmp(loss_dev, device, n) == 0;
}

/* The first domain of the level (remap, MSI parent, root), or the first root. */
static int first_at(const struct msk_report_snapshot *s, enum loss_level at)
{
	int root = -1;
	for (unsigned int i = 0; i < s->nr_domains; i++) {
		enum msk_report_kind kind = s->domains[i].kind;
		if ((at == AT_REMAP && kind == MSK_REPORT_KIND_REMAP) ||
		    (at == AT_PARENT && kind == MSK_REPORT_KIND_MSI_PARENT))
			return (int)i;
		if (root < 0 && s->domains[i].parent < 0)
			root = (int)i;
	}
	return root;
}

/* The domain a loss is drawn on, or -1 (no domain at all). */
static int loss_domain(const struct msk_report_snapshot *s, const struct msk_report_loss *l)
{
	const struct msk_report_irq *irq = NULL;
	for (unsigned int k = 0; l->device && k < s->nr_irqs && !irq; k++)
		if (s->irqs[k].device && same_device(l->device, s->irqs[k].device))
			irq = &s->irqs[k];
	enum loss_level at = loss_level(l->reason);
	if (!irq) { /* no virq left: the device's own domain, else the first of the level */
		for (unsigned int i = 0; at == AT_DEVICE && l->device && i < s->nr_domains; i++)
			if (same_device(l->device, s->domains[i].device))
				return (int)i;
		return first_at(s, at);
	}
	int found = -1;
	for (unsigned int k = 0; k < irq->nr_levels; k++) {
		int di = irq->levels[k].domain_index;
		if (di < 0)
			continue;
		enum msk_report_kind kind = s->domains[di].kind;
		if ((at == AT_DEVICE && k == 0) ||
		    (at == AT_REMAP && kind == MSK_REPORT_KIND_REMAP) ||
		    (at == AT_PARENT && kind == MSK_REPORT_KIND_MSI_PARENT) ||
		    (at != AT_DEVICE && at != AT_REMAP && s->domains[di].parent < 0))
			return di;
		if (at != AT_DEVICE)
			found = di; /* the innermost so far: the fallback */
	}
	return found >= 0 ? found : irq->levels[0].domain_index;
}

/* The red notes: for each domain, what was lost there, by device and reason. */
static void dot_losses(struct rout *o, const struct msk_report_snapshot *s,
		       const struct msk_report_loss *losses, size_t n, const int *at)
{
	for (unsigned int i = 0; i < s->nr_domains; i++) {
		unsigned int lines = 0, more = 0;
		uint64_t total = 0;
		for (size_t k = 0; k < n; k++) {
			if (at[k] != (int)i)
				continue;
			total += losses[k].weight;
			if (lines == DOT_MAX_LOSS_LINES) {
				more++;
				continue;
			}
			if (lines++ == 0)
				rout_printf(o, "\tl%u [label=\"lost here", i);
			rout_puts(o, "\\l");
			if (losses[k].device &&
			    !same_device(losses[k].device, s->domains[i].device)) {
				dot_escaped(o, losses[k].device);
				rout_puts(o, ": ");
			}
			rout_printf(o, "%s %llu", msk_loss_name(losses[k].reason),
				    (unsigned long long)losses[k].weight);
		}
		if (!lines)
			continue;
		if (more)
			rout_printf(o, "\\l... %u more", more);
		rout_printf(o,
			    "\\l\", shape=note, style=filled, fillcolor=\"#fcbba1\", "
			    "color=\"#cb181d\", fontsize=9];\n"
			    "\tl%u -> d%u [color=\"#cb181d\", style=dashed, arrowhead=none, "
			    "label=\"%llu lost\", fontcolor=\"#cb181d\", fontsize=8];\n",
			    i, i, (unsigned long long)total);
	}
}

/* Losses without a caller's list: the ledger's reasons, on the first root. */
static struct msk_report_loss *ledger_losses(const struct msk_report_snapshot *s, size_t *n)
{
	*n = 0;
	if (!s->ledger.present || !s->ledger.counts.lost)
		return NULL;
	struct msk_report_loss *v = msk_calloc(MSK_LOSS__COUNT, sizeof(*v));
	if (!v)
		return NULL;
	for (int r = 0; r < MSK_LOSS__COUNT; r++)
		if (s->ledger.counts.lost_by_reason[r])
			v[(*n)++] = (struct msk_report_loss){
				.reason = (enum msk_loss)r,
				.weight = s->ledger.counts.lost_by_reason[r],
			};
	return v;
}

/* A device's cluster: label "device\nouter domain" and its domains with their virqs. */
static void dot_cluster(struct rout *o, const struct msk_report_snapshot *s, unsigned int i,
			const unsigned int *nvirqs, bool summarize)
{
	const struct msk_report_domain *d = &s->domains[i];
	rout_printf(o, "\tsubgraph cluster_d%u {\n\t\tlabel=\"", i);
	dot_escaped(o, d->device);
	rout_puts(o, "\\n");
	dot_escaped(o, d->name);
	rout_puts(o, "\";\n\t\tstyle=\"rounded,dashed\";\n");
	for (unsigned int k = i; k < s->nr_domains; k++)
		if (s->domains[k].device && strcmp(s->domains[k].device, d->device) == 0) {
			dot_domain(o, s, k, "\t\t");
			dot_virqs(o, s, k, nvirqs, summarize, "\t\t");
		}
	rout_puts(o, "\t}\n");
}

int msk_report_write_dot(const struct msk_report_snapshot *snap,
			 const struct msk_report_dot_opts *opts, const struct msk_report_sink *out)
{
	struct rout o;
	int rc = rout_begin(&o, snap, out);
	if (rc < 0)
		return rc;
	unsigned int max = opts && opts->max_virqs ? opts->max_virqs : DOT_DEFAULT_MAX_VIRQS;
	unsigned int max_cpus = opts && opts->max_cpus ? opts->max_cpus : DOT_DEFAULT_MAX_CPUS;
	bool summarize = (opts && opts->no_virqs) || snap->nr_irqs > max;
	const struct msk_report_loss *losses = opts ? opts->losses : NULL;
	size_t nl = opts && opts->losses ? opts->nr_losses : 0;
	struct msk_report_loss *own = NULL;
	if (!losses)
		losses = own = ledger_losses(snap, &nl);
	unsigned int *nvirqs = msk_calloc(snap->nr_domains ? snap->nr_domains : 1, sizeof(*nvirqs));
	int *at = msk_calloc(nl ? nl : 1, sizeof(*at));
	if (!nvirqs || !at ||
	    (own == NULL && losses == NULL && snap->ledger.present && snap->ledger.counts.lost)) {
		msk_free(nvirqs);
		msk_free(at);
		msk_free(own);
		return msk_err(MSK_ENOMEM, "report: DOT of %u domains", snap->nr_domains);
	}
	for (unsigned int k = 0; k < snap->nr_irqs; k++) {
		int di = snap->irqs[k].levels[0].domain_index;
		if (di >= 0)
			nvirqs[di]++;
	}
	for (size_t k = 0; k < nl; k++)
		at[k] = loss_domain(snap, &losses[k]);
	rout_puts(&o, "digraph msikit {\n"
		      "\tgraph [rankdir=BT, compound=true, newrank=true, fontname=\"Helvetica\", "
		      "fontsize=10];\n"
		      "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
		      "\tedge [color=\"#555555\"];\n");
	for (unsigned int i = 0; i < snap->nr_domains; i++) {
		const struct msk_report_domain *d = &snap->domains[i];
		if (d->device) {
			if (first_of_device(snap, i)) /* else drawn in its device's cluster */
				dot_cluster(&o, snap, i, nvirqs, summarize);
			continue;
		}
		dot_domain(&o, snap, i, "\t");
		dot_virqs(&o, snap, i, nvirqs, summarize, "\t");
	}
	if (snap->nr_cpus)
		dot_cpus(&o, snap, max_cpus);
	for (unsigned int i = 0; i < snap->nr_domains; i++) {
		if (snap->domains[i].parent >= 0)
			rout_printf(&o, "\td%u -> d%d;\n", i, snap->domains[i].parent);
		dot_virq_edges(&o, snap, i, nvirqs, summarize);
	}
	dot_losses(&o, snap, losses, nl, at);
	rout_puts(&o, "}\n");
	msk_free(nvirqs);
	msk_free(at);
	msk_free(own);
	return o.err;
}
