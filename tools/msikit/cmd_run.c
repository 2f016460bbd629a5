/* SPDX-License-Identifier: MIT */
/*
 * msikit run FILE.lua [--seed N] [--form F] [--view V,...] [--json]
 *                     [-o R.json] [--dot D] [--trace T] [--quiet]
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"

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

enum {
	OPT_SEED = 1,
	OPT_FORM,
	OPT_VIEW,
	OPT_JSON,
	OPT_QUIET,
	OPT_OUT,
	OPT_DOT,
	OPT_TRACE,
	OPT_LIMIT
};

static const struct cli_opt run_opts[] = {
	{ "--seed", "N", OPT_SEED },
	{ "--form", "F", OPT_FORM },
	{ "--view", "V,...", OPT_VIEW },
	{ "--json", NULL, OPT_JSON },
	{ "--quiet", NULL, OPT_QUIET },
	{ "-o", "FILE", OPT_OUT },
	{ "--dot", "FILE", OPT_DOT },
	{ "--trace", "FILE", OPT_TRACE },
	CLI_LIMIT_OPTS(OPT_LIMIT),
	/* Options with a value take it as "--opt v" or "--opt=v" (cli_parse); new ones go here. */
	{ NULL, NULL, 0 },
};

struct run_args {
	struct scn_opts o;
	struct scn_limits lim; /* o.limits: the defaults, changed by the limit options */
	bool json, quiet;
	unsigned int views;  /* 0: the default */
	const char *path[3]; /* -o, --dot, --trace */
};

enum { OUT_JSON, OUT_DOT, OUT_TRACE, NR_OUTS };

static int on_run_opt(void *ctx, int id, const char *name, const char *v)
{
	struct run_args *a = ctx;
	switch (id) {
	case CLI_OPERAND:
		if (a->o.file) {
			cli_error("run: one scenario at a time (%s and %s)", a->o.file, v);
			return -1;
		}
		a->o.file = v;
		return 0;
	case OPT_SEED:
		if (!cli_parse_u64(v, &a->o.seed)) {
			cli_error("run: --seed needs a number (0 .. 2^64-1), not \"%s\"", v);
			return -1;
		}
		a->o.seed_set = true;
		return 0;
	case OPT_FORM:
		a->o.form = v;
		return cli_check_form(v) ? 0 : -1;
	case OPT_VIEW:
		return cli_parse_views(v, &a->views) ? 0 : -1;
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_QUIET:
		a->quiet = true;
		return 0;
	case OPT_LIMIT:
		return cli_limits_set(&a->lim, name, v) > 0 ? 0 : -1;
	default: /* the output files */
		if (!*v) {
			cli_error("run: %s needs a file name", name);
			return -1;
		}
		a->path[id == OPT_OUT ? OUT_JSON : id == OPT_DOT ? OUT_DOT : OUT_TRACE] = v;
		return 0;
	}
}

static int json_pretty(const struct scn_result *res, FILE *f)
{
	return scn_write_json(res, f, false);
}

/* Write one output file after the run: 0, or -1 (the error printed, exit 3). */
static int write_out(struct cli_out *out, const struct scn_result *res,
		     int (*writer)(const struct scn_result *, FILE *))
{
	if (cli_out_begin(out) < 0) {
		cli_out_discard(out);
		return -1;
	}
	errno = 0;
	int rc = writer(res, out->f);
	int err = errno; /* a stream error: why (ENOSPC on a full disk) */
	if (rc < 0) {
		char why[128];
		if (ferror(out->f))
			cli_error("%s: %s", out->path,
				  cli_errno_text(err ? err : EIO, why, sizeof(why)));
		else
			cli_error("%s: %s", out->path, msk_last_error());
		cli_out_discard(out);
		return -1;
	}
	return cli_out_close(out) < 0 ? -1 : 0;
}

/* What goes to stdout: 0, or -MSK_E* from a writer. */
static int write_stdout(const struct run_args *a, const struct scn_result *res)
{
	if (a->json)
		return scn_write_json(res, stdout, false);
	if (!a->quiet)
		return scn_write_text(res, a->views ? a->views : SCN_VIEW_SUMMARY, stdout);
	char reason[512];
	if (res->exit_code == CLI_EXIT_PASS)
		puts("PASS");
	else
		printf("FAIL: %s\n", scn_reason(res, reason, sizeof(reason)));
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	scn_limits_default(&a.lim);
	a.lim.watchdog = true; /* the command may end itself past --timeout */
	a.o.limits = &a.lim;
	int prc = cli_parse("run", argc, argv, run_opts, on_run_opt, &a);
	if (prc != CLI_PARSE_OK)
		return cli_parse_exit(prc);
	if (!a.o.file) {
		cli_error("run: which scenario? (msikit run FILE.lua)");
		return CLI_EXIT_USAGE;
	}
	/* Every output file can be written, or nothing runs. */
	struct cli_out out[NR_OUTS] = { 0 };
	for (int i = 0; i < NR_OUTS; i++)
		if (a.path[i] && cli_out_open(&out[i], a.path[i]) < 0) {
			for (int k = 0; k < i; k++)
				cli_out_discard(&out[k]);
			return CLI_EXIT_USAGE;
		}
	if (out[OUT_TRACE].f) {
		if (cli_out_begin(&out[OUT_TRACE]) < 0) {
			for (int k = 0; k < NR_OUTS; k++)
				cli_out_discard(&out[k]);
			return CLI_EXIT_USAGE;
		}
		a.o.trace = out[OUT_TRACE].f;
	}
	a.o.print_stderr = a.json;
	a.o.progress = isatty(STDERR_FILENO) == 1;
	struct scn_result res;
	scn_run(&a.o, &res);
	bool wfail = cli_out_close(&out[OUT_TRACE]) < 0;
	if (res.fatal) {
		cli_error("%s", res.fatal);
		int code = wfail ? CLI_EXIT_INTERNAL : res.exit_code;
		cli_out_discard(&out[OUT_JSON]);
		cli_out_discard(&out[OUT_DOT]);
		scn_result_free(&res);
		return code;
	}
	int rc = write_stdout(&a, &res);
	if (rc < 0 && !res.ledger_broken && !ferror(stdout)) /* else: msk_cli_main says why */
		cli_error("cannot write the report: %s", msk_last_error());
	if (out[OUT_JSON].f)
		wfail |= write_out(&out[OUT_JSON], &res, json_pretty) < 0;
	if (out[OUT_DOT].f)
		wfail |= write_out(&out[OUT_DOT], &res, scn_write_dot) < 0;
	int code = res.exit_code;
	if (res.ledger_broken)
		cli_error("internal error: %s",
			  res.invariants.n ? res.invariants.v[0] : "the ledger does not balance");
	if (rc < 0 || wfail)
		code = CLI_EXIT_INTERNAL;
	scn_result_free(&res);
	return code;
}
