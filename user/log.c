// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "log.h"

int pw_log_level = LOG_INFO;

static void vlog(enum pw_log_level level, const char *fmt, va_list ap)
{
	if ((int)level > pw_log_level)
		return;
	fputs("prefixwatch: ", stderr);
	vfprintf(stderr, fmt, ap);
}

void pw_log(enum pw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	enum pw_log_level l = level == LIBBPF_WARN ? LOG_INFO :
			      level == LIBBPF_INFO ? LOG_DEBUG : LOG_VERBOSE;

	if ((int)l > pw_log_level)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void pw_log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
