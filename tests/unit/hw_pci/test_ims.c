/* SPDX-License-Identifier: MIT */
/* The IDXD-style Interrupt Message Store of the PCI function model. */
#include "pci_harness.h"

static struct msk_pcifn_config ims_cfg(void)
{
	/* IDXD-like: MSI-X in BAR0, IMS at BAR0 + 0x4000 (ims offset field 0x40). */
	struct msk_pcifn_config c = {
		.bus = 0x6a,
		.dev = 1,
		.fn = 0,
		.vendor_id = 0x8086,
		.device_id = 0x0b25,
		.class_code = 0x088000,
		.msix_entries = 9,
		.msix_table = { true, 0, 0x2000 },
		.msix_pba = { true, 0, 0x3000 },
		.ims_entries = 512,
		.ims = { true, 0, 0x4000 },
	};
	return c;
}

static void ims_wr(struct msk_pcifn *fn, unsigned int k, unsigned int field, uint32_t v)
{
	assert_msk_ok(msk_pcifn_bar_write(fn, 0, 0x4000 + 16 * k + 4 * field, v, 4));
}

static uint32_t ims_rd(struct msk_pcifn *fn, unsigned int k, unsigned int field)
{
	uint64_t v;
	assert_msk_ok(msk_pcifn_bar_read(fn, 0, 0x4000 + 16 * k + 4 * field, 4, &v));
	return (uint32_t)v;
}

/* Linux's IDXD IMS programming: masked entry, write message, then unmask. */
static void ims_program(struct msk_pcifn *fn, unsigned int k, uint64_t addr, uint32_t data)
{
	ims_wr(fn, k, 3, ims_rd(fn, k, 3) | 1);
	(void)ims_rd(fn, k, 3); /* flush */
	ims_wr(fn, k, 0, (uint32_t)addr);
	ims_wr(fn, k, 1, (uint32_t)(addr >> 32));
	ims_wr(fn, k, 2, data);
}

static void test_reset_state_and_layout(void **state)
{
	(void)state;
	struct msk_pcifn_config c = ims_cfg();
	struct rig *r = rig_with(&c);
	for (unsigned int k = 0; k < 512; k++) {
		assert_int_equal(ims_rd(r->fn, k, 0), 0);
		assert_int_equal(ims_rd(r->fn, k, 2), 0);
		assert_int_equal(ims_rd(r->fn, k, 3), 1);
	}
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(r->fn, 0, &bi));
	assert_int_equal(bi.size, 0x8000); /* 0x4000 + 8 KiB */
	struct msk_pcifn_ims_state is;
	assert_msk_ok(msk_pcifn_ims_state(r->fn, &is));
	assert_int_equal(is.entries, 512);
	assert_int_equal(is.offset, 0x4000);
	rig_free(r);
}

static void test_control_bits(void **state)
{
	(void)state;
	struct msk_pcifn_config c = ims_cfg();
	struct rig *r = rig_with(&c);
	ims_wr(r->fn, 7, 3, 0xFFFFFFFF);
	assert_int_equal(ims_rd(r->fn, 7, 3), 0xFFFFF009);
	ims_wr(r->fn, 7, 0, 0xFEE00007);
	assert_int_equal(ims_rd(r->fn, 7, 0), 0xFEE00004);
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_ims_entry(r->fn, 7, &v));
	assert_true(v.masked);
	assert_int_equal(v.control, 0xFFFFF009);
	assert_msk_error(msk_pcifn_ims_entry(r->fn, 512, &v), MSK_EINVAL);
	/* Odd accesses are ignored / read 0, as for the MSI-X table. */
	uint64_t x;
	assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, 0x4000 + 16 * 7 + 12, 0, 2));
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 0x4000 + 16 * 7 + 12, 2, &x));
	assert_int_equal(x, 0);
	assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, 0x4000 + 16 * 7 + 2, 0, 4));
	assert_int_equal(ims_rd(r->fn, 7, 3), 0xFFFFF009);
	/* Qword read of data + control. */
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 0x4000 + 16 * 7 + 8, 8, &x));
	assert_int_equal(x, 0xFFFFF009ull << 32);
	rig_free(r);
}

static void test_mask_latch_unmask_once(void **state)
{
	(void)state;
	struct msk_pcifn_config c = ims_cfg();
	struct rig *r = rig_with(&c);
	cmd_set(r->fn, 0x4);
	ims_program(r->fn, 300, DB_BASE + 0xA00, 0x1234);
	assert_msk_ok(msk_pcifn_ims_raise(r->fn, 300));
	assert_msk_ok(msk_pcifn_ims_raise_weight(r->fn, 300, 4));
	assert_int_equal(r->db.nlog, 0);
	assert_int_equal(msk_pcifn_held(r->fn), 5);
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_ims_entry(r->fn, 300, &v));
	assert_true(v.pending);
	assert_int_equal(v.pending_weight, 5);
	ims_wr(r->fn, 300, 3, 0);
	assert_int_equal(r->db.nlog, 1);
	assert_int_equal(db_last(r)->addr, DB_BASE + 0xA00);
	assert_int_equal(db_last(r)->data, 0x1234);
	assert_int_equal(db_last(r)->weight, 5);
	assert_int_equal(db_last(r)->rid, 0x6a08);
	/* Unmasked: straight out; mask/unmask with nothing pending: nothing. */
	assert_msk_ok(msk_pcifn_ims_raise(r->fn, 300));
	assert_int_equal(r->db.nlog, 2);
	ims_wr(r->fn, 300, 3, 1);
	ims_wr(r->fn, 300, 3, 0);
	assert_int_equal(r->db.nlog, 2);
	assert_msk_ok(msk_pcifn_ims_entry(r->fn, 300, &v));
	assert_int_equal(v.sent, 2);
	struct msk_pcifn_stats s;
	msk_pcifn_stats(r->fn, &s);
	assert_int_equal(s.msgs_ims, 2);
	assert_int_equal(s.msgs_msix, 0);
	assert_balanced(r);
	rig_free(r);
}

static void test_independent_of_msix(void **state)
{
	(void)state;
	struct msk_pcifn_config c = ims_cfg();
	struct rig *r = rig_with(&c);
	cmd_set(r->fn, 0x4);
	/* MSI-X disabled, then enabled with the function mask: IMS does not care. */
	ims_program(r->fn, 0, DB_BASE, 1);
	ims_wr(r->fn, 0, 3, 0);
	assert_msk_ok(msk_pcifn_ims_raise(r->fn, 0));
	msix_ctl(r->fn, 0xC000, 0);
	assert_msk_ok(msk_pcifn_ims_raise(r->fn, 0));
	assert_int_equal(r->db.nlog, 2);
	/* Function unmask does not release IMS slots; their own unmask does. */
	ims_wr(r->fn, 0, 3, 1);
	assert_msk_ok(msk_pcifn_ims_raise(r->fn, 0));
	msix_ctl(r->fn, 0, 0x4000);
	assert_int_equal(r->db.nlog, 2);
	ims_wr(r->fn, 0, 3, 0);
	assert_int_equal(r->db.nlog, 3);
	assert_balanced(r);
	rig_free(r);
}

static void test_bme_bad_index_reset(void **state)
{
	(void)state;
	struct msk_pcifn_config c = ims_cfg();
	struct rig *r = rig_with(&c);
	assert_msk_ok(msk_pcifn_ims_raise(r->fn, 1));
	assert_int_equal(lost_for(r, MSK_LOSS_BUS_MASTER_OFF), 1);
	assert_msk_error(msk_pcifn_ims_raise(r->fn, 512), MSK_EINVAL);
	assert_msk_error(msk_pcifn_ims_raise_weight(r->fn, 0, 0), MSK_EINVAL);
	cmd_set(r->fn, 0x4);
	assert_msk_ok(msk_pcifn_ims_raise_weight(r->fn, 511, 3));
	assert_msk_ok(msk_pcifn_ims_raise_weight(r->fn, 2, 2));
	struct msk_pcifn_ims_state is;
	assert_msk_ok(msk_pcifn_ims_state(r->fn, &is));
	assert_int_equal(is.pending, 2);
	assert_msk_ok(msk_pcifn_reset(r->fn));
	assert_int_equal(lost_for(r, MSK_LOSS_DEVICE_RESET), 5);
	assert_msk_ok(msk_pcifn_ims_state(r->fn, &is));
	assert_int_equal(is.pending, 0);
	assert_int_equal(ims_rd(r->fn, 511, 3), 1);
	assert_balanced(r);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state_and_layout),
		cmocka_unit_test(test_control_bits),
		cmocka_unit_test(test_mask_latch_unmask_once),
		cmocka_unit_test(test_independent_of_msix),
		cmocka_unit_test(test_bme_bad_index_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
