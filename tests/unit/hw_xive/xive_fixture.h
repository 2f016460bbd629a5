/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_XIVE_FIXTURE_H
#define MSK_TEST_XIVE_FIXTURE_H

/*
 * A small POWER machine for the XIVE and pSeries firmware tests: 64 MiB of
 * RAM at 0, a XIVE with 256 sources and 4 CPUs, its ESB pages at QEMU's
 * sPAPR address, a PHB MSI window, and (optionally) the firmware. The
 * helpers play the guest OS and the devices through bus accesses,
 * hypervisor calls and RTAS, as a real OS would.
 */
#include "msk_test.h"

#include <stdlib.h>
#include <string.h>

#define FX_RAM_SIZE	    (64ull << 20)
#define FX_ESB_BASE	    0x0006010000000000ull
#define FX_MSI_WINDOW	    0x0000040000000000ull
#define FX_SOURCES	    256u
#define FX_CPUS		    4u
#define FX_QPAGE(cpu, prio) (0x100000ull + ((uint64_t)(cpu)*8 + (prio)) * 0x10000ull)

struct fx {
	struct msk_ledger *l;
	struct msk_bus *bus;
	struct msk_xive *x;
	struct msk_spapr *fw;
	_Atomic unsigned int kicks[FX_CPUS];
};

static inline void fx_kick(void *ctx, unsigned int cpu)
{
	struct fx *f = ctx;
	if (cpu < FX_CPUS)
		atomic_fetch_add(&f->kicks[cpu], 1);
}

static inline struct fx *fx_new(unsigned int esb_shift, bool store_eoi)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_msk_ok(msk_ledger_create(&f->l));
	assert_msk_ok(msk_bus_create(0, FX_RAM_SIZE, f->l, &f->bus));
	struct msk_xive_config cfg = {
		.nr_sources = FX_SOURCES,
		.nr_cpus = FX_CPUS,
		.esb_base = FX_ESB_BASE,
		.esb_shift = esb_shift,
		.msi_window_base = FX_MSI_WINDOW,
		.msi_window_size = 0x1000,
		.store_eoi = store_eoi,
		.notify = { fx_kick, f },
	};
	assert_msk_ok(msk_xive_create(f->bus, &cfg, &f->x));
	return f;
}

static inline void fx_free(struct fx *f)
{
	msk_spapr_destroy(f->fw);
	msk_xive_destroy(f->x);
	msk_bus_destroy(f->bus);
	msk_ledger_destroy(f->l);
	free(f);
}

/* raised == delivered + held + lost, exactly. */
static inline void fx_balanced(struct fx *f)
{
	assert_msk_ok(msk_ledger_check(f->l, msk_xive_held(f->x)));
}

static inline uint64_t fx_lost(struct fx *f, enum msk_loss reason)
{
	struct msk_ledger_counts c;
	msk_ledger_read(f->l, &c);
	return c.lost_by_reason[reason];
}

static inline uint64_t fx_delivered(struct fx *f)
{
	struct msk_ledger_counts c;
	msk_ledger_read(f->l, &c);
	return c.delivered;
}

static inline uint64_t fx_mgmt(struct fx *f, uint32_t lisn)
{
	uint64_t t, m;
	assert_msk_ok(msk_xive_esb_pages(f->x, lisn, &t, &m));
	return m;
}

static inline uint64_t fx_trig(struct fx *f, uint32_t lisn)
{
	uint64_t t, m;
	assert_msk_ok(msk_xive_esb_pages(f->x, lisn, &t, &m));
	return t;
}

/* A CPU's 8-byte load from the management page of lisn. */
static inline uint64_t fx_load(struct fx *f, uint32_t lisn, uint64_t off)
{
	uint64_t v;
	assert_msk_ok(msk_bus_read(f->bus, fx_mgmt(f, lisn) + off, 8, NULL, &v));
	return v;
}

static inline void fx_store_mgmt(struct fx *f, uint32_t lisn, uint64_t off, uint64_t v)
{
	assert_msk_ok(msk_bus_write(f->bus, fx_mgmt(f, lisn) + off, v, 8, NULL));
}

static inline void fx_store_trig(struct fx *f, uint32_t lisn)
{
	assert_msk_ok(msk_bus_write(f->bus, fx_trig(f, lisn), 0, 8, NULL));
}

static inline uint8_t fx_pq(struct fx *f, uint32_t lisn)
{
	struct msk_xive_source_info si;
	assert_msk_ok(msk_xive_get_source(f->x, lisn, &si));
	return si.pq;
}

static inline uint64_t fx_src_held(struct fx *f, uint32_t lisn)
{
	struct msk_xive_source_info si;
	assert_msk_ok(msk_xive_get_source(f->x, lisn, &si));
	return si.held;
}

/* A device event of `w` on lisn: raised in the ledger, then triggered. */
static inline void fx_raise(struct fx *f, uint32_t lisn, uint32_t w)
{
	msk_ledger_raise(f->l, w);
	assert_msk_ok(msk_xive_trigger(f->x, lisn, w));
}

/* Claim lisn and route it (unmasked) to (cpu, prio) with EISN eisn. */
static inline void fx_route(struct fx *f, uint32_t lisn, uint32_t cpu, uint8_t prio, uint32_t eisn)
{
	struct msk_xive_eas eas = { .valid = true, .cpu = cpu, .prio = prio, .eisn = eisn };
	assert_msk_ok(msk_xive_set_eas(f->x, lisn, &eas));
}

static inline void fx_queue(struct fx *f, uint32_t cpu, unsigned int prio, unsigned int qshift)
{
	assert_msk_ok(msk_xive_set_queue(f->x, cpu, prio, FX_QPAGE(cpu, prio), qshift, true));
}

/* Outstanding entries in (cpu, prio)'s queue. */
static inline uint32_t fx_outstanding(struct fx *f, uint32_t cpu, unsigned int prio)
{
	struct msk_xive_end_info e;
	assert_msk_ok(msk_xive_get_queue(f->x, cpu, prio, &e));
	return e.outstanding;
}

/* CPU `cpu` takes one entry (must exist) and delivers its weight. */
static inline uint32_t fx_take(struct fx *f, uint32_t cpu, uint32_t *eisn, unsigned int *prio)
{
	uint32_t ev = 0, w = 0;
	unsigned int p = 0;
	int rc = msk_xive_take(f->x, cpu, &ev, &p, &w);
	if (rc != 1)
		fail_msg("take on CPU %u returned %d", cpu, rc);
	msk_ledger_deliver(f->l, w);
	if (eisn)
		*eisn = ev;
	if (prio)
		*prio = p;
	return w;
}

static inline void fx_nothing_to_take(struct fx *f, uint32_t cpu)
{
	uint32_t ev = 0xdead, w = 0xdead;
	unsigned int p = 0xdead;
	assert_int_equal(msk_xive_take(f->x, cpu, &ev, &p, &w), 0);
	assert_int_equal(ev, 0xdead);
}

/* The big-endian EQ word at slot i of (cpu, prio)'s queue. */
static inline uint32_t fx_eq_word(struct fx *f, uint32_t cpu, unsigned int prio, uint32_t i)
{
	uint32_t raw;
	assert_msk_ok(msk_ram_read32(f->bus, FX_QPAGE(cpu, prio) + 4ull * i, &raw));
	return __builtin_bswap32(raw);
}

/* ---- firmware ----------------------------------------------------------- */

#define FX_BUID 0x800000020000000ull

/* A PCI function's MSI capability and MSI-X table, as the firmware sees them. */
struct fake_dev {
	struct msk_spapr_fn_ops ops;
	uint64_t msi_addr;
	uint32_t msi_data;
	uint64_t msix_addr[2048];
	uint32_t msix_data[2048];
	unsigned int writes;
	unsigned int fail_at; /* the n-th write (1-based) fails; 0: never */
};

static inline int fake_write(void *ctx, bool msix, unsigned int index, uint64_t addr, uint32_t data)
{
	struct fake_dev *d = ctx;
	if (++d->writes == d->fail_at)
		return -MSK_EIO;
	if (!msix) {
		assert_int_equal(index, 0);
		d->msi_addr = addr;
		d->msi_data = data;
	} else {
		assert_true(index < d->ops.max_msix);
		d->msix_addr[index] = addr;
		d->msix_data[index] = data;
	}
	return 0;
}

static inline struct fake_dev *fake_dev_new(unsigned int max_msi, unsigned int max_msix)
{
	struct fake_dev *d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->ops.write_msi_msg = fake_write;
	d->ops.max_msi = max_msi;
	d->ops.max_msix = max_msix;
	return d;
}

/* The firmware with IPIs [0, ipis), the rest of the LISNs as MSI pool. */
static inline void fx_fw(struct fx *f, uint32_t ipis, uint32_t pe_quota)
{
	struct msk_spapr_config cfg = { .ipi_count = ipis, .pe_quota = pe_quota };
	assert_msk_ok(msk_spapr_create(f->x, &cfg, &f->fw));
}

static inline void fx_add_dev(struct fx *f, uint32_t cfg_addr, uint32_t pe, struct fake_dev *d)
{
	assert_msk_ok(msk_spapr_add_function(f->fw, FX_BUID, cfg_addr, pe, &d->ops, d));
}

/* ibm,change-msi with 4 outputs; returns the status. */
static inline int32_t fx_change_msi(struct fx *f, uint32_t cfg_addr, uint32_t func, uint32_t count,
				    uint32_t seq, uint32_t rets[4])
{
	uint32_t args[6] = { cfg_addr, (uint32_t)(FX_BUID >> 32), (uint32_t)FX_BUID, func, count,
			     seq };
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_CHANGE_MSI, args, 6, rets, 4));
	return (int32_t)rets[0];
}

/* ibm,query-interrupt-source-number; returns the status, *lisn the source. */
static inline int32_t fx_query(struct fx *f, uint32_t cfg_addr, uint32_t index, uint32_t *lisn)
{
	uint32_t args[4] = { cfg_addr, (uint32_t)(FX_BUID >> 32), (uint32_t)FX_BUID, index };
	uint32_t rets[3];
	assert_msk_ok(msk_spapr_rtas_call(f->fw, MSK_RTAS_QUERY_SOURCE, args, 4, rets, 3));
	if ((int32_t)rets[0] == 0) {
		assert_int_equal(rets[2], 1); /* edge */
		*lisn = rets[1];
	}
	return (int32_t)rets[0];
}

static inline int64_t fx_hcall(struct fx *f, uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t a4, uint64_t rets[MSK_HCALL_NRETS])
{
	uint64_t args[5] = { a0, a1, a2, a3, a4 };
	return msk_spapr_hcall(f->fw, op, args, 5, rets);
}

static inline struct msk_spapr_fn_info fx_fn(struct fx *f, uint32_t cfg_addr)
{
	struct msk_spapr_fn_info info;
	assert_msk_ok(msk_spapr_get_function(f->fw, FX_BUID, cfg_addr, &info));
	return info;
}

#endif
