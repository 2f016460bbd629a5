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
	if (lmsk_timed_out(run)) {   /* between two resumes: no Lua call here (unprotected) */
		char buf[96], where[LUA_IDSIZE + 24], msg[LUA_IDSIZE + 128];
		if (!lmsk_where(run, a->co, 0, where, sizeof(where)))
			snprintf(where, sizeof(where), "%s:", run->chunks[0].src);
		snprintf(msg, sizeof(msg), "%s %s", where,
			 lmsk_timeout_text(run, buf, sizeof(buf)));
		run->actor_error = lmsk_map_names(run, msg);
		return MSK_SIM_FAIL;
	}
	a->req_set = false;
	run->last_actor = a;
	int nres = 0;
	int st = lua_resume(a->co, run->L, a->nargs, &nres);
	a->nargs = 0;
	if (st == LUA_YIELD) {
		lua_pop(a->co, nres);
		if (!a->req_set)
			return MSK_SIM_YIELD; /* a bare coroutine.yield() acts as m:yield() */
		if (a->main && a->target != a->lm) { /* it waits on another machine now */
			a->pending = true;
			run->main_moved = true;
			return MSK_SIM_DONE;
		}
		*ticks = a->ticks;
		return a->req;
	}
	if (st == LUA_OK) {
		lua_pop(a->co, nres);
		return MSK_SIM_DONE;
	}
	if (!run->actor_error)
		run->actor_error = lmsk_resume_error(run, a->co, st);
	if (!run->actor_error)
		run->actor_error = strdup("an actor failed (and there is no memory to say how)");
	return MSK_SIM_FAIL;
}

static void actor_release(void *ctx, unsigned int id)
{
	struct lactor *a = ctx;
	if (a->run->last_actor == a)
		a->run->last_actor = NULL;
	if (a->main)
		return; /* the run owns the main chunk's actor */
	luaL_unref(a->run->L, LUA_REGISTRYINDEX, a->ref);
	free(a);
}

const struct msk_sim_actor_ops lmsk_actor_ops = { actor_resume, actor_release };

/* --- coroutines the runtime owns ----------------------------------------------------------- */

/* Is co a coroutine of the runtime (an actor, the main chunk, a machine's handler thread)? */
static bool runtime_thread(struct lrun *run, lua_State *co)
{
	if (lmsk_actor_of(co))
		return true;
	for (struct lmachine *lm = run->machines; lm; lm = lm->next)
		if (lm->hthread == co)
			return true;
	return false;
}

/*
 * coroutine.resume and coroutine.close refuse the runtime's coroutines: the
 * runtime alone resumes an actor (and closing one would leave the runtime
 * resuming a dead coroutine).
 */
static int guarded_co(lua_State *L)
{
	void *ud = NULL;
	lua_getallocf(L, &ud);
	lua_State *co = lua_tothread(L, 1);
	if (co && runtime_thread(ud, co))
		return luaL_error(L,
				  "coroutine.%s: that coroutine is run by msikit's runtime (the "
				  "scenario, an m:spawn() actor or a handler): wait with m:run()",
				  lua_tostring(L, lua_upvalueindex(2)));
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static void guard_coroutines(lua_State *L)
{
	static const char *const fns[] = { "resume", "close", NULL };
	lua_getglobal(L, LUA_COLIBNAME);
	for (const char *const *f = fns; *f; f++) {
		lua_getfield(L, -1, *f);
		lua_pushstring(L, *f);
		lua_pushcclosure(L, guarded_co, 2);
		lua_setfield(L, -2, *f);
	}
	lua_pop(L, 1);
}

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
		lua_pushfstring(L, "%sexpectation failed: %s", lua_tostring(L, -1), msg);
		char *m = lmsk_map_names(run, lua_tostring(L, -1));
		strlist_add(&run->res->expect_failures, m ? m : lua_tostring(L, -1));
		free(m);
		lua_pop(L, 2);
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

/*
 * print() to stdout or stderr (upvalue 2: which), like Lua's, but with
 * every internal chunk name replaced by its path: an error the script
 * caught and prints names the file as the user gave it (lmsk_map_names).
 */
static int l_print(lua_State *L)
{
	struct lrun *run = lua_touserdata(L, lua_upvalueindex(1));
	FILE *out = lua_toboolean(L, lua_upvalueindex(2)) ? stderr : stdout;
	int n = lua_gettop(L);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			fputc('\t', out);
		size_t len;
		const char *text = luaL_tolstring(L, i, &len);
		char *mapped = strlen(text) == len ? lmsk_map_names(run, text) : NULL;
		if (mapped)
			fputs(mapped, out);
		else
			fwrite(text, 1, len, out);
		free(mapped);
		lua_pop(L, 1);
	}
	fputc('\n', out);
	fflush(out); /* as Lua's print */
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
	guard_coroutines(L);
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
	if (run->opts->quiet) {
		lua_pushcfunction(L, l_quiet_print);
	} else {
		lua_pushlightuserdata(L, run);
		lua_pushboolean(L, run->opts->print_stderr);
		lua_pushcclosure(L, l_print, 2);
	}
	lua_setglobal(L, "print");
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
