// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "prefixwatch.skel.h"
#include "counters.h"
#include "dirtable.h"
#include "loader.h"
#include "log.h"
#include "pins.h"
#include "timefmt.h"

size_t loader_dir_chunks = DIRTABLE_MAX_CHUNKS;

const char *mode_name(enum pw_mode m)
{
	return m == PW_MODE_NATIVE ? "native" : m == PW_MODE_GENERIC ? "generic" : "auto";
}

static const char *xdp_mode_str(__u8 attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	case XDP_ATTACHED_MULTI:
		return "multiple";
	}
	return "none";
}

void prog_name(__u32 id, char *buf, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(buf, len, "?");
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(buf, len, "%s", info.name);
	close(fd);
}

/* Refuse pinned counters that were made for other targets: the same slot
 * would mean another block. */
static int check_pinned_targets(struct pw_sensor *s, const struct pw_targets *ts)
{
	char path[PATH_MAX];
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	struct pw_block_info *have = NULL, want;
	int fd, err = 0;

	if (pins_path(s->dir, PW_MAP_BLOCKINFO, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		err = -errno;
		pr_warn("cannot read map info of %s: %s\n", path, strerror(-err));
		goto out;
	}
	if (info.max_entries != (ts->nblocks ? ts->nblocks : 1))
		goto differ;
	have = calloc(info.max_entries, sizeof(*have));
	if (!have) {
		err = -ENOMEM;
		goto out;
	}
	err = map_read_array(fd, info.max_entries, sizeof(*have), have);
	if (err) {
		pr_warn("cannot read %s: %s\n", path, strerror(-err));
		goto out;
	}
	for (size_t i = 0; i < ts->nblocks; i++) {
		blockinfo_fill(ts, i, &want);
		if (memcmp(&want, &have[i], sizeof(want)))
			goto differ;
	}
	goto out;
differ:
	pr_warn("the counters pinned at %s were made for other targets or block lengths; run 'prefixwatch detach -i %s' to discard them, or run with the same targets\n",
		s->dir, s->ifname);
	err = -EEXIST;
out:
	free(have);
	close(fd);
	return err;
}

static int set_pin(struct bpf_map *map, const char *dir)
{
	char path[PATH_MAX];
	int err = pins_path(dir, bpf_map__name(map), path, sizeof(path));

	return err ? err : bpf_map__set_pin_path(map, path);
}

static int fill_maps(struct pw_sensor *s, const struct pw_targets *ts)
{
	int info_fd = bpf_map__fd(s->skel->maps.pw_blockinfo);
	int lpm4_fd = bpf_map__fd(s->skel->maps.pw_lpm4);
	int lpm6_fd = bpf_map__fd(s->skel->maps.pw_lpm6);

	for (__u32 i = 0; i < ts->nblocks; i++) {
		const struct pw_prefix *p = &ts->blocks[i].pfx;
		struct pw_block_info bi;
		int err;

		blockinfo_fill(ts, i, &bi);
		err = bpf_map_update_elem(info_fd, &i, &bi, BPF_ANY);
		if (!err && p->family == 4) {
			struct pw_key4 k = { .prefixlen = p->len };

			memcpy(k.addr, p->addr, 4);
			err = bpf_map_update_elem(lpm4_fd, &k, &i, BPF_ANY);
		} else if (!err) {
			struct pw_key6 k = { .prefixlen = p->len };

			memcpy(k.addr, p->addr, 16);
			err = bpf_map_update_elem(lpm6_fd, &k, &i, BPF_ANY);
		}
		if (err) {
			char b[64];

			err = -errno;
			pr_warn("cannot add block %s to the maps of %s: %s\n",
				prefix_str(p, b, sizeof(b)), s->ifname, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Copy a lookup table into its map, all entries in batches. */
static int fill_dir(struct bpf_map *map, const struct dirtable *t, const char *ifname)
{
	size_t n = dirtable_entries(t);
	__u32 *keys = malloc(n * sizeof(*keys));
	int fd = bpf_map__fd(map), err = 0;

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		keys[i] = i;
	for (size_t done = 0; done < n && !err;) {
		__u32 count = n - done < 65536 ? n - done : 65536;
		LIBBPF_OPTS(bpf_map_batch_opts, o);

		if (bpf_map_update_batch(fd, keys + done, t->e + done, &count, &o))
			err = -errno;
		done += count;
	}
	free(keys);
	if (err)
		pr_warn("cannot fill %s of %s: %s\n", bpf_map__name(map), ifname, strerror(-err));
	return err;
}

/* Reuse an XDP link pinned by an earlier run (--keep-attached) when it is
 * still attached here: swap our freshly loaded program into it, so the
 * interface is never without the sensor and never re-attached. */
static int reuse_xdp_link(struct pw_sensor *s, const char *pin, __u32 cur_prog_id)
{
	struct bpf_link_info info = {};
	__u32 ilen = sizeof(info);
	int fd = bpf_obj_get(pin);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || info.type != BPF_LINK_TYPE_XDP ||
	    info.xdp.ifindex != (__u32)s->ifindex || info.prog_id != cur_prog_id) {
		/* Its interface is gone, or it is not what is attached now. */
		pr_debug("discarding stale XDP link pin %s\n", pin);
		close(fd);
		unlink(pin);
		return 0;
	}
	if (bpf_link_update(fd, bpf_program__fd(s->skel->progs.pw_xdp), NULL)) {
		int err = -errno;

		pr_warn("cannot update the XDP link pinned at %s: %s\n", pin, strerror(-err));
		close(fd);
		return err;
	}
	s->xdp_link_fd = fd;
	s->reused_link = true;
	return 1;
}

static int attach_xdp(struct pw_sensor *s, enum pw_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char pin[PATH_MAX], name[BPF_OBJ_NAME_LEN];
	int prog_fd = bpf_program__fd(s->skel->progs.pw_xdp);
	int err, fd;

	if (pins_path(s->dir, PW_PIN_XDP_LINK, pin, sizeof(pin)))
		return -ENAMETOOLONG;
	err = bpf_xdp_query(s->ifindex, 0, &q);
	if (err) {
		pr_warn("cannot query XDP on %s: %s\n", s->ifname, strerror(-err));
		return err;
	}
	if (q.prog_id) {
		err = reuse_xdp_link(s, pin, q.prog_id);
		if (err < 0)
			return err;
		if (err > 0) {
			s->mode = xdp_mode_str(q.attach_mode);
			if (mode != PW_MODE_AUTO && strcmp(s->mode, mode_name(mode)))
				pr_warn("warning: %s: keeping the existing %s attachment; run 'prefixwatch detach -i %s' first to change the mode\n",
					s->ifname, s->mode, s->ifname);
			return 0;
		}
		prog_name(q.prog_id, name, sizeof(name));
		if (!strcmp(name, "pw_xdp")) {
			pr_warn("cannot attach to %s: a prefixwatch program is attached (id %u) that this one cannot take over (another version, or pins removed); 'prefixwatch detach -i %s' removes it\n",
				s->ifname, q.prog_id, s->ifname);
			return -EBUSY;
		}
		pr_warn("cannot attach to %s: another XDP program is attached (id %u, '%s', %s mode); prefixwatch does not replace other tools' programs: remove it first\n",
			s->ifname, q.prog_id, name, xdp_mode_str(q.attach_mode));
		return -EBUSY;
	}
	unlink(pin); /* a stale pin of a link whose interface went away */

	for (int try = 0; try < 2; try++) {
		enum pw_mode m = mode == PW_MODE_AUTO ? (try ? PW_MODE_GENERIC : PW_MODE_NATIVE) : mode;
		LIBBPF_OPTS(bpf_link_create_opts, lo,
			    .flags = m == PW_MODE_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE);

		fd = bpf_link_create(prog_fd, s->ifindex, BPF_XDP, &lo);
		if (fd >= 0) {
			s->mode = mode_name(m);
			break;
		}
		err = -errno;
		if (mode == PW_MODE_AUTO && !try) {
			pr_warn("warning: cannot attach to %s (native): %s; falling back to generic mode, which is slower\n",
				s->ifname, strerror(-err));
			continue;
		}
		pr_warn("cannot attach to %s (%s): %s\n", s->ifname, mode_name(m), strerror(-err));
		return err;
	}
	if (bpf_obj_pin(fd, pin)) {
		err = -errno;
		pr_warn("cannot pin the XDP link of %s at %s: %s\n", s->ifname, pin, strerror(-err));
		close(fd); /* detaches: nothing attached that we cannot find again */
		return err;
	}
	s->xdp_link_fd = fd;
	return 0;
}

/* The tc filter is ours if it has our handle and priority and runs our
 * program. Returns its program id, 0 if there is none, or -errno. */
static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int tc_query(int ifindex, char *name, size_t len)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = PW_TC_HANDLE, .priority = PW_TC_PRIORITY);
	/* "no such filter" is the usual answer: keep libbpf from printing
	 * the kernel's message for it */
	libbpf_print_fn_t prev = libbpf_set_print(silent);
	int err = bpf_tc_query(&hook, &o);

	libbpf_set_print(prev);

	if (err == -ENOENT || err == -EINVAL) /* no filter, or no clsact qdisc */
		return 0;
	if (err)
		return err;
	prog_name(o.prog_id, name, len);
	return o.prog_id;
}

static int tc_detach(int ifindex, const char *ifname)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = PW_TC_HANDLE, .priority = PW_TC_PRIORITY);
	char name[BPF_OBJ_NAME_LEN];
	int id = tc_query(ifindex, name, sizeof(name));

	if (id <= 0)
		return id;
	if (strcmp(name, "pw_tc_egress"))
		return 0; /* not ours: leave it */
	id = bpf_tc_detach(&hook, &o);
	if (id)
		pr_warn("cannot detach the egress filter from %s: %s\n", ifname, strerror(-id));
	return id;
}

static int attach_tc(struct pw_sensor *s)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = s->ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = PW_TC_HANDLE, .priority = PW_TC_PRIORITY,
			    .prog_fd = bpf_program__fd(s->skel->progs.pw_tc_egress));
	char name[BPF_OBJ_NAME_LEN];
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST) {
		pr_warn("cannot create the clsact qdisc on %s for --egress: %s\n", s->ifname, strerror(-err));
		return err;
	}
	err = tc_query(s->ifindex, name, sizeof(name));
	if (err > 0) {
		if (strcmp(name, "pw_tc_egress")) {
			pr_warn("cannot attach the egress filter to %s: handle %#x priority %#x is taken by another program ('%s')\n",
				s->ifname, PW_TC_HANDLE, PW_TC_PRIORITY, name);
			return -EBUSY;
		}
		o.flags = BPF_TC_F_REPLACE; /* ours, left by --keep-attached */
	}
	err = bpf_tc_attach(&hook, &o);
	if (err) {
		pr_warn("cannot attach the egress filter to %s: %s\n", s->ifname, strerror(-err));
		return err;
	}
	s->egress = true;
	return 0;
}

int loader_clock(struct pw_sensor *s)
{
	int err = bpfclock_calibrate(bpf_program__fd(s->skel->progs.pw_clock_probe),
				     bpf_map__fd(s->skel->maps.pw_clock), &s->clock);

	if (err)
		pr_warn("cannot read the kernel's clocks for %s: %s\n", s->ifname,
			err == -ETIME ? "the kernel tick did not advance in 20 ticks" : strerror(-err));
	return err;
}

int loader_load(struct pw_sensor *s, const struct pw_targets *ts, bool egress, bool pin)
{
	struct prefixwatch_bpf *skel = prefixwatch_bpf__open();
	struct dirtable d4 = {}, d6 = {};
	int err;

	if (!skel) {
		err = -errno;
		pr_warn("cannot open the BPF object: %s\n", strerror(-err));
		return err;
	}
	s->skel = skel;
	err = dirtable_build(&d4, ts, 4, loader_dir_chunks) ?:
	      dirtable_build(&d6, ts, 6, loader_dir_chunks);
	if (err) {
		pr_warn("cannot build the lookup tables for %s: %s\n", s->ifname, strerror(-err));
		goto out;
	}
	int ncpus = counters_ncpus();

	if (ncpus < 0) {
		err = ncpus;
		pr_warn("cannot read /sys/devices/system/cpu/possible: %s\n", strerror(-err));
		goto out;
	}
	if ((uint64_t)ncpus * ts->nblocks * PW_NDIRS > UINT32_MAX) {
		err = -E2BIG;
		pr_warn("%s: %zu blocks on %d CPUs are more counters than one map holds\n", s->ifname,
			ts->nblocks, ncpus);
		goto out;
	}
	skel->rodata->pw_nslots = ts->nblocks * PW_NDIRS;
	err = bpf_map__set_max_entries(skel->maps.pw_blocks, (__u32)ncpus * ts->nblocks * PW_NDIRS) ?:
	      bpf_map__set_max_entries(skel->maps.pw_dir4, dirtable_entries(&d4)) ?:
	      bpf_map__set_max_entries(skel->maps.pw_dir6, dirtable_entries(&d6)) ?:
	      bpf_map__set_max_entries(skel->maps.pw_blockinfo, ts->nblocks ?: 1) ?:
	      bpf_map__set_max_entries(skel->maps.pw_lpm4, ts->n4 ?: 1) ?:
	      bpf_map__set_max_entries(skel->maps.pw_lpm6, ts->n6 ?: 1) ?:
	      bpf_map__set_max_entries(skel->maps.pw_state, ts->nblocks * PW_NDIRS + 1) ?:
	      bpf_program__set_autoload(skel->progs.pw_tc_egress, egress);
	if (!err && pin)
		err = set_pin(skel->maps.pw_blocks, s->dir) ?:
		      set_pin(skel->maps.pw_iface, s->dir) ?:
		      set_pin(skel->maps.pw_blockinfo, s->dir) ?:
		      set_pin(skel->maps.pw_lpm4, s->dir) ?:
		      set_pin(skel->maps.pw_lpm6, s->dir) ?:
		      set_pin(skel->maps.pw_dir4, s->dir) ?:
		      set_pin(skel->maps.pw_dir6, s->dir) ?:
		      set_pin(skel->maps.pw_clock, s->dir) ?:
		      set_pin(skel->maps.pw_state, s->dir);
	if (err) {
		pr_warn("cannot configure the BPF object for %s: %s\n", s->ifname, strerror(-err));
		goto out;
	}
	err = prefixwatch_bpf__load(skel);
	if (err) {
		pr_warn("cannot load the BPF program for %s: %s%s\n", s->ifname, strerror(-err),
			err == -EPERM ? " (need root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)" : "");
		goto out;
	}
	/* Epochs of an earlier run are older than now: never mistaken for
	 * ours when the counters are reused. */
	skel->bss->pw_epoch = now_mono_ns();
	err = fill_maps(s, ts) ?: fill_dir(skel->maps.pw_dir4, &d4, s->ifname) ?:
	      fill_dir(skel->maps.pw_dir6, &d6, s->ifname);
	if (!err && (d4.lpm_entries || d6.lpm_entries))
		pr_debug("%s: %zu table entries leave their addresses to the LPM trie\n", s->ifname,
			 d4.lpm_entries + d6.lpm_entries);
out:
	dirtable_free(&d4);
	dirtable_free(&d6);
	return err;
}

int loader_attach(struct pw_sensor *s, const char *ifname,
		  const struct pw_targets *ts, const struct loader_opts *o)
{
	char path[PATH_MAX];
	int err;

	memset(s, 0, sizeof(*s));
	s->lock_fd = s->xdp_link_fd = -1;
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	s->ifindex = if_nametoindex(ifname);
	if (!s->ifindex) {
		err = -errno;
		pr_warn("no interface '%s': %s\n", ifname, strerror(-err));
		return err;
	}

	err = pins_ensure_bpffs();
	if (err)
		return err;
	err = pins_iface_dir(ifname, s->dir, sizeof(s->dir));
	if (!err)
		err = pins_mkdir(s->dir);
	if (err) {
		pr_warn("cannot create pin directory %s: %s\n", s->dir, strerror(-err));
		return err;
	}
	s->lock_fd = pins_lock(s->dir);
	if (s->lock_fd < 0) {
		err = s->lock_fd;
		if (err == -EWOULDBLOCK)
			pr_warn("another prefixwatch is running on %s (%s is locked)\n", ifname, s->dir);
		else
			pr_warn("cannot lock %s: %s\n", s->dir, strerror(-err));
		return err;
	}
	/* Anything already pinned here is an earlier run's and must survive
	 * whatever fails below. */
	if (!pins_path(s->dir, PW_MAP_BLOCKS, path, sizeof(path)))
		s->reused_maps = access(path, F_OK) == 0;
	err = check_pinned_targets(s, ts);
	if (err)
		goto fail;

	err = loader_load(s, ts, o->egress, true) ?: loader_clock(s);
	if (err)
		goto fail;
	err = attach_xdp(s, o->mode);
	if (err)
		goto fail;
	if (o->egress)
		err = attach_tc(s);
	else if (tc_detach(s->ifindex, ifname) > 0)
		pr_info("%s: removed the egress filter left by an earlier run (no --egress now)\n", ifname);
	if (err)
		goto fail;
	return 0;
fail:
	/* Leave the interface as it was: a link we reused stays pinned, and
	 * so do counters from an earlier run; maps we just made go. */
	loader_close(s, s->reused_link);
	if (!s->reused_maps)
		pins_remove_dir(s->dir);
	return err;
}

int loader_reattach(struct pw_sensor *s, const struct loader_opts *o)
{
	int idx = if_nametoindex(s->ifname), err;

	if (!idx)
		return -errno;
	/* the old link went with the old interface */
	if (s->xdp_link_fd >= 0)
		close(s->xdp_link_fd);
	s->xdp_link_fd = -1;
	s->ifindex = idx;
	s->egress = false;
	err = attach_xdp(s, o->mode);
	if (!err && o->egress)
		err = attach_tc(s);
	if (!err)
		pr_info("%s: back (index %d): attached again, %s mode%s\n", s->ifname, idx, s->mode,
			s->egress ? ", egress too" : "");
	return err;
}

void loader_close(struct pw_sensor *s, bool keep_attached)
{
	char pin[PATH_MAX];

	if (!keep_attached) {
		if (s->egress)
			tc_detach(s->ifindex, s->ifname);
		if (s->xdp_link_fd >= 0 && !pins_path(s->dir, PW_PIN_XDP_LINK, pin, sizeof(pin)))
			unlink(pin); /* closing the last reference below detaches */
	}
	if (s->xdp_link_fd >= 0)
		close(s->xdp_link_fd);
	prefixwatch_bpf__destroy(s->skel);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->skel = NULL;
	s->xdp_link_fd = s->lock_fd = -1;
	s->egress = false;
}

/* Detach and unpin what one pin directory holds. -ENOENT if it is not there. */
static int remove_dir(const char *dir, const char *ifname, int ifindex)
{
	char pin[PATH_MAX];
	int err, lock = pins_lock(dir);

	if (lock == -ENOENT)
		return -ENOENT;
	if (lock < 0) {
		if (lock == -EWOULDBLOCK)
			pr_warn("cannot detach %s: a running prefixwatch holds %s; stop it first\n", ifname, dir);
		else
			pr_warn("cannot lock %s: %s\n", dir, strerror(-lock));
		return lock;
	}
	/* Unpinning the link detaches the program (no one else holds it). */
	if (!pins_path(dir, PW_PIN_XDP_LINK, pin, sizeof(pin)) && unlink(pin) && errno != ENOENT)
		pr_warn("cannot remove %s: %s\n", pin, strerror(errno));
	if (ifindex)
		tc_detach(ifindex, ifname);
	err = pins_remove_dir(dir);
	if (err)
		pr_warn("cannot remove pins in %s: %s\n", dir, strerror(-err));
	close(lock);
	return err;
}

int loader_remove(const char *ifname)
{
	char dir[PATH_MAX], ours[PATH_MAX];
	int ifindex = if_nametoindex(ifname);
	int err, found = 0, ret = 0;

	err = pins_ensure_bpffs();
	if (err)
		return err;
	if (pins_iface_dir(ifname, ours, sizeof(ours)))
		return -ENAMETOOLONG;
	/* ours, and what an earlier version (another ABI, other pins) left */
	for (int v = PW_ABI_VERSION; v >= 1; v--) {
		if (pins_iface_dir_v(ifname, v, dir, sizeof(dir)))
			return -ENAMETOOLONG;
		err = remove_dir(dir, ifname, ifindex);
		if (err == -ENOENT)
			continue;
		found = 1;
		if (!err && v != PW_ABI_VERSION)
			pr_info("%s: removed what an earlier version of prefixwatch left at %s\n", ifname, dir);
		if (err && !ret)
			ret = err;
	}
	if (!found) {
		pr_warn("nothing to detach on %s: no pins at %s\n", ifname, ours);
		return -ENOENT;
	}
	return ret;
}
