// SPDX-License-Identifier: GPL-2.0
/*
 * hsbench: what a TLS 1.3 handshake and bulk data cost through libiotsec,
 * as ratios to what cannot be avoided.  Run by tests/bench/bench.sh in the
 * VM, with iotsec_sim, iotsec and algif_kpp loaded and an iotsec key for
 * chip 0 slot 0 whose certificate (dev.pem) a test root (root.pem) signed.
 *
 * hsbench hs -k KEY -D DIR [-n ON,OFF] [-w WARMUP] [-P PROFILED] [-v]
 *
 *   Handshakes of our client (iotsec_session_connect, the chip key)
 *   against a libssl server in a process of its own (srv.pem, srv.key,
 *   sending that leaf alone, demanding a client certificate,
 *   TLS_AES_128_GCM_SHA256, P-256, no tickets).  The peer has accepted and sits in read() before each
 *   handshake starts; its socket BIO stamps the moment our ClientHello
 *   reached it and the moment its last write of its flight returned.  That
 *   interval is the peer's part: our client can only wait through it, so
 *   it is subtracted ("client own" = wall - peer).  Everything else (our
 *   TCP sends, the peer's wake-up, loopback) stays on our side.
 *   The simulator's counters are read around each handshake (outside the
 *   timed window): their _us sums are the modelled time of exactly the
 *   commands the handshake caused, the chip floor.  A handshake whose
 *   commands differ from the warm-up's (the hwrng thread used the chip) is
 *   taken again.
 *     1. timing 1, timing_pct 100: ratio client own / chip floor.
 *     2. timing 0: commands finish at once, but the simulator still
 *        computes their results (P-256 in software) in the caller's
 *        I2C transfer; kprobes on its sim_exec() measure that real chip
 *        time, which is subtracted: overhead = client own - chip exec.
 *     3. (-P) a few handshakes at timing 0 traced with raw_syscalls and a
 *        kprobe on alg_bind: syscalls, AF_ALG sockets and time per kind of
 *        work, per handshake.  Tracing slows every syscall: shares count,
 *        not totals.
 *
 * hsbench serve -k KEY -D DIR -p PORT -f FILE [-s]
 *   Our server (chip key, dev.pem) accepts one client and sends FILE over
 *   kTLS: read() 16 KiB from FILE then write() it, or sendfile() (-s).
 * hsbench recv -k KEY -D DIR -p PORT
 *   Our client: handshake, then read() 16 KiB at a time from the kTLS
 *   socket and write() it to stdout.  Both sign with the chip key but
 *   take ECDHE from the kernel's software ecdh (BULK_ECDH below).
 * hsbench sink -b BYTES
 *   Reads stdin until BYTES came; prints "bytes seconds MiB/s" measured
 *   from the first chunk to the last byte (the handshake is not in it).
 *
 * Exit status: 0 measured (targets met or not: a benchmark), 1 bad usage
 * or set-up, 2 something could not be measured.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iotsec.h"
#include "kmod.h"
#include "simctl.h"

#define CHIP_DIR	"/sys/kernel/debug/iotsec_sim/chip0"
#define TRACING		"/sys/kernel/debug/tracing"
#define SUITE		"TLS_AES_128_GCM_SHA256"
#define PEER_NAME	"server.test"
/*
 * Our bulk server and client share chip 0, whose one TempKey cannot hold
 * two ECDHE keys (nor survive the other's Sign): their handshake, which
 * is not measured, takes ECDHE from the kernel's software ecdh.
 */
#define BULK_ECDH	"ecdh-nist-p256-generic"
/* The chip's TempKey (GenKey + ECDH), beside the library's default. */
#define CHIP_ECDH	"ecdh-nist-p256"
#define TARGET_RATIO	1.05
#define TARGET_OVER_MS	2.0
#define MAX_SAMPLES	500
#define RETRIES		20	/* disturbed handshakes tolerated per run */
#define QUIET_TRIES	100	/* 10 ms waits for a busy chip */
#define APP_BUF		16384
#define MAX_FD		4096
#define TRACE_MAX	(64 << 20)

/* One handshake: times in ms, CLOCK_MONOTONIC. */
struct sample {
	double wall;		/* around iotsec_session_connect() */
	double pre;		/* start -> our ClientHello read by the peer */
	double peer;		/* the peer's part: CH read -> flight written */
	double post;		/* flight written -> connect returned */
	double model;		/* modelled time of the commands (ms) */
	double exec;		/* simulator's real execution time, -1 unknown */
	double exec_pre;	/* ... of it before the peer read the CH */
	double exec_own;	/* ... of it in our thread (its CPU time has it) */
	double cpu;		/* CPU time of our thread in the call (ms) */
};

struct run {
	const char *name;
	unsigned int timing, pct;
	unsigned int n;
	unsigned int discarded;
	unsigned int expired;	/* handshakes failed with -EKEYEXPIRED */
	struct sample s[MAX_SAMPLES];
};

struct bench {
	const char *dir;	/* PKI: root.pem, dev.pem, srv.pem, srv.key */
	long key;
	bool verbose;
	struct iotsec_config *cfg;
	unsigned int expect[SIM_OPS];
	bool have_expect;
	bool tickets;		/* the peer issues tickets, we resume */
	bool ossl;		/* handshakes of a libssl client (software key) */
	SSL_CTX *cli_ctx;	/* ... its context */
	unsigned int backend;	/* iotsec_session_crypto(), ORed */
	unsigned int not_resumed;
	/* the peer */
	pid_t peer_pid;
	int port;
	int ready_rd;		/* a byte per connection: accepted, reading */
	int report_rd;		/* a struct peer_report per handshake */
	/* tracing */
	bool trace;		/* sim_exec kprobes in place */
	bool profile;		/* raw_syscalls too */
	int marker_fd;
};

struct peer_report {
	int ok;
	double t_in;		/* first read of the ClientHello returned */
	double t_out;		/* last write of the server flight returned */
};

static double now(void)
{
	return now_ms();
}

/* ---- the simulator's counters ---- */

static bool chip_busy(void)
{
	char buf[1024];

	if (file_read(CHIP_DIR "/state", buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, "\nbusy 1\n") != NULL;
}

static int wait_quiet(void)
{
	int i;

	for (i = 0; i < QUIET_TRIES; i++) {
		if (!chip_busy())
			return 0;
		usleep(10000);
	}
	return -EBUSY;
}

static void delta_str(const struct sim_ops *c0, const struct sim_ops *c1,
		      char *out, size_t len)
{
	size_t used = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = 0; i < SIM_OPS && used < len; i++)
		if (c1->n[i] != c0->n[i])
			used += snprintf(out + used, len - used, "%s%s %llu",
					 used ? ", " : "", sim_op_names[i],
					 c1->n[i] - c0->n[i]);
}

static int sim_set(const char *file, unsigned int val)
{
	char path[256], s[16];

	snprintf(path, sizeof(path), CHIP_DIR "/%s", file);
	snprintf(s, sizeof(s), "%u", val);
	return file_write(path, s);
}

/* ---- ftrace ---- */

static int tr_write(const char *file, const char *val, bool append)
{
	char path[256];

	snprintf(path, sizeof(path), TRACING "/%s", file);
	return file_write_flags(path, val, append ? O_APPEND : O_TRUNC);
}

static int tr_clear(void)
{
	return tr_write("trace", "", false);
}

/* The whole trace buffer as text (malloc'd), or NULL. */
static char *tr_read(void)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *p;
	ssize_t n;
	int fd = open(TRACING "/trace", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096 && cap >= TRACE_MAX)
			break;
		if (cap - len < 4096) {
			p = realloc(buf, cap * 2);
			if (!p)
				break;
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static void trace_off(struct bench *b)
{
	tr_write("events/iotsec_bench/enable", "0", false);
	tr_write("events/sched/sched_switch/enable", "0", false);
	tr_write("events/raw_syscalls/enable", "0", false);
	tr_write("events/raw_syscalls/filter", "0", false);
	tr_write("kprobe_events", "-:iotsec_bench/exec_in", true);
	tr_write("kprobe_events", "-:iotsec_bench/exec_out", true);
	tr_write("kprobe_events", "-:iotsec_bench/alg_bind", true);
	tr_write("trace_clock", "local", false);
	tr_clear();
	tr_write("tracing_on", "1", false);
	if (b->marker_fd >= 0)
		close(b->marker_fd);
	b->marker_fd = -1;
	b->trace = b->profile = false;
}

/* kprobes on the simulator's command execution, CLOCK_MONOTONIC stamps. */
static int trace_on(struct bench *b)
{
	int ret;

	b->marker_fd = -1;
	tr_write("tracing_on", "0", false);
	ret = tr_write("trace_clock", "mono", false);
	if (!ret)
		ret = tr_write("buffer_size_kb", "8192", false);
	if (!ret)
		ret = tr_write("kprobe_events",
			       "p:iotsec_bench/exec_in iotsec_sim:sim_exec", true);
	if (!ret)
		ret = tr_write("kprobe_events",
			       "r:iotsec_bench/exec_out iotsec_sim:sim_exec", true);
	if (!ret)
		ret = tr_write("events/iotsec_bench/exec_in/enable", "1", false);
	if (!ret)
		ret = tr_write("events/iotsec_bench/exec_out/enable", "1", false);
	/* our thread's time off the CPU inside a sim_exec span (exec_sum) */
	if (!ret)
		ret = tr_write("events/sched/sched_switch/enable", "1", false);
	if (!ret)
		ret = tr_clear();
	if (ret) {
		fprintf(stderr, "hsbench: ftrace (kprobes on sim_exec): %s\n",
			strerror(-ret));
		trace_off(b);
		return ret;
	}
	b->trace = true;
	return 0;
}

/* raw_syscalls of this process, alg_bind's type and name, and markers. */
static int profile_on(struct bench *b)
{
	char filter[64];
	int ret;

	snprintf(filter, sizeof(filter), "common_pid == %d", getpid());
	ret = tr_write("events/raw_syscalls/filter", filter, false);
	if (!ret)
		ret = tr_write("events/raw_syscalls/enable", "1", false);
	if (ret) {
		fprintf(stderr, "hsbench: ftrace raw_syscalls: %s\n",
			strerror(-ret));
		return ret;
	}
	/* x86-64: alg_bind(sock, uaddr, len), uaddr a kernel sockaddr_alg */
	if (!tr_write("kprobe_events",
		      "p:iotsec_bench/alg_bind af_alg:alg_bind type=+2(%si):string name=+24(%si):string",
		      true))
		tr_write("events/iotsec_bench/alg_bind/enable", "1", false);
	b->marker_fd = open(TRACING "/trace_marker", O_WRONLY | O_CLOEXEC);
	if (b->marker_fd < 0) {
		fprintf(stderr, "hsbench: trace_marker: %s\n", strerror(errno));
		return -errno;
	}
	b->profile = true;
	return 0;
}

static void mark(struct bench *b, const char *what)
{
	if (b->profile && write(b->marker_fd, what, strlen(what)) < 0)
		fprintf(stderr, "hsbench: trace_marker: %s\n", strerror(errno));
}

enum ev_kind { EV_NONE, EV_EXEC_IN, EV_EXEC_OUT, EV_SYS_ENTER, EV_SYS_EXIT,
	       EV_BIND, EV_MARK_B, EV_MARK_E, EV_SWITCH };

struct ev {
	enum ev_kind kind;
	int pid;		/* the task's (a thread id) */
	double ts;		/* ms */
	long nr;
	unsigned long args[6];
	long ret;
	char type[16];
	int prev, next;		/* EV_SWITCH: the tasks off and on the CPU */
};

/*
 * One line of the trace: "comm-pid [cpu] flags ts: event: rest".  Returns
 * false for headers and events we did not ask for.
 */
static bool ev_parse(char *line, struct ev *e)
{
	char *p = strstr(line, "] "), *tok, *end, *t;
	bool have_ts = false;

	memset(e, 0, sizeof(*e));
	if (line[0] == '#' || !p)
		return false;
	/* "comm-pid [cpu]": the pid ends the word before the bracket */
	for (t = p; t > line && t[-1] != '['; t--)
		;
	while (t > line && (t[-1] == '[' || t[-1] == ' '))
		t--;
	end = t;
	while (t > line && t[-1] >= '0' && t[-1] <= '9')
		t--;
	if (t < end && t > line && t[-1] == '-')
		e->pid = atoi(t);
	p += 2;
	while (*p) {
		while (*p == ' ')
			p++;
		tok = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
		end = tok + strlen(tok);
		if (end == tok || end[-1] != ':')
			continue;
		if (!have_ts) {
			e->ts = strtod(tok, &t) * 1000.0;
			have_ts = t == end - 1;
			continue;
		}
		end[-1] = '\0';
		break;
	}
	if (!have_ts || !*tok)
		return false;
	if (!strcmp(tok, "exec_in")) {
		e->kind = EV_EXEC_IN;
	} else if (!strcmp(tok, "exec_out")) {
		e->kind = EV_EXEC_OUT;
	} else if (!strcmp(tok, "sys_enter")) {
		e->kind = EV_SYS_ENTER;
		if (sscanf(p, "NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", &e->nr,
			   &e->args[0], &e->args[1], &e->args[2], &e->args[3],
			   &e->args[4], &e->args[5]) < 2)
			return false;
	} else if (!strcmp(tok, "sys_exit")) {
		e->kind = EV_SYS_EXIT;
		if (sscanf(p, "NR %ld = %ld", &e->nr, &e->ret) != 2)
			return false;
	} else if (!strcmp(tok, "alg_bind")) {
		e->kind = EV_BIND;
		t = strstr(p, "type=\"");
		if (t)
			sscanf(t + 6, "%15[^\"]", e->type);
	} else if (!strcmp(tok, "sched_switch")) {
		t = strstr(p, "prev_pid=");
		end = strstr(p, "next_pid=");
		if (!t || !end)
			return false;
		e->kind = EV_SWITCH;
		e->prev = atoi(t + 9);
		e->next = atoi(end + 9);
	} else if (!strcmp(tok, "tracing_mark_write")) {
		if (strstr(p, "hsbench B"))
			e->kind = EV_MARK_B;
		else if (strstr(p, "hsbench E"))
			e->kind = EV_MARK_E;
	}
	return e->kind != EV_NONE;
}

/*
 * Sums sim_exec durations (ms) in the trace; before @split into *pre.
 * With @tid, only that thread's, and only while it ran: the time it spent
 * switched out inside a span (sched_switch; another task, the peer say,
 * had the CPU) is not the simulator's computing in its CPU time.
 */
static int exec_sum(double split, int tid, double *total, double *pre,
		    unsigned int *calls)
{
	char *buf = tr_read(), *line, *save;
	double in = -1, off = 0, out_at = -1, d;
	struct ev e;

	*total = *pre = 0;
	*calls = 0;
	if (!buf)
		return -EIO;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!ev_parse(line, &e))
			continue;
		if (e.kind == EV_SWITCH) {
			if (!tid || in < 0)
				continue;
			if (e.prev == tid && out_at < 0)
				out_at = e.ts;
			else if (e.next == tid && out_at >= 0) {
				off += e.ts - out_at;
				out_at = -1;
			}
			continue;
		}
		if (tid && e.pid != tid)
			continue;
		if (e.kind == EV_EXEC_IN) {
			in = e.ts;
			off = 0;
			out_at = -1;
		} else if (e.kind == EV_EXEC_OUT && in >= 0) {
			d = e.ts - in - off;
			*total += d;
			if (e.ts <= split)
				*pre += d;
			(*calls)++;
			in = -1;
		}
	}
	free(buf);
	return 0;
}

/* ---- the peer: libssl, in a process of its own ---- */

struct peer_bio {
	double t_in, t_out;
	int phase;	/* 0 idle, 1 reading CH, 2 writing flight, 3 after */
};

static long peer_bio_cb(BIO *bio, int oper, const char *argp, size_t len,
			int argi, long argl, int ret, size_t *processed)
{
	struct peer_bio *pb = (struct peer_bio *)BIO_get_callback_arg(bio);
	bool moved = ret > 0 && processed && *processed > 0;

	(void)argp;
	(void)len;
	(void)argi;
	(void)argl;
	if (!(oper & BIO_CB_RETURN))
		return 1;
	if (oper == (BIO_CB_READ | BIO_CB_RETURN) && moved) {
		if (pb->phase == 0) {
			pb->t_in = now();
			pb->phase = 1;
		} else if (pb->phase == 2) {
			pb->phase = 3;
		}
	} else if (oper == (BIO_CB_WRITE | BIO_CB_RETURN) && moved &&
		   (pb->phase == 1 || pb->phase == 2)) {
		pb->t_out = now();
		pb->phase = 2;
	}
	return ret;
}

/*
 * A libssl context with software keys, as both the peer and the reference
 * client use it: TLS 1.3 only, our suite and group, DIR/WHO.pem and
 * DIR/WHO.key, DIR/root.pem to verify the other side, our leaf alone (no
 * chain built from the verify store).
 */
static SSL_CTX *ossl_ctx(const char *dir, const SSL_METHOD *method,
			 const char *who)
{
	char cert[512], key[512], ca[512];
	SSL_CTX *ctx = SSL_CTX_new(method);

	snprintf(cert, sizeof(cert), "%s/%s.pem", dir, who);
	snprintf(key, sizeof(key), "%s/%s.key", dir, who);
	snprintf(ca, sizeof(ca), "%s/root.pem", dir);
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, SUITE) ||
	    !SSL_CTX_set1_groups_list(ctx, "P-256") ||
	    SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		ERR_print_errors_fp(stderr);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	return ctx;
}

static SSL_CTX *peer_ctx(const char *dir, bool tickets)
{
	SSL_CTX *ctx = ossl_ctx(dir, TLS_server_method(), "srv");

	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_num_tickets(ctx, tickets ? 1 : 0)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	/* resuming a session with a verified client needs one */
	if (!SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"hsbench", 7)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * The peer's accept loop; ready_wr -1: no ready bytes or reports (the
 * concurrent clients).  With tickets, a byte of application data after
 * the handshake, so that our client's iotsec_session_recv() takes the
 * NewSessionTicket before it.
 */
static void peer_main(int lfd, int ready_wr, int report_wr, const char *dir,
		      bool tickets, bool verbose)
{
	SSL_CTX *ctx = peer_ctx(dir, tickets);
	char buf[256];
	int fd;

	if (!ctx)
		_exit(1);
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		struct peer_bio pb = { 0 };
		struct peer_report rep = { 0 };
		SSL *ssl = SSL_new(ctx);
		BIO *bio = BIO_new_socket(fd, BIO_NOCLOSE);

		if (!ssl || !bio)
			_exit(1);
		BIO_set_callback_arg(bio, (char *)&pb);
		BIO_set_callback_ex(bio, peer_bio_cb);
		SSL_set_bio(ssl, bio, bio);
		if (ready_wr >= 0 && write(ready_wr, "r", 1) != 1)
			_exit(1);
		rep.ok = SSL_accept(ssl) == 1;
		if (rep.ok && tickets && SSL_write(ssl, "t", 1) != 1)
			rep.ok = 0;
		/* a failure of ours shows in our own error; -v for the peer's */
		if (!rep.ok && verbose)
			ERR_print_errors_fp(stderr);
		ERR_clear_error();
		rep.t_in = pb.t_in;
		rep.t_out = pb.t_out;
		if (report_wr >= 0 &&
		    write(report_wr, &rep, sizeof(rep)) != sizeof(rep))
			_exit(1);
		while (rep.ok && SSL_read(ssl, buf, sizeof(buf)) > 0)
			;
		SSL_free(ssl);
		close(fd);
	}
	_exit(0);
}

static int peer_start(struct bench *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd, ready[2], report[2];

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4) || getsockname(lfd, (struct sockaddr *)&sa, &sl) ||
	    pipe2(ready, O_CLOEXEC) || pipe2(report, O_CLOEXEC)) {
		fprintf(stderr, "hsbench: peer socket: %s\n", strerror(errno));
		return -errno;
	}
	b->port = ntohs(sa.sin_port);
	b->peer_pid = fork();
	if (b->peer_pid < 0)
		return -errno;
	if (!b->peer_pid) {
		close(ready[0]);
		close(report[0]);
		peer_main(lfd, ready[1], report[1], b->dir, b->tickets,
			  b->verbose);
	}
	close(lfd);
	close(ready[1]);
	close(report[1]);
	b->ready_rd = ready[0];
	b->report_rd = report[0];
	return 0;
}

static void peer_stop(struct bench *b)
{
	if (b->peer_pid > 0) {
		kill(b->peer_pid, SIGTERM);
		waitpid(b->peer_pid, NULL, 0);
	}
	b->peer_pid = 0;
}

/* Reads exactly len bytes within 60 s. */
static int read_full(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (poll(&p, 1, 60000) != 1)
			return -ETIMEDOUT;
		n = read(fd, (char *)buf + got, len - got);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

static int tcp_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* ---- the syscall profile ---- */

enum cat { C_TCP, C_KTLS, C_HASH, C_AEAD, C_KPP, C_ALG, C_NETLINK, C_SIGN,
	   C_VERIFY, C_QUERY, C_ADDKEY, C_RING, C_OTHER, CATS };

static const char *const cat_names[CATS] = {
	[C_TCP] = "TCP poll/send/recv (waits for the peer)",
	[C_KTLS] = "TCP setsockopt (ULP, kTLS keys)",
	[C_HASH] = "AF_ALG hash/hmac (libkcapi md)",
	[C_AEAD] = "AF_ALG aead (handshake records)",
	[C_KPP] = "AF_ALG kpp (ECDHE key, ECDH)",
	[C_ALG] = "AF_ALG other",
	[C_NETLINK] = "netlink crypto_user (libkcapi alg info)",
	[C_SIGN] = "keyctl pkey_sign (chip Nonce,Sign)",
	[C_VERIFY] = "keyctl pkey_verify (server's CV, sw P-256)",
	[C_QUERY] = "keyctl pkey_query",
	[C_ADDKEY] = "add_key (keyrings, root + server certs)",
	[C_RING] = "keyctl restrict/invalidate/unlink",
	[C_OTHER] = "other syscalls",
};

/* Names for the "other syscalls" line. */
static const struct {
	long nr;
	const char *name;
} sys_names[] = {
	{ SYS_read, "read" }, { SYS_write, "write" }, { SYS_close, "close" },
	{ SYS_mmap, "mmap" }, { SYS_munmap, "munmap" }, { SYS_brk, "brk" },
	{ SYS_mprotect, "mprotect" }, { SYS_madvise, "madvise" },
	{ SYS_getrandom, "getrandom" }, { SYS_getpid, "getpid" },
	{ SYS_openat, "openat" }, { SYS_fstat, "fstat" },
	{ SYS_newfstatat, "newfstatat" }, { SYS_futex, "futex" },
	{ SYS_socket, "socket" }, { SYS_bind, "bind" },
	{ SYS_accept, "accept" }, { SYS_accept4, "accept4" },
	{ SYS_sendmsg, "sendmsg" }, { SYS_recvmsg, "recvmsg" },
	{ SYS_sendto, "sendto" }, { SYS_recvfrom, "recvfrom" },
	{ SYS_setsockopt, "setsockopt" }, { SYS_getsockopt, "getsockopt" },
	{ SYS_splice, "splice" }, { SYS_vmsplice, "vmsplice" },
	{ SYS_pipe2, "pipe2" }, { SYS_fcntl, "fcntl" }, { SYS_ioctl, "ioctl" },
	{ SYS_getuid, "getuid" }, { SYS_geteuid, "geteuid" },
	{ SYS_uname, "uname" }, { SYS_lseek, "lseek" },
	{ SYS_clock_gettime, "clock_gettime" },
};

#define OTHER_NR	512

struct prof {
	unsigned int hs;		/* handshakes */
	unsigned int other_nr[OTHER_NR];	/* calls by number */
	double window;			/* ms, marker to marker */
	double sys_ms;			/* in any syscall */
	double ms[CATS], exec[CATS];	/* time, of which sim_exec */
	unsigned int calls[CATS];
	unsigned int tfm[CATS], opsock[CATS];	/* AF_ALG sockets */
	double exec_outside;		/* sim_exec outside our syscalls */
	double addkey_ms[8];		/* add_key calls in handshake order */
	unsigned int addkey_n[8];
	unsigned int unknown_alg;
};

struct prof_state {
	signed char fd_cat[MAX_FD];	/* -1 unknown, else enum cat */
	double pend[MAX_FD];		/* socket() time, until bind() */
	bool in_window, in_sys;
	unsigned int addkeys;		/* add_key calls so far this handshake */
	long sys_nr;
	unsigned long sys_args[6];
	double sys_ts, exec_ts;
	int cat;
	char bind_type[16];
	int tcp_fd, marker_fd;
};

static int alg_cat(const char *type)
{
	if (!strcmp(type, "hash"))
		return C_HASH;
	if (!strcmp(type, "aead"))
		return C_AEAD;
	if (!strcmp(type, "kpp"))
		return C_KPP;
	return C_ALG;
}

static bool fd_ok(unsigned long fd)
{
	return fd < MAX_FD;
}

/* The category of a syscall, at its entry. */
static int sys_cat(struct prof_state *st, long nr, const unsigned long *a)
{
	int fdc = fd_ok(a[0]) ? st->fd_cat[a[0]] : -1;

	switch (nr) {
	case SYS_socket:
		if (a[0] == 38)		/* AF_ALG */
			return C_ALG;
		return a[0] == 16 ? C_NETLINK : C_OTHER;	/* AF_NETLINK */
#ifdef SYS_poll
	case SYS_poll:
#endif
	case SYS_ppoll:
		return C_TCP;	/* the library polls only its TCP socket */
	case SYS_keyctl:
		if (a[0] == KEYCTL_PKEY_SIGN)
			return C_SIGN;
		if (a[0] == KEYCTL_PKEY_VERIFY)
			return C_VERIFY;
		if (a[0] == KEYCTL_PKEY_QUERY)
			return C_QUERY;
		return C_RING;
	case SYS_add_key:
		return C_ADDKEY;
	case SYS_setsockopt:
		if ((int)a[0] == st->tcp_fd)
			return C_KTLS;
		break;
	default:
		break;
	}
	if ((int)a[0] == st->tcp_fd && nr != SYS_close)
		return C_TCP;
	return fdc >= 0 ? fdc : C_OTHER;
}

static void sys_done(struct prof *p, struct prof_state *st, long ret,
		     double dur)
{
	unsigned long fd = st->sys_args[0];
	int c = st->cat;

	if (st->sys_nr == SYS_socket && c == C_NETLINK && ret >= 0 &&
	    fd_ok((unsigned long)ret)) {
		st->fd_cat[ret] = C_NETLINK;
		p->tfm[c]++;
	} else if (st->sys_nr == SYS_socket && c == C_ALG && ret >= 0 &&
		   fd_ok((unsigned long)ret)) {
		/* counted with the type that bind() gives it */
		st->fd_cat[ret] = C_ALG;
		st->pend[ret] = dur;
		p->sys_ms += dur;
		return;
	} else if (st->sys_nr == SYS_bind && fd_ok(fd) &&
		   st->fd_cat[fd] == C_ALG) {
		if (st->bind_type[0]) {
			c = alg_cat(st->bind_type);
			st->fd_cat[fd] = (signed char)c;
		} else {
			p->unknown_alg++;
		}
		p->tfm[c]++;
		p->ms[c] += st->pend[fd];
		p->calls[c]++;
		st->pend[fd] = 0;
	} else if ((st->sys_nr == SYS_accept || st->sys_nr == SYS_accept4) &&
		   fd_ok(fd) && st->fd_cat[fd] >= C_HASH &&
		   st->fd_cat[fd] <= C_ALG && ret >= 0 &&
		   fd_ok((unsigned long)ret)) {
		st->fd_cat[ret] = st->fd_cat[fd];
		p->opsock[c]++;
	} else if (st->sys_nr == SYS_close && fd_ok(fd)) {
		st->fd_cat[fd] = -1;
	}
	if (st->sys_nr == SYS_add_key && st->addkeys < 8) {
		p->addkey_ms[st->addkeys] += dur;
		p->addkey_n[st->addkeys++]++;
	}
	p->ms[c] += dur;
	p->calls[c]++;
	p->sys_ms += dur;
	if (c == C_OTHER && st->sys_nr >= 0 && st->sys_nr < OTHER_NR)
		p->other_nr[st->sys_nr]++;
}

static const char *sys_name(long nr)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < sizeof(sys_names) / sizeof(sys_names[0]); i++)
		if (sys_names[i].nr == nr)
			return sys_names[i].name;
	snprintf(buf, sizeof(buf), "nr%ld", nr);
	return buf;
}

/* The most frequent other syscalls, "name calls/hs, ..." */
static void other_print(const struct prof *p)
{
	unsigned int seen[OTHER_NR], i, k, best;

	memcpy(seen, p->other_nr, sizeof(seen));
	printf("  other syscalls per handshake:");
	for (k = 0; k < 6; k++) {
		best = 0;
		for (i = 1; i < OTHER_NR; i++)
			if (seen[i] > seen[best])
				best = i;
		if (!seen[best])
			break;
		printf("%s %s %.1f", k ? "," : "", sys_name(best),
		       (double)seen[best] / p->hs);
		seen[best] = 0;
	}
	printf("\n");
}

/* Adds the marked handshakes of the trace to @p. */
static int profile_collect(struct prof *p, int tcp_fd, int marker_fd)
{
	char *buf = tr_read(), *line, *save;
	struct prof_state *st = calloc(1, sizeof(*st));
	double win0 = 0;
	struct ev e;

	if (!buf || !st) {
		free(buf);
		free(st);
		return -ENOMEM;
	}
	memset(st->fd_cat, -1, sizeof(st->fd_cat));
	st->tcp_fd = tcp_fd;
	st->marker_fd = marker_fd;
	st->exec_ts = -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!ev_parse(line, &e))
			continue;
		switch (e.kind) {
		case EV_MARK_B:
			st->in_window = true;
			st->addkeys = 0;
			win0 = e.ts;
			break;
		case EV_MARK_E:
			if (st->in_window) {
				p->window += e.ts - win0;
				p->hs++;
			}
			st->in_window = false;
			break;
		case EV_SYS_ENTER:
			if (!st->in_window || (int)e.args[0] == st->marker_fd)
				break;
			st->in_sys = true;
			st->sys_nr = e.nr;
			memcpy(st->sys_args, e.args, sizeof(e.args));
			st->sys_ts = e.ts;
			st->bind_type[0] = '\0';
			st->cat = sys_cat(st, e.nr, e.args);
			break;
		case EV_SYS_EXIT:
			if (st->in_window && st->in_sys && e.nr == st->sys_nr)
				sys_done(p, st, e.ret, e.ts - st->sys_ts);
			st->in_sys = false;
			break;
		case EV_BIND:
			snprintf(st->bind_type, sizeof(st->bind_type), "%s",
				 e.type);
			break;
		case EV_EXEC_IN:
			st->exec_ts = e.ts;
			break;
		case EV_EXEC_OUT:
			if (st->in_window && st->exec_ts >= 0) {
				if (st->in_sys)
					p->exec[st->cat] += e.ts - st->exec_ts;
				else
					p->exec_outside += e.ts - st->exec_ts;
			}
			st->exec_ts = -1;
			break;
		default:
			break;
		}
	}
	free(buf);
	free(st);
	return 0;
}

static void profile_print(const struct prof *p)
{
	double hs = p->hs, user = p->window - p->sys_ms;
	unsigned int i;

	printf("\nwhere a handshake's time goes (timing 0, %u handshakes traced; per handshake)\n",
	       p->hs);
	printf("%-44s %7s %8s %9s %9s %6s\n", "", "calls", "sockets",
	       "ms", "chip exec", "share");
	for (i = 0; i < CATS; i++) {
		if (!p->calls[i])
			continue;
		if (p->tfm[i] || p->opsock[i])
			printf("%-44s %7.1f %4.1f+%-3.1f %9.2f %9.2f %5.1f%%\n",
			       cat_names[i], p->calls[i] / hs, p->tfm[i] / hs,
			       p->opsock[i] / hs, p->ms[i] / hs,
			       p->exec[i] / hs, 100 * p->ms[i] / p->window);
		else
			printf("%-44s %7.1f %8s %9.2f %9.2f %5.1f%%\n",
			       cat_names[i], p->calls[i] / hs, "",
			       p->ms[i] / hs, p->exec[i] / hs,
			       100 * p->ms[i] / p->window);
	}
	printf("%-44s %7s %8s %9.2f %9.2f %5.1f%%\n",
	       "userspace (outside syscalls)", "", "", user / hs,
	       p->exec_outside / hs, 100 * user / p->window);
	printf("%-44s %7s %8s %9.2f\n", "total (connect call, traced)", "", "",
	       p->window / hs);
	other_print(p);
	printf("  add_key calls in order, ms each:");
	for (i = 0; i < 8 && p->addkey_n[i]; i++)
		printf(" %.2f", p->addkey_ms[i] / p->addkey_n[i]);
	printf("\n");
	printf("  sockets: AF_ALG tfm (socket, bind) + op (accept); netlink: opened.\n");
	if (p->unknown_alg)
		printf("(%u AF_ALG binds of unknown type: no alg_bind kprobe)\n",
		       p->unknown_alg);
}

/* ---- handshakes ---- */

/* CPU time of the calling thread, ms (user and kernel). */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* A libssl client as the reference: software key, the same suite, group. */
static SSL_CTX *cli_ctx(const char *dir)
{
	SSL_CTX *ctx = ossl_ctx(dir, TLS_client_method(), "cli");

	if (!ctx)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return ctx;
}

static int ossl_connect(struct bench *b, int fd, SSL **out)
{
	SSL *ssl = SSL_new(b->cli_ctx);

	*out = ssl;
	if (!ssl || !SSL_set_fd(ssl, fd) || !SSL_set1_host(ssl, PEER_NAME) ||
	    SSL_connect(ssl) != 1) {
		if (b->verbose)
			ERR_print_errors_fp(stderr);
		ERR_clear_error();
		return -EPROTO;
	}
	return 0;
}

/*
 * One handshake between two counter reads.  Return: 1 sample taken, 0
 * disturbed (take it again), -errno failure.
 */
static int handshake(struct bench *b, struct run *r, bool keep,
		     struct prof *prof)
{
	struct iotsec_session *s = NULL;
	SSL *ssl = NULL;
	struct sim_ops c0, c1;
	struct peer_report rep;
	struct sample smp = { .exec = -1 };
	unsigned int i, calls = 0;
	double t0, t1, cpu0, model = 0;
	char seen[256], rdy;
	int fd, ret;

	if (wait_quiet())
		return 0;
	fd = tcp_connect(b->port);
	if (fd < 0)
		return fd;
	ret = read_full(b->ready_rd, &rdy, 1);
	if (!ret)
		ret = sim_ops_read(CHIP_DIR, &c0);
	/* recording only around the handshake: our own reads of the trace
	 * are syscalls too
	 */
	if (!ret && b->trace)
		ret = tr_clear() ? : tr_write("tracing_on", "1", false);
	if (ret)
		goto out;
	cpu0 = cpu_ms();
	mark(b, "hsbench B");
	t0 = now();
	if (b->ossl)
		ret = ossl_connect(b, fd, &ssl);
	else
		ret = iotsec_session_connect(b->cfg, fd, &s);
	t1 = now();
	mark(b, "hsbench E");
	smp.cpu = cpu_ms() - cpu0;
	if (b->trace)
		tr_write("tracing_on", "0", false);
	if (ret) {
		/* the peer sees our alert or the close, and reports */
		close(fd);
		fd = -1;
		SSL_free(ssl);
		read_full(b->report_rd, &rep, sizeof(rep));
		/*
		 * TempKey lost between GenKey and ECDH (the hwrng or a
		 * watchdog sleep ran on the chip in between): the driver
		 * refuses, the handshake fails.  Counted, taken again.
		 */
		if (ret == -EKEYEXPIRED) {
			r->expired++;
			return 0;
		}
		fprintf(stderr, "hsbench: handshake: %s\n",
			iotsec_strerror(ret));
		return -EPROTO;
	}
	ret = sim_ops_read(CHIP_DIR, &c1);
	if (!ret)
		ret = read_full(b->report_rd, &rep, sizeof(rep));
	if (!ret && !rep.ok) {
		fprintf(stderr, "hsbench: the peer failed the handshake (-v: why)\n");
		ret = -EPROTO;
	}
	if (!ret && s)
		b->backend |= iotsec_session_crypto(s);
	if (!ret && s && b->tickets) {
		/* the NewSessionTicket, then the peer's byte */
		if (iotsec_session_recv(s, &rdy, 1, 0) != 1) {
			fprintf(stderr, "hsbench: no ticket and byte from the peer\n");
			ret = -EPROTO;
		} else if (keep && !iotsec_session_resumed(s)) {
			b->not_resumed++;
			ret = 0;
			goto out;
		}
	}
	if (!ret && b->trace && !b->profile)
		ret = exec_sum(rep.t_in, 0, &smp.exec, &smp.exec_pre, &calls);
	if (!ret && b->trace && !b->profile) {
		double pre_own;
		unsigned int n_own;

		ret = exec_sum(rep.t_in, (int)syscall(SYS_gettid),
			       &smp.exec_own, &pre_own, &n_own);
	}
	if (!ret && b->profile && keep)
		ret = profile_collect(prof, fd, b->marker_fd);
	if (ret)
		goto out;
	/*
	 * The commands of a handshake: two warm-ups in a row that agree, or
	 * else the first timed one.  Warm-ups are never taken again.
	 */
	if (!keep || !b->have_expect) {
		bool same = true;

		for (i = 0; i < SIM_OPS; i++) {
			same &= b->expect[i] == c1.n[i] - c0.n[i];
			b->expect[i] = (unsigned int)(c1.n[i] - c0.n[i]);
		}
		b->have_expect = same || keep;
	}
	for (i = 0; i < SIM_OPS; i++) {
		if (c1.n[i] - c0.n[i] != b->expect[i]) {
			if (!r->discarded++) {
				delta_str(&c0, &c1, seen, sizeof(seen));
				fprintf(stderr, "hsbench: %s: disturbed handshake: commands %s\n",
					r->name, seen);
			}
			ret = 0;
			goto out;
		}
		model += (c1.us[i] - c0.us[i]) / 1000.0;
	}
	smp.wall = t1 - t0;
	smp.pre = rep.t_in - t0;
	smp.peer = rep.t_out - rep.t_in;
	smp.post = t1 - rep.t_out;
	smp.model = model;
	/*
	 * A client that finishes before the peer's last write() returns
	 * (one vCPU: the wake-up runs the client first; seen with the quick
	 * libssl client) leaves the peer's part unknown: taken again.
	 */
	if (rep.t_in < t0 || rep.t_out < rep.t_in || rep.t_out > t1) {
		if (!r->discarded++)
			fprintf(stderr, "hsbench: %s: peer stamps out of the window\n",
				r->name);
		ret = 0;
		goto out;
	}
	if (b->verbose)
		fprintf(stderr, "hsbench: %s: wall %.2f peer %.2f model %.2f exec %.2f (%u) ms\n",
			r->name, smp.wall, smp.peer, smp.model, smp.exec,
			calls);
	if (keep && r->n < MAX_SAMPLES)
		r->s[r->n++] = smp;
	ret = 1;
out:
	if (s) {
		iotsec_session_close(s);
		iotsec_session_free(s);
	}
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int measure(struct bench *b, struct run *r, unsigned int n,
		   unsigned int warmup, struct prof *prof)
{
	unsigned int done = 0, tries = 0;
	int ret;

	b->have_expect = false;	/* each run its own commands */
	while (done < warmup + n) {
		if (tries++ > warmup + n + RETRIES)
			return -EAGAIN;
		ret = handshake(b, r, done >= warmup, prof);
		if (ret < 0) {
			fprintf(stderr, "hsbench: %s: %s\n", r->name,
				strerror(-ret));
			return ret;
		}
		done += (unsigned int)ret;
	}
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;

	return (a > c) - (a < c);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct stats {
	double wall, pre, peer, post, model, exec, exec_pre, exec_own;	/* means */
	double own, over;					/* means */
	double own_med, ratio_med, raw_ratio_med, over_med, over_max;
	double wall_med, cpu_med, sw_med;	/* sw: cpu - chip exec */
};

static void stats(const struct run *r, struct stats *st)
{
	static double own[MAX_SAMPLES], ratio[MAX_SAMPLES],
		raw[MAX_SAMPLES], over[MAX_SAMPLES], wall[MAX_SAMPLES],
		cpu[MAX_SAMPLES], sw[MAX_SAMPLES];
	unsigned int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < r->n; i++) {
		const struct sample *s = &r->s[i];

		st->wall += s->wall / r->n;
		st->pre += s->pre / r->n;
		st->peer += s->peer / r->n;
		st->post += s->post / r->n;
		st->model += s->model / r->n;
		st->exec += s->exec / r->n;
		st->exec_pre += s->exec_pre / r->n;
		st->exec_own += s->exec_own / r->n;
		own[i] = s->wall - s->peer;
		ratio[i] = own[i] / s->model;
		raw[i] = s->wall / s->model;
		over[i] = own[i] - s->exec;
		wall[i] = s->wall;
		cpu[i] = s->cpu;
		sw[i] = s->cpu - (s->exec_own > 0 ? s->exec_own : 0);
	}
	st->own = st->wall - st->peer;
	st->over = st->own - st->exec;
	st->own_med = median(own, r->n);
	st->ratio_med = median(ratio, r->n);
	st->raw_ratio_med = median(raw, r->n);
	st->over_med = median(over, r->n);
	st->over_max = over[r->n - 1];
	st->wall_med = median(wall, r->n);
	st->cpu_med = median(cpu, r->n);
	st->sw_med = median(sw, r->n);
}

static void commands_str(const struct bench *b, char *out, size_t len)
{
	size_t used = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = 0; i < SIM_OPS && used < len; i++)
		if (b->expect[i])
			used += snprintf(out + used, len - used, "%s%s%s",
					 used ? "," : "",
					 b->expect[i] > 1 ? "2x" : "",
					 sim_op_names[i]);
}

static void header_print(const char *cmds)
{
	printf("handshake: our client (iotsec_session_connect, chip key, %s,\n",
	       SUITE);
	printf("the library's default ECDHE: the kernel's software kpp; the chip's TempKey below)\n");
	printf("against a libssl server in its own process (software P-256 key, sends its\n");
	printf("leaf certificate alone, demands a client certificate, no tickets), over\n");
	printf("loopback; chip commands per handshake:\n");
	printf("%s.  wall = the connect call.  peer = from the moment our\n", cmds);
	printf("ClientHello reached the waiting peer to its last write of its flight (its\n");
	printf("ECDHE, CertificateVerify and records: we can only wait through them), so\n");
	printf("own = wall - peer.  floor = the simulator's modelled time of the handshake's\n");
	printf("commands (counters read around each handshake).  chip exec = the simulator's\n");
	printf("real time computing them with timing 0 (kprobes on sim_exec), subtracted\n");
	printf("from own to give the software overhead.  Times are per handshake, ms.\n");
	printf("Under TCG the software part runs emulated (and slows with the host's load)\n");
	printf("while the modelled chip time does not: own/floor is the pessimistic side.\n\n");
}

static void rows_print(const struct run *on, const struct run *off)
{
	struct stats a, z;

	stats(on, &a);
	stats(off, &z);
	printf("%-30s %3s %8s %8s %8s %8s %8s %7s %s\n", "", "n", "wall",
	       "peer", "own", "floor", "exec", "target", "result");
	printf("%-30s %3u %8.2f %8.2f %8.2f %8.2f %8s\n",
	       "timing_pct 100", on->n, a.wall, a.peer, a.own, a.model, "-");
	printf("  own/floor: median %.3f, mean %.3f (wall/floor median %.3f) %7s %s\n",
	       a.ratio_med, a.own / a.model, a.raw_ratio_med, "<=1.05",
	       a.ratio_med <= TARGET_RATIO ? "PASS" : "MISS");
	printf("  phases (mean): to CH at peer %.2f, peer %.2f, after flight %.2f\n",
	       a.pre, a.peer, a.post);
	printf("%-30s %3u %8.2f %8.2f %8.2f %8.2f %8.2f\n",
	       "timing 0", off->n, z.wall, z.peer, z.own, z.model, z.exec);
	printf("  overhead own-exec: median %.2f ms, mean %.2f ms, max %.2f ms %7s %s\n",
	       z.over_med, z.over, z.over_max, "<=2 ms",
	       z.over_med <= TARGET_OVER_MS ? "PASS" : "MISS");
	printf("  phases (mean): to CH at peer %.2f (chip exec %.2f), peer %.2f,\n",
	       z.pre, z.exec_pre, z.peer);
	printf("                 after flight %.2f (chip exec %.2f)\n", z.post,
	       z.exec - z.exec_pre);
	if (on->discarded || off->discarded)
		printf("  (disturbed handshakes taken again: %u at 100%%, %u at timing 0)\n",
		       on->discarded, off->discarded);
	if (on->expired || off->expired)
		printf("  (handshakes failed with \"Key has expired\", TempKey lost between GenKey\n"
		       "   and ECDH, taken again: %u at 100%%, %u at timing 0)\n",
		       on->expired, off->expired);
}

static int config_make(struct iotsec_config **out, const char *dir, long key,
		       const char *peer, const char *ecdh)
{
	struct iotsec_config *cfg;
	char path[512];
	int ret = iotsec_config_new(&cfg);

	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/root.pem", dir);
	ret = iotsec_config_set_root_ca_file(cfg, path);
	snprintf(path, sizeof(path), "%s/dev.pem", dir);
	if (!ret)
		ret = iotsec_config_set_cert_chain_file(cfg, path);
	if (!ret)
		ret = iotsec_config_set_key(cfg, (int32_t)key);
	if (!ret)
		ret = iotsec_config_set_peer_name(cfg, peer);
	if (!ret)
		ret = iotsec_config_set_ciphersuites(cfg, SUITE);
	if (!ret && ecdh)
		ret = iotsec_config_set_ecdh(cfg, ecdh);
	if (ret) {
		fprintf(stderr, "hsbench: configuration: %s\n",
			iotsec_strerror(ret));
		iotsec_config_free(cfg);
		return ret;
	}
	*out = cfg;
	return 0;
}

/* ---- many clients on one chip ---- */

#define CONC_PEERS	8

struct conc {
	const struct iotsec_config *cfg;
	int port;
	double until;		/* no handshake starts after it (now()) */
	double first, last;	/* now() at the first and last completion */
	unsigned int done, failed;
	int err;
};

static void *conc_main(void *arg)
{
	struct conc *c = arg;
	struct iotsec_session *s;
	int fd, ret;

	while (now() < c->until && c->failed <= RETRIES) {
		fd = tcp_connect(c->port);
		if (fd < 0) {
			c->err = fd;
			break;
		}
		s = NULL;
		ret = iotsec_session_connect(c->cfg, fd, &s);
		if (ret) {
			c->failed++;
			c->err = ret;
		} else {
			c->last = now();
			if (!c->done++)
				c->first = c->last;
			iotsec_session_close(s);
			iotsec_session_free(s);
		}
		close(fd);
	}
	return NULL;
}

/* CONC_PEERS libssl servers on one listening socket, no reports. */
static int pool_start(struct bench *b, pid_t *pids)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd, i;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 64) || getsockname(lfd, (struct sockaddr *)&sa, &sl)) {
		fprintf(stderr, "hsbench: pool socket: %s\n", strerror(errno));
		return -errno;
	}
	b->port = ntohs(sa.sin_port);
	for (i = 0; i < CONC_PEERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return -errno;
		if (!pids[i])
			peer_main(lfd, -1, -1, b->dir, false, b->verbose);
	}
	close(lfd);
	return 0;
}

static void pool_stop(pid_t *pids)
{
	int i;

	for (i = 0; i < CONC_PEERS; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (i = 0; i < CONC_PEERS; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

/*
 * k clients, each handshaking in a loop for ms: handshakes per second,
 * and the chip's modelled time of all the commands over the elapsed time.
 */
/*
 * k clients for ms.  *hs_s: the steady rate, (completions - 1) over the
 * time from the first completion to the last (the start, when every
 * client does its first ClientHello's work before any reaches the chip,
 * and the end, after the last Sign, are out of it); *hs_all: completions
 * over the whole run, start to last join.
 */
static int conc_run(struct bench *b, const struct iotsec_config *cfg,
		    unsigned int k, double ms, double *hs_s, double *hs_all,
		    double *busy, unsigned int *done)
{
	struct conc c[CONC_PEERS];
	pthread_t th[CONC_PEERS];
	struct sim_ops c0, c1;
	double t0, t1, model = 0, first = 0, last = 0;
	unsigned int i, failed = 0;
	int ret = 0;

	if (sim_ops_read(CHIP_DIR, &c0))
		return -EIO;
	t0 = now();
	for (i = 0; i < k; i++) {
		c[i] = (struct conc){ .cfg = cfg, .port = b->port,
				      .until = t0 + ms };
		if (pthread_create(&th[i], NULL, conc_main, &c[i]))
			return -EAGAIN;
	}
	*done = 0;
	for (i = 0; i < k; i++) {
		pthread_join(th[i], NULL);
		*done += c[i].done;
		failed += c[i].failed;
		if (c[i].done && (!first || c[i].first < first))
			first = c[i].first;
		if (c[i].done && c[i].last > last)
			last = c[i].last;
		if (c[i].err && !ret)
			ret = c[i].err;
	}
	t1 = now();
	if (sim_ops_read(CHIP_DIR, &c1))
		return -EIO;
	for (i = 0; i < SIM_OPS; i++)
		model += (c1.us[i] - c0.us[i]) / 1000.0;
	*hs_all = *done * 1000.0 / (t1 - t0);
	*hs_s = *done > 1 && last > first ? (*done - 1) * 1000.0 / (last - first) :
					   *hs_all;
	*busy = model / (t1 - t0);
	if (failed)
		fprintf(stderr, "hsbench: %u clients: %u handshakes failed (%s)\n",
			k, failed, iotsec_strerror(ret));
	return *done ? 0 : -EPROTO;
}

static const char *backend_name(unsigned int c)
{
	switch (c) {
	case IOTSEC_CRYPTO_KERNEL:
		return "kernel";
	case IOTSEC_CRYPTO_USER:
		return "user";
	case IOTSEC_CRYPTO_KERNEL | IOTSEC_CRYPTO_USER:
		return "kernel+user";
	default:
		return "none";
	}
}

/* A figure for tests/bench/table.sh: "ROW name value". */
static void row(const char *name, double v)
{
	printf("ROW %s %.4f\n", name, v);
}

/* r, a: resumed and full with the default ECDHE; rc, c: with the chip's */
static void resumed_print(const struct stats *r, const struct stats *rc,
			  const struct stats *a, const struct stats *c,
			  unsigned int not_resumed)
{
	printf("resumed (PSK with ECDHE, psk_dhe_ke; the peer issues a ticket per handshake),\n");
	printf("timing_pct 100, median wall ms: default ECDHE %.2f (floor %.2f), chip ECDHE\n",
	       r->wall_med, r->model);
	printf("%.2f (floor %.2f); full handshake: default ECDHE %.2f, chip ECDHE %.2f%s\n",
	       rc->wall_med, rc->model, a->wall_med, c->wall_med,
	       not_resumed ? " (some handshakes did not resume!)" : "");
	printf("  resumed/full, default ECDHE: %.3f  target <= 0.05  %s\n",
	       r->wall_med / a->wall_med,
	       r->wall_med / a->wall_med <= 0.05 ? "PASS" : "MISS");
	printf("  resumed (default) / full with chip ECDHE: %.3f\n",
	       r->wall_med / c->wall_med);
	printf("  resumed/full, both chip ECDHE: %.3f\n", rc->wall_med / c->wall_med);
}

static void conc_print(const unsigned int *ks, const double *hs_s,
		       const double *hs_all, const double *busy,
		       const unsigned int *hs_n, const struct stats *w,
		       const char *cmds, double conc_ms)
{
	unsigned int i;

	printf("\nmany clients on one chip: k threads, each handshaking in a loop for %.0f ms\n",
	       conc_ms);
	printf("against %d libssl servers; default (software) ECDHE.  chip-bound limit\n",
	       CONC_PEERS);
	printf("= 1 / floor of one handshake (%.2f ms: %s) = %.1f/s; chip busy = the\n",
	       w->model, cmds, 1000.0 / w->model);
	printf("simulator's modelled time of all commands / elapsed.  hs/s = the steady\n");
	printf("rate, (handshakes - 1) / first to last completion (ratio = hs/s x floor);\n");
	printf("whole = handshakes / the whole run, its start and end included\n");
	printf("%8s %8s %8s %10s %8s %10s\n", "clients", "hs", "hs/s", "ratio",
	       "whole", "chip busy");
	for (i = 0; i < 4; i++) {
		char name[32];
		double ratio = hs_s[i] * w->model / 1000.0;

		printf("%8u %8u %8.2f %10.3f %8.3f %10.3f%s\n", ks[i], hs_n[i],
		       hs_s[i], ratio, hs_all[i] * w->model / 1000.0, busy[i],
		       ks[i] == 8 ? (ratio >= 0.95 ? "  target >= 0.95  PASS" :
				     "  target >= 0.95  MISS") : "");
		snprintf(name, sizeof(name), "chipbound_%u", ks[i]);
		row(name, ratio);
	}
}

static int cmd_hs(struct bench *b, unsigned int n_on, unsigned int n_off,
		  unsigned int warmup, unsigned int n_prof, double conc_ms)
{
	static struct run on = { .name = "timing_pct 100" };
	static struct run on_chip = { .name = "timing_pct 100, chip ECDHE" };
	static struct run off = { .name = "timing 0" };
	static struct run off_chip = { .name = "timing 0, chip ECDHE" };
	static struct run ossl = { .name = "libssl client, timing 0" };
	static struct run pr = { .name = "profile" };
	static struct run res = { .name = "resumed" };
	static struct run res_chip = { .name = "resumed, chip ECDHE" };
	static const unsigned int ks[] = { 1, 2, 4, 8 };
	struct iotsec_config *cfg = NULL, *cfg_chip = NULL, *cfg_res = NULL,
		*cfg_res_chip = NULL;
	double hs_s[4] = { 0 }, hs_all[4] = { 0 }, busy[4] = { 0 };
	unsigned int hs_n[4] = { 0 }, i;
	struct stats a, c, z, zc, o, r, rc;
	pid_t pool[CONC_PEERS] = { 0 };
	struct prof prof = { 0 };
	unsigned int backend;
	char cmds[128], cmds_chip[128];
	bool conc_ok;
	int ret;

	if (config_make(&cfg, b->dir, b->key, PEER_NAME, NULL) ||
	    config_make(&cfg_chip, b->dir, b->key, PEER_NAME, CHIP_ECDH) ||
	    config_make(&cfg_res, b->dir, b->key, PEER_NAME, NULL) ||
	    config_make(&cfg_res_chip, b->dir, b->key, PEER_NAME, CHIP_ECDH) ||
	    iotsec_config_set_tickets(cfg_res, 7200, 0) ||
	    iotsec_config_set_tickets(cfg_res_chip, 7200, 0))
		return 1;
	b->cli_ctx = cli_ctx(b->dir);
	if (!b->cli_ctx || peer_start(b))
		return 1;
	ret = sim_set("timing", 1) ? : sim_set("timing_pct", 100);
	if (ret) {
		fprintf(stderr, "hsbench: cannot set the simulator's timing\n");
		peer_stop(b);
		return 1;
	}
	b->cfg = cfg;
	ret = measure(b, &on, n_on, warmup, NULL);
	commands_str(b, cmds, sizeof(cmds));
	backend = b->backend;
	b->cfg = cfg_chip;
	if (!ret)
		ret = measure(b, &on_chip, n_on, warmup, NULL);
	commands_str(b, cmds_chip, sizeof(cmds_chip));
	b->cfg = cfg;
	if (!ret)
		ret = sim_set("timing", 0);
	if (!ret)
		ret = trace_on(b);
	if (!ret)
		ret = measure(b, &off, n_off, warmup, NULL);
	b->cfg = cfg_chip;
	if (!ret)
		ret = measure(b, &off_chip, n_off, warmup, NULL);
	b->cfg = cfg;
	b->ossl = true;
	if (!ret)
		ret = measure(b, &ossl, n_off, warmup, NULL);
	b->ossl = false;
	if (!ret && n_prof) {
		ret = profile_on(b);
		if (!ret)
			ret = measure(b, &pr, n_prof, 1, &prof);
	}
	trace_off(b);
	peer_stop(b);
	/*
	 * Resumption (a peer that issues tickets) and concurrency, at
	 * timing_pct 100: a failure there leaves its rows out, not the rest.
	 */
	b->tickets = true;
	if (!ret && !peer_start(b) && !sim_set("timing", 1)) {
		b->cfg = cfg_res;
		if (measure(b, &res, n_on, warmup, NULL))
			res.n = 0;
		b->cfg = cfg_res_chip;
		if (measure(b, &res_chip, n_on, warmup, NULL))
			res_chip.n = 0;
	}
	peer_stop(b);
	b->tickets = false;
	/* many clients on one chip (the default: software ECDHE) */
	conc_ok = !ret && !pool_start(b, pool);
	for (i = 0; conc_ok && i < 4; i++)
		conc_ok = !conc_run(b, cfg, ks[i], conc_ms, &hs_s[i],
				    &hs_all[i], &busy[i], &hs_n[i]);
	pool_stop(pool);
	iotsec_config_free(cfg);
	iotsec_config_free(cfg_chip);
	iotsec_config_free(cfg_res);
	iotsec_config_free(cfg_res_chip);
	SSL_CTX_free(b->cli_ctx);
	if (ret || !on.n || !off.n || !ossl.n || !on_chip.n || !off_chip.n) {
		fprintf(stderr, "hsbench: handshakes could not be measured\n");
		return 2;
	}
	header_print(cmds);
	rows_print(&on, &off);
	if (n_prof && prof.hs)
		profile_print(&prof);

	stats(&on, &a);
	stats(&on_chip, &c);
	stats(&off, &z);
	stats(&off_chip, &zc);
	stats(&ossl, &o);
	memset(&r, 0, sizeof(r));
	memset(&rc, 0, sizeof(rc));
	if (res.n && res_chip.n) {
		stats(&res, &r);
		stats(&res_chip, &rc);
	}
	printf("\nsoftware cost, CPU time of the client's thread in the handshake call\n");
	printf("(user + kernel; timing 0), median ms: ours %.2f of which chip exec %.2f\n",
	       z.cpu_med, z.exec);
	printf("(median of cpu - exec %.2f); a libssl client with a software key against\n",
	       z.sw_med);
	printf("the same peer (same suite, P-256, verifying the same chain): %.2f\n",
	       o.cpu_med);
	printf("  ratio ours/libssl %.3f  target <= 0.5  %s\n",
	       z.sw_med / o.cpu_med, z.sw_med / o.cpu_med <= 0.5 ? "PASS" : "MISS");
	printf("  with chip ECDHE: ours %.2f, cpu - chip exec %.2f, ratio ours/libssl %.3f\n",
	       zc.cpu_med, zc.sw_med, zc.sw_med / o.cpu_med);
	printf("  (chip exec in our thread while it ran %.2f of %.2f ms in all%s)\n",
	       zc.exec_own, zc.exec,
	       zc.exec_own > zc.cpu_med ? "; it exceeds our CPU time: unsound" : "");
	if (prof.hs) {
		unsigned int sys = 0;

		for (i = 0; i < CATS; i++)
			sys += prof.calls[i];
		printf("syscalls per handshake (traced, the connect call): %.1f  target <= 40  %s\n",
		       (double)sys / prof.hs, sys <= 40.0 * prof.hs ? "PASS" : "MISS");
		row("syscalls", (double)sys / prof.hs);
	}
	printf("\nECDHE placement, timing_pct 100, median ms (wall, own, floor, own/floor):\n");
	printf("  kernel software kpp, the default (%s): %.2f %.2f %.2f %.3f\n",
	       cmds, a.wall_med, a.own_med, a.model, a.ratio_med);
	printf("  chip TempKey %s (%s): %.2f %.2f %.2f %.3f\n", CHIP_ECDH,
	       cmds_chip, c.wall_med, c.own_med, c.model, c.ratio_med);
	if (!res.n || !res_chip.n)
		printf("resumed handshakes: not measured\n");
	else
		resumed_print(&r, &rc, &a, &c, b->not_resumed);
	if (conc_ok)
		conc_print(ks, hs_s, hs_all, busy, hs_n, &a, cmds, conc_ms);
	else
		printf("many clients on one chip: not measured\n");
	printf("backend (iotsec_session_crypto): %s\n", backend_name(backend));
	row("own_floor", a.ratio_med);
	row("own_floor_chip", c.ratio_med);
	row("sw_ratio", z.sw_med / o.cpu_med);
	if (zc.exec_own <= zc.cpu_med)	/* else not a measurement */
		row("sw_ratio_chip", zc.sw_med / o.cpu_med);
	row("sw_ms", z.sw_med);
	row("ossl_ms", o.cpu_med);
	if (res.n && res_chip.n) {
		row("resumed_full", r.wall_med / a.wall_med);
		row("resumed_full_chip", r.wall_med / c.wall_med);
		row("resumed_chip_full_chip", rc.wall_med / c.wall_med);
	}
	row("full_chip_ecdh_ms", c.wall_med);
	row("full_sw_ecdh_ms", a.wall_med);
	printf("ROW backend %s\n", backend_name(backend));
	return res.n && res_chip.n && conc_ok ? 0 : 2;
}

/* ---- bulk: our server, our reader, the sink ---- */

static int listen_one(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, lfd, fd;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -errno;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1)) {
		close(lfd);
		return -errno;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(lfd);
	return fd;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The bulk session of serve (the server, on @port) or of recv (the client
 * to it): its socket, or -1 when setting up failed and -2 when the
 * handshake did (the command's exit status, negated).
 */
static int bulk_session(const struct bench *b, int port, bool serve,
			struct iotsec_config **cfg, struct iotsec_session **s)
{
	const char *what = serve ? "serve" : "recv";
	int fd, ret;

	if (config_make(cfg, b->dir, b->key, serve ? NULL : "device.test",
			BULK_ECDH))
		return -1;
	fd = serve ? listen_one(port) : tcp_connect(port);
	if (fd < 0) {
		fprintf(stderr, "hsbench: %s: port %d: %s\n", what, port,
			strerror(-fd));
		return -1;
	}
	ret = serve ? iotsec_session_accept(*cfg, fd, s) :
		      iotsec_session_connect(*cfg, fd, s);
	if (ret) {
		fprintf(stderr, "hsbench: %s: handshake: %s\n", what,
			iotsec_strerror(ret));
		return -2;
	}
	return fd;
}

static int cmd_serve(const struct bench *b, int port, const char *file,
		     bool use_sendfile)
{
	struct iotsec_config *cfg;
	struct iotsec_session *s = NULL;
	static char buf[APP_BUF];
	struct stat st;
	off_t off = 0;
	ssize_t n;
	int fd, in, ret = 0;

	in = open(file, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st)) {
		fprintf(stderr, "hsbench: %s: %s\n", file, strerror(errno));
		return 1;
	}
	fd = bulk_session(b, port, true, &cfg, &s);
	if (fd < 0)
		return -fd;
	while (off < st.st_size) {
		if (use_sendfile) {
			n = sendfile(fd, in, &off, st.st_size - off);
		} else {
			n = read(in, buf, sizeof(buf));
			if (n > 0 && write_all(fd, buf, (size_t)n))
				n = -1;
			if (n > 0)
				off += n;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "hsbench: serve: %s at %lld: %s\n",
				use_sendfile ? "sendfile" : "write",
				(long long)off, n ? strerror(errno) : "EOF");
			ret = 2;
			break;
		}
	}
	iotsec_session_close(s);
	shutdown(fd, SHUT_WR);
	/* wait for the reader to go, so that nothing is cut short */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	iotsec_session_free(s);
	close(fd);
	close(in);
	iotsec_config_free(cfg);
	return ret;
}

static int cmd_recv(const struct bench *b, int port)
{
	struct iotsec_config *cfg;
	struct iotsec_session *s = NULL;
	static char buf[APP_BUF];
	ssize_t n;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	fd = bulk_session(b, port, false, &cfg, &s);
	if (fd < 0)
		return -fd;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* not data (close_notify): the library reads the record */
		if (n < 0 && errno == EIO)
			n = iotsec_session_recv(s, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		if (write_all(STDOUT_FILENO, buf, (size_t)n))
			break;	/* the sink has what it wanted */
	}
	iotsec_session_free(s);
	close(fd);
	iotsec_config_free(cfg);
	return 0;
}

static int cmd_sink(unsigned long long want)
{
	static char buf[1 << 16];
	unsigned long long got = 0, first = 0;
	double t0 = 0, t1;
	ssize_t n;

	while (got < want) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!got) {
			t0 = now();
			first = (unsigned long long)n;
		}
		got += (unsigned long long)n;
	}
	t1 = now();
	if (got < want || t1 <= t0) {
		fprintf(stderr, "hsbench: sink: %llu of %llu bytes\n", got,
			want);
		return 2;
	}
	printf("%llu %.6f %.2f\n", got, (t1 - t0) / 1000,
	       (got - first) / 1048576.0 / ((t1 - t0) / 1000));
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: hsbench hs -k KEY -D DIR [-n ON,OFF] [-w WARMUP] [-P N] [-c MS] [-v]\n"
		"       hsbench serve -k KEY -D DIR -p PORT -f FILE [-s]\n"
		"       hsbench recv -k KEY -D DIR -p PORT\n"
		"       hsbench sink -b BYTES\n");
	exit(1);
}

int main(int argc, char **argv)
{
	struct bench b = { .marker_fd = -1 };
	unsigned int n_on = 20, n_off = 40, warmup = 3, n_prof = 5;
	double conc_ms = 6000;
	unsigned long long bytes = 0;
	const char *cmd, *file = NULL;
	bool use_sendfile = false;
	int opt, port = 0;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "b:c:D:f:k:n:p:P:svw:")) != -1) {
		switch (opt) {
		case 'c':
			conc_ms = strtod(optarg, NULL);
			break;
		case 'b':
			bytes = strtoull(optarg, NULL, 0);
			break;
		case 'D':
			b.dir = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'k':
			b.key = strtol(optarg, NULL, 0);
			break;
		case 'n':
			if (sscanf(optarg, "%u,%u", &n_on, &n_off) != 2)
				usage();
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'P':
			n_prof = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			use_sendfile = true;
			break;
		case 'v':
			b.verbose = true;
			break;
		case 'w':
			warmup = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (!strcmp(cmd, "sink"))
		return bytes ? cmd_sink(bytes) : (usage(), 1);
	if (b.key <= 0 || !b.dir)
		usage();
	if (!strcmp(cmd, "hs")) {
		if (!n_on || !n_off || n_on > MAX_SAMPLES ||
		    n_off > MAX_SAMPLES || n_prof > MAX_SAMPLES || !warmup)
			usage();
		return cmd_hs(&b, n_on, n_off, warmup, n_prof, conc_ms);
	}
	if (!strcmp(cmd, "serve") && port > 0 && file)
		return cmd_serve(&b, port, file, use_sendfile);
	if (!strcmp(cmd, "recv") && port > 0)
		return cmd_recv(&b, port);
	usage();
	return 1;
}
