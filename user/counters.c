// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counters.h"
#include "log.h"
#include "pins.h"
#include "timefmt.h"

/* valgrind does not know that BPF_MAP_LOOKUP_BATCH fills its buffers: tell
 * it, so a run under memcheck reports only real errors (a no-op outside) */
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#define BATCH 4096

int map_read_array(int fd, uint32_t n, size_t value_size, int percpu, void *out)
{
	size_t stride = percpu ? ((value_size + 7) & ~7ul) * libbpf_num_possible_cpus()
			       : value_size;
	uint32_t *keys = malloc(BATCH * sizeof(*keys));
	uint32_t out_batch, done = 0;
	void *in = NULL;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (done < n) {
		uint32_t count = n - done < BATCH ? n - done : BATCH;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		err = bpf_map_lookup_batch(fd, in, &out_batch, keys,
					   (char *)out + (size_t)done * stride,
					   &count, &opts);
		if (err && errno != ENOENT) {
			err = -errno;
			break;
		}
		VALGRIND_MAKE_MEM_DEFINED((char *)out + (size_t)done * stride, (size_t)count * stride);
		VALGRIND_MAKE_MEM_DEFINED(&out_batch, sizeof(out_batch));
		done += count;
		if (err) { /* ENOENT: the map has no more entries */
			err = done == n ? 0 : -ENOENT;
			break;
		}
		in = &out_batch;
	}
	free(keys);
	return err;
}

int counters_read_blocks(int fd, uint32_t nslots, uint64_t epoch, struct pw_counters *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct pw_counters *v;
	int err;

	if (ncpus < 0)
		return ncpus;
	/* no need to zero: the batch read fills every value */
	v = malloc((size_t)nslots * ncpus * sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = map_read_array(fd, nslots, sizeof(*v), 1, v);
	if (!err) {
		for (uint32_t s = 0; s < nslots; s++) {
			struct pw_counters *o = &out[s];
			const struct pw_counters *c = &v[(size_t)s * ncpus];

			memset(o, 0, sizeof(*o));
			for (int i = 0; i < ncpus; i++, c++) {
				o->packets += c->packets;
				o->bytes += c->bytes;
				o->tcp += c->tcp;
				o->udp += c->udp;
				o->icmp += c->icmp;
				o->other += c->other;
				o->syn += c->syn;
				o->synack += c->synack;
				if (c->last_ns > o->last_ns)
					o->last_ns = c->last_ns;
				/* the interval's first packet: the earliest
				 * on any CPU that counted in this epoch */
				if (c->epoch == epoch && c->first_ns &&
				    (!o->first_ns || c->first_ns < o->first_ns)) {
					o->first_ns = c->first_ns;
					o->epoch = epoch;
				}
			}
		}
	}
	free(v);
	return err;
}

int counters_read_iface(int fd, struct pw_iface_counters *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct pw_iface_counters *v;
	__u32 zero = 0;
	int err = 0;

	if (ncpus < 0)
		return ncpus;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, v))
		err = -errno;
	memset(out, 0, sizeof(*out));
	for (int i = 0; !err && i < ncpus; i++) {
		/* every field is a __u64 counter: add them as an array */
		__u64 *o = (__u64 *)out, *c = (__u64 *)&v[i];

		for (size_t k = 0; k < sizeof(*out) / sizeof(__u64); k++)
			o[k] += c[k];
	}
	free(v);
	return err;
}

void blockinfo_fill(const struct pw_targets *ts, size_t i, struct pw_block_info *bi)
{
	const struct pw_block *b = &ts->blocks[i];
	const struct pw_target *t = &ts->t[b->target];

	memset(bi, 0, sizeof(*bi));
	bi->family = b->pfx.family;
	bi->prefixlen = b->pfx.len;
	bi->target = b->target;
	bi->target_len = t->pfx.len;
	memcpy(bi->addr, b->pfx.addr, 16);
	memcpy(bi->target_addr, t->pfx.addr, 16);
}

void blockinfo_prefix(const struct pw_block_info *bi, struct pw_prefix *blk,
		      struct pw_prefix *target)
{
	if (blk) {
		blk->family = bi->family;
		blk->len = bi->prefixlen;
		memcpy(blk->addr, bi->addr, 16);
	}
	if (target) {
		target->family = bi->family;
		target->len = bi->target_len;
		memcpy(target->addr, bi->target_addr, 16);
	}
}

static int reader_setup(struct pw_reader *r)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	int err;

	if (bpf_obj_get_info_by_fd(r->info_fd, &mi, &len))
		return -errno;
	r->nblocks = mi.max_entries;
	r->info = calloc(r->nblocks, sizeof(*r->info));
	r->c = calloc((size_t)r->nblocks * PW_NDIRS, sizeof(*r->c));
	if (!r->info || !r->c)
		return -ENOMEM;
	err = map_read_array(r->info_fd, r->nblocks, sizeof(*r->info), 0, r->info);
	return err;
}

int reader_init_fds(struct pw_reader *r, const char *ifname, int blocks_fd,
		    int iface_fd, int info_fd, int state_fd)
{
	memset(r, 0, sizeof(*r));
	r->state_fd = state_fd;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	r->blocks_fd = blocks_fd;
	r->iface_fd = iface_fd;
	r->info_fd = info_fd;
	return reader_setup(r);
}

int reader_open_pinned(struct pw_reader *r, const char *ifname)
{
	static const char *names[] = { PW_MAP_BLOCKS, PW_MAP_IFACE, PW_MAP_BLOCKINFO };
	int *fds[] = { &r->blocks_fd, &r->iface_fd, &r->info_fd };
	char dir[PATH_MAX], path[PATH_MAX];
	int err;

	memset(r, 0, sizeof(*r));
	r->blocks_fd = r->iface_fd = r->info_fd = r->state_fd = -1;
	r->owned = 1;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	if (pins_iface_dir(ifname, dir, sizeof(dir)))
		return -ENAMETOOLONG;
	for (int i = 0; i < 3; i++) {
		if (pins_path(dir, names[i], path, sizeof(path)))
			return -ENAMETOOLONG;
		*fds[i] = bpf_obj_get(path);
		if (*fds[i] < 0) {
			err = -errno;
			if (err == -ENOENT)
				pr_warn("no counters for %s: %s does not exist (is 'prefixwatch run -i %s' running or has it run?)\n",
					ifname, path, ifname);
			else
				pr_warn("cannot open %s: %s\n", path, strerror(-err));
			return err;
		}
	}
	err = reader_setup(r);
	if (err) {
		pr_warn("cannot read the block list of %s in %s: %s\n", ifname, dir, strerror(-err));
		return err;
	}
	/* The detector's state, if a run publishes it (stats only reads it). */
	if (!pins_path(dir, PW_MAP_STATE, path, sizeof(path)))
		r->state_fd = bpf_obj_get(path);
	if (r->state_fd >= 0) {
		struct pw_series_state *st = calloc(r->nblocks * PW_NDIRS + 1, sizeof(*st));
		uint64_t now = now_mono_ns();

		if (st && !map_read_array(r->state_fd, r->nblocks * PW_NDIRS + 1, sizeof(*st), 0, st) &&
		    st[r->nblocks * PW_NDIRS].expires_ns > now)
			r->state = st;
		else
			free(st);
	}
	return 0;
}

int reader_read(struct pw_reader *r)
{
	__u64 epoch = r->epoch ? *r->epoch : 0;
	int err = counters_read_blocks(r->blocks_fd, r->nblocks * PW_NDIRS, epoch, r->c);

	if (!err)
		err = counters_read_iface(r->iface_fd, &r->tot);
	r->t_ns = now_mono_ns();
	/* what arrives from now on is the next interval's */
	if (r->epoch)
		*r->epoch = epoch + 1;
	return err;
}

int reader_probe(struct pw_reader *r, uint64_t now_ns, int fresh)
{
	struct pw_iface_counters t;
	int err = 0;

	if (!fresh)
		err = counters_read_iface(r->iface_fd, &t);
	else
		t = r->tot;
	if (err)
		return err;
	/* the vantage point's own life: frames that are not the targets' */
	__u64 other = t.frames - t.matched;

	if (other != r->probe_frames) {
		if (!r->frames_first_ns)
			r->frames_first_ns = r->probe_prev_ns ? r->probe_prev_ns : now_ns;
		r->frames_last_ns = now_ns;
		r->probe_frames = other;
	}
	r->probe_prev_ns = now_ns;
	return 0;
}

void reader_probe_reset(struct pw_reader *r)
{
	r->frames_first_ns = 0;
}

void reader_free(struct pw_reader *r)
{
	if (r->owned) {
		if (r->blocks_fd >= 0)
			close(r->blocks_fd);
		if (r->iface_fd >= 0)
			close(r->iface_fd);
		if (r->info_fd >= 0)
			close(r->info_fd);
		if (r->state_fd >= 0)
			close(r->state_fd);
	}
	free(r->state);
	free(r->info);
	free(r->c);
	r->info = NULL;
	r->c = NULL;
}
