/* SPDX-License-Identifier: MIT */
/* GICv3 ITS registers: identification, CTLR, BASER<n>, CBASER/CWRITER/CREADR, odd accesses. */
#include "gic_guest.h"

static void test_its_id_registers(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = 2, .devbits = 20, .eventid_bits = 12, .hcc = 3 };
	struct guest *g = g_create(&cfg);
	uint64_t t = g_its_read(g, MSK_GITS_TYPER, 8);
	assert_int_equal(t & 1, 1);		/* Physical */
	assert_int_equal((t >> 1) & 1, 0);	/* Virtual */
	assert_int_equal((t >> 4) & 0xF, 7);	/* ITT_entry_size: 8 bytes */
	assert_int_equal((t >> 8) & 0x1F, 11);	/* ID_bits */
	assert_int_equal((t >> 13) & 0x1F, 19); /* Devbits */
	assert_int_equal((t >> 18) & 1, 0);	/* SEIS */
	assert_int_equal((t >> 19) & 1, 0);	/* PTA */
	assert_int_equal((t >> 24) & 0xFF, 3);	/* HCC */
	assert_int_equal((t >> 36) & 1, 0);	/* CIL: 16-bit ICIDs */
	assert_int_equal(g_its_read(g, MSK_GITS_TYPER + 4, 4), t >> 32);
	assert_int_equal(g_its_read(g, MSK_GITS_PIDR2, 4) & 0xF0, 0x30);
	assert_int_equal(g_its_read(g, MSK_GITS_IIDR, 4), MSK_GITS_IIDR_VALUE);
	g_its_write(g, MSK_GITS_TYPER, 0, 8); /* RO */
	assert_int_equal(g_its_read(g, MSK_GITS_TYPER, 8), t);
	g_destroy(g);
}

/* Enabled needs valid CBASER, BASER0 and BASER1 (as KVM); Quiescent = !Enabled. */
static void test_ctlr_enable_rules(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 4), MSK_GITS_CTLR_QUIESCENT);
	g_its_write(g, MSK_GITS_CTLR, 1, 4);
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 4), MSK_GITS_CTLR_QUIESCENT);
	g_its_write(g, MSK_GITS_BASER(0), MSK_GITS_BASER_VALID | G_DEVTAB, 8);
	g_its_write(g, MSK_GITS_BASER(1), MSK_GITS_BASER_VALID | G_COLLTAB, 8);
	g_its_write(g, MSK_GITS_CTLR, 1, 4); /* CBASER still invalid */
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 4) & 1, 0);
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | G_QUEUE, 8);
	g_its_write(g, MSK_GITS_BASER(1), G_COLLTAB, 8);
	g_its_write(g, MSK_GITS_CTLR, 1, 4); /* BASER1 invalid */
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 4) & 1, 0);
	g_its_write(g, MSK_GITS_BASER(1), MSK_GITS_BASER_VALID | G_COLLTAB, 8);
	g_its_write(g, MSK_GITS_CTLR, 1, 4);
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 4), MSK_GITS_CTLR_ENABLED);
	g_its_write(g, MSK_GITS_CTLR, 0, 4);
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 4), MSK_GITS_CTLR_QUIESCENT);
	g_destroy(g);
}

static void test_baser_fields(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	uint64_t b0 = g_its_read(g, MSK_GITS_BASER(0), 8);
	uint64_t b1 = g_its_read(g, MSK_GITS_BASER(1), 8);
	assert_int_equal(MSK_GITS_BASER_TYPE(b0), MSK_GITS_BASER_TYPE_DEVICE);
	assert_int_equal(MSK_GITS_BASER_TYPE(b1), MSK_GITS_BASER_TYPE_COLLECTION);
	assert_int_equal(MSK_GITS_BASER_ESIZE(b0), 8);
	assert_int_equal(MSK_GITS_BASER_ESIZE(b1), 8);
	for (unsigned int n = 2; n < 8; n++) {
		g_its_write(g, MSK_GITS_BASER(n), ~0ull, 8);
		assert_int_equal(g_its_read(g, MSK_GITS_BASER(n), 8), 0); /* Type 0: RAZ/WI */
	}
	/* Type and Entry_Size are RO; everything Linux writes sticks. */
	uint64_t v = MSK_GITS_BASER_VALID | (7ull << 59) | (1ull << 10) | G_DEVTAB |
		     MSK_GITS_BASER_PSZ_16K | 3;
	g_its_write(g, MSK_GITS_BASER(0), v | (2ull << 56) | (3ull << 48), 8);
	assert_int_equal(g_its_read(g, MSK_GITS_BASER(0), 8), v | (1ull << 56) | (7ull << 48));
	/* Page_Size 3 (reserved) reads back as 64 KiB. */
	g_its_write(g, MSK_GITS_BASER(0), 3ull << 8, 8);
	assert_int_equal((g_its_read(g, MSK_GITS_BASER(0), 8) >> 8) & 3, 2);
	/* 32-bit halves. */
	g_its_write(g, MSK_GITS_BASER(0), (uint32_t)G_DEVTAB, 4);
	g_its_write(g, MSK_GITS_BASER(0) + 4, (uint32_t)(MSK_GITS_BASER_VALID >> 32), 4);
	assert_int_equal(g_its_read(g, MSK_GITS_BASER(0), 8),
			 MSK_GITS_BASER_VALID | G_DEVTAB | (1ull << 56) | (7ull << 48));
	/* Writes are ignored while the ITS is enabled. */
	g_its_tables(g, 1);
	g_its_enable(g);
	g_its_write(g, MSK_GITS_BASER(0), 0, 8);
	g_its_write(g, MSK_GITS_CBASER, 0, 8);
	assert_true(g_its_read(g, MSK_GITS_BASER(0), 8) & MSK_GITS_BASER_VALID);
	assert_true(g_its_read(g, MSK_GITS_CBASER, 8) & MSK_GITS_CBASER_VALID);
	g_destroy(g);
}

/* A 64 KiB-page table: PA[51:48] sits in bits 15:12 (here zero). */
static void test_baser_64k_pages(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	g_rd_enable(g, 0);
	g_its_write(g, MSK_GITS_BASER(0), MSK_GITS_BASER_VALID | MSK_GITS_BASER_PSZ_64K | G_DEVTAB,
		    8);
	g_its_write(g, MSK_GITS_BASER(1), MSK_GITS_BASER_VALID | MSK_GITS_BASER_PSZ_64K | G_COLLTAB,
		    8);
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | G_QUEUE, 8);
	g->qbytes = 4096;
	g_its_enable(g);
	g_mapc(g, 0, 0, true);
	g_mapd(g, 8000, 1, true); /* within 64 KiB / 8 entries */
	uint64_t dte;
	assert_msk_ok(msk_ram_read64(g->bus, G_DEVTAB + 8000 * 8, &dte));
	assert_true(dte >> 63);
	assert_int_equal(msk_its_last_error(g->gic), 0);
	/* PA bits 15:12 = PA[51:48]: a table far outside RAM. */
	g_its_write(g, MSK_GITS_CTLR, 0, 4);
	g_its_write(g, MSK_GITS_BASER(0),
		    MSK_GITS_BASER_VALID | MSK_GITS_BASER_PSZ_64K | G_DEVTAB | (1ull << 12), 8);
	g_its_enable(g);
	g_msi(g, 8000, 0, 1);
	assert_int_equal(g_lost(g, MSK_LOSS_TABLE_FAULT), 1);
	g_destroy(g);
}

/* CBASER resets the queue pointers; CWRITER beyond the queue is ignored; CREADR is RO. */
static void test_queue_registers(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	g_its_tables(g, 2);
	g_its_write(g, MSK_GITS_CWRITER, 0x1020, 8);
	assert_int_equal(g_its_read(g, MSK_GITS_CWRITER, 8), 0x1020);
	g_its_write(g, MSK_GITS_CWRITER, 0x2000, 8); /* == queue size: ignored */
	assert_int_equal(g_its_read(g, MSK_GITS_CWRITER, 8), 0x1020);
	g_its_write(g, MSK_GITS_CWRITER, 0x1F | 0x40, 8); /* RES0 bits, Retry dropped */
	assert_int_equal(g_its_read(g, MSK_GITS_CWRITER, 8), 0x40);
	g_its_write(g, MSK_GITS_CREADR, 0x40, 8);
	assert_int_equal(g_its_read(g, MSK_GITS_CREADR, 8), 0); /* disabled: nothing processed */
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | G_QUEUE | 1, 8);
	assert_int_equal(g_its_read(g, MSK_GITS_CWRITER, 8), 0);
	assert_int_equal(g_its_read(g, MSK_GITS_CBASER, 8), MSK_GITS_CBASER_VALID | G_QUEUE | 1);
	/* Commands queued while disabled run when the ITS is enabled. */
	g->wr = 0;
	g_queue(g, MSK_ITS_CMD_MAPC, 0, (1ull << 63) | (1ull << 16) | 4, 0);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	uint64_t cte;
	assert_msk_ok(msk_ram_read64(g->bus, G_COLLTAB + 4 * 8, &cte));
	assert_int_equal(cte, 0);
	g_its_enable(g);
	assert_int_equal(g_its_read(g, MSK_GITS_CREADR, 8), 32);
	assert_msk_ok(msk_ram_read64(g->bus, G_COLLTAB + 4 * 8, &cte));
	assert_int_equal(cte, (1ull << 63) | 1);
	g_destroy(g);
}

/*
 * Linux's ITS probe: PIDR2 check, then for each BASER with a Type, write a
 * value built from the Type and Entry_Size it read (cacheability,
 * shareability, page size, size, PA, Valid) and require that it sticks;
 * Indirect is probed by writing it and reading it back.
 */
static void test_linux_style_probe(void **state)
{
	(void)state;
	struct guest *g = g_create(NULL);
	assert_true((g_its_read(g, MSK_GITS_PIDR2, 4) & 0xF0) == 0x30);
	unsigned int tables = 0;
	for (unsigned int n = 0; n < 8; n++) {
		uint64_t v = g_its_read(g, MSK_GITS_BASER(n), 8);
		unsigned int type = MSK_GITS_BASER_TYPE(v);
		if (!type)
			continue;
		tables++;
		uint64_t esz = MSK_GITS_BASER_ESIZE(v);
		uint64_t pa = n == 0 ? G_DEVTAB : G_COLLTAB;
		uint64_t want = MSK_GITS_BASER_VALID | (uint64_t)type << 56 | (esz - 1) << 48 |
				(7ull << 59) /* RaWaWb */ | (1ull << 10) /* inner shareable */ |
				MSK_GITS_BASER_PSZ_64K | pa | 0;
		if (type == MSK_GITS_BASER_TYPE_DEVICE) {
			g_its_write(g, MSK_GITS_BASER(n), v | MSK_GITS_BASER_INDIRECT, 8);
			assert_true(g_its_read(g, MSK_GITS_BASER(n), 8) & MSK_GITS_BASER_INDIRECT);
			want |= MSK_GITS_BASER_INDIRECT;
		}
		g_its_write(g, MSK_GITS_BASER(n), want, 8);
		assert_int_equal(g_its_read(g, MSK_GITS_BASER(n), 8), want);
	}
	assert_int_equal(tables, 2);
	uint64_t cb = MSK_GITS_CBASER_VALID | (7ull << 59) | (1ull << 10) | G_QUEUE | 15;
	g_its_write(g, MSK_GITS_CBASER, cb, 8);
	assert_int_equal(g_its_read(g, MSK_GITS_CBASER, 8), cb);
	g_its_write(g, MSK_GITS_CWRITER, 0, 8);
	uint32_t ctlr = (uint32_t)g_its_read(g, MSK_GITS_CTLR, 4);
	g_its_write(g, MSK_GITS_CTLR, ctlr | MSK_GITS_CTLR_ENABLED, 4);
	assert_true(g_its_read(g, MSK_GITS_CTLR, 4) & MSK_GITS_CTLR_ENABLED);
	g_destroy(g);
}

/* Accesses of the wrong size or alignment read zero, change nothing and are counted. */
static void test_odd_accesses(void **state)
{
	(void)state;
	struct guest *g = g_boot(NULL);
	uint64_t cbaser = g_its_read(g, MSK_GITS_CBASER, 8);
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	uint64_t bad = st.bad_accesses;
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 8), 0);
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 1), 0);
	assert_int_equal(g_its_read(g, MSK_GITS_CBASER + 2, 2), 0);
	assert_int_equal(g_its_read(g, MSK_GITS_CBASER + 4, 8), 0);
	assert_int_equal(g_its_read(g, 0x10000, 4), 0);
	g_its_write(g, MSK_GITS_CTLR, 0, 2);
	g_its_write(g, MSK_GITS_CBASER + 1, 0, 1);
	g_its_write(g, 0x3000, 1, 4);
	g_its_write(g, 0x10044, 1, 4);
	msk_its_stats(g->gic, &st);
	assert_int_equal(st.bad_accesses, bad + 9);
	assert_int_equal(g_its_read(g, MSK_GITS_CTLR, 4), MSK_GITS_CTLR_ENABLED);
	assert_int_equal(g_its_read(g, MSK_GITS_CBASER, 8), cbaser);
	g_destroy(g);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_its_id_registers),
		cmocka_unit_test(test_ctlr_enable_rules),
		cmocka_unit_test(test_baser_fields),
		cmocka_unit_test(test_baser_64k_pages),
		cmocka_unit_test(test_queue_registers),
		cmocka_unit_test(test_linux_style_probe),
		cmocka_unit_test(test_odd_accesses),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
