/* SPDX-License-Identifier: MIT */
/*
 * The VT-d register block: identification, the driver's enable sequence,
 * odd accesses, fault recording registers (ring, W1C, overflow, FRI) and
 * the fault event message.
 */
#include "x86_test.h"

#define FRCD(i) (MSK_VTD_FRCD_REG + 16u * (i))

static void test_identification(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, true);
	assert_int_equal(xt_rd32(&t, MSK_VTD_VER_REG), 0x10);
	uint64_t cap = xt_rd64(&t, MSK_VTD_CAP_REG);
	assert_int_equal(cap, (uint64_t)xt_rd32(&t, MSK_VTD_CAP_REG + 4) << 32 |
				      xt_rd32(&t, MSK_VTD_CAP_REG));
	assert_int_equal(((cap >> MSK_VTD_CAP_FRO_SHIFT) & 0x3FF) * 16, MSK_VTD_FRCD_REG);
	assert_int_equal(((cap >> MSK_VTD_CAP_NFR_SHIFT) & 0xFF) + 1, MSK_VTD_NFR);
	assert_false(cap & MSK_VTD_CAP_PI);
	uint64_t ecap = xt_rd64(&t, MSK_VTD_ECAP_REG);
	assert_true(ecap & MSK_VTD_ECAP_IR);
	assert_true(ecap & MSK_VTD_ECAP_EIM);
	assert_false(ecap & MSK_VTD_ECAP_QI);
	/* Reset state. */
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), 0);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), 0);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FECTL_REG), MSK_VTD_FECTL_IM);
	assert_int_equal(xt_rd64(&t, MSK_VTD_IRTA_REG), 0);
	/* Registers are read-only. */
	xt_wr64(&t, MSK_VTD_CAP_REG, 0);
	xt_wr32(&t, MSK_VTD_VER_REG, 0x77);
	assert_int_equal(xt_rd64(&t, MSK_VTD_CAP_REG), cap);
	assert_int_equal(xt_rd32(&t, MSK_VTD_VER_REG), 0x10);
	xt_teardown(&t);
}

static void test_driver_enable_sequence(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, true);
	/* Reserved IRTA bits 10:4 read back as 0. */
	xt_wr64(&t, MSK_VTD_IRTA_REG, XT_IRT_BASE | MSK_VTD_IRTA_EIME | 0x7F0 | 7);
	assert_int_equal(xt_rd64(&t, MSK_VTD_IRTA_REG), XT_IRT_BASE | MSK_VTD_IRTA_EIME | 7);
	xt_wr64(&t, MSK_VTD_IRTA_REG, XT_IRT_BASE | 7);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), 0); /* nothing latched yet */
	xt_gcmd(&t, MSK_VTD_GCMD_SIRTP, true);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), MSK_VTD_GSTS_IRTPS);
	xt_gcmd(&t, MSK_VTD_GCMD_IRE, true);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), MSK_VTD_GSTS_IRTPS | MSK_VTD_GSTS_IRES);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GCMD_REG), 0); /* write-only */
	struct msk_vtd_state vs;
	assert_msk_ok(msk_x86_vtd_state(t.x86, &vs));
	assert_int_equal(vs.irta_latched, XT_IRT_BASE | 7);
	/* A later IRTA write is not latched without SIRTP. */
	xt_wr64(&t, MSK_VTD_IRTA_REG, 0x200000 | 3);
	assert_msk_ok(msk_x86_vtd_state(t.x86, &vs));
	assert_int_equal(vs.irta, 0x200000 | 3);
	assert_int_equal(vs.irta_latched, XT_IRT_BASE | 7);
	/* IRTA written as two halves. */
	xt_wr32(&t, MSK_VTD_IRTA_REG + 4, 0x1);
	xt_wr32(&t, MSK_VTD_IRTA_REG, 0x300000 | 15);
	assert_int_equal(xt_rd64(&t, MSK_VTD_IRTA_REG), 0x100300000ull | 15);
	xt_gcmd(&t, MSK_VTD_GCMD_SIRTP, true);
	assert_msk_ok(msk_x86_vtd_state(t.x86, &vs));
	assert_int_equal(vs.irta_latched, 0x100300000ull | 15);
	assert_int_equal(vs.gsts, MSK_VTD_GSTS_IRTPS | MSK_VTD_GSTS_IRES);
	/* CFI on, then IRE off: each status follows its command bit. */
	xt_gcmd(&t, MSK_VTD_GCMD_CFI, true);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG),
			 MSK_VTD_GSTS_IRTPS | MSK_VTD_GSTS_IRES | MSK_VTD_GSTS_CFIS);
	xt_gcmd(&t, MSK_VTD_GCMD_IRE, false);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), MSK_VTD_GSTS_IRTPS | MSK_VTD_GSTS_CFIS);
	/* Unmodelled DMA-remapping commands change no status. */
	xt_wr32(&t, MSK_VTD_GCMD_REG, 0xC0000000u | MSK_VTD_GCMD_CFI);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), MSK_VTD_GSTS_IRTPS | MSK_VTD_GSTS_CFIS);
	/* GCMD and GSTS in one 8-byte access. */
	assert_int_equal(xt_rd64(&t, MSK_VTD_GCMD_REG),
			 (uint64_t)(MSK_VTD_GSTS_IRTPS | MSK_VTD_GSTS_CFIS) << 32);
	xt_wr64(&t, MSK_VTD_GCMD_REG, MSK_VTD_GCMD_IRE | 0xFFFFFFFF00000000ull);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), MSK_VTD_GSTS_IRTPS | MSK_VTD_GSTS_IRES);
	xt_teardown(&t);
}

static void test_odd_accesses_ignored(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, true);
	uint64_t v;
	/* 1- and 2-byte accesses, and misaligned ones, read 0 and write nothing. */
	for (unsigned int size = 1; size <= 2; size *= 2) {
		assert_msk_ok(msk_bus_read(t.bus, XT_IR_BASE + MSK_VTD_VER_REG, size, NULL, &v));
		assert_int_equal(v, 0);
		assert_msk_ok(
			msk_bus_write(t.bus, XT_IR_BASE + MSK_VTD_GCMD_REG + 3, 0x02, size, NULL));
		assert_msk_ok(
			msk_bus_write(t.bus, XT_IR_BASE + MSK_VTD_GCMD_REG, 0xFFFF, size, NULL));
	}
	assert_msk_ok(msk_bus_read(t.bus, XT_IR_BASE + MSK_VTD_CAP_REG + 2, 4, NULL, &v));
	assert_int_equal(v, 0);
	assert_msk_ok(msk_bus_read(t.bus, XT_IR_BASE + MSK_VTD_GSTS_REG, 8, NULL, &v));
	assert_int_equal(v, 0);
	assert_msk_ok(msk_bus_write(t.bus, XT_IR_BASE + MSK_VTD_FECTL_REG - 2, 0, 4, NULL));
	assert_msk_ok(
		msk_bus_write(t.bus, XT_IR_BASE + MSK_VTD_IRTA_REG + 4, XT_IRT_BASE, 8, NULL));
	assert_int_equal(xt_rd32(&t, MSK_VTD_FECTL_REG), MSK_VTD_FECTL_IM);
	assert_int_equal(xt_rd64(&t, MSK_VTD_IRTA_REG), 0);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), 0);
	/* Undefined and unmodelled offsets read 0 and ignore writes. */
	const uint32_t undefined[] = {
		0x04, 0x20, 0x28, 0x30, 0x58, 0x80, 0x90, 0xC0, 0x100, 0x1F8, FRCD(MSK_VTD_NFR),
		0xFF8
	};
	for (unsigned int i = 0; i < sizeof(undefined) / sizeof(undefined[0]); i++) {
		xt_wr64(&t, undefined[i], ~0ull);
		assert_int_equal(xt_rd64(&t, undefined[i]), 0);
	}
	assert_int_equal(xt_rd32(&t, 0xFFC), 0);
	xt_teardown(&t);
}

static void test_device_write_to_registers_lost(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, true);
	assert_int_equal(
		xt_msi(&t, (uint32_t)XT_IR_BASE + MSK_VTD_GCMD_REG, MSK_VTD_GCMD_IRE, 0x100, 6), 0);
	assert_int_equal(xt_lost(&t, MSK_LOSS_NO_DOORBELL), 6);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), 0);
	xt_teardown(&t);
}

/* IR on with a 2-entry table whose entries are not present: every message faults 0x22. */
static void setup_faulting(struct xt *t, unsigned int ncpus)
{
	xt_setup(t, ncpus, true);
	xt_ir_enable(t, XT_IRT_BASE, 7, false);
}

static void fault(struct xt *t, uint16_t handle, uint16_t rid)
{
	assert_msk_ok(xt_msi(t, xt_remap_addr(handle), 0, rid, 1));
}

static void test_fault_record_and_w1c(void **state)
{
	(void)state;
	struct xt t;
	setup_faulting(&t, 1);
	fault(&t, 5, 0x0308);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_NOT_PRESENT), 1);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), MSK_VTD_FSTS_PPF); /* FRI = 0 */
	assert_int_equal(xt_rd64(&t, FRCD(0)), 5ull << MSK_VTD_FRCD_LO_INDEX_SHIFT);
	assert_int_equal(xt_rd64(&t, FRCD(0) + 8),
			 MSK_VTD_FRCD_HI_F | (uint64_t)MSK_VTD_FR_NOT_PRESENT << 32 | 0x0308);
	assert_int_equal(xt_rd32(&t, FRCD(0) + 12) >> 31, 1);
	/* Read-only parts ignore writes; writing 0 to F does nothing. */
	xt_wr64(&t, FRCD(0), 0);
	xt_wr32(&t, FRCD(0) + 8, 0);
	xt_wr32(&t, FRCD(0) + 12, 0x7FFFFFFF);
	assert_int_equal(xt_rd64(&t, FRCD(0)), 5ull << MSK_VTD_FRCD_LO_INDEX_SHIFT);
	assert_true(xt_rd64(&t, FRCD(0) + 8) & MSK_VTD_FRCD_HI_F);
	/* W1C on F: the record stays readable, PPF clears. */
	xt_wr32(&t, FRCD(0) + 12, 1u << 31);
	assert_int_equal(xt_rd64(&t, FRCD(0) + 8), (uint64_t)MSK_VTD_FR_NOT_PRESENT << 32 | 0x0308);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), 0);
	/* The next fault goes to register 1 and FRI points at it. */
	fault(&t, 1, 0x0410);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), MSK_VTD_FSTS_PPF | 1u << 8);
	assert_int_equal(xt_rd64(&t, FRCD(1)), 1ull << MSK_VTD_FRCD_LO_INDEX_SHIFT);
	/* W1C through an 8-byte write of the high half. */
	xt_wr64(&t, FRCD(1) + 8, MSK_VTD_FRCD_HI_F);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG) & MSK_VTD_FSTS_PPF, 0);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.faults[MSK_VTD_FR_NOT_PRESENT - MSK_VTD_FR_FIRST], 2);
	assert_int_equal(s.faults_recorded, 2);
	xt_teardown(&t);
}

static void test_fault_ring_overflow(void **state)
{
	(void)state;
	struct xt t;
	setup_faulting(&t, 1);
	for (unsigned int i = 0; i < MSK_VTD_NFR; i++)
		fault(&t, (uint16_t)i, (uint16_t)(0x100 + i));
	for (unsigned int i = 0; i < MSK_VTD_NFR; i++)
		assert_int_equal(xt_rd64(&t, FRCD(i) + 8) & 0xFFFF, 0x100 + i);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), MSK_VTD_FSTS_PPF); /* FRI 0 */
	/* The ring is full: the next fault sets PFO and is not recorded. */
	fault(&t, 0, 0x999);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), MSK_VTD_FSTS_PPF | MSK_VTD_FSTS_PFO);
	assert_int_equal(xt_rd64(&t, FRCD(0) + 8) & 0xFFFF, 0x100);
	/* While PFO is set nothing is recorded, even with a free register. */
	xt_wr32(&t, FRCD(0) + 12, 1u << 31);
	fault(&t, 0, 0x998);
	assert_int_equal(xt_rd64(&t, FRCD(0) + 8) & MSK_VTD_FRCD_HI_F, 0);
	/* PPF and FRI are read-only; PFO is write-1-to-clear. */
	xt_wr32(&t, MSK_VTD_FSTS_REG, MSK_VTD_FSTS_PPF | 0xFF00);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), MSK_VTD_FSTS_PPF | MSK_VTD_FSTS_PFO);
	xt_wr32(&t, MSK_VTD_FSTS_REG, MSK_VTD_FSTS_PFO);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), MSK_VTD_FSTS_PPF);
	fault(&t, 1, 0x997);
	assert_int_equal(xt_rd64(&t, FRCD(0) + 8) & 0xFFFF, 0x997);
	assert_true(xt_rd64(&t, FRCD(0) + 8) & MSK_VTD_FRCD_HI_F);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.faults_recorded, MSK_VTD_NFR + 1);
	assert_int_equal(s.faults_overflowed, 2);
	/* Every faulted message was lost, recorded or not. */
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_NOT_PRESENT), MSK_VTD_NFR + 3);
	struct msk_vtd_state vs;
	assert_msk_ok(msk_x86_vtd_state(t.x86, &vs));
	assert_int_equal(vs.frcd[0].hi & 0xFFFF, 0x997);
	assert_int_equal(vs.frcd[3].lo, 3ull << 48);
	xt_teardown(&t);
}

static void test_fault_event_message(void **state)
{
	(void)state;
	struct xt t;
	setup_faulting(&t, 2);
	xt_wr32(&t, MSK_VTD_FEDATA_REG, 0x44);
	xt_wr32(&t, MSK_VTD_FEADDR_REG, msk_x86_msi_compat_addr(1, false, false) | 3);
	xt_wr32(&t, MSK_VTD_FEUADDR_REG, 0);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FEADDR_REG), msk_x86_msi_compat_addr(1, false, false));
	/* Masked: the fault only sets IP. */
	fault(&t, 0, 0x100);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FECTL_REG), MSK_VTD_FECTL_IM | MSK_VTD_FECTL_IP);
	xt_expect_none(&t, 1);
	/* Unmasking sends the pending event (weight 0) and clears IP. */
	xt_wr32(&t, MSK_VTD_FECTL_REG, 0);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FECTL_REG), 0);
	xt_expect(&t, 1, 0x44, 0);
	/* Another fault while PPF is still set raises no new event. */
	fault(&t, 1, 0x100);
	xt_expect_none(&t, 1);
	/* Once serviced, the next fault is signalled at once. */
	xt_wr32(&t, FRCD(0) + 12, 1u << 31);
	xt_wr32(&t, FRCD(1) + 12, 1u << 31);
	fault(&t, 1, 0x100);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FECTL_REG), 0);
	xt_expect(&t, 1, 0x44, 0);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.fault_events, 2);
	/* Masked again: servicing the fault clears IP without a message. */
	xt_wr32(&t, FRCD(2) + 12, 1u << 31);
	xt_wr32(&t, MSK_VTD_FECTL_REG, MSK_VTD_FECTL_IM);
	fault(&t, 0, 0x100);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FECTL_REG), MSK_VTD_FECTL_IM | MSK_VTD_FECTL_IP);
	xt_wr32(&t, FRCD(3) + 12, 1u << 31);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FECTL_REG), MSK_VTD_FECTL_IM);
	xt_wr32(&t, MSK_VTD_FECTL_REG, 0);
	xt_expect_none(&t, 1);
	/* An event address outside the interrupt range reaches no CPU. */
	xt_wr32(&t, MSK_VTD_FEADDR_REG, 0x1000);
	fault(&t, 0, 0x100);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FECTL_REG), 0);
	xt_expect_none(&t, 0);
	xt_expect_none(&t, 1);
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.fault_events, 3);
	xt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identification),
		cmocka_unit_test(test_driver_enable_sequence),
		cmocka_unit_test(test_odd_accesses_ignored),
		cmocka_unit_test(test_device_write_to_registers_lost),
		cmocka_unit_test(test_fault_record_and_w1c),
		cmocka_unit_test(test_fault_ring_overflow),
		cmocka_unit_test(test_fault_event_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
