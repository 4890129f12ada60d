/* arena: per-request memory (STYLE 7). Small allocations come from
 * chunks that are all freed at once when the response has been sent, so
 * handlers allocate freely and never free. Not thread-safe: one request,
 * one thread at a time. */
#ifndef BR_ARENA_H
#define BR_ARENA_H
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

void arena_init(struct arena *a);
/* Frees every allocation made from a. */
void arena_release(struct arena *a);
/* Memory aligned for any type, valid until arena_release; aborts on OOM. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
