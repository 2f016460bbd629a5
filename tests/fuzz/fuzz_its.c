/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the GICv3 ITS + redistributor model. The input is a GIC
 * configuration followed by a sequence of operations a hostile guest and
 * its devices could perform: register accesses of any size and offset in
 * the ITS and RD frames, writes to guest RAM (tables, command queue, ITTs),
 * commands, CWRITER pokes, message writes and CPU acks. Invariants checked
 * (abort() on failure): the ledger balances after every input and after
 * the GIC is destroyed; every pending LPI counted in held() is real.
 * Work per input is bounded: at most MAX_OPS operations, each bounded by
 * the model (cmds_per_access <= 16 here, 14..15 INTID bits).
 *
 * Input layout: 6 configuration bytes, then operations of 1 opcode byte
 * plus fixed-size arguments (missing bytes read as zero).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <msikit.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (16ull << 20)
#define ITS_BASE 0x08080000ull
#define RD_BASE	 0x080A0000ull
#define PROP	 (RAM_BASE + 0x10000)
#define PEND(c)	 (RAM_BASE + 0x20000 + (uint64_t)(c)*0x10000)
#define DEVTAB	 (RAM_BASE + 0x100000)
#define COLLTAB	 (RAM_BASE + 0x110000)
#define L2PAGES	 (RAM_BASE + 0x120000)
#define QUEUE	 (RAM_BASE + 0x200000)
#define ITTS	 (RAM_BASE + 0x300000)
#define MAX_OPS	 400

struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t get(struct in *in, unsigned int bytes)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < bytes; i++) {
		uint64_t b = 0;
		if (in->n) {
			b = *in->p++;
			in->n--;
		}
		v |= b << (8 * i);
	}
	return v;
}

static unsigned int size_of(uint64_t sel)
{
	static const unsigned int sizes[4] = { 1, 2, 4, 8 };
	return sizes[sel & 3];
}

/* Interesting register offsets, or any offset. */
static uint64_t its_off(uint64_t sel)
{
	static const uint64_t regs[] = { 0x0,	0x4,   0x8,    0xC,	0x80,	 0x84,	 0x88,
					 0x8C,	0x90,  0x94,   0x100,	0x104,	 0x108,	 0x10C,
					 0x110, 0x138, 0xFFE8, 0x10040, 0x10044, 0x1FFF8 };
	if (sel & 0x8000)
		return (sel & 0x7FFF) * 4 % 0x20000;
	uint64_t off = regs[(sel & 0xFF) % (sizeof(regs) / sizeof(regs[0]))];
	return (sel & 0x800) ? off + ((sel >> 8) & 7) : off; /* maybe misaligned */
}

static uint64_t rd_off(uint64_t sel)
{
	static const uint64_t regs[] = { 0x0,  0x4,  0x8,  0xC,	   0x14,    0x70,
					 0x74, 0x78, 0x7C, 0xFFE8, 0x10100, 0x1 };
	if (sel & 0x8000)
		return (sel & 0x7FFF) * 4 % 0x20000;
	return regs[(sel & 0xFF) % (sizeof(regs) / sizeof(regs[0]))];
}

/* A RAM address in one of the guest's structures (or anywhere in RAM). */
static uint64_t ram_addr(uint64_t sel)
{
	static const uint64_t bases[] = { PROP,	   PEND(0), PEND(1), DEVTAB,  COLLTAB,
					  L2PAGES, QUEUE,   ITTS,    RAM_BASE };
	uint64_t base = bases[(sel >> 24) % (sizeof(bases) / sizeof(bases[0]))];
	return base + (sel & 0xFFF8);
}

/* Program every RD, the ITS tables and queue, enable, map collection c -> RD c. */
static void boot(struct msk_bus *bus, unsigned int ncpu, bool indirect, uint64_t *wr)
{
	for (unsigned int c = 0; c < ncpu; c++) {
		uint64_t rd = RD_BASE + c * MSK_GICR_STRIDE;
		msk_bus_write(bus, rd + MSK_GICR_PROPBASER, PROP | 13, 8, NULL);
		msk_bus_write(bus, rd + MSK_GICR_PENDBASER, PEND(c), 8, NULL);
		msk_bus_write(bus, rd + MSK_GICR_CTLR, 1, 4, NULL);
	}
	uint64_t b0 = MSK_GITS_BASER_VALID | DEVTAB | (indirect ? MSK_GITS_BASER_INDIRECT : 1);
	msk_bus_write(bus, ITS_BASE + MSK_GITS_BASER(0), b0, 8, NULL);
	msk_bus_write(bus, ITS_BASE + MSK_GITS_BASER(1), MSK_GITS_BASER_VALID | COLLTAB, 8, NULL);
	msk_bus_write(bus, ITS_BASE + MSK_GITS_CBASER, MSK_GITS_CBASER_VALID | QUEUE, 8, NULL);
	if (indirect)
		msk_ram_write64(bus, DEVTAB, MSK_GITS_L1E_VALID | L2PAGES);
	msk_bus_write(bus, ITS_BASE + MSK_GITS_CTLR, 1, 4, NULL);
	for (unsigned int c = 0; c < ncpu; c++) {
		uint64_t cmd[4] = { MSK_ITS_CMD_MAPC, 0, (1ull << 63) | (uint64_t)c << 16 | c, 0 };
		msk_ram_write(bus, QUEUE + *wr, cmd, sizeof(cmd));
		*wr = (*wr + 32) % 4096;
	}
	msk_bus_write(bus, ITS_BASE + MSK_GITS_CWRITER, *wr, 8, NULL);
}

static const uint8_t opcodes[] = { MSK_ITS_CMD_MOVI,   MSK_ITS_CMD_INT,	   MSK_ITS_CMD_CLEAR,
				   MSK_ITS_CMD_SYNC,   MSK_ITS_CMD_MAPD,   MSK_ITS_CMD_MAPC,
				   MSK_ITS_CMD_MAPTI,  MSK_ITS_CMD_MAPI,   MSK_ITS_CMD_INV,
				   MSK_ITS_CMD_INVALL, MSK_ITS_CMD_MOVALL, MSK_ITS_CMD_DISCARD };

/* A command with mostly plausible fields, from 12 input bytes. */
static void make_cmd(struct in *in, uint64_t cmd[4])
{
	uint64_t sel = get(in, 4), a = get(in, 4), b = get(in, 4);
	uint8_t op = (sel & 0x80) ? (uint8_t)(sel >> 8) : opcodes[(sel & 0x7F) % sizeof(opcodes)];
	uint32_t dev = (sel & 0x40000) ? (uint32_t)a : (uint32_t)(a & 0xF);
	uint32_t lpi = 8192 + (uint32_t)(b & 0x3FFF);
	uint32_t ev =
		(sel & 0x80000) ? lpi : (uint32_t)((sel >> 20) & 0x3F); /* big ones for MAPI */
	uint32_t icid = (uint32_t)((b >> 16) & 7);
	uint64_t rd1 = (b >> 20) & 7, rd2 = (b >> 24) & 7;
	uint64_t itt = ITTS + (uint64_t)(dev & 0xF) * 0x1000;
	cmd[0] = op | (uint64_t)dev << 32;
	cmd[1] = ev | (uint64_t)lpi << 32;
	cmd[2] = icid | rd1 << 16;
	cmd[3] = rd2 << 16;
	switch (op) {
	case MSK_ITS_CMD_MAPD:
		cmd[1] = (b >> 28) & 0x1F;
		cmd[2] = ((sel >> 30) & 1 ? 0 : 1ull << 63) | ((sel & 0x100000) ? b << 8 : itt);
		break;
	case MSK_ITS_CMD_MAPC:
		cmd[2] = ((sel >> 30) & 1 ? 0 : 1ull << 63) | rd1 << 16 | icid;
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct msk_gic_config cfg = { 0 };
	uint64_t c0 = get(&in, 6);
	cfg.nr_cpus = 1 + (c0 & 3);
	cfg.lpi_id_bits = 14 + ((c0 >> 2) & 1);
	cfg.devbits = 1 + ((c0 >> 3) & 31);
	cfg.eventid_bits = 1 + ((c0 >> 8) & 31);
	cfg.cidbits = 1 + ((c0 >> 13) & 15);
	cfg.hcc = (c0 >> 17) & 7;
	cfg.cmds_per_access = 1 + ((c0 >> 20) & 15);
	cfg.error_policy = (c0 >> 24) & 1 ? MSK_ITS_ERR_STALL : MSK_ITS_ERR_SKIP;
	if ((c0 >> 25) & 1) {
		cfg.nr_id_maps = 1;
		cfg.id_map[0] =
			(struct msk_its_id_map){ .rid_base = 0x100, .devid_base = 0, .count = 64 };
	}
	cfg.redist_base = RD_BASE;
	cfg.its_base = ITS_BASE;

	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_gic *gic;
	if (msk_ledger_create(&ledger) < 0)
		abort();
	if (msk_bus_create(RAM_BASE, RAM_SIZE, ledger, &bus) < 0)
		abort();
	if (msk_gic_create(bus, &cfg, &gic) < 0)
		abort();
	uint64_t wr = 0;
	if ((c0 >> 26) & 1)
		boot(bus, cfg.nr_cpus, (c0 >> 27) & 1, &wr);

	for (unsigned int op = 0; op < MAX_OPS && in.n; op++) {
		uint8_t kind = (uint8_t)get(&in, 1);
		uint64_t v;
		switch (kind % 12) {
		case 0: { /* ITS register read */
			uint64_t sel = get(&in, 2);
			msk_bus_read(bus, ITS_BASE + its_off(sel), size_of(sel >> 12), NULL, &v);
			break;
		}
		case 1: { /* ITS register write */
			uint64_t sel = get(&in, 2);
			msk_bus_write(bus, ITS_BASE + its_off(sel), get(&in, 8), size_of(sel >> 12),
				      NULL);
			break;
		}
		case 2: { /* RD register read */
			uint64_t sel = get(&in, 2), cpu = get(&in, 1) % 4;
			msk_bus_read(bus, RD_BASE + cpu * MSK_GICR_STRIDE + rd_off(sel),
				     size_of(sel >> 12), NULL, &v);
			break;
		}
		case 3: { /* RD register write */
			uint64_t sel = get(&in, 2), cpu = get(&in, 1) % 4;
			msk_bus_write(bus, RD_BASE + cpu * MSK_GICR_STRIDE + rd_off(sel),
				      get(&in, 8), size_of(sel >> 12), NULL);
			break;
		}
		case 4: { /* guest RAM write */
			uint64_t addr = ram_addr(get(&in, 4));
			msk_ram_write64(bus, addr, get(&in, 8));
			break;
		}
		case 5: { /* a command into the queue, then CWRITER */
			uint64_t cmd[4];
			make_cmd(&in, cmd);
			msk_ram_write(bus, QUEUE + wr, cmd, sizeof(cmd));
			wr = (wr + 32) % 4096;
			msk_bus_write(bus, ITS_BASE + MSK_GITS_CWRITER, wr, 8, NULL);
			break;
		}
		case 6: /* CWRITER poke (maybe Retry, maybe anywhere) */
			msk_bus_write(bus, ITS_BASE + MSK_GITS_CWRITER, get(&in, 3), 8, NULL);
			break;
		case 7: { /* a device's message */
			uint32_t rid = (uint32_t)get(&in, 2), ev = (uint32_t)get(&in, 2);
			uint32_t w = 1 + (uint32_t)(get(&in, 1) & 3);
			msk_ledger_raise(ledger, w);
			msk_bus_msi(bus, ITS_BASE + MSK_GITS_TRANSLATER, ev, rid & 0x1FF, w);
			break;
		}
		case 8: { /* a CPU acks (and EOIs) */
			unsigned int cpu = (unsigned int)get(&in, 1) % 5;
			uint32_t intid;
			uint64_t w;
			if (msk_gic_ack(gic, cpu, &intid, &w) == 1)
				msk_gic_eoi(gic, cpu, intid);
			break;
		}
		case 9: /* a polling driver */
			msk_bus_read(bus, ITS_BASE + MSK_GITS_CREADR, 8, NULL, &v);
			break;
		case 10: { /* a message write of any size anywhere in the GIC frames */
			uint64_t off = get(&in, 2), how = get(&in, 1);
			struct msk_bus_attrs a = { .requester_id = (uint32_t)(how >> 3) & 0xF,
						   .weight = 1,
						   .is_msi = true };
			uint64_t addr = (how & 1) ? ITS_BASE + its_off(off) : RD_BASE + rd_off(off);
			msk_ledger_raise(ledger, 1);
			if (msk_bus_write(bus, addr, get(&in, 4), size_of(how >> 1), &a) < 0)
				msk_ledger_lose(ledger, MSK_LOSS_NO_DOORBELL,
						1); /* nothing there */
			break;
		}
		default: { /* configure an LPI byte (priority, enable) */
			uint32_t lpi = (uint32_t)get(&in, 2) & 0x1FFF;
			uint8_t b = (uint8_t)get(&in, 1);
			msk_ram_write(bus, PROP + lpi, &b, 1);
			break;
		}
		}
	}
	if (msk_ledger_check(ledger, msk_gic_held(gic)) < 0)
		abort();
	uint64_t per_rd = 0;
	for (unsigned int c = 0; c < cfg.nr_cpus; c++) {
		struct msk_gic_rd_stats st;
		if (msk_gic_rd_stats(gic, c, &st) < 0)
			abort();
		per_rd += st.held;
	}
	if (per_rd != msk_gic_held(gic))
		abort();
	msk_gic_destroy(gic);
	if (msk_ledger_check(ledger, 0) < 0)
		abort();
	msk_bus_destroy(bus);
	msk_ledger_destroy(ledger);
	return 0;
}
