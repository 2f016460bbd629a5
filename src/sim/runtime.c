/* SPDX-License-Identifier: MIT */
/*
 * The deterministic runtime (msikit/sim.h): virtual time, kicked CPUs and
 * actors, one PRNG choosing what runs at each step.
 *
 * Actor states:
 *
 *	READY --resume--> YIELD      -> READY
 *	                  SLEEP t    -> SLEEPING (wake = now + t) -> READY at wake
 *	                  WAIT_IDLE  -> WAITING  -> READY when nothing else can happen
 *	                  DONE, FAIL -> ENDED (released; the id is never reused)
 */
#include <msikit/sim.h>

#include <stdatomic.h>
#include <string.h>

#include <msikit/error.h>

#include "base/alloc.h"
#include "base/error.h"

#define DEFAULT_MAX_STEPS 10000000ull
#define DEFAULT_MAX_TIME  (1ull << 62)

enum actor_state { A_READY, A_SLEEPING, A_WAITING, A_ENDED };

struct sim_actor {
	const struct msk_sim_actor_ops *ops;
	void *ctx;
	enum actor_state state;
	uint64_t wake;
};

struct cand {
	enum msk_sim_step_kind kind;
	unsigned int id;
};

struct msk_sim {
	struct msk_sim_config cfg;
	struct msk_prng prng;
	_Atomic uint64_t kicked[MSK_CPU_WORDS];
	struct msk_cpumask online;
	struct sim_actor *actors;
	unsigned int nactors, cap, alive;
	struct cand *cand; /* nactors + ncpus entries */
	unsigned int cand_cap;
	uint64_t now, steps;
	bool running;
	int current;
};

int msk_sim_create(const struct msk_sim_config *cfg, struct msk_sim **out)
{
	if (!cfg || !out || cfg->ncpus < 1 || cfg->ncpus > MSK_MAX_CPUS)
		return msk_err(MSK_EINVAL, "sim: needs 1..%u CPUs", MSK_MAX_CPUS);
	struct msk_sim *sim = msk_calloc(1, sizeof(*sim));
	if (!sim)
		return msk_err(MSK_ENOMEM, "sim: out of memory");
	sim->cfg = *cfg;
	if (!sim->cfg.max_steps)
		sim->cfg.max_steps = DEFAULT_MAX_STEPS;
	if (!sim->cfg.max_time)
		sim->cfg.max_time = DEFAULT_MAX_TIME;
	sim->cand_cap = cfg->ncpus;
	sim->cand = msk_calloc(sim->cand_cap, sizeof(*sim->cand));
	if (!sim->cand) {
		msk_free(sim);
		return msk_err(MSK_ENOMEM, "sim: out of memory");
	}
	msk_prng_seed(&sim->prng, cfg->seed);
	msk_cpumask_fill(&sim->online, cfg->ncpus);
	sim->current = -1;
	*out = sim;
	return 0;
}

static void end_actor(struct msk_sim *sim, unsigned int id)
{
	struct sim_actor *a = &sim->actors[id];
	if (a->state == A_ENDED)
		return;
	a->state = A_ENDED;
	sim->alive--;
	if (a->ops->release)
		a->ops->release(a->ctx, id);
}

void msk_sim_destroy(struct msk_sim *sim)
{
	if (!sim)
		return;
	for (unsigned int i = 0; i < sim->nactors; i++)
		end_actor(sim, i);
	msk_free(sim->actors);
	msk_free(sim->cand);
	msk_free(sim);
}

int msk_sim_spawn(struct msk_sim *sim, const struct msk_sim_actor_ops *ops, void *ctx,
		  unsigned int *id)
{
	if (!sim || !ops || !ops->resume)
		return msk_err(MSK_EINVAL, "sim: an actor needs a resume callback");
	if (sim->nactors == sim->cap) {
		unsigned int cap = sim->cap ? sim->cap * 2 : 16;
		struct sim_actor *a = msk_realloc(sim->actors, cap * sizeof(*a));
		if (!a)
			return msk_err(MSK_ENOMEM, "sim: no room for actor %u", sim->nactors);
		sim->actors = a;
		sim->cap = cap;
	}
	unsigned int need = sim->cap + sim->cfg.ncpus;
	if (sim->cand_cap < need) {
		struct cand *c = msk_realloc(sim->cand, need * sizeof(*c));
		if (!c)
			return msk_err(MSK_ENOMEM, "sim: no room for actor %u", sim->nactors);
		sim->cand = c;
		sim->cand_cap = need;
	}
	unsigned int n = sim->nactors++;
	sim->actors[n] = (struct sim_actor){ .ops = ops, .ctx = ctx, .state = A_READY };
	sim->alive++;
	if (id)
		*id = n;
	return 0;
}

void msk_sim_kick(struct msk_sim *sim, unsigned int cpu)
{
	if (sim && cpu < sim->cfg.ncpus)
		atomic_fetch_or(&sim->kicked[cpu / 64], 1ull << (cpu % 64));
}

static bool test_and_clear_kick(struct msk_sim *sim, unsigned int cpu)
{
	uint64_t bit = 1ull << (cpu % 64);
	return atomic_fetch_and(&sim->kicked[cpu / 64], ~bit) & bit;
}

static bool kicked(struct msk_sim *sim, unsigned int cpu)
{
	return atomic_load(&sim->kicked[cpu / 64]) & (1ull << (cpu % 64));
}

int msk_sim_set_cpu_online(struct msk_sim *sim, unsigned int cpu, bool online)
{
	if (!sim || cpu >= sim->cfg.ncpus)
		return msk_err(MSK_EINVAL, "sim: no CPU %u", cpu);
	if (online)
		msk_cpumask_set(&sim->online, cpu);
	else
		msk_cpumask_unset(&sim->online, cpu);
	return 0;
}

bool msk_sim_cpu_online(const struct msk_sim *sim, unsigned int cpu)
{
	return sim && msk_cpumask_test(&sim->online, cpu);
}

bool msk_sim_running(const struct msk_sim *sim)
{
	return sim && sim->running;
}

int msk_sim_current_actor(const struct msk_sim *sim)
{
	return sim ? sim->current : -1;
}

uint64_t msk_sim_now(const struct msk_sim *sim)
{
	return sim ? sim->now : 0;
}

uint64_t msk_sim_steps(const struct msk_sim *sim)
{
	return sim ? sim->steps : 0;
}

unsigned int msk_sim_actors_alive(const struct msk_sim *sim)
{
	return sim ? sim->alive : 0;
}

uint64_t msk_sim_random(struct msk_sim *sim)
{
	return msk_prng_next(&sim->prng);
}

uint64_t msk_sim_random_below(struct msk_sim *sim, uint64_t n)
{
	return msk_prng_below(&sim->prng, n);
}

/* --- the loop ------------------------------------------------------------------------------ */

/* What can run now, in a fixed order: kicked online CPUs, then ready actors. */
static unsigned int list_candidates(struct msk_sim *sim)
{
	unsigned int n = 0;
	if (sim->cfg.cpu_service)
		for (unsigned int c = 0; c < sim->cfg.ncpus; c++)
			if (kicked(sim, c) && msk_cpumask_test(&sim->online, c))
				sim->cand[n++] = (struct cand){ MSK_SIM_STEP_CPU, c };
	for (unsigned int i = 0; i < sim->nactors; i++)
		if (sim->actors[i].state == A_READY)
			sim->cand[n++] = (struct cand){ MSK_SIM_STEP_ACTOR, i };
	return n;
}

/* One CPU takes one interrupt; the kick stays while it may have more. */
static int service_cpu(struct msk_sim *sim, unsigned int cpu)
{
	test_and_clear_kick(sim, cpu);
	int r = sim->cfg.cpu_service(sim->cfg.ctx, cpu);
	if (r > 0)
		msk_sim_kick(sim, cpu);
	return r;
}

static enum msk_sim_req run_actor(struct msk_sim *sim, unsigned int id)
{
	struct sim_actor *a = &sim->actors[id];
	uint64_t ticks = 0;
	sim->current = (int)id;
	enum msk_sim_req req = a->ops->resume(a->ctx, id, &ticks);
	sim->current = -1;
	a = &sim->actors[id]; /* the actor may have spawned others (realloc) */
	switch (req) {
	case MSK_SIM_YIELD:
		a->state = A_READY;
		break;
	case MSK_SIM_SLEEP:
		a->state = A_SLEEPING;
		a->wake =
			ticks > sim->cfg.max_time - sim->now ? sim->cfg.max_time : sim->now + ticks;
		break;
	case MSK_SIM_WAIT_IDLE:
		a->state = A_WAITING;
		break;
	case MSK_SIM_DONE:
	case MSK_SIM_FAIL:
	default:
		end_actor(sim, id);
		break;
	}
	return req;
}

/* Nothing runnable now: sweep the CPUs once (a controller may not have kicked). */
static int sweep(struct msk_sim *sim, struct msk_sim_step *st)
{
	if (!sim->cfg.cpu_service)
		return 0;
	for (unsigned int c = 0; c < sim->cfg.ncpus; c++) {
		if (!msk_cpumask_test(&sim->online, c))
			continue;
		int r = service_cpu(sim, c);
		if (r > 0) { /* an error here was recorded by cpu_service; it is not work */
			*st = (struct msk_sim_step){ .kind = MSK_SIM_STEP_SWEEP,
						     .id = c,
						     .result = r };
			return 1;
		}
	}
	return 0;
}

/* Advance time to the earliest sleeper, or wake the idle-waiters. 0: nothing left. */
static int advance(struct msk_sim *sim)
{
	uint64_t wake = UINT64_MAX;
	for (unsigned int i = 0; i < sim->nactors; i++)
		if (sim->actors[i].state == A_SLEEPING && sim->actors[i].wake < wake)
			wake = sim->actors[i].wake;
	if (wake != UINT64_MAX) {
		sim->now = wake;
		for (unsigned int i = 0; i < sim->nactors; i++)
			if (sim->actors[i].state == A_SLEEPING && sim->actors[i].wake == wake)
				sim->actors[i].state = A_READY;
		return 1;
	}
	int woke = 0;
	for (unsigned int i = 0; i < sim->nactors; i++)
		if (sim->actors[i].state == A_WAITING) {
			sim->actors[i].state = A_READY;
			woke = 1;
		}
	return woke;
}

int msk_sim_run(struct msk_sim *sim)
{
	if (!sim)
		return msk_err(MSK_EINVAL, "sim: no runtime");
	if (sim->running)
		return msk_err(MSK_EBUSY, "sim: already running (called from inside a step)");
	sim->running = true;
	uint64_t start = sim->steps;
	int rc = 0;
	for (;;) {
		if (sim->steps - start >= sim->cfg.max_steps) {
			rc = msk_err(MSK_E2BIG,
				     "the machine did not settle after %llu steps (an actor that "
				     "never ends, or interrupts that keep coming?)",
				     (unsigned long long)sim->cfg.max_steps);
			break;
		}
		struct msk_sim_step st;
		unsigned int n = list_candidates(sim);
		if (n == 0) {
			if (!sweep(sim, &st)) {
				if (sim->cfg.quiescent)
					sim->cfg.quiescent(sim->cfg.ctx);
				if (sim->now >= sim->cfg.max_time) {
					rc = msk_err(MSK_E2BIG, "virtual time limit %llu reached",
						     (unsigned long long)sim->cfg.max_time);
					break;
				}
				if (advance(sim))
					continue;
				break; /* idle, every actor ended */
			}
		} else {
			struct cand c = sim->cand[n > 1 ? msk_sim_random_below(sim, n) : 0];
			st = (struct msk_sim_step){ .kind = c.kind, .id = c.id };
			if (c.kind == MSK_SIM_STEP_CPU)
				st.result = service_cpu(sim, c.id);
			else
				st.result = (int)run_actor(sim, c.id);
		}
		st.n = ++sim->steps;
		st.time = sim->now;
		if (sim->cfg.after_step) {
			int r = sim->cfg.after_step(sim->cfg.ctx, &st);
			if (r < 0) {
				rc = r;
				break;
			}
		}
		if (st.kind == MSK_SIM_STEP_ACTOR && st.result == MSK_SIM_FAIL) {
			rc = msk_err(MSK_ECANCELED, "actor %u failed", st.id);
			break;
		}
	}
	sim->running = false;
	return rc;
}
