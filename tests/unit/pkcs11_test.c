// SPDX-License-Identifier: GPL-2.0
/*
 * libiotsec-pkcs11 on the host, without a chip: SHA-256 against FIPS
 * 180-4's examples and OpenSSL, DER signatures to r || s, the certificate
 * fields against OpenSSL's encoding of a certificate made here, the
 * configuration file, the objects' attributes, and the API's rules
 * (initialization, locking, fork, bad handles).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "p11.h"
#include "kselftest_harness.h"

static void hex(const char *h, uint8_t *out)
{
	unsigned int b;

	while (*h && sscanf(h, "%2x", &b) == 1) {
		*out++ = b;
		h += 2;
	}
}

static void sha(const void *p, size_t len, uint8_t out[32])
{
	struct p11_sha256 c;

	p11_sha256_init(&c);
	p11_sha256_update(&c, p, len);
	p11_sha256_final(&c, out);
}

TEST(sha256_fips_examples)
{
	uint8_t want[32], got[32];
	struct p11_sha256 c;
	char a[1000];
	int i;

	hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
	sha("abc", 3, got);
	EXPECT_EQ(0, memcmp(want, got, 32));
	hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", want);
	sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, got);
	EXPECT_EQ(0, memcmp(want, got, 32));
	hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
	sha("", 0, got);
	EXPECT_EQ(0, memcmp(want, got, 32));
	/* One million 'a', in 1000-byte parts. */
	memset(a, 'a', sizeof(a));
	p11_sha256_init(&c);
	for (i = 0; i < 1000; i++)
		p11_sha256_update(&c, a, sizeof(a));
	p11_sha256_final(&c, got);
	hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want);
	EXPECT_EQ(0, memcmp(want, got, 32));
}

TEST(sha256_any_length_any_split_matches_openssl)
{
	uint8_t buf[300], want[32], got[32];
	struct p11_sha256 c;
	size_t len, cut;

	for (len = 0; len < sizeof(buf); len++)
		buf[len] = len * 7 + 3;
	for (len = 0; len <= sizeof(buf); len += 1) {
		SHA256(buf, len, want);
		for (cut = 0; cut <= len; cut += 13) {
			p11_sha256_init(&c);
			p11_sha256_update(&c, buf, cut);
			p11_sha256_update(&c, buf + cut, len - cut);
			p11_sha256_final(&c, got);
			ASSERT_EQ(0, memcmp(want, got, 32)) TH_LOG("len %zu cut %zu", len, cut);
		}
	}
}

TEST(signature_der_to_raw)
{
	uint8_t der[80], raw[64], want[64];

	/* r with a leading 00 (high bit), s short (31 bytes). */
	memset(der, 0, sizeof(der));
	der[0] = 0x30, der[1] = 2 + 33 + 2 + 31;
	der[2] = 0x02, der[3] = 33, der[4] = 0x00;
	memset(der + 5, 0x81, 32);
	der[37] = 0x02, der[38] = 31;
	memset(der + 39, 0x11, 31);
	memset(want, 0x81, 32);
	want[32] = 0;
	memset(want + 33, 0x11, 31);
	ASSERT_EQ(0, p11_sig_to_raw(der, 70, raw));
	EXPECT_EQ(0, memcmp(want, raw, 64));
	EXPECT_NE(0, p11_sig_to_raw(der, 71, raw));	/* trailing byte */
	EXPECT_NE(0, p11_sig_to_raw(der, 69, raw));	/* truncated */
	der[4] = 0x01;					/* r of 33 bytes */
	EXPECT_NE(0, p11_sig_to_raw(der, 70, raw));
	der[4] = 0x00;
	der[39] = 0x91;					/* s negative */
	EXPECT_NE(0, p11_sig_to_raw(der, 70, raw));
	der[39] = 0x11;
	der[0] = 0x31;
	EXPECT_NE(0, p11_sig_to_raw(der, 70, raw));
}

/* A self-signed P-256 certificate made with OpenSSL, as PEM and DER. */
static X509 *make_cert(char **pem, size_t *pem_len)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *p;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234567);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"unit", -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	PEM_write_bio_X509(b, x);
	*pem_len = BIO_get_mem_data(b, &p);
	*pem = malloc(*pem_len);
	memcpy(*pem, p, *pem_len);
	BIO_free(b);
	X509_NAME_free(n);
	EVP_PKEY_free(k);
	return x;
}

static int same(const uint8_t *der, struct p11_span s, const unsigned char *want, int len)
{
	return (int)s.len == len && !memcmp(der + s.off, want, len);
}

TEST(certificate_fields_match_openssl)
{
	unsigned char *ser = NULL, *sub = NULL, *iss = NULL, *spki = NULL, *der = NULL;
	int nser, nsub, niss, nspki, nder;
	struct p11_cert_info ci;
	uint8_t *out;
	size_t len, plen;
	char *pem;
	X509 *x;

	x = make_cert(&pem, &plen);
	nder = i2d_X509(x, &der);
	nser = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &ser);
	nsub = i2d_X509_NAME(X509_get_subject_name(x), &sub);
	niss = i2d_X509_NAME(X509_get_issuer_name(x), &iss);
	nspki = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
	ASSERT_EQ(0, p11_cert_load((uint8_t *)pem, plen, &out, &len));
	ASSERT_EQ((size_t)nder, len);
	EXPECT_EQ(0, memcmp(out, der, len));
	ASSERT_EQ(0, p11_cert_parse(out, len, &ci));
	EXPECT_TRUE(same(out, ci.serial, ser, nser));
	EXPECT_TRUE(same(out, ci.subject, sub, nsub));
	EXPECT_TRUE(same(out, ci.issuer, iss, niss));
	EXPECT_TRUE(same(out, ci.spki, spki, nspki));
	EXPECT_EQ(P11_SPKI_LEN, ci.spki.len);
	free(out);
	/* DER as it is; a truncated one does not parse. */
	ASSERT_EQ(0, p11_cert_load(der, nder, &out, &len));
	EXPECT_EQ(0, p11_cert_parse(out, len, &ci));
	EXPECT_NE(0, p11_cert_parse(out, len - 1, &ci));
	free(out);
	EXPECT_NE(0, p11_cert_load((const uint8_t *)"hello", 5, &out, &len));
	pem[30] = '*';		/* not base64 */
	EXPECT_NE(0, p11_cert_load((uint8_t *)pem, plen, &out, &len));
	OPENSSL_free(ser), OPENSSL_free(sub), OPENSSL_free(iss), OPENSSL_free(spki);
	OPENSSL_free(der);
	free(pem);
	X509_free(x);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	strcpy(path, "/tmp/pkcs11_test.XXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

TEST(configuration)
{
	char cert_path[64], text[256], *p, *pem;
	struct p11_conf c;
	size_t plen;
	X509 *x;

	EXPECT_EQ(0, p11_conf_load("/nonexistent/pkcs11.conf", &c));
	EXPECT_EQ(0, c.n);
	x = make_cert(&pem, &plen);
	pem[plen - 1] = '\0';
	strcpy(cert_path, write_tmp(pem));
	snprintf(text, sizeof(text), "# comment\n\nkey  a key  \ncert %s device key\n", cert_path);
	p = write_tmp(text);
	ASSERT_EQ(0, p11_conf_load(p, &c));
	ASSERT_EQ(2, c.n);
	EXPECT_STREQ("a key", c.e[0].desc);
	EXPECT_EQ(NULL, c.e[0].cert);
	EXPECT_STREQ("device key", c.e[1].desc);
	EXPECT_NE(NULL, c.e[1].cert);
	p11_conf_free(&c);
	unlink(p);
	p = write_tmp("key a\nkey a\n");		/* twice */
	EXPECT_NE(0, p11_conf_load(p, &c));
	unlink(p);
	p = write_tmp("keys a\n");
	EXPECT_NE(0, p11_conf_load(p, &c));
	unlink(p);
	p = write_tmp("cert /nonexistent/file a\n");
	EXPECT_NE(0, p11_conf_load(p, &c));
	unlink(p);
	p = write_tmp("cert /etc/hostname\n");		/* no description */
	EXPECT_NE(0, p11_conf_load(p, &c));
	unlink(p);
	unlink(cert_path);
	free(pem);
	X509_free(x);
}

TEST(object_attributes)
{
	static const uint8_t oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	struct p11_key k = { .serial = 1, .desc = "device", .slot = 3, .have_pub = 1 };
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_BBOOL b = CK_TRUE;
	uint8_t buf[128], id;
	CK_ATTRIBUTE a[3] = {
		{ CKA_EC_PARAMS, buf, sizeof(buf) },
		{ CKA_VALUE, buf, sizeof(buf) },
		{ CKA_ID, &id, 1 },
	};
	CK_ATTRIBUTE t[2] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_SENSITIVE, &b, 1 } };
	int i;

	for (i = 0; i < P11_SPKI_LEN; i++)
		k.spki[i] = i;
	k.spki[P11_SPKI_HDR] = 0x04;
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, p11_obj_get(&k, P11_PRIV, a, 3));
	EXPECT_EQ(sizeof(oid), a[0].ulValueLen);
	EXPECT_EQ(0, memcmp(buf, oid, sizeof(oid)));
	EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, a[1].ulValueLen);
	EXPECT_EQ(3, id);
	/* The public key's point as a DER OCTET STRING; too small a buffer. */
	a[0].type = CKA_EC_POINT;
	a[0].ulValueLen = sizeof(buf);
	EXPECT_EQ(CKR_OK, p11_obj_get(&k, P11_PUB, a, 1));
	EXPECT_EQ(67, a[0].ulValueLen);
	EXPECT_EQ(0x04, buf[0]);
	EXPECT_EQ(65, buf[1]);
	EXPECT_EQ(0, memcmp(buf + 2, k.spki + P11_SPKI_HDR, 65));
	a[0].ulValueLen = 66;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, p11_obj_get(&k, P11_PUB, a, 1));
	a[0].pValue = NULL;
	EXPECT_EQ(CKR_OK, p11_obj_get(&k, P11_PUB, a, 1));
	EXPECT_EQ(67, a[0].ulValueLen);
	a[0].type = CKA_EXTRACTABLE;
	a[0].pValue = &b;
	a[0].ulValueLen = 1;
	EXPECT_EQ(CKR_OK, p11_obj_get(&k, P11_PRIV, a, 1));
	EXPECT_EQ(CK_FALSE, b);
	b = CK_TRUE;
	EXPECT_TRUE(p11_obj_match(&k, P11_PRIV, t, 2));
	EXPECT_FALSE(p11_obj_match(&k, P11_PUB, t, 2));
	EXPECT_FALSE(p11_obj_match(&k, P11_CERT, NULL, 0));	/* none configured */
	k.have_pub = 0;
	EXPECT_FALSE(p11_obj_match(&k, P11_PUB, NULL, 0));
}

TEST(api_rules)
{
	static CK_C_INITIALIZE_ARGS app_locks = {
		.CreateMutex = (CK_CREATEMUTEX)1, .DestroyMutex = (CK_DESTROYMUTEX)1,
		.LockMutex = (CK_LOCKMUTEX)1, .UnlockMutex = (CK_UNLOCKMUTEX)1,
	};
	CK_C_INITIALIZE_ARGS os = { .flags = CKF_OS_LOCKING_OK };
	CK_FUNCTION_LIST *f;
	CK_SESSION_HANDLE s;
	CK_SLOT_INFO si;
	CK_ULONG n = 0;
	CK_INFO info;
	int status;
	pid_t pid;

	setenv("IOTSEC_PKCS11_CONF", "/nonexistent/pkcs11.conf", 1);
	ASSERT_EQ(CKR_OK, C_GetFunctionList(&f));
	EXPECT_EQ(2, f->version.major);
	EXPECT_EQ(40, f->version.minor);
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, f->C_GetInfo(&info));
	EXPECT_EQ(CKR_CANT_LOCK, f->C_Initialize(&app_locks));
	ASSERT_EQ(CKR_OK, f->C_Initialize(&os));
	EXPECT_EQ(CKR_CRYPTOKI_ALREADY_INITIALIZED, f->C_Initialize(NULL));
	EXPECT_EQ(CKR_OK, f->C_GetInfo(&info));
	EXPECT_EQ(0, memcmp(info.manufacturerID, "iotsec ", 7));
	EXPECT_EQ(CKR_OK, f->C_GetSlotList(CK_FALSE, NULL, &n));
	EXPECT_EQ(CKR_SLOT_ID_INVALID, f->C_GetSlotInfo(n + 5, &si));
	EXPECT_EQ(CKR_SLOT_ID_INVALID, f->C_OpenSession(n + 5, CKF_SERIAL_SESSION, NULL, NULL, &s));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, f->C_CloseSession(77));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, f->C_SignInit(77, &(CK_MECHANISM){ CKM_ECDSA, NULL, 0 }, 1));
	EXPECT_EQ(CKR_FUNCTION_NOT_SUPPORTED, f->C_EncryptInit(1, NULL, 0));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetSlotList(CK_FALSE, NULL, NULL));
	/* A child must initialize again; then it works. */
	pid = fork();
	if (!pid) {
		if (f->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED)
			_exit(1);
		if (f->C_Initialize(NULL) != CKR_OK || f->C_GetInfo(&info) != CKR_OK)
			_exit(2);
		_exit(f->C_Finalize(NULL) == CKR_OK ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(CKR_OK, f->C_GetInfo(&info));		/* the parent's is intact */
	EXPECT_EQ(CKR_OK, f->C_Finalize(NULL));
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, f->C_Finalize(NULL));
	/* A configuration error fails C_Initialize. */
	setenv("IOTSEC_PKCS11_CONF", write_tmp("what\n"), 1);
	EXPECT_EQ(CKR_GENERAL_ERROR, f->C_Initialize(NULL));
	unlink(getenv("IOTSEC_PKCS11_CONF"));
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, f->C_GetInfo(&info));
}

TEST_HARNESS_MAIN
