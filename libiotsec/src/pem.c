// SPDX-License-Identifier: GPL-2.0
/*
 * PEM to DER (see pem.h).  The text is read line by line through the
 * bounded codec reader; base64 goes four characters to three bytes into a
 * growable buffer that becomes the block.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "pem.h"

#define CHUNK	4096

struct b64 {
	struct wbuf out;
	uint32_t acc;		/* sextets of the current quantum */
	unsigned int n;		/* how many */
	bool pad;		/* one '=' seen after two sextets */
	bool done;		/* padding complete: nothing may follow */
};

static bool blank(uint8_t ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f';
}

/* Splits off the next line, without its '\n' and trailing blanks. */
static void get_line(struct rbuf *r, struct rbuf *ln)
{
	struct rbuf t = *r;
	size_t n = 0, keep = 0;
	const uint8_t *p;

	while (rbuf_left(&t)) {
		uint8_t ch = rbuf_get8(&t);

		if (ch == '\n')
			break;
		if (!blank(ch))
			keep = n + 1;
		n++;
	}
	p = rbuf_get(r, n);
	rbuf_init(ln, p, keep);
	if (rbuf_left(r))
		rbuf_get8(r);
}

/* Skips @s if the line starts with it. */
static bool eat(struct rbuf *ln, const char *s)
{
	struct rbuf t = *ln;
	size_t n = strlen(s);
	const uint8_t *p = rbuf_get(&t, n);

	if (!p || memcmp(p, s, n))
		return false;
	*ln = t;
	return true;
}

/* RFC 7468 label: printable, not starting or ending with '-' or ' '. */
static bool label_ok(const uint8_t *p, size_t n)
{
	struct rbuf r;
	uint8_t ch = 0;
	size_t i;

	rbuf_init(&r, p, n);
	for (i = 0; i < n; i++) {
		ch = rbuf_get8(&r);
		if (ch < 0x20 || ch > 0x7e ||
		    (i == 0 && (ch == '-' || ch == ' ')))
			return false;
	}
	return ch != '-' && ch != ' ';
}

/*
 * Parses "-----<kind> <label>-----" (trailing blanks already gone).
 * Returns 1 with @label/@n set, 0 if the line is not of that kind, or
 * -EBADMSG if it starts like one but is malformed.
 */
static int boundary(struct rbuf ln, const char *kind, const uint8_t **label,
		    size_t *n)
{
	if (!eat(&ln, "-----") || !eat(&ln, kind) || !eat(&ln, " "))
		return 0;
	*n = rbuf_left(&ln);
	if (*n <= 5)
		return -EBADMSG;
	*n -= 5;
	*label = rbuf_get(&ln, *n);
	if (!eat(&ln, "-----") || rbuf_left(&ln) || !label_ok(*label, *n))
		return -EBADMSG;
	return 1;
}

static int b64_value(uint8_t ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* "xx==" ends with one byte, "xxx=" with two; the pad bits must be 0. */
static int b64_pad(struct b64 *b)
{
	if (b->n == 2 && !b->pad) {
		b->pad = true;
		return 0;
	}
	if (b->n == 2 && b->pad) {
		if (b->acc & 0xf)
			return -EBADMSG;
		wbuf_put8(&b->out, b->acc >> 4);
	} else if (b->n == 3 && !b->pad) {
		if (b->acc & 0x3)
			return -EBADMSG;
		wbuf_put8(&b->out, b->acc >> 10);
		wbuf_put8(&b->out, b->acc >> 2);
	} else {
		return -EBADMSG;
	}
	b->n = 0;
	b->done = true;
	return 0;
}

static int b64_char(struct b64 *b, uint8_t ch)
{
	int v = b64_value(ch);

	if (b->done)
		return -EBADMSG;
	if (ch == '=')
		return b64_pad(b);
	if (v < 0 || b->pad)
		return -EBADMSG;
	b->acc = b->acc << 6 | v;
	if (++b->n == 4) {
		wbuf_put8(&b->out, b->acc >> 16);
		wbuf_put8(&b->out, b->acc >> 8);
		wbuf_put8(&b->out, b->acc);
		b->acc = 0;
		b->n = 0;
	}
	return 0;
}

static int b64_line(struct b64 *b, struct rbuf *ln)
{
	int err = 0;

	while (!err && rbuf_left(ln)) {
		uint8_t ch = rbuf_get8(ln);

		if (!blank(ch))
			err = b64_char(b, ch);
	}
	return err;
}

/* Hands the decoded block to @out. */
static int b64_finish(struct b64 *b, struct pem_list *out)
{
	struct pem_block *blk;

	if (b->out.err)
		return b->out.err == -EMSGSIZE ? -EFBIG : b->out.err;
	if (!b->out.len || (!b->done && (b->n || b->pad)))
		return -EBADMSG;
	if (out->count == PEM_MAX_BLOCKS)
		return -E2BIG;
	blk = &out->blocks[out->count++];
	blk->der = b->out.base;
	blk->len = b->out.len;
	wbuf_init(&b->out, 0);
	return 0;
}

/*
 * After a BEGIN line with label @l: reads up to the matching END line,
 * decoding the body into @out if @want.
 */
static int block(struct rbuf *r, const uint8_t *l, size_t n, bool want,
		 struct pem_list *out)
{
	const uint8_t *el;
	struct b64 b = { 0 };
	struct rbuf ln;
	size_t en;
	int err = 0;

	wbuf_init(&b.out, PEM_MAX_FILE);
	while (!err) {
		if (!rbuf_left(r)) {
			err = -EBADMSG;		/* no END line */
			break;
		}
		get_line(r, &ln);
		if (boundary(ln, "BEGIN", &el, &en)) {
			err = -EBADMSG;		/* BEGIN inside a block */
			break;
		}
		err = boundary(ln, "END", &el, &en);
		if (err == 1) {
			err = en == n && !memcmp(el, l, n) ? 0 : -EBADMSG;
			if (!err && want)
				err = b64_finish(&b, out);
			break;
		}
		if (!err && want)
			err = b64_line(&b, &ln);
	}
	wbuf_wipe(&b.out);
	return err;
}

int pem_decode(const char *text, size_t len, const char *label,
	       struct pem_list *out)
{
	const uint8_t *l;
	struct rbuf r, ln;
	int err = 0;
	size_t n;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if ((!text && len) || !label || !*label)
		return -EINVAL;
	if (!len)
		return 0;
	rbuf_init(&r, text, len);
	while (!err && rbuf_left(&r)) {
		get_line(&r, &ln);
		err = boundary(ln, "BEGIN", &l, &n);
		if (err == 1)
			err = block(&r, l, n, n == strlen(label) &&
				    !memcmp(l, label, n), out);
	}
	if (err) {
		pem_list_free(out);
		return err;
	}
	return out->count;
}

/* Reads the whole file into @w, at most PEM_MAX_FILE bytes. */
static int slurp(int fd, struct wbuf *w)
{
	uint8_t *p;
	ssize_t n;

	for (;;) {
		if (w->len > PEM_MAX_FILE)
			return -EFBIG;
		p = wbuf_reserve(w, CHUNK);
		if (!p)
			return w->err;
		do
			n = read(fd, p, CHUNK);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		w->len -= CHUNK - n;
		if (n == 0)
			return 0;
	}
}

int pem_read_file(const char *path, const char *label, struct pem_list *out)
{
	struct wbuf w;
	int fd, err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!path)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	wbuf_init(&w, PEM_MAX_FILE + CHUNK);
	err = slurp(fd, &w);
	close(fd);
	if (!err)
		err = pem_decode((const char *)w.base, w.len, label, out);
	wbuf_wipe(&w);
	return err;
}

void pem_list_free(struct pem_list *l)
{
	unsigned int i;

	if (!l)
		return;
	for (i = 0; i < l->count && i < PEM_MAX_BLOCKS; i++) {
		explicit_bzero(l->blocks[i].der, l->blocks[i].len);
		free(l->blocks[i].der);
	}
	memset(l, 0, sizeof(*l));
}
