/* SPDX-License-Identifier: MIT */
/* Report sinks (FILE *, memory buffer) and the writers' text output. */
#include "report/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

static int file_write(void *ctx, const char *data, size_t len)
{
	FILE *f = ctx;
	if (len && fwrite(data, 1, len, f) != len)
		return msk_err(MSK_EIO, "report: short write (%zu bytes): %s", len,
			       strerror(errno));
	return 0;
}

struct msk_report_sink msk_report_sink_file(FILE *f)
{
	struct msk_report_sink s = { .write = file_write, .ctx = f };
	return s;
}

static int buf_write(void *ctx, const char *data, size_t len)
{
	struct msk_report_buf *b = ctx;
	if (len > SIZE_MAX / 2 - b->len - 1)
		return msk_err(MSK_ENOMEM, "report buffer: %zu + %zu bytes", b->len, len);
	size_t need = b->len + len + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < need)
			cap *= 2;
		char *p = msk_realloc(b->data, cap);
		if (!p)
			return msk_err(MSK_ENOMEM, "report buffer: %zu bytes", cap);
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

struct msk_report_sink msk_report_sink_buf(struct msk_report_buf *buf)
{
	struct msk_report_sink s = { .write = buf_write, .ctx = buf };
	return s;
}

void msk_report_buf_free(struct msk_report_buf *buf)
{
	if (!buf)
		return;
	msk_free(buf->data);
	memset(buf, 0, sizeof(*buf));
}

/* --- text output ----------------------------------------------------------------------------- */

int rout_begin(struct rout *o, const struct msk_report_snapshot *snap,
	       const struct msk_report_sink *sink)
{
	o->sink = sink;
	o->err = 0;
	if (!snap || !sink || !sink->write)
		return msk_err(MSK_EINVAL, "report: needs a snapshot and a sink");
	return 0;
}

void rout_write(struct rout *o, const char *data, size_t len)
{
	if (o->err || !len)
		return;
	int rc = o->sink->write(o->sink->ctx, data, len);
	if (rc < 0)
		o->err = rc;
}

void rout_puts(struct rout *o, const char *s)
{
	rout_write(o, s, strlen(s));
}

void rout_printf(struct rout *o, const char *fmt, ...)
{
	if (o->err)
		return;
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->err = msk_err(MSK_EINVAL, "report: bad format \"%s\"", fmt);
		return;
	}
	if ((size_t)n < sizeof(small)) {
		rout_write(o, small, (size_t)n);
		return;
	}
	char *big = msk_malloc((size_t)n + 1);
	if (!big) {
		o->err = msk_err(MSK_ENOMEM, "report: %d bytes of text", n);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rout_write(o, big, (size_t)n);
	msk_free(big);
}

void rout_pad(struct rout *o, unsigned int n)
{
	static const char spaces[] = "                                ";
	while (n) {
		unsigned int k = n < sizeof(spaces) - 1 ? n : (unsigned int)sizeof(spaces) - 1;
		rout_write(o, spaces, k);
		n -= k;
	}
}

const char *report_flow_handler(const char *flow)
{
	return flow && strcmp(flow, "fasteoi") == 0 ? "handle_fasteoi_irq" : "handle_edge_irq";
}

void report_ledger_imbalance(const struct msk_report_ledger *l, char *buf, size_t size)
{
	snprintf(buf, size,
		 "ledger does not balance: raised %llu != delivered %llu + held %llu + lost %llu",
		 (unsigned long long)l->counts.raised, (unsigned long long)l->counts.delivered,
		 (unsigned long long)l->held, (unsigned long long)l->counts.lost);
}
