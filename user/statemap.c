// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include "statemap.h"

static uint32_t to_state(const struct series *s)
{
	static const uint32_t map[] = { [DET_INSUFFICIENT] = PW_STATE_INSUFFICIENT,
					[DET_NORMAL] = PW_STATE_NORMAL,
					[DET_DROP] = PW_STATE_DROP,
					[DET_OUTAGE] = PW_STATE_OUTAGE };

	return map[s->det.state];
}

int statemap_publish(int fd, const struct series_set *set, int i, uint64_t expires_ns)
{
	uint32_t n = set->ts->nblocks * PW_NDIRS + 1;
	struct pw_series_state *v = calloc(n, sizeof(*v));
	uint32_t *keys = malloc(n * sizeof(*keys));
	int err = 0;

	if (!v || !keys) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t k = 0; k < n; k++) {
		const struct series *s = k + 1 < n ? &set->s[set->blk[i] + k] : &set->s[set->ifs[i]];

		keys[k] = k;
		v[k].state = to_state(s);
		v[k].baseline_mpps = (uint64_t)(det_baseline(&s->det) * 1000 + 0.5);
		v[k].expires_ns = expires_ns;
	}
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	if (bpf_map_update_batch(fd, keys, v, &n, &opts))
		err = -errno;
out:
	free(v);
	free(keys);
	return err;
}

const char *statemap_name(uint32_t state)
{
	static const char *names[] = { "-", "insufficient", "normal", "drop", "outage" };

	return state <= PW_STATE_OUTAGE ? names[state] : "?";
}
