/* SPDX-License-Identifier: MIT */
/*
 * The machine's nothing-stranded invariant on arm64 (docs/sim.md): an
 * unmask whose INV fails twice leaves the LPI disabled in the GIC's
 * configuration cache (docs/platform-arm64.md, Faults); the vector is
 * started, unmasked and enabled, so the event the device then sends waits in
 * the redistributor of an online CPU - forever, on an idle machine. The
 * invariant reports it at quiescence (msk_platform_route().held); a plain
 * mask/unmask reports nothing.
 */
#include "machine_one.h"
#include "platform/arm64.h"

static void run(bool stale)
{
	struct machine_one o;
	machine_one_new(&o, "arm64");
	struct msk_core *core = msk_machine_core(o.m);
	assert_msk_ok(msk_irq_mask(core, o.virq));
	if (stale) /* the next three commands fail: the unmask's INV, on both tries */
		assert_msk_ok(msk_its_inject_command_error(
			arm64_platform_gic(msk_machine_platform(o.m)), 1, 3));
	msk_irq_unmask(core, o.virq);
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(o.dev), 0));
	assert_msk_ok(msk_machine_run(o.m));
	struct msk_ledger_counts c;
	msk_ledger_read(msk_machine_ledger(o.m), &c);
	assert_int_equal(c.lost, 0);
	if (stale) {
		assert_int_equal(c.delivered, 0);
		assert_int_equal(
			msk_core_held(msk_machine_core(o.m)) + msk_machine_models_held(o.m), 1);
		assert_true(machine_one_reported(o.m, "nothing-stranded"));
		assert_true(machine_one_reported(o.m, "controller 1"));
	} else {
		assert_int_equal(c.delivered, 1);
		assert_int_equal(msk_machine_invariant_count(o.m), 0);
	}
	msk_machine_destroy(o.m);
}

static void test_unmask_settles(void **state)
{
	(void)state;
	run(false);
}

static void test_stale_inv_is_reported(void **state)
{
	(void)state;
	run(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unmask_settles),
		cmocka_unit_test(test_stale_inv_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
