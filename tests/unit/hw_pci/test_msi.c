/* SPDX-License-Identifier: MIT */
/* MSI capability of the PCI function model: registers, multi-message, masking. */
#include "pci_harness.h"

static struct msk_pcifn_config msi_cfg(unsigned int nvec, bool is64, bool pvm)
{
	struct msk_pcifn_config c = {
		.bus = 0,
		.dev = 4,
		.fn = 0,
		.vendor_id = 0x1b36,
		.device_id = 0x0010,
		.class_code = 0x010802,
		.msi_vectors = nvec,
		.msi_64bit = is64,
		.msi_pvm = pvm,
	};
	return c;
}

/* Register offsets the way Linux computes them from the flags. */
struct msi_regs {
	unsigned int cap, ctl, addr_lo, addr_hi, data, mask, pend;
};

static struct msi_regs regs_of(struct msk_pcifn *fn)
{
	struct msi_regs m = { 0 };
	m.cap = find_cap(fn, 0x05);
	assert_true(m.cap);
	uint16_t flags = (uint16_t)cfg_rd(fn, m.cap + 2, 2);
	bool is64 = flags & 0x80;
	m.ctl = m.cap + 2;
	m.addr_lo = m.cap + 4;
	m.addr_hi = is64 ? m.cap + 8 : 0;
	m.data = m.cap + (is64 ? 12 : 8);
	m.mask = m.cap + (is64 ? 16 : 12);
	m.pend = m.mask + 4;
	return m;
}

/* Linux's MSI enable: address, data, MME, then enable. */
static void linux_msi_enable(struct msk_pcifn *fn, uint64_t addr, uint16_t data, unsigned int mme)
{
	struct msi_regs m = regs_of(fn);
	cmd_set(fn, 0x4 | 0x400);
	cfg_wr(fn, m.addr_lo, (uint32_t)addr, 4);
	if (m.addr_hi)
		cfg_wr(fn, m.addr_hi, (uint32_t)(addr >> 32), 4);
	cfg_wr(fn, m.data, data, 2);
	uint16_t ctl = (uint16_t)cfg_rd(fn, m.ctl, 2);
	cfg_wr(fn, m.ctl, (ctl & ~0x70) | (uint16_t)(mme << 4), 2);
	cfg_wr(fn, m.ctl, cfg_rd(fn, m.ctl, 2) | 1, 2);
}

/* Every capable count x 32/64-bit x PVM x every MME: aligned data, range. */
static void test_multi_message_data(void **state)
{
	(void)state;
	for (unsigned int mmc = 0; mmc <= 5; mmc++)
		for (int is64 = 0; is64 <= 1; is64++)
			for (int pvm = 0; pvm <= 1; pvm++) {
				struct msk_pcifn_config c = msi_cfg(1u << mmc, is64, pvm);
				struct rig *r = rig_with(&c);
				struct msi_regs m = regs_of(r->fn);
				uint16_t flags = (uint16_t)cfg_rd(r->fn, m.ctl, 2);
				assert_int_equal((flags >> 1) & 7, mmc);
				assert_int_equal(!!(flags & 0x80), is64);
				assert_int_equal(!!(flags & 0x100), pvm);
				for (unsigned int mme = 0; mme <= mmc; mme++) {
					unsigned int n = 1u << mme;
					/* Low bits set on purpose: the device replaces them. */
					linux_msi_enable(r->fn, DB_BASE + 0x3000, 0x4AFF, mme);
					unsigned int before = r->db.nlog;
					for (unsigned int k = 0; k < (1u << mmc); k++)
						assert_msk_ok(msk_pcifn_raise(r->fn, k));
					assert_int_equal(r->db.nlog - before, n);
					for (unsigned int k = 0; k < n; k++) {
						const struct db_msg *msg = &r->db.log[before + k];
						assert_int_equal(msg->data,
								 (0x4AFFu & ~(n - 1)) | k);
						assert_int_equal(msg->addr, DB_BASE + 0x3000);
						assert_int_equal(msg->rid, 4 << 3);
					}
					struct msk_pcifn_msi_state st;
					assert_msk_ok(msk_pcifn_msi_state(r->fn, &st));
					assert_int_equal(st.vectors_enabled, n);
					assert_int_equal(st.vectors_capable, 1u << mmc);
					assert_true(st.enabled);
					/* Disable between rounds, as a driver would. */
					cfg_wr(r->fn, m.ctl, cfg_rd(r->fn, m.ctl, 2) & ~1ull, 2);
				}
				/* Each round lost the vectors beyond 2^MME. */
				uint64_t want_lost = 0;
				for (unsigned int mme = 0; mme <= mmc; mme++)
					want_lost += (1u << mmc) - (1u << mme);
				assert_int_equal(lost_for(r, MSK_LOSS_VECTOR_OUT_OF_RANGE),
						 want_lost);
				assert_balanced(r);
				rig_free(r);
			}
}

static void test_64bit_address(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msi_cfg(1, true, false);
	struct rig *r = rig_with(&c);
	/* A doorbell above 4 GiB. */
	struct doorbell hi = { .ledger = r->ledger };
	assert_msk_ok(msk_bus_map(r->bus, 0x100000000ull, 0x1000, &db_ops, &hi, "hi"));
	linux_msi_enable(r->fn, 0x100000040ull, 0x21, 0);
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	assert_int_equal(atomic_load(&hi.msgs), 1);
	struct msk_pcifn_msi_state st;
	assert_msk_ok(msk_pcifn_msi_state(r->fn, &st));
	assert_int_equal(st.addr, 0x100000040ull);
	assert_balanced(r);
	assert_msk_ok(msk_bus_unmap(r->bus, 0x100000000ull));
	rig_free(r);
}

static void test_32bit_layout(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msi_cfg(4, false, false);
	struct rig *r = rig_with(&c);
	struct msi_regs m = regs_of(r->fn);
	assert_int_equal(m.cap, 0x80);
	/* Offset 8 is the data register, 16 bits; 0x0A onwards is not MSI. */
	cfg_wr(r->fn, m.cap + 8, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r->fn, m.cap + 8, 4), 0xFFFF);
	cfg_wr(r->fn, m.cap + 12, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r->fn, m.cap + 12, 4), 0);
	rig_free(r);
}

static void test_mme_clamped(void **state)
{
	(void)state;
	for (unsigned int mmc = 0; mmc <= 5; mmc++) {
		struct msk_pcifn_config c = msi_cfg(1u << mmc, true, true);
		struct rig *r = rig_with(&c);
		struct msi_regs m = regs_of(r->fn);
		for (unsigned int mme = 0; mme <= 7; mme++) {
			cfg_wr(r->fn, m.ctl, mme << 4, 2);
			unsigned int got = (cfg_rd(r->fn, m.ctl, 2) >> 4) & 7;
			assert_int_equal(got, mme <= mmc ? mme : mmc);
		}
		/* A byte write of the low control byte clamps too. */
		cfg_wr(r->fn, m.ctl, 0x71, 1);
		assert_int_equal(cfg_rd(r->fn, m.ctl, 2), 0x0181 | mmc << 1 | mmc << 4);
		rig_free(r);
	}
}

static void test_read_only_bits(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msi_cfg(8, true, true);
	struct rig *r = rig_with(&c);
	struct msi_regs m = regs_of(r->fn);
	uint16_t ro = (uint16_t)cfg_rd(r->fn, m.ctl, 2);
	assert_int_equal(ro, 3 << 1 | 0x80 | 0x100);
	/* Try to flip everything: only enable and MME change. */
	cfg_wr(r->fn, m.ctl, 0xFFFF, 2);
	assert_int_equal(cfg_rd(r->fn, m.ctl, 2), ro | 1 | 3 << 4);
	cfg_wr(r->fn, m.ctl, 0x0000, 2);
	assert_int_equal(cfg_rd(r->fn, m.ctl, 2), ro);
	/* Cap ID and next pointer are read-only. */
	cfg_wr(r->fn, m.cap, 0xFFFF, 2);
	assert_int_equal(cfg_rd(r->fn, m.cap, 1), 0x05);
	assert_int_equal(cfg_rd(r->fn, m.cap + 1, 1), 0); /* the only capability */
	/* Address bits 1:0 hard-wired 0. */
	cfg_wr(r->fn, m.addr_lo, 0xFEE0100F, 4);
	assert_int_equal(cfg_rd(r->fn, m.addr_lo, 4), 0xFEE0100C);
	cfg_wr(r->fn, m.addr_hi, 0x12345678, 4);
	assert_int_equal(cfg_rd(r->fn, m.addr_hi, 4), 0x12345678);
	/* Mask bits: only the 8 capable vectors. */
	cfg_wr(r->fn, m.mask, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r->fn, m.mask, 4), 0xFF);
	/* Pending bits are read-only. */
	cfg_wr(r->fn, m.pend, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r->fn, m.pend, 4), 0);
	/* 32 vectors: all mask bits writable. */
	struct msk_pcifn_config c32 = msi_cfg(32, false, true);
	struct rig *r32 = rig_with(&c32);
	struct msi_regs m32 = regs_of(r32->fn);
	assert_int_equal(m32.mask, m32.cap + 12);
	cfg_wr(r32->fn, m32.mask, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r32->fn, m32.mask, 4), 0xFFFFFFFF);
	rig_free(r32);
	rig_free(r);
}

static void test_per_vector_masking(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msi_cfg(4, false, true);
	struct rig *r = rig_with(&c);
	struct msi_regs m = regs_of(r->fn);
	cfg_wr(r->fn, m.mask, 0xF, 4); /* Linux masks all before enabling */
	linux_msi_enable(r->fn, DB_BASE, 0x50, 2);
	assert_msk_ok(msk_pcifn_raise(r->fn, 2));
	assert_msk_ok(msk_pcifn_raise(r->fn, 2));
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	assert_int_equal(r->db.nlog, 0);
	assert_int_equal(cfg_rd(r->fn, m.pend, 4), 0x6);
	assert_int_equal(msk_pcifn_held(r->fn), 3);
	/* Unmask vector 2 only: one message of weight 2. */
	cfg_wr(r->fn, m.mask, 0xB, 4);
	assert_int_equal(r->db.nlog, 1);
	assert_int_equal(db_last(r)->data, 0x52);
	assert_int_equal(db_last(r)->weight, 2);
	assert_int_equal(cfg_rd(r->fn, m.pend, 4), 0x2);
	/* Byte-wide unmask of the rest. */
	cfg_wr(r->fn, m.mask, 0x0, 1);
	assert_int_equal(r->db.nlog, 2);
	assert_int_equal(db_last(r)->data, 0x51);
	assert_int_equal(cfg_rd(r->fn, m.pend, 4), 0);
	struct msk_pcifn_msi_state st;
	assert_msk_ok(msk_pcifn_msi_state(r->fn, &st));
	assert_int_equal(st.sent[2], 1);
	assert_int_equal(st.sent[1], 1);
	assert_int_equal(st.mask, 0);
	assert_balanced(r);
	rig_free(r);
}

static void test_pending_across_disable_and_mme(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msi_cfg(8, true, true);
	struct rig *r = rig_with(&c);
	struct msi_regs m = regs_of(r->fn);
	linux_msi_enable(r->fn, DB_BASE, 0x60, 3);
	cfg_wr(r->fn, m.mask, 0x80, 4);
	assert_msk_ok(msk_pcifn_raise(r->fn, 7));
	/* Disable MSI; unmask: nothing (not enabled). Lower MME; enable: vector 7 is
	 * beyond the enabled block, still held. Raise MME: sent. */
	uint16_t ctl = (uint16_t)cfg_rd(r->fn, m.ctl, 2);
	cfg_wr(r->fn, m.ctl, ctl & ~1, 2);
	cfg_wr(r->fn, m.mask, 0, 4);
	assert_int_equal(r->db.nlog, 0);
	cfg_wr(r->fn, m.ctl, (ctl & ~0x70) | 0x10 | 1, 2);
	assert_int_equal(r->db.nlog, 0);
	assert_int_equal(msk_pcifn_held(r->fn), 1);
	cfg_wr(r->fn, m.ctl, (ctl & ~0x70) | 0x30 | 1, 2);
	assert_int_equal(r->db.nlog, 1);
	assert_int_equal(db_last(r)->data, 0x67);
	assert_balanced(r);
	rig_free(r);
}

static void test_no_masking_without_pvm(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msi_cfg(2, true, false);
	struct rig *r = rig_with(&c);
	struct msi_regs m = regs_of(r->fn);
	linux_msi_enable(r->fn, DB_BASE, 0x70, 1);
	/* Where the mask register would be there is nothing writable. */
	cfg_wr(r->fn, m.mask, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r->fn, m.mask, 4), 0);
	assert_msk_ok(msk_pcifn_raise(r->fn, 1));
	assert_int_equal(r->db.nlog, 1);
	assert_int_equal(db_last(r)->data, 0x71);
	assert_balanced(r);
	rig_free(r);
}

static void test_msi_disabled_and_modes(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msi_cfg(4, false, false);
	struct rig *r = rig_with(&c);
	cmd_set(r->fn, 0x4);
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	assert_int_equal(lost_for(r, MSK_LOSS_NO_MSI_MODE), 1);
	assert_msk_error(msk_pcifn_raise(r->fn, 4), MSK_EINVAL);
	assert_balanced(r);
	rig_free(r);

	/* Both capabilities: MSI enabled, MSI-X not (drop policy irrelevant). */
	struct msk_pcifn_config both = msi_cfg(4, true, false);
	both.msix_entries = 2;
	struct rig *rb = rig_with(&both);
	linux_msi_enable(rb->fn, DB_BASE, 0x80, 2);
	assert_msk_ok(msk_pcifn_raise(rb->fn, 3)); /* beyond MSI-X, within MSI */
	assert_int_equal(db_last(rb)->data, 0x83);
	assert_int_equal(lost_for(rb, MSK_LOSS_MSIX_DISABLED), 0);
	/* MSI-X enabled too (a driver bug): MSI-X wins; vector 3 is out of its range. */
	msix_ctl(rb->fn, 0x8000, 0);
	assert_msk_ok(msk_pcifn_raise(rb->fn, 3));
	assert_int_equal(lost_for(rb, MSK_LOSS_VECTOR_OUT_OF_RANGE), 1);
	/* Neither enabled, MSI-X capable, drop: msix-disabled. */
	msix_ctl(rb->fn, 0, 0x8000);
	struct msi_regs m = regs_of(rb->fn);
	cfg_wr(rb->fn, m.ctl, cfg_rd(rb->fn, m.ctl, 2) & ~1ull, 2);
	assert_msk_ok(msk_pcifn_raise(rb->fn, 0));
	assert_int_equal(lost_for(rb, MSK_LOSS_MSIX_DISABLED), 1);
	assert_balanced(rb);
	rig_free(rb);
}

static void test_reset_clears_msi(void **state)
{
	(void)state;
	struct msk_pcifn_config c = msi_cfg(4, true, true);
	struct rig *r = rig_with(&c);
	struct msi_regs m = regs_of(r->fn);
	linux_msi_enable(r->fn, DB_BASE, 0x90, 2);
	cfg_wr(r->fn, m.mask, 0x1, 4);
	assert_msk_ok(msk_pcifn_raise_weight(r->fn, 0, 9));
	assert_msk_ok(msk_pcifn_reset(r->fn));
	assert_int_equal(lost_for(r, MSK_LOSS_DEVICE_RESET), 9);
	assert_int_equal(cfg_rd(r->fn, m.ctl, 2), 2 << 1 | 0x180);
	assert_int_equal(cfg_rd(r->fn, m.addr_lo, 4), 0);
	assert_int_equal(cfg_rd(r->fn, m.data, 2), 0);
	assert_int_equal(cfg_rd(r->fn, m.mask, 4), 0);
	assert_int_equal(cfg_rd(r->fn, m.pend, 4), 0);
	assert_balanced(r);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multi_message_data),
		cmocka_unit_test(test_64bit_address),
		cmocka_unit_test(test_32bit_layout),
		cmocka_unit_test(test_mme_clamped),
		cmocka_unit_test(test_read_only_bits),
		cmocka_unit_test(test_per_vector_masking),
		cmocka_unit_test(test_pending_across_disable_and_mme),
		cmocka_unit_test(test_no_masking_without_pvm),
		cmocka_unit_test(test_msi_disabled_and_modes),
		cmocka_unit_test(test_reset_clears_msi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
