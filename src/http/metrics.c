/* metrics: request counts and latency histograms by route and status, and
 * the process's memory (the store's caches, the C heap), in the
 * Prometheus text format (see http.h). Counters are atomics indexed by
 * (route, status slot), so workers never take a lock to count. */
#include <malloc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "http/http.h"

static const unsigned statuses[] = {200, 201, 204, 400, 401, 403, 404, 405,
				    409, 413, 415, 422, 429, 500, 503, 0 /* other */};
#define NSTATUS (sizeof statuses / sizeof statuses[0])
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKET (sizeof buckets / sizeof buckets[0])

struct cell {
	atomic_llong count;
	atomic_llong sum_ns;
	atomic_llong le[NBUCKET];
};

struct metrics {
	size_t nroutes; /* + 1 row for requests that matched no route */
	struct cell *cells;
};

struct metrics *metrics_new(size_t nroutes)
{
	struct metrics *m = xcalloc(1, sizeof *m);
	m->nroutes = nroutes;
	m->cells = xcalloc((nroutes + 1) * NSTATUS, sizeof *m->cells);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->cells);
	free(m);
}

static size_t status_slot(unsigned status)
{
	for (size_t i = 0; i + 1 < NSTATUS; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void metrics_observe(struct metrics *m, int route, unsigned status, int64_t ns)
{
	size_t row = route >= 0 && (size_t)route < m->nroutes ? (size_t)route : m->nroutes;
	struct cell *c = &m->cells[row * NSTATUS + status_slot(status)];
	double sec = (double)ns / 1e9;
	atomic_fetch_add(&c->count, 1);
	atomic_fetch_add(&c->sum_ns, ns);
	for (size_t b = 0; b < NBUCKET; b++)
		if (sec <= buckets[b])
			atomic_fetch_add(&c->le[b], 1);
}

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0) + 256;
		b->s = xrealloc(b->s, b->cap);
	}
}

/* The C heap as glibc's malloc sees it, all arenas together. */
static void render_malloc(struct buf *b)
{
	struct mallinfo2 mi = mallinfo2();
	put(b,
	    "# HELP breachreg_malloc_bytes The C heap (glibc mallinfo2, all arenas): "
	    "in_use by live allocations, free inside the arenas, arena the arenas' size, "
	    "mmapped the large blocks mapped apart.\n"
	    "# TYPE breachreg_malloc_bytes gauge\n"
	    "breachreg_malloc_bytes{kind=\"in_use\"} %zu\n"
	    "breachreg_malloc_bytes{kind=\"free\"} %zu\n"
	    "breachreg_malloc_bytes{kind=\"arena\"} %zu\n"
	    "breachreg_malloc_bytes{kind=\"mmapped\"} %zu\n",
	    mi.uordblks, mi.fordblks, mi.arena, mi.hblkhd);
}

static void render_store(struct buf *b, const struct store_memory *sm)
{
	put(b,
	    "# HELP breachreg_store_memory_bytes What the store's connections hold together "
	    "(SQLite sqlite3_status64): its allocator's use now and highwater, the page "
	    "caches' reserved budget and their use of it (and beyond) now and highwater, "
	    "and the soft limit.\n"
	    "# TYPE breachreg_store_memory_bytes gauge\n"
	    "breachreg_store_memory_bytes{kind=\"used\"} %lld\n"
	    "breachreg_store_memory_bytes{kind=\"used_highwater\"} %lld\n"
	    "breachreg_store_memory_bytes{kind=\"page_cache_reserved\"} %lld\n"
	    "breachreg_store_memory_bytes{kind=\"page_cache\"} %lld\n"
	    "breachreg_store_memory_bytes{kind=\"page_cache_highwater\"} %lld\n"
	    "breachreg_store_memory_bytes{kind=\"limit\"} %lld\n"
	    "# HELP breachreg_store_allocations Outstanding allocations of the store.\n"
	    "# TYPE breachreg_store_allocations gauge\n"
	    "breachreg_store_allocations %lld\n",
	    (long long)sm->used, (long long)sm->used_highwater,
	    (long long)sm->page_cache_reserved, (long long)sm->page_cache,
	    (long long)sm->page_cache_highwater, (long long)sm->limit, (long long)sm->allocations);
}

char *metrics_render(struct metrics *m, const int64_t by_state[ST_COUNT], int64_t connections,
		     const struct store_memory *sm)
{
	struct buf b = {xmalloc(4096), 0, 4096};
	b.s[0] = '\0';
	put(&b, "# HELP breachreg_http_requests_total HTTP requests by route and status.\n"
		"# TYPE breachreg_http_requests_total counter\n");
	for (size_t r = 0; r <= m->nroutes; r++)
		for (size_t st = 0; st < NSTATUS; st++) {
			long long n = atomic_load(&m->cells[r * NSTATUS + st].count);
			if (!n)
				continue;
			put(&b, "breachreg_http_requests_total{method=\"%s\",route=\"%s\",status=\"%u\"} %lld\n",
			    r < m->nroutes ? route_at(r)->method : "-",
			    r < m->nroutes ? route_at(r)->pattern : "unmatched", statuses[st], n);
		}
	put(&b, "# HELP breachreg_http_request_duration_seconds Time to answer, by route and status.\n"
		"# TYPE breachreg_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= m->nroutes; r++)
		for (size_t st = 0; st < NSTATUS; st++) {
			struct cell *c = &m->cells[r * NSTATUS + st];
			long long n = atomic_load(&c->count);
			if (!n)
				continue;
			const char *route = r < m->nroutes ? route_at(r)->pattern : "unmatched";
			const char *method = r < m->nroutes ? route_at(r)->method : "-";
			for (size_t k = 0; k < NBUCKET; k++)
				put(&b,
				    "breachreg_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
				    "status=\"%u\",le=\"%g\"} %lld\n",
				    method, route, statuses[st], buckets[k], (long long)atomic_load(&c->le[k]));
			put(&b,
			    "breachreg_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
			    "status=\"%u\",le=\"+Inf\"} %lld\n",
			    method, route, statuses[st], n);
			put(&b,
			    "breachreg_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\",status=\"%u\"} "
			    "%.6f\n",
			    method, route, statuses[st], (double)atomic_load(&c->sum_ns) / 1e9);
			put(&b,
			    "breachreg_http_request_duration_seconds_count{method=\"%s\",route=\"%s\",status=\"%u\"} "
			    "%lld\n",
			    method, route, statuses[st], n);
		}
	put(&b, "# HELP breachreg_incidents Incidents in the register by lifecycle state.\n"
		"# TYPE breachreg_incidents gauge\n");
	for (int i = 0; i < ST_COUNT; i++)
		put(&b, "breachreg_incidents{status=\"%s\"} %lld\n", vocab_name(&vocab_state, i),
		    (long long)by_state[i]);
	put(&b, "# HELP breachreg_http_connections Open HTTP connections.\n"
		"# TYPE breachreg_http_connections gauge\nbreachreg_http_connections %lld\n",
	    (long long)connections);
	render_store(&b, sm);
	render_malloc(&b);
	return b.s;
}
