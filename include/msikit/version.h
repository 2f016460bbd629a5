/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_VERSION_H
#define MSIKIT_VERSION_H

#define MSK_VERSION_MAJOR 0
#define MSK_VERSION_MINOR 1
#define MSK_VERSION_PATCH 0
#define MSK_VERSION	  "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, e.g. "0.1.0" (may differ from the header's). */
const char *msk_version(void);

#ifdef __cplusplus
}
#endif
#endif
