/* SPDX-License-Identifier: MIT */
/*
 * What `run` prints: the report writers of src/report (tree, interrupts
 * table, summary, JSON, DOT) plus what only a scenario run knows: its
 * expectations, form, story, virtual time, invariants and faults.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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

int scn_write_text(const struct scn_result *res, FILE *out)
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
	if (res->has_machine) {
		rc = msk_report_write_tree(s, &sink);
		fputc('\n', out);
		if (rc == 0)
			rc = msk_report_write_interrupts(s, 0, &sink);
		fputc('\n', out);
	}
	write_expectations(res, out);
	int rs = msk_report_write_summary(s, &sink);
	return rc < 0 ? rc : rs;
}

static cJSON *extras(const struct scn_result *res)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "form", res->form);
	if (res->story.declared) {
		cJSON *st = cJSON_AddObjectToObject(o, "story");
		cJSON_AddStringToObject(st, "title", res->story.title);
		cJSON_AddStringToObject(st, "before", res->story.before);
		cJSON_AddStringToObject(st, "after", res->story.after);
	} else {
		cJSON_AddNullToObject(o, "story");
	}
	cJSON_AddNumberToObject(o, "time", (double)res->time);
	cJSON_AddNumberToObject(o, "steps", (double)res->steps);
	cJSON *ex = cJSON_AddObjectToObject(o, "expectations");
	cJSON_AddNumberToObject(ex, "total", res->expect_total);
	cJSON_AddNumberToObject(ex, "failed", res->expect_failed);
	cJSON *fl = cJSON_AddArrayToObject(ex, "failures");
	for (unsigned int i = 0; i < res->expect_failures.n; i++)
		cJSON_AddItemToArray(fl, cJSON_CreateString(res->expect_failures.v[i]));
	cJSON *xv = cJSON_AddArrayToObject(ex, "violations");
	for (unsigned int i = 0; i < res->expected.n; i++) {
		const struct scn_expected *x = &res->expected.v[i];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "rule", x->rule);
		if (x->device[0])
			cJSON_AddStringToObject(e, "device", x->device);
		else
			cJSON_AddNullToObject(e, "device");
		cJSON_AddNumberToObject(e, "happened", x->hits);
		cJSON_AddItemToArray(xv, e);
	}
	cJSON *inv = cJSON_AddArrayToObject(o, "invariants");
	for (unsigned int i = 0; i < res->invariants.n; i++)
		cJSON_AddItemToArray(inv, cJSON_CreateString(res->invariants.v[i]));
	cJSON *f = cJSON_AddObjectToObject(o, "faults");
	cJSON_AddNumberToObject(f, "alloc_fail_at", (double)res->faults.alloc_fail_at);
	cJSON_AddNumberToObject(f, "allocs_failed", (double)res->faults.allocs_failed);
	if (res->faults.cpu_offlined >= 0) {
		cJSON_AddNumberToObject(f, "cpu_offlined", res->faults.cpu_offlined);
		cJSON_AddNumberToObject(f, "cpu_offline_step",
					(double)res->faults.cpu_offline_step);
	} else {
		cJSON_AddNullToObject(f, "cpu_offlined");
	}
	const struct msk_platform_fault_state *cf = &res->faults.controller;
	if (cf->nth || cf->fired) {
		cJSON *c = cJSON_AddObjectToObject(f, "controller");
		cJSON_AddStringToObject(c, "kind", msk_platform_fault_name(cf->kind));
		cJSON_AddNumberToObject(c, "nth", (double)cf->nth);
		cJSON_AddNumberToObject(c, "seen", (double)cf->seen);
		cJSON_AddNumberToObject(c, "fired", (double)cf->fired);
		cJSON_AddStringToObject(c, "what", cf->what);
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
	return ferror(out) ? -MSK_EIO : rc;
}

int scn_write_dot(const struct scn_result *res, FILE *out)
{
	if (!res->snap)
		return -MSK_EINVAL;
	struct msk_report_sink sink = msk_report_sink_file(out);
	return msk_report_write_dot(res->snap, NULL, &sink);
}
