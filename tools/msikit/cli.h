/* SPDX-License-Identifier: MIT */
#ifndef MSK_CLI_H
#define MSK_CLI_H

/*
 * The msikit command: scenarios (Lua 5.4) run on simulated machines, and
 * the subcommands around them. Exit codes (docs/interfaces.md, "Command line"):
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
	bool watchdog; /* past timeout where no Lua hook runs (a C call, a finalizer), end
			  the process (exit 2): the command's runs only, never a library caller */
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
 * cli_limits_set() - apply one limit option given by name and value
 * @lim: the limits to change
 * @name: "--max-instructions", "--max-memory", "--max-guest-ram", "--timeout"
 *        or "--allow-system"
 * @value: its value (NULL for --allow-system; NULL elsewhere is a bad value)
 *
 * The commands' option parser (cli_parse) hands each over with its value;
 * CLI_LIMIT_OPTS are their rows (all but --allow-system take a value).
 *
 * Context: option parsing.
 * Return: 1 when applied, 0 when name is not a limit option, -1 when the
 * value is bad (the error is printed; lim is unchanged).
 */
int cli_limits_set(struct scn_limits *lim, const char *name, const char *value);

/*
 * The limit options as rows of a cli_parse() table, all with the one id
 * given: the callback hands them to cli_limits_set(lim, name, value).
 */
/* clang-format off */
#define CLI_LIMIT_OPTS(id)                      \
	{ "--max-instructions", "N", (id) },    \
	{ "--max-memory", "BYTES", (id) },      \
	{ "--max-guest-ram", "BYTES", (id) },   \
	{ "--timeout", "SECONDS", (id) },       \
	{ "--allow-system", NULL, (id) }
/* clang-format on */

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
	bool progress;	   /* a progress line on stderr once the run takes over a second */
};

/* What became of one device's events, counted by the ledger's observer. */
struct scn_fate {
	char device[32]; /* "0000:01:00.0", "0000:01:00.0/ims"; "" when no device is known */
	uint64_t raised, delivered, lost;
	uint64_t lost_by_reason[MSK_LOSS__COUNT];
};

/* What a story declares with msikit.story{}. */
struct scn_story {
	bool declared;
	char title[96];
	char before[96], after[96]; /* what each form switches */
};

/* msikit.expect_violation(rule [, device]) calls of a run (scn_expect.c). */
enum scn_expect_kind {
	SCN_EXPECT_UNKNOWN,
	SCN_EXPECT_RULE,      /* a contract-monitor rule (msk_msi_rule_name) */
	SCN_EXPECT_INVARIANT, /* a machine invariant ("msix-message", "msi-route") */
	SCN_EXPECT_LOSS,      /* a loss reason (msk_loss_name) */
};
struct scn_expected {
	enum scn_expect_kind kind;
	char rule[48];
	char device[48];   /* "" for any device */
	char where[300];   /* "FILE:LINE: " of the call */
	unsigned int hits; /* occurrences it covered */
};
struct scn_expectations {
	struct scn_expected *v;
	unsigned int n, cap;
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
	struct strlist expect_failures;	  /* "FILE:LINE: message" */
	struct strlist errors;		  /* messages of calls that failed */
	struct strlist invariants;	  /* broken invariants and CPU service errors */
	struct scn_expectations expected; /* msikit.expect_violation() calls */
	unsigned int invariants_expected; /* entries of invariants an expectation covers */
	bool ledger_broken;
	uint64_t time, steps;
	struct msk_report_snapshot *snap; /* NULL when no machine was built or on exit 2 */
	struct msk_machine_faults faults;
	bool has_machine;
	struct scn_fate *fates; /* in the order devices first had an event */
	unsigned int nr_fates;
};

/* Run one scenario in this process (fresh Lua state and machine). */
void scn_run(const struct scn_opts *opts, struct scn_result *res);
void scn_result_free(struct scn_result *res);

/*
 * Judge the expected violations of a finished run (scn_expect.c): in a run
 * that called msikit.expect_violation() or declared a story, every contract
 * violation, invariant failure and loss reason must be expected and every
 * expectation must have happened; each mismatch becomes a failed
 * expectation in res. Returns true when the violations were judged this way
 * (they no longer fail the report by themselves), false for a plain run.
 */
bool scn_expected_judge(struct scn_result *res, struct msk_core *core, struct msk_ledger *ledger);
void scn_expectations_free(struct scn_expectations *e);

/* The verdict's first reason in one line (for explore and demo), or "" when it passed. */
const char *scn_reason(const struct scn_result *res, char *buf, size_t size);

/* What `run` prints before its verdict (--view). */
#define SCN_VIEW_SUMMARY (1u << 0) /* the overview: machine, devices (the default) */
#define SCN_VIEW_TREE	 (1u << 1) /* the domain tree */
#define SCN_VIEW_TABLE	 (1u << 2) /* the interrupts table */
#define SCN_VIEW_LEDGER	 (1u << 3) /* every device's fates */
#define SCN_VIEW_ALL	 (SCN_VIEW_SUMMARY | SCN_VIEW_TREE | SCN_VIEW_TABLE | SCN_VIEW_LEDGER)

/*
 * Add the views of a --view value ("tree,table", "all") to *bits. Returns
 * false, with the error printed (naming the nearest view), for an unknown one.
 */
bool cli_parse_views(const char *list, unsigned int *bits);

/*
 * Writers of a finished run (report_out.c). 0, or -MSK_E* (then exit 3).
 * The text is the header line, the views asked for (in the order summary,
 * tree, table, ledger), then the expectations and the verdict.
 */
int scn_write_text(const struct scn_result *res, unsigned int views, FILE *out);
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

/* Where the shipped scenarios are (for demo): $MSIKIT_SCENARIOS, next to the binary, the source tree. */
const char *cli_scenario_dir(void);

/* Option values shared by the subcommands (cmd_run.c). */
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_check_form(const char *form);

/*
 * cli_json.c: the command's own JSON values. cli_json_str() makes the
 * string well-formed UTF-8 first (an invalid byte becomes U+FFFD, as in
 * the report: msk_report_utf8_clean) and gives null for NULL;
 * cli_json_u64()/cli_json_i64() are exact integers (never a double).
 * Context: any. Return: a new item, or NULL when out of memory.
 * cli_json_add() adds item under key (deleting it on failure): false when
 * either is NULL or out of memory.
 */
struct cJSON;
struct cJSON *cli_json_str(const char *s);
struct cJSON *cli_json_u64(uint64_t v);
struct cJSON *cli_json_i64(int64_t v);
bool cli_json_add(struct cJSON *obj, const char *key, struct cJSON *item);
/*
 * "No space left on device (ENOSPC)": the text and name of an errno value
 * in buf. Context: any. Return: buf.
 */
const char *cli_errno_text(int err, char *buf, size_t size);

/* --- the option parser of every subcommand (cli_opts.c) --- */

/* One option: a flag (arg NULL) or an option with a value. */
struct cli_opt {
	const char *name; /* "--seed", "-o" */
	const char *arg;  /* the value's name for messages ("N"), or NULL: a flag */
	int id;		  /* what the callback is told (> 0) */
};

#define CLI_OPERAND	0 /* the id the callback gets for an operand (value: the operand) */

#define CLI_PARSE_OK	0
#define CLI_PARSE_HELP	1    /* --help or -h: the command's usage is printed on stdout */
#define CLI_PARSE_ERROR (-1) /* the error is printed on stderr */

/**
 * cli_parse() - parse a subcommand's arguments against a table of options.
 * @cmd: the subcommand's name, for messages and --help.
 * @argc, @argv: argv[0] is the subcommand; argv[1..] are parsed.
 * @opts: the options, ended by an entry with name NULL (NULL: none).
 * @on: called in order for every option (id, its name, its value or NULL)
 *	and operand (CLI_OPERAND, NULL, the operand); returns 0, or -1 once it
 *	has printed an error.
 * @ctx: passed to @on.
 *
 * Values are given as "--name value" or "--name=value"; "--" ends the
 * options; an unknown option is an error naming the nearest known one.
 *
 * Context: the command's thread; prints on stdout (--help) or stderr.
 * Return: CLI_PARSE_OK, CLI_PARSE_HELP or CLI_PARSE_ERROR.
 */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
	      int (*on)(void *ctx, int id, const char *name, const char *value), void *ctx);

/**
 * cli_parse_json_only() - cli_parse() for a command whose one option is --json.
 * @cmd, @argc, @argv: as for cli_parse().
 * @json: set when --json is given.
 * @operands: the operands are added here; NULL: an operand is an error.
 *
 * Return: as cli_parse().
 */
int cli_parse_json_only(const char *cmd, int argc, char **argv, bool *json,
			struct strlist *operands);

/* The exit code of a cli_parse() that did not return CLI_PARSE_OK. */
int cli_parse_exit(int rc);

/**
 * cli_usage() - print one subcommand's usage and description.
 * @cmd: its name ("run").
 * @f: where to.
 *
 * Context: any.
 * Return: true, or false when there is no such subcommand (nothing printed).
 */
bool cli_usage(const char *cmd, FILE *f);

/**
 * cli_suggest() - the nearest of a list of names to a misspelled one.
 * @word: what was given.
 * @names: the valid names; the list ends at @n entries or at a NULL entry.
 * @n: at most this many names are looked at.
 *
 * Nearest by optimal string alignment distance (edits and swaps of two
 * neighbours), at most a third of the longer name's length (at least 1).
 *
 * Context: any.
 * Return: the nearest name (the first of equals), or NULL when none is near
 * enough or @word is one of them.
 */
const char *cli_suggest(const char *word, const char *const *names, size_t n);

/* --- output files (cli_out.c) --- */

struct cli_out {
	const char *path;
	FILE *f;      /* NULL: not open */
	bool created; /* the open created the file (a discard removes it) */
};

/**
 * cli_out_open() - open an output file before the work that fills it.
 * @o: the file's state (zeroed here).
 * @path: where.
 *
 * Creates the file, or opens an existing one without truncating it: what
 * it holds stays until cli_out_begin().
 *
 * Context: the command's thread.
 * Return: 0, or -1 with "msikit: PATH: reason" printed (exit 2).
 */
int cli_out_open(struct cli_out *o, const char *path);

/**
 * cli_out_begin() - empty an open output file before writing it.
 * @o: opened by cli_out_open().
 *
 * Return: 0, or -1 with the error printed.
 */
int cli_out_begin(struct cli_out *o);

/**
 * cli_out_close() - flush and close an output file (nothing if not open).
 * @o: the file.
 *
 * Return: 0, or -1 with "msikit: PATH: reason" printed when a write, the
 * flush or the close failed (exit 3).
 */
int cli_out_close(struct cli_out *o);

/**
 * cli_out_discard() - close an output file that will not be written.
 * @o: the file; one cli_out_open() created is removed, an existing one is
 *     left as it was.
 */
void cli_out_discard(struct cli_out *o);

/* "msikit: " + message on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The example demo (examples/demo.c, built without its main): the fallback of `demo`. */
int msk_example_demo(void);

#endif
