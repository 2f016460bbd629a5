/* SPDX-License-Identifier: MIT */
/*
 * Snapshots and sinks: bad input (refused, nothing returned), every heap
 * allocation failing in turn (-MSK_ENOMEM, nothing leaked), a snapshot
 * outliving its core, the FILE and memory sinks, a sink that fails (the
 * writer stops and returns its error), names, and snapshots taken while
 * other threads deliver interrupts (TSan-clean, counts never go back).
 */
#include "report_test.h"

#include <pthread.h>

static void test_bad_input(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_snapshot *snap = (void *)0x1;
	assert_msk_error(msk_report_snapshot_take(NULL, &snap), MSK_EINVAL);
	struct msk_report_src src = { .core = NULL };
	assert_msk_error(msk_report_snapshot_take(&src, &snap), MSK_EINVAL);
	src = rt_src(r);
	assert_msk_error(msk_report_snapshot_take(&src, NULL), MSK_EINVAL);
	struct msk_report_kv nokey = { .key = NULL, .type = MSK_REPORT_VALUE_INT };
	src.resources = &nokey;
	src.nr_resources = 1;
	assert_msk_error(msk_report_snapshot_take(&src, &snap), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "resource 0: no key"));
	struct msk_report_kv badtype = { .key = "x", .type = (enum msk_report_value_type)7 };
	src = rt_src(r);
	src.switches = &badtype;
	src.nr_switches = 1;
	assert_msk_error(msk_report_snapshot_take(&src, &snap), MSK_EINVAL);
	const struct msk_report_kv twice[] = {
		{ .key = "lpis", .type = MSK_REPORT_VALUE_INT, .num = 1 },
		{ .key = "lpis", .type = MSK_REPORT_VALUE_INT, .num = 2 },
	};
	src = rt_src(r);
	src.resources = twice;
	src.nr_resources = 2;
	assert_msk_error(msk_report_snapshot_take(&src, &snap), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "\"lpis\" given twice"));
	const struct msk_report_kv reserved = { .key = "cpus", .type = MSK_REPORT_VALUE_INT };
	src = rt_src(r);
	src.switches = &reserved;
	src.nr_switches = 1;
	assert_msk_error(msk_report_snapshot_take(&src, &snap), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "reserved"));
	src = rt_src(r);
	src.resources = NULL;
	assert_msk_error(msk_report_snapshot_take(&src, &snap), MSK_EINVAL);
	src = rt_src(r);
	const char *errs[] = { "fine", NULL };
	src.errors = errs;
	src.nr_errors = 2;
	assert_msk_error(msk_report_snapshot_take(&src, &snap), MSK_EINVAL);
	src = rt_src(r);
	src.errors = NULL;
	assert_msk_error(msk_report_snapshot_take(&src, &snap), MSK_EINVAL);
	assert_ptr_equal(snap, (void *)0x1); /* untouched */

	/* Writers refuse a missing snapshot or sink. */
	struct msk_report_buf buf = { 0 };
	struct msk_report_sink out = msk_report_sink_buf(&buf);
	struct msk_report_sink broken = { .write = NULL };
	src = rt_src(r);
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	assert_msk_error(msk_report_write_interrupts(NULL, 0, &out), MSK_EINVAL);
	assert_msk_error(msk_report_write_tree(snap, NULL), MSK_EINVAL);
	assert_msk_error(msk_report_write_json(snap, 0, &broken), MSK_EINVAL);
	assert_msk_error(msk_report_write_dot(NULL, NULL, &out), MSK_EINVAL);
	assert_msk_error(msk_report_write_summary(snap, NULL), MSK_EINVAL);
	assert_null(buf.data);
	msk_report_snapshot_free(snap);
	msk_report_snapshot_free(NULL);
	msk_report_buf_free(NULL);
}

static void test_every_allocation_failure(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_src src = rt_src(r);
	struct msk_report_snapshot *snap;
	msk_fault_reset();
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	unsigned long n = msk_fault_alloc_count();
	assert_true(n >= 4);
	int rc;
	char *want = rt_render(snap, RT_TREE, 0, &rc);
	msk_report_snapshot_free(snap);
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		struct msk_report_snapshot *s = (void *)0x1;
		assert_msk_error(msk_report_snapshot_take(&src, &s), MSK_ENOMEM);
		assert_ptr_equal(s, (void *)0x1);
		assert_int_equal(msk_fault_injected_count(), 1);
	}
	msk_fault_reset();
	/* Afterwards it works and shows the same. */
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	char *again = rt_render(snap, RT_TREE, 0, &rc);
	assert_string_equal(want, again);
	free(want);
	free(again);

	/* A memory sink that cannot grow: the writer returns -MSK_ENOMEM, the buffer keeps its text. */
	struct msk_report_buf buf = { 0 };
	struct msk_report_sink out = msk_report_sink_buf(&buf);
	assert_msk_ok(msk_report_write_interrupts(snap, 0, &out));
	size_t len = buf.len;
	char *copy = strdup(buf.data);
	msk_fault_fail_alloc_from(1);
	assert_msk_error(msk_report_write_tree(snap, &out), MSK_ENOMEM);
	msk_fault_reset();
	assert_true(buf.len >= len);
	assert_memory_equal(buf.data, copy, len);
	assert_int_equal(buf.data[buf.len], '\0');
	free(copy);
	msk_report_buf_free(&buf);
	/* The DOT writer's own allocation. */
	FILE *f = tmpfile();
	assert_non_null(f);
	struct msk_report_sink file = msk_report_sink_file(f);
	msk_fault_fail_alloc(1);
	assert_msk_error(msk_report_write_dot(snap, NULL, &file), MSK_ENOMEM);
	msk_fault_reset();
	assert_int_equal(ftell(f), 0);
	fclose(f);
	msk_report_snapshot_free(snap);
}

/* The snapshot owns its memory: every view still renders after the core is gone. */
static void test_snapshot_outlives_the_core(void **state)
{
	struct rt_scenario r;
	rt_build(&r);
	struct msk_report_src src = rt_src(&r);
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	int rc;
	char *before[RT_SUMMARY + 1];
	for (int v = RT_TABLE; v <= RT_SUMMARY; v++)
		before[v] = rt_render(snap, (enum rt_view)v, 0, &rc);
	rt_destroy(&r);
	for (int v = RT_TABLE; v <= RT_SUMMARY; v++) {
		char *after = rt_render(snap, (enum rt_view)v, 0, &rc);
		assert_string_equal(before[v], after);
		free(after);
		free(before[v]);
	}
	assert_int_equal(snap->nr_irqs, 12);
	assert_string_equal(snap->irqs[0].levels[0].domain, "TEST-PCI-MSIX-0000:01:00.0");
	msk_report_snapshot_free(snap);
}

static void test_file_sink_writes_what_the_buffer_gets(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_src src = rt_src(r);
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	FILE *f = tmpfile();
	assert_non_null(f);
	struct msk_report_sink out = msk_report_sink_file(f);
	assert_msk_ok(msk_report_write_json(snap, 0, &out));
	long size = ftell(f);
	rewind(f);
	char *got = calloc(1, (size_t)size + 1);
	assert_int_equal(fread(got, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	int rc;
	char *want = rt_render(snap, RT_JSON, 0, &rc);
	assert_string_equal(got, want);
	free(got);
	free(want);
	msk_report_snapshot_free(snap);
}

/* A sink failing at its nth write. */
struct failing {
	unsigned int calls, fail_at;
};

static int failing_write(void *ctx, const char *data, size_t len)
{
	struct failing *f = ctx;
	if (++f->calls >= f->fail_at)
		return -MSK_ENOSPC;
	return 0;
}

static void test_a_failing_sink_stops_the_writer(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_src src = rt_src(r);
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	for (int v = RT_TABLE; v <= RT_SUMMARY; v++) {
		struct failing f = { .fail_at = 3 };
		struct msk_report_sink out = { .write = failing_write, .ctx = &f };
		int rc = 0;
		switch ((enum rt_view)v) {
		case RT_TABLE:
			rc = msk_report_write_interrupts(snap, 0, &out);
			break;
		case RT_TREE:
			rc = msk_report_write_tree(snap, &out);
			break;
		case RT_JSON:
			f.fail_at = 1;
			rc = msk_report_write_json(snap, 0, &out);
			break;
		case RT_DOT:
			rc = msk_report_write_dot(snap, NULL, &out);
			break;
		case RT_SUMMARY:
			rc = msk_report_write_summary(snap, &out);
			break;
		}
		assert_int_equal(rc, -MSK_ENOSPC);
		assert_int_equal(f.calls, f.fail_at); /* nothing after the failure */
	}
	msk_report_snapshot_free(snap);
}

static void test_names(void **state)
{
	assert_string_equal(msk_report_kind_name(MSK_REPORT_KIND_MSI_DEVICE), "msi-device");
	assert_string_equal(msk_report_kind_name(MSK_REPORT_KIND_REMAP), "remap");
	assert_string_equal(msk_report_kind_name(MSK_REPORT_KIND_MSI_PARENT), "msi-parent");
	assert_string_equal(msk_report_kind_name(MSK_REPORT_KIND_ROOT), "root");
	assert_string_equal(msk_report_kind_name(MSK_REPORT_KIND_OTHER), "other");
	assert_string_equal(msk_report_kind_name((enum msk_report_kind)99), "?");
	char buf[64];
	assert_string_equal(msk_report_domain_flags_format(MSK_DOMAIN_FLAG_MSI |
								   MSK_DOMAIN_FLAG_MSI_IMMUTABLE |
								   (1u << 31),
							   buf, sizeof(buf)),
			    "MSI|MSI_IMMUTABLE|0x80000000");
	assert_string_equal(msk_report_domain_flags_format(0, buf, sizeof(buf)), "");
	/* Truncated at a name boundary. */
	assert_string_equal(msk_report_domain_flags_format(
				    MSK_DOMAIN_FLAG_MSI | MSK_DOMAIN_FLAG_MSI_PARENT, buf, 8),
			    "MSI");
	buf[0] = 'z';
	assert_ptr_equal(msk_report_domain_flags_format(1, buf, 0), buf);
	assert_int_equal(buf[0], 'z');
}

/* --- snapshots while interrupts are delivered ---------------------------------------------- */

struct sender {
	struct rt_scenario *r;
	unsigned int cpu, virq;
	atomic_bool *stop;
};

static void *send_loop(void *arg)
{
	struct sender *s = arg;
	for (unsigned int i = 0; i < 20000 && !atomic_load(s->stop); i++) {
		msk_ledger_raise(s->r->ledger, 1);
		msk_handle_irq(s->r->tp.core, s->cpu, s->virq, 1);
	}
	return NULL;
}

static void test_snapshots_during_delivery(void **state)
{
	struct rt_scenario *r = *state;
	atomic_bool stop = false;
	struct sender s[2] = {
		{ r, 0, msk_msi_get_virq(r->dev[0], 0, 0), &stop },
		{ r, 1, msk_msi_get_virq(r->dev[1], 0, 0), &stop },
	};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, send_loop, &s[i]), 0);
	uint64_t last[2] = { 0, 0 };
	for (int round = 0; round < 20; round++) {
		struct msk_report_src src = { .core = r->tp.core, .ledger = r->ledger };
		struct msk_report_snapshot *snap;
		assert_msk_ok(msk_report_snapshot_take(&src, &snap));
		assert_int_equal(snap->nr_irqs, 12);
		uint64_t now[2] = { snap->irqs[0].counts[0], snap->irqs[4].counts[1] };
		assert_int_equal(snap->irqs[0].virq, s[0].virq);
		assert_int_equal(snap->irqs[4].virq, s[1].virq);
		for (int i = 0; i < 2; i++) {
			assert_true(now[i] >= last[i]);
			last[i] = now[i];
		}
		int rc;
		free(rt_render(snap, RT_TABLE, 0, &rc));
		assert_msk_ok(rc);
		msk_report_snapshot_free(snap);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/* Quiet again: the ledger balances exactly. */
	struct msk_report_src src = rt_src(r);
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	assert_true(snap->ledger.balanced);
	assert_true(snap->irqs[0].counts[0] >= last[0]);
	msk_report_snapshot_free(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_input, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(test_every_allocation_failure, rt_setup,
						rt_teardown),
		cmocka_unit_test(test_snapshot_outlives_the_core),
		cmocka_unit_test_setup_teardown(test_file_sink_writes_what_the_buffer_gets,
						rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(test_a_failing_sink_stops_the_writer, rt_setup,
						rt_teardown),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_snapshots_during_delivery, rt_setup,
						rt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
