/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libiotsec-pkcs11: a PKCS#11 2.40 module over the kernel's iotsec keys.
 * The PKCS#11 types and constants come from p11-kit's pkcs11.h (Debian's
 * libp11-kit-dev); the C_* it declares are the only exported symbols.
 */
#ifndef IOTSEC_P11_H
#define IOTSEC_P11_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(default)
#include <p11-kit-1/p11-kit/pkcs11.h>
#pragma GCC visibility pop

/* --- util.c: SHA-256 (FIPS 180-4), PEM, DER ----------------------------- */

struct p11_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t buf[64];
	size_t n;
};

void p11_sha256_init(struct p11_sha256 *c);
void p11_sha256_update(struct p11_sha256 *c, const void *data, size_t len);
void p11_sha256_final(struct p11_sha256 *c, uint8_t out[32]);

/* The first CERTIFICATE block of PEM text, or the text itself if it is
 * DER; a malloc'd buffer.  0 or -errno (EINVAL: neither). */
int p11_cert_load(const uint8_t *text, size_t len, uint8_t **der, size_t *der_len);

/* A span of the certificate: a whole TLV (tag, length and value). */
struct p11_span {
	size_t off;
	size_t len;
};

struct p11_cert_info {
	struct p11_span serial;		/* INTEGER */
	struct p11_span issuer;		/* Name */
	struct p11_span subject;	/* Name */
	struct p11_span spki;		/* SubjectPublicKeyInfo */
};

/* Finds the fields above in a DER X.509 certificate: 0 or -EINVAL. */
int p11_cert_parse(const uint8_t *der, size_t len, struct p11_cert_info *ci);

/* DER Ecdsa-Sig-Value to the 64-byte r || s of PKCS#11: 0 or -EINVAL. */
int p11_sig_to_raw(const uint8_t *der, size_t len, uint8_t out[64]);

/* --- store.c: chips, keys and the configuration ------------------------- */

#define P11_SERIAL_LEN	18	/* hex digits of a chip serial number */
#define P11_SPKI_LEN	91	/* DER P-256 SubjectPublicKeyInfo */
#define P11_SPKI_HDR	26	/* ... before 04 || X || Y */

struct p11_chip {
	char serial[P11_SERIAL_LEN + 1];	/* lower case, as sysfs shows it */
	char dev[64];				/* I2C device, e.g. "1-0060" */
	char model[16];
	int present;
};

struct p11_conf_entry {
	char *desc;		/* key description */
	char *cert_file;	/* or NULL */
	uint8_t *cert;		/* DER, or NULL */
	size_t cert_len;
	struct p11_cert_info ci;
};

struct p11_conf {
	struct p11_conf_entry *e;
	size_t n;
};

/* A key of type iotsec this process may view. */
struct p11_key {
	int32_t serial;			/* the key's serial in the keyring */
	char desc[256];
	char chip[P11_SERIAL_LEN + 1];
	unsigned int slot;		/* the chip's slot */
	uint8_t spki[P11_SPKI_LEN];
	int have_pub;			/* spki read (read permission) */
	const struct p11_conf_entry *conf;	/* its certificate, or NULL */
	int present;			/* seen by the last scan (module.c) */
};

/* The chips bound to the iotsec driver: up to @max; the count or -errno. */
int p11_scan_chips(struct p11_chip *out, int max);

/* The iotsec keys of /proc/keys (those the caller may view) that are
 * neither stale nor on a gone chip, filtered by the configuration: up to
 * @max into @out; the count or -errno. */
int p11_scan_keys(const struct p11_conf *conf, struct p11_key *out, int max);

/* Reads the configuration file at @path: 0, or -errno with a message
 * on stderr.  A missing file is an empty configuration (all keys). */
int p11_conf_load(const char *path, struct p11_conf *conf);
void p11_conf_free(struct p11_conf *conf);

/* --- object.c: the objects of a key ------------------------------------- */

enum { P11_PRIV, P11_PUB, P11_CERT, P11_KINDS };

/* Whether the key has an object of that kind (public: read permission;
 * certificate: a configured one). */
int p11_obj_exists(const struct p11_key *k, int kind);
/* C_GetAttributeValue on one object (the spec's rules for each entry). */
CK_RV p11_obj_get(const struct p11_key *k, int kind, CK_ATTRIBUTE *t, CK_ULONG n);
/* Whether every attribute of the template has exactly that value. */
int p11_obj_match(const struct p11_key *k, int kind, const CK_ATTRIBUTE *t, CK_ULONG n);

/* A CKR_ value for an errno of keyctl_pkey_*(). */
CK_RV p11_errno_rv(int err);

#endif
