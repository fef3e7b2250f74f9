// SPDX-License-Identifier: GPL-2.0
/*
 * Peer chains into the kernel keyring (see cert.h).
 */
#include <errno.h>
#include <stdio.h>
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
}

int cert_trust_get(struct cert_trust *t, const struct cert_der *roots,
		   unsigned int n, key_serial_t *ring)
{
	pid_t pid = getpid();
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	/* A fork's child: the ring is its parent's, and not ours to drop. */
	if (t->ring && t->pid != pid)
		t->ring = 0;
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
	pthread_mutex_lock(&t->lock);
	if (t->ring && t->pid == getpid())
		cert_ring_release(t->ring);
	t->ring = 0;
	pthread_mutex_unlock(&t->lock);
}

void cert_trust_destroy(struct cert_trust *t)
{
	cert_trust_drop(t);
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

int cert_peer_link(key_serial_t roots, const struct cert_der *chain,
		   unsigned int n, struct cert_peer *out)
{
	int ret = link_chain(roots, chain, n, out);

	if (ret)
		cert_ring_release(out->ring);
	if (ret)
		out->ring = out->leaf = 0;
	return ret;
}

void cert_peer_release(struct cert_peer *p)
{
	cert_ring_release(p->ring);
	memset(p, 0, sizeof(*p));
}
