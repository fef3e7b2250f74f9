// SPDX-License-Identifier: GPL-2.0
/*
 * Session tickets (see ticket.h): the server's sealing and its rotating
 * keys, the client's cache, and the export blob.  The ticket AEAD runs
 * in the process with libcrypto, whatever the handshake's backend: the
 * ticket key is the server's own secret, in its memory either way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>

#include "ticket.h"

#define STATE_VERSION	1
#define BLOB_MAGIC	0x69745431	/* "itT1" */

void ticket_keys_init(struct ticket_keys *k)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
}

void ticket_keys_destroy(struct ticket_keys *k)
{
	pthread_mutex_destroy(&k->lock);
	explicit_bzero(k, sizeof(*k));
}

/* A new current key; the old one only opens from now on. */
static int new_key(struct ticket_keys *k, time_t now, bool keep_old)
{
	uint8_t fresh[TICKET_KEY_LEN];
	uint32_t id;

	if (getrandom(fresh, sizeof(fresh), 0) != sizeof(fresh) ||
	    getrandom(&id, sizeof(id), 0) != sizeof(id))
		return -EIO;
	if (k->have[0] && id == k->id[0])
		id ^= 1;
	memcpy(k->key[1], k->key[0], TICKET_KEY_LEN);
	k->id[1] = k->id[0];
	k->have[1] = keep_old && k->have[0];
	memcpy(k->key[0], fresh, TICKET_KEY_LEN);
	k->id[0] = id;
	k->have[0] = true;
	k->since = now;
	explicit_bzero(fresh, sizeof(fresh));
	if (!k->have[1])
		explicit_bzero(k->key[1], TICKET_KEY_LEN);
	return 0;
}

/*
 * Brings the keys to now, on a fixed schedule from the first key: each key
 * seals for rotate seconds from since, then opens for rotate more, so a
 * ticket opens for between rotate and twice rotate seconds after it was
 * sealed, however seldom the server is asked.  A clock that went back
 * keeps them.
 */
static int rotate_keys(struct ticket_keys *k, time_t now, unsigned int rotate)
{
	time_t r = rotate;

	if (!k->have[0])
		return new_key(k, now, false);
	if (now < k->since || now - k->since < r)
		return 0;
	if (now - k->since < 2 * r)
		return new_key(k, k->since + r, true);
	return new_key(k, now - (now - k->since) % r, false);
}

/* AES-256-GCM one way or the other; 0 or -EBADMSG / -ENOMEM. */
static int gcm(bool seal, const uint8_t *key, const uint8_t *iv,
	       const uint8_t *aad, size_t aadlen, const uint8_t *in,
	       size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!c)
		return -ENOMEM;
	ok = EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, seal) &&
	     EVP_CipherUpdate(c, NULL, &n, aad, aadlen) &&
	     (!len || EVP_CipherUpdate(c, out, &n, in, len)) &&
	     (seal || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG,
					  TICKET_TAG_LEN, tag)) &&
	     EVP_CipherFinal_ex(c, out + len, &n) &&
	     (!seal || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG,
					   TICKET_TAG_LEN, tag));
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -EBADMSG;
}

static void put_state(struct wbuf *w, const struct ticket_state *st)
{
	wbuf_put8(w, STATE_VERSION);
	wbuf_put16(w, st->suite);
	wbuf_put24(w, st->issued >> 40);
	wbuf_put24(w, (st->issued >> 16) & 0xffffff);
	wbuf_put16(w, st->issued & 0xffff);
	wbuf_put16(w, st->lifetime >> 16);
	wbuf_put16(w, st->lifetime & 0xffff);
	wbuf_put16(w, st->age_add >> 16);
	wbuf_put16(w, st->age_add & 0xffff);
	wbuf_put(w, st->peer_id, TICKET_PEER_ID_LEN);
	wbuf_put_opaque(w, 1, st->psk, st->psk_len);
	wbuf_put_opaque(w, 1, st->peer_name, strlen(st->peer_name));
}

static uint32_t get32(struct rbuf *r)
{
	uint32_t hi = rbuf_get16(r);

	return hi << 16 | rbuf_get16(r);
}

static int get_state(struct rbuf *r, struct ticket_state *st)
{
	struct rbuf psk, name;
	size_t n;
	uint64_t t;

	memset(st, 0, sizeof(*st));
	if (rbuf_get8(r) != STATE_VERSION)
		return -EBADMSG;
	st->suite = rbuf_get16(r);
	t = get32(r);
	st->issued = t << 32 | get32(r);
	st->lifetime = get32(r);
	st->age_add = get32(r);
	rbuf_copy(r, st->peer_id, TICKET_PEER_ID_LEN);
	rbuf_block(r, 1, 32, HASH_MAX, &psk);
	st->psk_len = rbuf_left(&psk);
	rbuf_copy(&psk, st->psk, st->psk_len);
	rbuf_block(r, 1, 0, TICKET_NAME_MAX, &name);
	n = rbuf_left(&name);
	rbuf_copy(&name, st->peer_name, n);
	/* A name with a NUL in it is not one a handshake checked. */
	if (r->err || strlen(st->peer_name) != n)
		return -EBADMSG;
	return 0;
}

int ticket_seal(struct ticket_keys *k, time_t now, unsigned int rotate,
		const struct ticket_state *st, struct wbuf *out)
{
	uint8_t key[TICKET_KEY_LEN], aad[TICKET_ID_LEN], *p;
	struct wbuf pt;
	int ret;

	pthread_mutex_lock(&k->lock);
	ret = rotate_keys(k, now, rotate);
	memcpy(key, k->key[0], sizeof(key));
	aad[0] = k->id[0] >> 24;
	aad[1] = k->id[0] >> 16;
	aad[2] = k->id[0] >> 8;
	aad[3] = k->id[0];
	pthread_mutex_unlock(&k->lock);
	wbuf_init(&pt, 0);
	put_state(&pt, st);
	if (!ret)
		ret = pt.err;
	wbuf_put(out, aad, sizeof(aad));
	p = wbuf_reserve(out, TICKET_IV_LEN + pt.len + TICKET_TAG_LEN);
	if (!ret && !p)
		ret = out->err ? out->err : -ENOMEM;
	if (!ret && getrandom(p, TICKET_IV_LEN, 0) != TICKET_IV_LEN)
		ret = -EIO;
	if (!ret)
		ret = gcm(true, key, p, aad, sizeof(aad), pt.base, pt.len,
			  p + TICKET_IV_LEN, p + TICKET_IV_LEN + pt.len);
	explicit_bzero(key, sizeof(key));
	wbuf_wipe(&pt);
	return ret;
}

/* The key that sealed a ticket with this id, copied out: 0 or -ENOKEY. */
static int find_key(struct ticket_keys *k, time_t now, unsigned int rotate,
		    const uint8_t *id, uint8_t *key)
{
	uint32_t want = (uint32_t)id[0] << 24 | id[1] << 16 | id[2] << 8 | id[3];
	int ret, i;

	pthread_mutex_lock(&k->lock);
	ret = rotate_keys(k, now, rotate);
	for (i = 0; !ret && i < 2; i++)
		if (k->have[i] && k->id[i] == want)
			break;
	if (!ret && i == 2)
		ret = -ENOKEY;
	if (!ret)
		memcpy(key, k->key[i], TICKET_KEY_LEN);
	pthread_mutex_unlock(&k->lock);
	return ret;
}

int ticket_open(struct ticket_keys *k, time_t now, unsigned int rotate,
		const uint8_t *t, size_t len, struct ticket_state *st)
{
	size_t hdr = TICKET_ID_LEN + TICKET_IV_LEN, n;
	uint8_t key[TICKET_KEY_LEN], *pt;
	struct rbuf r;
	int ret;

	memset(st, 0, sizeof(*st));
	if (len < hdr + TICKET_TAG_LEN + 1)
		return -EBADMSG;
	ret = find_key(k, now, rotate, t, key);
	if (ret)
		return ret;
	n = len - hdr - TICKET_TAG_LEN;
	pt = malloc(n + TICKET_TAG_LEN);
	if (!pt)
		ret = -ENOMEM;
	if (!ret)
		ret = gcm(false, key, t + TICKET_ID_LEN, t, TICKET_ID_LEN,
			  t + hdr, n, pt, (uint8_t *)t + hdr + n);
	explicit_bzero(key, sizeof(key));
	if (!ret) {
		rbuf_init(&r, pt, n);
		ret = get_state(&r, st);
		if (!ret && rbuf_done(&r))
			ret = -EBADMSG;
	}
	if (pt)
		explicit_bzero(pt, n);
	free(pt);
	if (ret)
		explicit_bzero(st, sizeof(*st));
	return ret;
}

bool ticket_expired(const struct ticket_state *st, time_t now)
{
	return now < 0 || (uint64_t)now < st->issued ||
	       (uint64_t)now - st->issued >= st->lifetime;
}

void ticket_cache_init(struct ticket_cache *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
}

void ticket_entry_free(struct ticket_entry *e)
{
	if (e->ticket)
		explicit_bzero(e->ticket, e->len);
	free(e->ticket);
	explicit_bzero(e, sizeof(*e));
}

void ticket_cache_destroy(struct ticket_cache *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		ticket_entry_free(&c->e[i]);
	pthread_mutex_destroy(&c->lock);
	explicit_bzero(c, sizeof(*c));
}

int ticket_entry_copy(struct ticket_entry *dst, const struct ticket_entry *src)
{
	uint8_t *t = malloc(src->len ? src->len : 1);

	if (!t)
		return -ENOMEM;
	memcpy(t, src->ticket, src->len);
	*dst = *src;
	dst->ticket = t;
	return 0;
}

/* Removes entry i, keeping the order. */
static void drop(struct ticket_cache *c, unsigned int i)
{
	ticket_entry_free(&c->e[i]);
	memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof(c->e[0]));
	c->n--;
	memset(&c->e[c->n], 0, sizeof(c->e[0]));
}

int ticket_cache_add(struct ticket_cache *c, const struct ticket_entry *e)
{
	struct ticket_entry copy;
	int ret = ticket_entry_copy(&copy, e);

	if (ret)
		return ret;
	pthread_mutex_lock(&c->lock);
	if (c->n == TICKET_CACHE_MAX)
		drop(c, 0);
	c->e[c->n++] = copy;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int ticket_cache_take(struct ticket_cache *c, const char *key, time_t now,
		      struct ticket_entry *e)
{
	unsigned int i;
	int found = 0;

	pthread_mutex_lock(&c->lock);
	for (i = c->n; i-- > 0;) {
		if (strcmp(c->e[i].key, key))
			continue;
		if (!found && !ticket_expired(&c->e[i].st, now)) {
			*e = c->e[i];	/* moved out: the cache forgets it */
			memset(&c->e[i], 0, sizeof(c->e[i]));
			found = 1;
		}
		drop(c, i);	/* taken, or expired */
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

int ticket_entry_export(const struct ticket_entry *e, struct wbuf *out)
{
	wbuf_put16(out, BLOB_MAGIC >> 16);
	wbuf_put16(out, BLOB_MAGIC & 0xffff);
	wbuf_put_opaque(out, 1, e->key, strlen(e->key));
	put_state(out, &e->st);
	wbuf_put_opaque(out, 2, e->ticket, e->len);
	return out->err;
}

int ticket_entry_import(const uint8_t *blob, size_t len,
			struct ticket_entry *e)
{
	struct rbuf r, key, t;
	size_t n;
	int ret;

	memset(e, 0, sizeof(*e));
	rbuf_init(&r, blob, len);
	if (get32(&r) != BLOB_MAGIC)
		return -EINVAL;
	rbuf_block(&r, 1, 0, TICKET_NAME_MAX, &key);
	n = rbuf_left(&key);
	rbuf_copy(&key, e->key, n);
	ret = get_state(&r, &e->st);
	rbuf_block(&r, 2, 1, 0xffff, &t);
	if (ret || rbuf_done(&r) || strlen(e->key) != n ||
	    e->st.lifetime > TICKET_LIFETIME_MAX ||
	    (e->st.psk_len != 32 && e->st.psk_len != 48)) {
		explicit_bzero(e, sizeof(*e));
		return -EINVAL;
	}
	e->len = rbuf_left(&t);
	e->ticket = malloc(e->len);
	if (!e->ticket) {
		explicit_bzero(e, sizeof(*e));
		return -ENOMEM;
	}
	rbuf_copy(&t, e->ticket, e->len);
	return 0;
}
