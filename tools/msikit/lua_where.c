/* SPDX-License-Identifier: MIT */
/*
 * Where in the scenario an error happened, and the scenario's file names.
 *
 * Chunk names: Lua keeps at most LUA_IDSIZE (60) bytes of a chunk's name in
 * its messages ("short_src") and shortens a longer path to ".../tail". The
 * run gives a chunk whose path is too long an internal name of its own
 * (".../tail" or "...[N]/tail", unique in the run), registers it next to the
 * path, and every message the run keeps goes through lmsk_map_names(): what
 * the user reads names the file as the user gave it, whole.
 *
 * Positions: an error value that does not start with "CHUNK:LINE:" of a
 * scenario chunk (error("msg", 0), error() with a table, errors raised from
 * inside a C function such as ipairs' iterator, "not enough memory", "C stack
 * overflow") is given the innermost scenario frame of the stack where it was
 * raised: a coroutine's stack is still there after lua_resume fails; a
 * handler's is read by the message handler of its lua_pcall.
 */
#include "lua_msikit.h"

#include <stdlib.h>
#include <string.h>

/* Lua's own short form of "@path" (luaO_chunkid) fits when shorter than this. */
#define SRC_FITS (LUA_IDSIZE - 1)

const char *lmsk_chunk_register(struct lrun *run, const char *path, char *name, size_t size)
{
	size_t len = strlen(path);
	for (unsigned int i = 0; i < run->nchunks; i++) /* loaded again: the same name */
		if (strcmp(run->chunks[i].path, path) == 0) {
			const char *src = run->chunks[i].src;
			snprintf(name, size, "%s%s", len < SRC_FITS ? "@" : "=", src);
			return name;
		}
	if (run->nchunks == LMSK_MAX_CHUNKS) {
		snprintf(name, size, "@%s", path); /* Lua shortens it: still a usable message */
		return name;
	}
	struct lchunk *c = &run->chunks[run->nchunks];
	if (len < SRC_FITS) {
		snprintf(c->src, sizeof(c->src), "%s", path);
	} else {
		char tag[16] = "";
		if (run->nchunks)
			snprintf(tag, sizeof(tag), "[%u]", run->nchunks);
		size_t keep = SRC_FITS - 4 - strlen(tag);
		snprintf(c->src, sizeof(c->src), "...%s%s", tag, path + len - keep);
	}
	c->path = strdup(path);
	if (!c->path) {
		snprintf(name, size, "@%s", path);
		return name;
	}
	run->nchunks++;
	snprintf(name, size, "%s%s", len < SRC_FITS ? "@" : "=", len < SRC_FITS ? path : c->src);
	return name;
}

void lmsk_chunks_free(struct lrun *run)
{
	for (unsigned int i = 0; i < run->nchunks; i++)
		free(run->chunks[i].path);
	run->nchunks = 0;
}

char *lmsk_map_names(const struct lrun *run, const char *msg)
{
	size_t cap = strlen(msg) + 1;
	for (unsigned int i = 0; i < run->nchunks; i++)
		for (const char *p = strstr(msg, run->chunks[i].src); p;
		     p = strstr(p + 1, run->chunks[i].src))
			cap += strlen(run->chunks[i].path);
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t n = 0;
	for (const char *p = msg; *p;) {
		const struct lchunk *hit = NULL;
		for (unsigned int i = 0; i < run->nchunks && !hit; i++) {
			const struct lchunk *c = &run->chunks[i];
			if (strcmp(c->src, c->path) != 0 && strncmp(p, c->src, strlen(c->src)) == 0)
				hit = c;
		}
		if (hit) {
			memcpy(out + n, hit->path, strlen(hit->path));
			n += strlen(hit->path);
			p += strlen(hit->src);
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

/* Is src (a frame's short_src) one of the scenario's chunks? */
static bool scenario_src(const struct lrun *run, const char *src)
{
	for (unsigned int i = 0; i < run->nchunks; i++)
		if (strcmp(run->chunks[i].src, src) == 0)
			return true;
	return false;
}

bool lmsk_where(const struct lrun *run, lua_State *L, int level, char *buf, size_t size)
{
	lua_Debug ar;
	char any[LUA_IDSIZE + 24] = "";
	for (; lua_getstack(L, level, &ar); level++) {
		if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
			continue;
		if (scenario_src(run, ar.short_src)) {
			snprintf(buf, size, "%s:%d:", ar.short_src, ar.currentline);
			return true;
		}
		if (!any[0])
			snprintf(any, sizeof(any), "%s:%d:", ar.short_src, ar.currentline);
	}
	snprintf(buf, size, "%s", any);
	return any[0] != '\0';
}

/* Does msg start with "SRC:LINE:" of a scenario chunk? */
static bool has_position(const struct lrun *run, const char *msg)
{
	for (unsigned int i = 0; i < run->nchunks; i++) {
		size_t n = strlen(run->chunks[i].src);
		if (strncmp(msg, run->chunks[i].src, n) != 0 || msg[n] != ':')
			continue;
		const char *p = msg + n + 1;
		if (*p < '0' || *p > '9')
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == ':')
			return true;
	}
	return false;
}

char *lmsk_error_text(struct lrun *run, lua_State *L, int idx, int status, const char *where)
{
	char what[160];
	const char *msg = NULL;
	int t = lua_type(L, idx);
	if (status == LUA_ERRMEM && run->mem_refused) {
		snprintf(what, sizeof(what),
			 "memory limit (%zu bytes) reached; raise it with --max-memory",
			 run->lim.memory);
		msg = what;
	} else if (t == LUA_TSTRING) {
		msg = lua_tostring(L, idx);
	} else if (t ==
		   LUA_TNUMBER) { /* formatted here: lua_tostring would allocate, unprotected */
		if (lua_isinteger(L, idx))
			snprintf(what, sizeof(what), "%lld", (long long)lua_tointeger(L, idx));
		else
			snprintf(what, sizeof(what), "%.14g", (double)lua_tonumber(L, idx));
		msg = what;
	} else if (t == LUA_TNIL || t == LUA_TNONE) {
		msg = "error raised without a message (error() with nil)";
	} else {
		snprintf(what, sizeof(what), "error raised with a %s value, not a message",
			 lua_typename(L, t));
		msg = what;
	}
	char pos[LUA_IDSIZE + 24] = "";
	if (!has_position(run, msg)) {
		if (where && *where)
			snprintf(pos, sizeof(pos), "%s ", where);
		else
			snprintf(pos, sizeof(pos), "%s: ", run->opts->file);
	}
	size_t n = strlen(pos) + strlen(msg) + 1;
	char *full = malloc(n);
	if (!full)
		return NULL;
	snprintf(full, n, "%s%s", pos, msg);
	char *mapped = lmsk_map_names(run, full);
	free(full);
	return mapped;
}

char *lmsk_resume_error(struct lrun *run, lua_State *co, int status)
{
	char where[LUA_IDSIZE + 24];
	lmsk_where(run, co, 0, where, sizeof(where));
	return lmsk_error_text(run, co, -1, status, where);
}

/* The message handler of a handler's lua_pcall: note where, keep the value. */
static int note_where(lua_State *L)
{
	void *ud = NULL;
	lua_getallocf(L, &ud);
	struct lrun *run = ud;
	lmsk_where(run, L, 1, run->where, sizeof(run->where));
	return 1;
}

int lmsk_pcall(struct lrun *run, lua_State *L, int nargs, int nres, char **err)
{
	int base = lua_gettop(L) - nargs;
	lua_pushcfunction(L, note_where);
	lua_insert(L, base);
	run->where[0] = '\0';
	int st = lua_pcall(L, nargs, nres, base);
	if (st != LUA_OK)
		*err = lmsk_error_text(run, L, -1, st, run->where);
	lua_remove(L, base);
	return st;
}
