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

#define IOTSEC_ERR_ALERT_SENT	0x10000
#define IOTSEC_ERR_ALERT_RECV	0x20000
#define IOTSEC_ERR_LIB		0x30000

/* TLS alert descriptions (RFC 8446 section 6) the library uses. */
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
	IOTSEC_ALERT_MISSING_EXTENSION = 109,
	IOTSEC_ALERT_UNSUPPORTED_EXTENSION = 110,
	IOTSEC_ALERT_UNRECOGNIZED_NAME = 112,
	IOTSEC_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
	IOTSEC_ALERT_CERTIFICATE_REQUIRED = 116,
	IOTSEC_ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* Library conditions: -(IOTSEC_ERR_LIB | n). */
enum iotsec_lib_error {
	IOTSEC_E_PEER_KEYUPDATE = 1,	/* peer rekeyed: kTLS on this kernel cannot follow */
	IOTSEC_E_PEER_CLOSED = 2,	/* peer sent close_notify */
	IOTSEC_E_NO_KTLS = 3,		/* kernel TLS unavailable (tls module) */
	IOTSEC_E_CONFIG = 4,		/* configuration incomplete or inconsistent */
};

/**
 * iotsec_strerror() - describe an error code
 * @err: a negative code returned by a libiotsec function (or 0)
 *
 * Return: a static string; never NULL.
 */
const char *iotsec_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
