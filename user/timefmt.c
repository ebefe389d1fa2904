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
	char t[RFC3339_LEN + 1];

	*put_rfc3339(t, real_ns) = '\0';
	snprintf(buf, len, "%s", t);
	return buf;
}

static char *put2(char *p, unsigned int v)
{
	p[0] = '0' + v / 10;
	p[1] = '0' + v % 10;
	return p + 2;
}

char *put_rfc3339(char *p, uint64_t real_ns)
{
	uint64_t sec = real_ns / 1000000000ull;
	unsigned int ms = real_ns % 1000000000ull / 1000000, sod = sec % 86400;
	/* the civil date of a day count (H. Hinnant's days_from_civil turned
	 * round), in eras of 400 years from 0000-03-01 */
	uint64_t z = sec / 86400 + 719468, era = z / 146097;
	unsigned int doe = z - era * 146097;
	unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned int mp = (5 * doy + 2) / 153;
	unsigned int d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	/* 2^64 ns is in the year 2554: four digits */
	unsigned int y = era * 400 + yoe + (m <= 2);

	p = put2(p, y / 100);
	p = put2(p, y % 100);
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sod / 3600);
	*p++ = ':';
	p = put2(p, sod / 60 % 60);
	*p++ = ':';
	p = put2(p, sod % 60);
	*p++ = '.';
	*p++ = '0' + ms / 100;
	p = put2(p, ms % 100);
	*p++ = 'Z';
	return p;
}
