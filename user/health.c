// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "health.h"
#include "loader.h"
#include "pins.h"
#include "prefixwatch.skel.h"

int health_init(struct pw_health *h, const struct pw_sensor *s)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err;

	memset(h, 0, sizeof(*h));
	snprintf(h->ifname, sizeof(h->ifname), "%s", s->ifname);
	err = bpf_obj_get_info_by_fd(bpf_program__fd(s->skel->progs.pw_xdp), &info, &len);
	if (err)
		return -errno;
	h->prog_id = info.id;
	if (pins_path(s->dir, PW_MAP_BLOCKS, h->pin, sizeof(h->pin)))
		return -ENAMETOOLONG;
	h->ifindex = s->ifindex;
	return 0;
}

int health_check(struct pw_health *h, struct health_change ch[3])
{
	char name[IF_NAMESIZE];
	int n = 0;

	if (!h->ifindex)
		return 0; /* health_init failed: said so then */
	/* the interface: gone when its index names nothing (or another) */
	bool gone = !if_indextoname(h->ifindex, name) || strcmp(name, h->ifname);

	if (gone != h->gone) {
		ch[n].event = gone ? "interface_gone" : "interface_back";
		snprintf(ch[n++].detail, sizeof(ch->detail), gone ? "the interface is gone (deleted, or renamed): nothing is counted on it"
								 : "the interface is back");
		h->gone = gone;
	}
	/* our program: another tool may have detached our link and put its
	 * own in place; a query needs no privilege */
	if (!gone) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		char pname[BPF_OBJ_NAME_LEN] = "";

		if (!bpf_xdp_query(h->ifindex, 0, &q)) {
			bool lost = q.prog_id != h->prog_id;

			/* detached, then another put in: said twice */
			if (lost != h->lost_prog || (lost && q.prog_id != h->other_id)) {
				h->other_id = lost ? q.prog_id : 0;
				ch[n].event = lost ? "program_lost" : "program_back";
				if (!lost) {
					snprintf(ch[n].detail, sizeof(ch->detail), "our XDP program is attached again");
				} else if (!q.prog_id) {
					snprintf(ch[n].detail, sizeof(ch->detail), "our XDP program was detached by someone else: nothing is counted");
				} else {
					prog_name(q.prog_id, pname, sizeof(pname));
					snprintf(ch[n].detail, sizeof(ch->detail), "our XDP program was replaced by program id %u ('%s')",
						 q.prog_id, pname);
				}
				n++;
				h->lost_prog = lost;
			}
		}
	}
	/* the pins: counting goes on through our descriptors, but a restart
	 * or `stats` would not find the counters. Unknown when we may not
	 * look (a --user sampler): then say nothing. */
	struct stat st;
	int r = stat(h->pin, &st);

	if (r == 0 || errno == ENOENT) {
		bool unpinned = r != 0;

		if (unpinned != h->unpinned) {
			ch[n].event = unpinned ? "pins_gone" : "pins_back";
			snprintf(ch[n++].detail, sizeof(ch->detail), unpinned
				 ? "the pinned counters are gone (%s: bpffs unmounted, or removed): counting goes on in this process, but a restart starts from zero and `stats` sees nothing"
				 : "the pinned counters are back (%s)", h->pin);
			h->unpinned = unpinned;
		}
	}
	return n;
}
