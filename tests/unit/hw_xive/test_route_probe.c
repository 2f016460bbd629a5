/* SPDX-License-Identifier: MIT */
/*
 * msk_xive_route: a message followed without side effects must agree with
 * what the same message really does - lost with the same reason, held at
 * the source, or enqueued at the same END with the same EISN - for every
 * PQ state, EAS and END outcome and address decoding; and probing changes
 * nothing at all.
 */
#include <msikit/hw_xive.h>

#include "xive_fixture.h"

#define RID 0x0100u

/* Every bit of model state a probe could disturb. */
struct snap {
	struct msk_xive_source_info src[FX_SOURCES];
	struct msk_xive_end_info end[FX_CPUS][MSK_XIVE_PRIORITIES];
	struct msk_ledger_counts ledger;
	unsigned int kicks[FX_CPUS];
	uint64_t held;
};

static void take_snap(struct fx *f, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < FX_SOURCES; i++)
		assert_msk_ok(msk_xive_get_source(f->x, i, &s->src[i]));
	for (uint32_t c = 0; c < FX_CPUS; c++)
		for (unsigned int p = 0; p < MSK_XIVE_PRIORITIES; p++)
			assert_msk_ok(msk_xive_get_queue(f->x, c, p, &s->end[c][p]));
	msk_ledger_read(f->l, &s->ledger);
	for (uint32_t c = 0; c < FX_CPUS; c++)
		s->kicks[c] = atomic_load(&f->kicks[c]);
	s->held = msk_xive_held(f->x);
}

static void set_pq(struct fx *f, uint32_t lisn, uint64_t op)
{
	fx_load(f, lisn, op);
}

/* The machine of the tests: sources 1..7 in every interesting state. */
static struct fx *rig(void)
{
	struct fx *f = fx_new(16, false);
	fx_queue(f, 1, 6, 12); /* 1024 entries */
	fx_queue(f, 3, 6, 12);
	fx_route(f, 1, 1, 6, 0x101); /* 00: notifies */
	set_pq(f, 1, MSK_XIVE_ESB_SET_PQ_00);
	fx_route(f, 2, 1, 6, 0x102); /* 01: off */
	fx_route(f, 3, 1, 6, 0x103); /* 10: coalesces */
	set_pq(f, 3, MSK_XIVE_ESB_SET_PQ_10);
	fx_route(f, 4, 1, 6, 0x104); /* 11 */
	set_pq(f, 4, MSK_XIVE_ESB_SET_PQ_11);
	struct msk_xive_eas masked = { .valid = true, .masked = true, .cpu = 1, .prio = 6 };
	assert_msk_ok(msk_xive_set_eas(f->x, 5, &masked)); /* EAS masked */
	set_pq(f, 5, MSK_XIVE_ESB_SET_PQ_00);
	set_pq(f, 6, MSK_XIVE_ESB_SET_PQ_00); /* EAS invalid */
	fx_route(f, 7, 2, 3, 0x107);	      /* no queue at (2, 3) */
	set_pq(f, 7, MSK_XIVE_ESB_SET_PQ_00);
	return f;
}

/* Probe (addr, data), then send it for real; both must tell the same story. */
static struct msk_xive_route agree(struct fx *f, uint64_t addr, uint32_t data)
{
	struct msk_xive_route r;
	assert_int_equal(msk_xive_route(f->x, addr, data, &r), 1);
	struct snap before;
	take_snap(f, &before);
	msk_ledger_raise(f->l, 1);
	assert_msk_ok(msk_bus_msi(f->bus, addr, data, RID, 1));
	struct msk_ledger_counts after;
	msk_ledger_read(f->l, &after);
	if (r.lost) {
		assert_int_equal(after.lost_by_reason[r.reason],
				 before.ledger.lost_by_reason[r.reason] + 1);
		assert_int_equal(after.lost, before.ledger.lost + 1);
	} else if (r.coalesced) {
		assert_int_equal(after.lost, before.ledger.lost);
		assert_int_equal(fx_src_held(f, r.lisn), before.src[r.lisn].held + 1);
	} else {
		assert_int_equal(after.lost, before.ledger.lost);
		struct msk_xive_end_info e;
		assert_msk_ok(msk_xive_get_queue(f->x, r.cpu, r.prio, &e));
		assert_int_equal(e.outstanding, before.end[r.cpu][r.prio].outstanding + 1);
		uint32_t slot = (e.windex + e.entries - 1) % e.entries;
		assert_int_equal(fx_eq_word(f, r.cpu, r.prio, slot) & 0x7FFFFFFFu, r.eisn);
		assert_int_equal(atomic_load(&f->kicks[r.cpu]), before.kicks[r.cpu] + 1);
	}
	fx_balanced(f);
	return r;
}

static void test_every_outcome_agrees_with_the_data_path(void **state)
{
	struct fx *f = rig();
	struct msk_xive_route r = agree(f, FX_MSI_WINDOW, 1);
	assert_false(r.lost);
	assert_true(r.window && r.source);
	assert_false(r.coalesced);
	assert_int_equal(r.pq, MSK_XIVE_PQ_RESET);
	assert_int_equal(r.cpu, 1);
	assert_int_equal(r.prio, 6);
	assert_int_equal(r.eisn, 0x101);

	r = agree(f, FX_MSI_WINDOW + 0x40, 2); /* the address within the window does not matter */
	assert_true(r.lost && r.source);
	assert_int_equal(r.reason, MSK_LOSS_XIVE_OFF);

	for (uint32_t lisn = 3; lisn <= 4; lisn++) {
		r = agree(f, FX_MSI_WINDOW, lisn);
		assert_false(r.lost);
		assert_true(r.coalesced);
		assert_int_equal(r.cpu, 1);
		assert_int_equal(r.eisn, 0x100 + lisn);
	}
	r = agree(f, FX_MSI_WINDOW, 5);
	assert_int_equal(r.reason, MSK_LOSS_XIVE_EAS_MASKED);
	r = agree(f, FX_MSI_WINDOW, 6);
	assert_int_equal(r.reason, MSK_LOSS_XIVE_INVALID_SOURCE);
	assert_true(r.source);
	r = agree(f, FX_MSI_WINDOW, 7);
	assert_int_equal(r.reason, MSK_LOSS_XIVE_NO_QUEUE);
	r = agree(f, FX_MSI_WINDOW, FX_SOURCES); /* no such source */
	assert_true(r.lost);
	assert_false(r.source);
	assert_int_equal(r.reason, MSK_LOSS_XIVE_INVALID_SOURCE);

	/* ESB pages: a 4-byte store to a trigger page triggers, to a management page it does not. */
	struct fx *g = rig();
	r = agree(g, fx_trig(g, 1), 0xdeadbeef);
	assert_false(r.lost || r.window);
	assert_int_equal(r.lisn, 1);
	assert_int_equal(r.eisn, 0x101);
	r = agree(g, fx_trig(g, 2) + 0x800, 0);
	assert_int_equal(r.reason, MSK_LOSS_XIVE_OFF);
	r = agree(g, fx_mgmt(g, 1), 0);
	assert_true(r.lost);
	assert_false(r.source);
	assert_int_equal(r.reason, MSK_LOSS_BAD_MESSAGE);
	r = agree(g, fx_trig(g, 1) + 2, 0); /* misaligned */
	assert_int_equal(r.reason, MSK_LOSS_BAD_MESSAGE);
	fx_free(g);
	fx_free(f);
}

/* A full queue loses a notification now, not the coalesced one an EOI sends later. */
static void test_full_queue(void **state)
{
	struct fx *f = rig();
	for (unsigned int i = 0; i < 1024; i++) {
		msk_ledger_raise(f->l, 1);
		assert_msk_ok(msk_xive_trigger(f->x, 1, 1));
		fx_load(f, 1, MSK_XIVE_ESB_LOAD_EOI);
	}
	assert_int_equal(fx_outstanding(f, 1, 6), 1024);
	struct msk_xive_route r = agree(f, FX_MSI_WINDOW, 1);
	assert_true(r.lost);
	assert_int_equal(r.reason, MSK_LOSS_XIVE_QUEUE_OVERFLOW);
	r = agree(f, FX_MSI_WINDOW, 3);
	assert_false(r.lost);
	assert_true(r.coalesced);
	fx_free(f);
}

static void test_probing_changes_nothing(void **state)
{
	struct fx *f = rig();
	struct snap a, b;
	take_snap(f, &a);
	uint64_t addrs[] = { FX_MSI_WINDOW,	      FX_MSI_WINDOW + 0xFFC,
			     fx_trig(f, 1),	      fx_mgmt(f, 1),
			     fx_trig(f, 3),	      fx_mgmt(f, 4) + MSK_XIVE_ESB_SET_PQ_00,
			     fx_trig(f, 255) + 0xFFFC };
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		for (uint32_t data = 0; data < 12; data++) {
			struct msk_xive_route r;
			assert_int_equal(msk_xive_route(f->x, addrs[i], data, &r), 1);
		}
	take_snap(f, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	fx_free(f);
}

static void test_outside_the_xive(void **state)
{
	struct fx *f = rig();
	struct msk_xive_route r;
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(msk_xive_route(f->x, 0x1000, 1, &r), 0); /* RAM */
	assert_false(r.lost || r.source);
	assert_int_equal(msk_xive_route(f->x, FX_MSI_WINDOW + 0x1000, 1, &r), 0);
	assert_int_equal(msk_xive_route(f->x, FX_ESB_BASE - 4, 1, &r), 0);
	assert_int_equal(msk_xive_route(f->x, FX_ESB_BASE + (FX_SOURCES * 2ull << 16), 1, &r), 0);
	assert_int_equal(msk_xive_route(f->x, ~0ull, 1, &r), 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_outcome_agrees_with_the_data_path),
		cmocka_unit_test(test_full_queue),
		cmocka_unit_test(test_probing_changes_nothing),
		cmocka_unit_test(test_outside_the_xive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
