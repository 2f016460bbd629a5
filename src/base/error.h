/* SPDX-License-Identifier: MIT */
#ifndef MSK_BASE_ERROR_H
#define MSK_BASE_ERROR_H

#include <msikit/error.h>

/*
 * Record a failure for the calling thread and return -code, so that a
 * failing path reads:  return msk_err(MSK_EINVAL, "virq %u is not allocated", virq);
 * `code` is positive (MSK_E*); the message gets the "NAME: " prefix.
 */
int msk_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Prefix the calling thread's last message with more context, keeping its
 * code: msk_err_context("device %s", bdf) turns "ENOSPC: no LPI" into
 * "ENOSPC: device 0000:01:00.0: no LPI". Returns the (negative) code.
 */
int msk_err_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
