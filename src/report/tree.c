/* SPDX-License-Identifier: MIT */
/*
 * The domain tree, in the layout of Linux's /sys/kernel/debug/irq/
 * (kernel/irq/irqdomain.c irq_domain_debug_show_one, kernel/irq/debugfs.c
 * irq_debug_show_data): a block per domain, "domains/<name>:", whose
 * parent block follows indented by 4, recursively; then a block per virq,
 * "irqs/<virq>:", whose levels go from the outermost inwards, each parent
 * indented by 4. Flag names sit 12 columns in, as the kernel's do. Lines
 * beyond the kernel's: kind, bus, device, hwsize and msi (the MSI flags)
 * for domains, and the handler's name, MSI index and counts for virqs.
 */
#include "report/internal.h"

#include <string.h>

/* Each line of text, indented. */
static void show_text(struct rout *o, unsigned int ind, const char *text)
{
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		if (len) {
			rout_pad(o, ind);
			rout_write(o, text, len);
			rout_puts(o, "\n");
		}
		text += len + (nl ? 1 : 0);
	}
}

/* The names of a "|"-separated list, one per line at column ind + 12. */
static void show_names(struct rout *o, unsigned int ind, const char *names)
{
	while (*names) {
		const char *bar = strchr(names, '|');
		size_t len = bar ? (size_t)(bar - names) : strlen(names);
		rout_pad(o, ind + 12);
		rout_write(o, names, len);
		rout_puts(o, "\n");
		names += len + (bar ? 1 : 0);
	}
}

static void show_domain(struct rout *o, const struct msk_report_snapshot *s, unsigned int idx,
			unsigned int ind)
{
	const struct msk_report_domain *d = &s->domains[idx];
	char names[512];
	rout_printf(o, "%*sname:   %s\n", (int)ind, "", d->name);
	rout_printf(o, "%*ssize:   %llu\n", (int)ind + 1, "", (unsigned long long)d->size);
	rout_printf(o, "%*smapped: %u\n", (int)ind + 1, "", d->mapped);
	rout_printf(o, "%*sflags:  0x%08x\n", (int)ind + 1, "", d->flags);
	show_names(o, ind, msk_report_domain_flags_format(d->flags, names, sizeof(names)));
	rout_printf(o, "%*skind:   %s\n", (int)ind + 1, "", msk_report_kind_name(d->kind));
	rout_printf(o, "%*sbus:    %s\n", (int)ind + 1, "", msk_bus_token_name(d->bus_token));
	if (d->msi_info) {
		if (d->device)
			rout_printf(o, "%*sdevice: %s\n", (int)ind + 1, "", d->device);
		rout_printf(o, "%*shwsize: %u\n", (int)ind + 1, "", d->msi_hwsize);
		rout_printf(o, "%*smsi:    0x%08x\n", (int)ind + 1, "", d->msi_flags);
		show_names(o, ind, msk_msi_flags_format(d->msi_flags, names, sizeof(names)));
	}
	show_text(o, ind + 1, d->debug);
	/* Parents come before children in the snapshot: the recursion ends. */
	if (d->parent < 0 || (unsigned int)d->parent >= idx)
		return;
	rout_printf(o, "%*sparent: %s\n", (int)ind + 1, "", s->domains[d->parent].name);
	show_domain(o, s, (unsigned int)d->parent, ind + 4);
}

static void show_state(struct rout *o, const struct msk_report_irq *irq)
{
	static const char *const names[] = { "activated", "started", "masked",
					     "disabled",  "pending", "managed" };
	const bool set[] = { irq->activated, irq->started, irq->masked,
			     irq->disabled,  irq->pending, irq->managed };
	bool any = false;
	rout_puts(o, "state:   ");
	for (unsigned int i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i]) {
			rout_printf(o, " %s", names[i]);
			any = true;
		}
	rout_puts(o, any ? "\n" : " -\n");
}

static void show_level(struct rout *o, const struct msk_report_irq *irq, unsigned int i,
		       unsigned int ind)
{
	const struct msk_report_level *l = &irq->levels[i];
	rout_printf(o, "%*sdomain:  %s\n", (int)ind, "", l->domain);
	rout_printf(o, "%*shwirq:   0x%llx\n", (int)ind + 1, "", (unsigned long long)l->hwirq);
	rout_printf(o, "%*schip:    %s\n", (int)ind + 1, "",
		    !l->chip	 ? "None"
		    : l->chip[0] ? l->chip
				 : "-");
	show_text(o, ind + 1, l->debug);
	if (i + 1 >= irq->nr_levels)
		return;
	rout_printf(o, "%*sparent:\n", (int)ind + 1, "");
	show_level(o, irq, i + 1, ind + 4);
}

static void show_irq(struct rout *o, const struct msk_report_snapshot *s,
		     const struct msk_report_irq *irq)
{
	char mask[1024];
	uint64_t handled = 0;
	for (unsigned int c = 0; c < s->nr_cpus; c++)
		handled += irq->counts[c];
	rout_printf(o, "irqs/%u:\n", irq->virq);
	rout_printf(o, "handler:  %s\n", report_flow_handler(irq->flow));
	rout_printf(o, "action:   %s\n", irq->action ? irq->action : "-");
	rout_printf(o, "device:   %s\n", irq->device ? irq->device : "-");
	if (irq->has_index)
		rout_printf(o, "index:    %u\n", irq->index);
	show_state(o, irq);
	rout_printf(o, "ddepth:   %u\n", irq->depth);
	rout_printf(o, "affinity: %s\n", msk_cpumask_format(&irq->affinity, mask, sizeof(mask)));
	rout_printf(o, "effectiv: %s\n", msk_cpumask_format(&irq->effective, mask, sizeof(mask)));
	rout_printf(o, "pending:  %u\n", irq->pending_weight);
	rout_printf(o, "handled:  %llu\n", (unsigned long long)handled);
	rout_printf(o, "spurious: %llu\n", (unsigned long long)irq->spurious);
	rout_printf(o, "replayed: %llu\n", (unsigned long long)irq->replayed);
	show_level(o, irq, 0, 0);
}

int msk_report_write_tree(const struct msk_report_snapshot *snap, const struct msk_report_sink *out)
{
	struct rout o;
	int rc = rout_begin(&o, snap, out);
	if (rc < 0)
		return rc;
	bool first = true;
	for (unsigned int i = 0; i < snap->nr_domains; i++, first = false) {
		rout_printf(&o, "%sdomains/%s:\n", first ? "" : "\n", snap->domains[i].name);
		show_domain(&o, snap, i, 0);
	}
	for (unsigned int i = 0; i < snap->nr_irqs; i++, first = false) {
		rout_puts(&o, first ? "" : "\n");
		show_irq(&o, snap, &snap->irqs[i]);
	}
	return o.err;
}
