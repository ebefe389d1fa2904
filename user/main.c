// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prefixwatch: watch whether address blocks are still reachable. */
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include "prefixwatch.h"
#include "commands.h"
#include "targets.h"
#include "log.h"

#ifndef PW_VERSION
#define PW_VERSION "dev"
#endif

static const struct {
	const struct cli_command *def;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ &cmd_run_def, cmd_run },
	{ &cmd_stats_def, cmd_stats },
	{ &cmd_detach_def, cmd_detach },
	{ &cmd_replay_def, cmd_replay },
	{ &cmd_bgp_def, cmd_bgp },
	{ &cmd_correlate_def, cmd_correlate },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: prefixwatch COMMAND [options]\n\n"
		   "Count, in XDP at line rate, packets to and from target address blocks\n"
		   "(default " PW_DEFAULT_TARGET ").\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].def->name, commands[i].def->synopsis);
	fprintf(f, "\n'prefixwatch COMMAND --help' describes each command; --version prints the version.\n");
}

int main(int argc, char **argv)
{
	/* nothing we write is writable by group or others, whatever the
	 * caller's umask (files 0644, directories 0755, pins 0600 in 0700) */
	umask(umask(0) | 022);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("prefixwatch %s (BPF ABI %d)\n", PW_VERSION, PW_ABI_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].def->name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "prefixwatch: unknown command '%s' (run 'prefixwatch --help')\n", argv[1]);
	return EXIT_USAGE;
}
