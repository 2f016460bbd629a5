/* SPDX-License-Identifier: MIT */
/*
 * The DOT view is valid Graphviz: each output is run through `dot -Tsvg`
 * when dot is installed (scripts/deps installs graphviz; without it these
 * checks are skipped with a message) and the SVG must name every node
 * and edge we drew. Also: the bound on virq nodes (per-domain counts
 * beyond it), no virqs at all, odd characters in names, shapes by kind,
 * the CPUs, virqs in order, and losses drawn on the level that dropped them.
 */
#include "report_test.h"

#include <stdlib.h>
#include <unistd.h>

static bool have_dot(void)
{
	return system("command -v dot >/dev/null 2>&1") == 0;
}

/* Run dot on the text; return the SVG (free it). Fails the test if dot refuses it. */
static char *dot_to_svg(const char *dot)
{
	char in[] = "/tmp/msk-report-XXXXXX";
	int fd = mkstemp(in);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, dot, strlen(dot)), (ssize_t)strlen(dot));
	close(fd);
	char out[64], cmd[256];
	snprintf(out, sizeof(out), "%s.svg", in);
	snprintf(cmd, sizeof(cmd), "dot -Tsvg '%s' -o '%s' 2>&1", in, out);
	int status = system(cmd);
	char *svg = rt_read_file(out, NULL);
	unlink(in);
	unlink(out);
	if (status != 0)
		fail_msg("dot refused the graph (status %d):\n%s", status, dot);
	assert_non_null(svg);
	return svg;
}

static char *dot_of(struct msk_core *core, const struct msk_report_dot_opts *opts)
{
	struct msk_report_src src = { .core = core };
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	struct msk_report_buf buf = { 0 };
	struct msk_report_sink out = msk_report_sink_buf(&buf);
	assert_msk_ok(msk_report_write_dot(snap, opts, &out));
	char *text = strdup(buf.data);
	msk_report_buf_free(&buf);
	msk_report_snapshot_free(snap);
	return text;
}

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("missing \"%s\" in:\n%s", part, text);
}

static void test_scenario_graph_is_valid(void **state)
{
	struct rt_scenario *r = *state;
	char *dot = dot_of(r->tp.core, NULL);
	/* Every domain, its edge to the parent, every virq on its outermost domain. */
	for (unsigned int d = 1; d <= 4; d++) {
		char edge[32];
		snprintf(edge, sizeof(edge), "\td%u -> d0;\n", d);
		assert_contains(dot, edge);
	}
	assert_contains(dot, "v7 -> d3 [style=dashed, arrowhead=none];");
	/* A device's cluster is named by the device and its outermost domain. */
	assert_contains(dot, "subgraph cluster_d1 {\n\t\tlabel=\"0000:01:00.0\\nTEST-PCI-MSIX-"
			     "0000:01:00.0\";");
	if (!have_dot()) {
		print_message("dot not found: skipping the Graphviz check (scripts/deps installs "
			      "graphviz)\n");
		free(dot);
		skip();
	}
	char *svg = dot_to_svg(dot);
	for (unsigned int d = 0; d <= 4; d++) {
		char title[32];
		snprintf(title, sizeof(title), "<title>d%u</title>", d);
		assert_contains(svg, title);
	}
	for (unsigned int v = 1; v <= 12; v++) {
		char title[32];
		snprintf(title, sizeof(title), "<title>v%u</title>", v);
		assert_contains(svg, title);
	}
	assert_contains(svg, "<title>d3&#45;&gt;d0</title>");
	assert_contains(svg, "<title>cluster_d1</title>");
	assert_contains(svg, "<title>cluster_cpus</title>");
	assert_contains(svg, "<title>c3</title>");
	assert_contains(svg, "<title>l0</title>");
	free(svg);
	free(dot);
}

static void test_cpus_and_virq_order(void **state)
{
	struct rt_scenario *r = *state;
	char *dot = dot_of(r->tp.core, NULL);
	/* Each CPU with the interrupts it took (CPU0: 3 of nvme0q0; no-handler ones do not count). */
	assert_contains(dot, "c0 [label=\"CPU0\\n3 interrupts\"");
	assert_contains(dot, "c1 [label=\"CPU1\\n6 interrupts\"");
	assert_contains(dot, "{ rank=same; c0; c1; c2; c3; }");
	assert_contains(dot, "\td0 -> c0 [lhead=cluster_cpus");
	/* A domain's virqs side by side in ascending order. */
	assert_contains(dot, "{ rank=same; v1; v2; v3; v4; }");
	assert_contains(dot, "v1 -> v2 [style=invis];");
	assert_contains(dot, "v3 -> v4 [style=invis];");
	free(dot);
	/* Beyond max_cpus: one node for them all. */
	struct msk_report_dot_opts opts = { .max_cpus = 2 };
	dot = dot_of(r->tp.core, &opts);
	assert_contains(dot, "c_all [label=\"4 CPUs\\nonline 0-3\\n");
	assert_null(strstr(dot, "\tc0 ["));
	assert_contains(dot, "\td0 -> c_all [lhead=cluster_cpus");
	free(dot);
}

static void test_losses_on_their_level(void **state)
{
	struct rt_scenario *r = *state;
	/* Without the caller's list: the ledger's reasons (2 no-handler, 1 unhandled) on the root. */
	char *dot = dot_of(r->tp.core, NULL);
	assert_contains(dot, "l0 [label=\"lost here\\lno-handler 2\\lunhandled 1\\l\"");
	assert_contains(dot, "l0 -> d0 [color=\"#cb181d\", style=dashed, arrowhead=none, "
			     "label=\"3 lost\"");
	free(dot);
	/* With it: by device, each on the level that drops it. */
	const struct msk_report_loss losses[] = {
		{ "0000:01:00.0", MSK_LOSS_NO_HANDLER, 2 },
		{ "0000:02:00.0/ims", MSK_LOSS_UNHANDLED, 1 },
		{ "0000:01:00.0", MSK_LOSS_ITS_DISABLED, 5 },
		{ NULL, MSK_LOSS_APIC_NO_TARGET, 7 },
	};
	struct msk_report_dot_opts opts = { .losses = losses, .nr_losses = 4 };
	dot = dot_of(r->tp.core, &opts);
	/* Device reasons on the device's own domain, without repeating the device. */
	assert_contains(dot, "l1 [label=\"lost here\\lno-handler 2\\l\"");
	assert_contains(dot, "l1 -> d1 [");
	assert_contains(dot, "label=\"2 lost\"");
	assert_contains(dot, "lost here\\lunhandled 1\\l\"");
	/* The MSI parent's reason and one without a device: on the parent, named. */
	assert_contains(dot, "l0 [label=\"lost here\\l0000:01:00.0: its-disabled 5\\l"
			     "apic-no-target 7\\l\"");
	assert_contains(dot, "label=\"12 lost\"");
	if (have_dot()) {
		char *svg = dot_to_svg(dot);
		assert_contains(svg, "<title>l1&#45;&gt;d1</title>");
		free(svg);
	}
	free(dot);
}

static void test_virqs_beyond_the_bound_are_counted(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_dot_opts opts = { .max_virqs = 11 };
	char *dot = dot_of(r->tp.core, &opts);
	assert_null(strstr(dot, "\tv1 ["));
	assert_contains(dot, "n1 [label=\"4 virqs\", shape=note, fontsize=8];");
	assert_contains(dot, "n3 [label=\"2 virqs\"");
	assert_contains(dot, "\tn4 -> d4 [style=dashed, arrowhead=none];");
	assert_null(strstr(dot, "n0 ")); /* the parent has no virq of its own */
	if (have_dot()) {
		char *svg = dot_to_svg(dot);
		assert_contains(svg, "<title>n1</title>");
		free(svg);
	}
	free(dot);
	/* At the bound, every virq is drawn. */
	opts.max_virqs = 12;
	dot = dot_of(r->tp.core, &opts);
	assert_contains(dot, "\t\tv12 [label=\"12\"");
	assert_null(strstr(dot, "virqs\""));
	free(dot);
	/* Or none, on request. */
	opts.no_virqs = true;
	dot = dot_of(r->tp.core, &opts);
	assert_null(strstr(dot, "\tv1 ["));
	assert_contains(dot, "n2 [label=\"2 virqs\"");
	free(dot);
}

/* Names with quotes, backslashes and control characters; every kind's shape. */
static const struct msk_irq_chip odd_chip = { .name = "odd" };

static int odd_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	if (msk_domain_parent(d)) {
		int rc = msk_domain_alloc_irqs_parent(d, virq, nr, arg);
		if (rc < 0)
			return rc;
	}
	return msk_domain_set_hwirq_and_chip(d, virq, 1, &odd_chip, NULL);
}

static void odd_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	msk_domain_free_irqs_common(d, virq, nr);
}

static const struct msk_irq_domain_ops odd_ops = { .alloc = odd_alloc, .free = odd_free };

static void test_odd_names_and_kinds(void **state)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = 1 };
	assert_msk_ok(msk_core_create(&cfg, &core));
	struct msk_irq_domain *root, *ir, *mid;
	struct msk_irq_domain_info i1 = { .name = "ROOT \"0\" \\ end\n", .ops = &odd_ops };
	assert_msk_ok(msk_domain_create(core, &i1, &root));
	struct msk_irq_domain_info i2 = {
		.name = "IR", .ops = &odd_ops, .parent = root, .bus_token = MSK_DOMAIN_BUS_DMAR
	};
	assert_msk_ok(msk_domain_create(core, &i2, &ir));
	struct msk_irq_domain_info i3 = { .name = "MID", .ops = &odd_ops, .parent = ir };
	assert_msk_ok(msk_domain_create(core, &i3, &mid));
	unsigned int virq;
	assert_msk_ok(msk_domain_alloc_irqs(mid, 1, NULL, NULL, &virq));
	assert_msk_ok(msk_request_irq(core, virq, rt_handled, "say \"hi\"", NULL));
	char *dot = dot_of(core, NULL);
	assert_contains(dot, "d0 [label=\"ROOT \\\"0\\\" \\\\ end\\nroot, ANY\\nsize 4294967296, "
			     "mapped 1\", shape=box3d");
	assert_contains(dot, "d1 [label=\"IR\\nremap, DMAR");
	assert_contains(dot, "shape=hexagon");
	assert_contains(dot, "d2 [label=\"MID\\nother, ANY");
	assert_contains(dot, "v1 [label=\"1\\nsay \\\"hi\\\"\"");
	assert_contains(dot, "\td2 -> d1;\n\tv1 -> d2");
	free(dot);
	/* An IRTE fault on the remapping level, a device's own on its outermost. */
	const struct msk_report_loss losses[] = {
		{ "nodev", MSK_LOSS_IRTE_NOT_PRESENT, 3 },
		{ NULL, MSK_LOSS_BUS_MASTER_OFF, 1 },
	};
	struct msk_report_dot_opts opts = { .losses = losses, .nr_losses = 2 };
	dot = dot_of(core, &opts);
	assert_contains(dot, "l1 [label=\"lost here\\lnodev: irte-not-present 3\\l\"");
	assert_contains(dot, "l1 -> d1 [");
	assert_contains(dot, "l0 [label=\"lost here\\lbus-master-off 1\\l\"");
	if (have_dot()) {
		char *svg = dot_to_svg(dot);
		assert_contains(svg, "<title>d2&#45;&gt;d1</title>");
		free(svg);
	}
	free(dot);
	assert_msk_ok(msk_free_irq(core, virq));
	msk_core_destroy(core);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scenario_graph_is_valid, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_virqs_beyond_the_bound_are_counted, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_cpus_and_virq_order, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(test_losses_on_their_level, rt_setup, rt_teardown),
		cmocka_unit_test(test_odd_names_and_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
