// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake extensions (see ext.h): scanning a block, parsing the bodies
 * we use, writing the ones we send.
 */
#include <errno.h>
#include <string.h>

#include "ext.h"
#include "iotsec.h"
#include "internal.h"

#define E_DECODE	IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECODE_ERROR)
#define E_ILLEGAL	IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER)
#define E_UNSUPPORTED	IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNSUPPORTED_EXTENSION)

/* RFC 8446 section 4.2's table: what we recognise, and where. */
static const uint8_t ext_where[EXT_TYPES] = {
	[MSG_EXT_SERVER_NAME] = EXT_IN_CH | EXT_IN_EE,
	[MSG_EXT_MAX_FRAGMENT_LENGTH] = EXT_IN_CH | EXT_IN_EE,
	[MSG_EXT_STATUS_REQUEST] = EXT_IN_CH | EXT_IN_CR | EXT_IN_CT,
	[MSG_EXT_SUPPORTED_GROUPS] = EXT_IN_CH | EXT_IN_EE,
	[MSG_EXT_SIGNATURE_ALGORITHMS] = EXT_IN_CH | EXT_IN_CR,
	[MSG_EXT_USE_SRTP] = EXT_IN_CH | EXT_IN_EE,
	[MSG_EXT_HEARTBEAT] = EXT_IN_CH | EXT_IN_EE,
	[MSG_EXT_ALPN] = EXT_IN_CH | EXT_IN_EE,
	[MSG_EXT_SCT] = EXT_IN_CH | EXT_IN_CR | EXT_IN_CT,
	[MSG_EXT_CLIENT_CERT_TYPE] = EXT_IN_CH | EXT_IN_EE,
	[MSG_EXT_SERVER_CERT_TYPE] = EXT_IN_CH | EXT_IN_EE,
	[MSG_EXT_PADDING] = EXT_IN_CH,
	[MSG_EXT_PRE_SHARED_KEY] = EXT_IN_CH | EXT_IN_SH,
	[MSG_EXT_EARLY_DATA] = EXT_IN_CH | EXT_IN_EE | EXT_IN_NST,
	[MSG_EXT_SUPPORTED_VERSIONS] = EXT_IN_CH | EXT_IN_SH | EXT_IN_HRR,
	[MSG_EXT_COOKIE] = EXT_IN_CH | EXT_IN_HRR,
	[MSG_EXT_PSK_KEY_EXCHANGE_MODES] = EXT_IN_CH,
	[MSG_EXT_CERTIFICATE_AUTHORITIES] = EXT_IN_CH | EXT_IN_CR,
	[MSG_EXT_OID_FILTERS] = EXT_IN_CR,
	[MSG_EXT_POST_HANDSHAKE_AUTH] = EXT_IN_CH,
	[MSG_EXT_SIGNATURE_ALGORITHMS_CERT] = EXT_IN_CH | EXT_IN_CR,
	[MSG_EXT_KEY_SHARE] = EXT_IN_CH | EXT_IN_SH | EXT_IN_HRR,
};

bool ext_has(const struct ext_block *e, int type)
{
	return e->present & MSG_EXT_BIT(type);
}

struct rbuf *ext_body(struct ext_block *e, int type)
{
	return &e->data[type];
}

int ext_done(struct rbuf *b)
{
	return rbuf_done(b) ? E_DECODE : 0;
}

static void fail(struct rbuf *r)
{
	if (!r->err)
		r->err = -EBADMSG;
}

/* Records one extension; a type seen before is illegal_parameter. */
static int note(struct ext_block *e, uint16_t type, const struct rbuf *body,
		unsigned int where)
{
	uint8_t bit = 1 << (type % 8);

	if (e->seen[type / 8] & bit)
		return E_ILLEGAL;
	e->seen[type / 8] |= bit;
	if (type >= EXT_TYPES || !ext_where[type]) {
		e->unknown = true;
		return 0;
	}
	e->present |= MSG_EXT_BIT(type);
	e->data[type] = *body;
	if (!(ext_where[type] & where) && e->misplaced < 0)
		e->misplaced = type;
	return 0;
}

void ext_block_init(struct ext_block *e)
{
	memset(e, 0, sizeof(*e));
	e->misplaced = -1;
}

/* Clears the seen[] bits of the types in a block, from its start. */
static void forget(struct ext_block *e, struct rbuf list)
{
	struct rbuf body;
	uint16_t type;

	while (rbuf_left(&list)) {
		type = rbuf_get16(&list);
		rbuf_block(&list, 2, 0, 0xffff, &body);
		e->seen[type / 8] &= ~(1 << (type % 8));
	}
}

int ext_scan(struct rbuf *r, size_t min, size_t max, unsigned int where,
	     struct ext_block *e)
{
	struct rbuf list, start, body;
	uint16_t type;
	int err = 0;

	e->present = 0;
	e->misplaced = -1;
	e->unknown = false;
	e->psk_not_last = false;
	rbuf_block(r, 2, min, max, &list);
	start = list;
	while (!err && rbuf_left(&list)) {
		type = rbuf_get16(&list);
		rbuf_block(&list, 2, 0, 0xffff, &body);
		if (list.err)
			break;
		if (type == MSG_EXT_PRE_SHARED_KEY && rbuf_left(&list))
			e->psk_not_last = true;
		err = note(e, type, &body, where);
	}
	forget(e, start);
	if (err)
		return err;
	rbuf_done(&list);
	rbuf_join(r, &list);
	return r->err ? E_DECODE : 0;
}

int ext_check_offered(const struct ext_block *e, uint64_t offered)
{
	if (e->misplaced >= 0)
		return E_ILLEGAL;
	if (e->unknown || (e->present & ~offered))
		return E_UNSUPPORTED;
	return 0;
}

/* A list of uint16 with an n-byte length in [min, max]. */
static void u16_list(struct rbuf *r, int n, size_t min, size_t max,
		     uint16_t want, bool *found, bool *other)
{
	struct rbuf list;

	rbuf_block(r, n, min, max, &list);
	if (rbuf_left(&list) % 2)
		fail(&list);
	while (rbuf_left(&list)) {
		if (rbuf_get16(&list) == want)
			*found = true;
		else
			*other = true;
	}
	rbuf_join(r, &list);
}

int ext_get_groups(struct rbuf *b, struct msg_groups *g)
{
	g->present = true;
	u16_list(b, 2, 2, 0xffff, MSG_SECP256R1, &g->has_p256, &g->other);
	return ext_done(b);
}

int ext_get_sig_algs(struct rbuf *b, struct msg_sig_algs *s)
{
	s->present = true;
	u16_list(b, 2, 2, 0xfffe, MSG_ECDSA_P256_SHA256,
		 &s->has_ecdsa_p256_sha256, &s->other);
	return ext_done(b);
}

int ext_get_versions(struct rbuf *b, bool *tls13)
{
	bool other = false;

	u16_list(b, 1, 2, 254, MSG_TLS13, tls13, &other);
	return ext_done(b);
}

/* A secp256r1 key_exchange read without error: 0x04 || X || Y (4.2.8.2). */
static int get_point(struct rbuf *k, uint8_t *out)
{
	if (rbuf_left(k) != MSG_P256_SHARE_LEN)
		return E_ILLEGAL;
	rbuf_copy(k, out, MSG_P256_SHARE_LEN);
	return out[0] == 0x04 ? 0 : E_ILLEGAL;
}

/*
 * KeyShareEntry client_shares<0..2^16-1>: the list is read whole, then the
 * secp256r1 share (only one allowed) is judged.
 */
int ext_get_client_shares(struct rbuf *b, struct msg_client_hello *ch)
{
	struct rbuf list, k, p256 = { 0 };
	bool twice = false;
	uint16_t group;

	ch->key_share.present = true;
	rbuf_block(b, 2, 0, 0xffff, &list);
	while (rbuf_left(&list)) {
		group = rbuf_get16(&list);
		rbuf_block(&list, 2, 1, 0xffff, &k);
		ch->key_share.n++;
		if (group != MSG_SECP256R1)
			ch->key_share.other = true;
		else if (ch->key_share.has_p256)
			twice = true;
		else
			p256 = k;
		ch->key_share.has_p256 |= group == MSG_SECP256R1;
	}
	rbuf_done(&list);
	rbuf_join(b, &list);
	if (ext_done(b))
		return E_DECODE;
	if (twice)
		return E_ILLEGAL;
	if (!ch->key_share.has_p256)
		return 0;
	return get_point(&p256, ch->key_share.p256);
}

int ext_get_server_share(struct rbuf *b, uint16_t *group,
			 uint8_t share[MSG_P256_SHARE_LEN])
{
	struct rbuf k;

	*group = rbuf_get16(b);
	rbuf_block(b, 2, 1, 0xffff, &k);
	if (ext_done(b))
		return E_DECODE;
	if (*group != MSG_SECP256R1)
		return E_ILLEGAL;
	return get_point(&k, share);
}

int ext_get_hrr_group(struct rbuf *b, uint16_t *group)
{
	*group = rbuf_get16(b);
	if (ext_done(b))
		return E_DECODE;
	return *group == MSG_SECP256R1 ? 0 : E_ILLEGAL;
}

/*
 * ServerNameList: keeps the one host_name, skips other name types; the
 * list is read whole before the name is judged.
 */
int ext_get_server_name(struct rbuf *b, char *name)
{
	struct rbuf list, host;
	int hosts = 0;
	size_t n = 0;

	rbuf_block(b, 2, 1, 0xffff, &list);
	while (rbuf_left(&list)) {
		if (rbuf_get8(&list) != 0) {
			rbuf_block(&list, 2, 1, 0xffff, &host);
			continue;
		}
		rbuf_block(&list, 2, 1, 0xffff, &host);
		n = rbuf_left(&host);
		if (!hosts++ && n <= MSG_HOST_MAX)
			rbuf_copy(&host, name, n);
	}
	rbuf_done(&list);
	rbuf_join(b, &list);
	if (ext_done(b))
		return E_DECODE;
	if (hosts > 1 || n > MSG_HOST_MAX || strlen(name) != n)
		return E_ILLEGAL;
	return 0;
}

/* opaque cookie<1..2^16-1> */
int ext_get_cookie(struct rbuf *b, uint8_t *out, size_t *len, int too_big)
{
	struct rbuf c;

	rbuf_block(b, 2, 1, 0xffff, &c);
	if (ext_done(b))
		return E_DECODE;
	if (rbuf_left(&c) > MSG_COOKIE_MAX)
		return too_big;
	*len = rbuf_left(&c);
	rbuf_copy(&c, out, *len);
	return 0;
}

/*
 * OfferedPsks: identities<7..2^16-1> then binders<33..2^16-1>; every entry
 * read, the first MSG_PSK_MAX of each kept.  The binders list is the last
 * thing in the extension, which is the last in the ClientHello: its size
 * is the tail the binders do not cover (4.2.11.2).
 */
int ext_get_psk(struct rbuf *b, struct msg_psk_offer *o)
{
	struct rbuf ids, binders, x;
	size_t i;

	memset(o, 0, sizeof(*o));
	rbuf_block(b, 2, 7, 0xffff, &ids);
	while (rbuf_left(&ids)) {
		rbuf_block(&ids, 2, 1, 0xffff, &x);	/* identity */
		i = o->n++;
		if (i < MSG_PSK_MAX) {
			o->id_len[i] = rbuf_left(&x);
			o->id[i] = rbuf_get(&x, o->id_len[i]);
			o->age[i] = (uint32_t)rbuf_get16(&ids) << 16;
			o->age[i] |= rbuf_get16(&ids);
		} else {
			rbuf_get(&ids, 4);		/* ticket age */
		}
	}
	rbuf_done(&ids);
	rbuf_join(b, &ids);
	o->binders_len = rbuf_left(b);
	rbuf_block(b, 2, 33, 0xffff, &binders);
	while (rbuf_left(&binders)) {
		rbuf_block(&binders, 1, 32, 255, &x);
		i = o->n_binders++;
		if (i < MSG_PSK_MAX) {
			o->binder_len[i] = rbuf_left(&x);
			o->binder[i] = rbuf_get(&x, o->binder_len[i]);
		}
	}
	rbuf_done(&binders);
	rbuf_join(b, &binders);
	return ext_done(b);
}

/* PskKeyExchangeMode ke_modes<1..255>: is psk_dhe_ke listed? */
int ext_get_psk_modes(struct rbuf *b, bool *dhe_ke)
{
	struct rbuf modes;

	rbuf_block(b, 1, 1, 255, &modes);
	while (rbuf_left(&modes))
		if (rbuf_get8(&modes) == MSG_PSK_DHE_KE)
			*dhe_ke = true;
	rbuf_join(b, &modes);
	return ext_done(b);
}

/* Encoding: type, then the body with a 2-byte length. */

static size_t open_ext(struct wbuf *w, uint16_t type)
{
	wbuf_put16(w, type);
	return wbuf_open(w, 2);
}

void ext_put(struct wbuf *w, uint16_t type, const void *p, size_t len)
{
	wbuf_put16(w, type);
	wbuf_put_opaque(w, 2, p, len);
}

void ext_put_u16(struct wbuf *w, uint16_t type, int n, uint16_t v)
{
	size_t m = open_ext(w, type);
	size_t l = wbuf_open(w, n);

	wbuf_put16(w, v);
	wbuf_close(w, l, n);
	wbuf_close(w, m, 2);
}

void ext_put_server_name(struct wbuf *w, const char *name)
{
	size_t m = open_ext(w, MSG_EXT_SERVER_NAME);
	size_t l = wbuf_open(w, 2);

	wbuf_put8(w, 0);			/* host_name */
	wbuf_put_opaque(w, 2, name, strlen(name));
	wbuf_close(w, l, 2);
	wbuf_close(w, m, 2);
}

void ext_put_client_shares(struct wbuf *w, const struct msg_client_hello *ch)
{
	size_t m = open_ext(w, MSG_EXT_KEY_SHARE);
	size_t l = wbuf_open(w, 2);

	if (ch->key_share.has_p256) {
		wbuf_put16(w, MSG_SECP256R1);
		wbuf_put_opaque(w, 2, ch->key_share.p256, MSG_P256_SHARE_LEN);
	}
	wbuf_close(w, l, 2);
	wbuf_close(w, m, 2);
}

void ext_put_server_share(struct wbuf *w, uint16_t group,
			  const uint8_t share[MSG_P256_SHARE_LEN])
{
	size_t m = open_ext(w, MSG_EXT_KEY_SHARE);

	wbuf_put16(w, group);
	wbuf_put_opaque(w, 2, share, MSG_P256_SHARE_LEN);
	wbuf_close(w, m, 2);
}

void ext_put_cookie(struct wbuf *w, const uint8_t *cookie, size_t len)
{
	size_t m = open_ext(w, MSG_EXT_COOKIE);

	wbuf_put_opaque(w, 2, cookie, len);
	wbuf_close(w, m, 2);
}

void ext_put_psk_modes(struct wbuf *w)
{
	size_t m = open_ext(w, MSG_EXT_PSK_KEY_EXCHANGE_MODES);
	uint8_t mode = MSG_PSK_DHE_KE;

	wbuf_put_opaque(w, 1, &mode, 1);
	wbuf_close(w, m, 2);
}

/* One identity and a binder of zeros (struct msg_psk_offer). */
void ext_put_psk(struct wbuf *w, const struct msg_psk_offer *o)
{
	size_t m = open_ext(w, MSG_EXT_PRE_SHARED_KEY);
	size_t l = wbuf_open(w, 2);
	uint8_t *z;

	wbuf_put_opaque(w, 2, o->id[0], o->id_len[0]);
	wbuf_put16(w, o->age[0] >> 16);
	wbuf_put16(w, o->age[0] & 0xffff);
	wbuf_close(w, l, 2);
	l = wbuf_open(w, 2);
	wbuf_put8(w, o->binder_len[0]);
	z = wbuf_reserve(w, o->binder_len[0]);
	if (z)
		memset(z, 0, o->binder_len[0]);
	wbuf_close(w, l, 2);
	wbuf_close(w, m, 2);
}
