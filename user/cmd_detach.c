// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch detach: remove the program and the pins of interfaces. */
#include <stdio.h>
#include "cli.h"
#include "commands.h"
#include "loader.h"
#include "log.h"

#define MAX_IFACES 64

static const struct cli_option detach_opts[] = {
	{ "interface", 'i', "IFNAME", "interface to detach from (repeatable; required)" },
	{ NULL }
};

struct detach_ctx {
	const char *ifaces[MAX_IFACES];
	int nifaces;
};

static int detach_option(int id, const char *arg, void *vctx)
{
	struct detach_ctx *c = vctx;

	(void)id;
	if (c->nifaces == MAX_IFACES) {
		fprintf(stderr, "prefixwatch: too many interfaces (at most %d)\n", MAX_IFACES);
		return EXIT_USAGE;
	}
	c->ifaces[c->nifaces++] = arg;
	return 0;
}

const struct cli_command cmd_detach_def = {
	.name = "detach",
	.synopsis = "-i IFNAME [-i IFNAME ...]",
	.summary = "Detach prefixwatch from each interface and remove its pins: the counters are\n"
		   "discarded. The interface need not exist any more.",
	.opts = detach_opts,
	.option = detach_option,
};

int cmd_detach(int argc, char **argv)
{
	struct detach_ctx c = {};
	int ret, first;

	ret = cli_parse(&cmd_detach_def, argc, argv, &c, &first);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (first < argc || !c.nifaces) {
		fprintf(stderr, "prefixwatch detach: name interfaces with -i IFNAME (see --help)\n");
		return EXIT_USAGE;
	}
	pw_log_setup_libbpf();
	for (int i = 0; i < c.nifaces; i++) {
		if (loader_remove(c.ifaces[i]))
			ret = EXIT_RUNTIME;
		else
			pr_info("%s: detached, pins removed\n", c.ifaces[i]);
	}
	return ret;
}
