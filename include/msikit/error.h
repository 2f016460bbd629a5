/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_ERROR_H
#define MSIKIT_ERROR_H

/*
 * Errors. Every public msikit call returns 0 (or a count, where documented)
 * on success and a negative errno-style code on failure: -MSK_EINVAL etc.
 * The codes are the host's errno values, so strerror() agrees with them.
 * A failing call also records a message with its context (which device,
 * domain, virq, index or limit) for the calling thread:
 *
 *	int rc = msk_domain_alloc_irqs(...);
 *	if (rc < 0)
 *		fprintf(stderr, "%s\n", msk_last_error());
 *	  -> "ENOSPC: virq space full: 16 contiguous virqs wanted, largest free run 3"
 *
 * A call that fails leaves the state it was given unchanged.
 */

#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSK_EPERM     EPERM
#define MSK_ENOENT    ENOENT
#define MSK_EIO	      EIO
#define MSK_E2BIG     E2BIG
#define MSK_ENOMEM    ENOMEM
#define MSK_EFAULT    EFAULT
#define MSK_EBUSY     EBUSY
#define MSK_EEXIST    EEXIST
#define MSK_ENODEV    ENODEV
#define MSK_EINVAL    EINVAL
#define MSK_ENOSPC    ENOSPC
#define MSK_ERANGE    ERANGE
#define MSK_ENOSYS    ENOSYS
#define MSK_ENOTSUP   ENOTSUP
#define MSK_ENOTCONN  ENOTCONN
#define MSK_ESHUTDOWN ESHUTDOWN
#define MSK_EALREADY  EALREADY
#define MSK_ESTALE    ESTALE
#define MSK_ECANCELED ECANCELED
#define MSK_ELOOP     ELOOP

/* "EINVAL: invalid argument"-style text for a code (sign ignored). */
const char *msk_strerror(int code);

/* The symbolic name alone ("EINVAL"), or "E?" for an unknown code. */
const char *msk_errname(int code);

/*
 * The message of the calling thread's most recent failed msikit call,
 * "NAME: context"; "" when none. Valid until the thread's next msikit call
 * that fails or clears it.
 */
const char *msk_last_error(void);

/* The code that went with msk_last_error() (negative), or 0. */
int msk_last_error_code(void);

/* Forget the calling thread's last error. */
void msk_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
