/* SPDX-License-Identifier: MIT */
/*
 * The limits of a scenario run (struct scn_limits; the command's defaults
 * are scn_limits_default(), fuzz_lua tightens them):
 *  - memory: the Lua state's allocator refuses to grow past the budget
 *    (Lua turns that into a "not enough memory" error, reported as the
 *    memory limit);
 *  - instructions: a count hook on every thread of the run (threads
 *    inherit it from the one that creates them) charges the budget, and
 *    so does d:raise() for every event; past it, every instruction of
 *    that thread fails, so a script that catches the error cannot go on;
 *  - timeout: the same hook, and every actor's resume, look at the clock;
 *  - max_steps: caps machine{ max_steps } (the runtime's own limit);
 *  - ram: the script's own writes stop once that much guest RAM is
 *    resident (pages are allocated on first write).
 * What the libraries offer (the sandbox) is lua_sandbox.c.
 */
#include "lua_msikit.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
	size_t cap = run->lim.memory;
	/* Only growth may fail: Lua relies on shrinking blocks never failing. */
	if (cap && nsize > old && run->mem_used - old + nsize > cap) {
		run->mem_refused = true;
		return NULL;
	}
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

void scn_limits_default(struct scn_limits *lim)
{
	*lim = (struct scn_limits){
		.instructions = SCN_DEFAULT_INSTRUCTIONS,
		.memory = SCN_DEFAULT_MEMORY,
		.ram = SCN_DEFAULT_RAM,
		.timeout = SCN_DEFAULT_TIMEOUT,
		.sandbox = SCN_SANDBOX_DEFAULT,
	};
}

lua_State *lmsk_state_new(struct lrun *run)
{
	lua_State *L = lua_newstate(limited_alloc, run);
	if (L)
		lua_atpanic(L, panic);
	return L;
}

/* --- instructions and time ------------------------------------------------------------------ */

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool lmsk_timed_out(const struct lrun *run)
{
	return run->deadline > 0 && now_seconds() > run->deadline;
}

const char *lmsk_timeout_text(const struct lrun *run, char *buf, size_t size)
{
	snprintf(buf, size, "time limit (%g s) reached; raise it with --timeout", run->lim.timeout);
	return buf;
}

static void count_hook(lua_State *L, lua_Debug *ar);

/*
 * A limit reached: a Lua error at the innermost scenario frame. Sticky: from
 * now on every instruction of L fails, even inside pcall.
 */
static int limit_error(lua_State *L, struct lrun *run, const char *what, bool sticky)
{
	if (sticky)
		lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
	char where[LUA_IDSIZE + 24];
	if (lmsk_where(run, L, 0, where, sizeof(where)))
		lua_pushfstring(L, "%s %s", where, what);
	else
		lua_pushstring(L, what);
	return lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	void *ud = NULL;
	lua_getallocf(L, &ud); /* the run: set by lmsk_state_new */
	struct lrun *run = ud;
	lmsk_charge(L, run, ar->event == LUA_HOOKCOUNT ? HOOK_PERIOD : 0);
	lmsk_watchdog_seen(run, L);
	if (lmsk_timed_out(run)) {
		char buf[96];
		limit_error(L, run, lmsk_timeout_text(run, buf, sizeof(buf)), true);
	}
}

void lmsk_charge(lua_State *L, struct lrun *run, uint64_t n)
{
	uint64_t cap = run->lim.instructions;
	if (!cap)
		return;
	run->spent += n;
	if (run->spent <= cap)
		return;
	char what[96];
	snprintf(what, sizeof(what),
		 "instruction limit (%llu) reached; raise it with "
		 "--max-instructions",
		 (unsigned long long)cap);
	limit_error(L, run, what, true);
}

void lmsk_limits_start(struct lrun *run)
{
	if (run->lim.timeout > 0)
		run->deadline = now_seconds() + run->lim.timeout;
	if (run->lim.instructions || run->lim.timeout > 0)
		lua_sethook(run->L, count_hook, LUA_MASKCOUNT, HOOK_PERIOD);
}

void lmsk_charge_ram(lua_State *L, struct lrun *run, struct msk_bus *bus)
{
	uint64_t cap = run->lim.ram;
	if (!cap || msk_ram_resident(bus) < cap)
		return;
	char what[96];
	snprintf(what, sizeof(what),
		 "guest RAM limit (%llu bytes) reached; raise it with --max-guest-ram",
		 (unsigned long long)cap);
	limit_error(L, run, what, false);
}

uint64_t lmsk_limit_steps(const struct lrun *run, uint64_t max_steps)
{
	uint64_t cap = run->lim.max_steps;
	if (cap && (max_steps == 0 || max_steps > cap))
		return cap;
	return max_steps;
}
