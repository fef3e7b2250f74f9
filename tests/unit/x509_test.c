// SPDX-License-Identifier: GPL-2.0
/*
 * The X.509 reader and checks against certificates OpenSSL makes at run
 * time: every field read must equal what libcrypto reports, each check
 * must give its documented verdict and alert, names follow RFC 6125,
 * PEM follows RFC 7468, and no truncation or one-byte mutation of a real
 * certificate may crash the parser.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "iotsec.h"
#include "internal.h"
#include "cert.h"
#include "pem.h"
#include "x509.h"
#include "kselftest_harness.h"

#define BAD	IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_CERTIFICATE)
#define UNSUP	IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNSUPPORTED_CERTIFICATE)
#define EXPIRED	IOTSEC_ALERT_ERR(IOTSEC_ALERT_CERTIFICATE_EXPIRED)
#define DAY	86400L

enum key_kind { KEY_P256, KEY_P384, KEY_RSA };

/* What make_cert() builds; NULL/0 fields take the defaults. */
struct spec {
	const char *cn;
	const char *cn2;		/* a second commonName */
	const char *san;		/* subjectAltName, openssl config syntax */
	const char *bc;			/* basicConstraints */
	const char *ku;			/* keyUsage */
	const char *eku;		/* extendedKeyUsage */
	const char *ext_oid;		/* one more extension, by OID… */
	const char *ext_value;		/* …and value, e.g. "critical,ASN1:NULL" */
	const char *not_before;		/* "YYYYMMDDHHMMSSZ"; UTCTime until 2049 */
	const char *not_after;
	long nb, na;			/* else seconds from now (0: -1 d, +365 d) */
	const char *serial;		/* hex, default "01" */
	enum key_kind key;
	const EVP_MD *(*md)(void);	/* default SHA-256 */
	bool v1;			/* version 1, no extensions */
	bool dup_bc;			/* basicConstraints twice */
};

struct der {
	uint8_t *p;
	size_t len;
};

static EVP_PKEY *keygen(enum key_kind k)
{
	switch (k) {
	case KEY_P384:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	case KEY_RSA:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	default:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	}
}

static int add_ext(X509 *x, X509V3_CTX *ctx, const char *name,
		   const char *value)
{
	X509_EXTENSION *e;
	int ok;

	if (!value)
		return 1;
	e = X509V3_EXT_nconf(NULL, ctx, name, value);
	if (!e)
		return 0;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

static int set_time(ASN1_TIME *t, const char *s, long off, long def)
{
	if (s)
		return ASN1_TIME_set_string_X509(t, s);
	return X509_gmtime_adj(t, off ? off : def) != NULL;
}

static int set_names(X509 *x, const struct spec *s, X509 *issuer)
{
	X509_NAME *n = X509_get_subject_name(x);
	const unsigned char *o = (const unsigned char *)"iotsec test";
	int ok;

	ok = X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, o, -1, -1, 0);
	if (ok && s->cn)
		ok = X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
			(const unsigned char *)s->cn, -1, -1, 0);
	if (ok && s->cn2)
		ok = X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
			(const unsigned char *)s->cn2, -1, -1, 0);
	return ok && X509_set_issuer_name(x, issuer ?
					  X509_get_subject_name(issuer) : n);
}

static int set_exts(X509 *x, const struct spec *s, X509 *issuer)
{
	X509V3_CTX ctx;
	int ok;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	ok = add_ext(x, &ctx, "subjectKeyIdentifier", "hash") &&
	     add_ext(x, &ctx, "authorityKeyIdentifier", "keyid") &&
	     add_ext(x, &ctx, "basicConstraints", s->bc) &&
	     add_ext(x, &ctx, "keyUsage", s->ku) &&
	     add_ext(x, &ctx, "extendedKeyUsage", s->eku) &&
	     add_ext(x, &ctx, "subjectAltName", s->san);
	if (ok && s->ext_oid)
		ok = add_ext(x, &ctx, s->ext_oid, s->ext_value);
	if (ok && s->dup_bc)
		ok = add_ext(x, &ctx, "basicConstraints", s->bc);
	return ok;
}

/*
 * Builds and signs a certificate for a fresh key (returned in *keyp if
 * asked): self-signed if @issuer is NULL, else by @ikey.
 */
static X509 *make_cert(const struct spec *s, X509 *issuer, EVP_PKEY *ikey,
		       EVP_PKEY **keyp)
{
	EVP_PKEY *key = keygen(s->key);
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	int ok;

	ok = key && x && BN_hex2bn(&bn, s->serial ? s->serial : "01") &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
	     X509_set_version(x, s->v1 ? X509_VERSION_1 : X509_VERSION_3) &&
	     set_names(x, s, issuer) &&
	     set_time(X509_getm_notBefore(x), s->not_before, s->nb, -DAY) &&
	     set_time(X509_getm_notAfter(x), s->not_after, s->na, 365 * DAY) &&
	     X509_set_pubkey(x, key) &&
	     (s->v1 || set_exts(x, s, issuer)) &&
	     X509_sign(x, issuer ? ikey : key, s->md ? s->md() : EVP_sha256());
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		EVP_PKEY_free(key);
		return NULL;
	}
	if (keyp)
		*keyp = key;
	else
		EVP_PKEY_free(key);
	return x;
}

/* Exactly-sized heap copy of the DER, so ASan sees any overread. */
static struct der to_der(X509 *x)
{
	struct der d = { NULL, 0 };
	int n = i2d_X509(x, NULL);
	unsigned char *p;

	if (n <= 0)
		return d;
	d.p = malloc(n);
	p = d.p;
	if (d.p && i2d_X509(x, &p) == n)
		d.len = n;
	return d;
}

static bool span_is(struct x509_span s, const void *p, size_t len)
{
	return s.len == len && (!len || !memcmp(s.p, p, len));
}

/* An i2d_* encoding compared with a span. */
#define SPAN_IS_I2D(span, i2d, obj) ({					\
	unsigned char *_b = NULL;					\
	int _n = i2d(obj, &_b);						\
	bool _ok = _n > 0 && span_is(span, _b, _n);			\
	OPENSSL_free(_b);						\
	_ok;								\
})

static time_t openssl_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm))
		return (time_t)-1;
	return timegm(&tm);
}

static enum x509_sig openssl_sig(int nid)
{
	switch (nid) {
	case NID_ecdsa_with_SHA256: return X509_SIG_ECDSA_SHA256;
	case NID_ecdsa_with_SHA384: return X509_SIG_ECDSA_SHA384;
	case NID_ecdsa_with_SHA512: return X509_SIG_ECDSA_SHA512;
	case NID_sha256WithRSAEncryption: return X509_SIG_RSA_SHA256;
	case NID_sha384WithRSAEncryption: return X509_SIG_RSA_SHA384;
	case NID_sha512WithRSAEncryption: return X509_SIG_RSA_SHA512;
	}
	return X509_SIG_OTHER;
}

static enum x509_key openssl_key(EVP_PKEY *pk)
{
	char group[64] = "";

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL);
		return strcmp(group, "prime256v1") ? X509_KEY_EC_OTHER :
		       X509_KEY_EC_P256;
	case EVP_PKEY_RSA:
		return X509_KEY_RSA;
	}
	return X509_KEY_OTHER;
}

/* Our keyUsage bits in OpenSSL's layout (first octet, then second << 8). */
static uint32_t openssl_ku(unsigned int ku)
{
	uint32_t v = 0;
	int n;

	for (n = 0; n < 9; n++)
		if (ku & 1u << n)
			v |= n < 8 ? 0x80u >> n : 0x8000u;
	return v;
}

static unsigned int openssl_eku(uint32_t x)
{
	return (x & XKU_SSL_SERVER ? X509_EKU_SERVER_AUTH : 0) |
	       (x & XKU_SSL_CLIENT ? X509_EKU_CLIENT_AUTH : 0) |
	       (x & XKU_ANYEKU ? X509_EKU_ANY : 0) |
	       (x & ~(uint32_t)(XKU_SSL_SERVER | XKU_SSL_CLIENT | XKU_ANYEKU) ?
		X509_EKU_OTHER : 0);
}

static void compare_sans(struct __test_metadata *_metadata, X509 *x,
			 const struct x509_cert *c)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name,
					       NULL, NULL);
	unsigned int k = 0;
	int i, type;

	EXPECT_EQ(gens != NULL, c->san_present);
	for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		ASN1_STRING *s = GENERAL_NAME_get0_value(
			sk_GENERAL_NAME_value(gens, i), &type);

		if (type != GEN_DNS && type != GEN_IPADD)
			continue;
		if (k < c->n_names) {
			EXPECT_EQ(type == GEN_DNS ? X509_NAME_DNS : X509_NAME_IP,
				  c->names[k].type);
			EXPECT_TRUE(span_is(c->names[k].v,
					    ASN1_STRING_get0_data(s),
					    ASN1_STRING_length(s)));
		}
		k++;
	}
	EXPECT_EQ(k, c->n_names + c->names_dropped);
	GENERAL_NAMES_free(gens);
}

static void compare_cn(struct __test_metadata *_metadata, X509 *x,
		       const struct x509_cert *c)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	ASN1_STRING *d;

	if (i < 0 || X509_NAME_get_index_by_NID(n, NID_commonName, i) >= 0) {
		EXPECT_EQ(0, c->cn.len);
		EXPECT_EQ(i < 0 ? 0 : 2, c->cn_count);
		return;
	}
	d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	EXPECT_EQ(1, c->cn_count);
	EXPECT_TRUE(span_is(c->cn, ASN1_STRING_get0_data(d),
			    ASN1_STRING_length(d)));
}

static void compare_key(struct __test_metadata *_metadata, X509 *x,
			const struct x509_cert *c)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x);
	uint8_t point[133];
	size_t n = 0;

	EXPECT_TRUE(SPAN_IS_I2D(c->spki, i2d_X509_PUBKEY,
				X509_get_X509_PUBKEY(x)));
	EXPECT_EQ(openssl_key(pk), c->key_type);
	EXPECT_TRUE(span_is(c->key, ASN1_STRING_get0_data(bits),
			    ASN1_STRING_length(bits)));
	if (c->key_type != X509_KEY_EC_P256)
		return;
	ASSERT_EQ(1, EVP_PKEY_get_octet_string_param(pk,
		OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point), &n));
	EXPECT_EQ(65, n);
	EXPECT_TRUE(span_is(c->key, point, n));
}

static void compare_exts(struct __test_metadata *_metadata, X509 *x,
			 const struct x509_cert *c)
{
	uint32_t flags = X509_get_extension_flags(x);
	uint32_t ku = X509_get_key_usage(x);
	uint32_t eku = X509_get_extended_key_usage(x);

	EXPECT_EQ(!!(flags & EXFLAG_BCONS), c->bc_present);
	EXPECT_EQ(!!(flags & EXFLAG_CA) && c->bc_present, c->bc_ca);
	EXPECT_EQ(X509_get_pathlen(x), c->bc_path_len);
	EXPECT_EQ(!!(flags & EXFLAG_KUSAGE), c->ku_present);
	if (c->ku_present)
		EXPECT_EQ(ku, openssl_ku(c->ku));
	EXPECT_EQ(!!(flags & EXFLAG_XKUSAGE), c->eku_present);
	if (c->eku_present)
		EXPECT_EQ(openssl_eku(eku), c->eku);
	EXPECT_EQ(!!(flags & EXFLAG_CRITICAL), c->unknown_critical);
}

/* Every field x509_parse() reads, against libcrypto's view. */
static void compare(struct __test_metadata *_metadata, X509 *x,
		    const struct der *d, const struct x509_cert *c)
{
	const ASN1_BIT_STRING *sig;
	const X509_ALGOR *alg;

	EXPECT_TRUE(c->raw.p == d->p && c->raw.len == d->len);
	EXPECT_TRUE(SPAN_IS_I2D(c->tbs, i2d_re_X509_tbs, x));
	EXPECT_EQ(X509_get_version(x) + 1, c->version);
	EXPECT_TRUE(SPAN_IS_I2D(c->issuer, i2d_X509_NAME,
				X509_get_issuer_name(x)));
	EXPECT_TRUE(SPAN_IS_I2D(c->subject, i2d_X509_NAME,
				X509_get_subject_name(x)));
	EXPECT_EQ(openssl_time(X509_get0_notBefore(x)), c->not_before);
	EXPECT_EQ(openssl_time(X509_get0_notAfter(x)), c->not_after);
	EXPECT_EQ(openssl_sig(X509_get_signature_nid(x)), c->sig_alg);
	X509_get0_signature(&sig, &alg, x);
	EXPECT_TRUE(span_is(c->sig, ASN1_STRING_get0_data(sig),
			    ASN1_STRING_length(sig)));
	compare_key(_metadata, x, c);
	compare_exts(_metadata, x, c);
	compare_sans(_metadata, x, c);
	compare_cn(_metadata, x, c);
}

/* The serial's contents octets, from OpenSSL's INTEGER encoding. */
static bool serial_matches(X509 *x, struct x509_span s)
{
	unsigned char *b = NULL;
	int n = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &b);
	bool ok = n > 2 && b[1] < 0x80 && span_is(s, b + 2, n - 2);

	OPENSSL_free(b);
	return ok;
}

static const struct spec root_spec = {
	.cn = "iotsec test root",
	.bc = "critical,CA:TRUE",
	.ku = "critical,keyCertSign,cRLSign",
};

FIXTURE(fields) {
	EVP_PKEY *root_key;
	X509 *root;
};

FIXTURE_VARIANT(fields) {
	struct spec spec;
	bool self_signed;
};

FIXTURE_VARIANT_ADD(fields, server_leaf) {
	.spec = {
		.cn = "device.example.com",
		.san = "DNS:www.example.com,DNS:*.wild.example.com,"
		       "email:ops@example.com,IP:192.0.2.7,IP:2001:db8::1,"
		       "URI:https://example.com/",
		.bc = "critical,CA:FALSE",
		.ku = "critical,digitalSignature",
		.eku = "serverAuth",
		.serial = "7F0102030405060708090A0B0C0D0E0F10111213",
	},
};

FIXTURE_VARIANT_ADD(fields, client_leaf) {
	.spec = {
		.cn = "client-0001",
		.ku = "digitalSignature,keyAgreement",
		.eku = "clientAuth",
		.serial = "80",
	},
};

FIXTURE_VARIANT_ADD(fields, root) {
	.spec = {
		.cn = "a root",
		.bc = "critical,CA:TRUE",
		.ku = "critical,keyCertSign,cRLSign",
	},
	.self_signed = true,
};

FIXTURE_VARIANT_ADD(fields, intermediate_all_ku_bits) {
	.spec = {
		.cn = "an intermediate",
		.bc = "critical,CA:TRUE,pathlen:3",
		.ku = "digitalSignature,nonRepudiation,keyEncipherment,"
		      "dataEncipherment,keyAgreement,keyCertSign,cRLSign,"
		      "encipherOnly,decipherOnly",
		.eku = "serverAuth,clientAuth,anyExtendedKeyUsage,codeSigning",
	},
};

FIXTURE_VARIANT_ADD(fields, rsa_leaf) {
	.spec = { .cn = "rsa.example.com", .key = KEY_RSA,
		  .san = "DNS:rsa.example.com" },
};

FIXTURE_VARIANT_ADD(fields, p384_leaf_sha384) {
	.spec = { .cn = "p384.example.com", .key = KEY_P384,
		  .md = EVP_sha384 },
	.self_signed = true,
};

FIXTURE_VARIANT_ADD(fields, sha512_signature) {
	.spec = { .cn = "sha512", .md = EVP_sha512 },
};

FIXTURE_VARIANT_ADD(fields, generalized_time) {
	.spec = { .cn = "late", .not_before = "20500101000000Z",
		  .not_after = "99991231235959Z" },
};

FIXTURE_VARIANT_ADD(fields, utc_time_1950_to_2049) {
	.spec = { .cn = "early", .not_before = "19500101000000Z",
		  .not_after = "20491231235959Z" },
};

FIXTURE_VARIANT_ADD(fields, leap_days) {
	.spec = { .cn = "leap", .not_before = "20000229120000Z",
		  .not_after = "20960229235959Z" },
};

FIXTURE_VARIANT_ADD(fields, unknown_critical_extension) {
	.spec = { .cn = "crit", .ext_oid = "1.2.3.4",
		  .ext_value = "critical,ASN1:NULL" },
};

FIXTURE_VARIANT_ADD(fields, unknown_noncritical_extension) {
	.spec = { .cn = "noncrit", .ext_oid = "1.2.3.4",
		  .ext_value = "ASN1:UTF8String:hello" },
};

FIXTURE_VARIANT_ADD(fields, more_names_than_kept) {
	.spec = {
		.san = "DNS:n1.example,DNS:n2.example,DNS:n3.example,"
		       "DNS:n4.example,DNS:n5.example,DNS:n6.example,"
		       "DNS:n7.example,DNS:n8.example,DNS:n9.example,"
		       "DNS:n10.example,DNS:n11.example,DNS:n12.example,"
		       "DNS:n13.example,DNS:n14.example,DNS:n15.example,"
		       "IP:10.0.0.16,DNS:n17.example,IP:10.0.0.18,"
		       "DNS:n19.example,DNS:n20.example",
	},
};

FIXTURE_VARIANT_ADD(fields, two_common_names) {
	.spec = { .cn = "one.example.com", .cn2 = "two.example.com" },
};

FIXTURE_VARIANT_ADD(fields, version_1) {
	.spec = { .cn = "v1.example.com", .v1 = true },
};

FIXTURE_SETUP(fields)
{
	self->root = make_cert(&root_spec, NULL, NULL, &self->root_key);
	ASSERT_NE(NULL, self->root);
}

FIXTURE_TEARDOWN(fields)
{
	X509_free(self->root);
	EVP_PKEY_free(self->root_key);
}

TEST_F(fields, match_openssl)
{
	const struct spec *s = &variant->spec;
	struct x509_cert c;
	struct der d;
	X509 *x;

	x = make_cert(s, variant->self_signed ? NULL : self->root,
		      self->root_key, NULL);
	ASSERT_NE(NULL, x);
	d = to_der(x);
	ASSERT_NE(0, d.len);
	ASSERT_EQ(0, x509_parse(d.p, d.len, &c));
	compare(_metadata, x, &d, &c);
	EXPECT_TRUE(serial_matches(x, c.serial));
	if (s->san && strstr(s->san, "n20"))
		EXPECT_EQ(4, c.names_dropped);
	X509_free(x);
	free(d.p);
}

/* A certificate from a spec, parsed; the DER stays in *d. */
static int parse_spec(const struct spec *s, X509 *issuer, EVP_PKEY *ikey,
		      struct der *d, struct x509_cert *c)
{
	X509 *x = make_cert(s, issuer, ikey, NULL);
	int err;

	d->p = NULL;
	d->len = 0;
	if (!x)
		return -ENOMEM;
	*d = to_der(x);
	X509_free(x);
	err = x509_parse(d->p, d->len, c);
	return err;
}

FIXTURE(pki) {
	EVP_PKEY *root_key;
	X509 *root;
	time_t now;
};

FIXTURE_SETUP(pki)
{
	self->root = make_cert(&root_spec, NULL, NULL, &self->root_key);
	ASSERT_NE(NULL, self->root);
	self->now = time(NULL);
}

FIXTURE_TEARDOWN(pki)
{
	X509_free(self->root);
	EVP_PKEY_free(self->root_key);
}

static const struct leaf_case {
	const char *what;
	struct spec spec;
	enum x509_purpose purpose;
	const char *name;
	int want;
} leaf_cases[] = {
	{ "server leaf as server",
	  { .san = "DNS:www.example.com", .ku = "critical,digitalSignature",
	    .eku = "serverAuth", .bc = "critical,CA:FALSE" },
	  X509_PURPOSE_SERVER, "www.example.com", 0 },
	{ "server leaf as client",
	  { .eku = "serverAuth" }, X509_PURPOSE_CLIENT, NULL, UNSUP },
	{ "client leaf as client", { .eku = "clientAuth" },
	  X509_PURPOSE_CLIENT, NULL, 0 },
	{ "client leaf as server", { .eku = "clientAuth" },
	  X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "both EKUs", { .eku = "clientAuth,serverAuth" },
	  X509_PURPOSE_SERVER, NULL, 0 },
	/* No extendedKeyUsage is not "any purpose": the role's is required. */
	{ "no EKU, server", { .cn = "x" }, X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "no EKU, client", { .cn = "x" }, X509_PURPOSE_CLIENT, NULL, UNSUP },
	{ "anyExtendedKeyUsage only", { .eku = "anyExtendedKeyUsage" },
	  X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "codeSigning only", { .eku = "codeSigning" },
	  X509_PURPOSE_CLIENT, NULL, UNSUP },
	{ "expired", { .nb = -10 * DAY, .na = -DAY },
	  X509_PURPOSE_SERVER, NULL, EXPIRED },
	{ "not yet valid", { .nb = DAY, .na = 10 * DAY },
	  X509_PURPOSE_SERVER, NULL, EXPIRED },
	{ "expired before 2050 rule", { .not_before = "19500101000000Z",
	  .not_after = "19991231235959Z" }, X509_PURPOSE_SERVER, NULL,
	  EXPIRED },
	{ "valid until 2050+", { .not_before = "20000101000000Z",
	  .not_after = "20700101000000Z", .eku = "serverAuth" },
	  X509_PURPOSE_SERVER, NULL, 0 },
	{ "RSA key", { .key = KEY_RSA }, X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "P-384 key", { .key = KEY_P384 }, X509_PURPOSE_CLIENT, NULL,
	  UNSUP },
	/* Only what we advertise: ecdsa_secp256r1_sha256. */
	{ "signed with ECDSA SHA-384", { .eku = "serverAuth", .md = EVP_sha384 },
	  X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "signed with ECDSA SHA-1", { .eku = "serverAuth", .md = EVP_sha1 },
	  X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "keyUsage without digitalSignature",
	  { .ku = "critical,keyEncipherment,keyAgreement" },
	  X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "keyUsage keyAgreement and digitalSignature",
	  { .ku = "keyAgreement,digitalSignature", .eku = "clientAuth" },
	  X509_PURPOSE_CLIENT, NULL, 0 },
	{ "unknown critical extension",
	  { .ext_oid = "1.2.3.4", .ext_value = "critical,ASN1:NULL" },
	  X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "unknown non-critical extension",
	  { .ext_oid = "1.2.3.4", .ext_value = "ASN1:NULL",
	    .eku = "serverAuth" }, X509_PURPOSE_SERVER, NULL, 0 },
	{ "critical nameConstraints (not enforced here)",
	  { .ext_oid = "nameConstraints",
	    .ext_value = "critical,permitted;DNS:example.com" },
	  X509_PURPOSE_SERVER, NULL, UNSUP },
	{ "name mismatch", { .san = "DNS:www.example.com", .eku = "serverAuth" },
	  X509_PURPOSE_SERVER, "www.example.org", BAD },
	{ "IP name", { .san = "IP:192.0.2.1", .eku = "serverAuth" },
	  X509_PURPOSE_SERVER, "192.0.2.1", 0 },
	{ "name only in the CN (no SAN)", { .cn = "www.example.com",
	  .eku = "serverAuth" }, X509_PURPOSE_SERVER, "www.example.com", BAD },
	{ "bad purpose", { .cn = "x" }, 7, NULL, -EINVAL },
	/* A CA's certificate presented as a peer's (reliab_certs_test). */
	{ "leaf with CA:TRUE", { .eku = "serverAuth,clientAuth",
	  .bc = "critical,CA:TRUE", .ku = "digitalSignature,keyCertSign" },
	  X509_PURPOSE_SERVER, NULL, BAD },
	{ "leaf with CA:TRUE, not critical", { .eku = "clientAuth",
	  .bc = "CA:TRUE" }, X509_PURPOSE_CLIENT, NULL, BAD },
	{ "leaf with CA:FALSE", { .eku = "clientAuth", .bc = "CA:FALSE" },
	  X509_PURPOSE_CLIENT, NULL, 0 },
};

TEST_F(pki, leaf_verdicts)
{
	const struct leaf_case *lc;
	struct x509_cert c;
	struct der d;

	for (lc = leaf_cases; lc < leaf_cases + ARRAY_SIZE(leaf_cases); lc++) {
		ASSERT_EQ(0, parse_spec(&lc->spec, self->root, self->root_key,
					&d, &c)) TH_LOG("%s", lc->what);
		EXPECT_EQ(lc->want, x509_check_leaf(&c, self->now,
						    lc->purpose, lc->name))
			TH_LOG("%s", lc->what);
		free(d.p);
	}
}

TEST_F(pki, validity_bounds_are_inclusive)
{
	const struct spec s = { .eku = "serverAuth" };
	struct x509_cert c;
	struct der d;

	ASSERT_EQ(0, parse_spec(&s, self->root, self->root_key, &d, &c));
	EXPECT_EQ(0, x509_check_leaf(&c, c.not_before, 0, NULL));
	EXPECT_EQ(0, x509_check_leaf(&c, c.not_after, 0, NULL));
	EXPECT_EQ(EXPIRED, x509_check_leaf(&c, c.not_before - 1, 0, NULL));
	EXPECT_EQ(EXPIRED, x509_check_leaf(&c, c.not_after + 1, 0, NULL));
	EXPECT_EQ(BAD, x509_check_ca(&c, c.not_after, 0));	/* not a CA */
	EXPECT_EQ(EXPIRED, x509_check_ca(&c, c.not_after + 1, 0));
	free(d.p);
}

static const struct ca_case {
	const char *what;
	struct spec spec;
	unsigned int depth;
	int want;
} ca_cases[] = {
	{ "CA", { .bc = "critical,CA:TRUE", .ku = "keyCertSign" }, 5, 0 },
	{ "CA without keyUsage", { .bc = "CA:TRUE" }, 0, 0 },
	{ "pathlen 0 over the leaf", { .bc = "critical,CA:TRUE,pathlen:0" },
	  0, 0 },
	{ "pathlen 0 over an intermediate",
	  { .bc = "critical,CA:TRUE,pathlen:0" }, 1, BAD },
	{ "pathlen 1 over an intermediate",
	  { .bc = "critical,CA:TRUE,pathlen:1" }, 1, 0 },
	{ "CA:FALSE", { .bc = "critical,CA:FALSE" }, 0, BAD },
	{ "no basicConstraints", { .ku = "keyCertSign" }, 0, BAD },
	{ "version 1", { .v1 = true }, 0, BAD },
	{ "keyUsage without keyCertSign",
	  { .bc = "critical,CA:TRUE", .ku = "digitalSignature,cRLSign" }, 0,
	  BAD },
	{ "expired CA", { .bc = "critical,CA:TRUE", .nb = -10 * DAY,
			  .na = -DAY }, 0, EXPIRED },
	{ "not yet valid CA", { .bc = "critical,CA:TRUE", .nb = DAY,
				.na = 10 * DAY }, 0, EXPIRED },
	{ "CA with an unknown critical extension",
	  { .bc = "critical,CA:TRUE", .ext_oid = "1.2.3.4",
	    .ext_value = "critical,ASN1:NULL" }, 0, UNSUP },
	/* Only what we advertise, in intermediates too. */
	{ "RSA CA", { .bc = "critical,CA:TRUE", .key = KEY_RSA }, 0, UNSUP },
	{ "P-384 CA", { .bc = "critical,CA:TRUE", .key = KEY_P384 }, 0, UNSUP },
	{ "CA signed with ECDSA SHA-384",
	  { .bc = "critical,CA:TRUE", .md = EVP_sha384 }, 0, UNSUP },
};

TEST_F(pki, ca_verdicts)
{
	const struct ca_case *cc;
	struct x509_cert c;
	struct der d;

	for (cc = ca_cases; cc < ca_cases + ARRAY_SIZE(ca_cases); cc++) {
		ASSERT_EQ(0, parse_spec(&cc->spec, self->root, self->root_key,
					&d, &c)) TH_LOG("%s", cc->what);
		EXPECT_EQ(cc->want, x509_check_ca(&c, self->now, cc->depth))
			TH_LOG("%s", cc->what);
		free(d.p);
	}
}

/*
 * The peer's chain as the handshake checks it (cert_peer_check): a
 * certificate sent twice is refused before the kernel sees the chain
 * (reliab_certs_test's "duplicate certificates" row).
 */
TEST_F(pki, chain_with_a_duplicate_refused)
{
	const struct spec ispec = { .cn = "inter", .bc = "critical,CA:TRUE",
				    .ku = "critical,keyCertSign" };
	const struct spec lspec = { .cn = "leaf", .san = "DNS:leaf.example",
				    .eku = "serverAuth",
				    .ku = "digitalSignature" };
	struct cert_der chain[4];
	struct cert_peer peer;
	struct der id, ld, rd;
	EVP_PKEY *ikey;
	X509 *inter, *leaf;

	inter = make_cert(&ispec, self->root, self->root_key, &ikey);
	ASSERT_NE(NULL, inter);
	leaf = make_cert(&lspec, inter, ikey, NULL);
	ASSERT_NE(NULL, leaf);
	ld = to_der(leaf);
	id = to_der(inter);
	rd = to_der(self->root);
	ASSERT_TRUE(ld.len && id.len && rd.len);
	chain[0] = (struct cert_der){ ld.p, ld.len };
	chain[1] = (struct cert_der){ id.p, id.len };
	chain[2] = (struct cert_der){ id.p, id.len };
	chain[3] = (struct cert_der){ rd.p, rd.len };
	EXPECT_EQ(0, cert_peer_check(chain, 2, self->now, X509_PURPOSE_SERVER,
				     "leaf.example", &peer));
	EXPECT_EQ(0, cert_peer_check((struct cert_der[]){ chain[0], chain[1],
					chain[3] }, 3, self->now,
				     X509_PURPOSE_SERVER, "leaf.example", &peer));
	EXPECT_EQ(BAD, cert_peer_check(chain, 3, self->now, X509_PURPOSE_SERVER,
				       "leaf.example", &peer));
	EXPECT_EQ(BAD, cert_peer_check((struct cert_der[]){ chain[0], chain[1],
					 chain[3], chain[3] }, 4, self->now,
				       X509_PURPOSE_SERVER, "leaf.example", &peer));
	EXPECT_EQ(BAD, cert_peer_check((struct cert_der[]){ chain[0], chain[0] },
				       2, self->now, X509_PURPOSE_SERVER,
				       "leaf.example", &peer));
	free(ld.p);
	free(id.p);
	free(rd.p);
	X509_free(leaf);
	X509_free(inter);
	EVP_PKEY_free(ikey);
}

/* root -> intermediate -> leaf: OpenSSL accepts it, and so do we. */
TEST_F(pki, chain_agrees_with_openssl)
{
	const struct spec ispec = { .cn = "inter", .bc = "critical,CA:TRUE,pathlen:0",
				    .ku = "critical,keyCertSign" };
	const struct spec lspec = { .cn = "leaf", .san = "DNS:leaf.example",
				    .eku = "serverAuth",
				    .ku = "digitalSignature" };
	struct x509_cert r, i, l;
	struct der rd, id, ld;
	X509_STORE_CTX *ctx;
	X509_STORE *store;
	STACK_OF(X509) *untrusted;
	EVP_PKEY *ikey;
	X509 *inter, *leaf;

	inter = make_cert(&ispec, self->root, self->root_key, &ikey);
	ASSERT_NE(NULL, inter);
	leaf = make_cert(&lspec, inter, ikey, NULL);
	ASSERT_NE(NULL, leaf);

	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	untrusted = sk_X509_new_null();
	ASSERT_TRUE(store && ctx && untrusted);
	X509_STORE_add_cert(store, self->root);
	sk_X509_push(untrusted, inter);
	ASSERT_EQ(1, X509_STORE_CTX_init(ctx, store, leaf, untrusted));
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	EXPECT_EQ(1, X509_verify_cert(ctx));

	rd = to_der(self->root);
	id = to_der(inter);
	ld = to_der(leaf);
	ASSERT_EQ(0, x509_parse(rd.p, rd.len, &r));
	ASSERT_EQ(0, x509_parse(id.p, id.len, &i));
	ASSERT_EQ(0, x509_parse(ld.p, ld.len, &l));
	EXPECT_TRUE(span_is(l.issuer, i.subject.p, i.subject.len));
	EXPECT_TRUE(span_is(i.issuer, r.subject.p, r.subject.len));
	EXPECT_TRUE(span_is(r.issuer, r.subject.p, r.subject.len));
	EXPECT_EQ(0, x509_check_leaf(&l, self->now, X509_PURPOSE_SERVER,
				     "leaf.example"));
	EXPECT_EQ(0, x509_check_ca(&i, self->now, 0));
	EXPECT_EQ(0, x509_check_ca(&r, self->now, 1));

	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_free(untrusted);
	X509_free(leaf);
	X509_free(inter);
	EVP_PKEY_free(ikey);
	free(rd.p);
	free(id.p);
	free(ld.p);
}

static const struct name_case {
	const char *name;
	bool want;
} san_names[] = {
	{ "www.example.com", true },
	{ "WWW.Example.COM", true },
	{ "www.example.com.", true },
	{ "www.example.com..", false },
	{ "ww.example.com", false },
	{ "www.example.co", false },
	{ "www.example.com.evil", false },
	{ "a.wild.example.com", true },
	{ "A-1_b.WILD.example.com", true },
	{ "wild.example.com", false },
	{ "a.b.wild.example.com", false },
	{ ".wild.example.com", false },
	{ "*.wild.example.com", false },
	{ "example.com", false },	/* "*.com" is too wide */
	{ "com", false },
	{ "foo.part.example.com", false },	/* "f*.part…": no partials */
	{ "f.part.example.com", false },
	{ "192.0.2.7", true },
	{ "192.0.2.8", false },
	{ "192.0.2.7.", false },
	{ "2001:db8::1", true },
	{ "2001:DB8:0:0::1", true },
	{ "2001:db8::2", false },
	{ "::ffff:192.0.2.7", false },
	{ "cn.example.com", false },	/* SAN present: CN never used */
	{ "", false },
	{ ".", false },
	{ "www example.com", false },
	{ "www.example.com\n", false },
};

TEST_F(pki, name_matching_with_san)
{
	const struct spec s = {
		.cn = "cn.example.com",
		.san = "DNS:www.example.com,DNS:*.wild.example.com,DNS:*.com,"
		       "DNS:f*.part.example.com,IP:192.0.2.7,IP:2001:db8::1",
	};
	const struct name_case *nc;
	char longname[300];
	struct x509_cert c;
	struct der d;

	ASSERT_EQ(0, parse_spec(&s, self->root, self->root_key, &d, &c));
	for (nc = san_names; nc < san_names + ARRAY_SIZE(san_names); nc++)
		EXPECT_EQ(nc->want, x509_name_match(&c, nc->name))
			TH_LOG("\"%s\"", nc->name);
	EXPECT_FALSE(x509_name_match(&c, NULL));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_FALSE(x509_name_match(&c, longname));
	free(d.p);
}

/* RFC 9525 6.3: the commonName is never a name, SAN or not. */
TEST_F(pki, name_never_falls_back_to_cn)
{
	const struct spec plain = { .cn = "cn.example.com", .eku = "serverAuth" };
	const struct spec wild = { .cn = "*.cn.example.com" };
	const struct spec ip_san = { .cn = "cn.example.com",
				     .san = "IP:192.0.2.9" };
	const struct spec two_cn = { .cn = "cn.example.com",
				     .cn2 = "cn.example.com" };
	const struct spec ip_cn = { .cn = "192.0.2.9" };
	struct x509_cert c;
	struct der d;

	ASSERT_EQ(0, parse_spec(&plain, self->root, self->root_key, &d, &c));
	EXPECT_FALSE(x509_name_match(&c, "cn.example.com"));
	EXPECT_FALSE(x509_name_match(&c, "CN.EXAMPLE.com"));
	EXPECT_FALSE(x509_name_match(&c, "other.example.com"));
	EXPECT_EQ(BAD, x509_check_leaf(&c, self->now, X509_PURPOSE_SERVER,
				       "cn.example.com"));
	free(d.p);

	ASSERT_EQ(0, parse_spec(&wild, self->root, self->root_key, &d, &c));
	EXPECT_FALSE(x509_name_match(&c, "a.cn.example.com"));
	EXPECT_FALSE(x509_name_match(&c, "cn.example.com"));
	free(d.p);

	ASSERT_EQ(0, parse_spec(&ip_san, self->root, self->root_key, &d, &c));
	EXPECT_FALSE(x509_name_match(&c, "cn.example.com"));
	EXPECT_TRUE(x509_name_match(&c, "192.0.2.9"));
	free(d.p);

	ASSERT_EQ(0, parse_spec(&two_cn, self->root, self->root_key, &d, &c));
	EXPECT_EQ(2, c.cn_count);
	EXPECT_FALSE(x509_name_match(&c, "cn.example.com"));
	free(d.p);

	ASSERT_EQ(0, parse_spec(&ip_cn, self->root, self->root_key, &d, &c));
	EXPECT_FALSE(x509_name_match(&c, "192.0.2.9"));
	free(d.p);
}

/* Time strings OpenSSL will encode as given: only strict ones parse. */
static const struct time_case {
	int type;
	const char *s;
	time_t want;	/* -1: must fail */
} time_cases[] = {
	{ V_ASN1_UTCTIME, "700101000000Z", 0 },
	{ V_ASN1_UTCTIME, "491231235959Z", 2524607999 },
	{ V_ASN1_UTCTIME, "500101000000Z", -631152000 },
	{ V_ASN1_UTCTIME, "000229000000Z", 951782400 },
	{ V_ASN1_GENERALIZEDTIME, "20500101000000Z", 2524608000 },
	{ V_ASN1_GENERALIZEDTIME, "19700101000001Z", 1 },
	{ V_ASN1_GENERALIZEDTIME, "21000228235959Z", 4107542399 },
	{ V_ASN1_GENERALIZEDTIME, "21000229000000Z", -1 },	/* not leap */
	{ V_ASN1_UTCTIME, "230229000000Z", -1 },
	{ V_ASN1_UTCTIME, "240230000000Z", -1 },
	{ V_ASN1_UTCTIME, "241301000000Z", -1 },
	{ V_ASN1_UTCTIME, "240001000000Z", -1 },
	{ V_ASN1_UTCTIME, "240100000000Z", -1 },
	{ V_ASN1_UTCTIME, "240101240000Z", -1 },
	{ V_ASN1_UTCTIME, "240101126000Z", -1 },
	{ V_ASN1_UTCTIME, "240101120060Z", -1 },
	{ V_ASN1_UTCTIME, "2401011200Z", -1 },		/* no seconds */
	{ V_ASN1_UTCTIME, "240101120000", -1 },		/* no Z */
	{ V_ASN1_UTCTIME, "240101120000+0100", -1 },
	{ V_ASN1_UTCTIME, "240101120000z", -1 },
	{ V_ASN1_UTCTIME, "2401011200 0Z", -1 },
	{ V_ASN1_UTCTIME, "20240101120000Z", -1 },	/* long UTCTime */
	{ V_ASN1_GENERALIZEDTIME, "240101120000Z", -1 },
	{ V_ASN1_GENERALIZEDTIME, "20240101120000.5Z", -1 },
	{ V_ASN1_GENERALIZEDTIME, "2024010112Z", -1 },
};

TEST_F(pki, time_encodings)
{
	const struct spec s = { .cn = "t" };
	const struct time_case *tc;
	struct x509_cert c;
	ASN1_STRING *t;
	struct der d;
	X509 *x;
	int err;

	for (tc = time_cases; tc < time_cases + ARRAY_SIZE(time_cases); tc++) {
		x = make_cert(&s, self->root, self->root_key, NULL);
		t = ASN1_STRING_type_new(tc->type);
		ASSERT_TRUE(x && t);
		ASSERT_EQ(1, ASN1_STRING_set(t, tc->s, strlen(tc->s)));
		ASSERT_EQ(1, X509_set1_notBefore(x, t));
		ASSERT_NE(0, X509_sign(x, self->root_key, EVP_sha256()));
		d = to_der(x);
		err = x509_parse(d.p, d.len, &c);
		EXPECT_EQ(tc->want == -1 ? BAD : 0, err) TH_LOG("%s", tc->s);
		if (!err)
			EXPECT_EQ(tc->want, c.not_before) TH_LOG("%s", tc->s);
		ASN1_STRING_free(t);
		X509_free(x);
		free(d.p);
	}
}

static struct der leaf_der(struct __test_metadata *_metadata, X509 *root,
			   EVP_PKEY *root_key)
{
	const struct spec s = {
		.cn = "device.example.com",
		.san = "DNS:www.example.com,DNS:*.wild.example.com,"
		       "IP:192.0.2.7,IP:2001:db8::1",
		.bc = "critical,CA:FALSE", .ku = "critical,digitalSignature",
		.eku = "serverAuth,clientAuth",
		.ext_oid = "1.2.3.4", .ext_value = "ASN1:NULL",
	};
	X509 *x = make_cert(&s, root, root_key, NULL);
	struct der d = to_der(x);

	X509_free(x);
	EXPECT_NE(0, d.len);
	return d;
}

/* Re-frames the outer SEQUENCE with another header. */
static struct der reframe(const struct der *d, const uint8_t *hdr,
			  size_t hlen, size_t tail)
{
	struct der o;

	o.len = hlen + d->len - 4 + tail;
	o.p = calloc(1, o.len);
	memcpy(o.p, hdr, hlen);
	memcpy(o.p + hlen, d->p + 4, d->len - 4);
	return o;
}

TEST_F(pki, der_violations_are_bad_certificate)
{
	struct der d = leaf_der(_metadata, self->root, self->root_key);
	size_t body = d.len - 4, alg;
	uint8_t hdr[8];
	struct x509_cert c;
	struct der o;

	ASSERT_EQ(0x30, d.p[0]);
	ASSERT_EQ(0x82, d.p[1]);	/* certificates here are 256..64K */
	ASSERT_EQ(0, x509_parse(d.p, d.len, &c));

	/* a longer length form than needed */
	memcpy(hdr, "\x30\x83\x00", 3);
	hdr[3] = body >> 8;
	hdr[4] = body;
	o = reframe(&d, hdr, 5, 0);
	EXPECT_EQ(BAD, x509_parse(o.p, o.len, &c));
	free(o.p);

	/* indefinite length (BER only) */
	o = reframe(&d, (const uint8_t *)"\x30\x80", 2, 2);
	EXPECT_EQ(BAD, x509_parse(o.p, o.len, &c));
	free(o.p);

	/* a trailing byte */
	o = reframe(&d, d.p, 4, 1);
	EXPECT_EQ(BAD, x509_parse(o.p, o.len, &c));
	free(o.p);

	/* outer signatureAlgorithm differs from the TBS one */
	ASSERT_EQ(0, x509_parse(d.p, d.len, &c));
	alg = (size_t)(c.tbs.p - d.p) + c.tbs.len;
	ASSERT_EQ(0, memcmp(d.p + alg,
			    "\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02",
			    12));
	d.p[alg + 11] = 0x03;
	EXPECT_EQ(BAD, x509_parse(d.p, d.len, &c));
	EXPECT_EQ(NULL, c.raw.p);	/* zeroed on failure */

	EXPECT_EQ(-EINVAL, x509_parse(NULL, 0, &c));
	EXPECT_EQ(-EINVAL, x509_parse(d.p, d.len, NULL));
	free(d.p);
}

TEST_F(pki, duplicate_extension_is_bad_certificate)
{
	const struct spec s = { .bc = "CA:FALSE", .dup_bc = true };
	struct x509_cert c;
	struct der d;

	EXPECT_EQ(BAD, parse_spec(&s, self->root, self->root_key, &d, &c));
	free(d.p);
}

/* Same-length edits of encoded bytes: DER rules each one breaks. */
static const struct patch {
	const char *what;
	const char *find;	/* bytes to find… */
	const char *repl;	/* …and what to put there */
	size_t len;
	int want;
} patches[] = {
	{ "BOOLEAN 0x01 for TRUE", "\x06\x03\x55\x1d\x13\x01\x01\xff",
	  "\x06\x03\x55\x1d\x13\x01\x01\x01", 8, BAD },
	{ "serial with a needless 0x00", "\x02\x02\x01\x02",
	  "\x02\x02\x00\x02", 4, BAD },
	{ "serial with a needless 0xff", "\x02\x02\x01\x02",
	  "\x02\x02\xff\x82", 4, BAD },
	{ "serial 0x0082 (minimal)", "\x02\x02\x01\x02",
	  "\x02\x02\x00\x82", 4, 0 },
	{ "negative serial 0xff02 (minimal)", "\x02\x02\x01\x02",
	  "\x02\x02\xff\x02", 4, 0 },
	{ "5-byte iPAddress", "\x82\x05" "a.bcd", "\x87\x05" "a.bcd", 7, BAD },
	{ "4-byte iPAddress", "\x82\x04" "abcd", "\x87\x04" "abcd", 6, 0 },
	{ "unknown GeneralName tag", "\x82\x04" "abcd", "\x89\x04" "abcd", 6,
	  BAD },
	{ "high tag number form", "\x0c\x0b" "iotsec test",
	  "\x9f\x0b" "iotsec test", 13, BAD },
	{ "keyUsage with a set unused bit", "\x03\x02\x07\x80",
	  "\x03\x02\x07\x81", 4, BAD },
	{ "keyUsage with 8 unused bits", "\x03\x02\x07\x80",
	  "\x03\x02\x08\x80", 4, BAD },
	{ "keyUsage with no bit set", "\x03\x02\x07\x80",
	  "\x03\x02\x07\x00", 4, BAD },
	{ "indefinite length inside", "\x03\x02\x07\x80",
	  "\x03\x80\x07\x80", 4, BAD },
	{ "version 4", "\xa0\x03\x02\x01\x02", "\xa0\x03\x02\x01\x03", 5,
	  BAD },
};

TEST_F(pki, same_length_der_edits)
{
	const struct spec s = {
		.serial = "0102", .bc = "critical,CA:FALSE",
		.ku = "digitalSignature", .san = "DNS:a.bcd,DNS:abcd",
	};
	const struct patch *pt;
	uint8_t *at, orig[16];
	struct x509_cert c;
	struct der d;

	ASSERT_EQ(0, parse_spec(&s, self->root, self->root_key, &d, &c));
	for (pt = patches; pt < patches + ARRAY_SIZE(patches); pt++) {
		at = memmem(d.p, d.len, pt->find, pt->len);
		ASSERT_NE(NULL, at) TH_LOG("%s", pt->what);
		memcpy(orig, at, pt->len);
		memcpy(at, pt->repl, pt->len);
		EXPECT_EQ(pt->want, x509_parse(d.p, d.len, &c))
			TH_LOG("%s", pt->what);
		memcpy(at, orig, pt->len);
	}
	/* the 4-byte dNSName read as an iPAddress: 97.98.99.100 */
	at = memmem(d.p, d.len, "\x82\x04" "abcd", 6);
	*at = 0x87;
	ASSERT_EQ(0, x509_parse(d.p, d.len, &c));
	EXPECT_TRUE(x509_name_match(&c, "97.98.99.100"));
	EXPECT_FALSE(x509_name_match(&c, "abcd"));
	free(d.p);
}

/* Spans must lie inside the buffer, counts inside their arrays. */
static bool consistent(const struct x509_cert *c, const uint8_t *der,
		       size_t len)
{
	const struct x509_span *s[] = {
		&c->raw, &c->tbs, &c->serial, &c->issuer, &c->subject,
		&c->spki, &c->key, &c->sig, &c->cn,
	};
	uintptr_t lo = (uintptr_t)der, hi = lo + len;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		if (s[i]->len && ((uintptr_t)s[i]->p < lo ||
				  (uintptr_t)s[i]->p + s[i]->len > hi))
			return false;
	if (c->n_names > X509_MAX_NAMES || c->version < 1 || c->version > 3)
		return false;
	for (i = 0; i < c->n_names; i++)
		if ((uintptr_t)c->names[i].v.p < lo ||
		    (uintptr_t)c->names[i].v.p + c->names[i].v.len > hi)
			return false;
	if (c->key_type == X509_KEY_EC_P256 && c->key.len != 65)
		return false;
	return c->raw.p == der && c->raw.len == len && c->bc_path_len >= -1;
}

TEST_F(pki, every_truncation_fails)
{
	struct der d = leaf_der(_metadata, self->root, self->root_key);
	struct x509_cert c;
	size_t n;
	uint8_t *p;

	for (n = 0; n < d.len; n++) {
		p = malloc(n ? n : 1);
		ASSERT_NE(NULL, p);
		memcpy(p, d.p, n);
		EXPECT_EQ(BAD, x509_parse(p, n, &c)) TH_LOG("length %zu", n);
		free(p);
	}
	free(d.p);
}

TEST_F_TIMEOUT(pki, every_byte_mutation_is_safe, 120)
{
	struct der d = leaf_der(_metadata, self->root, self->root_key);
	unsigned int ok = 0, bad = 0, v;
	struct x509_cert c;
	uint8_t orig;
	size_t i;
	int err;

	for (i = 0; i < d.len; i++) {
		orig = d.p[i];
		for (v = 0; v < 256; v++) {
			if (v == orig)
				continue;
			d.p[i] = v;
			err = x509_parse(d.p, d.len, &c);
			if (!err && !consistent(&c, d.p, d.len))
				err = 1;
			EXPECT_TRUE(err == 0 || err == BAD)
				TH_LOG("byte %zu = 0x%02x: %d", i, v, err);
			if (err == 0)
				ok++;
			else
				bad++;
		}
		d.p[i] = orig;
	}
	TH_LOG("%u mutations parsed, %u rejected", ok, bad);
	EXPECT_NE(0, bad);
	free(d.p);
}

/* PEM */

static char *pem_of(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out = NULL;
	long n;

	if (b && PEM_write_bio_X509(b, x)) {
		n = BIO_get_mem_data(b, &p);
		out = strndup(p, n);
	}
	BIO_free(b);
	return out;
}

FIXTURE(pem) {
	X509 *x[3];
	struct der d[3];
	char *pem[3];
	char dir[64];
};

FIXTURE_SETUP(pem)
{
	const struct spec s = { .cn = "pem" };
	EVP_PKEY *k;
	int i;

	self->x[0] = make_cert(&root_spec, NULL, NULL, &k);
	ASSERT_NE(NULL, self->x[0]);
	for (i = 1; i < 3; i++) {
		self->x[i] = make_cert(&s, self->x[0], k, NULL);
		ASSERT_NE(NULL, self->x[i]);
	}
	EVP_PKEY_free(k);
	for (i = 0; i < 3; i++) {
		self->d[i] = to_der(self->x[i]);
		self->pem[i] = pem_of(self->x[i]);
		ASSERT_TRUE(self->d[i].len && self->pem[i]);
	}
	strcpy(self->dir, "/tmp/x509_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

FIXTURE_TEARDOWN(pem)
{
	int i;

	for (i = 0; i < 3; i++) {
		X509_free(self->x[i]);
		free(self->d[i].p);
		free(self->pem[i]);
	}
	nftw(self->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static bool block_is(const struct pem_list *l, unsigned int i,
		     const struct der *d)
{
	return i < l->count && l->blocks[i].len == d->len &&
	       !memcmp(l->blocks[i].der, d->p, d->len);
}

static int decode(const char *text, struct pem_list *l)
{
	return pem_decode(text, strlen(text), "CERTIFICATE", l);
}

/* @s with its first @from replaced by @to. */
static char *edit(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *o;

	if (!at || asprintf(&o, "%.*s%s%s", (int)(at - s), s, to,
			    at + strlen(from)) < 0)
		return NULL;
	return o;
}

TEST_F(pem, several_blocks_with_text_around)
{
	struct pem_list l;
	char *text;

	ASSERT_LE(0, asprintf(&text,
		"Bag Attributes\n  friendlyName: test\nsubject=/CN=pem\n%s"
		"# a comment between blocks\n\n"
		"-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
		"not base64 at all!\n-----END EC PRIVATE KEY-----\n"
		"%s   \n%strailing text",
		self->pem[0], self->pem[1], self->pem[2]));
	EXPECT_EQ(3, decode(text, &l));
	EXPECT_TRUE(block_is(&l, 0, &self->d[0]));
	EXPECT_TRUE(block_is(&l, 1, &self->d[1]));
	EXPECT_TRUE(block_is(&l, 2, &self->d[2]));
	pem_list_free(&l);
	EXPECT_EQ(0, l.count);
	EXPECT_EQ(0, pem_decode(text, strlen(text), "X509 CRL", &l));
	free(text);
}

TEST_F(pem, whitespace_and_crlf_are_ignored)
{
	const char *body = strchr(self->pem[1], '\n') + 1;
	const char *stop = strstr(body, "-----END");
	char *text = malloc(strlen(self->pem[1]) * 3), *o = text;
	struct pem_list l;
	int col = 0;

	/* CRLF endings, blanks after the boundaries, the body re-wrapped */
	o += sprintf(o, "-----BEGIN CERTIFICATE-----  \r\n");
	for (; body < stop; body++) {
		if (*body == '\n')
			continue;
		*o++ = *body;
		if (++col % 7 == 0)
			*o++ = col % 14 ? ' ' : '\t';
		if (col % 50 == 0)
			o += sprintf(o, "\r\n");
	}
	sprintf(o, "\r\n-----END CERTIFICATE-----\t\r\n");
	EXPECT_EQ(1, decode(text, &l));
	EXPECT_TRUE(block_is(&l, 0, &self->d[1]));
	pem_list_free(&l);
	free(text);
}

static const struct bad_pem {
	const char *what;
	const char *from, *to;	/* an edit of a good block */
	int want;
} bad_pems[] = {
	{ "bad base64 character", "M", "!", -EBADMSG },
	{ "a dash in the body", "M", "-", -EBADMSG },
	{ "no END line", "-----END CERTIFICATE-----\n", "", -EBADMSG },
	{ "END of another label", "END CERTIFICATE", "END X509 CRLXXXX",
	  -EBADMSG },
	{ "a header line", "-----\nM", "-----\nA:", -EBADMSG },
	{ "malformed BEGIN", "-----BEGIN CERTIFICATE-----",
	  "-----BEGIN CERTIFICATE----", -EBADMSG },
	{ "BEGIN with junk after", "-----BEGIN CERTIFICATE-----\n",
	  "-----BEGIN CERTIFICATE-----x\n", -EBADMSG },
	{ "label ending in a dash", "-----BEGIN CERTIFICATE-----\n",
	  "-----BEGIN CERTIFICATE------\n", -EBADMSG },
	{ "empty label", "-----BEGIN CERTIFICATE-----\n", "-----BEGIN -----\n",
	  -EBADMSG },
	{ "NUL in the body", "M", "\x01", -EBADMSG },
};

TEST_F(pem, malformed_blocks_are_rejected)
{
	const struct bad_pem *bp;
	struct pem_list l;
	char *text;

	for (bp = bad_pems; bp < bad_pems + ARRAY_SIZE(bad_pems); bp++) {
		text = edit(self->pem[1], bp->from, bp->to);
		ASSERT_NE(NULL, text) TH_LOG("%s", bp->what);
		EXPECT_EQ(bp->want, decode(text, &l)) TH_LOG("%s", bp->what);
		EXPECT_EQ(0, l.count);
		free(text);
	}
}

static const struct b64_case {
	const char *body;
	int want;	/* block length, or a negative errno */
} b64_cases[] = {
	{ "QQ==", 1 },
	{ "QUI=", 2 },
	{ "QUJD", 3 },
	{ "QUJDRA==", 4 },
	{ "QQ", -EBADMSG },		/* padding is required */
	{ "QQ=", -EBADMSG },
	{ "QR==", -EBADMSG },		/* non-zero pad bits */
	{ "QUJ=", -EBADMSG },
	{ "QQ==QQ==", -EBADMSG },	/* data after padding */
	{ "QUI=QUJD", -EBADMSG },
	{ "QUI==", -EBADMSG },
	{ "Q===", -EBADMSG },
	{ "====", -EBADMSG },
	{ "QUJDR", -EBADMSG },
	{ "", -EBADMSG },		/* empty block */
	{ " Q U\tJ D\n", 3 },
};

TEST(pem_base64_rules)
{
	const struct b64_case *bc;
	struct pem_list l;
	char *text;

	for (bc = b64_cases; bc < b64_cases + ARRAY_SIZE(b64_cases); bc++) {
		ASSERT_LE(0, asprintf(&text, "-----BEGIN CERTIFICATE-----\n%s\n"
				      "-----END CERTIFICATE-----\n", bc->body));
		EXPECT_EQ(bc->want > 0 ? 1 : bc->want, decode(text, &l))
			TH_LOG("\"%s\"", bc->body);
		if (bc->want > 0)
			EXPECT_EQ((size_t)bc->want, l.blocks[0].len);
		pem_list_free(&l);
		free(text);
	}
	EXPECT_EQ(-EBADMSG, decode("-----BEGIN CERTIFICATE-----\nQQ==\n"
				   "-----BEGIN CERTIFICATE-----\nQQ==\n"
				   "-----END CERTIFICATE-----\n", &l));
	EXPECT_EQ(-EBADMSG, decode("-----BEGIN X------\nQQ==\n"
				   "-----END X------\n", &l));
	EXPECT_EQ(0, decode("-----BEGIN X-Y Z-----\nQQ==\n"
			    "-----END X-Y Z-----\n", &l));
	EXPECT_EQ(0, pem_decode(NULL, 0, "CERTIFICATE", &l));
	EXPECT_EQ(-EINVAL, pem_decode(NULL, 1, "CERTIFICATE", &l));
	EXPECT_EQ(-EINVAL, pem_decode("", 0, "", &l));
}

TEST_F(pem, at_most_sixteen_blocks)
{
	struct pem_list l;
	size_t n = strlen(self->pem[1]);
	char *text = malloc(17 * n + 1);
	int i;

	for (i = 0; i < 17; i++)
		memcpy(text + i * n, self->pem[1], n);
	EXPECT_EQ(-E2BIG, pem_decode(text, 17 * n, "CERTIFICATE", &l));
	EXPECT_EQ(0, l.count);
	EXPECT_EQ(16, pem_decode(text, 16 * n, "CERTIFICATE", &l));
	EXPECT_TRUE(block_is(&l, 15, &self->d[1]));
	pem_list_free(&l);
	free(text);
}

static int write_file(const char *dir, const char *name, const void *p,
		      size_t n, char *path)
{
	FILE *f;
	int ok;

	snprintf(path, 128, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

TEST_F(pem, files)
{
	struct pem_list l;
	struct x509_cert c;
	char path[128], *text, *big;
	unsigned int i;

	ASSERT_LE(0, asprintf(&text, "%s%s%s", self->pem[2], self->pem[1],
			      self->pem[0]));
	ASSERT_EQ(0, write_file(self->dir, "chain.pem", text, strlen(text),
				path));
	EXPECT_EQ(3, pem_read_file(path, "CERTIFICATE", &l));
	for (i = 0; i < l.count; i++) {
		EXPECT_TRUE(block_is(&l, i, &self->d[2 - i]));
		EXPECT_EQ(0, x509_parse(l.blocks[i].der, l.blocks[i].len, &c));
	}
	pem_list_free(&l);

	ASSERT_EQ(0, write_file(self->dir, "empty.pem", "", 0, path));
	EXPECT_EQ(0, pem_read_file(path, "CERTIFICATE", &l));

	snprintf(path, sizeof(path), "%s/missing.pem", self->dir);
	EXPECT_EQ(-ENOENT, pem_read_file(path, "CERTIFICATE", &l));
	EXPECT_EQ(-EISDIR, pem_read_file(self->dir, "CERTIFICATE", &l));

	/* exactly the limit is read; one byte more is refused */
	big = malloc(PEM_MAX_FILE + 1);
	memset(big, '#', PEM_MAX_FILE + 1);
	memcpy(big, text, strlen(text));
	ASSERT_EQ(0, write_file(self->dir, "max.pem", big, PEM_MAX_FILE, path));
	EXPECT_EQ(3, pem_read_file(path, "CERTIFICATE", &l));
	pem_list_free(&l);
	ASSERT_EQ(0, write_file(self->dir, "big.pem", big, PEM_MAX_FILE + 1,
				path));
	EXPECT_EQ(-EFBIG, pem_read_file(path, "CERTIFICATE", &l));
	EXPECT_EQ(0, l.count);
	free(big);

	ASSERT_EQ(0, write_file(self->dir, "locked.pem", text, strlen(text),
				path));
	ASSERT_EQ(0, chmod(path, 0));
	if (geteuid() != 0) {
		EXPECT_EQ(-EACCES, pem_read_file(path, "CERTIFICATE", &l));
	} else {
		TH_LOG("root: -EACCES not testable");
	}
	free(text);
}

TEST_F(pem, truncated_and_mutated_text_is_safe)
{
	struct pem_list l;
	size_t n = strlen(self->pem[1]), i;
	char *p;
	int err;

	for (i = 0; i < n; i++) {
		p = malloc(i ? i : 1);
		memcpy(p, self->pem[1], i);
		err = pem_decode(p, i, "CERTIFICATE", &l);
		/*
		 * Short of "-----BEGIN x" it is explanatory text; without its
		 * last newline the block is whole; else it is cut short.
		 */
		EXPECT_EQ(i <= 11 ? 0 : i == n - 1 ? 1 : -EBADMSG, err)
			TH_LOG("length %zu", i);
		pem_list_free(&l);
		free(p);
	}
	p = malloc(n);
	memcpy(p, self->pem[1], n);
	for (i = 0; i < n; i++) {
		char orig = p[i];

		p[i] ^= 0x41;
		err = pem_decode(p, n, "CERTIFICATE", &l);
		EXPECT_TRUE(err == -EBADMSG || err == 0 || err == 1)
			TH_LOG("byte %zu: %d", i, err);
		pem_list_free(&l);
		p[i] = orig;
	}
	free(p);
}

/* A certificate from the openssl command, read back through the file. */
TEST_F(pem, openssl_cli_certificate)
{
	char cmd[1024], path[128];
	struct x509_cert c;
	struct pem_list l;
	X509 *x;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -x509 -newkey ec "
		 "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem "
		 "-out c.pem -subj /CN=cli.example -days 2 "
		 "-addext subjectAltName=DNS:cli.example,IP:10.0.0.1 "
		 "-addext keyUsage=critical,digitalSignature "
		 "-addext extendedKeyUsage=serverAuth "
		 "-addext 1.2.3.4=critical,ASN1:NULL >/dev/null 2>&1",
		 self->dir);
	if (system(cmd) != 0)
		SKIP(return, "openssl req failed");
	snprintf(path, sizeof(path), "%s/c.pem", self->dir);
	ASSERT_EQ(1, pem_read_file(path, "CERTIFICATE", &l));
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ASSERT_NE(NULL, x);
	ASSERT_EQ(0, x509_parse(l.blocks[0].der, l.blocks[0].len, &c));
	compare(_metadata, x, &(struct der){ l.blocks[0].der,
					     l.blocks[0].len }, &c);
	EXPECT_TRUE(c.unknown_critical);
	EXPECT_TRUE(x509_name_match(&c, "cli.example"));
	EXPECT_TRUE(x509_name_match(&c, "10.0.0.1"));
	EXPECT_EQ(UNSUP, x509_check_leaf(&c, time(NULL), X509_PURPOSE_SERVER,
					 "cli.example"));
	snprintf(path, sizeof(path), "%s/k.pem", self->dir);
	EXPECT_EQ(0, pem_read_file(path, "CERTIFICATE", &l));
	EXPECT_EQ(1, pem_read_file(path, "PRIVATE KEY", &l));
	pem_list_free(&l);
	X509_free(x);
}

TEST_HARNESS_MAIN
