/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small DER writer (X.690 definite-length encoding) for the tool, and
 * the PEM armour (RFC 7468) around its output.  Pure code: no I/O.
 *
 * The writer keeps its first error and turns every later call into a
 * no-op, so a structure is written straight through and checked once.
 * A constructed value is opened with der_open(), its contents written,
 * then der_close() puts the tag and length in front of them.
 */
#ifndef IOTSEC_TOOL_DER_H
#define IOTSEC_TOOL_DER_H

#include <stddef.h>
#include <stdint.h>

#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OID			0x06
#define DER_UTF8_STRING		0x0c
#define DER_PRINTABLE_STRING	0x13
#define DER_SEQUENCE		0x30
#define DER_SET			0x31
#define DER_CONTEXT_0		0xa0	/* [0] IMPLICIT, constructed */

/* Longest value the writer encodes: a 3-byte long-form length. */
#define DER_MAX_LEN		0xffffffu

struct der {
	uint8_t *buf;
	size_t len;
	size_t cap;
	int err;	/* first error: -ENOMEM or -EOVERFLOW */
};

void der_init(struct der *d);
void der_free(struct der *d);
/* Appends bytes as they are (an already encoded value). */
void der_put(struct der *d, const void *p, size_t n);
/* Appends one primitive value: tag, length, contents. */
void der_tlv(struct der *d, uint8_t tag, const void *p, size_t n);
/* Opens a constructed value; returns its mark for der_close(). */
size_t der_open(const struct der *d);
/* Closes it: what was written since the mark becomes its contents. */
void der_close(struct der *d, uint8_t tag, size_t mark);

/*
 * The PEM text of DER bytes: "-----BEGIN <label>-----", base64 lines of
 * 64 characters, "-----END <label>-----", each line ending in '\n'.
 * Returns a malloc'ed NUL-terminated string, or NULL (out of memory).
 */
char *der_to_pem(const char *label, const uint8_t *der, size_t len);

#endif
