/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_LOG_H
#define PW_LOG_H

enum pw_log_level { LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_VERBOSE };

/* Raised by each -v; LOG_WARN (errors and warnings) always shows. A message
 * that is only a warning says so in its text. */
extern int pw_log_level;

void pw_log(enum pw_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_warn(...)  pw_log(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  pw_log(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) pw_log(LOG_DEBUG, __VA_ARGS__)

/* Route libbpf's messages through pw_log, one level lower than libbpf says,
 * so its debug chatter appears only with -vv. */
void pw_log_setup_libbpf(void);

/* Exit codes: distinct for option errors, BPF failures and runtime ones. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2
#define EXIT_BPF	3

#endif
