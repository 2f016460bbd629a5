/* SPDX-License-Identifier: MIT */
/*
 * Reading /proc/interrupts (Linux kernel/irq/proc.c, show_interrupts()).
 *
 * The header lists the online CPUs ("CPU0 CPU1 CPU3": a gap is an offline
 * CPU). A numbered row is "IRQ:", one count per listed CPU, then the chip
 * name, the hwirq when the irq has a domain, the flow and the actions:
 *
 *    28:    0   460  PCI-MSIX-0000:00:01.0   3-edge      virtio0-stats    (x86, 6.2+)
 *   129:  823     0  IR-PCI-MSI 524289-edge      nvme0q1                  (x86, 4.x-6.1)
 *    45:    0     0  ITS-MSI 524288 Edge      nvme0q0                     (arm64: flow apart)
 *    43:    9     0  PCI-MSI-edge      eth0                               (3.x: no hwirq)
 *
 * Rows named by letters (NMI, LOC, ERR, IPI0, ...) are the architecture's
 * own counters and are skipped. Everything else that does not read like
 * the kernel wrote it is bad input: the file is refused with the line.
 */
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

unsigned long imp_max_cells = IMP_MAX_CELLS;
unsigned long imp_max_rows = IMP_MAX_ROWS;

int imp_fail(const char *file, unsigned int line, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (line)
		cli_error("%s:%u: %s", file, line, buf);
	else
		cli_error("%s: %s", file, buf);
	return -1;
}

const char *imp_quote(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	for (; *s && n + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
	}
	if (*s && n + 4 <= size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

void imp_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("msikit: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void imp_proc_free(struct imp_proc *p)
{
	for (unsigned int i = 0; i < p->nrows; i++) {
		free(p->rows[i].counts);
		free(p->rows[i].chip);
		free(p->rows[i].name);
	}
	free(p->rows);
	free(p->col_cpu);
	free(p->seen);
	memset(p, 0, sizeof(*p));
}

static char *skip_space(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* The next whitespace-delimited token: NUL-terminated in place; *rest after it. */
static char *token(char *s, char **rest)
{
	s = skip_space(s);
	if (!*s) {
		*rest = s;
		return NULL;
	}
	char *e = s;
	while (*e && !isspace((unsigned char)*e))
		e++;
	if (*e)
		*e++ = '\0';
	*rest = e;
	return s;
}

/* A decimal number that fits u64, the whole string. */
static bool parse_u64(const char *s, uint64_t *out)
{
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static int parse_header(struct imp_proc *p, char *line)
{
	unsigned int cap = 0;
	char *rest = line, *t;
	while ((t = token(rest, &rest))) {
		uint64_t cpu;
		char q[IMP_QUOTE_MAX];
		if (strncmp(t, "CPU", 3) != 0 || !parse_u64(t + 3, &cpu) || cpu > 65535)
			return imp_fail(
				p->path, 1,
				"the header should list the CPUs (CPU0 CPU1 ...), not \"%s\"",
				imp_quote(t, q, sizeof(q)));
		if (p->ncols && cpu <= p->col_cpu[p->ncols - 1])
			return imp_fail(p->path, 1, "CPU%u listed after CPU%u", (unsigned)cpu,
					p->col_cpu[p->ncols - 1]);
		if (p->ncols == IMP_MAX_COLUMNS)
			return imp_fail(p->path, 1, "more than %u CPU columns", IMP_MAX_COLUMNS);
		if (p->ncols == cap) {
			cap = cap ? cap * 2 : 64;
			unsigned int *c = realloc(p->col_cpu, cap * sizeof(*c));
			if (!c)
				return imp_fail(p->path, 1, "out of memory");
			p->col_cpu = c;
		}
		p->col_cpu[p->ncols++] = (unsigned int)cpu;
	}
	if (!p->ncols)
		return imp_fail(p->path, 1, "the header should list the CPUs (CPU0 CPU1 ...)");
	return 0;
}

static size_t seen_slot(const struct imp_seen *t, unsigned int cap, uint32_t irq)
{
	size_t i = (irq * 2654435761u) & (cap - 1); /* Knuth's multiplicative hash */
	while (t[i].irq != IMP_NO_IRQ && t[i].irq != irq)
		i = (i + 1) & (cap - 1);
	return i;
}

/*
 * Remember that line lists irq: 0, the line that listed it already, or -1
 * when out of memory. A hash set kept under half full: each row costs O(1),
 * not a comparison with every earlier row.
 */
static long seen_add(struct imp_proc *p, uint32_t irq, unsigned int line)
{
	if (2 * (p->nseen + 1) > p->seen_cap) {
		unsigned int cap = p->seen_cap ? p->seen_cap * 2 : 1024;
		struct imp_seen *t = malloc(cap * sizeof(*t));
		if (!t)
			return -1;
		for (unsigned int i = 0; i < cap; i++)
			t[i].irq = IMP_NO_IRQ;
		for (unsigned int i = 0; i < p->seen_cap; i++)
			if (p->seen[i].irq != IMP_NO_IRQ)
				t[seen_slot(t, cap, p->seen[i].irq)] = p->seen[i];
		free(p->seen);
		p->seen = t;
		p->seen_cap = cap;
	}
	size_t i = seen_slot(p->seen, p->seen_cap, irq);
	if (p->seen[i].irq == irq)
		return p->seen[i].line;
	p->seen[i].irq = irq;
	p->seen[i].line = line;
	p->nseen++;
	return 0;
}

static struct imp_row *new_row(struct imp_proc *p)
{
	if (p->nrows == p->cap) {
		unsigned int cap = p->cap ? p->cap * 2 : 256;
		struct imp_row *r = realloc(p->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		p->rows = r;
		p->cap = cap;
	}
	struct imp_row *r = &p->rows[p->nrows];
	memset(r, 0, sizeof(*r));
	r->counts = calloc(p->ncols, sizeof(*r->counts));
	if (!r->counts)
		return NULL;
	p->nrows++;
	return r;
}

/* The next token of s: its start and length (0 at the end). Returns what follows it. */
static char *next_token(char *s, char **start, size_t *len)
{
	s = skip_space(s);
	char *e = s;
	while (*e && !isspace((unsigned char)*e))
		e++;
	*start = s;
	*len = (size_t)(e - s);
	return e;
}

static bool token_is(const char *t, size_t len, const char *word)
{
	return len == strlen(word) && strncmp(t, word, len) == 0;
}

/* After the counts: chip, [hwirq[-flow]], [Edge|Level], actions. */
static int parse_tail(struct imp_proc *p, struct imp_row *r, char *s)
{
	char *chip, *t, *name;
	size_t chip_len, len;
	s = next_token(s, &chip, &chip_len);
	r->chip = strndup(chip, chip_len);
	name = s;
	char *after = next_token(s, &t, &len);
	size_t digits = 0;
	while (digits < len && isdigit((unsigned char)t[digits]))
		digits++;
	if (digits && (digits == len || t[digits] == '-')) {
		char num[24];
		if (digits >= sizeof(num))
			return imp_fail(p->path, r->line, "irq %u: hwirq %.*s is out of range",
					r->irq, (int)digits, t);
		memcpy(num, t, digits);
		num[digits] = '\0';
		if (!parse_u64(num, &r->hwirq))
			return imp_fail(p->path, r->line, "irq %u: hwirq %s is out of range",
					r->irq, num);
		r->has_hwirq = true;
		name = after;
		if (digits == len) { /* arm64 and ppc64 print the trigger apart */
			char *f;
			size_t flen;
			char *after_flow = next_token(after, &f, &flen);
			if (token_is(f, flen, "Edge") || token_is(f, flen, "Level"))
				name = after_flow;
		}
	}
	name = skip_space(name);
	size_t n = strlen(name);
	while (n && isspace((unsigned char)name[n - 1]))
		n--;
	r->name = strndup(name, n);
	if (!r->chip || !r->name)
		return imp_fail(p->path, r->line, "out of memory");
	return 0;
}

static void drop_last_row(struct imp_proc *p)
{
	struct imp_row *r = &p->rows[--p->nrows];
	free(r->counts);
	free(r->chip);
	free(r->name);
}

static int parse_row(struct imp_proc *p, char *line, unsigned int lineno, imp_keep_fn keep,
		     void *ctx)
{
	char *s = skip_space(line);
	if (!*s)
		return 0;
	char *colon = strchr(s, ':');
	if (!colon || colon == s)
		return imp_fail(p->path, lineno, "not a /proc/interrupts row (no \"IRQ:\" label)");
	*colon = '\0';
	for (char *c = s; *c; c++)
		if (isspace((unsigned char)*c))
			return imp_fail(p->path, lineno,
					"not a /proc/interrupts row (a label with a space)");
	uint64_t irq;
	char q[IMP_QUOTE_MAX];
	if (!isdigit((unsigned char)*s))
		return 0; /* NMI:, LOC:, ERR:, IPI0: ... the architecture's own counters */
	if (!parse_u64(s, &irq) || irq >= IMP_NO_IRQ)
		return imp_fail(p->path, lineno, "irq \"%s\" is not a number",
				imp_quote(s, q, sizeof(q)));
	long first = seen_add(p, (uint32_t)irq, lineno);
	if (first < 0)
		return imp_fail(p->path, lineno, "out of memory");
	if (first > 0)
		return imp_fail(p->path, lineno, "irq %u listed twice (line %ld)", (unsigned)irq,
				first);
	if ((uint64_t)(p->nrows + 1) * p->ncols > imp_max_cells)
		return imp_fail(p->path, lineno,
				"more than %lu counts (%u rows of %u CPUs): too large to import",
				imp_max_cells, p->nrows + 1, p->ncols);
	struct imp_row *r = new_row(p);
	if (!r)
		return imp_fail(p->path, lineno, "out of memory");
	r->line = lineno;
	r->irq = (uint32_t)irq;
	char *rest = colon + 1;
	for (unsigned int c = 0; c < p->ncols; c++) {
		char *t = token(rest, &rest);
		if (!t || !isdigit((unsigned char)*t))
			return imp_fail(p->path, lineno, "irq %u: %u count%s for %u CPUs", r->irq,
					c, c == 1 ? "" : "s", p->ncols);
		if (!parse_u64(t, &r->counts[c]))
			return imp_fail(p->path, lineno, "irq %u: count \"%s\" for CPU%u is %s",
					r->irq, imp_quote(t, q, sizeof(q)), p->col_cpu[c],
					strspn(t, "0123456789") == strlen(t) ? "out of range"
									     : "not a number");
	}
	if (parse_tail(p, r, rest) < 0)
		return -1;
	if (keep && !keep(ctx, r))
		drop_last_row(p);
	return 0;
}

/*
 * One line into *buf (without growing past IMP_MAX_LINE): its length, -1 at
 * the end of the file, -2 when it is longer than that.
 */
static ssize_t read_line(FILE *f, char **buf, size_t *cap)
{
	size_t n = 0;
	int c;
	while ((c = getc_unlocked(f)) != EOF) {
		if (n + 2 > *cap) {
			if (*cap >= IMP_MAX_LINE)
				return -2;
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *b = realloc(*buf, ncap);
			if (!b)
				return -2;
			*buf = b;
			*cap = ncap;
		}
		(*buf)[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (n == 0)
		return -1;
	(*buf)[n] = '\0';
	return (ssize_t)n;
}

int imp_proc_parse(struct imp_proc *p, const char *path, FILE *f, imp_keep_fn keep, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned int lineno = 0;
	int rc = 0;
	while (rc == 0 && (len = read_line(f, &line, &cap)) != -1) {
		if (++lineno > imp_max_rows + 1) /* the header, then the rows */
			rc = imp_fail(path, lineno, "more than %lu rows: not /proc/interrupts",
				      imp_max_rows);
		else if (len == -2)
			rc = imp_fail(path, lineno,
				      "a line longer than %u bytes: not /proc/interrupts",
				      IMP_MAX_LINE);
		else if (strlen(line) != (size_t)len)
			rc = imp_fail(path, lineno,
				      "binary data (a NUL byte): not /proc/interrupts");
		else if (lineno == 1)
			rc = parse_header(p, line);
		else
			rc = parse_row(p, line, lineno, keep, ctx);
	}
	if (rc == 0 && ferror(f))
		rc = imp_fail(path, lineno + 1, "read error: %s", strerror(errno));
	if (rc == 0 && lineno == 0)
		rc = imp_fail(path, 1, "empty: the header should list the CPUs (CPU0 CPU1 ...)");
	free(line);
	p->lines = lineno;
	if (rc < 0)
		imp_proc_free(p);
	return rc;
}

int imp_proc_read(struct imp_proc *p, const struct imp_fs *fs, const char *path, imp_keep_fn keep,
		  void *ctx)
{
	FILE *f;
	memset(p, 0, sizeof(*p));
	if (imp_fs_open(fs, path, true, false, &f) < 0)
		return -1;
	int rc = imp_proc_parse(p, path, f, keep, ctx);
	imp_fs_close(f);
	return rc;
}
