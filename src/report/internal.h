/* SPDX-License-Identifier: MIT */
#ifndef MSK_REPORT_INTERNAL_H
#define MSK_REPORT_INTERNAL_H

/* Shared by the files of src/report only: text output and small helpers. */

#include <msikit/report.h>

#include <stdarg.h>

/*
 * A writer's output: text goes to the sink until the first error, which
 * is kept (and returned by rout_end); later writes are dropped.
 */
struct rout {
	const struct msk_report_sink *sink;
	int err;
};

void rout_write(struct rout *o, const char *data, size_t len);
void rout_puts(struct rout *o, const char *s);
void rout_printf(struct rout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* n spaces. */
void rout_pad(struct rout *o, unsigned int n);

/* Check a writer's arguments and start its output: 0 or -MSK_EINVAL. */
int rout_begin(struct rout *o, const struct msk_report_snapshot *snap,
	       const struct msk_report_sink *sink);

/* The handler name Linux shows for a flow ("handle_edge_irq"). */
const char *report_flow_handler(const char *flow);

/* The ledger balance as one line ("raised 5 != delivered 2 + held 1 + lost 1"). */
void report_ledger_imbalance(const struct msk_report_ledger *l, char *buf, size_t size);

#endif
