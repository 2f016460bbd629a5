/* SPDX-License-Identifier: MIT */
/*
 * The IRTE fetch fault injection hook (msk_x86_vtd_inject_irte_fault):
 * which requests it counts, what the unit does when it fires (fault
 * record 0x23, fault event, request blocked, "ir-table-invalid"), that it
 * fires once, that disarming keeps the report, and that it holds under
 * concurrent senders.
 */
#include "x86_test.h"

#include <pthread.h>

#define FRCD(i) (MSK_VTD_FRCD_REG + 16u * (i))
#define RID	0x0308u /* 03:01.0 */

/* 4 CPUs, VT-d with a 256-entry table; IRTE 5 -> CPU 2 vector 0x41; fault events to CPU 1. */
static void setup(struct xt *t)
{
	xt_setup(t, 4, true);
	xt_ir_enable(t, XT_IRT_BASE, 7, false);
	xt_irte(t, XT_IRT_BASE, 5, xt_irte_lo(0x41, 2, false, MSK_APIC_DM_FIXED),
		xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID));
	xt_wr32(t, MSK_VTD_FEDATA_REG, 0x44);
	xt_wr32(t, MSK_VTD_FEADDR_REG, msk_x86_msi_compat_addr(1, false, false));
	xt_wr32(t, MSK_VTD_FECTL_REG, 0);
}

static struct msk_vtd_injection injection(struct xt *t)
{
	struct msk_vtd_injection inj;
	assert_msk_ok(msk_x86_vtd_injection(t->x86, &inj));
	return inj;
}

/* Send IRTE 5's message (handle 5, sub-handle 0). */
static void send5(struct xt *t)
{
	assert_msk_ok(xt_msi(t, xt_remap_addr(5), 0, RID, 1));
}

static void test_nth_request_faults_once(void **state)
{
	(void)state;
	struct xt t;
	setup(&t);
	struct msk_vtd_injection inj = injection(&t);
	assert_false(inj.ever);
	assert_msk_ok(msk_x86_vtd_inject_irte_fault(t.x86, 3));
	send5(&t);
	send5(&t);
	xt_expect(&t, 2, 0x41, 2); /* coalesced in the IRR */
	send5(&t);
	/* The third faulted: lost, recorded as a table access error, event sent. */
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 1);
	assert_int_equal(xt_lost_total(&t), 1);
	xt_expect_none(&t, 2);
	uint64_t hi = xt_rd64(&t, FRCD(0) + 8);
	assert_true(hi & MSK_VTD_FRCD_HI_F);
	assert_int_equal((hi >> MSK_VTD_FRCD_HI_FR_SHIFT) & 0xFF, MSK_VTD_FR_TABLE_INVALID);
	assert_int_equal(hi & 0xFFFF, RID);
	assert_int_equal(xt_rd64(&t, FRCD(0)), 5ull << MSK_VTD_FRCD_LO_INDEX_SHIFT);
	assert_int_equal(xt_rd32(&t, MSK_VTD_FSTS_REG), MSK_VTD_FSTS_PPF);
	xt_expect(&t, 1, 0x44, 0);
	inj = injection(&t);
	assert_true(inj.ever);
	assert_int_equal(inj.nth, 3);
	assert_int_equal(inj.seen, 3);
	assert_int_equal(inj.fired, 1);
	assert_string_equal(inj.what,
			    "IRTE 5 fetch for 03:01.0 (handle 5 + sub-handle 0): fault 0x23");
	/* Once: the next requests are translated again (and still counted). */
	send5(&t);
	send5(&t);
	xt_expect(&t, 2, 0x41, 2);
	inj = injection(&t);
	assert_int_equal(inj.seen, 5);
	assert_int_equal(inj.fired, 1);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.faults[MSK_VTD_FR_TABLE_INVALID - MSK_VTD_FR_FIRST], 1);
	assert_int_equal(s.remapped, 4);
	assert_int_equal(s.fault_events, 1);
	xt_teardown(&t);
}

/* FPD suppresses qualified faults only: the table was never read, so 0x23 is recorded. */
static void test_fpd_does_not_hide_it(void **state)
{
	(void)state;
	struct xt t;
	setup(&t);
	xt_irte(&t, XT_IRT_BASE, 5, xt_irte_lo(0x41, 2, false, MSK_APIC_DM_FIXED) | MSK_IRTE_LO_FPD,
		xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID));
	assert_msk_ok(msk_x86_vtd_inject_irte_fault(t.x86, 1));
	send5(&t);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 1);
	assert_true(xt_rd64(&t, FRCD(0) + 8) & MSK_VTD_FRCD_HI_F);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.faults_recorded, 1);
	assert_int_equal(s.faults_suppressed, 0);
	xt_teardown(&t);
}

/* Only requests that get as far as the IRTE fetch count. */
static void test_requests_before_the_fetch_do_not_count(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 4, true);
	assert_msk_ok(msk_x86_vtd_inject_irte_fault(t.x86, 1));
	/* Remapping off: the unit never sees it. */
	send5(&t);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_DISABLED), 1);
	/* On, but no table pointer latched yet. */
	xt_gcmd(&t, MSK_VTD_GCMD_IRE, true);
	send5(&t);
	xt_gcmd(&t, MSK_VTD_GCMD_IRE, false);
	xt_ir_enable(&t, XT_IRT_BASE, 7, false);
	xt_irte(&t, XT_IRT_BASE, 5, xt_irte_lo(0x41, 2, false, MSK_APIC_DM_FIXED),
		xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID));
	/* Compatibility format (blocked), reserved request bits, index out of range. */
	assert_msk_ok(xt_msi(&t, msk_x86_msi_compat_addr(2, false, false), 0x41, RID, 1));
	assert_msk_ok(xt_msi(&t, xt_remap_addr(5), 0x10000, RID, 1));
	assert_msk_ok(xt_msi(&t, xt_remap_addr(300), 0, RID, 1));
	assert_int_equal(injection(&t).seen, 0);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 1); /* the no-pointer one */
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_COMPAT_BLOCKED), 1);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_RESERVED), 1);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_OUT_OF_RANGE), 1);
	/* A fetch of an absent entry counts: the fetch is where the fault sits. */
	assert_msk_ok(xt_msi(&t, xt_remap_addr(6), 0, RID, 1));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 2);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IRTE_NOT_PRESENT), 0);
	assert_int_equal(injection(&t).fired, 1);
	xt_teardown(&t);
}

/* Disarming keeps the report; re-arming starts over; route never counts. */
static void test_disarm_rearm_and_route(void **state)
{
	(void)state;
	struct xt t;
	setup(&t);
	assert_msk_ok(msk_x86_vtd_inject_irte_fault(t.x86, 1));
	struct msk_x86_route r;
	for (int i = 0; i < 4; i++) {
		assert_msk_ok(msk_x86_route(t.x86, RID, xt_remap_addr(5), 0, &r));
		assert_false(r.lost);
		assert_int_equal(r.cpu, 2);
	}
	assert_int_equal(injection(&t).seen, 0);
	send5(&t);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 1);
	assert_msk_ok(msk_x86_vtd_inject_irte_fault(t.x86, 0));
	struct msk_vtd_injection inj = injection(&t);
	assert_int_equal(inj.nth, 0);
	assert_int_equal(inj.seen, 1);
	assert_int_equal(inj.fired, 1);
	assert_string_not_equal(inj.what, "");
	send5(&t);
	assert_int_equal(injection(&t).seen, 1); /* disarmed: not counted */
	xt_expect(&t, 2, 0x41, 1);
	/* Re-arm: counts from zero again, the old report is gone. */
	assert_msk_ok(msk_x86_vtd_inject_irte_fault(t.x86, 2));
	inj = injection(&t);
	assert_int_equal(inj.seen, 0);
	assert_int_equal(inj.fired, 0);
	assert_string_equal(inj.what, "");
	send5(&t);
	send5(&t);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 2);
	xt_expect(&t, 2, 0x41, 1);
	xt_teardown(&t);
}

static void test_without_unit(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, false);
	assert_msk_error(msk_x86_vtd_inject_irte_fault(t.x86, 1), MSK_ENODEV);
	struct msk_vtd_injection inj;
	assert_msk_error(msk_x86_vtd_injection(t.x86, &inj), MSK_ENODEV);
	assert_msk_error(msk_x86_vtd_inject_irte_fault(NULL, 1), MSK_ENODEV);
	xt_teardown(&t);
}

/* ---- concurrent senders: exactly one request faults ------------------------------------ */

#define SENDERS	   4
#define PER_SENDER 2000

static _Atomic bool senders_done;

static void *sender(void *arg)
{
	struct xt *t = arg;
	for (int i = 0; i < PER_SENDER; i++) {
		msk_ledger_raise(t->ledger, 1);
		msk_bus_msi(t->bus, xt_remap_addr(5), 0, RID, 1);
	}
	return NULL;
}

static void *taker(void *arg)
{
	struct xt *t = arg;
	for (int spins = 0; spins < 2000000; spins++) {
		uint8_t v;
		uint64_t w;
		if (xt_take(t, 2, &v, &w) == 1)
			msk_x86_eoi(t->x86, 2);
		if (atomic_load(&senders_done))
			break;
	}
	return NULL;
}

static void test_concurrent_senders(void **state)
{
	(void)state;
	struct xt t;
	setup(&t);
	assert_msk_ok(msk_x86_vtd_inject_irte_fault(t.x86, 3333));
	atomic_store(&senders_done, false);
	pthread_t s[SENDERS], c;
	assert_int_equal(pthread_create(&c, NULL, taker, &t), 0);
	for (int i = 0; i < SENDERS; i++)
		assert_int_equal(pthread_create(&s[i], NULL, sender, &t), 0);
	for (int i = 0; i < SENDERS; i++)
		pthread_join(s[i], NULL);
	atomic_store(&senders_done, true);
	pthread_join(c, NULL);
	uint8_t v;
	uint64_t w;
	while (xt_take(&t, 2, &v, &w) == 1)
		msk_x86_eoi(t.x86, 2);
	struct msk_vtd_injection inj = injection(&t);
	assert_int_equal(inj.seen, SENDERS * PER_SENDER);
	assert_int_equal(inj.fired, 1);
	assert_int_equal(xt_lost_total(&t), 1);
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_TABLE_INVALID), 1);
	xt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nth_request_faults_once),
		cmocka_unit_test(test_fpd_does_not_hide_it),
		cmocka_unit_test(test_requests_before_the_fetch_do_not_count),
		cmocka_unit_test(test_disarm_rearm_and_route),
		cmocka_unit_test(test_without_unit),
		cmocka_unit_test(test_concurrent_senders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
