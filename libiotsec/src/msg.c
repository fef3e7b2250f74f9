// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 handshake message codec (see msg.h).  Decoding reads every
 * byte through struct rbuf; each message's extension block goes through
 * ext.c, which scans it whole (form, duplicates, where each type may
 * appear) and parses each extension we use from its own sub-reader; this
 * file decides what each message requires of them.
 */
#include <errno.h>
#include <string.h>

#include "ext.h"
#include "iotsec.h"
#include "internal.h"
#include "msg.h"

#define E_DECODE	IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECODE_ERROR)
#define E_ILLEGAL	IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER)
#define E_MISSING	IOTSEC_ALERT_ERR(IOTSEC_ALERT_MISSING_EXTENSION)
#define E_VERSION	IOTSEC_ALERT_ERR(IOTSEC_ALERT_PROTOCOL_VERSION)
#define E_BAD_CERT	IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_CERTIFICATE)
#define E_FAILURE	IOTSEC_ALERT_ERR(IOTSEC_ALERT_HANDSHAKE_FAILURE)

const uint8_t msg_hrr_random[MSG_RANDOM_LEN] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* "DOWNGRD" then 1 (TLS 1.2) or 0 (TLS 1.1 and older): 4.1.3. */
static const uint8_t downgrade[7] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D' };

static const uint16_t our_suites[MSG_SUITES_MAX] = {
	MSG_AES_128_GCM_SHA256,
	MSG_AES_256_GCM_SHA384,
	MSG_CHACHA20_POLY1305_SHA256,
};

static bool known_suite(uint16_t s)
{
	return s == MSG_AES_128_GCM_SHA256 || s == MSG_AES_256_GCM_SHA384 ||
	       s == MSG_CHACHA20_POLY1305_SHA256;
}

/* The reader must be used up exactly. */
static int finish(struct rbuf *r)
{
	return rbuf_done(r) ? E_DECODE : 0;
}

/*
 * A message's last field, its extensions<min..max> (@e made fresh): 0,
 * ext_scan()'s error, or decode_error when bytes follow.  A hello may end
 * before it: extensions are optional before TLS 1.3.
 */
static int get_last_exts(struct rbuf *r, size_t min, size_t max,
			 unsigned int where, struct ext_block *e)
{
	bool hello = where & (EXT_IN_CH | EXT_IN_SH | EXT_IN_HRR);
	int err = 0;

	ext_block_init(e);
	if (!hello || rbuf_left(r))
		err = ext_scan(r, min, max, where, e);
	return err ? err : finish(r);
}

static void fail(struct rbuf *r)
{
	if (!r->err)
		r->err = -EBADMSG;
}

/* The ClientHello extensions we read, in a fixed order. */
static int get_client_hello_exts(struct ext_block *e,
				 struct msg_client_hello *ch)
{
	int err = 0;

	ch->exts = e->present;
	ch->versions.present = ext_has(e, MSG_EXT_SUPPORTED_VERSIONS);
	if (ch->versions.present)
		err = ext_get_versions(ext_body(e, MSG_EXT_SUPPORTED_VERSIONS),
				       &ch->versions.has_tls13);
	if (!err && ext_has(e, MSG_EXT_SUPPORTED_GROUPS))
		err = ext_get_groups(ext_body(e, MSG_EXT_SUPPORTED_GROUPS),
				     &ch->groups);
	if (!err && ext_has(e, MSG_EXT_SIGNATURE_ALGORITHMS))
		err = ext_get_sig_algs(ext_body(e, MSG_EXT_SIGNATURE_ALGORITHMS),
				       &ch->sig_algs);
	if (!err && ext_has(e, MSG_EXT_SIGNATURE_ALGORITHMS_CERT))
		err = ext_get_sig_algs(ext_body(e, MSG_EXT_SIGNATURE_ALGORITHMS_CERT),
				       &ch->sig_algs_cert);
	if (!err && ext_has(e, MSG_EXT_KEY_SHARE))
		err = ext_get_client_shares(ext_body(e, MSG_EXT_KEY_SHARE), ch);
	if (!err && ext_has(e, MSG_EXT_SERVER_NAME))
		err = ext_get_server_name(ext_body(e, MSG_EXT_SERVER_NAME),
					  ch->server_name);
	if (!err && ext_has(e, MSG_EXT_COOKIE))
		err = ext_get_cookie(ext_body(e, MSG_EXT_COOKIE), ch->cookie,
				     &ch->cookie_len, E_ILLEGAL);
	return err;
}

/* PSK, its modes, and the empty ones. */
static int get_client_hello_ignored(struct ext_block *e,
				    struct msg_client_hello *ch)
{
	int err = 0;

	ch->psk = ext_has(e, MSG_EXT_PRE_SHARED_KEY);
	ch->psk_modes = ext_has(e, MSG_EXT_PSK_KEY_EXCHANGE_MODES);
	ch->early_data = ext_has(e, MSG_EXT_EARLY_DATA);
	if (ch->psk)
		err = ext_get_psk(ext_body(e, MSG_EXT_PRE_SHARED_KEY),
				  &ch->psk_offer);
	if (!err && ch->psk_modes)
		err = ext_get_psk_modes(ext_body(e, MSG_EXT_PSK_KEY_EXCHANGE_MODES),
					&ch->psk_dhe_ke);
	if (!err && ch->early_data)
		err = ext_done(ext_body(e, MSG_EXT_EARLY_DATA));
	if (!err && ext_has(e, MSG_EXT_POST_HANDSHAKE_AUTH))
		err = ext_done(ext_body(e, MSG_EXT_POST_HANDSHAKE_AUTH));
	return err;
}

/* What RFC 8446 section 9.2 requires of a TLS 1.3 ClientHello. */
static int check_client_hello(const struct msg_client_hello *ch)
{
	if (!ch->psk && (!ch->sig_algs.present || !ch->groups.present))
		return E_MISSING;
	if (ch->groups.present != ch->key_share.present)
		return E_MISSING;
	if (ch->psk && !ch->psk_modes)
		return E_MISSING;
	if (ch->key_share.has_p256 && !ch->groups.has_p256)
		return E_ILLEGAL;
	return 0;
}

static void add_suite(struct msg_client_hello *ch, uint16_t s)
{
	int i;

	ch->n_offered++;
	if (!known_suite(s))
		return;
	for (i = 0; i < ch->n_suites; i++)
		if (ch->suites[i] == s)
			return;
	ch->suites[ch->n_suites++] = s;
}

/* Everything before the extensions; says whether compression is {0}. */
static void get_client_hello_fixed(struct rbuf *r, struct msg_client_hello *ch,
				   bool *null_comp)
{
	struct rbuf sid, suites, comp;

	ch->legacy_version = rbuf_get16(r);
	rbuf_copy(r, ch->random, MSG_RANDOM_LEN);
	rbuf_block(r, 1, 0, MSG_SESSION_ID_MAX, &sid);
	ch->session_id_len = rbuf_left(&sid);
	rbuf_copy(&sid, ch->session_id, ch->session_id_len);
	rbuf_block(r, 2, 2, 0xfffe, &suites);
	if (rbuf_left(&suites) % 2)
		fail(&suites);
	while (rbuf_left(&suites))
		add_suite(ch, rbuf_get16(&suites));
	rbuf_join(r, &suites);
	rbuf_block(r, 1, 1, 255, &comp);
	*null_comp = rbuf_left(&comp) == 1 && rbuf_get8(&comp) == 0;
}

int msg_get_client_hello(const uint8_t *body, size_t len,
			 struct msg_client_hello *ch)
{
	struct ext_block e;
	struct rbuf r;
	bool null_comp;
	int err;

	memset(ch, 0, sizeof(*ch));
	rbuf_init(&r, body, len);
	get_client_hello_fixed(&r, ch, &null_comp);
	err = get_last_exts(&r, 0, 0xffff, EXT_IN_CH, &e);
	if (!err && (e.misplaced >= 0 || e.psk_not_last))
		err = E_ILLEGAL;
	if (!err)
		err = get_client_hello_exts(&e, ch);
	if (!err)
		err = get_client_hello_ignored(&e, ch);
	if (err || !ch->versions.has_tls13)
		return err;
	if (!null_comp)
		return E_ILLEGAL;
	return check_client_hello(ch);
}

/* Without supported_versions the server chose TLS 1.2 or older. */
static int check_server_hello_version(struct ext_block *e, uint16_t legacy,
				      struct msg_server_hello *sh)
{
	struct rbuf *b = ext_body(e, MSG_EXT_SUPPORTED_VERSIONS);
	const uint8_t *tail = sh->random + MSG_RANDOM_LEN - 8;

	if (!ext_has(e, MSG_EXT_SUPPORTED_VERSIONS)) {
		if (!memcmp(tail, downgrade, 7) && tail[7] <= 1)
			return E_ILLEGAL;
		return E_VERSION;
	}
	sh->version = rbuf_get16(b);
	if (ext_done(b))
		return E_DECODE;
	if (sh->version != MSG_TLS13 || legacy != MSG_LEGACY_VERSION)
		return E_ILLEGAL;
	return 0;
}

static int get_hrr_exts(struct ext_block *e, struct msg_server_hello *sh)
{
	int err;

	if (ext_has(e, MSG_EXT_KEY_SHARE)) {
		err = ext_get_hrr_group(ext_body(e, MSG_EXT_KEY_SHARE),
					&sh->group);
		if (err)
			return err;
	}
	if (ext_has(e, MSG_EXT_COOKIE)) {
		err = ext_get_cookie(ext_body(e, MSG_EXT_COOKIE), sh->cookie,
				     &sh->cookie_len, E_FAILURE);
		if (err)
			return err;
	}
	return sh->group || sh->cookie_len ? 0 : E_ILLEGAL;
}

/* Settles the version, then judges the fixed fields and extensions. */
static int check_server_hello(struct ext_block *e, uint16_t legacy,
			      uint8_t comp, uint64_t offered,
			      struct msg_server_hello *sh)
{
	int err = check_server_hello_version(e, legacy, sh);

	if (err)
		return err;
	if (comp != 0 || !known_suite(sh->suite))
		return E_ILLEGAL;
	if (sh->hrr)
		offered |= MSG_EXT_BIT(MSG_EXT_COOKIE);
	err = ext_check_offered(e, offered);
	if (err)
		return err;
	if (sh->hrr)
		return get_hrr_exts(e, sh);
	if (!ext_has(e, MSG_EXT_KEY_SHARE))
		return E_MISSING;
	sh->psk = ext_has(e, MSG_EXT_PRE_SHARED_KEY);
	if (sh->psk) {
		sh->psk_identity = rbuf_get16(ext_body(e, MSG_EXT_PRE_SHARED_KEY));
		err = ext_done(ext_body(e, MSG_EXT_PRE_SHARED_KEY));
		if (err)
			return err;
	}
	return ext_get_server_share(ext_body(e, MSG_EXT_KEY_SHARE), &sh->group,
				    sh->share);
}

int msg_get_server_hello(const uint8_t *body, size_t len, uint64_t offered,
			 struct msg_server_hello *sh)
{
	struct ext_block e;
	struct rbuf r, sid;
	uint16_t legacy;
	uint8_t comp;
	int err;

	memset(sh, 0, sizeof(*sh));
	rbuf_init(&r, body, len);
	legacy = rbuf_get16(&r);
	rbuf_copy(&r, sh->random, MSG_RANDOM_LEN);
	sh->hrr = !memcmp(sh->random, msg_hrr_random, MSG_RANDOM_LEN);
	rbuf_block(&r, 1, 0, MSG_SESSION_ID_MAX, &sid);
	sh->session_id_len = rbuf_left(&sid);
	rbuf_copy(&sid, sh->session_id, sh->session_id_len);
	sh->suite = rbuf_get16(&r);
	comp = rbuf_get8(&r);
	err = get_last_exts(&r, 0, 0xffff, sh->hrr ? EXT_IN_HRR : EXT_IN_SH,
			    &e);
	return err ? err : check_server_hello(&e, legacy, comp, offered, sh);
}

int msg_get_encrypted_extensions(const uint8_t *body, size_t len,
				 uint64_t offered,
				 struct msg_encrypted_extensions *ee)
{
	struct ext_block e;
	struct rbuf r;
	int err;

	memset(ee, 0, sizeof(*ee));
	rbuf_init(&r, body, len);
	err = get_last_exts(&r, 0, 0xffff, EXT_IN_EE, &e);
	if (!err)
		err = ext_check_offered(&e, offered);
	ee->server_name = ext_has(&e, MSG_EXT_SERVER_NAME);
	if (!err && ee->server_name)
		err = ext_done(ext_body(&e, MSG_EXT_SERVER_NAME));
	if (!err && ext_has(&e, MSG_EXT_SUPPORTED_GROUPS))
		err = ext_get_groups(ext_body(&e, MSG_EXT_SUPPORTED_GROUPS),
				     &ee->groups);
	return err;
}

/* opaque certificate_request_context<0..2^8-1> */
static void get_context(struct rbuf *r, uint8_t *ctx, uint8_t *len)
{
	struct rbuf c;

	rbuf_block(r, 1, 0, MSG_CONTEXT_MAX, &c);
	*len = rbuf_left(&c);
	rbuf_copy(&c, ctx, *len);
}

int msg_get_certificate_request(const uint8_t *body, size_t len,
				struct msg_certificate_request *cr)
{
	struct ext_block e;
	struct rbuf r;
	int err;

	memset(cr, 0, sizeof(*cr));
	rbuf_init(&r, body, len);
	get_context(&r, cr->context, &cr->context_len);
	err = get_last_exts(&r, 2, 0xffff, EXT_IN_CR, &e);
	if (!err && e.misplaced >= 0)
		err = E_ILLEGAL;
	if (!err && !ext_has(&e, MSG_EXT_SIGNATURE_ALGORITHMS))
		err = E_MISSING;
	if (!err)
		err = ext_get_sig_algs(ext_body(&e, MSG_EXT_SIGNATURE_ALGORITHMS),
				       &cr->sig_algs);
	if (!err && ext_has(&e, MSG_EXT_SIGNATURE_ALGORITHMS_CERT))
		err = ext_get_sig_algs(ext_body(&e, MSG_EXT_SIGNATURE_ALGORITHMS_CERT),
				       &cr->sig_algs_cert);
	return err;
}

/* One CertificateEntry; counts it, and keeps it if there is room. */
static int get_cert_entry(struct rbuf *list, uint64_t offered,
			  struct ext_block *e, struct msg_certificate *c,
			  size_t *count)
{
	struct rbuf der;
	size_t n;
	int err;

	rbuf_block(list, 3, 1, 0xffffff, &der);
	err = ext_scan(list, 0, 0xffff, EXT_IN_CT, e);
	if (!err)
		err = ext_check_offered(e, offered);
	if (err)
		return err;
	if (*count < MSG_CERTS_MAX) {
		n = rbuf_left(&der);
		c->certs[*count].len = n;
		c->certs[*count].der = rbuf_get(&der, n);
	}
	(*count)++;
	return 0;
}

int msg_get_certificate(const uint8_t *body, size_t len, uint64_t offered,
			struct msg_certificate *c)
{
	struct ext_block e;
	struct rbuf r, list;
	size_t count = 0;
	int err = 0;

	memset(c, 0, sizeof(*c));
	rbuf_init(&r, body, len);
	get_context(&r, c->context, &c->context_len);
	rbuf_block(&r, 3, 0, 0xffffff, &list);
	ext_block_init(&e);
	while (!err && rbuf_left(&list))
		err = get_cert_entry(&list, offered, &e, c, &count);
	if (err)
		return err;
	rbuf_done(&list);
	rbuf_join(&r, &list);
	if (rbuf_done(&r))
		return E_DECODE;
	if (count > MSG_CERTS_MAX)
		return E_BAD_CERT;
	c->n = count;
	return 0;
}

int msg_get_certificate_verify(const uint8_t *body, size_t len,
			       struct msg_certificate_verify *cv)
{
	struct rbuf r, sig;

	memset(cv, 0, sizeof(*cv));
	rbuf_init(&r, body, len);
	cv->scheme = rbuf_get16(&r);
	rbuf_block(&r, 2, 0, 0xffff, &sig);
	if (finish(&r))
		return E_DECODE;
	cv->sig_len = rbuf_left(&sig);
	cv->sig = rbuf_get(&sig, cv->sig_len);
	return cv->scheme == MSG_ECDSA_P256_SHA256 ? 0 : E_ILLEGAL;
}

int msg_get_finished(const uint8_t *body, size_t len, size_t hash_len,
		     uint8_t *verify_data)
{
	struct rbuf r;

	if (hash_len != 32 && hash_len != 48)
		return -EINVAL;
	rbuf_init(&r, body, len);
	rbuf_copy(&r, verify_data, hash_len);
	return finish(&r);
}

int msg_get_key_update(const uint8_t *body, size_t len, bool *request)
{
	struct rbuf r;
	uint8_t v;

	rbuf_init(&r, body, len);
	v = rbuf_get8(&r);
	*request = v == 1;
	if (finish(&r))
		return E_DECODE;
	return v <= 1 ? 0 : E_ILLEGAL;
}

static uint32_t get32(struct rbuf *r)
{
	uint32_t hi = rbuf_get16(r);

	return hi << 16 | rbuf_get16(r);
}

int msg_get_new_session_ticket(const uint8_t *body, size_t len,
			       struct msg_new_session_ticket *t)
{
	struct ext_block e;
	struct rbuf r, x;
	int err;

	memset(t, 0, sizeof(*t));
	rbuf_init(&r, body, len);
	t->lifetime = get32(&r);
	t->age_add = get32(&r);
	rbuf_block(&r, 1, 0, MSG_NONCE_MAX, &x);
	t->nonce_len = rbuf_left(&x);
	rbuf_copy(&x, t->nonce, t->nonce_len);
	rbuf_block(&r, 2, 1, 0xffff, &x);
	t->ticket_len = rbuf_left(&x);
	t->ticket = rbuf_get(&x, t->ticket_len);
	err = get_last_exts(&r, 0, 0xfffe, EXT_IN_NST, &e);
	if (!err && e.misplaced >= 0)
		err = E_ILLEGAL;
	t->early_data = ext_has(&e, MSG_EXT_EARLY_DATA);
	if (!err && t->early_data) {
		rbuf_get(ext_body(&e, MSG_EXT_EARLY_DATA), 4);
		err = ext_done(ext_body(&e, MSG_EXT_EARLY_DATA));
	}
	return err;
}

size_t msg_max_len(uint8_t type)
{
	if (type == MSG_CERTIFICATE || type == MSG_NEW_SESSION_TICKET)
		return MSG_MAX_LEN_LARGE;
	return MSG_MAX_LEN;
}

int msg_next(const uint8_t *buf, size_t avail, struct msg_hdr *h)
{
	struct rbuf r;

	memset(h, 0, sizeof(*h));
	if (avail < MSG_HDR_LEN)
		return 0;
	rbuf_init(&r, buf, avail);
	h->type = rbuf_get8(&r);
	h->len = rbuf_get24(&r);
	if (h->len > msg_max_len(h->type))
		return E_DECODE;
	h->body = rbuf_get(&r, h->len);
	return h->body ? 1 : 0;
}

/* Encoding.  A message opens with its type and a 24-bit length. */

static size_t start(struct wbuf *w, uint8_t type)
{
	wbuf_put8(w, type);
	return wbuf_open(w, 3);
}

static int end(struct wbuf *w, size_t mark)
{
	wbuf_close(w, mark, 3);
	return w->err;
}

int msg_put_message_hash(struct wbuf *w, const uint8_t *hash, size_t len)
{
	if (len != 32 && len != 48)
		return -EINVAL;
	wbuf_put8(w, MSG_MESSAGE_HASH);
	wbuf_put24(w, len);
	wbuf_put(w, hash, len);
	return w->err;
}

uint64_t msg_client_hello_exts(const struct msg_client_hello *ch)
{
	uint64_t e = MSG_EXT_BIT(MSG_EXT_SUPPORTED_VERSIONS) |
		     MSG_EXT_BIT(MSG_EXT_SUPPORTED_GROUPS) |
		     MSG_EXT_BIT(MSG_EXT_SIGNATURE_ALGORITHMS) |
		     MSG_EXT_BIT(MSG_EXT_SIGNATURE_ALGORITHMS_CERT) |
		     MSG_EXT_BIT(MSG_EXT_KEY_SHARE);

	if (ch->server_name[0])
		e |= MSG_EXT_BIT(MSG_EXT_SERVER_NAME);
	if (ch->cookie_len)
		e |= MSG_EXT_BIT(MSG_EXT_COOKIE);
	if (ch->psk_modes)
		e |= MSG_EXT_BIT(MSG_EXT_PSK_KEY_EXCHANGE_MODES);
	if (ch->psk_offer.n)
		e |= MSG_EXT_BIT(MSG_EXT_PRE_SHARED_KEY);
	return e;
}

static bool client_hello_valid(const struct msg_client_hello *ch)
{
	int i;

	if (ch->session_id_len > MSG_SESSION_ID_MAX ||
	    ch->n_suites > MSG_SUITES_MAX || ch->cookie_len > MSG_COOKIE_MAX ||
	    strnlen(ch->server_name, sizeof(ch->server_name)) > MSG_HOST_MAX)
		return false;
	if (ch->key_share.has_p256 && ch->key_share.p256[0] != 0x04)
		return false;
	/* One PSK at most, and only with the modes that allow it (4.2.9). */
	if (ch->psk_offer.n > 1 || (ch->psk_offer.n && (!ch->psk_modes ||
	    !ch->psk_offer.id[0] || !ch->psk_offer.id_len[0] ||
	    ch->psk_offer.id_len[0] > 0xffff - 6 ||
	    ch->psk_offer.binder_len[0] < 32 ||
	    ch->psk_offer.binder_len[0] > MSG_VERIFY_MAX)))
		return false;
	for (i = 0; i < ch->n_suites; i++)
		if (!known_suite(ch->suites[i]))
			return false;
	return true;
}

static void put_client_hello_suites(struct wbuf *w,
				    const struct msg_client_hello *ch)
{
	const uint16_t *s = ch->n_suites ? ch->suites : our_suites;
	int n = ch->n_suites ? ch->n_suites : MSG_SUITES_MAX;
	size_t m = wbuf_open(w, 2);
	int i;

	for (i = 0; i < n; i++)
		wbuf_put16(w, s[i]);
	wbuf_close(w, m, 2);
}

int msg_put_client_hello(struct wbuf *w, const struct msg_client_hello *ch)
{
	size_t m, x;

	if (!client_hello_valid(ch))
		return -EINVAL;
	m = start(w, MSG_CLIENT_HELLO);
	wbuf_put16(w, MSG_LEGACY_VERSION);
	wbuf_put(w, ch->random, MSG_RANDOM_LEN);
	wbuf_put_opaque(w, 1, ch->session_id, ch->session_id_len);
	put_client_hello_suites(w, ch);
	wbuf_put8(w, 1);			/* compression: {null} */
	wbuf_put8(w, 0);
	x = wbuf_open(w, 2);
	if (ch->server_name[0])
		ext_put_server_name(w, ch->server_name);
	ext_put_u16(w, MSG_EXT_SUPPORTED_VERSIONS, 1, MSG_TLS13);
	ext_put_u16(w, MSG_EXT_SUPPORTED_GROUPS, 2, MSG_SECP256R1);
	ext_put_u16(w, MSG_EXT_SIGNATURE_ALGORITHMS, 2, MSG_ECDSA_P256_SHA256);
	ext_put_u16(w, MSG_EXT_SIGNATURE_ALGORITHMS_CERT, 2,
		    MSG_ECDSA_P256_SHA256);
	ext_put_client_shares(w, ch);
	if (ch->cookie_len)
		ext_put_cookie(w, ch->cookie, ch->cookie_len);
	if (ch->psk_modes)
		ext_put_psk_modes(w);
	if (ch->psk_offer.n)
		ext_put_psk(w, &ch->psk_offer);	/* last (4.2.11) */
	wbuf_close(w, x, 2);
	return end(w, m);
}

static bool server_hello_valid(const struct msg_server_hello *sh)
{
	if (sh->session_id_len > MSG_SESSION_ID_MAX ||
	    sh->cookie_len > MSG_COOKIE_MAX || !known_suite(sh->suite))
		return false;
	if (sh->hrr)
		return (!sh->group || sh->group == MSG_SECP256R1) &&
		       (sh->group || sh->cookie_len) && !sh->psk;
	return sh->group == MSG_SECP256R1 && sh->share[0] == 0x04 &&
	       !sh->cookie_len;
}

static void put_server_hello_exts(struct wbuf *w,
				  const struct msg_server_hello *sh)
{
	size_t x = wbuf_open(w, 2);
	uint8_t v[2] = { MSG_TLS13 >> 8, MSG_TLS13 & 0xff };
	uint8_t g[2] = { sh->group >> 8, sh->group & 0xff };
	uint8_t id[2] = { sh->psk_identity >> 8, sh->psk_identity & 0xff };

	if (sh->hrr && sh->group)
		ext_put(w, MSG_EXT_KEY_SHARE, g, 2);
	else if (!sh->hrr)
		ext_put_server_share(w, sh->group, sh->share);
	if (sh->cookie_len)
		ext_put_cookie(w, sh->cookie, sh->cookie_len);
	if (sh->psk)
		ext_put(w, MSG_EXT_PRE_SHARED_KEY, id, 2);
	ext_put(w, MSG_EXT_SUPPORTED_VERSIONS, v, 2);
	wbuf_close(w, x, 2);
}

int msg_put_server_hello(struct wbuf *w, const struct msg_server_hello *sh)
{
	size_t m;

	if (!server_hello_valid(sh))
		return -EINVAL;
	m = start(w, MSG_SERVER_HELLO);
	wbuf_put16(w, MSG_LEGACY_VERSION);
	wbuf_put(w, sh->hrr ? msg_hrr_random : sh->random, MSG_RANDOM_LEN);
	wbuf_put_opaque(w, 1, sh->session_id, sh->session_id_len);
	wbuf_put16(w, sh->suite);
	wbuf_put8(w, 0);			/* compression: null */
	put_server_hello_exts(w, sh);
	return end(w, m);
}

int msg_put_encrypted_extensions(struct wbuf *w,
				 const struct msg_encrypted_extensions *ee)
{
	size_t m = start(w, MSG_ENCRYPTED_EXTENSIONS);
	size_t x = wbuf_open(w, 2);

	if (ee->server_name)
		ext_put(w, MSG_EXT_SERVER_NAME, NULL, 0);
	if (ee->groups.present)
		ext_put_u16(w, MSG_EXT_SUPPORTED_GROUPS, 2, MSG_SECP256R1);
	wbuf_close(w, x, 2);
	return end(w, m);
}

int msg_put_certificate_request(struct wbuf *w,
				const struct msg_certificate_request *cr)
{
	size_t m = start(w, MSG_CERTIFICATE_REQUEST);
	size_t x;

	wbuf_put_opaque(w, 1, cr->context, cr->context_len);
	x = wbuf_open(w, 2);
	ext_put_u16(w, MSG_EXT_SIGNATURE_ALGORITHMS, 2, MSG_ECDSA_P256_SHA256);
	ext_put_u16(w, MSG_EXT_SIGNATURE_ALGORITHMS_CERT, 2,
		    MSG_ECDSA_P256_SHA256);
	wbuf_close(w, x, 2);
	return end(w, m);
}

int msg_put_certificate(struct wbuf *w, const struct msg_certificate *c)
{
	size_t m, l, i;

	if (c->n > MSG_CERTS_MAX)
		return -EINVAL;
	for (i = 0; i < c->n; i++)
		if (!c->certs[i].der || !c->certs[i].len)
			return -EINVAL;
	m = start(w, MSG_CERTIFICATE);
	wbuf_put_opaque(w, 1, c->context, c->context_len);
	l = wbuf_open(w, 3);
	for (i = 0; i < c->n; i++) {
		wbuf_put_opaque(w, 3, c->certs[i].der, c->certs[i].len);
		wbuf_put16(w, 0);		/* no extensions */
	}
	wbuf_close(w, l, 3);
	return end(w, m);
}

int msg_put_certificate_verify(struct wbuf *w,
			       const struct msg_certificate_verify *cv)
{
	size_t m = start(w, MSG_CERTIFICATE_VERIFY);

	wbuf_put16(w, cv->scheme);
	wbuf_put_opaque(w, 2, cv->sig, cv->sig_len);
	return end(w, m);
}

int msg_put_finished(struct wbuf *w, const uint8_t *verify_data, size_t len)
{
	size_t m;

	if (len != 32 && len != 48)
		return -EINVAL;
	m = start(w, MSG_FINISHED);
	wbuf_put(w, verify_data, len);
	return end(w, m);
}

int msg_put_key_update(struct wbuf *w, bool request)
{
	size_t m = start(w, MSG_KEY_UPDATE);

	wbuf_put8(w, request ? 1 : 0);
	return end(w, m);
}

int msg_put_new_session_ticket(struct wbuf *w,
			       const struct msg_new_session_ticket *t)
{
	size_t m;

	if (!t->ticket || !t->ticket_len || t->ticket_len > 0xffff)
		return -EINVAL;
	m = start(w, MSG_NEW_SESSION_TICKET);
	wbuf_put16(w, t->lifetime >> 16);
	wbuf_put16(w, t->lifetime & 0xffff);
	wbuf_put16(w, t->age_add >> 16);
	wbuf_put16(w, t->age_add & 0xffff);
	wbuf_put_opaque(w, 1, t->nonce, t->nonce_len);
	wbuf_put_opaque(w, 2, t->ticket, t->ticket_len);
	wbuf_put16(w, 0);			/* no extensions */
	return end(w, m);
}
