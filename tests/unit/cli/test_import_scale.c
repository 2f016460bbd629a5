/* SPDX-License-Identifier: MIT */
/*
 * msikit import on files too large or too strange for a real machine:
 * many rows (the duplicate check is a hash: this file runs under a CTest
 * TIMEOUT of 30 s that the old every-row-with-every-earlier-one check
 * needs minutes for), 100 000 CPU columns, a line past IMP_MAX_LINE, more
 * counts than IMP_MAX_CELLS, binary garbage quoted in the message.
 */
#include "msk_test.h"

#include <stdlib.h>
#include <unistd.h>

#include "import.h"

static char captured[4096];

/* Parse text (len bytes), expecting failure; the message goes to captured[]. */
static int parse_capture(struct imp_proc *p, const char *text, size_t len, imp_keep_fn keep)
{
	fflush(stderr);
	FILE *cap = tmpfile();
	assert_non_null(cap);
	int saved = dup(STDERR_FILENO);
	dup2(fileno(cap), STDERR_FILENO);
	FILE *f = fmemopen((void *)text, len, "r");
	assert_non_null(f);
	int rc = imp_proc_parse(p, "mem", f, keep, NULL);
	fclose(f);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(cap);
	size_t n = fread(captured, 1, sizeof(captured) - 1, cap);
	captured[n] = '\0';
	fclose(cap);
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
		cmocka_unit_test(test_many_rows),	  cmocka_unit_test(test_absurd_cpu_columns),
		cmocka_unit_test(test_long_line),	  cmocka_unit_test(test_too_many_counts),
		cmocka_unit_test(test_garbage_is_quoted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
