/* SPDX-License-Identifier: MIT */
/*
 * The PCI layer: multi-message MSI (power of two, aligned data, MME,
 * per-vector masking), MSI <-> MSI-X switching, bad input, and a function
 * built from a real config-space image.
 */
#include "pci_fixture.h"

#include <stdio.h>

static struct pf F;

static int setup(void **state)
{
	*state = &F;
	return pf_setup(&F, PF_SUPPORTED, 4096) || pf_add(&F, 8, true, 16, 0, MSK_PCIFN_MSIX_DROP);
}

static int setup_msi_only(void **state)
{
	*state = &F;
	return pf_setup(&F, PF_SUPPORTED, 4096) || pf_add(&F, 32, false, 0, 0, MSK_PCIFN_MSIX_DROP);
}

static int setup_plain(void **state)
{
	*state = &F;
	return pf_setup(&F, MSK_MSI_FLAG_PCI_MSIX, 4096) ||
	       pf_add(&F, 8, true, 0, 0, MSK_PCIFN_MSIX_DROP);
}

static int teardown(void **state)
{
	pf_teardown(*state);
	return 0;
}

static void test_multi_msi(void **state)
{
	struct pf *f = *state;
	assert_int_equal(msk_pci_msi_vec_count(f->pdev), 8);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 8, MSK_PCI_IRQ_MSI, NULL), 8);
	/* The domain is sized by the capability's count (the June 2025 fix), not 1. */
	struct msk_irq_domain *d = msk_msi_get_device_domain(msk_pci_msi_device(f->pdev), 0);
	assert_string_equal(msk_domain_name(d), "TEST-PCI-MSI-0000:01:00.0");
	assert_int_equal(msk_msi_domain_get_info(d)->hwsize, 8);
	assert_int_equal(f->tp.last_prepare_nvec, 8);
	struct msk_pcifn_msi_state st;
	msk_pcifn_msi_state(f->fn, &st);
	assert_true(st.enabled);
	assert_int_equal(st.vectors_enabled, 8);
	assert_int_equal(st.data & 7, 0); /* naturally aligned block */
	assert_int_equal(st.mask, 0xff);  /* all masked until started */
	int base = msk_pci_irq_vector(f->pdev, 0);
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(msk_pci_irq_vector(f->pdev, i), base + (int)i);
		assert_msk_ok(msk_request_irq(f->tp.core, (unsigned)base + i, pf_handler, "q", f));
	}
	assert_msk_error(msk_pci_irq_vector(f->pdev, 8), MSK_EINVAL);
	msk_pcifn_msi_state(f->fn, &st);
	assert_int_equal(st.mask, 0);
	/* Vector 5: data | 5 reaches the parent's hwirq of virq base + 5. */
	assert_msk_ok(msk_pcifn_raise(f->fn, 5));
	assert_int_equal(atomic_load(&f->calls[base + 5]), 1);
	/* Per-vector mask through the core: held in the function, sent once. */
	assert_msk_ok(msk_irq_mask(f->tp.core, (unsigned)base + 3));
	msk_pcifn_msi_state(f->fn, &st);
	assert_int_equal(st.mask, 1u << 3);
	assert_msk_ok(msk_pcifn_raise(f->fn, 3));
	assert_msk_ok(msk_pcifn_raise(f->fn, 3));
	assert_int_equal(atomic_load(&f->calls[base + 3]), 0);
	pf_balanced(f);
	assert_msk_ok(msk_irq_unmask(f->tp.core, (unsigned)base + 3));
	assert_int_equal(atomic_load(&f->calls[base + 3]), 1);
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.delivered, 3);
	assert_int_equal(c.lost, 0);
	for (unsigned int i = 0; i < 8; i++)
		assert_msk_ok(msk_free_irq(f->tp.core, (unsigned)base + i));
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev));
	msk_pcifn_msi_state(f->fn, &st);
	assert_false(st.enabled);
	pf_balanced(f);
}

static void test_non_power_of_two(void **state)
{
	struct pf *f = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 3, 3, MSK_PCI_IRQ_MSI, NULL), 3);
	struct msk_pcifn_msi_state st;
	msk_pcifn_msi_state(f->fn, &st);
	assert_int_equal(st.vectors_enabled, 4); /* MME = log2(roundup(3)) */
	assert_int_equal(st.data & 3, 0);
	assert_msk_error(msk_pci_irq_vector(f->pdev, 3), MSK_EINVAL);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev));
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 32, MSK_PCI_IRQ_MSI, NULL), 32);
}

/* A parent without multi-MSI (x86 without remapping): MSI shrinks to 1. */
static void test_parent_without_multi_msi(void **state)
{
	struct pf *f = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 8, MSK_PCI_IRQ_MSI, NULL), 1);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev));
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 2, 8, MSK_PCI_IRQ_MSI, NULL),
			 MSK_ENOSPC);
}

static void test_switch_msi_msix(void **state)
{
	struct pf *f = *state;
	/* MSI-X preferred when both are asked for. */
	assert_int_equal(
		msk_pci_alloc_irq_vectors(f->pdev, 1, 4, MSK_PCI_IRQ_MSI | MSK_PCI_IRQ_MSIX, NULL),
		4);
	struct msk_pci_state ps;
	msk_pci_get_state(f->pdev, &ps);
	assert_true(ps.msix_enabled);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev));
	/* Switching to MSI replaces the domain: teardown of the MSI-X one, a new prepare. */
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 2, MSK_PCI_IRQ_MSI, NULL), 2);
	assert_int_equal(f->tp.teardowns, 1);
	assert_int_equal(f->tp.prepares, 2);
	struct msk_irq_domain *d = msk_msi_get_device_domain(msk_pci_msi_device(f->pdev), 0);
	assert_string_equal(msk_domain_name(d), "TEST-PCI-MSI-0000:01:00.0");
	assert_null(msk_domain_find(f->tp.core, "TEST-PCI-MSIX-0000:01:00.0"));
	assert_int_equal(msk_msi_violation_count(f->tp.core), 0);
}

static void test_bad_input(void **state)
{
	struct pf *f = *state;
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 0, 4, MSK_PCI_IRQ_MSIX, NULL),
			 MSK_EINVAL);
	/* The codes of Linux 6.12 pci_alloc_irq_vectors_affinity(). */
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 5, 4, MSK_PCI_IRQ_MSIX, NULL),
			 MSK_ERANGE);
	assert_non_null(strstr(msk_last_error(), "min > max"));
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 5, 4, MSK_PCI_IRQ_MSI, NULL),
			 MSK_ERANGE);
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 1, 4, 0, NULL), MSK_ENOSPC);
	/* No MSI-X capability on this function. */
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 1, 4, MSK_PCI_IRQ_MSIX, NULL),
			 MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "no MSI-X capability"));
	assert_msk_error(msk_pci_msix_vec_count(f->pdev), MSK_EINVAL);
	/* More than the capability has. */
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 33, 64, MSK_PCI_IRQ_MSI, NULL),
			 MSK_ENOSPC);
	assert_msk_error(msk_pci_irq_vector(f->pdev, 0), MSK_EINVAL);
	struct msk_msi_map m = msk_pci_msix_alloc_irq_at(f->pdev, 0, NULL);
	assert_int_equal(m.index, -MSK_ENOTSUP);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev)); /* nothing enabled: fine */
	assert_int_equal(f->tp.prepares, 0);
}

/* A function that went away answers all-ones: the layer refuses cleanly. */
static int gone_cfg_read(void *ctx, unsigned int off, unsigned int size, uint64_t *v)
{
	*v = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return 0;
}
static int gone_cfg_write(void *ctx, unsigned int off, uint64_t v, unsigned int size)
{
	return 0;
}
static int gone_bar_read(void *ctx, unsigned int bar, uint64_t off, unsigned int size, uint64_t *v)
{
	*v = ~0ull;
	return 0;
}
static int gone_bar_write(void *ctx, unsigned int bar, uint64_t off, uint64_t v, unsigned int size)
{
	return 0;
}

static void test_removed_function(void **state)
{
	struct pf *f = *state;
	static const struct msk_pci_access gone = { gone_cfg_read, gone_cfg_write, gone_bar_read,
						    gone_bar_write };
	struct msk_pci_dev *p;
	assert_msk_error(msk_pci_dev_create(f->tp.core, f->tp.domain, "0000:09:00.0", 0x900, &gone,
					    NULL, &p),
			 MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "no function answers"));
}

/* A real virtio function's config space (Linux 6.18 guest), driven by the layer. */
static void test_real_config_image(void **state)
{
	struct pf *f = *state;
	char path[512];
	snprintf(path, sizeof(path),
		 "%s/real-machines/kvm-virtio-linux618/sys_bus_pci_devices/"
		 "0000:00:04.0/config",
		 MSK_TEST_DATA_DIR);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	unsigned char img[256];
	assert_int_equal(fread(img, 1, sizeof(img), fp), sizeof(img));
	fclose(fp);
	struct msk_pcifn *fn;
	struct msk_pcifn_image_opts o;
	memset(&o, 0, sizeof(o));
	o.dev = 4;
	o.manual_bars = true;
	assert_msk_ok(msk_pcifn_create_from_image(f->bus, img, sizeof(img), &o, &fn));
	struct msk_pci_dev *p;
	assert_msk_ok(msk_pci_dev_create_pcifn(f->tp.core, f->tp.domain, fn, 0, &p));
	assert_string_equal(msk_pci_name(p), "0000:00:04.0");
	/* lspci: "MSI-X: Enable+ Count=4 Masked-" (virtio-net: config, rx, tx, event). */
	assert_int_equal(msk_pci_msix_vec_count(p), 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(p, 1, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	int v = msk_pci_irq_vector(p, 1);
	assert_msk_ok(msk_request_irq(f->tp.core, (unsigned)v, pf_handler, "virtio3-rx", f));
	assert_msk_ok(msk_pcifn_raise(fn, 1));
	assert_int_equal(atomic_load(&f->calls[v]), 1);
	assert_string_equal(msk_domain_name(msk_msi_get_device_domain(msk_pci_msi_device(p), 0)),
			    "TEST-PCI-MSIX-0000:00:04.0");
	assert_msk_ok(msk_free_irq(f->tp.core, (unsigned)v));
	assert_msk_ok(msk_pci_dev_destroy(p));
	msk_pcifn_destroy(fn);
	pf_balanced(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_multi_msi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_power_of_two, setup_msi_only, teardown),
		cmocka_unit_test_setup_teardown(test_parent_without_multi_msi, setup_plain,
						teardown),
		cmocka_unit_test_setup_teardown(test_switch_msi_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup_msi_only, teardown),
		cmocka_unit_test_setup_teardown(test_removed_function, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_config_image, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
