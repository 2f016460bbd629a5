/* SPDX-License-Identifier: MIT */
/* The deterministic runtime: PRNG, interleaving by seed, time, idle, CPUs, limits. */
#include "msk_test.h"

#include "base/alloc.h"

#include <stdlib.h>

/* --- a scripted actor: yields n times, or sleeps, recording into a shared trace --------- */

struct log {
	char buf[4096];
	size_t len;
};

static void log_put(struct log *l, char c)
{
	if (l->len + 1 < sizeof(l->buf)) {
		l->buf[l->len++] = c;
		l->buf[l->len] = '\0';
	}
}

struct actor {
	struct log *log;
	char name;
	int yields; /* stop this many times with the request below, then end */
	enum msk_sim_req req;
	uint64_t ticks;
	int ran, released;
	struct msk_sim *sim;
	uint64_t seen_time[16];
};

static enum msk_sim_req actor_resume(void *ctx, unsigned int id, uint64_t *ticks)
{
	struct actor *a = ctx;
	if (a->ran < 16)
		a->seen_time[a->ran] = msk_sim_now(a->sim);
	a->ran++;
	log_put(a->log, a->name);
	if (a->yields-- <= 0)
		return MSK_SIM_DONE;
	*ticks = a->ticks;
	return a->req;
}

static void actor_release(void *ctx, unsigned int id)
{
	((struct actor *)ctx)->released++;
}

static const struct msk_sim_actor_ops actor_ops = { actor_resume, actor_release };

static struct msk_sim *new_sim(uint64_t seed, unsigned int ncpus)
{
	struct msk_sim_config cfg = { .seed = seed, .ncpus = ncpus };
	struct msk_sim *sim;
	assert_msk_ok(msk_sim_create(&cfg, &sim));
	return sim;
}

/* Three actors yielding 6 times each: the interleaving under a seed. */
static void interleave(uint64_t seed, struct log *log)
{
	memset(log, 0, sizeof(*log));
	struct msk_sim *sim = new_sim(seed, 1);
	struct actor a[3];
	for (int i = 0; i < 3; i++) {
		a[i] = (struct actor){
			.log = log, .name = (char)('a' + i), .yields = 6, .sim = sim
		};
		assert_msk_ok(msk_sim_spawn(sim, &actor_ops, &a[i], NULL));
	}
	assert_msk_ok(msk_sim_run(sim));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(a[i].ran, 7);
		assert_int_equal(a[i].released, 1);
	}
	assert_int_equal(msk_sim_actors_alive(sim), 0);
	assert_int_equal(msk_sim_steps(sim), 21);
	msk_sim_destroy(sim);
}

static void test_prng_is_reproducible(void **state)
{
	struct msk_prng g1, g2, g3;
	msk_prng_seed(&g1, 42);
	msk_prng_seed(&g2, 42);
	msk_prng_seed(&g3, 43);
	int differ = 0;
	for (int i = 0; i < 100; i++) {
		uint64_t x = msk_prng_next(&g1);
		assert_int_equal(x, msk_prng_next(&g2));
		differ += x != msk_prng_next(&g3);
	}
	assert_true(differ > 90);
	for (int i = 0; i < 1000; i++)
		assert_true(msk_prng_below(&g1, 7) < 7);
	assert_int_equal(msk_prng_below(&g1, 0), 0);
	assert_int_equal(msk_prng_below(&g1, 1), 0);
}

static void test_same_seed_same_interleaving(void **state)
{
	struct log l1, l2;
	interleave(7, &l1);
	interleave(7, &l2);
	assert_string_equal(l1.buf, l2.buf);
	assert_int_equal(strlen(l1.buf), 21);
}

static void test_seeds_change_the_interleaving(void **state)
{
	struct log l1, l2;
	interleave(1, &l1);
	int differ = 0;
	for (uint64_t s = 2; s < 20 && !differ; s++) {
		interleave(s, &l2);
		differ = strcmp(l1.buf, l2.buf) != 0;
	}
	assert_true(differ);
}

static void test_sleep_advances_virtual_time(void **state)
{
	struct log log = { 0 };
	struct msk_sim *sim = new_sim(3, 1);
	struct actor slow = {
		.log = &log, .name = 's', .yields = 2, .req = MSK_SIM_SLEEP, .ticks = 10, .sim = sim
	};
	struct actor fast = {
		.log = &log, .name = 'f', .yields = 2, .req = MSK_SIM_SLEEP, .ticks = 3, .sim = sim
	};
	assert_msk_ok(msk_sim_spawn(sim, &actor_ops, &slow, NULL));
	assert_msk_ok(msk_sim_spawn(sim, &actor_ops, &fast, NULL));
	assert_msk_ok(msk_sim_run(sim));
	/* fast runs at 0, 3, 6; slow at 0, 10, 20. */
	assert_int_equal(fast.seen_time[1], 3);
	assert_int_equal(fast.seen_time[2], 6);
	assert_int_equal(slow.seen_time[1], 10);
	assert_int_equal(slow.seen_time[2], 20);
	assert_int_equal(msk_sim_now(sim), 20);
	assert_string_equal(log.buf + 2, "ffss"); /* the first two at time 0 in either order */
	msk_sim_destroy(sim);
}

static void test_wait_idle_waits_for_the_others(void **state)
{
	struct log log = { 0 };
	struct msk_sim *sim = new_sim(5, 1);
	struct actor waiter = {
		.log = &log, .name = 'w', .yields = 1, .req = MSK_SIM_WAIT_IDLE, .sim = sim
	};
	struct actor sleeper = {
		.log = &log, .name = 's', .yields = 3, .req = MSK_SIM_SLEEP, .ticks = 4, .sim = sim
	};
	assert_msk_ok(msk_sim_spawn(sim, &actor_ops, &waiter, NULL));
	assert_msk_ok(msk_sim_spawn(sim, &actor_ops, &sleeper, NULL));
	assert_msk_ok(msk_sim_run(sim));
	/* The waiter's second run comes after every run of the sleeper. */
	assert_int_equal(log.buf[log.len - 1], 'w');
	assert_int_equal(waiter.seen_time[1], 12);
	msk_sim_destroy(sim);
}

/* --- CPUs --------------------------------------------------------------------------------- */

struct cpus {
	unsigned int pending[4];
	unsigned int served[4];
	char order[64];
	size_t n;
	int fail_cpu; /* -1: none */
};

static int serve(void *ctx, unsigned int cpu)
{
	struct cpus *c = ctx;
	if ((int)cpu == c->fail_cpu)
		return -MSK_EIO;
	if (!c->pending[cpu])
		return 0;
	c->pending[cpu]--;
	c->served[cpu]++;
	if (c->n + 1 < sizeof(c->order))
		c->order[c->n++] = (char)('0' + cpu);
	return 1;
}

static struct msk_sim *cpu_sim(struct cpus *c, uint64_t seed)
{
	memset(c, 0, sizeof(*c));
	c->fail_cpu = -1;
	struct msk_sim_config cfg = { .seed = seed, .ncpus = 4, .cpu_service = serve, .ctx = c };
	struct msk_sim *sim;
	assert_msk_ok(msk_sim_create(&cfg, &sim));
	return sim;
}

static void test_kicked_cpus_take_everything(void **state)
{
	struct cpus c;
	struct msk_sim *sim = cpu_sim(&c, 9);
	c.pending[1] = 3;
	c.pending[2] = 2;
	msk_sim_kick(sim, 1);
	msk_sim_kick(sim, 2);
	msk_sim_kick(sim, 99); /* ignored */
	assert_msk_ok(msk_sim_run(sim));
	assert_int_equal(c.served[1], 3);
	assert_int_equal(c.served[2], 2);
	assert_int_equal(c.served[0] + c.served[3], 0);
	msk_sim_destroy(sim);
}

static void test_idle_sweep_finds_work_without_a_kick(void **state)
{
	struct cpus c;
	struct msk_sim *sim = cpu_sim(&c, 1);
	c.pending[3] = 2; /* no kick */
	assert_msk_ok(msk_sim_run(sim));
	assert_int_equal(c.served[3], 2);
	msk_sim_destroy(sim);
}

static void test_offline_cpu_is_not_serviced(void **state)
{
	struct cpus c;
	struct msk_sim *sim = cpu_sim(&c, 1);
	assert_msk_ok(msk_sim_set_cpu_online(sim, 2, false));
	assert_false(msk_sim_cpu_online(sim, 2));
	c.pending[2] = 2;
	msk_sim_kick(sim, 2);
	assert_msk_ok(msk_sim_run(sim));
	assert_int_equal(c.served[2], 0);
	assert_msk_ok(msk_sim_set_cpu_online(sim, 2, true));
	assert_msk_ok(msk_sim_run(sim));
	assert_int_equal(c.served[2], 2);
	assert_msk_error(msk_sim_set_cpu_online(sim, 4, true), MSK_EINVAL);
	msk_sim_destroy(sim);
}

static void test_service_errors_do_not_loop(void **state)
{
	struct cpus c;
	struct msk_sim *sim = cpu_sim(&c, 1);
	c.fail_cpu = 0;
	msk_sim_kick(sim, 0);
	assert_msk_ok(msk_sim_run(sim));
	assert_true(msk_sim_steps(sim) < 10);
	msk_sim_destroy(sim);
}

static void test_cpu_interleaving_follows_the_seed(void **state)
{
	char first[64];
	struct cpus c;
	struct msk_sim *sim = cpu_sim(&c, 11);
	for (int i = 0; i < 4; i++) {
		c.pending[i] = 5;
		msk_sim_kick(sim, (unsigned)i);
	}
	assert_msk_ok(msk_sim_run(sim));
	memcpy(first, c.order, sizeof(first));
	msk_sim_destroy(sim);
	sim = cpu_sim(&c, 11);
	for (int i = 0; i < 4; i++) {
		c.pending[i] = 5;
		msk_sim_kick(sim, (unsigned)i);
	}
	assert_msk_ok(msk_sim_run(sim));
	assert_string_equal(first, c.order);
	assert_int_equal(strlen(first), 20);
	msk_sim_destroy(sim);
}

/* --- limits and errors ---------------------------------------------------------------------- */

static enum msk_sim_req forever(void *ctx, unsigned int id, uint64_t *ticks)
{
	return MSK_SIM_YIELD;
}

static const struct msk_sim_actor_ops forever_ops = { forever, NULL };

static void test_step_limit(void **state)
{
	struct msk_sim_config cfg = { .seed = 1, .ncpus = 1, .max_steps = 1000 };
	struct msk_sim *sim;
	assert_msk_ok(msk_sim_create(&cfg, &sim));
	assert_msk_ok(msk_sim_spawn(sim, &forever_ops, NULL, NULL));
	assert_msk_error(msk_sim_run(sim), MSK_E2BIG);
	assert_non_null(strstr(msk_last_error(), "did not settle"));
	assert_int_equal(msk_sim_steps(sim), 1000);
	assert_int_equal(msk_sim_actors_alive(sim), 1);
	msk_sim_destroy(sim);
}

/* A CPU that always has one more interrupt (a handler raising its own vector again). */
static int always_more(void *ctx, unsigned int cpu)
{
	(*(uint64_t *)ctx)++;
	return 1;
}

static void test_livelock(void **state)
{
	uint64_t served = 0;
	struct msk_sim_config cfg = { .seed = 1,
				      .ncpus = 2,
				      .max_livelock = 500,
				      .cpu_service = always_more,
				      .ctx = &served };
	struct msk_sim *sim;
	assert_msk_ok(msk_sim_create(&cfg, &sim));
	msk_sim_kick(sim, 1);
	assert_msk_error(msk_sim_run(sim), MSK_ELOOP);
	assert_non_null(strstr(msk_last_error(), "livelock: 500 interrupts in a row"));
	assert_int_equal(served, 500); /* said after 500 steps, not after max_steps (10^7) */
	msk_sim_destroy(sim);
	/* An actor that keeps running is no livelock: the step limit ends that run. */
	served = 0;
	cfg.max_steps = 3000;
	assert_msk_ok(msk_sim_create(&cfg, &sim));
	msk_sim_kick(sim, 0);
	assert_msk_ok(msk_sim_spawn(sim, &forever_ops, NULL, NULL));
	assert_msk_error(msk_sim_run(sim), MSK_E2BIG);
	assert_true(served > 500);
	msk_sim_destroy(sim);
}

/* Many actors: each step is O(log n); the k-th ready actor by id is the one picked. */
static enum msk_sim_req sleep_once(void *ctx, unsigned int id, uint64_t *ticks)
{
	unsigned int *left = ctx;
	if (left[id]--) {
		*ticks = 1 + id % 7;
		return MSK_SIM_SLEEP;
	}
	return MSK_SIM_DONE;
}

static void test_many_actors(void **state)
{
	enum { N = 100000 };
	static unsigned int left[N];
	static const struct msk_sim_actor_ops ops = { sleep_once, NULL };
	struct msk_sim *sim = new_sim(3, 1);
	for (unsigned int i = 0; i < N; i++) {
		left[i] = 2;
		assert_msk_ok(msk_sim_spawn(sim, &ops, left, NULL));
	}
	assert_msk_ok(msk_sim_run(sim));
	assert_int_equal(msk_sim_actors_alive(sim), 0);
	assert_int_equal(msk_sim_steps(sim), 3 * N);
	assert_int_equal(msk_sim_now(sim), 14); /* the last wake: two sleeps of 7 */
	msk_sim_destroy(sim);
}

static enum msk_sim_req failing(void *ctx, unsigned int id, uint64_t *ticks)
{
	return MSK_SIM_FAIL;
}

static const struct msk_sim_actor_ops failing_ops = { failing, actor_release };

static void test_failing_actor_stops_the_run(void **state)
{
	struct msk_sim *sim = new_sim(1, 1);
	struct actor a = { 0 };
	assert_msk_ok(msk_sim_spawn(sim, &failing_ops, &a, NULL));
	assert_msk_error(msk_sim_run(sim), MSK_ECANCELED);
	assert_int_equal(a.released, 1);
	msk_sim_destroy(sim);
}

static int stop_at_3(void *ctx, const struct msk_sim_step *st)
{
	return st->n == 3 ? -MSK_EIO : 0;
}

static void test_after_step_error_stops_the_run(void **state)
{
	struct msk_sim_config cfg = { .seed = 1, .ncpus = 1, .after_step = stop_at_3 };
	struct msk_sim *sim;
	assert_msk_ok(msk_sim_create(&cfg, &sim));
	assert_msk_ok(msk_sim_spawn(sim, &forever_ops, NULL, NULL));
	assert_int_equal(msk_sim_run(sim), -MSK_EIO);
	assert_int_equal(msk_sim_steps(sim), 3);
	msk_sim_destroy(sim); /* releases the live actor */
}

struct nested {
	struct msk_sim *sim;
	int rc;
	int spawned;
	struct actor child;
	struct log log;
};

static enum msk_sim_req nested_resume(void *ctx, unsigned int id, uint64_t *ticks)
{
	struct nested *n = ctx;
	n->rc = msk_sim_run(n->sim);
	assert_int_equal(msk_sim_current_actor(n->sim), (int)id);
	n->child = (struct actor){ .log = &n->log, .name = 'c', .yields = 2, .sim = n->sim };
	for (int i = 0; i < 20; i++) /* forces the actor table to grow mid-step */
		assert_msk_ok(msk_sim_spawn(n->sim, &actor_ops, &n->child, NULL));
	n->spawned = 1;
	return MSK_SIM_DONE;
}

static const struct msk_sim_actor_ops nested_ops = { nested_resume, NULL };

static void test_run_inside_a_step_is_refused_and_spawn_works(void **state)
{
	struct nested n = { 0 };
	n.sim = new_sim(1, 1);
	assert_msk_ok(msk_sim_spawn(n.sim, &nested_ops, &n, NULL));
	assert_msk_ok(msk_sim_run(n.sim));
	assert_int_equal(n.rc, -MSK_EBUSY);
	assert_true(n.spawned);
	assert_int_equal(n.child.released, 20);
	assert_int_equal(msk_sim_current_actor(n.sim), -1);
	msk_sim_destroy(n.sim);
}

static void test_bad_config(void **state)
{
	struct msk_sim *sim;
	struct msk_sim_config cfg = { .seed = 1, .ncpus = 0 };
	assert_msk_error(msk_sim_create(&cfg, &sim), MSK_EINVAL);
	cfg.ncpus = MSK_MAX_CPUS + 1;
	assert_msk_error(msk_sim_create(&cfg, &sim), MSK_EINVAL);
	cfg.ncpus = 1;
	assert_msk_ok(msk_sim_create(&cfg, &sim));
	assert_msk_error(msk_sim_spawn(sim, NULL, NULL, NULL), MSK_EINVAL);
	msk_sim_destroy(sim);
	msk_sim_destroy(NULL);
}

static void test_spawn_under_fault_injection(void **state)
{
	struct msk_sim *sim = new_sim(1, 1);
	struct actor a = { .yields = 0 };
	struct log log = { 0 };
	a.log = &log;
	a.sim = sim;
	msk_fault_reset();
	/*
	 * The runtime's own tables are not the code under test: an armed
	 * failure is neither hit nor consumed by a spawn (base/alloc.h nofault).
	 */
	msk_fault_fail_alloc(1);
	assert_msk_ok(msk_sim_spawn(sim, &actor_ops, &a, NULL));
	assert_int_equal(msk_fault_injected_count(), 0);
	assert_null(msk_malloc(8)); /* still armed: the next allocation of the library fails */
	msk_fault_reset();
	assert_int_equal(a.released, 0);
	assert_msk_ok(msk_sim_run(sim));
	assert_int_equal(a.released, 1);
	msk_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prng_is_reproducible),
		cmocka_unit_test(test_same_seed_same_interleaving),
		cmocka_unit_test(test_seeds_change_the_interleaving),
		cmocka_unit_test(test_sleep_advances_virtual_time),
		cmocka_unit_test(test_wait_idle_waits_for_the_others),
		cmocka_unit_test(test_kicked_cpus_take_everything),
		cmocka_unit_test(test_idle_sweep_finds_work_without_a_kick),
		cmocka_unit_test(test_offline_cpu_is_not_serviced),
		cmocka_unit_test(test_service_errors_do_not_loop),
		cmocka_unit_test(test_cpu_interleaving_follows_the_seed),
		cmocka_unit_test(test_step_limit),
		cmocka_unit_test(test_livelock),
		cmocka_unit_test(test_many_actors),
		cmocka_unit_test(test_failing_actor_stops_the_run),
		cmocka_unit_test(test_after_step_error_stops_the_run),
		cmocka_unit_test(test_run_inside_a_step_is_refused_and_spawn_works),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_spawn_under_fault_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
