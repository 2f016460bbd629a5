/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_SIM_H
#define MSIKIT_SIM_H

/*
 * The deterministic runtime: one OS thread, virtual time, virtual CPUs
 * and actors, every choice drawn from one PRNG seeded once. The same seed
 * replays the same run exactly (FoundationDB-style simulation testing).
 *
 * What can run at a step:
 *  - a CPU that was kicked (msk_sim_kick: "an interrupt may be pending
 *    here") takes one interrupt through the caller's cpu_service();
 *  - an actor that is ready resumes until it stops again: it yields
 *    (ready again at once), sleeps for some ticks, waits for the machine
 *    to go idle (m:run() inside a scenario), or ends.
 * At every step the runtime lists what can run in a fixed order (kicked
 * online CPUs by number, then ready actors by id) and picks one with the
 * PRNG. When nothing can run at the current time it first sweeps every
 * online CPU once (a controller that did not kick is still serviced), then
 * moves time to the earliest sleeper; when no actor sleeps either, the
 * actors waiting for idle are woken; when there are none, the run is over.
 * Servicing an interrupt and running an actor take no virtual time: time
 * advances only by sleeping.
 *
 * After every step the caller's after_step() checks its invariants. The
 * runtime knows nothing of interrupts or Lua: the machine (msikit/machine.h)
 * supplies cpu_service and after_step, the Lua scenario layer supplies
 * actors.
 *
 * Threads: one thread drives a runtime; msk_sim_kick() may be called from
 * any thread (it is an atomic bit set).
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit/cpumask.h>

#ifdef __cplusplus
extern "C" {
#endif

struct msk_sim;

/* What an actor asks for when it stops running. */
enum msk_sim_req {
	MSK_SIM_YIELD = 0,     /* ready again at the current time */
	MSK_SIM_SLEEP = 1,     /* ready again at now + ticks */
	MSK_SIM_WAIT_IDLE = 2, /* ready again once nothing else can happen */
	MSK_SIM_DONE = 3,      /* ended */
	MSK_SIM_FAIL = 4,      /* ended with an error: the run stops (-MSK_ECANCELED) */
};

/* An actor's callbacks. */
struct msk_sim_actor_ops {
	/*
	 * Run the actor until it stops; return what it asks for, with *ticks
	 * set for MSK_SIM_SLEEP. Called only from msk_sim_run().
	 */
	enum msk_sim_req (*resume)(void *ctx, unsigned int id, uint64_t *ticks);
	/* The actor is gone: it ended, failed, or the runtime is destroyed (optional). */
	void (*release)(void *ctx, unsigned int id);
};

/* Where a step went. */
enum msk_sim_step_kind {
	MSK_SIM_STEP_CPU = 0,	/* a CPU serviced one interrupt */
	MSK_SIM_STEP_ACTOR = 1, /* an actor ran */
	MSK_SIM_STEP_SWEEP = 2, /* the idle sweep found work on a CPU */
};

struct msk_sim_step {
	uint64_t n;    /* 1, 2, ... */
	uint64_t time; /* virtual time of the step */
	enum msk_sim_step_kind kind;
	unsigned int id; /* CPU number or actor id */
	int result;	 /* CPU: what cpu_service returned; actor: its enum msk_sim_req */
};

struct msk_sim_config {
	uint64_t seed;
	unsigned int ncpus; /* 1 .. MSK_MAX_CPUS; all online at start */
	uint64_t max_steps; /* a run that takes more steps fails (0: 10 000 000) */
	uint64_t max_time;  /* virtual time limit (0: 2^62) */
	/*
	 * Livelock: a run in which this many steps in a row only service CPUs
	 * (no actor runs, time stands still: a handler that raises its own
	 * vector again) fails with -MSK_ELOOP (0: 100 000; without a handler
	 * raising again, the steps at one instant are bounded by the pending
	 * vectors, since pending interrupts coalesce).
	 */
	uint64_t max_livelock;
	/*
	 * Take one pending interrupt on cpu and run it to its handler.
	 * Returns 1 when one was taken, 0 when nothing was pending (the
	 * CPU's kick is then cleared), or a negative error (recorded by the
	 * caller; the kick is cleared). Optional: without it CPUs never run
	 * (a bare machine, whose guest takes interrupts itself).
	 */
	int (*cpu_service)(void *ctx, unsigned int cpu);
	/* After every step: 0, or a negative error that stops the run (optional). */
	int (*after_step)(void *ctx, const struct msk_sim_step *step);
	/*
	 * Quiescence: no actor can run and the idle sweep found nothing on any
	 * online CPU - before time moves on or the run ends (optional; its
	 * return value is ignored).
	 */
	int (*quiescent)(void *ctx);
	void *ctx;
};

/* Create a runtime. Returns 0, -MSK_EINVAL (bad config) or -MSK_ENOMEM. */
int msk_sim_create(const struct msk_sim_config *cfg, struct msk_sim **out);

/* Destroy a runtime; every actor still alive is released. NULL is ignored. */
void msk_sim_destroy(struct msk_sim *sim);

/*
 * Add an actor, ready at the current time; its id (0, 1, ...) goes to
 * *id when id is not NULL. May be called from inside a step (an actor
 * spawning another, a handler). Returns 0, -MSK_EINVAL or -MSK_ENOMEM
 * (ops->release is not called then).
 */
int msk_sim_spawn(struct msk_sim *sim, const struct msk_sim_actor_ops *ops, void *ctx,
		  unsigned int *id);

/* "CPU cpu may have an interrupt to take." Any thread; out-of-range CPUs are ignored. */
void msk_sim_kick(struct msk_sim *sim, unsigned int cpu);

/*
 * Mark a CPU online or offline for the runtime: an offline CPU is never
 * serviced (what is pending there waits). -MSK_EINVAL for a bad CPU.
 */
int msk_sim_set_cpu_online(struct msk_sim *sim, unsigned int cpu, bool online);
bool msk_sim_cpu_online(const struct msk_sim *sim, unsigned int cpu);

/*
 * Run until nothing can happen any more and every actor has ended.
 * Returns 0; -MSK_E2BIG when max_steps or max_time was reached (the run
 * can continue with another call); -MSK_ELOOP on a livelock (max_livelock);
 * -MSK_ECANCELED when an actor failed;
 * or the error after_step returned. Must not be called from inside a step
 * (-MSK_EBUSY).
 */
int msk_sim_run(struct msk_sim *sim);

/* Is the runtime inside msk_sim_run()? */
bool msk_sim_running(const struct msk_sim *sim);

/* The actor running right now, or -1 (between steps, or a CPU step). */
int msk_sim_current_actor(const struct msk_sim *sim);

/* Virtual time, and steps taken so far. */
uint64_t msk_sim_now(const struct msk_sim *sim);
uint64_t msk_sim_steps(const struct msk_sim *sim);

/* Actors alive (not ended). */
unsigned int msk_sim_actors_alive(const struct msk_sim *sim);

/*
 * The runtime's PRNG (xoshiro256** seeded by splitmix64 from the seed):
 * the next 64 random bits, and a uniform integer in [0, n) (0 for n 0).
 * Every random choice of a run must come from here to keep runs
 * reproducible.
 */
uint64_t msk_sim_random(struct msk_sim *sim);
uint64_t msk_sim_random_below(struct msk_sim *sim, uint64_t n);

/* The same generator, standalone (for tools that need one without a runtime). */
struct msk_prng {
	uint64_t s[4];
};
void msk_prng_seed(struct msk_prng *g, uint64_t seed);
uint64_t msk_prng_next(struct msk_prng *g);
uint64_t msk_prng_below(struct msk_prng *g, uint64_t n);

#ifdef __cplusplus
}
#endif
#endif
