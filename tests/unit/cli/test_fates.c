/* SPDX-License-Identifier: MIT */
/*
 * The ledger's observer of a run: every device's fates (the `ledger` view
 * and the DOT's losses), counted up to the report and not during the
 * teardown; and the --trace CSV, whose rows name device, MSI index, virq
 * and CPU (the CPU that took a delivered event, the one a raised event is
 * steered to), empty only where there is none.
 */
#include "msk_test.h"

#include <stdlib.h>

#include "cli.h"

static const char scenario[] =
	"local m = msikit.machine{ arch = 'x86', cpus = 2 }\n"
	"local a = m:pci{ bdf = '0000:01:00.0', msix = 4, while_disabled = 'drop' }\n"
	"local b = m:pci{ bdf = '0000:02:00.0', msix = 2 }\n"
	"msikit.expect(a:alloc_vectors{ min = 2, max = 2, type = 'msix' } == 2)\n"
	"msikit.expect(b:alloc_vectors{ min = 1, max = 1, type = 'msix' } == 1)\n"
	"a:request(0, 'a0')\n"
	"b:request(0, 'b0')\n"
	"m:set_affinity(b:virq(0), { 1 })\n"
	"a:raise(0, 3)\n"
	"b:raise(0)\n"
	"m:run()\n"
	"a:free_irq(0)\n"
	"a:free_vectors()\n"
	"a:raise(0)\n" /* MSI-X is off now: lost, with no vector */
	"m:run()\n"
	"b:raise(0)\n" /* held: b's handler is freed at the teardown, after the report */
	"b:mask(0)\n";

/* Every fate of the report's ledger is some device's. */
static void assert_fates_sum(const struct scn_result *res)
{
	uint64_t raised = 0, delivered = 0, lost = 0;
	for (unsigned int i = 0; i < res->nr_fates; i++) {
		raised += res->fates[i].raised;
		delivered += res->fates[i].delivered;
		lost += res->fates[i].lost;
	}
	assert_int_equal(raised, res->snap->ledger.counts.raised);
	assert_int_equal(delivered, res->snap->ledger.counts.delivered);
	assert_int_equal(lost, res->snap->ledger.counts.lost);
}

/* Run text (it must pass), its trace to trace (or none). */
static void run_text(const char *text, struct scn_result *res, FILE *trace)
{
	struct scn_opts o = {
		.file = "fates.lua",
		.source = text,
		.source_len = strlen(text),
		.quiet = true,
		.trace = trace,
	};
	scn_run(&o, res);
	if (res->exit_code != CLI_EXIT_PASS)
		fail_msg("exit %d: %s", res->exit_code, res->fatal ? res->fatal : "");
}

/* What was written to f, into buf; f is closed. */
static void read_back(FILE *f, char *buf, size_t size)
{
	rewind(f);
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void run(struct scn_result *res, FILE *trace)
{
	run_text(scenario, res, trace);
}

static void test_fates_by_device(void **state)
{
	(void)state;
	struct scn_result res;
	run(&res, NULL);
	assert_int_equal(res.nr_fates, 2);
	const struct scn_fate *a = &res.fates[0], *b = &res.fates[1];
	assert_string_equal(a->device, "0000:01:00.0");
	assert_int_equal(a->raised, 4);
	assert_int_equal(a->delivered, 3);
	assert_int_equal(a->lost, 1);
	assert_int_equal(a->lost_by_reason[MSK_LOSS_MSIX_DISABLED], 1);
	assert_string_equal(b->device, "0000:02:00.0");
	assert_int_equal(b->raised, 2);
	assert_int_equal(b->delivered, 1);
	/* What the teardown does to b's held event is not the report's. */
	assert_int_equal(b->lost, 0);
	assert_int_equal(res.snap->ledger.counts.lost, 1);
	assert_fates_sum(&res);
	scn_result_free(&res);
}

static void test_trace_rows(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	struct scn_result res;
	run(&res, f);
	scn_result_free(&res);
	char text[4096];
	read_back(f, text, sizeof(text));
	static const char *const rows[] = {
		"time,step,event,reason,weight,cpu,actor,device,index,virq\n",
		/* raised: the CPU it is steered to; delivered: the one that took it */
		"0,0,raised,,3,0,,0000:01:00.0,0,1\n",
		"0,0,raised,,1,1,,0000:02:00.0,0,3\n",
		"0,1,delivered,,1,1,,0000:02:00.0,0,3\n",
		"0,3,delivered,,3,0,,0000:01:00.0,0,1\n",
		/* no vector any more: no virq, no CPU */
		",raised,,1,,0,0000:01:00.0,0,\n",
		",lost,msix-disabled,1,,0,0000:01:00.0,0,\n",
	};
	const char *at = text;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *p = strstr(at, rows[i]);
		if (!p)
			fail_msg("no \"%s\" after offset %zu in:\n%s", rows[i], (size_t)(at - text),
				 text);
		at = p + strlen(rows[i]);
	}
	assert_int_equal(strncmp(text, rows[0], strlen(rows[0])), 0);
}

/* A handler that raises another device's vector: the raised row is that vector's. */
static void test_raise_from_a_handler(void **state)
{
	(void)state;
	static const char text[] = "local m = msikit.machine{ arch = 'x86', cpus = 2 }\n"
				   "local a = m:pci{ bdf = '0000:01:00.0', msix = 2 }\n"
				   "local b = m:pci{ bdf = '0000:02:00.0', msix = 2 }\n"
				   "a:alloc_vectors{ min = 1, max = 1, type = 'msix' }\n"
				   "b:alloc_vectors{ min = 2, max = 2, type = 'msix' }\n"
				   "a:request(0, 'a0', function() b:raise(1) end)\n"
				   "b:request(1, 'b1')\n"
				   "m:set_affinity(b:virq(1), { 1 })\n"
				   "a:raise(0)\n"
				   "m:run()\n";
	FILE *f = tmpfile();
	assert_non_null(f);
	struct scn_result res;
	run_text(text, &res, f);
	assert_int_equal(res.nr_fates, 2);
	assert_int_equal(res.fates[1].raised, 1);
	assert_int_equal(res.fates[1].delivered, 1);
	assert_fates_sum(&res);
	scn_result_free(&res);
	char buf[2048];
	read_back(f, buf, sizeof(buf));
	/* b's vector 1 is virq 3, steered to CPU 1, though a's handler (virq 1, CPU 0) raised it. */
	if (!strstr(buf, ",raised,,1,1,,0000:02:00.0,1,3\n") ||
	    !strstr(buf, ",delivered,,1,1,,0000:02:00.0,1,3\n"))
		fail_msg("b's rows are not its own:\n%s", buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fates_by_device),
		cmocka_unit_test(test_trace_rows),
		cmocka_unit_test(test_raise_from_a_handler),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
