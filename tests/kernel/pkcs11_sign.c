// SPDX-License-Identifier: GPL-2.0
/*
 * pkcs11_sign MODULE LABEL COUNT [THREADS]: a PKCS#11 application for
 * tests/kernel/pkcs11_test.sh.  Loads MODULE, finds the private key
 * LABEL on the first token, and in each of THREADS threads (default 1),
 * each with its own session, signs COUNT different messages with
 * CKM_ECDSA_SHA256; OpenSSL verifies every signature with the key's
 * CKA_PUBLIC_KEY_INFO.  Prints "signed N failed F" (and the first
 * error); exits 0 only if nothing failed.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <p11-kit-1/p11-kit/pkcs11.h>

static CK_FUNCTION_LIST *f;
static CK_SLOT_ID slot;
static const char *label;
static int count;
static EVP_PKEY *pub;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int signed_ok, failed;
static CK_RV first_rv;
static char first_what[64];

static void fail(const char *what, CK_RV rv)
{
	pthread_mutex_lock(&mu);
	if (!failed++) {
		first_rv = rv;
		snprintf(first_what, sizeof(first_what), "%s", what);
	}
	pthread_mutex_unlock(&mu);
}

static CK_OBJECT_HANDLE find_key(CK_SESSION_HANDLE s)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE h = 0;
	CK_ULONG n = 0;

	if (f->C_FindObjectsInit(s, t, 2) != CKR_OK)
		return 0;
	if (f->C_FindObjects(s, &h, 1, &n) != CKR_OK || n != 1)
		h = 0;
	f->C_FindObjectsFinal(s);
	return h;
}

static int verify(const unsigned char *msg, size_t len, const unsigned char *raw)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	unsigned char *der = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int n, ok = 0;

	if (sig && ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL))) {
		n = i2d_ECDSA_SIG(sig, &der);
		ok = n > 0 && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
		     EVP_DigestVerify(md, der, n, msg, len) == 1;
	}
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return ok;
}

static void *worker(void *arg)
{
	CK_MECHANISM mech = { CKM_ECDSA_SHA256, NULL, 0 };
	unsigned char msg[64], sig[64];
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_ULONG siglen;
	CK_RV rv;
	int i, len;

	rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK) {
		fail("C_OpenSession", rv);
		return NULL;
	}
	key = find_key(s);
	for (i = 0; i < count; i++) {
		len = snprintf((char *)msg, sizeof(msg), "thread %ld message %d", (long)arg, i);
		siglen = sizeof(sig);
		rv = key ? f->C_SignInit(s, &mech, key) : CKR_KEY_HANDLE_INVALID;
		if (rv != CKR_OK) {
			fail("C_SignInit", rv);
			continue;
		}
		rv = f->C_Sign(s, msg, len, sig, &siglen);
		if (rv != CKR_OK) {
			fail("C_Sign", rv);
			continue;
		}
		if (siglen != 64 || !verify(msg, len, sig)) {
			fail("OpenSSL verify", 0);
			continue;
		}
		pthread_mutex_lock(&mu);
		signed_ok++;
		pthread_mutex_unlock(&mu);
	}
	f->C_CloseSession(s);
	return NULL;
}

static EVP_PKEY *public_key(void)
{
	unsigned char spki[256];
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_ATTRIBUTE a = { CKA_PUBLIC_KEY_INFO, spki, sizeof(spki) };
	const unsigned char *p = spki;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h = 0;
	CK_ULONG n = 0;
	EVP_PKEY *k = NULL;

	if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return NULL;
	if (f->C_FindObjectsInit(s, t, 2) == CKR_OK) {
		f->C_FindObjects(s, &h, 1, &n);
		f->C_FindObjectsFinal(s);
	}
	if (n == 1 && f->C_GetAttributeValue(s, h, &a, 1) == CKR_OK)
		k = d2i_PUBKEY(NULL, &p, a.ulValueLen);
	f->C_CloseSession(s);
	return k;
}

int main(int argc, char **argv)
{
	CK_C_INITIALIZE_ARGS init = { .flags = CKF_OS_LOCKING_OK };
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	pthread_t th[16];
	CK_ULONG n = 1;
	long i, threads;
	void *h;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: pkcs11_sign MODULE LABEL COUNT [THREADS]\n");
		return 2;
	}
	label = argv[2];
	count = atoi(argv[3]);
	threads = argc == 5 ? atol(argv[4]) : 1;
	if (threads < 1 || threads > 16)
		return 2;
	h = dlopen(argv[1], RTLD_NOW);
	*(void **)&get = h ? dlsym(h, "C_GetFunctionList") : NULL;
	if (!get || get(&f) != CKR_OK || f->C_Initialize(&init) != CKR_OK ||
	    f->C_GetSlotList(CK_TRUE, &slot, &n) != CKR_OK || n < 1) {
		fprintf(stderr, "pkcs11_sign: no module or no token\n");
		return 1;
	}
	pub = public_key();
	if (!pub) {
		fprintf(stderr, "pkcs11_sign: no public key '%s'\n", label);
		return 1;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	f->C_Finalize(NULL);
	printf("signed %d failed %d", signed_ok, failed);
	if (failed)
		printf(" (first: %s, CKR 0x%lx)", first_what, first_rv);
	printf("\n");
	return failed || signed_ok != count * threads;
}
