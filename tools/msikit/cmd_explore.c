/* SPDX-License-Identifier: MIT */
/*
 * msikit explore FILE.lua --seeds A..B [--form F] [--json]: the scenario
 * under every seed of a range (each seed: other interleavings, other
 * injected faults when the scenario asks for them). Prints the failing
 * seeds, each with the one command that replays it.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define MAX_LISTED 20

struct failure {
	uint64_t seed;
	int exit_code;
	char reason[400];
};

static bool parse_range(const char *s, uint64_t *a, uint64_t *b)
{
	const char *dots = strstr(s, "..");
	if (!dots)
		return false;
	char first[32];
	size_t n = (size_t)(dots - s);
	if (n == 0 || n >= sizeof(first))
		return false;
	memcpy(first, s, n);
	first[n] = '\0';
	return cli_parse_u64(first, a) && cli_parse_u64(dots + 2, b) && *a <= *b &&
	       *b - *a < 100000000ull;
}

/* The limit options explore was given, for the replay lines (" --timeout 5 ..."). */
static char limit_args[256];

static void replay_cmd(char *buf, size_t size, const char *file, uint64_t seed, const char *form)
{
	snprintf(buf, size, "msikit run %s --seed %llu%s%s%s", file, (unsigned long long)seed,
		 form ? " --form " : "", form ? form : "", limit_args);
}

static void print_json(const char *file, const char *form, uint64_t a, uint64_t b,
		       const struct failure *f, unsigned long nf)
{
	cJSON *o = cJSON_CreateObject();
	cli_json_add(o, "scenario", cli_json_str(file));
	if (form)
		cli_json_add(o, "form", cli_json_str(form));
	else
		cJSON_AddNullToObject(o, "form");
	cJSON *r = cJSON_AddObjectToObject(o, "seeds");
	cli_json_add(r, "from", cli_json_u64(a));
	cli_json_add(r, "to", cli_json_u64(b));
	cli_json_add(o, "runs", cli_json_u64(b - a + 1));
	cJSON *arr = cJSON_AddArrayToObject(o, "failing");
	for (unsigned long i = 0; i < nf; i++) {
		char cmd[600];
		cJSON *x = cJSON_CreateObject();
		cli_json_add(x, "seed", cli_json_u64(f[i].seed));
		cli_json_add(x, "exit", cli_json_i64(f[i].exit_code));
		cli_json_add(x, "reason", cli_json_str(f[i].reason));
		replay_cmd(cmd, sizeof(cmd), file, f[i].seed, form);
		cli_json_add(x, "replay", cli_json_str(cmd));
		cJSON_AddItemToArray(arr, x);
	}
	cli_json_add(o, "failed", cli_json_u64(nf));
	cJSON_AddStringToObject(o, "result", nf ? "fail" : "pass");
	char *s = cJSON_Print(o);
	if (s)
		puts(s);
	free(s);
	cJSON_Delete(o);
}

enum { OPT_SEEDS = 1, OPT_FORM, OPT_JSON, OPT_LIMIT };

static const struct cli_opt explore_opts[] = {
	{ "--seeds", "A..B", OPT_SEEDS },
	{ "--form", "F", OPT_FORM },
	{ "--json", NULL, OPT_JSON },
	CLI_LIMIT_OPTS(OPT_LIMIT),
	/* Options with a value take it as "--opt v" or "--opt=v" (cli_parse); new ones go here. */
	{ NULL, NULL, 0 },
};

struct explore_args {
	const char *file, *form;
	uint64_t a, b;
	bool json, have_range;
	struct scn_limits lim; /* every run's: the defaults, changed by the limit options */
};

static int on_explore_opt(void *ctx, int id, const char *name, const char *v)
{
	struct explore_args *x = ctx;
	switch (id) {
	case CLI_OPERAND:
		if (x->file) {
			cli_error("explore: one scenario at a time (%s and %s)", x->file, v);
			return -1;
		}
		x->file = v;
		return 0;
	case OPT_SEEDS:
		if (!parse_range(v, &x->a, &x->b)) {
			cli_error(
				"explore: --seeds A..B (A <= B, fewer than 10^8 seeds), not \"%s\"",
				v);
			return -1;
		}
		x->have_range = true;
		return 0;
	case OPT_FORM:
		x->form = v;
		return cli_check_form(v) ? 0 : -1;
	case OPT_LIMIT: {
		if (cli_limits_set(&x->lim, name, v) < 0)
			return -1;
		size_t n = strlen(limit_args); /* the replay lines repeat them */
		snprintf(limit_args + n, sizeof(limit_args) - n, " %s%s%s", name, v ? " " : "",
			 v ? v : "");
		return 0;
	}
	default:
		x->json = true;
		return 0;
	}
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_explore(int argc, char **argv)
{
	struct explore_args x = { 0 };
	scn_limits_default(&x.lim);
	x.lim.watchdog = true; /* the command may end itself past --timeout */
	limit_args[0] = '\0';
	int prc = cli_parse("explore", argc, argv, explore_opts, on_explore_opt, &x);
	if (prc != CLI_PARSE_OK)
		return cli_parse_exit(prc);
	if (!x.file || !x.have_range) {
		cli_error("explore: msikit explore FILE.lua --seeds A..B [--form F] [--json]");
		return CLI_EXIT_USAGE;
	}
	const char *file = x.file, *form = x.form;
	uint64_t a = x.a, b = x.b;
	bool json = x.json;
	bool tty = isatty(STDERR_FILENO) == 1, shown = false;
	double started = now_seconds();
	uint64_t runs = b - a + 1;
	struct failure *fail = NULL;
	unsigned long nf = 0, cap = 0;
	for (uint64_t s = a;; s++) {
		struct scn_opts o = { .file = file,
				      .seed = s,
				      .seed_set = true,
				      .form = form,
				      .quiet = true,
				      .limits = &x.lim };
		struct scn_result res;
		scn_run(&o, &res);
		if (res.platform_missing || res.input_error) {
			/* Not about this seed (no platform, unreadable or unparsable file): stop. */
			if (shown)
				fputc('\n', stderr);
			cli_error("%s", res.fatal);
			scn_result_free(&res);
			free(fail);
			return CLI_EXIT_USAGE;
		}
		if (res.exit_code != CLI_EXIT_PASS) {
			if (nf == cap) {
				cap = cap ? cap * 2 : 16;
				struct failure *v = realloc(fail, cap * sizeof(*v));
				if (!v) {
					scn_result_free(&res);
					free(fail);
					cli_error("explore: out of memory");
					return CLI_EXIT_INTERNAL;
				}
				fail = v;
			}
			fail[nf].seed = s;
			fail[nf].exit_code = res.exit_code;
			scn_reason(&res, fail[nf].reason, sizeof(fail[nf].reason));
			nf++;
		}
		scn_result_free(&res);
		if (tty && ((s - a) % 16 == 15 || s == b) &&
		    (shown || now_seconds() - started >= 1.0)) {
			shown = true;
			fprintf(stderr, "\rexplore: seed %llu (%llu of %llu), %lu failing ",
				(unsigned long long)s, (unsigned long long)(s - a + 1),
				(unsigned long long)runs, nf);
		}
		if (s == b)
			break;
	}
	if (shown)
		fputc('\n', stderr);
	if (json) {
		print_json(file, form, a, b, fail, nf);
	} else {
		printf("explore %s%s%s: seeds %llu..%llu, %llu runs, %lu failing\n", file,
		       form ? " --form " : "", form ? form : "", (unsigned long long)a,
		       (unsigned long long)b, (unsigned long long)runs, nf);
		for (unsigned long i = 0; i < nf && i < MAX_LISTED; i++) {
			char cmd[600];
			replay_cmd(cmd, sizeof(cmd), file, fail[i].seed, form);
			printf("  seed %llu: exit %d: %s\n    replay: %s\n",
			       (unsigned long long)fail[i].seed, fail[i].exit_code, fail[i].reason,
			       cmd);
		}
		if (nf > MAX_LISTED)
			printf("  ... and %lu more failing seeds\n", nf - MAX_LISTED);
		puts(nf ? "FAIL" : "PASS");
	}
	free(fail);
	int worst = nf ? CLI_EXIT_FAIL : CLI_EXIT_PASS;
	return worst;
}
