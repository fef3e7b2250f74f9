// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec connect / serve: mutual TLS 1.3 through libiotsec, then standard
 * input to the kTLS socket and the socket to standard output.
 */
#define _GNU_SOURCE	/* ppoll() */
#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iotsec.h>

#include "iotsec-tool.h"

struct tls_opts {
	const char *ca, *cert, *key, *name, *ecdh, *suites;
	const char *sess_in, *sess_out;	/* connect: ticket files */
	int once;
	int no_tickets;			/* serve: issue none, resume none */
};

static int parse_opts(int argc, char **argv, struct tls_opts *o,
		      const char *cmd)
{
	static const struct opt opts[] = {
		OPT_STR("ca", struct tls_opts, ca),
		OPT_STR("cert", struct tls_opts, cert),
		OPT_STR("key", struct tls_opts, key),
		OPT_STR("name", struct tls_opts, name),
		OPT_STR("ecdh", struct tls_opts, ecdh),
		OPT_STR("ciphersuites", struct tls_opts, suites),
		OPT_FLAG("once", struct tls_opts, once),
		OPT_STR("sess-in", struct tls_opts, sess_in),
		OPT_STR("sess-out", struct tls_opts, sess_out),
		OPT_FLAG("no-tickets", struct tls_opts, no_tickets),
	};
	int end;

	memset(o, 0, sizeof(*o));
	end = parse_opts_table(argc, argv, opts, OPTS_N(opts), o, cmd);
	if (!o->ca || !o->cert || !o->key || end != argc - 1 ||
	    ((o->once || o->no_tickets) && strcmp(cmd, "serve")) ||
	    ((o->sess_in || o->sess_out) && strcmp(cmd, "connect")))
		usage(cmd);
	return end;
}

/* KEY is a key serial, or the description of an iotsec key. */
int find_key(const char *key)
{
	char *end;
	long id = strtol(key, &end, 0);

	if (!*end && id > 0)
		return id;
	id = keyctl_search(KEY_SPEC_SESSION_KEYRING, "iotsec", key, 0);
	if (id < 0)
		id = keyctl_search(KEY_SPEC_USER_KEYRING, "iotsec", key, 0);
	return id < 0 ? -errno : id;
}

/*
 * --sess-in: a ticket saved by --sess-out; one that cannot be used is
 * said, and the handshake is a full one.
 */
static void sess_in(struct iotsec_config *cfg, const char *path)
{
	char buf[70000];
	ssize_t n = 0, r;
	int fd = open(path, O_RDONLY), ret;

	while (fd >= 0 && (r = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += r;
	if (fd < 0) {
		fprintf(stderr, "iotsec: --sess-in %s: %s (full handshake)\n",
			path, strerror(errno));
		return;
	}
	close(fd);
	ret = iotsec_config_ticket_import(cfg, buf, n);
	if (ret)
		fprintf(stderr, "iotsec: --sess-in %s: %s (full handshake)\n",
			path, iotsec_strerror(ret));
	explicit_bzero(buf, sizeof(buf));
}

/* --sess-out: the session's newest ticket, in a file only we may read. */
static void sess_out(struct iotsec_session *s, const char *path)
{
	char buf[70000];
	ssize_t n = iotsec_session_ticket_export(s, buf, sizeof(buf));
	int fd;

	if (n < 0) {
		fprintf(stderr, "iotsec: --sess-out %s: %s\n", path,
			n == -ENOENT ? "no session ticket received" :
			iotsec_strerror((int)n));
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write_all(fd, buf, n))
		fprintf(stderr, "iotsec: --sess-out %s: %s\n", path,
			strerror(errno));
	else
		fprintf(stderr, "iotsec: session ticket saved to %s\n", path);
	if (fd >= 0)
		close(fd);
	explicit_bzero(buf, sizeof(buf));
}

static int config(const struct tls_opts *o, struct iotsec_config **cfg)
{
	int32_t key = find_key(o->key);
	int ret;

	if (key < 0) {
		fprintf(stderr, "iotsec: key '%s': %s\n", o->key, strerror(-key));
		return key;
	}
	ret = iotsec_config_new(cfg);
	if (!ret && (ret = iotsec_config_set_root_ca_file(*cfg, o->ca)))
		fprintf(stderr, "iotsec: --ca %s: %s\n", o->ca, iotsec_strerror(ret));
	if (!ret && (ret = iotsec_config_set_cert_chain_file(*cfg, o->cert)))
		fprintf(stderr, "iotsec: --cert %s: %s\n", o->cert, iotsec_strerror(ret));
	if (!ret)
		ret = iotsec_config_set_key(*cfg, key);
	if (!ret && o->name && (ret = iotsec_config_set_peer_name(*cfg, o->name)))
		fprintf(stderr, "iotsec: --name: %s\n", iotsec_strerror(ret));
	/* Without --name: any server of the roots, as iotsec(1) says. */
	if (!ret && !o->name)
		ret = iotsec_config_set_any_peer(*cfg, 1);
	if (!ret && o->ecdh && (ret = iotsec_config_set_ecdh(*cfg, o->ecdh)))
		fprintf(stderr, "iotsec: --ecdh: %s\n", iotsec_strerror(ret));
	if (!ret && o->suites && (ret = iotsec_config_set_ciphersuites(*cfg, o->suites)))
		fprintf(stderr, "iotsec: --ciphersuites: %s\n", iotsec_strerror(ret));
	/* Resumption in both roles (the tool reads with iotsec_session_recv). */
	if (!ret)
		ret = iotsec_config_set_tickets(*cfg, o->no_tickets ? 0 : 7200, 0);
	if (!ret && o->sess_in)
		sess_in(*cfg, o->sess_in);
	return ret;
}

static int split_hostport(const char *arg, char *host, size_t len,
			  const char **port)
{
	const char *colon = strrchr(arg, ':');

	if (!colon || colon == arg || (size_t)(colon - arg) >= len)
		return -EINVAL;
	memcpy(host, arg, colon - arg);
	host[colon - arg] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	*port = colon + 1;
	return 0;
}

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, ret;

	ret = getaddrinfo(host, port, &hints, &res);
	if (ret) {
		fprintf(stderr, "iotsec: %s: %s\n", host, gai_strerror(ret));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "iotsec: cannot connect to %s:%s: %s\n", host,
			port, strerror(errno));
	return fd;
}

/* Which backend ran the handshake's symmetric crypto. */
static const char *crypto_name(unsigned int c)
{
	switch (c) {
	case IOTSEC_CRYPTO_KERNEL:
		return "kernel (AF_ALG)";
	case IOTSEC_CRYPTO_USER:
		return "user (libcrypto)";
	case IOTSEC_CRYPTO_KERNEL | IOTSEC_CRYPTO_USER:
		return "kernel (AF_ALG) and user (libcrypto)";
	}
	return "none";
}

/* Data read from standard input, not yet taken by the socket. */
struct pending {
	char buf[16384];
	size_t off, len;
	int eof;
};

/*
 * SIGUSR1 asks for a KeyUpdate (iotsec_session_key_update(), the peer
 * asked to answer).  The signal is blocked but in ppoll(), so a request
 * never waits for the next event to be seen.
 */
static volatile sig_atomic_t key_update_wanted;

static void on_usr1(int sig)
{
	(void)sig;
	key_update_wanted = 1;
}

static void key_update_signal(sigset_t *in_poll)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, in_poll);
	sigdelset(in_poll, SIGUSR1);
	sigaction(SIGUSR1, &sa, NULL);
}

/* 0, or the code of a failure that ended the session (said). */
static int key_update(struct iotsec_session *s)
{
	int ret;

	key_update_wanted = 0;
	ret = iotsec_session_key_update(s, 1);
	if (!ret) {
		fprintf(stderr, "iotsec: KeyUpdate sent, the peer asked to update too\n");
		return 0;
	}
	fprintf(stderr, "iotsec: KeyUpdate: %s\n", iotsec_strerror(ret));
	return ret == -(IOTSEC_ERR_LIB | IOTSEC_E_NO_REKEY) ? 0 : ret;
}

/* Says this side is done sending: close_notify, once. */
static void close_once(struct iotsec_session *s, int *closed)
{
	if (!*closed)
		iotsec_session_close(s);
	*closed = 1;
}

/* Says what failed; returns -errno. */
static int failed(const char *what)
{
	int err = errno;

	fprintf(stderr, "iotsec: %s: %s\n", what, strerror(err));
	return -err;
}

/* 0 or -errno (said). */
static int to_socket(int fd, struct pending *p)
{
	ssize_t n = send(fd, p->buf + p->off, p->len - p->off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : failed("send");
	p->off += n;
	if (p->off == p->len)
		p->off = p->len = 0;
	return 0;
}

/* 1: the peer closed; 0: go on; a negative code: failure (said). */
static int from_socket(struct iotsec_session *s)
{
	char buf[16384];
	ssize_t n = iotsec_session_recv(s, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == -EAGAIN || n == -EINTR)
		return 0;
	if (n == 0)
		return 1;
	if (n < 0) {
		fprintf(stderr, "iotsec: %s\n", iotsec_strerror((int)n));
		return (int)n;
	}
	return write_all(1, buf, n) ? failed("standard output") : 0;
}

/*
 * stdin -> socket, socket -> stdout, until the peer closes: 0, or the
 * code of the failure.  Never blocks in one direction while the other has
 * work: both peers may be sending.  *closed: close_notify went out.
 */
static int pump(struct iotsec_session *s, int fd, int *closed)
{
	struct pollfd p[2] = { { .fd = 0 }, { .fd = fd } };
	struct pending in = { .off = 0 };
	sigset_t in_poll;
	ssize_t n;
	int ret;

	key_update_signal(&in_poll);
	for (;;) {
		if (key_update_wanted && (ret = key_update(s)))
			return ret;
		/*
		 * Standard input leaves the poll set while data is pending or
		 * after its end: poll() reports POLLHUP on a closed pipe even
		 * with no events asked, and a read then would spin or overwrite
		 * what the socket has not taken yet.
		 */
		p[0].fd = !in.len && !in.eof ? 0 : -1;
		p[0].events = POLLIN;
		p[1].events = POLLIN | (in.len ? POLLOUT : 0);
		if (ppoll(p, 2, NULL, &in_poll) < 0) {
			if (errno != EINTR)
				return failed("poll");
			continue;	/* revents are not set */
		}
		if (p[0].revents) {
			n = read(0, in.buf, sizeof(in.buf));
			if (n > 0) {
				in.len = n;
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				/* its end (or an error): all sent, say so */
				in.eof = 1;
				close_once(s, closed);
			}
		}
		if ((p[1].revents & POLLOUT) && (ret = to_socket(fd, &in)))
			return ret;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ret = from_socket(s);
			if (ret)
				return ret < 0 ? ret : 0;
		}
	}
}

/* The session ended with an alert, the peer's or one the library sent. */
static int alert_ended(int err)
{
	int kind = -err & ~0xff;

	return err < 0 && (kind == IOTSEC_ERR_ALERT_SENT ||
			   kind == IOTSEC_ERR_ALERT_RECV);
}

static int session(const struct iotsec_config *cfg, int fd, int server,
		   const char *ticket_out)
{
	struct iotsec_session *s;
	int ret, closed = 0;

	ret = server ? iotsec_session_accept(cfg, fd, &s) :
		       iotsec_session_connect(cfg, fd, &s);
	if (ret) {
		fprintf(stderr, "iotsec: handshake failed: %s\n", iotsec_strerror(ret));
		return 1;
	}
	/* One line as before; a resumed session says so in it. */
	fprintf(stderr, "iotsec: TLS 1.3 %s with '%s'%s, kernel TLS carries the data (%u key operations in the kernel)\n",
		iotsec_session_cipher(s), iotsec_session_peer_name(s),
		iotsec_session_resumed(s) ? " (session resumed)" : "",
		iotsec_session_key_ops(s));
	fprintf(stderr, "iotsec: handshake crypto: %s\n",
		crypto_name(iotsec_session_crypto(s)));
	ret = pump(s, fd, &closed);
	if (ticket_out)
		sess_out(s, ticket_out);
	/*
	 * However it ended, the peer gets close_notify unless an alert
	 * already ended the session: after its own close_notify (RFC 8446
	 * section 6.1), a KeyUpdate, a record that failed, or a local failure
	 * (standard output gone), rather than a bare FIN.
	 */
	if (!alert_ended(ret))
		close_once(s, &closed);
	iotsec_session_free(s);
	return ret ? 1 : 0;
}

int cmd_connect(int argc, char **argv)
{
	struct iotsec_config *cfg = NULL;
	struct tls_opts o;
	const char *port;
	char host[256];
	int i, fd, ret;

	signal(SIGPIPE, SIG_IGN);	/* a closed stdout is an error, said */
	i = parse_opts(argc, argv, &o, "connect");
	if (split_hostport(argv[i], host, sizeof(host), &port))
		usage("connect");
	if (config(&o, &cfg)) {
		iotsec_config_free(cfg);
		return 1;
	}
	fd = dial(host, port);
	ret = fd < 0 ? 1 : session(cfg, fd, 0, o.sess_out);
	if (fd >= 0)
		close(fd);
	iotsec_config_free(cfg);
	return ret;
}

static int listen_on(const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE, .ai_family = AF_INET6 };
	struct addrinfo *res;
	int fd, one = 1;

	if (getaddrinfo(NULL, port, &hints, &res))
		return -1;
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 8)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "iotsec: cannot listen on %s: %s\n", port,
			strerror(errno));
	return fd;
}

int cmd_serve(int argc, char **argv)
{
	struct iotsec_config *cfg = NULL;
	struct tls_opts o;
	int i, lfd, fd, ret = 0;

	signal(SIGPIPE, SIG_IGN);	/* a closed stdout is an error, said */
	i = parse_opts(argc, argv, &o, "serve");
	if (config(&o, &cfg)) {
		iotsec_config_free(cfg);
		return 1;
	}
	lfd = listen_on(argv[i]);
	if (lfd < 0) {
		iotsec_config_free(cfg);
		return 1;
	}
	do {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			break;
		ret = session(cfg, fd, 1, NULL);
		close(fd);
	} while (!o.once);
	close(lfd);
	iotsec_config_free(cfg);
	return ret;
}
