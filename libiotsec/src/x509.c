// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal X.509 reader and the checks the kernel leaves to us (see
 * x509.h).  A small DER layer sits on the bounded codec reader: each
 * element is read as one tag octet, a minimal definite length, then a
 * sub-reader over its contents that must be used up exactly; errors stick
 * and flow up through end().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include "codec.h"
#include "iotsec.h"
#include "internal.h"
#include "x509.h"

/* Tags (X.690 8.1.2) as their whole first octet: low tag numbers only. */
enum {
	DER_BOOLEAN = 0x01,
	DER_INTEGER = 0x02,
	DER_BIT_STRING = 0x03,
	DER_OCTET_STRING = 0x04,
	DER_OID = 0x06,
	DER_UTF8_STRING = 0x0c,
	DER_PRINTABLE_STRING = 0x13,
	DER_IA5_STRING = 0x16,
	DER_UTC_TIME = 0x17,
	DER_GENERALIZED_TIME = 0x18,
	DER_SEQUENCE = 0x30,
	DER_SET = 0x31,
	TBS_VERSION = 0xa0,		/* [0] EXPLICIT */
	TBS_ISSUER_UID = 0x81,		/* [1] IMPLICIT BIT STRING */
	TBS_SUBJECT_UID = 0x82,		/* [2] IMPLICIT BIT STRING */
	TBS_EXTENSIONS = 0xa3,		/* [3] EXPLICIT */
	GN_DNS = 0x82,			/* GeneralName dNSName [2] IA5String */
	GN_IP = 0x87,			/* GeneralName iPAddress [7] OCTET STRING */
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define BAD_CERT	IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_CERTIFICATE)
#define UNSUPPORTED	IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNSUPPORTED_CERTIFICATE)
#define EXPIRED		IOTSEC_ALERT_ERR(IOTSEC_ALERT_CERTIFICATE_EXPIRED)

/* An OBJECT IDENTIFIER's contents octets. */
struct oid {
	const uint8_t *b;
	size_t len;
};

#define OID(...) {							\
	(const uint8_t[]){ __VA_ARGS__ },				\
	sizeof((const uint8_t[]){ __VA_ARGS__ })			\
}

static const struct oid oid_cn = OID(0x55, 0x04, 0x03);
static const struct oid oid_ec = OID(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
static const struct oid oid_p256 =
	OID(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);
static const struct oid oid_rsa =
	OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);
static const struct oid oid_server_auth =
	OID(0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01);
static const struct oid oid_client_auth =
	OID(0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02);
static const struct oid oid_any_eku = OID(0x55, 0x1d, 0x25, 0x00);

#define ECDSA(n) OID(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, n)
#define PKCS1(n) OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, n)

static const struct {
	struct oid oid;
	enum x509_sig alg;
} sig_algs[] = {
	{ ECDSA(0x02), X509_SIG_ECDSA_SHA256 },
	{ ECDSA(0x03), X509_SIG_ECDSA_SHA384 },
	{ ECDSA(0x04), X509_SIG_ECDSA_SHA512 },
	{ PKCS1(0x0b), X509_SIG_RSA_SHA256 },
	{ PKCS1(0x0c), X509_SIG_RSA_SHA384 },
	{ PKCS1(0x0d), X509_SIG_RSA_SHA512 },
	{ PKCS1(0x0a), X509_SIG_RSA_PSS },
};

static const uint8_t empty[1];

static void fail(struct rbuf *r)
{
	if (!r->err)
		r->err = -EBADMSG;
}

/* A sub-reader over p[0..len), carrying @err. */
static void sub_init(struct rbuf *sub, const uint8_t *p, size_t len, int err)
{
	rbuf_init(sub, p ? p : empty, p ? len : 0);
	sub->err = err;
}

/* The contents must be used up exactly; their error becomes the parent's. */
static void end(struct rbuf *r, struct rbuf *sub)
{
	rbuf_done(sub);
	rbuf_join(r, sub);
}

/* Takes the rest of @v as a span. */
static void take(struct rbuf *v, struct x509_span *s)
{
	s->len = rbuf_left(v);
	s->p = rbuf_get(v, s->len);
	if (!s->p)
		s->len = 0;
}

static void skip(struct rbuf *v)
{
	rbuf_get(v, rbuf_left(v));
}

/* The next octet, or 0 at the end (0 is never a tag we accept). */
static uint8_t peek(const struct rbuf *r)
{
	struct rbuf t = *r;

	return rbuf_left(&t) ? rbuf_get8(&t) : 0;
}

/* A definite length in its shortest form (X.690 10.1), up to 4 octets. */
static size_t get_len(struct rbuf *r)
{
	uint8_t b = rbuf_get8(r);
	int i, n = b & 0x7f;
	size_t len = 0;

	if (b < 0x80)
		return b;
	if (n == 0 || n > 4) {
		fail(r);
		return 0;
	}
	for (i = 0; i < n; i++)
		len = len << 8 | rbuf_get8(r);
	if (len < 0x80 || !(len >> (8 * (n - 1))))
		fail(r);
	return r->err ? 0 : len;
}

/*
 * Reads one element whose first octet must be @tag: @val gets its
 * contents, @raw (unless NULL) its whole encoding.
 */
static void get_tlv(struct rbuf *r, uint8_t tag, struct rbuf *val,
		    struct x509_span *raw)
{
	struct rbuf start = *r;
	const uint8_t *p;
	size_t len;

	if (rbuf_get8(r) != tag)
		fail(r);
	len = get_len(r);
	p = rbuf_get(r, len);
	sub_init(val, p, len, r->err);
	if (!raw)
		return;
	raw->len = r->err ? 0 : rbuf_left(&start) - rbuf_left(r);
	raw->p = r->err ? NULL : rbuf_get(&start, raw->len);
}

/* Reads an element with any low-number tag; returns the tag. */
static uint8_t get_any(struct rbuf *r, struct rbuf *val)
{
	uint8_t tag = peek(r);

	if (!tag || (tag & 0x1f) == 0x1f)
		fail(r);
	get_tlv(r, tag, val, NULL);
	return tag;
}

static void skip_tlv(struct rbuf *r, uint8_t tag)
{
	struct rbuf v;

	get_tlv(r, tag, &v, NULL);
	skip(&v);
	end(r, &v);
}

/* DER BOOLEAN: one octet, 0x00 or 0xff (X.690 11.1). */
static bool get_bool(struct rbuf *r)
{
	struct rbuf v;
	uint8_t b;

	get_tlv(r, DER_BOOLEAN, &v, NULL);
	b = rbuf_get8(&v);
	if (b != 0x00 && b != 0xff)
		fail(&v);
	end(r, &v);
	return !r->err && b == 0xff;
}

/* X.690 8.3.2: not empty, and the first nine bits are not all equal. */
static bool int_minimal(const struct rbuf *v)
{
	struct rbuf t = *v;
	uint8_t b0, b1;

	if (rbuf_left(&t) < 2)
		return rbuf_left(&t) == 1;
	b0 = rbuf_get8(&t);
	b1 = rbuf_get8(&t) & 0x80;
	return !(b0 == 0x00 && !b1) && !(b0 == 0xff && b1);
}

/* A non-negative INTEGER no larger than @max. */
static int get_uint(struct rbuf *r, int max)
{
	uint64_t n = 0;
	struct rbuf v;

	get_tlv(r, DER_INTEGER, &v, NULL);
	if (!int_minimal(&v) || peek(&v) & 0x80)
		fail(&v);
	while (rbuf_left(&v) && n <= (uint64_t)max)
		n = n << 8 | rbuf_get8(&v);
	if (n > (uint64_t)max)
		fail(&v);
	end(r, &v);
	return r->err ? 0 : (int)n;
}

/* serialNumber: up to 20 octets of value, so 21 with a sign octet. */
static void get_serial(struct rbuf *r, struct x509_span *s)
{
	struct rbuf v;

	get_tlv(r, DER_INTEGER, &v, NULL);
	if (!int_minimal(&v) || rbuf_left(&v) > 21)
		fail(&v);
	take(&v, s);
	end(r, &v);
}

static struct x509_span get_oid(struct rbuf *r)
{
	struct x509_span s;
	struct rbuf v;

	get_tlv(r, DER_OID, &v, NULL);
	if (!rbuf_left(&v))
		fail(&v);
	take(&v, &s);
	end(r, &v);
	return s;
}

static bool oid_is(struct x509_span s, const struct oid *o)
{
	return s.len == o->len && !memcmp(s.p, o->b, s.len);
}

/*
 * A BIT STRING whose unused bits are zero (X.690 11.2.1); @val gets the
 * octets after the count, for the caller to read and end().
 */
static unsigned int get_bits(struct rbuf *r, struct rbuf *val)
{
	unsigned int unused;
	struct rbuf last;

	get_tlv(r, DER_BIT_STRING, val, NULL);
	unused = rbuf_get8(val);
	if (unused > 7 || (unused && !rbuf_left(val)))
		fail(val);
	if (unused && rbuf_left(val)) {
		last = *val;
		rbuf_get(&last, rbuf_left(&last) - 1);
		if (rbuf_get8(&last) & ((1u << unused) - 1))
			fail(val);
	}
	return val->err ? 0 : unused;
}

/* AlgorithmIdentifier: returns the OID; @params is left for the caller. */
static struct x509_span get_alg(struct rbuf *r, struct x509_span *raw,
				struct rbuf *params)
{
	get_tlv(r, DER_SEQUENCE, params, raw);
	return get_oid(params);
}

/* A signature AlgorithmIdentifier; parameters are the kernel's business. */
static enum x509_sig get_sig_alg(struct rbuf *r, struct x509_span *raw)
{
	struct x509_span oid;
	struct rbuf params, v;
	size_t i;

	oid = get_alg(r, raw, &params);
	if (rbuf_left(&params)) {
		get_any(&params, &v);
		skip(&v);
		end(&params, &v);
	}
	end(r, &params);
	for (i = 0; i < ARRAY_SIZE(sig_algs); i++)
		if (oid_is(oid, &sig_algs[i].oid))
			return sig_algs[i].alg;
	return X509_SIG_OTHER;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const uint8_t days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return days[m - 1] + (m == 2 && leap(y));
}

/*
 * Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 0): count
 * years from March so that the leap day falls last, then whole 400-year
 * cycles of 146097 days.
 */
static int64_t days_since_epoch(int y, int m, int d)
{
	int64_t yr = y - (m <= 2);
	int64_t cycle = (yr >= 0 ? yr : yr - 399) / 400;
	int64_t yoc = yr - cycle * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doc = yoc * 365 + yoc / 4 - yoc / 100 + doy;

	return cycle * 146097 + doc - 719468;
}

static time_t to_time(int64_t t)
{
	if (sizeof(time_t) < sizeof(int64_t)) {
		if (t > INT32_MAX)
			return (time_t)INT32_MAX;
		if (t < INT32_MIN)
			return (time_t)INT32_MIN;
	}
	return (time_t)t;
}

static int two_digits(struct rbuf *v)
{
	uint8_t a = rbuf_get8(v);
	uint8_t b = rbuf_get8(v);

	if (a < '0' || a > '9' || b < '0' || b > '9') {
		fail(v);
		return 0;
	}
	return (a - '0') * 10 + (b - '0');
}

/*
 * Time (RFC 5280 4.1.2.5): UTCTime YYMMDDHHMMSSZ, YY < 50 meaning 20YY,
 * or GeneralizedTime YYYYMMDDHHMMSSZ; no fractions, no offsets.
 */
static time_t get_time(struct rbuf *r)
{
	uint8_t tag = peek(r);
	int y = 0, mo, d, h, mi, s;
	struct rbuf v;

	get_tlv(r, tag, &v, NULL);
	if (tag == DER_UTC_TIME) {
		y = two_digits(&v);
		y += y < 50 ? 2000 : 1900;
	} else if (tag == DER_GENERALIZED_TIME) {
		y = two_digits(&v) * 100;
		y += two_digits(&v);
	} else {
		fail(&v);
	}
	mo = two_digits(&v);
	d = two_digits(&v);
	h = two_digits(&v);
	mi = two_digits(&v);
	s = two_digits(&v);
	if (rbuf_get8(&v) != 'Z' || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h > 23 || mi > 59 || s > 59)
		fail(&v);
	end(r, &v);
	if (r->err)
		return 0;
	return to_time(((days_since_epoch(y, mo, d) * 24 + h) * 60 + mi) * 60 +
		       s);
}

static void get_validity(struct rbuf *r, struct x509_cert *c)
{
	struct rbuf v;

	get_tlv(r, DER_SEQUENCE, &v, NULL);
	c->not_before = get_time(&v);
	c->not_after = get_time(&v);
	end(r, &v);
}

/* AttributeTypeAndValue; counts and keeps a subject's commonName. */
static void get_atv(struct rbuf *r, struct x509_cert *c)
{
	struct x509_span type;
	struct rbuf atv, val;
	uint8_t tag;

	get_tlv(r, DER_SEQUENCE, &atv, NULL);
	type = get_oid(&atv);
	tag = get_any(&atv, &val);
	if (c && oid_is(type, &oid_cn)) {
		if (++c->cn_count == 1 &&
		    (tag == DER_UTF8_STRING || tag == DER_PRINTABLE_STRING ||
		     tag == DER_IA5_STRING))
			take(&val, &c->cn);
	}
	skip(&val);
	end(&atv, &val);
	end(r, &atv);
}

/* Name (RFC 5280 4.1.2.4): a SEQUENCE OF non-empty SET OF attributes. */
static void get_name(struct rbuf *r, struct x509_span *raw,
		     struct x509_cert *c)
{
	struct rbuf seq, set;

	get_tlv(r, DER_SEQUENCE, &seq, raw);
	while (rbuf_left(&seq)) {
		get_tlv(&seq, DER_SET, &set, NULL);
		if (!rbuf_left(&set))
			fail(&set);
		while (rbuf_left(&set))
			get_atv(&set, c);
		end(&seq, &set);
	}
	end(r, &seq);
}

/* SubjectPublicKeyInfo; EC keys need a namedCurve (RFC 5480 2.1.1). */
static void get_spki(struct rbuf *r, struct x509_cert *c)
{
	struct rbuf spki, params, bits, v;
	struct x509_span alg;

	get_tlv(r, DER_SEQUENCE, &spki, &c->spki);
	alg = get_alg(&spki, NULL, &params);
	if (oid_is(alg, &oid_ec)) {
		c->key_type = oid_is(get_oid(&params), &oid_p256) ?
			      X509_KEY_EC_P256 : X509_KEY_EC_OTHER;
	} else {
		if (rbuf_left(&params)) {
			get_any(&params, &v);
			skip(&v);
			end(&params, &v);
		}
		c->key_type = oid_is(alg, &oid_rsa) ? X509_KEY_RSA :
			      X509_KEY_OTHER;
	}
	end(&spki, &params);
	if (get_bits(&spki, &bits))
		fail(&bits);
	if (c->key_type == X509_KEY_EC_P256 &&
	    (rbuf_left(&bits) != 65 || peek(&bits) != 0x04))
		c->key_type = X509_KEY_EC_OTHER;
	take(&bits, &c->key);
	end(&spki, &bits);
	end(r, &spki);
}

/* basicConstraints (RFC 5280 4.2.1.9). */
static void get_bc(struct rbuf *r, struct x509_cert *c)
{
	struct rbuf seq;

	get_tlv(r, DER_SEQUENCE, &seq, NULL);
	c->bc_present = true;
	if (peek(&seq) == DER_BOOLEAN)
		c->bc_ca = get_bool(&seq);
	if (peek(&seq) == DER_INTEGER)
		c->bc_path_len = get_uint(&seq, INT_MAX);
	end(r, &seq);
}

/*
 * keyUsage (RFC 5280 4.2.1.3): named bit n is bit 7 - n % 8 of octet
 * n / 8; bits past decipherOnly (8) mean nothing and are ignored.
 */
static void get_ku(struct rbuf *r, struct x509_cert *c)
{
	unsigned int i, bit;
	struct rbuf bits;
	uint8_t b;

	get_bits(r, &bits);
	for (i = 0; i < 2 && rbuf_left(&bits); i++) {
		b = rbuf_get8(&bits);
		for (bit = 0; bit < 8 && 8 * i + bit <= 8; bit++)
			if (b & (0x80 >> bit))
				c->ku |= 1u << (8 * i + bit);
	}
	skip(&bits);
	if (!c->ku)	/* "at least one of the bits MUST be set" */
		fail(&bits);
	c->ku_present = true;
	end(r, &bits);
}

/* extendedKeyUsage (RFC 5280 4.2.1.12): SEQUENCE SIZE (1..MAX) OF OID. */
static void get_eku(struct rbuf *r, struct x509_cert *c)
{
	struct x509_span id;
	struct rbuf seq;

	get_tlv(r, DER_SEQUENCE, &seq, NULL);
	if (!rbuf_left(&seq))
		fail(&seq);
	while (rbuf_left(&seq)) {
		id = get_oid(&seq);
		if (oid_is(id, &oid_server_auth))
			c->eku |= X509_EKU_SERVER_AUTH;
		else if (oid_is(id, &oid_client_auth))
			c->eku |= X509_EKU_CLIENT_AUTH;
		else if (oid_is(id, &oid_any_eku))
			c->eku |= X509_EKU_ANY;
		else
			c->eku |= X509_EKU_OTHER;
	}
	c->eku_present = true;
	end(r, &seq);
}

static void add_name(struct x509_cert *c, enum x509_name_type type,
		     struct rbuf *v)
{
	if (c->n_names == X509_MAX_NAMES) {
		c->names_dropped++;
		return;
	}
	c->names[c->n_names].type = type;
	take(v, &c->names[c->n_names].v);
	c->n_names++;
}

/* One GeneralName (RFC 5280 4.2.1.6); keeps dNSName and iPAddress. */
static void get_general_name(struct rbuf *r, struct x509_cert *c)
{
	struct rbuf v;
	uint8_t tag;

	tag = get_any(r, &v);
	switch (tag) {
	case GN_DNS:
		add_name(c, X509_NAME_DNS, &v);
		break;
	case GN_IP:
		if (rbuf_left(&v) != 4 && rbuf_left(&v) != 16)
			fail(&v);
		add_name(c, X509_NAME_IP, &v);
		break;
	case 0xa0: case 0x81: case 0xa3: case 0xa4: case 0xa5: case 0x86:
	case 0x88:
		break;
	default:
		fail(&v);
	}
	skip(&v);
	end(r, &v);
}

/* subjectAltName: GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName. */
static void get_san(struct rbuf *r, struct x509_cert *c)
{
	struct rbuf seq;

	get_tlv(r, DER_SEQUENCE, &seq, NULL);
	if (!rbuf_left(&seq))
		fail(&seq);
	while (rbuf_left(&seq))
		get_general_name(&seq, c);
	c->san_present = true;
	end(r, &seq);
}

/*
 * The extensions we know, by the last arc of id-ce (2.5.29.x).  Key
 * identifiers are known but unused: they are never critical and the
 * kernel reads them itself.  Anything else (nameConstraints, policies…)
 * is unknown, so a critical one makes the certificate unusable.
 */
static const struct {
	uint8_t arc;
	void (*parse)(struct rbuf *r, struct x509_cert *c);
} known_exts[] = {
	{ 19, get_bc },
	{ 15, get_ku },
	{ 37, get_eku },
	{ 17, get_san },
	{ 14, NULL },		/* subjectKeyIdentifier */
	{ 35, NULL },		/* authorityKeyIdentifier */
};

static int find_ext(struct x509_span id)
{
	struct rbuf r;
	size_t i;
	uint8_t arc;

	sub_init(&r, id.p, id.len, 0);
	if (id.len != 3 || rbuf_get8(&r) != 0x55 || rbuf_get8(&r) != 0x1d)
		return -1;
	arc = rbuf_get8(&r);
	for (i = 0; i < ARRAY_SIZE(known_exts); i++)
		if (known_exts[i].arc == arc)
			return i;
	return -1;
}

/* Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }. */
static void get_ext(struct rbuf *r, struct x509_cert *c, unsigned int *seen)
{
	bool critical = false;
	struct x509_span id;
	struct rbuf ext, val;
	int i;

	get_tlv(r, DER_SEQUENCE, &ext, NULL);
	id = get_oid(&ext);
	if (peek(&ext) == DER_BOOLEAN)
		critical = get_bool(&ext);
	get_tlv(&ext, DER_OCTET_STRING, &val, NULL);
	i = find_ext(id);
	if (i < 0) {
		c->unknown_critical |= critical;
	} else {
		if (*seen & 1u << i)	/* RFC 5280 4.2: at most one of each */
			fail(&val);
		*seen |= 1u << i;
		if (known_exts[i].parse)
			known_exts[i].parse(&val, c);
	}
	skip(&val);
	end(&ext, &val);
	end(r, &ext);
}

static void get_exts(struct rbuf *r, struct x509_cert *c)
{
	unsigned int seen = 0;
	struct rbuf outer, seq;

	get_tlv(r, TBS_EXTENSIONS, &outer, NULL);
	get_tlv(&outer, DER_SEQUENCE, &seq, NULL);
	if (!rbuf_left(&seq))
		fail(&seq);
	while (rbuf_left(&seq))
		get_ext(&seq, c, &seen);
	end(&outer, &seq);
	end(r, &outer);
}

static void get_version(struct rbuf *r, struct x509_cert *c)
{
	struct rbuf v;

	c->version = 1;
	if (peek(r) != TBS_VERSION)
		return;
	get_tlv(r, TBS_VERSION, &v, NULL);
	c->version = get_uint(&v, 2) + 1;
	end(r, &v);
}

/* TBSCertificate (RFC 5280 4.1); @alg gets its signature field. */
static void get_tbs(struct rbuf *r, struct x509_cert *c, struct x509_span *alg)
{
	struct rbuf tbs;

	get_tlv(r, DER_SEQUENCE, &tbs, &c->tbs);
	get_version(&tbs, c);
	get_serial(&tbs, &c->serial);
	c->sig_alg = get_sig_alg(&tbs, alg);
	get_name(&tbs, &c->issuer, NULL);
	get_validity(&tbs, c);
	get_name(&tbs, &c->subject, c);
	get_spki(&tbs, c);
	if (c->version >= 2 && peek(&tbs) == TBS_ISSUER_UID)
		skip_tlv(&tbs, TBS_ISSUER_UID);
	if (c->version >= 2 && peek(&tbs) == TBS_SUBJECT_UID)
		skip_tlv(&tbs, TBS_SUBJECT_UID);
	if (c->version == 3 && peek(&tbs) == TBS_EXTENSIONS)
		get_exts(&tbs, c);
	end(r, &tbs);
}

static bool span_eq(struct x509_span a, struct x509_span b)
{
	return a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
}

int x509_parse(const uint8_t *der, size_t len, struct x509_cert *c)
{
	struct x509_span tbs_alg, alg;
	struct rbuf r, cert, bits;

	if (!der || !c)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->bc_path_len = -1;
	rbuf_init(&r, der, len);
	get_tlv(&r, DER_SEQUENCE, &cert, &c->raw);
	get_tbs(&cert, c, &tbs_alg);
	get_sig_alg(&cert, &alg);
	if (get_bits(&cert, &bits))
		fail(&bits);
	take(&bits, &c->sig);
	end(&cert, &bits);
	end(&r, &cert);
	rbuf_done(&r);
	if (!r.err && !span_eq(alg, tbs_alg))	/* RFC 5280 4.1.1.2 */
		r.err = -EBADMSG;
	if (r.err) {
		memset(c, 0, sizeof(*c));
		return BAD_CERT;
	}
	if (c->cn_count != 1)
		c->cn = (struct x509_span){ NULL, 0 };
	return 0;
}

static int check_dates(const struct x509_cert *c, time_t now)
{
	if (now < c->not_before || now > c->not_after)
		return EXPIRED;
	return 0;
}

/*
 * What we advertise (signature_algorithms_cert: ecdsa_secp256r1_sha256
 * only) is what a chain may use: a P-256 key, signed with ECDSA and
 * SHA-256 by an issuer whose key is therefore P-256 too (the kernel checks
 * the signature with it).  Anything else is refused before the kernel
 * sees it, which would verify SHA-1, P-192 or RSA-1024 as well.
 */
static bool advertised(const struct x509_cert *c)
{
	return c->key_type == X509_KEY_EC_P256 &&
	       c->sig_alg == X509_SIG_ECDSA_SHA256;
}

int x509_check_leaf(const struct x509_cert *c, time_t now,
		    enum x509_purpose purpose, const char *expected_name)
{
	unsigned int eku;
	int err;

	if (!c || (purpose != X509_PURPOSE_SERVER &&
		   purpose != X509_PURPOSE_CLIENT))
		return -EINVAL;
	eku = purpose == X509_PURPOSE_SERVER ? X509_EKU_SERVER_AUTH :
	      X509_EKU_CLIENT_AUTH;
	if (c->unknown_critical || !advertised(c))
		return UNSUPPORTED;
	err = check_dates(c, now);
	if (err)
		return err;
	if (c->ku_present && !(c->ku & X509_KU_DIGITAL_SIGNATURE))
		return UNSUPPORTED;
	/*
	 * A CA's key is not a peer's key (our profile: a leaf says cA FALSE
	 * or nothing; RFC 5280 4.2.1.9 leaves it to the profile).
	 */
	if (c->bc_present && c->bc_ca)
		return BAD_CERT;
	/* No extendedKeyUsage is no purpose of ours: the role's is required. */
	if (!c->eku_present || !(c->eku & eku))
		return UNSUPPORTED;
	if (expected_name && !x509_name_match(c, expected_name))
		return BAD_CERT;
	return 0;
}

int x509_check_ca(const struct x509_cert *c, time_t now, unsigned int depth)
{
	int err;

	if (!c)
		return -EINVAL;
	if (c->unknown_critical || !advertised(c))
		return UNSUPPORTED;
	err = check_dates(c, now);
	if (err)
		return err;
	if (!c->bc_present || !c->bc_ca)
		return BAD_CERT;
	if (c->ku_present && !(c->ku & X509_KU_KEY_CERT_SIGN))
		return BAD_CERT;
	if (c->bc_path_len >= 0 && depth > (unsigned int)c->bc_path_len)
		return BAD_CERT;
	return 0;
}

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static bool ldh(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* A reference name: labels of 1..63 of [A-Za-z0-9-_], 253 in all. */
static bool dns_valid(const char *s, size_t len)
{
	size_t i, label = 0;

	if (!len || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (!ldh(s[i]) || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

/* Does the rest of @pat equal @s[0..len), ignoring ASCII case? */
static bool same(struct rbuf *pat, const char *s, size_t len)
{
	size_t i;

	if (rbuf_left(pat) != len)
		return false;
	for (i = 0; i < len; i++)
		if (lower(rbuf_get8(pat)) != lower((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * A presented DNS identifier against a valid reference name: "*." then
 * at least two labels stands for exactly one leftmost label.
 */
static bool dns_match(struct x509_span pat, const char *name, size_t len)
{
	struct rbuf p, t;
	size_t i;

	sub_init(&p, pat.p, pat.len, 0);
	t = p;
	if (rbuf_get8(&t) != '*' || rbuf_get8(&t) != '.' || t.err)
		return same(&p, name, len);
	for (i = 0; i < len && name[i] != '.'; i++)
		;
	if (i == len || !memchr(name + i + 1, '.', len - i - 1))
		return false;
	return same(&t, name + i + 1, len - i - 1);
}

static bool ip_match(const struct x509_cert *c, const uint8_t *ip,
		     size_t len)
{
	unsigned int i;

	for (i = 0; i < c->n_names; i++)
		if (c->names[i].type == X509_NAME_IP &&
		    c->names[i].v.len == len &&
		    !memcmp(c->names[i].v.p, ip, len))
			return true;
	return false;
}

bool x509_name_match(const struct x509_cert *c, const char *name)
{
	uint8_t ip[16];
	unsigned int i;
	size_t len;

	if (!c || !name)
		return false;
	if (inet_pton(AF_INET, name, ip) == 1)
		return ip_match(c, ip, 4);
	if (inet_pton(AF_INET6, name, ip) == 1)
		return ip_match(c, ip, 16);
	len = strnlen(name, 256);
	if (len && name[len - 1] == '.')
		len--;
	if (!dns_valid(name, len))
		return false;
	/* Never the commonName: RFC 9525 6.3 (it replaces RFC 6125 6.4.4). */
	for (i = 0; i < c->n_names; i++)
		if (c->names[i].type == X509_NAME_DNS &&
		    dns_match(c->names[i].v, name, len))
			return true;
	return false;
}
