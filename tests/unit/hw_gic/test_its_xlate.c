/* SPDX-License-Identifier: MIT */
/* GICv3 ITS translation: message writes to GITS_TRANSLATER, delivery and losses. */
#include "gic_guest.h"

/* A mapped event is delivered exactly once, to the mapped CPU only. */
static void test_msi_delivered_once_to_mapped_cpu(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 0x10, 5, 3, 8200, 2);
	unsigned int k2 = atomic_load(&g->kicks[2]);
	assert_msk_ok(g_msi(g, 0x10, 3, 1));
	assert_true(atomic_load(&g->kicks[2]) > k2);
	uint64_t w;
	for (unsigned int c = 0; c < 4; c++)
		if (c != 2)
			assert_int_equal(g_ack(g, c, NULL), 1023);
	assert_int_equal(g_ack(g, 2, &w), 8200);
	assert_int_equal(w, 1);
	assert_int_equal(g_ack(g, 2, NULL), 1023);
	assert_msk_ok(msk_gic_eoi(g->gic, 2, 8200));
	struct msk_gic_rd_stats st;
	assert_msk_ok(msk_gic_rd_stats(g->gic, 2, &st));
	assert_int_equal(st.acks, 1);
	assert_int_equal(st.eois, 1);
	assert_int_equal(st.pending, 0);
	assert_int_equal(g_delivered(g), 1);
	g_balanced(g);
	g_destroy(g);
}

/* Events raised while pending coalesce into one LPI carrying their weight. */
static void test_coalescing_adds_weight(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 1, 1, 0, 8192, 0);
	g_msi(g, 1, 0, 1);
	g_msi(g, 1, 0, 2);
	g_msi(g, 1, 0, 4);
	uint64_t w;
	assert_int_equal(msk_gic_lpi_pending(g->gic, 0, 8192, &w), 1);
	assert_int_equal(w, 7);
	assert_int_equal(msk_gic_held(g->gic), 7);
	g_balanced(g);
	assert_int_equal(g_ack(g, 0, &w), 8192);
	assert_int_equal(w, 7);
	assert_int_equal(msk_gic_held(g->gic), 0);
	g_destroy(g);
}

/* The pending table in RAM mirrors the model's pending state. */
static void test_pending_table_write_through(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 1, 4, 9, 8192 + 77, 1);
	uint8_t b;
	g_msi(g, 1, 9, 1);
	assert_msk_ok(msk_ram_read(g->bus, G_PEND(1) + (8192 + 77) / 8, &b, 1));
	assert_int_equal(b, 1u << ((8192 + 77) % 8));
	/* A guest write to the table while the RD owns it changes nothing. */
	b = 0;
	assert_msk_ok(msk_ram_write(g->bus, G_PEND(1) + (8192 + 77) / 8, &b, 1));
	assert_int_equal(g_ack(g, 1, NULL), 8192 + 77);
	assert_msk_ok(msk_ram_read(g->bus, G_PEND(1) + (8192 + 77) / 8, &b, 1));
	assert_int_equal(b, 0);
	g_destroy(g);
}

/* Every loss reason of a translation. */
static void test_loss_reasons(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .devbits = 8 };
	struct guest *g = g_create(&cfg);
	/* ITS not enabled. */
	g_msi(g, 1, 0, 2);
	assert_int_equal(g_lost(g, MSK_LOSS_ITS_DISABLED), 2);
	g_rd_enable(g, 0);
	g_its_tables(g, 1);
	g_its_enable(g);
	g_mapc(g, 0, 0, true);
	g_mapc(g, 1, 1, true);
	/* DeviceID >= 2^devbits. */
	g_msi(g, 0x100, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_DEVID_OUT_OF_RANGE), 1);
	/* Device not mapped. */
	g_msi(g, 5, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_NO_MAPPING), 1);
	/* EventID beyond the ITT. */
	g_mapd(g, 5, 2, true);
	g_msi(g, 5, 4, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_ITT_OUT_OF_RANGE), 1);
	/* Event not mapped. */
	g_msi(g, 5, 3, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_NO_MAPPING), 2);
	/* Collection not mapped. */
	g_mapti(g, 5, 0, 8192, 7);
	g_msi(g, 5, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_NO_MAPPING), 3);
	/* Target RD with EnableLPIs = 0. */
	g_mapti(g, 5, 1, 8193, 1);
	g_msi(g, 5, 1, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_LPIS_DISABLED), 1);
	/* pINTID beyond the RD's table (an ITE the guest wrote itself). */
	uint64_t ite = (1ull << 63) | 40000u;
	assert_msk_ok(msk_ram_write64(g->bus, G_ITT(5) + 2 * 8, ite));
	g_rd_write(g, 0, MSK_GICR_CTLR, 0, 4);
	g_rd_write(g, 0, MSK_GICR_PROPBASER, G_PROP | 13, 8); /* 14 bits: LPIs < 16384 */
	g_rd_write(g, 0, MSK_GICR_CTLR, 1, 4);
	g_msi(g, 5, 2, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_LPI_OUT_OF_RANGE), 1);
	/* ITT outside RAM. */
	g_cmd(g, MSK_ITS_CMD_MAPD | DEV(6), 0, (1ull << 63) | 0x1000, 0);
	g_msi(g, 6, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_TABLE_FAULT), 1);
	/* A message to another ITS offset, or to an RD frame. */
	msk_ledger_raise(g->ledger, 3);
	assert_msk_ok(msk_bus_msi(g->bus, G_ITS_BASE + 0x40, 0, 5, 1));
	assert_msk_ok(msk_bus_msi(g->bus, G_RD_BASE + 0x40, 0, 5, 2));
	assert_int_equal(g_lost(g, MSK_LOSS_NO_DOORBELL), 3);
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.translations, 0);
	assert_int_equal(st.dropped, 9);
	assert_int_equal(msk_gic_held(g->gic), 0);
	g_destroy(g);
}

/* ITS disabled after set-up: translations stop, state is kept. */
static void test_its_disable_drops(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 1, 1, 0, 8192, 0);
	g_its_write(g, MSK_GITS_CTLR, 0, 4);
	assert_true(g_its_read(g, MSK_GITS_CTLR, 4) & MSK_GITS_CTLR_QUIESCENT);
	g_msi(g, 1, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_ITS_DISABLED), 1);
	g_its_enable(g);
	g_msi(g, 1, 0, 1);
	assert_int_equal(g_ack(g, 0, NULL), 8192);
	g_destroy(g);
}

/* GITS_TRANSLATER: 16- and 32-bit writes, odd sizes, CPU writes, reads. */
static void test_translater_access_sizes(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 0x20, 16, 0x1234, 8300, 0);
	struct msk_bus_attrs a = { .requester_id = 0x20, .weight = 1, .is_msi = true };
	msk_ledger_raise(g->ledger, 4);
	assert_msk_ok(msk_bus_write(g->bus, G_ITS_BASE + MSK_GITS_TRANSLATER, 0xFFFF1234, 2, &a));
	assert_int_equal(g_ack(g, 0, NULL), 8300);
	assert_msk_ok(msk_bus_write(g->bus, G_ITS_BASE + MSK_GITS_TRANSLATER, 0x1234, 1, &a));
	assert_msk_ok(msk_bus_write(g->bus, G_ITS_BASE + MSK_GITS_TRANSLATER, 0x1234, 8, &a));
	assert_int_equal(g_lost(g, MSK_LOSS_BAD_MESSAGE), 2);
	a.weight = 1;
	assert_msk_ok(msk_bus_write(g->bus, G_ITS_BASE + MSK_GITS_TRANSLATER, 0x1234, 4, &a));
	assert_int_equal(g_ack(g, 0, NULL), 8300);
	assert_int_equal(g_its_read(g, MSK_GITS_TRANSLATER, 4), 0);
	/* A CPU write carries the CPU's ID, which is no DeviceID here. */
	g_its_write(g, MSK_GITS_TRANSLATER, 0x1234, 4);
	assert_int_equal(g_ack(g, 0, NULL), 1023);
	g_destroy(g);
}

/* The optional RID -> DeviceID map (msi-map / IORT style). */
static void test_rid_map(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .nr_id_maps = 1 };
	cfg.id_map[0] =
		(struct msk_its_id_map){ .rid_base = 0x100, .devid_base = 0x1000, .count = 0x100 };
	struct guest *g = g_boot(&cfg);
	g_route(g, 0x1008, 1, 1, 8192, 1);
	g_msi(g, 0x108, 1, 1);
	assert_int_equal(g_ack(g, 1, NULL), 8192);
	g_msi(g, 0x1008, 1, 1); /* outside the map */
	assert_int_equal(g_lost(g, MSK_LOSS_DEVID_OUT_OF_RANGE), 1);
	uint32_t intid;
	unsigned int cpu;
	enum msk_loss why;
	assert_int_equal(msk_its_lookup(g->gic, 0x1008, 1, &intid, &cpu, &why), 1);
	assert_int_equal(intid, 8192);
	assert_int_equal(cpu, 1);
	assert_int_equal(msk_its_lookup(g->gic, 0x1008, 2, &intid, &cpu, &why), 0);
	assert_int_equal(why, MSK_LOSS_ITT_OUT_OF_RANGE);
	g_destroy(g);
}

/* Two-level device table: level-2 pages appear when the guest installs them. */
static void test_two_level_device_table(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .devbits = 20 };
	struct guest *g = g_create(&cfg);
	g_rd_enable(g, 0);
	/* One 4 KiB level-1 page: 512 entries x 512 devices per level-2 page. */
	g_its_write(g, MSK_GITS_BASER(0), MSK_GITS_BASER_VALID | MSK_GITS_BASER_INDIRECT | G_DEVTAB,
		    8);
	assert_true(g_its_read(g, MSK_GITS_BASER(0), 8) & MSK_GITS_BASER_INDIRECT);
	g_its_write(g, MSK_GITS_BASER(1), MSK_GITS_BASER_VALID | G_COLLTAB, 8);
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | G_QUEUE, 8);
	g->qbytes = 4096;
	g_its_enable(g);
	g_mapc(g, 0, 0, true);
	uint32_t dev = 3 * 512 + 7; /* level-1 index 3 */
	/* No level-2 page yet: MAPD fails, a message finds no mapping. */
	g_mapd(g, dev, 2, true);
	assert_int_equal(msk_its_last_error(g->gic), MSK_ITS_E_MAPD_DEVICE_OOR);
	g_msi(g, dev, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_NO_MAPPING), 1);
	/* Beyond the level-1 table. */
	g_mapd(g, 512 * 512, 2, true);
	assert_int_equal(msk_its_last_error(g->gic), MSK_ITS_E_MAPD_DEVICE_OOR);
	g_msi(g, 512 * 512, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_DEVID_OUT_OF_RANGE), 1);
	/* Install the level-2 page, then map. */
	assert_msk_ok(msk_ram_write64(g->bus, G_DEVTAB + 3 * 8, MSK_GITS_L1E_VALID | G_L2));
	g_route(g, dev, 2, 1, 9000, 0);
	uint64_t dte;
	assert_msk_ok(msk_ram_read64(g->bus, G_L2 + 7 * 8, &dte));
	assert_true(dte >> 63);
	g_msi(g, dev, 1, 1);
	assert_int_equal(g_ack(g, 0, NULL), 9000);
	struct msk_its_device_info info[4];
	assert_int_equal(msk_its_mapped_devices(g->gic, info, 4, 1u << 20), 1);
	assert_int_equal(info[0].devid, dev);
	assert_int_equal(info[0].nr_events, 4);
	assert_int_equal(info[0].itt_addr, G_ITT(dev));
	/* A level-1 entry pointing outside RAM: table fault. */
	assert_msk_ok(msk_ram_write64(g->bus, G_DEVTAB + 4 * 8, MSK_GITS_L1E_VALID | 0x10000));
	g_msi(g, 4 * 512, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_TABLE_FAULT), 1);
	g_destroy(g);
}

/* Collections held in the ITS (HCC) need no memory. */
static void test_hcc_collections(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 4, .hcc = 4 };
	struct guest *g = g_boot(&cfg);
	uint64_t cte;
	assert_msk_ok(msk_ram_read64(g->bus, G_COLLTAB + 3 * 8, &cte));
	assert_int_equal(cte, 0); /* collection 3 lives in the ITS */
	assert_int_equal((g_its_read(g, MSK_GITS_TYPER, 8) >> 24) & 0xFF, 4);
	g_route(g, 2, 1, 0, 8192, 3);
	g_mapc(g, 5, 1, true); /* in memory */
	assert_msk_ok(msk_ram_read64(g->bus, G_COLLTAB + 5 * 8, &cte));
	assert_int_equal(cte, (1ull << 63) | 1);
	g_msi(g, 2, 0, 1);
	assert_int_equal(g_ack(g, 3, NULL), 8192);
	g_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msi_delivered_once_to_mapped_cpu),
		cmocka_unit_test(test_coalescing_adds_weight),
		cmocka_unit_test(test_pending_table_write_through),
		cmocka_unit_test(test_loss_reasons),
		cmocka_unit_test(test_its_disable_drops),
		cmocka_unit_test(test_translater_access_sizes),
		cmocka_unit_test(test_rid_map),
		cmocka_unit_test(test_two_level_device_table),
		cmocka_unit_test(test_hcc_collections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
