// SPDX-License-Identifier: GPL-2.0
/*
 * The three objects of an iotsec key on its chip's token: the private key
 * (sign only, sensitive, never extractable), the public key (from
 * keyctl read) and, when configured, its certificate.  CKA_ID is the
 * chip's slot number (one byte), so key and certificate share it.
 */
#include <string.h>

#include "p11.h"

/* P-256's OID (RFC 5480 secp256r1), the DER of CKA_EC_PARAMS. */
static const uint8_t p256_oid[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
};

static const CK_MECHANISM_TYPE mechs[] = { CKM_ECDSA, CKM_ECDSA_SHA256 };

struct val {
	const void *p;
	size_t len;
	union {
		CK_ULONG ul;
		CK_BBOOL b;
		uint8_t bytes[2 + 65];
	} buf;
};

enum { FOUND, INVALID, SENSITIVE };

static int ulong_val(struct val *v, CK_ULONG x)
{
	v->buf.ul = x;
	v->p = &v->buf.ul;
	v->len = sizeof(CK_ULONG);
	return FOUND;
}

static int bool_val(struct val *v, int x)
{
	v->buf.b = x ? CK_TRUE : CK_FALSE;
	v->p = &v->buf.b;
	v->len = sizeof(CK_BBOOL);
	return FOUND;
}

static int bytes_val(struct val *v, const void *p, size_t len)
{
	v->p = len ? p : "";
	v->len = len;
	return FOUND;
}

static int common(const struct p11_key *k, CK_ATTRIBUTE_TYPE type, struct val *v)
{
	switch (type) {
	case CKA_TOKEN:
		return bool_val(v, 1);
	case CKA_PRIVATE:
	case CKA_MODIFIABLE:
	case CKA_COPYABLE:
	case CKA_DESTROYABLE:
		return bool_val(v, 0);
	case CKA_LABEL:
		return bytes_val(v, k->desc, strlen(k->desc));
	case CKA_ID:
		v->buf.bytes[0] = k->slot;
		return bytes_val(v, v->buf.bytes, 1);
	default:
		return INVALID;
	}
}

static const uint8_t *cert(const struct p11_key *k, const struct p11_span *s, size_t *len)
{
	if (!k->conf || !k->conf->cert) {
		*len = 0;
		return NULL;
	}
	*len = s->len;
	return k->conf->cert + s->off;
}

static int key_common(const struct p11_key *k, CK_ATTRIBUTE_TYPE type, struct val *v)
{
	const uint8_t *p;
	size_t len;

	switch (type) {
	case CKA_KEY_TYPE:
		return ulong_val(v, CKK_EC);
	case CKA_START_DATE:
	case CKA_END_DATE:
		return bytes_val(v, NULL, 0);
	case CKA_DERIVE:
	case CKA_LOCAL:
		return bool_val(v, 0);
	case CKA_KEY_GEN_MECHANISM:
		return ulong_val(v, CK_UNAVAILABLE_INFORMATION);
	case CKA_ALLOWED_MECHANISMS:
		return bytes_val(v, mechs, sizeof(mechs));
	case CKA_EC_PARAMS:
		return bytes_val(v, p256_oid, sizeof(p256_oid));
	case CKA_SUBJECT:
		p = k->conf ? cert(k, &k->conf->ci.subject, &len) : NULL;
		return bytes_val(v, p, p ? len : 0);
	case CKA_PUBLIC_KEY_INFO:
		return bytes_val(v, k->spki, k->have_pub ? P11_SPKI_LEN : 0);
	default:
		return common(k, type, v);
	}
}

static int priv_attr(const struct p11_key *k, CK_ATTRIBUTE_TYPE type, struct val *v)
{
	switch (type) {
	case CKA_CLASS:
		return ulong_val(v, CKO_PRIVATE_KEY);
	case CKA_SENSITIVE:
	case CKA_SIGN:
	case CKA_NEVER_EXTRACTABLE:	/* a chip's ECC private key is never read */
		return bool_val(v, 1);
	case CKA_DECRYPT:
	case CKA_SIGN_RECOVER:
	case CKA_UNWRAP:
	case CKA_EXTRACTABLE:
	case CKA_ALWAYS_SENSITIVE:	/* it may have been written in (PrivWrite) */
	case CKA_WRAP_WITH_TRUSTED:
	case CKA_ALWAYS_AUTHENTICATE:
		return bool_val(v, 0);
	case CKA_VALUE:
		return SENSITIVE;
	default:
		return key_common(k, type, v);
	}
}

static int pub_attr(const struct p11_key *k, CK_ATTRIBUTE_TYPE type, struct val *v)
{
	switch (type) {
	case CKA_CLASS:
		return ulong_val(v, CKO_PUBLIC_KEY);
	case CKA_ENCRYPT:
	case CKA_VERIFY:
	case CKA_VERIFY_RECOVER:
	case CKA_WRAP:
	case CKA_TRUSTED:
		return bool_val(v, 0);
	case CKA_EC_POINT:	/* DER OCTET STRING of 04 || X || Y */
		v->buf.bytes[0] = 0x04;
		v->buf.bytes[1] = 65;
		memcpy(v->buf.bytes + 2, k->spki + P11_SPKI_HDR, 65);
		return bytes_val(v, v->buf.bytes, 67);
	default:
		return key_common(k, type, v);
	}
}

static int cert_attr(const struct p11_key *k, CK_ATTRIBUTE_TYPE type, struct val *v)
{
	const struct p11_cert_info *ci = &k->conf->ci;

	switch (type) {
	case CKA_CLASS:
		return ulong_val(v, CKO_CERTIFICATE);
	case CKA_CERTIFICATE_TYPE:
		return ulong_val(v, CKC_X_509);
	case CKA_CERTIFICATE_CATEGORY:
		return ulong_val(v, 1);		/* token user */
	case CKA_TRUSTED:
		return bool_val(v, 0);
	case CKA_VALUE:
		return bytes_val(v, k->conf->cert, k->conf->cert_len);
	case CKA_SUBJECT:
		return bytes_val(v, k->conf->cert + ci->subject.off, ci->subject.len);
	case CKA_ISSUER:
		return bytes_val(v, k->conf->cert + ci->issuer.off, ci->issuer.len);
	case CKA_SERIAL_NUMBER:
		return bytes_val(v, k->conf->cert + ci->serial.off, ci->serial.len);
	case CKA_PUBLIC_KEY_INFO:
		return bytes_val(v, k->conf->cert + ci->spki.off, ci->spki.len);
	case CKA_START_DATE:
	case CKA_END_DATE:
	case CKA_URL:
	case CKA_HASH_OF_SUBJECT_PUBLIC_KEY:
	case CKA_HASH_OF_ISSUER_PUBLIC_KEY:
		return bytes_val(v, NULL, 0);
	case CKA_JAVA_MIDP_SECURITY_DOMAIN:
		return ulong_val(v, 0);
	default:
		return common(k, type, v);
	}
}

int p11_obj_exists(const struct p11_key *k, int kind)
{
	switch (kind) {
	case P11_PRIV:
		return 1;
	case P11_PUB:
		return k->have_pub;
	case P11_CERT:
		return k->conf && k->conf->cert;
	default:
		return 0;
	}
}

static int attr(const struct p11_key *k, int kind, CK_ATTRIBUTE_TYPE type, struct val *v)
{
	if (kind == P11_PRIV)
		return priv_attr(k, type, v);
	if (kind == P11_PUB)
		return pub_attr(k, type, v);
	return cert_attr(k, type, v);
}

CK_RV p11_obj_get(const struct p11_key *k, int kind, CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_RV rv = CKR_OK;
	struct val v;
	CK_ULONG i;
	int r;

	for (i = 0; i < n; i++) {
		r = attr(k, kind, t[i].type, &v);
		if (r == SENSITIVE) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_SENSITIVE;
		} else if (r == INVALID) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (!t[i].pValue) {
			t[i].ulValueLen = v.len;
		} else if (t[i].ulValueLen < v.len) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_BUFFER_TOO_SMALL;
		} else {
			memcpy(t[i].pValue, v.p, v.len);
			t[i].ulValueLen = v.len;
		}
	}
	return rv;
}

int p11_obj_match(const struct p11_key *k, int kind, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	struct val v;
	CK_ULONG i;

	if (!p11_obj_exists(k, kind))
		return 0;
	for (i = 0; i < n; i++) {
		if (attr(k, kind, t[i].type, &v) != FOUND || t[i].ulValueLen != v.len ||
		    (v.len && (!t[i].pValue || memcmp(t[i].pValue, v.p, v.len))))
			return 0;
	}
	return 1;
}
