// SPDX-License-Identifier: GPL-2.0
/*
 * Peer chains into the kernel keyring (see cert.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert.h"
#include "iotsec.h"
#include "internal.h"

/*
 * Keyrings hang off the process keyring: gone when the process is.  Linux
 * keeps that keyring in each thread's credentials, though: a thread that
 * makes it has it alone (threads already running never see it), and it
 * goes when that thread exits.  So our rings also grant their owner (not
 * only a possessor) search and link: any thread of ours may link a ring
 * into its own process keyring (cert_trust_get), which keeps it alive
 * while that thread lives, and invalidate it (cert_ring_release), which
 * frees it whichever thread made it.  Other processes of the same user
 * could do as much, and no more: a ring takes no link it was not made to.
 */
#define RING_PERM	(KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | \
			 KEY_USR_SEARCH | KEY_USR_LINK)

static key_serial_t ring_new(const char *what)
{
	char desc[64];
	static unsigned int seq;
	key_serial_t ring;

	snprintf(desc, sizeof(desc), "iotsec:%s:%d:%u", what, getpid(),
		 __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
	ring = add_key("keyring", desc, NULL, 0, KEY_SPEC_PROCESS_KEYRING);
	if (ring > 0 && keyctl_setperm(ring, RING_PERM) < 0) {
		keyctl_invalidate(ring);
		return -1;
	}
	return ring;
}

void cert_ring_release(key_serial_t ring)
{
	if (ring > 0) {
		keyctl_invalidate(ring);
		keyctl_unlink(ring, KEY_SPEC_PROCESS_KEYRING);
	}
}

int cert_roots_load(const struct cert_der *roots, unsigned int n,
		    key_serial_t *ring)
{
	unsigned int i;
	int ret = 0;

	*ring = ring_new("roots");
	if (*ring < 0) {
		*ring = 0;
		return -errno;
	}
	for (i = 0; i < n && !ret; i++)
		if (add_key("asymmetric", NULL, roots[i].p, roots[i].len, *ring) < 0)
			ret = -errno;
	/*
	 * The ring lives as long as its configuration, and anything in the
	 * process may write to what the process keyring holds: no key is
	 * linked into it after the roots (restrict_link_reject).
	 */
	if (!ret && keyctl_restrict_keyring(*ring, NULL, NULL) < 0)
		ret = -errno;
	if (ret) {
		cert_ring_release(*ring);
		*ring = 0;
	}
	return ret;
}

void cert_trust_init(struct cert_trust *t)
{
	pthread_mutex_init(&t->lock, NULL);
	t->ring = 0;
	t->pid = 0;
	memset(t->linked, 0, sizeof(t->linked));
	t->clock = 0;
}

/* Under t->lock: the entry goes, its keyring too when it is ours. */
static void linked_free(struct cert_trust *t, struct cert_linked *e,
			bool release)
{
	if (release && t->pid == getpid())
		cert_ring_release(e->ring);
	free(e->chain);
	memset(e, 0, sizeof(*e));
}

/*
 * Under t->lock.  A fork's child forgets its parent's entries (their
 * keyrings are the parent's); the parent's sessions it may have copied
 * find no entry of theirs and release nothing (cert_peer_release).
 */
static void linked_forget(struct cert_trust *t)
{
	unsigned int i;

	for (i = 0; i < CERT_LINKED_MAX; i++)
		if (t->linked[i].ring)
			linked_free(t, &t->linked[i], false);
}

int cert_trust_get(struct cert_trust *t, const struct cert_der *roots,
		   unsigned int n, key_serial_t *ring)
{
	pid_t pid = getpid();
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	/* A fork's child: the ring is its parent's, and not ours to drop. */
	if (t->ring && t->pid != pid) {
		t->ring = 0;
		linked_forget(t);
	}
	/*
	 * Linked into this thread's process keyring too, so that it outlives
	 * the thread that made it; one that failed is gone (its thread
	 * exited before any other linked it): made again.
	 */
	if (t->ring && keyctl_link(t->ring, KEY_SPEC_PROCESS_KEYRING) < 0)
		t->ring = 0;
	if (!t->ring) {
		ret = cert_roots_load(roots, n, &t->ring);
		t->pid = pid;
	}
	*ring = t->ring;
	pthread_mutex_unlock(&t->lock);
	return ret;
}

void cert_trust_drop(struct cert_trust *t)
{
	unsigned int i;

	pthread_mutex_lock(&t->lock);
	if (t->pid != getpid())
		linked_forget(t);
	/* Linked under the old roots: no session may take them again. */
	for (i = 0; i < CERT_LINKED_MAX; i++) {
		if (!t->linked[i].ring)
			continue;
		if (t->linked[i].users)
			t->linked[i].stale = true;
		else
			linked_free(t, &t->linked[i], true);
	}
	if (t->ring && t->pid == getpid())
		cert_ring_release(t->ring);
	t->ring = 0;
	pthread_mutex_unlock(&t->lock);
}

void cert_trust_destroy(struct cert_trust *t)
{
	unsigned int i;

	cert_trust_drop(t);
	/* Held ones too: every session was to be freed before. */
	for (i = 0; i < CERT_LINKED_MAX; i++)
		if (t->linked[i].ring)
			linked_free(t, &t->linked[i], true);
	pthread_mutex_destroy(&t->lock);
}

/* Why the kernel refused to link a certificate, as a TLS alert. */
static int link_error(int err)
{
	switch (err) {
	case ENOKEY:		/* no signer found under the root */
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNKNOWN_CA);
	case EKEYREJECTED:	/* signature does not verify */
	case EBADMSG:		/* certificate the kernel cannot parse */
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_CERTIFICATE);
	case ENOPKG:		/* an algorithm the kernel lacks */
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNSUPPORTED_CERTIFICATE);
	}
	return -err;
}

/* Is chain[i] byte for byte one of the certificates before it? */
static bool seen_before(const struct cert_der *chain, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < i; j++)
		if (chain[j].len == chain[i].len &&
		    !memcmp(chain[j].p, chain[i].p, chain[i].len))
			return true;
	return false;
}

/*
 * Parses and checks every certificate, without touching the kernel.  A
 * certificate sent twice is refused (bad_certificate): RFC 8446 4.4.2
 * lets a chain carry extra certificates, but a repeated one serves no
 * path, and our profile wants each certificate to certify the one before.
 */
static int check_chain(const struct cert_der *chain, unsigned int n,
		       time_t now, enum x509_purpose purpose,
		       const char *name, struct cert_peer *out)
{
	struct x509_cert c;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		if (seen_before(chain, i))
			return IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_CERTIFICATE);
		ret = x509_parse(chain[i].p, chain[i].len, &c);
		if (!ret && i == 0)
			ret = x509_check_leaf(&c, now, purpose, name);
		else if (!ret)
			ret = x509_check_ca(&c, now, i - 1);
		if (ret)
			return ret;
		if (i == 0) {
			if (c.spki.len > sizeof(out->spki))
				return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNSUPPORTED_CERTIFICATE);
			memcpy(out->spki, c.spki.p, c.spki.len);
			out->spki_len = c.spki.len;
		}
		if (i == 0 && name)
			snprintf(out->name, sizeof(out->name), "%s", name);
		else if (i == 0 && c.cn.len)
			snprintf(out->name, sizeof(out->name), "%.*s",
				 (int)c.cn.len, (const char *)c.cn.p);
	}
	return 0;
}

static int link_chain(key_serial_t roots, const struct cert_der *chain,
		      unsigned int n, struct cert_peer *out)
{
	char restriction[64];
	key_serial_t id = 0;
	unsigned int i;

	out->ring = ring_new("peer");
	if (out->ring < 0)
		return -errno;
	snprintf(restriction, sizeof(restriction), "key_or_keyring:%d:chain",
		 roots);
	if (keyctl_restrict_keyring(out->ring, "asymmetric", restriction) < 0)
		return -errno;
	/* The last intermediate first: each is checked by the one above. */
	for (i = n; i-- > 0;) {
		id = add_key("asymmetric", NULL, chain[i].p, chain[i].len,
			     out->ring);
		if (id < 0)
			return link_error(errno);
	}
	out->leaf = id;
	return 0;
}

int cert_peer_check(const struct cert_der *chain, unsigned int n,
		    time_t now, enum x509_purpose purpose,
		    const char *expected_name, struct cert_peer *out)
{
	memset(out, 0, sizeof(*out));
	if (!n)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_CERTIFICATE_REQUIRED);
	if (n > CERT_CHAIN_MAX)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_CERTIFICATE);
	return check_chain(chain, n, now, purpose, expected_name, out);
}

/* The chain as an entry keeps it: each DER after its length (4 bytes). */
static uint8_t *chain_flat(const struct cert_der *chain, unsigned int n,
			   size_t *len)
{
	unsigned int i;
	uint8_t *b, *p;

	for (*len = 0, i = 0; i < n; i++)
		*len += 4 + chain[i].len;
	b = malloc(*len);
	for (p = b, i = 0; b && i < n; i++) {
		p[0] = chain[i].len >> 24;
		p[1] = chain[i].len >> 16;
		p[2] = chain[i].len >> 8;
		p[3] = chain[i].len;
		memcpy(p + 4, chain[i].p, chain[i].len);
		p += 4 + chain[i].len;
	}
	return b;
}

/*
 * Under t->lock: the entry for these bytes, taken for a session, or NULL.
 * Its keyring is linked into this thread's process keyring, as the roots'
 * are (cert_trust_get); a link or a look at the leaf that fails (another
 * process of our user invalidated them) drops the entry.
 */
static struct cert_linked *linked_take(struct cert_trust *t, const uint8_t *b,
				       size_t len)
{
	struct cert_linked *e;
	unsigned int i;

	for (i = 0; i < CERT_LINKED_MAX; i++) {
		e = &t->linked[i];
		if (!e->ring || e->stale || e->len != len ||
		    memcmp(e->chain, b, len))
			continue;
		if (keyctl_link(e->ring, KEY_SPEC_PROCESS_KEYRING) < 0 ||
		    keyctl_describe(e->leaf, NULL, 0) < 0) {
			if (!e->users)
				linked_free(t, e, true);
			else
				e->stale = true;
			return NULL;
		}
		e->users++;
		e->used = ++t->clock;
		return e;
	}
	return NULL;
}

/* Under t->lock: a free entry, or the oldest idle one freed; or NULL. */
static struct cert_linked *linked_slot(struct cert_trust *t)
{
	struct cert_linked *e, *old = NULL;
	unsigned int i;

	for (i = 0; i < CERT_LINKED_MAX; i++) {
		e = &t->linked[i];
		if (!e->ring)
			return e;
		if (!e->users && (!old || e->used < old->used))
			old = e;
	}
	if (old)
		linked_free(t, old, true);
	return old;
}

/* Under t->lock: every idle entry goes (the user's key quota is full). */
static bool linked_flush(struct cert_trust *t)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < CERT_LINKED_MAX; i++)
		if (t->linked[i].ring && !t->linked[i].users) {
			linked_free(t, &t->linked[i], true);
			any = true;
		}
	return any;
}

int cert_peer_link(struct cert_trust *t, key_serial_t roots,
		   const struct cert_der *chain, unsigned int n,
		   struct cert_peer *out)
{
	struct cert_linked *e = NULL;
	size_t len = 0;
	uint8_t *b = t ? chain_flat(chain, n, &len) : NULL;
	bool flushed;
	int ret;

	if (b) {
		pthread_mutex_lock(&t->lock);
		if (t->pid == getpid())
			e = linked_take(t, b, len);
		pthread_mutex_unlock(&t->lock);
	}
	if (e) {
		free(b);
		out->ring = e->ring;
		out->leaf = e->leaf;
		out->t = t;
		out->held = e;
		return 0;
	}
	/* Not under the lock: the kernel's verification takes milliseconds. */
	ret = link_chain(roots, chain, n, out);
	if (ret == -EDQUOT && b) {
		cert_ring_release(out->ring);
		out->ring = 0;
		pthread_mutex_lock(&t->lock);
		flushed = linked_flush(t);
		pthread_mutex_unlock(&t->lock);
		if (flushed)
			ret = link_chain(roots, chain, n, out);
	}
	if (ret) {
		free(b);
		cert_ring_release(out->ring);
		out->ring = out->leaf = 0;
		return ret;
	}
	/*
	 * Kept for the sessions after; none free (all held), or a fork
	 * since the roots were loaded: this session's own, as before.
	 */
	if (b) {
		pthread_mutex_lock(&t->lock);
		e = t->pid == getpid() ? linked_slot(t) : NULL;
		if (e) {
			e->chain = b;
			e->len = len;
			e->ring = out->ring;
			e->leaf = out->leaf;
			e->users = 1;
			e->used = ++t->clock;
			out->t = t;
			out->held = e;
			b = NULL;
		}
		pthread_mutex_unlock(&t->lock);
	}
	free(b);
	return 0;
}

void cert_peer_release(struct cert_peer *p)
{
	struct cert_linked *e = p->held;
	struct cert_trust *t = p->t;

	if (e) {
		/* Still ours unless a fork or the roots' end came between. */
		pthread_mutex_lock(&t->lock);
		if (e->ring == p->ring && e->users && --e->users == 0 &&
		    e->stale)
			linked_free(t, e, true);
		pthread_mutex_unlock(&t->lock);
	} else {
		cert_ring_release(p->ring);
	}
	memset(p, 0, sizeof(*p));
}
