/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal X.509 v3 reader (RFC 5280, DER per X.690) and the checks the
 * 6.1 kernel does not make.  The kernel verifies the chain's signatures
 * when the certificates are linked into a keyring restricted to the
 * product root; this file checks what it ignores: validity dates,
 * basicConstraints, keyUsage, extendedKeyUsage, critical extensions and
 * the peer's name.
 *
 * x509_parse() copies nothing: every span in struct x509_cert points into
 * the caller's DER buffer, which must outlive the struct.
 *
 * Errors, as TLS alerts in the library's error space (RFC 8446 6.2):
 *   bad_certificate          malformed DER or X.509 (x509_parse); a CA
 *                            certificate without cA=TRUE, without
 *                            keyCertSign, or past its pathLenConstraint;
 *                            a leaf whose names do not match
 *   unsupported_certificate  an unknown critical extension; a key other
 *                            than P-256 or a signature other than
 *                            ecdsa-with-SHA256, anywhere in the chain
 *                            (what we advertise); keyUsage without
 *                            digitalSignature; no extendedKeyUsage, or
 *                            one without serverAuth (server) or
 *                            clientAuth (client)
 *   certificate_expired      now is outside [notBefore, notAfter]: RFC
 *                            8446 defines it as "expired or is not
 *                            currently valid", so it covers both ends
 */
#ifndef IOTSEC_X509_H
#define IOTSEC_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define X509_MAX_NAMES	16	/* subjectAltName entries kept (DNS and IP) */

/* A byte range inside the certificate's DER. */
struct x509_span {
	const uint8_t *p;
	size_t len;
};

enum x509_key {
	X509_KEY_OTHER,		/* any other algorithm */
	X509_KEY_EC_P256,	/* id-ecPublicKey, prime256v1, 65-byte 0x04 point */
	X509_KEY_EC_OTHER,	/* another curve, or a compressed point */
	X509_KEY_RSA,		/* rsaEncryption */
};

enum x509_sig {
	X509_SIG_OTHER,
	X509_SIG_ECDSA_SHA256,
	X509_SIG_ECDSA_SHA384,
	X509_SIG_ECDSA_SHA512,
	X509_SIG_RSA_SHA256,	/* sha256WithRSAEncryption (PKCS #1 v1.5) */
	X509_SIG_RSA_SHA384,
	X509_SIG_RSA_SHA512,
	X509_SIG_RSA_PSS,	/* RSASSA-PSS, parameters not read */
};

/* keyUsage (RFC 5280 4.2.1.3): named bit n is (1 << n). */
#define X509_KU_DIGITAL_SIGNATURE	(1u << 0)
#define X509_KU_NON_REPUDIATION		(1u << 1)
#define X509_KU_KEY_ENCIPHERMENT	(1u << 2)
#define X509_KU_DATA_ENCIPHERMENT	(1u << 3)
#define X509_KU_KEY_AGREEMENT		(1u << 4)
#define X509_KU_KEY_CERT_SIGN		(1u << 5)
#define X509_KU_CRL_SIGN		(1u << 6)
#define X509_KU_ENCIPHER_ONLY		(1u << 7)
#define X509_KU_DECIPHER_ONLY		(1u << 8)

/* extendedKeyUsage (RFC 5280 4.2.1.12): the purposes we know. */
#define X509_EKU_SERVER_AUTH	(1u << 0)	/* id-kp-serverAuth */
#define X509_EKU_CLIENT_AUTH	(1u << 1)	/* id-kp-clientAuth */
#define X509_EKU_ANY		(1u << 2)	/* anyExtendedKeyUsage */
#define X509_EKU_OTHER		(1u << 3)	/* any other KeyPurposeId */

enum x509_name_type {
	X509_NAME_DNS,		/* dNSName: IA5String, as encoded */
	X509_NAME_IP,		/* iPAddress: 4 or 16 bytes, network order */
};

struct x509_name {
	enum x509_name_type type;
	struct x509_span v;
};

enum x509_purpose {
	X509_PURPOSE_SERVER,	/* the peer is a TLS server */
	X509_PURPOSE_CLIENT,	/* the peer is a TLS client */
};

/**
 * struct x509_cert - one parsed certificate; spans point into its DER
 * @raw: the whole Certificate
 * @tbs: the TBSCertificate, tag and length included (the signed bytes)
 * @version: 1, 2 or 3
 * @serial: serialNumber contents (two's complement, as encoded)
 * @issuer: issuer Name, tag and length included (compare for chain order)
 * @subject: subject Name, tag and length included
 * @not_before: notBefore, seconds since the epoch (UTC)
 * @not_after: notAfter; both clamped to the range of time_t
 * @spki: SubjectPublicKeyInfo, tag and length included
 * @key_type: the key's algorithm
 * @key: subjectPublicKey contents; for X509_KEY_EC_P256 the 65-byte point
 * @sig_alg: signatureAlgorithm (equal to the TBS signature field)
 * @sig: signatureValue contents (for ECDSA a DER Ecdsa-Sig-Value)
 * @cn: the subject's commonName contents if it has exactly one, encoded as
 *	UTF8String, PrintableString or IA5String; else empty
 * @cn_count: number of commonName attributes in the subject
 * @bc_present: basicConstraints present
 * @bc_ca: its cA flag
 * @bc_path_len: its pathLenConstraint, or -1 if absent
 * @ku_present: keyUsage present
 * @ku: its X509_KU_* bits
 * @eku_present: extendedKeyUsage present
 * @eku: its X509_EKU_* bits
 * @san_present: subjectAltName present (even with no DNS or IP entry)
 * @n_names: entries kept in @names
 * @names_dropped: DNS/IP entries past X509_MAX_NAMES, never matched
 * @names: the dNSName and iPAddress entries, in certificate order
 * @unknown_critical: a critical extension we do not process is present;
 *	RFC 5280 4.2 requires rejecting the certificate (the checks do)
 */
struct x509_cert {
	struct x509_span raw;
	struct x509_span tbs;
	int version;
	struct x509_span serial;
	struct x509_span issuer;
	struct x509_span subject;
	time_t not_before;
	time_t not_after;
	struct x509_span spki;
	enum x509_key key_type;
	struct x509_span key;
	enum x509_sig sig_alg;
	struct x509_span sig;
	struct x509_span cn;
	unsigned int cn_count;
	bool bc_present;
	bool bc_ca;
	int bc_path_len;
	bool ku_present;
	unsigned int ku;
	bool eku_present;
	unsigned int eku;
	bool san_present;
	unsigned int n_names;
	unsigned int names_dropped;
	struct x509_name names[X509_MAX_NAMES];
	bool unknown_critical;
};

/**
 * x509_parse() - read one DER certificate
 * @der: the certificate, exactly (no trailing bytes)
 * @len: its length
 * @c: filled on success; zeroed on failure
 *
 * Checks DER (definite, minimal lengths; BOOLEAN 0x00/0xFF; minimal
 * INTEGERs; zero unused bits), the structure of RFC 5280 section 4.1,
 * that the TBS signature algorithm equals the outer one, the extensions
 * we read (basicConstraints, keyUsage, extendedKeyUsage, subjectAltName)
 * and that none of them appears twice.  Times must be UTCTime
 * YYMMDDHHMMSSZ (YY < 50 is 20YY) or GeneralizedTime YYYYMMDDHHMMSSZ.
 * Signatures are not checked here: the kernel does that.
 *
 * Return: 0; -EINVAL for a NULL argument; IOTSEC_ALERT_ERR(
 * IOTSEC_ALERT_BAD_CERTIFICATE) for anything malformed.
 */
int x509_parse(const uint8_t *der, size_t len, struct x509_cert *c);

/**
 * x509_check_leaf() - may this end-entity certificate authenticate a peer?
 * @c: the peer's certificate, parsed
 * @now: the current time
 * @purpose: X509_PURPOSE_SERVER when the peer is the server, else CLIENT
 * @expected_name: DNS name or IP literal the peer must have, or NULL to
 *	skip the name check (clients identified by the CA alone)
 *
 * Checks, in this order: no unknown critical extension, a P-256 key
 * signed with ecdsa-with-SHA256, the validity period, keyUsage (if
 * present) includes digitalSignature, basicConstraints (if present) says
 * cA FALSE (a CA certificate is no peer's), extendedKeyUsage is present and
 * includes serverAuth or clientAuth as @purpose needs (a certificate
 * without it is not taken as "any purpose", and anyExtendedKeyUsage alone
 * is not enough: RFC 5280 4.2.1.12 lets us require the specific purpose),
 * and the name.
 *
 * Return: 0, or IOTSEC_ALERT_ERR() of unsupported_certificate,
 * certificate_expired or bad_certificate (see the top of this file).
 */
int x509_check_leaf(const struct x509_cert *c, time_t now,
		    enum x509_purpose purpose, const char *expected_name);

/**
 * x509_check_ca() - may this certificate issue the ones below it?
 * @c: an intermediate or root certificate, parsed
 * @now: the current time
 * @depth: number of intermediate CA certificates between @c and the leaf
 *	(0 for the leaf's issuer), checked against pathLenConstraint
 *	(self-issued intermediates are counted too: stricter than RFC 5280)
 *
 * Checks: no unknown critical extension, a P-256 key signed with
 * ecdsa-with-SHA256, the validity period,
 * basicConstraints present with cA TRUE, keyUsage (if present) includes
 * keyCertSign, and pathLenConstraint (if present) >= @depth.
 *
 * Return: 0, or IOTSEC_ALERT_ERR() of unsupported_certificate,
 * certificate_expired or bad_certificate.
 */
int x509_check_ca(const struct x509_cert *c, time_t now, unsigned int depth);

/**
 * x509_name_match() - does the certificate identify @name? (RFC 6125)
 * @c: the certificate, parsed
 * @name: a DNS name (one trailing dot allowed) or an IPv4/IPv6 literal
 *
 * An IP literal (inet_pton) matches an iPAddress entry of the same
 * family byte for byte, and nothing else.  A DNS name matches a dNSName
 * entry case-insensitively (ASCII); a wildcard is accepted only as the
 * whole leftmost label of an entry with at least two more labels, and
 * stands for exactly one non-empty label: "*.example.com" matches
 * "a.example.com" but not "example.com" nor "a.b.example.com".  The
 * commonName is never tried, even without a subjectAltName (RFC 9525
 * 6.3).  Entries are compared as encoded (one with a trailing dot never
 * matches).  Names that are empty, too long, or hold characters outside
 * letters, digits, '-', '_' and '.' never match; neither do entries past
 * X509_MAX_NAMES.
 *
 * Return: true if @name matches.
 */
bool x509_name_match(const struct x509_cert *c, const char *name);

#endif
