// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: the UPDATE decoder alone; the first byte picks 2- or
 * 4-byte AS paths and ADD-PATH, the rest is the BGP message. */
#include <stdint.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include "bgpmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bgp_update *u;
	const char *why;
	char buf[8192];

	if (!u)
		u = malloc(sizeof(*u));
	if (!size || !u)
		return 0;
	struct bgp_opts o = { .as4 = data[0] & 1, .addpath = data[0] >> 1 & 1 };

	/* whatever it returns, what it filled must be safe to print */
	bgp_decode_message(data + 1, size - 1, &o, u, &why);
	bgp_path_str(&u->attrs.path, buf, sizeof(buf));
	bgp_path_origin(&u->attrs.path, NULL);
	return 0;
}
