/* SPDX-License-Identifier: MIT */
/*
 * The edge flow: events arriving while disabled, masked or running
 * elsewhere are held and replayed exactly once; counts and the ledger.
 */
#include "msk_test.h"
#include "test_hier.h"

#include <pthread.h>
#include <sched.h>

struct fx {
	struct th t;
	struct msk_ledger *ledger;
	unsigned int virq;
};

static _Atomic unsigned int calls;
static _Atomic unsigned int last_cpu;

static enum msk_irqreturn handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	atomic_fetch_add(&calls, 1);
	atomic_store(&last_cpu, cpu);
	return MSK_IRQ_HANDLED;
}

static int setup(void **state)
{
	static struct fx f;
	if (msk_ledger_create(&f.ledger) < 0 || th_create(&f.t, 4, f.ledger) < 0)
		return -1;
	if (th_alloc(&f.t, 1, 0, &f.virq) < 0)
		return -1;
	atomic_store(&calls, 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	th_destroy(&f->t);
	msk_ledger_destroy(f->ledger);
	return 0;
}

static void assert_balanced(struct fx *f)
{
	assert_msk_ok(msk_ledger_check(f->ledger, msk_core_held(f->t.core)));
}

static void raise_on(struct fx *f, unsigned int cpu, int want)
{
	msk_ledger_raise(f->ledger, 1);
	assert_int_equal(msk_handle_irq(f->t.core, cpu, f->virq, 1), want);
	assert_balanced(f);
}

static void test_plain_delivery(void **state)
{
	struct fx *f = *state;
	raise_on(f, 0, MSK_FLOW_NO_HANDLER); /* not requested yet */
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "eth0", NULL));
	raise_on(f, 2, MSK_FLOW_HANDLED);
	assert_int_equal(atomic_load(&calls), 1);
	assert_int_equal(atomic_load(&last_cpu), 2);
	assert_int_equal(msk_irq_count(f->t.core, f->virq, 2), 1);
	assert_int_equal(msk_irq_count(f->t.core, f->virq, 0), 0);
	assert_int_equal(f->t.lv[TH_ROOT].acks, 2); /* edge: acked on every entry */
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_NO_HANDLER], 1);
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(f->t.core, f->virq, &info));
	assert_string_equal(info.action_name, "eth0");
	assert_string_equal(info.flow_name, "edge");
	assert_true(info.started && info.activated && !info.masked);
	assert_int_equal(info.spurious, 1);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
}

static void test_disabled_is_held_and_replayed_once(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "x", NULL));
	unsigned int masked_before = f->t.lv[TH_DEV].masked;
	assert_msk_ok(msk_irq_disable(f->t.core, f->virq));
	assert_msk_ok(msk_irq_disable(f->t.core, f->virq)); /* depth 2 */
	/* Lazy disable: not masked until an interrupt arrives. */
	assert_int_equal(f->t.lv[TH_DEV].masked, masked_before);
	raise_on(f, 1, MSK_FLOW_PENDING);
	assert_int_equal(f->t.lv[TH_DEV].masked, masked_before + 1);
	raise_on(f, 1, MSK_FLOW_PENDING);
	raise_on(f, 3, MSK_FLOW_PENDING);
	assert_int_equal(atomic_load(&calls), 0);
	assert_int_equal(msk_core_held(f->t.core), 3);
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(f->t.core, f->virq, &info));
	assert_true(info.pending && info.disabled && info.masked);
	assert_int_equal(info.pending_weight, 3);
	assert_int_equal(info.depth, 2);

	assert_msk_ok(msk_irq_enable(f->t.core, f->virq)); /* depth 1: still held */
	assert_int_equal(atomic_load(&calls), 0);
	assert_msk_ok(msk_irq_enable(f->t.core, f->virq)); /* depth 0: replay once */
	assert_int_equal(atomic_load(&calls), 1);
	assert_int_equal(f->t.lv[TH_DEV].masked, masked_before); /* lazily unmasked */
	assert_int_equal(msk_core_held(f->t.core), 0);
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.delivered, 3); /* one handler run delivers all three events */
	assert_balanced(f);
	assert_msk_ok(msk_irq_get_info(f->t.core, f->virq, &info));
	assert_false(info.pending);
	assert_int_equal(info.replayed, 1);
	/* Nothing more to replay. */
	assert_msk_error(msk_irq_enable(f->t.core, f->virq), MSK_EINVAL); /* unbalanced */
	assert_int_equal(atomic_load(&calls), 1);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
}

static void test_masked_is_held_and_replayed_once(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "x", NULL));
	assert_msk_ok(msk_irq_mask(f->t.core, f->virq));
	raise_on(f, 0, MSK_FLOW_PENDING);
	raise_on(f, 0, MSK_FLOW_PENDING);
	assert_int_equal(atomic_load(&calls), 0);
	assert_msk_ok(msk_irq_unmask(f->t.core, f->virq));
	assert_int_equal(atomic_load(&calls), 1);
	assert_msk_ok(msk_irq_unmask(f->t.core, f->virq)); /* again: nothing held */
	assert_int_equal(atomic_load(&calls), 1);
	raise_on(f, 0, MSK_FLOW_HANDLED);
	assert_int_equal(atomic_load(&calls), 2);
	/* An explicit mask outlives a disable/enable pair. */
	assert_msk_ok(msk_irq_mask(f->t.core, f->virq));
	assert_msk_ok(msk_irq_disable(f->t.core, f->virq));
	raise_on(f, 0, MSK_FLOW_PENDING);
	assert_msk_ok(msk_irq_enable(f->t.core, f->virq));
	assert_int_equal(atomic_load(&calls), 2);
	assert_msk_ok(msk_irq_unmask(f->t.core, f->virq));
	assert_int_equal(atomic_load(&calls), 3);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
	assert_balanced(f);
}

/* Held events survive free_irq and go to the next handler. */
static void test_pending_survives_free_irq(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "x", NULL));
	assert_msk_ok(msk_irq_disable(f->t.core, f->virq));
	raise_on(f, 0, MSK_FLOW_PENDING);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
	assert_int_equal(msk_core_held(f->t.core), 1);
	assert_msk_ok(msk_irq_enable(f->t.core, f->virq)); /* no handler: stays held */
	assert_int_equal(atomic_load(&calls), 0);
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "y", NULL));
	assert_int_equal(atomic_load(&calls), 1);
	assert_int_equal(msk_core_held(f->t.core), 0);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
	assert_balanced(f);
}

/* Freeing a virq that holds events reports them lost with a reason. */
static void test_freed_while_pending(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "x", NULL));
	assert_msk_ok(msk_irq_disable(f->t.core, f->virq));
	raise_on(f, 0, MSK_FLOW_PENDING);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
	assert_msk_ok(msk_domain_free_irqs(f->t.core, f->virq, 1));
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_FREED_WHILE_PENDING], 1);
	assert_int_equal(msk_core_held(f->t.core), 0);
	assert_balanced(f);
	assert_msk_ok(th_alloc(&f->t, 1, 0, &f->virq)); /* for teardown symmetry */
}

/* A handler may disable its own irq; the next event is held. */
static enum msk_irqreturn self_disabling(unsigned int virq, unsigned int cpu, void *dev_id)
{
	struct fx *f = dev_id;
	atomic_fetch_add(&calls, 1);
	assert_int_equal(msk_irq_disable_nosync(f->t.core, virq), 0);
	/* Waiting calls are refused from a handler. */
	assert_int_equal(msk_synchronize_irq(f->t.core, virq), -MSK_EPERM);
	assert_int_equal(msk_free_irq(f->t.core, virq), -MSK_EPERM);
	unsigned int v;
	assert_int_equal(th_alloc(&f->t, 1, 100, &v), -MSK_EPERM);
	return MSK_IRQ_HANDLED;
}

static void test_handler_context(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, self_disabling, "x", f));
	raise_on(f, 0, MSK_FLOW_HANDLED);
	raise_on(f, 0, MSK_FLOW_PENDING);
	assert_int_equal(atomic_load(&calls), 1);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
	assert_msk_ok(msk_irq_enable(f->t.core, f->virq));
	assert_balanced(f);
}

static enum msk_irqreturn not_mine(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_NONE;
}

static void test_unhandled_is_spurious(void **state)
{
	struct fx *f = *state;
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, not_mine, "x", NULL));
	raise_on(f, 1, MSK_FLOW_UNHANDLED);
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_UNHANDLED], 1);
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(f->t.core, f->virq, &info));
	assert_int_equal(info.spurious, 1);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
}

/* In progress on CPU 0 while CPU 1 takes it: held, then replayed by CPU 0. */
static _Atomic int gate; /* 0: handler waits, 1: released */
static _Atomic int inside;

static enum msk_irqreturn slow_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	unsigned int n = atomic_fetch_add(&calls, 1);
	atomic_store(&last_cpu, cpu);
	if (n == 0) {
		atomic_store(&inside, 1);
		while (!atomic_load(&gate))
			sched_yield();
	}
	return MSK_IRQ_HANDLED;
}

static void *cpu0_thread(void *arg)
{
	struct fx *f = arg;
	msk_ledger_raise(f->ledger, 1);
	int rc = msk_handle_irq(f->t.core, 0, f->virq, 1);
	return (void *)(intptr_t)rc;
}

static void test_in_progress_is_replayed_by_running_cpu(void **state)
{
	struct fx *f = *state;
	atomic_store(&gate, 0);
	atomic_store(&inside, 0);
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, slow_handler, "x", NULL));
	pthread_t th;
	pthread_create(&th, NULL, cpu0_thread, f);
	while (!atomic_load(&inside))
		sched_yield();
	/* CPU 1 takes the same irq while CPU 0 runs its handler. */
	msk_ledger_raise(f->ledger, 1);
	assert_int_equal(msk_handle_irq(f->t.core, 1, f->virq, 1), MSK_FLOW_PENDING);
	msk_ledger_raise(f->ledger, 1);
	assert_int_equal(msk_handle_irq(f->t.core, 1, f->virq, 1), MSK_FLOW_PENDING);
	assert_int_equal(atomic_load(&calls), 1);
	atomic_store(&gate, 1);
	void *rc;
	pthread_join(th, &rc);
	assert_int_equal((intptr_t)rc, MSK_FLOW_HANDLED);
	/* Replayed once, by CPU 0, carrying both events. */
	assert_int_equal(atomic_load(&calls), 2);
	assert_int_equal(atomic_load(&last_cpu), 0);
	assert_int_equal(msk_irq_count(f->t.core, f->virq, 0), 2);
	assert_int_equal(msk_irq_count(f->t.core, f->virq, 1), 0);
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.delivered, 3);
	assert_balanced(f);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
}

static void test_fasteoi_flow(void **state)
{
	struct fx *f = *state;
	msk_irq_data_set_flow(msk_irq_get_irq_data(f->t.core, f->virq), MSK_FLOW_FASTEOI);
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "x", NULL));
	unsigned int acks = f->t.lv[TH_ROOT].acks;
	raise_on(f, 0, MSK_FLOW_HANDLED);
	assert_msk_ok(msk_irq_disable(f->t.core, f->virq));
	raise_on(f, 0, MSK_FLOW_PENDING);
	/* EOI on both paths, no ack. */
	assert_int_equal(f->t.lv[TH_ROOT].eois, 2);
	assert_int_equal(f->t.lv[TH_ROOT].acks, acks);
	assert_msk_ok(msk_irq_enable(f->t.core, f->virq));
	assert_int_equal(f->t.lv[TH_ROOT].eois, 2); /* a replay is not taken from the chip */
	assert_int_equal(atomic_load(&calls), 2);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
}

static void test_affinity(void **state)
{
	struct fx *f = *state;
	struct msk_cpumask m = msk_cpumask_of(2);
	/* Before activation the mask is stored and used at activation. */
	assert_msk_ok(msk_irq_set_affinity(f->t.core, f->virq, &m));
	assert_int_equal(f->t.affinity_calls, 0);
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "x", NULL));
	struct msk_cpumask eff = msk_irq_get_effective_affinity(f->t.core, f->virq);
	assert_true(msk_cpumask_test(&eff, 2));
	/* After activation it goes through the chip hierarchy (DEV -> MID -> ROOT). */
	msk_cpumask_clear(&m);
	msk_cpumask_set(&m, 1);
	msk_cpumask_set(&m, 3);
	assert_msk_ok(msk_irq_set_affinity(f->t.core, f->virq, &m));
	assert_int_equal(f->t.affinity_calls, 1);
	struct msk_cpumask req = msk_irq_get_affinity(f->t.core, f->virq);
	eff = msk_irq_get_effective_affinity(f->t.core, f->virq);
	assert_true(msk_cpumask_equal(&req, &m));
	assert_int_equal(msk_cpumask_weight(&eff), 1);
	assert_true(msk_cpumask_test(&eff, 1));
	/* Bad masks leave both unchanged. */
	struct msk_cpumask bad = msk_cpumask_of(9);
	assert_msk_error(msk_irq_set_affinity(f->t.core, f->virq, &bad), MSK_EINVAL);
	msk_cpumask_clear(&bad);
	assert_msk_error(msk_irq_set_affinity(f->t.core, f->virq, &bad), MSK_EINVAL);
	assert_msk_ok(msk_core_set_cpu_online(f->t.core, 1, false));
	assert_msk_ok(msk_core_set_cpu_online(f->t.core, 3, false));
	assert_msk_error(msk_irq_set_affinity(f->t.core, f->virq, &m), MSK_EINVAL);
	req = msk_irq_get_affinity(f->t.core, f->virq);
	assert_true(msk_cpumask_equal(&req, &m));
	assert_msk_ok(msk_core_set_cpu_online(f->t.core, 1, true));
	assert_msk_ok(msk_core_set_cpu_online(f->t.core, 3, true));
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
}

/*
 * A device that sends the moment it is unmasked (synchronous doorbell):
 * the flow is re-entered under the descriptor lock; the event must be
 * delivered exactly once, without deadlock.
 */
static struct fx *sync_fx;
static void sync_unmask(struct msk_irq_data *d)
{
	msk_ledger_raise(sync_fx->ledger, 1);
	msk_handle_irq(sync_fx->t.core, 0, d->virq, 1);
}

static void test_synchronous_send_on_unmask(void **state)
{
	struct fx *f = *state;
	sync_fx = f;
	static struct msk_irq_chip chip;
	struct msk_irq_data *d = msk_irq_get_irq_data(f->t.core, f->virq);
	chip = *d->chip;
	chip.irq_unmask = sync_unmask;
	d->chip = &chip;
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "sync", NULL));
	assert_int_equal(atomic_load(&calls), 1);
	assert_msk_ok(msk_irq_mask(f->t.core, f->virq));
	assert_msk_ok(msk_irq_unmask(f->t.core, f->virq));
	assert_int_equal(atomic_load(&calls), 2);
	assert_balanced(f);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
}

/*
 * Mask and unmask reach the chip only on a change, as Linux's mask_irq()
 * and unmask_irq(): an unmask of an irq that is not masked (or a second
 * mask) calls nothing (fuzz_machine: XIVE's unmask dropped a coalesced Q).
 */
static unsigned int chip_masks, chip_unmasks;
static void count_mask(struct msk_irq_data *d)
{
	(void)d;
	chip_masks++;
}
static void count_unmask(struct msk_irq_data *d)
{
	(void)d;
	chip_unmasks++;
}

static void test_mask_unmask_on_change_only(void **state)
{
	struct fx *f = *state;
	static struct msk_irq_chip chip;
	struct msk_irq_data *d = msk_irq_get_irq_data(f->t.core, f->virq);
	chip = *d->chip;
	chip.irq_mask = count_mask;
	chip.irq_unmask = count_unmask;
	d->chip = &chip;
	assert_msk_ok(msk_request_irq(f->t.core, f->virq, handler, "count", NULL));
	unsigned int m0 = chip_masks, u0 = chip_unmasks;
	assert_msk_ok(msk_irq_unmask(f->t.core, f->virq)); /* started: not masked */
	assert_int_equal(chip_unmasks, u0);
	assert_msk_ok(msk_irq_mask(f->t.core, f->virq));
	assert_msk_ok(msk_irq_mask(f->t.core, f->virq));
	assert_int_equal(chip_masks, m0 + 1);
	assert_msk_ok(msk_irq_unmask(f->t.core, f->virq));
	assert_msk_ok(msk_irq_unmask(f->t.core, f->virq));
	assert_int_equal(chip_unmasks, u0 + 1);
	assert_msk_ok(msk_free_irq(f->t.core, f->virq));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_delivery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_is_held_and_replayed_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_masked_is_held_and_replayed_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pending_survives_free_irq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_freed_while_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handler_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unhandled_is_spurious, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_progress_is_replayed_by_running_cpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fasteoi_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_affinity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synchronous_send_on_unmask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mask_unmask_on_change_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
