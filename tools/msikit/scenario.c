/* SPDX-License-Identifier: MIT */
/*
 * Running one scenario: a fresh Lua state, the file loaded as a chunk,
 * the chunk run as the first actor, the machine run until nothing is left
 * to happen, then the verdict and a report snapshot.
 *
 * The main chunk starts outside the runtime (the machine does not exist
 * before msikit.machine{} runs). The first time it waits (m:run, m:sleep,
 * m:yield) it is handed to the runtime as an actor carrying that request;
 * from then on actors, CPUs and time interleave under the seed. When the
 * chunk ends without waiting, the machine still runs until idle.
 */
#include "lua_msikit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void strlist_add(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		unsigned int cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	char *c = strdup(s);
	if (c)
		l->v[l->n++] = c;
}

void strlist_addf(struct strlist *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	strlist_add(l, buf);
}

void strlist_free(struct strlist *l)
{
	for (unsigned int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void set_fatal(struct scn_result *res, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_fatal(struct scn_result *res, int code, const char *fmt, ...)
{
	if (res->fatal)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	res->fatal = strdup(buf);
	res->exit_code = code;
}

/* Kept on one line: "\n\t" (require's list of places) becomes "; ", "\n" a space. */
static void one_line(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (r[0] == '\n' && r[1] == '\t') {
			if (w > s && w[-1] != ':')
				*w++ = ';';
			*w++ = ' ';
			r++;
		} else {
			*w++ = *r == '\n' ? ' ' : *r;
		}
	}
	*w = '\0';
}

/* A fatal message of the run: the scenario's chunk names mapped back to its paths. */
static void run_fatal(struct lrun *run, int code, const char *msg)
{
	char *m = lmsk_map_names(run, msg);
	if (m)
		one_line(m);
	set_fatal(run->res, code, "%s", m ? m : msg);
	free(m);
}

/* A fatal Lua error of L (status from lua_resume), placed in the scenario. */
static void lua_fatal(struct lrun *run, lua_State *co, int status)
{
	char *m = lmsk_resume_error(run, co, status);
	run_fatal(run, CLI_EXIT_USAGE, m ? m : "out of memory");
	free(m);
}

/* Read the whole file: a missing or unreadable file is bad input (exit 2). */
static char *read_file(const char *path, size_t *len, struct scn_result *res)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		set_fatal(res, CLI_EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *b = cap > (64u << 20) ? NULL : realloc(buf, cap * 2);
		if (!b) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = b;
		cap *= 2;
	}
	bool err = ferror(f);
	fclose(f);
	if (!buf || err) {
		free(buf);
		set_fatal(res, CLI_EXIT_USAGE, "%s: cannot read (too large or an I/O error)", path);
		return NULL;
	}
	*len = n;
	return buf;
}

static int open_protected(lua_State *L)
{
	lmsk_open(lua_touserdata(L, 1));
	return 0;
}

/* Phase 1: the chunk runs until it ends or first waits. Returns the main actor to hand over. */
static struct lactor *start_chunk(struct lrun *run, struct lactor *main)
{
	for (unsigned long bare_yields = 0;; bare_yields++) {
		if (bare_yields > 1000000) {
			set_fatal(run->res, CLI_EXIT_USAGE,
				  "%s: the scenario keeps calling coroutine.yield() outside any "
				  "actor",
				  run->opts->file);
			return NULL;
		}
		int nres = 0;
		main->req_set = false;
		int st = lua_resume(main->co, run->L, 0, &nres);
		if (st == LUA_OK)
			return NULL;
		if (st != LUA_YIELD) {
			lua_fatal(run, main->co, st);
			return NULL;
		}
		lua_pop(main->co, nres);
		if (main->req_set && main->target && main->target->m)
			return main;
		/* A bare coroutine.yield() at the top, before the machine runs: go on. */
	}
}

/* "SRC:LINE:" where the run stands: the last actor that ran, or the main chunk; else "FILE:". */
static void run_where(struct lrun *run, struct lactor *main, char *buf, size_t size)
{
	if (run->last_actor && lmsk_where(run, run->last_actor->co, 0, buf, size))
		return;
	if (main && lmsk_where(run, main->co, 0, buf, size))
		return;
	snprintf(buf, size, "%s:", run->chunks[0].src);
}

/* After one msk_machine_run(): the run's first error, if any, becomes its fatal message. */
static void check_run(struct lrun *run, struct lactor *main, int rc)
{
	char where[LUA_IDSIZE + 24];
	if (run->actor_error) {
		run_fatal(run, CLI_EXIT_USAGE, run->actor_error);
	} else if (run->handler_error) {
		run_fatal(run, CLI_EXIT_USAGE, run->handler_error);
	} else if (rc == -MSK_E2BIG || rc == -MSK_ELOOP) {
		if (rc == -MSK_ELOOP && run->livelock_where[0])
			snprintf(where, sizeof(where), "%s", run->livelock_where);
		else
			run_where(run, main, where, sizeof(where));
		char msg[LUA_IDSIZE + 400];
		snprintf(msg, sizeof(msg), "%s %s", where, strchr(msk_last_error(), ' ') + 1);
		run_fatal(run, CLI_EXIT_USAGE, msg);
	} else if (rc < 0) {
		set_fatal(run->res, CLI_EXIT_INTERNAL, "%s: %s", run->opts->file, msk_last_error());
	}
}

/*
 * Phase 2: the machines run. The main chunk runs on the machine it waits
 * on; when it waits on another one, it leaves the first (which runs until
 * idle) for the other. Once it ended, every other machine runs until idle,
 * in the order they were built.
 */
static void run_machines(struct lrun *run, struct lactor *main)
{
	struct lmachine *ended_in = NULL;
	while (main && main->target && main->target->m) {
		struct lmachine *lm = main->target;
		main->lm = lm;
		main->pending = true;
		run->main_moved = false;
		if (msk_sim_spawn(msk_machine_sim(lm->m), &lmsk_actor_ops, main, NULL) < 0) {
			set_fatal(run->res, CLI_EXIT_INTERNAL, "%s", msk_last_error());
			return;
		}
		check_run(run, main, msk_machine_run(lm->m));
		if (run->res->fatal)
			return;
		if (!run->main_moved) {
			ended_in = lm;
			break;
		}
	}
	for (unsigned int n = 1; n <= run->nmachines; n++)
		for (struct lmachine *lm = run->machines; lm; lm = lm->next)
			if (lm->number == n && lm != ended_in && lm->m) {
				check_run(run, main, msk_machine_run(lm->m));
				if (run->res->fatal)
					return;
			}
}

static void add_kv_str(struct msk_report_kv *kv, size_t *n, const char *k, const char *v)
{
	kv[*n] = (struct msk_report_kv){ .key = k, .type = MSK_REPORT_VALUE_STR, .str = v };
	(*n)++;
}

static void add_kv_bool(struct msk_report_kv *kv, size_t *n, const char *k, bool v)
{
	kv[*n] = (struct msk_report_kv){ .key = k, .type = MSK_REPORT_VALUE_BOOL, .flag = v };
	(*n)++;
}

static void add_kv_int(struct msk_report_kv *kv, size_t *n, const char *k, int64_t v)
{
	kv[*n] = (struct msk_report_kv){ .key = k, .type = MSK_REPORT_VALUE_INT, .num = v };
	(*n)++;
}

/*
 * What one machine adds to the verdict: its broken invariants, CPU service
 * errors and ledger. The report describes the machine built last; the
 * others' problems are listed too, each prefixed "machine N: ".
 */
static void verdict_of(struct lrun *run, struct lmachine *lm)
{
	struct scn_result *res = run->res;
	struct msk_machine *m = lm->m;
	char pre[24] = "";
	if (lm != run->machine)
		snprintf(pre, sizeof(pre), "machine %u: ", lm->number);
	msk_machine_faults_disarm(m);
	for (unsigned int i = 0; i < msk_machine_invariant_count(m); i++)
		strlist_addf(&res->invariants, "%sinvariant %s", pre, msk_machine_invariant(m, i));
	for (unsigned int i = 0; i < msk_machine_service_error_count(m); i++)
		strlist_addf(&res->invariants, "%s%s", pre, msk_machine_service_error(m, i));
	if (msk_machine_ledger_broken(m)) {
		res->ledger_broken = true;
		if (lm != run->machine)
			strlist_addf(&res->invariants, "%sthe ledger does not balance", pre);
	}
}

/* The verdict and the report snapshot of a run that completed. */
static void finish(struct lrun *run)
{
	struct scn_result *res = run->res;
	struct lmachine *lm = run->machine;
	struct msk_core *tmp = NULL, *core;
	struct msk_report_kv sw[12], rs[32];
	struct msk_platform_counter pc[32];
	size_t nsw = 0, nrs = 0;
	struct msk_report_src src = { .scenario = run->opts->file, .seed = res->seed };
	if (lm && lm->m) {
		struct msk_machine *m = lm->m;
		const struct msk_machine_config *cfg = msk_machine_config(m);
		msk_machine_faults(m, &res->faults);
		for (unsigned int n = 1; n <= run->nmachines; n++)
			for (struct lmachine *o = run->machines; o; o = o->next)
				if (o->number == n && o->m)
					verdict_of(run, o);
		res->time = msk_sim_now(msk_machine_sim(m));
		res->steps = msk_sim_steps(msk_machine_sim(m));
		core = msk_machine_core(m);
		src.core = core;
		src.ledger = msk_machine_ledger(m);
		src.held_extra = msk_machine_models_held(m);
		src.arch = cfg->arch;
		add_kv_bool(sw, &nsw, "os", !cfg->bare);
		add_kv_str(sw, &nsw, "msi", lm->switches_msi);
		add_kv_str(sw, &nsw, "prepare", lm->switches_prepare);
		add_kv_bool(sw, &nsw, "x86.ir", cfg->x86.ir);
		add_kv_bool(sw, &nsw, "its.alloc_dyn", cfg->its.alloc_dyn);
		add_kv_str(sw, &nsw, "pseries.free_hook", lm->switches_free_hook);
		add_kv_str(sw, &nsw, "form", res->form);
		size_t n = msk_platform_counters(msk_machine_platform(m), pc, 32);
		for (size_t i = 0; i < n; i++)
			add_kv_int(rs, &nrs, pc[i].name, pc[i].value);
	} else {
		struct msk_core_config cc = { .nr_cpus = 1 };
		if (msk_core_create(&cc, &tmp) < 0) {
			set_fatal(res, CLI_EXIT_INTERNAL, "%s", msk_last_error());
			return;
		}
		core = tmp;
		src.core = core;
	}
	struct strlist all = { 0 };
	for (unsigned int i = 0; i < res->errors.n; i++)
		strlist_add(&all, res->errors.v[i]);
	for (unsigned int i = 0; i < res->invariants.n; i++)
		strlist_add(&all, res->invariants.v[i]);
	src.switches = nsw ? sw : NULL;
	src.nr_switches = nsw;
	src.resources = nrs ? rs : NULL;
	src.nr_resources = nrs;
	src.errors = (const char *const *)all.v;
	src.nr_errors = all.n;
	src.violations_judged = scn_expected_judge(res, core, src.ledger);
	src.failed = res->expect_failed > 0 || res->invariants.n > res->invariants_expected;
	if (msk_report_snapshot_take(&src, &res->snap) < 0) {
		res->snap = NULL;
		set_fatal(res, CLI_EXIT_INTERNAL, "report: %s", msk_last_error());
	}
	strlist_free(&all);
	msk_core_destroy(tmp);
	if (res->fatal)
		return;
	if (res->ledger_broken)
		res->exit_code = CLI_EXIT_INTERNAL;
	else
		res->exit_code = msk_report_passed(res->snap) ? CLI_EXIT_PASS : CLI_EXIT_FAIL;
}

void scn_run(const struct scn_opts *opts, struct scn_result *res)
{
	memset(res, 0, sizeof(*res));
	res->seed = opts->seed_set ? opts->seed : 1;
	res->form = opts->form ? opts->form : "after";
	res->faults.cpu_offlined = -1;
	struct lrun run = { .opts = opts, .res = res };
	if (opts->limits)
		run.lim = *opts->limits;
	else
		scn_limits_default(&run.lim);
	lmsk_chunk_register(&run, opts->file, run.chunkname, sizeof(run.chunkname));
	size_t len = opts->source_len;
	char *src = opts->source ? NULL : read_file(opts->file, &len, res);
	if (!src && !opts->source) {
		res->input_error = true;
		lmsk_chunks_free(&run);
		return;
	}
	run.L = lmsk_state_new(&run);
	if (!run.L) {
		free(src);
		lmsk_chunks_free(&run);
		set_fatal(res, CLI_EXIT_INTERNAL, "cannot create a Lua state");
		return;
	}
	lua_State *L = run.L;
	lmsk_limits_start(&run); /* every thread made from here on inherits the hook */
	lmsk_watchdog_start(&run);
	struct lactor *main = NULL;
	lua_pushcfunction(L, open_protected);
	lua_pushlightuserdata(L, &run);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		set_fatal(res, CLI_EXIT_INTERNAL, "Lua set-up: %s", lua_tostring(L, -1));
	} else if (luaL_loadbufferx(L, src ? src : opts->source, len, run.chunkname, "t") !=
		   LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		run_fatal(&run, CLI_EXIT_USAGE, msg ? msg : "not enough memory");
		res->input_error = true;
	} else {
		lua_State *co = lua_newthread(L);
		int ref = luaL_ref(L, LUA_REGISTRYINDEX);
		lua_xmove(L, co, 1);
		main = lmsk_actor_new(&run, co, ref, 0);
		if (!main) {
			set_fatal(res, CLI_EXIT_INTERNAL, "out of memory");
		} else {
			main->main = true;
			struct lactor *handover = start_chunk(&run, main);
			if (!res->fatal)
				run_machines(&run, handover);
			if (!res->fatal)
				finish(&run);
		}
	}
	free(src);
	for (struct lmachine *lm = run.machines; lm; lm = lm->next)
		if (lm->m)
			msk_machine_faults_disarm(lm->m);
	run.closing = true;
	lmsk_machine_close(&run);
	lua_close(L); /* finalizers may still call the bindings: they find the machine gone */
	lmsk_watchdog_stop(&run);
	lmsk_machine_free(&run);
	lmsk_chunks_free(&run);
	free(main);
	free(run.handler_error);
	free(run.actor_error);
	if (res->fatal && strstr(res->fatal, "platform drivers are not built yet"))
		res->platform_missing = true;
}

void scn_result_free(struct scn_result *res)
{
	free(res->fatal);
	strlist_free(&res->expect_failures);
	strlist_free(&res->errors);
	strlist_free(&res->invariants);
	scn_expectations_free(&res->expected);
	msk_report_snapshot_free(res->snap);
	free(res->fates);
	memset(res, 0, sizeof(*res));
}

const char *scn_reason(const struct scn_result *res, char *buf, size_t size)
{
	buf[0] = '\0';
	if (res->fatal)
		snprintf(buf, size, "%s", res->fatal);
	else if (res->ledger_broken && res->invariants.n)
		snprintf(buf, size, "%s", res->invariants.v[0]);
	else if (res->expect_failures.n)
		snprintf(buf, size, "%s", res->expect_failures.v[0]);
	else if (res->snap && res->snap->violation_count && !res->snap->violations_judged)
		snprintf(buf, size, "violation %s: %s: %s",
			 msk_msi_rule_name(res->snap->violations[0].rule),
			 res->snap->violations[0].domain, res->snap->violations[0].detail);
	else if (res->invariants.n)
		snprintf(buf, size, "%s", res->invariants.v[0]);
	else if (res->exit_code != CLI_EXIT_PASS)
		snprintf(buf, size, "failed (exit %d)", res->exit_code);
	return buf;
}
