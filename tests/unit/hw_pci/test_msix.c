/* SPDX-License-Identifier: MIT */
/* MSI-X conformance of the PCI function model: table, PBA, masking, enable. */
#include "pci_harness.h"

static struct msk_pcifn_config msix_cfg(unsigned int n)
{
	struct msk_pcifn_config c = {
		.bus = 1,
		.dev = 2,
		.fn = 3,
		.vendor_id = 0x8086,
		.device_id = 0x1234,
		.class_code = 0x020000,
		.msix_entries = n,
	};
	return c;
}

static uint16_t rid_123(void)
{
	return 1 << 8 | 2 << 3 | 3;
}

static void test_reset_state(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(70);
	struct rig *r = rig_with(&c);
	unsigned int p = find_cap(r->fn, 0x11);
	assert_int_equal(p, 0xA0);
	assert_int_equal(cfg_rd(r->fn, p + 2, 2), 69); /* N-1, enable 0, mask 0 */
	for (unsigned int k = 0; k < 70; k++) {
		assert_int_equal(tbl_rd(r->fn, k, 0), 0);
		assert_int_equal(tbl_rd(r->fn, k, 1), 0);
		assert_int_equal(tbl_rd(r->fn, k, 2), 0);
		assert_int_equal(tbl_rd(r->fn, k, 3), 1); /* masked */
	}
	assert_int_equal(pba_rd64(r->fn, 0), 0);
	assert_int_equal(pba_rd64(r->fn, 1), 0);
	assert_int_equal(msk_pcifn_held(r->fn), 0);
	assert_int_equal(msk_pcifn_rid(r->fn), rid_123());
	assert_string_equal(msk_pcifn_name(r->fn), "01:02.3");
	rig_free(r);
}

static void test_table_size_encoding(void **state)
{
	(void)state;
	static const unsigned int sizes[] = { 1, 2, 3, 63, 64, 65, 127, 128, 129, 2047, 2048 };
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int n = sizes[i];
		struct msk_pcifn_config c = msix_cfg(n);
		struct rig *r = rig_with(&c);
		unsigned int p = find_cap(r->fn, 0x11);
		assert_int_equal(cfg_rd(r->fn, p + 2, 2) & 0x7FF, n - 1);
		/* Default exclusive BAR: table at 0, PBA at 2 KiB or right after the table. */
		unsigned int tbar, pbar;
		uint32_t toff, poff;
		table_loc(r->fn, &tbar, &toff);
		pba_loc(r->fn, &pbar, &poff);
		assert_int_equal(tbar, 0);
		assert_int_equal(pbar, 0);
		assert_int_equal(toff, 0);
		assert_int_equal(poff, 16 * n > 2048 ? 16 * n : 2048);
		struct msk_pcifn_bar_info bi;
		assert_msk_ok(msk_pcifn_bar_info(r->fn, 0, &bi));
		uint64_t need = poff + (n + 63) / 64 * 8, want = 4096;
		while (want < need)
			want <<= 1;
		assert_int_equal(bi.size, want);
		/* The last entry and the last PBA qword are reachable. */
		tbl_wr(r->fn, n - 1, 2, 0xABCD0000u + n);
		assert_int_equal(tbl_rd(r->fn, n - 1, 2), 0xABCD0000u + n);
		assert_int_equal(pba_rd64(r->fn, (n - 1) / 64), 0);
		struct msk_pcifn_msix_state ms;
		assert_msk_ok(msk_pcifn_msix_state(r->fn, &ms));
		assert_int_equal(ms.entries, n);
		assert_int_equal(ms.cap, p);
		rig_free(r);
	}
}

static void test_unmasked_message(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(4);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 4);
	assert_msk_ok(msk_pcifn_raise(r->fn, 2));
	assert_int_equal(r->db.nlog, 1);
	const struct db_msg *m = db_last(r);
	assert_int_equal(m->addr, DB_BASE + 0x1000 + 0x20);
	assert_int_equal(m->data, 0x42);
	assert_int_equal(m->rid, rid_123());
	assert_int_equal(m->weight, 1);
	/* A weighted raise is one message with that weight. */
	assert_msk_ok(msk_pcifn_raise_weight(r->fn, 3, 7));
	assert_int_equal(r->db.nlog, 2);
	assert_int_equal(db_last(r)->weight, 7);
	assert_int_equal(db_last(r)->data, 0x43);
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(r->fn, 3, &v));
	assert_int_equal(v.sent, 1);
	assert_false(v.masked);
	struct msk_pcifn_stats s;
	msk_pcifn_stats(r->fn, &s);
	assert_int_equal(s.msgs_msix, 2);
	assert_int_equal(s.weight_sent, 8);
	assert_balanced(r);
	rig_free(r);
}

static void test_mask_pending_unmask_once(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(8);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 8);
	msix_mask(r->fn, 5, true);
	for (int i = 0; i < 3; i++)
		assert_msk_ok(msk_pcifn_raise(r->fn, 5));
	assert_int_equal(r->db.nlog, 0);
	assert_true(pba_bit(r->fn, 5));
	assert_int_equal(pba_rd64(r->fn, 0), 1u << 5);
	assert_int_equal(msk_pcifn_held(r->fn), 3);
	assert_balanced(r);
	/* Re-masking a masked entry changes nothing. */
	msix_mask(r->fn, 5, true);
	assert_int_equal(r->db.nlog, 0);
	msix_mask(r->fn, 5, false);
	assert_int_equal(r->db.nlog, 1);
	assert_int_equal(db_last(r)->weight, 3);
	assert_int_equal(db_last(r)->data, 0x45);
	assert_false(pba_bit(r->fn, 5));
	assert_int_equal(msk_pcifn_held(r->fn), 0);
	/* Mask and unmask again with nothing pending: no message. */
	msix_mask(r->fn, 5, true);
	msix_mask(r->fn, 5, false);
	assert_int_equal(r->db.nlog, 1);
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(r->fn, 5, &v));
	assert_int_equal(v.sent, 1);
	assert_balanced(r);
	rig_free(r);
}

static void test_function_mask(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(8);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 8);
	msix_ctl(r->fn, 0x4000, 0);
	assert_msk_ok(msk_pcifn_raise(r->fn, 6));
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	/* Entry 3 is masked on its own too: function unmask must not send it. */
	msix_mask(r->fn, 3, true);
	assert_msk_ok(msk_pcifn_raise(r->fn, 3));
	assert_int_equal(r->db.nlog, 0);
	assert_int_equal(pba_rd64(r->fn, 0), (1u << 1) | (1u << 3) | (1u << 6));
	msix_ctl(r->fn, 0, 0x4000);
	assert_int_equal(r->db.nlog, 2);
	assert_int_equal(r->db.log[0].data, 0x41);
	assert_int_equal(r->db.log[0].weight, 2);
	assert_int_equal(r->db.log[1].data, 0x46);
	assert_int_equal(r->db.log[1].weight, 1);
	assert_int_equal(pba_rd64(r->fn, 0), 1u << 3);
	/* Setting and clearing the function mask again sends nothing new. */
	msix_ctl(r->fn, 0x4000, 0);
	msix_ctl(r->fn, 0, 0x4000);
	assert_int_equal(r->db.nlog, 2);
	msix_mask(r->fn, 3, false);
	assert_int_equal(r->db.nlog, 3);
	assert_int_equal(db_last(r)->data, 0x43);
	assert_balanced(r);
	rig_free(r);
}

static void test_odd_accesses(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(4);
	struct rig *r = rig_with(&c);
	msix_program(r->fn, 1, 0x11223344, 0x55667788);
	uint64_t v;
	/* 1- and 2-byte accesses: reads 0, writes ignored. */
	for (unsigned int size = 1; size <= 2; size++) {
		for (unsigned int off = 0x10; off < 0x20; off++) {
			assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, off, size, &v));
			assert_int_equal(v, 0);
			assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, off, 0xFFFF, size));
		}
	}
	/* Unaligned dwords and qwords. */
	for (unsigned int off = 0x11; off < 0x20; off++) {
		if (off % 4 == 0)
			continue;
		assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, off, 4, &v));
		assert_int_equal(v, 0);
		assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, off, 0, 4));
	}
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 0x14, 8, &v));
	assert_int_equal(v, 0);
	assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, 0x14, 0, 8));
	assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, 0x1C, 0, 8));
	assert_int_equal(tbl_rd(r->fn, 1, 0), 0x11223344);
	assert_int_equal(tbl_rd(r->fn, 1, 1), 0);
	assert_int_equal(tbl_rd(r->fn, 1, 2), 0x55667788);
	assert_int_equal(tbl_rd(r->fn, 1, 3), 1);
	/* Address bits 1:0 are hard-wired 0; reserved vector control bits too. */
	tbl_wr(r->fn, 1, 0, 0xFEE00003);
	assert_int_equal(tbl_rd(r->fn, 1, 0), 0xFEE00000);
	tbl_wr(r->fn, 1, 3, 0xFFFFFFFF);
	assert_int_equal(tbl_rd(r->fn, 1, 3), 1);
	/* Between the table and the PBA, and past the PBA: reads 0, writes ignored. */
	assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, 0x400, 0xdead, 4));
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 0x400, 4, &v));
	assert_int_equal(v, 0);
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 0xFF8, 8, &v));
	assert_int_equal(v, 0);
	/* API misuse: bad BAR, size, range. Nothing changes. */
	assert_msk_error(msk_pcifn_bar_read(r->fn, 1, 0, 4, &v), MSK_EINVAL);
	assert_int_equal(v, 0);
	assert_msk_error(msk_pcifn_bar_read(r->fn, 6, 0, 4, &v), MSK_EINVAL);
	assert_msk_error(msk_pcifn_bar_read(r->fn, 0, 0, 3, &v), MSK_EINVAL);
	assert_msk_error(msk_pcifn_bar_read(r->fn, 0, 0x1000, 4, &v), MSK_EINVAL);
	assert_msk_error(msk_pcifn_bar_read(r->fn, 0, 0xFFC, 8, &v), MSK_EINVAL);
	assert_msk_error(msk_pcifn_bar_write(r->fn, 0, ~0ull, 0, 4), MSK_EINVAL);
	assert_msk_error(msk_pcifn_bar_write(r->fn, 2, 0, 0, 4), MSK_EINVAL);
	assert_int_equal(tbl_rd(r->fn, 1, 2), 0x55667788);
	rig_free(r);
}

static void test_qword_accesses(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(4);
	struct rig *r = rig_with(&c);
	cmd_set(r->fn, 0x4);
	msix_ctl(r->fn, 0x8000, 0);
	/* Address as one qword. */
	assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, 0x20, DB_BASE + 0x2000 + 3, 8));
	assert_int_equal(tbl_rd(r->fn, 2, 0), (uint32_t)(DB_BASE + 0x2000));
	assert_int_equal(tbl_rd(r->fn, 2, 1), 0);
	uint64_t v;
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 0x20, 8, &v));
	assert_int_equal(v, DB_BASE + 0x2000);
	/* Raise while masked, then one qword write of data (low) + control (high):
	 * the data lands first, the unmask is evaluated after the high dword. */
	assert_msk_ok(msk_pcifn_raise(r->fn, 2));
	assert_int_equal(r->db.nlog, 0);
	assert_msk_ok(msk_pcifn_bar_write(r->fn, 0, 0x28, 0x0000000000000077ull, 8));
	assert_int_equal(r->db.nlog, 1);
	assert_int_equal(db_last(r)->data, 0x77);
	assert_int_equal(db_last(r)->addr, DB_BASE + 0x2000);
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 0x28, 8, &v));
	assert_int_equal(v, 0x77);
	/* PBA qword and dword reads. */
	msix_mask(r->fn, 2, true);
	assert_msk_ok(msk_pcifn_raise(r->fn, 2));
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 2048, 4, &v));
	assert_int_equal(v, 4);
	assert_msk_ok(msk_pcifn_bar_read(r->fn, 0, 2048, 8, &v));
	assert_int_equal(v, 4);
	assert_balanced(r);
	rig_free(r);
}

static void test_pba_read_only(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(100);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 100);
	msix_mask(r->fn, 70, true);
	msix_mask(r->fn, 0, true);
	assert_msk_ok(msk_pcifn_raise(r->fn, 70));
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	unsigned int bar;
	uint32_t off;
	pba_loc(r->fn, &bar, &off);
	assert_msk_ok(msk_pcifn_bar_write(r->fn, bar, off + 8, 0, 8));
	assert_msk_ok(msk_pcifn_bar_write(r->fn, bar, off + 8, 0, 4));
	assert_msk_ok(msk_pcifn_bar_write(r->fn, bar, off, ~0ull, 8));
	assert_int_equal(pba_rd64(r->fn, 0), 1);
	assert_int_equal(pba_rd64(r->fn, 1), 1ull << 6);
	uint64_t v;
	assert_msk_ok(msk_pcifn_bar_read(r->fn, bar, off + 8, 4, &v));
	assert_int_equal(v, 1u << 6);
	assert_msk_ok(msk_pcifn_bar_read(r->fn, bar, off + 12, 4, &v));
	assert_int_equal(v, 0);
	assert_int_equal(msk_pcifn_held(r->fn), 2);
	assert_int_equal(r->db.nlog, 0);
	msix_mask(r->fn, 70, false);
	msix_mask(r->fn, 0, false);
	assert_int_equal(r->db.nlog, 2);
	assert_balanced(r);
	rig_free(r);
}

static void test_table_and_pba_same_bar(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(16);
	c.msix_table = (struct msk_pcifn_loc){ true, 2, 0x1000 };
	c.msix_pba = (struct msk_pcifn_loc){ true, 2, 0x0800 };
	c.bar_flags[2] = MSK_PCIFN_BAR_64 | MSK_PCIFN_BAR_PREFETCH;
	struct rig *r = rig_with(&c);
	unsigned int tb, pb;
	uint32_t to, po;
	table_loc(r->fn, &tb, &to);
	pba_loc(r->fn, &pb, &po);
	assert_int_equal(tb, 2);
	assert_int_equal(to, 0x1000);
	assert_int_equal(pb, 2);
	assert_int_equal(po, 0x800);
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(r->fn, 2, &bi));
	assert_int_equal(bi.size, 0x2000);
	assert_int_equal(bi.flags, MSK_PCIFN_BAR_64 | MSK_PCIFN_BAR_PREFETCH);
	assert_msk_ok(msk_pcifn_bar_info(r->fn, 0, &bi));
	assert_int_equal(bi.size, 0);
	linux_msix_enable(r->fn, 16);
	msix_mask(r->fn, 15, true);
	assert_msk_ok(msk_pcifn_raise(r->fn, 15));
	assert_int_equal(pba_rd64(r->fn, 0), 1u << 15);
	msix_mask(r->fn, 15, false);
	assert_int_equal(r->db.nlog, 1);
	rig_free(r);

	/* PBA inside the table: refused. */
	struct rig *r2 = rig_new();
	struct msk_pcifn_config bad = msix_cfg(16);
	bad.msix_table = (struct msk_pcifn_loc){ true, 0, 0 };
	bad.msix_pba = (struct msk_pcifn_loc){ true, 0, 0xF8 };
	struct msk_pcifn *fn = NULL;
	assert_msk_error(msk_pcifn_create(r2->bus, &bad, &fn), MSK_EINVAL);
	assert_null(fn);
	/* Table only given: PBA right after it. */
	struct msk_pcifn_config ok = msix_cfg(16);
	ok.msix_table = (struct msk_pcifn_loc){ true, 4, 0x3000 };
	assert_msk_ok(msk_pcifn_create(r2->bus, &ok, &r2->fn));
	struct msk_pcifn_msix_state ms;
	assert_msk_ok(msk_pcifn_msix_state(r2->fn, &ms));
	assert_int_equal(ms.pba_bar, 4);
	assert_int_equal(ms.pba_offset, 0x3100);
	rig_free(r2);
}

static void test_disabled_drop(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(4);
	struct rig *r = rig_with(&c);
	cmd_set(r->fn, 0x4);
	msix_program(r->fn, 0, DB_BASE, 0x30);
	msix_mask(r->fn, 0, false);
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	assert_int_equal(lost_for(r, MSK_LOSS_MSIX_DISABLED), 1);
	assert_false(pba_bit(r->fn, 0));
	msix_ctl(r->fn, 0x8000, 0);
	assert_int_equal(r->db.nlog, 0);
	/* Pending while enabled + masked, then disabled: still held, sent on re-enable. */
	msix_mask(r->fn, 0, true);
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	msix_ctl(r->fn, 0, 0x8000);
	assert_int_equal(msk_pcifn_held(r->fn), 1);
	msix_mask(r->fn, 0, false);
	assert_int_equal(r->db.nlog, 0); /* disabled: not deliverable */
	msix_ctl(r->fn, 0x8000, 0);
	assert_int_equal(r->db.nlog, 1);
	assert_int_equal(db_last(r)->data, 0x30);
	assert_balanced(r);
	rig_free(r);
}

static void test_disabled_latch(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(4);
	c.msix_while_disabled = MSK_PCIFN_MSIX_LATCH;
	struct rig *r = rig_with(&c);
	cmd_set(r->fn, 0x4);
	msix_program(r->fn, 1, DB_BASE + 4, 0x31);
	msix_mask(r->fn, 1, false);
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	assert_true(pba_bit(r->fn, 1));
	assert_int_equal(msk_pcifn_held(r->fn), 2);
	assert_int_equal(lost_for(r, MSK_LOSS_MSIX_DISABLED), 0);
	/* Enable with the function mask set: still held. */
	msix_ctl(r->fn, 0xC000, 0);
	assert_int_equal(r->db.nlog, 0);
	msix_ctl(r->fn, 0, 0x4000);
	assert_int_equal(r->db.nlog, 1);
	assert_int_equal(db_last(r)->weight, 2);
	assert_false(pba_bit(r->fn, 1));
	/* A latched vector whose entry is masked waits for its unmask. */
	msix_ctl(r->fn, 0, 0x8000);
	msix_mask(r->fn, 1, true);
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	msix_ctl(r->fn, 0x8000, 0);
	assert_int_equal(r->db.nlog, 1);
	msix_mask(r->fn, 1, false);
	assert_int_equal(r->db.nlog, 2);
	struct msk_pcifn_msix_state ms;
	assert_msk_ok(msk_pcifn_msix_state(r->fn, &ms));
	assert_int_equal(ms.while_disabled, MSK_PCIFN_MSIX_LATCH);
	assert_balanced(r);
	rig_free(r);
}

static void test_bus_master_off(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(4);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 4);
	cmd_clear(r->fn, 0x4);
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	assert_int_equal(lost_for(r, MSK_LOSS_BUS_MASTER_OFF), 1);
	/* Pending when BME goes off, then unmasked: the message cannot go out. */
	cmd_set(r->fn, 0x4);
	msix_mask(r->fn, 0, true);
	assert_msk_ok(msk_pcifn_raise_weight(r->fn, 0, 4));
	cmd_clear(r->fn, 0x4);
	msix_mask(r->fn, 0, false);
	assert_int_equal(lost_for(r, MSK_LOSS_BUS_MASTER_OFF), 5);
	assert_false(pba_bit(r->fn, 0));
	assert_int_equal(r->db.nlog, 0);
	assert_balanced(r);
	rig_free(r);
}

static void test_bad_raise(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(4);
	struct rig *r = rig_with(&c);
	assert_msk_error(msk_pcifn_raise(r->fn, 4), MSK_EINVAL);
	assert_msk_error(msk_pcifn_raise_weight(r->fn, 0, 0), MSK_EINVAL);
	assert_msk_error(msk_pcifn_ims_raise(r->fn, 0), MSK_EINVAL);
	struct msk_ledger_counts lc;
	msk_ledger_read(r->ledger, &lc);
	assert_int_equal(lc.raised, 0);
	struct msk_pcifn_vector v;
	assert_msk_error(msk_pcifn_msix_entry(r->fn, 4, &v), MSK_EINVAL);
	rig_free(r);
}

static void test_pending_overflow(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(2);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 2);
	msix_mask(r->fn, 1, true);
	assert_msk_ok(msk_pcifn_raise_weight(r->fn, 1, UINT32_MAX - 1));
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	assert_msk_ok(msk_pcifn_raise_weight(r->fn, 1, 5));
	assert_int_equal(lost_for(r, MSK_LOSS_PENDING_OVERFLOW), 5);
	assert_int_equal(msk_pcifn_held(r->fn), UINT32_MAX);
	msix_mask(r->fn, 1, false);
	assert_int_equal(db_last(r)->weight, UINT32_MAX);
	assert_balanced(r);
	rig_free(r);
}

static void test_large_table_release(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(2048);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 2048);
	msix_ctl(r->fn, 0x4000, 0);
	for (unsigned int k = 0; k < 2048; k += 3)
		assert_msk_ok(msk_pcifn_raise_weight(r->fn, k, k + 1));
	struct msk_pcifn_msix_state ms;
	assert_msk_ok(msk_pcifn_msix_state(r->fn, &ms));
	assert_int_equal(ms.pending, (2048 + 2) / 3);
	for (unsigned int q = 0; q < 32; q++) {
		uint64_t want = 0;
		for (unsigned int b = 0; b < 64; b++)
			if ((q * 64 + b) % 3 == 0)
				want |= 1ull << b;
		assert_int_equal(pba_rd64(r->fn, q), want);
	}
	msix_ctl(r->fn, 0, 0x4000);
	assert_int_equal(r->db.nlog, (2048 + 2) / 3);
	assert_int_equal(atomic_load(&r->db.msgs), (2048 + 2) / 3);
	for (unsigned int k = 0; k < 2048; k++) {
		struct msk_pcifn_vector v;
		assert_msk_ok(msk_pcifn_msix_entry(r->fn, k, &v));
		assert_int_equal(v.sent, k % 3 == 0 ? 1 : 0);
		assert_false(v.pending);
	}
	/* In table order, each with its own weight and data. */
	for (unsigned int i = 0; i < DB_LOG; i++) {
		assert_int_equal(r->db.log[i].data, 0x40 + 3 * i);
		assert_int_equal(r->db.log[i].weight, 3 * i + 1);
	}
	assert_balanced(r);
	rig_free(r);
}

static void test_reset(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(8);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 8);
	msix_mask(r->fn, 2, true);
	msix_mask(r->fn, 4, true);
	assert_msk_ok(msk_pcifn_raise_weight(r->fn, 2, 3));
	assert_msk_ok(msk_pcifn_raise(r->fn, 4));
	assert_msk_ok(msk_pcifn_reset(r->fn));
	assert_int_equal(lost_for(r, MSK_LOSS_DEVICE_RESET), 4);
	assert_int_equal(msk_pcifn_held(r->fn), 0);
	unsigned int p = find_cap(r->fn, 0x11);
	assert_int_equal(cfg_rd(r->fn, p + 2, 2), 7);
	assert_int_equal(cfg_rd(r->fn, 0x04, 2), 0);
	for (unsigned int k = 0; k < 8; k++) {
		assert_int_equal(tbl_rd(r->fn, k, 0), 0);
		assert_int_equal(tbl_rd(r->fn, k, 2), 0);
		assert_int_equal(tbl_rd(r->fn, k, 3), 1);
	}
	assert_int_equal(pba_rd64(r->fn, 0), 0);
	struct msk_pcifn_stats s;
	msk_pcifn_stats(r->fn, &s);
	assert_int_equal(s.resets, 1);
	assert_int_equal(s.lost_by_reason[MSK_LOSS_DEVICE_RESET], 4);
	/* Linux restores after FLR: the function works again. */
	linux_msix_enable(r->fn, 8);
	assert_msk_ok(msk_pcifn_raise(r->fn, 2));
	assert_int_equal(db_last(r)->data, 0x42);
	assert_balanced(r);
	rig_free(r);
}

static void test_destroy_loses_held(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(8);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 8);
	msix_ctl(r->fn, 0x4000, 0);
	assert_msk_ok(msk_pcifn_raise_weight(r->fn, 1, 6));
	msk_pcifn_destroy(r->fn);
	r->fn = NULL;
	assert_int_equal(lost_for(r, MSK_LOSS_DEVICE_REMOVED), 6);
	assert_int_equal(lost_for(r, MSK_LOSS_DEVICE_RESET), 0);
	assert_balanced(r);
	rig_free(r);
}

static void test_message_change_while_unmasked(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(2);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 2);
	tbl_wr(r->fn, 0, 2, 0x99);
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	assert_int_equal(db_last(r)->data, 0x99);
	tbl_wr(r->fn, 0, 0, (uint32_t)DB_BASE + 0x800);
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	assert_int_equal(db_last(r)->addr, DB_BASE + 0x800);
	assert_balanced(r);
	rig_free(r);
}

static void test_message_to_nowhere(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msix_cfg(3);
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 3);
	msix_program(r->fn, 0, 0x1000, 1);	    /* RAM */
	msix_program(r->fn, 1, 0x7000000000ull, 2); /* nothing */
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	assert_int_equal(lost_for(r, MSK_LOSS_MSI_TO_RAM), 1);
	assert_int_equal(lost_for(r, MSK_LOSS_NO_DOORBELL), 1);
	/* At its own table (decoded on the bus): not applied, lost. */
	cfg_wr(r->fn, 0x10, 0xC0000000, 4);
	cmd_set(r->fn, 0x2);
	msix_program(r->fn, 2, 0xC0000000 + 0x2C, 1); /* entry 2's own vector control */
	assert_msk_ok(msk_pcifn_raise(r->fn, 2));
	assert_int_equal(lost_for(r, MSK_LOSS_NO_DOORBELL), 2);
	assert_int_equal(tbl_rd(r->fn, 2, 3), 0);
	assert_balanced(r);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_table_size_encoding),
		cmocka_unit_test(test_unmasked_message),
		cmocka_unit_test(test_mask_pending_unmask_once),
		cmocka_unit_test(test_function_mask),
		cmocka_unit_test(test_odd_accesses),
		cmocka_unit_test(test_qword_accesses),
		cmocka_unit_test(test_pba_read_only),
		cmocka_unit_test(test_table_and_pba_same_bar),
		cmocka_unit_test(test_disabled_drop),
		cmocka_unit_test(test_disabled_latch),
		cmocka_unit_test(test_bus_master_off),
		cmocka_unit_test(test_bad_raise),
		cmocka_unit_test(test_pending_overflow),
		cmocka_unit_test(test_large_table_release),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_destroy_loses_held),
		cmocka_unit_test(test_message_change_while_unmasked),
		cmocka_unit_test(test_message_to_nowhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
