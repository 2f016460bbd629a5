/* SPDX-License-Identifier: MIT */
/*
 * pSeries firmware: RTAS ibm,change-msi (all or nothing, quotas, PEs,
 * contiguity, MSI alignment, release, status codes) and
 * ibm,query-interrupt-source-number; function registration and removal.
 */
#include "xive_fixture.h"

#define DEV_A 0x010000u /* bus 1, devfn 0 */
#define DEV_B 0x010100u
#define DEV_C 0x010200u
#define DEV_D 0x020800u

static void assert_claimed(struct fx *f, uint32_t lisn)
{
	struct msk_xive_source_info si;
	assert_msk_ok(msk_xive_get_source(f->x, lisn, &si));
	assert_true(si.eas.valid);
	assert_true(si.eas.masked);
	assert_int_equal(si.pq, MSK_XIVE_PQ_OFF);
}

static void assert_unclaimed(struct fx *f, uint32_t lisn)
{
	struct msk_xive_source_info si;
	assert_msk_ok(msk_xive_get_source(f->x, lisn, &si));
	assert_false(si.eas.valid);
	assert_int_equal(si.pq, MSK_XIVE_PQ_OFF);
	uint64_t r[MSK_HCALL_NRETS];
	assert_int_equal(fx_hcall(f, MSK_H_INT_GET_SOURCE_INFO, 0, lisn, 0, 0, 0, r), MSK_H_P2);
}

static void test_msix_allocation(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 4, 0);
	struct fake_dev *d = fake_dev_new(0, 16);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, d);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 4, 1, r), 0);
	assert_int_equal(r[1], 4);
	assert_int_equal(r[2], 2);
	assert_int_equal(r[3], MSK_RTAS_TYPE_MSIX);
	struct msk_spapr_fn_info info = fx_fn(f, DEV_A);
	assert_int_equal(info.type, MSK_RTAS_TYPE_MSIX);
	assert_int_equal(info.count, 4);
	assert_int_equal(info.block, 4);
	assert_int_equal(info.first_lisn, 4); /* the pool starts after the IPIs */
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(d->msix_addr[i], FX_MSI_WINDOW);
		assert_int_equal(d->msix_data[i], 4 + i);
		assert_claimed(f, 4 + i);
		uint32_t lisn;
		assert_int_equal(fx_query(f, DEV_A, i, &lisn), 0);
		assert_int_equal(lisn, 4 + i);
	}
	assert_int_equal(d->msix_addr[4], 0);
	assert_int_equal(d->writes, 4);
	uint32_t lisn;
	assert_int_equal(fx_query(f, DEV_A, 4, &lisn), MSK_RTAS_HW_ERROR);
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES - 4 - 4);
	uint32_t base, count;
	msk_spapr_ipi_range(f->fw, &base, &count);
	assert_int_equal(base, 0);
	assert_int_equal(count, 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_claimed(f, i); /* IPIs are claimed from the start */
	msk_spapr_msi_range(f->fw, &base, &count);
	assert_int_equal(base, 4);
	assert_int_equal(count, FX_SOURCES - 4);
	fx_free(f);
	free(d);
}

/* The seed's quota case: 129 asked, 128 allowed. */
static void test_quota_all_or_nothing(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 4, 128);
	struct fake_dev *d = fake_dev_new(0, 2048);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, d);
	uint32_t free0 = msk_spapr_pool_free(f->fw), r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 129, 1, r), 0);
	assert_int_equal(r[1], 128);
	assert_int_equal(r[2], 2);
	assert_int_equal(r[3], MSK_RTAS_TYPE_MSIX);
	struct msk_spapr_fn_info info = fx_fn(f, DEV_A);
	assert_int_equal(info.count, 0);
	assert_int_equal(info.type, MSK_RTAS_TYPE_NONE);
	assert_int_equal(info.pe_used, 0);
	assert_int_equal(info.pe_quota, 128);
	assert_int_equal(d->writes, 0);
	assert_int_equal(msk_spapr_pool_free(f->fw), free0);
	assert_unclaimed(f, 4);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 128, 2, r), 0);
	assert_int_equal(r[1], 128);
	assert_int_equal(r[2], 3);
	info = fx_fn(f, DEV_A);
	assert_int_equal(info.count, 128);
	assert_int_equal(info.pe_used, 128);
	assert_int_equal(d->writes, 128);
	assert_int_equal(msk_spapr_pool_free(f->fw), free0 - 128);
	fx_free(f);
	free(d);
}

/* Functions of one PE share its quota. */
static void test_pe_shared_quota(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 0, 64);
	struct fake_dev *a = fake_dev_new(0, 32), *b = fake_dev_new(0, 32);
	fx_add_dev(f, DEV_A, 7, a);
	fx_add_dev(f, DEV_B, 7, b);
	assert_msk_ok(msk_spapr_set_pe_quota(f->fw, FX_BUID, 7, 16));
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 10, 1, r), 0);
	assert_int_equal(r[1], 10);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSIX, 8, 1, r), 0);
	assert_int_equal(r[1], 6);
	assert_int_equal(fx_fn(f, DEV_B).count, 0);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSIX, 6, 1, r), 0);
	assert_int_equal(r[1], 6);
	struct msk_spapr_fn_info ia = fx_fn(f, DEV_A);
	assert_int_equal(ia.pe, 7);
	assert_int_equal(ia.pe_used, 16);
	/* A asks for more: its own 10 count as available, B's 6 do not. */
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 12, 1, r), 0);
	assert_int_equal(r[1], 10);
	struct msk_spapr_fn_info ia2 = fx_fn(f, DEV_A);
	assert_memory_equal(&ia, &ia2, sizeof(ia)); /* nothing changed */
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 10, 1, r), 0);
	assert_int_equal(r[1], 10);
	/* Lifting the quota. */
	assert_msk_ok(msk_spapr_set_pe_quota(f->fw, FX_BUID, 7, 0));
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 20, 1, r), 0);
	assert_int_equal(r[1], 20);
	assert_int_equal(fx_fn(f, DEV_B).pe_used, 26);
	/* Lowering it below use: later requests only. */
	assert_msk_ok(msk_spapr_set_pe_quota(f->fw, FX_BUID, 7, 8));
	assert_int_equal(fx_fn(f, DEV_A).count, 20);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 4, 1, r), 0);
	assert_int_equal(r[1], 2); /* 8 - B's 6 */
	assert_msk_error(msk_spapr_set_pe_quota(f->fw, FX_BUID, 8, 1), MSK_ENOENT);
	assert_msk_error(msk_spapr_set_pe_quota(f->fw, FX_BUID + 1, 7, 1), MSK_ENOENT);
	/* A function of its own PE does not share. */
	struct fake_dev *c = fake_dev_new(0, 32);
	fx_add_dev(f, DEV_C, MSK_SPAPR_PE_OWN, c);
	assert_int_equal(fx_change_msi(f, DEV_C, MSK_RTAS_MSI_FN_MSIX, 32, 1, r), 0);
	assert_int_equal(r[1], 32);
	assert_int_equal(fx_fn(f, DEV_C).pe_used, 32);
	assert_true(fx_fn(f, DEV_C).pe != 7);
	fx_free(f);
	free(a);
	free(b);
	free(c);
}

/* MSI-X vectors are one contiguous block from index 0, first fit. */
static void test_msix_contiguous(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 0, 0);
	struct fake_dev *d[4];
	const uint32_t cfg[4] = { DEV_A, DEV_B, DEV_C, DEV_D };
	for (int i = 0; i < 4; i++) {
		d[i] = fake_dev_new(0, 64);
		fx_add_dev(f, cfg[i], MSK_SPAPR_PE_OWN, d[i]);
	}
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 4, 1, r), 0);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSIX, 4, 1, r), 0);
	uint32_t a_first = fx_fn(f, DEV_A).first_lisn, b_first = fx_fn(f, DEV_B).first_lisn;
	assert_int_equal(b_first, a_first + 4);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 0, 1, r), 0);
	/* A's hole holds 4: a request for 6 goes after B. */
	assert_int_equal(fx_change_msi(f, DEV_C, MSK_RTAS_MSI_FN_MSIX, 6, 1, r), 0);
	uint32_t c_first = fx_fn(f, DEV_C).first_lisn;
	assert_int_equal(c_first, b_first + 4);
	for (uint32_t i = 0; i < 6; i++) {
		uint32_t lisn;
		assert_int_equal(fx_query(f, DEV_C, i, &lisn), 0);
		assert_int_equal(lisn, c_first + i);
		assert_int_equal(d[2]->msix_data[i], c_first + i);
	}
	assert_int_equal(fx_change_msi(f, DEV_D, MSK_RTAS_MSI_FN_MSIX, 4, 1, r), 0);
	assert_int_equal(fx_fn(f, DEV_D).first_lisn, a_first);
	fx_free(f);
	for (int i = 0; i < 4; i++)
		free(d[i]);
}

/* An MSI block is aligned to its power-of-two size. */
static void test_msi_block_alignment(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 5, 0);
	struct fake_dev *d = fake_dev_new(8, 0);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, d);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSI, 3, 1, r), 0);
	assert_int_equal(r[1], 3);
	assert_int_equal(r[3], MSK_RTAS_TYPE_MSI);
	struct msk_spapr_fn_info info = fx_fn(f, DEV_A);
	assert_int_equal(info.count, 3);
	assert_int_equal(info.block, 4);
	assert_int_equal(info.first_lisn, 8); /* the pool starts at 5 */
	assert_int_equal(d->msi_addr, FX_MSI_WINDOW);
	assert_int_equal(d->msi_data, 8);
	assert_int_equal(d->writes, 1);
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES - 5 - 4);
	assert_claimed(f, 10);
	assert_unclaimed(f, 11); /* reserved for alignment, not claimed */
	uint32_t lisn;
	assert_int_equal(fx_query(f, DEV_A, 2, &lisn), 0);
	assert_int_equal(lisn, 10);
	assert_int_equal(fx_query(f, DEV_A, 3, &lisn), MSK_RTAS_HW_ERROR);
	/* More than the capability: the capability's size, nothing changes. */
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSI, 16, 1, r), 0);
	assert_int_equal(r[1], 8);
	assert_int_equal(fx_fn(f, DEV_A).count, 3);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSI, 8, 1, r), 0);
	info = fx_fn(f, DEV_A);
	assert_int_equal(info.first_lisn % 8, 0);
	assert_int_equal(info.block, 8);
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES - 5 - 8);
	fx_free(f);
	free(d);
}

/* No aligned block of the capability's size: the largest aligned one. */
static void test_msi_fragmented_pool(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	struct msk_spapr_config cfg = { .ipi_count = 4, .msi_base = 16, .msi_count = 8 };
	assert_msk_ok(msk_spapr_create(f->x, &cfg, &f->fw));
	struct fake_dev *x = fake_dev_new(0, 1), *m = fake_dev_new(8, 0);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, x);
	fx_add_dev(f, DEV_B, MSK_SPAPR_PE_OWN, m);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 1, 1, r), 0);
	assert_int_equal(fx_fn(f, DEV_A).first_lisn, 16);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSI, 8, 1, r), 0);
	assert_int_equal(r[1], 4); /* 17..23 are free, but only 20..23 is aligned */
	assert_int_equal(fx_fn(f, DEV_B).count, 0);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSI, 3, 1, r), 0);
	assert_int_equal(fx_fn(f, DEV_B).first_lisn, 20);
	assert_int_equal(fx_fn(f, DEV_B).block, 4);
	fx_free(f);
	free(x);
	free(m);
}

static void test_release(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 2, 0);
	struct fake_dev *d = fake_dev_new(4, 8);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, d);
	uint32_t r[4], total = msk_spapr_pool_free(f->fw);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 0, 1, r),
			 MSK_RTAS_HW_ERROR); /* nothing to release */
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 8, 1, r), 0);
	uint32_t first = fx_fn(f, DEV_A).first_lisn;
	/* Function 3 with count 0 releases MSI-X too. */
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSI, 0, 7, r), 0);
	assert_int_equal(r[1], 0);
	assert_int_equal(r[2], 8);
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(d->msix_addr[i], 0);
		assert_int_equal(d->msix_data[i], 0);
		assert_unclaimed(f, first + i);
	}
	assert_int_equal(msk_spapr_pool_free(f->fw), total);
	assert_int_equal(fx_fn(f, DEV_A).pe_used, 0);
	uint32_t lisn;
	assert_int_equal(fx_query(f, DEV_A, 0, &lisn), MSK_RTAS_HW_ERROR);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 0, 1, r), MSK_RTAS_HW_ERROR);
	fx_free(f);
	free(d);
}

static void test_function_codes(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 0, 0);
	struct fake_dev *msi = fake_dev_new(2, 0), *msix = fake_dev_new(0, 4);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, msi);
	fx_add_dev(f, DEV_B, MSK_SPAPR_PE_OWN, msix);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_CHANGE, 1, 1, r), 0);
	assert_int_equal(r[3], MSK_RTAS_TYPE_MSI);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_CHANGE, 1, 1, r), 0);
	assert_int_equal(r[3], MSK_RTAS_TYPE_MSIX);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 1, 1, r),
			 MSK_RTAS_PARAM_ERROR);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSI, 1, 1, r),
			 MSK_RTAS_PARAM_ERROR);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSI32, 1, 1, r),
			 MSK_RTAS_PARAM_ERROR);
	const uint32_t bad[] = { 2, 6, 7, 0xFFFFFFFF };
	for (int i = 0; i < 4; i++)
		assert_int_equal(fx_change_msi(f, DEV_A, bad[i], 1, 1, r), MSK_RTAS_PARAM_ERROR);
	/* Function 0: our query, changes nothing. */
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_QUERY, 99, 4, r), 0);
	assert_int_equal(r[1], 1);
	assert_int_equal(r[2], 5);
	assert_int_equal(r[3], MSK_RTAS_TYPE_MSIX);
	assert_int_equal(fx_fn(f, DEV_B).count, 1);
	/* Function 5 needs the MSI window below 4 GiB; this one is not. */
	unsigned int writes = msi->writes;
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSI32, 1, 1, r),
			 MSK_RTAS_HW_ERROR);
	assert_int_equal(msi->writes, writes);
	assert_int_equal(fx_fn(f, DEV_A).count, 1);
	fx_free(f);
	free(msi);
	free(msix);
}

static void test_msi32_low_window(void **state)
{
	(void)state;
	struct msk_bus *bus;
	struct msk_xive *x;
	struct msk_spapr *fw;
	assert_msk_ok(msk_bus_create(0, FX_RAM_SIZE, NULL, &bus));
	struct msk_xive_config cfg = { .nr_sources = 64,
				       .nr_cpus = 1,
				       .esb_base = FX_ESB_BASE,
				       .msi_window_base = 0xF0000000,
				       .msi_window_size = 0x1000 };
	assert_msk_ok(msk_xive_create(bus, &cfg, &x));
	struct msk_spapr_config fcfg = { .ipi_count = 1 };
	assert_msk_ok(msk_spapr_create(x, &fcfg, &fw));
	struct fake_dev *d = fake_dev_new(1, 0);
	assert_msk_ok(msk_spapr_add_function(fw, 1, DEV_A, MSK_SPAPR_PE_OWN, &d->ops, d));
	uint32_t args[6] = { DEV_A, 0, 1, MSK_RTAS_MSI_FN_MSI32, 1, 1 }, r[3];
	assert_msk_ok(msk_spapr_rtas_call(fw, MSK_RTAS_CHANGE_MSI, args, 6, r, 3));
	assert_int_equal(r[0], 0);
	assert_int_equal(r[1], 1);
	assert_int_equal(d->msi_addr, 0xF0000000);
	assert_int_equal(d->msi_data, 1);
	msk_spapr_destroy(fw);
	msk_xive_destroy(x);
	msk_bus_destroy(bus);
	free(d);
}

static void test_bad_calls(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 0, 0);
	struct fake_dev *d = fake_dev_new(0, 4);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, d);
	uint32_t r[5];
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSIX, 1, 1, r),
			 MSK_RTAS_PARAM_ERROR);
	uint32_t args[6] = {
		DEV_A, (uint32_t)(FX_BUID >> 32), (uint32_t)FX_BUID + 1, MSK_RTAS_MSI_FN_MSIX, 1, 1
	};
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, args, 6, r, 4));
	assert_int_equal((int32_t)r[0], MSK_RTAS_PARAM_ERROR); /* wrong BUID */
	args[2] = (uint32_t)FX_BUID;
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, args, 5, r, 4));
	assert_int_equal((int32_t)r[0], MSK_RTAS_PARAM_ERROR);
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, args, 6, r, 2));
	assert_int_equal((int32_t)r[0], MSK_RTAS_PARAM_ERROR);
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, args, 6, r, 5));
	assert_int_equal((int32_t)r[0], MSK_RTAS_PARAM_ERROR);
	assert_int_equal(fx_fn(f, DEV_A).count, 0);
	/* The register byte of the config address is ignored. */
	args[0] = DEV_A | 0x40;
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, args, 6, r, 3));
	assert_int_equal(r[0], 0);
	assert_int_equal(r[1], 1);
	assert_int_equal(r[2], 2);
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_QUERY_SOURCE, args, 3, r, 3));
	assert_int_equal((int32_t)r[0], MSK_RTAS_PARAM_ERROR);
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_QUERY_SOURCE, args, 4, r, 4));
	assert_int_equal((int32_t)r[0], MSK_RTAS_PARAM_ERROR);
	uint32_t lisn;
	assert_int_equal(fx_query(f, DEV_B, 0, &lisn), MSK_RTAS_PARAM_ERROR);
	assert_msk_error(msk_spapr_rtas_call(f->fw, "ibm,read-pci-config", args, 6, r, 3),
			 MSK_ENOENT);
	assert_int_equal((int32_t)r[0], MSK_RTAS_PARAM_ERROR);
	assert_msk_error(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, args, 6, NULL, 3),
			 MSK_EINVAL);
	assert_msk_error(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, args, 6, r, 0),
			 MSK_EINVAL);
	assert_msk_error(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, NULL, 6, r, 3),
			 MSK_EINVAL);
	assert_msk_error(msk_spapr_rtas_call(f->fw, NULL, args, 6, r, 3), MSK_EINVAL);
	fx_free(f);
	free(d);
}

/* Changing an allocation clears the messages the new one does not cover. */
static void test_reallocation_clears_leftovers(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 0, 0);
	struct fake_dev *d = fake_dev_new(4, 8);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, d);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 8, 1, r), 0);
	uint32_t old_first = fx_fn(f, DEV_A).first_lisn;
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 4, 2, r), 0);
	uint32_t first = fx_fn(f, DEV_A).first_lisn;
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(d->msix_addr[i], i < 4 ? FX_MSI_WINDOW : 0);
		assert_int_equal(d->msix_data[i], i < 4 ? first + i : 0);
	}
	for (uint32_t l = old_first; l < old_first + 8; l++) {
		struct msk_xive_source_info si;
		assert_msk_ok(msk_xive_get_source(f->x, l, &si));
		assert_int_equal(si.eas.valid, l >= first && l < first + 4);
	}
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSI, 2, 3, r), 0);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(d->msix_addr[i], 0);
	assert_int_equal(d->msi_addr, FX_MSI_WINDOW);
	assert_int_equal(d->msi_data, fx_fn(f, DEV_A).first_lisn);
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES - 2);
	fx_free(f);
	free(d);
}

/* The device refuses a message write: hardware error, nothing allocated. */
static void test_callback_failure(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 0, 0);
	struct fake_dev *d = fake_dev_new(0, 8);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, d);
	uint32_t r[4];
	d->fail_at = 3;
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 4, 1, r), MSK_RTAS_HW_ERROR);
	assert_int_equal(fx_fn(f, DEV_A).count, 0);
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(d->msix_addr[i], 0);
	/* With an allocation in place, a failed change leaves nothing. */
	d->fail_at = 0;
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 6, 1, r), 0);
	d->writes = 0;
	d->fail_at = 2;
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 3, 1, r), MSK_RTAS_HW_ERROR);
	assert_int_equal(fx_fn(f, DEV_A).count, 0);
	assert_int_equal(fx_fn(f, DEV_A).pe_used, 0);
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(d->msix_addr[i], 0);
	for (uint32_t l = 0; l < FX_SOURCES; l++) {
		struct msk_xive_eas eas;
		assert_msk_ok(msk_xive_get_eas(f->x, l, &eas));
		assert_false(eas.valid);
	}
	fx_free(f);
	free(d);
}

/* A small pool: what is free decides; nothing free is a hardware error. */
static void test_pool_exhaustion(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	struct msk_spapr_config cfg = { .ipi_count = 4, .msi_base = 16, .msi_count = 8 };
	assert_msk_ok(msk_spapr_create(f->x, &cfg, &f->fw));
	struct fake_dev *a = fake_dev_new(0, 16), *b = fake_dev_new(0, 16);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, a);
	fx_add_dev(f, DEV_B, MSK_SPAPR_PE_OWN, b);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 16, 1, r), 0);
	assert_int_equal(r[1], 8);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 6, 1, r), 0);
	assert_int_equal(fx_fn(f, DEV_A).first_lisn, 16);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSIX, 4, 1, r), 0);
	assert_int_equal(r[1], 2);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSIX, 2, 1, r), 0);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 7, 1, r), 0);
	assert_int_equal(r[1], 6); /* its own 6; B holds the rest */
	struct fake_dev *c = fake_dev_new(0, 4);
	fx_add_dev(f, DEV_C, MSK_SPAPR_PE_OWN, c);
	assert_int_equal(fx_change_msi(f, DEV_C, MSK_RTAS_MSI_FN_MSIX, 1, 1, r), MSK_RTAS_HW_ERROR);
	assert_int_equal(msk_spapr_pool_free(f->fw), 0);
	fx_free(f);
	free(a);
	free(b);
	free(c);
}

/* Removing devices returns every LISN; events to them are dropped. */
static void test_device_removal(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 4, 0);
	struct fake_dev *a = fake_dev_new(0, 16), *b = fake_dev_new(4, 0);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, a);
	fx_add_dev(f, DEV_B, MSK_SPAPR_PE_OWN, b);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 16, 1, r), 0);
	assert_int_equal(fx_change_msi(f, DEV_B, MSK_RTAS_MSI_FN_MSI, 3, 1, r), 0);
	uint32_t a_first = fx_fn(f, DEV_A).first_lisn;
	assert_msk_ok(msk_spapr_remove_function(f->fw, FX_BUID, DEV_A));
	assert_msk_error(msk_spapr_remove_function(f->fw, FX_BUID, DEV_A), MSK_ENOENT);
	struct msk_spapr_fn_info info;
	assert_msk_error(msk_spapr_get_function(f->fw, FX_BUID, DEV_A, &info), MSK_ENOENT);
	for (uint32_t i = 0; i < 16; i++)
		assert_unclaimed(f, a_first + i);
	assert_int_equal(a->msix_addr[0], FX_MSI_WINDOW); /* the device was not called */
	/* A message the removed device still sends: dropped at the source. */
	msk_ledger_raise(f->l, 3);
	assert_msk_ok(msk_bus_msi(f->bus, a->msix_addr[5], a->msix_data[5], 0x0100, 3));
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_OFF), 3);
	assert_msk_ok(msk_spapr_remove_function(f->fw, FX_BUID, DEV_B));
	assert_int_equal(msk_spapr_pool_free(f->fw), FX_SOURCES - 4);
	fx_balanced(f);
	fx_free(f);
	free(a);
	free(b);
}

static void test_add_function_errors(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 0, 0);
	struct fake_dev *d = fake_dev_new(1, 1);
	fx_add_dev(f, DEV_A, 3, d);
	assert_msk_error(msk_spapr_add_function(f->fw, FX_BUID, DEV_A, 3, &d->ops, d), MSK_EEXIST);
	assert_msk_error(msk_spapr_add_function(f->fw, FX_BUID, DEV_B | 1, 3, &d->ops, d),
			 MSK_EINVAL);
	assert_msk_error(msk_spapr_add_function(f->fw, FX_BUID, 0x1000000, 3, &d->ops, d),
			 MSK_EINVAL);
	assert_msk_error(msk_spapr_add_function(f->fw, FX_BUID, DEV_B, 3, NULL, d), MSK_EINVAL);
	struct msk_spapr_fn_ops ops = d->ops;
	ops.write_msi_msg = NULL;
	assert_msk_error(msk_spapr_add_function(f->fw, FX_BUID, DEV_B, 3, &ops, d), MSK_EINVAL);
	ops = d->ops;
	ops.max_msi = 3;
	assert_msk_error(msk_spapr_add_function(f->fw, FX_BUID, DEV_B, 3, &ops, d), MSK_EINVAL);
	ops.max_msi = 64;
	assert_msk_error(msk_spapr_add_function(f->fw, FX_BUID, DEV_B, 3, &ops, d), MSK_EINVAL);
	ops.max_msi = 32;
	ops.max_msix = 2049;
	assert_msk_error(msk_spapr_add_function(f->fw, FX_BUID, DEV_B, 3, &ops, d), MSK_EINVAL);
	/* Out of memory at each allocation: nothing registered. */
	msk_fault_reset();
	assert_msk_ok(msk_spapr_add_function(f->fw, FX_BUID, DEV_B, 9, &d->ops, d));
	unsigned long n = msk_fault_alloc_count();
	assert_msk_ok(msk_spapr_remove_function(f->fw, FX_BUID, DEV_B));
	assert_true(n >= 3);
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		int rc = msk_spapr_add_function(f->fw, FX_BUID, DEV_B, 9, &d->ops, d);
		msk_fault_reset();
		assert_int_equal(rc, -MSK_ENOMEM);
		struct msk_spapr_fn_info info;
		assert_msk_error(msk_spapr_get_function(f->fw, FX_BUID, DEV_B, &info), MSK_ENOENT);
		assert_msk_error(msk_spapr_set_pe_quota(f->fw, FX_BUID, 9, 1), MSK_ENOENT);
	}
	assert_int_equal(fx_fn(f, DEV_A).pe, 3);
	fx_free(f);
	free(d);
}

static void test_create_errors(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	struct msk_spapr *fw;
	struct msk_spapr_config cfg = { .ipi_count = FX_SOURCES + 1 };
	assert_msk_error(msk_spapr_create(f->x, &cfg, &fw), MSK_EINVAL);
	cfg.ipi_count = FX_SOURCES; /* no room for MSIs */
	assert_msk_error(msk_spapr_create(f->x, &cfg, &fw), MSK_EINVAL);
	cfg = (struct msk_spapr_config){ .ipi_count = 8, .msi_base = 4, .msi_count = 8 };
	assert_msk_error(msk_spapr_create(f->x, &cfg, &fw), MSK_EINVAL);
	cfg = (struct msk_spapr_config){ .ipi_count = 8, .msi_base = 250, .msi_count = 8 };
	assert_msk_error(msk_spapr_create(f->x, &cfg, &fw), MSK_EINVAL);
	cfg = (struct msk_spapr_config){ .ipi_count = 8 };
	for (unsigned long k = 1; k <= 2; k++) {
		msk_fault_fail_alloc(k);
		int rc = msk_spapr_create(f->x, &cfg, &fw);
		msk_fault_reset();
		assert_int_equal(rc, -MSK_ENOMEM);
		struct msk_xive_eas eas;
		assert_msk_ok(msk_xive_get_eas(f->x, 0, &eas));
		assert_false(eas.valid); /* IPIs not claimed */
	}
	/* A XIVE without MSI window cannot serve MSIs. */
	struct msk_bus *bus;
	struct msk_xive *x;
	assert_msk_ok(msk_bus_create(0, 0, NULL, &bus));
	struct msk_xive_config xc = { .nr_sources = 8, .nr_cpus = 1, .esb_base = FX_ESB_BASE };
	assert_msk_ok(msk_xive_create(bus, &xc, &x));
	cfg.ipi_count = 1;
	assert_msk_error(msk_spapr_create(x, &cfg, &fw), MSK_EINVAL);
	msk_xive_destroy(x);
	msk_bus_destroy(bus);
	msk_spapr_destroy(NULL);
	fx_free(f);
}

/* End to end: the firmware programs the device, the guest routes, events flow. */
static void test_events_through_firmware(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_fw(f, 4, 0);
	struct fake_dev *d = fake_dev_new(0, 4);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, d);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 2, 1, r), 0);
	uint64_t h[MSK_HCALL_NRETS];
	assert_int_equal(fx_hcall(f, MSK_H_INT_SET_QUEUE_CONFIG, MSK_H_INT_EQ_ALWAYS_NOTIFY, 1, 5,
				  FX_QPAGE(1, 5), 16, h),
			 MSK_H_SUCCESS);
	for (uint32_t i = 0; i < 2; i++) {
		uint32_t lisn = 0;
		assert_int_equal(fx_query(f, DEV_A, i, &lisn), 0);
		assert_int_equal(fx_hcall(f, MSK_H_INT_GET_SOURCE_INFO, 0, lisn, 0, 0, 0, h),
				 MSK_H_SUCCESS);
		uint64_t mgmt = h[1];
		assert_int_equal(fx_hcall(f, MSK_H_INT_SET_SOURCE_CONFIG, MSK_H_INT_SRC_SET_EISN,
					  lisn, 1, 5, 0x1000 + i, h),
				 MSK_H_SUCCESS);
		uint64_t v;
		assert_msk_ok(msk_bus_read(f->bus, mgmt + MSK_XIVE_ESB_SET_PQ_00, 8, NULL, &v));
		assert_int_equal(v, MSK_XIVE_PQ_OFF);
	}
	for (uint32_t i = 0; i < 2; i++) {
		msk_ledger_raise(f->l, 2 + i);
		assert_msk_ok(msk_bus_msi(f->bus, d->msix_addr[i], d->msix_data[i], 0x0100, 2 + i));
	}
	uint32_t eisn;
	assert_int_equal(fx_take(f, 1, &eisn, NULL), 2);
	assert_int_equal(eisn, 0x1000);
	assert_int_equal(fx_take(f, 1, &eisn, NULL), 3);
	assert_int_equal(eisn, 0x1001);
	fx_balanced(f);
	fx_free(f);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msix_allocation),
		cmocka_unit_test(test_quota_all_or_nothing),
		cmocka_unit_test(test_pe_shared_quota),
		cmocka_unit_test(test_msix_contiguous),
		cmocka_unit_test(test_msi_block_alignment),
		cmocka_unit_test(test_msi_fragmented_pool),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_function_codes),
		cmocka_unit_test(test_msi32_low_window),
		cmocka_unit_test(test_bad_calls),
		cmocka_unit_test(test_reallocation_clears_leftovers),
		cmocka_unit_test(test_callback_failure),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_device_removal),
		cmocka_unit_test(test_add_function_errors),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_events_through_firmware),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
