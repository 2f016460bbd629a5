/* SPDX-License-Identifier: MIT */
/*
 * The interrupts table, in the layout of Linux 6.18's /proc/interrupts
 * (kernel/irq/proc.c, show_interrupts):
 *
 *	header:	prec + 8 spaces, then "CPU%-8d" per online CPU
 *	row:	"%*d:" (prec), " %10u" per online CPU, " ", the chip name as
 *		"%8s", " %*lu" (prec) hwirq, "-%-8s" flow name, "  %s" action
 *
 * prec is 3, plus one per decimal digit the virq space needs beyond
 * three. The kernel sizes it from nr_irqs; a report sizes it from the
 * highest virq allocated, the smallest space that holds them all.
 */
#include "report/internal.h"

static unsigned int virq_prec(const struct msk_report_snapshot *s)
{
	uint64_t nr = 1;
	for (unsigned int i = 0; i < s->nr_irqs; i++)
		if (s->irqs[i].virq + 1ull > nr)
			nr = s->irqs[i].virq + 1ull;
	unsigned int prec = 3;
	for (uint64_t j = 1000; prec < 10 && j <= nr; j *= 10)
		prec++;
	return prec;
}

static const char *chip_column(const struct msk_report_level *top)
{
	if (!top->chip)
		return "None";
	return top->chip[0] ? top->chip : "-";
}

static void write_row(struct rout *o, const struct msk_report_snapshot *s,
		      const struct msk_report_irq *irq, unsigned int prec)
{
	const struct msk_report_level *top = &irq->levels[0];
	rout_printf(o, "%*u:", (int)prec, irq->virq);
	for (unsigned int c = 0; c < s->nr_cpus; c++)
		if (msk_cpumask_test(&s->online, c))
			rout_printf(o, " %10llu", (unsigned long long)irq->counts[c]);
	rout_printf(o, " %8s", chip_column(top));
	rout_printf(o, " %*llu", (int)prec, (unsigned long long)top->hwirq);
	rout_printf(o, "-%-8s", irq->flow);
	if (irq->action)
		rout_printf(o, "  %s", irq->action);
	rout_puts(o, "\n");
}

int msk_report_write_interrupts(const struct msk_report_snapshot *snap, unsigned int flags,
				const struct msk_report_sink *out)
{
	struct rout o;
	int rc = rout_begin(&o, snap, out);
	if (rc < 0)
		return rc;
	unsigned int prec = virq_prec(snap);
	rout_pad(&o, prec + 8);
	for (unsigned int c = 0; c < snap->nr_cpus; c++)
		if (msk_cpumask_test(&snap->online, c))
			rout_printf(&o, "CPU%-8u", c);
	rout_puts(&o, "\n");
	uint64_t spurious = 0;
	for (unsigned int i = 0; i < snap->nr_irqs; i++) {
		const struct msk_report_irq *irq = &snap->irqs[i];
		spurious += irq->spurious;
		if (irq->action || (flags & MSK_REPORT_TABLE_ALL_IRQS))
			write_row(&o, snap, irq, prec);
	}
	if (flags & MSK_REPORT_TABLE_ERR)
		rout_printf(&o, "%*s: %10llu\n", (int)prec, "ERR", (unsigned long long)spurious);
	return o.err;
}
