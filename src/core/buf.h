/* buf: a growable byte buffer (git's strbuf, kore's kore_buf), for output
 * built piece by piece: export rows, response bodies. Memory comes from
 * alloc.h, so appending never fails.
 *
 * Ownership: a buf owns data; buf_release frees it, buf_detach hands it
 * to the caller. After any append, data holds len bytes and a NUL (not
 * counted), so it can be read as a string when no NUL was added. */
#ifndef BR_BUF_H
#define BR_BUF_H
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append */
	size_t len, cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_init(struct buf *b);
/* Frees the contents; b is empty and reusable afterwards. */
void buf_release(struct buf *b);
/* Empties b but keeps its memory, for a buffer flushed and refilled. */
void buf_reset(struct buf *b);
/* Makes room for extra more bytes (and the NUL) without appending. */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addch(struct buf *b, char c);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a string: "" while empty (never NULL); borrowed. */
const char *buf_str(const struct buf *b);
/* Hands the contents (NUL-terminated, never NULL) to the caller, who frees
 * them; *len gets the length when len is not NULL. b is left empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
