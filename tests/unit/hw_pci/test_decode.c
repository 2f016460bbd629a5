/* SPDX-License-Identifier: MIT */
/*
 * BAR decoding on the bus (config space drives msk_bus_map/unmap), guest
 * access by address, re-entrant doorbells and concurrent use.
 */
#include "pci_harness.h"

#include <pthread.h>

#define BAR_A 0xC0000000ull
#define BAR_B 0xC0100000ull

static struct msk_pcifn_config two_bar_cfg(void)
{
	struct msk_pcifn_config c = {
		.bus = 0,
		.dev = 3,
		.fn = 0,
		.vendor_id = 0x1af4,
		.device_id = 0x1041,
		.msix_entries = 8,
		.ims_entries = 8,
	};
	return c;
}

static bool decoded(struct msk_pcifn *fn, unsigned int bar, uint64_t *at)
{
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(fn, bar, &bi));
	if (at)
		*at = bi.decoded_at;
	return bi.decoded;
}

static bool bus_reaches(struct rig *r, uint64_t addr)
{
	uint64_t v;
	return msk_bus_read(r->bus, addr, 4, NULL, &v) == 0;
}

static void test_decode_follows_config(void **state)
{
	(void)state;
	struct msk_pcifn_config c = two_bar_cfg();
	struct rig *r = rig_with(&c);
	cfg_wr(r->fn, 0x10, (uint32_t)BAR_A, 4);
	assert_false(decoded(r->fn, 0, NULL));
	assert_false(bus_reaches(r, BAR_A));
	cmd_set(r->fn, 0x2);
	uint64_t at;
	assert_true(decoded(r->fn, 0, &at));
	assert_int_equal(at, BAR_A);
	/* The table through the bus. */
	assert_msk_ok(msk_bus_write(r->bus, BAR_A + 0x18, 0xCAFE, 4, NULL));
	assert_int_equal(tbl_rd(r->fn, 1, 2), 0xCAFE);
	uint64_t v;
	assert_msk_ok(msk_bus_read(r->bus, BAR_A + 0x1C, 4, NULL, &v));
	assert_int_equal(v, 1);
	/* Odd sizes through the bus behave as directly. */
	assert_msk_ok(msk_bus_read(r->bus, BAR_A + 0x18, 2, NULL, &v));
	assert_int_equal(v, 0);
	/* Move the BAR while decoding: old address gone, new one answers. */
	cfg_wr(r->fn, 0x10, (uint32_t)BAR_B, 4);
	assert_false(bus_reaches(r, BAR_A));
	assert_true(bus_reaches(r, BAR_B));
	assert_true(decoded(r->fn, 0, &at));
	assert_int_equal(at, BAR_B);
	/* The IMS BAR decodes as well (BAR1). */
	cfg_wr(r->fn, 0x14, (uint32_t)BAR_A, 4);
	assert_true(decoded(r->fn, 1, &at));
	assert_int_equal(at, BAR_A);
	/* Memory Space Enable off: nothing decodes. */
	cmd_clear(r->fn, 0x2);
	assert_false(decoded(r->fn, 0, NULL));
	assert_false(decoded(r->fn, 1, NULL));
	assert_false(bus_reaches(r, BAR_B));
	assert_false(bus_reaches(r, BAR_A));
	rig_free(r);
}

static void test_decode_conflicts(void **state)
{
	(void)state;
	struct msk_pcifn_config c = two_bar_cfg();
	struct rig *r = rig_with(&c);
	/* Both BARs at 0 (reset) with MSE: the first overlaps RAM, neither decodes. */
	cmd_set(r->fn, 0x2);
	assert_false(decoded(r->fn, 0, NULL));
	assert_false(decoded(r->fn, 1, NULL));
	/* BAR1 on the doorbell: refused by the bus; BAR0 fine. */
	cfg_wr(r->fn, 0x10, (uint32_t)BAR_A, 4);
	cfg_wr(r->fn, 0x14, (uint32_t)DB_BASE, 4);
	assert_true(decoded(r->fn, 0, NULL));
	assert_false(decoded(r->fn, 1, NULL));
	/* Swap through a transient conflict: BAR1 -> A (taken), BAR0 -> B, BAR1 decodes. */
	cfg_wr(r->fn, 0x14, (uint32_t)BAR_A, 4);
	assert_false(decoded(r->fn, 1, NULL));
	cfg_wr(r->fn, 0x10, (uint32_t)BAR_B, 4);
	uint64_t at0, at1;
	assert_true(decoded(r->fn, 0, &at0));
	assert_true(decoded(r->fn, 1, &at1));
	assert_int_equal(at0, BAR_B);
	assert_int_equal(at1, BAR_A);
	rig_free(r);
}

static void test_decode_64bit_and_reset(void **state)
{
	(void)state;
	struct msk_pcifn_config c = two_bar_cfg();
	c.bar_flags[0] = MSK_PCIFN_BAR_64;
	struct rig *r = rig_with(&c);
	cfg_wr(r->fn, 0x10, 0x00000000, 4);
	cfg_wr(r->fn, 0x14, 0x00000080, 4);
	cmd_set(r->fn, 0x2);
	uint64_t at;
	assert_true(decoded(r->fn, 0, &at));
	assert_int_equal(at, 0x8000000000ull);
	assert_true(bus_reaches(r, 0x8000000000ull + 0x800));
	/* IMS went to the next free slot, BAR2. */
	struct msk_pcifn_ims_state is;
	assert_msk_ok(msk_pcifn_ims_state(r->fn, &is));
	assert_int_equal(is.bar, 2);
	/* Reset: Command cleared, nothing decodes. */
	assert_msk_ok(msk_pcifn_reset(r->fn));
	assert_false(decoded(r->fn, 0, NULL));
	assert_false(bus_reaches(r, 0x8000000000ull));
	/* Destroy unmaps too. */
	cfg_wr(r->fn, 0x14, 0x00000080, 4);
	cmd_set(r->fn, 0x2);
	assert_true(bus_reaches(r, 0x8000000000ull));
	msk_pcifn_destroy(r->fn);
	r->fn = NULL;
	assert_false(bus_reaches(r, 0x8000000000ull));
	rig_free(r);
}

static void test_manual_bars(void **state)
{
	(void)state;
	struct msk_pcifn_config c = two_bar_cfg();
	c.manual_bars = true;
	struct rig *r = rig_with(&c);
	cfg_wr(r->fn, 0x10, (uint32_t)BAR_A, 4);
	cmd_set(r->fn, 0x2);
	assert_false(decoded(r->fn, 0, NULL));
	assert_false(bus_reaches(r, BAR_A));
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(r->fn, 0, &bi));
	assert_int_equal(bi.address, BAR_A);
	rig_free(r);
}

/* A doorbell whose handler drives the function (a guest ISR masking its vector). */
struct reentrant {
	struct msk_pcifn *fn;
	struct msk_ledger *ledger;
	_Atomic unsigned int seen;
};

static void reentrant_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
			    const struct msk_bus_attrs *attrs)
{
	struct reentrant *re = opaque;
	atomic_fetch_add(&re->seen, 1);
	msk_ledger_deliver(re->ledger, attrs->weight);
	/* Mask entry 0 and raise it again: the raise is held, no deadlock. */
	uint64_t v;
	msk_pcifn_bar_read(re->fn, 0, 0x0C, 4, &v);
	msk_pcifn_bar_write(re->fn, 0, 0x0C, v | 1, 4);
	if (atomic_load(&re->seen) == 1)
		msk_pcifn_raise(re->fn, 0);
}

static const struct msk_mmio_ops reentrant_ops = { db_read, reentrant_write };

static void test_reentrant_doorbell(void **state)
{
	(void)state;
	struct msk_pcifn_config c = two_bar_cfg();
	struct rig *r = rig_with(&c);
	struct reentrant re = { .fn = r->fn, .ledger = r->ledger };
	assert_msk_ok(msk_bus_map(r->bus, 0xFED00000, 0x1000, &reentrant_ops, &re, "isr"));
	linux_msix_enable(r->fn, 1);
	msix_program(r->fn, 0, 0xFED00000, 7);
	assert_msk_ok(msk_pcifn_raise(r->fn, 0));
	assert_int_equal(atomic_load(&re.seen), 1);
	assert_true(pba_bit(r->fn, 0));
	assert_int_equal(msk_pcifn_held(r->fn), 1);
	assert_balanced(r);
	assert_msk_ok(msk_bus_unmap(r->bus, 0xFED00000));
	rig_free(r);
}

/* ---- threads ---- */

/* Threads only count failures (cmocka asserts are for the main thread). */
struct race {
	struct rig *r;
	_Atomic int stop;
	_Atomic uint64_t raised;
	_Atomic unsigned int failures;
};

static void *raiser(void *arg)
{
	struct race *x = arg;
	for (unsigned int i = 0; i < 20000; i++) {
		if (msk_pcifn_raise(x->r->fn, i % 8) != 0 ||
		    msk_pcifn_ims_raise(x->r->fn, i % 8) != 0)
			atomic_fetch_add(&x->failures, 1);
		atomic_fetch_add(&x->raised, 2);
	}
	return NULL;
}

static void *masker(void *arg)
{
	struct race *x = arg;
	unsigned int i = 0;
	while (!atomic_load(&x->stop)) {
		unsigned int k = i % 8;
		uint64_t base = BAR_A + 16 * k + 12;
		msk_bus_write(x->r->bus, base, i & 8 ? 1 : 0, 4, NULL);
		msk_bus_write(x->r->bus, BAR_B + 16 * k + 12, i & 16 ? 1 : 0, 4, NULL);
		if (i % 64 == 0) {
			uint64_t ctl;
			msk_pcifn_cfg_read(x->r->fn, 0xA2, 2, &ctl);
			if (msk_pcifn_cfg_write(x->r->fn, 0xA2, ctl ^ 0x4000, 2) != 0)
				atomic_fetch_add(&x->failures, 1);
		}
		uint64_t v;
		msk_bus_read(x->r->bus, BAR_A + 2048, 8, NULL, &v);
		i++;
	}
	return NULL;
}

static void *checker(void *arg)
{
	struct race *x = arg;
	while (!atomic_load(&x->stop)) {
		struct msk_pcifn_stats s;
		msk_pcifn_stats(x->r->fn, &s);
		if (s.raised != s.weight_sent + s.held + s.lost)
			atomic_fetch_add(&x->failures, 1);
	}
	return NULL;
}

static void test_concurrent_raise_and_mask(void **state)
{
	(void)state;
	struct msk_pcifn_config c = two_bar_cfg();
	struct rig *r = rig_with(&c);
	linux_msix_enable(r->fn, 8);
	cfg_wr(r->fn, 0x10, (uint32_t)BAR_A, 4);
	cfg_wr(r->fn, 0x14, (uint32_t)BAR_B, 4);
	cmd_set(r->fn, 0x2);
	for (unsigned int k = 0; k < 8; k++) {
		assert_msk_ok(
			msk_bus_write(r->bus, BAR_B + 16 * k, DB_BASE + 0x8000 + 4 * k, 8, NULL));
		assert_msk_ok(msk_bus_write(r->bus, BAR_B + 16 * k + 8, 0x100 + k, 4, NULL));
	}
	struct race x = { .r = r };
	pthread_t t[4];
	pthread_create(&t[0], NULL, raiser, &x);
	pthread_create(&t[1], NULL, raiser, &x);
	pthread_create(&t[2], NULL, masker, &x);
	pthread_create(&t[3], NULL, checker, &x);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	atomic_store(&x.stop, 1);
	pthread_join(t[2], NULL);
	pthread_join(t[3], NULL);
	assert_int_equal(atomic_load(&x.failures), 0);
	assert_balanced(r);
	/* Unmask everything: what was held is delivered, each exactly once. */
	msix_ctl(r->fn, 0, 0x4000);
	for (unsigned int k = 0; k < 8; k++) {
		msix_mask(r->fn, k, false);
		assert_msk_ok(msk_bus_write(r->bus, BAR_B + 16 * k + 12, 0, 4, NULL));
	}
	assert_int_equal(msk_pcifn_held(r->fn), 0);
	assert_int_equal(atomic_load(&r->db.weight), atomic_load(&x.raised));
	assert_balanced(r);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_follows_config),
		cmocka_unit_test(test_decode_conflicts),
		cmocka_unit_test(test_decode_64bit_and_reset),
		cmocka_unit_test(test_manual_bars),
		cmocka_unit_test(test_reentrant_doorbell),
		cmocka_unit_test(test_concurrent_raise_and_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
