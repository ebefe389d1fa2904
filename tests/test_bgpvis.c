// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Route visibility of the target blocks, fed MRT entries directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include "bgpvis.h"

#define T0 1749254400u /* 2025-06-07T00:00:00Z */

static struct bgp_attrs attrs;

static void entry(struct bgpvis *v, char kind, uint32_t ts, int peer, const char *cidr)
{
	struct mrt_entry e = { .kind = kind, .format = "BGP4MP", .ts = ts, .peer_as = 64500 + peer };
	struct bgp_prefix p = {};
	struct pw_prefix q;
	char err[PW_ERRLEN];

	e.peer.family = e.collector.family = 4;
	e.peer.addr[0] = 192, e.peer.addr[3] = peer;
	if (cidr) {
		assert_int_equal(prefix_parse(cidr, &q, err, sizeof(err)), 0);
		p.family = q.family;
		p.len = q.len;
		memcpy(p.addr, q.addr, 16);
		e.pfx = &p;
	}
	if (kind == 'S') {
		e.old_state = 6;
		e.new_state = 1;
	}
	e.attrs = &attrs;
	assert_int_equal(bgpvis_entry(v, &e), 0);
}


static void test_withdraw_and_restore(void **state)
{
	char dir[] = "/tmp/pw-bgpvis-XXXXXX", path[128], err[PW_ERRLEN], ups[64];
	struct bgpvis_opts o = { .out = mkdtemp(dir), .interval = 60, .ratio = 0.5 };
	struct pw_targets ts;
	struct bgpvis v;

	/* the path 3356 4837 131279 131279: origin 131279 through AS4837 */
	attrs = (struct bgp_attrs){ .path = { .nseg = 1, .type = { AS_SEQUENCE }, .len = { 4 },
					     .nasn = 4, .asn = { 3356, 4837, 131279, 131279 } } };
	targets_init(&ts);
	assert_int_equal(targets_add(&ts, "175.45.176.0/22", NULL, err, sizeof(err)), 0);
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(bgpvis_init(&v, &ts, &o), 0);

	for (int p = 1; p <= 3; p++)
		entry(&v, 'A', T0 + p, p, "175.45.176.0/22");
	entry(&v, 'A', T0 + 4, 1, "175.45.177.0/24");	/* a more-specific: same peer */
	entry(&v, 'A', T0 + 5, 4, "10.0.0.0/8");		/* elsewhere: no effect */
	assert_int_equal(v.blocks[1].visible, 3);
	assert_int_equal(v.blocks[1].had, 3);
	assert_int_equal(bgpvis_block_origin(&v, 1, ups, sizeof(ups)), 131279);
	assert_string_equal(ups, "4837");

	entry(&v, 'W', T0 + 100, 1, "175.45.176.0/22");
	assert_int_equal(v.blocks[0].visible, 2);	/* 2 of 3: above half */
	assert_int_equal(v.blocks[1].visible, 3);	/* peer 1 still has the /24 */
	assert_int_equal(v.nevents, 0);
	entry(&v, 'W', T0 + 130, 2, "175.45.176.0/22");	/* 1 of 3 in block 0: withdrawn */
	assert_int_equal(v.blocks[0].withdrawn, 1);
	assert_int_equal(v.blocks[1].withdrawn, 0);	/* 2 of 3 */
	entry(&v, 'S', T0 + 150, 3, NULL);		/* peer 3's session goes down */
	assert_int_equal(v.blocks[0].visible, 0);
	assert_int_equal(v.blocks[1].visible, 1);
	assert_int_equal(v.blocks[1].withdrawn, 1);
	entry(&v, 'W', T0 + 160, 3, "175.45.176.0/22");	/* gone already: nothing */
	entry(&v, 'A', T0 + 200, 2, "175.45.176.0/22");
	assert_int_equal(v.blocks[0].withdrawn, 1);	/* 1 of 3 */
	entry(&v, 'A', T0 + 230, 3, "175.45.176.0/22");
	assert_int_equal(v.blocks[0].withdrawn, 0);	/* 2 of 3: restored */
	assert_int_equal(v.blocks[0].had, 2);
	bgpvis_finish(&v);

	snprintf(path, sizeof(path), "%s/bgp-events.jsonl", dir);
	char *ev = slurp(path, NULL);

	assert_non_null(strstr(ev, "{\"event\":\"bgp_withdrawn\",\"time\":\"2025-06-07T00:02:10.000Z\",\"interface\":\"bgp\",\"block\":\"175.45.176.0/24\",\"direction\":null,\"scope\":\"block\",\"peers\":1,\"peers_had\":3,\"origin_as\":131279,\"upstream_as\":[4837]}"));
	assert_non_null(strstr(ev, "\"event\":\"bgp_withdrawn\",\"time\":\"2025-06-07T00:02:30.000Z\",\"interface\":\"bgp\",\"block\":\"175.45.177.0/24\""));
	assert_non_null(strstr(ev, "\"event\":\"bgp_restored\",\"time\":\"2025-06-07T00:03:50.000Z\",\"interface\":\"bgp\",\"block\":\"175.45.176.0/24\",\"direction\":null,\"scope\":\"block\",\"peers\":2,\"peers_had\":3"));
	free(ev);
	snprintf(path, sizeof(path), "%s/bgp-visibility.csv", dir);
	char *csv = slurp(path, NULL);

	assert_non_null(strstr(csv, "time,block,peers,peers_had,origin_as,upstream_as,state\n"));
	assert_non_null(strstr(csv, "2025-06-07T00:01:00.000Z,175.45.176.0/24,3,3,131279,4837,visible\n"));
	assert_non_null(strstr(csv, "2025-06-07T00:03:00.000Z,175.45.176.0/24,0,3,0,,withdrawn\n"));
	free(csv);
	bgpvis_free(&v);
	targets_free(&ts);
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_withdraw_and_restore),
	};

	return cmocka_run_group_tests_name("bgpvis", tests, NULL, NULL);
}
