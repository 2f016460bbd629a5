/* SPDX-License-Identifier: MIT */
/*
 * d:raise(v, count, { every = t }): a device that signals one vector again
 * and again, one event every t ticks of virtual time.
 *
 * d:raise(v, count) without `every` is `count` events at one instant: they
 * coalesce (one message of weight `count`, one interrupt, one handler run),
 * as a burst does on real hardware. A train spaces them out instead: each
 * event is raised on its own tick, and since time only moves once every CPU
 * has taken what was pending, each one is its own interrupt - `count`
 * handler runs, `count` in the interrupts table - unless the vector is
 * blocked (masked, CPU offline), when they coalesce where they wait.
 *
 * The first event is raised by the call itself (so a bad vector is an
 * error there); the rest by an actor of the runtime, which m:run() waits
 * for. The actor keeps its device's Lua object alive and stops early,
 * without raising the rest, when the device is removed or the run is
 * failing.
 */
#include "lua_msikit.h"

#include <stdlib.h>

struct ltrain {
	struct lrun *run;
	struct ldevice *dv;
	int devref; /* keeps the device userdata alive while the train runs */
	bool ims;
	bool waited; /* the first resume only waits: event 1 was raised by the call */
	unsigned int index;
	uint64_t left, every;
};

static enum msk_sim_req train_resume(void *ctx, unsigned int id, uint64_t *ticks)
{
	struct ltrain *t = ctx;
	struct ldevice *dv = t->dv;
	if (!t->waited) {
		t->waited = true;
		*ticks = t->every;
		return MSK_SIM_SLEEP;
	}
	if (t->run->handler_error || t->run->actor_error || !dv->d || !dv->lm->m)
		return MSK_SIM_DONE;
	struct msk_pcifn *fn = msk_machine_dev_fn(dv->d);
	lmsk_trace_raise(dv, t->ims, t->index, true);
	int rc = t->ims ? msk_pcifn_ims_raise(fn, t->index) : msk_pcifn_raise(fn, t->index);
	lmsk_trace_raise(dv, t->ims, t->index, false);
	if (rc < 0) {
		/* Checked at the start; only a model bug gets here. Say so and stop. */
		strlist_add(&t->run->res->errors, msk_last_error());
		return MSK_SIM_DONE;
	}
	if (--t->left == 0)
		return MSK_SIM_DONE;
	*ticks = t->every;
	return MSK_SIM_SLEEP;
}

static void train_release(void *ctx, unsigned int id)
{
	struct ltrain *t = ctx;
	luaL_unref(t->run->L, LUA_REGISTRYINDEX, t->devref);
	free(t);
}

static const struct msk_sim_actor_ops train_ops = { train_resume, train_release };

int lmsk_train_start(lua_State *L, int dev_idx, bool ims, unsigned int index, uint64_t count,
		     uint64_t every)
{
	struct ldevice *dv = lmsk_check_device(L, dev_idx);
	struct lrun *run = dv->lm->run;
	if (count <= 1) {
		lua_pushboolean(L, 1);
		return 1; /* the call raised the only event */
	}
	struct ltrain *t = calloc(1, sizeof(*t));
	if (!t)
		return lmsk_failf(L, run, MSK_ENOMEM, "PCI %s: no memory for a train of events",
				  dv->name);
	*t = (struct ltrain){
		.run = run, .dv = dv, .ims = ims, .index = index, .left = count - 1, .every = every
	};
	lua_pushvalue(L, dev_idx);
	t->devref = luaL_ref(L, LUA_REGISTRYINDEX);
	if (msk_sim_spawn(msk_machine_sim(dv->lm->m), &train_ops, t, NULL) < 0) {
		luaL_unref(L, LUA_REGISTRYINDEX, t->devref);
		free(t);
		return lmsk_fail(L, run);
	}
	lua_pushboolean(L, 1);
	return 1;
}
