/* SPDX-License-Identifier: MIT */
/*
 * The machine's nothing-stranded invariant (docs/sim.md), checked at
 * quiescence: a started, unmasked, enabled vector whose CPU is online holds
 * no event anywhere on an idle machine. On ppc64: two events coalesce at the
 * XIVE source (Q); a mask and unmask settle the second (lost xive-q-dropped)
 * and nothing is reported; a Q cleared behind the OS's back by SET_PQ_00,
 * which leaves the coalesced weight for a re-trigger that never comes, is.
 */
#include "machine_one.h"
#include "ppc64_fixture.h"

struct one {
	struct machine_one mo;
	struct msk_machine *m;
	unsigned int virq;
	uint32_t lisn;
};

static void one_vector(struct one *o)
{
	machine_one_new(&o->mo, "ppc64");
	o->m = o->mo.m;
	o->virq = o->mo.virq;
	struct msk_pcifn *fn = msk_machine_dev_fn(o->mo.dev);
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(fn, 0, &v));
	o->lisn = v.data; /* the pSeries message data is the LISN */
	/* Two events before any CPU runs: one queued (P), one coalesced (Q). */
	assert_msk_ok(msk_pcifn_raise(fn, 0));
	assert_msk_ok(msk_pcifn_raise(fn, 0));
}

static void test_mask_unmask_settles(void **state)
{
	(void)state;
	struct one o;
	one_vector(&o);
	struct msk_core *core = msk_machine_core(o.m);
	assert_msk_ok(msk_irq_mask(core, o.virq));
	assert_msk_ok(msk_irq_unmask(core, o.virq));
	assert_msk_ok(msk_machine_run(o.m));
	struct msk_ledger_counts c;
	msk_ledger_read(msk_machine_ledger(o.m), &c);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_XIVE_Q_DROPPED], 1);
	assert_int_equal(msk_core_held(msk_machine_core(o.m)) + msk_machine_models_held(o.m), 0);
	assert_int_equal(msk_machine_invariant_count(o.m), 0);
	msk_machine_destroy(o.m);
}

static void test_stranded_q_is_reported(void **state)
{
	(void)state;
	struct one o;
	one_vector(&o);
	struct msk_xive *x = msk_ppc64_platform_xive(msk_machine_platform(o.m));
	uint64_t old;
	assert_msk_ok(msk_xive_esb_access(x, o.lisn, MSK_XIVE_ESB_SET_PQ_00, false, &old));
	assert_int_equal(old, MSK_XIVE_PQ_QUEUED);
	assert_msk_ok(msk_machine_run(o.m));
	/* The queued entry was delivered; its EOI found Q clear: one event waits forever. */
	assert_int_equal(msk_core_held(msk_machine_core(o.m)) + msk_machine_models_held(o.m), 1);
	assert_true(machine_one_reported(o.m, "nothing-stranded"));
	assert_true(machine_one_reported(o.m, "controller 1"));
	assert_false(machine_one_reported(o.m, "msi-route"));
	msk_machine_destroy(o.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_unmask_settles),
		cmocka_unit_test(test_stranded_q_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
