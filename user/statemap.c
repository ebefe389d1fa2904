// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <sys/mman.h>
#include "statemap.h"

static uint32_t to_state(const struct series *s)
{
	static const uint32_t map[] = { [DET_INSUFFICIENT] = PW_STATE_INSUFFICIENT,
					[DET_NORMAL] = PW_STATE_NORMAL,
					[DET_DROP] = PW_STATE_DROP,
					[DET_OUTAGE] = PW_STATE_OUTAGE };

	return map[s->det.state];
}

struct pw_series_state *statemap_map(int fd, uint32_t n)
{
	void *m = mmap(NULL, (size_t)n * sizeof(struct pw_series_state), PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	return m == MAP_FAILED ? NULL : m;
}

void statemap_unmap(struct pw_series_state *m, uint32_t n)
{
	if (m)
		munmap(m, (size_t)n * sizeof(*m));
}

void statemap_publish(struct pw_series_state *m, const struct series_set *set, int i,
		      uint64_t expires_ns)
{
	uint32_t n = set->ts->nblocks * PW_NDIRS + 1;

	/* in place, and only what changed: at 65,536 blocks a system call
	 * with every entry took 27 ms a tick */
	for (uint32_t k = 0; k < n; k++) {
		const struct series *s = k + 1 < n ? &set->s[set->blk[i] + k] : &set->s[set->ifs[i]];

		if (s->dormant_tick && s->dormant_tick < set->ticks)
			continue; /* asleep, and published when it fell asleep */
		uint32_t st = to_state(s);
		uint64_t b = (uint64_t)(det_baseline(&s->det) * 1000 + 0.5);

		if (m[k].state != st || m[k].baseline_mpps != b) {
			m[k].state = st;
			m[k].baseline_mpps = b;
		}
	}
	m[n - 1].expires_ns = expires_ns; /* last: for the whole of them */
}

const char *statemap_name(uint32_t state)
{
	static const char *names[] = { "-", "insufficient", "normal", "drop", "outage" };

	return state <= PW_STATE_OUTAGE ? names[state] : "?";
}
