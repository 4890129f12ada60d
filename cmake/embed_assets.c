/* embed_assets: the build-time generator of the web UI's embedded files
 * (src/http/assets.h). It reads the static assets and the page templates,
 * fingerprints each asset by the SHA-256 of its content, rewrites the
 * references between assets to their fingerprinted URLs, and writes one C
 * file of tables (src/http/assets_data.h). A host tool: it prints its errors
 * and exits non-zero, which fails the build, naming the file and the cause.
 *
 * Usage: embed_assets OUT.c [-f NAME=FILE | -d PREFIX=DIR | -t DIR]...
 *   -f NAME=FILE   one asset of logical name NAME
 *   -d PREFIX=DIR  every file under DIR (recursively; dot files and *.map
 *                  skipped) as PREFIX/relative-path ("" = no prefix)
 *   -t DIR         each DIR/NAME.html as a template named by its stem
 * When two arguments give the same logical name the first wins and the
 * later one is reported and skipped (so list GOV.UK Frontend before MoJ
 * Frontend: their images share one images/ folder).
 *
 * References rewritten, after the files they name are fingerprinted (a
 * cycle is an error):
 *   CSS   url(/assets/NAME), quoted or not; data: and #fragment URLs are
 *         kept; any other url() is an error
 *   JS    string literals "/assets/NAME" ('…', `…`); an unknown NAME is an
 *         error
 *   JSON  string values "NAME" or "/assets/NAME" that name an asset (the
 *         web manifest's icons are relative to it: "images/favicon.ico")
 * and comments naming source maps (not embedded) are dropped from CSS and JS.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#define ASSETS_PREFIX	  "/assets/"
#define ASSETS_PREFIX_LEN (sizeof ASSETS_PREFIX - 1)

enum kind { K_BINARY, K_CSS, K_JS, K_JSON };

static const struct type_row {
	const char *suffix;
	const char *type;
	enum kind kind;
} types[] = {
    {"manifest.json", "application/manifest+json", K_JSON},
    {".json", "application/json", K_JSON},
    {".css", "text/css; charset=utf-8", K_CSS},
    {".js", "text/javascript; charset=utf-8", K_JS},
    {".mjs", "text/javascript; charset=utf-8", K_JS},
    {".woff2", "font/woff2", K_BINARY},
    {".woff", "font/woff", K_BINARY},
    {".svg", "image/svg+xml", K_BINARY},
    {".png", "image/png", K_BINARY},
    {".ico", "image/x-icon", K_BINARY},
    {".txt", "text/plain; charset=utf-8", K_BINARY},
};

struct buf {
	unsigned char *p;
	size_t len, cap;
};

struct file {
	char *name; /* logical */
	char *path; /* where it was read from */
	const struct type_row *type;
	struct buf data;
	int done; /* fingerprinted: url and etag are set */
	char url[1024];
	char etag[24];
};

struct tmpl {
	char *name;
	char *path;
	struct buf data;
};

static struct file *files;
static size_t nfiles, capfiles;
static struct tmpl *tmpls;
static size_t ntmpls, captmpls;

_Noreturn static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("embed_assets: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

static char *join(const char *a, const char *sep, const char *b)
{
	size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
	char *s = xrealloc(NULL, n);
	snprintf(s, n, "%s%s%s", a, sep, b);
	return s;
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static struct buf slurp(const char *path)
{
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		die("cannot read \"%s\": %s", path, strerror(errno));
	buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f))
		die("cannot read \"%s\": %s", path, strerror(errno));
	fclose(f);
	return b;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void add_file(const char *name, const char *path)
{
	const struct type_row *t = NULL;

	for (size_t i = 0; i < nfiles; i++) {
		if (strcmp(files[i].name, name) == 0) {
			fprintf(stderr, "embed_assets: \"%s\": kept \"%s\", skipped \"%s\"\n", name,
				files[i].path, path);
			return;
		}
	}
	for (size_t i = 0; i < sizeof types / sizeof types[0] && !t; i++)
		if (ends_with(name, types[i].suffix))
			t = &types[i];
	if (!t)
		die("no content type for \"%s\" (%s): add its extension to types[]", name, path);
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 64;
		files = xrealloc(files, capfiles * sizeof *files);
	}
	files[nfiles] = (struct file){.name = xstrdup(name), .path = xstrdup(path), .type = t};
	files[nfiles].data = slurp(path);
	nfiles++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir, sorted, so the output does not depend on the file system. */
static char **list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	if (!d)
		die("cannot open \"%s\": %s", dir, strerror(errno));
	*n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, cmp_str);
	return names;
}

static void add_dir(const char *prefix, const char *dir)
{
	size_t n;
	char **names = list_dir(dir, &n);

	for (size_t i = 0; i < n; i++) {
		char *path = join(dir, "/", names[i]);
		char *name = *prefix ? join(prefix, "/", names[i]) : xstrdup(names[i]);
		struct stat st;

		if (stat(path, &st) != 0)
			die("cannot stat \"%s\": %s", path, strerror(errno));
		if (S_ISDIR(st.st_mode))
			add_dir(name, path);
		else if (!ends_with(names[i], ".map"))
			add_file(name, path);
		free(path);
		free(name);
		free(names[i]);
	}
	free(names);
}

static void add_templates(const char *dir)
{
	size_t n;
	char **names = list_dir(dir, &n);

	for (size_t i = 0; i < n; i++) {
		if (ends_with(names[i], ".html")) {
			if (ntmpls == captmpls) {
				captmpls = captmpls ? captmpls * 2 : 16;
				tmpls = xrealloc(tmpls, captmpls * sizeof *tmpls);
			}
			struct tmpl *t = &tmpls[ntmpls++];
			t->path = join(dir, "/", names[i]);
			t->name = xstrdup(names[i]);
			t->name[strlen(t->name) - strlen(".html")] = 0;
			t->data = slurp(t->path);
		}
		free(names[i]);
	}
	free(names);
}

static struct file *find(const char *name, size_t len)
{
	for (size_t i = 0; i < nfiles; i++)
		if (strlen(files[i].name) == len && memcmp(files[i].name, name, len) == 0)
			return &files[i];
	return NULL;
}

static void fingerprint(struct file *f)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	const char *base = strrchr(f->name, '/'), *dot;
	int n;

	crypto_hash_sha256(h, f->data.p, f->data.len);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	base = base ? base + 1 : f->name;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = base + strlen(base);
	n = snprintf(f->url, sizeof f->url, "/assets/%.*s-%.10s%s", (int)(dot - f->name), f->name,
		     hex, dot);
	if (n < 0 || (size_t)n >= sizeof f->url)
		die("name too long: \"%s\"", f->name);
	snprintf(f->etag, sizeof f->etag, "\"%.16s\"", hex);
	f->done = 1;
}

/* A reference from f to the asset named [name, name+len): 1 with *to set
 * when it is fingerprinted, 0 when it is not yet, and the build fails when
 * it names no asset or f itself. */
static int resolve(struct file *f, const char *what, const char *name, size_t len, struct file **to)
{
	*to = find(name, len);
	if (!*to)
		die("unresolvable %s \"" ASSETS_PREFIX
		    "%.*s\" in \"%s\" (%s): no asset of that name",
		    what, (int)len, name, f->name, f->path);
	if (*to == f)
		die("\"%s\" refers to itself: it cannot be fingerprinted", f->name);
	return (*to)->done;
}

/* CSS: url(X) with X quoted or bare. */
static int rewrite_css(struct file *f, struct buf *out)
{
	const char *s = (const char *)f->data.p, *end = s + f->data.len, *p = s;

	while (p < end) {
		const char *u = strstr(p, "url(");
		const char *t, *te, *close;
		char q = 0;
		struct file *to;

		if (!u || u >= end) {
			buf_add(out, p, (size_t)(end - p));
			break;
		}
		t = u + 4;
		while (t < end && (*t == ' ' || *t == '\t' || *t == '\n'))
			t++;
		if (t < end && (*t == '"' || *t == '\''))
			q = *t++;
		te = t;
		while (te < end && (q ? *te != q : *te != ')' && *te != ' '))
			te++;
		close = q && te < end ? te + 1 : te;
		while (close < end && (*close == ' ' || *close == '\t' || *close == '\n'))
			close++;
		if (close >= end || *close != ')')
			die("unterminated url() in \"%s\" (%s)", f->name, f->path);
		if (((size_t)(te - t) >= 5 && strncmp(t, "data:", 5) == 0) ||
		    (te > t && *t == '#')) {
			buf_add(out, p, (size_t)(close + 1 - p));
		} else if ((size_t)(te - t) > ASSETS_PREFIX_LEN &&
			   strncmp(t, ASSETS_PREFIX, ASSETS_PREFIX_LEN) == 0) {
			if (!resolve(f, "url()", t + ASSETS_PREFIX_LEN,
				     (size_t)(te - t) - ASSETS_PREFIX_LEN, &to))
				return 0;
			buf_add(out, p, (size_t)(u - p));
			buf_adds(out, "url(");
			buf_adds(out, to->url);
			buf_adds(out, ")");
		} else {
			die("unresolvable url() \"%.*s\" in \"%s\" (%s): only url(/assets/NAME), "
			    "data: and #fragment are allowed",
			    (int)(te - t), t, f->name, f->path);
		}
		p = close + 1;
	}
	return 1;
}

/* JS: string literals that start with /assets/. */
static int rewrite_js(struct file *f, struct buf *out)
{
	const char *s = (const char *)f->data.p, *end = s + f->data.len, *p = s, *t;

	for (t = s; t + 1 + ASSETS_PREFIX_LEN < end; t++) {
		const char q = *t, *n, *ne;
		struct file *to;

		if ((q != '"' && q != '\'' && q != '`') ||
		    strncmp(t + 1, ASSETS_PREFIX, ASSETS_PREFIX_LEN) != 0)
			continue;
		n = t + 1 + ASSETS_PREFIX_LEN;
		for (ne = n; ne < end && *ne != q && *ne != '\n' && *ne != '\\'; ne++)
			;
		if (ne >= end || *ne != q)
			continue;
		if (!resolve(f, "string", n, (size_t)(ne - n), &to))
			return 0;
		buf_add(out, p, (size_t)(t + 1 - p));
		buf_adds(out, to->url);
		p = ne;
		t = ne;
	}
	buf_add(out, p, (size_t)(end - p));
	return 1;
}

/* JSON: string values naming an asset, bare or under /assets/. */
static int rewrite_json(struct file *f, struct buf *out)
{
	const char *s = (const char *)f->data.p, *end = s + f->data.len, *p = s, *t = s;

	while (t < end) {
		const char *n, *ne;
		struct file *to;
		size_t len;

		if (*t != '"') {
			t++;
			continue;
		}
		n = t + 1;
		for (ne = n; ne < end && *ne != '"'; ne++)
			if (*ne == '\\')
				ne++;
		if (ne >= end)
			break;
		len = (size_t)(ne - n);
		if (len > ASSETS_PREFIX_LEN && strncmp(n, ASSETS_PREFIX, ASSETS_PREFIX_LEN) == 0) {
			n += ASSETS_PREFIX_LEN;
			len -= ASSETS_PREFIX_LEN;
		}
		to = find(n, len);
		if (to && to != f) {
			if (!to->done)
				return 0;
			buf_add(out, p, (size_t)(t + 1 - p));
			buf_adds(out, to->url);
			p = ne;
		}
		t = ne + 1;
	}
	buf_add(out, p, (size_t)(end - p));
	return 1;
}

/* Source maps are not embedded, so drop the comments that point at them
 * ("# sourceMappingURL=…" in a CSS block comment or a JS line comment):
 * a browser's developer tools would otherwise fetch them and get 404. */
static void strip_source_map(struct buf *b)
{
	char *s = (char *)b->p, *m, *from, *to;

	while ((m = strstr(s, "# sourceMappingURL="))) {
		if (m - s >= 2 && m[-2] == '/' && m[-1] == '*') {
			from = m - 2;
			to = strstr(m, "*/");
			to = to ? to + 2 : (char *)b->p + b->len;
		} else if (m - s >= 2 && m[-2] == '/' && m[-1] == '/') {
			from = m - 2;
			to = strchr(m, '\n');
			to = to ? to : (char *)b->p + b->len;
		} else {
			s = m + 1;
			continue;
		}
		memmove(from, to, (size_t)((char *)b->p + b->len - to) + 1);
		b->len -= (size_t)(to - from);
		s = from;
	}
}

/* Fingerprints f once every asset it refers to is: 1 when done, 0 when it
 * must wait for another. */
static int process(struct file *f)
{
	struct buf out = {0};
	int ok;

	buf_add(&out, "", 0);
	switch (f->type->kind) {
	case K_CSS:
		ok = rewrite_css(f, &out);
		break;
	case K_JS:
		ok = rewrite_js(f, &out);
		break;
	case K_JSON:
		ok = rewrite_json(f, &out);
		break;
	default:
		fingerprint(f);
		free(out.p);
		return 1;
	}
	if (!ok) {
		free(out.p);
		return 0;
	}
	if (f->type->kind != K_JSON)
		strip_source_map(&out);
	free(f->data.p);
	f->data = out;
	fingerprint(f);
	return 1;
}

static FILE *out;

static void emit_cstr(const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\%03o", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Bytes as an array, not a string literal: C bounds those at 4095. */
static void emit_bytes(const char *prefix, size_t i, const struct buf *b)
{
	char line[16 * 4 + 8];

	fprintf(out, "static const unsigned char %s%zu[%zu] = {\n", prefix, i, b->len + 1);
	for (size_t j = 0; j <= b->len; j += 16) {
		size_t k, n = 0;
		for (k = j; k < j + 16 && k <= b->len; k++)
			n += (size_t)snprintf(line + n, sizeof line - n, "%u,",
					      k < b->len ? b->p[k] : 0u);
		line[n++] = '\n';
		fwrite(line, 1, n, out);
	}
	fputs("};\n", out);
}

static int cmp_url(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->url, ((const struct file *)b)->url);
}

static int cmp_name_idx(const void *a, const void *b)
{
	return strcmp(files[*(const size_t *)a].name, files[*(const size_t *)b].name);
}

static int cmp_tmpl(const void *a, const void *b)
{
	return strcmp(((const struct tmpl *)a)->name, ((const struct tmpl *)b)->name);
}

static void emit(const char *path)
{
	char *tmp = join(path, "", ".tmp");
	size_t *order = xrealloc(NULL, nfiles * sizeof *order);

	qsort(files, nfiles, sizeof *files, cmp_url);
	for (size_t i = 0; i < nfiles; i++)
		order[i] = i;
	qsort(order, nfiles, sizeof *order, cmp_name_idx);
	if (ntmpls)
		qsort(tmpls, ntmpls, sizeof *tmpls, cmp_tmpl);

	out = fopen(tmp, "w");
	if (!out)
		die("cannot write \"%s\": %s", tmp, strerror(errno));
	fputs("/* Generated by cmake/embed_assets.c: do not edit. */\n"
	      "#include \"http/assets_data.h\"\n\n",
	      out);
	for (size_t i = 0; i < nfiles; i++)
		emit_bytes("da", i, &files[i].data);
	for (size_t i = 0; i < ntmpls; i++)
		emit_bytes("dt", i, &tmpls[i].data);

	fputs("\nconst struct asset assets_table[] = {\n", out);
	for (size_t i = 0; i < nfiles; i++) {
		fputs("\t{", out);
		emit_cstr(files[i].name);
		fputs(", ", out);
		emit_cstr(files[i].url);
		fputs(", ", out);
		emit_cstr(files[i].type->type);
		fprintf(out, ", da%zu, %zu, ", i, files[i].data.len);
		emit_cstr(files[i].etag);
		fputs("},\n", out);
	}
	fprintf(out, "};\nconst size_t assets_table_len = %zu;\n\n", nfiles);
	fputs("const size_t assets_name_order[] = {", out);
	for (size_t i = 0; i < nfiles; i++)
		fprintf(out, "%s%zu", i ? ", " : "", order[i]);
	fputs("};\n\nconst struct web_template_src web_templates_table[] = {\n", out);
	for (size_t i = 0; i < ntmpls; i++) {
		fputs("\t{", out);
		emit_cstr(tmpls[i].name);
		fprintf(out, ", (const char *)dt%zu, %zu},\n", i, tmpls[i].data.len);
	}
	if (!ntmpls)
		fputs("\t{0, 0, 0},\n", out);
	fprintf(out, "};\nconst size_t web_templates_len = %zu;\n", ntmpls);
	if (fclose(out) != 0 || rename(tmp, path) != 0)
		die("cannot write \"%s\": %s", path, strerror(errno));
	free(order);
	free(tmp);
}

int main(int argc, char **argv)
{
	size_t left;

	if (argc < 2 || sodium_init() < 0)
		die("usage: embed_assets OUT.c [-f NAME=FILE | -d PREFIX=DIR | -t DIR]...");
	for (int i = 2; i < argc; i++) {
		const char *opt = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		char *eq, *k;

		if (!arg)
			die("\"%s\" needs an argument", opt);
		i++;
		if (strcmp(opt, "-t") == 0) {
			add_templates(arg);
			continue;
		}
		eq = strchr(arg, '=');
		if (!eq || (strcmp(opt, "-f") != 0 && strcmp(opt, "-d") != 0))
			die("bad argument \"%s %s\"", opt, arg);
		k = xstrdup(arg);
		k[eq - arg] = 0;
		if (opt[1] == 'f')
			add_file(k, eq + 1);
		else
			add_dir(k, eq + 1);
		free(k);
	}
	if (!nfiles)
		die("no assets");

	/* Fingerprint in dependency order: a file waits until every file it
	 * refers to has its URL; a round without progress is a cycle. */
	for (left = nfiles; left;) {
		size_t before = left;
		for (size_t i = 0; i < nfiles; i++)
			if (!files[i].done && process(&files[i]))
				left--;
		if (left == before) {
			for (size_t i = 0; i < nfiles; i++)
				if (!files[i].done)
					fprintf(stderr, "embed_assets: \"%s\" waits on another\n",
						files[i].name);
			die("a cycle of references among the assets above");
		}
	}
	emit(argv[1]);
	return 0;
}
