/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the XIVE model and the pSeries firmware: the input is a
 * configuration byte and a sequence of operations a guest, its devices
 * and its CPUs could perform - ESB MMIO loads and stores of any size and
 * offset, device message writes, triggers, hcalls and RTAS calls with
 * arbitrary arguments, writes into the event queues in RAM, takes,
 * device failures and removals. After every operation the ledger must
 * balance exactly and the firmware's LISN pool must agree with what the
 * functions hold; any violation aborts.
 *
 * Input layout (little-endian, missing bytes read as 0):
 *   byte 0: bit 0 ESB page 4K (else 64K), bit 1 Store-EOI, bits 2-3 PE quota
 *   then per operation: 1 opcode byte (mod NOPS) and its operands (see ops[]).
 */
#include <msikit.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RAM_SIZE   (32ull << 20)
#define ESB_BASE   0x0006010000000000ull
#define MSI_WINDOW 0x0000040000000000ull
#define SOURCES	   64u
#define CPUS	   4u
#define BUID	   0x800000020000000ull
#define NFN	   4u

struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t take_bytes(struct in *in, unsigned int k)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < k; i++) {
		uint64_t b = in->n ? *in->p : 0;
		if (in->n) {
			in->p++;
			in->n--;
		}
		v |= b << (8 * i);
	}
	return v;
}

#define U8(in)	((uint8_t)take_bytes((in), 1))
#define U16(in) ((uint16_t)take_bytes((in), 2))
#define U32(in) ((uint32_t)take_bytes((in), 4))
#define U64(in) take_bytes((in), 8)

/* A PCI function's message storage; writes can be made to fail. */
struct dev {
	struct msk_spapr_fn_ops ops;
	uint32_t cfg, pe;
	bool present;
	bool fail;
	uint64_t addr[33];
	uint32_t data[33]; /* [32] = MSI */
};

static int dev_write(void *ctx, bool msix, unsigned int index, uint64_t addr, uint32_t data)
{
	struct dev *d = ctx;
	if (d->fail)
		return -MSK_EIO;
	unsigned int i = msix ? index : 32;
	if (i > 32 || (msix && index >= d->ops.max_msix))
		abort(); /* the firmware must stay inside the table */
	d->addr[i] = addr;
	d->data[i] = data;
	return 0;
}

struct m {
	struct msk_ledger *l;
	struct msk_bus *bus;
	struct msk_xive *x;
	struct msk_spapr *fw;
	struct dev dev[NFN];
	uint32_t msi_count;
};

static void check(struct m *m)
{
	if (msk_ledger_check(m->l, msk_xive_held(m->x)) != 0)
		abort();
	uint32_t held = 0;
	for (unsigned int i = 0; i < NFN; i++) {
		struct msk_spapr_fn_info info;
		if (!m->dev[i].present)
			continue;
		if (msk_spapr_get_function(m->fw, BUID, m->dev[i].cfg, &info) != 0)
			abort();
		if (info.count > info.block ||
		    (info.type == MSK_RTAS_TYPE_NONE) != (info.count == 0))
			abort();
		held += info.block;
	}
	if (held + msk_spapr_pool_free(m->fw) != m->msi_count)
		abort();
}

static void add_dev(struct m *m, unsigned int i)
{
	struct dev *d = &m->dev[i];
	if (d->present)
		return;
	if (msk_spapr_add_function(m->fw, BUID, d->cfg, d->pe, &d->ops, d) == 0)
		d->present = true;
}

static int setup(struct m *m, uint8_t conf)
{
	memset(m, 0, sizeof(*m));
	if (msk_ledger_create(&m->l) || msk_bus_create(0, RAM_SIZE, m->l, &m->bus))
		return -1;
	struct msk_xive_config xc = {
		.nr_sources = SOURCES,
		.nr_cpus = CPUS,
		.esb_base = ESB_BASE,
		.esb_shift = (conf & 1) ? 12 : 16,
		.msi_window_base = MSI_WINDOW,
		.msi_window_size = 0x1000,
		.store_eoi = conf & 2,
	};
	if (msk_xive_create(m->bus, &xc, &m->x))
		return -1;
	static const uint32_t quotas[4] = { 0, 8, 16, 128 };
	struct msk_spapr_config fc = { .ipi_count = 4, .pe_quota = quotas[(conf >> 2) & 3] };
	if (msk_spapr_create(m->x, &fc, &m->fw))
		return -1;
	uint32_t base;
	msk_spapr_msi_range(m->fw, &base, &m->msi_count);
	static const struct {
		unsigned int msi, msix;
		uint32_t cfg, pe;
	} fns[NFN] = {
		{ 0, 32, 0x010000, MSK_SPAPR_PE_OWN },
		{ 8, 0, 0x010100, 1 },
		{ 0, 8, 0x010200, 1 },
		{ 1, 4, 0x020000, MSK_SPAPR_PE_OWN },
	};
	for (unsigned int i = 0; i < NFN; i++) {
		struct dev *d = &m->dev[i];
		d->ops.write_msi_msg = dev_write;
		d->ops.max_msi = fns[i].msi;
		d->ops.max_msix = fns[i].msix;
		d->cfg = fns[i].cfg;
		d->pe = fns[i].pe;
		add_dev(m, i);
	}
	return 0;
}

static void teardown(struct m *m)
{
	if (m->fw) {
		for (unsigned int i = 0; i < NFN; i++) {
			if (m->dev[i].present &&
			    msk_spapr_remove_function(m->fw, BUID, m->dev[i].cfg))
				abort();
			m->dev[i].present = false;
		}
		check(m); /* device removal returned every LISN */
	}
	msk_spapr_destroy(m->fw);
	msk_xive_destroy(m->x);
	msk_bus_destroy(m->bus);
	msk_ledger_destroy(m->l);
}

static unsigned int size_of(uint8_t sel)
{
	return 1u << (sel & 3);
}

static uint64_t esb_size(struct m *m)
{
	return (uint64_t)SOURCES << (msk_xive_esb_shift(m->x) + 1);
}

/* An hcall argument: random, or biased toward the interesting values. */
static uint64_t arg(struct in *in)
{
	uint8_t sel = U8(in);
	uint32_t v = U32(in);
	static const uint64_t prios[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 0xFF, 0x100 };
	static const uint64_t qsizes[6] = { 0, 12, 16, 21, 24, 13 };
	switch (sel & 7) {
	case 0:
		return v;
	case 1:
		return v & 7;
	case 2:
		return v % (SOURCES + 16);
	case 3:
		return v % (CPUS + 2);
	case 4:
		return prios[v % 10];
	case 5:
		return qsizes[v % 6];
	case 6:
		return 0x10000ull * (v % 640); /* 64K-aligned, some beyond RAM */
	default:
		return ~(uint64_t)v << (v & 31);
	}
}

static void op_hcall(struct m *m, struct in *in)
{
	static const uint64_t opcodes[12] = {
		MSK_H_INT_GET_SOURCE_INFO,
		MSK_H_INT_SET_SOURCE_CONFIG,
		MSK_H_INT_GET_SOURCE_CONFIG,
		MSK_H_INT_GET_QUEUE_INFO,
		MSK_H_INT_SET_QUEUE_CONFIG,
		MSK_H_INT_GET_QUEUE_CONFIG,
		MSK_H_INT_SET_OS_REPORTING_LINE,
		MSK_H_INT_ESB,
		MSK_H_INT_SYNC,
		MSK_H_INT_RESET,
		0x3D4,
		0x4,
	};
	uint8_t sel = U8(in);
	uint64_t args[5], rets[MSK_HCALL_NRETS];
	for (int i = 0; i < 5; i++)
		args[i] = arg(in);
	if (sel == 0xFF)
		msk_spapr_set_xive_mode(m->fw, false);
	int64_t rc = msk_spapr_hcall(m->fw, opcodes[sel % 12], args, sel & 0x10 ? 3 : 5, rets);
	msk_spapr_set_xive_mode(m->fw, true);
	if (rc > 0 || (rc != 0 && rets[0] != 0))
		abort(); /* no busy codes; failures produce no output */
}

static void op_rtas_change(struct m *m, struct in *in)
{
	struct dev *d = &m->dev[U8(in) % NFN];
	uint8_t func = U8(in), count = U8(in), nsel = U8(in);
	uint32_t args[6] = { d->cfg | (nsel & 0x40 ? 0x10 : 0),
			     (uint32_t)(BUID >> 32),
			     (uint32_t)BUID,
			     func % 7,
			     count % 40,
			     nsel };
	uint32_t rets[5];
	unsigned int nargs = (nsel & 3) == 3 ? 5 : 6;
	unsigned int nrets = 3 + ((nsel >> 2) & 1) + ((nsel & 0x80) ? 1 : 0);
	if (msk_spapr_rtas_call(m->fw, MSK_RTAS_CHANGE_MSI, args, nargs, rets, nrets) != 0)
		abort();
}

static void op_rtas_query(struct m *m, struct in *in)
{
	struct dev *d = &m->dev[U8(in) % NFN];
	uint32_t args[4] = { d->cfg, (uint32_t)(BUID >> 32), (uint32_t)BUID, U8(in) % 40 };
	uint32_t rets[3];
	if (msk_spapr_rtas_call(m->fw, MSK_RTAS_QUERY_SOURCE, args, 4, rets, 3) != 0)
		abort();
	if (rets[0] == 0 && rets[1] >= SOURCES)
		abort();
}

/* A device message: to the window, a programmed message, or anywhere. */
static void op_message(struct m *m, struct in *in)
{
	uint8_t target = U8(in), k = U8(in);
	uint32_t v = U32(in);
	uint32_t w = U8(in) % 5;
	uint64_t addr = MSI_WINDOW + (v & 0xFFF);
	uint32_t data = v >> 12;
	if (target % 6 >= 1 && target % 6 <= 4) {
		struct dev *d = &m->dev[target % 6 - 1];
		addr = d->addr[k % 33];
		data = d->data[k % 33] + (target & 0x80 ? (v & 7) : 0);
	} else if (target % 6 == 5) {
		addr = ESB_BASE + (v % esb_size(m)) - (target & 0x40 ? 0x1000 : 0);
		data = v;
	}
	msk_ledger_raise(m->l, w);
	msk_bus_msi(m->bus, addr, data, 0x0100, w);
}

static void op_queue_ram(struct m *m, struct in *in)
{
	uint32_t cpu = U8(in) % CPUS;
	unsigned int prio = U8(in) % MSK_XIVE_PRIORITIES;
	uint16_t slot = U16(in);
	uint32_t v = U32(in);
	struct msk_xive_end_info e;
	if (msk_xive_get_queue(m->x, cpu, prio, &e) != 0)
		abort();
	uint64_t a = e.enqueue ? e.qaddr + 4ull * (slot % e.entries) : 0x10000ull * (slot % 512);
	msk_ram_write32(m->bus, a, v);
}

static void op_take(struct m *m, struct in *in)
{
	uint32_t eisn, w;
	unsigned int prio;
	int rc = msk_xive_take(m->x, U8(in) % (CPUS + 1), &eisn, &prio, &w);
	if (rc == 1) {
		if (prio >= MSK_XIVE_PRIORITIES || eisn > 0x7FFFFFFF)
			abort();
		msk_ledger_deliver(m->l, w);
	}
}

static void op_device(struct m *m, struct in *in)
{
	unsigned int i = U8(in) % NFN;
	uint8_t action = U8(in) % 4;
	struct dev *d = &m->dev[i];
	if (action == 0)
		d->fail = !d->fail;
	else if (action == 1 && d->present) {
		if (msk_spapr_remove_function(m->fw, BUID, d->cfg) != 0)
			abort();
		d->present = false;
	} else if (action == 2)
		add_dev(m, i);
	else if (d->present)
		msk_spapr_set_pe_quota(m->fw, BUID, d->pe == MSK_SPAPR_PE_OWN ? 0 : d->pe, action);
}

/* Hypervisor-level programming of the XIVE, bypassing the firmware. */
static void op_model(struct m *m, struct in *in)
{
	uint8_t action = U8(in), a = U8(in), b = U8(in), c = U8(in);
	uint32_t lisn = a % (SOURCES + 4);
	switch (action % 5) {
	case 0: {
		struct msk_xive_eas eas = { .valid = b & 1,
					    .masked = b & 2,
					    .cpu = c % (CPUS + 1),
					    .prio = (b >> 2) % 9,
					    .eisn = (uint32_t)a << 8 | c };
		msk_xive_set_eas(m->x, lisn, &eas);
		break;
	}
	case 1:
		msk_xive_set_queue(m->x, c % (CPUS + 1), b % 9, 0x10000ull * (a % 512),
				   (b & 0x80) ? 0 : 12 + (c % 4) * 4, b & 1);
		break;
	case 2:
		msk_xive_source_free(m->x, lisn);
		break;
	case 3:
		msk_xive_source_claim(m->x, lisn);
		break;
	default: {
		uint64_t v = c;
		msk_xive_esb_access(m->x, lisn, ((uint64_t)b << 8 | c) & ~(uint64_t)(a & 7), a & 1,
				    &v);
		break;
	}
	}
}

static void op_esb_load(struct m *m, struct in *in)
{
	unsigned int size = size_of(U8(in));
	uint64_t off = U32(in) % (esb_size(m) + 0x100), v;
	msk_bus_read(m->bus, ESB_BASE + off, size, NULL, &v);
}

static void op_esb_store(struct m *m, struct in *in)
{
	unsigned int size = size_of(U8(in));
	uint64_t off = U32(in) % esb_size(m);
	uint64_t v = U64(in);
	uint32_t w = U8(in) % 4;
	struct msk_bus_attrs attrs = { .requester_id = 0x0100, .weight = w, .is_msi = w != 0 };
	msk_ledger_raise(m->l, w);
	if (msk_bus_write(m->bus, ESB_BASE + off, v, size, &attrs) != 0)
		abort();
}

static void op_trigger(struct m *m, struct in *in)
{
	uint32_t lisn = U8(in) % (SOURCES + 8);
	uint32_t w = U8(in);
	msk_ledger_raise(m->l, w);
	msk_xive_trigger(m->x, lisn, w);
}

/* Any CPU access: RAM, ESB, the MSI window, or elsewhere. */
static void op_bus(struct m *m, struct in *in)
{
	uint8_t region = U8(in), sel = U8(in);
	uint32_t off = U32(in);
	uint64_t v = U64(in);
	bool write = U8(in) & 1;
	static const uint64_t bases[4] = { 0, ESB_BASE, MSI_WINDOW, 0xF0000000 };
	uint64_t addr = bases[region % 4] + off;
	if (write)
		msk_bus_write(m->bus, addr, v, size_of(sel), NULL);
	else
		msk_bus_read(m->bus, addr, size_of(sel), NULL, &v);
}

/*
 * Many notifications of one source in one operation (so that short inputs
 * reach queue wrap-around and overflow): SET_PQ_00 then trigger, k times.
 */
static void op_burst(struct m *m, struct in *in)
{
	uint32_t lisn = U8(in) % SOURCES;
	uint32_t k = U16(in) % 2100, w = U8(in) % 3;
	for (uint32_t i = 0; i < k; i++) {
		uint64_t v;
		msk_xive_esb_access(m->x, lisn, MSK_XIVE_ESB_SET_PQ_00, false, &v);
		msk_ledger_raise(m->l, w);
		msk_xive_trigger(m->x, lisn, w);
	}
}

/* A CPU takes up to k entries. */
static void op_drain(struct m *m, struct in *in)
{
	uint32_t cpu = U8(in) % CPUS, k = U16(in) % 2100;
	for (uint32_t i = 0; i < k; i++) {
		uint32_t eisn, w;
		unsigned int prio;
		if (msk_xive_take(m->x, cpu, &eisn, &prio, &w) != 1)
			break;
		msk_ledger_deliver(m->l, w);
	}
}

#define NOPS 14

static void (*const ops[NOPS])(struct m *, struct in *) = {
	op_esb_load,  op_esb_store, op_message, op_trigger, op_hcall, op_rtas_change, op_rtas_query,
	op_queue_ram, op_take,	    op_device,	op_model,   op_bus,   op_burst,	      op_drain,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct m m;
	if (setup(&m, U8(&in)) != 0)
		abort();
	check(&m);
	/* Bounded: every operation consumes at least one byte. */
	while (in.n) {
		ops[U8(&in) % NOPS](&m, &in);
		check(&m);
	}
	teardown(&m);
	return 0;
}
