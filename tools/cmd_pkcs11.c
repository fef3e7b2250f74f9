// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec pkcs11-uri: the pkcs11: URI (RFC 7512) of each key and
 * certificate the PKCS#11 module shows this process, asked of the module
 * itself (dlopen), so that the URIs are what applications will find.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit-1/p11-kit/pkcs11.h>

#include "iotsec-tool.h"

#define MODULE_NAME "libiotsec-pkcs11.so"

/* Next to the tool: build/tools -> build/lib, PREFIX/bin -> LIBDIR/pkcs11. */
static void *load(const char *path)
{
	static const char *const rel[] = { "/../lib/", "/../lib/pkcs11/" };
	char exe[PATH_MAX], cand[PATH_MAX + 64], *slash;
	void *h = NULL;
	ssize_t n;
	size_t i;

	if (path)
		return dlopen(path, RTLD_NOW | RTLD_LOCAL);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; !h && i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(cand, sizeof(cand), "%s%s" MODULE_NAME, exe, rel[i]);
			if (!access(cand, R_OK))
				h = dlopen(cand, RTLD_NOW | RTLD_LOCAL);
		}
	}
	return h ? h : dlopen(MODULE_NAME, RTLD_NOW | RTLD_LOCAL);
}

/* Percent-encodes all but RFC 3986's unreserved characters. */
static void put(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("-._~", s[i]))
			putchar(s[i]);
		else
			printf("%%%02x", s[i]);
	}
}

static size_t trimmed(const unsigned char *s, size_t len)
{
	while (len && s[len - 1] == ' ')
		len--;
	return len;
}

static int list(CK_FUNCTION_LIST *f, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY, got;
	CK_ATTRIBUTE want[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE objs[256];
	CK_ULONG n = 0, i, j, c;
	CK_SESSION_HANDLE s;
	unsigned char label[256], id[64];
	int found = 0;

	if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return 0;
	for (c = 0; c < 2; c++) {
		cls = c ? CKO_CERTIFICATE : CKO_PRIVATE_KEY;
		if (f->C_FindObjectsInit(s, want, 1) != CKR_OK)
			break;
		if (f->C_FindObjects(s, objs, 256, &n) != CKR_OK)
			n = 0;
		f->C_FindObjectsFinal(s);
		for (i = 0; i < n; i++) {
			CK_ATTRIBUTE a[] = {
				{ CKA_LABEL, label, sizeof(label) },
				{ CKA_ID, id, sizeof(id) },
				{ CKA_CLASS, &got, sizeof(got) },
			};

			if (f->C_GetAttributeValue(s, objs[i], a, 3) != CKR_OK)
				continue;
			printf("pkcs11:token=");
			put(ti->label, trimmed(ti->label, sizeof(ti->label)));
			printf(";id=");
			for (j = 0; j < a[1].ulValueLen; j++)
				printf("%%%02x", id[j]);
			printf(";object=");
			put(label, a[0].ulValueLen);
			printf(";type=%s\n", got == CKO_CERTIFICATE ? "cert" : "private");
			found++;
		}
	}
	f->C_CloseSession(s);
	return found;
}

int cmd_pkcs11_uri(int argc, char **argv)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	const char *path = getenv("IOTSEC_PKCS11_MODULE");
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_FUNCTION_LIST *f;
	CK_TOKEN_INFO ti;
	int found = 0;
	CK_RV rv;
	void *h;

	if (argc == 3 && !strcmp(argv[1], "--module"))
		path = argv[2];
	else if (argc != 1)
		usage("pkcs11-uri");
	h = load(path && *path ? path : NULL);
	if (!h) {
		fprintf(stderr, "iotsec: the PKCS#11 module: %s\n", dlerror());
		return 1;
	}
	*(void **)&get = dlsym(h, "C_GetFunctionList");
	if (!get || get(&f) != CKR_OK) {
		fprintf(stderr, "iotsec: not a PKCS#11 module\n");
		return 1;
	}
	rv = f->C_Initialize(NULL);
	if (rv != CKR_OK) {
		fprintf(stderr, "iotsec: C_Initialize: CKR 0x%lx\n", rv);
		return 1;
	}
	if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		n = 0;
	for (i = 0; i < n; i++)
		if (f->C_GetTokenInfo(slots[i], &ti) == CKR_OK)
			found += list(f, slots[i], &ti);
	f->C_Finalize(NULL);
	if (!found)
		fprintf(stderr, "iotsec: no key (no chip bound, or no iotsec key this process may view)\n");
	return found ? 0 : 1;
}
