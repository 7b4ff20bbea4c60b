/*
 * Network commands of the prompt: interfaces, UDP echo, TCP echo, a TCP bulk stream with a
 * checksum, a tiny HTTP server. IPv4 only. Every loop is bounded (counts and timeouts), so a
 * command never hangs the prompt for good when the other side is missing.
 */
#define _GNU_SOURCE
#include "netcmds.h"
#include "cksum.h"
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define UDP_PAYLOAD 64 /* bytes per echo datagram: a sequence number and a pattern */
#define UDP_WINDOW 16 /* datagrams in flight */
#define UDP_TIMEOUT_MS 200 /* before the window is sent again */
#define UDP_MAX_ROUNDS 50 /* timeouts in a row (10 s without an answer) before the client gives up */
#define CONNECT_TRIES 300 /* 100 ms apart: 30 s for the server to come up */
#define CONNECT_PAUSE_NS 100000000L
#define IO_TIMEOUT_MS 20000 /* silence on a connection before it is given up */
#define STREAM_CHUNK 65536
#define MIB (1024 * 1024)
#define LINE_MAX_LEN 256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_addr(const char *host, const char *port, struct sockaddr_in *sa)
{
	char *end;
	long p = strtol(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)p);
	if (*end || p <= 0 || p > 65535)
		return -1;
	if (!host) {
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static int usage(struct shell *sh, const char *text)
{
	fprintf(sh->out, "usage: %s\n", text);
	return 2;
}

/* ---- ifconfig ---- */

int cmd_ifconfig(struct shell *sh, int argc, char **argv)
{
	FILE *f = fopen("/proc/net/dev", "r");
	char line[LINE_MAX_LEN];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), n = 0;

	(void)argc;
	(void)argv;
	if (!f || fd < 0) {
		fprintf(sh->out, "ifconfig: no network (%s)\n", strerror(errno));
		if (f)
			fclose(f);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;
		unsigned long long rxb, rxp, txb, txp, skip;
		struct ifreq ifr;
		char addr[INET_ADDRSTRLEN] = "-", mask[INET_ADDRSTRLEN] = "-";
		const unsigned char *mac;

		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &rxb, &rxp, &skip, &skip,
			   &skip, &skip, &skip, &skip, &txb, &txp) != 10)
			continue;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.*s", IFNAMSIZ - 1, name);
		ioctl(fd, SIOCGIFFLAGS, &ifr);
		short flags = ifr.ifr_flags;

		if (!ioctl(fd, SIOCGIFADDR, &ifr))
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr, addr, sizeof(addr));
		if (!ioctl(fd, SIOCGIFNETMASK, &ifr))
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_netmask)->sin_addr, mask, sizeof(mask));
		ioctl(fd, SIOCGIFHWADDR, &ifr);
		mac = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
		fprintf(sh->out, "%s: %s%s inet %s netmask %s ether %02x:%02x:%02x:%02x:%02x:%02x\n", name,
			flags & IFF_UP ? "UP" : "DOWN", flags & IFF_RUNNING ? ",RUNNING" : "", addr, mask, mac[0],
			mac[1], mac[2], mac[3], mac[4], mac[5]);
		fprintf(sh->out, "    RX %llu packets %llu bytes, TX %llu packets %llu bytes\n", rxp, rxb, txp, txb);
		n++;
	}
	fclose(f);
	close(fd);
	return n ? 0 : 1;
}

/* ---- UDP echo ---- */

static void udp_fill(uint8_t *buf, uint32_t seq)
{
	memcpy(buf, &seq, sizeof(seq));
	pattern_fill(seq ^ PATTERN_SEED, buf + sizeof(seq), UDP_PAYLOAD - sizeof(seq));
}

static int udp_server(struct shell *sh, const char *port, long count)
{
	struct sockaddr_in sa, from;
	socklen_t fl = sizeof(from);
	uint8_t buf[2048];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	long n = 0;

	if (fd < 0 || parse_addr(NULL, port, &sa) || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(sh->out, "udpecho: cannot serve port %s: %s\n", port, strerror(errno));
		return 1;
	}
	fprintf(sh->out, "udpecho: serving UDP port %s\n", port);
	fflush(sh->out);
	while (!count || n < count) {
		ssize_t len = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (len < 0)
			break;
		sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&from, fl);
		n++;
	}
	close(fd);
	fprintf(sh->out, "udpecho: echoed %ld datagrams\n", n);
	return 0;
}

static int udp_client(struct shell *sh, const char *host, const char *port, long count)
{
	struct sockaddr_in sa;
	uint8_t buf[2048], want[UDP_PAYLOAD];
	uint8_t *got = calloc((size_t)count, 1);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	long done = 0, next = 0, bad = 0, dup = 0, sent = 0;
	int rounds = 0;
	double t0 = now_s();
	struct cksum ck;

	if (!got || fd < 0 || parse_addr(host, port, &sa) || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(sh->out, "udpecho: cannot reach %s port %s: %s\n", host, port, strerror(errno));
		free(got);
		return 1;
	}
	cksum_init(&ck);
	/* A window of datagrams in flight; after a silence the unanswered ones of the window go again. */
	while (done < count && rounds < UDP_MAX_ROUNDS) {
		long base = next - UDP_WINDOW > 0 ? next - UDP_WINDOW : 0;
		struct pollfd p = { fd, POLLIN, 0 };

		while (next < count && next - done < UDP_WINDOW) {
			udp_fill(want, (uint32_t)next);
			send(fd, want, sizeof(want), 0);
			sent++;
			next++;
		}
		if (poll(&p, 1, UDP_TIMEOUT_MS) <= 0) {
			rounds++;
			for (long s = base; s < next; s++)
				if (!got[s]) {
					udp_fill(want, (uint32_t)s);
					send(fd, want, sizeof(want), 0);
					sent++;
				}
			continue;
		}
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		uint32_t seq;

		/* ECONNREFUSED: the server's port was not open yet (an ICMP answer); the resends go on. */
		if (len < 0)
			continue;
		if (len != UDP_PAYLOAD) {
			bad++;
			continue;
		}
		memcpy(&seq, buf, sizeof(seq));
		udp_fill(want, seq);
		if (seq >= (uint32_t)count || memcmp(buf, want, sizeof(want))) {
			bad++;
			continue;
		}
		if (got[seq]) {
			dup++;
			continue;
		}
		got[seq] = 1;
		rounds = 0;
		cksum_update(&ck, buf, (size_t)len);
		/* Answers may overtake each other: `done` counts the first unanswered one. */
		while (done < count && got[done])
			done++;
	}
	close(fd);
	free(got);
	fprintf(sh->out,
		"udpecho: %ld of %ld datagrams echoed intact (%ld sent, %ld duplicates, %ld bad), cksum %u, %.2f s\n",
		done, count, sent, dup, bad, cksum_final(&ck), now_s() - t0);
	return done == count && !bad ? 0 : 1;
}

int cmd_udpecho(struct shell *sh, int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "server"))
		return udp_server(sh, argv[2], argc > 3 ? atol(argv[3]) : 0);
	if (argc == 5 && !strcmp(argv[1], "client") && atol(argv[4]) > 0)
		return udp_client(sh, argv[2], argv[3], atol(argv[4]));
	return usage(sh, "udpecho server PORT [COUNT] | udpecho client ADDR PORT COUNT");
}

/*
 * udpflood ADDR PORT SECONDS SIZE [TRIGGER]: datagrams of SIZE bytes to ADDR:PORT (a broadcast
 * address too) as fast as they go for SECONDS (at least one). With TRIGGER, first wait (busy, so the
 * vCPU is as busy before as during the flood; at most FLOOD_WAIT_S) for a datagram on that port,
 * and stop early when another one arrives there.
 */
#define FLOOD_WAIT_S 120

int cmd_udpflood(struct shell *sh, int argc, char **argv)
{
	static uint8_t payload[2048];
	struct sockaddr_in sa;
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM, 0);
	double secs, t0;
	long size, sent = 0, failed = 0;

	if (argc < 5 || argc > 6 || (size = atol(argv[4])) <= 0 || size > (long)sizeof(payload)) {
		if (fd >= 0)
			close(fd);
		return usage(sh, "udpflood ADDR PORT SECONDS SIZE [TRIGGER-PORT]");
	}
	secs = atof(argv[3]);
	if (fd < 0 || parse_addr(argv[1], argv[2], &sa) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one))) {
		fprintf(sh->out, "udpflood: cannot send to %s port %s\n", argv[1], argv[2]);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	int tfd = -1;
	char b[64];

	if (argc == 6) {
		struct sockaddr_in me;

		tfd = socket(AF_INET, SOCK_DGRAM, 0);
		if (tfd < 0 || parse_addr(NULL, argv[5], &me) || bind(tfd, (struct sockaddr *)&me, sizeof(me))) {
			fprintf(sh->out, "udpflood: cannot wait on port %s\n", argv[5]);
			close(fd);
			if (tfd >= 0)
				close(tfd);
			return 1;
		}
		fprintf(sh->out, "udpflood: waiting for a datagram on port %s\n", argv[5]);
		fflush(sh->out);
		for (t0 = now_s(); now_s() - t0 < FLOOD_WAIT_S;)
			if (recv(tfd, b, sizeof(b), MSG_DONTWAIT) >= 0)
				break;
	}
	memset(payload, 0x5a, sizeof(payload));
	t0 = now_s();
	do {
		if (sendto(fd, payload, (size_t)size, 0, (struct sockaddr *)&sa, sizeof(sa)) == size)
			sent++;
		else
			failed++;
	} while (now_s() - t0 < secs && (tfd < 0 || recv(tfd, b, sizeof(b), MSG_DONTWAIT) < 0));
	close(fd);
	if (tfd >= 0)
		close(tfd);
	fprintf(sh->out, "udpflood: %ld datagrams of %ld bytes sent in %.2f s (%ld refused by the stack)\n", sent, size,
		now_s() - t0, failed);
	return 0;
}

/* ---- TCP ---- */

static int tcp_listen(struct shell *sh, const char *cmd, const char *port)
{
	struct sockaddr_in sa;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || parse_addr(NULL, port, &sa) || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		fprintf(sh->out, "%s: cannot listen on port %s: %s\n", cmd, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(sh->out, "%s: listening on TCP port %s\n", cmd, port);
	fflush(sh->out);
	return fd;
}

/*
 * The next of a server's COUNT connections (0: no limit). Once the last one is accepted the
 * listening socket closes at once: a client connecting after it (the next command of a script)
 * is refused and tries again (tcp_connect) until the next server listens, instead of landing in
 * the backlog of a socket that is about to close and being reset halfway through its stream.
 */
static int tcp_accept(int *lfd, long n, long count)
{
	int fd = accept(*lfd, NULL, NULL);

	if (count && n + 1 >= count) {
		close(*lfd);
		*lfd = -1;
	}
	return fd;
}

static void tcp_unlisten(int lfd)
{
	if (lfd >= 0)
		close(lfd);
}

/* Connect, trying again while the server is not up yet (bounded). */
static int tcp_connect(struct shell *sh, const char *cmd, const char *host, const char *port)
{
	struct sockaddr_in sa;
	struct timespec pause = { 0, CONNECT_PAUSE_NS };

	if (parse_addr(host, port, &sa)) {
		fprintf(sh->out, "%s: bad address %s port %s\n", cmd, host, port);
		return -1;
	}
	for (int i = 0; i < CONNECT_TRIES; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			break;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		nanosleep(&pause, NULL);
	}
	fprintf(sh->out, "%s: cannot connect to %s port %s: %s\n", cmd, host, port, strerror(errno));
	return -1;
}

/* Read with a timeout: bytes, 0 at the end, -1 on an error or a silence of IO_TIMEOUT_MS. */
static ssize_t read_timed(int fd, void *buf, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, IO_TIMEOUT_MS) <= 0)
		return -1;
	return read(fd, buf, len);
}

static int write_all(int fd, const void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int cmd_tcpecho(struct shell *sh, int argc, char **argv)
{
	char buf[LINE_MAX_LEN];

	if (argc >= 3 && !strcmp(argv[1], "server")) {
		long count = argc > 3 ? atol(argv[3]) : 0;
		int lfd = tcp_listen(sh, "tcpecho", argv[2]);

		if (lfd < 0)
			return 1;
		for (long n = 0; !count || n < count; n++) {
			int fd = tcp_accept(&lfd, n, count);
			ssize_t len;

			if (fd < 0)
				break;
			while ((len = read_timed(fd, buf, sizeof(buf))) > 0)
				if (write_all(fd, buf, (size_t)len))
					break;
			close(fd);
		}
		tcp_unlisten(lfd);
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "client")) {
		int fd = tcp_connect(sh, "tcpecho", argv[2], argv[3]);
		size_t want = 0, got = 0;
		ssize_t len;

		if (fd < 0)
			return 1;
		for (int i = 4; i < argc; i++)
			want += (size_t)snprintf(buf + want, sizeof(buf) - want, "%s%s", i > 4 ? " " : "", argv[i]);
		want += (size_t)snprintf(buf + want, sizeof(buf) - want, "\n");
		char line[LINE_MAX_LEN];

		if (write_all(fd, buf, want)) {
			close(fd);
			return 1;
		}
		while (got < want && (len = read_timed(fd, line + got, want - got)) > 0)
			got += (size_t)len;
		close(fd);
		fprintf(sh->out, "tcpecho: %s%.*s",
			got == want && !memcmp(line, buf, want) ? "echoed: " : "WRONG: ", (int)got, line);
		if (!got || line[got - 1] != '\n')
			fprintf(sh->out, "\n");
		return got == want && !memcmp(line, buf, want) ? 0 : 1;
	}
	return usage(sh, "tcpecho server PORT [COUNT] | tcpecho client ADDR PORT TEXT...");
}

/*
 * A stream is "checked" (the default) or "unchecked". Checked: the sender fills every chunk with
 * the next stretch of the test pattern and both ends run cksum(1) over every byte. Unchecked, as
 * iperf does: the sender repeats one chunk of the pattern and the sink only counts, so the stream's
 * cost is the network path's alone (`make bench`); the byte count is still confirmed.
 */
#define STREAM_UNCHECKED "unchecked"

/* tcpsink PORT [COUNT [unchecked]]: for each connection, read to the end and answer
 * "BYTES CKSUM\n" ("BYTES -\n" unchecked). */
int cmd_tcpsink(struct shell *sh, int argc, char **argv)
{
	static uint8_t buf[STREAM_CHUNK];
	long count;
	int lfd, checked;

	if (argc < 2 || argc > 4 || (argc == 4 && strcmp(argv[3], STREAM_UNCHECKED)))
		return usage(sh, "tcpsink PORT [COUNT [unchecked]]");
	count = argc > 2 ? atol(argv[2]) : 0;
	checked = argc < 4;
	lfd = tcp_listen(sh, "tcpsink", argv[1]);
	if (lfd < 0)
		return 1;
	for (long n = 0; !count || n < count; n++) {
		int fd = tcp_accept(&lfd, n, count);
		struct cksum ck;
		ssize_t len;
		char line[LINE_MAX_LEN], sum_text[16] = "-";
		uint64_t bytes = 0;

		if (fd < 0)
			break;
		cksum_init(&ck);
		while ((len = read_timed(fd, buf, sizeof(buf))) > 0) {
			if (checked)
				cksum_update(&ck, buf, (size_t)len);
			bytes += (uint64_t)len;
		}
		if (checked)
			snprintf(sum_text, sizeof(sum_text), "%u", cksum_final(&ck));
		int l = snprintf(line, sizeof(line), "%llu %s\n", (unsigned long long)bytes, sum_text);

		write_all(fd, line, (size_t)l);
		close(fd);
		fprintf(sh->out, "tcpsink: received %llu bytes, cksum %s%s\n", (unsigned long long)bytes, sum_text,
			len < 0 ? " (cut short)" : "");
	}
	tcp_unlisten(lfd);
	return 0;
}

/* tcpsend ADDR PORT MIB [unchecked]: the test pattern to a tcpsink, whose answer must match what was
 * sent. */
int cmd_tcpsend(struct shell *sh, int argc, char **argv)
{
	static uint8_t buf[STREAM_CHUNK];
	char line[LINE_MAX_LEN] = "", sum_text[16] = "-", got_sum[16] = "";
	struct cksum ck;
	uint32_t state = PATTERN_SEED;
	unsigned long long bytes, got_bytes = 0;
	double t0, t1;
	size_t got = 0;
	ssize_t len;
	int fd, checked;

	if (argc < 4 || argc > 5 || atol(argv[3]) <= 0 || (argc == 5 && strcmp(argv[4], STREAM_UNCHECKED)))
		return usage(sh, "tcpsend ADDR PORT MIB [unchecked]");
	checked = argc == 4;
	bytes = (unsigned long long)atol(argv[3]) * MIB;
	fd = tcp_connect(sh, "tcpsend", argv[1], argv[2]);
	if (fd < 0)
		return 1;
	cksum_init(&ck);
	if (!checked)
		pattern_fill(state, buf, sizeof(buf));
	t0 = now_s();
	for (unsigned long long done = 0; done < bytes; done += sizeof(buf)) {
		if (checked) {
			state = pattern_fill(state, buf, sizeof(buf));
			cksum_update(&ck, buf, sizeof(buf));
		}
		if (write_all(fd, buf, sizeof(buf))) {
			fprintf(sh->out, "tcpsend: write failed after %llu bytes: %s\n", done, strerror(errno));
			close(fd);
			return 1;
		}
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof(line) - 1 && (len = read_timed(fd, line + got, sizeof(line) - 1 - got)) > 0)
		got += (size_t)len;
	t1 = now_s();
	close(fd);
	if (checked)
		snprintf(sum_text, sizeof(sum_text), "%u", cksum_final(&ck));
	if (sscanf(line, "%llu %15s", &got_bytes, got_sum) != 2 || got_bytes != bytes || strcmp(got_sum, sum_text)) {
		fprintf(sh->out, "tcpsend: sent %llu bytes cksum %s, the sink answered '%.*s'\n", bytes, sum_text,
			(int)strcspn(line, "\n"), line);
		return 1;
	}
	fprintf(sh->out, "tcpsend: %llu bytes sent, the sink got them all: cksum %s; %.3f s, %.2f Mbit/s guest time\n",
		bytes, sum_text, t1 - t0, t1 > t0 ? (double)bytes * 8 / (t1 - t0) / 1e6 : 0.0);
	return 0;
}

/* ---- a tiny HTTP server ---- */

int cmd_httpd(struct shell *sh, int argc, char **argv)
{
	long count;
	int lfd;
	struct utsname u;

	if (argc < 2)
		return usage(sh, "httpd PORT [COUNT]");
	count = argc > 2 ? atol(argv[2]) : 0;
	lfd = tcp_listen(sh, "httpd", argv[1]);
	if (lfd < 0)
		return 1;
	uname(&u);
	for (long n = 0; !count || n < count; n++) {
		int fd = tcp_accept(&lfd, n, count);
		char req[1024], body[LINE_MAX_LEN], head[LINE_MAX_LEN];
		size_t got = 0;
		ssize_t len;

		if (fd < 0)
			break;
		/* The request up to its empty line (or what fits). */
		while (got < sizeof(req) - 1 && (len = read_timed(fd, req + got, sizeof(req) - 1 - got)) > 0) {
			got += (size_t)len;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
				break;
		}
		req[got] = '\0';
		int blen = snprintf(body, sizeof(body), "Hello from the Keel guest %s (Linux %s)\n", u.nodename,
				    u.release);
		int hlen = snprintf(head, sizeof(head),
				    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
				    "Connection: close\r\n\r\n",
				    blen);

		write_all(fd, head, (size_t)hlen);
		write_all(fd, body, (size_t)blen);
		close(fd);
		fprintf(sh->out, "httpd: answered %.*s\n", (int)strcspn(req, "\r\n"), req);
		fflush(sh->out);
	}
	tcp_unlisten(lfd);
	return 0;
}
