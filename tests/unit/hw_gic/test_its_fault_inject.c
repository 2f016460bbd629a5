/* SPDX-License-Identifier: MIT */
/*
 * The ITS command-error injection (msk_its_inject_command_error): the nth
 * executed command (SYNC included) completes with MSK_ITS_E_INTERNAL and
 * has no effect, under both error policies; counting, disarming and the
 * report; bad arguments.
 */
#include "gic_guest.h"

static uint64_t creadr(struct guest *g)
{
	return g_its_read(g, MSK_GITS_CREADR, 8);
}

static struct msk_its_injection injection(struct guest *g)
{
	struct msk_its_injection in;
	msk_its_injection(g->gic, &in);
	return in;
}

static uint64_t errors(struct guest *g)
{
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	return st.errors;
}

/* The nth command from arming fails once, whatever it is; SYNC counts. */
static void test_nth_command_fails_once(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	assert_msk_ok(msk_its_inject_command_error(g->gic, 3, 1));
	g_sync(g, 0);		   /* 1 */
	g_mapd(g, 7, 2, true);	   /* 2 */
	g_mapti(g, 7, 1, 8200, 1); /* 3: fails */
	assert_int_equal(msk_its_last_error(g->gic), MSK_ITS_E_INTERNAL(MSK_ITS_CMD_MAPTI));
	assert_int_equal(MSK_ITS_E_INTERNAL(MSK_ITS_CMD_MAPTI), 0x010AFC);
	struct msk_its_injection in = injection(g);
	assert_int_equal(in.nth, 3);
	assert_int_equal(in.seen, 3);
	assert_int_equal(in.fired, 1);
	assert_non_null(strstr(in.what, "MAPTI DeviceID 0x7 EventID 1 -> LPI 8200 ICID 1"));
	assert_non_null(strstr(in.what, "queue offset 0x"));
	/* No effect: the event is not mapped. */
	enum msk_loss why;
	assert_int_equal(msk_its_lookup(g->gic, 7, 1, NULL, NULL, &why), 0);
	assert_int_equal(why, MSK_LOSS_NO_MAPPING);
	/* Skipped, not stalled; the next commands run (and still count). */
	assert_false(creadr(g) & MSK_GITS_CREADR_STALLED);
	g_mapti(g, 7, 1, 8200, 1);
	g_sync(g, 1);
	uint32_t intid;
	assert_int_equal(msk_its_lookup(g->gic, 7, 1, &intid, NULL, NULL), 1);
	assert_int_equal(intid, 8200);
	in = injection(g);
	assert_int_equal(in.seen, 5);
	assert_int_equal(in.fired, 1);
	assert_int_equal(errors(g), 1);
	g_destroy(g);
}

static void test_sync_can_fail(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	assert_msk_ok(msk_its_inject_command_error(g->gic, 1, 1));
	g_sync(g, 2);
	assert_int_equal(msk_its_last_error(g->gic), MSK_ITS_E_INTERNAL(MSK_ITS_CMD_SYNC));
	assert_string_equal(injection(g).what, "SYNC RD 2 (queue offset 0x100)");
	g_destroy(g);
}

/* A failed DISCARD, MOVI, INV, MAPC, MOVALL, CLEAR, INT, MAPD V=0 changes nothing. */
static void test_failed_commands_have_no_effect(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 3, 2, 1, 8300, 1);
	g_msi(g, 3, 1, 4); /* pending on RD 1 with weight 4 */
	struct msk_ledger_counts before, after;
	msk_ledger_read(g->ledger, &before);
	const struct {
		uint64_t d0, d1, d2, d3;
	} cmds[] = {
		{ MSK_ITS_CMD_DISCARD | DEV(3), 1, 0, 0 },
		{ MSK_ITS_CMD_MOVI | DEV(3), 1, 2, 0 },
		{ MSK_ITS_CMD_CLEAR | DEV(3), 1, 0, 0 },
		{ MSK_ITS_CMD_INT | DEV(3), 1, 0, 0 },
		{ MSK_ITS_CMD_MOVALL, 0, 1ull << 16, 2ull << 16 },
		{ MSK_ITS_CMD_MAPC, 0, (1ull << 63) | (3ull << 16) | 1, 0 },
		{ MSK_ITS_CMD_MAPD | DEV(3), 0, 0, 0 },
	};
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		assert_msk_ok(msk_its_inject_command_error(g->gic, 1, 1));
		g_cmd(g, cmds[i].d0, cmds[i].d1, cmds[i].d2, cmds[i].d3);
		assert_int_equal(msk_its_last_error(g->gic),
				 MSK_ITS_E_INTERNAL((uint8_t)cmds[i].d0));
		uint32_t intid;
		unsigned int cpu;
		assert_int_equal(msk_its_lookup(g->gic, 3, 1, &intid, &cpu, NULL), 1);
		assert_int_equal(intid, 8300);
		assert_int_equal(cpu, 1);
		uint64_t w;
		assert_int_equal(msk_gic_lpi_pending(g->gic, 1, 8300, &w), 1);
		assert_int_equal(w, 4);
	}
	msk_ledger_read(g->ledger, &after);
	assert_int_equal(after.raised, before.raised); /* the INT raised nothing */
	assert_int_equal(after.lost, before.lost);
	/* INV and INVALL: the configuration cache keeps the old byte. */
	g_prop(g, 8300, 0x40, false);
	assert_msk_ok(msk_its_inject_command_error(g->gic, 1, 2));
	g_ev_cmd(g, MSK_ITS_CMD_INV, 3, 1);
	g_invall(g, 1);
	assert_int_equal(msk_gic_lpi_config(g->gic, 8300) & MSK_GIC_LPI_PROP_ENABLE, 1);
	assert_int_equal(injection(g).fired, 2);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 3, 1);
	assert_int_equal(msk_gic_lpi_config(g->gic, 8300) & MSK_GIC_LPI_PROP_ENABLE, 0);
	g_prop(g, 8300, 0xA0, true);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 3, 1);
	uint64_t w;
	assert_int_equal(g_ack(g, 1, &w), 8300);
	assert_int_equal(w, 4);
	g_destroy(g);
}

/* Stall policy: CREADR stops at the failed command; a retry executes it (counted again). */
static void test_stall_then_retry(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .error_policy = MSK_ITS_ERR_STALL };
	struct guest *g = g_boot(&cfg);
	assert_msk_ok(msk_its_inject_command_error(g->gic, 2, 2));
	uint64_t at = g->wr + 32;
	g_queue(g, MSK_ITS_CMD_MAPD | DEV(4), 0, (1ull << 63) | G_ITT(4), 0);
	g_queue(g, MSK_ITS_CMD_MAPTI | DEV(4), 8192ull << 32, 1, 0);
	g_queue(g, MSK_ITS_CMD_SYNC, 0, 1ull << 16, 0);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	assert_int_equal(creadr(g), at | MSK_GITS_CREADR_STALLED);
	assert_int_equal(msk_its_lookup(g->gic, 4, 0, NULL, NULL, NULL), 0);
	/* count 2: the retried command fails again, and stalls again. */
	g_its_write(g, MSK_GITS_CWRITER, g->wr | MSK_GITS_CWRITER_RETRY, 8);
	assert_int_equal(creadr(g), at | MSK_GITS_CREADR_STALLED);
	assert_int_equal(errors(g), 2);
	/* The third try executes it. */
	g_its_write(g, MSK_GITS_CWRITER, g->wr | MSK_GITS_CWRITER_RETRY, 8);
	assert_int_equal(creadr(g), g->wr);
	assert_int_equal(msk_its_lookup(g->gic, 4, 0, NULL, NULL, NULL), 1);
	struct msk_its_injection in = injection(g);
	assert_int_equal(in.seen, 5); /* MAPD, MAPTI x3, SYNC */
	assert_int_equal(in.fired, 2);
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.stalls, 2);
	g_destroy(g);
}

/* Disarming keeps the report and stops counting; re-arming starts afresh. */
static void test_disarm_and_rearm(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	assert_msk_ok(msk_its_inject_command_error(g->gic, 2, 1));
	g_sync(g, 0);
	g_sync(g, 0);
	g_sync(g, 0);
	assert_msk_ok(msk_its_inject_command_error(g->gic, 0, 0));
	g_sync(g, 0);
	struct msk_its_injection in = injection(g);
	assert_int_equal(in.nth, 0);
	assert_int_equal(in.seen, 3);
	assert_int_equal(in.fired, 1);
	assert_string_not_equal(in.what, "");
	assert_msk_ok(msk_its_inject_command_error(g->gic, 10, 1));
	in = injection(g);
	assert_int_equal(in.seen, 0);
	assert_int_equal(in.fired, 0);
	assert_string_equal(in.what, "");
	/* Nothing counts while the ITS is disabled: no command runs. */
	g_its_write(g, MSK_GITS_CTLR, 0, 4);
	g_queue(g, MSK_ITS_CMD_SYNC, 0, 0, 0);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	assert_int_equal(injection(g).seen, 0);
	/* count 0 is refused, nothing changes. */
	assert_msk_error(msk_its_inject_command_error(g->gic, 1, 0), MSK_EINVAL);
	assert_int_equal(injection(g).nth, 10);
	g_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nth_command_fails_once),
		cmocka_unit_test(test_sync_can_fail),
		cmocka_unit_test(test_failed_commands_have_no_effect),
		cmocka_unit_test(test_stall_then_retry),
		cmocka_unit_test(test_disarm_and_rearm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
