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
	cJSON_AddStringToObject(o, "scenario", file);
	if (form)
		cJSON_AddStringToObject(o, "form", form);
	else
		cJSON_AddNullToObject(o, "form");
	cJSON *r = cJSON_AddObjectToObject(o, "seeds");
	cJSON_AddNumberToObject(r, "from", (double)a);
	cJSON_AddNumberToObject(r, "to", (double)b);
	cJSON_AddNumberToObject(o, "runs", (double)(b - a + 1));
	cJSON *arr = cJSON_AddArrayToObject(o, "failing");
	for (unsigned long i = 0; i < nf; i++) {
		char cmd[600];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "seed", (double)f[i].seed);
		cJSON_AddNumberToObject(x, "exit", f[i].exit_code);
		cJSON_AddStringToObject(x, "reason", f[i].reason);
		replay_cmd(cmd, sizeof(cmd), file, f[i].seed, form);
		cJSON_AddStringToObject(x, "replay", cmd);
		cJSON_AddItemToArray(arr, x);
	}
	cJSON_AddNumberToObject(o, "failed", (double)nf);
	cJSON_AddStringToObject(o, "result", nf ? "fail" : "pass");
	char *s = cJSON_Print(o);
	if (s)
		puts(s);
	free(s);
	cJSON_Delete(o);
}

int cmd_explore(int argc, char **argv)
{
	const char *file = NULL, *form = NULL;
	uint64_t a = 0, b = 0;
	bool json = false, have_range = false;
	struct scn_limits lim;
	scn_limits_default(&lim);
	limit_args[0] = '\0';
	for (int i = 1; i < argc; i++) {
		int first = i, l = cli_limits_option(argc, argv, &i, &lim);
		if (l < 0)
			return CLI_EXIT_USAGE;
		for (int k = first; l && k <= i; k++) {
			size_t n = strlen(limit_args);
			snprintf(limit_args + n, sizeof(limit_args) - n, " %s", argv[k]);
		}
		if (l)
			continue;
		if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) {
			if (!parse_range(argv[++i], &a, &b)) {
				cli_error("explore: --seeds A..B (A <= B, fewer than 10^8 seeds)");
				return CLI_EXIT_USAGE;
			}
			have_range = true;
		} else if (strcmp(argv[i], "--form") == 0 && i + 1 < argc) {
			if (!cli_check_form(argv[++i]))
				return CLI_EXIT_USAGE;
			form = argv[i];
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (argv[i][0] == '-' || file) {
			cli_error("explore: unexpected %s (msikit explore FILE.lua --seeds A..B)",
				  argv[i]);
			return CLI_EXIT_USAGE;
		} else {
			file = argv[i];
		}
	}
	if (!file || !have_range) {
		cli_error("explore: msikit explore FILE.lua --seeds A..B [--form F] [--json]");
		return CLI_EXIT_USAGE;
	}
	bool tty = isatty(STDERR_FILENO);
	uint64_t runs = b - a + 1;
	struct failure *fail = NULL;
	unsigned long nf = 0, cap = 0;
	for (uint64_t s = a;; s++) {
		struct scn_opts o = { .file = file,
				      .seed = s,
				      .seed_set = true,
				      .form = form,
				      .quiet = true,
				      .limits = &lim };
		struct scn_result res;
		scn_run(&o, &res);
		if (res.platform_missing || res.input_error) {
			/* Not about this seed (no platform, unreadable or unparsable file): stop. */
			if (tty)
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
		if (tty && ((s - a) % 16 == 15 || s == b))
			fprintf(stderr, "\rexplore: seed %llu (%llu of %llu), %lu failing ",
				(unsigned long long)s, (unsigned long long)(s - a + 1),
				(unsigned long long)runs, nf);
		if (s == b)
			break;
	}
	if (tty)
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
