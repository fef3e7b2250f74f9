// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: pem_decode() on text, for the labels the library
 * reads (CERTIFICATE); each block found goes on to x509_parse().
 */
#include "fuzz.h"
#include "pem.h"
#include "x509.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pem_list l = { 0 };
	struct x509_cert c;
	unsigned int i;
	int n;

	n = pem_decode(size ? (const char *)data : NULL, size, "CERTIFICATE", &l);
	FUZZ_CHECK(n < 0 ? l.count == 0 : (unsigned int)n == l.count);
	FUZZ_CHECK(l.count <= PEM_MAX_BLOCKS);
	for (i = 0; i < l.count; i++)
		x509_parse(l.blocks[i].der, l.blocks[i].len, &c);
	pem_list_free(&l);
	return 0;
}
