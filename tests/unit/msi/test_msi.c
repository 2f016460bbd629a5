/* SPDX-License-Identifier: MIT */
/*
 * The MSI core: per-device domains (naming, flags, prepare once with
 * hwsize, teardown once), allocation by range / index / ANY, rollback,
 * retry hints, multi-MSI blocks, reservation mode, affinity, IMS beside
 * MSI-X, and the contract monitor catching misbehaving parents.
 */
#include "msk_test.h"
#include "test_msi_parent.h"

#define SUPPORTED                                                                               \
	(MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_MULTI_PCI_MSI | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN | \
	 MSK_MSI_FLAG_PCI_IMS)
#define MSIX_FLAGS                                                                               \
	(MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN | MSK_MSI_FLAG_ACTIVATE_EARLY | \
	 MSK_MSI_FLAG_FREE_MSI_DESCS | MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS)

struct fx {
	struct tp tp;
	struct msk_device *dev;
	struct msk_msi_domain_template tmpl;
};

static int setup_with(void **state, uint32_t supported)
{
	static struct fx f;
	memset(&tp_dev, 0, sizeof(tp_dev));
	if (tp_create(&f.tp, 4, 4096, supported, NULL) < 0)
		return -1;
	if (msk_device_create(f.tp.core, "0000:01:00.0", f.tp.domain, NULL, &f.dev) < 0)
		return -1;
	tp_template(&f.tmpl, "PCI-MSIX", MSK_DOMAIN_BUS_PCI_DEVICE_MSIX, MSIX_FLAGS);
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, SUPPORTED);
}

static int setup_no_dyn(void **state)
{
	return setup_with(state, MSK_MSI_FLAG_PCI_MSIX);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f->dev)
		assert_msk_ok(msk_device_destroy(f->dev));
	f->dev = NULL;
	tp_destroy(&f->tp);
	return 0;
}

static void assert_no_violations(struct fx *f)
{
	unsigned int n = msk_msi_violation_count(f->tp.core);
	for (unsigned int i = 0; i < n; i++) {
		struct msk_msi_violation v;
		if (msk_msi_get_violation(f->tp.core, i, &v) == 0)
			print_error("violation %s: %s\n", msk_msi_rule_name(v.rule), v.detail);
	}
	assert_int_equal(n, 0);
}

static void test_domain_creation(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, MSK_MSI_DEFAULT_DOMAIN, &f->tmpl, 64,
						   NULL, NULL));
	struct msk_irq_domain *d = msk_msi_get_device_domain(f->dev, MSK_MSI_DEFAULT_DOMAIN);
	assert_non_null(d);
	assert_string_equal(msk_domain_name(d), "TEST-PCI-MSIX-0000:01:00.0");
	assert_ptr_equal(msk_domain_parent(d), f->tp.domain);
	assert_true(msk_domain_flags(d) & MSK_DOMAIN_FLAG_MSI_DEVICE);
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d);
	assert_int_equal(info->hwsize, 64);
	assert_true(info->flags & MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN);
	assert_true(info->flags & MSK_MSI_FLAG_USE_DEF_DOM_OPS); /* required by the parent */
	assert_non_null(info->chip->irq_set_affinity);		 /* default installed */
	/* Prepare ran exactly once, with hwsize. */
	assert_int_equal(f->tp.prepares, 1);
	assert_int_equal(f->tp.last_prepare_nvec, 64);
	char buf[256];
	msk_msi_flags_format(info->flags, buf, sizeof(buf));
	assert_non_null(strstr(buf, "PCI_MSIX_ALLOC_DYN"));
	/* One slot, one domain. */
	assert_msk_error(msk_msi_create_device_domain(f->dev, MSK_MSI_DEFAULT_DOMAIN, &f->tmpl, 64,
						      NULL, NULL),
			 MSK_EEXIST);
	assert_int_equal(f->tp.prepares, 1);
	/* Removal: teardown once, resources returned. */
	assert_msk_ok(msk_msi_remove_device_domain(f->dev, MSK_MSI_DEFAULT_DOMAIN));
	assert_int_equal(f->tp.teardowns, 1);
	assert_null(msk_msi_get_device_domain(f->dev, MSK_MSI_DEFAULT_DOMAIN));
	assert_null(msk_domain_find(f->tp.core, "TEST-PCI-MSIX-0000:01:00.0"));
	assert_msk_ok(msk_msi_remove_device_domain(f->dev, MSK_MSI_DEFAULT_DOMAIN)); /* no-op */
	assert_int_equal(f->tp.teardowns, 1);
	assert_no_violations(f);
}

static void test_parent_restricts_flags(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 8, NULL, NULL));
	struct msk_msi_domain_info *info =
		msk_msi_domain_get_info(msk_msi_get_device_domain(f->dev, 0));
	assert_false(info->flags & MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN);
	assert_true(info->flags & MSK_MSI_FLAG_PCI_MSIX);
	assert_true(info->flags & MSK_MSI_FLAG_ACTIVATE_EARLY); /* generic: kept */
	/* IMS is refused by a parent that does not support it. */
	struct msk_msi_domain_template ims;
	tp_template(&ims, "IMS", MSK_DOMAIN_BUS_PCI_DEVICE_IMS, MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS);
	assert_msk_error(msk_msi_create_device_domain(f->dev, MSK_MSI_SECONDARY_DOMAIN, &ims, 16,
						      NULL, NULL),
			 MSK_ENOTSUP);
	assert_null(msk_msi_get_device_domain(f->dev, MSK_MSI_SECONDARY_DOMAIN));
	assert_int_equal(f->tp.prepares, 1); /* the refused one never prepared */
}

static enum msk_irqreturn handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

static void test_alloc_free_alloc_keeps_the_domain(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 32, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 3));
	assert_int_equal(msk_msi_desc_count(f->dev, 0, true), 4);
	for (uint32_t i = 0; i < 4; i++) {
		unsigned int virq = msk_msi_get_virq(f->dev, 0, i);
		assert_true(virq > 0);
		struct msk_irq_data *d = msk_irq_get_irq_data(f->tp.core, virq);
		assert_int_equal(d->hwirq, i); /* device level: hwirq = MSI-X index */
		assert_string_equal(d->chip->name, "TEST-PCI-MSIX-0000:01:00.0");
		/* Early activation wrote a message composed by the parent. */
		assert_int_equal(tp_dev.msg[i].address_lo & 0xfff00000u, 0xfee00000u);
		assert_int_equal(tp_dev.msg[i].data, d->parent_data->hwirq);
		struct msk_msi_desc *desc = msk_msi_find_desc(f->dev, 0, i);
		assert_int_equal(desc->msg.data, tp_dev.msg[i].data);
	}
	/* NVMe pattern: free everything, then allocate more - no new prepare. */
	assert_msk_ok(msk_msi_domain_free_irqs_all(f->dev, 0));
	assert_int_equal(msk_msi_desc_count(f->dev, 0, false), 0);
	assert_non_null(msk_msi_get_device_domain(f->dev, 0));
	assert_int_equal(f->tp.teardowns, 0);
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 15));
	assert_int_equal(f->tp.prepares, 1);
	struct msk_msi_domain_stats st;
	assert_msk_ok(msk_msi_domain_stats(msk_msi_get_device_domain(f->dev, 0), &st));
	assert_int_equal(st.allocs, 20);
	assert_int_equal(st.frees, 4);
	assert_int_equal(st.prepares, 1);
	/* A vector with a handler cannot be freed; nothing is freed then. */
	unsigned int v3 = msk_msi_get_virq(f->dev, 0, 3);
	assert_msk_ok(msk_request_irq(f->tp.core, v3, handler, "q3", NULL));
	assert_msk_error(msk_msi_domain_free_irqs_all(f->dev, 0), MSK_EBUSY);
	assert_int_equal(msk_msi_desc_count(f->dev, 0, true), 16);
	assert_msk_error(msk_device_destroy(f->dev), MSK_EBUSY);
	assert_msk_ok(msk_free_irq(f->tp.core, v3));
	assert_msk_ok(msk_msi_domain_free_irqs_all(f->dev, 0));
	assert_no_violations(f);
}

static void test_dynamic_alloc_at(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 2048, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 1));
	struct msk_msi_map m = msk_msi_domain_alloc_irq_at(f->dev, 0, 7, NULL, 0, NULL);
	assert_int_equal(m.index, 7);
	assert_true(m.virq > 0);
	assert_int_equal(msk_msi_get_virq(f->dev, 0, 7), m.virq);
	m = msk_msi_domain_alloc_irq_at(f->dev, 0, MSK_MSI_ANY_INDEX, NULL, 0, NULL);
	assert_int_equal(m.index, 2); /* the first free index */
	/* Errors leave nothing behind. */
	unsigned int count = msk_msi_desc_count(f->dev, 0, false);
	m = msk_msi_domain_alloc_irq_at(f->dev, 0, 7, NULL, 0, NULL);
	assert_int_equal(m.index, -MSK_EBUSY);
	assert_int_equal(m.virq, 0);
	m = msk_msi_domain_alloc_irq_at(f->dev, 0, 2048, NULL, 0, NULL);
	assert_int_equal(m.index, -MSK_ERANGE);
	assert_non_null(strstr(msk_last_error(), "hwsize 2048"));
	assert_int_equal(msk_msi_desc_count(f->dev, 0, false), count);
	/* Free one index; the others stay. */
	assert_msk_ok(msk_msi_domain_free_irqs_range(f->dev, 0, 7, 7));
	assert_int_equal(msk_msi_get_virq(f->dev, 0, 7), 0);
	assert_true(msk_msi_get_virq(f->dev, 0, 2) > 0);
	assert_int_equal(f->tp.prepares, 1);
	/* With an affinity for the new vector. */
	struct msk_irq_affinity_desc aff = { .mask = msk_cpumask_of(3), .is_managed = false };
	m = msk_msi_domain_alloc_irq_at(f->dev, 0, 100, &aff, 0xabc, NULL);
	assert_int_equal(m.index, 100);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(f->tp.core, m.virq);
	assert_true(msk_cpumask_test(&eff, 3));
	assert_int_equal(msk_msi_find_desc(f->dev, 0, 100)->icookie, 0xabc);
	assert_no_violations(f);
}

static void test_retry_hint_and_rollback(void **state)
{
	struct fx *f = *state;
	f->tp.pool_size = 3; /* the controller has room for 3 vectors */
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 16, NULL, NULL));
	struct msk_core_stats before;
	msk_core_get_stats(f->tp.core, &before);
	int rc = msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 4);
	assert_int_equal(rc, 3); /* "retry with 3" */
	struct msk_core_stats after;
	msk_core_get_stats(f->tp.core, &after);
	assert_int_equal(after.virqs, before.virqs);
	assert_int_equal(msk_msi_desc_count(f->dev, 0, false), 0);
	assert_int_equal(f->tp.pool_used, 0);
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 2));
	/* The pool is full: a single dynamic vector gets a clean ENOSPC. */
	struct msk_msi_map m = msk_msi_domain_alloc_irq_at(f->dev, 0, 9, NULL, 0, NULL);
	assert_int_equal(m.index, -MSK_ENOSPC);
	assert_null(msk_msi_find_desc(f->dev, 0, 9));
	/* Allocation-site failures, one after another, leave no trace. */
	assert_msk_ok(msk_msi_domain_free_irqs_all(f->dev, 0));
	msk_fault_reset();
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 1));
	unsigned long n = msk_fault_alloc_count();
	assert_msk_ok(msk_msi_domain_free_irqs_all(f->dev, 0));
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		rc = msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 1);
		msk_fault_reset();
		if (rc == 0) {
			assert_msk_ok(msk_msi_domain_free_irqs_all(f->dev, 0));
			continue;
		}
		assert_true(rc < 0);
		assert_int_equal(msk_msi_desc_count(f->dev, 0, false), 0);
		assert_int_equal(f->tp.pool_used, 0);
		msk_core_get_stats(f->tp.core, &after);
		assert_int_equal(after.virqs, before.virqs);
	}
	assert_no_violations(f);
}

static void test_multi_msi_block(void **state)
{
	struct fx *f = *state;
	struct msk_msi_domain_template msi;
	tp_template(&msi, "PCI-MSI", MSK_DOMAIN_BUS_PCI_DEVICE_MSI,
		    MSK_MSI_FLAG_MULTI_PCI_MSI | MSK_MSI_FLAG_ACTIVATE_EARLY |
			    MSK_MSI_FLAG_FREE_MSI_DESCS);
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &msi, 8, NULL, NULL));
	struct msk_msi_desc d = { .msi_index = 0, .nvec_used = 8 };
	d.pci.multiple = 3;
	assert_msk_ok(msk_msi_insert_desc(f->dev, 0, &d));
	assert_msk_ok(msk_msi_domain_alloc_irqs_all(f->dev, 0));
	unsigned int base = msk_msi_get_virq(f->dev, 0, 0);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(msk_msi_get_virq(f->dev, 0, i), base + i);
	assert_int_equal(msk_msi_get_virq(f->dev, 0, 8), 0);
	/* Not enough room for a block: "retry with one". */
	assert_msk_ok(msk_msi_domain_free_irqs_all(f->dev, 0));
	f->tp.pool_size = 5;
	assert_msk_ok(msk_msi_insert_desc(f->dev, 0, &d));
	assert_int_equal(msk_msi_domain_alloc_irqs_all(f->dev, 0), 1);
	assert_int_equal(msk_msi_desc_count(f->dev, 0, true), 0);
	msk_msi_free_descs(f->dev, 0, 0, 0);
	/* Bad descriptors. */
	d.nvec_used = 33;
	assert_msk_error(msk_msi_insert_desc(f->dev, 0, &d), MSK_EINVAL);
	d.nvec_used = 1;
	d.msi_index = 8;
	assert_msk_error(msk_msi_insert_desc(f->dev, 0, &d), MSK_ERANGE);
}

static void test_reservation_mode(void **state)
{
	struct fx *f = *state;
	f->tmpl.info.flags |= MSK_MSI_FLAG_MUST_REACTIVATE;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 8, NULL, NULL));
	struct msk_msi_desc init = { .pci = { .is_msix = true } };
	struct msk_msi_map m = msk_msi_domain_alloc_irq_at(f->dev, 0, 0, NULL, 0, &init);
	assert_true(m.virq > 0);
	/* Early activation only reserved; the virq is not "activated" until requested. */
	assert_int_equal(f->tp.reserve_activations, 1);
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(f->tp.core, m.virq, &info));
	assert_false(info.activated);
	assert_msk_ok(msk_request_irq(f->tp.core, m.virq, handler, "r", NULL));
	assert_int_equal(f->tp.activations, 2);
	assert_int_equal(f->tp.reserve_activations, 1);
	assert_msk_ok(msk_irq_get_info(f->tp.core, m.virq, &info));
	assert_true(info.activated);
	assert_msk_ok(msk_free_irq(f->tp.core, m.virq));
	/* A non-maskable vector is activated for real at once. */
	init.pci.is_msix = false;
	init.pci.can_mask = false;
	m = msk_msi_domain_alloc_irq_at(f->dev, 0, 1, NULL, 0, &init);
	assert_int_equal(f->tp.reserve_activations, 1);
	assert_msk_ok(msk_irq_get_info(f->tp.core, m.virq, &info));
	assert_true(info.activated);
}

static void test_affinity_rewrites_unless_done(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 8, NULL, NULL));
	struct msk_msi_map m = msk_msi_domain_alloc_irq_at(f->dev, 0, 0, NULL, 0, NULL);
	assert_msk_ok(msk_request_irq(f->tp.core, m.virq, handler, "a", NULL));
	unsigned int writes = tp_dev.writes;
	struct msk_cpumask mask = msk_cpumask_of(2);
	f->tp.affinity_result = MSK_IRQ_SET_MASK_OK;
	assert_msk_ok(msk_irq_set_affinity(f->tp.core, m.virq, &mask));
	assert_int_equal(tp_dev.writes, writes + 1);
	assert_int_equal(tp_dev.msg[0].address_lo, 0xfee02000u); /* message follows the CPU */
	/* A parent whose message does not change (ITS, IR) says OK_DONE. */
	f->tp.affinity_result = MSK_IRQ_SET_MASK_OK_DONE;
	mask = msk_cpumask_of(1);
	assert_msk_ok(msk_irq_set_affinity(f->tp.core, m.virq, &mask));
	assert_int_equal(tp_dev.writes, writes + 1);
	assert_msk_ok(msk_free_irq(f->tp.core, m.virq));
}

static void test_ims_beside_msix(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 8, NULL, NULL));
	struct msk_msi_domain_template ims;
	tp_template(&ims, "IMS", MSK_DOMAIN_BUS_PCI_DEVICE_IMS,
		    MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS | MSK_MSI_FLAG_FREE_MSI_DESCS |
			    MSK_MSI_FLAG_ACTIVATE_EARLY);
	assert_msk_ok(msk_msi_create_device_domain(f->dev, MSK_MSI_SECONDARY_DOMAIN, &ims, 2048,
						   NULL, NULL));
	assert_string_equal(msk_domain_name(msk_msi_get_device_domain(f->dev, 1)),
			    "TEST-IMS-0000:01:00.0");
	assert_int_equal(f->tp.prepares, 2);
	assert_int_equal(f->tp.last_prepare_nvec, 2048);
	struct msk_msi_map a = msk_msi_domain_alloc_irq_at(f->dev, 0, 0, NULL, 0, NULL);
	struct msk_msi_map b =
		msk_msi_domain_alloc_irq_at(f->dev, 1, MSK_MSI_ANY_INDEX, NULL, 7, NULL);
	assert_true(a.virq && b.virq && a.virq != b.virq);
	assert_int_equal(b.index, 0);
	assert_msk_ok(msk_device_destroy(f->dev)); /* frees and tears both down */
	f->dev = NULL;
	assert_int_equal(f->tp.teardowns, 2);
	assert_no_violations(f);
}

static void test_bad_input(void **state)
{
	struct fx *f = *state;
	assert_msk_error(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 1), MSK_ENODEV);
	assert_msk_error(msk_msi_domain_alloc_irqs_range(f->dev, 2, 0, 1), MSK_EINVAL);
	assert_msk_error(msk_msi_domain_alloc_irqs_range(f->dev, 0, 3, 1), MSK_EINVAL);
	assert_msk_error(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 65537, NULL, NULL),
			 MSK_EINVAL);
	assert_msk_error(msk_msi_create_device_domain(f->dev, 5, &f->tmpl, 8, NULL, NULL),
			 MSK_EINVAL);
	struct msk_msi_map m = msk_msi_domain_alloc_irq_at(f->dev, 0, 0, NULL, 0, NULL);
	assert_int_equal(m.index, -MSK_ENODEV);
	/* A device whose "parent" is not an MSI parent. */
	struct msk_device *bad;
	struct msk_irq_domain *plain;
	static const struct msk_irq_domain_ops none = { .alloc = (void *)1, .free = (void *)1 };
	struct msk_irq_domain_info di = { .name = "PLAIN", .ops = &none };
	assert_msk_ok(msk_domain_create(f->tp.core, &di, &plain));
	assert_msk_error(msk_device_create(f->tp.core, "x", plain, NULL, &bad), MSK_EINVAL);
	assert_msk_error(msk_device_create(f->tp.core, "", f->tp.domain, NULL, &bad), MSK_EINVAL);
	assert_msk_ok(msk_domain_remove(plain));
	/* A prepare failure leaves no domain behind. */
	f->tp.fail_prepare = MSK_EIO;
	assert_msk_error(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 8, NULL, NULL), MSK_EIO);
	assert_null(msk_msi_get_device_domain(f->dev, 0));
	assert_null(msk_domain_find(f->tp.core, "TEST-PCI-MSIX-0000:01:00.0"));
	f->tp.fail_prepare = 0;
	/* Removing a domain that still has vectors. */
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 8, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 0));
	assert_msk_error(msk_msi_remove_device_domain(f->dev, 0), MSK_EBUSY);
	assert_int_equal(f->tp.teardowns, 0);
	assert_no_violations(f);
}

/* --- the contract monitor ---------------------------------------------------------------- */

static unsigned int hook_calls;
static void hook(void *ctx, const struct msk_msi_violation *v)
{
	hook_calls++;
}

static void find_violation(struct fx *f, enum msk_msi_rule rule, struct msk_msi_violation *out)
{
	unsigned int n = msk_msi_violation_count(f->tp.core);
	for (unsigned int i = 0; i < n; i++)
		if (msk_msi_get_violation(f->tp.core, i, out) == 0 && out->rule == rule)
			return;
	fail_msg("no %s violation among %u", msk_msi_rule_name(rule), n);
}

static void test_monitor_leaky_parent(void **state)
{
	struct fx *f = *state;
	hook_calls = 0;
	msk_msi_set_violation_hook(f->tp.core, hook, NULL);
	f->tp.leak = true;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 32, NULL, NULL));
	assert_int_equal(msk_msi_monitor_resources(msk_msi_get_device_domain(f->dev, 0), "table"),
			 32);
	assert_msk_ok(msk_msi_remove_device_domain(f->dev, 0));
	struct msk_msi_violation v;
	find_violation(f, MSK_MSI_RULE_RESOURCES_RETURNED, &v);
	assert_string_equal(v.device, "0000:01:00.0");
	assert_string_equal(v.domain, "TEST-PCI-MSIX-0000:01:00.0");
	assert_non_null(strstr(v.detail, "32 table"));
	assert_true(v.sequence > 0);
	assert_int_equal(hook_calls, 1);
}

/* The pSeries conversion bug: post_free undoes prepare; the next allocation fails. */
static void test_monitor_post_free(void **state)
{
	struct fx *f = *state;
	f->tp.post_free_bug = true;
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 16, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 0)); /* allocate 1 */
	assert_msk_ok(msk_msi_domain_free_irqs_all(f->dev, 0));		 /* free */
	assert_int_equal(f->tp.post_frees, 1);
	int rc = msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 7); /* allocate N */
	assert_true(rc != 0);
	assert_string_not_equal(msk_last_error(), "");
	struct msk_msi_violation v;
	find_violation(f, MSK_MSI_RULE_POST_FREE_UNDID_PREPARE, &v);
	assert_non_null(strstr(v.detail, "post_free undid prepare"));
	/* Nothing leaked, and later calls still answer. */
	assert_int_equal(msk_msi_desc_count(f->dev, 0, false), 0);
	assert_int_equal(f->tp.pool_used, 0);
	assert_msk_ok(msk_msi_remove_device_domain(f->dev, 0));
	assert_int_equal(f->tp.teardowns, 1);
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 16, NULL, NULL));
	f->tp.post_free_bug = false;
}

/* The pre-2025 model: prepare per allocation, sized by that allocation. */
static void test_monitor_prepare_per_alloc(void **state)
{
	struct fx *f = *state;
	msk_msi_set_prepare_mode(f->tp.core, MSK_MSI_PREPARE_PER_ALLOC);
	assert_msk_ok(msk_msi_create_device_domain(f->dev, 0, &f->tmpl, 64, NULL, NULL));
	assert_int_equal(f->tp.prepares, 0); /* not at creation */
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(f->dev, 0, 0, 0));
	assert_int_equal(f->tp.prepares, 1);
	assert_int_equal(f->tp.last_prepare_nvec, 1);
	/* A later vector beyond what the first prepare sized cannot fit. */
	struct msk_msi_map m = msk_msi_domain_alloc_irq_at(f->dev, 0, 5, NULL, 0, NULL);
	assert_int_equal(m.index, -MSK_ENOSPC);
	assert_non_null(strstr(msk_last_error(), "out of range"));
	struct msk_msi_violation v;
	find_violation(f, MSK_MSI_RULE_PREPARE_ONCE, &v);
	find_violation(f, MSK_MSI_RULE_PREPARE_SIZE, &v);
	assert_non_null(strstr(v.detail, "sized for 1"));
	msk_msi_set_prepare_mode(f->tp.core, MSK_MSI_PREPARE_PER_DEVICE);
	/* Per-alloc prepares leak their tables in this test parent: free them. */
	f->tp.leak = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_domain_creation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_restricts_flags, setup_no_dyn,
						teardown),
		cmocka_unit_test_setup_teardown(test_alloc_free_alloc_keeps_the_domain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dynamic_alloc_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_hint_and_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_msi_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reservation_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_affinity_rewrites_unless_done, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ims_beside_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_leaky_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_post_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_prepare_per_alloc, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
