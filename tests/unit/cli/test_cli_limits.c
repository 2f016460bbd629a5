/* SPDX-License-Identifier: MIT */
/*
 * The limit options of run and explore (cli_limits_set, CLI_LIMIT_OPTS): sizes with K/M/G,
 * seconds, 0 lifting a limit, bad values refused, other options left alone;
 * and the defaults they start from (scn_limits_default).
 */
#include "msk_test.h"

#include "cli.h"

#include <string.h>

/* One option as the commands' parser hands it over: its name and value (NULL: none). */
static int parse(const char *opt, const char *val, struct scn_limits *lim)
{
	return cli_limits_set(lim, opt, val);
}

static void test_defaults(void **state)
{
	struct scn_limits lim;
	scn_limits_default(&lim);
	assert_true(lim.instructions == SCN_DEFAULT_INSTRUCTIONS && lim.instructions > 0);
	assert_true(lim.memory == SCN_DEFAULT_MEMORY && lim.ram == SCN_DEFAULT_RAM);
	assert_true(lim.timeout > 0);
	assert_int_equal(lim.max_steps, 0); /* machine{ max_steps } and the runtime's own */
	assert_int_equal(lim.sandbox, SCN_SANDBOX_DEFAULT);
}

static void test_values(void **state)
{
	struct scn_limits lim;
	scn_limits_default(&lim);
	assert_int_equal(parse("--max-instructions", "12345", &lim), 1);
	assert_int_equal(lim.instructions, 12345);
	assert_int_equal(parse("--max-memory", "8M", &lim), 1);
	assert_int_equal(lim.memory, 8u << 20);
	assert_int_equal(parse("--max-memory", "3k", &lim), 1);
	assert_int_equal(lim.memory, 3072);
	assert_int_equal(parse("--max-guest-ram", "2G", &lim), 1);
	assert_true(lim.ram == 2ull << 30);
	assert_int_equal(parse("--max-guest-ram", "4096", &lim), 1);
	assert_int_equal(lim.ram, 4096);
	assert_int_equal(parse("--timeout", "0.25", &lim), 1);
	assert_true(lim.timeout == 0.25);
	assert_int_equal(parse("--max-instructions", "0", &lim), 1);
	assert_int_equal(lim.instructions, 0); /* no limit */
	assert_int_equal(parse("--allow-system", NULL, &lim), 1);
	assert_int_equal(lim.sandbox, SCN_SANDBOX_SYSTEM);
}

static void test_bad_values(void **state)
{
	struct scn_limits lim, before;
	scn_limits_default(&lim);
	before = lim;
	static const char *const bad[][2] = {
		{ "--max-instructions", "-1" }, { "--max-instructions", "1e9" },
		{ "--max-memory", "8X" },	{ "--max-memory", "M" },
		{ "--max-memory", "-8M" },	{ "--max-guest-ram", "99999999999999G" },
		{ "--timeout", "-1" },		{ "--timeout", "soon" },
		{ "--timeout", "inf" },		{ "--max-memory", NULL },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(parse(bad[k][0], bad[k][1], &lim), -1);
		assert_memory_equal(&lim, &before, sizeof(lim)); /* unchanged */
	}
	assert_int_equal(parse("--seed", "7", &lim), 0); /* not a limit option */
}

/* By name and value, for a parser that splits "--opt=value" itself. */
static void test_set_by_name(void **state)
{
	struct scn_limits lim;
	scn_limits_default(&lim);
	assert_int_equal(cli_limits_set(&lim, "--max-memory", "1K"), 1);
	assert_int_equal(lim.memory, 1024);
	assert_int_equal(cli_limits_set(&lim, "--timeout", NULL), -1);
	assert_int_equal(cli_limits_set(&lim, "--view", "ledger"), 0);
	/* The commands' option table: only --allow-system takes no value. */
	static const struct cli_opt opts[] = { CLI_LIMIT_OPTS(1), { NULL, NULL, 0 } };
	for (const struct cli_opt *o = opts; o->name; o++)
		assert_true((o->arg == NULL) == (strcmp(o->name, "--allow-system") == 0));
	assert_int_equal(cli_limits_set(&lim, "--allow-system", NULL), 1);
	assert_int_equal(lim.sandbox, SCN_SANDBOX_SYSTEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_set_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
