/* SPDX-License-Identifier: MIT */
/*
 * msikit run FILE.lua [--seed N] [--form F] [--json] [-o R.json] [--dot D] [--trace T] [--quiet]
 * [limits: cli_limits.c]
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A seed: decimal or 0x hex, the whole of 64 bits. */
bool cli_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool cli_check_form(const char *form)
{
	if (strcmp(form, "before") == 0 || strcmp(form, "after") == 0)
		return true;
	cli_error("--form %s: a story's form is \"before\" or \"after\"", form);
	return false;
}

/* Write one output file with a writer; an error is exit 3. */
static int to_file(const char *path, const struct scn_result *res,
		   int (*writer)(const struct scn_result *, FILE *))
{
	FILE *f = fopen(path, "w");
	if (!f) {
		cli_error("%s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	int rc = writer(res, f);
	if (fclose(f) != 0 && rc == 0)
		rc = -MSK_EIO;
	return rc;
}

static int json_pretty(const struct scn_result *res, FILE *f)
{
	return scn_write_json(res, f, false);
}

int cmd_run(int argc, char **argv)
{
	struct scn_opts o = { 0 };
	struct scn_limits lim;
	scn_limits_default(&lim);
	o.limits = &lim;
	bool json = false, quiet = false;
	const char *out_json = NULL, *dot = NULL, *trace = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_next = i + 1 < argc;
		int l = cli_limits_option(argc, argv, &i, &lim);
		if (l < 0)
			return CLI_EXIT_USAGE;
		if (l)
			continue;
		if (strcmp(a, "--seed") == 0) {
			if (!has_next || !cli_parse_u64(argv[++i], &o.seed)) {
				cli_error("run: --seed needs a number (0 .. 2^64-1)");
				return CLI_EXIT_USAGE;
			}
			o.seed_set = true;
		} else if (strcmp(a, "--form") == 0) {
			if (!has_next || !cli_check_form(argv[++i]))
				return CLI_EXIT_USAGE;
			o.form = argv[i];
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--quiet") == 0) {
			quiet = true;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--dot") == 0 ||
			   strcmp(a, "--trace") == 0) {
			if (!has_next) {
				cli_error("run: %s needs a file name", a);
				return CLI_EXIT_USAGE;
			}
			const char **slot = a[1] == 'o' ? &out_json : a[2] == 'd' ? &dot : &trace;
			*slot = argv[++i];
		} else if (a[0] == '-') {
			cli_error("run: unknown option %s (msikit --help)", a);
			return CLI_EXIT_USAGE;
		} else if (o.file) {
			cli_error("run: one scenario at a time (%s and %s)", o.file, a);
			return CLI_EXIT_USAGE;
		} else {
			o.file = a;
		}
	}
	if (!o.file) {
		cli_error("run: which scenario? (msikit run FILE.lua)");
		return CLI_EXIT_USAGE;
	}
	FILE *tf = NULL;
	if (trace) {
		tf = fopen(trace, "w");
		if (!tf) {
			cli_error("%s: cannot write: %s", trace, strerror(errno));
			return CLI_EXIT_USAGE;
		}
		fputs("time,step,event,reason,weight,cpu,actor,device,index,virq\n", tf);
		o.trace = tf;
	}
	o.print_stderr = json;
	struct scn_result res;
	scn_run(&o, &res);
	if (tf && fclose(tf) != 0 && !res.fatal) {
		cli_error("%s: cannot write", trace);
		scn_result_free(&res);
		return CLI_EXIT_INTERNAL;
	}
	if (res.fatal) {
		cli_error("%s", res.fatal);
		int code = res.exit_code;
		scn_result_free(&res);
		return code;
	}
	int rc = 0;
	if (json) {
		rc = scn_write_json(&res, stdout, false);
	} else if (!quiet) {
		rc = scn_write_text(&res, stdout);
	} else {
		char reason[512];
		if (res.exit_code == CLI_EXIT_PASS)
			puts("PASS");
		else
			printf("FAIL: %s\n", scn_reason(&res, reason, sizeof(reason)));
	}
	fflush(stdout);
	if (rc == 0 && out_json)
		rc = to_file(out_json, &res, json_pretty);
	if (rc == 0 && dot)
		rc = to_file(dot, &res, scn_write_dot);
	int code = res.exit_code;
	if (res.ledger_broken)
		cli_error("internal error: %s",
			  res.invariants.n ? res.invariants.v[0] : "the ledger does not balance");
	if (rc < 0 && code != CLI_EXIT_INTERNAL) {
		if (rc != -1)
			cli_error("cannot write the report: %s", msk_last_error());
		code = CLI_EXIT_INTERNAL;
	}
	scn_result_free(&res);
	return code;
}
