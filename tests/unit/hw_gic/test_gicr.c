/* SPDX-License-Identifier: MIT */
/* GICv3 redistributors: registers, LPI tables, pending state and the CPU interface. */
#include "gic_guest.h"

static void test_rd_id_registers(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	for (unsigned int c = 0; c < 4; c++) {
		uint64_t typer = g_rd_read(g, c, MSK_GICR_TYPER, 8);
		assert_int_equal(MSK_GICR_TYPER_PROCNUM(typer), c);
		assert_true(typer & MSK_GICR_TYPER_PLPIS);
		assert_int_equal(!!(typer & MSK_GICR_TYPER_LAST), c == 3);
		assert_int_equal(typer >> 32, c); /* Aff0 */
		assert_int_equal(g_rd_read(g, c, MSK_GICR_TYPER + 4, 4), c);
		assert_int_equal(g_rd_read(g, c, MSK_GICR_TYPER, 4), typer & 0xFFFFFFFF);
		assert_int_equal(g_rd_read(g, c, MSK_GICR_PIDR2, 4) & 0xF0, 0x30);
		assert_int_equal(g_rd_read(g, c, MSK_GICR_IIDR, 4), MSK_GICR_IIDR_VALUE);
		assert_int_equal(g_rd_read(g, c, MSK_GICR_CTLR, 4), 0);
	}
	/* WAKER: asleep at reset; ChildrenAsleep follows ProcessorSleep. */
	assert_int_equal(g_rd_read(g, 1, MSK_GICR_WAKER, 4), 6);
	g_rd_write(g, 1, MSK_GICR_WAKER, 0, 4);
	assert_int_equal(g_rd_read(g, 1, MSK_GICR_WAKER, 4), 0);
	/* Read-only registers ignore writes. */
	g_rd_write(g, 1, MSK_GICR_TYPER, 0, 8);
	assert_int_equal(MSK_GICR_TYPER_PROCNUM(g_rd_read(g, 1, MSK_GICR_TYPER, 8)), 1);
	/* SGI frame and unassigned offsets: RAZ/WI; odd sizes count as bad accesses. */
	assert_int_equal(g_rd_read(g, 0, 0x10000 + 0x100, 4), 0);
	g_rd_write(g, 0, 0x10000 + 0x100, 0xFFFFFFFF, 4);
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	uint64_t bad = st.bad_accesses;
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_CTLR, 1), 0);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_PROPBASER + 2, 2), 0);
	assert_int_equal(g_rd_read(g, 0, 0x200, 4), 0);
	g_rd_write(g, 0, MSK_GICR_CTLR, 1, 8);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_CTLR, 4), 0);
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.bad_accesses, bad + 4);
	g_destroy(g);
}

/* PROPBASER / PENDBASER: writable fields, 32-bit halves, locked while EnableLPIs. */
static void test_baser_registers(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	uint64_t prop = G_PROP | (1ull << 10) | (7ull << 7) | 15;
	g_rd_write(g, 0, MSK_GICR_PROPBASER, prop | (1ull << 62) | 0xE0, 8);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_PROPBASER, 8), prop); /* RES0 bits dropped */
	g_rd_write(g, 0, MSK_GICR_PENDBASER, G_PEND(0) | 0xF07F | MSK_GICR_PENDBASER_PTZ, 8);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_PENDBASER, 8), G_PEND(0)); /* PTZ reads 0 */
	g_rd_write(g, 0, MSK_GICR_PROPBASER + 4, 0, 4);
	g_rd_write(g, 0, MSK_GICR_PROPBASER, (uint32_t)G_PROP | 13, 4);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_PROPBASER, 8), (G_PROP & 0xFFFFFFFF) | 13);
	g_rd_write(g, 0, MSK_GICR_PROPBASER + 4, G_PROP >> 32, 4);
	g_rd_write(g, 0, MSK_GICR_CTLR, 1, 4);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_CTLR, 4), 1);
	/* While EnableLPIs = 1 the bases are locked. */
	g_rd_write(g, 0, MSK_GICR_PROPBASER, 0, 8);
	g_rd_write(g, 0, MSK_GICR_PENDBASER + 4, 0xFFFF, 4);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_PROPBASER, 8), G_PROP | 13);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_PENDBASER, 8), G_PEND(0));
	g_rd_write(g, 0, MSK_GICR_CTLR, 0, 4);
	g_rd_write(g, 0, MSK_GICR_PROPBASER, 0, 8);
	assert_int_equal(g_rd_read(g, 0, MSK_GICR_PROPBASER, 8), 0);
	g_destroy(g);
}

/* EnableLPIs loads the configuration table into the cache. */
static void test_enable_loads_config(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	g_prop(g, 8192 + 5, 0x30, true);
	assert_int_equal(msk_gic_lpi_config(g->gic, 8192 + 5), 0);
	g_rd_enable(g, 0);
	assert_int_equal(msk_gic_lpi_config(g->gic, 8192 + 5), 0x33);
	g_prop(g, 8192 + 5, 0x30, false); /* no INV: the cache keeps the old byte */
	assert_int_equal(msk_gic_lpi_config(g->gic, 8192 + 5), 0x33);
	assert_msk_error(msk_gic_lpi_config(g->gic, 100), MSK_EINVAL);
	assert_msk_error(msk_gic_lpi_config(g->gic, 1u << 16), MSK_EINVAL);
	g_destroy(g);
}

/* PTZ = 0: pending bits found in RAM at EnableLPIs become pending LPIs of weight 0. */
static void test_enable_imports_pending_table(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	uint8_t b = 0x11; /* INTIDs 8192*... + 0 and 4 of byte 1040 */
	uint32_t first = 1040 * 8;
	assert_msk_ok(msk_ram_write(g->bus, G_PEND(1) + 1040, &b, 1));
	g_prop(g, first, 0x80, true);
	g_prop(g, first + 4, 0x80, false);
	g_rd_write(g, 1, MSK_GICR_PROPBASER, G_PROP | 15, 8);
	g_rd_write(g, 1, MSK_GICR_PENDBASER, G_PEND(1), 8);
	unsigned int k = atomic_load(&g->kicks[1]);
	g_rd_write(g, 1, MSK_GICR_CTLR, 1, 4);
	assert_true(atomic_load(&g->kicks[1]) > k);
	struct msk_gic_rd_stats st;
	assert_msk_ok(msk_gic_rd_stats(g->gic, 1, &st));
	assert_int_equal(st.pending, 2);
	assert_int_equal(st.held, 0);
	uint64_t w = 99;
	assert_int_equal(g_ack(g, 1, &w), first);
	assert_int_equal(w, 0);
	assert_int_equal(g_ack(g, 1, NULL), 1023); /* first + 4 is disabled */
	assert_msk_ok(msk_ram_read(g->bus, G_PEND(1) + 1040, &b, 1));
	assert_int_equal(b, 0x10);
	g_destroy(g);
}

/* PROPBASER.IDbits + 1 < 14: the RD has no LPI at all. */
static void test_tiny_idbits_means_no_lpis(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	g_rd_write(g, 0, MSK_GICR_PROPBASER, G_PROP | 12, 8);
	g_rd_write(g, 0, MSK_GICR_PENDBASER, G_PEND(0), 8);
	g_rd_write(g, 0, MSK_GICR_CTLR, 1, 4);
	g_its_tables(g, 1);
	g_its_enable(g);
	g_mapc(g, 0, 0, true);
	g_route(g, 1, 1, 0, 8192, 0);
	g_msi(g, 1, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_LPI_OUT_OF_RANGE), 1);
	assert_int_equal(msk_gic_lpi_config(g->gic, 8192), 0); /* INV had no table to read */
	g_destroy(g);
}

/* Clearing EnableLPIs drops what the RD holds ("lpis-disabled"). */
static void test_disable_lpis_drops_pending(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 1, 2, 0, 8192, 1);
	g_mapti(g, 1, 1, 8193, 1);
	g_msi(g, 1, 0, 2);
	g_msi(g, 1, 1, 3); /* 8193 is disabled: held */
	assert_int_equal(msk_gic_held(g->gic), 5);
	g_rd_write(g, 1, MSK_GICR_CTLR, 0, 4);
	assert_int_equal(g_lost(g, MSK_LOSS_LPIS_DISABLED), 5);
	assert_int_equal(msk_gic_held(g->gic), 0);
	assert_int_equal(g_ack(g, 1, NULL), 1023);
	g_msi(g, 1, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_LPIS_DISABLED), 6);
	g_balanced(g);
	/* Re-enabled with PTZ = 0 the RD finds the bits it left in RAM (weight 0). */
	g_rd_write(g, 1, MSK_GICR_PENDBASER, G_PEND(1), 8);
	g_rd_write(g, 1, MSK_GICR_CTLR, 1, 4);
	uint64_t w;
	assert_int_equal(g_ack(g, 1, &w), 8192);
	assert_int_equal(w, 0);
	g_destroy(g);
}

/* Ack order: lowest priority value first, then lowest INTID. */
static void test_ack_priority_order(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_mapd(g, 1, 4, true);
	const uint32_t lpi[5] = { 8192, 8193, 9000, 20000, 65535 };
	const uint8_t prio[5] = { 0xA0, 0x20, 0x20, 0x00, 0xFC };
	for (int i = 0; i < 5; i++) {
		g_mapti(g, 1, (uint32_t)i, lpi[i], 0);
		g_prop(g, lpi[i], prio[i], true);
	}
	g_invall(g, 0);
	for (uint32_t i = 0; i < 5; i++)
		g_msi(g, 1, i, 1);
	const uint32_t want[5] = { 20000, 8193, 9000, 8192, 65535 };
	for (int i = 0; i < 5; i++)
		assert_int_equal(g_ack(g, 0, NULL), want[i]);
	assert_int_equal(g_ack(g, 0, NULL), 1023);
	g_destroy(g);
}

static void test_cpu_interface_errors(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	uint32_t intid;
	assert_msk_error(msk_gic_ack(g->gic, 4, &intid, NULL), MSK_EINVAL);
	assert_msk_error(msk_gic_eoi(g->gic, 4, 8192), MSK_EINVAL);
	assert_msk_error(msk_gic_eoi(g->gic, 0, 27), MSK_EINVAL);
	assert_msk_error(msk_gic_eoi(g->gic, 0, 1u << 16), MSK_EINVAL);
	struct msk_gic_rd_stats st;
	assert_msk_error(msk_gic_rd_stats(g->gic, 4, &st), MSK_EINVAL);
	assert_msk_error(msk_gic_lpi_pending(g->gic, 9, 8192, NULL), MSK_EINVAL);
	assert_int_equal(msk_gic_lpi_pending(g->gic, 0, 5, NULL), 0);
	assert_msk_ok(msk_gic_rd_stats(g->gic, 0, &st));
	assert_int_equal(st.eois, 0);
	assert_int_equal(msk_gic_nr_cpus(g->gic), 4);
	g_destroy(g);
}

static void test_create_errors(void **state)
{
	(void)state;
	struct msk_bus *bus;
	struct msk_gic *gic;
	assert_msk_ok(msk_bus_create(G_RAM_BASE, G_RAM_SIZE, NULL, &bus));
	struct msk_gic_config c = { .nr_cpus = 1,
				    .redist_base = G_RD_BASE,
				    .its_base = G_ITS_BASE };
	struct msk_gic_config bad = c;
	bad.nr_cpus = MSK_GIC_MAX_CPUS + 1;
	assert_msk_error(msk_gic_create(bus, &bad, &gic), MSK_EINVAL);
	bad = c;
	bad.lpi_id_bits = 21;
	assert_msk_error(msk_gic_create(bus, &bad, &gic), MSK_EINVAL);
	bad = c;
	bad.its_base = G_ITS_BASE + 0x1000;
	assert_msk_error(msk_gic_create(bus, &bad, &gic), MSK_EINVAL);
	bad = c;
	bad.hcc = 256;
	assert_msk_error(msk_gic_create(bus, &bad, &gic), MSK_EINVAL);
	bad = c;
	bad.nr_id_maps = 1; /* count 0 */
	assert_msk_error(msk_gic_create(bus, &bad, &gic), MSK_EINVAL);
	bad = c;
	bad.error_policy = 7;
	assert_msk_error(msk_gic_create(bus, &bad, &gic), MSK_EINVAL);
	bad = c;
	bad.its_base = G_RAM_BASE; /* overlaps RAM */
	assert_msk_error(msk_gic_create(bus, &bad, &gic), MSK_EBUSY);
	bad = c;
	bad.redist_base = G_ITS_BASE; /* RD and ITS overlap: nothing stays mapped */
	assert_msk_error(msk_gic_create(bus, &bad, &gic), MSK_EBUSY);
	assert_msk_ok(msk_gic_create(bus, &c, &gic));
	msk_gic_destroy(gic);
	assert_msk_ok(msk_gic_create(bus, &c, &gic)); /* the regions were released */
	msk_gic_destroy(gic);
	/* Every allocation of create can fail, leaving nothing behind. */
	c.nr_cpus = 3;
	c.hcc = 2;
	msk_fault_reset();
	assert_msk_ok(msk_gic_create(bus, &c, &gic));
	unsigned long n = msk_fault_alloc_count();
	msk_gic_destroy(gic);
	assert_true(n >= 5);
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		int rc = msk_gic_create(bus, &c, &gic);
		msk_fault_reset();
		if (rc == 0)
			fail_msg("create succeeded with allocation %lu of %lu failing", k, n);
		assert_int_equal(rc, -MSK_ENOMEM);
	}
	assert_msk_ok(msk_gic_create(bus, &c, &gic));
	msk_gic_destroy(gic);
	msk_bus_destroy(bus);
}

/*
 * Injected allocation failures never reach the delivery path: the pending
 * state of an LPI (and the RAM page of its pending table) is the model's
 * backing store of hardware the guest configured, not subject to fault
 * injection. With every allocation failing, the events still pend.
 */
static void test_alloc_failure_on_pending(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	g_route(g, 1, 1, 0, 30000, 0);
	msk_fault_fail_alloc_from(1); /* every allocation fails */
	unsigned long before = msk_fault_alloc_count();
	g_msi(g, 1, 0, 3);
	assert_int_equal(msk_fault_alloc_count(), before); /* nothing counted */
	msk_fault_reset();
	assert_int_equal(g_lost(g, MSK_LOSS_INJECTED), 0);
	g_msi(g, 1, 0, 1);
	uint64_t w = 0;
	assert_int_equal(g_ack(g, 0, &w), 30000);
	assert_int_equal(w, 4);
	g_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_id_registers),
		cmocka_unit_test(test_baser_registers),
		cmocka_unit_test(test_enable_loads_config),
		cmocka_unit_test(test_enable_imports_pending_table),
		cmocka_unit_test(test_tiny_idbits_means_no_lpis),
		cmocka_unit_test(test_disable_lpis_drops_pending),
		cmocka_unit_test(test_ack_priority_order),
		cmocka_unit_test(test_cpu_interface_errors),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_alloc_failure_on_pending),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
