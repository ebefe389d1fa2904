// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch stats: print the counters from the pins. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "counters.h"
#include "log.h"
#include "pins.h"
#include "report.h"

#define MAX_IFACES 64

enum { OPT_ACTIVE = 256 };

static const struct cli_option stats_opts[] = {
	{ "interface", 'i', "IFNAME", "only this interface (repeatable; default: every one with pins)" },
	{ "active", OPT_ACTIVE, NULL, "only rows with packets" },
	{ NULL }
};

struct stats_ctx {
	const char *ifaces[MAX_IFACES];
	int nifaces;
	bool active;
};

static int stats_option(int id, const char *arg, void *vctx)
{
	struct stats_ctx *c = vctx;

	if (id == OPT_ACTIVE) {
		c->active = true;
	} else if (c->nifaces == MAX_IFACES) {
		fprintf(stderr, "prefixwatch: too many interfaces (at most %d)\n", MAX_IFACES);
		return EXIT_USAGE;
	} else {
		c->ifaces[c->nifaces++] = arg;
	}
	return 0;
}

const struct cli_command cmd_stats_def = {
	.name = "stats",
	.synopsis = "[-i IFNAME ...] [--active]",
	.summary = "Print the current counters of each watched interface from its pins, as an\n"
		   "aligned table: one row per block and direction, then the interface totals.",
	.opts = stats_opts,
	.option = stats_option,
};

static char names[MAX_IFACES][16];

static int collect(const char *ifname, void *vctx)
{
	struct stats_ctx *c = vctx;

	if (c->nifaces == MAX_IFACES)
		return -E2BIG;
	snprintf(names[c->nifaces], sizeof(names[0]), "%s", ifname);
	c->ifaces[c->nifaces] = names[c->nifaces];
	c->nifaces++;
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	struct stats_ctx c = {};
	struct pw_reader r[MAX_IFACES];
	struct iface_view v[MAX_IFACES];
	int ret, first, n;

	ret = cli_parse(&cmd_stats_def, argc, argv, &c, &first);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (first < argc) {
		fprintf(stderr, "prefixwatch stats: unexpected argument '%s' (interfaces go with -i)\n", argv[first]);
		return EXIT_USAGE;
	}
	pw_log_setup_libbpf();
	if (pins_ensure_bpffs())
		return EXIT_BPF;
	if (!c.nifaces) {
		ret = pins_for_each_iface(collect, &c);
		if (ret) {
			pr_warn("cannot list %s: %s\n", pins_root(), strerror(-ret));
			return EXIT_RUNTIME;
		}
		if (!c.nifaces) {
			pr_warn("no counters: nothing is pinned under %s (start 'prefixwatch run -i IFNAME')\n",
				pins_root());
			return EXIT_RUNTIME;
		}
	}
	ret = EXIT_OK;
	for (n = 0; n < c.nifaces; n++) {
		int err = reader_open_pinned(&r[n], c.ifaces[n]);

		if (!err && (err = reader_read(&r[n])))
			pr_warn("cannot read the counters of %s: %s\n", c.ifaces[n], strerror(-err));
		if (err) {
			reader_free(&r[n]);
			ret = EXIT_RUNTIME;
			break;
		}
		v[n] = (struct iface_view){ r[n].ifname, r[n].nblocks, r[n].info, r[n].c, &r[n].tot,
					    r[n].state };
	}
	if (ret == EXIT_OK)
		report_tables(stdout, v, n, c.active);
	while (n-- > 0)
		reader_free(&r[n]);
	return ret;
}
