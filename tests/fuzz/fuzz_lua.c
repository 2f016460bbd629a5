/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the Lua scenario layer: the input is the text of a
 * scenario, run by the runner the msikit command uses (scn_run in
 * tools/msikit/scenario.c) under the command's default limits
 * (scn_limits_default), tightened: an instruction budget over every
 * coroutine and handler (d:raise() events count too), a memory cap for the
 * Lua state, caps on runtime steps, on the guest RAM the script writes and
 * on the wall clock, and the strict sandbox (no io, os beyond the clock,
 * debug, C modules, file loading or binary chunks).
 *
 * Oracle: no crash, no sanitizer report, nothing leaked (LSan), and an
 * outcome the command documents: 0 (passed), 1 (an expectation, the
 * contract or an invariant failed: scripts may break the machine's
 * hardware behind the OS's back), 2 (bad input: a Lua error, a limit
 * reached). Exit 3 (the ledger does not balance, an internal error) is a
 * library bug.
 *
 * The seed corpus (tests/fuzz/corpus/lua/) is made by
 * tests/fuzz/gen_corpus_lua.py from the shipped scenarios; lua.dict is
 * libFuzzer's dictionary of the API's names.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/*
	 * The command's defaults (scn_limits_default: the same code path),
	 * tightened for fuzzing speed.
	 */
	struct scn_limits limits;
	scn_limits_default(&limits);
	limits.instructions = 1000000;
	limits.memory = 64u << 20;
	/*
	 * Every step checks the invariants over every vector (2048 on
	 * one device: ~1 ms under ASan), and an actor that only yields
	 * costs a few instructions a step: the step cap bounds that.
	 */
	limits.max_steps = 1500;
	limits.ram = 64u << 20;
	limits.timeout = 20;
	limits.sandbox = SCN_SANDBOX_STRICT;
	struct scn_opts o = {
		.file = "fuzz.lua",
		.source = (const char *)data,
		.source_len = size,
		.quiet = true,
		.limits = &limits,
	};
	struct scn_result res;
	scn_run(&o, &res);
	if (res.exit_code != CLI_EXIT_PASS && res.exit_code != CLI_EXIT_FAIL &&
	    res.exit_code != CLI_EXIT_USAGE) {
		char reason[512];
		fprintf(stderr, "fuzz_lua: exit %d: %s\n", res.exit_code,
			scn_reason(&res, reason, sizeof(reason)));
		abort();
	}
	scn_result_free(&res);
	return 0;
}
