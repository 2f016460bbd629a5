/* SPDX-License-Identifier: MIT */
/*
 * The module table (msikit.machine, expect, expect_violation, story, form,
 * version), the Lua state of a run, and actors: coroutines the runtime
 * schedules.
 */
#include "lua_msikit.h"

#include <stdlib.h>
#include <string.h>

/* --- actors ------------------------------------------------------------------------------- */

struct lactor *lmsk_actor_of(lua_State *L)
{
	return *(struct lactor **)lua_getextraspace(L);
}

struct lactor *lmsk_actor_new(struct lrun *run, lua_State *co, int ref, int nargs)
{
	struct lactor *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->run = run;
	a->co = co;
	a->ref = ref;
	a->nargs = nargs;
	*(struct lactor **)lua_getextraspace(co) = a;
	return a;
}

static enum msk_sim_req actor_resume(void *ctx, unsigned int id, uint64_t *ticks)
{
	struct lactor *a = ctx;
	struct lrun *run = a->run;
	if (a->pending) { /* the main chunk asked before the runtime started */
		a->pending = false;
		*ticks = a->ticks;
		return a->req;
	}
	if (run->handler_error || run->actor_error)
		return MSK_SIM_FAIL; /* the run is over: a handler or an actor failed */
	a->req_set = false;
	int nres = 0;
	int st = lua_resume(a->co, run->L, a->nargs, &nres);
	a->nargs = 0;
	if (st == LUA_YIELD) {
		lua_pop(a->co, nres);
		if (!a->req_set)
			return MSK_SIM_YIELD; /* a bare coroutine.yield() acts as m:yield() */
		*ticks = a->ticks;
		return a->req;
	}
	if (st == LUA_OK) {
		lua_pop(a->co, nres);
		return MSK_SIM_DONE;
	}
	const char *msg = lua_tostring(a->co, -1);
	if (!run->actor_error)
		run->actor_error =
			strdup(msg ? msg : "an actor raised an error that is not a string");
	return MSK_SIM_FAIL;
}

static void actor_release(void *ctx, unsigned int id)
{
	struct lactor *a = ctx;
	if (a->main)
		return; /* the run owns the main chunk's actor */
	luaL_unref(a->run->L, LUA_REGISTRYINDEX, a->ref);
	free(a);
}

const struct msk_sim_actor_ops lmsk_actor_ops = { actor_resume, actor_release };

/* --- module functions ------------------------------------------------------------------------ */

static struct lrun *run_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* msikit.expect(cond [, message]) --> cond as a boolean */
static int l_expect(lua_State *L)
{
	struct lrun *run = run_of(L);
	luaL_checkany(L, 1);
	const char *msg = luaL_optstring(L, 2, "expectation");
	bool ok = lua_toboolean(L, 1);
	run->res->expect_total++;
	if (!ok) {
		run->res->expect_failed++;
		luaL_where(L, 1);
		strlist_addf(&run->res->expect_failures, "%sexpectation failed: %s",
			     lua_tostring(L, -1), msg);
		lua_pop(L, 1);
	}
	lua_pushboolean(L, ok);
	return 1;
}

/* msikit.story{ title = ..., before = ..., after = ... } --> the form of this run */
static int l_story(lua_State *L)
{
	static const char *const keys[] = { "title", "before", "after", NULL };
	struct lrun *run = run_of(L);
	lmsk_check_keys(L, 1, "msikit.story{}", keys);
	const char *title = lmsk_opt_string(L, 1, "msikit.story{}", "title", NULL);
	const char *before = lmsk_opt_string(L, 1, "msikit.story{}", "before", NULL);
	const char *after = lmsk_opt_string(L, 1, "msikit.story{}", "after", NULL);
	if (!title || !before || !after)
		return luaL_error(L, "msikit.story{}: title, before and after are required");
	struct scn_story *s = &run->res->story;
	s->declared = true;
	snprintf(s->title, sizeof(s->title), "%s", title);
	snprintf(s->before, sizeof(s->before), "%s", before);
	snprintf(s->after, sizeof(s->after), "%s", after);
	lua_pushstring(L, run->res->form);
	return 1;
}

static int l_machine(lua_State *L)
{
	return lmsk_machine_new(L);
}

static int l_no_exit(lua_State *L)
{
	return luaL_error(L, "os.exit is not available in a scenario (use msikit.expect)");
}

static int l_quiet_print(lua_State *L)
{
	return 0;
}

static int l_stderr_print(lua_State *L)
{
	int n = lua_gettop(L);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			fputc('\t', stderr);
		fputs(luaL_tolstring(L, i, NULL), stderr);
		lua_pop(L, 1);
	}
	fputc('\n', stderr);
	return 0;
}

/* Push the module table (for require and the global). */
static int open_module(lua_State *L)
{
	struct lrun *run = lua_touserdata(L, lua_upvalueindex(1));
	lua_newtable(L);
	static const luaL_Reg fns[] = {
		{ "expect", l_expect }, { "expect_violation", lmsk_expect_violation },
		{ "story", l_story },	{ "machine", l_machine },
		{ NULL, NULL },
	};
	lua_pushlightuserdata(L, run);
	luaL_setfuncs(L, fns, 1);
	lua_pushstring(L, msk_version());
	lua_setfield(L, -2, "version");
	if (run->opts->form)
		lua_pushstring(L, run->opts->form);
	else
		lua_pushnil(L);
	lua_setfield(L, -2, "form");
	static const char *const maybe_nil[] = { "version", "form", NULL };
	lmsk_strict_table(L, "msikit", fns, maybe_nil);
	return 1;
}

void lmsk_open(struct lrun *run)
{
	lua_State *L = run->L;
	*(struct lactor **)lua_getextraspace(L) = NULL;
	lmsk_open_libs(run);
	lmsk_machine_register(L);
	lmsk_device_register(L);
	lmsk_bare_register(L);
	/* Deterministic: math.random follows the run's seed. */
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "randomseed");
	lua_pushinteger(L, (lua_Integer)run->res->seed);
	lua_call(L, 1, 0);
	lua_pop(L, 1);
	lua_getglobal(L, "os");
	lua_pushcfunction(L, l_no_exit);
	lua_setfield(L, -2, "exit");
	lua_pop(L, 1);
	if (run->opts->quiet || run->opts->print_stderr) {
		lua_pushcfunction(L, run->opts->quiet ? l_quiet_print : l_stderr_print);
		lua_setglobal(L, "print");
	}
	/* require "msikit" works without a file, and the global is there too. */
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "preload");
	lua_pushlightuserdata(L, run);
	lua_pushcclosure(L, open_module, 1);
	lua_setfield(L, -2, "msikit");
	lua_pop(L, 2);
	lua_getglobal(L, "require");
	lua_pushstring(L, "msikit");
	lua_call(L, 1, 1);
	lua_setglobal(L, "msikit");
}
