/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_CLI_H
#define PW_CLI_H

#include <stdio.h>

/* One table per command drives parsing and --help, so help cannot drift
 * from the code. id is the short option letter, or a value >= 256 for a
 * long-only option. */
struct cli_option {
	const char *name;
	int id;
	const char *arg;	/* NULL for a flag */
	const char *help;
};

struct cli_command {
	const char *name;
	const char *synopsis;
	const char *summary;
	const struct cli_option *opts;	/* ends with { NULL } */
	/* Called for each option; returns 0 or an exit code. */
	int (*option)(int id, const char *arg, void *ctx);
};

/* Parse argv (argv[0] is the command name). Handles -h/--help and -v.
 * Returns 0 and sets *optind_out to the first operand, -1 after printing
 * help (exit 0), or an exit code after printing an error. */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, void *ctx,
	      int *optind_out);
void cli_usage(const struct cli_command *cmd, FILE *f);

/* Numbers: print "invalid value 'x' for --opt: must be ..." on error and
 * return EXIT_USAGE, else 0. */
int cli_ulong(const char *opt, const char *s, unsigned long min,
	      unsigned long max, unsigned long *out);
int cli_seconds(const char *opt, const char *s, double min, double max,
		double *out);
/* The same for a number that is not a time: what says what it is. */
int cli_number(const char *opt, const char *s, double min, double max, const char *what,
	       double *out);

#endif
