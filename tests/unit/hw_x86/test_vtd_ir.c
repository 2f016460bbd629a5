/* SPDX-License-Identifier: MIT */
/*
 * Interrupt remapping, played like an OS: enable VT-d through its
 * registers, write IRTEs into guest RAM, send device messages, check
 * where they land, which faults they record, and the ledger.
 */
#include "x86_test.h"

#define FRCD(i) (MSK_VTD_FRCD_REG + 16u * (i))
#define RID	0x0308u /* 03:01.0 */

/* 4 CPUs, VT-d enabled with a 256-entry table (S=7). */
static void setup_ir(struct xt *t)
{
	xt_setup(t, 4, true);
	xt_ir_enable(t, XT_IRT_BASE, 7, false);
}

/* An IRTE sending `vector` to APIC ID `cpu`, validated against RID. */
static void irte_fixed(struct xt *t, unsigned int index, uint8_t vector, uint8_t cpu)
{
	xt_irte(t, XT_IRT_BASE, index, xt_irte_lo(vector, cpu, false, MSK_APIC_DM_FIXED),
		xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID));
}

/* The fault record in register i, as (reason, sid, index). */
static void expect_record(struct xt *t, unsigned int i, unsigned int fr, uint16_t sid,
			  uint16_t index)
{
	uint64_t hi = xt_rd64(t, FRCD(i) + 8);
	assert_true(hi & MSK_VTD_FRCD_HI_F);
	assert_int_equal((hi >> MSK_VTD_FRCD_HI_FR_SHIFT) & 0xFF, fr);
	assert_int_equal(hi & 0xFFFF, sid);
	assert_int_equal(xt_rd64(t, FRCD(i)), (uint64_t)index << MSK_VTD_FRCD_LO_INDEX_SHIFT);
}

static uint64_t faults(struct xt *t, unsigned int fr)
{
	struct msk_x86_stats s;
	msk_x86_stats(t->x86, &s);
	return s.faults[fr - MSK_VTD_FR_FIRST];
}

static void test_disabled_unit_passes_compat_drops_remappable(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, true);
	irte_fixed(&t, 0, 0x41, 1);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0), 0, RID, 3));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_DISABLED), 3);
	assert_msk_ok(xt_msi(&t, msk_x86_msi_compat_addr(1, false, false), 0x42, RID, 2));
	xt_expect(&t, 1, 0x42, 2);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), 0);
	xt_teardown(&t);
}

static void test_remap_delivers_per_irte(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	irte_fixed(&t, 3, 0x41, 2);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(3), 0, RID, 5));
	xt_check_ledger(&t);
	xt_expect(&t, 2, 0x41, 5);
	for (unsigned int c = 0; c < 4; c++)
		xt_expect_none(&t, c);
	/* SHV=0: the data is not used for indexing. */
	assert_msk_ok(xt_msi(&t, msk_x86_msi_remap_addr(3, false), 0xFFFF1234u, RID, 1));
	xt_expect(&t, 2, 0x41, 1);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.remappable, 2);
	assert_int_equal(s.remapped, 2);
	assert_int_equal(xt_lost_total(&t), 0);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), 0);
	xt_teardown(&t);
}

static void test_handle_bit_15(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 4, true);
	xt_ir_enable(&t, XT_IRT_BASE, 15, false); /* 65536 entries, Linux's size */
	irte_fixed(&t, 0x8001, 0x61, 3);
	irte_fixed(&t, 0x0001, 0x62, 3);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0x8001), 0, RID, 1));
	xt_expect(&t, 3, 0x61, 1);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0x0001), 0, RID, 1));
	xt_expect(&t, 3, 0x62, 1);
	xt_teardown(&t);
}

static void test_subhandle_multi_msi(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	/* A 4-vector multi-MSI block at handle 8: consecutive IRTEs. */
	for (unsigned int i = 0; i < 4; i++)
		irte_fixed(&t, 8 + i, (uint8_t)(0x50 + 0x10 * i), (uint8_t)i);
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(xt_msi(&t, xt_remap_addr(8), i, RID, i + 1));
	for (unsigned int i = 0; i < 4; i++)
		xt_expect(&t, i, (uint8_t)(0x50 + 0x10 * i), i + 1);
	xt_teardown(&t);
}

static void test_request_reserved_bits(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	irte_fixed(&t, 2, 0x41, 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(2), 0x10000, RID, 3));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_RESERVED), 3);
	expect_record(&t, 0, MSK_VTD_FR_REQ_RESERVED, RID, 2);
	xt_expect_none(&t, 0);
	xt_teardown(&t);
}

static void test_index_out_of_range(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, true);
	xt_ir_enable(&t, XT_IRT_BASE, 0, false); /* 2 entries */
	irte_fixed(&t, 1, 0x41, 0);
	irte_fixed(&t, 2, 0x42, 0); /* beyond the table: never used */
	assert_msk_ok(xt_msi(&t, xt_remap_addr(1), 0, RID, 1));
	xt_expect(&t, 0, 0x41, 1);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(2), 0, RID, 2));
	assert_msk_ok(xt_msi(&t, xt_remap_addr(1), 1, RID, 4)); /* sub-handle past the end */
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_OUT_OF_RANGE), 6);
	expect_record(&t, 0, MSK_VTD_FR_INDEX_OOR, RID, 2);
	expect_record(&t, 1, MSK_VTD_FR_INDEX_OOR, RID, 2);
	xt_expect_none(&t, 0);
	xt_teardown(&t);
}

static void test_not_present_and_fpd(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(7), 0, RID, 2));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_NOT_PRESENT), 2);
	expect_record(&t, 0, MSK_VTD_FR_NOT_PRESENT, RID, 7);
	/* FPD suppresses the record, not the drop. */
	xt_irte(&t, XT_IRT_BASE, 7, MSK_IRTE_LO_FPD, 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(7), 0, RID, 3));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_NOT_PRESENT), 5);
	assert_int_equal(xt_rd64(&t, FRCD(1) + 8), 0);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.faults_suppressed, 1);
	assert_int_equal(s.faults_recorded, 1);
	assert_int_equal(faults(&t, MSK_VTD_FR_NOT_PRESENT), 2);
	/* The other qualified faults: reserved bits and source-id. */
	const uint64_t lo = xt_irte_lo(0x41, 0, false, MSK_APIC_DM_FIXED) | MSK_IRTE_LO_FPD;
	xt_irte(&t, XT_IRT_BASE, 7, lo | 1ull << 12, 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(7), 0, RID, 1));
	xt_irte(&t, XT_IRT_BASE, 7, lo, xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID + 1));
	assert_msk_ok(xt_msi(&t, xt_remap_addr(7), 0, RID, 1));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_RESERVED), 1);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_SID_MISMATCH), 1);
	assert_int_equal(xt_rd64(&t, FRCD(1) + 8), 0);
	/* Faults found before the IRTE is read are recorded whatever its FPD says. */
	xt_irte(&t, XT_IRT_BASE, 7, lo, 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(7), 0x20000, RID, 1));
	expect_record(&t, 1, MSK_VTD_FR_REQ_RESERVED, RID, 7);
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.faults_suppressed, 3);
	/* A valid entry delivers whatever its FPD says. */
	assert_msk_ok(xt_msi(&t, xt_remap_addr(7), 0, RID, 1));
	xt_expect(&t, 0, 0x41, 1);
	xt_teardown(&t);
}

static void test_irte_reserved_bits(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	const uint64_t good_lo = xt_irte_lo(0x41, 1, false, MSK_APIC_DM_FIXED);
	const uint64_t good_hi = xt_irte_hi(MSK_IRTE_SVT_NONE, 0, 0);
	const struct {
		uint64_t lo, hi;
	} bad[] = {
		{ 1ull << 12, 0 }, { 1ull << 14, 0 }, { MSK_IRTE_LO_IM, 0 }, /* posted */
		{ 1ull << 24, 0 }, { 1ull << 31, 0 }, { 1ull << 32, 0 },     /* xAPIC DST */
		{ 1ull << 39, 0 }, { 1ull << 48, 0 }, { 1ull << 63, 0 },
		{ 0, 1ull << 20 }, { 0, 1ull << 63 }, { 0, 3ull << MSK_IRTE_HI_SVT_SHIFT },
	};
	const unsigned int n = sizeof(bad) / sizeof(bad[0]);
	for (unsigned int i = 0; i < n; i++) {
		xt_irte(&t, XT_IRT_BASE, 10 + i, good_lo | bad[i].lo, good_hi | bad[i].hi);
		assert_msk_ok(xt_msi(&t, xt_remap_addr((uint16_t)(10 + i)), 0, RID, 1));
		if (i < MSK_VTD_NFR)
			expect_record(&t, i, MSK_VTD_FR_IRTE_RESERVED, RID, (uint16_t)(10 + i));
	}
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_RESERVED), n);
	assert_int_equal(faults(&t, MSK_VTD_FR_IRTE_RESERVED), n);
	xt_expect_none(&t, 1);
	/* Software-available bits 11:8 and TM are not reserved. */
	xt_irte(&t, XT_IRT_BASE, 40, good_lo | 0xF00 | MSK_IRTE_LO_TM_LEVEL, good_hi);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(40), 0, RID, 1));
	xt_expect(&t, 1, 0x41, 1);
	xt_teardown(&t);
}

struct sid_case {
	unsigned int svt, sq;
	uint16_t sid;
	uint32_t rid;
	bool pass;
};

static void test_source_id_validation(void **state)
{
	(void)state;
	const struct sid_case cases[] = {
		/* SVT=00: no check. */
		{ 0, 0, 0x1234, 0x0308, true },
		{ 0, 3, 0x0000, MSK_RID_CPU, true },
		/* SVT=01, SQ=00: all 16 bits. */
		{ 1, 0, 0x0308, 0x0308, true },
		{ 1, 0, 0x0308, 0x0309, false },
		{ 1, 0, 0x0308, 0x0408, false },
		{ 1, 0, 0x0308, MSK_RID_CPU, false },
		/* SQ=01: bit 2 ignored. */
		{ 1, 1, 0x0308, 0x030C, true },
		{ 1, 1, 0x0308, 0x030A, false },
		/* SQ=10: bits 2:1 ignored. */
		{ 1, 2, 0x0308, 0x030E, true },
		{ 1, 2, 0x0308, 0x0309, false },
		/* SQ=11: bits 2:0 ignored (any function of the device). */
		{ 1, 3, 0x0308, 0x030F, true },
		{ 1, 3, 0x0308, 0x0310, false },
		/* SVT=10: bus range SID[15:8]..SID[7:0]. */
		{ 2, 0, 0x0305, 0x0300, true },
		{ 2, 0, 0x0305, 0x0400, true },
		{ 2, 0, 0x0305, 0x05FF, true },
		{ 2, 0, 0x0305, 0x0600, false },
		{ 2, 0, 0x0305, 0x02FF, false },
		{ 2, 3, 0x0404, 0x0410, true },	 /* SQ is not used */
		{ 2, 0, 0x0503, 0x0400, false }, /* first > last: an empty range */
		{ 2, 0, 0x0000, MSK_RID_CPU, false },
	};
	const unsigned int n = sizeof(cases) / sizeof(cases[0]);
	for (unsigned int i = 0; i < n; i++) {
		struct xt t;
		setup_ir(&t);
		xt_irte(&t, XT_IRT_BASE, 4, xt_irte_lo(0x41, 0, false, MSK_APIC_DM_FIXED),
			xt_irte_hi(cases[i].svt, cases[i].sq, cases[i].sid));
		assert_msk_ok(xt_msi(&t, xt_remap_addr(4), 0, cases[i].rid, 1));
		if (cases[i].pass) {
			xt_expect(&t, 0, 0x41, 1);
			assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), 0);
		} else {
			xt_expect_none(&t, 0);
			assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_SID_MISMATCH), 1);
			expect_record(&t, 0, MSK_VTD_FR_SID, (uint16_t)cases[i].rid, 4);
		}
		xt_teardown(&t);
	}
}

static void test_compat_blocked_unless_cfi(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	uint32_t addr = msk_x86_msi_compat_addr(2, false, false);
	assert_msk_ok(xt_msi(&t, addr, 0x41, RID, 2));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_COMPAT_BLOCKED), 2);
	expect_record(&t, 0, MSK_VTD_FR_COMPAT_BLOCKED, RID, 0);
	xt_expect_none(&t, 2);
	/* CFI lets compatibility-format interrupts through untranslated. */
	xt_gcmd(&t, MSK_VTD_GCMD_CFI, true);
	assert_msk_ok(xt_msi(&t, addr, 0x41, RID, 3));
	xt_expect(&t, 2, 0x41, 3);
	/* ... but not in x2APIC mode (EIME=1). */
	xt_wr64(&t, MSK_VTD_IRTA_REG, XT_IRT_BASE | MSK_VTD_IRTA_EIME | 7);
	xt_gcmd(&t, MSK_VTD_GCMD_SIRTP, true);
	assert_msk_ok(xt_msi(&t, addr, 0x41, RID, 4));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_COMPAT_BLOCKED), 6);
	expect_record(&t, 1, MSK_VTD_FR_COMPAT_BLOCKED, RID, 0);
	/* Remapping off: everything compatible passes again. */
	xt_gcmd(&t, MSK_VTD_GCMD_IRE, false);
	assert_msk_ok(xt_msi(&t, addr, 0x43, RID, 1));
	xt_expect(&t, 2, 0x43, 1);
	assert_int_equal(faults(&t, MSK_VTD_FR_COMPAT_BLOCKED), 2);
	xt_teardown(&t);
}

static void test_table_outside_ram(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, true);
	/* The last page of RAM: entries 0..255 are RAM, 256 and up are not. */
	uint64_t table = XT_RAM_SIZE - 4096;
	xt_ir_enable(&t, table, 15, false);
	xt_irte(&t, table, 255, xt_irte_lo(0x41, 0, false, 0), 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(255), 0, RID, 1));
	xt_expect(&t, 0, 0x41, 1);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(256), 0, RID, 2));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 2);
	expect_record(&t, 0, MSK_VTD_FR_TABLE_INVALID, RID, 256);
	/* A table far above RAM, and one whose end wraps the address space. */
	xt_wr64(&t, MSK_VTD_IRTA_REG, 0xFFFFFFFFFFFFF000ull | 15);
	xt_gcmd(&t, MSK_VTD_GCMD_SIRTP, true);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0x1000), 0, RID, 1));
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0), 0, RID, 1));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 4);
	xt_teardown(&t);
}

static void test_enable_without_table_pointer(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, true);
	xt_wr64(&t, MSK_VTD_IRTA_REG, XT_IRT_BASE | 7); /* written, never latched */
	irte_fixed(&t, 0, 0x41, 0);
	xt_gcmd(&t, MSK_VTD_GCMD_IRE, true);
	assert_int_equal(xt_rd32(&t, MSK_VTD_GSTS_REG), MSK_VTD_GSTS_IRES);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0), 0, RID, 1));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 1);
	expect_record(&t, 0, MSK_VTD_FR_TABLE_INVALID, RID, 0);
	xt_gcmd(&t, MSK_VTD_GCMD_SIRTP, true);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0), 0, RID, 1));
	xt_expect(&t, 0, 0x41, 1);
	xt_teardown(&t);
}

static void test_new_table_takes_effect_on_sirtp(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	const uint64_t table2 = 0x200000;
	irte_fixed(&t, 0, 0x41, 0);
	xt_irte(&t, table2, 0, xt_irte_lo(0x42, 1, false, 0), 0);
	xt_wr64(&t, MSK_VTD_IRTA_REG, table2 | 7);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0), 0, RID, 1));
	xt_expect(&t, 0, 0x41, 1);
	xt_gcmd(&t, MSK_VTD_GCMD_SIRTP, true);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0), 0, RID, 1));
	xt_expect(&t, 1, 0x42, 1);
	xt_teardown(&t);
}

static void test_irte_rewrite_moves_interrupt(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	/* The device's message never changes; only the IRTE does. */
	const uint32_t addr = xt_remap_addr(20), data = 0;
	irte_fixed(&t, 20, 0x41, 0);
	assert_msk_ok(xt_msi(&t, addr, data, RID, 1));
	xt_expect(&t, 0, 0x41, 1);
	irte_fixed(&t, 20, 0x55, 3); /* affinity change to CPU 3, new vector */
	assert_msk_ok(xt_msi(&t, addr, data, RID, 2));
	xt_expect_none(&t, 0);
	xt_expect(&t, 3, 0x55, 2);
	/* Only the low half changed (vector and destination in place). */
	assert_msk_ok(msk_ram_write64(t.bus, XT_IRT_BASE + 16 * 20,
				      xt_irte_lo(0x66, 1, false, MSK_APIC_DM_FIXED)));
	assert_msk_ok(xt_msi(&t, addr, data, RID, 3));
	xt_expect(&t, 1, 0x66, 3);
	/* Shut down: P cleared. */
	assert_msk_ok(msk_ram_write64(t.bus, XT_IRT_BASE + 16 * 20, 0));
	assert_msk_ok(xt_msi(&t, addr, data, RID, 4));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_NOT_PRESENT), 4);
	xt_teardown(&t);
}

static void test_irte_delivery_fields(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	/* Logical, lowest priority over CPUs 1..3: CPU 1 (all idle). */
	xt_irte(&t, XT_IRT_BASE, 1, xt_irte_lo(0x70, 0x0E, true, MSK_APIC_DM_LOWEST), 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(1), 0, RID, 2));
	xt_expect(&t, 1, 0x70, 2);
	/* Logical fixed with RH=1: one CPU as well. */
	xt_irte(&t, XT_IRT_BASE, 2,
		xt_irte_lo(0x71, 0x0C, true, MSK_APIC_DM_FIXED) | MSK_IRTE_LO_RH, 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(2), 0, RID, 1));
	xt_expect(&t, 2, 0x71, 1);
	xt_expect_none(&t, 3);
	/* Physical broadcast. */
	xt_irte(&t, XT_IRT_BASE, 3, xt_irte_lo(0x72, 0xFF, false, MSK_APIC_DM_FIXED), 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(3), 0, RID, 1));
	for (unsigned int c = 0; c < 4; c++)
		xt_expect(&t, c, 0x72, c == 0);
	/* NMI, an illegal vector and a missing CPU are lost by the APICs. */
	xt_irte(&t, XT_IRT_BASE, 4, xt_irte_lo(0x73, 0, false, MSK_APIC_DM_NMI), 0);
	xt_irte(&t, XT_IRT_BASE, 5, xt_irte_lo(0x05, 0, false, MSK_APIC_DM_FIXED), 0);
	xt_irte(&t, XT_IRT_BASE, 6, xt_irte_lo(0x74, 9, false, MSK_APIC_DM_FIXED), 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(4), 0, RID, 1));
	assert_msk_ok(xt_msi(&t, xt_remap_addr(5), 0, RID, 2));
	assert_msk_ok(xt_msi(&t, xt_remap_addr(6), 0, RID, 4));
	assert_int_equal(xt_lost(&t, MSK_LOSS_APIC_DELIVERY_MODE), 1);
	assert_int_equal(xt_lost(&t, MSK_LOSS_APIC_ILLEGAL_VECTOR), 2);
	assert_int_equal(xt_lost(&t, MSK_LOSS_APIC_NO_TARGET), 4);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), 0); /* not remapping faults */
	xt_teardown(&t);
}

static void test_x2apic_destinations(void **state)
{
	(void)state;
	struct xt t;
	const uint32_t ids[4] = { 0x100, 0x101, 0x2, 0x13 };
	xt_setup_ids(&t, 4, ids, true);
	xt_ir_enable(&t, XT_IRT_BASE, 7, true);
	/* EIME=1: the full 32-bit DST; bits that xAPIC mode reserves are valid. */
	xt_irte(&t, XT_IRT_BASE, 0,
		MSK_IRTE_LO_P | 0x41ull << MSK_IRTE_LO_V_SHIFT | 0x101ull << MSK_IRTE_LO_DST_SHIFT,
		0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0), 0, RID, 1));
	xt_expect(&t, 1, 0x41, 1);
	/* Logical cluster 0x10, members 0 and 1: APIC IDs 0x100 and 0x101. */
	xt_irte(&t, XT_IRT_BASE, 1,
		MSK_IRTE_LO_P | MSK_IRTE_LO_DM_LOGICAL | 0x42ull << MSK_IRTE_LO_V_SHIFT |
			(uint64_t)(0x10u << 16 | 3u) << MSK_IRTE_LO_DST_SHIFT,
		0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(1), 0, RID, 2));
	xt_expect(&t, 0, 0x42, 2);
	xt_expect(&t, 1, 0x42, 0);
	xt_expect_none(&t, 2);
	/* Cluster 1, member 3: APIC ID 0x13. */
	xt_irte(&t, XT_IRT_BASE, 2,
		MSK_IRTE_LO_P | MSK_IRTE_LO_DM_LOGICAL | 0x43ull << MSK_IRTE_LO_V_SHIFT |
			(uint64_t)(1u << 16 | 1u << 3) << MSK_IRTE_LO_DST_SHIFT,
		0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(2), 0, RID, 1));
	xt_expect(&t, 3, 0x43, 1);
	/* Broadcast. */
	xt_irte(&t, XT_IRT_BASE, 3,
		MSK_IRTE_LO_P | 0x44ull << MSK_IRTE_LO_V_SHIFT | 0xFFFFFFFFull << 32, 0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(3), 0, RID, 1));
	for (unsigned int c = 0; c < 4; c++)
		xt_expect(&t, c, 0x44, c == 0);
	/* An x2APIC ID nobody has. */
	xt_irte(&t, XT_IRT_BASE, 4, MSK_IRTE_LO_P | 0x45ull << MSK_IRTE_LO_V_SHIFT | 0x102ull << 32,
		0);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(4), 0, RID, 1));
	assert_int_equal(xt_lost(&t, MSK_LOSS_APIC_NO_TARGET), 1);
	xt_teardown(&t);
}

static void test_fault_sid_of_cpu_requester(void **state)
{
	(void)state;
	struct xt t;
	setup_ir(&t);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(9), 0, MSK_RID_CPU, 1));
	expect_record(&t, 0, MSK_VTD_FR_NOT_PRESENT, 0xFFFF, 9);
	xt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled_unit_passes_compat_drops_remappable),
		cmocka_unit_test(test_remap_delivers_per_irte),
		cmocka_unit_test(test_handle_bit_15),
		cmocka_unit_test(test_subhandle_multi_msi),
		cmocka_unit_test(test_request_reserved_bits),
		cmocka_unit_test(test_index_out_of_range),
		cmocka_unit_test(test_not_present_and_fpd),
		cmocka_unit_test(test_irte_reserved_bits),
		cmocka_unit_test(test_source_id_validation),
		cmocka_unit_test(test_compat_blocked_unless_cfi),
		cmocka_unit_test(test_table_outside_ram),
		cmocka_unit_test(test_enable_without_table_pointer),
		cmocka_unit_test(test_new_table_takes_effect_on_sirtp),
		cmocka_unit_test(test_irte_rewrite_moves_interrupt),
		cmocka_unit_test(test_irte_delivery_fields),
		cmocka_unit_test(test_x2apic_destinations),
		cmocka_unit_test(test_fault_sid_of_cpu_requester),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
