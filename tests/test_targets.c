// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* CIDR parsing and block splitting at the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "targets.h"

static char err[PW_ERRLEN];

static const char *parse_ok(const char *s)
{
	static char out[64];
	struct pw_prefix p;

	err[0] = '\0';
	assert_int_equal(prefix_parse(s, &p, err, sizeof(err)), 0);
	return prefix_str(&p, out, sizeof(out));
}

static void parse_bad(const char *s, const char *msg_part)
{
	struct pw_prefix p;

	err[0] = '\0';
	assert_int_not_equal(prefix_parse(s, &p, err, sizeof(err)), 0);
	/* one line, naming the input and what is wrong */
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, s));
	if (!strstr(err, msg_part))
		fail_msg("error for '%s' is '%s', expected it to mention '%s'", s, err, msg_part);
}

static void test_parse_edges(void **state)
{
	assert_string_equal(parse_ok("175.45.176.0/22"), "175.45.176.0/22");
	assert_string_equal(parse_ok("0.0.0.0/0"), "0.0.0.0/0");
	assert_string_equal(parse_ok("255.255.255.255/32"), "255.255.255.255/32");
	assert_string_equal(parse_ok("10.1.2.3"), "10.1.2.3/32");
	assert_string_equal(parse_ok("::/0"), "::/0");
	assert_string_equal(parse_ok("2001:db8::1/128"), "2001:db8::1/128");
	assert_string_equal(parse_ok("2001:DB8:AA::/48"), "2001:db8:aa::/48");
	assert_string_equal(parse_ok("2001:db8::7"), "2001:db8::7/128");

	parse_bad("175.45.176.1/22", "did you mean 175.45.176.0/22");
	parse_bad("2001:db8::1/32", "did you mean 2001:db8::/32");
	parse_bad("1.2.3.4/0", "did you mean 0.0.0.0/0");
	parse_bad("175.45.176.0/33", "0 to 32");
	parse_bad("2001:db8::/129", "0 to 128");
	parse_bad("175.45.176.0/", "prefix length");
	parse_bad("175.45.176.0/-1", "prefix length");
	parse_bad("175.45.176.0/2x", "prefix length");
	parse_bad("175.45.176.0/ 2", "prefix length");
	parse_bad("175.45.176/22", "not an IPv4 or IPv6 address");
	parse_bad("garbage", "not an IPv4 or IPv6 address");
	parse_bad("", "not an IPv4 or IPv6 address");
	parse_bad("1.2.3.4.5/32", "not an IPv4 or IPv6 address");
	parse_bad("2001:db8:::1/64", "not an IPv4 or IPv6 address");
	parse_bad("175.45.176.0/99999999999999999999", "prefix length");
}

static void split(struct pw_targets *ts, const char *const *cidrs, int n)
{
	targets_init(ts);
	for (int i = 0; i < n; i++)
		assert_int_equal(targets_add(ts, cidrs[i], NULL, err, sizeof(err)), 0);
}

static void test_default_is_four_blocks(void **state)
{
	struct pw_targets ts;
	const char *t[] = { PW_DEFAULT_TARGET };
	char b[64];

	split(&ts, t, 1);
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nblocks, 4);
	assert_int_equal(ts.n4, 4);
	assert_string_equal(prefix_str(&ts.blocks[0].pfx, b, sizeof(b)), "175.45.176.0/24");
	assert_string_equal(prefix_str(&ts.blocks[1].pfx, b, sizeof(b)), "175.45.177.0/24");
	assert_string_equal(prefix_str(&ts.blocks[2].pfx, b, sizeof(b)), "175.45.178.0/24");
	assert_string_equal(prefix_str(&ts.blocks[3].pfx, b, sizeof(b)), "175.45.179.0/24");
	targets_free(&ts);
}

static void test_split_families_and_lengths(void **state)
{
	struct pw_targets ts;
	/* IPv6 first on purpose: blocks are IPv4 first, then IPv6 */
	const char *t[] = { "2001:db8:aa::/47", "10.0.0.0/23", "192.0.2.128/25", "2001:db8:ff::1" };
	char b[64];

	split(&ts, t, 4);
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nblocks, 2 + 1 + 2 + 1);
	assert_string_equal(prefix_str(&ts.blocks[0].pfx, b, sizeof(b)), "10.0.0.0/24");
	assert_string_equal(prefix_str(&ts.blocks[1].pfx, b, sizeof(b)), "10.0.1.0/24");
	/* longer than the block length: one block, itself */
	assert_string_equal(prefix_str(&ts.blocks[2].pfx, b, sizeof(b)), "192.0.2.128/25");
	assert_string_equal(prefix_str(&ts.blocks[3].pfx, b, sizeof(b)), "2001:db8:aa::/48");
	assert_string_equal(prefix_str(&ts.blocks[4].pfx, b, sizeof(b)), "2001:db8:ab::/48");
	assert_string_equal(prefix_str(&ts.blocks[5].pfx, b, sizeof(b)), "2001:db8:ff::1/128");
	assert_int_equal(ts.blocks[0].target, 1);
	assert_int_equal(ts.blocks[3].target, 0);
	assert_int_equal(ts.t[1].first_block, 0);
	assert_int_equal(ts.t[0].first_block, 3);
	targets_free(&ts);

	/* block length /32 and /128: one block per address */
	const char *h[] = { "10.0.0.0/30", "2001:db8::/126" };

	split(&ts, h, 2);
	ts.blen4 = 32;
	ts.blen6 = 128;
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nblocks, 8);
	assert_string_equal(prefix_str(&ts.blocks[3].pfx, b, sizeof(b)), "10.0.0.3/32");
	assert_string_equal(prefix_str(&ts.blocks[7].pfx, b, sizeof(b)), "2001:db8::3/128");
	targets_free(&ts);

	/* a block boundary that is not on a byte */
	const char *o[] = { "10.0.0.0/8" };

	split(&ts, o, 1);
	ts.blen4 = 11;
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nblocks, 8);
	assert_string_equal(prefix_str(&ts.blocks[7].pfx, b, sizeof(b)), "10.224.0.0/11");
	targets_free(&ts);
}

static void test_overlaps(void **state)
{
	struct pw_targets ts;
	const char *a[] = { "175.45.176.0/22", "10.0.0.0/8", "175.45.177.0/24" };
	const char *dup[] = { "2001:db8::/32", "2001:db8::/32" };
	const char *v6[] = { "2001:db8::/32", "2001:db8:ffff:ffff::/64" };
	const char *fine[] = { "10.0.0.0/8", "11.0.0.0/8", "::a00:0/104" };

	split(&ts, a, 3);
	assert_int_not_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "175.45.176.0/22"));
	assert_non_null(strstr(err, "175.45.177.0/24"));
	assert_non_null(strstr(err, "overlap"));
	targets_free(&ts);

	split(&ts, dup, 2);
	assert_int_not_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "overlap"));
	targets_free(&ts);

	split(&ts, v6, 2);
	assert_int_not_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "2001:db8:ffff:ffff::/64"));
	targets_free(&ts);

	/* neighbours and the same bits in another family do not overlap */
	split(&ts, fine, 3);
	ts.blen4 = 8;
	ts.blen6 = 104;
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	targets_free(&ts);
}

static void test_block_limit(void **state)
{
	struct pw_targets ts;
	const char *t16[] = { "10.0.0.0/8" };		/* 65536 /24s: exactly the default limit */
	const char *t17[] = { "10.0.0.0/8", "11.0.0.0/24" };
	const char *all[] = { "0.0.0.0/0" };
	const char *all6[] = { "::/0" };

	split(&ts, t16, 1);
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nblocks, 65536);
	targets_free(&ts);

	split(&ts, t17, 2);
	assert_int_not_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "limit of 65536"));
	assert_non_null(strstr(err, "11.0.0.0/24"));
	targets_free(&ts);

	split(&ts, all, 1);	/* 2^24 blocks */
	assert_int_not_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "more than the limit"));
	targets_free(&ts);

	split(&ts, all6, 1);	/* 2^48 blocks: no overflow on the way */
	assert_int_not_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "more than the limit"));
	targets_free(&ts);

	split(&ts, all6, 1);	/* 2^127 with /128 blocks */
	ts.blen6 = 128;
	assert_int_not_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "over 2^62"));
	targets_free(&ts);

	split(&ts, all, 1);	/* /0 is fine with big enough blocks */
	ts.blen4 = 8;
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nblocks, 256);
	targets_free(&ts);
}

static void test_targets_file(void **state)
{
	char path[] = "/tmp/pw-targets-XXXXXX";
	int fd = mkstemp(path);
	struct pw_targets ts;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# North Korea\n175.45.176.0/22\n\n   \t\n210.52.109.0/24  # via China Unicom\r\n"
	      "2001:db8::/48\n", f);
	fclose(f);
	targets_init(&ts);
	assert_int_equal(targets_add_file(&ts, path, err, sizeof(err)), 0);
	assert_int_equal(ts.n, 3);
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nblocks, 6);
	targets_free(&ts);

	/* garbage: the error names the file and the line */
	f = fopen(path, "w");
	fputs("10.0.0.0/8\n# fine\nnot-a-prefix\n", f);
	fclose(f);
	targets_init(&ts);
	assert_int_not_equal(targets_add_file(&ts, path, err, sizeof(err)), 0);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":3:"));
	assert_non_null(strstr(err, "not-a-prefix"));
	targets_free(&ts);

	/* overlaps across file lines name both lines */
	f = fopen(path, "w");
	fputs("10.0.0.0/8\n10.1.0.0/16\n", f);
	fclose(f);
	targets_init(&ts);
	assert_int_equal(targets_add_file(&ts, path, err, sizeof(err)), 0);
	assert_int_not_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_non_null(strstr(err, ":1"));
	assert_non_null(strstr(err, ":2"));
	targets_free(&ts);

	unlink(path);
	targets_init(&ts);
	assert_int_not_equal(targets_add_file(&ts, path, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "No such file"));
	targets_free(&ts);
}

static void test_delegated(void **state)
{
	char path[] = "/tmp/pw-deleg-XXXXXX", b[64];
	int fd = mkstemp(path);
	struct pw_targets ts;
	FILE *f = fdopen(fd, "w");

	fputs("2|apnic|20250601|100|19830613|20250531|+1000\n"
	      "apnic|*|ipv4|*|50|summary\n"
	      "apnic|KP|ipv4|175.45.176.0|1024|20091119|allocated\n"
	      "apnic|KP|ipv4|10.0.0.0|768|20091119|assigned\n"	/* a /23 and a /24 */
	      "apnic|KR|ipv4|1.11.0.0|65536|20100111|allocated\n"
	      "apnic|KP|ipv4|999.1.1.1|256|20100111|allocated\n"	/* damaged */
	      "apnic|KP|ipv4|10.9.0.0|0|20100111|allocated\n"	/* damaged */
	      "apnic|KP|ipv6|2001:db8:99::|48|20100111|available\n"
	      "apnic|KP|ipv6|2001:db8:aa::|48|20100111|assigned|opaque|extra\n"
	      "apnic|KP|ipv4|175.45.177.0|256|20091119|allocated\n"	/* inside the first */
	      "apnic|KP|ipv4\n", f);
	fclose(f);
	targets_init(&ts);
	assert_int_equal(targets_add_delegated(&ts, path, "kp", err, sizeof(err)), 0);
	assert_int_equal(ts.n, 4);
	assert_string_equal(prefix_str(&ts.t[0].pfx, b, sizeof(b)), "10.0.0.0/23");
	assert_string_equal(prefix_str(&ts.t[1].pfx, b, sizeof(b)), "10.0.2.0/24");
	assert_string_equal(prefix_str(&ts.t[2].pfx, b, sizeof(b)), "175.45.176.0/22");
	assert_string_equal(prefix_str(&ts.t[3].pfx, b, sizeof(b)), "2001:db8:aa::/48");
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);
	assert_int_equal(ts.nblocks, 2 + 1 + 4 + 1);
	targets_free(&ts);

	targets_init(&ts);
	assert_int_not_equal(targets_add_delegated(&ts, path, "ZZ", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no allocated or assigned range of country 'ZZ'"));
	targets_free(&ts);
	unlink(path);
	targets_init(&ts);
	assert_int_not_equal(targets_add_delegated(&ts, path, "KP", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "No such file"));
	targets_free(&ts);
}

/* Overlapping prefixes (a RIB's more-specifics) fold into the covering one. */
static void test_merged_and_lookup(void **state)
{
	struct pw_prefix p[4];
	struct pw_targets ts;
	uint32_t first, n;

	prefix_parse("10.1.2.0/24", &p[0], err, sizeof(err));
	prefix_parse("10.1.0.0/16", &p[1], err, sizeof(err));
	prefix_parse("192.0.2.0/24", &p[2], err, sizeof(err));
	prefix_parse("10.1.0.0/16", &p[3], err, sizeof(err));
	targets_init(&ts);
	assert_int_equal(targets_add_merged(&ts, p, 4, "rib", err, sizeof(err)), 0);
	assert_int_equal(ts.n, 2);
	assert_int_equal(targets_split(&ts, err, sizeof(err)), 0);

	/* a route inside a target, one covering it, one elsewhere */
	struct pw_prefix q;

	prefix_parse("10.1.7.128/25", &q, err, sizeof(err));
	int t = targets_find_overlap(&ts, &q);

	assert_true(t >= 0);
	targets_blocks_of(&ts, t, &q, &first, &n);
	assert_int_equal(n, 1);
	assert_int_equal(first, ts.t[t].first_block + 7);
	prefix_parse("10.0.0.0/8", &q, err, sizeof(err));
	t = targets_find_overlap(&ts, &q);
	targets_blocks_of(&ts, t, &q, &first, &n);
	assert_int_equal(n, 256);
	prefix_parse("10.1.4.0/22", &q, err, sizeof(err));
	targets_blocks_of(&ts, targets_find_overlap(&ts, &q), &q, &first, &n);
	assert_int_equal(n, 4);
	prefix_parse("10.2.0.0/16", &q, err, sizeof(err));
	assert_int_equal(targets_find_overlap(&ts, &q), -1);
	prefix_parse("192.0.2.77", &q, err, sizeof(err));
	assert_true(targets_find_overlap(&ts, &q) >= 0);
	prefix_parse("2001:db8::/32", &q, err, sizeof(err));
	assert_int_equal(targets_find_overlap(&ts, &q), -1);
	targets_free(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_edges),
		cmocka_unit_test(test_default_is_four_blocks),
		cmocka_unit_test(test_split_families_and_lengths),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_block_limit),
		cmocka_unit_test(test_targets_file),
		cmocka_unit_test(test_delegated),
		cmocka_unit_test(test_merged_and_lookup),
	};

	return cmocka_run_group_tests_name("targets", tests, NULL, NULL);
}
