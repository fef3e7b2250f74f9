/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates and the kernel keyring.
 *
 * The product root(s) go into a keyring of their own, made once per
 * configuration (struct cert_trust) by the first session that needs it
 * and closed to further links; each peer chain goes into a keyring of its
 * own (kept for the next session that meets the same chain) restricted with
 * "asymmetric key_or_keyring:<root ring>:chain", intermediates first, so
 * that the kernel verifies every signature as the keys are linked (our
 * ecdsa-nist-p256 provider does the arithmetic on Debian's 6.1).  What
 * the 6.1 kernel does not check (dates, basicConstraints, key usage,
 * names, critical extensions) is checked here with x509.c.  The leaf's
 * key then verifies the peer's CertificateVerify (sign.h: in the process
 * with the SubjectPublicKeyInfo the kernel accepted, or by the kernel's
 * copy of the key with IOTSEC_CRYPTO_KERNEL).
 */
#ifndef IOTSEC_CERT_H
#define IOTSEC_CERT_H

#include <keyutils.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "x509.h"

#define CERT_CHAIN_MAX	8

struct cert_der {
	const uint8_t *p;
	size_t len;
};

#define CERT_SPKI_MAX	128	/* a P-256 SubjectPublicKeyInfo is 91 bytes */

struct cert_linked;

struct cert_peer {
	key_serial_t ring;	/* the restricted keyring holding the chain */
	key_serial_t leaf;	/* the leaf's asymmetric key */
	struct cert_trust *t;	/* ring is t's linked[] entry held, or NULL */
	struct cert_linked *held;
	char name[256];		/* the name checked, or the leaf's CN */
	uint8_t spki[CERT_SPKI_MAX];	/* the leaf's, as the kernel links it */
	size_t spki_len;
};

/*
 * Adds the root(s) to a new keyring under the process keyring, then
 * restricts it to reject every further link; the kernel checks
 * self-signatures as the roots are added.
 */
int cert_roots_load(const struct cert_der *roots, unsigned int n,
		    key_serial_t *ring);

/*
 * The roots' keyring of one configuration, shared by its sessions in any
 * thread: cert_trust_get() makes it on first use (under the lock, so
 * once), later calls return it.  A process keyring is not inherited by
 * fork(), so a child that finds its parent's ring makes its own.
 * cert_trust_drop() releases it and the chains linked under it (the
 * roots changed, or the configuration goes); nothing may use the ring
 * then, and a linked chain still held by a session goes when that
 * session releases it.
 */
/*
 * A chain the kernel linked under the roots, kept for the sessions after
 * (cert_peer_link): a peer that comes back with the same bytes costs no
 * second verification.  Only the kernel's verdict on the signatures is
 * kept; dates, names and the rest are checked again by every session.
 */
#define CERT_LINKED_MAX	8

struct cert_linked {
	uint8_t *chain;		/* the DERs as linked, each after its length */
	size_t len;
	key_serial_t ring;	/* 0: a free entry */
	key_serial_t leaf;
	unsigned int users;	/* sessions holding it now */
	bool stale;		/* the roots changed: goes with its last user */
	unsigned long used;	/* when last taken (eviction: the oldest idle) */
};

struct cert_trust {
	pthread_mutex_t lock;
	key_serial_t ring;	/* 0: not made yet */
	pid_t pid;		/* the process whose keyring holds it */
	struct cert_linked linked[CERT_LINKED_MAX];
	unsigned long clock;
};

void cert_trust_init(struct cert_trust *t);
int cert_trust_get(struct cert_trust *t, const struct cert_der *roots,
		   unsigned int n, key_serial_t *ring);
void cert_trust_drop(struct cert_trust *t);
void cert_trust_destroy(struct cert_trust *t);
/*
 * A peer chain (leaf first, as sent in Certificate), in two steps.
 * cert_peer_check() parses and checks it without the kernel (zeroes *out
 * first, fills in the name); expected_name may be NULL (no name check).
 * cert_peer_link() then makes the peer's keyring and links the chain into
 * it, the kernel checking each signature up to the roots; or, when t
 * holds the same chain already linked (struct cert_linked), shares that
 * keyring.  cert_peer_release() gives it back (a shared one stays in t
 * until evicted, the roots change or t goes).  The handshake
 * links only when the CertificateVerify is in hand (hs.c): a peer that
 * sends a Certificate and stalls holds no key of our user's quota.
 * Errors are TLS alerts: certificate_required (empty chain),
 * bad_certificate, unsupported_certificate, certificate_expired; the
 * link: unknown_ca, bad_certificate, unsupported_certificate, -errno
 * (EDQUOT).
 */
int cert_peer_check(const struct cert_der *chain, unsigned int n,
		    time_t now, enum x509_purpose purpose,
		    const char *expected_name, struct cert_peer *out);
int cert_peer_link(struct cert_trust *t, key_serial_t roots,
		   const struct cert_der *chain, unsigned int n,
		   struct cert_peer *out);
void cert_peer_release(struct cert_peer *p);
void cert_ring_release(key_serial_t ring);

#endif
