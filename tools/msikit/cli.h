/* SPDX-License-Identifier: MIT */
#ifndef MSK_CLI_H
#define MSK_CLI_H

/*
 * The msikit command: scenarios (Lua 5.4) run on simulated machines, and
 * the subcommands around them. Exit codes (INTERFACES §2):
 *	0  ran, every expectation held
 *	1  ran, and an expectation, the lifecycle contract or an invariant failed
 *	2  bad usage or bad input (unreadable file, Lua error), with one line
 *	   "msikit: FILE:LINE: what is wrong"
 *	3  internal error (the ledger does not balance, a report cannot be written)
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <msikit.h>

#define CLI_EXIT_PASS	  0
#define CLI_EXIT_FAIL	  1
#define CLI_EXIT_USAGE	  2
#define CLI_EXIT_INTERNAL 3

/* A growable list of owned strings. */
struct strlist {
	char **v;
	unsigned int n, cap;
};
void strlist_add(struct strlist *l, const char *s);
void strlist_addf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strlist_free(struct strlist *l);

/* What a scenario may reach of the process (docs/sim.md "What a scenario may do"). */
enum scn_sandbox {
	/*
	 * The default: the standard library but debug; io reads files only
	 * (io.open "r", io.lines, io.input), no io.popen/tmpfile; no
	 * os.execute, exit, remove, rename, tmpname, setlocale; require finds
	 * Lua modules next to the scenario (text only).
	 */
	SCN_SANDBOX_DEFAULT = 0,
	SCN_SANDBOX_SYSTEM, /* --allow-system: the whole standard library (but debug) */
	/*
	 * Text nobody vouches for (fuzz_lua): base, coroutine, string, table,
	 * math, utf8, os.clock/time/date only: no io, no file loading at all.
	 */
	SCN_SANDBOX_STRICT,
};

/*
 * Limits of a scenario run; 0: no limit. Every limit reached is a Lua error
 * naming the scenario's FILE:LINE, the limit and its option: the run ends
 * with exit 2. In every mode: no debug library, no C modules
 * (package.loadlib, the C searchers), text chunks only.
 */
struct scn_limits {
	uint64_t instructions; /* Lua instructions of the whole run (every coroutine and
				  handler), plus one per event d:raise() raises */
	size_t memory;	       /* bytes the Lua state may hold */
	uint64_t max_steps;    /* runtime steps: caps machine{ max_steps } */
	uint64_t ram;	       /* guest RAM bytes m:mem_write/m:mmio_write may make resident */
	double timeout;	       /* wall-clock seconds of the whole run */
	enum scn_sandbox sandbox;
};

/* The defaults of the command (docs/sim.md gives the numbers and why). */
#define SCN_DEFAULT_INSTRUCTIONS 1000000000ull
#define SCN_DEFAULT_MEMORY	 (256ull << 20)
#define SCN_DEFAULT_RAM		 (256ull << 20)
#define SCN_DEFAULT_TIMEOUT	 900.0

/**
 * scn_limits_default() - the limits a scenario runs under unless told otherwise
 * @lim: filled in
 *
 * Context: any. The command's run, explore, demo and import all start from
 * these; fuzz_lua tightens them.
 */
void scn_limits_default(struct scn_limits *lim);

/**
 * cli_limits_option() - parse one limit option of run/explore
 * @argc: the subcommand's argc
 * @argv: its argv
 * @i: the index of the option; moved past its value when it takes one
 * @lim: the limits to change
 *
 * Options: --max-instructions N, --max-memory BYTES, --max-guest-ram BYTES
 * (BYTES may end in K, M or G), --timeout SECONDS, --allow-system; 0: no
 * limit.
 *
 * Context: option parsing.
 * Return: 1 when argv[*i] was one of them, 0 when it is not a limit option,
 * -1 when its value is bad (the error is printed).
 */
int cli_limits_option(int argc, char **argv, int *i, struct scn_limits *lim);

/**
 * cli_limits_set() - apply one limit option given by name and value
 * @lim: the limits to change
 * @name: "--max-instructions", "--max-memory", "--max-guest-ram", "--timeout"
 *        or "--allow-system"
 * @value: its value (NULL for --allow-system; NULL elsewhere is a bad value)
 *
 * For option parsers that split "--opt value" themselves
 * (cli_limits_takes_value() says which take one); cli_limits_option() is
 * built on it.
 *
 * Context: option parsing.
 * Return: 1 when applied, 0 when name is not a limit option, -1 when the
 * value is bad (the error is printed; lim is unchanged).
 */
int cli_limits_set(struct scn_limits *lim, const char *name, const char *value);
/* Does the limit option name take a value? (All but --allow-system.) */
bool cli_limits_takes_value(const char *name);

/* How one scenario run is asked for. */
struct scn_opts {
	const char *file;   /* the scenario file, or only its name when source is set */
	const char *source; /* the scenario's text (not read from file), or NULL */
	size_t source_len;
	const struct scn_limits *limits; /* NULL: scn_limits_default() */
	uint64_t seed;
	bool seed_set;	   /* --seed given: overrides machine{seed} */
	const char *form;  /* --form before|after, or NULL */
	bool quiet;	   /* scenario print() goes nowhere (explore, demo) */
	bool print_stderr; /* scenario print() goes to stderr (stdout carries JSON) */
	FILE *trace;	   /* CSV of every ledger fate, or NULL */
};

/* What a story declares with msikit.story{}. */
struct scn_story {
	bool declared;
	char title[96];
	char before[96], after[96]; /* what each form switches */
};

/* Everything a run produced. */
struct scn_result {
	int exit_code;
	char *fatal;	       /* exit 2/3: the one-line message (without "msikit: ") */
	bool platform_missing; /* the fatal error is "platform drivers are not built yet" */
	bool input_error;      /* the file could not be read or parsed (no seed matters) */
	struct scn_story story;
	const char *form; /* the form the scenario ran in ("after" by default) */
	uint64_t seed;
	unsigned int expect_total, expect_failed;
	struct strlist expect_failures; /* "FILE:LINE: message" */
	struct strlist errors;		/* messages of calls that failed */
	struct strlist invariants;	/* broken invariants and CPU service errors */
	bool ledger_broken;
	uint64_t time, steps;
	struct msk_report_snapshot *snap; /* NULL when no machine was built or on exit 2 */
	struct msk_machine_faults faults;
	bool has_machine;
};

/* Run one scenario in this process (fresh Lua state and machine). */
void scn_run(const struct scn_opts *opts, struct scn_result *res);
void scn_result_free(struct scn_result *res);

/* The verdict's first reason in one line (for explore and demo), or "" when it passed. */
const char *scn_reason(const struct scn_result *res, char *buf, size_t size);

/* Writers of a finished run (report_out.c). 0, or -MSK_E* (then exit 3). */
int scn_write_text(const struct scn_result *res, FILE *out);
int scn_write_json(const struct scn_result *res, FILE *out, bool compact);
int scn_write_dot(const struct scn_result *res, FILE *out);

/* Subcommands: argv[0] is the subcommand's name. */
int cmd_run(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* The whole command (main.c calls it; tests may register archs first). */
int msk_cli_main(int argc, char **argv);

/*
 * Tests only: when set (by a test build's main), every machine{} of a
 * scenario is built on this arch instead of the one it names.
 */
extern const char *msk_cli_arch_override;

/* Where the shipped scenarios are (for demo): $MSIKIT_SCENARIOS, the source or install tree. */
const char *cli_scenario_dir(void);

/* Option parsing shared by the subcommands (cmd_run.c). */
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_check_form(const char *form);

/* "msikit: " + message on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The example demo (examples/demo.c, built without its main): the fallback of `demo`. */
int msk_example_demo(void);

#endif
