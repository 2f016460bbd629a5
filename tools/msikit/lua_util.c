/* SPDX-License-Identifier: MIT */
/* Argument checking and the "nil, err" convention of the Lua binding. */
#include "lua_msikit.h"

#include <stdarg.h>
#include <string.h>

/* Names are compared, never iterated in hash order: errors name the smallest unknown key. */
void lmsk_check_keys(lua_State *L, int idx, const char *what, const char *const *known)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE)
		luaL_error(L, "%s must be a table like {key = value}, got %s", what,
			   luaL_typename(L, idx));
	char bad[64] = "";
	bool have_bad = false;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: keys must be names, got a %s key", what,
				   luaL_typename(L, -1));
		const char *k = lua_tostring(L, -1);
		bool ok = false;
		for (const char *const *p = known; *p && !ok; p++)
			ok = strcmp(*p, k) == 0;
		if (!ok && (!have_bad || strcmp(k, bad) < 0)) {
			snprintf(bad, sizeof(bad), "%s", k);
			have_bad = true;
		}
	}
	if (!have_bad)
		return;
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (const char *const *p = known; *p; p++) {
		if (p != known)
			luaL_addstring(&b, ", ");
		luaL_addstring(&b, *p);
	}
	luaL_pushresult(&b);
	size_t n = 0;
	while (known[n])
		n++;
	const char *near = cli_suggest(bad, known, n);
	if (near)
		luaL_error(L, "%s: unknown key '%s': did you mean '%s'? (known: %s)", what, bad,
			   near, lua_tostring(L, -1));
	luaL_error(L, "%s: unknown key '%s' (known: %s)", what, bad, lua_tostring(L, -1));
}

lua_Integer lmsk_opt_int(lua_State *L, int idx, const char *what, const char *key, lua_Integer def,
			 lua_Integer min, lua_Integer max)
{
	lua_getfield(L, idx, key);
	lua_Integer v = def;
	if (!lua_isnil(L, -1)) {
		int isint = 0;
		v = lua_tointegerx(L, -1, &isint);
		if (!isint || lua_type(L, -1) != LUA_TNUMBER)
			luaL_error(L, "%s: %s must be an integer, got %s", what, key,
				   lua_type(L, -1) == LUA_TNUMBER ? "a fraction"
								  : luaL_typename(L, -1));
		if (v < min || v > max)
			luaL_error(L, "%s: %s = %I is out of range (%I..%I)", what, key, v, min,
				   max);
	}
	lua_pop(L, 1);
	return v;
}

bool lmsk_opt_bool(lua_State *L, int idx, const char *what, const char *key, bool def)
{
	lua_getfield(L, idx, key);
	bool v = def;
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TBOOLEAN)
			luaL_error(L, "%s: %s must be true or false, got %s", what, key,
				   luaL_typename(L, -1));
		v = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

const char *lmsk_opt_string(lua_State *L, int idx, const char *what, const char *key,
			    const char *def)
{
	lua_getfield(L, idx, key);
	const char *v = def;
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: %s must be a string, got %s", what, key,
				   luaL_typename(L, -1));
		v = lua_tostring(L, -1);
	}
	lua_pop(L, 1); /* the string stays alive: it is a field of the table */
	return v;
}

int lmsk_opt_choice(lua_State *L, int idx, const char *what, const char *key,
		    const char *const *choices, int def)
{
	const char *s = lmsk_opt_string(L, idx, what, key, NULL);
	if (!s)
		return def;
	for (int i = 0; choices[i]; i++)
		if (strcmp(choices[i], s) == 0)
			return i;
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (int i = 0; choices[i]; i++) {
		if (i)
			luaL_addstring(&b, ", ");
		luaL_addchar(&b, '"');
		luaL_addstring(&b, choices[i]);
		luaL_addchar(&b, '"');
	}
	luaL_pushresult(&b);
	int n = 0;
	while (choices[n])
		n++;
	const char *near = cli_suggest(s, choices, (size_t)n);
	if (near)
		return luaL_error(L, "%s: %s = \"%s\" is not one of %s: did you mean \"%s\"?", what,
				  key, s, lua_tostring(L, -1), near);
	return luaL_error(L, "%s: %s = \"%s\" is not one of %s", what, key, s, lua_tostring(L, -1));
}

void lmsk_check_cpus(lua_State *L, int idx, const char *what, unsigned int ncpus,
		     struct msk_cpumask *out)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE)
		luaL_error(L, "%s: CPUs must be a list like {0, 2}, got %s", what,
			   luaL_typename(L, idx));
	msk_cpumask_clear(out);
	lua_Integer n = luaL_len(L, idx);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, idx, i);
		int isint = 0;
		lua_Integer c = lua_tointegerx(L, -1, &isint);
		if (!isint || lua_type(L, -1) != LUA_TNUMBER || c < 0 || c >= (lua_Integer)ncpus)
			luaL_error(L, "%s: CPU #%I must be a CPU number 0..%d", what, i,
				   (int)ncpus - 1);
		msk_cpumask_set(out, (unsigned int)c);
		lua_pop(L, 1);
	}
	if (msk_cpumask_empty(out))
		luaL_error(L, "%s: the CPU list is empty", what);
}

int lmsk_fail(lua_State *L, struct lrun *run)
{
	const char *msg = msk_last_error();
	if (!*msg)
		msg = "EIO: failed without a message";
	strlist_add(&run->res->errors, msg);
	lua_pushnil(L);
	lua_pushstring(L, msg);
	return 2;
}

int lmsk_failf(lua_State *L, struct lrun *run, int code, const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char msg[480];
	snprintf(msg, sizeof(msg), "%s: %s", msk_errname(code), buf);
	strlist_add(&run->res->errors, msg);
	lua_pushnil(L);
	lua_pushstring(L, msg);
	return 2;
}

lua_Integer lmsk_check_size(lua_State *L, int arg)
{
	lua_Integer size = luaL_checkinteger(L, arg);
	if (size != 1 && size != 2 && size != 4 && size != 8)
		luaL_argerror(L, arg, "size must be 1, 2, 4 or 8");
	return size;
}

/* --- names nobody defined: the nearest real one ---------------------------------------------- */

#define MAX_NAMES 64

/*
 * __index of a binding's object or table. Upvalues: 1 the methods (a
 * table), 2 what ("device"), 3 the luaL_Reg list, 4 names that may be nil
 * (NULL-terminated list, or NULL), 5 what the names are ("method").
 */
static int strict_index(lua_State *L)
{
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	if (!lua_isnil(L, -1) || lua_type(L, 2) != LUA_TSTRING)
		return 1;
	const char *key = lua_tostring(L, 2);
	const luaL_Reg *fns = lua_touserdata(L, lua_upvalueindex(3));
	const char *const *maybe_nil = lua_touserdata(L, lua_upvalueindex(4));
	const char *names[MAX_NAMES];
	size_t n = 0;
	for (; maybe_nil && maybe_nil[n] && n < MAX_NAMES; n++)
		if (strcmp(maybe_nil[n], key) == 0)
			return 1;
		else
			names[n] = maybe_nil[n];
	for (const luaL_Reg *r = fns; r->name && n < MAX_NAMES; r++)
		names[n++] = r->name;
	const char *what = lua_tostring(L, lua_upvalueindex(2));
	const char *kind = lua_tostring(L, lua_upvalueindex(5));
	const char *near = cli_suggest(key, names, n);
	if (near)
		return luaL_error(L, "%s has no %s '%s': did you mean '%s'?", what, kind, key,
				  near);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (size_t i = 0; i < n; i++) {
		if (i)
			luaL_addstring(&b, ", ");
		luaL_addstring(&b, names[i]);
	}
	luaL_pushresult(&b);
	return luaL_error(L, "%s has no %s '%s' (it has: %s)", what, kind, key,
			  lua_tostring(L, -1));
}

static void push_strict_index(lua_State *L, const char *what, const luaL_Reg *fns,
			      const char *const *maybe_nil, const char *kind)
{
	/* The methods table is on top. */
	lua_pushstring(L, what);
	lua_pushlightuserdata(L, (void *)fns);
	lua_pushlightuserdata(L, (void *)maybe_nil);
	lua_pushstring(L, kind);
	lua_pushcclosure(L, strict_index, 5);
}

void lmsk_set_methods(lua_State *L, const char *what, const luaL_Reg *methods)
{
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	/*
	 * What getmetatable(obj) gives a scenario: not the metatable itself (a
	 * __gc or __index added to it would reach every object made after),
	 * but a table listing the methods (pairs(getmetatable(obj).__methods)).
	 */
	lua_createtable(L, 0, 1);
	lua_createtable(L, 0, 0);
	for (const luaL_Reg *r = methods; r->name; r++) {
		lua_getfield(L, -3, r->name);
		lua_setfield(L, -2, r->name);
	}
	lua_setfield(L, -2, "__methods");
	lua_setfield(L, -3, "__metatable");
	push_strict_index(L, what, methods, NULL, "method");
	lua_setfield(L, -2, "__index");
}

void lmsk_strict_table(lua_State *L, const char *what, const luaL_Reg *fns,
		       const char *const *maybe_nil)
{
	lua_newtable(L); /* the metatable */
	lua_newtable(L); /* nothing beyond the table's own fields */
	push_strict_index(L, what, fns, maybe_nil, "function");
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
}
