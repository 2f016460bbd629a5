/* SPDX-License-Identifier: MIT */
/*
 * msikit import, below the command: reading /proc/interrupts in every
 * format Linux wrote it, CPU lists, classifying rows into functions and
 * vectors, managed queues, the scale, and the scenario text. Then files
 * too large or strange for a real machine: 400 000 rows (the duplicate
 * check is a hash: this program runs under a CTest TIMEOUT of 30 s that
 * the old every-row-with-every-earlier-one check needs minutes for),
 * 100 000 CPU columns, a line past IMP_MAX_LINE, more counts than
 * IMP_MAX_CELLS, binary garbage quoted in the message.
 */
#include "msk_test.h"

#include <stdlib.h>
#include <unistd.h>

#include "import.h"

/* --- helpers ------------------------------------------------------------------------- */

static char captured[4096];
static int saved_fd = -1;
static FILE *capture_file;

/* stderr into a file until captured_text() */
static void capture_stderr(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_fd = dup(STDERR_FILENO);
	dup2(fileno(capture_file), STDERR_FILENO);
}

static const char *captured_text(void)
{
	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	rewind(capture_file);
	size_t n = fread(captured, 1, sizeof(captured) - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	return captured;
}

static int parse_len(struct imp_proc *p, const char *text, size_t len, imp_keep_fn keep)
{
	FILE *f = fmemopen((void *)text, len, "r");
	assert_non_null(f);
	int rc = imp_proc_parse(p, "mem", f, keep, NULL);
	fclose(f);
	return rc;
}

static int parse(struct imp_proc *p, const char *text)
{
	return parse_len(p, text, strlen(text), NULL);
}

/* Parse text, expecting failure with a message containing want. */
static void parse_fails(const char *text, const char *want)
{
	struct imp_proc p;
	capture_stderr();
	int rc = parse(&p, text);
	const char *msg = captured_text();
	assert_int_equal(rc, -1);
	if (!strstr(msg, want))
		fail_msg("message \"%s\" does not contain \"%s\"", msg, want);
	assert_int_equal(p.nrows, 0); /* freed */
}

static const struct imp_row *row(const struct imp_proc *p, uint32_t irq)
{
	for (unsigned int i = 0; i < p->nrows; i++)
		if (p->rows[i].irq == irq)
			return &p->rows[i];
	fail_msg("no irq %u", irq);
	return NULL;
}

/* --- /proc/interrupts ------------------------------------------------------------------ */

static const char formats[] =
	"            CPU0       CPU2       \n"
	" 28:          0        460  PCI-MSIX-0000:00:01.0   3-edge      virtio0-stats\n"
	"129:        823          0  IR-PCI-MSI 524289-edge      nvme0q1\n"
	" 45:          1          2  ITS-MSI 524288 Edge      nvme0q0\n"
	" 43:          9          0   PCI-MSI-edge      eth0\n"
	" 29:      10661          0  amd_gpio   90  ITE8227:00\n"
	"123:          0          1  IR-PCI-MSI 18874369-edge    \n"
	" 26:          0          0  IR-PCI-MSI 22528-edge      PCIe PME, aerdrv\n"
	" 47:          3          4  ITS-PCI-MSIX-0002:01:00.0   7 Edge      3com-rx\n"
	"NMI:          0          0   Non-maskable interrupts\n"
	"ERR:          0\n"
	"IPI0:         5          6       Rescheduling interrupts\n";

static void test_proc_formats(void **state)
{
	(void)state;
	struct imp_proc p;
	assert_int_equal(parse(&p, formats), 0);
	assert_int_equal(p.ncols, 2);
	assert_int_equal(p.col_cpu[0], 0);
	assert_int_equal(p.col_cpu[1], 2);
	assert_int_equal(p.nrows, 8); /* NMI, ERR, IPI0 skipped */
	const struct imp_row *r = row(&p, 28);
	assert_string_equal(r->chip, "PCI-MSIX-0000:00:01.0");
	assert_true(r->has_hwirq);
	assert_int_equal(r->hwirq, 3);
	assert_string_equal(r->name, "virtio0-stats");
	assert_int_equal(r->counts[1], 460);
	r = row(&p, 129);
	assert_string_equal(r->chip, "IR-PCI-MSI");
	assert_int_equal(r->hwirq, 524289);
	assert_string_equal(r->name, "nvme0q1");
	r = row(&p, 45); /* arm64: the trigger apart, not part of the name */
	assert_int_equal(r->hwirq, 524288);
	assert_string_equal(r->name, "nvme0q0");
	r = row(&p, 43); /* 3.x: no hwirq */
	assert_string_equal(r->chip, "PCI-MSI-edge");
	assert_false(r->has_hwirq);
	assert_string_equal(r->name, "eth0");
	r = row(&p, 29); /* a hwirq without a flow name */
	assert_int_equal(r->hwirq, 90);
	assert_string_equal(r->name, "ITE8227:00");
	r = row(&p, 123); /* no action: freed since */
	assert_string_equal(r->name, "");
	assert_string_equal(row(&p, 26)->name, "PCIe PME, aerdrv");
	r = row(&p, 47); /* a name starting with a digit is still the name */
	assert_int_equal(r->hwirq, 7);
	assert_string_equal(r->name, "3com-rx");
	imp_proc_free(&p);
}

static void test_proc_errors(void **state)
{
	(void)state;
	parse_fails("", "mem:1: empty");
	parse_fails("CPU0 CPUx\n",
		    "mem:1: the header should list the CPUs (CPU0 CPU1 ...), not \"CPUx\"");
	parse_fails("CPU0 CPU0\n", "mem:1: CPU0 listed after CPU0");
	parse_fails("CPU0 CPU1\n 5: 1\n", "mem:2: irq 5: 1 count for 2 CPUs");
	parse_fails("CPU0\n 5: 1 x PCI-MSI 1-edge a\n 5: 1 x\n",
		    "mem:3: irq 5 listed twice (line 2)");
	parse_fails("CPU0\n 5: 18446744073709551616 c\n",
		    "count \"18446744073709551616\" for CPU0 is out of range");
	parse_fails("CPU0\n 5: 7q c\n", "count \"7q\" for CPU0 is not a number");
	parse_fails("CPU0\nno colon here\n", "mem:2: not a /proc/interrupts row");
	parse_fails("CPU0\n 5: 1 c 99999999999999999999999-edge x\n", "mem:2: irq 5: hwirq");
	parse_fails("CPU0\n4294967295: 1 c\n", "mem:2: irq \"4294967295\" is not a number");
	static const char nul[] = "CPU0\n 5: 1 c\0d\n";
	struct imp_proc p;
	FILE *f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	capture_stderr();
	int rc = imp_proc_parse(&p, "mem", f, NULL, NULL);
	fclose(f);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(captured_text(), "mem:2: binary data"));
}

/* --- CPU lists ---------------------------------------------------------------------------- */

static void test_cpulist(void **state)
{
	(void)state;
	struct msk_cpumask m;
	bool folded = false;
	const char *why;
	char buf[64];
	assert_int_equal(imp_cpulist_parse("0-3,8,10-11\n", 256, &m, &folded, &why), 0);
	assert_string_equal(msk_cpumask_format(&m, buf, sizeof(buf)), "0-3,8,10-11");
	assert_false(folded);
	assert_int_equal(imp_cpulist_parse("\n", 256, &m, &folded, &why), 0);
	assert_true(msk_cpumask_empty(&m));
	assert_int_equal(imp_cpulist_parse("260,3", 255, &m, &folded, &why), 0);
	assert_true(folded);
	assert_string_equal(msk_cpumask_format(&m, buf, sizeof(buf)), "3,5");
	assert_int_equal(imp_cpulist_parse("5-2", 256, &m, &folded, &why), -1);
	assert_string_equal(why, "a range that goes backwards");
	assert_int_equal(imp_cpulist_parse("1,,2", 256, &m, &folded, &why), -1);
	assert_int_equal(imp_cpulist_parse("1-", 256, &m, &folded, &why), -1);
	assert_int_equal(imp_cpulist_parse("1 2", 256, &m, &folded, &why), -1);
	assert_int_equal(imp_cpulist_parse("1\n2\n", 256, &m, &folded, &why), -1);
	assert_int_equal(imp_cpulist_parse("99999999", 256, &m, &folded, &why), -1);
}

/* --- functions and vectors ------------------------------------------------------------------ */

/* A machine like tests/data/real-machines/asrockrack-x470d4u2-linux517, cut down. */
static const char server[] =
	"            CPU0       CPU1       CPU2       CPU3       \n"
	"  0:         33          0          0          0  IR-IO-APIC    2-edge      timer\n"
	" 44:          0          0          0         68  IR-PCI-MSI 22544384-edge      nvme0q0\n"
	" 45:        125          0          0          0  IR-PCI-MSI 22544385-edge      nvme0q1\n"
	" 46:          0        466          0          0  IR-PCI-MSI 22544386-edge      nvme0q2\n"
	" 47:          0          0        506          0  IR-PCI-MSI 22544387-edge      nvme0q3\n"
	" 48:          0          0          0        396  IR-PCI-MSI 22544388-edge      nvme0q4\n"
	" 49:          0          0          0          0  IR-PCI-MSI 22544389-edge      nvme0q5\n"
	" 50:          0          0          0          0  IR-PCI-MSI 22544390-edge      nvme0q6\n"
	" 51:          0          0          0          0  IR-PCI-MSI 22544391-edge      nvme0q7\n"
	" 52:          0          0          0          0  IR-PCI-MSI 22544392-edge      nvme0q8\n"
	" 79:          0          2          0          0  IR-PCI-MSI 18350080-edge      enp35s0\n"
	" 80:          0          0      16441          5  IR-PCI-MSI 18350081-edge      "
	"enp35s0-TxRx-0\n"
	"123:          0          0          1          0  IR-PCI-MSI 18874369-edge    \n"
	"133:          0          0          0          0  IR-PCI-MSI 268437504-edge      far\n";

static void build_from(struct imp *im, const char *text)
{
	memset(im, 0, sizeof(*im));
	assert_int_equal(parse(&im->proc, text), 0);
	capture_stderr();
	int rc = imp_build(im);
	const char *msg = captured_text();
	if (rc < 0)
		fail_msg("imp_build: %s", msg);
}

static const struct imp_dev *dev(const struct imp *im, const char *bdf)
{
	for (unsigned int i = 0; i < im->ndevs; i++)
		if (strcmp(im->devs[i]->bdf, bdf) == 0)
			return im->devs[i];
	fail_msg("no function %s", bdf);
	return NULL;
}

static void test_build_global(void **state)
{
	(void)state;
	struct imp im;
	build_from(&im, server);
	assert_string_equal(im.arch, "x86");
	assert_true(im.ir);
	assert_int_equal(im.model, IMP_MODEL_GLOBAL);
	assert_int_equal(im.ndevs, 3); /* segment 0002 skipped */
	assert_int_equal(im.skipped_rows, 1);
	/* hwirq 22544385 = RID 0x2b00 << 11 | 1 */
	const struct imp_dev *n = dev(&im, "0000:2b:00.0");
	assert_int_equal(n->nvec, 9);
	assert_true(n->kind_guessed && n->msix);
	assert_true(n->managed);
	assert_int_equal(n->pre, 1);
	assert_int_equal(n->post, 0);
	assert_false(n->vec[0].managed);
	assert_true(n->vec[1].managed);
	assert_int_equal(n->vec[1].real[0], 125);
	/* 8 queues on 4 CPUs: the kernel had 8 possible CPUs; 4-7 were not online */
	assert_int_equal(im.possible, 8);
	assert_int_equal(im.ncpus, 8);
	assert_int_equal(msk_cpumask_weight(&im.online), 4);
	/* no /proc/irq: the CPU that took most, or nothing */
	const struct imp_dev *e = dev(&im, "0000:23:00.0");
	assert_int_equal(e->vec[1].aff_src, IMP_AFF_COUNTS);
	assert_int_equal(msk_cpumask_first(&e->vec[1].eff), 2);
	assert_int_equal(n->vec[5].aff_src, IMP_AFF_NONE);
	/* an irq whose action was freed */
	assert_string_equal(dev(&im, "0000:24:00.0")->vec[1].name, "");
	assert_int_equal(im.nvectors, 12);
	assert_int_equal(im.real_total, 68 + 125 + 466 + 506 + 396 + 2 + 16441 + 5 + 1);
	imp_free(&im);
}

static void test_build_sysfs_rank(void **state)
{
	(void)state;
	/* XIVE-IRQ names no function: msi_irqs/ does, and the index is the rank there */
	static const char xive[] =
		"            CPU0       CPU1\n"
		" 24:          2          0  XIVE-IRQ 4096 Edge      nvme0q0\n"
		" 25:        300          0  XIVE-IRQ 4097 Edge      nvme0q1\n"
		" 26:          0        250  XIVE-IRQ 4098 Edge      nvme0q2\n"
		" 27:         15         16  pSeries-PCI-MSI 4099 Edge      eth0\n"
		" 30:          1          0  XIVE-IRQ 16 Edge      other\n";
	struct imp im;
	memset(&im, 0, sizeof(im));
	assert_int_equal(parse(&im.proc, xive), 0);
	assert_int_equal(
		imp_sysfs_scan(&im.sysfs, NULL, MSK_TEST_DATA_DIR "/../scenario/import/sysfs"), 0);
	assert_int_equal(im.sysfs.nirqs, 4);
	assert_int_equal(imp_build(&im), 0);
	assert_string_equal(im.arch, "ppc64");
	assert_int_equal(im.ndevs, 2);
	const struct imp_dev *n = dev(&im, "0000:01:00.0");
	assert_true(n->msix);
	assert_int_equal(n->sys.vendor, 0x144d);
	assert_int_equal(n->nvec, 3);
	assert_true(n->vec[2].index_inferred);
	assert_int_equal(n->vec[2].irq, 26);
	assert_false(dev(&im, "0000:02:00.0")->msix);	  /* msi_irqs/27 says "msi" */
	assert_int_equal(im.model, IMP_MODEL_PER_DEVICE); /* msikit's ppc64 has no global model */
	assert_int_equal(im.ninferred_index, 4);
	imp_free(&im);
}

static void test_build_rejects(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
		{ "CPU0\n 5: 1 PCI-MSIX-0000:01:00.0 1-edge a\n 6: 1 PCI-MSIX-0000:01:00.0 1-edge "
		  "b\n",
		  "mem:3: irq 6: 0000:01:00.0 vector 1 is irq 5 already (line 2)" },
		{ "CPU0\n 5: 1 PCI-MSI-0000:01:00.0 40-edge a\n",
		  "mem:2: irq 5: 0000:01:00.0 vector 40: MSI has at most 32 vectors" },
		{ "CPU0\n 5: 1 PCI-MSIX-0000:01:20.0 0-edge a\n",
		  "mem:2: irq 5: chip PCI-MSIX-0000:01:20.0: a PCI address like 0000:01:00.0" },
		{ "CPU0\n 5: 1 IO-APIC 5-edge a\n",
		  "mem:2: no PCI MSI/MSI-X interrupts in the file" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct imp im;
		memset(&im, 0, sizeof(im));
		assert_int_equal(parse(&im.proc, bad[i][0]), 0);
		capture_stderr();
		int rc = imp_build(&im);
		const char *msg = captured_text();
		assert_int_equal(rc, -1);
		if (!strstr(msg, bad[i][1]))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, msg, bad[i][1]);
		imp_free(&im);
	}
}

static void test_scale(void **state)
{
	(void)state;
	struct imp im;
	build_from(&im, server);
	const struct imp_vector *tx = &dev(&im, "0000:23:00.0")->vec[1];
	assert_int_equal(imp_choose_scale(&im, 1), 1);
	assert_int_equal(tx->count[2], 16441);
	assert_int_equal(im.replay_total, im.real_total);
	/* rounded to the nearest: 16441 -> 1644, 5 -> 1 (half up), 2 -> 0 */
	assert_int_equal(imp_choose_scale(&im, 10), 10);
	assert_int_equal(tx->count[2], 1644);
	assert_int_equal(tx->count[3], 1);
	assert_int_equal(dev(&im, "0000:23:00.0")->vec[0].count[1], 0);
	assert_false(im.scale_auto);
	/* automatic: exact while cheap */
	assert_int_equal(imp_choose_scale(&im, 0), 1);
	assert_false(im.scale_auto);
	assert_true(imp_cost(&im, 1) > imp_cost(&im, 10));
	imp_free(&im);
	/* and a power of ten when not */
	build_from(&im, "            CPU0       CPU1\n"
			" 5: 4000000000 0 PCI-MSIX-0000:01:00.0 0-edge big\n");
	uint64_t s = imp_choose_scale(&im, 0);
	assert_true(im.scale_auto);
	assert_true(s >= 10 && imp_cost(&im, s) <= 100000000ull &&
		    imp_cost(&im, s / 10) > 100000000ull);
	imp_free(&im);
}

/* --- the scenario --------------------------------------------------------------------------------- */

static void test_write(void **state)
{
	(void)state;
	struct imp im;
	build_from(&im, server);
	imp_choose_scale(&im, 10);
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	struct imp_sources src = { .proc = "server.txt" };
	assert_int_equal(imp_write(o, &im, &src, true), 0);
	fclose(o);
	static const char *const want[] = {
		"--   /proc/interrupts  server.txt\n",
		"local CPUS = 8\n",
		"x86 = { ir = true }, msi = \"global\"",
		"local OFFLINE = \"4-7\" -- not online on the real machine\n",
		"{ bdf = \"0000:2b:00.0\", msix = 9, nvec = 9, affinity = { pre = 1, post = 0 }",
		("[1] = { \"nvme0q1\", managed = true, aff = \"0\", eff = 0, inferred = true, "
		 "counts = { [0] = 13 } },"),
		"[1] = { \"\", aff = \"2\", eff = 2, inferred = true },", /* 1 / 10 rounds to 0 */
		"Counts: divided by 10 (--scale)",
		"local RAISE = true",
		"d:raise(index, RAISE and v.counts[cpu] or 1, { every = 1 })",
		"  { \"0000:23:00.0\", 1, 2, 1644, 16441 },\n",
		"msikit.expect(ledger.lost == 0",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("the scenario lacks: %s", want[i]);
	free(text);
	imp_free(&im);
	/* names are Lua strings: quotes, backslashes, control and non-ASCII bytes escaped */
	build_from(&im, "CPU0\n 5: 1 PCI-MSIX-0000:01:00.0 0-edge a\"b\\c\x01\xff\n");
	imp_choose_scale(&im, 1);
	o = open_memstream(&text, &len);
	assert_int_equal(imp_write(o, &im, &src, true), 0);
	fclose(o);
	assert_non_null(strstr(text, "[0] = { \"a\\\"b\\\\c\\001\\255\""));
	for (const char *c = text; *c; c++)
		assert_true((unsigned char)*c < 0x80); /* the scenario is ASCII */
	free(text);
	imp_free(&im);
	/* MSI-X indices with gaps: the first vectors, then each other one (alloc_at) */
	build_from(&im, "CPU0 CPU1\n 5: 1 0 PCI-MSIX-0000:01:00.0 0-edge a\n"
			" 6: 0 1 PCI-MSIX-0000:01:00.0 1-edge b\n"
			" 7: 0 1 PCI-MSIX-0000:01:00.0 2047-edge c\n");
	imp_choose_scale(&im, 1);
	o = open_memstream(&text, &len);
	assert_int_equal(imp_write(o, &im, &src, false), 0);
	fclose(o);
	assert_non_null(strstr(text, "msix = 2048, nvec = 2, last = 2047, sparse = true,"));
	assert_non_null(strstr(text, "local RAISE = false"));
	assert_non_null(strstr(text, "d:alloc_at(index)"));
	free(text);
	imp_free(&im);
}

/* --- files too large or too strange for a real machine -------------------------------------- */

/* Parse len bytes of text, stderr captured: the return code; the message in captured[]. */
static int parse_capture(struct imp_proc *p, const char *text, size_t len, imp_keep_fn keep)
{
	capture_stderr();
	int rc = parse_len(p, text, len, keep);
	captured_text();
	return rc;
}

static void message_has(const char *want)
{
	if (!strstr(captured, want))
		fail_msg("message \"%s\" does not contain \"%s\"", captured, want);
}

static bool keep_msix(void *ctx, const struct imp_row *r)
{
	(void)ctx;
	return strncmp(r->chip, "PCI-MSIX-", 9) == 0;
}

/* n rows, every 1000th a PCI-MSIX one; then, when dup, irq 1 again. */
static char *many_rows(unsigned int n, bool dup, size_t *len)
{
	char *text = NULL;
	FILE *o = open_memstream(&text, len);
	assert_non_null(o);
	fputs("  CPU0 CPU1\n", o);
	for (unsigned int i = 1; i <= n; i++)
		if (i % 1000 == 0)
			fprintf(o, "%u: 1 2 PCI-MSIX-0000:%02x:00.0 %u-edge q\n", i, i / 1000 % 256,
				i % 2048);
		else
			fprintf(o, "%u: 1 2 IO-APIC %u-edge d\n", i, i);
	if (dup)
		fputs("1: 0 0 IO-APIC 1-edge again\n", o);
	fclose(o);
	return text;
}

static void test_many_rows(void **state)
{
	(void)state;
	size_t len;
	char *text = many_rows(400000, false, &len);
	struct imp_proc p;
	assert_int_equal(parse_capture(&p, text, len, keep_msix), 0);
	assert_int_equal(p.lines, 400001);
	assert_int_equal(p.nrows, 400); /* only the rows kept hold memory */
	assert_int_equal(p.rows[399].irq, 400000);
	imp_proc_free(&p);
	free(text);
	text = many_rows(400000, true, &len);
	assert_int_equal(parse_capture(&p, text, len, NULL), -1);
	message_has("mem:400002: irq 1 listed twice (line 2)");
	assert_int_equal(p.nrows, 0);
	free(text);
}

static void test_absurd_cpu_columns(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len;
	FILE *o = open_memstream(&text, &len);
	for (unsigned int c = 0; c < 100000; c++)
		fprintf(o, " CPU%u", c);
	fputs("\n", o);
	fclose(o);
	struct imp_proc p;
	assert_int_equal(parse_capture(&p, text, len, NULL), -1);
	message_has("mem:1: more than 8192 CPU columns");
	free(text);
}

static void test_long_line(void **state)
{
	(void)state;
	size_t len = IMP_MAX_LINE + 100;
	char *text = malloc(len);
	assert_non_null(text);
	memcpy(text, "CPU0\n 5: ", 9);
	memset(text + 9, '7', len - 9);
	struct imp_proc p;
	assert_int_equal(parse_capture(&p, text, len, NULL), -1);
	message_has("mem:2: a line longer than 1048576 bytes");
	free(text);
}

static void test_too_many_counts(void **state)
{
	(void)state;
	static const char text[] = "CPU0 CPU1 CPU2\n"
				   "1: 0 0 0 PCI-MSIX-0000:01:00.0 0-edge a\n"
				   "2: 0 0 0 PCI-MSIX-0000:01:00.0 1-edge b\n"
				   "3: 0 0 0 PCI-MSIX-0000:01:00.0 2-edge c\n";
	unsigned long saved = imp_max_cells;
	imp_max_cells = 6;
	struct imp_proc p;
	int rc = parse_capture(&p, text, sizeof(text) - 1, NULL);
	imp_max_cells = saved;
	assert_int_equal(rc, -1);
	message_has("mem:4: more than 6 counts (3 rows of 3 CPUs): too large to import");
}

/* An endless stream (a pipe of rows that never ends) is refused once past the row cap. */
static void test_too_many_rows(void **state)
{
	(void)state;
	static const char text[] = "CPU0\n"
				   "0: 1 IO-APIC 2-edge timer\n"
				   "1: 1 IO-APIC 1-edge i8042\n"
				   "2: 1 IO-APIC 8-edge rtc0\n";
	unsigned long saved = imp_max_rows;
	imp_max_rows = 2;
	struct imp_proc p;
	int rc = parse_capture(&p, text, sizeof(text) - 1, NULL);
	imp_max_rows = saved;
	assert_int_equal(rc, -1);
	message_has("mem:4: more than 2 rows: not /proc/interrupts");
	imp_max_rows = 3;
	rc = parse_capture(&p, text, sizeof(text) - 1, NULL);
	imp_max_rows = saved;
	assert_int_equal(rc, 0);
	imp_proc_free(&p);
}

static void test_garbage_is_quoted(void **state)
{
	(void)state;
	static const char text[] = "\xff\xfe\x80garbage\x1b[2J\n";
	struct imp_proc p;
	assert_int_equal(parse_capture(&p, text, sizeof(text) - 1, NULL), -1);
	message_has("not \"\\xff\\xfe\\x80garbage\\x1b[2J\"");
	for (const char *c = captured; *c; c++)
		assert_true(*c == '\n' || (*c >= 0x20 && *c < 0x7f));
	static const char label[] = "CPU0\n1\xff\x01:\n";
	assert_int_equal(parse_capture(&p, label, sizeof(label) - 1, NULL), -1);
	message_has("mem:2: irq \"1\\xff\\x01\" is not a number");
	for (const char *c = captured; *c; c++)
		assert_true(*c == '\n' || (*c >= 0x20 && *c < 0x7f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_formats),
		cmocka_unit_test(test_proc_errors),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_build_global),
		cmocka_unit_test(test_build_sysfs_rank),
		cmocka_unit_test(test_build_rejects),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_absurd_cpu_columns),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_too_many_counts),
		cmocka_unit_test(test_too_many_rows),
		cmocka_unit_test(test_garbage_is_quoted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
