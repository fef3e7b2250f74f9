/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private declarations shared across libiotsec's files; never installed.
 */
#ifndef IOTSEC_INTERNAL_H
#define IOTSEC_INTERNAL_H

#include <stdio.h>

/* Marks the public API; everything else stays hidden (and the map agrees). */
#define IOTSEC_EXPORT __attribute__((visibility("default")))

#define IOTSEC_ALERT_ERR(a)	(-(IOTSEC_ERR_ALERT_SENT | (a)))
#define IOTSEC_PEER_ALERT_ERR(a)	(-(IOTSEC_ERR_ALERT_RECV | (a)))
#define IOTSEC_LIB_ERR(n)	(-(IOTSEC_ERR_LIB | (n)))

#define fallthrough		__attribute__((__fallthrough__))

/* True when err is a TLS alert this side decided to send. */
#define IOTSEC_IS_LOCAL_ALERT(err) \
	(-(err) >= IOTSEC_ERR_ALERT_SENT && -(err) < IOTSEC_ERR_ALERT_RECV)
/* True when err is a TLS alert the peer sent. */
#define IOTSEC_IS_PEER_ALERT(err) \
	(-(err) >= IOTSEC_ERR_ALERT_RECV && -(err) < IOTSEC_ERR_LIB)

#endif
