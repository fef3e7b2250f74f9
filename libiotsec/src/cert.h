/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates and the kernel keyring.
 *
 * The product root(s) go into a keyring of their own, made once per
 * configuration (struct cert_trust) by the first session that needs it
 * and closed to further links; each peer chain goes into a fresh keyring
 * of its session restricted with
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
#include <sys/types.h>
#include <time.h>

#include "x509.h"

#define CERT_CHAIN_MAX	8

struct cert_der {
	const uint8_t *p;
	size_t len;
};

#define CERT_SPKI_MAX	128	/* a P-256 SubjectPublicKeyInfo is 91 bytes */

struct cert_peer {
	key_serial_t ring;	/* the restricted keyring holding the chain */
	key_serial_t leaf;	/* the leaf's asymmetric key */
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
 * cert_trust_drop() releases it (the roots changed, or the configuration
 * goes); nothing may use the ring then.
 */
struct cert_trust {
	pthread_mutex_t lock;
	key_serial_t ring;	/* 0: not made yet */
	pid_t pid;		/* the process whose keyring holds it */
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
 * it, the kernel checking each signature up to the roots.  The handshake
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
int cert_peer_link(key_serial_t roots, const struct cert_der *chain,
		   unsigned int n, struct cert_peer *out);
void cert_peer_release(struct cert_peer *p);
void cert_ring_release(key_serial_t ring);

#endif
