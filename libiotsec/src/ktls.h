/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handing a socket to kernel TLS: the ULP, the traffic keys of each
 * direction, and records of other types than application data (alerts
 * out, post-handshake messages in) through the record-type cmsgs.
 */
#ifndef IOTSEC_KTLS_H
#define IOTSEC_KTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "suite.h"

enum ktls_dir {
	KTLS_TX = 1,	/* TLS_TX */
	KTLS_RX = 2,	/* TLS_RX */
};

/* Sets the "tls" ULP; IOTSEC_E_NO_KTLS when the kernel has none. */
int ktls_attach(int fd);
/*
 * Installs one direction's key and 12-byte IV, sequence number 0.  A
 * second install on the same direction is a rekey (TLS 1.3, Linux 6.14
 * and later; older kernels fail it with EBUSY).  After the peer's
 * KeyUpdate record, the kernel fails reads with EKEYEXPIRED until the
 * next RX key is installed.
 */
int ktls_install(int fd, enum ktls_dir dir, const struct suite *s,
		 const uint8_t *key, const uint8_t iv[12]);
/* True when the kernel can rekey a kTLS socket (Linux 6.14 and later). */
bool ktls_can_rekey(void);
/* Sends one record of the given content type (alert, handshake). */
ssize_t ktls_send_record(int fd, uint8_t type, const void *data, size_t len);
/*
 * Receives from a kTLS socket; *type is the record's content type.  Data
 * records may be returned in part; other records come whole, one per call.
 */
ssize_t ktls_recv_record(int fd, uint8_t *type, void *buf, size_t len,
			 int flags);

#endif
