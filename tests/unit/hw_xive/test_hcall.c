/* SPDX-License-Identifier: MIT */
/*
 * The H_INT_* hypervisor calls: every argument error answers the right
 * PAPR code, in the documented validation order (when two arguments are
 * wrong, the first checked one decides), failed calls change nothing,
 * successful ones have the architected effect.
 */
#include "xive_fixture.h"

#define DEV	0x010000u
#define BAD_CPU FX_CPUS
#define FREE	100u /* an unclaimed LISN */

static uint32_t lisn0;	     /* first LISN of DEV's 4 MSI-X vectors */
static struct fake_dev *dev; /* DEV, reused by every test */

static struct fx *setup(bool store_eoi)
{
	struct fx *f = fx_new(16, store_eoi);
	fx_fw(f, 4, 0);
	free(dev);
	dev = fake_dev_new(0, 4);
	fx_add_dev(f, DEV, MSK_SPAPR_PE_OWN, dev);
	uint32_t r[4];
	assert_int_equal(fx_change_msi(f, DEV, MSK_RTAS_MSI_FN_MSIX, 4, 1, r), 0);
	assert_int_equal(fx_query(f, DEV, 0, &lisn0), 0);
	return f;
}

#define H(f, op, a0, a1, a2, a3, a4) fx_hcall((f), (op), (a0), (a1), (a2), (a3), (a4), rets)

static void test_exploitation_mode_and_opcodes(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	msk_spapr_set_xive_mode(f->fw, false);
	for (uint64_t op = MSK_H_INT_GET_SOURCE_INFO; op <= MSK_H_INT_RESET; op += 4)
		assert_int_equal(H(f, op, 0, lisn0, 0, 0, 0), MSK_H_FUNCTION);
	msk_spapr_set_xive_mode(f->fw, true);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, lisn0, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(H(f, MSK_H_INT_SET_OS_REPORTING_LINE, 0, 0x1000, 0, 0, 0), MSK_H_FUNCTION);
	assert_int_equal(H(f, MSK_H_INT_GET_OS_REPORTING_LINE, 0, 0, 0x1000, 0, 0), MSK_H_FUNCTION);
	assert_int_equal(H(f, 0x3D4, 0, 0, 0, 0, 0), MSK_H_FUNCTION);
	assert_int_equal(H(f, 0x4, 0, 0, 0, 0, 0), MSK_H_FUNCTION);
	uint64_t args[2] = { 0, lisn0 };
	assert_int_equal(msk_spapr_hcall(f->fw, MSK_H_INT_GET_SOURCE_INFO, args, 2, NULL),
			 MSK_H_PARAMETER);
	/* Failed calls produce no outputs. */
	memset(rets, 0xAA, sizeof(rets));
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, FREE, 0, 0, 0), MSK_H_P2);
	for (int i = 0; i < MSK_HCALL_NRETS; i++)
		assert_int_equal(rets[i], 0);
	/* Missing inputs read as 0: LISN 0 is an IPI. */
	assert_int_equal(msk_spapr_hcall(f->fw, MSK_H_INT_GET_SOURCE_INFO, NULL, 0, rets),
			 MSK_H_SUCCESS);
	assert_int_equal(msk_spapr_hcall(f->fw, MSK_H_INT_GET_SOURCE_INFO, args, 1, rets),
			 MSK_H_SUCCESS);
	fx_free(f);
}

static void test_get_source_info(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 1, FX_SOURCES, 0, 0, 0), MSK_H_PARAMETER);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, FX_SOURCES, 0, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, 1ull << 32 | lisn0, 0, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, FREE, 0, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, lisn0 + 2, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], 0);
	assert_int_equal(rets[1], fx_mgmt(f, lisn0 + 2));
	assert_int_equal(rets[2], fx_trig(f, lisn0 + 2));
	assert_int_equal(rets[3], 16);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, 3, 0, 0, 0), MSK_H_SUCCESS); /* IPI */
	fx_free(f);
	f = setup(true);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, lisn0, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], MSK_H_INT_SRC_STORE_EOI);
	fx_free(f);
}

static void expect_source_config(struct fx *f, uint32_t lisn, uint64_t cpu, uint64_t prio,
				 uint64_t eisn)
{
	uint64_t rets[MSK_HCALL_NRETS];
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_CONFIG, 0, lisn, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], cpu);
	assert_int_equal(rets[1], prio);
	assert_int_equal(rets[2], eisn);
}

static void test_set_source_config(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	const uint64_t set = MSK_H_INT_SET_SOURCE_CONFIG;
	assert_int_equal(H(f, set, MSK_H_INT_SRC_SET_EISN, lisn0, 2, 3, 0x55), MSK_H_SUCCESS);
	expect_source_config(f, lisn0, 2, 3, 0x55);
	/* Each error, and which check comes first. */
	assert_int_equal(H(f, set, 0x4, FREE, BAD_CPU, 7, 0), MSK_H_PARAMETER);
	assert_int_equal(H(f, set, 0, FREE, BAD_CPU, 7, 0), MSK_H_P2);
	assert_int_equal(H(f, set, 0, FX_SOURCES, 0, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, set, 0, lisn0, BAD_CPU, 7, 0), MSK_H_P4);
	assert_int_equal(H(f, set, 0, lisn0, 0, 8, 0), MSK_H_P4);
	assert_int_equal(H(f, set, 0, lisn0, 0, 0x100, 0), MSK_H_P4); /* not truncated */
	assert_int_equal(H(f, set, 0, lisn0, BAD_CPU, 6, 0), MSK_H_P3);
	assert_int_equal(H(f, set, 0, lisn0, 1ull << 32, 6, 0), MSK_H_P3);
	expect_source_config(f, lisn0, 2, 3, 0x55); /* unchanged */
	/* Without SET_EISN the EISN stays; MASK masks (priority reads 0xFF). */
	assert_int_equal(H(f, set, MSK_H_INT_SRC_MASK, lisn0, 1, 6, 0x99), MSK_H_SUCCESS);
	expect_source_config(f, lisn0, 1, 0xFF, 0x55);
	struct msk_xive_eas eas;
	assert_msk_ok(msk_xive_get_eas(f->x, lisn0, &eas));
	assert_true(eas.masked);
	assert_int_equal(eas.prio, 6);
	assert_int_equal(H(f, set, 0, lisn0, 1, 6, 0), MSK_H_SUCCESS);
	expect_source_config(f, lisn0, 1, 6, 0x55);
	/* The EISN is 31 bits. */
	assert_int_equal(H(f, set, MSK_H_INT_SRC_SET_EISN, lisn0, 1, 6, ~0ull), MSK_H_SUCCESS);
	expect_source_config(f, lisn0, 1, 6, 0x7FFFFFFF);
	/* Priority 0xFF resets the EAS and checks nothing more. */
	assert_int_equal(H(f, set, 0, lisn0, BAD_CPU, 0xFF, 0x12), MSK_H_SUCCESS);
	expect_source_config(f, lisn0, 0, 0xFF, 0);
	assert_msk_ok(msk_xive_get_eas(f->x, lisn0, &eas));
	assert_true(eas.valid);
	assert_true(eas.masked);
	fx_free(f);
}

static void test_get_source_config(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_CONFIG, 1, FREE, 0, 0, 0), MSK_H_PARAMETER);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_CONFIG, 0, FREE, 0, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_CONFIG, 0, ~0ull, 0, 0, 0), MSK_H_P2);
	expect_source_config(f, lisn0 + 1, 0, 0xFF, 0); /* claimed: masked */
	fx_free(f);
}

static void test_get_queue_info(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	const uint64_t op = MSK_H_INT_GET_QUEUE_INFO;
	assert_int_equal(H(f, op, 1, BAD_CPU, 7, 0, 0), MSK_H_PARAMETER);
	assert_int_equal(H(f, op, 0, BAD_CPU, 7, 0, 0), MSK_H_P3);
	assert_int_equal(H(f, op, 0, 0, 0xFF, 0, 0), MSK_H_P3);
	assert_int_equal(H(f, op, 0, BAD_CPU, 6, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, op, 0, 3, 6, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], 0);
	assert_int_equal(rets[1], 0);
	assert_msk_ok(msk_xive_set_queue(f->x, 3, 6, 0x200000, 21, true));
	assert_int_equal(H(f, op, 0, 3, 6, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[1], 21);
	fx_free(f);
}

static void get_queue(struct fx *f, uint32_t cpu, unsigned int prio, uint64_t out[4])
{
	assert_int_equal(
		fx_hcall(f, MSK_H_INT_GET_QUEUE_CONFIG, MSK_H_INT_EQ_DEBUG, cpu, prio, 0, 0, out),
		MSK_H_SUCCESS);
}

static void test_set_queue_config(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	const uint64_t op = MSK_H_INT_SET_QUEUE_CONFIG;
	const uint64_t qp = 0x200000;
	assert_int_equal(H(f, op, 1, 2, 5, qp, 16), MSK_H_SUCCESS);
	uint64_t before[4], after[4];
	get_queue(f, 2, 5, before);
	assert_int_equal(H(f, op, 2, BAD_CPU, 7, 1, 13), MSK_H_PARAMETER);
	assert_int_equal(H(f, op, 0, BAD_CPU, 7, 1, 13), MSK_H_P3);
	assert_int_equal(H(f, op, 0, 2, 0xFF, qp, 16), MSK_H_P3);
	assert_int_equal(H(f, op, 0, BAD_CPU, 5, 1, 13), MSK_H_P2);
	assert_int_equal(H(f, op, 0, 2, 5, 1, 13), MSK_H_P5); /* size before alignment */
	assert_int_equal(H(f, op, 0, 2, 5, qp, 8), MSK_H_P5);
	assert_int_equal(H(f, op, 0, 2, 5, qp, 64), MSK_H_P5);
	assert_int_equal(H(f, op, 0, 2, 5, qp + 0x800, 12), MSK_H_P4);
	assert_int_equal(H(f, op, 0, 2, 5, qp + 0x1000, 16), MSK_H_P4);
	assert_int_equal(H(f, op, 0, 2, 5, FX_RAM_SIZE, 16), MSK_H_P4); /* not in RAM */
	assert_int_equal(H(f, op, 0, 2, 5, ~0ull << 24, 24), MSK_H_P4);
	get_queue(f, 2, 5, after);
	assert_memory_equal(before, after, sizeof(before));
	const unsigned int sizes[] = { 12, 16, 21, 24 };
	for (int i = 0; i < 4; i++) {
		uint64_t page = 0x2000000; /* 32 MiB: aligned for every size */
		assert_int_equal(H(f, op, 0, 2, 5, page, sizes[i]), MSK_H_SUCCESS);
		get_queue(f, 2, 5, after);
		assert_int_equal(after[0], MSK_H_INT_EQ_GENERATION); /* no notify flag */
		assert_int_equal(after[1], page);
		assert_int_equal(after[2], sizes[i]);
		assert_int_equal(after[3], 0);
	}
	/*
	 * The model's record of a queue is not subject to fault injection (a
	 * failed allocation lands only where the OS allocates; the firmware's
	 * own refusals are the "firmware" controller fault): it succeeds.
	 */
	msk_fault_fail_alloc_from(1);
	assert_int_equal(H(f, op, 0, 2, 5, qp, 12), MSK_H_SUCCESS);
	msk_fault_reset();
	get_queue(f, 2, 5, after);
	assert_int_equal(after[1], qp);
	assert_int_equal(after[2], 12);
	/* Size 0 resets the queue, whatever the page. */
	assert_int_equal(H(f, op, 0, 2, 5, 0x123, 0), MSK_H_SUCCESS);
	get_queue(f, 2, 5, after);
	assert_int_equal(after[1], 0);
	assert_int_equal(after[2], 0);
	struct msk_xive_end_info e;
	assert_msk_ok(msk_xive_get_queue(f->x, 2, 5, &e));
	assert_false(e.enqueue);
	fx_free(f);
}

static void test_get_queue_config(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	const uint64_t op = MSK_H_INT_GET_QUEUE_CONFIG;
	assert_int_equal(H(f, op, 2, BAD_CPU, 7, 0, 0), MSK_H_PARAMETER);
	assert_int_equal(H(f, op, 0, BAD_CPU, 7, 0, 0), MSK_H_P3);
	assert_int_equal(H(f, op, 0, BAD_CPU, 0, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, MSK_H_INT_SET_QUEUE_CONFIG, MSK_H_INT_EQ_ALWAYS_NOTIFY, 0, 0,
			   FX_QPAGE(0, 0), 12),
			 MSK_H_SUCCESS);
	/* Without DEBUG: no generation, no index. */
	fx_route(f, lisn0, 0, 0, 1);
	fx_load(f, lisn0, MSK_XIVE_ESB_SET_PQ_00);
	fx_raise(f, lisn0, 1);
	assert_int_equal(H(f, op, 0, 0, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], MSK_H_INT_EQ_ALWAYS_NOTIFY);
	assert_int_equal(rets[1], FX_QPAGE(0, 0));
	assert_int_equal(rets[2], 12);
	assert_int_equal(rets[3], 0);
	assert_int_equal(H(f, op, MSK_H_INT_EQ_DEBUG, 0, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], MSK_H_INT_EQ_ALWAYS_NOTIFY | MSK_H_INT_EQ_GENERATION);
	assert_int_equal(rets[3], 1);
	/* After a full lap the generation is 0. */
	for (int i = 0; i < 1023; i++) {
		fx_take(f, 0, NULL, NULL);
		fx_load(f, lisn0, MSK_XIVE_ESB_LOAD_EOI);
		fx_raise(f, lisn0, 1);
	}
	assert_int_equal(H(f, op, MSK_H_INT_EQ_DEBUG, 0, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], MSK_H_INT_EQ_ALWAYS_NOTIFY);
	assert_int_equal(rets[3], 0);
	fx_take(f, 0, NULL, NULL);
	fx_balanced(f);
	fx_free(f);
}

static void test_int_esb(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	const uint64_t op = MSK_H_INT_ESB;
	assert_int_equal(H(f, op, 2, FREE, 0x10000, 0, 0), MSK_H_PARAMETER);
	assert_int_equal(H(f, op, 0, FREE, 0x10000, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, op, 0, lisn0, 0x10000, 0, 0), MSK_H_P3);
	assert_int_equal(H(f, op, 0, lisn0, ~0ull, 0, 0), MSK_H_P3);
	assert_int_equal(fx_pq(f, lisn0), MSK_XIVE_PQ_OFF);
	assert_int_equal(H(f, op, 0, lisn0, MSK_XIVE_ESB_GET, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], MSK_XIVE_PQ_OFF);
	assert_int_equal(H(f, op, 0, lisn0, MSK_XIVE_ESB_SET_PQ_00 + 0xF000, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], MSK_XIVE_PQ_OFF);
	assert_int_equal(fx_pq(f, lisn0), MSK_XIVE_PQ_RESET);
	assert_int_equal(H(f, op, MSK_H_INT_ESB_STORE, lisn0, MSK_XIVE_ESB_SET_PQ_11, 0, 0),
			 MSK_H_SUCCESS);
	assert_int_equal(rets[0], ~0ull);
	assert_int_equal(fx_pq(f, lisn0), MSK_XIVE_PQ_QUEUED);
	/* A trigger through H_INT_ESB (store at 0): from 00, notifies. */
	fx_queue(f, 0, 2, 12);
	fx_route(f, lisn0, 0, 2, 9);
	fx_load(f, lisn0, MSK_XIVE_ESB_SET_PQ_00);
	assert_int_equal(H(f, op, MSK_H_INT_ESB_STORE, lisn0, 0, 0xdead, 0), MSK_H_SUCCESS);
	assert_int_equal(fx_pq(f, lisn0), MSK_XIVE_PQ_PENDING);
	uint32_t eisn;
	fx_take(f, 0, &eisn, NULL);
	assert_int_equal(eisn, 9);
	assert_int_equal(H(f, op, 0, lisn0, MSK_XIVE_ESB_LOAD_EOI, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[0], 0);
	assert_int_equal(fx_pq(f, lisn0), MSK_XIVE_PQ_RESET);
	fx_balanced(f);
	fx_free(f);
}

static void test_int_sync(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	assert_int_equal(H(f, MSK_H_INT_SYNC, 1, FREE, 0, 0, 0), MSK_H_PARAMETER);
	assert_int_equal(H(f, MSK_H_INT_SYNC, 0, FREE, 0, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, MSK_H_INT_SYNC, 0, FX_SOURCES, 0, 0, 0), MSK_H_P2);
	assert_int_equal(H(f, MSK_H_INT_SYNC, 0, lisn0, 0, 0, 0), MSK_H_SUCCESS);
	fx_free(f);
}

static void test_int_reset(void **state)
{
	(void)state;
	struct fx *f = setup(false);
	uint64_t rets[MSK_HCALL_NRETS];
	assert_int_equal(H(f, MSK_H_INT_SET_QUEUE_CONFIG, 0, 1, 1, FX_QPAGE(1, 1), 12),
			 MSK_H_SUCCESS);
	assert_int_equal(H(f, MSK_H_INT_SET_SOURCE_CONFIG, MSK_H_INT_SRC_SET_EISN, lisn0, 1, 1, 5),
			 MSK_H_SUCCESS);
	fx_load(f, lisn0, MSK_XIVE_ESB_SET_PQ_00);
	fx_raise(f, lisn0, 4);
	assert_int_equal(H(f, MSK_H_INT_RESET, 1, 0, 0, 0, 0), MSK_H_PARAMETER);
	assert_int_equal(fx_outstanding(f, 1, 1), 1);
	assert_int_equal(H(f, MSK_H_INT_RESET, 0, 0, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_QUEUE_RESET), 4);
	expect_source_config(f, lisn0, 0, 0xFF, 0);
	assert_int_equal(H(f, MSK_H_INT_GET_QUEUE_INFO, 0, 1, 1, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(rets[1], 0);
	/* Claimed sources stay claimed (IPIs too), free ones stay free. */
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, 0, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, lisn0 + 3, 0, 0, 0), MSK_H_SUCCESS);
	assert_int_equal(H(f, MSK_H_INT_GET_SOURCE_INFO, 0, FREE, 0, 0, 0), MSK_H_P2);
	fx_balanced(f);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exploitation_mode_and_opcodes),
		cmocka_unit_test(test_get_source_info),
		cmocka_unit_test(test_set_source_config),
		cmocka_unit_test(test_get_source_config),
		cmocka_unit_test(test_get_queue_info),
		cmocka_unit_test(test_set_queue_config),
		cmocka_unit_test(test_get_queue_config),
		cmocka_unit_test(test_int_esb),
		cmocka_unit_test(test_int_sync),
		cmocka_unit_test(test_int_reset),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(dev);
	return rc;
}
