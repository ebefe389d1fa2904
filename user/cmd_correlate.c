// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch correlate: traffic outages against BGP, classified. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "correlate.h"
#include "log.h"
#include "opts.h"

enum { OPT_JSON = 256, OPT_WINDOW, OPT_SURGE, OPT_BEFORE, OPT_BASELINE };

static const struct cli_option corr_opts[] = {
	OPTS_TARGETS,
	{ "json", OPT_JSON, NULL, "print the report as JSON" },
	{ "window", OPT_WINDOW, "SEC", "look this far around an outage for BGP events (default 300)" },
	{ "surge", OPT_SURGE, "X", "traffic toward the target X times its baseline is a surge (default 5)" },
	{ "before", OPT_BEFORE, "SEC", "look for the surge this long before an outage (default 60) ..." },
	{ "baseline", OPT_BASELINE, "SEC", "... against the traffic this long before that (default 600)" },
	{ NULL }
};

struct corr_ctx {
	struct pw_targets ts;
	struct corr_opts o;
	int json;
};

static int corr_option(int id, const char *arg, void *vctx)
{
	struct corr_ctx *c = vctx;
	int ret = opts_target(id, arg, &c->ts);

	if (ret >= 0)
		return ret;
	switch (id) {
	case OPT_JSON:
		c->json = 1;
		return 0;
	case OPT_WINDOW:
		return cli_seconds("--window", arg, 1, 86400, &c->o.window_s);
	case OPT_SURGE:
		return cli_number("--surge", arg, 1.01, 1e6, "a factor", &c->o.surge);
	case OPT_BEFORE:
		return cli_seconds("--before", arg, 1, 86400, &c->o.before_s);
	case OPT_BASELINE:
		return cli_seconds("--baseline", arg, 1, 30 * 86400, &c->o.baseline_s);
	}
	return 0;
}

const struct cli_command cmd_correlate_def = {
	.name = "correlate",
	.synopsis = "TRAFFIC_DIR [BGP_DIR | MRT_FILE...] [options]",
	.summary = "Join the traffic outages of `run` or `replay` (their --out directory) with route\n"
		   "visibility (the --out directory of `bgp`, or MRT archives read for the targets)\n"
		   "and print each incident with a classification and the evidence behind it:\n"
		   "vantage, attack_like, path_shift, routing_withdrawal, data_plane or unknown.",
	.opts = corr_opts,
	.option = corr_option,
};

int cmd_correlate(int argc, char **argv)
{
	struct corr_ctx c = { .o = CORR_OPTS_DEFAULT };
	struct correlation cr;
	struct stat st;
	int ret, first;

	targets_init(&c.ts);
	ret = cli_parse(&cmd_correlate_def, argc, argv, &c, &first);
	if (ret)
		goto out;
	if (first == argc) {
		fprintf(stderr, "prefixwatch correlate: no traffic directory given (see --help)\n");
		ret = EXIT_USAGE;
		goto out;
	}
	if (stat(argv[first], &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "prefixwatch: traffic directory '%s' is not a directory\n", argv[first]);
		ret = EXIT_USAGE;
		goto out;
	}
	/* every input checked before any is read */
	char ev[PATH_MAX];
	int bgp_dir = first + 1 < argc && !stat(argv[first + 1], &st) && S_ISDIR(st.st_mode);

	snprintf(ev, sizeof(ev), "%s/events.jsonl", argv[first]);
	if (access(ev, R_OK)) {
		fprintf(stderr, "prefixwatch: traffic directory '%s' has no readable events.jsonl (%s): is it the --out of run or replay?\n",
			argv[first], strerror(errno));
		ret = EXIT_USAGE;
		goto out;
	}
	if ((!bgp_dir && (ret = opts_check_inputs(argv + first + 1, argc - first - 1, "MRT file"))) ||
	    (ret = opts_finish_targets(&c.ts)))
		goto out;
	corr_init(&cr, &c.o);
	ret = corr_load_traffic(&cr, argv[first]) ? EXIT_RUNTIME : 0;
	if (!ret && bgp_dir)
		ret = corr_load_bgp_dir(&cr, argv[first + 1]) ? EXIT_RUNTIME : 0;
	else if (!ret && first + 1 < argc)
		ret = corr_load_mrt(&cr, &c.ts, argv + first + 1, argc - first - 1) ? EXIT_RUNTIME : 0;
	if (!ret) {
		corr_run(&cr);
		if (c.json)
			corr_print_json(&cr, stdout);
		else
			corr_print_text(&cr, stdout);
	}
	corr_free(&cr);
out:
	targets_free(&c.ts);
	return ret < 0 ? EXIT_OK : ret;
}
