// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec csr: a PKCS#10 CertificationRequest (RFC 2986) for a chip key.
 *
 * The subjectPublicKeyInfo is what keyctl read gives for the iotsec key;
 * the chip signs the SHA-256 of the DER CertificationRequestInfo through
 * keyctl_pkey_sign (enc=x962 hash=sha256, a DER Ecdsa-Sig-Value back), so
 * no private key is ever in this process.  The digest is libcrypto's, as
 * libiotsec's hashing is by default: AF_ALG is deprecated from 7.2, and
 * 7.3's crypto.af_alg_restrict refuses sha256 to unprivileged users.
 */
#include <errno.h>
#include <keyutils.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "der.h"
#include "iotsec-tool.h"

#define SUBJ_MAX_ATTRS	32
#define SPKI_P256_LEN	91
#define SIG_MAX_LEN	72	/* the key type refuses a larger buffer */

/* An attribute type of the subject: X.520, id-at = 2.5.4. */
struct attr_type {
	const char *sn, *ln;	/* OpenSSL's short and long names */
	uint8_t id;		/* the last arc of 2.5.4.id */
	uint8_t printable;	/* PrintableString, else UTF8String */
	unsigned int max;	/* characters (RFC 5280 appendix A upper bounds) */
};

static const struct attr_type attr_types[] = {
	{ "C", "countryName", 6, 1, 2 },
	{ "ST", "stateOrProvinceName", 8, 0, 128 },
	{ "L", "localityName", 7, 0, 128 },
	{ "O", "organizationName", 10, 0, 64 },
	{ "OU", "organizationalUnitName", 11, 0, 64 },
	{ "CN", "commonName", 3, 0, 64 },
	{ "serialNumber", "serialNumber", 5, 1, 64 },
};

#define N_TYPES (sizeof(attr_types) / sizeof(attr_types[0]))

struct attr {
	const struct attr_type *type;
	const char *val;	/* unescaped, NUL-terminated */
	size_t len;
};

/* The key type's DER SubjectPublicKeyInfo header (Documentation/keytype.rst). */
static const uint8_t spki_p256_hdr[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00, 0x04,
};

/* ecdsa-with-SHA256, 1.2.840.10045.4.3.2, no parameters (RFC 5758 3.2). */
static const uint8_t oid_ecdsa_sha256[] = {
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
};

static int __attribute__((format(printf, 1, 2))) bad_subject(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iotsec: --subject: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

static const struct attr_type *find_type(const char *name)
{
	size_t i;

	for (i = 0; i < N_TYPES; i++)
		if (!strcmp(name, attr_types[i].sn) || !strcmp(name, attr_types[i].ln))
			return &attr_types[i];
	return NULL;
}

/*
 * Characters in a UTF-8 value (RFC 3629: no overlong forms, surrogates or
 * code points above U+10FFFF); -1 if it is not UTF-8, -2 if it holds a
 * control character (C0, DEL or C1).
 */
static long utf8_chars(const unsigned char *s, size_t len)
{
	size_t i = 0, k, need;
	uint32_t cp, min;
	long n = 0;

	while (i < len) {
		cp = s[i];
		if (cp < 0x80) {
			need = 0;
			min = 0;
		} else if (cp >= 0xc2 && cp <= 0xdf) {
			need = 1;
			cp &= 0x1f;
			min = 0x80;
		} else if ((cp & 0xf0) == 0xe0) {
			need = 2;
			cp &= 0x0f;
			min = 0x800;
		} else if (cp >= 0xf0 && cp <= 0xf4) {
			need = 3;
			cp &= 0x07;
			min = 0x10000;
		} else {
			return -1;
		}
		if (len - i - 1 < need)
			return -1;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return -2;
		i += need + 1;
		n++;
	}
	return n;
}

/* X.680 PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ? */
static int printable(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || strchr(" '()+,-./:=?", *s)))
			return 0;
	return 1;
}

static int check_value(const struct attr *a)
{
	const struct attr_type *t = a->type;
	long n;

	if (!a->len)
		return bad_subject("empty value for %s", t->sn);
	n = utf8_chars((const unsigned char *)a->val, a->len);
	if (n == -1)
		return bad_subject("%s: the value is not valid UTF-8", t->sn);
	if (n == -2)
		return bad_subject("%s: the value holds a control character", t->sn);
	if (t->id == 6 && !(a->len == 2 && a->val[0] >= 'A' && a->val[0] <= 'Z' &&
			    a->val[1] >= 'A' && a->val[1] <= 'Z'))
		return bad_subject("C: '%s' is not two capital letters (ISO 3166, e.g. FI)",
				   a->val);
	if (t->printable && !printable(a->val))
		return bad_subject("%s: the value has characters outside PrintableString (A-Z a-z 0-9 space ' ( ) + , - . / : = ?)",
				   t->sn);
	if ((unsigned long)n > t->max)
		return bad_subject("%s: the value is %ld characters long, at most %u allowed",
				   t->sn, n, t->max);
	return 0;
}

/*
 * One "TYPE=VALUE" of the subject, from *p (just after a '/') to the next
 * unescaped '/' or the end; the value is unescaped in place.  *p moves
 * past that '/', or becomes NULL at the end.
 */
static int parse_attr(char **p, struct attr *a)
{
	char *type = *p, *eq, *in, *out;

	eq = strpbrk(type, "=/\\+");
	if (!eq || *eq != '=') {
		eq = strchr(type, '/');
		if (eq)
			*eq = '\0';
		if (!*type)
			return bad_subject("an empty component (\"//\", or '/' at the end)");
		return bad_subject("'%s' is not TYPE=VALUE", type);
	}
	*eq = '\0';
	a->type = find_type(type);
	if (!a->type)
		return bad_subject("unknown attribute type '%s' (known: C, ST, L, O, OU, CN, serialNumber and their long names)",
				   type);
	a->val = out = in = eq + 1;
	for (; *in && *in != '/'; in++) {
		if (*in == '+')
			return bad_subject("%s: '+' (a multi-valued RDN) is not supported; write \\+ for a plus sign",
					   a->type->sn);
		if (*in == '\\' && !*++in)
			return bad_subject("%s: a '\\' at the end of the value escapes nothing",
					   a->type->sn);
		*out++ = *in;
	}
	*p = *in ? in + 1 : NULL;
	*out = '\0';	/* may overwrite the '/': *p is past it already */
	a->len = out - a->val;
	return check_value(a);
}

/*
 * OpenSSL's "/TYPE=VALUE/TYPE=VALUE..." form, most significant first.
 * buf is a copy of the argument the values point into.  Returns the count
 * of attributes or -EINVAL (after saying why).
 */
static int parse_subject(char *buf, struct attr *attrs)
{
	char *p = buf + 1;
	int n = 0;

	if (*buf != '/')
		return bad_subject("'%s' does not start with '/' (as in /C=FI/O=Acme/CN=dev-1)",
				   buf);
	if (!*p)
		return bad_subject("'%s' names no attribute", buf);
	while (p) {
		if (n == SUBJ_MAX_ATTRS)
			return bad_subject("more than %d attributes", SUBJ_MAX_ATTRS);
		if (parse_attr(&p, &attrs[n++]))
			return -EINVAL;
	}
	return n;
}

/* Name ::= SEQUENCE OF SET OF SEQUENCE { type, value }: one attribute per RDN. */
static void put_name(struct der *d, const struct attr *attrs, int n)
{
	size_t name, rdn, atv;
	uint8_t oid[3] = { 0x55, 0x04, 0 };
	int i;

	name = der_open(d);
	for (i = 0; i < n; i++) {
		rdn = der_open(d);
		atv = der_open(d);
		oid[2] = attrs[i].type->id;
		der_tlv(d, DER_OID, oid, sizeof(oid));
		der_tlv(d, attrs[i].type->printable ? DER_PRINTABLE_STRING :
			DER_UTF8_STRING, attrs[i].val, attrs[i].len);
		der_close(d, DER_SEQUENCE, atv);
		der_close(d, DER_SET, rdn);
	}
	der_close(d, DER_SEQUENCE, name);
}

/* CertificationRequestInfo: version 0, subject, SPKI, no attributes. */
static void put_info(struct der *d, const struct attr *attrs, int n,
		     const uint8_t *spki, size_t spki_len)
{
	static const uint8_t v1 = 0;
	size_t info = der_open(d);

	der_tlv(d, DER_INTEGER, &v1, 1);
	put_name(d, attrs, n);
	der_put(d, spki, spki_len);
	der_tlv(d, DER_CONTEXT_0, NULL, 0);
	der_close(d, DER_SEQUENCE, info);
}

/* The public key, checked to be the key type's P-256 SubjectPublicKeyInfo. */
static int read_spki(int key, const char *name, uint8_t spki[SPKI_P256_LEN])
{
	uint8_t buf[256];
	long n = keyctl_read(key, (char *)buf, sizeof(buf));

	if (n < 0) {
		fprintf(stderr, "iotsec: key '%s': keyctl read: %s\n", name, strerror(errno));
		return -1;
	}
	if (n != SPKI_P256_LEN || memcmp(buf, spki_p256_hdr, sizeof(spki_p256_hdr))) {
		fprintf(stderr, "iotsec: key '%s': keyctl read does not give a P-256 public key (not an iotsec key?)\n",
			name);
		return -1;
	}
	memcpy(spki, buf, SPKI_P256_LEN);
	return 0;
}

/* The chip's signature of SHA-256(info): its DER length, or -1. */
static long sign_info(int key, const char *name, const struct der *info,
		      uint8_t sig[SIG_MAX_LEN])
{
	uint8_t digest[32];
	unsigned int n = 0;
	long len;

	if (!EVP_Digest(info->buf, info->len, digest, &n, EVP_sha256(), NULL) ||
	    n != sizeof(digest)) {
		fprintf(stderr, "iotsec: SHA-256 (libcrypto) failed\n");
		return -1;
	}
	len = keyctl_pkey_sign(key, "enc=x962 hash=sha256", digest, sizeof(digest),
			       sig, SIG_MAX_LEN);
	if (len < 0) {
		fprintf(stderr, "iotsec: key '%s': keyctl_pkey_sign: %s\n", name,
			strerror(errno));
		return -1;
	}
	if (len < 8 || len > SIG_MAX_LEN || sig[0] != DER_SEQUENCE) {
		fprintf(stderr, "iotsec: key '%s': the signature is not a DER ECDSA signature\n",
			name);
		return -1;
	}
	return len;
}

/* CertificationRequest ::= SEQUENCE { info, algorithm, BIT STRING signature } */
static void put_request(struct der *d, const struct der *info,
			const uint8_t *sig, size_t sig_len)
{
	size_t req = der_open(d), alg, bits;
	static const uint8_t unused = 0;

	der_put(d, info->buf, info->len);
	alg = der_open(d);
	der_tlv(d, DER_OID, oid_ecdsa_sha256, sizeof(oid_ecdsa_sha256));
	der_close(d, DER_SEQUENCE, alg);
	bits = der_open(d);
	der_put(d, &unused, 1);
	der_put(d, sig, sig_len);
	der_close(d, DER_BIT_STRING, bits);
	der_close(d, DER_SEQUENCE, req);
}

/* path.XXXXXX in the same directory, mode 0644, synced, renamed over path. */
static int write_atomic(const char *path, const char *text)
{
	size_t len = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(len);
	int fd = -1, ret = -1;

	if (!tmp) {
		fprintf(stderr, "iotsec: --out %s: %s\n", path, strerror(ENOMEM));
		return -1;
	}
	snprintf(tmp, len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "iotsec: --out %s: cannot create a file beside it: %s\n",
			path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (!fchmod(fd, 0644) && !write_all(fd, text, strlen(text)) && !fsync(fd)) {
		ret = close(fd);
		fd = -1;
		if (!ret)
			ret = rename(tmp, path);
	}
	if (ret)
		fprintf(stderr, "iotsec: --out %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

static int output(const char *path, const char *pem)
{
	if (path)
		return write_atomic(path, pem);
	if (fputs(pem, stdout) < 0 || fflush(stdout)) {
		fprintf(stderr, "iotsec: standard output: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

struct csr_opts {
	const char *key, *subject, *out;
};

static void parse_opts(int argc, char **argv, struct csr_opts *o)
{
	static const struct opt opts[] = {
		OPT_STR("key", struct csr_opts, key),
		OPT_STR("subject", struct csr_opts, subject),
		OPT_STR("out", struct csr_opts, out),
	};
	int end;

	memset(o, 0, sizeof(*o));
	end = parse_opts_table(argc, argv, opts, OPTS_N(opts), o, "csr");
	if (!o->key || !o->subject || !*o->key || (o->out && !*o->out) ||
	    end != argc)
		usage("csr");
}

/* Everything after the subject check: the key, the request, the output. */
static int make_csr(const struct csr_opts *o, const struct attr *attrs, int n)
{
	uint8_t spki[SPKI_P256_LEN], sig[SIG_MAX_LEN];
	struct der info, req;
	char *pem = NULL;
	int key, ret = 1;
	long sig_len;

	key = find_key(o->key);
	if (key < 0) {
		fprintf(stderr, "iotsec: key '%s': %s\n", o->key, strerror(-key));
		return 1;
	}
	if (read_spki(key, o->key, spki))
		return 1;
	der_init(&info);
	der_init(&req);
	put_info(&info, attrs, n, spki, sizeof(spki));
	if (info.err) {
		fprintf(stderr, "iotsec: cannot encode the request: %s\n", strerror(-info.err));
		goto out;
	}
	sig_len = sign_info(key, o->key, &info, sig);
	if (sig_len < 0)
		goto out;
	put_request(&req, &info, sig, sig_len);
	pem = req.err ? NULL : der_to_pem("CERTIFICATE REQUEST", req.buf, req.len);
	if (!pem) {
		fprintf(stderr, "iotsec: cannot encode the request: %s\n",
			strerror(req.err ? -req.err : ENOMEM));
		goto out;
	}
	ret = output(o->out, pem) ? 1 : 0;
out:
	free(pem);
	der_free(&info);
	der_free(&req);
	return ret;
}

int cmd_csr(int argc, char **argv)
{
	struct attr attrs[SUBJ_MAX_ATTRS];
	struct csr_opts o;
	char *buf;
	int n, ret;

	parse_opts(argc, argv, &o);
	buf = strdup(o.subject);
	if (!buf) {
		fprintf(stderr, "iotsec: %s\n", strerror(ENOMEM));
		return 1;
	}
	n = parse_subject(buf, attrs);
	ret = n < 0 ? 2 : make_csr(&o, attrs, n);
	free(buf);
	return ret;
}
