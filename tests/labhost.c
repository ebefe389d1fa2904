// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The hosts of the lab (scripts/lab.sh): services that answer, clients that
 * use them, and a flood.
 *
 *   labhost serve                         TCP echo and UDP echo on port 7 (the
 *                                         kernel answers ICMP echo)
 *   labhost clients CIDR PPS [ADDR...]    steady traffic to random addresses of
 *                                         CIDR: ICMP echo, UDP echo and TCP
 *                                         connections, Poisson-timed at about PPS
 *                                         packets per second toward CIDR; and
 *                                         ICMP echo to each ADDR (the rest of the
 *                                         internet) at PPS/4
 *   labhost flood CIDR PPS SECONDS SRC_CIDR
 *                                         TCP SYNs to port 7 of random addresses
 *                                         of CIDR from random addresses of
 *                                         SRC_CIDR (spoofed: nothing answers)
 *
 * clients and flood run until SIGTERM or SIGINT and then print what they sent
 * and what came back as one JSON line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PORT 7
#define MAX_CONN 512

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void die(const char *what, const char *obj)
{
	fprintf(stderr, "labhost: %s %s: %s\n", what, obj, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* a uniform double in (0, 1] */
static double urand(void)
{
	return (random() + 1.0) / (RAND_MAX + 1.0);
}

struct cidr {
	uint32_t net, size;
};

static struct cidr parse_cidr(const char *s)
{
	char buf[64], *slash;
	struct in_addr a;
	long len = 32;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		len = strtol(slash + 1, NULL, 10);
	}
	if (inet_pton(AF_INET, buf, &a) != 1 || len < 8 || len > 32) {
		fprintf(stderr, "labhost: bad IPv4 prefix '%s'\n", s);
		exit(2);
	}
	return (struct cidr){ ntohl(a.s_addr) & ~(uint32_t)((1ull << (32 - len)) - 1),
			      (uint32_t)(1ull << (32 - len)) };
}

static struct sockaddr_in pick(const struct cidr *c, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	uint32_t h = c->size > 2 ? 1 + random() % (c->size - 2) : 0;

	a.sin_addr.s_addr = htonl(c->net + h);
	return a;
}

static double parse_num(const char *s, const char *what, double max)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || !(v > 0) || v > max) {
		fprintf(stderr, "labhost: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int serve(void)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct pollfd p[2 + MAX_CONN];
	int one = 1, n = 2;
	char buf[2048];

	p[0].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	p[1].fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (p[0].fd < 0 || p[1].fd < 0)
		die("cannot open", "a socket");
	setsockopt(p[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* a small backlog, without SYN cookies in the namespace, is what a
	 * SYN flood fills: then the legitimate SYNs go unanswered too */
	if (bind(p[0].fd, (struct sockaddr *)&any, sizeof(any)) || listen(p[0].fd, 16))
		die("cannot listen on", "TCP port 7");
	if (bind(p[1].fd, (struct sockaddr *)&any, sizeof(any)))
		die("cannot bind", "UDP port 7");
	p[0].events = p[1].events = POLLIN;
	catch_signals();
	while (!stop) {
		if (poll(p, n, 1000) < 0 && errno != EINTR)
			die("cannot poll", "the sockets");
		if (p[0].revents & POLLIN) {
			int fd;

			while (n < 2 + MAX_CONN && (fd = accept4(p[0].fd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
				p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
		if (p[1].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t r;

			while ((r = recvfrom(p[1].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl)) >= 0) {
				sendto(p[1].fd, buf, r, 0, (struct sockaddr *)&from, fl);
				fl = sizeof(from);
			}
		}
		for (int i = 2; i < n; i++) {
			ssize_t r;

			if (!p[i].revents)
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r > 0 && write(p[i].fd, buf, r) == r)
				continue;
			if (r < 0 && errno == EAGAIN)
				continue;
			close(p[i].fd);
			p[i--] = p[--n];
		}
	}
	return 0;
}

struct conn {
	int fd;
	double since;
	int connected;
};

/* the Internet checksum of data, after the 16-bit words summed in sum */
static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *b = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

static uint16_t csum(const void *data, size_t len, uint32_t sum)
{
	sum = sum16(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void send_echo(int fd, const struct sockaddr_in *to, uint16_t id, uint16_t seq,
		      long *sent, long *failed)
{
	struct icmphdr h = { .type = ICMP_ECHO };
	char pkt[sizeof(h) + 24] = { 0 };

	h.un.echo.id = htons(id);
	h.un.echo.sequence = htons(seq);
	memcpy(pkt, &h, sizeof(h));
	memcpy(pkt + sizeof(h), "prefixwatch lab", 15);
	((struct icmphdr *)pkt)->checksum = csum(pkt, sizeof(pkt), 0);
	if (sendto(fd, pkt, sizeof(pkt), 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		(*failed)++;
	else
		(*sent)++;
}

static int clients(int argc, char **argv)
{
	struct cidr target = parse_cidr(argv[0]);
	double pps = parse_num(argv[1], "rate", 100000);
	int nbg = argc - 2, icmp, udp, nconn = 0;
	struct sockaddr_in *bg = calloc(nbg ? nbg : 1, sizeof(*bg));
	struct conn conns[MAX_CONN];
	struct pollfd p[2 + MAX_CONN];
	long ping = 0, pong = 0, dgram = 0, echo = 0, syn = 0, estab = 0, bgping = 0, failed = 0;
	uint16_t id = getpid(), seq = 0;
	char buf[2048];

	for (int i = 0; i < nbg; i++) {
		bg[i] = (struct sockaddr_in){ .sin_family = AF_INET };
		if (inet_pton(AF_INET, argv[2 + i], &bg[i].sin_addr) != 1) {
			fprintf(stderr, "labhost: bad address '%s'\n", argv[2 + i]);
			return 2;
		}
	}
	icmp = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP);
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (icmp < 0 || udp < 0)
		die("cannot open", "a raw ICMP or UDP socket");
	srandom(time(NULL) ^ getpid());
	catch_signals();

	/* events: an ICMP echo (2 packets to and fro), a UDP echo (2), a TCP
	 * connection (about 5 each way): weights 2:2:1 make an event worth
	 * (2 + 2 + 5) / 5 = 1.8 packets toward the target */
	double ev_rate = pps / 1.8, next = now(), next_bg = now(), bg_rate = pps / 4;

	while (!stop) {
		double t = now();

		while (next <= t) {
			double r = urand();
			struct sockaddr_in a = pick(&target, PORT);

			if (r < 0.4) {
				send_echo(icmp, &a, id, seq++, &ping, &failed);
			} else if (r < 0.8) {
				if (sendto(udp, "prefixwatch lab", 15, 0, (struct sockaddr *)&a, sizeof(a)) < 0)
					failed++;
				else
					dgram++;
			} else if (nconn < MAX_CONN) {
				int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

				if (fd >= 0 && (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
						errno == EINPROGRESS)) {
					conns[nconn++] = (struct conn){ fd, t, 0 };
					syn++;
				} else {
					failed++;
					if (fd >= 0)
						close(fd);
				}
			}
			next += -log(urand()) / ev_rate;
		}
		while (nbg && next_bg <= t) {
			for (int i = 0; i < nbg; i++)
				send_echo(icmp, &bg[i], id, seq++, &bgping, &failed);
			next_bg += -log(urand()) / bg_rate;
		}
		/* answers, and connections that completed or gave up */
		p[0] = (struct pollfd){ .fd = icmp, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = udp, .events = POLLIN };
		for (int i = 0; i < nconn; i++)
			p[2 + i] = (struct pollfd){ .fd = conns[i].fd,
						    .events = conns[i].connected ? POLLIN : POLLOUT };
		double wait = (next < next_bg || !nbg ? next : next_bg) - now();

		if (poll(p, 2 + nconn, wait > 0 ? (int)(wait * 1000) : 0) < 0 && errno != EINTR)
			die("cannot poll", "the sockets");
		while (recv(icmp, buf, sizeof(buf), 0) > 0) {
			struct iphdr *ip = (struct iphdr *)buf;
			struct icmphdr *h = (struct icmphdr *)(buf + ip->ihl * 4);
			uint32_t src = ntohl(ip->saddr);

			if (h->type == ICMP_ECHOREPLY && ntohs(h->un.echo.id) == id &&
			    src - target.net < target.size)
				pong++;
		}
		while (recv(udp, buf, sizeof(buf), 0) >= 0)
			echo++;
		t = now();
		for (int i = nconn; i-- > 0;) {
			struct conn *c = &conns[i];
			short rev = p[2 + i].revents;
			int done = t - c->since > 1.0;

			if (!done && !c->connected && (rev & (POLLOUT | POLLERR | POLLHUP))) {
				int err = 0;
				socklen_t el = sizeof(err);

				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err || write(c->fd, "prefixwatch lab", 15) != 15) {
					done = 1;
				} else {
					c->connected = 1;
					estab++;
				}
			} else if (!done && c->connected && (rev & (POLLIN | POLLERR | POLLHUP))) {
				done = 1; /* the echo, or the end */
			}
			if (done) {
				close(c->fd);
				*c = conns[--nconn];
			}
		}
	}
	for (int i = 0; i < nconn; i++)
		close(conns[i].fd);
	printf("{\"icmp_echo\":%ld,\"icmp_reply\":%ld,\"udp_sent\":%ld,\"udp_echo\":%ld,"
	       "\"tcp_connect\":%ld,\"tcp_established\":%ld,\"background_echo\":%ld,\"send_failed\":%ld}\n",
	       ping, pong, dgram, echo, syn, estab, bgping, failed);
	free(bg);
	return 0;
}

static int flood(char **argv)
{
	struct cidr target = parse_cidr(argv[0]), src = parse_cidr(argv[3]);
	double pps = parse_num(argv[1], "rate", 1000000), secs = parse_num(argv[2], "duration", 86400);
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	long sent = 0, failed = 0;
	double t0 = now();

	if (fd < 0)
		die("cannot open", "a raw IP socket");
	srandom(time(NULL) ^ getpid());
	catch_signals();
	for (long i = 0; !stop && i < (long)(pps * secs); i++) {
		struct {
			struct iphdr ip;
			struct tcphdr tcp;
		} __attribute__((packed)) pkt = { 0 };
		struct {
			uint32_t s, d;
			uint8_t zero, proto;
			uint16_t len;
		} __attribute__((packed)) ph;
		struct sockaddr_in to = pick(&target, PORT), from = pick(&src, 0);
		double at = t0 + i / pps, w = at - now();

		if (w > 0)
			usleep((useconds_t)(w * 1e6));
		pkt.ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_TCP,
					 .tot_len = htons(sizeof(pkt)), .id = htons(random()),
					 .saddr = from.sin_addr.s_addr, .daddr = to.sin_addr.s_addr };
		pkt.tcp.source = htons(1024 + random() % 60000);
		pkt.tcp.dest = htons(PORT);
		pkt.tcp.seq = random();
		pkt.tcp.doff = 5;
		pkt.tcp.syn = 1;
		pkt.tcp.window = htons(64240);
		ph = (typeof(ph)){ pkt.ip.saddr, pkt.ip.daddr, 0, IPPROTO_TCP, htons(sizeof(pkt.tcp)) };
		pkt.tcp.check = csum(&pkt.tcp, sizeof(pkt.tcp), sum16(&ph, sizeof(ph), 0));
		if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			failed++;
		else
			sent++;
	}
	printf("{\"syn_sent\":%ld,\"send_failed\":%ld}\n", sent, failed);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "serve"))
		return serve();
	if (argc >= 4 && !strcmp(argv[1], "clients"))
		return clients(argc - 2, argv + 2);
	if (argc == 6 && !strcmp(argv[1], "flood"))
		return flood(argv + 2);
	fprintf(stderr, "usage: labhost serve | clients CIDR PPS [ADDR...] | flood CIDR PPS SECONDS SRC_CIDR\n");
	return 2;
}
