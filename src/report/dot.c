/* SPDX-License-Identifier: MIT */
/*
 * Graphviz DOT of the hierarchy. Nodes: d<i> for domain i of the snapshot
 * (shape and colour by kind), v<virq> for a virq, n<i> for the "N virqs"
 * summary of domain i. Edges go from child to parent; the graph is drawn
 * bottom-up (rankdir=BT), so roots are on top and virqs hang below their
 * outermost domain. The domains of one device share a cluster.
 */
#include "report/internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define DOT_DEFAULT_MAX_VIRQS 64u

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

static void dot_quoted(struct rout *o, const char *s)
{
	rout_puts(o, "\"");
	dot_escaped(o, s);
	rout_puts(o, "\"");
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

int msk_report_write_dot(const struct msk_report_snapshot *snap,
			 const struct msk_report_dot_opts *opts, const struct msk_report_sink *out)
{
	struct rout o;
	int rc = rout_begin(&o, snap, out);
	if (rc < 0)
		return rc;
	unsigned int max = opts && opts->max_virqs ? opts->max_virqs : DOT_DEFAULT_MAX_VIRQS;
	bool summarize = (opts && opts->no_virqs) || snap->nr_irqs > max;
	unsigned int *nvirqs = msk_calloc(snap->nr_domains ? snap->nr_domains : 1, sizeof(*nvirqs));
	if (!nvirqs)
		return msk_err(MSK_ENOMEM, "report: DOT of %u domains", snap->nr_domains);
	for (unsigned int k = 0; k < snap->nr_irqs; k++) {
		int di = snap->irqs[k].levels[0].domain_index;
		if (di >= 0)
			nvirqs[di]++;
	}
	rout_puts(&o, "digraph msikit {\n"
		      "\tgraph [rankdir=BT, fontname=\"Helvetica\", fontsize=10];\n"
		      "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
		      "\tedge [color=\"#555555\"];\n");
	unsigned int cluster = 0;
	for (unsigned int i = 0; i < snap->nr_domains; i++) {
		const struct msk_report_domain *d = &snap->domains[i];
		if (d->device) {
			if (!first_of_device(snap, i))
				continue; /* drawn in its device's cluster */
			rout_printf(&o, "\tsubgraph cluster_%u {\n\t\tlabel=", cluster++);
			dot_quoted(&o, d->device);
			rout_puts(&o, ";\n\t\tstyle=\"rounded,dashed\";\n");
			for (unsigned int k = i; k < snap->nr_domains; k++)
				if (snap->domains[k].device &&
				    strcmp(snap->domains[k].device, d->device) == 0) {
					dot_domain(&o, snap, k, "\t\t");
					dot_virqs(&o, snap, k, nvirqs, summarize, "\t\t");
				}
			rout_puts(&o, "\t}\n");
			continue;
		}
		dot_domain(&o, snap, i, "\t");
		dot_virqs(&o, snap, i, nvirqs, summarize, "\t");
	}
	for (unsigned int i = 0; i < snap->nr_domains; i++) {
		if (snap->domains[i].parent >= 0)
			rout_printf(&o, "\td%u -> d%d;\n", i, snap->domains[i].parent);
		dot_virq_edges(&o, snap, i, nvirqs, summarize);
	}
	rout_puts(&o, "}\n");
	msk_free(nvirqs);
	return o.err;
}
