/* SPDX-License-Identifier: MIT */
/*
 * msk_x86_route: every kind of message, followed without side effects,
 * then sent for real - the route must name the CPU and vector that take
 * it, or the very loss reason the data path records.
 */
#include "x86_test.h"

#define RID 0x0308u /* 03:01.0 */

/* Everything a route must leave alone. */
struct snap {
	struct msk_x86_stats stats;
	struct msk_ledger_counts ledger;
	struct msk_x86_cpu_state cpu[4];
	struct msk_vtd_state vtd;
	bool has_vtd;
};

static void take_snap(struct xt *t, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	msk_x86_stats(t->x86, &s->stats);
	msk_ledger_read(t->ledger, &s->ledger);
	for (unsigned int c = 0; c < msk_x86_ncpus(t->x86); c++)
		assert_msk_ok(msk_x86_cpu_state(t->x86, c, &s->cpu[c]));
	s->has_vtd = msk_x86_has_ir(t->x86);
	if (s->has_vtd)
		assert_msk_ok(msk_x86_vtd_state(t->x86, &s->vtd));
}

/* Drain every CPU (weights go to the ledger as delivered). */
static void drain(struct xt *t)
{
	for (unsigned int c = 0; c < msk_x86_ncpus(t->x86); c++) {
		uint8_t v;
		uint64_t w;
		while (xt_take(t, c, &v, &w) == 1)
			msk_x86_eoi(t->x86, c);
	}
}

/*
 * Route (addr, data) from rid, check it changed nothing, send it with
 * weight 1, and check the data path agrees. Returns the route.
 */
static struct msk_x86_route follow(struct xt *t, uint32_t rid, uint64_t addr, uint32_t data)
{
	struct snap before, after;
	take_snap(t, &before);
	struct msk_x86_route r, again;
	assert_msk_ok(msk_x86_route(t->x86, rid, addr, data, &r));
	assert_msk_ok(msk_x86_route(t->x86, rid, addr, data, &again));
	assert_memory_equal(&r, &again, sizeof(r));
	take_snap(t, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_string_not_equal(r.detail, "");

	msk_ledger_raise(t->ledger, 1);
	msk_bus_msi(t->bus, addr, data, rid, 1);
	struct msk_ledger_counts c;
	msk_ledger_read(t->ledger, &c);
	if (r.lost) {
		assert_int_equal(c.lost, before.ledger.lost + 1);
		assert_int_equal(c.lost_by_reason[r.reason],
				 before.ledger.lost_by_reason[r.reason] + 1);
		if (r.fault) {
			struct msk_x86_stats s;
			msk_x86_stats(t->x86, &s);
			assert_int_equal(s.faults[r.fault - MSK_VTD_FR_FIRST],
					 before.stats.faults[r.fault - MSK_VTD_FR_FIRST] + 1);
		}
	} else {
		assert_int_equal(c.lost, before.ledger.lost);
		struct msk_x86_cpu_state st;
		assert_msk_ok(msk_x86_cpu_state(t->x86, r.cpu, &st));
		assert_int_equal(st.weight[r.vector], before.cpu[r.cpu].weight[r.vector] + 1);
	}
	drain(t);
	xt_check_ledger(t);
	return r;
}

static struct msk_x86_route expect_lost(struct xt *t, uint32_t rid, uint64_t addr, uint32_t data,
					enum msk_loss reason)
{
	struct msk_x86_route r = follow(t, rid, addr, data);
	assert_true(r.lost);
	assert_int_equal(r.reason, reason);
	return r;
}

static void expect_cpu(struct xt *t, uint32_t rid, uint64_t addr, uint32_t data, unsigned int cpu,
		       uint8_t vector)
{
	struct msk_x86_route r = follow(t, rid, addr, data);
	assert_false(r.lost);
	assert_int_equal(r.cpu, cpu);
	assert_int_equal(r.vector, vector);
}

static void test_compat_format(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 4, false);
	uint32_t fixed = msk_x86_msi_compat_data(0x41, MSK_APIC_DM_FIXED, false);
	expect_cpu(&t, RID, msk_x86_msi_compat_addr(2, false, false), fixed, 2, 0x41);
	/* Broadcast: every CPU gets the vector, CPU 0 the weight. */
	expect_cpu(&t, RID, msk_x86_msi_compat_addr(0xFF, false, false), fixed, 0, 0x41);
	/* Logical flat: 0b1100 -> CPUs 2 and 3, the weight on 2. */
	expect_cpu(&t, RID, msk_x86_msi_compat_addr(0x0C, true, false), fixed, 2, 0x41);
	/* Lowest priority: the CPU with the lowest PPR wins, as delivery would choose. */
	assert_msk_ok(msk_x86_set_tpr(t.x86, 2, 0x80));
	uint32_t lowest = msk_x86_msi_compat_data(0x51, MSK_APIC_DM_LOWEST, false);
	expect_cpu(&t, RID, msk_x86_msi_compat_addr(0x0C, true, false), lowest, 3, 0x51);
	struct msk_x86_route r =
		follow(&t, RID, msk_x86_msi_compat_addr(1, false, false), fixed | 0xFFFF0000u);
	assert_string_equal(r.detail, "compat dest 0x01 vector 0x41 -> CPU 1");
	/* The APIC's refusals. */
	expect_lost(&t, RID, msk_x86_msi_compat_addr(1, false, false),
		    msk_x86_msi_compat_data(0x0F, MSK_APIC_DM_FIXED, false),
		    MSK_LOSS_APIC_ILLEGAL_VECTOR);
	expect_lost(&t, RID, msk_x86_msi_compat_addr(1, false, false),
		    msk_x86_msi_compat_data(0x41, MSK_APIC_DM_NMI, false),
		    MSK_LOSS_APIC_DELIVERY_MODE);
	expect_lost(&t, RID, msk_x86_msi_compat_addr(9, false, false), fixed,
		    MSK_LOSS_APIC_NO_TARGET);
	/* Logical with no CPU behind the bits (only IDs < 8 have logical IDs). */
	expect_lost(&t, RID, msk_x86_msi_compat_addr(0xF0, true, false), fixed,
		    MSK_LOSS_APIC_NO_TARGET);
	/* Remappable format without a unit. */
	expect_lost(&t, RID, xt_remap_addr(3), 0, MSK_LOSS_IR_DISABLED);
	xt_teardown(&t);
}

static void test_outside_the_window(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, true);
	struct msk_x86_route r = expect_lost(&t, RID, 0x1000, 0x41, MSK_LOSS_MSI_TO_RAM);
	assert_string_equal(r.detail, "0x1000 is RAM");
	/* The VT-d registers are no doorbell; neither is an address nothing decodes. */
	expect_lost(&t, RID, XT_IR_BASE + MSK_VTD_FEDATA_REG, 0x41, MSK_LOSS_NO_DOORBELL);
	expect_lost(&t, RID, 0xFEF00000ull, 0x41, MSK_LOSS_NO_DOORBELL);
	expect_lost(&t, RID, 0x1FEE00000ull, 0x41, MSK_LOSS_NO_DOORBELL);
	struct msk_x86_route out;
	assert_msk_error(msk_x86_route(NULL, RID, 0, 0, &out), MSK_EINVAL);
	assert_msk_error(msk_x86_route(t.x86, RID, 0, 0, NULL), MSK_EINVAL);
	xt_teardown(&t);
}

static void test_remapping(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 4, true);
	/* Off: remappable lost, compatibility format passes. */
	expect_lost(&t, RID, xt_remap_addr(5), 0, MSK_LOSS_IR_DISABLED);
	expect_cpu(&t, RID, msk_x86_msi_compat_addr(1, false, false), 0x41, 1, 0x41);
	/* On without a table pointer. */
	xt_gcmd(&t, MSK_VTD_GCMD_IRE, true);
	expect_lost(&t, RID, xt_remap_addr(5), 0, MSK_LOSS_IR_TABLE_INVALID);
	xt_gcmd(&t, MSK_VTD_GCMD_IRE, false);
	xt_ir_enable(&t, XT_IRT_BASE, 7, false);
	xt_irte(&t, XT_IRT_BASE, 5, xt_irte_lo(0x41, 2, false, MSK_APIC_DM_FIXED),
		xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID));
	xt_irte(&t, XT_IRT_BASE, 6, xt_irte_lo(0x42, 3, false, MSK_APIC_DM_FIXED),
		xt_irte_hi(MSK_IRTE_SVT_BUS_RANGE, 0, 0x0204));
	struct msk_x86_route r = follow(&t, RID, xt_remap_addr(5), 0);
	assert_false(r.lost);
	assert_true(r.remapped);
	assert_int_equal(r.irte_index, 5);
	assert_int_equal(r.cpu, 2);
	assert_string_equal(r.detail, "IRTE 5 -> dest 0x02 vector 0x41 -> CPU 2");
	/* Sub-handle: handle 5 + 1 = IRTE 6 (bus range 2..4 holds bus 3). */
	expect_cpu(&t, RID, xt_remap_addr(5), 1, 3, 0x42);
	/* Compatibility format blocked, unless CFI lets it through. */
	r = expect_lost(&t, RID, msk_x86_msi_compat_addr(1, false, false), 0x41,
			MSK_LOSS_IR_COMPAT_BLOCKED);
	assert_int_equal(r.fault, MSK_VTD_FR_COMPAT_BLOCKED);
	xt_gcmd(&t, MSK_VTD_GCMD_CFI, true);
	expect_cpu(&t, RID, msk_x86_msi_compat_addr(1, false, false), 0x41, 1, 0x41);
	/* Every translation fault, with the reason the unit records. */
	r = expect_lost(&t, RID, xt_remap_addr(5), 0x10000, MSK_LOSS_IRTE_RESERVED);
	assert_int_equal(r.fault, MSK_VTD_FR_REQ_RESERVED);
	r = expect_lost(&t, RID, xt_remap_addr(256), 0, MSK_LOSS_IRTE_OUT_OF_RANGE);
	assert_int_equal(r.fault, MSK_VTD_FR_INDEX_OOR);
	r = expect_lost(&t, RID, xt_remap_addr(7), 0, MSK_LOSS_IRTE_NOT_PRESENT);
	assert_int_equal(r.fault, MSK_VTD_FR_NOT_PRESENT);
	assert_string_equal(r.detail, "IRTE 7: VT-d fault 0x22");
	r = expect_lost(&t, 0x0508, xt_remap_addr(6), 0, MSK_LOSS_IRTE_SID_MISMATCH);
	assert_int_equal(r.fault, MSK_VTD_FR_SID);
	expect_lost(&t, MSK_RID_CPU, xt_remap_addr(5), 0, MSK_LOSS_IRTE_SID_MISMATCH);
	xt_irte(&t, XT_IRT_BASE, 8, xt_irte_lo(0x43, 1, false, MSK_APIC_DM_FIXED) | MSK_IRTE_LO_IM,
		xt_irte_hi(0, 0, 0));
	r = expect_lost(&t, RID, xt_remap_addr(8), 0, MSK_LOSS_IRTE_RESERVED);
	assert_int_equal(r.fault, MSK_VTD_FR_IRTE_RESERVED);
	/* Through an IRTE to the APIC's refusals. */
	xt_irte(&t, XT_IRT_BASE, 9, xt_irte_lo(0x43, 9, false, MSK_APIC_DM_FIXED), 0);
	r = expect_lost(&t, RID, xt_remap_addr(9), 0, MSK_LOSS_APIC_NO_TARGET);
	assert_true(r.remapped);
	assert_int_equal(r.fault, 0);
	xt_irte(&t, XT_IRT_BASE, 10, xt_irte_lo(0x43, 1, false, MSK_APIC_DM_SMI), 0);
	expect_lost(&t, RID, xt_remap_addr(10), 0, MSK_LOSS_APIC_DELIVERY_MODE);
	/* A table of 512 entries in the last 4 KiB of RAM: entry 300 is beyond it. */
	xt_wr64(&t, MSK_VTD_IRTA_REG, (XT_RAM_SIZE - 4096) | 8);
	xt_gcmd(&t, MSK_VTD_GCMD_SIRTP, true);
	expect_lost(&t, RID, xt_remap_addr(300), 0, MSK_LOSS_IR_TABLE_INVALID);
	/* x2APIC destinations (EIME=1). */
	xt_ir_enable(&t, XT_IRT_BASE, 7, true);
	xt_irte(&t, XT_IRT_BASE, 11, (xt_irte_lo(0x44, 0, false, MSK_APIC_DM_FIXED) | 3ull << 32),
		0);
	expect_cpu(&t, RID, xt_remap_addr(11), 0, 3, 0x44);
	xt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compat_format),
		cmocka_unit_test(test_outside_the_window),
		cmocka_unit_test(test_remapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
