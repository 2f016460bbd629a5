/* SPDX-License-Identifier: MIT */
/*
 * The scenario runner (scn_run) on text given in memory, with the default
 * limits (no struct scn_limits) and with fuzzing's: the sandbox's libraries, the instruction, memory and
 * step budgets, d:raise() counted against the budget, and the machine's
 * userdata outliving the machine (finalizers at the end of a run).
 */
#include "msk_test.h"

#include "cli.h"

static const struct scn_limits fuzzing = {
	.instructions = 200000,
	.memory = 16u << 20,
	.max_steps = 5000,
	.ram = 1u << 20,
	.sandbox = SCN_SANDBOX_STRICT,
};

/* Run `text` quietly; the result must be freed. */
static void run_text(const char *text, const struct scn_limits *lim, struct scn_result *res)
{
	struct scn_opts o = {
		.file = "text.lua",
		.source = text,
		.source_len = strlen(text),
		.quiet = true,
		.limits = lim,
	};
	scn_run(&o, res);
}

static void expect_exit(const char *text, const struct scn_limits *lim, int code,
			const char *fatal_part)
{
	struct scn_result res;
	run_text(text, lim, &res);
	if (res.exit_code != code)
		fail_msg("exit %d, wanted %d: %s", res.exit_code, code,
			 res.fatal ? res.fatal : "(no message)");
	if (fatal_part) {
		assert_non_null(res.fatal);
		if (!strstr(res.fatal, fatal_part))
			fail_msg("\"%s\" does not say \"%s\"", res.fatal, fatal_part);
	}
	scn_result_free(&res);
}

static void test_source_in_memory_default_limits(void **state)
{
	expect_exit("local m = msikit.machine{ arch = 'x86' }\n"
		    "local d = m:pci{ msix = 4 }\n"
		    "msikit.expect(d:alloc_vectors{ max = 4 } == 4)\n"
		    "msikit.expect(io ~= nil and os.getenv ~= nil, 'the command has io and os')\n"
		    "msikit.expect(debug == nil, 'but no debug library')\n"
		    "local f, err = load(string.dump(function() end))\n"
		    "msikit.expect(f == nil and err:match('binary'), 'and no binary chunk')\n",
		    NULL, CLI_EXIT_PASS, NULL);
	expect_exit("msikit.expect(false, 'one is two')", NULL, CLI_EXIT_FAIL, NULL);
	expect_exit("local x = = 1", NULL, CLI_EXIT_USAGE, "text.lua:1:");
}

static void test_sandbox_has_no_way_out(void **state)
{
	expect_exit("msikit.expect(io == nil and debug == nil and dofile == nil)\n"
		    "msikit.expect(loadfile == nil and package.loadlib == nil)\n"
		    "msikit.expect(os.execute == nil and os.remove == nil and os.getenv == nil)\n"
		    "msikit.expect(os.time() > 0 and os.clock() >= 0)\n"
		    "msikit.expect(not pcall(require, 'io'), 'no io module')\n"
		    "msikit.expect(require('os').execute == nil, 'require os: the same os')\n"
		    "msikit.expect(require('msikit') == msikit, 'msikit from preload')\n"
		    "local f, err = load(string.dump(function() end))\n"
		    "msikit.expect(f == nil and err:match('binary'), 'no binary chunk')\n"
		    "msikit.expect(load('return 7')() == 7, 'text chunks load')\n"
		    "msikit.expect(load('return x', 'c', 'b', { x = 1 }) ~= nil, 'mode is text')\n"
		    "local ok = pcall(os.exit)\n"
		    "msikit.expect(not ok, 'no os.exit')\n",
		    &fuzzing, CLI_EXIT_PASS, NULL);
}

static void test_instruction_budget(void **state)
{
	expect_exit(
		"while true do end", &fuzzing, CLI_EXIT_USAGE,
		"text.lua:1: instruction limit (200000) reached; raise it with --max-instructions");
	/* Catching the error does not buy more time. */
	expect_exit("while true do pcall(function() while true do end end) end", &fuzzing,
		    CLI_EXIT_USAGE, "instructions");
	/* Actors and handlers count too. */
	expect_exit("local m = msikit.machine{ arch = 'arm64' }\n"
		    "m:spawn(function() while true do m:yield() end end)\n",
		    &fuzzing, CLI_EXIT_USAGE, NULL);
	expect_exit("local m = msikit.machine{ arch = 'x86' }\n"
		    "local d = m:pci{ msix = 2 }\n"
		    "d:alloc_vectors{ max = 1 }\n"
		    "d:request(0, 'q', function() while true do end end)\n"
		    "d:raise(0)\n"
		    "m:run()\n",
		    &fuzzing, CLI_EXIT_USAGE, "instructions");
	/* Every interrupt of a train is charged (a weighted raise is one message). */
	expect_exit("local m = msikit.machine{ arch = 'x86' }\n"
		    "local d = m:pci{ msix = 2 }\n"
		    "for i = 1, 10 do d:raise(0, 100000, { every = 1 }) end\n",
		    &fuzzing, CLI_EXIT_USAGE, "instructions");
}

static void test_memory_budget(void **state)
{
	expect_exit("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000, i) end", &fuzzing,
		    CLI_EXIT_USAGE, "memory");
	expect_exit("local s = string.rep('x', 1 << 30)", &fuzzing, CLI_EXIT_USAGE, "memory");
}

static void test_ram_budget(void **state)
{
	/* One write per page: the pages stop at 1 MiB (256 pages). */
	expect_exit("local m = msikit.machine{ arch = 'x86' }\n"
		    "local base = m:layout().ram\n"
		    "for i = 0, 1000 do m:mem_write(base + i * 4096, i, 8) end\n",
		    &fuzzing, CLI_EXIT_USAGE, "guest RAM");
	expect_exit("local m = msikit.machine{ arch = 'arm64' }\n"
		    "local base = m:layout().ram\n"
		    "for i = 0, 1000 do m:mmio_write(base + i * 4096, i, 4) end\n",
		    &fuzzing, CLI_EXIT_USAGE, "guest RAM");
	expect_exit("local m = msikit.machine{ arch = 'x86' }\n"
		    "local base = m:layout().ram\n"
		    "for i = 0, 100 do m:mem_write(base + i * 8, i, 8) end\n"
		    "msikit.expect(m:mem_read(base + 800, 8) == 100)\n",
		    &fuzzing, CLI_EXIT_PASS, NULL);
}

static void test_step_budget(void **state)
{
	/* The script's max_steps cannot raise the cap. */
	expect_exit("local m = msikit.machine{ arch = 'ppc64', max_steps = 1000000000 }\n"
		    "m:spawn(function() while true do m:sleep(1) end end)\n",
		    &fuzzing, CLI_EXIT_USAGE, "5000");
}

/*
 * Finalizers run at lua_close, after the machine is gone: every method of
 * every binding object (machine, device, CPU) raises "the machine is gone"
 * instead of reaching freed memory; their expectations still count.
 */
static void test_finalizers_after_the_run(void **state)
{
	const char *text =
		"local m = msikit.machine{ arch = 'x86' }\n"
		"local d = m:pci{ msix = 4 }\n"
		"local c = m:cpu(0)\n"
		"d:alloc_vectors{ max = 1 }\n"
		"setmetatable({}, { __gc = function()\n"
		"  local n, gone = 0, 0\n"
		"  for _, o in ipairs{ m, d, c } do\n"
		"    for name, f in pairs(getmetatable(o).__methods) do\n"
		"      n = n + 1\n"
		"      local ok, err = pcall(function() return f(o, 0, 0, 0, 4) end)\n"
		"      if not ok and err:match('^text.lua:10: the machine is gone') then\n"
		"        gone = gone + 1\n"
		"      else print(name, ok, err) end\n"
		"    end\n"
		"  end\n"
		"  msikit.expect(n > 40 and gone == n, 'every method finds the machine gone')\n"
		"  msikit.expect(tostring(d):match('gone'), 'tostring still works')\n"
		"  msikit.expect(not pcall(msikit.machine, { arch = 'x86' }), 'no new machine')\n"
		"end })\n";
	/* Only --allow-system lets a metatable have __gc (Lua runs finalizers without hooks). */
	struct scn_limits system;
	scn_limits_default(&system);
	system.sandbox = SCN_SANDBOX_SYSTEM;
	struct scn_result res;
	run_text(text, &system, &res);
	assert_int_equal(res.exit_code, CLI_EXIT_PASS);
	assert_int_equal(res.expect_total, 3);
	assert_int_equal(res.expect_failed, 0);
	scn_result_free(&res);
	const struct scn_limits *refusing[] = { NULL, &fuzzing };
	for (int i = 0; i < 2; i++) {
		run_text(text, refusing[i], &res);
		assert_int_equal(res.exit_code, CLI_EXIT_USAGE);
		assert_non_null(strstr(res.fatal, "a metatable with __gc"));
		scn_result_free(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_in_memory_default_limits),
		cmocka_unit_test(test_sandbox_has_no_way_out),
		cmocka_unit_test(test_instruction_budget),
		cmocka_unit_test(test_memory_budget),
		cmocka_unit_test(test_ram_budget),
		cmocka_unit_test(test_step_budget),
		cmocka_unit_test(test_finalizers_after_the_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
