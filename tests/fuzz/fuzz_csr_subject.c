// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the subject parser of `iotsec csr --subject`
 * (tools/cmd_csr.c's parse_subject(), included here with its file: it is
 * static) and the Name it encodes.  The input is the argument up to its
 * first NUL, as a command line can hold it.  A subject that parses must
 * encode to a DER Name that OpenSSL reads back with one entry per
 * attribute, each value exactly the unescaped one.
 */
#include <openssl/x509.h>

#include "fuzz.h"
#include "../../tools/cmd_csr.c"

/* cmd_csr() is not run: the key lookup and usage() belong to the tool. */
int find_key(const char *key)
{
	(void)key;
	return -ENOKEY;
}

void usage(const char *name)
{
	(void)name;
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

static void encoded(const struct attr *attrs, int n)
{
	const unsigned char *p;
	X509_NAME *name;
	struct der d;
	int i;

	der_init(&d);
	put_name(&d, attrs, n);
	FUZZ_CHECK(!d.err);
	p = d.buf;
	name = d2i_X509_NAME(NULL, &p, d.len);
	FUZZ_CHECK(name && p == d.buf + d.len);
	FUZZ_CHECK(X509_NAME_entry_count(name) == n);
	for (i = 0; i < n; i++) {
		ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));

		FUZZ_CHECK((size_t)ASN1_STRING_length(v) == attrs[i].len &&
			   !memcmp(ASN1_STRING_get0_data(v), attrs[i].val, attrs[i].len));
	}
	X509_NAME_free(name);
	der_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attr attrs[SUBJ_MAX_ATTRS];
	char *buf = strndup((const char *)data, size);
	int n;

	if (!buf)
		return 0;
	n = parse_subject(buf, attrs);
	FUZZ_CHECK(n == -EINVAL || (n > 0 && n <= SUBJ_MAX_ATTRS));
	if (n > 0)
		encoded(attrs, n);
	free(buf);
	return 0;
}
