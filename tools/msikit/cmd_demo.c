/* SPDX-License-Identifier: MIT */
/*
 * msikit demo [--json]: every story of scenarios/stories/ in its before
 * and after form, side by side: story, form, model, lost, violations,
 * errors, result.
 *
 *  - after:  "pass" when the run passed with zero lost, no violation and
 *            no failed call;
 *  - before: "reproduced" when the run passed (what `msikit run --form
 *            before` answers with exit 0): every expectation of the story,
 *            which describe the documented failure, held - the violations
 *            and losses it causes declared with msikit.expect_violation -
 *            and nothing else broke;
 *  - a story whose platform is not built yet is "skipped", with why.
 * Exit status 1 only for a real failure; skipped stories are not one.
 */
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

struct row {
	char file[512];
	char title[96];
	const char *form;
	char model[96];
	const char *result; /* "pass", "reproduced", "fail", "skipped" */
	char reason[400];
	bool has_report;
	struct msk_ledger_counts ledger;
	unsigned int violations;
	unsigned int errors;
	cJSON *json_violations, *json_errors;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The story files, sorted; NULL-terminated. */
static char **list_stories(const char *dir)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/stories", dir);
	DIR *d = opendir(path);
	if (!d)
		return NULL;
	char **v = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".lua") != 0)
			continue;
		char **nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		size_t sz = strlen(path) + len + 2;
		v[n] = malloc(sz);
		if (!v[n])
			break;
		snprintf(v[n], sz, "%s/%s", path, e->d_name);
		n++;
	}
	closedir(d);
	if (v) {
		v[n] = NULL;
		qsort(v, n, sizeof(*v), cmp_str);
	}
	return v;
}

static void fill_row(struct row *r, const char *file, const char *form,
		     const struct scn_result *res)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->file, sizeof(r->file), "%s", file);
	const char *base = strrchr(file, '/');
	snprintf(r->title, sizeof(r->title), "%s",
		 res->story.declared ? res->story.title
		 : base		     ? base + 1
				     : file);
	r->form = form;
	if (res->story.declared)
		snprintf(r->model, sizeof(r->model), "%s",
			 strcmp(form, "before") == 0 ? res->story.before : res->story.after);
	r->json_violations = cJSON_CreateArray();
	r->json_errors = cJSON_CreateArray();
	if (res->platform_missing) {
		r->result = "skipped";
		snprintf(r->reason, sizeof(r->reason), "%s",
			 strstr(res->fatal, "the ") ? strstr(res->fatal, "the ") : res->fatal);
		return;
	}
	if (res->fatal || !res->snap) {
		r->result = "fail";
		snprintf(r->reason, sizeof(r->reason), "%s", res->fatal ? res->fatal : "no report");
		return;
	}
	const struct msk_report_snapshot *s = res->snap;
	r->has_report = true;
	r->ledger = s->ledger.counts;
	r->violations = s->violation_count;
	r->errors = res->errors.n + res->invariants.n;
	for (unsigned int i = 0; i < s->nr_violations; i++) {
		cJSON *v = cJSON_CreateObject();
		cli_json_add(v, "rule", cli_json_str(msk_msi_rule_name(s->violations[i].rule)));
		cli_json_add(v, "device", cli_json_str(s->violations[i].device));
		cli_json_add(v, "domain", cli_json_str(s->violations[i].domain));
		cli_json_add(v, "detail", cli_json_str(s->violations[i].detail));
		cJSON_AddItemToArray(r->json_violations, v);
	}
	for (unsigned int i = 0; i < res->errors.n; i++)
		cJSON_AddItemToArray(r->json_errors, cli_json_str(res->errors.v[i]));
	for (unsigned int i = 0; i < res->invariants.n; i++)
		cJSON_AddItemToArray(r->json_errors, cli_json_str(res->invariants.v[i]));
	bool sound = !res->ledger_broken && res->invariants.n == res->invariants_expected &&
		     res->expect_total > 0 && res->expect_failed == 0;
	if (strcmp(form, "before") == 0) {
		r->result = sound && res->exit_code == CLI_EXIT_PASS ? "reproduced" : "fail";
	} else {
		r->result = sound && res->exit_code == CLI_EXIT_PASS && r->ledger.lost == 0 &&
					    r->violations == 0 && r->errors == 0
				    ? "pass"
				    : "fail";
	}
	if (strcmp(r->result, "fail") == 0)
		scn_reason(res, r->reason, sizeof(r->reason));
	if (strcmp(r->result, "fail") == 0 && !r->reason[0])
		snprintf(r->reason, sizeof(r->reason),
			 "lost %llu, %u violations, %u errors (the after form must have none)",
			 (unsigned long long)r->ledger.lost, r->violations, r->errors);
}

static void print_text(const struct row *rows, size_t n)
{
	printf("msikit %s: the seed stories, each in its before and after form\n\n", msk_version());
	printf("%-3s %-40s %-7s %-32s %6s %5s %6s  %s\n", "#", "story", "form", "model", "lost",
	       "viol", "errors", "result");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		bool first = i % 2 == 0;
		char num[24] = "";
		if (first)
			snprintf(num, sizeof(num), "%zu", i / 2 + 1);
		char title[41];
		snprintf(title, sizeof(title), "%s", first ? r->title : "");
		if (strcmp(r->result, "skipped") == 0) {
			printf("%-3s %-40s %-7s %-32.32s %6s %5s %6s  skipped\n", num, title,
			       r->form, r->model, "-", "-", "-");
			/* One reason line per story when both forms are skipped for it. */
			bool same_next = first && i + 1 < n &&
					 strcmp(rows[i + 1].result, "skipped") == 0 &&
					 strcmp(rows[i + 1].reason, r->reason) == 0;
			if (!same_next)
				printf("%-3s %-40s   %s\n", "", "", r->reason);
			continue;
		}
		if (!r->has_report) {
			printf("%-3s %-40s %-7s %-32.32s %6s %5s %6s  %s\n", num, title, r->form,
			       r->model, "-", "-", "-", r->result);
		} else {
			printf("%-3s %-40s %-7s %-32.32s %6llu %5u %6u  %s\n", num, title, r->form,
			       r->model, (unsigned long long)r->ledger.lost, r->violations,
			       r->errors, r->result);
		}
		if (r->reason[0] && strcmp(r->result, "fail") == 0)
			printf("%-3s %-40s   %s\n", "", "", r->reason);
	}
}

static void print_json(struct row *rows, size_t n, unsigned int skipped, unsigned int failed)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "stories");
	for (size_t i = 0; i < n; i++) {
		struct row *r = &rows[i];
		cJSON *x = cJSON_CreateObject();
		cli_json_add(x, "name", cli_json_str(r->title));
		cli_json_add(x, "file", cli_json_str(r->file));
		cli_json_add(x, "form", cli_json_str(r->form));
		cli_json_add(x, "model", cli_json_str(r->model));
		cli_json_add(x, "result", cli_json_str(r->result));
		if (r->reason[0])
			cli_json_add(x, "reason", cli_json_str(r->reason));
		if (r->has_report) {
			cJSON *l = cJSON_AddObjectToObject(x, "ledger");
			cli_json_add(l, "raised", cli_json_u64(r->ledger.raised));
			cli_json_add(l, "delivered", cli_json_u64(r->ledger.delivered));
			cli_json_add(l, "pending",
				     cli_json_i64((int64_t)(r->ledger.raised - r->ledger.delivered -
							    r->ledger.lost)));
			cli_json_add(l, "lost", cli_json_u64(r->ledger.lost));
			cJSON *by = cJSON_AddObjectToObject(l, "lost_by_reason");
			for (int k = 0; k < MSK_LOSS__COUNT; k++)
				if (r->ledger.lost_by_reason[k])
					cli_json_add(by, msk_loss_name((enum msk_loss)k),
						     cli_json_u64(r->ledger.lost_by_reason[k]));
		} else {
			cJSON_AddNullToObject(x, "ledger");
		}
		cJSON_AddItemToObject(x, "violations", r->json_violations);
		cJSON_AddItemToObject(x, "errors", r->json_errors);
		r->json_violations = r->json_errors = NULL;
		cJSON_AddItemToArray(arr, x);
	}
	cli_json_add(o, "skipped", cli_json_i64(skipped));
	cli_json_add(o, "failed", cli_json_i64(failed));
	cli_json_add(o, "result", cli_json_str(failed ? "fail" : "pass"));
	char *s = cJSON_Print(o);
	if (s)
		puts(s);
	free(s);
	cJSON_Delete(o);
}

int cmd_demo(int argc, char **argv)
{
	bool json;
	int prc = cli_parse_json_only("demo", argc, argv, &json, NULL);
	if (prc != CLI_PARSE_OK)
		return cli_parse_exit(prc);
	const char *dir = cli_scenario_dir();
	char **files = list_stories(dir);
	if (!files || !files[0]) {
		cli_error("demo: no stories in %s/stories (set MSIKIT_SCENARIOS)", dir);
		free(files);
		return CLI_EXIT_USAGE;
	}
	size_t nfiles = 0;
	while (files[nfiles])
		nfiles++;
	struct row *rows = calloc(nfiles * 2, sizeof(*rows));
	unsigned int skipped = 0, failed = 0;
	static const char *const forms[] = { "before", "after" };
	for (size_t i = 0; rows && i < nfiles; i++)
		for (int f = 0; f < 2; f++) {
			struct scn_opts o = { .file = files[i], .form = forms[f], .quiet = true };
			struct scn_result res;
			scn_run(&o, &res);
			fill_row(&rows[i * 2 + (size_t)f], files[i], forms[f], &res);
			scn_result_free(&res);
			skipped += strcmp(rows[i * 2 + (size_t)f].result, "skipped") == 0;
			failed += strcmp(rows[i * 2 + (size_t)f].result, "fail") == 0;
		}
	int code = CLI_EXIT_PASS;
	if (!rows) {
		cli_error("demo: out of memory");
		code = CLI_EXIT_INTERNAL;
	} else if (json) {
		print_json(rows, nfiles * 2, skipped, failed);
	} else {
		print_text(rows, nfiles * 2);
		if (skipped) {
			printf("\n%u of %zu runs were skipped: their platform's drivers are not "
			       "built "
			       "in this tree yet.\nMeanwhile, the library on its own "
			       "(examples/demo.c):\n\n",
			       skipped, nfiles * 2);
			fflush(stdout);
			if (msk_example_demo() != 0)
				code = CLI_EXIT_FAIL;
		}
		printf("\n%s\n", failed ? "FAIL" : "PASS");
	}
	if (failed)
		code = CLI_EXIT_FAIL;
	for (size_t i = 0; rows && i < nfiles * 2; i++) {
		cJSON_Delete(rows[i].json_violations);
		cJSON_Delete(rows[i].json_errors);
	}
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(rows);
	return code;
}
