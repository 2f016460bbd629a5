/* SPDX-License-Identifier: MIT */
/*
 * msk_domain_debug_show(): a domain's debug text about one level of a virq
 * or about itself, for the domain tree report; the MSI device domain's
 * text (the cached message), and the edge cases (no callback, a level of
 * another domain, no buffer, a callback that overruns or forgets the NUL).
 */
#include "msk_test.h"
#include "test_msi_parent.h"

static const struct msk_irq_chip ds_chip = { .name = "DS" };

static int ds_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	for (unsigned int i = 0; i < nr; i++) {
		int rc = msk_domain_set_hwirq_and_chip(d, virq + i, 0x40 + i, &ds_chip, NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void ds_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
}

static void ds_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf, size_t size)
{
	if (irqd)
		snprintf(buf, size, "vector: 0x%llx", (unsigned long long)irqd->hwirq);
	else
		snprintf(buf, size, "matrix: %s", msk_domain_name(d));
}

/* A careless callback: fills the whole buffer without a terminator. */
static void ds_show_overrun(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			    size_t size)
{
	memset(buf, 'x', size);
}

static const struct msk_irq_domain_ops ds_ops = { .alloc = ds_alloc,
						  .free = ds_free,
						  .debug_show = ds_show };
static const struct msk_irq_domain_ops ds_ops_overrun = { .alloc = ds_alloc,
							  .free = ds_free,
							  .debug_show = ds_show_overrun };
static const struct msk_irq_domain_ops ds_ops_silent = { .alloc = ds_alloc, .free = ds_free };

static struct msk_irq_domain *mkdomain(struct msk_core *core, const char *name,
				       const struct msk_irq_domain_ops *ops)
{
	struct msk_irq_domain *d;
	struct msk_irq_domain_info info = { .name = name, .ops = ops, .hwirq_max = 256 };
	assert_msk_ok(msk_domain_create(core, &info, &d));
	return d;
}

static void test_domain_and_level_text(void **state)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = 2 };
	assert_msk_ok(msk_core_create(&cfg, &core));
	struct msk_irq_domain *d = mkdomain(core, "VEC", &ds_ops);
	unsigned int virq;
	assert_msk_ok(msk_domain_alloc_irqs(d, 2, NULL, NULL, &virq));
	char buf[64];
	assert_int_equal(msk_domain_debug_show(d, NULL, buf, sizeof(buf)), strlen("matrix: VEC"));
	assert_string_equal(buf, "matrix: VEC");
	struct msk_irq_data *l = msk_irq_get_irq_data(core, virq + 1);
	assert_int_equal(msk_domain_debug_show(d, l, buf, sizeof(buf)), strlen("vector: 0x41"));
	assert_string_equal(buf, "vector: 0x41");
	/* Truncated to the buffer, still terminated. */
	assert_int_equal(msk_domain_debug_show(d, l, buf, 5), 4);
	assert_string_equal(buf, "vect");
	/* No buffer: nothing written, nothing returned. */
	assert_int_equal(msk_domain_debug_show(d, l, NULL, 16), 0);
	buf[0] = 'z';
	assert_int_equal(msk_domain_debug_show(d, l, buf, 0), 0);
	assert_int_equal(buf[0], 'z');
	/* A level of another domain, a domain without the callback, no domain. */
	struct msk_irq_domain *other = mkdomain(core, "OTHER", &ds_ops_silent);
	strcpy(buf, "junk");
	assert_int_equal(msk_domain_debug_show(other, l, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	strcpy(buf, "junk");
	assert_int_equal(msk_domain_debug_show(other, NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(msk_domain_debug_show(NULL, NULL, buf, sizeof(buf)), 0);
	/* A callback that forgets the terminator is cut at the buffer's end. */
	struct msk_irq_domain *bad = mkdomain(core, "BAD", &ds_ops_overrun);
	assert_int_equal(msk_domain_debug_show(bad, NULL, buf, 8), 7);
	assert_string_equal(buf, "xxxxxxx");
	assert_msk_ok(msk_domain_free_irqs(core, virq, 2));
	msk_core_destroy(core);
}

static void test_msi_device_domain_shows_the_message(void **state)
{
	struct tp t;
	assert_msk_ok(tp_create(&t, 2, 64, MSK_MSI_FLAG_PCI_MSIX, NULL));
	struct msk_device *dev;
	assert_msk_ok(msk_device_create(t.core, "0000:00:01.0", t.domain, NULL, &dev));
	struct msk_msi_domain_template tmpl;
	tp_template(&tmpl, "PCI-MSIX", MSK_DOMAIN_BUS_PCI_DEVICE_MSIX,
		    MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_ACTIVATE_EARLY |
			    MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS | MSK_MSI_FLAG_FREE_MSI_DESCS);
	assert_msk_ok(msk_msi_create_device_domain(dev, 0, &tmpl, 4, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(dev, 0, 0, 1));
	struct msk_irq_domain *dd = msk_msi_get_device_domain(dev, 0);
	struct msk_irq_data *l = msk_irq_get_irq_data(t.core, msk_msi_get_virq(dev, 0, 1));
	char buf[128], want[128];
	struct msk_msi_desc *desc = msk_msi_find_desc(dev, 0, 1);
	snprintf(want, sizeof(want), "address_hi: 0x%08x address_lo: 0x%08x msg_data: 0x%08x",
		 desc->msg.address_hi, desc->msg.address_lo, desc->msg.data);
	assert_int_equal(msk_domain_debug_show(dd, l, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(desc->msg.data, l->parent_data->hwirq); /* the parent composed it */
	/* About the domain itself it has nothing to say; the parent has no callback. */
	assert_int_equal(msk_domain_debug_show(dd, NULL, buf, sizeof(buf)), 0);
	assert_int_equal(msk_domain_debug_show(t.domain, l->parent_data, buf, sizeof(buf)), 0);
	assert_msk_ok(msk_device_destroy(dev));
	tp_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_and_level_text),
		cmocka_unit_test(test_msi_device_domain_shows_the_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
