// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "log.h"

#define MAX_OPTS 40

void cli_usage(const struct cli_command *cmd, FILE *f)
{
	fprintf(f, "Usage: prefixwatch %s %s\n\n%s\n\nOptions:\n", cmd->name,
		cmd->synopsis, cmd->summary);
	for (const struct cli_option *o = cmd->opts; o->name; o++) {
		char left[64];
		int n = 0;

		if (o->id < 256)
			n = snprintf(left, sizeof(left), "-%c, ", o->id);
		else
			n = snprintf(left, sizeof(left), "    ");
		snprintf(left + n, sizeof(left) - n, "--%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
	fprintf(f, "  %-28s %s\n  %-28s %s\n", "-v, --verbose",
		"more messages (repeat for libbpf's debug output)",
		"-h, --help", "show this help");
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, void *ctx,
	      int *optind_out)
{
	struct option lopts[MAX_OPTS + 3];
	char sopts[3 * MAX_OPTS + 8] = ":hv";
	size_t n = 0, sl = strlen(sopts);
	int c;

	for (const struct cli_option *o = cmd->opts; o->name && n < MAX_OPTS; o++, n++) {
		lopts[n] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					    NULL, o->id };
		if (o->id < 256) {
			sopts[sl++] = o->id;
			if (o->arg)
				sopts[sl++] = ':';
		}
	}
	sopts[sl] = '\0';
	lopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[n++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	lopts[n] = (struct option){ 0 };

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		int ret;

		switch (c) {
		case 'h':
			cli_usage(cmd, stdout);
			return -1;
		case 'v':
			pw_log_level++;
			continue;
		case ':':
			fprintf(stderr, "prefixwatch %s: option '%s' needs a value (see --help)\n",
				cmd->name, argv[optind - 1]);
			return EXIT_USAGE;
		case '?':
			if (optopt && optopt < 256)
				fprintf(stderr, "prefixwatch %s: unknown option '-%c' (see --help)\n",
					cmd->name, optopt);
			else
				fprintf(stderr, "prefixwatch %s: unknown option '%s' (see --help)\n",
					cmd->name, argv[optind - 1]);
			return EXIT_USAGE;
		}
		ret = cmd->option(c, optarg, ctx);
		if (ret)
			return ret;
	}
	*optind_out = optind;
	return 0;
}

int cli_ulong(const char *opt, const char *s, unsigned long min,
	      unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "prefixwatch: invalid value '%s' for %s: must be a whole number from %lu to %lu\n",
			s, opt, min, max);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

int cli_number(const char *opt, const char *s, double min, double max, const char *what,
	       double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < min || v > max) {
		fprintf(stderr, "prefixwatch: invalid value '%s' for %s: must be %s from %g to %g\n",
			s, opt, what, min, max);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

int cli_seconds(const char *opt, const char *s, double min, double max,
		double *out)
{
	return cli_number(opt, s, min, max, "a number of seconds", out);
}
