// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch bgp: route visibility of the targets in MRT archives. */
#include <stdio.h>
#include <string.h>
#include "bgpvis.h"
#include "cli.h"
#include "commands.h"
#include "log.h"
#include "mrt.h"
#include "opts.h"

enum { OPT_DUMP = 256, OPT_RATIO, OPT_BGP_INTERVAL };

static const struct cli_option bgp_opts[] = {
	OPTS_TARGETS,
	{ "out", OPTS_OUT, "DIR", "write bgp-visibility.csv and bgp-events.jsonl to DIR" },
	{ "interval", OPT_BGP_INTERVAL, "SEC", "seconds per row of the visibility series (default 300)" },
	{ "visibility-ratio", OPT_RATIO, "R", "withdrawn below R times the peers that had the block (default 0.5)" },
	{ "dump", OPT_DUMP, NULL, "print every route change of the targets as `bgpdump -m` does" },
	{ "quiet", 'q', NULL, "no summary table" },
	{ NULL }
};

struct bgp_ctx {
	struct pw_targets ts;
	struct bgpvis_opts vo;
	int dump, quiet;
};

static int bgp_option(int id, const char *arg, void *vctx)
{
	struct bgp_ctx *c = vctx;
	int ret = opts_target(id, arg, &c->ts);

	if (ret >= 0)
		return ret;
	switch (id) {
	case OPTS_OUT:
		c->vo.out = arg;
		return 0;
	case OPT_BGP_INTERVAL:
		return cli_seconds("--interval", arg, 1, 86400 * 7, &c->vo.interval);
	case OPT_RATIO:
		return cli_number("--visibility-ratio", arg, 0.01, 1, "a ratio", &c->vo.ratio);
	case OPT_DUMP:
		c->dump = 1;
		return 0;
	case 'q':
		c->quiet = 1;
		return 0;
	}
	return 0;
}

const struct cli_command cmd_bgp_def = {
	.name = "bgp",
	.synopsis = "FILE... [options]",
	.summary = "Read MRT archives (RouteViews, RIPE RIS: raw, gzip or bzip2; RIB dumps and updates)\n"
		   "in the order given and follow, for each block of the targets, how many peers have a\n"
		   "route to it, its origin and upstream AS, and when it was withdrawn and restored.",
	.opts = bgp_opts,
	.option = bgp_option,
};

struct entry_ctx {
	struct bgp_ctx *c;
	struct bgpvis *vis;
};

/* Only routes of the targets are decoded further. */
static int want(const struct bgp_prefix *p, void *ctx)
{
	struct entry_ctx *x = ctx;
	struct pw_prefix q = { .family = p->family, .len = p->len };

	memcpy(q.addr, p->addr, 16);
	return targets_find_overlap(&x->c->ts, &q) >= 0;
}

static int on_entry(const struct mrt_entry *e, void *vctx)
{
	struct entry_ctx *x = vctx;

	if (x->c->dump) {
		char line[20000];

		mrt_format_bgpdump(e, line, sizeof(line));
		fputs(line, stdout);
	}
	return bgpvis_entry(x->vis, e);
}

int cmd_bgp(int argc, char **argv)
{
	struct bgp_ctx c = { .vo = BGPVIS_OPTS_DEFAULT };
	struct mrt_stats st = {};
	struct bgpvis vis;
	struct entry_ctx x = { &c, &vis };
	int ret, first, bad = 0;

	targets_init(&c.ts);
	ret = cli_parse(&cmd_bgp_def, argc, argv, &c, &first);
	if (ret)
		goto out;
	if (first == argc) {
		fprintf(stderr, "prefixwatch bgp: no MRT file given (see --help)\n");
		ret = EXIT_USAGE;
		goto out;
	}
	if ((ret = opts_check_inputs(argv + first, argc - first, "MRT file")) ||
	    (ret = opts_finish_targets(&c.ts)) ||
	    (c.vo.out && (ret = opts_check_out(c.vo.out, NULL, -1, -1))))
		goto out;
	if (bgpvis_init(&vis, &c.ts, &c.vo)) {
		ret = EXIT_RUNTIME;
		goto out;
	}
	for (int i = first; i < argc; i++) {
		int r = mrt_read(argv[i], want, on_entry, &x, &st);

		bad |= r != 0;
	}
	bgpvis_finish(&vis);
	fflush(stdout);
	fprintf(stderr, "prefixwatch: %llu records, %llu route entries of the targets; %llu records of other types skipped, %llu damaged records skipped%s\n",
		(unsigned long long)st.records, (unsigned long long)st.entries,
		(unsigned long long)st.unknown, (unsigned long long)st.damaged,
		st.stream_damage ? "; a file ended inside a record or would not decompress" : "");
	if (!c.quiet)
		bgpvis_report(&vis, c.dump ? stderr : stdout);
	bgpvis_free(&vis);
	ret = bad ? EXIT_RUNTIME : EXIT_OK;
out:
	targets_free(&c.ts);
	return ret;
}
