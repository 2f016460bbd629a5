/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the x86 interrupt hardware (msikit/hw_x86.h): the input
 * is a machine choice followed by a sequence of operations, played against
 * LAPICs, the MSI window and a VT-d unit. After every input: the ledger
 * balances, the per-CPU state is consistent, the fault registers agree
 * with FSTS, and after draining every CPU nothing is held. Any violation
 * aborts.
 *
 * Input: byte 0 = setup (bits 1:0 + 1 = CPUs; bit 2: custom APIC IDs;
 * bit 3: enable remapping first with IRTA = TABLE | S from bits 7:4 and
 * EIME from bit 4 of byte 1; byte 1 bit 0: CFI). Then operations, each an
 * opcode byte and little-endian operands (missing bytes read as 0):
 *   0 reg write   off:u16 size:u8 value:u64     (any size/offset near the block)
 *   1 reg read    off:u16 size:u8
 *   2 RAM write   idx:u16 half:u8 value:u64     (a half of IRTE idx % 4096)
 *   3 IRTE        idx:u8 vec:u8 dst:u8 flags:u8 (a well-formed entry, flags pick DM/DLM/SVT/FPD)
 *   4 message     addr:u32 data:u32 rid:u16 weight:u8 (addr near the window)
 *   5 remappable  handle:u8 shv:u8 sub:u16 rid:u16 weight:u8
 *   6 take        cpu:u8
 *   7 EOI         cpu:u8
 *   8 TPR         cpu:u8 tpr:u8
 *   9 odd message off:u32 size:u8 weight:u8 (message write of 1/2/8 bytes)
 * At most MAX_OPS operations run, so every input is bounded.
 */
#include <msikit.h>

#include <stdlib.h>
#include <string.h>

#define RAM_SIZE (4ull << 20)
#define IR_BASE	 0xFED90000ull
#define TABLE	 0x10000ull
#define MAX_OPS	 4096
#define RID	 0x0308u

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take_bytes(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < bytes; i++) {
		if (in->n) {
			v |= (uint64_t)in->p[0] << (8 * i);
			in->p++;
			in->n--;
		}
	}
	return v;
}

#define U8(in)	((uint8_t)take_bytes(in, 1))
#define U16(in) ((uint16_t)take_bytes(in, 2))
#define U32(in) ((uint32_t)take_bytes(in, 4))
#define U64(in) take_bytes(in, 8)

struct machine {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_x86 *x86;
	unsigned int ncpus;
};

static void deliver(struct machine *m, uint64_t weight)
{
	while (weight) {
		uint32_t chunk = weight > UINT32_MAX ? UINT32_MAX : (uint32_t)weight;
		msk_ledger_deliver(m->ledger, chunk);
		weight -= chunk;
	}
}

static void reg_write(struct machine *m, uint32_t off, uint64_t value)
{
	msk_bus_write(m->bus, IR_BASE + off, value, 4, NULL);
}

static void setup(struct machine *m, struct input *in)
{
	uint8_t b0 = U8(in), b1 = U8(in);
	static const uint32_t ids[4] = { 0x101, 3, 0xFF, 0x10 };
	memset(m, 0, sizeof(*m));
	m->ncpus = (b0 & 3) + 1;
	struct msk_x86_config cfg = {
		.ncpus = m->ncpus,
		.apic_ids = b0 & 4 ? ids : NULL,
		.ir_base = IR_BASE,
	};
	if (msk_ledger_create(&m->ledger) < 0 ||
	    msk_bus_create(0, RAM_SIZE, m->ledger, &m->bus) < 0 ||
	    msk_x86_create(m->bus, &cfg, NULL, &m->x86) < 0)
		abort();
	if (b0 & 8) {
		uint64_t irta = TABLE | (b0 >> 4) | (b1 & 0x10 ? 1ull << 11 : 0);
		reg_write(m, MSK_VTD_IRTA_REG, (uint32_t)irta);
		reg_write(m, MSK_VTD_GCMD_REG, MSK_VTD_GCMD_SIRTP);
		reg_write(m, MSK_VTD_GCMD_REG, MSK_VTD_GCMD_IRE | (b1 & 1 ? MSK_VTD_GCMD_CFI : 0));
	}
}

static void op_irte(struct machine *m, struct input *in)
{
	unsigned int idx = U8(in);
	uint8_t vec = U8(in), dst = U8(in), flags = U8(in);
	uint64_t lo = 1 | (uint64_t)(flags & 1) << 1 /* FPD */ |
		      (uint64_t)(flags & 2) << 1 /* DM */ |
		      (uint64_t)((flags >> 2) & 7) << 5 /* DLM */ | (uint64_t)vec << 16 |
		      (uint64_t)dst << 40;
	uint64_t hi = (uint64_t)((flags >> 5) & 3) << 18 /* SVT */ | (flags & 0x80 ? RID : dst);
	uint64_t at = TABLE + 16ull * idx;
	msk_ram_write64(m->bus, at, 0);
	msk_ram_write64(m->bus, at + 8, hi);
	msk_ram_write64(m->bus, at, lo);
}

static void op_message(struct machine *m, uint64_t addr, uint32_t data, uint32_t rid,
		       uint32_t weight)
{
	msk_ledger_raise(m->ledger, weight);
	msk_bus_msi(m->bus, addr, data, rid, weight);
}

static void run_op(struct machine *m, struct input *in)
{
	uint8_t op = U8(in) % 10;
	switch (op) {
	case 0: {
		uint32_t off = U16(in) % 0x1100u;
		unsigned int size = 1u << (U8(in) & 3);
		msk_bus_write(m->bus, IR_BASE - 0x80 + off, U64(in), size, NULL);
		break;
	}
	case 1: {
		uint32_t off = U16(in) % 0x1100u;
		unsigned int size = 1u << (U8(in) & 3);
		uint64_t v;
		msk_bus_read(m->bus, IR_BASE - 0x80 + off, size, NULL, &v);
		break;
	}
	case 2: {
		unsigned int idx = U16(in) % 4096u, half = U8(in) & 1;
		msk_ram_write64(m->bus, TABLE + 16ull * idx + 8 * half, U64(in));
		break;
	}
	case 3:
		op_irte(m, in);
		break;
	case 4: {
		uint32_t off = U32(in) % (uint32_t)(MSK_X86_MSI_SIZE + 0x200);
		uint32_t data = U32(in), rid = U16(in), weight = U8(in);
		op_message(m, MSK_X86_MSI_BASE - 0x100 + off, data,
			   rid == 0xFFFF ? MSK_RID_CPU : rid, weight);
		break;
	}
	case 5: {
		uint16_t handle = U8(in) % 64;
		bool shv = U8(in) & 1;
		uint32_t sub = U16(in), rid = U16(in), weight = U8(in);
		op_message(m, msk_x86_msi_remap_addr(handle, shv), sub, rid, weight);
		break;
	}
	case 6: {
		uint8_t v;
		uint64_t w;
		if (msk_x86_take(m->x86, U8(in) % m->ncpus, &v, &w) == 1)
			deliver(m, w);
		break;
	}
	case 7:
		msk_x86_eoi(m->x86, U8(in) % m->ncpus);
		break;
	case 8: {
		unsigned int cpu = U8(in) % m->ncpus;
		msk_x86_set_tpr(m->x86, cpu, U8(in));
		break;
	}
	default: {
		uint32_t off = U32(in) % (uint32_t)MSK_X86_MSI_SIZE;
		static const unsigned int sizes[4] = { 1, 2, 8, 4 };
		unsigned int size = sizes[U8(in) & 3];
		uint32_t weight = U8(in);
		struct msk_bus_attrs a = { .requester_id = RID, .weight = weight, .is_msi = true };
		msk_ledger_raise(m->ledger, weight);
		msk_bus_write(m->bus, MSK_X86_MSI_BASE + off, 0x41, size, &a);
		break;
	}
	}
}

/* Per-CPU state and the fault registers are self-consistent. */
static void check_state(struct machine *m)
{
	static struct msk_x86_cpu_state cs;
	uint64_t held = 0;
	for (unsigned int c = 0; c < m->ncpus; c++) {
		if (msk_x86_cpu_state(m->x86, c, &cs) < 0)
			abort();
		uint64_t sum = 0;
		for (unsigned int v = 0; v < 256; v++) {
			bool pending = (cs.irr[v / 64] >> (v % 64)) & 1;
			if (cs.weight[v] && !pending)
				abort();
			if (v < 16 && (pending || (cs.isr[0] >> v) & 1))
				abort();
			sum += cs.weight[v];
		}
		if (sum != cs.held)
			abort();
		held += sum;
	}
	if (held != msk_x86_held(m->x86))
		abort();
	struct msk_vtd_state vs;
	if (msk_x86_vtd_state(m->x86, &vs) < 0)
		abort();
	bool any_f = false;
	for (unsigned int i = 0; i < MSK_VTD_NFR; i++)
		any_f |= (vs.frcd[i].hi & MSK_VTD_FRCD_HI_F) != 0;
	if (any_f != ((vs.fsts & MSK_VTD_FSTS_PPF) != 0))
		abort();
	struct msk_x86_stats s;
	msk_x86_stats(m->x86, &s);
	if (s.compat + s.remappable > s.messages)
		abort();
}

/* Every CPU takes and EOIs until nothing is left; then nothing is held. */
static void drain(struct machine *m)
{
	for (unsigned int c = 0; c < m->ncpus; c++) {
		msk_x86_set_tpr(m->x86, c, 0);
		while (msk_x86_eoi(m->x86, c) >= 0)
			;
		uint8_t v;
		uint64_t w;
		for (unsigned int n = 0; n < 256 && msk_x86_take(m->x86, c, &v, &w) == 1; n++) {
			deliver(m, w);
			if (msk_x86_eoi(m->x86, c) != v)
				abort();
		}
	}
	if (msk_x86_held(m->x86) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct machine m;
	setup(&m, &in);
	for (unsigned int n = 0; n < MAX_OPS && in.n; n++)
		run_op(&m, &in);
	check_state(&m);
	if (msk_ledger_check(m.ledger, msk_x86_held(m.x86)) < 0)
		abort();
	drain(&m);
	if (msk_ledger_check(m.ledger, 0) < 0)
		abort();
	if (msk_x86_destroy(m.x86) < 0)
		abort();
	msk_bus_destroy(m.bus);
	msk_ledger_destroy(m.ledger);
	return 0;
}
