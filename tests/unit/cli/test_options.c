/* SPDX-License-Identifier: MIT */
/*
 * The command's shared pieces: the option parser (flags, "--opt value",
 * "--opt=value", "--", --help, errors), the nearest-name suggestion, the
 * --view list, and output files opened before the work (an existing file
 * untouched until written, a created one removed when not written, write
 * errors reported).
 */
#include "msk_test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct seen {
	char log[512];
};

static int record(void *ctx, int id, const char *name, const char *value)
{
	struct seen *s = ctx;
	size_t n = strlen(s->log);
	snprintf(s->log + n, sizeof(s->log) - n, "[%d %s %s]", id, name ? name : "-",
		 value ? value : "-");
	return id == 9 ? -1 : 0;
}

static const struct cli_opt opts[] = {
	{ "--seed", "N", 1 }, { "--json", NULL, 2 }, { "-o", "FILE", 3 },
	{ "--fail", "X", 9 }, { NULL, NULL, 0 },
};

static int parse(struct seen *s, int argc, const char *const *argv)
{
	memset(s, 0, sizeof(*s));
	return cli_parse("test", argc, (char **)argv, opts, record, s);
}

static void test_values_flags_and_operands(void **state)
{
	(void)state;
	struct seen s;
	const char *a1[] = { "test", "x.lua", "--seed", "3", "--json", "-o", "r.json", "-" };
	assert_int_equal(parse(&s, 8, a1), CLI_PARSE_OK);
	assert_string_equal(s.log, "[0 - x.lua][1 --seed 3][2 --json -][3 -o r.json][0 - -]");
	/* --opt=value, an empty value, and "--" before an operand that looks like an option. */
	const char *a2[] = { "test", "--seed=0x2a", "--seed=", "--", "--json" };
	assert_int_equal(parse(&s, 5, a2), CLI_PARSE_OK);
	assert_string_equal(s.log, "[1 --seed 0x2a][1 --seed ][0 - --json]");
	/* Short options take their value as the next argument only. */
	const char *a3[] = { "test", "-o=x" };
	assert_int_equal(parse(&s, 2, a3), CLI_PARSE_ERROR);
}

static void test_errors(void **state)
{
	(void)state;
	struct seen s;
	const char *unknown[] = { "test", "--sede", "3" };
	assert_int_equal(parse(&s, 3, unknown), CLI_PARSE_ERROR);
	assert_string_equal(s.log, "");
	const char *no_value[] = { "test", "x.lua", "--seed" };
	assert_int_equal(parse(&s, 3, no_value), CLI_PARSE_ERROR);
	assert_string_equal(s.log, "[0 - x.lua]");
	const char *flag_value[] = { "test", "--json=1" };
	assert_int_equal(parse(&s, 2, flag_value), CLI_PARSE_ERROR);
	const char *refused[] = { "test", "--fail", "x", "--json" };
	assert_int_equal(parse(&s, 4, refused), CLI_PARSE_ERROR);
	assert_string_equal(s.log, "[9 --fail x]"); /* stops at the refusal */
	assert_int_equal(cli_parse_exit(CLI_PARSE_ERROR), CLI_EXIT_USAGE);
}

static void test_help(void **state)
{
	(void)state;
	struct seen s;
	const char *a[] = { "run", "x.lua", "--help", "--sede" };
	memset(&s, 0, sizeof(s));
	/* --help wins over what follows; the usage of "run" goes to stdout. */
	assert_int_equal(cli_parse("run", 4, (char **)a, opts, record, &s), CLI_PARSE_HELP);
	assert_int_equal(cli_parse_exit(CLI_PARSE_HELP), CLI_EXIT_PASS);
	const char *h[] = { "run", "-h" };
	assert_int_equal(cli_parse("run", 2, (char **)h, opts, record, &s), CLI_PARSE_HELP);
	assert_true(cli_usage("run", stdout));
	assert_false(cli_usage("frobnicate", stdout));
}

static void test_suggest(void **state)
{
	(void)state;
	static const char *const m[] = { "request",  "free", "raise", "alloc_vectors",
					 "alloc_at", "virq", NULL };
	assert_string_equal(cli_suggest("reqest", m, 6), "request"); /* a deletion */
	assert_string_equal(cli_suggest("rasie", m, 6), "raise");    /* a transposition */
	assert_string_equal(cli_suggest("alloc_vector", m, 6), "alloc_vectors");
	assert_string_equal(cli_suggest("fre", m, 6), "free");
	assert_null(cli_suggest("request", m, 6));    /* exact: nothing to suggest */
	assert_null(cli_suggest("frobnicate", m, 6)); /* too far from all */
	assert_null(cli_suggest("", m, 6));
	assert_null(cli_suggest("x", m, 6));
	/* The list ends at n or at NULL, whichever comes first. */
	assert_null(cli_suggest("virk", m, 5));
	assert_string_equal(cli_suggest("virk", m, 100), "virq");
	char longword[200];
	memset(longword, 'a', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';
	assert_null(cli_suggest(longword, m, 6));
}

static void test_views(void **state)
{
	(void)state;
	unsigned int v = 0;
	assert_true(cli_parse_views("summary", &v));
	assert_int_equal(v, SCN_VIEW_SUMMARY);
	assert_true(cli_parse_views("tree,table", &v)); /* added to what was there */
	assert_int_equal(v, SCN_VIEW_SUMMARY | SCN_VIEW_TREE | SCN_VIEW_TABLE);
	v = 0;
	assert_true(cli_parse_views("all", &v));
	assert_int_equal(v, SCN_VIEW_ALL);
	v = 0;
	assert_false(cli_parse_views("tree,tabel", &v));
	assert_false(cli_parse_views("tree,", &v));
	assert_false(cli_parse_views("", &v));
}

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/msk-cli-out-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_output_files(void **state)
{
	(void)state;
	char path[128], fresh[128];
	snprintf(path, sizeof(path), "%s/old.txt", dir);
	snprintf(fresh, sizeof(fresh), "%s/new.txt", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("old contents\n", f);
	fclose(f);
	/* Opened but not written: an existing file is left as it was, a new one removed. */
	struct cli_out o;
	assert_int_equal(cli_out_open(&o, path), 0);
	assert_false(o.created);
	cli_out_discard(&o);
	assert_string_equal(slurp(path), "old contents\n");
	assert_int_equal(cli_out_open(&o, fresh), 0);
	assert_true(o.created);
	cli_out_discard(&o);
	assert_int_equal(access(fresh, F_OK), -1);
	/* Written: emptied first. */
	assert_int_equal(cli_out_open(&o, path), 0);
	assert_int_equal(cli_out_begin(&o), 0);
	fputs("new\n", o.f);
	assert_int_equal(cli_out_close(&o), 0);
	assert_string_equal(slurp(path), "new\n");
	assert_int_equal(cli_out_close(&o), 0); /* closed already: nothing */
	/* What cannot be opened, and what cannot be written. */
	assert_int_equal(cli_out_open(&o, dir), -1);
	snprintf(fresh, sizeof(fresh), "%s/no/such/dir.txt", dir);
	assert_int_equal(cli_out_open(&o, fresh), -1);
	/* A directory one may not write in (root may write anywhere: not checked then). */
	if (geteuid() != 0) {
		char ro[128];
		snprintf(ro, sizeof(ro), "%s/ro", dir);
		assert_int_equal(mkdir(ro, 0500), 0);
		snprintf(fresh, sizeof(fresh), "%s/ro/x.txt", dir);
		assert_int_equal(cli_out_open(&o, fresh), -1);
		assert_int_equal(access(fresh, F_OK), -1);
		chmod(ro, 0700);
	}
	assert_int_equal(cli_out_open(&o, "/dev/full"), 0);
	assert_int_equal(cli_out_begin(&o), 0); /* not a regular file: nothing to empty */
	fputs("more than nothing\n", o.f);
	assert_int_equal(cli_out_close(&o), -1);
	assert_null(o.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_flags_and_operands),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_views),
		cmocka_unit_test_setup_teardown(test_output_files, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
