// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Traffic for the end-to-end tests, exactly counted:
 *   pwsend udp SRC DST COUNT            COUNT datagrams (32 bytes) to port 9
 *   pwsend tcp SRC DST COUNT            COUNT connects to port 7 (closed: SYN, RST)
 *   pwsend frame IFNAME KIND COUNT      COUNT crafted frames through AF_PACKET
 *   pwsend flow SRC DST PPS SECONDS     steady UDP at PPS for SECONDS, going on
 *                                       through send errors (a route removed)
 * "frame" prints the length of one frame on stdout; "flow" prints how many
 * datagrams left ("sent N failed M").
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "frames.h"

static const struct {
	const char *kind;
	struct frame_spec s;
	size_t cut;	/* send only this many bytes, if set */
} kinds[] = {
	{ "vlan-udp4-to-177", { .vlans = 1, .family = 4, .src = "198.51.100.7", .dst = "175.45.177.9", .l4 = 17, .payload = 18 } },
	{ "qinq-synack4-from-178", { .vlans = 2, .outer_ad = 1, .family = 4, .src = "175.45.178.1", .dst = "198.51.100.7", .l4 = 6, .tcpflags = 0x12 } },
	{ "ext-syn6-to-ab", { .family = 6, .src = "2001:db8:5::1", .dst = "2001:db8:ab::1", .ext = { 0, 44 }, .next = 2, .l4 = 6, .tcpflags = 0x02, .payload = 40 } },
	{ "frag-udp6-from-aa", { .family = 6, .src = "2001:db8:aa::5", .dst = "2001:db8:5::1", .ext = { 44 }, .next = 1, .frag6_off = 100, .l4 = 17, .payload = 100 } },
	{ "truncated-ipv4", { .family = 4, .src = "175.45.176.9", .dst = "198.51.100.7", .l4 = 17 }, 24 },
	{ "arp", { .family = 0 } },
};

static int parse_count(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*end || n < 0 || n > 1000000) {
		fprintf(stderr, "pwsend: bad count '%s'\n", s);
		exit(2);
	}
	return n;
}

static void addr(const char *s, struct sockaddr_storage *ss, socklen_t *len, int port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
	} else {
		fprintf(stderr, "pwsend: bad address '%s'\n", s);
		exit(2);
	}
}

static int sock_from(const char *src, int type, struct sockaddr_storage *dst, const char *dsts)
{
	struct sockaddr_storage sa;
	socklen_t slen, dlen;
	int fd;

	addr(src, &sa, &slen, 0);
	addr(dsts, dst, &dlen, type == SOCK_DGRAM ? 9 : 7);
	fd = socket(sa.ss_family, type, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, slen)) {
		fprintf(stderr, "pwsend: cannot bind %s: %s\n", src, strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "udp")) {
		struct sockaddr_storage dst;
		int n = parse_count(argv[4]);
		char payload[32] = "prefixwatch end-to-end test";

		for (int i = 0; i < n; i++) {
			int fd = sock_from(argv[2], SOCK_DGRAM, &dst, argv[3]);

			if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&dst,
				   dst.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							    : sizeof(struct sockaddr_in6)) < 0) {
				fprintf(stderr, "pwsend: sendto %s: %s\n", argv[3], strerror(errno));
				return 1;
			}
			close(fd);
			usleep(2000); /* stay clear of any ICMP rate limit left on */
		}
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "tcp")) {
		struct sockaddr_storage dst;
		int n = parse_count(argv[4]);

		for (int i = 0; i < n; i++) {
			int fd = sock_from(argv[2], SOCK_STREAM, &dst, argv[3]);
			socklen_t dlen = dst.ss_family == AF_INET ? sizeof(struct sockaddr_in)
								  : sizeof(struct sockaddr_in6);

			if (connect(fd, (struct sockaddr *)&dst, dlen) == 0 || errno != ECONNREFUSED) {
				fprintf(stderr, "pwsend: connect to %s port 7 should be refused: %s\n",
					argv[3], strerror(errno));
				return 1;
			}
			close(fd);
		}
		return 0;
	}
	if (argc == 6 && !strcmp(argv[1], "flow")) {
		struct sockaddr_storage dst;
		int fd = sock_from(argv[2], SOCK_DGRAM, &dst, argv[3]);
		double pps = atof(argv[4]), secs = atof(argv[5]);
		socklen_t dlen = dst.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							  : sizeof(struct sockaddr_in6);
		char payload[32] = "prefixwatch steady flow";
		struct timespec t0, next;
		long sent = 0, failed = 0;

		if (pps <= 0 || pps > 100000 || secs <= 0) {
			fprintf(stderr, "pwsend: bad rate or duration\n");
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < (long)(pps * secs); i++) {
			double at = i / pps;

			next.tv_sec = t0.tv_sec + (time_t)at;
			next.tv_nsec = t0.tv_nsec + (long)((at - (time_t)at) * 1e9);
			if (next.tv_nsec >= 1000000000) {
				next.tv_sec++;
				next.tv_nsec -= 1000000000;
			}
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
			if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&dst, dlen) < 0)
				failed++;
			else
				sent++;
		}
		printf("sent %ld failed %ld\n", sent, failed);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "frame")) {
		int n = parse_count(argv[4]);
		struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_halen = 6 };
		struct frame f;
		size_t i, len;
		int fd;

		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcmp(kinds[i].kind, argv[3]))
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0])) {
			fprintf(stderr, "pwsend: unknown frame kind '%s'\n", argv[3]);
			return 2;
		}
		frame_build(&kinds[i].s, &f);
		len = kinds[i].cut ? kinds[i].cut : f.len;
		ll.sll_ifindex = if_nametoindex(argv[2]);
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		if (!ll.sll_ifindex || fd < 0) {
			fprintf(stderr, "pwsend: cannot open %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		for (int k = 0; k < n; k++) {
			if (sendto(fd, f.b, len, 0, (struct sockaddr *)&ll, sizeof(ll)) != (ssize_t)len) {
				fprintf(stderr, "pwsend: send on %s: %s\n", argv[2], strerror(errno));
				return 1;
			}
		}
		printf("%zu\n", len);
		return 0;
	}
	fprintf(stderr, "usage: pwsend udp|tcp SRC DST COUNT | pwsend frame IFNAME KIND COUNT | "
			"pwsend flow SRC DST PPS SECONDS\n");
	return 2;
}
