/* SPDX-License-Identifier: MIT */
/*
 * The pSeries seed stories at the firmware level (seeds/000_*: the NVMe
 * boot failure "H_INT_GET_SOURCE_INFO lisn=0x1 failed -55"; linux-msi.md
 * section 10 items 7 and 12). The test plays the Linux pSeries MSI driver:
 * RTAS to get the vectors, hcalls to set them up, ESB loads to unmask.
 */
#include "xive_fixture.h"

#define NVME 0x010000u /* 0001:01:00.0 */

/* What Linux's xive_spapr_populate_irq_data + setup does for one vector. */
static int64_t setup_vector(struct fx *f, uint32_t lisn, uint32_t cpu, uint32_t eisn)
{
	uint64_t r[MSK_HCALL_NRETS];
	int64_t rc = fx_hcall(f, MSK_H_INT_GET_SOURCE_INFO, 0, lisn, 0, 0, 0, r);
	if (rc != MSK_H_SUCCESS)
		return rc;
	uint64_t mgmt = r[1];
	rc = fx_hcall(f, MSK_H_INT_SET_SOURCE_CONFIG, MSK_H_INT_SRC_SET_EISN, lisn, cpu, 6, eisn,
		      r);
	if (rc != MSK_H_SUCCESS)
		return rc;
	uint64_t v;
	assert_msk_ok(msk_bus_read(f->bus, mgmt + MSK_XIVE_ESB_SET_PQ_00, 8, NULL, &v));
	return MSK_H_SUCCESS;
}

/* What Linux's irq shutdown + free does: mask at the ESB, reset the EAS. */
static void free_vector(struct fx *f, uint32_t lisn)
{
	uint64_t r[MSK_HCALL_NRETS];
	fx_load(f, lisn, MSK_XIVE_ESB_SET_PQ_01);
	assert_int_equal(fx_hcall(f, MSK_H_INT_SET_SOURCE_CONFIG, 0, lisn, 0, 0xFF, 0, r),
			 MSK_H_SUCCESS);
}

static struct fx *machine(struct fake_dev **nvme, uint32_t quota)
{
	struct fx *f = fx_new(16, false);
	fx_fw(f, 1, quota); /* one IPI at LISN 0: the first MSI is LISN 0x1 */
	for (uint32_t cpu = 0; cpu < FX_CPUS; cpu++) {
		uint64_t r[MSK_HCALL_NRETS];
		assert_int_equal(fx_hcall(f, MSK_H_INT_SET_QUEUE_CONFIG, MSK_H_INT_EQ_ALWAYS_NOTIFY,
					  cpu, 6, FX_QPAGE(cpu, 6), 16, r),
				 MSK_H_SUCCESS);
	}
	*nvme = fake_dev_new(0, 129);
	fx_add_dev(f, NVME, MSK_SPAPR_PE_OWN, *nvme);
	return f;
}

/* The device signals MSI-X vector i with the message the firmware wrote. */
static void nvme_raise(struct fx *f, struct fake_dev *d, uint32_t i, uint32_t w)
{
	msk_ledger_raise(f->l, w);
	msk_bus_msi(f->bus, d->msix_addr[i], d->msix_data[i], 0x0100, w);
}

/*
 * Before the fix: prepare once (change-msi for 1 vector), and the free of
 * that vector disables MSI in RTAS (msi_post_free). The second allocation
 * does not prepare again: its LISN is gone and H_INT_GET_SOURCE_INFO
 * answers H_P2 = -55, exactly what the kernel logged.
 */
static void test_seed_post_free_disables(void **state)
{
	(void)state;
	struct fake_dev *d;
	struct fx *f = machine(&d, 0);
	uint32_t r[4], lisn = 0;
	assert_int_equal(fx_change_msi(f, NVME, MSK_RTAS_MSI_FN_MSIX, 1, 1, r), 0);
	assert_int_equal(r[1], 1);
	assert_int_equal(fx_query(f, NVME, 0, &lisn), 0);
	assert_int_equal(lisn, 0x1);
	assert_int_equal(setup_vector(f, lisn, 0, 100), MSK_H_SUCCESS);
	nvme_raise(f, d, 0, 1);
	assert_int_equal(fx_take(f, 0, NULL, NULL), 1);
	fx_load(f, lisn, MSK_XIVE_ESB_LOAD_EOI);

	/* Free: shutdown, then msi_post_free -> rtas_disable_msi. */
	free_vector(f, lisn);
	assert_int_equal(fx_change_msi(f, NVME, MSK_RTAS_MSI_FN_MSIX, 0, 1, r), 0);
	assert_int_equal(d->msix_addr[0], 0); /* the firmware cleared the message */

	/* Allocate again, reusing what prepare computed: LISN 0x1. */
	assert_int_equal(setup_vector(f, lisn, 0, 100), MSK_H_P2);
	assert_int_equal(MSK_H_P2, -55);
	assert_int_equal(fx_query(f, NVME, 0, &lisn), MSK_RTAS_HW_ERROR);
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES - 1);
	/* The device's events now go to address 0: RAM, lost. */
	nvme_raise(f, d, 0, 2);
	assert_int_equal(fx_lost(f, MSK_LOSS_MSI_TO_RAM), 2);
	fx_balanced(f);
	fx_free(f);
	free(d);
}

/*
 * After the fix: the RTAS disable runs in msi_teardown, at domain removal.
 * Allocate 1, free it, allocate many: every vector keeps a live LISN; only
 * the teardown gives them back.
 */
static void test_seed_teardown_keeps_lisns(void **state)
{
	(void)state;
	struct fake_dev *d;
	struct fx *f = machine(&d, 0);
	uint32_t r[4], lisn[16];
	/* prepare, once, for the domain's hwsize */
	assert_int_equal(fx_change_msi(f, NVME, MSK_RTAS_MSI_FN_MSIX, 16, 1, r), 0);
	assert_int_equal(r[1], 16);
	for (uint32_t i = 0; i < 16; i++) {
		assert_int_equal(fx_query(f, NVME, i, &lisn[i]), 0);
		assert_int_equal(lisn[i], 0x1 + i);
	}
	/* NVMe: one vector, free it, then all of them. */
	assert_int_equal(setup_vector(f, lisn[0], 0, 200), MSK_H_SUCCESS);
	nvme_raise(f, d, 0, 1);
	assert_int_equal(fx_take(f, 0, NULL, NULL), 1);
	fx_load(f, lisn[0], MSK_XIVE_ESB_LOAD_EOI);
	free_vector(f, lisn[0]);
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(setup_vector(f, lisn[i], i % FX_CPUS, 200 + i), MSK_H_SUCCESS);
	for (uint32_t i = 0; i < 16; i++)
		nvme_raise(f, d, i, 1);
	uint32_t taken = 0;
	for (uint32_t cpu = 0; cpu < FX_CPUS; cpu++) {
		uint32_t eisn, w, n = 0;
		unsigned int prio;
		while (msk_xive_take(f->x, cpu, &eisn, &prio, &w) == 1) {
			msk_ledger_deliver(f->l, w);
			assert_int_equal((eisn - 200) % FX_CPUS, cpu);
			n++;
		}
		assert_int_equal(n, 4);
		taken += n;
	}
	assert_int_equal(taken, 16);
	struct msk_ledger_counts c;
	msk_ledger_read(f->l, &c);
	assert_int_equal(c.lost, 0);
	fx_balanced(f);
	/* Domain removal: msi_teardown disables; every LISN returns. */
	for (uint32_t i = 0; i < 16; i++)
		free_vector(f, lisn[i]);
	assert_int_equal(fx_change_msi(f, NVME, MSK_RTAS_MSI_FN_MSIX, 0, 1, r), 0);
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES - 1);
	uint64_t h[MSK_HCALL_NRETS];
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(fx_hcall(f, MSK_H_INT_GET_SOURCE_INFO, 0, lisn[i], 0, 0, 0, h),
				 MSK_H_P2);
	fx_balanced(f);
	fx_free(f);
	free(d);
}

/*
 * Item 12: an NVMe with 129 MSI-X vectors on a PE with a 128 quota. The
 * firmware answers "128 available" and allocates nothing; the fixed
 * driver retries with the offered count.
 */
static void test_seed_quota_retry(void **state)
{
	(void)state;
	struct fake_dev *d;
	struct fx *f = machine(&d, 128);
	uint32_t r[4];
	uint32_t want = 129, seq = 1;
	assert_int_equal(fx_change_msi(f, NVME, MSK_RTAS_MSI_FN_MSIX, want, seq, r), 0);
	assert_int_equal(r[1], 128);
	assert_int_equal(fx_fn(f, NVME).count, 0);
	assert_int_equal(d->writes, 0);
	want = r[1];
	seq = r[2];
	assert_int_equal(fx_change_msi(f, NVME, MSK_RTAS_MSI_FN_MSIX, want, seq, r), 0);
	assert_int_equal(r[1], 128);
	struct msk_spapr_fn_info info = fx_fn(f, NVME);
	assert_int_equal(info.count, 128);
	assert_int_equal(info.pe_used, 128);
	assert_int_equal(info.pe_quota, 128);
	uint32_t lisn;
	assert_int_equal(fx_query(f, NVME, 127, &lisn), 0);
	assert_int_equal(lisn, 0x1 + 127);
	assert_int_equal(fx_query(f, NVME, 128, &lisn), MSK_RTAS_HW_ERROR);
	fx_free(f);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_post_free_disables),
		cmocka_unit_test(test_seed_teardown_keeps_lisns),
		cmocka_unit_test(test_seed_quota_retry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
