/* SPDX-License-Identifier: MIT */
/*
 * The overview: a machine of any size on one screen. One line about the
 * machine, then one row per device (its vectors, the interrupts they took
 * and on which CPUs, its outermost domain), the busiest first, at most
 * max_devices of them.
 *
 *	machine: 4 CPUs (online 0-3), 2 domains, 3 virqs (3 with a handler), 1 device
 *	device        vectors  interrupts  on CPUs  domain
 *	0000:01:00.0        3           4  0,2      TEST-PCI-MSIX-0000:01:00.0
 */
#include "report/internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define OVERVIEW_DEFAULT_ROWS 10u
#define CPUS_WIDTH	      24

struct dev_row {
	const char *device; /* "-": virqs without a device */
	const char *domain; /* outermost domain of its first virq; "(several)" */
	unsigned int vectors, first;
	uint64_t handled;
	struct msk_cpumask cpus; /* CPUs that took some */
};

static const char *irq_device(const struct msk_report_irq *irq)
{
	return irq->device ? irq->device : "-";
}

/* Group the virqs by device: rows in order of each device's first virq. */
static unsigned int group(const struct msk_report_snapshot *s, struct dev_row *rows)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < s->nr_irqs; i++) {
		const struct msk_report_irq *irq = &s->irqs[i];
		const char *dev = irq_device(irq);
		unsigned int r = 0;
		while (r < n && strcmp(rows[r].device, dev) != 0)
			r++;
		if (r == n) {
			rows[n++] = (struct dev_row){ .device = dev,
						      .domain = irq->levels[0].domain,
						      .first = i };
			msk_cpumask_clear(&rows[r].cpus);
		} else if (strcmp(rows[r].domain, irq->levels[0].domain) != 0) {
			rows[r].domain = "(several)";
		}
		rows[r].vectors++;
		for (unsigned int c = 0; c < s->nr_cpus; c++)
			if (irq->counts[c]) {
				rows[r].handled += irq->counts[c];
				msk_cpumask_set(&rows[r].cpus, c);
			}
	}
	return n;
}

/* Busiest first; equals in the order of their first virq (a stable sort by hand). */
static void sort_rows(struct dev_row *rows, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		struct dev_row r = rows[i];
		unsigned int j = i;
		while (j > 0 &&
		       (rows[j - 1].handled < r.handled ||
			(rows[j - 1].handled == r.handled && rows[j - 1].first > r.first))) {
			rows[j] = rows[j - 1];
			j--;
		}
		rows[j] = r;
	}
}

static void write_machine(struct rout *o, const struct msk_report_snapshot *s, unsigned int ndev)
{
	char online[128];
	unsigned int handlers = 0;
	for (unsigned int i = 0; i < s->nr_irqs; i++)
		handlers += s->irqs[i].action != NULL;
	msk_cpumask_format(&s->online, online, sizeof(online));
	rout_printf(o,
		    "machine: %u CPU%s (online %s), %u domain%s, %u virq%s (%u with a handler), "
		    "%u device%s\n",
		    s->nr_cpus, s->nr_cpus == 1 ? "" : "s", online, s->nr_domains,
		    s->nr_domains == 1 ? "" : "s", s->nr_irqs, s->nr_irqs == 1 ? "" : "s", handlers,
		    ndev, ndev == 1 ? "" : "s");
}

int msk_report_write_overview(const struct msk_report_snapshot *snap,
			      const struct msk_report_overview_opts *opts,
			      const struct msk_report_sink *out)
{
	struct rout o;
	int rc = rout_begin(&o, snap, out);
	if (rc < 0)
		return rc;
	struct dev_row *rows = msk_calloc(snap->nr_irqs ? snap->nr_irqs : 1, sizeof(*rows));
	if (!rows)
		return msk_err(MSK_ENOMEM, "report: overview of %u virqs", snap->nr_irqs);
	unsigned int n = group(snap, rows);
	sort_rows(rows, n);
	write_machine(&o, snap, n);
	unsigned int max = opts && opts->max_devices ? opts->max_devices : OVERVIEW_DEFAULT_ROWS;
	unsigned int shown = n < max ? n : max;
	int w = 6;
	for (unsigned int r = 0; r < shown; r++)
		if ((int)strlen(rows[r].device) > w)
			w = (int)strlen(rows[r].device);
	if (shown)
		rout_printf(&o, "%-*s  vectors  interrupts  %-*s  domain\n", w, "device",
			    CPUS_WIDTH, "on CPUs");
	for (unsigned int r = 0; r < shown; r++) {
		char cpus[CPUS_WIDTH + 8];
		if (msk_cpumask_empty(&rows[r].cpus))
			snprintf(cpus, sizeof(cpus), "-");
		else if (strlen(msk_cpumask_format(&rows[r].cpus, cpus, sizeof(cpus))) >
				 CPUS_WIDTH ||
			 strlen(cpus) + 1 >= sizeof(cpus))
			snprintf(cpus, sizeof(cpus), "%u CPUs", msk_cpumask_weight(&rows[r].cpus));
		rout_printf(&o, "%-*s  %7u  %10llu  %-*s  %s\n", w, rows[r].device, rows[r].vectors,
			    (unsigned long long)rows[r].handled, CPUS_WIDTH, cpus, rows[r].domain);
	}
	if (n > shown) {
		unsigned int vec = 0;
		for (unsigned int r = shown; r < n; r++)
			vec += rows[r].vectors;
		rout_printf(&o, "... %u more device%s (%u virq%s)%s%s\n", n - shown,
			    n - shown == 1 ? "" : "s", vec, vec == 1 ? "" : "s",
			    opts && opts->more_hint ? ", " : "",
			    opts && opts->more_hint ? opts->more_hint : "");
	}
	msk_free(rows);
	return o.err;
}
