// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "prefixwatch.skel.h"
#include "capture.h"
#include "export.h"
#include "log.h"
#include "replay.h"
#include "series.h"
#include "timefmt.h"

int replay_open(struct replay *rp, const struct pw_targets *ts, bool kernel)
{
	struct prefixwatch_bpf *skel;
	int err;

	memset(rp, 0, sizeof(*rp));
	rp->kernel = kernel;
	rp->sensor.lock_fd = rp->sensor.xdp_link_fd = -1;
	if (!kernel) {
		err = usercount_init(&rp->uc, ts, DIRTABLE_MAX_CHUNKS) ?: reader_init_mem(&rp->reader, "replay", ts, &rp->uc);
		if (err)
			pr_warn("cannot set up the counters: %s\n", strerror(-err));
		return err;
	}
	snprintf(rp->sensor.ifname, sizeof(rp->sensor.ifname), "replay");
	err = loader_load(&rp->sensor, ts, false, false);
	if (err)
		return err;
	skel = rp->sensor.skel;
	err = reader_init_fds(&rp->reader, "replay", bpf_map__fd(skel->maps.pw_blocks),
			      bpf_map__fd(skel->maps.pw_iface), bpf_map__fd(skel->maps.pw_blockinfo),
			      bpf_map__fd(skel->maps.pw_state));
	if (err) {
		pr_warn("cannot read the block list: %s\n", strerror(-err));
		return err;
	}
	rp->reader.epoch = &skel->bss->pw_epoch;
	return 0;
}

void replay_close(struct replay *rp)
{
	reader_free(&rp->reader);
	usercount_free(&rp->uc);
	prefixwatch_bpf__destroy(rp->sensor.skel);
	rp->sensor.skel = NULL;
}

struct clock {
	const struct sampler_opts *so;
	const struct pw_targets *ts_targets;
	struct series_set set;
	struct exports w;
	int started;
	uint64_t next_tick;	/* capture time of the next tick */
	uint64_t max_ns;	/* latest frame time so far */
};

static void count_events(struct replay *rp, const struct series_set *set)
{
	static const char *kinds[] = { "outage_start", "outage_end", "drop_start", "drop_end",
				       "vantage_silent", "vantage_back" };

	for (size_t i = 0; i < set->nev; i++)
		for (int k = 0; k < 6; k++)
			rp->st.events[k] += !strcmp(set->ev[i].name, kinds[k]);
}

static int tick(struct replay *rp, struct clock *ck, uint64_t t)
{
	int err = reader_read(&rp->reader);

	if (err) {
		pr_warn("cannot read the counters: %s\n", strerror(-err));
		return err;
	}
	err = series_tick(&ck->set, &rp->reader, t, 0, ck->so->interval, &ck->so->dp);
	if (err)
		return err;
	count_events(rp, &ck->set);
	if (pw_log_level > LOG_INFO)
		exports_log_events(&ck->set);
	exports_write(&ck->w, &ck->set, &rp->reader, t, NULL);
	return 0;
}

static int run_frame(struct replay *rp, const uint8_t *data, uint32_t len, uint32_t wire_len,
		     uint64_t ns)
{
	if (rp->kernel) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len, .repeat = 1);
		struct prefixwatch_bpf *skel = rp->sensor.skel;

		skel->bss->pw_replay_clock = ns;
		skel->bss->pw_replay_wire_len = wire_len;
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.pw_xdp), &o))
			return -errno;
		if (o.retval != 2 /* XDP_PASS */)
			return -EPROTO;
	} else {
		usercount_frame(&rp->uc, data, len, wire_len, ns);
	}
	rp->st.frames++;
	rp->st.bytes += wire_len;
	return 0;
}

/* One file; returns 0, 1 for damage after which the rest of it is lost,
 * or -errno when the replay cannot go on. */
static int one_file(struct replay *rp, struct clock *ck, const char *file)
{
	char err[256];
	uint8_t buf[PW_REPLAY_MAX_FRAME];
	const uint8_t *p;
	uint32_t caplen, wire;
	uint64_t rec = 0, ts;
	int ret = 0, r;
	struct capture *cap = capture_open(file, err, sizeof(err));

	if (!cap) {
		pr_warn("cannot read capture %s: %s\n", file, err);
		return 1;
	}
	int lt = capture_linktype(cap);

	while ((r = capture_next(cap, &ts, &caplen, &wire, &p)) == 1) {
		uint16_t et;
		int off;

		rec++;
		rp->st.records++;
		if (caplen == 0) {
			pr_warn("%s: record %llu is empty (zero length): skipped\n", file,
				(unsigned long long)rec);
			ret = 1;
			continue;
		}
		if (!ck->started) {
			/* the first frame starts the series, as a start of `run` */
			static const char *names[] = { "replay" };

			if (reader_read(&rp->reader) ||
			    series_init(&ck->set, ck->ts_targets, names, 1, &rp->reader, ts) ||
			    exports_open(&ck->w, ck->so->out, ck->so->rotate_s, ck->so->csv_rows, ts)) {
				capture_close(cap);
				return -EIO;
			}
			ck->started = 1;
			ck->next_tick = ts + (uint64_t)(ck->so->interval * 1e9);
			ck->max_ns = ts;
			rp->st.first_ns = ts;
		}
		uint64_t gap = ts > ck->max_ns ? ts - ck->max_ns : ck->max_ns - ts;

		if (gap > PW_REPLAY_MAX_GAP_NS) {
			/* not recording meanwhile, or files of another time: as a
			 * stop and a new start */
			char a[40], b[40];
			static const char *names[] = { "replay" };
			int e2 = tick(rp, ck, ck->next_tick);

			pr_warn("%s: record %llu: the capture jumps from %s to %s: no rows for the gap, the series start again\n",
				file, (unsigned long long)rec, fmt_rfc3339(ck->max_ns, a, sizeof(a)),
				fmt_rfc3339(ts, b, sizeof(b)));
			series_free(&ck->set);
			if (e2 || reader_read(&rp->reader) ||
			    series_init(&ck->set, ck->ts_targets, names, 1, &rp->reader, ts)) {
				capture_close(cap);
				return -EIO;
			}
			rp->st.jumps++;
			ck->next_tick = ts + (uint64_t)(ck->so->interval * 1e9);
			ck->max_ns = ts;
		}
		if (ts < ck->max_ns) {
			/* merged captures are often out of order by a little:
			 * count the frame at the latest time seen */
			double back = (ck->max_ns - ts) / 1e9;

			rp->st.out_of_order++;
			if (back > rp->st.max_back_s)
				rp->st.max_back_s = back;
			ts = ck->max_ns;
		}
		while (ts >= ck->next_tick) {
			int err2 = tick(rp, ck, ck->next_tick);

			if (err2) {
				capture_close(cap);
				return err2;
			}
			ck->next_tick += (uint64_t)(ck->so->interval * 1e9);
		}
		ck->max_ns = ts;

		off = capture_unwrap(lt, p, caplen, &et);
		if (off < 0) {
			rp->st.skipped_linktype++;
			rp->st.skipped_dlt = lt;
			continue;
		}
		const uint8_t *frame = p;
		uint32_t len = caplen;

		if (!capture_is_ethernet(lt)) {
			/* a synthetic Ethernet header in front of the network layer */
			len = caplen - off + 14;
			wire = wire - off + 14;
			if (len > sizeof(buf))
				len = sizeof(buf);
			memset(buf, 0, 12);
			buf[12] = et >> 8;
			buf[13] = et & 0xFF;
			memcpy(buf + 14, p + off, len - 14);
			frame = buf;
			rp->st.wrapped++;
		} else if (len > sizeof(buf)) {
			len = sizeof(buf); /* the headers are all in front */
		}
		if (len < 14) {
			rp->st.skipped_short++;
			continue;
		}
		int e = run_frame(rp, frame, len, wire < len ? len : wire, ts);

		if (e) {
			pr_warn("%s: record %llu: the program could not run on it: %s\n", file,
				(unsigned long long)rec, strerror(-e));
			capture_close(cap);
			return e;
		}
	}
	if (r < 0) {
		pr_warn("%s: damaged after record %llu: %s; the records before it are counted\n", file,
			(unsigned long long)rec, capture_error(cap));
		ret = 1;
	}
	capture_close(cap);
	return ret;
}

int replay_files(struct replay *rp, const struct pw_targets *ts, const struct sampler_opts *so,
		 char *const *files, int n)
{
	struct clock ck = { .so = so, .ts_targets = ts };
	uint64_t t0 = now_mono_ns();
	int ret = 0;

	for (int i = 0; i < n && ret >= 0; i++) {
		int r = one_file(rp, &ck, files[i]);

		if (r > 0)
			rp->st.bad_files++;
		ret = r < 0 ? r : ret | r;
	}
	if (ck.started) {
		/* the interval that holds the last frame, then the end */
		if (ret >= 0 && tick(rp, &ck, ck.next_tick) < 0)
			ret = -EIO;
		rp->st.last_ns = ck.max_ns;
		if (exports_close(&ck.w) && ret == 0)
			ret = 1;
		series_free(&ck.set);
	}
	rp->st.seconds = (now_mono_ns() - t0) / 1e9;
	return ret;
}
