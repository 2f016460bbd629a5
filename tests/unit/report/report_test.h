/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_REPORT_H
#define MSK_TEST_REPORT_H

/*
 * Helpers of the report tests: paths in the source tree, golden files,
 * rendering a view into a string, and the fixed scenario the golden files
 * show (built on the test MSI parent of tests/support/).
 *
 * Golden files live in tests/data/golden/. When a view changes on
 * purpose, regenerate them with
 *
 *	MSK_UPDATE_GOLDEN=1 ctest -R report/   (from the build directory)
 *
 * and review the diff: the tests then write the files instead of comparing.
 */
#include "msk_test.h"
#include "test_msi_parent.h"

#include <stdlib.h>
#include <string.h>

/* The source tree's root, from this file's path (CMake compiles with absolute paths). */
static inline void rt_source_path(const char *rel, char *buf, size_t size)
{
	const char *me = __FILE__;
	const char *cut = strstr(me, "tests/unit/report/report_test.h");
	int len = cut ? (int)(cut - me) : 0;
	snprintf(buf, size, "%.*s%s", len, me, rel);
}

/* The whole file, NUL-terminated (free it), or NULL. */
static inline char *rt_read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	for (size_t n; buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
		len += n;
		if (cap - len - 1 == 0) {
			char *p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	if (len_out)
		*len_out = len;
	return buf;
}

/* Compare text with tests/data/golden/<name>, or rewrite it under MSK_UPDATE_GOLDEN=1. */
static inline void rt_assert_golden(const char *name, const char *text)
{
	char rel[256], path[1024];
	snprintf(rel, sizeof(rel), "tests/data/golden/%s", name);
	rt_source_path(rel, path, sizeof(path));
	const char *update = getenv("MSK_UPDATE_GOLDEN");
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "wb");
		if (!f)
			fail_msg("cannot write %s", path);
		fwrite(text, 1, strlen(text), f);
		fclose(f);
		print_message("golden %s rewritten\n", path);
		return;
	}
	char *want = rt_read_file(path, NULL);
	if (!want)
		fail_msg("golden file %s is missing (MSK_UPDATE_GOLDEN=1 writes it)", path);
	if (strcmp(want, text) != 0) {
		size_t line = 1, i = 0;
		while (want[i] && want[i] == text[i]) {
			if (want[i] == '\n')
				line++;
			i++;
		}
		print_error("%s differs from line %zu on; got:\n%s\n", path, line, text);
		free(want);
		fail_msg("golden mismatch: %s line %zu", name, line);
	}
	free(want);
}

/* Which view rt_render() draws. */
enum rt_view { RT_TABLE, RT_TREE, RT_JSON, RT_DOT, RT_SUMMARY };

/* A view as a string (free it); *rc gets the writer's return. */
static inline char *rt_render(const struct msk_report_snapshot *s, enum rt_view view,
			      unsigned int flags, int *rc)
{
	struct msk_report_buf buf = { 0 };
	struct msk_report_sink out = msk_report_sink_buf(&buf);
	switch (view) {
	case RT_TABLE:
		*rc = msk_report_write_interrupts(s, flags, &out);
		break;
	case RT_TREE:
		*rc = msk_report_write_tree(s, &out);
		break;
	case RT_JSON:
		*rc = msk_report_write_json(s, flags, &out);
		break;
	case RT_DOT:
		*rc = msk_report_write_dot(s, NULL, &out);
		break;
	case RT_SUMMARY:
		*rc = msk_report_write_summary(s, &out);
		break;
	}
	char *text = strdup(buf.data ? buf.data : "");
	msk_report_buf_free(&buf);
	return text;
}

/* --- the fixed scenario ---------------------------------------------------------------------- */

#define RT_SUPPORTED                                                                            \
	(MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_MULTI_PCI_MSI | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN | \
	 MSK_MSI_FLAG_PCI_IMS)
#define RT_MSIX_FLAGS                                                                            \
	(MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN | MSK_MSI_FLAG_ACTIVATE_EARLY | \
	 MSK_MSI_FLAG_FREE_MSI_DESCS | MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS)
#define RT_IMS_FLAGS                                                     \
	(MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS | MSK_MSI_FLAG_FREE_MSI_DESCS | \
	 MSK_MSI_FLAG_ACTIVATE_EARLY)
#define RT_MSI_FLAGS \
	(MSK_MSI_FLAG_MULTI_PCI_MSI | MSK_MSI_FLAG_ACTIVATE_EARLY | MSK_MSI_FLAG_FREE_MSI_DESCS)

struct rt_scenario {
	struct tp tp;
	struct msk_ledger *ledger;
	struct msk_device *dev[3];
	unsigned int requested[16];
	unsigned int nr_requested;
};

static inline enum msk_irqreturn rt_handled(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

static inline enum msk_irqreturn rt_not_mine(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_NONE;
}

static inline void rt_request(struct rt_scenario *r, unsigned int virq, const char *name,
			      msk_irq_handler_fn fn)
{
	assert_true(virq > 0);
	assert_msk_ok(msk_request_irq(r->tp.core, virq, fn, name, NULL));
	r->requested[r->nr_requested++] = virq;
}

/* A device raises `n` events of weight w on virq; CPU `cpu` takes them. */
static inline void rt_raise(struct rt_scenario *r, unsigned int cpu, unsigned int virq,
			    unsigned int n, uint32_t w)
{
	for (unsigned int i = 0; i < n; i++) {
		msk_ledger_raise(r->ledger, w);
		msk_handle_irq(r->tp.core, cpu, virq, w);
	}
}

/*
 * Four CPUs, the test MSI parent, and three devices:
 *  0000:01:00.0  MSI-X, 4 vectors; 3 with handlers, vector 3 without
 *  0000:02:00.0  MSI-X, 2 vectors (tx masked, one event held) and IMS, 2 slots
 *                (slot 0 with a handler that never claims, slot 1 without)
 *  0000:03:00.0  multi-MSI block of 4, two requested; an IMS domain removed
 *                by a leaky parent (a resources-returned violation)
 * Losses: 2 no-handler, 1 unhandled. One affinity change.
 */
static inline void rt_build(struct rt_scenario *r)
{
	memset(r, 0, sizeof(*r));
	memset(&tp_dev, 0, sizeof(tp_dev));
	assert_msk_ok(msk_ledger_create(&r->ledger));
	assert_msk_ok(tp_create(&r->tp, 4, 4096, RT_SUPPORTED, r->ledger));
	struct msk_core *core = r->tp.core;
	static const char *const bdf[3] = { "0000:01:00.0", "0000:02:00.0", "0000:03:00.0" };
	for (int i = 0; i < 3; i++)
		assert_msk_ok(msk_device_create(core, bdf[i], r->tp.domain, NULL, &r->dev[i]));
	struct msk_msi_domain_template msix, ims, msi;
	tp_template(&msix, "PCI-MSIX", MSK_DOMAIN_BUS_PCI_DEVICE_MSIX, RT_MSIX_FLAGS);
	tp_template(&ims, "IMS", MSK_DOMAIN_BUS_PCI_DEVICE_IMS, RT_IMS_FLAGS);
	tp_template(&msi, "PCI-MSI", MSK_DOMAIN_BUS_PCI_DEVICE_MSI, RT_MSI_FLAGS);

	/* Device 0: NVMe-like. */
	struct msk_device *d0 = r->dev[0];
	assert_msk_ok(msk_msi_create_device_domain(d0, 0, &msix, 8, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(d0, 0, 0, 3));
	rt_request(r, msk_msi_get_virq(d0, 0, 0), "nvme0q0", rt_handled);
	rt_request(r, msk_msi_get_virq(d0, 0, 1), "nvme0q1", rt_handled);
	rt_request(r, msk_msi_get_virq(d0, 0, 2), "nvme0q2", rt_handled);

	/* Device 1: a NIC with IMS. */
	struct msk_device *d1 = r->dev[1];
	assert_msk_ok(msk_msi_create_device_domain(d1, 0, &msix, 4, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(d1, 0, 0, 1));
	rt_request(r, msk_msi_get_virq(d1, 0, 0), "eth0-rx", rt_handled);
	rt_request(r, msk_msi_get_virq(d1, 0, 1), "eth0-tx", rt_handled);
	assert_msk_ok(msk_msi_create_device_domain(d1, 1, &ims, 16, NULL, NULL));
	struct msk_msi_map a = msk_msi_domain_alloc_irq_at(d1, 1, MSK_MSI_ANY_INDEX, NULL, 1, NULL);
	struct msk_msi_map b = msk_msi_domain_alloc_irq_at(d1, 1, MSK_MSI_ANY_INDEX, NULL, 2, NULL);
	assert_int_equal(a.index, 0);
	assert_int_equal(b.index, 1);
	rt_request(r, a.virq, "eth0-ims0", rt_not_mine);

	/* Device 2: multi-MSI, and an IMS domain that a leaky parent tears down. */
	struct msk_device *d2 = r->dev[2];
	assert_msk_ok(msk_msi_create_device_domain(d2, 0, &msi, 4, NULL, NULL));
	struct msk_msi_desc block = { .msi_index = 0, .nvec_used = 4 };
	block.pci.multiple = 2;
	block.pci.multi_cap = 2;
	assert_msk_ok(msk_msi_insert_desc(d2, 0, &block));
	assert_msk_ok(msk_msi_domain_alloc_irqs_all(d2, 0));
	rt_request(r, msk_msi_get_virq(d2, 0, 0), "acc0-0", rt_handled);
	rt_request(r, msk_msi_get_virq(d2, 0, 1), "acc0-1", rt_handled);
	assert_msk_ok(msk_msi_create_device_domain(d2, 1, &ims, 8, NULL, NULL));
	r->tp.leak = true;
	assert_msk_ok(msk_msi_remove_device_domain(d2, 1));
	r->tp.leak = false;

	/* Steering and traffic. */
	struct msk_cpumask cpu2 = msk_cpumask_of(2);
	assert_msk_ok(msk_irq_set_affinity(core, msk_msi_get_virq(d0, 0, 1), &cpu2));
	rt_raise(r, 0, msk_msi_get_virq(d0, 0, 0), 3, 1);
	rt_raise(r, 1, msk_msi_get_virq(d0, 0, 0), 2, 1);
	rt_raise(r, 2, msk_msi_get_virq(d0, 0, 1), 5, 1);
	rt_raise(r, 3, msk_msi_get_virq(d0, 0, 2), 1, 2);
	rt_raise(r, 0, msk_msi_get_virq(d0, 0, 3), 2, 1); /* no handler: lost */
	rt_raise(r, 1, msk_msi_get_virq(d1, 0, 0), 4, 1);
	assert_msk_ok(msk_irq_mask(core, msk_msi_get_virq(d1, 0, 1)));
	rt_raise(r, 1, msk_msi_get_virq(d1, 0, 1), 1, 1); /* held while masked */
	rt_raise(r, 3, a.virq, 1, 1);			  /* not claimed: lost */
	rt_raise(r, 2, msk_msi_get_virq(d2, 0, 1), 2, 1);
}

static inline void rt_destroy(struct rt_scenario *r)
{
	for (unsigned int i = 0; i < r->nr_requested; i++)
		assert_msk_ok(msk_free_irq(r->tp.core, r->requested[i]));
	for (int i = 0; i < 3; i++)
		assert_msk_ok(msk_device_destroy(r->dev[i]));
	tp_destroy(&r->tp);
	msk_ledger_destroy(r->ledger);
}

/* cmocka set-up and tear-down of a test on the fixed scenario (*state: the struct rt_scenario). */
static inline int rt_setup(void **state)
{
	static struct rt_scenario r;
	rt_build(&r);
	*state = &r;
	return 0;
}

static inline int rt_teardown(void **state)
{
	rt_destroy(*state);
	return 0;
}

/* The caller's part of the golden report. */
static const struct msk_report_kv rt_switches[] = {
	{ .key = "msi", .type = MSK_REPORT_VALUE_STR, .str = "per-device" },
	{ .key = "prepare", .type = MSK_REPORT_VALUE_STR, .str = "per-device" },
	{ .key = "ir", .type = MSK_REPORT_VALUE_BOOL, .flag = false },
};
static const struct msk_report_kv rt_resources[] = {
	{ .key = "tables", .type = MSK_REPORT_VALUE_INT, .num = 4 },
	{ .key = "hwirqs", .type = MSK_REPORT_VALUE_INT, .num = 12 },
};
static const char *const rt_errors[] = {
	"ENOSPC: TEST-PARENT: table of 8 entries, index 8 out of range",
};

static inline struct msk_report_src rt_src(struct rt_scenario *r)
{
	struct msk_report_src src = {
		.core = r->tp.core,
		.ledger = r->ledger,
		.scenario = "tests/unit/report/golden.lua",
		.seed = 42,
		.arch = "x86",
		.switches = rt_switches,
		.nr_switches = 3,
		.resources = rt_resources,
		.nr_resources = 2,
		.errors = rt_errors,
		.nr_errors = 1,
	};
	return src;
}

#endif
