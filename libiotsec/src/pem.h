/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PEM (RFC 7468) to DER: certificate files for the TLS layer.
 *
 * Text outside the encapsulation boundaries is explanatory and ignored
 * (comments, "subject=" lines, other tools' output).  A boundary line is
 * "-----BEGIN <label>-----" (or END) at the start of a line, optionally
 * followed by blanks; its END must carry the same label.  Blocks with
 * another label are skipped whole (body unread, END still required).  Inside a wanted block, whitespace is
 * ignored anywhere and everything else must be strict base64: padding
 * only at the end, zero pad bits, no headers.  Errors:
 *   -EBADMSG  a malformed or unterminated block, or a bad character
 *   -E2BIG    more than PEM_MAX_BLOCKS wanted blocks
 *   -EFBIG    a file larger than PEM_MAX_FILE
 *   -ENOMEM   out of memory
 *   -errno    from open() or read() (-ENOENT, -EACCES, -EISDIR…)
 */
#ifndef IOTSEC_PEM_H
#define IOTSEC_PEM_H

#include <stddef.h>
#include <stdint.h>

#define PEM_MAX_FILE	(1 << 20)	/* bytes read from one file */
#define PEM_MAX_BLOCKS	16		/* blocks kept from one text */

struct pem_block {
	uint8_t *der;	/* malloc'd */
	size_t len;
};

/**
 * struct pem_list - the decoded blocks, in text order
 * @count: number of entries in @blocks
 * @blocks: DER contents, owned by the list
 */
struct pem_list {
	unsigned int count;
	struct pem_block blocks[PEM_MAX_BLOCKS];
};

/**
 * pem_decode() - decode every block with one label from PEM text
 * @text: the text (need not be NUL-terminated; NULL if @len is 0)
 * @len: its length
 * @label: the label wanted, e.g. "CERTIFICATE"
 * @out: filled with the blocks; empty on error
 *
 * Return: the number of blocks found (0 if none has @label) or a negative
 * errno (see the top of this file).  Free @out with pem_list_free().
 */
int pem_decode(const char *text, size_t len, const char *label,
	       struct pem_list *out);

/**
 * pem_read_file() - read a PEM file and decode its blocks with @label
 * @path: the file
 * @label: the label wanted, e.g. "CERTIFICATE"
 * @out: filled with the blocks; empty on error
 *
 * Return: as pem_decode(), plus -errno from open() and read(), and
 * -EFBIG for a file over PEM_MAX_FILE bytes.
 */
int pem_read_file(const char *path, const char *label, struct pem_list *out);

/**
 * pem_list_free() - wipe and free the blocks, and empty the list
 * @l: a list filled by pem_decode() or pem_read_file(), or zeroed
 */
void pem_list_free(struct pem_list *l);

#endif
