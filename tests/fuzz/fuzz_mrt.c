// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: any bytes as an MRT file (raw, gzip or bzip2), every
 * entry formatted as bgpdump would. No crash, no hang, no sanitizer report. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>
#include "log.h"
#include "mrt.h"

static int format(const struct mrt_entry *e, void *ctx)
{
	char line[20000];

	mrt_format_bgpdump(e, line, sizeof(line));
	return 0;
}

static int want(const struct bgp_prefix *p, void *ctx)
{
	return p->len != 7; /* some records skipped by the fast path */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct mrt_stats st = { 0 };

	if (fd < 0) {
		fd = memfd_create("mrt", 0);
		pw_log_level = -1; /* quiet: damage is expected here */
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	mrt_read_fd(fd, "fuzz", size % 2 ? want : NULL, format, NULL, &st);
	return 0;
}
