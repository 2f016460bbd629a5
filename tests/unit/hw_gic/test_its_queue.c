/* SPDX-License-Identifier: MIT */
/* GICv3 ITS command queue: bounded processing, wrap-around, error policies. */
#include "gic_guest.h"

static uint64_t creadr(struct guest *g)
{
	return g_its_read(g, MSK_GITS_CREADR, 8);
}

/* A full 1 MiB queue (32767 commands) drains over many accesses, 64 at a time. */
static void test_full_queue_is_bounded(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	g_rd_enable(g, 0);
	g_its_tables(g, 256);
	g_its_enable(g);
	g_mapc(g, 0, 0, true);
	g_route(g, 1, 1, 0, 8192, 0);
	g_prop(g, 8192, 0xA0, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 1, 0);
	uint64_t start = g->wr;
	const unsigned int n = 32767; /* one slot stays empty: queue full */
	for (unsigned int i = 0; i < n; i++)
		g_queue(g, MSK_ITS_CMD_INT | DEV(1), 0, 0, 0);
	assert_int_equal(g->wr, (start + 32ull * n) % g->qbytes);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	/* One CWRITER write ran exactly 64 commands. */
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.by_opcode[MSK_ITS_CMD_INT], 64);
	unsigned int polls = g_wait(g);
	assert_int_equal(polls, (n - 64 + 63) / 64);
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.by_opcode[MSK_ITS_CMD_INT], n);
	uint64_t w;
	assert_int_equal(msk_gic_lpi_pending(g->gic, 0, 8192, &w), 1);
	assert_int_equal(w, n);
	g_balanced(g);
	g_prop(g, 8192, 0xA0, true);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 1, 0);
	assert_int_equal(g_ack(g, 0, &w), 8192);
	assert_int_equal(w, n);
	g_destroy(g);
}

/* cmds_per_access = 1: every access runs one command. */
static void test_batch_size_config(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 1, .cmds_per_access = 1 };
	struct guest *g = g_boot(&cfg);
	uint64_t r0 = creadr(g);
	for (int i = 0; i < 5; i++)
		g_queue(g, MSK_ITS_CMD_SYNC, 0, 0, 0);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	assert_int_equal(creadr(g), r0 + 64); /* the write ran one, the read another */
	assert_int_equal(creadr(g), r0 + 96);
	assert_int_equal(g_wait(g), 2);
	g_destroy(g);
}

/* INVALL (a whole-table read) ends the batch it runs in. */
static void test_invall_ends_batch(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	uint64_t r0 = creadr(g);
	g_queue(g, MSK_ITS_CMD_SYNC, 0, 0, 0);
	g_queue(g, MSK_ITS_CMD_INVALL, 0, 1, 0);
	g_queue(g, MSK_ITS_CMD_SYNC, 0, 0, 0);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.by_opcode[MSK_ITS_CMD_INVALL], 1);
	assert_int_equal(st.by_opcode[MSK_ITS_CMD_SYNC], 4 + 1); /* boot's 4, then one */
	assert_int_equal(creadr(g), r0 + 96);			 /* the read ran the last SYNC */
	g_destroy(g);
}

/* The queue wraps around at its end. */
static void test_queue_wraps(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	g_rd_enable(g, 0);
	g_its_tables(g, 1); /* 128 slots */
	g_its_enable(g);
	g_mapc(g, 0, 0, true);
	g_route(g, 1, 1, 0, 8192, 0);
	for (int i = 0; i < 300; i++) {
		g_ev_cmd(g, MSK_ITS_CMD_INT, 1, 0);
		assert_int_equal(g_ack(g, 0, NULL), 8192);
	}
	assert_int_equal(creadr(g), g->wr);
	assert_true(g->wr < 4096);
	assert_int_equal(g_delivered(g), 300);
	g_destroy(g);
}

/* Skip policy: a failing command is logged and the queue carries on. */
static void test_skip_policy(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	uint64_t r0 = creadr(g);
	g_queue(g, MSK_ITS_CMD_MAPTI | DEV(3), 8192ull << 32, 0, 0); /* device 3 unmapped */
	g_queue(g, MSK_ITS_CMD_MAPD | DEV(3), 0, (1ull << 63) | G_ITT(3), 0);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	g_wait(g);
	assert_int_equal(creadr(g), g->wr);
	struct msk_its_error e;
	assert_int_equal(msk_its_errors(g->gic, &e, 1), 1);
	assert_int_equal(e.code, MSK_ITS_E_MAPTI_UNMAPPED_DEVICE);
	assert_int_equal(e.opcode, MSK_ITS_CMD_MAPTI);
	assert_int_equal(e.offset, r0);
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(g->gic, 3, &info), 1);
	g_destroy(g);
}

/* Stall policy: CREADR stops at the bad command until CWRITER.Retry. */
static void test_stall_and_retry(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .error_policy = MSK_ITS_ERR_STALL };
	struct guest *g = g_boot(&cfg);
	uint64_t bad = g->wr;
	g_queue(g, MSK_ITS_CMD_MAPTI | DEV(3), 8192ull << 32, 1, 0); /* device 3 unmapped */
	g_queue(g, MSK_ITS_CMD_MAPD | DEV(3), 0, (1ull << 63) | G_ITT(3), 0);
	g_queue(g, MSK_ITS_CMD_MAPC, 0, (1ull << 63) | (1ull << 16) | 9, 0);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	uint64_t r = creadr(g);
	assert_int_equal(r, bad | MSK_GITS_CREADR_STALLED);
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.stalls, 1);
	assert_int_equal(msk_its_last_error(g->gic), MSK_ITS_E_MAPTI_UNMAPPED_DEVICE);
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(g->gic, 3, &info), 0); /* MAPD behind it did not run */
	/* CWRITER without Retry: still stalled. */
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	assert_int_equal(creadr(g), bad | MSK_GITS_CREADR_STALLED);
	/* Retry with the command unchanged: it fails and stalls again. */
	g_its_write(g, MSK_GITS_CWRITER, g->wr | MSK_GITS_CWRITER_RETRY, 8);
	assert_int_equal(creadr(g), bad | MSK_GITS_CREADR_STALLED);
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.stalls, 2);
	assert_int_equal(st.errors, 2);
	/* Software replaces it with a SYNC and retries: the queue drains. */
	uint64_t sync[4] = { MSK_ITS_CMD_SYNC, 0, 0, 0 };
	assert_msk_ok(msk_ram_write(g->bus, G_QUEUE + bad, sync, sizeof(sync)));
	g_its_write(g, MSK_GITS_CWRITER, g->wr | MSK_GITS_CWRITER_RETRY, 8);
	assert_int_equal(creadr(g), g->wr);
	assert_int_equal(msk_its_device(g->gic, 3, &info), 1);
	uint64_t cte;
	assert_msk_ok(msk_ram_read64(g->bus, G_COLLTAB + 9 * 8, &cte));
	assert_int_equal(cte, (1ull << 63) | 1);
	/* CBASER rewritten while disabled clears Stalled. */
	g_cmd(g, 0x42, 0, 0, 0);
	assert_true(creadr(g) & MSK_GITS_CREADR_STALLED);
	g_its_write(g, MSK_GITS_CTLR, 0, 4);
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | G_QUEUE | 15, 8);
	assert_int_equal(creadr(g), 0);
	g_destroy(g);
}

/* A queue outside RAM: every slot is a queue fault (skip), or a stall. */
static void test_queue_outside_ram(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 1 };
	struct guest *g = g_create(&cfg);
	g_its_tables(g, 1);
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | 0x100000, 8);
	g_its_enable(g);
	g_its_write(g, MSK_GITS_CWRITER, 3 * 32, 8);
	assert_int_equal(creadr(g), 3 * 32);
	assert_int_equal(msk_its_last_error(g->gic), MSK_ITS_E_QUEUE_FAULT);
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.errors, 3);
	assert_int_equal(st.commands, 0);
	g_destroy(g);
}

/* Disabling the ITS stops command processing; enabling resumes it. */
static void test_disable_pauses_queue(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 1, .cmds_per_access = 2 };
	struct guest *g = g_boot(&cfg);
	uint64_t r0 = creadr(g);
	for (int i = 0; i < 6; i++)
		g_queue(g, MSK_ITS_CMD_SYNC, 0, 0, 0);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	assert_int_equal(creadr(g), r0 + 4 * 32);
	g_its_write(g, MSK_GITS_CTLR, 0, 4);
	assert_int_equal(creadr(g), r0 + 4 * 32);
	g_its_enable(g);
	assert_int_equal(creadr(g), g->wr);
	g_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_queue_is_bounded),
		cmocka_unit_test(test_batch_size_config),
		cmocka_unit_test(test_invall_ends_batch),
		cmocka_unit_test(test_queue_wraps),
		cmocka_unit_test(test_skip_policy),
		cmocka_unit_test(test_stall_and_retry),
		cmocka_unit_test(test_queue_outside_ram),
		cmocka_unit_test(test_disable_pauses_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
