/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the PCI function model. The input picks a function
 * (built from a config struct or from a 256-byte config-space image in the
 * input), then is a sequence of operations: config reads/writes of any
 * size and offset, BAR reads/writes of any size, offset and BAR index,
 * guest accesses by bus address, structured programming of MSI-X / MSI /
 * IMS, raises of any index and weight, resets.
 *
 * A doorbell at 0xFEE00000 receives the messages; for each one it checks
 * that some vector is deliverable right now with exactly that address and
 * data (so nothing was sent while masked or disabled) and that the
 * requester ID is the function's. Invariants checked along the way and at
 * the end: nothing pending is deliverable, the PBA / pending counts and
 * held weights agree, raised == delivered + held + lost in the ledger and
 * in the function's own books, and every weight sent reached the doorbell
 * or was lost by the bus.
 *
 * The seed corpus (tests/fuzz/corpus/pci/) is made by corpus/pci/.generate.py.
 */
#include <msikit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_BASE	 0xFEE00000ull
#define DB_SIZE	 0x100000ull
#define RAM_SIZE 4096ull /* one page: allocated once, not per input */
#define MAX_OPS	 512

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "fuzz_pci: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                             \
		}                                                                            \
	} while (0)

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < bytes; i++) {
		if (!in->n)
			break;
		v |= (uint64_t)in->p[0] << (8 * i);
		in->p++;
		in->n--;
	}
	return v;
}

struct ctx {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_pcifn *fn;
	uint64_t db_msgs, db_weight;
};

/* Is there a vector that may send (addr, data) right now? */
static bool deliverable_now(struct msk_pcifn *fn, uint64_t addr, uint32_t data)
{
	uint64_t cmd;
	CHECK(msk_pcifn_cfg_read(fn, 0x04, 2, &cmd) == 0);
	if (!(cmd & 0x4))
		return false;
	struct msk_pcifn_msix_state xs;
	struct msk_pcifn_msi_state ms;
	struct msk_pcifn_ims_state is;
	msk_pcifn_msix_state(fn, &xs);
	msk_pcifn_msi_state(fn, &ms);
	msk_pcifn_ims_state(fn, &is);
	struct msk_pcifn_vector v;
	if (xs.enabled && !xs.function_mask)
		for (unsigned int k = 0; k < xs.entries; k++) {
			CHECK(msk_pcifn_msix_entry(fn, k, &v) == 0);
			if (!v.masked && v.addr == addr && v.data == data)
				return true;
		}
	if (ms.enabled && !xs.enabled)
		for (unsigned int k = 0; k < ms.vectors_enabled; k++) {
			uint32_t want = (ms.data & ~(ms.vectors_enabled - 1)) | k;
			if (!(ms.pvm && (ms.mask >> k & 1)) && ms.addr == addr && want == data)
				return true;
		}
	for (unsigned int k = 0; k < is.entries; k++) {
		CHECK(msk_pcifn_ims_entry(fn, k, &v) == 0);
		if (!v.masked && v.addr == addr && v.data == data)
			return true;
	}
	return false;
}

static void db_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		     const struct msk_bus_attrs *attrs)
{
	struct ctx *c = opaque;
	if (!attrs->is_msi)
		return; /* a guest store to the doorbell page */
	CHECK(size == 4);
	CHECK(attrs->weight > 0);
	CHECK(attrs->requester_id == msk_pcifn_rid(c->fn));
	CHECK(deliverable_now(c->fn, DB_BASE + off, (uint32_t)value));
	c->db_msgs++;
	c->db_weight += attrs->weight;
	msk_ledger_deliver(c->ledger, attrs->weight);
}

static uint64_t db_read(void *opaque, uint64_t off, unsigned int size,
			const struct msk_bus_attrs *attrs)
{
	return 0;
}

static const struct msk_mmio_ops db_ops = { db_read, db_write };

/* ---- invariants ---- */

static void check_books(struct ctx *c)
{
	struct msk_pcifn *fn = c->fn;
	struct msk_pcifn_stats s;
	msk_pcifn_stats(fn, &s);
	CHECK(s.raised == s.weight_sent + s.held + s.lost);
	CHECK(msk_ledger_check(c->ledger, msk_pcifn_held(fn)) == 0);
	struct msk_ledger_counts lc;
	msk_ledger_read(c->ledger, &lc);
	CHECK(s.weight_sent == c->db_weight + lc.lost_by_reason[MSK_LOSS_MSI_TO_RAM] +
				       lc.lost_by_reason[MSK_LOSS_NO_DOORBELL]);
	CHECK(s.msgs_msix + s.msgs_msi + s.msgs_ims >= c->db_msgs);
}

/* Nothing that is pending may be deliverable; pending views agree with weights. */
static void check_pending(struct ctx *c)
{
	struct msk_pcifn *fn = c->fn;
	struct msk_pcifn_msix_state xs;
	struct msk_pcifn_msi_state ms;
	struct msk_pcifn_ims_state is;
	msk_pcifn_msix_state(fn, &xs);
	msk_pcifn_msi_state(fn, &ms);
	msk_pcifn_ims_state(fn, &is);
	uint64_t held = 0;
	unsigned int npend = 0;
	struct msk_pcifn_vector v;
	uint64_t q = 0;
	for (unsigned int k = 0; k < xs.entries; k++) {
		CHECK(msk_pcifn_msix_entry(fn, k, &v) == 0);
		CHECK(v.pending == (v.pending_weight != 0));
		if (v.pending)
			CHECK(!xs.enabled || xs.function_mask || v.masked);
		/* The PBA, read as the guest does, shows the same bit. */
		if (k % 64 == 0)
			CHECK(msk_pcifn_bar_read(fn, xs.pba_bar, xs.pba_offset + 8 * (k / 64), 8,
						 &q) == 0);
		CHECK((q >> (k % 64) & 1) == v.pending);
		held += v.pending_weight;
		npend += v.pending;
	}
	CHECK(npend == xs.pending);
	for (unsigned int k = 0; k < 32; k++) {
		uint32_t w = ms.pending_weight[k];
		held += w;
		if (!w)
			continue;
		CHECK(ms.cap && ms.pvm);
		CHECK(ms.pending >> k & 1);
		bool active = ms.enabled && !xs.enabled && k < ms.vectors_enabled;
		CHECK(!active || (ms.mask >> k & 1));
	}
	npend = 0;
	for (unsigned int k = 0; k < is.entries; k++) {
		CHECK(msk_pcifn_ims_entry(fn, k, &v) == 0);
		if (v.pending)
			CHECK(v.masked);
		held += v.pending_weight;
		npend += v.pending;
	}
	CHECK(npend == is.pending);
	CHECK(held == msk_pcifn_held(fn));
}

/* ---- building the function ---- */

static const unsigned int msi_counts[8] = { 0, 1, 2, 4, 8, 16, 32, 0 };

static int make_function(struct ctx *c, struct input *in)
{
	uint8_t mode = (uint8_t)take(in, 1);
	unsigned int msix_n = (unsigned int)(take(in, 2) % 2049);
	unsigned int ims_n = (unsigned int)take(in, 1);
	uint8_t flags = (uint8_t)take(in, 1);
	if (mode & 1) {
		uint8_t img[256];
		memset(img, 0, sizeof(img));
		for (unsigned int i = 0; i < sizeof(img); i++)
			img[i] = (uint8_t)take(in, 1);
		struct msk_pcifn_image_opts o = {
			.bus = flags,
			.dev = (mode >> 3) & 31,
			.fn = (mode >> 1) & 3,
			.msix_while_disabled =
				(mode & 0x40) ? MSK_PCIFN_MSIX_LATCH : MSK_PCIFN_MSIX_DROP,
			.keep_state = flags & 1,
			.manual_bars = flags & 8,
		};
		if (ims_n & 1) {
			o.ims_entries = ims_n;
			o.ims = (struct msk_pcifn_loc){ true, (unsigned int)take(in, 1) % 8,
							(uint32_t)take(in, 2) * 8 };
		}
		return msk_pcifn_create_from_image(c->bus, img, sizeof(img), &o, &c->fn);
	}
	struct msk_pcifn_config cfg = {
		.bus = 1,
		.dev = 2,
		.fn = 0,
		.vendor_id = 0x8086,
		.device_id = 0x1234,
		.msi_vectors = msi_counts[(mode >> 1) & 7],
		.msi_64bit = mode & 0x10,
		.msi_pvm = mode & 0x20,
		.msix_while_disabled = (mode & 0x40) ? MSK_PCIFN_MSIX_LATCH : MSK_PCIFN_MSIX_DROP,
		.pcie_flr = mode & 0x80,
		.msix_entries = msix_n,
		.ims_entries = ims_n,
		.manual_bars = flags & 8,
	};
	if (flags & 1)
		cfg.bar_flags[0] = 0x1;
	if (flags & 4)
		cfg.bar_flags[2] = 0x3;
	if (flags & 2) {
		cfg.msix_table = (struct msk_pcifn_loc){ true, (unsigned int)take(in, 1) % 8,
							 (uint32_t)take(in, 2) * 8 };
		cfg.msix_pba = (struct msk_pcifn_loc){ true, (unsigned int)take(in, 1) % 8,
						       (uint32_t)take(in, 2) * 8 };
		if (flags & 0x10)
			cfg.ims = (struct msk_pcifn_loc){ true, (unsigned int)take(in, 1) % 8,
							  (uint32_t)take(in, 2) * 8 };
	}
	if (flags & 0x20)
		cfg.bar_size[4] = 4096ull << (take(in, 1) % 24);
	return msk_pcifn_create(c->bus, &cfg, &c->fn);
}

/* ---- operations ---- */

static const unsigned int sizes[8] = { 1, 2, 4, 8, 4, 8, 3, 0 };

static uint64_t bar_base(struct msk_pcifn *fn, unsigned int bar)
{
	struct msk_pcifn_bar_info bi;
	if (msk_pcifn_bar_info(fn, bar % 6, &bi) == 0 && bi.decoded)
		return bi.decoded_at;
	return DB_BASE;
}

/* An address that is likely to mean something. */
static uint64_t pick_addr(struct ctx *c, uint8_t sel, uint32_t off)
{
	switch (sel & 7) {
	case 0:
	case 1:
	case 2:
		return DB_BASE + (off & 0xFFFFC);
	case 3:
		return off & (RAM_SIZE - 4); /* RAM */
	case 4:
		return 0x7000000000ull + off; /* nothing */
	case 5:
	case 6:
		return bar_base(c->fn, sel >> 3) + (off & 0x3FFF);
	default:
		return (uint64_t)off << (sel >> 3 & 31);
	}
}

static void op_msix_entry(struct ctx *c, struct input *in)
{
	struct msk_pcifn_msix_state xs;
	msk_pcifn_msix_state(c->fn, &xs);
	unsigned int k = (unsigned int)take(in, 2);
	uint8_t sel = (uint8_t)take(in, 1);
	uint64_t addr = pick_addr(c, sel, (uint32_t)take(in, 4));
	uint32_t data = (uint32_t)take(in, 2);
	uint8_t how = (uint8_t)take(in, 1);
	if (!xs.entries)
		return;
	k %= xs.entries;
	uint64_t e = xs.table_offset + 16ull * k;
	unsigned int b = xs.table_bar;
	if (how & 1) {
		msk_pcifn_bar_write(c->fn, b, e, addr, 8);
		msk_pcifn_bar_write(c->fn, b, e + 8, data | (uint64_t)(how >> 1 & 1) << 32, 8);
	} else {
		msk_pcifn_bar_write(c->fn, b, e, (uint32_t)addr, 4);
		msk_pcifn_bar_write(c->fn, b, e + 4, addr >> 32, 4);
		msk_pcifn_bar_write(c->fn, b, e + 8, data, 4);
		msk_pcifn_bar_write(c->fn, b, e + 12, how >> 1 & 1, 4);
	}
}

static void op_ims_entry(struct ctx *c, struct input *in)
{
	struct msk_pcifn_ims_state is;
	msk_pcifn_ims_state(c->fn, &is);
	unsigned int k = (unsigned int)take(in, 2);
	uint8_t sel = (uint8_t)take(in, 1);
	uint64_t addr = pick_addr(c, sel, (uint32_t)take(in, 4));
	uint32_t data = (uint32_t)take(in, 2);
	uint32_t ctrl = (uint32_t)take(in, 4);
	if (!is.entries)
		return;
	uint64_t e = is.offset + 16ull * (k % is.entries);
	msk_pcifn_bar_write(c->fn, is.bar, e, addr, 8);
	msk_pcifn_bar_write(c->fn, is.bar, e + 8, data, 4);
	msk_pcifn_bar_write(c->fn, is.bar, e + 12, ctrl, 4);
}

static void op_msi(struct ctx *c, struct input *in)
{
	struct msk_pcifn_msi_state ms;
	msk_pcifn_msi_state(c->fn, &ms);
	uint8_t sel = (uint8_t)take(in, 1);
	uint64_t addr = pick_addr(c, sel, (uint32_t)take(in, 4));
	uint16_t data = (uint16_t)take(in, 2);
	uint32_t mask = (uint32_t)take(in, 4);
	uint8_t ctl = (uint8_t)take(in, 1);
	if (!ms.cap)
		return;
	unsigned int p = ms.cap;
	msk_pcifn_cfg_write(c->fn, p + 4, (uint32_t)addr, 4);
	if (ms.is_64bit)
		msk_pcifn_cfg_write(c->fn, p + 8, addr >> 32, 4);
	unsigned int d = p + (ms.is_64bit ? 12 : 8);
	msk_pcifn_cfg_write(c->fn, d, data, 2);
	if (ms.pvm)
		msk_pcifn_cfg_write(c->fn, d + 4, mask, 4);
	msk_pcifn_cfg_write(c->fn, p + 2, ctl & 0x71, 1);
}

static void op_control(struct ctx *c, struct input *in)
{
	uint8_t what = (uint8_t)take(in, 1);
	uint32_t val = (uint32_t)take(in, 4);
	switch (what & 3) {
	case 0: /* Command */
		msk_pcifn_cfg_write(c->fn, 0x04, val & 0x0406, 2);
		break;
	case 1: { /* a BAR's address */
		unsigned int bar = (what >> 2) % 6;
		msk_pcifn_cfg_write(c->fn, 0x10 + 4 * bar, (uint64_t)val << 12, 4);
		break;
	}
	case 2: { /* MSI-X enable / function mask */
		struct msk_pcifn_msix_state xs;
		msk_pcifn_msix_state(c->fn, &xs);
		if (xs.cap)
			msk_pcifn_cfg_write(c->fn, xs.cap + 3, val & 0xC0, 1);
		break;
	}
	default: /* the PCI Express Device Control (FLR) if any */
		msk_pcifn_cfg_write(c->fn, 0x48, val & 0xFFFF, 2);
		break;
	}
}

static void run_op(struct ctx *c, struct input *in)
{
	uint8_t op = (uint8_t)take(in, 1);
	unsigned int code = (op & 31u) % 14u; /* bits 7:5 pick the access size */
	uint64_t v;
	switch (code) {
	case 0: {
		unsigned int off = (unsigned int)take(in, 2) & 0x1FFF;
		msk_pcifn_cfg_read(c->fn, off, sizes[op >> 5], &v);
		break;
	}
	case 1: {
		unsigned int off = (unsigned int)take(in, 2) & 0x1FFF;
		uint64_t val = take(in, 8);
		msk_pcifn_cfg_write(c->fn, off, val, sizes[op >> 5]);
		break;
	}
	case 2: {
		unsigned int bar = (unsigned int)take(in, 1) % 8;
		uint64_t off = take(in, 3);
		msk_pcifn_bar_read(c->fn, bar, off, sizes[op >> 5], &v);
		break;
	}
	case 3: {
		unsigned int bar = (unsigned int)take(in, 1) % 8;
		uint64_t off = take(in, 3);
		uint64_t val = take(in, 8);
		msk_pcifn_bar_write(c->fn, bar, off, val, sizes[op >> 5]);
		break;
	}
	case 4:
	case 5: {
		unsigned int index = (unsigned int)take(in, 2);
		uint8_t w = (uint8_t)take(in, 1);
		uint32_t weight = w == 0xFF ? 0xFFFFFFF0u : w;
		if (code == 4)
			msk_pcifn_raise_weight(c->fn, index % 2100, weight);
		else
			msk_pcifn_ims_raise_weight(c->fn, index % 300, weight);
		break;
	}
	case 6:
		msk_pcifn_reset(c->fn);
		break;
	case 7: {
		uint8_t sel = (uint8_t)take(in, 1);
		uint64_t addr = pick_addr(c, sel, (uint32_t)take(in, 4));
		msk_bus_write(c->bus, addr, take(in, 8), sizes[op >> 5], NULL);
		break;
	}
	case 8: {
		uint8_t sel = (uint8_t)take(in, 1);
		uint64_t addr = pick_addr(c, sel, (uint32_t)take(in, 4));
		msk_bus_read(c->bus, addr, sizes[op >> 5], NULL, &v);
		break;
	}
	case 9:
		op_msix_entry(c, in);
		break;
	case 10:
	case 11:
		op_control(c, in);
		break;
	case 12:
		op_ims_entry(c, in);
		break;
	default:
		op_msi(c, in);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/*
	 * One bus and doorbell for the whole run: mapping a region defers a free
	 * to an RCU callback, and a fresh bus per input would make libFuzzer's
	 * leak check run after every input. Nothing the function does depends on
	 * what earlier inputs left in RAM.
	 */
	static struct ctx c;
	if (!c.bus) {
		CHECK(msk_ledger_create(&c.ledger) == 0);
		CHECK(msk_bus_create(0, RAM_SIZE, c.ledger, &c.bus) == 0);
		CHECK(msk_bus_map(c.bus, DB_BASE, DB_SIZE, &db_ops, &c, "doorbell") == 0);
	}
	msk_ledger_reset(c.ledger);
	c.fn = NULL;
	c.db_msgs = c.db_weight = 0;
	struct input in = { data, size };
	if (make_function(&c, &in) == 0) {
		for (unsigned int i = 0; i < MAX_OPS && in.n; i++) {
			run_op(&c, &in);
			if (i % 16 == 15)
				check_pending(&c);
			check_books(&c);
		}
		check_pending(&c);
		check_books(&c);
		msk_pcifn_destroy(c.fn);
		c.fn = NULL;
		CHECK(msk_ledger_check(c.ledger, 0) == 0);
	} else {
		CHECK(c.fn == NULL);
	}
	return 0;
}
