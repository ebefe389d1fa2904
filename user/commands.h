/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_COMMANDS_H
#define PW_COMMANDS_H

#include "cli.h"

extern const struct cli_command cmd_run_def, cmd_stats_def, cmd_detach_def, cmd_replay_def,
	cmd_bgp_def, cmd_correlate_def;

int cmd_run(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_bgp(int argc, char **argv);
int cmd_correlate(int argc, char **argv);

#endif
