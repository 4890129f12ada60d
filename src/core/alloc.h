/* alloc: the one allocator wrapper. Every allocation in breachreg goes
 * through here and aborts on out-of-memory, so call sites never check. */
#ifndef BR_ALLOC_H
#define BR_ALLOC_H
#include <stddef.h>

/* Never NULL: the attribute tells the compilers and analysers so. */
void *xmalloc(size_t n) __attribute__((returns_nonnull));
void *xcalloc(size_t count, size_t size) __attribute__((returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
/* Returns a new copy of s (NULL stays NULL); the caller frees it. */
char *xstrdup(const char *s);
/* Makes jansson allocate through xmalloc; call once at program start. */
void alloc_install_json(void);

#endif
