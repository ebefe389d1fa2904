/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PW_LOADER_H
#define PW_LOADER_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include "bpfclock.h"
#include "targets.h"

enum pw_mode { PW_MODE_AUTO, PW_MODE_NATIVE, PW_MODE_GENERIC };

struct loader_opts {
	enum pw_mode mode;
	bool egress;
};

/* One interface under a running sensor: its skeleton, pins and links. */
struct pw_sensor {
	char ifname[IF_NAMESIZE];
	int ifindex;
	char dir[PATH_MAX];	/* pin directory */
	int lock_fd;
	struct prefixwatch_bpf *skel;
	int xdp_link_fd;
	const char *mode;	/* "native" or "generic", as attached */
	bool egress;		/* tc egress filter attached */
	bool reused_maps;	/* counters continue from an earlier run */
	bool reused_link;	/* the XDP link was left attached by an earlier run */
	struct pw_clock clock;	/* the program's clock (loader_clock measures it) */
};

/* Open, size, pin, load, fill and attach for one interface. Prints one line
 * naming what failed and returns -errno. */
int loader_attach(struct pw_sensor *s, const char *ifname,
		  const struct pw_targets *ts, const struct loader_opts *o);
/* Open, size and load the skeleton into s->skel and fill its maps with the
 * blocks of ts; with pin, the maps are pinned in (or reused from) s->dir.
 * loader_attach() uses it; tests use it alone, without pins. */
int loader_load(struct pw_sensor *s, const struct pw_targets *ts, bool egress, bool pin);
/* Measure the program's clock into s->clock and the pw_clock map
 * (loader_attach does; a replay through the program needs none). */
int loader_clock(struct pw_sensor *s);
/* The interface came back (deleted, then made again under its name):
 * attach the same program and maps to it. Prints what failed. */
int loader_reattach(struct pw_sensor *s, const struct loader_opts *o);
/* Detach (unless keep) and release everything; the map pins stay so the
 * next run continues the counters. */
void loader_close(struct pw_sensor *s, bool keep_attached);
/* Remove the program and every pin of an interface (`prefixwatch detach`). */
int loader_remove(const char *ifname);

/* Chunks each lookup table may take (DIRTABLE_MAX_CHUNKS; tests lower it
 * to make the LPM trie answer). */
extern size_t loader_dir_chunks;

const char *mode_name(enum pw_mode m);
/* The name of BPF program id, or "?" when it cannot be looked up. */
void prog_name(uint32_t id, char *buf, size_t len);

#endif
