/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the counters cannot show about a running sensor, checked every tick:
 * the interface deleted (or back), our XDP program detached or replaced by
 * another tool, the pins removed (bpffs unmounted). Each change is reported
 * once, as an event and a line on stderr.
 */
#ifndef PW_HEALTH_H
#define PW_HEALTH_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct pw_sensor;

struct pw_health {
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint32_t prog_id;	/* our XDP program */
	char pin[PATH_MAX];	/* the counters' pin: must stay */
	bool gone, lost_prog, unpinned;	/* reported, until they change back */
	uint32_t other_id;	/* what was there instead when last reported (0: nothing) */
	int failed_index;	/* --wait-for-interface: attaching to this one failed */
};

struct health_change {
	const char *event;	/* interface_gone, interface_back, program_lost, program_back, pins_gone, pins_back */
	char detail[256];
};

int health_init(struct pw_health *h, const struct pw_sensor *s);
/* Compare with what was last seen; fills up to 3 changes, returns how many. */
int health_check(struct pw_health *h, struct health_change ch[3]);

#endif
