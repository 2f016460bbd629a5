/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_GIC_GUEST_H
#define MSK_TEST_GIC_GUEST_H

/*
 * A tiny "guest OS" for the GICv3 tests: it programs the redistributors and
 * the ITS only through MMIO registers, tables and the command queue in
 * guest RAM, like Linux's GICv3/ITS drivers do.
 */
#include "msk_test.h"

#include <stdlib.h>
#include <string.h>

#define G_RAM_BASE 0x40000000ull
#define G_RAM_SIZE (256ull << 20)
#define G_ITS_BASE 0x08080000ull
#define G_RD_BASE  0x080A0000ull
#define G_PROP	   (G_RAM_BASE + 0x100000) /* LPI configuration table (64 KiB) */
#define G_PEND(c)  (G_RAM_BASE + 0x200000 + (uint64_t)(c)*0x10000)
#define G_DEVTAB   (G_RAM_BASE + 0x1000000) /* 64 KiB */
#define G_COLLTAB  (G_RAM_BASE + 0x1100000) /* 4 KiB */
#define G_L2	   (G_RAM_BASE + 0x1200000) /* level-2 pages */
#define G_QUEUE	   (G_RAM_BASE + 0x2000000) /* up to 1 MiB */
#define G_ITT(d)   (G_RAM_BASE + 0x3000000 + (uint64_t)(d)*0x1000)
#define G_MAX_CPUS 8

struct guest {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_gic *gic;
	struct msk_gic_config cfg;
	uint64_t qbytes; /* command queue size */
	uint64_t wr;	 /* our CWRITER */
	_Atomic unsigned int kicks[G_MAX_CPUS];
};

static void g_kick(void *ctx, unsigned int cpu)
{
	struct guest *g = ctx;
	if (cpu < G_MAX_CPUS)
		atomic_fetch_add(&g->kicks[cpu], 1);
}

static __attribute__((unused)) uint64_t g_rd_read(struct guest *g, unsigned int cpu, uint64_t off,
						  unsigned int size)
{
	uint64_t v;
	assert_msk_ok(
		msk_bus_read(g->bus, G_RD_BASE + cpu * MSK_GICR_STRIDE + off, size, NULL, &v));
	return v;
}

static __attribute__((unused)) void g_rd_write(struct guest *g, unsigned int cpu, uint64_t off,
					       uint64_t v, unsigned int size)
{
	assert_msk_ok(
		msk_bus_write(g->bus, G_RD_BASE + cpu * MSK_GICR_STRIDE + off, v, size, NULL));
}

static __attribute__((unused)) uint64_t g_its_read(struct guest *g, uint64_t off, unsigned int size)
{
	uint64_t v;
	assert_msk_ok(msk_bus_read(g->bus, G_ITS_BASE + off, size, NULL, &v));
	return v;
}

static __attribute__((unused)) void g_its_write(struct guest *g, uint64_t off, uint64_t v,
						unsigned int size)
{
	assert_msk_ok(msk_bus_write(g->bus, G_ITS_BASE + off, v, size, NULL));
}

/* Set LPI intid's configuration byte in RAM (no INV). */
static __attribute__((unused)) void g_prop(struct guest *g, uint32_t intid, uint8_t prio, bool on)
{
	uint8_t b = (uint8_t)((prio & 0xFC) | MSK_GIC_LPI_PROP_GROUP1 | (on ? 1 : 0));
	assert_msk_ok(msk_ram_write(g->bus, G_PROP + intid - MSK_GIC_LPI_BASE, &b, 1));
}

/* Program RD cpu's PROPBASER (16 INTID bits) and PENDBASER, then EnableLPIs. */
static __attribute__((unused)) void g_rd_enable(struct guest *g, unsigned int cpu)
{
	g_rd_write(g, cpu, MSK_GICR_WAKER, 0, 4);
	g_rd_write(g, cpu, MSK_GICR_PROPBASER, G_PROP | (1ull << 10) | 15, 8);
	g_rd_write(g, cpu, MSK_GICR_PENDBASER, G_PEND(cpu) | MSK_GICR_PENDBASER_PTZ, 8);
	g_rd_write(g, cpu, MSK_GICR_CTLR, MSK_GICR_CTLR_ENABLE_LPIS, 4);
}

/* Flat 64 KiB device table (4 KiB pages), 4 KiB collection table, queue of `qpages` pages. */
static __attribute__((unused)) void g_its_tables(struct guest *g, unsigned int qpages)
{
	g_its_write(g, MSK_GITS_BASER(0), MSK_GITS_BASER_VALID | G_DEVTAB | 15, 8);
	g_its_write(g, MSK_GITS_BASER(1), MSK_GITS_BASER_VALID | G_COLLTAB, 8);
	g_its_write(g, MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | G_QUEUE | (qpages - 1), 8);
	g->qbytes = (uint64_t)qpages * 4096;
	g->wr = 0;
}

static __attribute__((unused)) void g_its_enable(struct guest *g)
{
	g_its_write(g, MSK_GITS_CTLR, MSK_GITS_CTLR_ENABLED, 4);
	assert_true(g_its_read(g, MSK_GITS_CTLR, 4) & MSK_GITS_CTLR_ENABLED);
}

/* Put a command in the queue without telling the ITS. */
static __attribute__((unused)) void g_queue(struct guest *g, uint64_t d0, uint64_t d1, uint64_t d2,
					    uint64_t d3)
{
	uint64_t dw[4] = { d0, d1, d2, d3 };
	assert_msk_ok(msk_ram_write(g->bus, G_QUEUE + g->wr, dw, sizeof(dw)));
	g->wr = (g->wr + 32) % g->qbytes;
}

/* Poll CREADR until it reaches our CWRITER or stalls; returns the number of polls. */
static __attribute__((unused)) unsigned int g_wait(struct guest *g)
{
	unsigned int polls = 0;
	for (;;) {
		uint64_t r = g_its_read(g, MSK_GITS_CREADR, 8);
		polls++;
		if ((r & MSK_GITS_OFFSET_MASK) == g->wr || (r & MSK_GITS_CREADR_STALLED))
			return polls;
		if (polls > 1000000)
			fail_msg("ITS made no progress: CREADR 0x%llx CWRITER 0x%llx",
				 (unsigned long long)r, (unsigned long long)g->wr);
	}
}

/* Queue one command, write CWRITER, wait for it. */
static __attribute__((unused)) void g_cmd(struct guest *g, uint64_t d0, uint64_t d1, uint64_t d2,
					  uint64_t d3)
{
	g_queue(g, d0, d1, d2, d3);
	g_its_write(g, MSK_GITS_CWRITER, g->wr, 8);
	g_wait(g);
}

/* Command encoders (as Linux's its_encode_* place the fields). */
#define DEV(d) ((uint64_t)(d) << 32)
static __attribute__((unused)) void g_mapd(struct guest *g, uint32_t dev, unsigned int bits, bool v)
{
	g_cmd(g, MSK_ITS_CMD_MAPD | DEV(dev), bits - 1, (v ? 1ull << 63 : 0) | G_ITT(dev), 0);
}
static __attribute__((unused)) void g_mapc(struct guest *g, uint32_t icid, uint64_t rd, bool v)
{
	g_cmd(g, MSK_ITS_CMD_MAPC, 0, (v ? 1ull << 63 : 0) | rd << 16 | icid, 0);
}
static __attribute__((unused)) void g_mapti(struct guest *g, uint32_t dev, uint32_t ev,
					    uint32_t intid, uint32_t icid)
{
	g_cmd(g, MSK_ITS_CMD_MAPTI | DEV(dev), (uint64_t)intid << 32 | ev, icid, 0);
}
static __attribute__((unused)) void g_ev_cmd(struct guest *g, uint8_t op, uint32_t dev, uint32_t ev)
{
	g_cmd(g, op | DEV(dev), ev, 0, 0);
}
static __attribute__((unused)) void g_movi(struct guest *g, uint32_t dev, uint32_t ev,
					   uint32_t icid)
{
	g_cmd(g, MSK_ITS_CMD_MOVI | DEV(dev), ev, icid, 0);
}
static __attribute__((unused)) void g_invall(struct guest *g, uint32_t icid)
{
	g_cmd(g, MSK_ITS_CMD_INVALL, 0, icid, 0);
}
static __attribute__((unused)) void g_movall(struct guest *g, uint64_t from, uint64_t to)
{
	g_cmd(g, MSK_ITS_CMD_MOVALL, 0, from << 16, to << 16);
}
static __attribute__((unused)) void g_sync(struct guest *g, uint64_t rd)
{
	g_cmd(g, MSK_ITS_CMD_SYNC, 0, rd << 16, 0);
}

/* A device with requester ID rid writes EventID ev to GITS_TRANSLATER. */
static __attribute__((unused)) int g_msi(struct guest *g, uint32_t rid, uint32_t ev,
					 uint32_t weight)
{
	msk_ledger_raise(g->ledger, weight);
	return msk_bus_msi(g->bus, G_ITS_BASE + MSK_GITS_TRANSLATER, ev, rid, weight);
}

/* Ack on cpu; returns the INTID (1023 when none) and stores the weight. */
static __attribute__((unused)) uint32_t g_ack(struct guest *g, unsigned int cpu, uint64_t *weight)
{
	uint32_t intid;
	uint64_t w;
	int rc = msk_gic_ack(g->gic, cpu, &intid, &w);
	assert_true(rc == 0 || rc == 1);
	assert_int_equal(rc == 1, intid != 1023);
	if (weight)
		*weight = w;
	return intid;
}

static __attribute__((unused)) void g_balanced(struct guest *g)
{
	assert_msk_ok(msk_ledger_check(g->ledger, msk_gic_held(g->gic)));
}

static __attribute__((unused)) uint64_t g_lost(struct guest *g, enum msk_loss r)
{
	struct msk_ledger_counts c;
	msk_ledger_read(g->ledger, &c);
	return c.lost_by_reason[r];
}

static __attribute__((unused)) uint64_t g_delivered(struct guest *g)
{
	struct msk_ledger_counts c;
	msk_ledger_read(g->ledger, &c);
	return c.delivered;
}

/* Create the machine with `cfg` (NULL: 4 CPUs, defaults); nothing programmed. */
static __attribute__((unused)) struct guest *g_create(const struct msk_gic_config *cfg)
{
	struct guest *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	if (cfg)
		g->cfg = *cfg;
	else
		g->cfg.nr_cpus = 4;
	g->cfg.redist_base = G_RD_BASE;
	g->cfg.its_base = G_ITS_BASE;
	g->cfg.notify.kick = g_kick;
	g->cfg.notify.ctx = g;
	assert_msk_ok(msk_ledger_create(&g->ledger));
	assert_msk_ok(msk_bus_create(G_RAM_BASE, G_RAM_SIZE, g->ledger, &g->bus));
	assert_msk_ok(msk_gic_create(g->bus, &g->cfg, &g->gic));
	return g;
}

/*
 * The usual boot: every RD enabled, ITS tables, queue of 16 pages, ITS on,
 * collection c -> RD c for each CPU (as Linux maps one collection per CPU).
 */
static __attribute__((unused)) struct guest *g_boot(const struct msk_gic_config *cfg)
{
	struct guest *g = g_create(cfg);
	for (unsigned int c = 0; c < g->cfg.nr_cpus; c++)
		g_rd_enable(g, c);
	g_its_tables(g, 16);
	g_its_enable(g);
	for (unsigned int c = 0; c < g->cfg.nr_cpus; c++) {
		g_mapc(g, c, c, true);
		g_sync(g, c);
	}
	return g;
}

/* Map device dev with 2^bits events, event ev -> intid in collection icid, enabled + INV. */
static __attribute__((unused)) void g_route(struct guest *g, uint32_t dev, unsigned int bits,
					    uint32_t ev, uint32_t intid, uint32_t icid)
{
	g_mapd(g, dev, bits, true);
	g_mapti(g, dev, ev, intid, icid);
	g_prop(g, intid, 0xA0, true);
	g_ev_cmd(g, MSK_ITS_CMD_INV, dev, ev);
	g_sync(g, icid);
}

static __attribute__((unused)) void g_destroy(struct guest *g)
{
	g_balanced(g);
	msk_gic_destroy(g->gic);
	assert_msk_ok(msk_ledger_check(g->ledger, 0)); /* what was held is now lost */
	msk_bus_destroy(g->bus);
	msk_ledger_destroy(g->ledger);
	free(g);
}

#endif
