/* SPDX-License-Identifier: MIT */
#ifndef MSK_CORE_HANDLER_CTX_H
#define MSK_CORE_HANDLER_CTX_H

/*
 * Handlers run inside the delivery path's RCU read section. Calls that
 * wait for a grace period or for handlers (allocation, freeing, request,
 * synchronize, ...) would deadlock there, so they refuse with -MSK_EPERM
 * when called from a handler on the same thread.
 */

#include "base/error.h"

extern _Thread_local unsigned int msk_in_handler;

#define MSK_NOT_IN_HANDLER(what)                                                                \
	do {                                                                                    \
		if (msk_in_handler)                                                             \
			return msk_err(MSK_EPERM, "%s called from an interrupt handler", what); \
	} while (0)

#endif
