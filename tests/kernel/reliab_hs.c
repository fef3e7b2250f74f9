// SPDX-License-Identifier: GPL-2.0
/*
 * reliab_hs: many handshakes of our client in one process, for the load and
 * soak tests of issue 17 (tests/kernel/reliab_load_test.sh).  Not a test by
 * itself: the shell test starts the peers and judges the figures.
 *
 * reliab_hs -k KEY -r ROOT.pem -c CHAIN.pem -p PORT -n N [-t MS] [-w W]
 *           [-e ECDH]  (iotsec_config_set_ecdh; default: the library's)
 *
 * Runs N handshakes (iotsec_session_connect) to 127.0.0.1:PORT (an openssl
 * s_server -www), each followed by one HTTP GET over kTLS, close_notify
 * and close().  After W warm-up handshakes (default 5, or N when N is
 * smaller) it notes its RSS and open fds; at the end it prints one line:
 *
 *   hs N ok K fail F ekeyexpired E secs S rss0 R0 rss1 R1 fds0 D0 fds1 D1
 *      file0 F0 file1 F1 jump J at A
 *
 * rss is the anonymous part (RssAnon: heap, stacks, what a leak grows);
 * file the file-backed part (RssFile + RssShmem: library pages a rarely
 * taken path faults in once, which is not a leak).  J is the largest rise
 * of rss across one handshake after the warm-up (KiB), A that handshake's
 * index: a leak of a few bytes per handshake grows rss a page now and
 * then, a one-time allocation (a lazily made table) in one step.
 *
 * and every failure on stderr (iotsec_strerror's text).  Exit 0 when all
 * N completed, 1 otherwise, 2 on bad usage or set-up.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iotsec.h"
#include "tcp.h"

/* One "Name:   N kB" line of /proc/self/status, or -1. */
static long status_kib(const char *name)
{
	char line[128];
	size_t len = strlen(name);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long rss_kib(void)
{
	return status_kib("RssAnon");
}

static long file_kib(void)
{
	long f = status_kib("RssFile"), m = status_kib("RssShmem");

	return f < 0 || m < 0 ? -1 : f + m;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One handshake, one GET, the answer read to its end: 0 or an error. */
static int one(const struct iotsec_config *cfg, int port)
{
	static const char get[] = "GET / HTTP/1.0\r\n\r\n";
	struct iotsec_session *s;
	char buf[4096];
	ssize_t n;
	int fd, ret;

	fd = tcp_dial(port, 50);	/* the peer between two accepts */
	if (fd < 0)
		return fd;
	ret = iotsec_session_connect(cfg, fd, &s);
	if (ret) {
		close(fd);
		return ret;
	}
	if (write(fd, get, sizeof(get) - 1) != (ssize_t)sizeof(get) - 1)
		ret = -errno;
	while (!ret && (n = iotsec_session_recv(s, buf, sizeof(buf), 0)) != 0)
		if (n < 0 && n != -(IOTSEC_ERR_LIB | IOTSEC_E_PEER_CLOSED))
			ret = (int)n;
		else if (n < 0)
			break;
	iotsec_session_close(s);
	iotsec_session_free(s);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	const char *root = NULL, *chain = NULL, *ecdh = NULL;
	int c, key = 0, port = 0, n = 0, warm = 5, tmo = 30000;
	int i, ret, okc = 0, fail = 0, expired = 0, fds0 = -1, fds1;
	struct iotsec_config *cfg;
	long rss0 = -1, rss1, file0 = -1, file1, prev = -1, cur, jump = 0;
	int jump_at = -1;
	double t0;

	while ((c = getopt(argc, argv, "k:r:c:p:n:t:w:e:")) != -1) {
		switch (c) {
		case 'k': key = atoi(optarg); break;
		case 'r': root = optarg; break;
		case 'c': chain = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 't': tmo = atoi(optarg); break;
		case 'w': warm = atoi(optarg); break;
		case 'e': ecdh = optarg; break;
		default: return 2;
		}
	}
	if (key <= 0 || !root || !chain || port <= 0 || n <= 0 || tmo <= 0) {
		fprintf(stderr, "usage: reliab_hs -k KEY -r ROOT -c CHAIN -p PORT -n N [-t MS] [-w W] [-e ECDH]\n");
		return 2;
	}
	if (warm > n)
		warm = n;
	if (iotsec_config_new(&cfg) || iotsec_config_set_root_ca_file(cfg, root) ||
	    iotsec_config_set_cert_chain_file(cfg, chain) ||
	    iotsec_config_set_key(cfg, key) ||
	    iotsec_config_set_peer_name(cfg, "server.test") ||
	    iotsec_config_set_timeout(cfg, tmo) ||
	    (ecdh && iotsec_config_set_ecdh(cfg, ecdh))) {
		fprintf(stderr, "reliab_hs: configuration failed\n");
		return 2;
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (i == warm) {
			rss0 = rss_kib();
			file0 = file_kib();
			fds0 = open_fds();
		}
		ret = one(cfg, port);
		if (i >= warm) {
			cur = rss_kib();
			if (prev >= 0 && cur - prev > jump) {
				jump = cur - prev;
				jump_at = i;
			}
			prev = cur;
		}
		if (!ret) {
			okc++;
			continue;
		}
		fail++;
		if (ret == -EKEYEXPIRED)
			expired++;
		fprintf(stderr, "reliab_hs: handshake %d: %s (%d)\n", i,
			iotsec_strerror(ret), ret);
	}
	if (rss0 < 0) {
		rss0 = rss_kib();
		file0 = file_kib();
		fds0 = open_fds();
	}
	rss1 = rss_kib();
	file1 = file_kib();
	fds1 = open_fds();
	printf("hs %d ok %d fail %d ekeyexpired %d secs %.3f rss0 %ld rss1 %ld fds0 %d fds1 %d file0 %ld file1 %ld jump %ld at %d\n",
	       n, okc, fail, expired, now_s() - t0, rss0, rss1, fds0, fds1,
	       file0, file1, jump, jump_at);
	iotsec_config_free(cfg);
	return fail ? 1 : 0;
}
