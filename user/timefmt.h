/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_TIMEFMT_H
#define PW_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

uint64_t now_mono_ns(void);
uint64_t now_real_ns(void);
/* A CLOCK_MONOTONIC time in wall-clock ns. */
uint64_t mono_to_real_ns(uint64_t mono_ns);
/* RFC 3339 UTC with milliseconds: 2025-06-07T01:30:00.123Z */
char *fmt_rfc3339(uint64_t real_ns, char *buf, size_t len);
/* The same text at p (RFC3339_LEN bytes, no NUL); returns the end. For
 * writers of many rows. */
#define RFC3339_LEN 24
char *put_rfc3339(char *p, uint64_t real_ns);

#endif
