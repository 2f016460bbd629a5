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
		if (strncmp(t, "CPU", 3) != 0 || !parse_u64(t + 3, &cpu) || cpu > 65535)
			return imp_fail(
				p->path, 1,
				"the header should list the CPUs (CPU0 CPU1 ...), not \"%s\"", t);
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

static int parse_row(struct imp_proc *p, char *line, unsigned int lineno)
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
	if (!isdigit((unsigned char)*s))
		return 0; /* NMI:, LOC:, ERR:, IPI0: ... the architecture's own counters */
	if (!parse_u64(s, &irq) || irq >= IMP_NO_IRQ)
		return imp_fail(p->path, lineno, "irq \"%s\" is not a number", s);
	for (unsigned int i = 0; i < p->nrows; i++)
		if (p->rows[i].irq == irq)
			return imp_fail(p->path, lineno, "irq %u listed twice (line %u)",
					(unsigned)irq, p->rows[i].line);
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
					r->irq, t, p->col_cpu[c],
					strspn(t, "0123456789") == strlen(t) ? "out of range"
									     : "not a number");
	}
	return parse_tail(p, r, rest);
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

int imp_proc_parse(struct imp_proc *p, const char *path, FILE *f)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned int lineno = 0;
	int rc = 0;
	while (rc == 0 && (len = read_line(f, &line, &cap)) != -1) {
		lineno++;
		if (len == -2)
			rc = imp_fail(path, lineno,
				      "a line longer than %u bytes: not /proc/interrupts",
				      IMP_MAX_LINE);
		else if (strlen(line) != (size_t)len)
			rc = imp_fail(path, lineno,
				      "binary data (a NUL byte): not /proc/interrupts");
		else if (lineno == 1)
			rc = parse_header(p, line);
		else
			rc = parse_row(p, line, lineno);
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

int imp_proc_read(struct imp_proc *p, const struct imp_fs *fs, const char *path)
{
	FILE *f;
	memset(p, 0, sizeof(*p));
	if (imp_fs_open(fs, path, true, false, &f) < 0)
		return -1;
	int rc = imp_proc_parse(p, path, f);
	imp_fs_close(f);
	return rc;
}
