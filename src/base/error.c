/* SPDX-License-Identifier: MIT */
/* Error codes, names and the per-thread last-error message. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MSK_ERRBUF 512

static _Thread_local char last_msg[MSK_ERRBUF];
static _Thread_local int last_code;

static const struct {
	int code;
	const char *name;
	const char *text;
} err_table[] = {
	{ MSK_EPERM, "EPERM", "operation not permitted" },
	{ MSK_ENOENT, "ENOENT", "no such entry" },
	{ MSK_EIO, "EIO", "I/O or controller error" },
	{ MSK_E2BIG, "E2BIG", "argument too large" },
	{ MSK_ENOMEM, "ENOMEM", "out of memory" },
	{ MSK_EFAULT, "EFAULT", "bad address" },
	{ MSK_EBUSY, "EBUSY", "resource busy" },
	{ MSK_EEXIST, "EEXIST", "already exists" },
	{ MSK_ENODEV, "ENODEV", "no such device or domain" },
	{ MSK_EINVAL, "EINVAL", "invalid argument" },
	{ MSK_ENOSPC, "ENOSPC", "no space left" },
	{ MSK_ERANGE, "ERANGE", "out of range" },
	{ MSK_ENOSYS, "ENOSYS", "not implemented by this domain" },
	{ MSK_ENOTSUP, "ENOTSUP", "not supported" },
	{ MSK_ENOTCONN, "ENOTCONN", "not connected" },
	{ MSK_ESHUTDOWN, "ESHUTDOWN", "shut down" },
	{ MSK_EALREADY, "EALREADY", "already in progress or done" },
	{ MSK_ESTALE, "ESTALE", "stale handle" },
	{ MSK_ECANCELED, "ECANCELED", "canceled" },
	{ MSK_ELOOP, "ELOOP", "livelock" },
};

static int find(int code)
{
	if (code < 0)
		code = -code;
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == code)
			return (int)i;
	return -1;
}

const char *msk_errname(int code)
{
	int i = find(code);
	return i < 0 ? "E?" : err_table[i].name;
}

const char *msk_strerror(int code)
{
	static const char *const ok = "OK: success";
	static _Thread_local char buf[64];
	if (code == 0)
		return ok;
	int i = find(code);
	if (i < 0) {
		snprintf(buf, sizeof(buf), "E?: unknown error %d", code < 0 ? -code : code);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s: %s", err_table[i].name, err_table[i].text);
	return buf;
}

int msk_err(int code, const char *fmt, ...)
{
	if (code < 0)
		code = -code;
	int n = snprintf(last_msg, sizeof(last_msg), "%s: ", msk_errname(code));
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(last_msg))
		vsnprintf(last_msg + n, sizeof(last_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	last_code = -code;
	return -code;
}

/* Append src to dst (capacity cap, currently len bytes); returns the new length. */
static size_t append(char *dst, size_t len, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (len + n >= cap)
		n = cap - 1 - len;
	memcpy(dst + len, src, n);
	dst[len + n] = '\0';
	return len + n;
}

int msk_err_context(const char *fmt, ...)
{
	if (!last_code)
		return 0;
	char ctx[MSK_ERRBUF], rest[MSK_ERRBUF];
	const char *name = msk_errname(last_code);
	size_t nlen = strlen(name) + 2; /* "NAME: " */
	strcpy(rest, strlen(last_msg) >= nlen ? last_msg + nlen : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	size_t len = 0;
	last_msg[0] = '\0';
	len = append(last_msg, len, sizeof(last_msg), name);
	len = append(last_msg, len, sizeof(last_msg), ": ");
	len = append(last_msg, len, sizeof(last_msg), ctx);
	len = append(last_msg, len, sizeof(last_msg), ": ");
	append(last_msg, len, sizeof(last_msg), rest);
	return last_code;
}

const char *msk_last_error(void)
{
	return last_msg;
}

int msk_last_error_code(void)
{
	return last_code;
}

void msk_clear_error(void)
{
	last_msg[0] = '\0';
	last_code = 0;
}
