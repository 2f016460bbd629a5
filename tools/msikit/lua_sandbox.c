/* SPDX-License-Identifier: MIT */
/*
 * What a scenario may reach of the process (enum scn_sandbox, docs/sim.md
 * "What a scenario may do").
 *
 * Every mode takes away: the debug library (it can give a machine a
 * device's metatable, and then a method reads the wrong C structure),
 * binary chunks (Lua does not verify bytecode: load, loadfile, dofile and
 * require load text only) and C modules (package.loadlib and the C
 * searchers: luaopen_debug would bring debug back, any libc function could
 * be called). require finds Lua modules next to the scenario
 * (DIR/?.lua;DIR/?/init.lua), then, with --allow-system only, on LUA_PATH.
 *
 * SCN_SANDBOX_DEFAULT also keeps the scenario from changing anything
 * outside the run: io opens files for reading only (io.open "r"/"rb",
 * io.lines, io.input), io.output takes no file name, no io.popen or
 * io.tmpfile; no os.execute, os.remove, os.rename, os.tmpname,
 * os.setlocale. Those answer with a Lua error naming --allow-system.
 *
 * SCN_SANDBOX_STRICT (text nobody vouches for: fuzz_lua) opens only base,
 * package (preload: "msikit"), coroutine, table, string, math, utf8 and
 * os.clock/date/difftime/time: no io, no dofile or loadfile, no require of
 * files.
 *
 * os.exit is an error in every mode (lua_msikit.c).
 */
#include "lua_msikit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct lrun *run_of(lua_State *L)
{
	void *ud = NULL;
	lua_getallocf(L, &ud);
	return ud;
}

/* --- text chunks ----------------------------------------------------------------------------- */

/*
 * Load a file as a text chunk named after path (lmsk_chunk_register: its
 * messages name the whole path). Pushes the chunk, or an error message.
 */
static int load_text_file(lua_State *L, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		lua_pushfstring(L, "cannot open %s", path);
		return LUA_ERRFILE;
	}
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		luaL_addlstring(&b, chunk, n);
	bool err = ferror(f);
	fclose(f);
	luaL_pushresult(&b);
	if (err) {
		lua_pop(L, 1);
		lua_pushfstring(L, "cannot read %s", path);
		return LUA_ERRFILE;
	}
	size_t len;
	const char *text = lua_tolstring(L, -1, &len);
	const char *start = text;
	if (len && text[0] == '#') /* a first line "#!..." is skipped, its newline kept */
		while (start < text + len && *start != '\n')
			start++;
	char name[LUA_IDSIZE + 2];
	lmsk_chunk_register(run_of(L), path, name, sizeof(name));
	int st = luaL_loadbufferx(L, start, len - (size_t)(start - text), name, "t");
	lua_remove(L, -2); /* the text */
	return st;
}

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

/* loadfile(name [, mode [, env]]) of text only (a file name is required). */
static int text_loadfile(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	int env = !lua_isnone(L, 3) ? 3 : 0;
	if (load_text_file(L, name) != LUA_OK) {
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
	const char *name = luaL_checkstring(L, 1);
	lua_settop(L, 1);
	if (load_text_file(L, name) != LUA_OK)
		return lua_error(L);
	lua_call(L, 0, LUA_MULTRET);
	return lua_gettop(L) - 1;
}

/* The Lua searcher of require, text only: package.searchpath on package.path. */
static int text_searcher(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	lua_getglobal(L, LUA_LOADLIBNAME);
	lua_getfield(L, -1, "path");
	const char *path = lua_tostring(L, -1);
	if (!path)
		return luaL_error(L, "package.path must be a string");
	lua_pushvalue(L, lua_upvalueindex(1)); /* package.searchpath */
	lua_pushstring(L, name);
	lua_pushstring(L, path);
	lua_call(L, 2, 2);
	if (lua_isnil(L, -2))
		return 1; /* the "no file ..." list */
	lua_pop(L, 1);
	const char *file = lua_tostring(L, -1);
	if (load_text_file(L, file) != LUA_OK)
		return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file,
				  lua_tostring(L, -1));
	lua_pushstring(L, file);
	return 2;
}

static void set_global_fn(lua_State *L, const char *name, lua_CFunction f)
{
	if (f)
		lua_pushcfunction(L, f);
	else
		lua_pushnil(L);
	lua_setglobal(L, name);
}

/* No debug library, text chunks only. */
static void drop_unsafe(lua_State *L, bool files)
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
	set_global_fn(L, "loadfile", files ? text_loadfile : NULL);
	set_global_fn(L, "dofile", files ? text_dofile : NULL);
}

/* The scenario's directory as require templates: "DIR/?.lua;DIR/?/init.lua". */
static void push_scenario_path(lua_State *L, const char *file)
{
	const char *slash = strrchr(file, '/');
	int dirlen = slash ? (int)(slash - file) : 1;
	const char *dir = slash ? file : ".";
	if (slash == file)
		dirlen = 0; /* a file in / */
	if (strcspn(dir, ";?") < (size_t)dirlen) {
		lua_pushliteral(L, ""); /* no template can name that directory */
		return;
	}
	lua_pushlstring(L, dir, (size_t)dirlen);
	const char *d = lua_tostring(L, -1);
	lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", d, d);
	lua_remove(L, -2);
}

/*
 * package: no loadlib, no C searchers, cpath "". Searchers: preload, then
 * (files) the text-only Lua searcher on DIR/?.lua (and LUA_PATH with system).
 */
static void restrict_package(lua_State *L, struct lrun *run, bool files, bool system)
{
	lua_getglobal(L, LUA_LOADLIBNAME);
	int pkg = lua_gettop(L);
	lua_getfield(L, pkg, "searchers");
	lua_createtable(L, 2, 0);
	lua_rawgeti(L, -2, 1); /* the preload searcher */
	lua_rawseti(L, -2, 1);
	if (files) {
		lua_getfield(L, pkg, "searchpath");
		lua_pushcclosure(L, text_searcher, 1);
		lua_rawseti(L, -2, 2);
	}
	lua_setfield(L, pkg, "searchers");
	lua_pop(L, 1);
	lua_pushnil(L);
	lua_setfield(L, pkg, "loadlib");
	if (!files) {
		lua_pushnil(L);
		lua_setfield(L, pkg, "searchpath");
	}
	if (files) {
		push_scenario_path(L, run->opts->file);
		if (system) {
			lua_pushliteral(L, ";");
			lua_getfield(L, pkg, "path");
			lua_concat(L, 3);
		}
	} else {
		lua_pushliteral(L, "");
	}
	lua_setfield(L, pkg, "path");
	lua_pushliteral(L, "");
	lua_setfield(L, pkg, "cpath");
	lua_pop(L, 1);
}

/* --- the default sandbox: read, never write ------------------------------------------------------ */

static int not_available(lua_State *L)
{
	return luaL_error(L, "%s is not available to a scenario (msikit run --allow-system)",
			  lua_tostring(L, lua_upvalueindex(1)));
}

/* Replace lib.name (the library table on top) by not_available. */
static void refuse(lua_State *L, const char *lib, const char *name)
{
	lua_pushfstring(L, "%s.%s", lib, name);
	lua_pushcclosure(L, not_available, 1);
	lua_setfield(L, -2, name);
}

/* io.open(name [, mode]): read modes only ("r", "rb"). */
static int read_only_open(lua_State *L)
{
	const char *mode = luaL_optstring(L, 2, "r");
	if (strcmp(mode, "r") != 0 && strcmp(mode, "rb") != 0)
		return luaL_error(L,
				  "io.open: mode \"%s\": a scenario opens files for reading only "
				  "(msikit run --allow-system)",
				  mode);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* io.output([file]): the current output, or an open file; never a file name. */
static int no_output_file(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TSTRING)
		return luaL_error(L, "io.output: a scenario opens no file for writing "
				     "(msikit run --allow-system)");
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static void wrap(lua_State *L, const char *name, lua_CFunction f)
{
	lua_getfield(L, -1, name);
	lua_pushcclosure(L, f, 1);
	lua_setfield(L, -2, name);
}

static void restrict_io_os(lua_State *L)
{
	lua_getglobal(L, LUA_IOLIBNAME);
	wrap(L, "open", read_only_open);
	wrap(L, "output", no_output_file);
	refuse(L, "io", "popen");
	refuse(L, "io", "tmpfile");
	lua_pop(L, 1);
	lua_getglobal(L, LUA_OSLIBNAME);
	static const char *const gone[] = { "execute", "remove",    "rename",
					    "tmpname", "setlocale", NULL };
	for (const char *const *k = gone; *k; k++)
		refuse(L, "os", *k);
	lua_pop(L, 1);
}

/*
 * setmetatable() refusing a metatable with __gc. Lua 5.4 runs a finalizer
 * with the thread's hooks off (lgc.c GCTM: "stop debug hooks during GC
 * metamethod"), so no instruction or time limit reaches it: one that never
 * returns would hang the command. An object is marked for finalization
 * only if its metatable has __gc when setmetatable() is called (Lua 5.4
 * manual, 2.5.3), so this one check covers tables; the bindings' own
 * metatables are out of reach (their __metatable field, lmsk_set_methods).
 */
static int no_finalizer_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(
				L, "setmetatable: a metatable with __gc: Lua runs finalizers "
				   "where no limit reaches them (msikit run --allow-system)");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static void refuse_finalizers(lua_State *L)
{
	lua_pushglobaltable(L);
	wrap(L, "setmetatable", no_finalizer_setmetatable);
	lua_pop(L, 1);
}

/* --- strict -------------------------------------------------------------------------------------- */

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

static void open_strict(lua_State *L)
{
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
	restricted_os(L);
}

void lmsk_open_libs(struct lrun *run)
{
	lua_State *L = run->L;
	enum scn_sandbox level = run->lim.sandbox;
	bool files = level != SCN_SANDBOX_STRICT;
	if (files)
		luaL_openlibs(L);
	else
		open_strict(L);
	drop_unsafe(L, files);
	restrict_package(L, run, files, level == SCN_SANDBOX_SYSTEM);
	if (level == SCN_SANDBOX_DEFAULT)
		restrict_io_os(L);
	if (level != SCN_SANDBOX_SYSTEM)
		refuse_finalizers(L);
	if (run->watchdog)
		lmsk_watchdog_wrap_patterns(run);
}
