/* SPDX-License-Identifier: MIT */
/*
 * The JSON report parses back (cJSON_Parse) with every key of
 * docs/interfaces.md ("JSON report") present and of the right type; its values agree with the core; the
 * ledger check (unbalanced: -MSK_EIO, still written, result "fail"); the
 * verdict; exact 64-bit numbers; compact output; the caller's values.
 */
#include "report_test.h"

#include <cjson/cJSON.h>

static cJSON *take_json(struct msk_report_src *src, unsigned int flags, int *rc, char **text_out)
{
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(src, &snap));
	char *text = rt_render(snap, RT_JSON, flags, rc);
	msk_report_snapshot_free(snap);
	cJSON *j = cJSON_Parse(text);
	if (!j)
		fail_msg("JSON does not parse near: %.60s", cJSON_GetErrorPtr());
	if (text_out)
		*text_out = text;
	else
		free(text);
	return j;
}

static cJSON *key(const cJSON *obj, const char *name)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!v)
		fail_msg("key \"%s\" missing", name);
	return v;
}

static const char *str(const cJSON *obj, const char *name)
{
	cJSON *v = key(obj, name);
	if (!cJSON_IsString(v))
		fail_msg("\"%s\" is not a string", name);
	return v->valuestring;
}

static double num(const cJSON *obj, const char *name)
{
	cJSON *v = key(obj, name);
	if (!cJSON_IsNumber(v))
		fail_msg("\"%s\" is not a number", name);
	return v->valuedouble;
}

static const char *str_or_null(const cJSON *obj, const char *name)
{
	cJSON *v = key(obj, name);
	if (cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v))
		fail_msg("\"%s\" is neither string nor null", name);
	return v->valuestring;
}

static cJSON *array(const cJSON *obj, const char *name)
{
	cJSON *v = key(obj, name);
	if (!cJSON_IsArray(v))
		fail_msg("\"%s\" is not an array", name);
	return v;
}

static void all_of_type(const cJSON *arr, cJSON_bool (*is)(const cJSON *), const char *what)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		if (!is(e))
			fail_msg("an element of %s has the wrong type", what);
	}
}

static void check_domain(const cJSON *d)
{
	static const char *const kinds[] = { "root", "msi-parent", "msi-device", "remap", "other" };
	assert_true(cJSON_IsObject(d));
	str(d, "name");
	str_or_null(d, "parent");
	const char *kind = str(d, "kind");
	bool known = false;
	for (int i = 0; i < 5; i++)
		known |= strcmp(kind, kinds[i]) == 0;
	assert_true(known);
	str(d, "bus");
	assert_true(num(d, "hwsize") > 0);
	all_of_type(array(d, "flags"), cJSON_IsString, "flags");
}

static void check_irq(const cJSON *q, unsigned int cpus)
{
	assert_true(cJSON_IsObject(q));
	assert_true(num(q, "virq") >= 1);
	str_or_null(q, "device");
	str(q, "bus");
	cJSON *index = key(q, "index");
	assert_true(cJSON_IsNumber(index) || cJSON_IsNull(index));
	str(q, "chip");
	cJSON *levels = array(q, "levels");
	assert_true(cJSON_GetArraySize(levels) >= 1);
	const cJSON *l;
	cJSON_ArrayForEach(l, levels)
	{
		str(l, "domain");
		num(l, "hwirq");
	}
	all_of_type(array(q, "affinity"), cJSON_IsNumber, "affinity");
	cJSON *eff = key(q, "effective_cpu");
	assert_true(cJSON_IsNumber(eff) || cJSON_IsNull(eff));
	assert_true(cJSON_IsBool(key(q, "managed")));
	cJSON *counts = array(q, "counts");
	assert_int_equal(cJSON_GetArraySize(counts), cpus);
	all_of_type(counts, cJSON_IsNumber, "counts");
}

static void test_every_key_with_its_type(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_src src = rt_src(r);
	int rc;
	cJSON *j = take_json(&src, 0, &rc, NULL);
	assert_msk_ok(rc);
	assert_true(cJSON_IsObject(j));
	assert_string_equal(str(j, "msikit"), msk_version());
	assert_string_equal(str(j, "scenario"), "tests/unit/report/golden.lua");
	assert_true(num(j, "seed") == 42);
	cJSON *m = key(j, "machine");
	assert_string_equal(str(m, "arch"), "x86");
	assert_true(num(m, "cpus") == 4);
	assert_string_equal(str(m, "msi"), "per-device");
	assert_true(cJSON_IsFalse(key(m, "ir")));

	cJSON *domains = array(j, "domains");
	assert_int_equal(cJSON_GetArraySize(domains), 5);
	const cJSON *d;
	cJSON_ArrayForEach(d, domains) check_domain(d);

	cJSON *irqs = array(j, "irqs");
	assert_int_equal(cJSON_GetArraySize(irqs), 12);
	const cJSON *q;
	cJSON_ArrayForEach(q, irqs) check_irq(q, 4);

	cJSON *l = key(j, "ledger");
	double raised = num(l, "raised"), delivered = num(l, "delivered"), lost = num(l, "lost");
	assert_true(num(l, "pending") == raised - delivered - lost);
	cJSON *by = key(l, "lost_by_reason");
	assert_true(cJSON_IsObject(by));
	assert_true(num(by, "no-handler") == 2);
	assert_true(num(by, "unhandled") == 1);

	cJSON *v = array(j, "violations");
	assert_int_equal(cJSON_GetArraySize(v), 1);
	cJSON *v0 = cJSON_GetArrayItem(v, 0);
	assert_string_equal(str(v0, "rule"), "resources-returned");
	assert_string_equal(str(v0, "device"), "0000:03:00.0");
	assert_string_equal(str(v0, "domain"), "TEST-IMS-0000:03:00.0");
	str(v0, "detail");
	assert_true(num(key(j, "resources"), "tables") == 4);
	all_of_type(array(j, "errors"), cJSON_IsString, "errors");
	assert_int_equal(cJSON_GetArraySize(key(j, "errors")), 1);
	/* A contract violation fails the run. */
	assert_string_equal(str(j, "result"), "fail");
	cJSON_Delete(j);
}

/* Values against the core: per-virq device, index, bus, chip, levels, counts, affinity. */
static void test_values_agree_with_the_core(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_src src = rt_src(r);
	int rc;
	cJSON *j = take_json(&src, 0, &rc, NULL);
	const cJSON *q;
	cJSON_ArrayForEach(q, key(j, "irqs"))
	{
		unsigned int virq = (unsigned int)num(q, "virq");
		struct msk_irq_data *top = msk_irq_get_irq_data(r->tp.core, virq);
		assert_non_null(top);
		assert_string_equal(str(q, "chip"), top->chip->name);
		assert_string_equal(str(q, "bus"),
				    msk_bus_token_name(msk_domain_bus_token(top->domain)));
		const struct msk_msi_desc *md = msk_desc_msi_desc(top->desc);
		assert_string_equal(str(q, "device"), msk_device_name(md->dev));
		assert_true(num(q, "index") == md->msi_index + (virq - md->irq));
		cJSON *levels = key(q, "levels");
		const struct msk_irq_data *l = top;
		const cJSON *jl;
		cJSON_ArrayForEach(jl, levels)
		{
			assert_non_null(l);
			assert_string_equal(str(jl, "domain"), msk_domain_name(l->domain));
			assert_true(num(jl, "hwirq") == (double)l->hwirq);
			l = l->parent_data;
		}
		assert_null(l);
		for (unsigned int c = 0; c < 4; c++)
			assert_true(cJSON_GetArrayItem(key(q, "counts"), (int)c)->valuedouble ==
				    (double)msk_irq_count(r->tp.core, virq, c));
		struct msk_cpumask eff = msk_irq_get_effective_affinity(r->tp.core, virq);
		assert_true(num(q, "effective_cpu") == msk_cpumask_first(&eff));
		struct msk_cpumask aff = msk_irq_get_affinity(r->tp.core, virq);
		assert_int_equal(cJSON_GetArraySize(key(q, "affinity")), msk_cpumask_weight(&aff));
	}
	/* The multi-MSI block: indices 0..3 of one descriptor, consecutive virqs. */
	unsigned int base = msk_msi_get_virq(r->dev[2], 0, 0);
	for (unsigned int i = 0; i < 4; i++) {
		const cJSON *row = NULL;
		cJSON_ArrayForEach(q, key(j, "irqs")) if (num(q, "virq") == base + i) row = q;
		assert_non_null(row);
		assert_true(num(row, "index") == i);
		assert_string_equal(str(row, "bus"), "PCI_DEVICE_MSI");
	}
	cJSON_Delete(j);
}

static void test_unbalanced_ledger_is_an_internal_error(void **state)
{
	struct rt_scenario *r = *state;
	msk_ledger_raise(r->ledger, 3); /* an event nobody accounts for */
	struct msk_report_src src = rt_src(r);
	int rc;
	cJSON *j = take_json(&src, 0, &rc, NULL);
	assert_int_equal(rc, -MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "ledger does not balance"));
	assert_string_equal(str(j, "result"), "fail");
	cJSON *l = key(j, "ledger");
	assert_true(cJSON_IsFalse(key(l, "balanced")));
	assert_true(num(l, "pending") == 4); /* 1 held + 3 unaccounted */
	cJSON *errors = key(j, "errors");
	assert_int_equal(cJSON_GetArraySize(errors), 2);
	assert_non_null(strstr(cJSON_GetArrayItem(errors, 1)->valuestring,
			       "raised 25 != delivered 18 + held 1 + lost 3"));
	cJSON_Delete(j);
	/* The summary says so too, and fails the same way. */
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	char *sum = rt_render(snap, RT_SUMMARY, 0, &rc);
	assert_int_equal(rc, -MSK_EIO);
	assert_non_null(strstr(sum, "ledger does not balance"));
	assert_non_null(strstr(sum, "\nFAIL\n"));
	free(sum);
	msk_report_snapshot_free(snap);
	/* Events a hardware model holds (held_extra) balance it again. */
	src.held_extra = 3;
	j = take_json(&src, 0, &rc, NULL);
	assert_msk_ok(rc);
	assert_true(cJSON_IsTrue(key(key(j, "ledger"), "balanced")));
	assert_true(num(key(j, "ledger"), "held") == 4);
	cJSON_Delete(j);
}

static enum msk_irqreturn handled(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

/* A clean run passes; the caller's verdict fails it; no ledger prints null. */
static void test_verdict(void **state)
{
	struct tp t;
	struct msk_ledger *ledger;
	assert_msk_ok(msk_ledger_create(&ledger));
	assert_msk_ok(tp_create(&t, 2, 64, RT_SUPPORTED, ledger));
	struct msk_device *dev;
	assert_msk_ok(msk_device_create(t.core, "0000:05:00.0", t.domain, NULL, &dev));
	struct msk_msi_domain_template msix;
	tp_template(&msix, "PCI-MSIX", MSK_DOMAIN_BUS_PCI_DEVICE_MSIX, RT_MSIX_FLAGS);
	assert_msk_ok(msk_msi_create_device_domain(dev, 0, &msix, 4, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(dev, 0, 0, 0));
	unsigned int virq = msk_msi_get_virq(dev, 0, 0);
	assert_msk_ok(msk_request_irq(t.core, virq, handled, "q", NULL));
	msk_ledger_raise(ledger, 1);
	msk_handle_irq(t.core, 1, virq, 1);

	struct msk_report_src src = { .core = t.core }; /* the core's ledger */
	int rc;
	cJSON *j = take_json(&src, 0, &rc, NULL);
	assert_msk_ok(rc);
	assert_string_equal(str(j, "result"), "pass");
	assert_null(str_or_null(j, "scenario"));
	assert_null(str_or_null(key(j, "machine"), "arch"));
	assert_true(num(key(j, "ledger"), "delivered") == 1);
	assert_int_equal(cJSON_GetArraySize(key(j, "errors")), 0);
	cJSON_Delete(j);

	/* Errors of failed calls alone do not fail a run; the caller's verdict does. */
	const char *errs[] = { "EBUSY: expected" };
	src.errors = errs;
	src.nr_errors = 1;
	j = take_json(&src, 0, &rc, NULL);
	assert_string_equal(str(j, "result"), "pass");
	cJSON_Delete(j);
	src.failed = true;
	j = take_json(&src, 0, &rc, NULL);
	assert_string_equal(str(j, "result"), "fail");
	cJSON_Delete(j);

	assert_msk_ok(msk_free_irq(t.core, virq));
	assert_msk_ok(msk_device_destroy(dev));
	tp_destroy(&t);
	msk_ledger_destroy(ledger);

	/* A core without a ledger: "ledger": null, nothing to balance. */
	struct msk_core *bare;
	struct msk_core_config cfg = { .nr_cpus = 1 };
	assert_msk_ok(msk_core_create(&cfg, &bare));
	struct msk_report_src none = { .core = bare };
	j = take_json(&none, 0, &rc, NULL);
	assert_msk_ok(rc);
	assert_true(cJSON_IsNull(key(j, "ledger")));
	assert_int_equal(cJSON_GetArraySize(key(j, "domains")), 0);
	assert_int_equal(cJSON_GetArraySize(key(j, "irqs")), 0);
	assert_string_equal(str(j, "result"), "pass");
	cJSON_Delete(j);
	msk_core_destroy(bare);
}

/* 64-bit values are exact; the caller's values keep their types. */
static void test_exact_numbers_and_caller_values(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_src src = rt_src(r);
	src.seed = UINT64_MAX;
	const struct msk_report_kv res[] = {
		{ .key = "negative", .type = MSK_REPORT_VALUE_INT, .num = INT64_MIN },
		{ .key = "on", .type = MSK_REPORT_VALUE_BOOL, .flag = true },
		{ .key = "none", .type = MSK_REPORT_VALUE_STR, .str = NULL },
		{ .key = "quote\"d", .type = MSK_REPORT_VALUE_STR, .str = "a\\b\n" },
	};
	src.resources = res;
	src.nr_resources = 4;
	int rc;
	char *text;
	cJSON *j = take_json(&src, 0, &rc, &text);
	assert_non_null(strstr(text, "\"seed\":\t18446744073709551615,"));
	assert_non_null(strstr(text, "\"negative\":\t-9223372036854775808"));
	cJSON *rs = key(j, "resources");
	assert_true(cJSON_IsTrue(key(rs, "on")));
	assert_true(cJSON_IsNull(key(rs, "none")));
	assert_string_equal(str(rs, "quote\"d"), "a\\b\n");
	free(text);
	cJSON_Delete(j);
}

/* Names of any bytes still give a document every JSON parser reads: invalid UTF-8 is U+FFFD. */
static void test_invalid_utf8_replaced(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_src src = rt_src(r);
	src.scenario = "bad\xff.lua";
	const struct msk_report_kv res[] = {
		{ .key = "name",
		  .type = MSK_REPORT_VALUE_STR,
		  .str = "eth\xc0\xaf"
			 "0" },
	};
	src.resources = res;
	src.nr_resources = 1;
	int rc;
	char *text;
	cJSON *j = take_json(&src, 0, &rc, &text);
	assert_null(strchr(text, '\xff'));
	assert_null(strchr(text, '\xc0'));
	assert_string_equal(str(j, "scenario"), "bad\xef\xbf\xbd.lua");
	assert_string_equal(str(key(j, "resources"), "name"), "eth\xef\xbf\xbd\xef\xbf\xbd"
							      "0");
	free(text);
	cJSON_Delete(j);
}

static void test_compact_is_the_same_document(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_src src = rt_src(r);
	int rc;
	char *text;
	cJSON *pretty = take_json(&src, 0, &rc, NULL);
	cJSON *compact = take_json(&src, MSK_REPORT_JSON_COMPACT, &rc, &text);
	assert_msk_ok(rc);
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1); /* one line */
	assert_true(cJSON_Compare(pretty, compact, 1));
	free(text);
	cJSON_Delete(pretty);
	cJSON_Delete(compact);
}

/* A virq outside any MSI domain: no MSI index; the device is the allocator's name. */
static const struct msk_irq_chip plain_chip = { .name = "PLAIN" };
static int plain_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	return msk_domain_set_hwirq_and_chip(d, virq, 7, &plain_chip, NULL);
}
static void plain_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq));
}
static const struct msk_irq_domain_ops plain_ops = { .alloc = plain_alloc, .free = plain_free };

static void test_non_msi_virq(void **state)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = 2 };
	assert_msk_ok(msk_core_create(&cfg, &core));
	struct msk_irq_domain *d;
	struct msk_irq_domain_info info = { .name = "PLAIN",
					    .ops = &plain_ops,
					    .hwirq_max = 16,
					    .bus_token = MSK_DOMAIN_BUS_WIRED };
	assert_msk_ok(msk_domain_create(core, &info, &d));
	unsigned int a, b;
	assert_msk_ok(msk_domain_alloc_irqs(d, 1, NULL, NULL, &a));
	struct msk_irq_domain_info info2 = { .name = "PLAIN2", .ops = &plain_ops, .hwirq_max = 16 };
	struct msk_irq_domain *d2;
	assert_msk_ok(msk_domain_create(core, &info2, &d2));
	assert_msk_ok(msk_domain_alloc_irqs(d2, 1, NULL, NULL, &b));
	assert_msk_ok(msk_desc_set_dev_name(msk_irq_to_desc(core, b), "serial0"));
	struct msk_report_src src = { .core = core };
	int rc;
	cJSON *j = take_json(&src, 0, &rc, NULL);
	cJSON *q0 = cJSON_GetArrayItem(key(j, "irqs"), 0),
	      *q1 = cJSON_GetArrayItem(key(j, "irqs"), 1);
	assert_null(str_or_null(q0, "device"));
	assert_true(cJSON_IsNull(key(q0, "index")));
	assert_string_equal(str(q0, "bus"), "WIRED");
	assert_string_equal(str(q0, "chip"), "PLAIN");
	assert_string_equal(str(q1, "device"), "serial0");
	assert_true(cJSON_IsNull(key(q1, "index")));
	assert_string_equal(str(cJSON_GetArrayItem(key(j, "domains"), 0), "kind"), "root");
	assert_true(num(cJSON_GetArrayItem(key(j, "domains"), 0), "hwsize") == 16);
	cJSON_Delete(j);
	msk_core_destroy(core);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_key_with_its_type, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_values_agree_with_the_core, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_unbalanced_ledger_is_an_internal_error,
						rt_setup, rt_teardown),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test_setup_teardown(test_exact_numbers_and_caller_values, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_compact_is_the_same_document, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8_replaced, rt_setup, rt_teardown),
		cmocka_unit_test(test_non_msi_virq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
