/* SPDX-License-Identifier: MIT */
/*
 * What import checks before it writes a scenario: every count can be
 * raised (d:raise takes at most 2^32-1 events at a time), and the scenario
 * runs here (RAISE = false: every step, one interrupt per vector and CPU).
 */
#include "import.h"

#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"

/* d:raise takes at most 2^32-1 events at a time: refuse a scale that leaves more. */
int imp_check_counts(const struct imp *im)
{
	for (unsigned int i = 0; i < im->ndevs; i++)
		for (unsigned int k = 0; k < im->devs[i]->nvec; k++) {
			const struct imp_vector *v = &im->devs[i]->vec[k];
			for (unsigned int c = 0; v->present && c < im->ncpus; c++)
				if (v->count[c] > UINT32_MAX)
					return imp_fail(
						im->proc.path, v->line,
						"irq %u: %" PRIu64 " interrupts on CPU %u at "
						"--scale %" PRIu64
						": more than one replay can raise (4294967295)",
						v->irq, v->count[c], c, im->scale);
		}
	return 0;
}

/*
 * The scenario runs here: written with RAISE = false (everything as in the
 * replay - the machine, every function plugged in, its vectors allocated,
 * sparse ones with alloc_at, requested, steered to each CPU and back - but
 * one interrupt per vector and CPU, and no count checked) and run in this
 * process. A scenario that would fail
 * (vectors that do not fit the CPUs or the remapping table, a name the API
 * refuses, ...) is refused now, with the reason, rather than written.
 * 0, or -1 (reported). A platform that is not built cannot be checked: the
 * run will say so itself.
 */
int imp_check_runs(const struct imp *im, const struct imp_sources *src, const char *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return imp_fail(src->proc, 0, "out of memory");
	int w = imp_write(m, im, src, false);
	if (fclose(m) != 0 || w < 0) {
		free(text);
		return imp_fail(src->proc, 0, "out of memory");
	}
	struct scn_opts so = {
		.file = out ? out : "stdout", .source = text, .source_len = len, .quiet = true
	};
	struct scn_result res;
	scn_run(&so, &res);
	int rc = 0;
	if (res.exit_code != CLI_EXIT_PASS && !res.platform_missing) {
		char why[512];
		rc = imp_fail(src->proc, 0,
			      "the scenario would not run on the simulated %s, not written: %s",
			      src->arch_override ? src->arch_override : im->arch,
			      scn_reason(&res, why, sizeof(why)));
	}
	scn_result_free(&res);
	free(text);
	return rc;
}
