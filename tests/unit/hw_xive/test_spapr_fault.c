/* SPDX-License-Identifier: MIT */
/*
 * Firmware fault injection (msk_spapr_fault_arm): which calls count, the
 * refused call answers RTAS -1 / H_HARDWARE with every output zero and has
 * no effect at all, the report (seen, fired, what), consecutive refusals,
 * disarming.
 */
#include <msikit/hw_xive.h>

#include "xive_fixture.h"

#define DEV_A 0x00010000u /* 01:00.0 */

static struct fx *fw_rig(struct fake_dev **dev)
{
	struct fx *f = fx_new(16, false);
	fx_fw(f, 4, 0);
	*dev = fake_dev_new(8, 16);
	fx_add_dev(f, DEV_A, MSK_SPAPR_PE_OWN, *dev);
	return f;
}

static struct msk_spapr_fault_state fault(struct fx *f)
{
	struct msk_spapr_fault_state st;
	msk_spapr_fault_state(f->fw, &st);
	return st;
}

static void test_nth_call_refused(void **state)
{
	struct fake_dev *d;
	struct fx *f = fw_rig(&d);
	assert_int_equal(fault(f).nth, 0);
	msk_spapr_fault_arm(f->fw, 3, 1);
	uint32_t rets[4], lisn = 0;
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 4, 1, rets), 0); /* 1 */
	assert_int_equal(fx_query(f, DEV_A, 2, &lisn), 0);				/* 2 */
	struct msk_xive_eas before, after;
	assert_msk_ok(msk_xive_get_eas(f->x, lisn, &before));
	uint64_t r[MSK_HCALL_NRETS] = { 7, 7, 7, 7 };
	/* 3: refused, nothing changes, every output 0 */
	assert_int_equal(fx_hcall(f, MSK_H_INT_SET_SOURCE_CONFIG, MSK_H_INT_SRC_SET_EISN, lisn, 1,
				  6, 0x42, r),
			 MSK_H_HARDWARE);
	for (int i = 0; i < MSK_HCALL_NRETS; i++)
		assert_int_equal(r[i], 0);
	assert_msk_ok(msk_xive_get_eas(f->x, lisn, &after));
	assert_int_equal(before.valid, after.valid);
	assert_int_equal(before.masked, after.masked);
	assert_int_equal(before.cpu, after.cpu);
	assert_int_equal(before.prio, after.prio);
	assert_int_equal(before.eisn, after.eisn);
	/* 4: works again */
	assert_int_equal(fx_hcall(f, MSK_H_INT_SET_SOURCE_CONFIG, MSK_H_INT_SRC_SET_EISN, lisn, 1,
				  6, 0x42, r),
			 MSK_H_SUCCESS);
	struct msk_spapr_fault_state st = fault(f);
	assert_int_equal(st.nth, 3);
	assert_int_equal(st.count, 1);
	assert_int_equal(st.seen, 4);
	assert_int_equal(st.fired, 1);
	char want[128];
	snprintf(want, sizeof(want),
		 "H_INT_SET_SOURCE_CONFIG lisn 0x%x target 1 prio 6 eisn 0x42 -> H_HARDWARE", lisn);
	assert_string_equal(st.what, want);
	fx_free(f);
	free(d);
}

static void test_refused_change_msi_changes_nothing(void **state)
{
	struct fake_dev *d;
	struct fx *f = fw_rig(&d);
	uint32_t rets[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 4, 1, rets), 0);
	struct msk_spapr_fn_info was = fx_fn(f, DEV_A);
	uint32_t pool = msk_spapr_pool_free(f->fw);
	unsigned int writes = d->writes;

	/* A bigger grant, refused: the old one stays, the device is not written. */
	msk_spapr_fault_arm(f->fw, 1, 1);
	rets[1] = rets[2] = rets[3] = 9;
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 8, 2, rets),
			 MSK_RTAS_HW_ERROR);
	assert_int_equal(rets[1], 0);
	assert_int_equal(rets[2], 0);
	assert_int_equal(rets[3], 0);
	struct msk_spapr_fn_info now = fx_fn(f, DEV_A);
	assert_memory_equal(&was, &now, sizeof(was));
	assert_int_equal(msk_spapr_pool_free(f->fw), pool);
	assert_int_equal(d->writes, writes);
	assert_string_equal(fault(f).what,
			    "RTAS ibm,change-msi 01:00.0 function 4 count 8 -> hardware error");

	/* The release, refused: every LISN stays claimed and programmed. */
	msk_spapr_fault_arm(f->fw, 1, 1);
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 0, 3, rets),
			 MSK_RTAS_HW_ERROR);
	now = fx_fn(f, DEV_A);
	assert_int_equal(now.count, 4);
	for (uint32_t i = 0; i < 4; i++) {
		struct msk_xive_eas eas;
		assert_msk_ok(msk_xive_get_eas(f->x, was.first_lisn + i, &eas));
		assert_true(eas.valid);
		assert_int_equal(d->msix_data[i], was.first_lisn + i);
	}
	/* Asked again, the firmware releases. */
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 0, 4, rets), 0);
	assert_int_equal(fx_fn(f, DEV_A).count, 0);
	assert_int_equal(msk_spapr_pool_free(f->fw), pool + 4);
	fx_free(f);
	free(d);
}

static void test_refused_query(void **state)
{
	struct fake_dev *d;
	struct fx *f = fw_rig(&d);
	uint32_t rets[4], lisn = 0xdead;
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSI, 2, 1, rets), 0);
	msk_spapr_fault_arm(f->fw, 1, 1);
	uint32_t args[4] = { DEV_A, (uint32_t)(FX_BUID >> 32), (uint32_t)FX_BUID, 1 };
	uint32_t r3[3] = { 5, 5, 5 };
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_QUERY_SOURCE, args, 4, r3, 3));
	assert_int_equal((int32_t)r3[0], MSK_RTAS_HW_ERROR);
	assert_int_equal(r3[1], 0);
	assert_int_equal(r3[2], 0);
	assert_string_equal(
		fault(f).what,
		"RTAS ibm,query-interrupt-source-number 01:00.0 index 1 -> hardware error");
	assert_int_equal(fx_query(f, DEV_A, 1, &lisn), 0);
	assert_int_equal(lisn, fx_fn(f, DEV_A).first_lisn + 1);
	fx_free(f);
	free(d);
}

/* Every implemented hcall, refused, leaves the XIVE as it was. */
static void test_every_hcall_refused_without_effect(void **state)
{
	struct fake_dev *d;
	struct fx *f = fw_rig(&d);
	uint32_t rets[4];
	assert_int_equal(fx_change_msi(f, DEV_A, MSK_RTAS_MSI_FN_MSIX, 2, 1, rets), 0);
	uint32_t lisn = fx_fn(f, DEV_A).first_lisn;
	uint64_t r[MSK_HCALL_NRETS];
	assert_int_equal(fx_hcall(f, MSK_H_INT_SET_QUEUE_CONFIG, 0, 1, 6, FX_QPAGE(1, 6), 12, r),
			 MSK_H_SUCCESS);
	assert_int_equal(fx_hcall(f, MSK_H_INT_SET_SOURCE_CONFIG, MSK_H_INT_SRC_SET_EISN, lisn, 1,
				  6, lisn, r),
			 MSK_H_SUCCESS);
	const struct {
		uint64_t op, a[5];
	} calls[] = {
		{ MSK_H_INT_GET_SOURCE_INFO, { 0, lisn } },
		{ MSK_H_INT_SET_SOURCE_CONFIG, { 0, lisn, 2, 5, 0 } },
		{ MSK_H_INT_SET_SOURCE_CONFIG, { 0, lisn, 0, MSK_H_INT_PRIO_MASKED, 0 } },
		{ MSK_H_INT_GET_SOURCE_CONFIG, { 0, lisn } },
		{ MSK_H_INT_GET_QUEUE_INFO, { 0, 1, 6 } },
		{ MSK_H_INT_SET_QUEUE_CONFIG, { 0, 1, 6, 0, 0 } },
		{ MSK_H_INT_SET_QUEUE_CONFIG, { 0, 2, 6, FX_QPAGE(2, 6), 12 } },
		{ MSK_H_INT_GET_QUEUE_CONFIG, { MSK_H_INT_EQ_DEBUG, 1, 6 } },
		{ MSK_H_INT_ESB, { 0, lisn, MSK_XIVE_ESB_SET_PQ_00 } },
		{ MSK_H_INT_ESB, { MSK_H_INT_ESB_STORE, lisn, 0 } },
		{ MSK_H_INT_SYNC, { 0, lisn } },
		{ MSK_H_INT_RESET, { 0 } },
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct msk_xive_source_info s0, s1;
		struct msk_xive_end_info q0, q1, q2;
		memset(&s0, 0, sizeof(s0)); /* padding too: compared as bytes */
		memset(&s1, 0, sizeof(s1));
		assert_msk_ok(msk_xive_get_source(f->x, lisn, &s0));
		assert_msk_ok(msk_xive_get_queue(f->x, 1, 6, &q0));
		msk_spapr_fault_arm(f->fw, 1, 1);
		memset(r, 0xff, sizeof(r));
		assert_int_equal(fx_hcall(f, calls[i].op, calls[i].a[0], calls[i].a[1],
					  calls[i].a[2], calls[i].a[3], calls[i].a[4], r),
				 MSK_H_HARDWARE);
		for (int k = 0; k < MSK_HCALL_NRETS; k++)
			assert_int_equal(r[k], 0);
		assert_msk_ok(msk_xive_get_source(f->x, lisn, &s1));
		assert_msk_ok(msk_xive_get_queue(f->x, 1, 6, &q1));
		assert_msk_ok(msk_xive_get_queue(f->x, 2, 6, &q2));
		assert_memory_equal(&s0, &s1, sizeof(s0));
		assert_memory_equal(&q0, &q1, sizeof(q0));
		assert_false(q2.enqueue);
		assert_int_equal(fault(f).fired, 1);
		assert_non_null(strstr(fault(f).what, "-> H_HARDWARE"));
	}
	assert_int_equal(f->kicks[1], 0);
	fx_balanced(f);
	fx_free(f);
	free(d);
}

/* Calls the model does not implement, or refuses before dispatch, are not counted. */
static void test_what_counts(void **state)
{
	struct fake_dev *d;
	struct fx *f = fw_rig(&d);
	msk_spapr_fault_arm(f->fw, 1, 1);
	uint64_t r[MSK_HCALL_NRETS];
	assert_int_equal(fx_hcall(f, MSK_H_INT_SET_OS_REPORTING_LINE, 0, 0, 0, 0, 0, r),
			 MSK_H_FUNCTION);
	assert_int_equal(fx_hcall(f, 0x1234, 0, 0, 0, 0, 0, r), MSK_H_FUNCTION);
	assert_int_equal(msk_spapr_hcall(f->fw, MSK_H_INT_RESET, NULL, 0, NULL), MSK_H_PARAMETER);
	msk_spapr_set_xive_mode(f->fw, false);
	assert_int_equal(fx_hcall(f, MSK_H_INT_RESET, 0, 0, 0, 0, 0, r), MSK_H_FUNCTION);
	msk_spapr_set_xive_mode(f->fw, true);
	uint32_t rets[3];
	assert_msk_error(msk_spapr_rtas_call(f->fw, "ibm,nonsense", NULL, 0, rets, 3), MSK_ENOENT);
	struct fake_dev *d2 = fake_dev_new(1, 0);
	fx_add_dev(f, 0x00010100u, MSK_SPAPR_PE_OWN, d2);
	assert_msk_ok(msk_spapr_remove_function(f->fw, FX_BUID, 0x00010100u));
	assert_int_equal(fault(f).seen, 0);
	/* A call with bad arguments is still a call: the hardware error comes first. */
	assert_int_equal(fx_hcall(f, MSK_H_INT_GET_SOURCE_INFO, 0, 0xFFFFFF, 0, 0, 0, r),
			 MSK_H_HARDWARE);
	assert_int_equal(fault(f).seen, 1);
	assert_int_equal(fx_hcall(f, MSK_H_INT_GET_SOURCE_INFO, 0, 0xFFFFFF, 0, 0, 0, r), MSK_H_P2);
	fx_free(f);
	free(d);
	free(d2);
}

static void test_consecutive_refusals(void **state)
{
	struct fake_dev *d;
	struct fx *f = fw_rig(&d);
	msk_spapr_fault_arm(f->fw, 2, 3);
	uint64_t r[MSK_HCALL_NRETS];
	int64_t want[] = { MSK_H_SUCCESS,  MSK_H_HARDWARE, MSK_H_HARDWARE,
			   MSK_H_HARDWARE, MSK_H_SUCCESS,  MSK_H_SUCCESS };
	for (int i = 0; i < 6; i++)
		assert_int_equal(
			fx_hcall(f, MSK_H_INT_GET_QUEUE_INFO, 0, (uint64_t)i % 4, 6, 0, 0, r),
			want[i]);
	struct msk_spapr_fault_state st = fault(f);
	assert_int_equal(st.seen, 6);
	assert_int_equal(st.fired, 3);
	/* The first refusal is the one reported. */
	assert_string_equal(st.what, "H_INT_GET_QUEUE_INFO target 1 prio 6 -> H_HARDWARE");
	/* count 0 means one. */
	msk_spapr_fault_arm(f->fw, 1, 0);
	assert_int_equal(fault(f).count, 1);
	assert_int_equal(fault(f).seen, 0);
	assert_string_equal(fault(f).what, "");
	fx_free(f);
	free(d);
}

static void test_disarm_keeps_the_report(void **state)
{
	struct fake_dev *d;
	struct fx *f = fw_rig(&d);
	uint64_t r[MSK_HCALL_NRETS];
	msk_spapr_fault_arm(f->fw, 1, 1);
	assert_int_equal(fx_hcall(f, MSK_H_INT_RESET, 0, 0, 0, 0, 0, r), MSK_H_HARDWARE);
	msk_spapr_fault_arm(f->fw, 0, 0);
	assert_int_equal(fx_hcall(f, MSK_H_INT_RESET, 0, 0, 0, 0, 0, r), MSK_H_SUCCESS);
	struct msk_spapr_fault_state st = fault(f);
	assert_int_equal(st.nth, 0);
	assert_int_equal(st.count, 0);
	assert_int_equal(st.seen, 1);
	assert_int_equal(st.fired, 1);
	assert_string_equal(st.what, "H_INT_RESET -> H_HARDWARE");
	/* Disarmed before it fired: nothing refused, the count so far kept. */
	msk_spapr_fault_arm(f->fw, 5, 1);
	assert_int_equal(fx_hcall(f, MSK_H_INT_RESET, 0, 0, 0, 0, 0, r), MSK_H_SUCCESS);
	msk_spapr_fault_arm(f->fw, 0, 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(fx_hcall(f, MSK_H_INT_RESET, 0, 0, 0, 0, 0, r), MSK_H_SUCCESS);
	st = fault(f);
	assert_int_equal(st.seen, 1);
	assert_int_equal(st.fired, 0);
	fx_free(f);
	free(d);
}

static void test_function_pe(void **state)
{
	struct fake_dev *d;
	struct fx *f = fw_rig(&d);
	uint32_t pe = 0xdead;
	assert_true(msk_spapr_function_pe(f->fw, FX_BUID, DEV_A, &pe));
	assert_int_equal(pe, fx_fn(f, DEV_A).pe);
	pe = 0xdead;
	assert_false(msk_spapr_function_pe(f->fw, FX_BUID, 0x00020000u, &pe));
	assert_false(msk_spapr_function_pe(f->fw, FX_BUID + 1, DEV_A, &pe));
	assert_false(msk_spapr_function_pe(f->fw, FX_BUID, DEV_A | 1, &pe));
	assert_int_equal(pe, 0xdead);
	fx_free(f);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nth_call_refused),
		cmocka_unit_test(test_refused_change_msi_changes_nothing),
		cmocka_unit_test(test_refused_query),
		cmocka_unit_test(test_every_hcall_refused_without_effect),
		cmocka_unit_test(test_what_counts),
		cmocka_unit_test(test_consecutive_refusals),
		cmocka_unit_test(test_disarm_keeps_the_report),
		cmocka_unit_test(test_function_pe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
