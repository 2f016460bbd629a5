/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for `msikit import`: the /proc/interrupts parser and the
 * sysfs and /proc/irq readers, over a tree held in memory (struct imp_fs:
 * no file is created), then the model, the scale, the checks and the
 * scenario writer.
 *
 * The input is the interrupts file, then any number of entries, each
 * starting on a line of its own:
 *
 *	@@<kind> <path>\n<content>
 *
 * kind f: a regular file holding content; p: a FIFO; d: a directory; l: a
 * symlink loop (content ignored for p, d, l). Paths under "sys/" are the
 * --sysfs tree (sys/<bdf>/{vendor,device,config,msi_irqs/<irq>}), under
 * "irq/" the --proc-irq one (irq/<n>/{smp,effective}_affinity_list).
 *
 * Oracle: no crash, no sanitizer report, nothing leaked (LSan); the import
 * fails only by reporting (-1); and when it succeeds on a small machine
 * (counts scaled down to some 500 interrupts), the scenario it writes
 * runs: when import's own check (RAISE = false) passes, the scenario
 * itself passes.
 *
 * FUZZ_IMPORT_NO_RUN=1 leaves the scenario runs out (the readers only, some
 * hundred times faster). Every refusal prints its line on stderr (libFuzzer's -close_fd_mask=2
 * silences them).
 *
 * The seed corpus (tests/fuzz/corpus/import/) is made by
 * tests/fuzz/gen_corpus_import.py from the real captures and the import
 * tests' files.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILES 128
#define MAX_PATH  200

struct mem_file {
	char path[MAX_PATH];
	char kind; /* f, p, d, l */
	const char *data;
	size_t len;
};

struct mem_tree {
	struct mem_file f[MAX_FILES];
	unsigned int n;
	bool sys, irq;
};

/* --- reading a memory file through a FILE * ------------------------------------------------ */

struct cookie {
	const char *data;
	size_t len, pos;
};

static ssize_t cookie_read(void *c, char *buf, size_t size)
{
	struct cookie *k = c;
	size_t n = k->len - k->pos < size ? k->len - k->pos : size;
	memcpy(buf, k->data + k->pos, n);
	k->pos += n;
	return (ssize_t)n;
}

static int cookie_close(void *c)
{
	free(c);
	return 0;
}

static FILE *mem_stream(const char *data, size_t len)
{
	struct cookie *k = malloc(sizeof(*k));
	if (!k)
		return NULL;
	*k = (struct cookie){ .data = data, .len = len };
	cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
	FILE *f = fopencookie(k, "r", io);
	if (!f)
		free(k);
	return f;
}

/* --- the file system ------------------------------------------------------------------------ */

static const struct mem_file *find(const struct mem_tree *t, const char *path)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (strcmp(t->f[i].path, path) == 0)
			return &t->f[i];
	return NULL;
}

/* Some entry lies under path/: then path is a directory. */
static bool has_children(const struct mem_tree *t, const char *path)
{
	size_t n = strlen(path);
	for (unsigned int i = 0; i < t->n; i++)
		if (strncmp(t->f[i].path, path, n) == 0 && t->f[i].path[n] == '/')
			return true;
	return false;
}

static int mem_open(const struct imp_fs *fs, const char *path, bool stream, FILE **out)
{
	const struct mem_tree *t = fs->ctx;
	const struct mem_file *f = find(t, path);
	*out = NULL;
	if (!f)
		return has_children(t, path) ? -EISDIR : -ENOENT;
	switch (f->kind) {
	case 'd':
		return -EISDIR;
	case 'l':
		return -ELOOP;
	case 'p':
		if (!stream)
			return -ESPIPE;
		break; /* a pipe given as --proc-interrupts: its content is read */
	default:
		if (has_children(t, path))
			return -EISDIR;
	}
	*out = mem_stream(f->data, f->len);
	return *out ? 0 : -ENOMEM;
}

static int mem_list(const struct imp_fs *fs, const char *dir, int (*fn)(void *, const char *),
		    void *arg)
{
	const struct mem_tree *t = fs->ctx;
	const struct mem_file *self = find(t, dir);
	if (self && self->kind == 'l')
		return -ELOOP;
	if (self && self->kind != 'd')
		return -ENOTDIR;
	if (!self && !has_children(t, dir))
		return -ENOENT;
	size_t n = strlen(dir);
	char name[MAX_PATH];
	for (unsigned int i = 0; i < t->n; i++) {
		const char *p = t->f[i].path;
		if (strncmp(p, dir, n) != 0 || p[n] != '/')
			continue;
		size_t len = strcspn(p + n + 1, "/");
		bool seen = false; /* listed once, at its first entry */
		for (unsigned int j = 0; j < i && !seen; j++)
			seen = strncmp(t->f[j].path, p, n + 1 + len) == 0 &&
			       (t->f[j].path[n + 1 + len] == '/' || !t->f[j].path[n + 1 + len]);
		if (seen || !len)
			continue;
		memcpy(name, p + n + 1, len);
		name[len] = '\0';
		int rc = fn(arg, name);
		if (rc)
			return rc;
	}
	return 0;
}

/* --- the input ------------------------------------------------------------------------------ */

/* Split data into the interrupts file (entry 0) and the entries that follow. */
static void split(struct mem_tree *t, const char *data, size_t size)
{
	memset(t, 0, sizeof(*t));
	struct mem_file *cur = &t->f[t->n++];
	snprintf(cur->path, sizeof(cur->path), "interrupts");
	cur->kind = 'f';
	cur->data = data;
	const char *p = data, *end = data + size;
	while (p < end) {
		const char *mark = memmem(p, (size_t)(end - p), "\n@@", 3);
		if (!mark) {
			cur->len = (size_t)(end - cur->data);
			return;
		}
		cur->len = (size_t)(mark - cur->data); /* the '\n' before "@@" is the separator's */
		const char *h = mark + 3, *nl = memchr(h, '\n', (size_t)(end - h));
		if (!nl || nl - h < 3 || h[1] != ' ' || nl - h - 2 >= MAX_PATH ||
		    t->n == MAX_FILES) {
			cur->len = (size_t)(end - cur->data); /* not an entry: all one file */
			return;
		}
		cur = &t->f[t->n++];
		cur->kind = strchr("fpdl", h[0]) && h[0] ? h[0] : 'f';
		memcpy(cur->path, h + 2, (size_t)(nl - h - 2));
		cur->path[nl - h - 2] = '\0';
		if (memchr(cur->path, '\0', (size_t)(nl - h - 2)))
			cur->path[0] = '\0';
		cur->data = nl + 1;
		t->sys |= strncmp(cur->path, "sys/", 4) == 0;
		t->irq |= strncmp(cur->path, "irq/", 4) == 0;
		p = nl + 1;
	}
	cur->len = (size_t)(end - cur->data);
}

static bool small(const struct imp *im)
{
	static int no_run = -1;
	if (no_run < 0)
		no_run = getenv("FUZZ_IMPORT_NO_RUN") != NULL;
	return !no_run && im->nvectors <= 24 && im->ncpus <= 8 && im->replay_total <= 1000;
}

/* Import's check of the scenario, and when it passes, the scenario itself. */
static void run_scenario(const struct imp *im, const struct imp_sources *src)
{
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	if (!o)
		return;
	int w = imp_write(o, im, src, true);
	if (fclose(o) != 0 || w < 0) {
		free(text);
		return;
	}
	struct scn_opts so = {
		.file = "fuzz-import.lua", .source = text, .source_len = len, .quiet = true
	};
	struct scn_result res;
	scn_run(&so, &res);
	if (res.exit_code != CLI_EXIT_PASS && !res.platform_missing) {
		char why[512];
		fprintf(stderr, "fuzz_import: import's check passed, the scenario exits %d: %s\n",
			res.exit_code, scn_reason(&res, why, sizeof(why)));
		abort();
	}
	scn_result_free(&res);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_tree tree;
	split(&tree, (const char *)data, size);
	struct imp_fs fs = { .open = mem_open, .list = mem_list, .ctx = &tree };
	struct imp im;
	memset(&im, 0, sizeof(im));
	im.fs = &fs;
	im.procirq_dir = tree.irq ? "irq" : NULL;
	struct imp_sources src = { .proc = "interrupts",
				   .sysfs = tree.sys ? "sys" : NULL,
				   .procirq = im.procirq_dir };
	bool ok = (!tree.sys || imp_sysfs_scan(&im.sysfs, &fs, "sys") == 0) &&
		  imp_proc_read(&im.proc, &fs, "interrupts", imp_row_wanted, &im) == 0 &&
		  imp_build(&im) == 0;
	if (ok) {
		imp_choose_scale(&im, 0);
		ok = imp_check_counts(&im) == 0;
		/* and a scale that makes the replay short enough to run every input */
		imp_choose_scale(&im, im.real_total / 500 + 1);
	}
	if (ok && small(&im) && imp_check_runs(&im, &src, "fuzz-import.lua") == 0)
		run_scenario(&im, &src);
	imp_free(&im);
	return 0;
}
