/* SPDX-License-Identifier: MIT */
/*
 * msikit.machine{} and the machine's methods: devices, actors and time,
 * affinity and hotplug, and the views (ledger, violations, irqs, domains,
 * resources).
 */
#include "lua_msikit.h"

#include <stdlib.h>
#include <string.h>

#define MACHINE_MT "msikit.machine"

const char *msk_cli_arch_override;

struct lmachine *lmsk_live(lua_State *L, struct lmachine *lm)
{
	if (!lm || !lm->m)
		luaL_error(L, "the machine is gone (the run is over, or msikit.machine{} failed)");
	return lm;
}

struct lmachine *lmsk_check_machine(lua_State *L, int idx)
{
	struct lmachine **p = luaL_checkudata(L, idx, MACHINE_MT);
	return lmsk_live(L, *p);
}

/* --- msikit.machine{} ------------------------------------------------------------------------ */

static void read_x86(lua_State *L, int idx, struct msk_machine_config *cfg)
{
	static const char *const keys[] = { "ir", NULL };
	lua_getfield(L, idx, "x86");
	if (!lua_isnil(L, -1)) {
		lmsk_check_keys(L, -1, "machine{}.x86", keys);
		cfg->x86.ir = lmsk_opt_bool(L, lua_absindex(L, -1), "machine{}.x86", "ir", false);
	}
	lua_pop(L, 1);
}

static void read_its(lua_State *L, int idx, struct msk_machine_config *cfg)
{
	static const char *const keys[] = { "alloc_dyn", "devbits", "idbits", NULL };
	lua_getfield(L, idx, "its");
	if (!lua_isnil(L, -1)) {
		int t = lua_absindex(L, -1);
		lmsk_check_keys(L, t, "machine{}.its", keys);
		cfg->its.alloc_dyn = lmsk_opt_bool(L, t, "machine{}.its", "alloc_dyn", true);
		cfg->its.devbits =
			(unsigned)lmsk_opt_int(L, t, "machine{}.its", "devbits", 0, 0, 32);
		cfg->its.idbits = (unsigned)lmsk_opt_int(L, t, "machine{}.its", "idbits", 0, 0, 32);
	}
	lua_pop(L, 1);
}

static void read_pseries(lua_State *L, int idx, struct msk_machine_config *cfg, struct lmachine *lm)
{
	static const char *const keys[] = { "free_hook", "pe_quota", NULL };
	static const char *const hooks[] = { "teardown", "post_free", NULL };
	lua_getfield(L, idx, "pseries");
	if (!lua_isnil(L, -1)) {
		int t = lua_absindex(L, -1);
		lmsk_check_keys(L, t, "machine{}.pseries", keys);
		cfg->pseries.post_free =
			lmsk_opt_choice(L, t, "machine{}.pseries", "free_hook", hooks, 0) == 1;
		cfg->pseries.pe_quota =
			(unsigned)lmsk_opt_int(L, t, "machine{}.pseries", "pe_quota", 0, 0, 65536);
	}
	lua_pop(L, 1);
	snprintf(lm->switches_free_hook, sizeof(lm->switches_free_hook), "%s",
		 cfg->pseries.post_free ? "post_free" : "teardown");
}

/* A faults{} value that is neither true/false nor a number, nor a name it takes: what it takes. */
static void fault_value(lua_State *L, const char *key, bool boolean, const char *allowed)
{
	int t = lua_type(L, -1);
	if (t == LUA_TNIL || t == LUA_TNUMBER || (boolean && t == LUA_TBOOLEAN))
		return;
	if (t == LUA_TSTRING)
		luaL_error(L, "machine{}.faults: %s = \"%s\" is not one of %s", key,
			   lua_tostring(L, -1), allowed);
	luaL_error(L, "machine{}.faults: %s must be %s, got %s", key, allowed,
		   luaL_typename(L, -1));
}

static void read_faults(lua_State *L, int idx, struct msk_machine_config *cfg)
{
	static const char *const keys[] = { "alloc", "cpu_offline", "controller", "controller_kind",
					    NULL };
	lua_getfield(L, idx, "faults");
	if (!lua_isnil(L, -1)) {
		int t = lua_absindex(L, -1);
		lmsk_check_keys(L, t, "machine{}.faults", keys);
		lua_getfield(L, t, "alloc");
		if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "random") == 0)
			cfg->faults.alloc_fail_random = true;
		else
			fault_value(L, "alloc", false,
				    "\"random\" or N (the Nth allocation fails)");
		if (!cfg->faults.alloc_fail_random && !lua_isnil(L, -1))
			cfg->faults.alloc_fail = (unsigned long)lmsk_opt_int(
				L, t, "machine{}.faults", "alloc", 0, 1, 1000000000);
		lua_pop(L, 1);
		lua_getfield(L, t, "cpu_offline");
		fault_value(L, "cpu_offline", true, "true, false or N (the step it happens at)");
		if (lua_type(L, -1) == LUA_TBOOLEAN)
			cfg->faults.cpu_offline = lua_toboolean(L, -1);
		else if (!lua_isnil(L, -1)) {
			cfg->faults.cpu_offline = true;
			cfg->faults.cpu_offline_step = (uint64_t)lmsk_opt_int(
				L, t, "machine{}.faults", "cpu_offline", 0, 1, INT64_MAX);
		}
		lua_pop(L, 1);
		lua_getfield(L, t, "controller");
		fault_value(L, "controller", true, "true, false or N (the Nth operation fails)");
		if (lua_type(L, -1) == LUA_TBOOLEAN)
			cfg->faults.controller_random = lua_toboolean(L, -1);
		else if (!lua_isnil(L, -1))
			cfg->faults.controller = (uint64_t)lmsk_opt_int(
				L, t, "machine{}.faults", "controller", 0, 1, INT64_MAX);
		lua_pop(L, 1);
		static const char *const kinds[] = { "default", "its-command", "firmware", "irte",
						     NULL };
		cfg->faults.controller_kind = (enum msk_platform_fault_kind)lmsk_opt_choice(
			L, t, "machine{}.faults", "controller_kind", kinds, 0);
	}
	lua_pop(L, 1);
}

static void read_config(lua_State *L, struct lrun *run, struct lmachine *lm,
			struct msk_machine_config *cfg)
{
	static const char *const keys[] = { "arch",   "cpus",	   "seed", "msi", "prepare",
					    "os",     "ram",	   "x86",  "its", "pseries",
					    "faults", "max_steps", NULL };
	static const char *const msi[] = { "per-device", "global", NULL };
	static const char *const prep[] = { "per-device", "per-alloc", NULL };
	const char *w = "machine{}";
	lmsk_check_keys(L, 1, w, keys);
	msk_machine_config_init(cfg);
	cfg->arch = lmsk_opt_string(L, 1, w, "arch", NULL);
	if (!cfg->arch)
		luaL_error(L, "machine{}: arch is required (\"x86\", \"arm64\" or \"ppc64\")");
	if (msk_cli_arch_override)
		cfg->arch = msk_cli_arch_override;
	cfg->ncpus = (unsigned)lmsk_opt_int(L, 1, w, "cpus", 4, 1, MSK_MAX_CPUS);
	lua_Integer seed = lmsk_opt_int(L, 1, w, "seed", 1, INT64_MIN, INT64_MAX);
	cfg->seed = run->opts->seed_set ? run->opts->seed : (uint64_t)seed;
	int model = lmsk_opt_choice(L, 1, w, "msi", msi, 0);
	cfg->msi = model ? MSK_MACHINE_MSI_GLOBAL : MSK_MACHINE_MSI_PER_DEVICE;
	int pm = lmsk_opt_choice(L, 1, w, "prepare", prep, 0);
	cfg->prepare = pm ? MSK_MSI_PREPARE_PER_ALLOC : MSK_MSI_PREPARE_PER_DEVICE;
	cfg->bare = !lmsk_opt_bool(L, 1, w, "os", true);
	cfg->ram_size = (uint64_t)lmsk_opt_int(L, 1, w, "ram", (lua_Integer)MSK_MACHINE_RAM_DEFAULT,
					       (lua_Integer)(MSK_MACHINE_TABLE_SIZE * 2),
					       (lua_Integer)1 << 40);
	cfg->max_steps = lmsk_limit_steps(
		run, (uint64_t)lmsk_opt_int(L, 1, w, "max_steps", 0, 0, INT64_MAX));
	read_x86(L, 1, cfg);
	read_its(L, 1, cfg);
	read_pseries(L, 1, cfg, lm);
	read_faults(L, 1, cfg);
	snprintf(lm->switches_msi, sizeof(lm->switches_msi), "%s", msi[model]);
	snprintf(lm->switches_prepare, sizeof(lm->switches_prepare), "%s", prep[pm]);
}

/* The error of a failed machine build, without its "ENAME: " prefix. */
static const char *plain(const char *msg)
{
	const char *p = strstr(msg, ": ");
	return p && p - msg < 16 ? p + 2 : msg;
}

int lmsk_machine_new(lua_State *L)
{
	struct lrun *run = lua_touserdata(L, lua_upvalueindex(1));
	if (run->closing)
		return luaL_error(L,
				  "msikit.machine: the run is over (a finalizer builds nothing)");
	if (msk_in_interrupt())
		return luaL_error(L, "msikit.machine: not from an interrupt handler");
	if (run->nmachines >= LMSK_MAX_MACHINES)
		return luaL_error(L, "msikit.machine: at most %d machines per scenario run",
				  LMSK_MAX_MACHINES);
	struct lmachine **ud = lua_newuserdatauv(L, sizeof(*ud), 0);
	*ud = NULL;
	luaL_setmetatable(L, MACHINE_MT);
	struct lmachine *lm = calloc(1, sizeof(*lm));
	if (!lm)
		return luaL_error(L, "msikit.machine: out of memory");
	lm->run = run;
	lm->next_bus = 1;
	lm->number = ++run->nmachines;
	struct msk_machine_config cfg;
	/* Closed by the run whatever happens next (read_config may raise). */
	lm->next = run->machines;
	run->machines = lm;
	run->machine = lm;
	read_config(L, run, lm, &cfg);
	/* Fault injection counts one thread's allocations: the newest machine has it. */
	for (struct lmachine *o = lm->next; o; o = o->next)
		if (o->m)
			msk_machine_faults_disarm(o->m);
	int rc = msk_machine_create(&cfg, &lm->m);
	if (rc < 0) {
		lm->m = NULL;
		if (rc == -MSK_ENOTSUP)
			run->res->platform_missing = true;
		return luaL_error(L, "%s", plain(msk_last_error()));
	}
	run->res->seed = cfg.seed;
	run->res->has_machine = true;
	/* math.random follows the machine's seed from here on. */
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "randomseed");
	lua_pushinteger(L, (lua_Integer)cfg.seed);
	lua_call(L, 1, 0);
	lua_pop(L, 1);
	lm->hthread = lua_newthread(L);
	lm->hthread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	/*
	 * The trace and the per-device fates follow the machine the report
	 * describes: the one built last.
	 */
	for (struct lmachine *o = lm->next; o; o = o->next)
		if (o->m)
			msk_machine_set_trace(o->m, NULL, NULL);
	lmsk_trace_start(run);
	msk_machine_set_trace(lm->m, lmsk_trace_event, run);
	*ud = lm;
	return 1;
}

void lmsk_machine_close(struct lrun *run)
{
	run->trace.frozen = true; /* the report is taken: the teardown's fates are not in it */
	for (struct lmachine *lm = run->machines; lm; lm = lm->next) {
		if (lm->m) {
			lmsk_handlers_free_device(lm, NULL);
			msk_machine_destroy(lm->m);
			lm->m = NULL;
		}
		if (lm->hthread) {
			luaL_unref(run->L, LUA_REGISTRYINDEX, lm->hthread_ref);
			lm->hthread = NULL;
		}
	}
}

void lmsk_machine_free(struct lrun *run)
{
	lmsk_trace_end(run);
	while (run->machines) {
		struct lmachine *lm = run->machines;
		run->machines = lm->next;
		free(lm);
	}
	run->machine = NULL;
	run->nmachines = 0;
}

/* --- devices, actors, time ------------------------------------------------------------------- */

static int m_pci(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	return lmsk_device_new(L, lm, 2);
}

static int m_spawn(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	int nargs = lua_gettop(L) - 2;
	lua_State *co = lua_newthread(L);
	if (!lua_checkstack(co, nargs + 1 + LUA_MINSTACK))
		return luaL_error(L, "m:spawn: too many arguments (%d)", nargs);
	int ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_xmove(L, co, nargs + 1); /* fn and its arguments */
	struct lactor *a = lmsk_actor_new(lm->run, co, ref, nargs);
	if (a)
		a->lm = lm;
	unsigned int id;
	if (!a || msk_sim_spawn(msk_machine_sim(lm->m), &lmsk_actor_ops, a, &id) < 0) {
		luaL_unref(L, LUA_REGISTRYINDEX, ref);
		free(a);
		return lmsk_fail(L, lm->run);
	}
	lua_pushinteger(L, id);
	return 1;
}

/* Stop the calling actor with a request to the runtime (m:sleep, m:yield, m:run). */
static int suspend(lua_State *L, struct lmachine *lm, enum msk_sim_req req, uint64_t ticks,
		   const char *what)
{
	if (msk_in_interrupt())
		return lmsk_failf(L, lm->run, MSK_EPERM,
				  "m:%s from an interrupt handler (handlers must not wait)", what);
	struct lactor *a = lmsk_actor_of(L);
	if (!a)
		return luaL_error(L,
				  "m:%s must be called from the scenario or an m:spawn() actor, "
				  "not from a coroutine of your own",
				  what);
	if (!lua_isyieldable(L))
		return luaL_error(L, "m:%s cannot wait here (inside a metamethod or C call)", what);
	if (!a->main && a->lm != lm)
		return luaL_error(
			L,
			"m:%s: this actor runs on machine %d, not on machine %d (spawn it "
			"with that machine's m:spawn)",
			what, (int)a->lm->number, (int)lm->number);
	a->target = lm;
	a->req_set = true;
	a->req = req;
	a->ticks = ticks;
	return lua_yield(L, 0);
}

static int m_sleep(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	lua_Integer t = luaL_checkinteger(L, 2);
	luaL_argcheck(L, t >= 0, 2, "ticks must be >= 0");
	return suspend(L, lm, MSK_SIM_SLEEP, (uint64_t)t, "sleep");
}

static int m_yield(lua_State *L)
{
	return suspend(L, lmsk_check_machine(L, 1), MSK_SIM_YIELD, 0, "yield");
}

static int m_run(lua_State *L)
{
	return suspend(L, lmsk_check_machine(L, 1), MSK_SIM_WAIT_IDLE, 0, "run");
}

static int m_now(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)msk_sim_now(msk_machine_sim(lmsk_check_machine(L, 1)->m)));
	return 1;
}

static int m_random(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_argcheck(L, n >= 1, 2, "n must be >= 1");
	lua_pushinteger(L, (lua_Integer)msk_sim_random_below(msk_machine_sim(lm->m), (uint64_t)n));
	return 1;
}

/* --- affinity, hotplug ------------------------------------------------------------------------ */

static int m_set_affinity(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	lua_Integer virq = luaL_checkinteger(L, 2);
	luaL_argcheck(L, virq > 0 && virq <= UINT32_MAX, 2, "not a virq");
	struct msk_cpumask mask;
	lmsk_check_cpus(L, 3, "m:set_affinity", msk_machine_config(lm->m)->ncpus, &mask);
	if (msk_irq_set_affinity(msk_machine_core(lm->m), (unsigned int)virq, &mask) < 0)
		return lmsk_fail(L, lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

static int hotplug(lua_State *L, bool online)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	lua_Integer c = luaL_checkinteger(L, 2);
	luaL_argcheck(L, c >= 0 && c < (lua_Integer)msk_machine_config(lm->m)->ncpus, 2,
		      "no such CPU");
	if (msk_in_interrupt())
		return lmsk_failf(L, lm->run, MSK_EPERM, "CPU hotplug from an interrupt handler");
	int rc = online ? msk_machine_cpu_online(lm->m, (unsigned)c)
			: msk_machine_cpu_offline(lm->m, (unsigned)c);
	if (rc < 0)
		return lmsk_fail(L, lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

static int m_cpu_offline(lua_State *L)
{
	return hotplug(L, false);
}

static int m_cpu_online(lua_State *L)
{
	return hotplug(L, true);
}

/* --- views --------------------------------------------------------------------------------------- */

static void set_int(lua_State *L, const char *k, int64_t v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *v)
{
	if (v)
		lua_pushstring(L, v);
	else
		lua_pushnil(L);
	lua_setfield(L, -2, k);
}

static void set_bool(lua_State *L, const char *k, bool v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

static int m_ledger(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	struct msk_ledger_counts c;
	msk_ledger_read(msk_machine_ledger(lm->m), &c);
	lua_createtable(L, 0, 7);
	set_int(L, "raised", (int64_t)c.raised);
	set_int(L, "delivered", (int64_t)c.delivered);
	set_int(L, "lost", (int64_t)c.lost);
	set_int(L, "pending", (int64_t)(c.raised - c.delivered - c.lost));
	set_int(L, "held",
		(int64_t)(msk_core_held(msk_machine_core(lm->m)) + msk_machine_models_held(lm->m)));
	lua_newtable(L);
	for (int r = 0; r < MSK_LOSS__COUNT; r++)
		if (c.lost_by_reason[r])
			set_int(L, msk_loss_name((enum msk_loss)r), (int64_t)c.lost_by_reason[r]);
	lua_setfield(L, -2, "lost_by_reason");
	return 1;
}

static int m_violations(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	struct msk_core *core = msk_machine_core(lm->m);
	unsigned int n = msk_msi_violation_count(core);
	lua_createtable(L, (int)n, 0);
	for (unsigned int i = 0; i < n; i++) {
		struct msk_msi_violation v;
		if (msk_msi_get_violation(core, i, &v) < 0)
			break;
		lua_createtable(L, 0, 4);
		set_str(L, "rule", msk_msi_rule_name(v.rule));
		set_str(L, "device", v.device);
		set_str(L, "domain", v.domain);
		set_str(L, "detail", v.detail);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int take_snapshot(struct lmachine *lm, struct msk_report_snapshot **snap)
{
	struct msk_core *core = msk_machine_core(lm->m);
	struct msk_report_src src = {
		.core = core,
		.ledger = msk_machine_ledger(lm->m),
		.held_extra = msk_machine_models_held(lm->m),
	};
	return msk_report_snapshot_take(&src, snap);
}

static void push_cpus(lua_State *L, const struct msk_cpumask *m)
{
	lua_newtable(L);
	lua_Integer i = 1;
	unsigned int c;
	msk_for_each_cpu(c, m)
	{
		lua_pushinteger(L, c);
		lua_rawseti(L, -2, i++);
	}
}

static void push_irq(lua_State *L, const struct msk_report_snapshot *s,
		     const struct msk_report_irq *q)
{
	lua_createtable(L, 0, 16);
	set_int(L, "virq", q->virq);
	set_str(L, "device", q->device);
	if (q->has_index)
		set_int(L, "index", q->index);
	set_str(L, "chip", q->levels[0].chip);
	set_int(L, "hwirq", (int64_t)q->levels[0].hwirq);
	set_str(L, "name", q->action);
	set_str(L, "flow", q->flow);
	uint64_t total = 0;
	lua_createtable(L, (int)s->nr_cpus, 0);
	for (unsigned int c = 0; c < s->nr_cpus; c++) {
		total += q->counts[c];
		lua_pushinteger(L, (lua_Integer)q->counts[c]);
		lua_rawseti(L, -2, c + 1);
	}
	lua_setfield(L, -2, "counts");
	set_int(L, "total", (int64_t)total);
	push_cpus(L, &q->affinity);
	lua_setfield(L, -2, "affinity");
	unsigned int eff = msk_cpumask_first(&q->effective);
	if (eff != MSK_CPU_NONE)
		set_int(L, "effective_cpu", eff);
	set_bool(L, "managed", q->managed);
	set_bool(L, "masked", q->masked);
	set_bool(L, "disabled", q->disabled);
	set_bool(L, "pending", q->pending);
	set_bool(L, "activated", q->activated);
	lua_createtable(L, (int)q->nr_levels, 0);
	for (unsigned int i = 0; i < q->nr_levels; i++) {
		lua_createtable(L, 0, 3);
		set_str(L, "domain", q->levels[i].domain);
		set_int(L, "hwirq", (int64_t)q->levels[i].hwirq);
		set_str(L, "chip", q->levels[i].chip);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "levels");
}

static int m_irqs(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	struct msk_report_snapshot *s;
	if (take_snapshot(lm, &s) < 0)
		return lmsk_fail(L, lm->run);
	lua_createtable(L, (int)s->nr_irqs, 0);
	for (unsigned int i = 0; i < s->nr_irqs; i++) {
		push_irq(L, s, &s->irqs[i]);
		lua_rawseti(L, -2, i + 1);
	}
	msk_report_snapshot_free(s);
	return 1;
}

static int m_domains(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	struct msk_report_snapshot *s;
	if (take_snapshot(lm, &s) < 0)
		return lmsk_fail(L, lm->run);
	lua_createtable(L, (int)s->nr_domains, 0);
	for (unsigned int i = 0; i < s->nr_domains; i++) {
		const struct msk_report_domain *d = &s->domains[i];
		lua_createtable(L, 0, 9);
		set_str(L, "name", d->name);
		set_str(L, "parent", d->parent >= 0 ? s->domains[d->parent].name : NULL);
		set_str(L, "kind", msk_report_kind_name(d->kind));
		set_str(L, "bus", msk_bus_token_name(d->bus_token));
		set_int(L, "hwsize", d->msi_info ? d->msi_hwsize : (int64_t)d->size);
		set_int(L, "mapped", d->mapped);
		set_str(L, "device", d->device);
		char flags[256];
		set_str(L, "flags", msk_report_domain_flags_format(d->flags, flags, sizeof(flags)));
		if (d->msi_info)
			set_str(L, "msi_flags",
				msk_msi_flags_format(d->msi_flags, flags, sizeof(flags)));
		lua_rawseti(L, -2, i + 1);
	}
	msk_report_snapshot_free(s);
	return 1;
}

static int m_resources(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	struct msk_platform_counter c[32];
	size_t n = msk_platform_counters(msk_machine_platform(lm->m), c, 32);
	lua_createtable(L, 0, (int)n);
	for (size_t i = 0; i < n; i++)
		set_int(L, c[i].name, c[i].value);
	return 1;
}

/* m:faults() -> what fault injection armed and did so far. */
static int m_faults(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	struct msk_machine_faults f;
	msk_machine_faults(lm->m, &f);
	lua_createtable(L, 0, 5);
	set_int(L, "alloc_fail_at", (lua_Integer)f.alloc_fail_at);
	set_int(L, "allocs_failed", (lua_Integer)f.allocs_failed);
	if (f.cpu_offlined >= 0) {
		set_int(L, "cpu_offlined", f.cpu_offlined);
		set_int(L, "cpu_offline_step", (lua_Integer)f.cpu_offline_step);
	}
	if (f.controller.nth || f.controller.fired) {
		lua_createtable(L, 0, 5);
		lua_pushstring(L, msk_platform_fault_name(f.controller.kind));
		lua_setfield(L, -2, "kind");
		set_int(L, "nth", (lua_Integer)f.controller.nth);
		set_int(L, "seen", (lua_Integer)f.controller.seen);
		set_int(L, "fired", (lua_Integer)f.controller.fired);
		lua_pushstring(L, f.controller.what);
		lua_setfield(L, -2, "what");
		lua_setfield(L, -2, "controller");
	}
	return 1;
}

static int m_check(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	if (msk_machine_check(lm->m) < 0)
		return lmsk_fail(L, lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

static int m_tostring(lua_State *L)
{
	struct lmachine **p = luaL_checkudata(L, 1, MACHINE_MT);
	if (!*p || !(*p)->m) { /* no liveness error: tostring must work in a finalizer */
		lua_pushstring(L, "msikit.machine (gone)");
		return 1;
	}
	const struct msk_machine_config *c = msk_machine_config((*p)->m);
	lua_pushfstring(L, "msikit.machine(%s, %d CPUs)", c->arch, (int)c->ncpus);
	return 1;
}

void lmsk_machine_register(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "pci", m_pci },
		{ "spawn", m_spawn },
		{ "sleep", m_sleep },
		{ "yield", m_yield },
		{ "run", m_run },
		{ "now", m_now },
		{ "random", m_random },
		{ "set_affinity", m_set_affinity },
		{ "cpu_offline", m_cpu_offline },
		{ "cpu_online", m_cpu_online },
		{ "ledger", m_ledger },
		{ "violations", m_violations },
		{ "irqs", m_irqs },
		{ "domains", m_domains },
		{ "resources", m_resources },
		{ "check", m_check },
		{ "faults", m_faults },
		{ "layout", lmsk_layout },
		{ "mmio_read", lmsk_mmio_read },
		{ "mmio_write", lmsk_mmio_write },
		{ "mem_read", lmsk_mem_read },
		{ "mem_write", lmsk_mem_write },
		{ "cpu", lmsk_cpu },
		{ NULL, NULL },
	};
	luaL_newmetatable(L, MACHINE_MT);
	lmsk_set_methods(L, "machine", methods);
	lua_pushcfunction(L, m_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}
