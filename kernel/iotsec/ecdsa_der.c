// SPDX-License-Identifier: GPL-2.0
/*
 * ECDSA P-256 signature encoding (see ecdsa_der.h).
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else	/* host unit test: tests/unit/ecdsa_der_test.c */
#include <errno.h>
#include <string.h>
#endif

#include "ecdsa_der.h"

#define ASN1_SEQUENCE	0x30
#define ASN1_INTEGER	0x02

/* One unsigned big-endian 32-byte integer as a DER INTEGER. */
static size_t put_int(const u8 *v, u8 *out)
{
	size_t skip = 0, n;

	while (skip < 31 && !v[skip])
		skip++;
	n = 32 - skip;
	out[0] = ASN1_INTEGER;
	if (v[skip] & 0x80) {
		out[1] = n + 1;
		out[2] = 0;
		memcpy(out + 3, v + skip, n);
		return n + 3;
	}
	out[1] = n;
	memcpy(out + 2, v + skip, n);
	return n + 2;
}

int ecdsa_der_encode(const u8 *rs, u8 *out, size_t cap)
{
	u8 tmp[ECDSA_P256_DER_MAX];
	size_t n;

	n = put_int(rs, tmp + 2);
	n += put_int(rs + 32, tmp + 2 + n);
	tmp[0] = ASN1_SEQUENCE;
	tmp[1] = n;
	n += 2;
	if (n > cap)
		return -EMSGSIZE;
	memcpy(out, tmp, n);
	return n;
}

/* Reads one INTEGER at der[*pos] into a 32-byte big-endian value. */
static int get_int(const u8 *der, size_t len, size_t *pos, u8 *v)
{
	size_t n;

	if (*pos + 2 > len || der[*pos] != ASN1_INTEGER)
		return -EBADMSG;
	n = der[*pos + 1];
	*pos += 2;
	if (!n || n > 33 || *pos + n > len)
		return -EBADMSG;
	if (n == 33) {
		if (der[*pos])
			return -EBADMSG;
		(*pos)++;
		n--;
	}
	memset(v, 0, 32 - n);
	memcpy(v + 32 - n, der + *pos, n);
	*pos += n;
	return 0;
}

int ecdsa_der_decode(const u8 *der, size_t len, u8 *rs)
{
	size_t pos = 2, end;
	int ret;

	if (len < 2 || der[0] != ASN1_SEQUENCE || der[1] & 0x80 ||
	    der[1] > len - 2)
		return -EBADMSG;
	/* The SEQUENCE ends the signature; what follows it is not read. */
	end = 2 + der[1];
	ret = get_int(der, end, &pos, rs);
	if (!ret)
		ret = get_int(der, end, &pos, rs + 32);
	if (!ret && pos != end)
		ret = -EBADMSG;
	return ret;
}
