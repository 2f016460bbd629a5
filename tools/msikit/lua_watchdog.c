/* SPDX-License-Identifier: MIT */
/*
 * The last resort behind --timeout: a thread that ends the command when a
 * run overruns its time limit where the Lua hook cannot see it.
 *
 * The time limit is normally enforced by the count hook (lua_limits.c),
 * which raises a Lua error at the scenario's line. Lua runs no hook inside
 * one C function, though: a string pattern that backtracks for hours
 * (("x"):rep(1e5):find(".-.-.-.-y")) or a finalizer under --allow-system
 * (lgc.c GCTM turns hooks off) would run past every limit. So the run
 * also starts this watchdog: if the run is still going WATCHDOG_GRACE
 * seconds after its deadline, it prints where the scenario was last seen
 * (the count hook notes it) and ends the process with exit 2. Only the
 * command arms it (scn_limits.watchdog): a library caller such as the fuzz
 * target must not lose its process.
 */
#include "lua_msikit.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WATCHDOG_GRACE 2.0 /* seconds past the deadline the hook had to act */

struct lwatchdog {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t stop;
	bool stopping;
	struct timespec fire; /* CLOCK_MONOTONIC */
	double limit;	      /* seconds, for the message */
	char file[512];	      /* the scenario's path, as given */
	char seen[640];	      /* "PATH:LINE:" where the hook last saw the scenario, or "" */
};

static void *watch(void *arg)
{
	struct lwatchdog *w = arg;
	pthread_mutex_lock(&w->lock);
	int rc = 0;
	while (!w->stopping && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&w->stop, &w->lock, &w->fire);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		return NULL;
	}
	/* Still running: the hook never got to raise the error. */
	fflush(stdout);
	if (w->seen[0])
		fprintf(stderr,
			"msikit: %s time limit (%g s) reached inside a call Lua cannot interrupt "
			"(a string pattern?); raise it with --timeout\n",
			w->seen, w->limit);
	else
		fprintf(stderr,
			"msikit: %s: time limit (%g s) reached inside a call Lua cannot interrupt; "
			"raise it with --timeout\n",
			w->file, w->limit);
	fflush(stderr);
	_exit(CLI_EXIT_USAGE);
}

void lmsk_watchdog_start(struct lrun *run)
{
	if (!run->lim.watchdog || !(run->lim.timeout > 0))
		return;
	struct lwatchdog *w = calloc(1, sizeof(*w));
	if (!w)
		return; /* the hook still enforces the limit where Lua runs */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->stop, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&w->lock, NULL);
	w->limit = run->lim.timeout;
	snprintf(w->file, sizeof(w->file), "%s", run->opts->file ? run->opts->file : "scenario");
	clock_gettime(CLOCK_MONOTONIC, &w->fire);
	double at = (double)w->fire.tv_sec + (double)w->fire.tv_nsec / 1e9 + run->lim.timeout +
		    WATCHDOG_GRACE;
	if (at > 1e15) /* a timeout too far away to matter */
		at = 1e15;
	w->fire.tv_sec = (time_t)at;
	w->fire.tv_nsec = (long)((at - (double)w->fire.tv_sec) * 1e9);
	if (pthread_create(&w->thread, NULL, watch, w) != 0) {
		pthread_cond_destroy(&w->stop);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return;
	}
	run->watchdog = w;
}

void lmsk_watchdog_seen(struct lrun *run, lua_State *L)
{
	struct lwatchdog *w = run->watchdog;
	if (!w)
		return;
	char where[LUA_IDSIZE + 24];
	if (!lmsk_where(run, L, 0, where, sizeof(where)) || strcmp(where, run->watchdog_last) == 0)
		return;
	memcpy(run->watchdog_last, where, sizeof(where));
	char *mapped = lmsk_map_names(run, where); /* the whole path, not Lua's short name */
	pthread_mutex_lock(&w->lock);
	snprintf(w->seen, sizeof(w->seen), "%s", mapped ? mapped : where);
	pthread_mutex_unlock(&w->lock);
	free(mapped);
}

/*
 * string.find/match/gmatch/gsub: the C calls that may run for hours on a
 * small script (a backtracking pattern), too soon for the count hook to
 * have noted the line. Each notes the caller's line first.
 */
static int noting_call(lua_State *L)
{
	struct lrun *run = lua_touserdata(L, lua_upvalueindex(2));
	lmsk_watchdog_seen(run, L);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

void lmsk_watchdog_wrap_patterns(struct lrun *run)
{
	lua_State *L = run->L;
	static const char *const names[] = { "find", "match", "gmatch", "gsub", NULL };
	if (lua_getglobal(L, LUA_STRLIBNAME) != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	for (const char *const *n = names; *n; n++) {
		lua_getfield(L, -1, *n);
		lua_pushlightuserdata(L, run);
		lua_pushcclosure(L, noting_call, 2);
		lua_setfield(L, -2, *n);
	}
	lua_pop(L, 1);
}

void lmsk_watchdog_stop(struct lrun *run)
{
	struct lwatchdog *w = run->watchdog;
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->stop);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->stop);
	pthread_mutex_destroy(&w->lock);
	free(w);
	run->watchdog = NULL;
}
