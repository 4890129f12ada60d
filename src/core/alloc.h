/* alloc: the one allocator wrapper. Every allocation in breachreg goes
 * through here and aborts on out-of-memory, so call sites never check. */
#ifndef BR_ALLOC_H
#define BR_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a new copy of s (NULL stays NULL); the caller frees it. */
char *xstrdup(const char *s);
/* Makes jansson allocate through xmalloc; call once at program start. */
void alloc_install_json(void);

#endif
