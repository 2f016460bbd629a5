/* SPDX-License-Identifier: MIT */
/*
 * Limits for scenario text nobody vouches for (struct scn_limits, used by
 * the fuzz target tests/fuzz/fuzz_lua.c; the command sets none):
 *  - memory: the Lua state's allocator refuses to grow past the budget
 *    (Lua turns that into a "not enough memory" error);
 *  - instructions: a count hook on every thread of the run (threads
 *    inherit it from the one that creates them) charges the budget, and
 *    so does d:raise() for every event; past it, every instruction of
 *    that thread fails, so a script that catches the error cannot go on;
 *  - max_steps: caps machine{ max_steps } (the runtime's own limit);
 *  - ram: the script's own writes stop once that much guest RAM is
 *    resident (pages are allocated on first write);
 *  - sandbox: only the libraries that cannot reach the file system or the
 *    process: no io, no os beyond clock/time/date/difftime, no debug (its
 *    setmetatable and registry access defeat the bindings' type checks),
 *    no C modules or searchers other than package.preload, no dofile or
 *    loadfile, and load() of text only (a crafted binary chunk can crash
 *    the Lua VM).
 * The command itself (no limits) opens every standard library but debug,
 * and load/loadfile/dofile take text only: a scenario file may read and
 * write files like any Lua script, but cannot reach the bindings' C
 * structures through the wrong metatable or crash the VM with bytecode.
 */
#include "lua_msikit.h"

#include <stdio.h>
#include <stdlib.h>

#define HOOK_PERIOD 1000 /* instructions between two charges */

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct lrun *run = ud;
	size_t old = ptr ? osize : 0; /* without ptr, osize is the kind of object */
	if (nsize == 0) {
		free(ptr);
		run->mem_used -= old;
		return NULL;
	}
	size_t cap = run->opts->limits->memory;
	/* Only growth may fail: Lua relies on shrinking blocks never failing. */
	if (cap && nsize > old && run->mem_used - old + nsize > cap)
		return NULL;
	void *p = realloc(ptr, nsize);
	if (!p)
		return NULL;
	run->mem_used = run->mem_used - old + nsize;
	return p;
}

static int panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);
	fprintf(stderr, "msikit: Lua panic: %s\n", msg ? msg : "(not a string)");
	return 0; /* Lua aborts */
}

lua_State *lmsk_state_new(struct lrun *run)
{
	if (!run->opts->limits)
		return luaL_newstate();
	lua_State *L = lua_newstate(limited_alloc, run);
	if (L)
		lua_atpanic(L, panic);
	return L;
}

/* --- instructions ------------------------------------------------------------------------- */

static void count_hook(lua_State *L, lua_Debug *ar)
{
	void *ud = NULL;
	lua_getallocf(L, &ud); /* the run: set by lmsk_state_new */
	lmsk_charge(L, ud, HOOK_PERIOD);
}

void lmsk_charge(lua_State *L, struct lrun *run, uint64_t n)
{
	const struct scn_limits *lim = run->opts->limits;
	if (!lim || !lim->instructions)
		return;
	run->spent += n;
	if (run->spent <= lim->instructions)
		return;
	/* From now on every instruction of this thread fails, even inside pcall. */
	lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
	luaL_error(L, "the scenario ran past its limit of %I instructions",
		   (lua_Integer)lim->instructions);
}

void lmsk_limits_start(struct lrun *run)
{
	const struct scn_limits *lim = run->opts->limits;
	if (lim && lim->instructions)
		lua_sethook(run->L, count_hook, LUA_MASKCOUNT, HOOK_PERIOD);
}

void lmsk_charge_ram(lua_State *L, struct lrun *run, struct msk_bus *bus)
{
	const struct scn_limits *lim = run->opts->limits;
	if (lim && lim->ram && msk_ram_resident(bus) >= lim->ram)
		luaL_error(L, "the scenario wrote to more than %I bytes of guest RAM",
			   (lua_Integer)lim->ram);
}

uint64_t lmsk_limit_steps(const struct lrun *run, uint64_t max_steps)
{
	const struct scn_limits *lim = run->opts->limits;
	if (lim && lim->max_steps && (max_steps == 0 || max_steps > lim->max_steps))
		return lim->max_steps;
	return max_steps;
}

/* --- the sandbox ---------------------------------------------------------------------------- */

/* load(chunk [, chunkname [, mode [, env]]]) of text only, whatever mode asks. */
static int text_load(lua_State *L)
{
	int n = lua_gettop(L);
	lua_settop(L, 4);
	int base = 4;
	lua_pushvalue(L, lua_upvalueindex(1)); /* the real load */
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushliteral(L, "t");
	if (n >= 4)
		lua_pushvalue(L, 4); /* an explicit nil environment stays explicit */
	lua_call(L, n >= 4 ? 4 : 3, LUA_MULTRET);
	return lua_gettop(L) - base;
}

/* loadfile(name [, mode [, env]]) of text only. */
static int text_loadfile(lua_State *L)
{
	const char *name = luaL_optstring(L, 1, NULL);
	int env = !lua_isnone(L, 3) ? 3 : 0;
	if (luaL_loadfilex(L, name, "t") != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (env) {
		lua_pushvalue(L, env);
		if (!lua_setupvalue(L, -2, 1))
			lua_pop(L, 1);
	}
	return 1;
}

/* dofile(name) of text only. */
static int text_dofile(lua_State *L)
{
	const char *name = luaL_optstring(L, 1, NULL);
	lua_settop(L, 1);
	if (luaL_loadfilex(L, name, "t") != LUA_OK)
		return lua_error(L);
	lua_call(L, 0, LUA_MULTRET);
	return lua_gettop(L) - 1;
}

/*
 * What every run takes away, sandbox or not: the debug library (it can
 * give a machine a device's metatable, and then a method reads the wrong
 * C structure) and binary chunks (Lua does not verify bytecode).
 */
static void drop_unsafe(lua_State *L)
{
	lua_pushnil(L);
	lua_setglobal(L, LUA_DBLIBNAME);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushnil(L);
	lua_setfield(L, -2, LUA_DBLIBNAME);
	lua_pop(L, 1);
	lua_getglobal(L, "load");
	lua_pushcclosure(L, text_load, 1);
	lua_setglobal(L, "load");
	lua_pushcfunction(L, text_loadfile);
	lua_setglobal(L, "loadfile");
	lua_pushcfunction(L, text_dofile);
	lua_setglobal(L, "dofile");
}

static void restrict_base(lua_State *L)
{
	lua_pushnil(L);
	lua_setglobal(L, "dofile");
	lua_pushnil(L);
	lua_setglobal(L, "loadfile");
}

/* package: only package.preload (how "msikit" is found); no paths, no C loader. */
static void restrict_package(lua_State *L)
{
	lua_getglobal(L, LUA_LOADLIBNAME);
	lua_getfield(L, -1, "searchers");
	lua_createtable(L, 1, 0);
	lua_rawgeti(L, -2, 1); /* the preload searcher */
	lua_rawseti(L, -2, 1);
	lua_setfield(L, -3, "searchers");
	lua_pop(L, 1);
	static const char *const gone[] = { "loadlib", "searchpath", NULL };
	for (const char *const *k = gone; *k; k++) {
		lua_pushnil(L);
		lua_setfield(L, -2, *k);
	}
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "path");
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "cpath");
	lua_pop(L, 1);
}

/* os: the clock and calendar functions only (also what require "os" returns). */
static void restricted_os(lua_State *L)
{
	static const char *const keep[] = { "clock", "date", "difftime", "time", NULL };
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
	lua_createtable(L, 0, 5);
	for (const char *const *k = keep; *k; k++) {
		lua_getfield(L, -2, *k);
		lua_setfield(L, -2, *k);
	}
	lua_pushvalue(L, -1);
	lua_setglobal(L, LUA_OSLIBNAME);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, LUA_OSLIBNAME);
	lua_pop(L, 3);
}

void lmsk_open_libs(struct lrun *run)
{
	lua_State *L = run->L;
	const struct scn_limits *lim = run->opts->limits;
	if (!lim || !lim->sandbox) {
		luaL_openlibs(L);
		drop_unsafe(L);
		return;
	}
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },	      { LUA_LOADLIBNAME, luaopen_package },
		{ LUA_COLIBNAME, luaopen_coroutine }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string },   { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },    { NULL, NULL },
	};
	for (const luaL_Reg *l = libs; l->name; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	drop_unsafe(L);
	restrict_base(L);
	restrict_package(L);
	restricted_os(L);
}
