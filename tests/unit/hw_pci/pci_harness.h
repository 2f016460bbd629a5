/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_PCI_HARNESS_H
#define MSK_TEST_PCI_HARNESS_H

/*
 * Test rig for the PCI function model: a bus with RAM and a ledger, and a
 * doorbell region at 0xFEE00000 that logs every message write it gets and
 * delivers its weight. Tests play the OS: they program the function only
 * through config space and BAR accesses.
 */
#include "msk_test.h"

#include <stdlib.h>
#include <string.h>

#define DB_BASE	 0xFEE00000ull
#define DB_SIZE	 0x100000ull
#define RAM_SIZE (1ull << 28)
#define DB_LOG	 512

struct db_msg {
	uint64_t addr;
	uint32_t data, rid, weight;
};

struct doorbell {
	struct msk_ledger *ledger;
	_Atomic uint64_t msgs, weight;
	_Atomic unsigned int nlog; /* messages seen; the first DB_LOG are logged */
	struct db_msg log[DB_LOG];
};

static inline void db_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
			    const struct msk_bus_attrs *attrs)
{
	struct doorbell *d = opaque;
	if (!attrs->is_msi)
		return;
	atomic_fetch_add(&d->msgs, 1);
	atomic_fetch_add(&d->weight, attrs->weight);
	unsigned int i = atomic_fetch_add(&d->nlog, 1);
	if (i < DB_LOG)
		d->log[i] = (struct db_msg){ DB_BASE + off, (uint32_t)value, attrs->requester_id,
					     attrs->weight };
	msk_ledger_deliver(d->ledger, attrs->weight);
}

static inline uint64_t db_read(void *opaque, uint64_t off, unsigned int size,
			       const struct msk_bus_attrs *attrs)
{
	return 0;
}

static const struct msk_mmio_ops db_ops = { db_read, db_write };

struct rig {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct doorbell db;
	struct msk_pcifn *fn;
};

static inline struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_msk_ok(msk_ledger_create(&r->ledger));
	assert_msk_ok(msk_bus_create(0, RAM_SIZE, r->ledger, &r->bus));
	r->db.ledger = r->ledger;
	assert_msk_ok(msk_bus_map(r->bus, DB_BASE, DB_SIZE, &db_ops, &r->db, "doorbell"));
	return r;
}

/* A rig with a function built from cfg. */
static inline struct rig *rig_with(const struct msk_pcifn_config *cfg)
{
	struct rig *r = rig_new();
	assert_msk_ok(msk_pcifn_create(r->bus, cfg, &r->fn));
	return r;
}

static inline void rig_free(struct rig *r)
{
	msk_pcifn_destroy(r->fn);
	assert_msk_ok(msk_bus_unmap(r->bus, DB_BASE));
	msk_bus_destroy(r->bus);
	msk_ledger_destroy(r->ledger);
	free(r);
}

/* raised == delivered + held + lost, and the function's own books agree. */
static inline void assert_balanced(struct rig *r)
{
	assert_msk_ok(msk_ledger_check(r->ledger, r->fn ? msk_pcifn_held(r->fn) : 0));
	if (r->fn) {
		struct msk_pcifn_stats s;
		msk_pcifn_stats(r->fn, &s);
		assert_int_equal(s.raised, s.weight_sent + s.held + s.lost);
	}
}

static inline uint64_t lost_for(struct rig *r, enum msk_loss reason)
{
	struct msk_ledger_counts c;
	msk_ledger_read(r->ledger, &c);
	return c.lost_by_reason[reason];
}

static inline uint64_t cfg_rd(struct msk_pcifn *fn, unsigned int off, unsigned int size)
{
	uint64_t v;
	assert_msk_ok(msk_pcifn_cfg_read(fn, off, size, &v));
	return v;
}

static inline void cfg_wr(struct msk_pcifn *fn, unsigned int off, uint64_t v, unsigned int size)
{
	assert_msk_ok(msk_pcifn_cfg_write(fn, off, v, size));
}

/* Find a capability the way an OS does (bounded walk). 0 if absent. */
static inline unsigned int find_cap(struct msk_pcifn *fn, unsigned int id)
{
	if (!(cfg_rd(fn, 0x06, 2) & 0x10))
		return 0;
	unsigned int p = (unsigned int)cfg_rd(fn, 0x34, 1) & 0xFC;
	for (int ttl = 48; p >= 0x40 && ttl; ttl--) {
		if (cfg_rd(fn, p, 1) == id)
			return p;
		p = (unsigned int)cfg_rd(fn, p + 1, 1) & 0xFC;
	}
	return 0;
}

static inline void cmd_set(struct msk_pcifn *fn, uint16_t bits)
{
	cfg_wr(fn, 0x04, cfg_rd(fn, 0x04, 2) | bits, 2);
}

static inline void cmd_clear(struct msk_pcifn *fn, uint16_t bits)
{
	cfg_wr(fn, 0x04, cfg_rd(fn, 0x04, 2) & ~(uint64_t)bits, 2);
}

/* ---- MSI-X as a driver programs it (config + BAR accesses) ---- */

static inline void msix_ctl(struct msk_pcifn *fn, uint16_t set, uint16_t clear)
{
	unsigned int p = find_cap(fn, 0x11);
	assert_true(p);
	uint16_t v = (uint16_t)cfg_rd(fn, p + 2, 2);
	cfg_wr(fn, p + 2, (v | set) & ~clear, 2);
}

static inline void table_loc(struct msk_pcifn *fn, unsigned int *bar, uint32_t *off)
{
	unsigned int p = find_cap(fn, 0x11);
	uint32_t t = (uint32_t)cfg_rd(fn, p + 4, 4);
	*bar = t & 7;
	*off = t & ~7u;
}

static inline void pba_loc(struct msk_pcifn *fn, unsigned int *bar, uint32_t *off)
{
	unsigned int p = find_cap(fn, 0x11);
	uint32_t t = (uint32_t)cfg_rd(fn, p + 8, 4);
	*bar = t & 7;
	*off = t & ~7u;
}

static inline void tbl_wr(struct msk_pcifn *fn, unsigned int k, unsigned int field, uint32_t v)
{
	unsigned int bar;
	uint32_t off;
	table_loc(fn, &bar, &off);
	assert_msk_ok(msk_pcifn_bar_write(fn, bar, off + 16 * k + 4 * field, v, 4));
}

static inline uint32_t tbl_rd(struct msk_pcifn *fn, unsigned int k, unsigned int field)
{
	unsigned int bar;
	uint32_t off;
	uint64_t v;
	table_loc(fn, &bar, &off);
	assert_msk_ok(msk_pcifn_bar_read(fn, bar, off + 16 * k + 4 * field, 4, &v));
	return (uint32_t)v;
}

static inline void msix_program(struct msk_pcifn *fn, unsigned int k, uint64_t addr, uint32_t data)
{
	tbl_wr(fn, k, 0, (uint32_t)addr);
	tbl_wr(fn, k, 1, (uint32_t)(addr >> 32));
	tbl_wr(fn, k, 2, data);
}

static inline void msix_mask(struct msk_pcifn *fn, unsigned int k, bool masked)
{
	uint32_t c = tbl_rd(fn, k, 3);
	tbl_wr(fn, k, 3, masked ? c | 1 : c & ~1u);
}

static inline uint64_t pba_rd64(struct msk_pcifn *fn, unsigned int qword)
{
	unsigned int bar;
	uint32_t off;
	uint64_t v;
	pba_loc(fn, &bar, &off);
	assert_msk_ok(msk_pcifn_bar_read(fn, bar, off + 8 * qword, 8, &v));
	return v;
}

static inline bool pba_bit(struct msk_pcifn *fn, unsigned int k)
{
	return pba_rd64(fn, k / 64) >> (k % 64) & 1;
}

/*
 * Linux's MSI-X enable: ENABLE|MASKALL, program entries (masked), unmask
 * them, clear MASKALL. Bus mastering on.
 */
static inline void linux_msix_enable(struct msk_pcifn *fn, unsigned int nvec)
{
	cmd_set(fn, 0x0004 | 0x0400);
	msix_ctl(fn, 0xC000, 0);
	for (unsigned int k = 0; k < nvec; k++) {
		msix_program(fn, k, DB_BASE + 0x1000 + 0x10 * k, 0x40 + k);
		msix_mask(fn, k, false);
	}
	msix_ctl(fn, 0, 0x4000);
}

/* The last message the doorbell logged. */
static inline const struct db_msg *db_last(struct rig *r)
{
	assert_true(r->db.nlog > 0 && r->db.nlog <= DB_LOG);
	return &r->db.log[r->db.nlog - 1];
}

#endif
