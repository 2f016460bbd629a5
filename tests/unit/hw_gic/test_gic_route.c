/* SPDX-License-Identifier: MIT */
/*
 * msk_gic_msi_route: every message is followed exactly as the data path
 * then treats it (same CPU and LPI, or the same loss reason), and the
 * probe itself changes nothing: no ledger entry, counter, pending state,
 * kick, cache fill or injection count.
 */
#include "gic_guest.h"

/* Everything a route probe must leave alone. */
struct snap {
	struct msk_ledger_counts ledger;
	struct msk_its_stats its;
	struct msk_gic_rd_stats rd[G_MAX_CPUS];
	struct msk_its_injection inj;
	uint64_t held;
	int cfg8192;
};

static void snap(struct guest *g, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	msk_ledger_read(g->ledger, &s->ledger);
	msk_its_stats(g->gic, &s->its);
	for (unsigned int c = 0; c < g->cfg.nr_cpus; c++)
		assert_msk_ok(msk_gic_rd_stats(g->gic, c, &s->rd[c]));
	msk_its_injection(g->gic, &s->inj);
	s->held = msk_gic_held(g->gic);
	s->cfg8192 = msk_gic_lpi_config(g->gic, 8192);
}

/*
 * Route (addr, rid, data), check it changed nothing and says `lost`
 * (with `reason`), then send the message and check the data path agrees.
 * Returns the route.
 */
static struct msk_gic_msi_route agrees(struct guest *g, uint64_t addr, uint32_t rid, uint32_t data,
				       bool lost, enum msk_loss reason)
{
	struct snap a, b;
	struct msk_gic_msi_route r;
	snap(g, &a);
	assert_int_equal(msk_gic_msi_route(g->gic, addr, rid, data, &r), 1);
	snap(g, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(r.lost, lost);
	if (lost)
		assert_int_equal(r.reason, reason);
	uint64_t lost_before = g_lost(g, r.reason), w0 = 0, w1 = 0;
	if (!lost)
		msk_gic_lpi_pending(g->gic, r.cpu, r.intid, &w0);
	msk_ledger_raise(g->ledger, 1);
	msk_bus_msi(g->bus, addr, data, rid, 1);
	if (lost) {
		assert_int_equal(g_lost(g, r.reason), lost_before + 1);
	} else {
		assert_int_equal(msk_gic_lpi_pending(g->gic, r.cpu, r.intid, &w1), 1);
		assert_int_equal(w1, w0 + 1);
	}
	g_balanced(g);
	return r;
}

#define TRANSLATER (G_ITS_BASE + MSK_GITS_TRANSLATER)

static void test_routes_match_the_data_path(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .devbits = 8 };
	struct guest *g = g_create(&cfg);
	agrees(g, TRANSLATER, 1, 0, true, MSK_LOSS_ITS_DISABLED);
	g_rd_enable(g, 0);
	g_its_tables(g, 1);
	g_its_enable(g);
	g_mapc(g, 0, 0, true);
	g_mapc(g, 1, 1, true);
	struct msk_gic_msi_route r =
		agrees(g, TRANSLATER, 0x100, 0, true, MSK_LOSS_DEVID_OUT_OF_RANGE);
	assert_non_null(strstr(r.detail, "beyond the device table"));
	r = agrees(g, TRANSLATER, 5, 0, true, MSK_LOSS_NO_MAPPING);
	assert_string_equal(r.detail, "DeviceID 0x5 EventID 0: device not mapped");
	g_mapd(g, 5, 2, true);
	r = agrees(g, TRANSLATER, 5, 4, true, MSK_LOSS_ITT_OUT_OF_RANGE);
	assert_non_null(strstr(r.detail, "beyond the ITT (4 events)"));
	r = agrees(g, TRANSLATER, 5, 3, true, MSK_LOSS_NO_MAPPING);
	assert_non_null(strstr(r.detail, "no ITE"));
	g_mapti(g, 5, 0, 8192, 7);
	r = agrees(g, TRANSLATER, 5, 0, true, MSK_LOSS_NO_MAPPING);
	assert_true(r.mapped);
	assert_int_equal(r.intid, 8192);
	assert_non_null(strstr(r.detail, "ICID 7: collection not mapped"));
	g_mapti(g, 5, 1, 8193, 1);
	r = agrees(g, TRANSLATER, 5, 1, true, MSK_LOSS_LPIS_DISABLED);
	assert_non_null(strstr(r.detail, "EnableLPIs = 0"));
	/* Delivered, but the LPI is disabled in the cache: it waits pending. */
	g_mapti(g, 5, 2, 8194, 0);
	r = agrees(g, TRANSLATER, 5, 2, false, 0);
	assert_true(r.waits);
	assert_int_equal(r.cpu, 0);
	assert_int_equal(r.intid, 8194);
	assert_int_equal(r.icid, 0);
	assert_string_equal(r.detail, ""); /* not lost: the fields say where it goes */
	g_prop(g, 8194, 0xA0, true);	   /* in RAM only: still disabled in the cache */
	assert_true(agrees(g, TRANSLATER, 5, 2, false, 0).waits);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 5, 2);
	assert_false(agrees(g, TRANSLATER, 5, 2, false, 0).waits);
	assert_int_equal(g_ack(g, 0, NULL), 8194);
	/* An ITE naming an LPI beyond the RD's tables. */
	assert_msk_ok(msk_ram_write64(g->bus, G_ITT(5) + 3 * 8, (1ull << 63) | 40000u));
	g_rd_write(g, 0, MSK_GICR_CTLR, 0, 4);
	g_rd_write(g, 0, MSK_GICR_PROPBASER, G_PROP | 13, 8);
	g_rd_write(g, 0, MSK_GICR_CTLR, 1, 4);
	agrees(g, TRANSLATER, 5, 3, true, MSK_LOSS_LPI_OUT_OF_RANGE);
	/* An ITT outside RAM; a pending table outside RAM. */
	g_cmd(g, MSK_ITS_CMD_MAPD | DEV(6), 0, (1ull << 63) | 0x1000, 0);
	agrees(g, TRANSLATER, 6, 0, true, MSK_LOSS_TABLE_FAULT);
	g_rd_write(g, 0, MSK_GICR_CTLR, 0, 4);
	g_rd_write(g, 0, MSK_GICR_PENDBASER, 0x10000 | MSK_GICR_PENDBASER_PTZ, 8);
	g_rd_write(g, 0, MSK_GICR_CTLR, 1, 4);
	r = agrees(g, TRANSLATER, 5, 2, true, MSK_LOSS_TABLE_FAULT);
	assert_non_null(strstr(r.detail, "pending table outside RAM"));
	/* Elsewhere in the GIC's frames: no doorbell. */
	r = agrees(g, G_ITS_BASE + 0x40, 5, 0, true, MSK_LOSS_NO_DOORBELL);
	assert_string_equal(r.detail, "ITS offset 0x40 is not GITS_TRANSLATER");
	agrees(g, G_RD_BASE + MSK_GICR_STRIDE + 8, 5, 0, true, MSK_LOSS_NO_DOORBELL);
	/* Not the GIC's: out cleared, 0. */
	struct msk_gic_msi_route none;
	memset(&none, 0xAA, sizeof(none));
	assert_int_equal(msk_gic_msi_route(g->gic, G_RAM_BASE, 5, 0, &none), 0);
	assert_false(none.lost);
	assert_int_equal(none.intid, 0);
	g_destroy(g);
}

/* Pending LPIs coalesce: route sees the pending bit and needs no table write. */
static void test_pending_lpi_and_injection_untouched(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 9, 3, 5, 8192, 3);
	assert_msk_ok(msk_its_inject_command_error(g->gic, 1, 1)); /* route must not count */
	struct msk_gic_msi_route r = agrees(g, TRANSLATER, 9, 5, false, 0);
	assert_int_equal(r.cpu, 3);
	assert_int_equal(r.intid, 8192);
	assert_int_equal(r.icid, 3);
	assert_true(r.translated && r.mapped);
	assert_int_equal(r.devid, 9);
	assert_int_equal(r.eventid, 5);
	agrees(g, TRANSLATER, 9, 5, false, 0);
	struct msk_its_injection in;
	msk_its_injection(g->gic, &in);
	assert_int_equal(in.seen, 0);
	uint64_t w;
	assert_int_equal(g_ack(g, 3, &w), 8192);
	assert_int_equal(w, 2);
	g_destroy(g);
}

/* RID map and two-level tables go through the same code. */
static void test_rid_map_and_two_level(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .devbits = 20, .nr_id_maps = 1 };
	cfg.id_map[0] =
		(struct msk_its_id_map){ .rid_base = 0x100, .devid_base = 0x9000, .count = 16 };
	struct guest *g = g_create(&cfg);
	g_rd_enable(g, 0);
	g_rd_enable(g, 1);
	/* Two-level device table: 4 KiB pages of 512 entries, one level-1 page. */
	g_its_write(g, MSK_GITS_BASER(0), MSK_GITS_BASER_VALID | MSK_GITS_BASER_INDIRECT | G_DEVTAB,
		    8);
	g_its_write(g, MSK_GITS_BASER(1), MSK_GITS_BASER_VALID | G_COLLTAB, 8);
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | G_QUEUE, 8);
	g->qbytes = 4096;
	g_its_enable(g);
	g_mapc(g, 1, 1, true);
	struct msk_gic_msi_route r =
		agrees(g, TRANSLATER, 0x300, 0, true, MSK_LOSS_DEVID_OUT_OF_RANGE);
	assert_false(r.translated);
	assert_string_equal(r.detail, "no DeviceID for the requester (RID map)");
	/* DeviceID 0x9001: level-1 entry 0x9001 / 512 = 72 has no page yet. */
	agrees(g, TRANSLATER, 0x101, 0, true, MSK_LOSS_NO_MAPPING);
	assert_msk_ok(msk_ram_write64(g->bus, G_DEVTAB + 72 * 8, MSK_GITS_L1E_VALID | G_L2));
	g_mapd(g, 0x9001, 1, true);
	g_mapti(g, 0x9001, 1, 8199, 1);
	g_prop(g, 8199, 0xA0, true);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 0x9001, 1);
	r = agrees(g, TRANSLATER, 0x101, 1, false, 0);
	assert_int_equal(r.devid, 0x9001);
	assert_int_equal(r.cpu, 1);
	assert_false(r.waits);
	assert_int_equal(g_ack(g, 1, NULL), 8199);
	g_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_match_the_data_path),
		cmocka_unit_test(test_pending_lpi_and_injection_untouched),
		cmocka_unit_test(test_rid_map_and_two_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
