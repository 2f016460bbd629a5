/* SPDX-License-Identifier: MIT */
/*
 * What `run` prints: the report writers of src/report (tree, interrupts
 * table, summary, JSON, DOT) plus what only a scenario run knows: its
 * expectations, form, story, virtual time, invariants and faults.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/error.h"
#define SUMMARY_ROWS 10 /* devices the summary lists (overview, then fates) */

static void write_expectations(const struct scn_result *res, FILE *out)
{
	if (res->expect_failed == 0)
		fprintf(out, "expectations: %u held\n", res->expect_total);
	else
		fprintf(out, "expectations: %u of %u held\n",
			res->expect_total - res->expect_failed, res->expect_total);
	for (unsigned int i = 0; i < res->expect_failures.n; i++)
		fprintf(out, "  %s\n", res->expect_failures.v[i]);
	for (unsigned int i = 0; i < res->expected.n; i++) {
		const struct scn_expected *x = &res->expected.v[i];
		fprintf(out, "  expected violation %s%s%s: happened %u time%s\n", x->rule,
			x->device[0] ? " on " : "", x->device, x->hits, x->hits == 1 ? "" : "s");
	}
}

/*
 * The end of a writer: everything flushed, and a stream error recorded
 * with why (its errno, e.g. ENOSPC for /dev/full) for the caller to print.
 */
static int finish(FILE *out, int rc)
{
	errno = 0;
	if (fflush(out) == 0 && !ferror(out))
		return rc;
	char why[128];
	return msk_err(MSK_EIO, "%s", cli_errno_text(errno ? errno : EIO, why, sizeof(why)));
}

static const struct {
	const char *name;
	unsigned int bits;
} views[] = {
	{ "summary", SCN_VIEW_SUMMARY }, { "tree", SCN_VIEW_TREE }, { "table", SCN_VIEW_TABLE },
	{ "ledger", SCN_VIEW_LEDGER },	 { "all", SCN_VIEW_ALL },
};

#define NR_VIEWS (sizeof(views) / sizeof(views[0]))

bool cli_parse_views(const char *list, unsigned int *bits)
{
	const char *names[NR_VIEWS];
	for (size_t i = 0; i < NR_VIEWS; i++)
		names[i] = views[i].name;
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		char word[32];
		snprintf(word, sizeof(word), "%.*s", (int)(len < 31 ? len : 31), p);
		size_t i = 0;
		while (i < NR_VIEWS && (strlen(names[i]) != len || strncmp(names[i], p, len) != 0))
			i++;
		if (i == NR_VIEWS) {
			const char *near = cli_suggest(word, names, NR_VIEWS);
			cli_error(
				"run: --view %s: no view '%s'%s%s%s (summary, tree, table, ledger "
				"or all)",
				list, word, near ? ": did you mean '" : "", near ? near : "",
				near ? "'?" : "");
			return false;
		}
		*bits |= views[i].bits;
		p += len;
		if (!*p)
			return true;
	}
}

/* Which device to list first: the one that lost most, then the one that raised most. */
static bool fate_before(const struct scn_fate *a, const struct scn_fate *b)
{
	if (a->lost != b->lost)
		return a->lost > b->lost;
	return a->raised > b->raised;
}

/*
 * Every device's events and where the lost ones were lost: all of them
 * (max 0, in the order they first had an event), or the max that lost or
 * raised most, and a line counting the others.
 */
static int write_fates(const struct scn_result *res, unsigned int max, FILE *out)
{
	unsigned int n = res->nr_fates, shown = max && max < n ? max : n;
	unsigned int *order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return -MSK_ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = i;
		while (max && j > 0 && fate_before(&res->fates[i], &res->fates[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	int w = 6;
	for (unsigned int i = 0; i < shown; i++)
		if ((int)strlen(res->fates[order[i]].device) > w)
			w = (int)strlen(res->fates[order[i]].device);
	if (n)
		fprintf(out, "%-*s      raised   delivered        lost  lost by reason\n", w,
			"device");
	for (unsigned int i = 0; i < shown; i++) {
		const struct scn_fate *f = &res->fates[order[i]];
		fprintf(out, "%-*s  %10llu  %10llu  %10llu", w, f->device[0] ? f->device : "-",
			(unsigned long long)f->raised, (unsigned long long)f->delivered,
			(unsigned long long)f->lost);
		const char *sep = "  ";
		for (int r = 0; r < MSK_LOSS__COUNT; r++)
			if (f->lost_by_reason[r]) {
				fprintf(out, "%s%s %llu", sep, msk_loss_name((enum msk_loss)r),
					(unsigned long long)f->lost_by_reason[r]);
				sep = ", ";
			}
		fputc('\n', out);
	}
	if (shown < n)
		fprintf(out, "... %u more device%s, see --view ledger\n", n - shown,
			n - shown == 1 ? "" : "s");
	if (!n)
		fputs("no device raised an event\n", out);
	free(order);
	return 0;
}

int scn_write_text(const struct scn_result *res, unsigned int which, FILE *out)
{
	if (!res->snap)
		return -MSK_EINVAL;
	const struct msk_report_snapshot *s = res->snap;
	struct msk_report_sink sink = msk_report_sink_file(out);
	fprintf(out, "scenario %s: arch %s, seed %llu, form %s, time %llu, steps %llu\n\n",
		s->scenario ? s->scenario : "-", s->arch ? s->arch : "-",
		(unsigned long long)res->seed, res->form, (unsigned long long)res->time,
		(unsigned long long)res->steps);
	int rc = 0;
	if (res->has_machine && (which & SCN_VIEW_SUMMARY)) {
		struct msk_report_overview_opts ov = { .max_devices = SUMMARY_ROWS,
						       .more_hint = "see --view table" };
		rc = msk_report_write_overview(s, &ov, &sink);
		if (rc == 0 && !(which & SCN_VIEW_LEDGER)) {
			fputc('\n', out);
			rc = write_fates(res, SUMMARY_ROWS, out);
		}
		fputc('\n', out);
	}
	if (rc == 0 && res->has_machine && (which & SCN_VIEW_TREE)) {
		rc = msk_report_write_tree(s, &sink);
		fputc('\n', out);
	}
	if (rc == 0 && res->has_machine && (which & SCN_VIEW_TABLE)) {
		rc = msk_report_write_interrupts(s, 0, &sink);
		fputc('\n', out);
	}
	if (rc == 0 && res->has_machine && (which & SCN_VIEW_LEDGER)) {
		rc = write_fates(res, 0, out);
		fputc('\n', out);
	}
	write_expectations(res, out);
	int rs = msk_report_write_summary(s, &sink);
	return finish(out, rc < 0 ? rc : rs);
}

static cJSON *extras(const struct scn_result *res)
{
	cJSON *o = cJSON_CreateObject();
	cli_json_add(o, "form", cli_json_str(res->form));
	if (res->story.declared) {
		cJSON *st = cJSON_AddObjectToObject(o, "story");
		cli_json_add(st, "title", cli_json_str(res->story.title));
		cli_json_add(st, "before", cli_json_str(res->story.before));
		cli_json_add(st, "after", cli_json_str(res->story.after));
	} else {
		cJSON_AddNullToObject(o, "story");
	}
	cli_json_add(o, "time", cli_json_u64(res->time));
	cli_json_add(o, "steps", cli_json_u64(res->steps));
	cJSON *ex = cJSON_AddObjectToObject(o, "expectations");
	cli_json_add(ex, "total", cli_json_i64(res->expect_total));
	cli_json_add(ex, "failed", cli_json_i64(res->expect_failed));
	cJSON *fl = cJSON_AddArrayToObject(ex, "failures");
	for (unsigned int i = 0; i < res->expect_failures.n; i++)
		cJSON_AddItemToArray(fl, cli_json_str(res->expect_failures.v[i]));
	cJSON *xv = cJSON_AddArrayToObject(ex, "violations");
	for (unsigned int i = 0; i < res->expected.n; i++) {
		const struct scn_expected *x = &res->expected.v[i];
		cJSON *e = cJSON_CreateObject();
		cli_json_add(e, "rule", cli_json_str(x->rule));
		if (x->device[0])
			cli_json_add(e, "device", cli_json_str(x->device));
		else
			cJSON_AddNullToObject(e, "device");
		cli_json_add(e, "happened", cli_json_u64(x->hits));
		cJSON_AddItemToArray(xv, e);
	}
	cJSON *inv = cJSON_AddArrayToObject(o, "invariants");
	for (unsigned int i = 0; i < res->invariants.n; i++)
		cJSON_AddItemToArray(inv, cli_json_str(res->invariants.v[i]));
	cJSON *f = cJSON_AddObjectToObject(o, "faults");
	cli_json_add(f, "alloc_fail_at", cli_json_u64(res->faults.alloc_fail_at));
	cli_json_add(f, "allocs_failed", cli_json_u64(res->faults.allocs_failed));
	if (res->faults.cpu_offlined >= 0) {
		cli_json_add(f, "cpu_offlined", cli_json_i64(res->faults.cpu_offlined));
		cli_json_add(f, "cpu_offline_step", cli_json_u64(res->faults.cpu_offline_step));
	} else {
		cJSON_AddNullToObject(f, "cpu_offlined");
	}
	const struct msk_platform_fault_state *cf = &res->faults.controller;
	if (cf->nth || cf->fired) {
		cJSON *c = cJSON_AddObjectToObject(f, "controller");
		cli_json_add(c, "kind", cli_json_str(msk_platform_fault_name(cf->kind)));
		cli_json_add(c, "nth", cli_json_u64(cf->nth));
		cli_json_add(c, "seen", cli_json_u64(cf->seen));
		cli_json_add(c, "fired", cli_json_u64(cf->fired));
		cli_json_add(c, "what", cli_json_str(cf->what));
	} else {
		cJSON_AddNullToObject(f, "controller");
	}
	return o;
}

/*
 * The report's own JSON (exact 64-bit integers, fixed key order), with the
 * run's keys appended inside the same object.
 */
int scn_write_json(const struct scn_result *res, FILE *out, bool compact)
{
	if (!res->snap)
		return -MSK_EINVAL;
	struct msk_report_buf buf = { 0 };
	struct msk_report_sink sink = msk_report_sink_buf(&buf);
	int rc = msk_report_write_json(res->snap, compact ? MSK_REPORT_JSON_COMPACT : 0, &sink);
	if (!buf.data) {
		msk_report_buf_free(&buf);
		return rc < 0 ? rc : -MSK_ENOMEM;
	}
	char *end = strrchr(buf.data, '}');
	cJSON *x = extras(res);
	char *xs = compact ? cJSON_PrintUnformatted(x) : cJSON_Print(x);
	cJSON_Delete(x);
	if (!end || !xs) {
		free(xs);
		msk_report_buf_free(&buf);
		return -MSK_ENOMEM;
	}
	size_t head = (size_t)(end - buf.data);
	while (head && (buf.data[head - 1] == '\n' || buf.data[head - 1] == ' ' ||
			buf.data[head - 1] == '\t'))
		head--;
	char *inner = xs + 1; /* past '{' */
	char *inner_end = strrchr(xs, '}');
	while (*inner == '\n')
		inner++;
	while (inner_end > inner && (inner_end[-1] == '\n'))
		inner_end--;
	fwrite(buf.data, 1, head, out);
	fputs(compact ? "," : ",\n", out);
	fwrite(inner, 1, (size_t)(inner_end - inner), out);
	fputs(compact ? "}\n" : "\n}\n", out);
	free(xs);
	msk_report_buf_free(&buf);
	return finish(out, rc);
}

int scn_write_dot(const struct scn_result *res, FILE *out)
{
	if (!res->snap)
		return -MSK_EINVAL;
	size_t n = 0;
	for (unsigned int i = 0; i < res->nr_fates; i++)
		for (int r = 0; r < MSK_LOSS__COUNT; r++)
			n += res->fates[i].lost_by_reason[r] != 0;
	struct msk_report_loss *losses = calloc(n ? n : 1, sizeof(*losses));
	if (!losses)
		return -MSK_ENOMEM;
	n = 0;
	for (unsigned int i = 0; i < res->nr_fates; i++)
		for (int r = 0; r < MSK_LOSS__COUNT; r++)
			if (res->fates[i].lost_by_reason[r])
				losses[n++] = (struct msk_report_loss){
					.device = res->fates[i].device[0] ? res->fates[i].device
									  : NULL,
					.reason = (enum msk_loss)r,
					.weight = res->fates[i].lost_by_reason[r],
				};
	struct msk_report_dot_opts opts = { .losses = losses, .nr_losses = n };
	struct msk_report_sink sink = msk_report_sink_file(out);
	int rc = finish(out, msk_report_write_dot(res->snap, &opts, &sink));
	free(losses);
	return rc;
}
