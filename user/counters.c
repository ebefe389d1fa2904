// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counters.h"
#include "log.h"
#include "pins.h"
#include "statemap.h"
#include "timefmt.h"
#include "usercount.h"

/* valgrind does not know that BPF_MAP_LOOKUP_BATCH fills its buffers: tell
 * it, so a run under memcheck reports only real errors (a no-op outside) */
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#define BATCH 4096

int map_read_array(int fd, uint32_t n, size_t stride, void *out)
{
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

int counters_ncpus(void)
{
	static int n;
	FILE *f;
	char buf[256];

	if (n)
		return n;
	/* "0-3", "0,2-5": the last number is the highest */
	f = fopen("/sys/devices/system/cpu/possible", "r");
	if (!f)
		return -errno;
	if (fgets(buf, sizeof(buf), f)) {
		char *p = buf + strcspn(buf, "\n");

		while (p > buf && p[-1] >= '0' && p[-1] <= '9')
			p--;
		n = atoi(p) + 1;
	}
	fclose(f);
	return n > 0 ? n : -EINVAL;
}

const struct pw_counters *counters_map(int fd, uint32_t nslots, size_t *len)
{
	int ncpus = counters_ncpus();
	void *m;

	if (ncpus < 0) {
		errno = -ncpus;
		return NULL;
	}
	size_t n = (size_t)ncpus * nslots * sizeof(struct pw_counters);

	m = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	*len = n;
	return m;
}

/* A time in the program's clock as CLOCK_MONOTONIC ns (clk NULL: as it is). */
static uint64_t conv(const struct pw_clock *clk, uint64_t t)
{
	return clk ? bpfclock_ns(clk, t) : t;
}

void counters_sum_blocks(const struct pw_counters *mem, int ncpus, uint32_t nslots, uint64_t epoch,
			 const struct pw_clock *clk, struct pw_counters *out)
{
	/* the first CPU's records as they are (no pass to zero the output
	 * first: at 65,536 blocks it is 11.5 MB), then the others added, the
	 * memory in order; times converted on the way (the conversion keeps
	 * their order) */
	for (uint32_t s = 0; s < nslots; s++) {
		out[s] = mem[s];
		out[s].last_ns = conv(clk, mem[s].last_ns);
		out[s].first_ns = conv(clk, mem[s].first_ns);
		if (mem[s].epoch != epoch || !mem[s].first_ns)
			out[s].first_ns = out[s].epoch = 0;
	}
	for (int i = 1; i < ncpus; i++) {
		const struct pw_counters *c = mem + (size_t)i * nslots;

		for (uint32_t s = 0; s < nslots; s++, c++) {
			struct pw_counters *o = &out[s];

			if (!c->packets)
				continue; /* never counted on this CPU */
			o->packets += c->packets;
			o->bytes += c->bytes;
			o->tcp += c->tcp;
			o->udp += c->udp;
			o->icmp += c->icmp;
			o->other += c->other;
			o->syn += c->syn;
			o->synack += c->synack;
			uint64_t last = conv(clk, c->last_ns), first = conv(clk, c->first_ns);

			if (last > o->last_ns)
				o->last_ns = last;
			/* the interval's first packet: the earliest on any
			 * CPU that counted in this epoch */
			if (c->epoch == epoch && first && (!o->first_ns || first < o->first_ns)) {
				o->first_ns = first;
				o->epoch = epoch;
			}
		}
	}
}

int counters_read_blocks(int fd, uint32_t nslots, uint64_t epoch, struct pw_counters *out)
{
	size_t len;
	const struct pw_counters *m = counters_map(fd, nslots, &len);

	if (!m)
		return -errno;
	counters_sum_blocks(m, counters_ncpus(), nslots, epoch, NULL, out);
	munmap((void *)m, len);
	return 0;
}

void counters_sum_iface(const struct pw_iface_counters *v, int ncpus, uint64_t epoch,
			const struct pw_clock *clk, struct pw_iface_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < ncpus; i++) {
		/* the counters are the __u64 fields up to matched: add them
		 * as an array */
		__u64 *o = (__u64 *)out;
		const __u64 *c = (const __u64 *)&v[i];
		uint64_t last = conv(clk, v[i].last_ns), first = conv(clk, v[i].first_ns);

		for (size_t k = 0; k <= offsetof(struct pw_iface_counters, matched) / sizeof(__u64); k++)
			o[k] += c[k];
		if (last > out->last_ns)
			out->last_ns = last;
		if (v[i].epoch == epoch && first && (!out->first_ns || first < out->first_ns)) {
			out->first_ns = first;
			out->epoch = epoch;
		}
	}
}

int counters_read_iface(int fd, uint64_t epoch, const struct pw_clock *clk,
			struct pw_iface_counters *out)
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
	else
		counters_sum_iface(v, ncpus, epoch, clk, out);
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
	r->blocks_mem = counters_map(r->blocks_fd, r->nblocks * PW_NDIRS, &r->blocks_len);
	if (!r->blocks_mem)
		return -errno;
	r->ncpus = counters_ncpus();
	r->info = calloc(r->nblocks, sizeof(*r->info));
	r->c = calloc((size_t)r->nblocks * PW_NDIRS, sizeof(*r->c));
	if (!r->info || !r->c)
		return -ENOMEM;
	err = map_read_array(r->info_fd, r->nblocks, sizeof(*r->info), r->info);
	return err;
}

int reader_init_mem(struct pw_reader *r, const char *ifname, const struct pw_targets *ts,
		    struct usercount *u)
{
	memset(r, 0, sizeof(*r));
	r->blocks_fd = r->iface_fd = r->info_fd = r->state_fd = -1;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	r->nblocks = ts->nblocks;
	r->blocks_mem = u->blocks;
	r->ncpus = 1;
	r->iface_mem = &u->iface;
	r->epoch = &u->epoch;
	r->info = calloc(r->nblocks ? r->nblocks : 1, sizeof(*r->info));
	r->c = calloc((size_t)r->nblocks * PW_NDIRS + 1, sizeof(*r->c));
	if (!r->info || !r->c)
		return -ENOMEM;
	for (size_t i = 0; i < ts->nblocks; i++)
		blockinfo_fill(ts, i, &r->info[i]);
	return 0;
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
	int err = reader_setup(r);

	if (!err && state_fd >= 0) {
		r->state_mem = statemap_map(state_fd, r->nblocks * PW_NDIRS + 1);
		if (!r->state_mem)
			err = -errno;
	}
	return err;
}

int reader_open_pinned(struct pw_reader *r, const char *ifname)
{
	static const char *names[] = { PW_MAP_BLOCKS, PW_MAP_IFACE, PW_MAP_BLOCKINFO, PW_MAP_CLOCK };
	int clock_fd = -1, *fds[] = { &r->blocks_fd, &r->iface_fd, &r->info_fd, &clock_fd };
	char dir[PATH_MAX], path[PATH_MAX];
	int err;

	memset(r, 0, sizeof(*r));
	r->blocks_fd = r->iface_fd = r->info_fd = r->state_fd = -1;
	r->owned = 1;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	if (pins_iface_dir(ifname, dir, sizeof(dir)))
		return -ENAMETOOLONG;
	for (int i = 0; i < 4; i++) {
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
	/* the run that pinned them left its clock there (not yet, in the
	 * moment between its pins and its first reading: no times then) */
	err = bpfclock_read(clock_fd, &r->clock);
	close(clock_fd);
	r->clock_unknown = !err && !r->clock.tick_ns;
	if (err) {
		pr_warn("cannot read the clock of %s in %s: %s\n", ifname, dir, strerror(-err));
		return err;
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

		if (st && !map_read_array(r->state_fd, r->nblocks * PW_NDIRS + 1, sizeof(*st), st) &&
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
	/* the program's clock to CLOCK_MONOTONIC (a replay's times are wall
	 * time already) */
	const struct pw_clock *clk = r->clock.tick_ns ? &r->clock : NULL;
	int err = 0;

	counters_sum_blocks(r->blocks_mem, r->ncpus, r->nblocks * PW_NDIRS, epoch, clk, r->c);
	if (r->iface_mem)
		counters_sum_iface(r->iface_mem, 1, epoch, clk, &r->tot);
	else
		err = counters_read_iface(r->iface_fd, epoch, clk, &r->tot);
	r->t_ns = now_mono_ns();
	/* what arrives from now on is the next interval's */
	if (r->epoch)
		*r->epoch = epoch + 1;
	/* pins whose run has not read its clock yet: no times at all */
	for (size_t i = 0; r->clock_unknown && i < (size_t)r->nblocks * PW_NDIRS; i++)
		r->c[i].last_ns = r->c[i].first_ns = 0;
	if (r->clock_unknown)
		r->tot.last_ns = r->tot.first_ns = 0;
	return err;
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
	if (r->blocks_len)
		munmap((void *)r->blocks_mem, r->blocks_len);
	statemap_unmap(r->state_mem, r->nblocks * PW_NDIRS + 1);
	r->state_mem = NULL;
	r->blocks_mem = NULL;
	free(r->state);
	free(r->info);
	free(r->c);
	r->info = NULL;
	r->c = NULL;
}
