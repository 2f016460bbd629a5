/* SPDX-License-Identifier: MIT */
/*
 * The end of a run's text output:
 *
 *	ledger: raised 12, delivered 8, pending 1, lost 3 (no-handler 2, unhandled 1)
 *	        held 1: balanced
 *	violations: 1
 *	  resources-returned: device 0000:03:00.0, domain TEST-IMS-0000:03:00.0: ...
 *	errors: 0
 *	PASS
 */
#include "report/internal.h"

#include "base/error.h"

static void write_ledger(struct rout *o, const struct msk_report_ledger *l)
{
	if (!l->present) {
		rout_puts(o, "ledger: none\n");
		return;
	}
	rout_printf(o, "ledger: raised %llu, delivered %llu, pending %lld, lost %llu",
		    (unsigned long long)l->counts.raised, (unsigned long long)l->counts.delivered,
		    (long long)l->pending, (unsigned long long)l->counts.lost);
	const char *sep = " (";
	for (int r = 0; r < MSK_LOSS__COUNT; r++) {
		if (!l->counts.lost_by_reason[r])
			continue;
		rout_printf(o, "%s%s %llu", sep, msk_loss_name((enum msk_loss)r),
			    (unsigned long long)l->counts.lost_by_reason[r]);
		sep = ", ";
	}
	rout_puts(o, sep[0] == ',' ? ")\n" : "\n");
	if (l->balanced) {
		rout_printf(o, "        held %llu: balanced\n", (unsigned long long)l->held);
	} else {
		char why[256];
		report_ledger_imbalance(l, why, sizeof(why));
		rout_printf(o, "        held %llu: %s\n", (unsigned long long)l->held, why);
	}
}

int msk_report_write_summary(const struct msk_report_snapshot *snap,
			     const struct msk_report_sink *out)
{
	struct rout o;
	int rc = rout_begin(&o, snap, out);
	if (rc < 0)
		return rc;
	write_ledger(&o, &snap->ledger);
	rout_printf(&o, "violations: %u\n", snap->violation_count);
	for (unsigned int i = 0; i < snap->nr_violations; i++) {
		const struct msk_msi_violation *v = &snap->violations[i];
		rout_printf(&o, "  %s: device %s, domain %s: %s\n", msk_msi_rule_name(v->rule),
			    v->device, v->domain, v->detail);
	}
	if (snap->violation_count > snap->nr_violations)
		rout_printf(&o, "  (%u more not kept)\n",
			    snap->violation_count - snap->nr_violations);
	rout_printf(&o, "errors: %zu\n", snap->nr_errors);
	for (size_t i = 0; i < snap->nr_errors; i++)
		rout_printf(&o, "  %s\n", snap->errors[i]);
	rout_puts(&o, msk_report_passed(snap) ? "PASS\n" : "FAIL\n");
	if (o.err)
		return o.err;
	if (snap->ledger.present && !snap->ledger.balanced) {
		char why[256];
		report_ledger_imbalance(&snap->ledger, why, sizeof(why));
		return msk_err(MSK_EIO, "report: %s", why);
	}
	return 0;
}
