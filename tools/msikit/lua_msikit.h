/* SPDX-License-Identifier: MIT */
#ifndef MSK_LUA_MSIKIT_H
#define MSK_LUA_MSIKIT_H

/*
 * The Lua 5.4 binding of msikit (module "msikit", docs/interfaces.md "Lua API"): a
 * scenario's machine, its devices, actors and handlers.
 *
 * Conventions of every function here:
 *  - a wrong argument (type, range, unknown table key) is a Lua error
 *    with a clear message and the caller's FILE:LINE (luaL_error);
 *  - a call msikit refuses returns nil, "ENAME: context" (the library's
 *    msk_last_error()), and the message is kept for the report's errors;
 *  - nothing here aborts or longjmps through the library: Lua errors are
 *    raised only before or after library calls, and Lua handlers run
 *    under lua_pcall.
 */

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "cli.h"

struct lmachine;
struct ldevice;

/* Virqs the trace follows back to their device (a bound on its memory). */
#define MSK_TRACE_MAX_VIRQ (1u << 20)

/* Where a virq was last raised from (trace_out.c). */
struct ltrace_virq {
	bool known;
	unsigned int fate; /* in the result's fates */
	int index;	   /* MSI index, -1: not known */
};

/* The ledger observer's state (trace_out.c). */
struct ltrace {
	unsigned int raise_virq; /* the vector being raised, 0 outside a raise */
	unsigned int last;	 /* the fate of the last event's device */
	unsigned int fates_cap;
	struct ltrace_virq *map; /* by virq */
	unsigned int map_cap;
	uint64_t events;
	double started; /* monotonic seconds */
	bool progress_shown;
	bool frozen; /* after the report's snapshot: fates are no longer counted */
};

#define LMSK_MAX_CHUNKS	  64 /* the scenario and the Lua modules it requires */
#define LMSK_MAX_MACHINES 64 /* machines one scenario run may build */

/* A chunk of the scenario: the name Lua shows (short_src) and the file's path. */
struct lchunk {
	char src[LUA_IDSIZE];
	char *path;
};

/* The state of one scenario run, shared by every binding. */
struct lrun {
	lua_State *L;
	const struct scn_opts *opts;
	struct scn_result *res;
	struct scn_limits lim;	   /* opts->limits, or the defaults */
	struct lmachine *machine;  /* the machine built last (the one the report describes) */
	struct lmachine *machines; /* every machine built, newest first (lmachine.next) */
	unsigned int nmachines;
	bool closing;		   /* the run is over: finalizers may still run, build nothing */
	bool main_moved;	   /* the main chunk left its machine for another one */
	struct lactor *last_actor; /* the actor resumed last (while it lives) */
	char *handler_error;	   /* first error of a Lua handler ("FILE:LINE: msg") */
	char *actor_error;	   /* first error of an actor */
	char chunkname[LUA_IDSIZE + 2]; /* what luaL_loadbuffer names the scenario */
	struct lchunk chunks[LMSK_MAX_CHUNKS];
	unsigned int nchunks;
	char where[LUA_IDSIZE + 24];	      /* "SRC:LINE:" noted by a handler's message handler */
	char livelock_where[LUA_IDSIZE + 24]; /* the last d:raise() from a handler */
	uint64_t spent;			      /* instructions counted against lim */
	size_t mem_used;		      /* bytes the Lua state holds */
	bool mem_refused;		      /* the allocator refused to grow past lim.memory */
	double deadline;		      /* CLOCK_MONOTONIC seconds (lim.timeout), or 0 */
	struct lwatchdog *watchdog;	      /* lua_watchdog.c, or NULL */
	char watchdog_last[LUA_IDSIZE + 24];  /* the place last told to the watchdog */
	struct ltrace trace;		      /* the ledger's observer */
};

/* A coroutine the runtime schedules (the scenario's main chunk is one). */
struct lactor {
	struct lrun *run;
	struct lmachine *lm;	 /* the machine whose runtime runs it (main: the current one) */
	struct lmachine *target; /* the machine of its last request (m:run, m:sleep, m:yield) */
	lua_State *co;
	int ref; /* keeps the thread alive */
	int nargs;
	bool req_set;
	enum msk_sim_req req;
	uint64_t ticks;
	bool pending; /* the main chunk's first request, made before the runtime started */
	bool main;
};

/* A Lua (or default) handler of one virq. */
struct lhandler {
	struct lmachine *lm;
	unsigned int virq;
	int fnref; /* LUA_NOREF: the default handler (claims the interrupt) */
	char device[16];
	char name[64];
	struct lhandler *next;
};

struct lmachine {
	struct lrun *run;
	struct lmachine *next; /* the run's list */
	unsigned int number;   /* 1, 2, ... in the order the script built them */
	struct msk_machine *m;
	lua_State *hthread; /* the thread Lua handlers run on */
	int hthread_ref;
	struct lhandler *handlers;
	unsigned int next_bus; /* for m:pci{} without a bdf */
	char switches_msi[16], switches_prepare[16], switches_free_hook[16];
};

struct ldevice {
	struct lmachine *lm;
	struct msk_machine_dev *d; /* NULL once removed */
	char name[16];
	char ims_name[24]; /* "BDF/ims": how the trace names the device's IMS slots */
	char driver[32];   /* the name = of m:pci{}, for default handler names */
};

/* lua_msikit.c: the module; lua_State set-up for a run. */
void lmsk_open(struct lrun *run);
/* msikit.expect_violation(rule [, device]) (scn_expect.c); upvalue 1: the run. */
int lmsk_expect_violation(lua_State *L);
/* The actor of a coroutine (NULL: not one of ours). */
struct lactor *lmsk_actor_of(lua_State *L);
extern const struct msk_sim_actor_ops lmsk_actor_ops;
struct lactor *lmsk_actor_new(struct lrun *run, lua_State *co, int ref, int nargs);

/* lua_limits.c: what struct scn_limits asks for. */
/* The run's Lua state; its allocator counts (and caps) what it holds. */
lua_State *lmsk_state_new(struct lrun *run);
/* Start counting instructions and time (threads created afterwards inherit the hook). */
void lmsk_limits_start(struct lrun *run);
/*
 * lua_watchdog.c: the time limit where no hook runs (a C function, a
 * finalizer). Start arms it when lim.watchdog and lim.timeout are set;
 * seen (from the count hook) notes where the scenario is; stop disarms it.
 * Context: the run's thread. A run still going WATCHDOG_GRACE seconds past
 * its deadline ends the process: exit 2, "msikit: FILE:LINE: time limit".
 */
void lmsk_watchdog_start(struct lrun *run);
void lmsk_watchdog_seen(struct lrun *run, lua_State *L);
/* The string library's pattern functions note their caller's line first (with a watchdog). */
void lmsk_watchdog_wrap_patterns(struct lrun *run);
void lmsk_watchdog_stop(struct lrun *run);
/* Count n units of work against the instruction budget; a Lua error beyond it. */
void lmsk_charge(lua_State *L, struct lrun *run, uint64_t n);
/* The wall-clock limit from C (an actor's resume): true once it is past. */
bool lmsk_timed_out(const struct lrun *run);
/* "time limit (N s) reached; raise it with --timeout" */
const char *lmsk_timeout_text(const struct lrun *run, char *buf, size_t size);
/* Before a script's write that may reach RAM: a Lua error past the RAM limit. */
void lmsk_charge_ram(lua_State *L, struct lrun *run, struct msk_bus *bus);
/* machine{ max_steps }, capped by the limits. */
uint64_t lmsk_limit_steps(const struct lrun *run, uint64_t max_steps);

/* lua_sandbox.c: open the standard libraries the run's sandbox level allows. */
void lmsk_open_libs(struct lrun *run);

/* lua_where.c: positions in the scenario, and its file names. */
/*
 * Register a chunk loaded from path; name (size >= LUA_IDSIZE + 2) gets what
 * to pass to luaL_load*. Returns name.
 */
const char *lmsk_chunk_register(struct lrun *run, const char *path, char *name, size_t size);
void lmsk_chunks_free(struct lrun *run);
/* msg with every internal chunk name replaced by its path (malloc'd; NULL: no memory). */
char *lmsk_map_names(const struct lrun *run, const char *msg);
/* "SRC:LINE:" of the innermost scenario frame of L from level on; false: none. */
bool lmsk_where(const struct lrun *run, lua_State *L, int level, char *buf, size_t size);
/* The message of error value idx (status from lua_resume/pcall), with a position (malloc'd). */
char *lmsk_error_text(struct lrun *run, lua_State *L, int idx, int status, const char *where);
/* The message of a coroutine that failed in lua_resume (its stack is still there). */
char *lmsk_resume_error(struct lrun *run, lua_State *co, int status);
/* lua_pcall with a message handler noting where; on failure *err is the message. */
int lmsk_pcall(struct lrun *run, lua_State *L, int nargs, int nres, char **err);

/* lua_util.c */
void lmsk_check_keys(lua_State *L, int idx, const char *what, const char *const *known);
lua_Integer lmsk_opt_int(lua_State *L, int idx, const char *what, const char *key, lua_Integer def,
			 lua_Integer min, lua_Integer max);
bool lmsk_opt_bool(lua_State *L, int idx, const char *what, const char *key, bool def);
/* A string among choices (NULL-terminated); returns its index, or def if absent. */
int lmsk_opt_choice(lua_State *L, int idx, const char *what, const char *key,
		    const char *const *choices, int def);
const char *lmsk_opt_string(lua_State *L, int idx, const char *what, const char *key,
			    const char *def);
/* A sequence of CPU numbers (< ncpus) into a mask; at least one. */
void lmsk_check_cpus(lua_State *L, int idx, const char *what, unsigned int ncpus,
		     struct msk_cpumask *out);
/* nil, msk_last_error(); the message is added to the run's errors. Returns 2. */
int lmsk_fail(lua_State *L, struct lrun *run);
/* nil, "ENAME: formatted"; recorded likewise. */
int lmsk_failf(lua_State *L, struct lrun *run, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
lua_Integer lmsk_check_size(lua_State *L, int arg);
/*
 * The metatable on top gets an __index with the methods; any other name is
 * a Lua error naming the nearest method ("device has no method 'reqest':
 * did you mean 'request'?"). methods must outlive the Lua state (static).
 */
void lmsk_set_methods(lua_State *L, const char *what, const luaL_Reg *methods);
/*
 * The table on top gets a metatable: reading a name it does not hold is a
 * Lua error naming the nearest of fns, except for the names of maybe_nil
 * (NULL-terminated, or NULL), which read as nil. Both lists static.
 */
void lmsk_strict_table(lua_State *L, const char *what, const luaL_Reg *fns,
		       const char *const *maybe_nil);

/* trace_out.c: the ledger's observer (per-device fates, --trace CSV, progress). */
/*
 * When a machine is built: the clock starts, the CSV header is written (once
 * per run), and the fates start afresh: they and the trace follow the machine
 * built last, the one the report describes.
 */
void lmsk_trace_start(struct lrun *run);
/* The observer itself (msk_machine_set_trace's callback; ctx is the run). */
void lmsk_trace_event(void *ctx, const struct msk_machine_event *ev);
/* Around a device's raise of vector index (begin), and after it (!begin). */
void lmsk_trace_raise(struct ldevice *dv, bool ims, unsigned int index, bool begin);
/* At the end of the run: clears the progress line, frees the observer's memory. */
void lmsk_trace_end(struct lrun *run);

/* lua_machine.c */
int lmsk_machine_new(lua_State *L); /* msikit.machine{} */
void lmsk_machine_register(lua_State *L);
struct lmachine *lmsk_check_machine(lua_State *L, int idx);
/*
 * The one liveness check of every binding object: a Lua error "the machine
 * is gone" (with the caller's FILE:LINE) once lm's machine was destroyed
 * (the run is over: a finalizer at lua_close). Returns lm.
 */
struct lmachine *lmsk_live(lua_State *L, struct lmachine *lm);
/*
 * Take every machine of the run apart (handlers, devices, Lua refs). Their
 * userdata and devices' may outlive them (finalizers run at lua_close): they
 * find them gone (lmsk_live). lmsk_machine_free() frees what is left, once
 * the Lua state is closed.
 */
void lmsk_machine_close(struct lrun *run);
void lmsk_machine_free(struct lrun *run);

/* lua_device.c */
void lmsk_device_register(lua_State *L);
int lmsk_device_new(lua_State *L, struct lmachine *lm, int cfg_idx); /* m:pci{} */
struct ldevice *lmsk_check_device(lua_State *L, int idx);
/*
 * lua_train.c: after d:raise (device at dev_idx) raised event 1 of `count`
 * on vector `index`, raise the others one every `every` ticks from an
 * actor. Pushes true, or nil, err (nothing spawned).
 */
int lmsk_train_start(lua_State *L, int dev_idx, bool ims, unsigned int index, uint64_t count,
		     uint64_t every);
/* lua_bare.c */
void lmsk_bare_register(lua_State *L);
int lmsk_layout(lua_State *L);
int lmsk_mmio_read(lua_State *L);
int lmsk_mmio_write(lua_State *L);
int lmsk_mem_read(lua_State *L);
int lmsk_mem_write(lua_State *L);
int lmsk_cpu(lua_State *L);
int lmsk_dev_cfg_read(lua_State *L);
int lmsk_dev_cfg_write(lua_State *L);
int lmsk_dev_bar_read(lua_State *L);
int lmsk_dev_bar_write(lua_State *L);

/* lua_handler.c: handlers installed by d:request(). */
int lmsk_handler_request(lua_State *L, struct lmachine *lm, const char *device, unsigned int virq,
			 const char *name, int fn_idx);
int lmsk_handler_free(struct lmachine *lm, unsigned int virq);
/* Free the handlers of one device (its removal), or all (device NULL). */
void lmsk_handlers_free_device(struct lmachine *lm, const char *device);

#endif
