/* SPDX-License-Identifier: MIT */
#ifndef MSK_X86_TEST_H
#define MSK_X86_TEST_H

/*
 * Shared fixture for the x86 hardware tests. The test plays the OS: it
 * programs VT-d through bus accesses, writes IRTEs into guest RAM, sends
 * device messages with msk_bus_msi and takes interrupts like a CPU.
 */
#include "msk_test.h"

#include <string.h>

#define XT_RAM_SIZE (64ull << 20)
#define XT_IR_BASE  0xFED90000ull
#define XT_IRT_BASE 0x100000ull /* IRTE table in guest RAM */

struct xt {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_x86 *x86;
	_Atomic unsigned int kicks[MSK_MAX_CPUS];
};

static inline void xt_kick(void *ctx, unsigned int cpu)
{
	struct xt *t = ctx;
	atomic_fetch_add(&t->kicks[cpu], 1);
}

/* A machine with RAM [0, 64 MiB), ncpus LAPICs (ids may be NULL), VT-d if `ir`. */
static inline void xt_setup_ids(struct xt *t, unsigned int ncpus, const uint32_t *ids, bool ir)
{
	memset(t, 0, sizeof(*t));
	assert_msk_ok(msk_ledger_create(&t->ledger));
	assert_msk_ok(msk_bus_create(0, XT_RAM_SIZE, t->ledger, &t->bus));
	struct msk_x86_config cfg = {
		.ncpus = ncpus,
		.apic_ids = ids,
		.ir_base = ir ? XT_IR_BASE : 0,
	};
	struct msk_cpu_notify n = { xt_kick, t };
	assert_msk_ok(msk_x86_create(t->bus, &cfg, &n, &t->x86));
}

static inline void xt_setup(struct xt *t, unsigned int ncpus, bool ir)
{
	xt_setup_ids(t, ncpus, NULL, ir);
}

static inline void xt_check_ledger(struct xt *t)
{
	assert_msk_ok(msk_ledger_check(t->ledger, msk_x86_held(t->x86)));
}

static inline void xt_teardown(struct xt *t)
{
	xt_check_ledger(t);
	assert_msk_ok(msk_x86_destroy(t->x86));
	msk_bus_destroy(t->bus);
	msk_ledger_destroy(t->ledger);
}

/* A device raises `weight` events with one message write. */
static inline int xt_msi(struct xt *t, uint32_t addr, uint32_t data, uint32_t rid, uint32_t weight)
{
	msk_ledger_raise(t->ledger, weight);
	return msk_bus_msi(t->bus, addr, data, rid, weight);
}

/* Hand a taken weight to the ledger as delivered (it may exceed 32 bits). */
static inline void xt_deliver(struct xt *t, uint64_t weight)
{
	while (weight) {
		uint32_t chunk = weight > UINT32_MAX ? UINT32_MAX : (uint32_t)weight;
		msk_ledger_deliver(t->ledger, chunk);
		weight -= chunk;
	}
}

/* CPU takes; on success the weight counts as delivered. Returns take()'s result. */
static inline int xt_take(struct xt *t, unsigned int cpu, uint8_t *vector, uint64_t *weight)
{
	int rc = msk_x86_take(t->x86, cpu, vector, weight);
	if (rc == 1)
		xt_deliver(t, *weight);
	return rc;
}

/* Take exactly `vector` with `weight` on `cpu`, then EOI it. */
static inline void xt_expect(struct xt *t, unsigned int cpu, uint8_t vector, uint64_t weight)
{
	uint8_t v = 0;
	uint64_t w = 0;
	assert_int_equal(xt_take(t, cpu, &v, &w), 1);
	assert_int_equal(v, vector);
	assert_int_equal(w, weight);
	assert_int_equal(msk_x86_eoi(t->x86, cpu), vector);
}

/* Nothing deliverable on `cpu`. */
static inline void xt_expect_none(struct xt *t, unsigned int cpu)
{
	uint8_t v = 0xAA;
	uint64_t w = 0xBB;
	assert_int_equal(msk_x86_take(t->x86, cpu, &v, &w), 0);
	assert_int_equal(v, 0xAA);
	assert_int_equal(w, 0xBB);
}

static inline uint64_t xt_lost(struct xt *t, enum msk_loss reason)
{
	struct msk_ledger_counts c;
	msk_ledger_read(t->ledger, &c);
	return c.lost_by_reason[reason];
}

static inline uint64_t xt_lost_total(struct xt *t)
{
	struct msk_ledger_counts c;
	msk_ledger_read(t->ledger, &c);
	return c.lost;
}

/* ---- VT-d register access, as a driver does it ------------------------- */

static inline uint32_t xt_rd32(struct xt *t, uint32_t off)
{
	uint64_t v;
	assert_msk_ok(msk_bus_read(t->bus, XT_IR_BASE + off, 4, NULL, &v));
	return (uint32_t)v;
}

static inline uint64_t xt_rd64(struct xt *t, uint32_t off)
{
	uint64_t v;
	assert_msk_ok(msk_bus_read(t->bus, XT_IR_BASE + off, 8, NULL, &v));
	return v;
}

static inline void xt_wr32(struct xt *t, uint32_t off, uint32_t val)
{
	assert_msk_ok(msk_bus_write(t->bus, XT_IR_BASE + off, val, 4, NULL));
}

static inline void xt_wr64(struct xt *t, uint32_t off, uint64_t val)
{
	assert_msk_ok(msk_bus_write(t->bus, XT_IR_BASE + off, val, 8, NULL));
}

/* Write GCMD keeping the current status bits, with `bit` set or cleared. */
static inline void xt_gcmd(struct xt *t, uint32_t bit, bool set)
{
	uint32_t sts = xt_rd32(t, MSK_VTD_GSTS_REG) &
		       (MSK_VTD_GSTS_IRES | MSK_VTD_GSTS_CFIS); /* one-shot bits not kept */
	xt_wr32(t, MSK_VTD_GCMD_REG, set ? sts | bit : sts & ~bit);
}

/* Wait (bounded) until GSTS & mask == want. */
static inline void xt_wait_gsts(struct xt *t, uint32_t mask, uint32_t want)
{
	for (int i = 0; i < 1000; i++)
		if ((xt_rd32(t, MSK_VTD_GSTS_REG) & mask) == want)
			return;
	fail_msg("GSTS 0x%x never reached 0x%x under mask 0x%x", xt_rd32(t, MSK_VTD_GSTS_REG), want,
		 mask);
}

/* Program the table pointer and enable remapping like Linux's intel_setup_irq_remapping. */
static inline void xt_ir_enable(struct xt *t, uint64_t table, unsigned int s, bool eime)
{
	xt_wr64(t, MSK_VTD_IRTA_REG, table | (eime ? MSK_VTD_IRTA_EIME : 0) | s);
	xt_gcmd(t, MSK_VTD_GCMD_SIRTP, true);
	xt_wait_gsts(t, MSK_VTD_GSTS_IRTPS, MSK_VTD_GSTS_IRTPS);
	xt_gcmd(t, MSK_VTD_GCMD_IRE, true);
	xt_wait_gsts(t, MSK_VTD_GSTS_IRES, MSK_VTD_GSTS_IRES);
}

/* ---- IRTEs ------------------------------------------------------------- */

/* Remapped-format IRTE low half: present, xAPIC destination. */
static inline uint64_t xt_irte_lo(uint8_t vector, uint8_t apic_id, bool logical, unsigned int dlm)
{
	return MSK_IRTE_LO_P | (logical ? MSK_IRTE_LO_DM_LOGICAL : 0) |
	       (uint64_t)(dlm & 7) << MSK_IRTE_LO_DLM_SHIFT |
	       (uint64_t)vector << MSK_IRTE_LO_V_SHIFT | (uint64_t)apic_id << 40;
}

/* IRTE high half: source validation. */
static inline uint64_t xt_irte_hi(unsigned int svt, unsigned int sq, uint16_t sid)
{
	return (uint64_t)(svt & 3) << MSK_IRTE_HI_SVT_SHIFT |
	       (uint64_t)(sq & 3) << MSK_IRTE_HI_SQ_SHIFT | sid;
}

static inline void xt_irte(struct xt *t, uint64_t table, unsigned int index, uint64_t lo,
			   uint64_t hi)
{
	/* Not present while the halves change, then the low half with P. */
	assert_msk_ok(msk_ram_write64(t->bus, table + 16ull * index, 0));
	assert_msk_ok(msk_ram_write64(t->bus, table + 16ull * index + 8, hi));
	assert_msk_ok(msk_ram_write64(t->bus, table + 16ull * index, lo));
}

/* Remappable message address with handle, SHV=1 (data = sub-handle), as Linux sends. */
static inline uint32_t xt_remap_addr(uint16_t handle)
{
	return msk_x86_msi_remap_addr(handle, true);
}

#endif
