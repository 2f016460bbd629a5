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

#define DEFAULT_MAX_STEPS    10000000ull
#define DEFAULT_MAX_TIME     (1ull << 62)
#define DEFAULT_MAX_LIVELOCK 100000ull

enum actor_state { A_READY, A_SLEEPING, A_WAITING, A_ENDED };

struct sim_actor {
	const struct msk_sim_actor_ops *ops;
	void *ctx;
	enum actor_state state;
	uint64_t wake;
};

/* A sleeper in the wake-up heap: earliest wake first. */
struct sleeper {
	uint64_t wake;
	unsigned int id;
};

/*
 * Every step is O(ncpus + log nactors): the ready actors are counted in a
 * Fenwick tree over actor ids (the k-th ready actor by id in O(log n), the
 * order the PRNG's choice has always been made in), sleepers wait in a
 * min-heap by wake time, idle-waiters in a list. The bookkeeping is
 * allocated without fault injection (base/alloc.h).
 */
struct msk_sim {
	struct msk_sim_config cfg;
	struct msk_prng prng;
	_Atomic uint64_t kicked[MSK_CPU_WORDS];
	struct msk_cpumask online;
	struct sim_actor *actors;
	unsigned int nactors, cap, alive;
	unsigned int *ready;  /* Fenwick tree, 1-based, cap entries: 1 per READY actor */
	unsigned int nready;  /* READY actors */
	unsigned int topbit;  /* the highest power of two <= cap */
	struct sleeper *heap; /* cap entries */
	unsigned int nheap;
	unsigned int *waiters; /* cap entries */
	unsigned int nwaiters;
	unsigned int cpu_cand[MSK_MAX_CPUS];
	uint64_t now, steps;
	uint64_t busy, busy_time; /* CPU-only steps in a row, all at virtual time busy_time */
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
	if (!sim->cfg.max_livelock)
		sim->cfg.max_livelock = DEFAULT_MAX_LIVELOCK;
	msk_prng_seed(&sim->prng, cfg->seed);
	msk_cpumask_fill(&sim->online, cfg->ncpus);
	sim->current = -1;
	*out = sim;
	return 0;
}

/* --- the ready set (Fenwick tree over ids), the sleepers' heap --------------------------------- */

static void ready_add(struct msk_sim *sim, unsigned int id, int delta)
{
	for (unsigned int i = id + 1; i <= sim->cap; i += i & -i)
		sim->ready[i - 1] += (unsigned int)delta;
	sim->nready += (unsigned int)delta;
}

static void set_ready(struct msk_sim *sim, unsigned int id)
{
	sim->actors[id].state = A_READY;
	ready_add(sim, id, 1);
}

/* The id of the k-th (0-based) ready actor, by id. */
static unsigned int kth_ready(const struct msk_sim *sim, unsigned int k)
{
	unsigned int pos = 0;
	for (unsigned int step = sim->topbit; step; step >>= 1)
		if (pos + step <= sim->cap && sim->ready[pos + step - 1] <= k) {
			pos += step;
			k -= sim->ready[pos - 1];
		}
	return pos;
}

static void heap_push(struct msk_sim *sim, uint64_t wake, unsigned int id)
{
	unsigned int i = sim->nheap++;
	while (i > 0) {
		unsigned int p = (i - 1) / 2;
		if (sim->heap[p].wake <= wake)
			break;
		sim->heap[i] = sim->heap[p];
		i = p;
	}
	sim->heap[i] = (struct sleeper){ wake, id };
}

static struct sleeper heap_pop(struct msk_sim *sim)
{
	struct sleeper top = sim->heap[0], last = sim->heap[--sim->nheap];
	unsigned int i = 0, n = sim->nheap;
	for (;;) {
		unsigned int c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && sim->heap[c + 1].wake < sim->heap[c].wake)
			c++;
		if (last.wake <= sim->heap[c].wake)
			break;
		sim->heap[i] = sim->heap[c];
		i = c;
	}
	if (n)
		sim->heap[i] = last;
	return top;
}

/* Room for cap actors in every table (O(cap): amortized over the spawns that filled it). */
static int grow(struct msk_sim *sim, unsigned int cap)
{
	struct sim_actor *a = msk_realloc_nofault(sim->actors, cap * sizeof(*a));
	if (a)
		sim->actors = a;
	struct sleeper *h = a ? msk_realloc_nofault(sim->heap, cap * sizeof(*h)) : NULL;
	if (h)
		sim->heap = h;
	unsigned int *w = h ? msk_realloc_nofault(sim->waiters, cap * sizeof(*w)) : NULL;
	if (w)
		sim->waiters = w;
	unsigned int *r = w ? msk_calloc_nofault(cap, sizeof(*r)) : NULL;
	if (!r)
		return msk_err(MSK_ENOMEM, "sim: no room for actor %u", sim->nactors);
	msk_free(sim->ready);
	sim->ready = r;
	sim->cap = cap;
	sim->nready = 0;
	while (sim->topbit * 2 <= cap)
		sim->topbit = sim->topbit ? sim->topbit * 2 : 1;
	for (unsigned int id = 0; id < sim->nactors; id++)
		if (sim->actors[id].state == A_READY)
			ready_add(sim, id, 1);
	return 0;
}

static void end_actor(struct msk_sim *sim, unsigned int id)
{
	struct sim_actor *a = &sim->actors[id];
	if (a->state == A_ENDED)
		return;
	if (a->state == A_READY)
		ready_add(sim, id, -1);
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
	msk_free(sim->ready);
	msk_free(sim->heap);
	msk_free(sim->waiters);
	msk_free(sim);
}

int msk_sim_spawn(struct msk_sim *sim, const struct msk_sim_actor_ops *ops, void *ctx,
		  unsigned int *id)
{
	if (!sim || !ops || !ops->resume)
		return msk_err(MSK_EINVAL, "sim: an actor needs a resume callback");
	if (sim->nactors == sim->cap) {
		if (sim->cap > UINT32_MAX / 2 / sizeof(struct sim_actor))
			return msk_err(MSK_ENOMEM, "sim: no room for actor %u", sim->nactors);
		int rc = grow(sim, sim->cap ? sim->cap * 2 : 16);
		if (rc < 0)
			return rc;
	}
	unsigned int n = sim->nactors++;
	sim->actors[n] = (struct sim_actor){ .ops = ops, .ctx = ctx };
	set_ready(sim, n);
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

/*
 * What can run now, in a fixed order: kicked online CPUs (listed in
 * cpu_cand), then ready actors (counted, found by kth_ready). Returns how
 * many CPUs; *n is the total.
 */
static unsigned int list_candidates(struct msk_sim *sim, unsigned int *n)
{
	unsigned int ncpu = 0;
	if (sim->cfg.cpu_service)
		for (unsigned int c = 0; c < sim->cfg.ncpus; c++)
			if (kicked(sim, c) && msk_cpumask_test(&sim->online, c))
				sim->cpu_cand[ncpu++] = c;
	*n = ncpu + sim->nready;
	return ncpu;
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
		break; /* still ready */
	case MSK_SIM_SLEEP:
		ready_add(sim, id, -1);
		a->state = A_SLEEPING;
		a->wake =
			ticks > sim->cfg.max_time - sim->now ? sim->cfg.max_time : sim->now + ticks;
		heap_push(sim, a->wake, id);
		break;
	case MSK_SIM_WAIT_IDLE:
		ready_add(sim, id, -1);
		a->state = A_WAITING;
		sim->waiters[sim->nwaiters++] = id;
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
	if (sim->nheap) {
		uint64_t wake = sim->heap[0].wake;
		sim->now = wake;
		while (sim->nheap && sim->heap[0].wake == wake)
			set_ready(sim, heap_pop(sim).id);
		return 1;
	}
	for (unsigned int i = 0; i < sim->nwaiters; i++)
		set_ready(sim, sim->waiters[i]);
	int woke = sim->nwaiters > 0;
	sim->nwaiters = 0;
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
		unsigned int n, ncpu = list_candidates(sim, &n);
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
			unsigned int k = n > 1 ? (unsigned int)msk_sim_random_below(sim, n) : 0;
			if (k < ncpu) {
				st = (struct msk_sim_step){ .kind = MSK_SIM_STEP_CPU,
							    .id = sim->cpu_cand[k] };
				st.result = service_cpu(sim, st.id);
			} else {
				st = (struct msk_sim_step){ .kind = MSK_SIM_STEP_ACTOR,
							    .id = kth_ready(sim, k - ncpu) };
				st.result = (int)run_actor(sim, st.id);
			}
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
		bool still = st.kind != MSK_SIM_STEP_ACTOR && sim->now == sim->busy_time;
		sim->busy = still ? sim->busy + 1 : 0;
		sim->busy_time = sim->now;
		if (sim->busy >= sim->cfg.max_livelock) {
			rc = msk_err(
				MSK_ELOOP,
				"livelock: %llu interrupts in a row without time passing or an "
				"actor running (a handler that raises its vector again?)",
				(unsigned long long)sim->busy);
			sim->busy = 0;
			break;
		}
	}
	sim->running = false;
	return rc;
}
