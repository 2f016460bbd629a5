/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: devices send messages from several threads while another
 * thread rewrites IRTEs, toggles CFI and services fault records, and one
 * thread per CPU takes and EOIs. Every event must end delivered, held or
 * lost: raised == delivered + held + lost at the end. Run under TSan.
 */
#include "x86_test.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#define NCPUS	 4
#define NSENDERS 3
#define NMSGS	 20000
#define NIRTE	 16
#define RID	 0x0308u

struct race {
	struct xt t;
	_Atomic int senders_left;
	_Atomic int stop_cpus;
	_Atomic uint64_t sent_weight;
	_Atomic uint64_t taken_weight;
};

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

/*
 * Register and RAM access from worker threads: cmocka's assertions must
 * not run off the main thread, so failures abort.
 */
static uint32_t t_rd32(struct xt *t, uint32_t off)
{
	uint64_t v;
	if (msk_bus_read(t->bus, XT_IR_BASE + off, 4, NULL, &v) < 0)
		abort();
	return (uint32_t)v;
}

static void t_wr32(struct xt *t, uint32_t off, uint32_t val)
{
	if (msk_bus_write(t->bus, XT_IR_BASE + off, val, 4, NULL) < 0)
		abort();
}

static void t_ram64(struct xt *t, uint64_t addr, uint64_t val)
{
	if (msk_ram_write64(t->bus, addr, val) < 0)
		abort();
}

struct sender_arg {
	struct race *r;
	uint64_t seed;
};

static void *sender(void *p)
{
	struct sender_arg *a = p;
	struct race *r = a->r;
	uint64_t s = a->seed;
	for (int i = 0; i < NMSGS; i++) {
		uint32_t x = rnd(&s), weight = 1 + x % 3, addr, data = 0;
		switch ((x >> 4) % 8) {
		case 0: /* compatibility format, lowest priority over all CPUs */
			addr = msk_x86_msi_compat_addr(0x0F, true, false);
			data = msk_x86_msi_compat_data(0x30 + (x >> 8) % 16, MSK_APIC_DM_LOWEST,
						       false);
			break;
		case 1: /* sub-handle past the table */
			addr = xt_remap_addr(NIRTE - 1);
			data = 0x200;
			break;
		default: /* a remapped vector */
			addr = xt_remap_addr((uint16_t)((x >> 8) % NIRTE));
			break;
		}
		atomic_fetch_add(&r->sent_weight, weight);
		xt_msi(&r->t, addr, data, RID, weight);
	}
	atomic_fetch_sub(&r->senders_left, 1);
	return NULL;
}

/* The OS: moves interrupts around, breaks and repairs entries, handles faults. */
static void *rewriter(void *p)
{
	struct race *r = p;
	struct xt *t = &r->t;
	uint64_t s = 0x9E3779B97F4A7C15ull;
	while (atomic_load(&r->senders_left) > 0) {
		uint32_t x = rnd(&s);
		unsigned int idx = x % NIRTE;
		uint8_t vector = (uint8_t)(0x40 + (x >> 8) % 0xA0);
		uint8_t cpu = (uint8_t)((x >> 16) % NCPUS);
		uint64_t lo = xt_irte_lo(vector, cpu, false, MSK_APIC_DM_FIXED);
		uint64_t hi = xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID);
		switch ((x >> 24) % 8) {
		case 0:
			lo &= ~MSK_IRTE_LO_P;
			break;
		case 1:
			hi = xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID + 1);
			break;
		case 2:
			lo = xt_irte_lo(vector, 0x0F, true, MSK_APIC_DM_LOWEST);
			break;
		default:
			break;
		}
		uint64_t at = XT_IRT_BASE + 16ull * idx;
		t_ram64(t, at, 0);
		t_ram64(t, at + 8, hi);
		t_ram64(t, at, lo);
		if ((x >> 28) == 0) {
			uint32_t sts = t_rd32(t, MSK_VTD_GSTS_REG) & MSK_VTD_GSTS_IRES;
			t_wr32(t, MSK_VTD_GCMD_REG, sts | ((x >> 27) & 1 ? MSK_VTD_GCMD_CFI : 0));
		}
		/* A fault handler: service the pending records from FRI on. */
		uint32_t fsts = t_rd32(t, MSK_VTD_FSTS_REG);
		if (fsts & MSK_VTD_FSTS_PPF) {
			unsigned int i = (fsts >> MSK_VTD_FSTS_FRI_SHIFT) & 0xFF;
			for (unsigned int n = 0; n < MSK_VTD_NFR; n++, i = (i + 1) % MSK_VTD_NFR) {
				uint32_t off = MSK_VTD_FRCD_REG + 16 * i + 12;
				if (!(t_rd32(t, off) >> 31))
					break;
				t_wr32(t, off, 1u << 31);
			}
		}
		if (fsts & MSK_VTD_FSTS_PFO)
			t_wr32(t, MSK_VTD_FSTS_REG, MSK_VTD_FSTS_PFO);
	}
	return NULL;
}

struct cpu_arg {
	struct race *r;
	unsigned int cpu;
};

static void *cpu_thread(void *p)
{
	struct cpu_arg *a = p;
	struct race *r = a->r;
	while (!atomic_load(&r->stop_cpus)) {
		uint8_t v;
		uint64_t w;
		if (msk_x86_take(r->t.x86, a->cpu, &v, &w) == 1) {
			xt_deliver(&r->t, w);
			atomic_fetch_add(&r->taken_weight, w);
			if (msk_x86_eoi(r->t.x86, a->cpu) != v)
				abort();
		} else {
			sched_yield();
		}
	}
	return NULL;
}

static void test_senders_rewriter_and_cpus(void **state)
{
	(void)state;
	static struct race r;
	memset(&r, 0, sizeof(r));
	xt_setup(&r.t, NCPUS, true);
	xt_ir_enable(&r.t, XT_IRT_BASE, 3, false); /* 16 entries */
	for (unsigned int i = 0; i < NIRTE; i++)
		xt_irte(&r.t, XT_IRT_BASE, i, xt_irte_lo((uint8_t)(0x40 + i), i % NCPUS, false, 0),
			xt_irte_hi(MSK_IRTE_SVT_MASKED, 0, RID));
	atomic_store(&r.senders_left, NSENDERS);

	pthread_t senders[NSENDERS], rw, cpus[NCPUS];
	struct sender_arg sa[NSENDERS];
	struct cpu_arg ca[NCPUS];
	for (unsigned int c = 0; c < NCPUS; c++) {
		ca[c] = (struct cpu_arg){ &r, c };
		assert_int_equal(pthread_create(&cpus[c], NULL, cpu_thread, &ca[c]), 0);
	}
	assert_int_equal(pthread_create(&rw, NULL, rewriter, &r), 0);
	for (unsigned int i = 0; i < NSENDERS; i++) {
		sa[i] = (struct sender_arg){ &r, 0x1234567ull * (i + 1) };
		assert_int_equal(pthread_create(&senders[i], NULL, sender, &sa[i]), 0);
	}
	for (unsigned int i = 0; i < NSENDERS; i++)
		pthread_join(senders[i], NULL);
	pthread_join(rw, NULL);
	atomic_store(&r.stop_cpus, 1);
	for (unsigned int c = 0; c < NCPUS; c++)
		pthread_join(cpus[c], NULL);

	/* Drain what the CPU threads left pending. */
	for (unsigned int c = 0; c < NCPUS; c++) {
		while (msk_x86_eoi(r.t.x86, c) >= 0)
			;
		uint8_t v;
		uint64_t w;
		while (xt_take(&r.t, c, &v, &w) == 1) {
			atomic_fetch_add(&r.taken_weight, w);
			assert_int_equal(msk_x86_eoi(r.t.x86, c), v);
		}
	}
	assert_int_equal(msk_x86_held(r.t.x86), 0);
	struct msk_ledger_counts lc;
	msk_ledger_read(r.t.ledger, &lc);
	assert_int_equal(lc.raised, atomic_load(&r.sent_weight));
	assert_int_equal(lc.delivered, atomic_load(&r.taken_weight));
	assert_int_equal(lc.raised, lc.delivered + lc.lost);
	/* Something of each kind happened. */
	assert_true(lc.delivered > 0);
	assert_true(lc.lost_by_reason[MSK_LOSS_IRTE_OUT_OF_RANGE] > 0);
	struct msk_x86_stats s;
	msk_x86_stats(r.t.x86, &s);
	assert_int_equal(s.messages, (uint64_t)NSENDERS * NMSGS);
	assert_int_equal(s.compat + s.remappable, s.messages);
	xt_teardown(&r.t);
}

/* Many senders to one CPU's vector while it takes: coalescing keeps the count. */
struct coalesce {
	struct xt t;
	_Atomic int left;
};

static void *coalesce_sender(void *p)
{
	struct coalesce *c = p;
	for (int i = 0; i < NMSGS; i++)
		xt_msi(&c->t, msk_x86_msi_compat_addr(0, false, false), 0x41, RID, 1);
	atomic_fetch_sub(&c->left, 1);
	return NULL;
}

static void test_coalescing_under_contention(void **state)
{
	(void)state;
	static struct coalesce c;
	memset(&c, 0, sizeof(c));
	xt_setup(&c.t, 1, false);
	atomic_store(&c.left, NSENDERS);
	pthread_t th[NSENDERS];
	for (unsigned int i = 0; i < NSENDERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, coalesce_sender, &c), 0);
	uint64_t total = 0, takes = 0;
	for (;;) {
		int done = atomic_load(&c.left) == 0;
		uint8_t v;
		uint64_t w;
		while (xt_take(&c.t, 0, &v, &w) == 1) {
			total += w;
			takes++;
			assert_int_equal(msk_x86_eoi(c.t.x86, 0), 0x41);
		}
		if (done)
			break;
		sched_yield();
	}
	for (unsigned int i = 0; i < NSENDERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(total, (uint64_t)NSENDERS * NMSGS);
	assert_true(takes <= total);
	xt_teardown(&c.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_senders_rewriter_and_cpus),
		cmocka_unit_test(test_coalescing_under_contention),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
