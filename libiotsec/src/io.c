// SPDX-License-Identifier: GPL-2.0
/*
 * Record I/O during the handshake, and the records other than data after
 * it (io_control_record).  Records are read one at a time, header
 * then exactly its body, so that nothing past the peer's last handshake
 * record is taken from the socket: kTLS must find it there.  Every wait is
 * bounded by the session's deadline.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "ktls.h"
#include "session.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits for ev until the deadline; 0 means "try now", not "ready". */
static int wait_fd(struct iotsec_session *s, short ev)
{
	struct pollfd p = { .fd = s->fd, .events = ev };
	double left = s->deadline - now_s(), ms;
	int n;

	if (left <= 0)
		return -ETIMEDOUT;
	/* Rounded up, and within poll()'s int (the caller asks again). */
	ms = left < INT_MAX / 1000.0 ? left * 1000 + 1 : INT_MAX;
	n = poll(&p, 1, (int)ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n || s->deadline > now_s() ? 0 : -ETIMEDOUT;
}

static int read_exact(struct iotsec_session *s, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int ret;

	/* recv() first, poll() only when nothing is there (a syscall less
	 * per read of a flight that has arrived already)
	 */
	while (got < len) {
		n = recv(s->fd, buf + got, len - got, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n > 0) {
			got += n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		ret = wait_fd(s, POLLIN);
		if (ret)
			return ret;
	}
	return 0;
}

int io_send_flush(struct iotsec_session *s)
{
	size_t done = 0;
	ssize_t n;
	int ret = 0;

	/* send() first, poll() only when the socket is full */
	while (done < s->out.len) {
		n = send(s->fd, s->out.base + done, s->out.len - done,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			ret = -errno;
			break;
		}
		ret = wait_fd(s, POLLOUT);
		if (ret)
			break;
	}
	wbuf_reset(&s->out);
	return ret;
}

/* Queues one record of the given type, protected once keys are set. */
static int queue_record(struct iotsec_session *s, uint8_t type,
			const uint8_t *data, size_t len)
{
	if (s->tx_on)
		return rec_seal(&s->tx, type, data, len, &s->out);
	wbuf_put8(&s->out, type);
	wbuf_put16(&s->out, 0x0303);
	wbuf_put16(&s->out, len);
	wbuf_put(&s->out, data, len);
	return s->out.err;
}

int io_send_handshake(struct iotsec_session *s, const uint8_t *msg, size_t len)
{
	size_t n;
	int ret = 0;

	while (len && !ret) {
		n = len > TLS_MAX_PLAINTEXT ? TLS_MAX_PLAINTEXT : len;
		ret = queue_record(s, TLS_CT_HANDSHAKE, msg, n);
		msg += n;
		len -= n;
	}
	return ret;
}

/*
 * One alert, our last record (RFC 8446 section 6): under the keys the
 * peer reads with now.  Records already queued go first (the ServerHello
 * that gives the peer our handshake keys, our Finished after which it
 * reads with our application keys); the alert then goes under our current
 * write keys: none before ServerHello, the handshake keys, the application
 * keys after our Finished (set by the role when it queues it), or kTLS
 * once the kernel has them.  Closure alerts are warnings, the rest fatal.
 */
int io_send_alert(struct iotsec_session *s, uint8_t alert)
{
	bool closure = alert == IOTSEC_ALERT_CLOSE_NOTIFY ||
		       alert == IOTSEC_ALERT_USER_CANCELED;
	uint8_t a[2] = { closure ? 1 : 2, alert };
	ssize_t n;
	int ret;

	if (s->alert_sent)
		return 0;
	s->alert_sent = true;
	if (s->ktls_tx) {
		n = ktls_send_record(s->fd, TLS_CT_ALERT, a, 2);
		return n < 0 ? (int)n : 0;
	}
	ret = queue_record(s, TLS_CT_ALERT, a, 2);
	return ret ? ret : io_send_flush(s);
}

/*
 * After our fatal alert the connection is over (RFC 8446 6.2), but the
 * peer may not have read the alert yet: a close() that finds unread bytes
 * in our receive queue sends a RST, and a RST that arrives first can
 * discard the alert from the peer's queue (it then reports "connection
 * reset" instead of our reason).  So our write side is shut (a FIN after
 * the alert) and what the peer still sends is read and dropped until it
 * closes too, at most IO_LINGER_MS and IO_LINGER_MAX bytes.  The socket
 * stays open: it is the application's.
 */
void io_linger(struct iotsec_session *s)
{
	uint8_t buf[4096];
	double end = now_s() + IO_LINGER_MS / 1000.0, left;
	size_t total = 0;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	ssize_t n;

	if (shutdown(s->fd, SHUT_WR))
		return;
	while (total < IO_LINGER_MAX && (left = end - now_s()) > 0) {
		if (poll(&p, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;	/* the peer closed, or nothing more to read */
		if (n > 0)
			total += n;
	}
	explicit_bzero(buf, sizeof(buf));
}

/*
 * A received alert record becomes the error it stands for; its level is
 * ignored (section 6): the description alone says closure or error, and
 * one we do not know is an error.
 */
int io_peer_alert(const uint8_t *a, size_t len)
{
	if (len != 2)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECODE_ERROR);
	return IOTSEC_PEER_ALERT_ERR(a[1]);
}

/*
 * A server that ignored a resuming client's early_data skips the early
 * data records (RFC 8446 4.2.10): those it cannot open with the handshake
 * key, or, after a HelloRetryRequest, those of type application_data
 * before the second ClientHello; at most IO_EARLY_DATA_MAX bytes, beyond
 * which the record is the error it would be without early data.
 */
static bool skip_early(struct iotsec_session *s, size_t len)
{
	if (!s->server || !s->early_left || len > s->early_left)
		return false;
	s->early_left -= len;
	return true;
}

/* Reads one record; appends handshake content to s->hs. */
static int read_record(struct iotsec_session *s)
{
	uint8_t hdr[TLS_RECORD_HDR], body[TLS_MAX_CIPHERTEXT], type;
	size_t len;
	struct wbuf pt;
	int ret;

	ret = read_exact(s, hdr, sizeof(hdr));
	if (ret)
		return ret;
	len = hdr[3] << 8 | hdr[4];
	if (len > (s->rx_on ? TLS_MAX_CIPHERTEXT : TLS_MAX_PLAINTEXT))
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_RECORD_OVERFLOW);
	ret = read_exact(s, body, len);
	if (ret)
		return ret;
	type = hdr[0];
	/*
	 * An unprotected change_cipher_spec is dropped (section 5), once: a
	 * peer sends one at most (D.4), and a server takes none before the
	 * first ClientHello; nor between two records of one handshake
	 * message, where no other record type may come (5.1).  Any other is
	 * an unexpected record.
	 */
	if (type == TLS_CT_CHANGE_CIPHER_SPEC && len == 1 && body[0] == 1 &&
	    !s->ccs_seen && !s->hs.len &&
	    !(s->server && s->state == EXPECT_CLIENT_HELLO && !s->hrr_done)) {
		s->ccs_seen = true;
		return 0;
	}
	/*
	 * An alert in the clear is the peer's even after our read key
	 * changed: a client that cannot use our ServerHello has no key to
	 * protect the alert that says so.
	 */
	if (type == TLS_CT_ALERT)
		return io_peer_alert(body, len);
	if (!s->rx_on) {
		/* Early data before the second ClientHello (after an HRR). */
		if (type == TLS_CT_APPLICATION_DATA && skip_early(s, len))
			return 0;
		/* No zero-length handshake fragments (5.1), clear or not. */
		if (type != TLS_CT_HANDSHAKE || !len)
			return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
		wbuf_put(&s->hs, body, len);
		return s->hs.err;
	}
	if (type != TLS_CT_APPLICATION_DATA)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	wbuf_init(&pt, 0);
	ret = rec_open(&s->rx, hdr, body, len, &type, &pt);
	/*
	 * Early data under a key we never made: skipped while it fails to
	 * open, up to the limit; the first record that opens ends it.
	 */
	if (ret == IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC) &&
	    skip_early(s, len)) {
		wbuf_wipe(&pt);
		return 0;
	}
	if (!ret)
		s->early_left = 0;
	if (!ret && type == TLS_CT_ALERT)
		ret = io_peer_alert(pt.base, pt.len);
	else if (!ret && type != TLS_CT_HANDSHAKE)
		ret = IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	else if (!ret && !pt.len)	/* zero-length handshake fragments */
		ret = IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	if (!ret)
		wbuf_put(&s->hs, pt.base, pt.len);
	wbuf_wipe(&pt);
	explicit_bzero(body, len);
	/*
	 * A message that cannot be buffered (out of memory, or past the
	 * reassembly limit) is an error, never "nothing yet": the caller
	 * would read again and wait for bytes that are already here.
	 */
	return ret ? ret : s->hs.err;
}

int io_next_message(struct iotsec_session *s, struct msg_hdr *h)
{
	int ret;

	for (;;) {
		ret = msg_next(s->hs.base, s->hs.len, h);
		if (ret > 0)
			s->hs_in_hand = MSG_HDR_LEN + h->len;
		if (ret)
			return ret < 0 ? ret : 0;
		ret = read_record(s);
		if (ret)
			return ret;
	}
}

void io_consume(struct iotsec_session *s, const struct msg_hdr *h)
{
	size_t used = MSG_HDR_LEN + h->len;

	memmove(s->hs.base, s->hs.base + used, s->hs.len - used);
	s->hs.len -= used;
	s->hs_in_hand = 0;
}

/*
 * Handshake messages must not span a key change (section 5.1): nothing
 * may follow the message being handled in the records already read.
 */
int io_key_change_ok(struct iotsec_session *s)
{
	if (s->hs.len > s->hs_in_hand)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	return 0;
}

static int keys(struct iotsec_session *s, struct rec_prot *rp, bool *on,
		const uint8_t *secret)
{
	uint8_t key[32], iv[12];
	int ret;

	ret = ks_traffic_key(&s->hash, s->suite->hash, secret, key,
			     s->suite->keylen, iv);
	if (*on)
		rec_prot_wipe(rp);
	*on = false;
	if (!ret)
		ret = rec_prot_init(rp, &s->hash, s->suite, key, iv);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(iv, sizeof(iv));
	*on = !ret;
	return ret;
}

int io_keys_in(struct iotsec_session *s, const uint8_t *secret)
{
	int ret = io_key_change_ok(s);

	return ret ? ret : keys(s, &s->rx, &s->rx_on, secret);
}

int io_keys_out(struct iotsec_session *s, const uint8_t *secret)
{
	return keys(s, &s->tx, &s->tx_on, secret);
}

double io_now(void)
{
	return now_s();
}

/* Post-handshake messages: tickets are kept (resume.c), KeyUpdate rekeys. */
static int post_handshake(struct iotsec_session *s)
{
	struct msg_hdr h;
	int ret;

	while ((ret = msg_next(s->hs.base, s->hs.len, &h)) > 0) {
		/* Only a server sends tickets (RFC 8446 4.6.1). */
		if (h.type == MSG_NEW_SESSION_TICKET && !s->server)
			ret = resume_ticket_in(s, &h);
		else if (h.type == MSG_KEY_UPDATE)
			ret = session_peer_key_update(s, &h);
		else
			ret = IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
		if (ret)
			return ret;
		io_consume(s, &h);
	}
	return ret;
}

/*
 * Closure alerts (RFC 8446 6.1): close_notify ends the peer's data;
 * user_canceled is followed by a close_notify and ends nothing itself.
 * Any other alert ends the session with an error (6.2).
 */
static int control(struct iotsec_session *s, uint8_t type,
		   const uint8_t *buf, size_t n)
{
	int ret;

	if (type == TLS_CT_ALERT) {
		ret = io_peer_alert(buf, n);
		if (ret == IOTSEC_PEER_ALERT_ERR(IOTSEC_ALERT_CLOSE_NOTIFY)) {
			s->closed = true;
			return 0;
		}
		if (ret == IOTSEC_PEER_ALERT_ERR(IOTSEC_ALERT_USER_CANCELED))
			return 0;
		return ret;
	}
	/* Zero-length handshake fragments are forbidden (5.1). */
	if (type != TLS_CT_HANDSHAKE || !n)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	wbuf_put(&s->hs, buf, n);
	return s->hs.err ? s->hs.err : post_handshake(s);
}

/*
 * One record that is not data, after the handshake: acted on; a fatal
 * alert of ours goes out (through kTLS); an error alert either way ends
 * the session for every later call.
 */
int io_control_record(struct iotsec_session *s, uint8_t type,
		      const uint8_t *buf, size_t n)
{
	return io_fail(s, control(s, type, buf, n));
}

/*
 * After the handshake: an error alert, ours or the peer's, ends the
 * session for every later call; ours goes out (through kTLS) first.
 */
int io_fail(struct iotsec_session *s, int err)
{
	if (IOTSEC_IS_LOCAL_ALERT(err) && !s->alert_sent) {
		io_send_alert(s, (-err) & 0xff);
		io_linger(s);
	}
	if (IOTSEC_IS_LOCAL_ALERT(err) || IOTSEC_IS_PEER_ALERT(err))
		s->fatal = err;
	return err;
}
