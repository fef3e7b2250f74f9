/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session tickets for PSK resumption (RFC 8446 2.2, 4.6.1).
 *
 * Server: a ticket is self-encrypted state, nothing kept per client:
 *
 *   ticket = key_id(4) || iv(12) || AES-256-GCM(state) || tag(16)
 *   state  = version(1) suite(2) issued(8) lifetime(4) age_add(4)
 *            peer_id(32) psk<1..48> peer_name<0..255>
 *
 * with key_id as the additional data.  The ticket key lives in the
 * configuration (struct ticket_keys) and rotates: a key seals new tickets
 * for one rotation interval, then opens old ones for one more, then is
 * gone; a ticket sealed under a key no longer held is a full handshake.
 * peer_id is SHA-256 of the client's leaf certificate and peer_name its
 * name, as authenticated by the full handshake that the ticket's chain of
 * resumptions started from: a resumed session reports them again.
 *
 * Client: what one NewSessionTicket gives (struct ticket_entry), kept in
 * the configuration's cache (struct ticket_cache) under the peer name the
 * configuration expects, each used once (RFC 8446 C.4), and exported to
 * or imported from a byte blob of the same content.
 */
#ifndef IOTSEC_TICKET_H
#define IOTSEC_TICKET_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "codec.h"
#include "hash.h"

#define TICKET_LIFETIME_MAX	604800	/* 7 days: RFC 8446 4.6.1 */
#define TICKET_LIFETIME_DEFAULT	7200	/* 2 hours */
#define TICKET_ROTATE_DEFAULT	43200	/* 12 hours */
#define TICKET_KEY_LEN		32
#define TICKET_ID_LEN		4
#define TICKET_IV_LEN		12
#define TICKET_TAG_LEN		16
#define TICKET_NAME_MAX		255
#define TICKET_CACHE_MAX	32	/* tickets a client keeps, all names */
#define TICKET_PEER_ID_LEN	32

/* What a ticket stands for, on either side. */
struct ticket_state {
	uint16_t suite;
	uint8_t psk[HASH_MAX];
	uint8_t psk_len;
	uint64_t issued;	/* wall clock, seconds: sealed (server), received (client) */
	uint32_t lifetime;	/* seconds */
	uint32_t age_add;
	uint8_t peer_id[TICKET_PEER_ID_LEN];
	char peer_name[TICKET_NAME_MAX + 1];
};

/* The server's ticket keys: [0] seals and opens, [1] only opens. */
struct ticket_keys {
	pthread_mutex_t lock;
	uint8_t key[2][TICKET_KEY_LEN];
	uint32_t id[2];
	bool have[2];
	time_t since;		/* when key[0] began sealing */
};

void ticket_keys_init(struct ticket_keys *k);
void ticket_keys_destroy(struct ticket_keys *k);

/*
 * Seals st into a ticket appended to out, under the current key (made or
 * rotated first, by now and the interval rotate).  0 or -errno.
 */
int ticket_seal(struct ticket_keys *k, time_t now, unsigned int rotate,
		const struct ticket_state *st, struct wbuf *out);
/*
 * Opens a ticket of ours into st: 0; -ENOKEY when its key is not held
 * (another server's, or rotated out); -EBADMSG when it does not
 * authenticate or decode.  Expiry is the caller's (ticket_expired()).
 */
int ticket_open(struct ticket_keys *k, time_t now, unsigned int rotate,
		const uint8_t *t, size_t len, struct ticket_state *st);
/* True when st's lifetime has passed at now (or it is from the future). */
bool ticket_expired(const struct ticket_state *st, time_t now);

/* A client's ticket: the server's opaque bytes and what they stand for. */
struct ticket_entry {
	char key[TICKET_NAME_MAX + 1];	/* the cache key: the expected name */
	struct ticket_state st;
	uint8_t *ticket;		/* malloc()ed */
	size_t len;
};

struct ticket_cache {
	pthread_mutex_t lock;
	struct ticket_entry e[TICKET_CACHE_MAX];
	unsigned int n;			/* e[0] the oldest */
};

void ticket_cache_init(struct ticket_cache *c);
void ticket_cache_destroy(struct ticket_cache *c);
/* Copies e in (the oldest ticket goes when full).  0 or -ENOMEM. */
int ticket_cache_add(struct ticket_cache *c, const struct ticket_entry *e);
/*
 * Takes out the newest unexpired ticket kept under key into *e (which
 * the caller frees with ticket_entry_free()); expired ones go too.
 * Return: 1 taken, 0 none.
 */
int ticket_cache_take(struct ticket_cache *c, const char *key, time_t now,
		      struct ticket_entry *e);
/* Copies src into dst (a deep copy).  0 or -ENOMEM. */
int ticket_entry_copy(struct ticket_entry *dst, const struct ticket_entry *src);
void ticket_entry_free(struct ticket_entry *e);

/* The blob of iotsec_session_ticket_export(): appended to out. */
int ticket_entry_export(const struct ticket_entry *e, struct wbuf *out);
/* And back: 0, or -EINVAL for a blob that is not one (or out of range). */
int ticket_entry_import(const uint8_t *blob, size_t len,
			struct ticket_entry *e);

#endif
