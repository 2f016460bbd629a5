/* SPDX-License-Identifier: MIT */
#ifndef MSK_IMPORT_H
#define MSK_IMPORT_H

/*
 * msikit import: what a real machine's /proc/interrupts, /sys/bus/pci/devices
 * and /proc/irq say about its PCI MSI/MSI-X vectors, and the scenario that
 * replays them (cmd_import.c drives these).
 *
 *   import_fs.c        how files are reached (struct imp_fs): regular files only
 *   import_proc.c      /proc/interrupts: CPU columns, one raw row per irq
 *   import_sysfs.c     /sys/bus/pci/devices: IDs, capabilities, msi_irqs/
 *   import_affinity.c  /proc/irq/N/{effective,smp}_affinity_list, CPU lists
 *   import_model.c     rows -> PCI functions and vectors, managed queues,
 *                      CPUs and counts the simulator can hold, the scale
 *   import_write.c     the Lua scenario
 *   import_verify.c    the checks before it is written: counts, and a run
 *
 * Every reader reports bad input as "FILE:LINE: what is wrong" through
 * imp_fail() and returns -1; the caller exits 2 (nothing is written).
 * Missing optional files are not errors. Warnings go to stderr as
 * "msikit: warning: ...".
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <msikit/cpumask.h>

#define IMP_MAX_COLUMNS	      8192u  /* CPU columns of /proc/interrupts */
#define IMP_MAX_VECTORS	      2048u  /* MSI-X table entries (MSI: 32) */
#define IMP_MAX_TOTAL_VECTORS 16384u /* PCI MSI vectors of the whole machine */
#define IMP_MAX_LINE	      (1u << 20)
#define IMP_MAX_ROWS	      (1u << 22) /* lines of /proc/interrupts (Linux: nr_irqs, well below) */
#define IMP_MAX_CELLS	      (1u << 25) /* counts kept: rows x CPU columns (256 MiB) */
#define IMP_NO_IRQ	      UINT32_MAX

/*
 * How the readers reach files: imp_fs_real (import_fs.c), or memory (the
 * fuzz target tests/fuzz/fuzz_import.c). A NULL struct imp_fs * is the
 * real one.
 */
struct imp_fs {
	/*
	 * Open path to read. Anything but a regular file is refused (-EISDIR
	 * a directory, -ESPIPE a FIFO, -ENXIO a device or socket) unless
	 * stream (the file given as --proc-interrupts: a pipe, a terminal;
	 * "-" is stdin). 0 and *out, or -errno (-ENOENT: absent).
	 */
	int (*open)(const struct imp_fs *fs, const char *path, bool stream, FILE **out);
	/*
	 * fn(arg, name) for each entry of dir but "." and "..", in any order,
	 * until one returns non-zero (returned). 0, or -errno (-ENOENT
	 * absent, -ENOTDIR not a directory, -ELOOP a symlink loop).
	 */
	int (*list)(const struct imp_fs *fs, const char *dir,
		    int (*fn)(void *arg, const char *name), void *arg);
	void *ctx;
};
extern const struct imp_fs imp_fs_real;

/*
 * imp_fs_open() - open a file through fs (NULL: the real one)
 * Context: import readers. Return: 1 and *out (close it with
 * imp_fs_close()), 0 when it is absent and optional (ENOENT only), -1
 * when it cannot be opened ("msikit: PATH: cannot open: why (ERRNO)").
 */
int imp_fs_open(const struct imp_fs *fs, const char *path, bool stream, bool optional, FILE **out);
void imp_fs_close(FILE *f);
/* The text of an imp_fs error: "a FIFO, not a regular file: Illegal seek (ESPIPE)". */
const char *imp_fs_why(int err, char *buf, size_t size);

/* One numbered row of /proc/interrupts, as written. */
struct imp_row {
	unsigned int line;
	uint32_t irq;
	uint64_t *counts; /* one per CPU column */
	char *chip;	  /* "IR-PCI-MSIX-0000:01:00.0", "PCI-MSI", "XIVE-IRQ", ... */
	bool has_hwirq;
	uint64_t hwirq;
	char *name; /* the actions, "" when the irq has none */
};

/* An irq number of the file and the line that listed it (import_proc.c). */
struct imp_seen {
	uint32_t irq; /* IMP_NO_IRQ: a free slot */
	unsigned int line;
};

/* The whole file. */
struct imp_proc {
	const char *path;
	unsigned int ncols;
	unsigned int *col_cpu; /* CPU number of each column (CPU<n> of the header) */
	struct imp_row *rows;
	unsigned int nrows, cap, lines;
	struct imp_seen *seen; /* every irq number read so far: a hash set (open addressing) */
	unsigned int nseen, seen_cap;
};

/* What a function's sysfs directory says (0 / false: unknown). */
struct imp_sysfs_dev {
	unsigned int vendor, device;
	unsigned int msix_size;	  /* MSI-X Table Size + 1 */
	unsigned int msi_vectors; /* MSI Multiple Message Capable */
	bool has_msix_cap, has_msi_cap;
};

/* msi_irqs/<irq> of one function: which irqs it owns, and of what kind. */
struct imp_msi_irq {
	uint32_t irq;
	char bdf[16];
	bool msix;
};

struct imp_sysfs {
	const struct imp_fs *fs;
	const char *dir;
	struct imp_msi_irq *irqs; /* every msi_irqs entry of every function, sorted by irq */
	unsigned int nirqs;
};

/* Where the affinity of a vector comes from. */
enum imp_aff_src {
	IMP_AFF_NONE,	  /* nothing known, no counts: left as allocated */
	IMP_AFF_PROC_IRQ, /* /proc/irq/N */
	IMP_AFF_COUNTS,	  /* inferred: the CPU that took most of its interrupts */
};

struct imp_vector {
	bool present;
	uint32_t irq;
	unsigned int line;
	char *name;	 /* "" when the irq had no action */
	uint64_t *real;	 /* per simulated CPU: the real counts (folded past the limit) */
	uint64_t *count; /* per simulated CPU: what the replay raises (real / scale) */
	struct msk_cpumask smp, eff; /* simulated CPUs, valid when has_smp / has_eff */
	bool has_smp, has_eff;
	enum imp_aff_src aff_src;
	bool managed;
	bool index_inferred; /* from the order of msi_irqs/, not from the row */
};

struct imp_dev {
	char bdf[16];
	bool msix;		/* MSI-X (else MSI) */
	bool kind_guessed;	/* neither the chip name nor sysfs said which */
	unsigned int nvec;	/* highest index + 1 */
	struct imp_vector *vec; /* vcap entries, by index (grown to the highest index) */
	unsigned int vcap;
	struct imp_sysfs_dev sys;
	unsigned int pre, post; /* managed: vectors before and after the queues */
	bool managed;
};

enum imp_model { IMP_MODEL_PER_DEVICE, IMP_MODEL_GLOBAL, IMP_MODEL_UNKNOWN };

struct imp {
	const struct imp_fs *fs; /* NULL: the real file system */
	struct imp_proc proc;
	struct imp_sysfs sysfs;
	const char *procirq_dir;
	const char *arch_override; /* --arch */
	char arch[16];
	unsigned int cpu_limit; /* CPUs the platform can have: folding past it */
	bool ir;
	enum imp_model model;
	char chip_example[96];	   /* one MSI chip name as the file wrote it */
	unsigned int real_cpus;	   /* highest CPU number in the header + 1 */
	unsigned int ncpus;	   /* simulated CPUs */
	unsigned int possible;	   /* queues of the largest managed function: CPUs it implies */
	bool folded;		   /* CPU numbers past cpu_limit were folded */
	struct msk_cpumask online; /* simulated CPUs that had a column */
	struct imp_dev **devs;
	unsigned int ndevs;
	struct imp_dev **by_rid; /* 65536: the function of each segment-0000 bus:dev.fn */
	unsigned int nvectors, nmanaged, ninferred_aff, ninferred_index;
	unsigned int skipped_rows; /* MSI rows that cannot be modelled (segment != 0) */
	uint64_t real_total, replay_total;
	uint64_t scale; /* 0 until imp_choose_scale */
	bool scale_auto;
};

/* "msikit: FILE:LINE: what" on stderr; returns -1. line 0: "msikit: FILE: what". */
int imp_fail(const char *file, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * s as it may go in a message: printable ASCII as is, any other byte (and
 * '\\') as \xNN, cut with "..." to fit size (IMP_QUOTE_MAX: 64 bytes of
 * input at least). Return: buf.
 */
#define IMP_QUOTE_MAX 280
const char *imp_quote(const char *s, char *buf, size_t size);
/* "msikit: warning: what" on stderr. */
void imp_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Which rows to keep (the others are checked, then dropped): NULL keeps
 * every row. The import keeps only rows that can be PCI MSI vectors
 * (imp_row_wanted), so a file of a million other rows costs little memory.
 */
/* IMP_MAX_CELLS; tests lower it. */
extern unsigned long imp_max_cells;
/* IMP_MAX_ROWS (an endless stream is refused, not read forever); tests lower it. */
extern unsigned long imp_max_rows;
typedef bool (*imp_keep_fn)(void *ctx, const struct imp_row *r);
/*
 * import_proc.c: read and check the whole file (through fs; it may be a
 * pipe, "-" is stdin). Rows kept times CPU columns are at most
 * IMP_MAX_CELLS. 0 or -1 (reported); frees on failure.
 */
int imp_proc_read(struct imp_proc *p, const struct imp_fs *fs, const char *path, imp_keep_fn keep,
		  void *ctx);
/* The same from an open stream. */
int imp_proc_parse(struct imp_proc *p, const char *path, FILE *f, imp_keep_fn keep, void *ctx);
void imp_proc_free(struct imp_proc *p);

/*
 * import_sysfs.c: every function's msi_irqs/ under dir (missing: none).
 * 0 or -1 (a bad msi_irqs entry, reported).
 */
int imp_sysfs_scan(struct imp_sysfs *s, const struct imp_fs *fs, const char *dir);
/* The function owning irq, or NULL. */
const struct imp_msi_irq *imp_sysfs_irq(const struct imp_sysfs *s, uint32_t irq);
/* IDs and capabilities of one function (missing files: 0). 0 or -1 (reported). */
int imp_sysfs_read_dev(const struct imp_sysfs *s, const char *bdf, struct imp_sysfs_dev *out);
void imp_sysfs_free(struct imp_sysfs *s);

/*
 * import_affinity.c: parse a Linux CPU list ("0-3,8,10-11", possibly
 * empty) into *out; CPUs past limit (<= MSK_MAX_CPUS) are folded onto
 * n mod limit and set *folded. 0, or -1 with the reason in *why.
 */
int imp_cpulist_parse(const char *s, unsigned int limit, struct msk_cpumask *out, bool *folded,
		      const char **why);
/*
 * Read dir/<irq>/effective_affinity_list and smp_affinity_list into v
 * (folded past limit, as above). Missing files leave them unknown. 0 or -1
 * (a malformed file, reported).
 */
int imp_affinity_read(const struct imp_fs *fs, const char *dir, uint32_t irq, unsigned int limit,
		      struct imp_vector *v, bool *folded);

/*
 * import_model.c: build the functions and vectors from the rows (with
 * sysfs when s->dir, /proc/irq when procirq_dir). 0 or -1 (reported).
 */
int imp_build(struct imp *im);
/* Can this row be a PCI MSI vector (its chip, or sysfs msi_irqs/ of im)? (imp_keep_fn) */
bool imp_row_wanted(void *im, const struct imp_row *r);
/*
 * Choose the scale (requested 0: automatic) and fill every vector's
 * replayed counts. Returns the scale.
 */
uint64_t imp_choose_scale(struct imp *im, uint64_t requested);
/* What the replay costs, in vector-checks (events x (vectors + a constant)). */
uint64_t imp_cost(const struct imp *im, uint64_t scale);
void imp_free(struct imp *im);

/*
 * import_write.c: the scenario. raise false writes RAISE = false: the
 * scenario allocates, requests and steers every vector as always but
 * raises one interrupt per vector and CPU and checks no count (what
 * cmd_import runs to check the scenario works here before writing it).
 * 0, or -1 when the stream failed.
 */
struct imp_sources {
	const char *proc, *sysfs, *procirq;
	const char *arch_override;
};
int imp_write(FILE *o, const struct imp *im, const struct imp_sources *src, bool raise);

/*
 * import_verify.c: imp_check_counts() refuses a count the replay cannot
 * raise at this scale (more than 2^32-1 on one CPU); imp_check_runs()
 * writes the scenario with RAISE = false and runs it in this process
 * (scn_run, its file named out): one that fails is refused with the first
 * failure ("FILE: the scenario would not run on the simulated ARCH, not
 * written: ..."); an arch that is not built is not checked.
 * Context: after imp_choose_scale(). Return: 0, or -1 (reported).
 */
int imp_check_counts(const struct imp *im);
int imp_check_runs(const struct imp *im, const struct imp_sources *src, const char *out);

#endif
