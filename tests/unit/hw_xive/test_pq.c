/* SPDX-License-Identifier: MIT */
/*
 * The ESB PQ state machine through the ESB pages: every (state, event)
 * pair, the page offsets, odd access sizes and page geometry.
 */
#include "xive_fixture.h"

#define LISN 7u
#define CPU  1u
#define PRIO 5u

static const char *const pq_name[4] = { "00", "01", "10", "11" };

/* A XIVE with LISN routed to (CPU, PRIO), whose queue is configured. */
static struct fx *setup(unsigned int shift, bool store_eoi)
{
	struct fx *f = fx_new(shift, store_eoi);
	fx_route(f, LISN, CPU, PRIO, 0x1234);
	fx_queue(f, CPU, PRIO, 16);
	return f;
}

/* Put LISN in state pq (SET_PQ load: no notification). */
static void set_state(struct fx *f, uint8_t pq)
{
	fx_load(f, LISN, MSK_XIVE_ESB_SET_PQ_00 + 0x100u * pq);
	assert_int_equal(fx_pq(f, LISN), pq);
}

struct expect {
	uint8_t next;
	bool notify;
	uint64_t ret; /* for loads */
};

/*
 * Run `event` from each of the four states and compare with want[state]:
 * next PQ, whether a queue entry was written (and the CPU kicked), and
 * the value a load returned.
 */
static void check_event(const char *name, unsigned int shift, bool store_eoi,
			uint64_t (*event)(struct fx *f), const struct expect want[4])
{
	for (uint8_t s = 0; s < 4; s++) {
		struct fx *f = setup(shift, store_eoi);
		set_state(f, s);
		uint32_t before = fx_outstanding(f, CPU, PRIO);
		unsigned int kicks = atomic_load(&f->kicks[CPU]);
		uint64_t ret = event(f);
		uint32_t written = fx_outstanding(f, CPU, PRIO) - before;
		if (fx_pq(f, LISN) != want[s].next || written != (want[s].notify ? 1u : 0u) ||
		    ret != want[s].ret)
			fail_msg("%s from PQ %s: PQ %s (want %s), %u entries (want %d), "
				 "returned 0x%llx (want 0x%llx)",
				 name, pq_name[s], pq_name[fx_pq(f, LISN)], pq_name[want[s].next],
				 written, want[s].notify, (unsigned long long)ret,
				 (unsigned long long)want[s].ret);
		assert_int_equal(atomic_load(&f->kicks[CPU]) - kicks, written);
		fx_balanced(f);
		fx_free(f);
	}
}

static uint64_t ev_trigger_page(struct fx *f)
{
	msk_ledger_raise(f->l, 1);
	msk_bus_msi(f->bus, fx_trig(f, LISN), 0, 0x100, 1);
	return 0;
}

static uint64_t ev_trigger_page_cpu_store(struct fx *f)
{
	fx_store_trig(f, LISN);
	return 0;
}

static uint64_t ev_trigger_mgmt_low(struct fx *f)
{
	fx_store_mgmt(f, LISN, 0x3F8, 0);
	return 0;
}

static uint64_t ev_direct_trigger(struct fx *f)
{
	fx_raise(f, LISN, 1);
	return 0;
}

static const struct expect trigger_want[4] = {
	{ MSK_XIVE_PQ_PENDING, true, 0 },
	{ MSK_XIVE_PQ_OFF, false, 0 },
	{ MSK_XIVE_PQ_QUEUED, false, 0 },
	{ MSK_XIVE_PQ_QUEUED, false, 0 },
};

static void test_trigger(void **state)
{
	(void)state;
	check_event("device write to trigger page", 16, false, ev_trigger_page, trigger_want);
	check_event("CPU store to trigger page", 16, false, ev_trigger_page_cpu_store,
		    trigger_want);
	check_event("store at mgmt 0x3F8", 16, false, ev_trigger_mgmt_low, trigger_want);
	check_event("msk_xive_trigger", 16, false, ev_direct_trigger, trigger_want);
}

static const struct expect eoi_want[4] = {
	{ MSK_XIVE_PQ_RESET, false, 0 },
	{ MSK_XIVE_PQ_OFF, false, 0 },
	{ MSK_XIVE_PQ_RESET, false, 0 },
	{ MSK_XIVE_PQ_PENDING, true, 1 },
};

static uint64_t ev_load_eoi(struct fx *f)
{
	return fx_load(f, LISN, MSK_XIVE_ESB_LOAD_EOI);
}

static uint64_t ev_load_eoi_high(struct fx *f)
{
	return fx_load(f, LISN, 0x7F8);
}

static uint64_t ev_store_eoi(struct fx *f)
{
	fx_store_mgmt(f, LISN, MSK_XIVE_ESB_STORE_EOI, 0);
	return 0;
}

static void test_eoi(void **state)
{
	(void)state;
	check_event("load EOI 0x000", 16, false, ev_load_eoi, eoi_want);
	check_event("load EOI 0x7F8", 16, false, ev_load_eoi_high, eoi_want);
	struct expect store_want[4];
	for (int i = 0; i < 4; i++) {
		store_want[i] = eoi_want[i];
		store_want[i].ret = 0;
	}
	check_event("Store-EOI", 16, true, ev_store_eoi, store_want);
	/* Without Store-EOI support the store is ignored. */
	struct expect ignored[4];
	for (uint8_t i = 0; i < 4; i++)
		ignored[i] = (struct expect){ i, false, 0 };
	check_event("Store-EOI unsupported", 16, false, ev_store_eoi, ignored);
}

static uint64_t ev_get(struct fx *f)
{
	return fx_load(f, LISN, MSK_XIVE_ESB_GET + 0x3F8);
}

static void test_get(void **state)
{
	(void)state;
	struct expect want[4];
	for (uint8_t i = 0; i < 4; i++)
		want[i] = (struct expect){ i, false, i };
	check_event("GET", 16, false, ev_get, want);
}

static uint8_t set_target;

static uint64_t ev_set_pq_load(struct fx *f)
{
	return fx_load(f, LISN, MSK_XIVE_ESB_SET_PQ_00 + 0x100u * set_target + 0xF8);
}

static uint64_t ev_set_pq_store(struct fx *f)
{
	fx_store_mgmt(f, LISN, MSK_XIVE_ESB_SET_PQ_00 + 0x100u * set_target, ~0ull);
	return 0;
}

static void test_set_pq(void **state)
{
	(void)state;
	for (set_target = 0; set_target < 4; set_target++) {
		struct expect load_want[4], store_want[4];
		for (uint8_t i = 0; i < 4; i++) {
			load_want[i] = (struct expect){ set_target, false, i };
			store_want[i] = (struct expect){ set_target, false, 0 };
		}
		check_event("SET_PQ load", 16, false, ev_set_pq_load, load_want);
		check_event("SET_PQ store", 16, false, ev_set_pq_store, store_want);
	}
}

static uint64_t ev_store_undefined(struct fx *f)
{
	fx_store_mgmt(f, LISN, 0x800, 0);
	fx_store_mgmt(f, LISN, 0xBF8, 0);
	return 0;
}

static uint64_t ev_load_trigger_page(struct fx *f)
{
	uint64_t v;
	assert_msk_ok(msk_bus_read(f->bus, fx_trig(f, LISN) + 0x800, 8, NULL, &v));
	return v;
}

static void test_no_effect(void **state)
{
	(void)state;
	struct expect same[4], ones[4];
	for (uint8_t i = 0; i < 4; i++) {
		same[i] = (struct expect){ i, false, 0 };
		ones[i] = (struct expect){ i, false, ~0ull };
	}
	check_event("store 0x800-0xBFF", 16, false, ev_store_undefined, same);
	check_event("load from trigger page", 16, false, ev_load_trigger_page, ones);
}

/* 4 KiB pages: the same operations at the same offsets. */
static void test_4k_pages(void **state)
{
	(void)state;
	check_event("4K: load EOI", 12, false, ev_load_eoi, eoi_want);
	check_event("4K: trigger page", 12, false, ev_trigger_page_cpu_store, trigger_want);
	struct fx *f = setup(12, false);
	assert_int_equal(fx_trig(f, 3), FX_ESB_BASE + 6 * 0x1000);
	assert_int_equal(fx_mgmt(f, 3), FX_ESB_BASE + 7 * 0x1000);
	fx_free(f);
}

/* In a 64 KiB page, each 4 KiB part decodes like the first. */
static void test_64k_page_repeats(void **state)
{
	(void)state;
	struct fx *f = setup(16, false);
	assert_int_equal(fx_mgmt(f, LISN) - fx_trig(f, LISN), 0x10000);
	assert_int_equal(fx_load(f, LISN, 0x5000 + MSK_XIVE_ESB_SET_PQ_00), MSK_XIVE_PQ_OFF);
	assert_int_equal(fx_pq(f, LISN), MSK_XIVE_PQ_RESET);
	assert_int_equal(fx_load(f, LISN, 0xF000 + MSK_XIVE_ESB_GET), MSK_XIVE_PQ_RESET);
	uint64_t v;
	assert_msk_ok(msk_bus_write(f->bus, fx_trig(f, LISN) + 0xFFF8, 0, 8, NULL));
	assert_int_equal(fx_pq(f, LISN), MSK_XIVE_PQ_PENDING);
	assert_msk_ok(msk_bus_read(f->bus, fx_mgmt(f, LISN) + 0xFFF8, 8, NULL, &v));
	assert_int_equal(v, MSK_XIVE_PQ_PENDING); /* 0xFF8: SET_PQ_11 returns the old PQ */
	assert_int_equal(fx_pq(f, LISN), MSK_XIVE_PQ_QUEUED);
	fx_free(f);
}

/* Loads and stores of other sizes or alignments do nothing. */
static void test_odd_accesses(void **state)
{
	(void)state;
	struct fx *f = setup(16, true);
	set_state(f, MSK_XIVE_PQ_RESET);
	uint64_t m = fx_mgmt(f, LISN), t = fx_trig(f, LISN), v;
	const unsigned int sizes[] = { 1, 2, 4 };
	for (int i = 0; i < 3; i++) {
		unsigned int sz = sizes[i];
		assert_msk_ok(msk_bus_read(f->bus, m + MSK_XIVE_ESB_SET_PQ_01, sz, NULL, &v));
		assert_int_equal(v, (1ull << (8 * sz)) - 1);
		assert_msk_ok(msk_bus_write(f->bus, m + MSK_XIVE_ESB_SET_PQ_11, 0, sz, NULL));
		assert_msk_ok(msk_bus_write(f->bus, m, 0, sz, NULL)); /* would trigger if 8 */
		assert_int_equal(fx_pq(f, LISN), MSK_XIVE_PQ_RESET);
	}
	/* Unaligned 8-byte accesses. */
	assert_msk_ok(msk_bus_read(f->bus, m + MSK_XIVE_ESB_SET_PQ_01 + 4, 8, NULL, &v));
	assert_int_equal(v, ~0ull);
	assert_msk_ok(msk_bus_write(f->bus, t + 3, 0, 8, NULL));
	assert_msk_ok(msk_bus_write(f->bus, t + 2, 0, 4, NULL));
	assert_msk_ok(msk_bus_write(f->bus, t + 1, 0, 2, NULL));
	assert_msk_ok(msk_bus_write(f->bus, t, 0, 1, NULL));
	assert_int_equal(fx_pq(f, LISN), MSK_XIVE_PQ_RESET);
	assert_int_equal(fx_outstanding(f, CPU, PRIO), 0);
	/* An aligned 4-byte store to a trigger page triggers. */
	assert_msk_ok(msk_bus_write(f->bus, t + 0x104, 0, 4, NULL));
	assert_int_equal(fx_pq(f, LISN), MSK_XIVE_PQ_PENDING);
	assert_int_equal(fx_outstanding(f, CPU, PRIO), 1);
	fx_balanced(f);
	fx_free(f);
}

/* A device message that lands on an ESB access that does not trigger. */
static void test_message_weight_on_mgmt_page(void **state)
{
	(void)state;
	struct fx *f = setup(16, false);
	set_state(f, MSK_XIVE_PQ_QUEUED);
	msk_ledger_raise(f->l, 5 + 7);
	/* A 4-byte message write to the management page: ignored, weight lost. */
	assert_msk_ok(msk_bus_msi(f->bus, fx_mgmt(f, LISN) + MSK_XIVE_ESB_SET_PQ_00, 0, 0x100, 5));
	assert_int_equal(fx_pq(f, LISN), MSK_XIVE_PQ_QUEUED);
	assert_int_equal(fx_lost(f, MSK_LOSS_BAD_MESSAGE), 5);
	/* An 8-byte write with weight: the SET_PQ happens, the weight is lost. */
	struct msk_bus_attrs dev = { .requester_id = 0x100, .weight = 7, .is_msi = true };
	assert_msk_ok(msk_bus_write(f->bus, fx_mgmt(f, LISN) + MSK_XIVE_ESB_SET_PQ_00, 0, 8, &dev));
	assert_int_equal(fx_pq(f, LISN), MSK_XIVE_PQ_RESET);
	assert_int_equal(fx_lost(f, MSK_LOSS_BAD_MESSAGE), 12);
	fx_balanced(f);
	fx_free(f);
}

/* The last page of the last source, and just past the region. */
static void test_region_edges(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	uint32_t last = FX_SOURCES - 1;
	assert_int_equal(fx_load(f, last, 0xFFF8), MSK_XIVE_PQ_OFF); /* SET_PQ_11, old 01 */
	assert_int_equal(fx_pq(f, last), MSK_XIVE_PQ_QUEUED);
	uint64_t v;
	uint64_t end = FX_ESB_BASE + ((uint64_t)FX_SOURCES << 17);
	assert_int_equal(msk_bus_read(f->bus, end, 8, NULL, &v), -MSK_EFAULT);
	uint64_t t = 1, m = 2;
	assert_msk_error(msk_xive_esb_pages(f->x, FX_SOURCES, &t, &m), MSK_EINVAL);
	assert_int_equal(t, 1);
	assert_int_equal(m, 2);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trigger),
		cmocka_unit_test(test_eoi),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_set_pq),
		cmocka_unit_test(test_no_effect),
		cmocka_unit_test(test_4k_pages),
		cmocka_unit_test(test_64k_page_repeats),
		cmocka_unit_test(test_odd_accesses),
		cmocka_unit_test(test_message_weight_on_mgmt_page),
		cmocka_unit_test(test_region_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
