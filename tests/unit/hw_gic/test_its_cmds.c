/* SPDX-License-Identifier: MIT */
/* GICv3 ITS commands: architected effects and errors, one command at a time. */
#include "gic_guest.h"

static uint32_t last_err(struct guest *g)
{
	return msk_its_last_error(g->gic);
}

static uint64_t n_errors(struct guest *g)
{
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	return st.errors;
}

/* MAPD writes a DTE (valid, size, ITT); V = 0 clears it and stops delivery. */
static void test_mapd(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 9, 3, 5, 8192, 1);
	uint64_t dte;
	assert_msk_ok(msk_ram_read64(g->bus, G_DEVTAB + 9 * 8, &dte));
	assert_int_equal(dte, (1ull << 63) | G_ITT(9) | 2);
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(g->gic, 9, &info), 1);
	assert_int_equal(info.nr_events, 8);
	g_msi(g, 9, 5, 1);
	assert_int_equal(g_ack(g, 1, NULL), 8192);
	g_mapd(g, 9, 3, false);
	assert_msk_ok(msk_ram_read64(g->bus, G_DEVTAB + 9 * 8, &dte));
	assert_int_equal(dte, 0);
	assert_int_equal(msk_its_device(g->gic, 9, &info), 0);
	g_msi(g, 9, 5, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_NO_MAPPING), 1);
	assert_int_equal(g_ack(g, 1, NULL), 1023);
	assert_int_equal(n_errors(g), 0);
	g_destroy(g);
}

/* MAPD V = 0 leaves an LPI that is already pending pending. */
static void test_mapd_unmap_keeps_pending(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 9, 1, 0, 8192, 0);
	g_prop(g, 8192, 0xA0, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 9, 0);
	g_msi(g, 9, 0, 1);
	g_mapd(g, 9, 1, false);
	assert_int_equal(msk_gic_lpi_pending(g->gic, 0, 8192, NULL), 1);
	g_balanced(g);
	g_destroy(g); /* lost as device-removed */
}

static void test_mapd_errors(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .devbits = 20, .eventid_bits = 8 };
	struct guest *g = g_boot(&cfg);
	g_mapd(g, 1u << 20, 1, true); /* DeviceID >= 2^Devbits */
	assert_int_equal(last_err(g), MSK_ITS_E_MAPD_DEVICE_OOR);
	g_mapd(g, 8192, 1, true); /* beyond the 64 KiB flat table */
	assert_int_equal(last_err(g), MSK_ITS_E_MAPD_DEVICE_OOR);
	g_mapd(g, 1, 9, true); /* 2^9 events > 2^ID_bits */
	assert_int_equal(last_err(g), MSK_ITS_E_MAPD_ITTSIZE_OOR);
	g_mapd(g, 1, 8, true);
	assert_int_equal(n_errors(g), 3);
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(g->gic, 1, &info), 1);
	assert_int_equal(info.nr_events, 256);
	struct msk_its_error log[8];
	assert_int_equal(msk_its_errors(g->gic, log, 8), 3);
	assert_int_equal(log[0].opcode, MSK_ITS_CMD_MAPD);
	assert_int_equal(log[1].offset + 32, log[2].offset);
	g_destroy(g);
}

/* MAPC writes a CTE; V = 0 unmaps; errors for RD and ICID out of range. */
static void test_mapc(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 4, .cidbits = 8 };
	struct guest *g = g_boot(&cfg);
	uint64_t cte;
	assert_msk_ok(msk_ram_read64(g->bus, G_COLLTAB + 2 * 8, &cte));
	assert_int_equal(cte, (1ull << 63) | 2);
	g_mapc(g, 2, 3, false);
	assert_msk_ok(msk_ram_read64(g->bus, G_COLLTAB + 2 * 8, &cte));
	assert_int_equal(cte, 0);
	assert_int_equal(n_errors(g), 0);
	g_mapc(g, 2, 4, true);
	assert_int_equal(last_err(g), MSK_ITS_E_MAPC_PROCNUM_OOR);
	g_mapc(g, 256, 0, true);
	assert_int_equal(last_err(g), MSK_ITS_E_MAPC_COLLECTION_OOR);
	assert_int_equal(n_errors(g), 2);
	assert_int_equal((g_its_read(g, MSK_GITS_TYPER, 8) >> 32) & 0x1F,
			 0x10 | 7); /* CIL, CIDbits */
	g_destroy(g);
}

/* Retargeting a collection: new events go to the new RD, pending ones stay until MOVALL. */
static void test_mapc_retarget_keeps_pending(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 1, 1, 0, 8192, 0);
	g_prop(g, 8192, 0xA0, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 1, 0);
	g_msi(g, 1, 0, 2);
	g_mapc(g, 0, 1, true);
	g_msi(g, 1, 0, 3);
	uint64_t w;
	assert_int_equal(msk_gic_lpi_pending(g->gic, 0, 8192, &w), 1);
	assert_int_equal(w, 2);
	assert_int_equal(msk_gic_lpi_pending(g->gic, 1, 8192, &w), 1);
	assert_int_equal(w, 3);
	g_movall(g, 0, 1);
	assert_int_equal(msk_gic_lpi_pending(g->gic, 0, 8192, NULL), 0);
	g_prop(g, 8192, 0xA0, true);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 1, 0);
	assert_int_equal(g_ack(g, 1, &w), 8192);
	assert_int_equal(w, 5);
	g_destroy(g);
}

/* MAPTI / MAPI write ITEs; their errors. */
static void test_mapti_mapi(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_mapd(g, 3, 4, true);
	g_mapti(g, 3, 2, 8500, 1);
	uint64_t ite;
	assert_msk_ok(msk_ram_read64(g->bus, G_ITT(3) + 2 * 8, &ite));
	assert_int_equal(ite, (1ull << 63) | (1ull << 32) | 8500);
	g_cmd(g, MSK_ITS_CMD_MAPI | DEV(3), 9, 0, 0); /* pINTID = EventID = 9: not an LPI */
	assert_int_equal(last_err(g), MSK_ITS_E_MAPTI_PHYSICALID_OOR);
	assert_int_equal(n_errors(g), 1);
	g_mapti(g, 4, 0, 8192, 0);
	assert_int_equal(last_err(g), MSK_ITS_E_MAPTI_UNMAPPED_DEVICE);
	g_mapti(g, 3, 16, 8192, 0);
	assert_int_equal(last_err(g), MSK_ITS_E_MAPTI_ID_OOR);
	g_mapti(g, 3, 0, 8191, 0);
	assert_int_equal(last_err(g), MSK_ITS_E_MAPTI_PHYSICALID_OOR);
	g_mapti(g, 3, 0, 1u << 16, 0);
	assert_int_equal(last_err(g), MSK_ITS_E_MAPTI_PHYSICALID_OOR);
	g_mapti(g, 3, 0, 8192, 1u << 16 | 5); /* ICID is 16 bits: the rest is ignored */
	assert_int_equal(n_errors(g), 5);
	/* MAPI with a big ITT: pINTID = EventID. */
	g_mapd(g, 5, 16, true);
	g_cmd(g, MSK_ITS_CMD_MAPI | DEV(5), 8200, 2, 0);
	g_prop(g, 8200, 0x10, true);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 5, 8200);
	g_msi(g, 5, 8200, 1);
	assert_int_equal(g_ack(g, 2, NULL), 8200);
	g_destroy(g);
}

/* MAPTI with an ICID beyond CIDbits. */
static void test_mapti_icid_oor(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .cidbits = 4 };
	struct guest *g = g_boot(&cfg);
	g_mapd(g, 1, 1, true);
	g_mapti(g, 1, 0, 8192, 16);
	assert_int_equal(last_err(g), MSK_ITS_E_MAPC_COLLECTION_OOR);
	g_destroy(g);
}

/* INT: one software event, delivered once to the mapped CPU and nowhere else. */
static void test_int(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 7, 2, 1, 8300, 3);
	g_ev_cmd(g, MSK_ITS_CMD_INT, 7, 1);
	struct msk_ledger_counts c;
	msk_ledger_read(g->ledger, &c);
	assert_int_equal(c.raised, 1);
	for (unsigned int cpu = 0; cpu < 3; cpu++)
		assert_int_equal(g_ack(g, cpu, NULL), 1023);
	uint64_t w;
	assert_int_equal(g_ack(g, 3, &w), 8300);
	assert_int_equal(w, 1);
	assert_int_equal(g_ack(g, 3, NULL), 1023);
	g_ev_cmd(g, MSK_ITS_CMD_INT, 7, 2); /* event not mapped */
	assert_int_equal(last_err(g), MSK_ITS_E_INT_UNMAPPED_INTERRUPT);
	g_ev_cmd(g, MSK_ITS_CMD_INT, 8, 0); /* device not mapped */
	assert_int_equal(last_err(g), MSK_ITS_E_INT_UNMAPPED_INTERRUPT);
	g_mapc(g, 3, 0, false);
	g_ev_cmd(g, MSK_ITS_CMD_INT, 7, 1); /* collection unmapped */
	assert_int_equal(last_err(g), MSK_ITS_E_INT_UNMAPPED_INTERRUPT);
	msk_ledger_read(g->ledger, &c);
	assert_int_equal(c.raised, 1);
	g_destroy(g);
}

/* CLEAR drops a pending LPI ("its-clear"); the mapping stays. */
static void test_clear(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 7, 2, 1, 8300, 1);
	g_prop(g, 8300, 0xA0, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 7, 1);
	g_msi(g, 7, 1, 5);
	assert_int_equal(msk_gic_held(g->gic), 5);
	g_ev_cmd(g, MSK_ITS_CMD_CLEAR, 7, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_ITS_CLEAR), 5);
	assert_int_equal(msk_gic_held(g->gic), 0);
	uint8_t b;
	assert_msk_ok(msk_ram_read(g->bus, G_PEND(1) + 8300 / 8, &b, 1));
	assert_int_equal(b, 0);
	g_ev_cmd(g, MSK_ITS_CMD_CLEAR, 7, 1); /* nothing pending: no effect, no error */
	assert_int_equal(n_errors(g), 0);
	g_ev_cmd(g, MSK_ITS_CMD_CLEAR, 7, 3);
	assert_int_equal(last_err(g), MSK_ITS_E_CLEAR_UNMAPPED_INTERRUPT);
	g_prop(g, 8300, 0xA0, true);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 7, 1);
	g_msi(g, 7, 1, 1);
	assert_int_equal(g_ack(g, 1, NULL), 8300);
	g_destroy(g);
}

/* DISCARD drops the pending state and the ITE. */
static void test_discard(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 7, 2, 1, 8300, 1);
	g_prop(g, 8300, 0xA0, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 7, 1);
	g_msi(g, 7, 1, 2);
	g_ev_cmd(g, MSK_ITS_CMD_DISCARD, 7, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_ITS_DISCARD), 2);
	uint64_t ite;
	assert_msk_ok(msk_ram_read64(g->bus, G_ITT(7) + 8, &ite));
	assert_int_equal(ite, 0);
	g_prop(g, 8300, 0xA0, true);
	g_invall(g, 1);
	assert_int_equal(g_ack(g, 1, NULL), 1023);
	g_msi(g, 7, 1, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_NO_MAPPING), 1);
	g_ev_cmd(g, MSK_ITS_CMD_DISCARD, 7, 1);
	assert_int_equal(last_err(g), MSK_ITS_E_DISCARD_UNMAPPED_INTERRUPT);
	g_destroy(g);
}

/* A disabled LPI is held until enabled AND invalidated (INV), then delivered once. */
static void test_disabled_lpi_needs_inv(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 2, 3, 4, 8400, 2);
	g_prop(g, 8400, 0x40, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 2, 4);
	assert_int_equal(msk_gic_lpi_config(g->gic, 8400) & 1, 0);
	g_msi(g, 2, 4, 1);
	g_msi(g, 2, 4, 1);
	assert_int_equal(g_ack(g, 2, NULL), 1023);
	assert_int_equal(msk_gic_held(g->gic), 2);
	g_prop(g, 8400, 0x40, true); /* enabled in RAM, not yet invalidated */
	assert_int_equal(g_ack(g, 2, NULL), 1023);
	unsigned int k = atomic_load(&g->kicks[2]);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 2, 4);
	assert_true(atomic_load(&g->kicks[2]) > k);
	assert_int_equal(msk_gic_lpi_config(g->gic, 8400), 0x40 | 3);
	uint64_t w;
	assert_int_equal(g_ack(g, 2, &w), 8400);
	assert_int_equal(w, 2);
	assert_int_equal(g_ack(g, 2, NULL), 1023);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 2, 5);
	assert_int_equal(last_err(g), MSK_ITS_E_INV_UNMAPPED_INTERRUPT);
	g_destroy(g);
}

/* The same with INVALL on the collection. */
static void test_disabled_lpi_needs_invall(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 2, 3, 4, 8400, 2);
	g_mapti(g, 2, 5, 8401, 2);
	g_prop(g, 8400, 0x40, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 2, 4);
	g_msi(g, 2, 4, 1);
	g_msi(g, 2, 5, 1);
	assert_int_equal(g_ack(g, 2, NULL), 1023);
	g_prop(g, 8400, 0x40, true);
	g_prop(g, 8401, 0x20, true);
	g_invall(g, 2);
	assert_int_equal(g_ack(g, 2, NULL), 8401); /* priority 0x20 beats 0x40 */
	assert_int_equal(g_ack(g, 2, NULL), 8400);
	assert_int_equal(g_ack(g, 2, NULL), 1023);
	g_invall(g, 9);
	assert_int_equal(last_err(g), MSK_ITS_E_INVALL_UNMAPPED_COLLECTION);
	g_destroy(g);
}

/* MOVI of a pending LPI: it moves with its weight, delivered once, on the new CPU. */
static void test_movi_moves_pending(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 4, 2, 0, 8500, 0);
	g_prop(g, 8500, 0xA0, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 4, 0);
	g_msi(g, 4, 0, 3);
	assert_int_equal(msk_gic_lpi_pending(g->gic, 0, 8500, NULL), 1);
	g_movi(g, 4, 0, 3);
	assert_int_equal(msk_gic_lpi_pending(g->gic, 0, 8500, NULL), 0);
	uint64_t w;
	assert_int_equal(msk_gic_lpi_pending(g->gic, 3, 8500, &w), 1);
	assert_int_equal(w, 3);
	uint8_t b;
	assert_msk_ok(msk_ram_read(g->bus, G_PEND(0) + 8500 / 8, &b, 1));
	assert_int_equal(b & (1u << (8500 % 8)), 0);
	assert_msk_ok(msk_ram_read(g->bus, G_PEND(3) + 8500 / 8, &b, 1));
	assert_int_equal(b & (1u << (8500 % 8)), 1u << (8500 % 8));
	uint64_t ite;
	assert_msk_ok(msk_ram_read64(g->bus, G_ITT(4), &ite));
	assert_int_equal((ite >> 32) & 0xFFFF, 3);
	g_prop(g, 8500, 0xA0, true);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 4, 0);
	assert_int_equal(g_ack(g, 0, NULL), 1023);
	assert_int_equal(g_ack(g, 3, &w), 8500);
	assert_int_equal(w, 3);
	assert_int_equal(g_ack(g, 3, NULL), 1023);
	/* New events follow the new collection. */
	g_msi(g, 4, 0, 1);
	assert_int_equal(g_ack(g, 3, NULL), 8500);
	/* Errors. */
	g_movi(g, 4, 1, 1);
	assert_int_equal(last_err(g), MSK_ITS_E_MOVI_UNMAPPED_INTERRUPT);
	g_movi(g, 4, 0, 9);
	assert_int_equal(last_err(g), MSK_ITS_E_MOVI_UNMAPPED_COLLECTION);
	g_mapc(g, 3, 3, false);
	g_movi(g, 4, 0, 1);
	assert_int_equal(last_err(g), MSK_ITS_E_MOVI_UNMAPPED_COLLECTION);
	g_destroy(g);
}

/* MOVI onto an LPI already pending at the destination coalesces. */
static void test_movi_coalesces(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 4, 2, 0, 8500, 0);
	g_mapti(g, 4, 1, 8500, 1); /* the same LPI in another collection (UNPREDICTABLE use) */
	g_msi(g, 4, 0, 2);
	g_msi(g, 4, 1, 5);
	g_movi(g, 4, 0, 1);
	uint64_t w;
	assert_int_equal(g_ack(g, 1, &w), 8500);
	assert_int_equal(w, 7);
	g_destroy(g);
}

/* MOVALL moves every pending LPI between RDs. */
static void test_movall(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 1, 4, 0, 8192, 1);
	g_mapti(g, 1, 1, 8193, 1);
	g_mapti(g, 1, 2, 9000, 1);
	g_prop(g, 8193, 0x80, true);
	g_prop(g, 9000, 0x60, true);
	g_invall(g, 1);
	for (uint32_t ev = 0; ev < 3; ev++)
		g_msi(g, 1, ev, ev + 1);
	struct msk_gic_rd_stats st;
	assert_msk_ok(msk_gic_rd_stats(g->gic, 1, &st));
	assert_int_equal(st.pending, 3);
	assert_int_equal(st.held, 6);
	unsigned int k = atomic_load(&g->kicks[2]);
	g_movall(g, 1, 2);
	assert_true(atomic_load(&g->kicks[2]) > k);
	assert_msk_ok(msk_gic_rd_stats(g->gic, 1, &st));
	assert_int_equal(st.pending, 0);
	assert_int_equal(g_ack(g, 1, NULL), 1023);
	uint64_t w;
	assert_int_equal(g_ack(g, 2, &w), 9000);
	assert_int_equal(w, 3);
	assert_int_equal(g_ack(g, 2, &w), 8193);
	assert_int_equal(w, 2);
	assert_int_equal(g_ack(g, 2, &w), 8192);
	assert_int_equal(w, 1);
	/* The ITEs still point at collection 1. */
	g_msi(g, 1, 0, 1);
	assert_int_equal(g_ack(g, 1, NULL), 8192);
	g_movall(g, 1, 4);
	assert_int_equal(last_err(g), MSK_ITS_E_MOVALL_PROCNUM_OOR);
	g_movall(g, 7, 0);
	assert_int_equal(last_err(g), MSK_ITS_E_MOVALL_PROCNUM_OOR);
	g_destroy(g);
}

/* MOVI to an RD with EnableLPIs = 0 loses the pending weight there. */
static void test_move_to_disabled_rd(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	g_rd_enable(g, 0);
	g_its_tables(g, 1);
	g_its_enable(g);
	g_mapc(g, 0, 0, true);
	g_mapc(g, 1, 1, true);
	g_route(g, 1, 1, 0, 8192, 0);
	g_prop(g, 8192, 0xA0, false);
	g_ev_cmd(g, MSK_ITS_CMD_INV, 1, 0);
	g_msi(g, 1, 0, 4);
	g_movi(g, 1, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_LPIS_DISABLED), 4);
	assert_int_equal(msk_gic_held(g->gic), 0);
	g_destroy(g);
}

/* Unknown and GICv4 opcodes are errors; SYNC never is. */
static void test_unknown_opcodes(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	const uint8_t ops[] = { 0x00, 0x02, 0x06, 0x07, 0x10, 0x21, 0x22, 0x29, 0x2A, 0xFF };
	for (unsigned int i = 0; i < sizeof(ops); i++) {
		g_cmd(g, ops[i], 0, 0, 0);
		assert_int_equal(last_err(g), MSK_ITS_E_UNKNOWN_COMMAND(ops[i]));
	}
	assert_int_equal(n_errors(g), sizeof(ops));
	g_sync(g, 0xFFFFF); /* no such RD: SYNC has nothing to wait for */
	assert_int_equal(n_errors(g), sizeof(ops));
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.by_opcode[MSK_ITS_CMD_SYNC], 4 + 1);
	assert_int_equal(st.by_opcode[MSK_ITS_CMD_MAPC], 4);
	g_destroy(g);
}

/* Commands whose tables lie outside RAM fail with the model's table-fault code. */
static void test_table_fault_errors(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	g_rd_enable(g, 0);
	g_its_write(g, MSK_GITS_BASER(0), MSK_GITS_BASER_VALID | 0x10000, 8); /* not RAM */
	g_its_write(g, MSK_GITS_BASER(1), MSK_GITS_BASER_VALID | 0x20000, 8);
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | G_QUEUE, 8);
	g->qbytes = 4096;
	g_its_enable(g);
	g_mapd(g, 1, 1, true);
	assert_int_equal(last_err(g), MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_MAPD));
	g_mapc(g, 1, 0, true);
	assert_int_equal(last_err(g), MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_MAPC));
	g_mapti(g, 1, 0, 8192, 0);
	assert_int_equal(last_err(g), MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_MAPTI));
	g_ev_cmd(g, MSK_ITS_CMD_INT, 1, 0);
	assert_int_equal(last_err(g), MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_INT));
	g_msi(g, 1, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_TABLE_FAULT), 1);
	g_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapd),
		cmocka_unit_test(test_mapd_unmap_keeps_pending),
		cmocka_unit_test(test_mapd_errors),
		cmocka_unit_test(test_mapc),
		cmocka_unit_test(test_mapc_retarget_keeps_pending),
		cmocka_unit_test(test_mapti_mapi),
		cmocka_unit_test(test_mapti_icid_oor),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_disabled_lpi_needs_inv),
		cmocka_unit_test(test_disabled_lpi_needs_invall),
		cmocka_unit_test(test_movi_moves_pending),
		cmocka_unit_test(test_movi_coalesces),
		cmocka_unit_test(test_movall),
		cmocka_unit_test(test_move_to_disabled_rd),
		cmocka_unit_test(test_unknown_opcodes),
		cmocka_unit_test(test_table_fault_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
