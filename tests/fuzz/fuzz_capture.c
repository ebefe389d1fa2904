// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: the capture side of `replay` (libpcap's reading of pcap
 * and pcapng, then our unwrapping of each link type into Ethernet), on any
 * bytes. The program run is the BPF tests' business. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	struct capture *c;
	int fd = memfd_create("pw-fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	c = capture_open(path, err, sizeof(err));
	if (c) {
		int lt = capture_linktype(c);
		uint64_t ts;
		uint32_t caplen, len;
		const uint8_t *p;
		uint16_t et;

		capture_linktype_name(lt);
		for (int i = 0; i < 10000 && capture_next(c, &ts, &caplen, &len, &p) == 1; i++) {
			int off = capture_unwrap(lt, p, caplen, &et);

			/* what the replay then reads: inside the record */
			if (off >= 0 && (uint32_t)off <= caplen && caplen) {
				volatile uint8_t x = p[caplen - 1];
				(void)x;
			}
		}
		capture_close(c);
	}
	close(fd);
	return 0;
}
