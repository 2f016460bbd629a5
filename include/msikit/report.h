/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_REPORT_H
#define MSIKIT_REPORT_H

/*
 * Reports: the views of one interrupt system, computed from the public API
 * of the core only.
 *
 *  - the interrupts table, laid out like Linux 6.18's /proc/interrupts;
 *  - the domain tree, like /sys/kernel/debug/irq/domains/ and irqs/;
 *  - the JSON report (the keys of docs/interfaces.md, "JSON report");
 *  - a Graphviz DOT picture of the hierarchy;
 *  - and a short text summary (ledger, violations, errors, PASS/FAIL).
 *
 * A report starts with a snapshot: one pass over the core that copies
 * everything the views show. The views of one snapshot agree with each
 * other, and the core may change or go away once it is taken. Writers
 * render a snapshot into a sink: a FILE *, a growable memory buffer, or
 * any write callback.
 *
 *	struct msk_report_src src = { .core = core, .held_extra = models_held,
 *				      .scenario = "nvme.lua", .seed = 1 };
 *	struct msk_report_snapshot *snap;
 *	if (msk_report_snapshot_take(&src, &snap) == 0) {
 *		struct msk_report_sink out = msk_report_sink_file(stdout);
 *		msk_report_write_tree(snap, &out);
 *		msk_report_write_interrupts(snap, 0, &out);
 *		msk_report_write_summary(snap, &out);
 *		msk_report_snapshot_free(snap);
 *	}
 *
 * Threads: take the snapshot while no other thread allocates or frees
 * virqs or domains (deliveries may go on, but then the ledger balance is
 * only checked exactly when they have stopped). Writers only read the
 * snapshot: any number may run at once on one snapshot.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <msikit/cpumask.h>
#include <msikit/domain.h>
#include <msikit/irq.h>
#include <msikit/ledger.h>
#include <msikit/msi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- sinks: where a writer's text goes ------------------------------------------------------ */

struct msk_report_sink {
	/* Take len bytes (not terminated); return 0 or a negative -MSK_E* code. */
	int (*write)(void *ctx, const char *data, size_t len);
	void *ctx;
};

/* A sink writing to f (fwrite); a short write fails with -MSK_EIO. */
struct msk_report_sink msk_report_sink_file(FILE *f);

/*
 * A growable memory buffer. Start from all zeroes; data is NUL-terminated
 * whenever it is not NULL. Free with msk_report_buf_free().
 */
struct msk_report_buf {
	char *data;
	size_t len; /* bytes written, terminator excluded */
	size_t cap;
};

/* A sink appending to buf; running out of memory fails with -MSK_ENOMEM (buf keeps what it had). */
struct msk_report_sink msk_report_sink_buf(struct msk_report_buf *buf);

/* Free the buffer's memory and zero it (NULL is ignored). */
void msk_report_buf_free(struct msk_report_buf *buf);

/* --- what the caller knows that the core does not ------------------------------------------- */

enum msk_report_value_type {
	MSK_REPORT_VALUE_STR,
	MSK_REPORT_VALUE_INT,
	MSK_REPORT_VALUE_BOOL,
};

/* One named value: a machine switch ("msi" = "per-device") or a counter ("lpis" = 12). */
struct msk_report_kv {
	const char *key;
	enum msk_report_value_type type;
	const char *str; /* MSK_REPORT_VALUE_STR (NULL: JSON null) */
	int64_t num;	 /* MSK_REPORT_VALUE_INT */
	bool flag;	 /* MSK_REPORT_VALUE_BOOL */
};

/* What a report is taken from. Everything but core is optional. */
struct msk_report_src {
	struct msk_core *core;
	struct msk_ledger *ledger; /* NULL: the core's ledger (a core may have none) */
	uint64_t held_extra;	   /* event weight the hardware models hold (their ..._held()) */
	const char *scenario;	   /* file of the scenario, or NULL */
	uint64_t seed;
	const char *arch;		      /* machine: "x86", "arm64", "ppc64", or NULL */
	const struct msk_report_kv *switches; /* machine: model switches */
	size_t nr_switches;
	const struct msk_report_kv *resources; /* controller counters (lpis, itt, vectors ...) */
	size_t nr_resources;
	const char *const *errors; /* messages of calls that failed */
	size_t nr_errors;
	bool failed; /* the caller's verdict: an expectation did not hold */
	/*
	 * The caller judged the monitor's violations itself (expected ones, and
	 * a failed expectation for each other one): they are still reported but
	 * no longer fail the verdict by themselves.
	 */
	bool violations_judged;
};

/* --- the snapshot ------------------------------------------------------------------------------ */

/* What a domain is, from its flags, parent and bus token (first match wins). */
enum msk_report_kind {
	MSK_REPORT_KIND_MSI_DEVICE, /* "msi-device": MSK_DOMAIN_FLAG_MSI_DEVICE */
	MSK_REPORT_KIND_REMAP,	    /* "remap": bus token DMAR (interrupt remapping) */
	MSK_REPORT_KIND_MSI_PARENT, /* "msi-parent": MSK_DOMAIN_FLAG_MSI_PARENT */
	MSK_REPORT_KIND_ROOT,	    /* "root": no parent */
	MSK_REPORT_KIND_OTHER,	    /* "other" */
};

/* "msi-device" ...; "?" for an invalid value. */
const char *msk_report_kind_name(enum msk_report_kind kind);

/*
 * The names of the MSK_DOMAIN_FLAG_* bits set in flags, "|"-separated
 * ("MSI|MSI_DEVICE"; unknown bits as "0x..."), into buf (terminated when
 * size > 0, truncated at a name boundary). Returns buf.
 */
char *msk_report_domain_flags_format(unsigned int flags, char *buf, size_t size);

struct msk_report_domain {
	const char *name;
	int parent; /* index in the snapshot's domains (parents come first); -1: root */
	enum msk_report_kind kind;
	enum msk_bus_token bus_token;
	unsigned int flags; /* MSK_DOMAIN_FLAG_* */
	uint64_t size;	    /* hwirq_max */
	unsigned int mapped;
	const char *debug; /* the domain's debug text about itself ("" when none) */
	/* MSI device domains (msk_msi_domain_get_info() answers); else false, NULL, 0: */
	bool msi_info;
	const char *device; /* the device's name */
	unsigned int msi_hwsize;
	uint32_t msi_flags; /* MSK_MSI_FLAG_* */
};

/* One level of a virq's hierarchy. */
struct msk_report_level {
	const char *domain; /* its domain's name */
	int domain_index;   /* in the snapshot's domains, -1 if not found */
	uint64_t hwirq;
	const char *chip;  /* chip name; NULL when the level has no chip, "" for a nameless one */
	const char *debug; /* the domain's debug text about this level ("" when none) */
};

struct msk_report_irq {
	unsigned int virq;
	const char *action; /* handler name, NULL when no handler is installed */
	const char *flow;   /* "edge" or "fasteoi" */
	const char *device; /* the MSI descriptor's device, else the allocator's name, else NULL */
	bool has_index;	    /* index is the vector's MSI index (multi-MSI: block index + offset) */
	uint32_t index;
	bool activated, started, masked, disabled, pending, managed;
	unsigned int depth;
	uint32_t pending_weight;
	uint64_t spurious, replayed;
	struct msk_cpumask affinity, effective;
	const uint64_t *counts; /* handled per CPU, nr_cpus entries */
	unsigned int nr_levels;
	const struct msk_report_level *levels; /* outermost first; nr_levels >= 1 */
};

struct msk_report_ledger {
	bool present; /* false: no ledger; the rest is zero */
	struct msk_ledger_counts counts;
	uint64_t held;	 /* the core's msk_core_held() + held_extra */
	int64_t pending; /* raised - delivered - lost */
	bool balanced;	 /* raised == delivered + held + lost */
};

struct msk_report_snapshot {
	unsigned int nr_cpus;
	struct msk_cpumask online;
	struct msk_core_stats stats;

	unsigned int nr_domains;
	const struct msk_report_domain *domains; /* parents before children */
	unsigned int nr_irqs;
	const struct msk_report_irq *irqs; /* ascending virq */

	struct msk_report_ledger ledger;
	unsigned int violation_count; /* exact; only the first nr_violations are kept */
	unsigned int nr_violations;
	const struct msk_msi_violation *violations;

	/* The caller's part of the source, copied. */
	const char *scenario;
	uint64_t seed;
	const char *arch;
	const struct msk_report_kv *switches;
	size_t nr_switches;
	const struct msk_report_kv *resources;
	size_t nr_resources;
	const char *const *errors;
	size_t nr_errors;
	bool failed;
	bool violations_judged;

	struct msk_report_arena *arena; /* private: the memory of all of the above */
};

/*
 * Take a snapshot of src->core (see the top of this file for when).
 * Everything is copied: src and the strings it points to may go away.
 * Returns 0, -MSK_EINVAL (no src, core or out; a list with a count but no
 * entries; a value without key or with a bad type; a key given twice; a
 * machine switch named arch, cpus or online; a NULL error message) or
 * -MSK_ENOMEM; *out is untouched on failure.
 */
int msk_report_snapshot_take(const struct msk_report_src *src, struct msk_report_snapshot **out);

/* Free a snapshot (NULL is ignored). */
void msk_report_snapshot_free(struct msk_report_snapshot *snap);

/*
 * The verdict of a snapshot: true when the caller did not say failed, the
 * ledger (if any) balances, and the MSI contract monitor recorded no
 * violation (unless the caller judged them: violations_judged). This is the
 * JSON's "result" and the summary's PASS/FAIL.
 */
bool msk_report_passed(const struct msk_report_snapshot *snap);

/* --- the views --------------------------------------------------------------------------------------- */

/*
 * Every writer returns 0, -MSK_EINVAL (NULL snapshot or sink), -MSK_ENOMEM,
 * or the first error of the sink (it stops writing then); nothing else is
 * changed.
 */

/* Flags of msk_report_write_interrupts(). */
#define MSK_REPORT_TABLE_ALL_IRQS (1u << 0) /* also rows for virqs without a handler */
#define MSK_REPORT_TABLE_ERR	  (1u << 1) /* end with "ERR:", the sum of spurious counts */

/*
 * The interrupts table, byte for byte in the layout of Linux 6.18's
 * /proc/interrupts: a header of the online CPUs; per virq "%*u:" (the
 * width grows from 3 with the highest virq, as the kernel's grows with
 * nr_irqs), its count on each online CPU in columns of 10, the outermost
 * level's chip name (right-aligned to 8, longer names as they are), its
 * hwirq, "-" and the flow name padded to 8, and the handler name. Like the
 * kernel, only virqs with a handler are listed unless
 * MSK_REPORT_TABLE_ALL_IRQS.
 */
int msk_report_write_interrupts(const struct msk_report_snapshot *snap, unsigned int flags,
				const struct msk_report_sink *out);

/*
 * The domain tree, in the layout of /sys/kernel/debug/irq/: every domain
 * (name, size, mapped, flags and their names, kind, bus token, for MSI
 * device domains the device, hwsize and MSI flags, its debug text) with
 * its parent chain indented under it; then every virq (handler, device,
 * state, affinity) with its levels, outermost first: domain, hwirq,
 * chip, the domain's debug text (an MSI level shows the message).
 */
int msk_report_write_tree(const struct msk_report_snapshot *snap,
			  const struct msk_report_sink *out);

/**
 * msk_report_utf8_clean() - a string made well-formed UTF-8, for JSON
 * @s: a NUL-terminated string of any bytes
 * @out: where to write the result (NUL-terminated), or NULL to measure
 * @size: bytes at @out
 *
 * Copies @s, replacing each byte that does not belong to a well-formed
 * UTF-8 sequence (RFC 3629: overlong forms, surrogates, code points past
 * U+10FFFF and truncated sequences are not) by U+FFFD (EF BF BD). Every
 * string the JSON report writes goes through it. A result longer than
 * @size - 1 is cut at a sequence boundary.
 *
 * Context: any thread; no allocation.
 * Return: the length of the whole result (without the NUL), as snprintf().
 */
size_t msk_report_utf8_clean(const char *s, char *out, size_t size);

/* Flags of msk_report_write_json(). */
#define MSK_REPORT_JSON_COMPACT (1u << 0) /* one line instead of indented */

/*
 * The JSON report: one object with, in this order,
 *   msikit (version), scenario (or null), seed,
 *   machine {arch, cpus, online:[cpu], <switches>},
 *   domains [{name, parent, kind, bus, hwsize, flags:[name], mapped,
 *             and for MSI device domains device, msi_flags:[name]}],
 *   irqs [{virq, device, bus, index, chip, action, flow,
 *          levels:[{domain, hwirq, chip}], affinity:[cpu], effective_cpu,
 *          managed, counts:[per CPU], pending_weight, spurious}],
 *   ledger {raised, delivered, pending, lost, lost_by_reason:{reason: n},
 *           held, balanced} (null without a ledger),
 *   violations [{rule, device, domain, detail}], violation_count,
 *   resources {<counters>}, core {virqs, irq_data, domains, actions,
 *   revmap_entries, held_weight}, errors [message], result "pass"|"fail".
 * Absent values are null; lost_by_reason lists the non-zero reasons;
 * hwsize is the MSI hwsize of device domains, else the domain's size.
 * Numbers are exact integers. When the ledger does not balance, the
 * report is still written, with an error message added and result
 * "fail", and the call returns -MSK_EIO (an unbalanced ledger is an
 * internal error).
 */
int msk_report_write_json(const struct msk_report_snapshot *snap, unsigned int flags,
			  const struct msk_report_sink *out);

/* Events a device lost for one reason (what the caller's ledger observer counted). */
struct msk_report_loss {
	const char
		*device; /* as the snapshot's irqs name it (a "/suffix" is ignored); NULL: none */
	enum msk_loss reason;
	uint64_t weight;
};

struct msk_report_dot_opts {
	unsigned int max_virqs;		      /* draw virqs as nodes up to this many; 0: 64 */
	bool no_virqs;			      /* draw no virq at all, only per-domain counts */
	unsigned int max_cpus;		      /* draw CPUs as nodes up to this many; 0: 16 */
	const struct msk_report_loss *losses; /* where events were lost, or NULL */
	size_t nr_losses;
};

/*
 * Graphviz DOT of the hierarchy, drawn bottom-up: virqs, in ascending
 * order, under their device's domains, each device in a cluster named by
 * its device and outermost domain; an edge from each domain to its parent;
 * the root domains over the CPUs, each CPU with the interrupts it handled
 * (beyond max_cpus, one node for all of them). Losses (opts->losses, else
 * the ledger's reasons) are red notes with their counts on the level that
 * drops them: the device domain for what the device or its message did
 * wrong or what the core refused (no handler ...), the remapping domain for
 * IRTE faults, the root (vector, ITS, XIVE) domain for the controller's;
 * a loss with no device hangs on the root. Beyond max_virqs, one "N virqs"
 * node per domain. opts may be NULL.
 */
int msk_report_write_dot(const struct msk_report_snapshot *snap,
			 const struct msk_report_dot_opts *opts, const struct msk_report_sink *out);

/*
 * The end of a run's text output: the ledger line (with the losses by
 * reason and the balance), the violations, the errors, then "PASS" or
 * "FAIL". Like the JSON writer, it returns -MSK_EIO after writing
 * everything when the ledger does not balance.
 */
int msk_report_write_summary(const struct msk_report_snapshot *snap,
			     const struct msk_report_sink *out);

struct msk_report_overview_opts {
	unsigned int max_devices; /* rows shown, the busiest devices first; 0: 10 */
	const char *more_hint;	  /* appended to the "... N more devices" line, or NULL */
};

/*
 * The overview, one screen for a machine of any size: a line about the
 * machine (CPUs, online ones, domains, virqs, devices), then a row per
 * device - its vectors, the interrupts they took, on which CPUs, its
 * outermost domain - the busiest first, at most max_devices rows, and a
 * line counting the devices left out. Virqs without a device are the
 * device "-". opts may be NULL.
 */
int msk_report_write_overview(const struct msk_report_snapshot *snap,
			      const struct msk_report_overview_opts *opts,
			      const struct msk_report_sink *out);

#ifdef __cplusplus
}
#endif
#endif
