// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_strerror: one error space for system errors, TLS alerts both
 * ways and library conditions (see iotsec.h).  Every text is a constant
 * string: nothing is composed, so the pointer stays valid for ever and
 * the function is safe from any thread.
 */
#define _GNU_SOURCE		/* strerrordesc_np() */
#include <stdbool.h>
#include <string.h>

#include "iotsec.h"
#include "internal.h"

#define ALERT(code, name) \
	{ code, "TLS alert sent: " name, "TLS alert from peer: " name }

static const struct {
	int code;
	const char *sent;
	const char *recv;
} alerts[] = {
	ALERT(IOTSEC_ALERT_CLOSE_NOTIFY, "close_notify"),
	ALERT(IOTSEC_ALERT_UNEXPECTED_MESSAGE, "unexpected_message"),
	ALERT(IOTSEC_ALERT_BAD_RECORD_MAC, "bad_record_mac"),
	ALERT(21, "decryption_failed_RESERVED"),
	ALERT(IOTSEC_ALERT_RECORD_OVERFLOW, "record_overflow"),
	ALERT(30, "decompression_failure_RESERVED"),
	ALERT(IOTSEC_ALERT_HANDSHAKE_FAILURE, "handshake_failure"),
	ALERT(41, "no_certificate_RESERVED"),
	ALERT(IOTSEC_ALERT_BAD_CERTIFICATE, "bad_certificate"),
	ALERT(IOTSEC_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate"),
	ALERT(IOTSEC_ALERT_CERTIFICATE_REVOKED, "certificate_revoked"),
	ALERT(IOTSEC_ALERT_CERTIFICATE_EXPIRED, "certificate_expired"),
	ALERT(IOTSEC_ALERT_CERTIFICATE_UNKNOWN, "certificate_unknown"),
	ALERT(IOTSEC_ALERT_ILLEGAL_PARAMETER, "illegal_parameter"),
	ALERT(IOTSEC_ALERT_UNKNOWN_CA, "unknown_ca"),
	ALERT(IOTSEC_ALERT_ACCESS_DENIED, "access_denied"),
	ALERT(IOTSEC_ALERT_DECODE_ERROR, "decode_error"),
	ALERT(IOTSEC_ALERT_DECRYPT_ERROR, "decrypt_error"),
	ALERT(60, "export_restriction_RESERVED"),
	ALERT(IOTSEC_ALERT_PROTOCOL_VERSION, "protocol_version"),
	ALERT(IOTSEC_ALERT_INSUFFICIENT_SECURITY, "insufficient_security"),
	ALERT(IOTSEC_ALERT_INTERNAL_ERROR, "internal_error"),
	ALERT(IOTSEC_ALERT_INAPPROPRIATE_FALLBACK, "inappropriate_fallback"),
	ALERT(IOTSEC_ALERT_USER_CANCELED, "user_canceled"),
	ALERT(100, "no_renegotiation_RESERVED"),
	ALERT(IOTSEC_ALERT_MISSING_EXTENSION, "missing_extension"),
	ALERT(IOTSEC_ALERT_UNSUPPORTED_EXTENSION, "unsupported_extension"),
	ALERT(111, "certificate_unobtainable_RESERVED"),
	ALERT(IOTSEC_ALERT_UNRECOGNIZED_NAME, "unrecognized_name"),
	ALERT(IOTSEC_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
	      "bad_certificate_status_response"),
	ALERT(114, "bad_certificate_hash_value_RESERVED"),
	ALERT(IOTSEC_ALERT_UNKNOWN_PSK_IDENTITY, "unknown_psk_identity"),
	ALERT(IOTSEC_ALERT_CERTIFICATE_REQUIRED, "certificate_required"),
	ALERT(IOTSEC_ALERT_NO_APPLICATION_PROTOCOL, "no_application_protocol"),
};

static const char *alert_text(int a, bool recv)
{
	size_t i;

	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (alerts[i].code == a)
			return recv ? alerts[i].recv : alerts[i].sent;
	return recv ? "TLS alert from peer: unknown alert" :
		      "TLS alert sent: unknown alert";
}

static const char *lib_text(int n)
{
	switch (n) {
	case IOTSEC_E_PEER_KEYUPDATE:
		return "peer sent KeyUpdate: kernel TLS cannot rekey before Linux 6.14, session ended";
	case IOTSEC_E_PEER_CLOSED:
		return "peer closed the connection without close_notify: data may be truncated";
	case IOTSEC_E_NO_KTLS:
		return "kernel TLS is not available (load the tls module)";
	case IOTSEC_E_CONFIG:
		return "configuration incomplete or inconsistent";
	case IOTSEC_E_NO_AF_ALG:
		return "AF_ALG is off in this kernel: no ECDHE key (algif_kpp), no handshake";
	case IOTSEC_E_NO_REKEY:
		return "kernel TLS cannot rekey before Linux 6.14: no KeyUpdate sent, the session goes on";
	}
	return "unknown library error";
}

IOTSEC_EXPORT const char *iotsec_strerror(int err)
{
	const char *text;
	int e = -err;

	if (err == 0)
		return "success";
	if (err > 0 || e >= 0x40000)
		return "invalid error code";
	if (e < IOTSEC_ERR_ALERT_SENT) {
		/* The C library's own constant text, untranslated. */
		text = strerrordesc_np(e);
		return text ? text : "unknown system error";
	}
	if (e >= IOTSEC_ERR_LIB)
		return lib_text(e & 0xffff);
	return alert_text(e & 0xff, e >= IOTSEC_ERR_ALERT_RECV);
}
