/* SPDX-License-Identifier: MIT */
/*
 * The option parser every subcommand shares: a table of options, each a
 * flag or an option with a value ("--seed 3" or "--seed=3"), operands in
 * any order around them, "--" ending the options, and --help / -h.
 */
#include "cli.h"

#include <string.h>

#define MAX_OPTS 32

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name, size_t len)
{
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static void unknown(const char *cmd, const struct cli_opt *opts, const char *arg, size_t len)
{
	const char *names[MAX_OPTS + 2];
	size_t n = 0;
	for (const struct cli_opt *o = opts; o && o->name && n < MAX_OPTS; o++)
		names[n++] = o->name;
	names[n++] = "--help";
	char word[80];
	snprintf(word, sizeof(word), "%.*s", (int)(len < 79 ? len : 79), arg);
	const char *near = cli_suggest(word, names, n);
	if (near)
		cli_error("%s: unknown option %s: did you mean %s? (msikit %s --help)", cmd, word,
			  near, cmd);
	else
		cli_error("%s: unknown option %s (msikit %s --help)", cmd, word, cmd);
}

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
	      int (*on)(void *ctx, int id, const char *name, const char *value), void *ctx)
{
	bool operands_only = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (operands_only || a[0] != '-' || a[1] == '\0') {
			if (on(ctx, CLI_OPERAND, NULL, a) < 0)
				return CLI_PARSE_ERROR;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			operands_only = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_usage(cmd, stdout);
			return CLI_PARSE_HELP;
		}
		const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		const struct cli_opt *o = find_opt(opts, a, len);
		if (!o) {
			unknown(cmd, opts, a, len);
			return CLI_PARSE_ERROR;
		}
		const char *value = NULL;
		if (!o->arg) {
			if (eq) {
				cli_error("%s: %s takes no value (msikit %s --help)", cmd, o->name,
					  cmd);
				return CLI_PARSE_ERROR;
			}
		} else if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			cli_error("%s: %s needs a value (%s %s)", cmd, o->name, o->name, o->arg);
			return CLI_PARSE_ERROR;
		}
		if (on(ctx, o->id, o->name, value) < 0)
			return CLI_PARSE_ERROR;
	}
	return CLI_PARSE_OK;
}

int cli_parse_exit(int rc)
{
	return rc == CLI_PARSE_HELP ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
}

struct json_args {
	const char *cmd;
	bool *json;
	struct strlist *operands;
};

static int on_json_opt(void *ctx, int id, const char *name, const char *value)
{
	(void)name;
	struct json_args *a = ctx;
	if (id != CLI_OPERAND) {
		*a->json = true;
		return 0;
	}
	if (!a->operands) {
		cli_error("%s: unexpected %s (msikit %s --help)", a->cmd, value, a->cmd);
		return -1;
	}
	strlist_add(a->operands, value);
	return 0;
}

int cli_parse_json_only(const char *cmd, int argc, char **argv, bool *json,
			struct strlist *operands)
{
	static const struct cli_opt opts[] = { { "--json", NULL, 1 }, { NULL, NULL, 0 } };
	struct json_args a = { .cmd = cmd, .json = json, .operands = operands };
	*json = false;
	return cli_parse(cmd, argc, argv, opts, on_json_opt, &a);
}
