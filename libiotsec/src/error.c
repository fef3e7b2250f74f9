// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_strerror: one error space for system errors, TLS alerts both
 * ways and library conditions (see iotsec.h).
 */
#include <string.h>

#include "iotsec.h"
#include "internal.h"

static const struct {
	int code;
	const char *text;
} alerts[] = {
	{ IOTSEC_ALERT_CLOSE_NOTIFY, "close_notify" },
	{ IOTSEC_ALERT_UNEXPECTED_MESSAGE, "unexpected_message" },
	{ IOTSEC_ALERT_BAD_RECORD_MAC, "bad_record_mac" },
	{ IOTSEC_ALERT_RECORD_OVERFLOW, "record_overflow" },
	{ IOTSEC_ALERT_HANDSHAKE_FAILURE, "handshake_failure" },
	{ IOTSEC_ALERT_BAD_CERTIFICATE, "bad_certificate" },
	{ IOTSEC_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate" },
	{ IOTSEC_ALERT_CERTIFICATE_REVOKED, "certificate_revoked" },
	{ IOTSEC_ALERT_CERTIFICATE_EXPIRED, "certificate_expired" },
	{ IOTSEC_ALERT_CERTIFICATE_UNKNOWN, "certificate_unknown" },
	{ IOTSEC_ALERT_ILLEGAL_PARAMETER, "illegal_parameter" },
	{ IOTSEC_ALERT_UNKNOWN_CA, "unknown_ca" },
	{ IOTSEC_ALERT_ACCESS_DENIED, "access_denied" },
	{ IOTSEC_ALERT_DECODE_ERROR, "decode_error" },
	{ IOTSEC_ALERT_DECRYPT_ERROR, "decrypt_error" },
	{ IOTSEC_ALERT_PROTOCOL_VERSION, "protocol_version" },
	{ IOTSEC_ALERT_INSUFFICIENT_SECURITY, "insufficient_security" },
	{ IOTSEC_ALERT_INTERNAL_ERROR, "internal_error" },
	{ IOTSEC_ALERT_MISSING_EXTENSION, "missing_extension" },
	{ IOTSEC_ALERT_UNSUPPORTED_EXTENSION, "unsupported_extension" },
	{ IOTSEC_ALERT_UNRECOGNIZED_NAME, "unrecognized_name" },
	{ IOTSEC_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
	  "bad_certificate_status_response" },
	{ IOTSEC_ALERT_CERTIFICATE_REQUIRED, "certificate_required" },
	{ IOTSEC_ALERT_NO_APPLICATION_PROTOCOL, "no_application_protocol" },
};

static const char *alert_name(int a)
{
	size_t i;

	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (alerts[i].code == a)
			return alerts[i].text;
	return "unknown alert";
}

static const char *lib_text(int n)
{
	switch (n) {
	case IOTSEC_E_PEER_KEYUPDATE:
		return "peer sent KeyUpdate: kernel TLS cannot rekey, session ended";
	case IOTSEC_E_PEER_CLOSED:
		return "peer closed the session (close_notify)";
	case IOTSEC_E_NO_KTLS:
		return "kernel TLS is not available (load the tls module)";
	case IOTSEC_E_CONFIG:
		return "configuration incomplete or inconsistent";
	}
	return "unknown library error";
}

IOTSEC_EXPORT const char *iotsec_strerror(int err)
{
	/* One buffer per thread: the alert texts are composed. */
	static __thread char buf[96];
	int e = -err;

	if (err == 0)
		return "success";
	if (err > 0 || e >= 0x40000)
		return "invalid error code";
	if (e < IOTSEC_ERR_ALERT_SENT)
		return strerror_r(e, buf, sizeof(buf)) ? "unknown system error" : buf;
	if (e >= IOTSEC_ERR_LIB)
		return lib_text(e & 0xffff);
	snprintf(buf, sizeof(buf), "TLS alert %s %s",
		 e >= IOTSEC_ERR_ALERT_RECV ? "from peer:" : "sent:",
		 alert_name(e & 0xff));
	return buf;
}
