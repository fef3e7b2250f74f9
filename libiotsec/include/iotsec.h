/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libiotsec: TLS 1.3 with mutual authentication over kernel TLS, with the
 * identity key in an ATECC508A/608A/608B secure element and the ephemeral
 * key in the kernel or chip: no private key ever enters the process.
 *
 * Errors: every function returns 0 (or a count) on success and a negative
 * code on failure, from one space:
 *   -1 .. -4095                   -errno from the system
 *   -(IOTSEC_ERR_ALERT_SENT | a)  we sent fatal TLS alert a
 *   -(IOTSEC_ERR_ALERT_RECV | a)  the peer sent TLS alert a
 *   -(IOTSEC_ERR_LIB | n)         a library condition (enum below)
 * iotsec_strerror() describes any of them.
 */
#ifndef IOTSEC_H
#define IOTSEC_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * DOC: overview
 *
 * A configuration holds what does not change between sessions: the product
 * root, our certificate chain, the chip key (an "iotsec" key in the kernel
 * keyring: see iotsec-keytype(7)) and the name expected of the peer.  A
 * session runs one handshake on a connected TCP socket; on success the
 * socket is a kernel TLS socket the application read()s, write()s and
 * sendfile()s as usual, and iotsec_session_recv() handles the records that
 * are not data (session tickets, alerts, a peer's KeyUpdate).
 */
struct iotsec_config;
struct iotsec_session;

/* Allocates an empty configuration; returns 0 or -ENOMEM. */
int iotsec_config_new(struct iotsec_config **cfg);
/* Frees it; sessions made from it must be freed first. */
void iotsec_config_free(struct iotsec_config *cfg);
/* The product root CA(s) the peer's chain must lead to (PEM file). */
int iotsec_config_set_root_ca_file(struct iotsec_config *cfg, const char *path);
/*
 * Our certificate chain, leaf first (PEM file), at most 8 certificates.
 * Both file setters leave the configuration unchanged when they fail.
 */
int iotsec_config_set_cert_chain_file(struct iotsec_config *cfg,
				      const char *path);
/* The kernel key that signs for us: a key serial (type "iotsec"). */
int iotsec_config_set_key(struct iotsec_config *cfg, int32_t key_serial);
/*
 * The name the peer's certificate must carry (a subjectAltName dNSName or
 * iPAddress, never the commonName); a client also sends it as
 * server_name unless it is an address literal.  NULL: no name check.  A
 * client needs a name, or iotsec_config_set_any_peer(): without either,
 * iotsec_session_connect() fails with IOTSEC_E_CONFIG, before sending.
 */
int iotsec_config_set_peer_name(struct iotsec_config *cfg, const char *name);
/*
 * any != 0: as client, accept any server whose chain leads to the roots
 * and carries serverAuth, whatever its name (every device certificate of
 * the product with serverAuth then passes for the server); 0 (the
 * default): a client needs a peer name.  A server never needs a name: its
 * clients are identified by the roots (and clientAuth) alone.
 */
int iotsec_config_set_any_peer(struct iotsec_config *cfg, int any);
/* Handshake time limit in milliseconds, 1 .. INT_MAX (default 30000). */
int iotsec_config_set_timeout(struct iotsec_config *cfg, unsigned int ms);
/*
 * Restricts the cipher suites offered or accepted, by IANA name separated
 * by ':' (e.g. "TLS_AES_128_GCM_SHA256").  Default: all three.
 */
int iotsec_config_set_ciphersuites(struct iotsec_config *cfg, const char *list);
/*
 * The AF_ALG kpp algorithm for ECDHE: "ecdh-nist-p256-generic" (the
 * default since 0.5: the kernel's software ECDH), "ecdh-nist-p256" (the
 * highest priority: the chip's TempKey when iotsec.ko is loaded) or
 * another P-256 driver name.
 */
int iotsec_config_set_ecdh(struct iotsec_config *cfg, const char *alg);

/*
 * Where the handshake's symmetric cryptography runs (transcript hash,
 * HMAC/HKDF, handshake record protection): IOTSEC_CRYPTO_KERNEL through
 * AF_ALG (a refused bind fails the handshake), IOTSEC_CRYPTO_USER in the
 * process with OpenSSL's libcrypto, or IOTSEC_CRYPTO_AUTO (default):
 * libcrypto (it used to try AF_ALG first).  The traffic secrets reach
 * the process anyway (kTLS takes them through setsockopt), so this moves
 * no secret that was not there; private keys are not affected: the
 * signature stays on the chip key, ECDHE in AF_ALG kpp.  Since 0.2.
 */
#define IOTSEC_CRYPTO_AUTO	0
#define IOTSEC_CRYPTO_KERNEL	1
#define IOTSEC_CRYPTO_USER	2
int iotsec_config_set_crypto(struct iotsec_config *cfg, unsigned int crypto);

/*
 * PSK resumption (RFC 8446 2.2, 4.6.1), psk_dhe_ke only: a resumed
 * handshake still runs ECDHE (forward secrecy) but exchanges no
 * certificates and makes no chip signature; the session reports the peer
 * authenticated by the full handshake the ticket came from.  Since 0.5.
 *
 * Server: after each handshake one NewSessionTicket goes out (when the
 * client allows psk_dhe_ke), sealed with a ticket key of the
 * configuration that changes every rotate seconds (a ticket then opens
 * for between rotate and twice rotate seconds, and never past its
 * lifetime); a ticket that does not open, has expired, names another
 * suite's hash or is refused by the policy is a full handshake.
 * Client (opt-in: after this call with a lifetime, or an import):
 * psk_key_exchange_modes is sent, and tickets received (through
 * iotsec_session_recv(); a client that read()s the kTLS socket itself
 * must not turn this on) are kept in the configuration, under the peer
 * name it expects ("" with iotsec_config_set_any_peer()), at most 32,
 * each offered once, and from any thread.  lifetime, 1 .. 604800 seconds
 * (default 7200, on for servers), bounds both the tickets a server issues
 * and those a client keeps; 0 turns resumption off in both roles.  rotate: 0 for the default (43200, or
 * lifetime if longer), else at least lifetime.  -EINVAL otherwise.
 */
int iotsec_config_set_tickets(struct iotsec_config *cfg, unsigned int lifetime,
			      unsigned int rotate);
/*
 * Server: asked before a ticket is accepted, with the client identity it
 * carries (the name its certificate was checked for, or its common name,
 * and SHA-256 of its leaf certificate); non-zero allows resumption, 0
 * makes it a full handshake.  NULL (the default) allows every valid
 * ticket.  Called from the thread running the handshake.
 */
typedef int (*iotsec_resume_fn)(void *arg, const char *peer_name,
				const uint8_t peer_id[32]);
int iotsec_config_set_resume_policy(struct iotsec_config *cfg,
				    iotsec_resume_fn allow, void *arg);
/*
 * Client: a blob of iotsec_session_ticket_export() into the
 * configuration's tickets, under the name it was received for.  0,
 * -EINVAL (not a blob of ours), -ESTALE (expired), -ENOMEM.
 */
int iotsec_config_ticket_import(struct iotsec_config *cfg, const void *blob,
				size_t len);

/*
 * Runs the handshake as client (connect) or server (accept) on fd, a
 * connected blocking or non-blocking TCP socket.  On success *out is the
 * session and fd carries kernel TLS.  On failure the peer has been sent
 * the alert that explains it (when one applies) and the error says why.
 */
int iotsec_session_connect(const struct iotsec_config *cfg, int fd,
			   struct iotsec_session **out);
int iotsec_session_accept(const struct iotsec_config *cfg, int fd,
			  struct iotsec_session **out);
/* The negotiated cipher suite's IANA name. */
const char *iotsec_session_cipher(const struct iotsec_session *s);
/* The peer's name as checked, or its certificate's common name. */
const char *iotsec_session_peer_name(const struct iotsec_session *s);
/*
 * Private-key operations the handshake sent to the kernel: ECDHE key
 * generation, ECDH and our CertificateVerify signature (verifications of
 * the peer are not counted).
 */
unsigned int iotsec_session_key_ops(const struct iotsec_session *s);
/*
 * Which backend ran the session's handshake cryptography:
 * IOTSEC_CRYPTO_KERNEL, IOTSEC_CRYPTO_USER, or both ORed (AUTO, where
 * the kernel refused some algorithms).  Since 0.2.
 */
unsigned int iotsec_session_crypto(const struct iotsec_session *s);
/*
 * Reads application data from the kTLS socket.  Session tickets are
 * consumed; close_notify gives 0; end of file without close_notify gives
 * -(IOTSEC_ERR_LIB | IOTSEC_E_PEER_CLOSED) (the data may be truncated); a
 * peer's user_canceled is skipped (its close_notify follows); a peer's
 * KeyUpdate is followed on Linux 6.14 and later (the kernel's read key
 * moves on, and ours too if the peer asks), and before 6.14 it gives
 * -(IOTSEC_ERR_LIB | IOTSEC_E_PEER_KEYUPDATE): the kernel cannot rekey, so
 * the session ends; a peer error alert gives an error, and so does a
 * record that makes us send a fatal alert: every later call returns the
 * same error.  flags as for recv(2); with MSG_PEEK only data stays
 * queued, other records are still consumed.  len must not be 0.
 */
ssize_t iotsec_session_recv(struct iotsec_session *s, void *buf, size_t len,
			    int flags);
/*
 * Sends a KeyUpdate and moves our sending key on (RFC 8446 section 4.6.3);
 * with request_peer non-zero the peer is asked to do the same (its answer
 * is taken by iotsec_session_recv()).  Needs Linux 6.14 or later: before
 * it, -(IOTSEC_ERR_LIB | IOTSEC_E_NO_REKEY) and nothing is sent.  Not to
 * be called while another thread sends on the socket.  Since 0.3.
 */
int iotsec_session_key_update(struct iotsec_session *s, int request_peer);
/* 1 if the handshake resumed a session (PSK with ECDHE), else 0.  Since 0.5. */
int iotsec_session_resumed(const struct iotsec_session *s);
/*
 * SHA-256 of the peer's leaf certificate, as the full handshake (or the
 * one a ticket came from) checked it, into out: 0, or -ENOENT.  Since 0.5.
 */
int iotsec_session_peer_id(const struct iotsec_session *s, uint8_t out[32]);
/*
 * Client: the newest ticket the session received, with what resuming
 * needs (its PSK, suite, lifetime and age data, and the peer identity), as
 * a blob for iotsec_config_ticket_import(), in this or another process.
 * The blob holds a secret: keep it as one.  Returns its length; -ENOENT
 * before a ticket came, -ENOSPC if len is too small (buf NULL and len 0
 * ask for the length).  Since 0.5.
 */
ssize_t iotsec_session_ticket_export(const struct iotsec_session *s, void *buf,
				     size_t len);
/*
 * Sends close_notify, once; nothing after a fatal alert either way (the
 * session has ended).  The socket stays open for the caller to close.
 */
int iotsec_session_close(struct iotsec_session *s);
/* Frees the session (not the socket). */
void iotsec_session_free(struct iotsec_session *s);

#define IOTSEC_ERR_ALERT_SENT	0x10000
#define IOTSEC_ERR_ALERT_RECV	0x20000
#define IOTSEC_ERR_LIB		0x30000

/*
 * TLS alert descriptions: the registry of RFC 8446 section 6 (the values it
 * marks _RESERVED, used by earlier versions, are named by iotsec_strerror()
 * too).  close_notify and user_canceled are closure alerts (6.1): a peer's
 * user_canceled is followed by its close_notify and ends nothing by itself;
 * every other alert, and any value not listed, is an error (6.2).
 */
enum iotsec_alert {
	IOTSEC_ALERT_CLOSE_NOTIFY = 0,
	IOTSEC_ALERT_UNEXPECTED_MESSAGE = 10,
	IOTSEC_ALERT_BAD_RECORD_MAC = 20,
	IOTSEC_ALERT_RECORD_OVERFLOW = 22,
	IOTSEC_ALERT_HANDSHAKE_FAILURE = 40,
	IOTSEC_ALERT_BAD_CERTIFICATE = 42,
	IOTSEC_ALERT_UNSUPPORTED_CERTIFICATE = 43,
	IOTSEC_ALERT_CERTIFICATE_REVOKED = 44,
	IOTSEC_ALERT_CERTIFICATE_EXPIRED = 45,
	IOTSEC_ALERT_CERTIFICATE_UNKNOWN = 46,
	IOTSEC_ALERT_ILLEGAL_PARAMETER = 47,
	IOTSEC_ALERT_UNKNOWN_CA = 48,
	IOTSEC_ALERT_ACCESS_DENIED = 49,
	IOTSEC_ALERT_DECODE_ERROR = 50,
	IOTSEC_ALERT_DECRYPT_ERROR = 51,
	IOTSEC_ALERT_PROTOCOL_VERSION = 70,
	IOTSEC_ALERT_INSUFFICIENT_SECURITY = 71,
	IOTSEC_ALERT_INTERNAL_ERROR = 80,
	IOTSEC_ALERT_INAPPROPRIATE_FALLBACK = 86,
	IOTSEC_ALERT_USER_CANCELED = 90,
	IOTSEC_ALERT_MISSING_EXTENSION = 109,
	IOTSEC_ALERT_UNSUPPORTED_EXTENSION = 110,
	IOTSEC_ALERT_UNRECOGNIZED_NAME = 112,
	IOTSEC_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
	IOTSEC_ALERT_UNKNOWN_PSK_IDENTITY = 115,
	IOTSEC_ALERT_CERTIFICATE_REQUIRED = 116,
	IOTSEC_ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* Library conditions: -(IOTSEC_ERR_LIB | n). */
enum iotsec_lib_error {
	IOTSEC_E_PEER_KEYUPDATE = 1,	/* peer rekeyed: kTLS before 6.14 cannot follow */
	IOTSEC_E_PEER_CLOSED = 2,	/* end of file without close_notify */
	IOTSEC_E_NO_KTLS = 3,		/* kernel TLS unavailable (tls module) */
	IOTSEC_E_CONFIG = 4,		/* configuration incomplete or inconsistent */
	IOTSEC_E_NO_AF_ALG = 5,		/* no AF_ALG at all: no ECDHE (algif_kpp) */
	IOTSEC_E_NO_REKEY = 6,		/* kTLS before 6.14: no KeyUpdate of ours */
};

/**
 * iotsec_strerror() - describe an error code
 * @err: a negative code returned by a libiotsec function (or 0)
 *
 * Return: a constant string, valid for ever and the same from any thread;
 * never NULL.
 */
const char *iotsec_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
