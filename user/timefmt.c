// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <time.h>
#include "timefmt.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t now_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t mono_to_real_ns(uint64_t mono_ns)
{
	/* Read the wall clock between two monotonic reads and take the
	 * midpoint, so the offset is good to well under a microsecond. */
	uint64_t m0 = now_mono_ns(), r = now_real_ns(), m1 = now_mono_ns();

	return r - ((m0 + m1) / 2 - mono_ns);
}

char *fmt_rfc3339(uint64_t real_ns, char *buf, size_t len)
{
	time_t sec = real_ns / 1000000000ull;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(real_ns % 1000000000ull / 1000000));
	return buf;
}
