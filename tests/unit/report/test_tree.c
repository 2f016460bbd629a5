/* SPDX-License-Identifier: MIT */
/*
 * The domain tree: a three-level hierarchy (tests/support/test_hier) shows
 * each domain with its whole parent chain indented by 4 per level, and a
 * virq's levels from the outermost in; the kinds root / other / remap;
 * multi-line debug text indented line by line; a nameless chip.
 */
#include "report_test.h"
#include "test_hier.h"

static char *tree_of(struct msk_core *core)
{
	struct msk_report_src src = { .core = core };
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	int rc;
	char *text = rt_render(snap, RT_TREE, 0, &rc);
	assert_msk_ok(rc);
	msk_report_snapshot_free(snap);
	return text;
}

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("missing:\n%s\nin:\n%s", part, text);
}

static void test_three_levels(void **state)
{
	struct th t;
	assert_msk_ok(th_create(&t, 2, NULL));
	unsigned int virq;
	assert_msk_ok(th_alloc(&t, 1, 5, &virq));
	assert_msk_ok(msk_request_irq(t.core, virq, rt_handled, "dev5", NULL));
	char *text = tree_of(t.core);
	assert_contains(text, "domains/TEST-DEV:\n"
			      "name:   TEST-DEV\n"
			      " size:   2048\n"
			      " mapped: 1\n"
			      " flags:  0x00000004\n"
			      "            MSI_DEVICE\n"
			      " kind:   msi-device\n"
			      " bus:    PCI_DEVICE_MSIX\n"
			      " parent: TEST-MID\n"
			      "    name:   TEST-MID\n"
			      "     size:   8192\n"
			      "     mapped: 1\n"
			      "     flags:  0x00000000\n"
			      "     kind:   other\n"
			      "     bus:    ANY\n"
			      "     parent: TEST-ROOT\n"
			      "        name:   TEST-ROOT\n"
			      "         size:   4096\n"
			      "         mapped: 1\n"
			      "         flags:  0x00000000\n"
			      "         kind:   root\n"
			      "         bus:    ANY\n"
			      "\n");
	struct msk_irq_data *root = msk_irq_get_irq_data(t.core, virq)->parent_data->parent_data;
	char want[1024];
	snprintf(want, sizeof(want),
		 "irqs/%u:\n"
		 "handler:  handle_edge_irq\n"
		 "action:   dev5\n"
		 "device:   -\n"
		 "state:    activated started\n"
		 "ddepth:   0\n"
		 "affinity: 0-1\n"
		 "effectiv: 0\n"
		 "pending:  0\n"
		 "handled:  0\n"
		 "spurious: 0\n"
		 "replayed: 0\n"
		 "domain:  TEST-DEV\n"
		 " hwirq:   0x5\n"
		 " chip:    TEST-DEV\n"
		 " parent:\n"
		 "    domain:  TEST-MID\n"
		 "     hwirq:   0x%llx\n"
		 "     chip:    TEST-MID\n"
		 "     parent:\n"
		 "        domain:  TEST-ROOT\n"
		 "         hwirq:   0x%llx\n"
		 "         chip:    TEST-ROOT\n",
		 virq, 0x1000ull + root->hwirq, (unsigned long long)root->hwirq);
	assert_contains(text, want);
	/* Domains first (parents before children), then virqs; blocks apart by one blank line. */
	assert_true(strstr(text, "domains/TEST-ROOT:") < strstr(text, "domains/TEST-MID:"));
	assert_true(strstr(text, "domains/TEST-MID:") < strstr(text, "domains/TEST-DEV:"));
	assert_true(strstr(text, "domains/TEST-DEV:") < strstr(text, "irqs/"));
	assert_null(strstr(text, "\n\n\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	assert_msk_ok(msk_free_irq(t.core, virq));
	th_destroy(&t);
}

/* A remapping domain with multi-line debug text, and a nameless chip. */
static const struct msk_irq_chip nameless = { .name = NULL };

static int ir_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	return msk_domain_set_hwirq_and_chip(d, virq, 3, &nameless, NULL);
}

static void ir_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq));
}

static void ir_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf, size_t size)
{
	if (irqd)
		snprintf(buf, size, "irte: %llu\nmode: remapped\n",
			 (unsigned long long)irqd->hwirq);
	else
		snprintf(buf, size, "table: 256 entries\n\nqueue: on");
}

static const struct msk_irq_domain_ops ir_ops = { .alloc = ir_alloc,
						  .free = ir_free,
						  .debug_show = ir_show };

static void test_remap_and_debug_text(void **state)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = 1 };
	assert_msk_ok(msk_core_create(&cfg, &core));
	struct msk_irq_domain *ir;
	struct msk_irq_domain_info info = { .name = "IR-0",
					    .ops = &ir_ops,
					    .hwirq_max = 256,
					    .bus_token = MSK_DOMAIN_BUS_DMAR,
					    .flags = MSK_DOMAIN_FLAG_ISOLATED_MSI | (1u << 30) };
	assert_msk_ok(msk_domain_create(core, &info, &ir));
	unsigned int virq;
	assert_msk_ok(msk_domain_alloc_irqs(ir, 1, NULL, NULL, &virq));
	char *text = tree_of(core);
	assert_string_equal(text, "domains/IR-0:\n"
				  "name:   IR-0\n"
				  " size:   256\n"
				  " mapped: 1\n"
				  " flags:  0x40000008\n"
				  "            ISOLATED_MSI\n"
				  "            0x40000000\n"
				  " kind:   remap\n"
				  " bus:    DMAR\n"
				  " table: 256 entries\n"
				  " queue: on\n"
				  "\n"
				  "irqs/1:\n"
				  "handler:  handle_edge_irq\n"
				  "action:   -\n"
				  "device:   -\n"
				  "state:    masked\n"
				  "ddepth:   0\n"
				  "affinity: 0\n"
				  "effectiv: \n"
				  "pending:  0\n"
				  "handled:  0\n"
				  "spurious: 0\n"
				  "replayed: 0\n"
				  "domain:  IR-0\n"
				  " hwirq:   0x3\n"
				  " chip:    -\n"
				  " irte: 3\n"
				  " mode: remapped\n");
	free(text);
	msk_core_destroy(core);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_levels),
		cmocka_unit_test(test_remap_and_debug_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
