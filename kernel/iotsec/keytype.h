/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "iotsec" key type: a key names a P-256 private key in a chip slot and
 * makes it usable through keyctl pkey_query/pkey_sign/pkey_verify.  See
 * Documentation/keytype.rst.
 */
#ifndef IOTSEC_KEYTYPE_H
#define IOTSEC_KEYTYPE_H

int atecc_keytype_register(void);
void atecc_keytype_unregister(void);

#endif /* IOTSEC_KEYTYPE_H */
