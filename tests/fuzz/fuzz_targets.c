// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: the targets-file and delegated-stats parsers, then the
 * split into blocks. The first byte picks the parser (and, for delegated,
 * whether the country is KP or the first two bytes after it). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_targets ts;
	char path[64], err[512], cc[3] = "KP";
	int fd;

	if (!size)
		return 0;
	fd = memfd_create("pw-fuzz", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	targets_init(&ts);
	ts.max_blocks = 4096; /* the limit is the split's to enforce, not memory's */
	if (data[0] & 1) {
		if (data[0] & 2 && size >= 3) {
			cc[0] = data[1];
			cc[1] = data[2];
		}
		targets_add_delegated(&ts, path, cc, err, sizeof(err));
	} else {
		targets_add_file(&ts, path, err, sizeof(err));
	}
	targets_split(&ts, err, sizeof(err));
	targets_free(&ts);
	close(fd);
	return 0;
}
