/* template: the compiler (template text → node array, with the HTML
 * context checks) and the renderer (see template.h). */
#include "core/template.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define FFFD "\xef\xbf\xbd" /* U+FFFD, for bytes that are not UTF-8 */

enum node_kind {
	N_TEXT,	    /* src[off, off+len) as it is */
	N_VAR,	    /* {{path}}, escaped */
	N_TRUSTED,  /* {{&name}}, from env->trusted */
	N_SECTION,  /* {{#path}}: body is nodes (this, end) */
	N_INVERTED, /* {{^path}} */
	N_PARTIAL,  /* {{>name}}, from env->partials */
};

struct node {
	enum node_kind kind;
	size_t off, len; /* N_TEXT: the span of src */
	char *name;	 /* owned; a path's segments are separated by NULs */
	size_t nseg;	 /* segments of a path; 0 for "." */
	size_t end;	 /* sections: the index just past the body */
	int line, col;	 /* of the tag, for render errors */
};

struct template
{
	char *name;
	char *src;
	size_t src_len;
	struct node *nodes;
	size_t n, cap;
};

/* ---- escaping ---- */

static const char *const escapes[128] = {
    [0] = FFFD,	      ['&'] = "&amp;",	['<'] = "&lt;",	 ['>'] = "&gt;",
    ['"'] = "&quot;", ['\''] = "&#39;", ['`'] = "&#96;", ['='] = "&#61;",
};

/* The length of the well-formed UTF-8 sequence at s, within n bytes
 * (RFC 3629: no overlong forms, surrogates or code points past
 * U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	unsigned long cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (need > n)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

void template_escape(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;

	buf_grow(out, len);
	while (p < end) {
		const char *rep;
		size_t step = 1;

		if (*p < 0x80) {
			rep = escapes[*p];
		} else {
			step = utf8_len(p, (size_t)(end - p));
			rep = step ? NULL : FFFD;
			if (!step)
				step = 1;
		}
		if (rep) {
			buf_add(out, run, (size_t)(p - run));
			buf_puts(out, rep);
			run = p + step;
		}
		p += step;
	}
	buf_add(out, run, (size_t)(p - run));
}

/* ---- the HTML context of the template text ---- */

enum hstate {
	H_TEXT,
	H_TAG_OPEN, /* after "<" */
	H_END_OPEN, /* after "</" */
	H_TAG_NAME,
	H_IN_TAG, /* between attributes */
	H_ATTR_NAME,
	H_AFTER_ATTR, /* after a name, before a possible "=" */
	H_BEFORE_VALUE,
	H_VALUE,   /* quote says which; 0 for an unquoted value */
	H_COMMENT, /* <!-- ... --> */
	H_BOGUS,   /* <!doctype ...>, <?...>: up to ">" */
	H_RAW,	   /* inside <script>, <style>, <textarea>...: up to its end tag */
};

struct html {
	enum hstate st;
	char tag[16]; /* the tag being read, lowercase */
	size_t tag_len;
	bool end_tag;
	char raw[16];  /* the raw-text element we are inside */
	bool raw_code; /* ...and its content is code (script, style) */
	char attr[32]; /* the attribute being read, lowercase, cut at 31 */
	size_t attr_len;
	char quote;
	char head[2]; /* a value's first literal bytes, before any tag */
	size_t head_len;
	bool head_fixed; /* a tag has appeared in the value */
};

/* Elements whose content is not markup: the tokenizer skips to the end
 * tag. In code ones escaping does not protect, so no data at all. */
static const struct raw_element {
	const char *name;
	bool code;
} raw_elements[] = {
    {"script", true},  {"style", true},	   {"textarea", false}, {"title", false},    {"xmp", false},
    {"iframe", false}, {"noembed", false}, {"noframes", false}, {"noscript", false},
};

/* Attributes whose values escaping cannot make safe. */
static const struct attr_rule {
	const char *name;
	bool prefix; /* every attribute whose name starts so */
	bool url;    /* a tag may follow a literal same-origin path */
	const char *why;
} attr_rules[] = {
    {"on", true, false, "an event handler runs its value as script"},
    {"style", false, false, "CSS can load URLs and change the page"},
    {"srcdoc", false, false, "its value is a whole HTML document"},
    {"srcset", false, false, "its value is a list of URLs"},
    {"href", false, true, "a URL can run script (javascript:) or leave the site"},
    {"src", false, true, "a URL can run script (javascript:) or leave the site"},
    {"action", false, true, "a URL can run script (javascript:) or leave the site"},
    {"formaction", false, true, "a URL can run script (javascript:) or leave the site"},
    {"xlink:href", false, true, "a URL can run script (javascript:) or leave the site"},
    {"poster", false, true, "a URL can leave the site"},
    {"background", false, true, "a URL can leave the site"},
    {"cite", false, true, "a URL can leave the site"},
    {"ping", false, true, "a URL can leave the site"},
    {"data", false, true, "<object data> loads a URL"},
    {"codebase", false, true, "a URL can leave the site"},
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void add_lower(char *s, size_t cap, size_t *len, char c)
{
	if (*len + 1 < cap)
		s[(*len)++] = lower(c);
	s[*len] = '\0';
}

static void close_tag(struct html *h)
{
	h->st = H_TEXT;
	if (h->end_tag)
		return;
	for (size_t i = 0; i < sizeof raw_elements / sizeof *raw_elements; i++)
		if (strcmp(h->tag, raw_elements[i].name) == 0) {
			h->st = H_RAW;
			snprintf(h->raw, sizeof h->raw, "%s", h->tag);
			h->raw_code = raw_elements[i].code;
		}
}

static void start_value(struct html *h, char quote)
{
	h->st = H_VALUE;
	h->quote = quote;
	h->head_len = 0;
	h->head_fixed = false;
}

static void value_byte(struct html *h, char c)
{
	if (!h->head_fixed && h->head_len < sizeof h->head)
		h->head[h->head_len++] = c;
}

/* Does p[0..n) start with the end tag of the raw element ("</script")? */
static bool raw_end(const struct html *h, const char *p, size_t n)
{
	size_t k = strlen(h->raw);

	if (n < 2 + k || p[0] != '<' || p[1] != '/')
		return false;
	for (size_t i = 0; i < k; i++)
		if (lower(p[2 + i]) != h->raw[i])
			return false;
	return n == 2 + k || is_space(p[2 + k]) || p[2 + k] == '/' || p[2 + k] == '>';
}

/* Moves the tokenizer over n bytes of literal template text. */
static void html_feed(struct html *h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		switch (h->st) {
		case H_TEXT:
			if (c == '<')
				h->st = H_TAG_OPEN;
			break;
		case H_TAG_OPEN:
			if (is_alpha(c)) {
				h->st = H_TAG_NAME;
				h->end_tag = false;
				h->tag_len = 0;
				add_lower(h->tag, sizeof h->tag, &h->tag_len, c);
			} else if (c == '/') {
				h->st = H_END_OPEN;
			} else if (c == '!' && n - i >= 3 && p[i + 1] == '-' && p[i + 2] == '-') {
				h->st = H_COMMENT;
				i += 2;
			} else if (c == '!' || c == '?') {
				h->st = H_BOGUS;
			} else if (c != '<') {
				h->st = H_TEXT;
			}
			break;
		case H_END_OPEN:
			if (is_alpha(c)) {
				h->st = H_TAG_NAME;
				h->end_tag = true;
				h->tag_len = 0;
				add_lower(h->tag, sizeof h->tag, &h->tag_len, c);
			} else {
				h->st = c == '>' ? H_TEXT : H_BOGUS;
			}
			break;
		case H_TAG_NAME:
			if (is_space(c) || c == '/')
				h->st = H_IN_TAG;
			else if (c == '>')
				close_tag(h);
			else
				add_lower(h->tag, sizeof h->tag, &h->tag_len, c);
			break;
		case H_IN_TAG:
		case H_AFTER_ATTR:
			if (c == '>') {
				close_tag(h);
			} else if (c == '=' && h->st == H_AFTER_ATTR) {
				h->st = H_BEFORE_VALUE;
			} else if (c == '/') {
				h->st = H_IN_TAG;
			} else if (!is_space(c)) {
				h->st = H_ATTR_NAME;
				h->attr_len = 0;
				add_lower(h->attr, sizeof h->attr, &h->attr_len, c);
			}
			break;
		case H_ATTR_NAME:
			if (is_space(c))
				h->st = H_AFTER_ATTR;
			else if (c == '/')
				h->st = H_IN_TAG;
			else if (c == '=')
				h->st = H_BEFORE_VALUE;
			else if (c == '>')
				close_tag(h);
			else
				add_lower(h->attr, sizeof h->attr, &h->attr_len, c);
			break;
		case H_BEFORE_VALUE:
			if (c == '"' || c == '\'') {
				start_value(h, c);
			} else if (c == '>') {
				close_tag(h);
			} else if (!is_space(c)) {
				start_value(h, 0);
				value_byte(h, c);
			}
			break;
		case H_VALUE:
			if (h->quote ? c == h->quote : is_space(c))
				h->st = H_IN_TAG;
			else if (!h->quote && c == '>')
				close_tag(h);
			else
				value_byte(h, c);
			break;
		case H_COMMENT:
			if (c == '-' && n - i >= 3 && p[i + 1] == '-' && p[i + 2] == '>') {
				h->st = H_TEXT;
				i += 2;
			}
			break;
		case H_BOGUS:
			if (c == '>')
				h->st = H_TEXT;
			break;
		case H_RAW:
			if (raw_end(h, p + i, n - i)) {
				h->st = H_IN_TAG;
				h->end_tag = true;
				i += 1 + strlen(h->raw);
			}
			break;
		}
	}
}

/* The part of the state a section must end in as it began: the coarse
 * context, and for attribute values which one. */
static int html_class(const struct html *h)
{
	switch (h->st) {
	case H_TEXT:
		return 0;
	case H_VALUE:
		return h->quote == '"' ? 1 : h->quote == '\'' ? 2 : 3;
	case H_COMMENT:
		return 4;
	case H_RAW:
		return 5;
	case H_BOGUS:
		return 6;
	default:
		return 7;
	}
}

static bool html_same(const struct html *a, const struct html *b)
{
	if (html_class(a) != html_class(b))
		return false;
	if (a->st == H_VALUE)
		return strcmp(a->attr, b->attr) == 0;
	if (a->st == H_RAW)
		return strcmp(a->raw, b->raw) == 0;
	return true;
}

static const struct attr_rule *attr_rule(const char *attr)
{
	for (size_t i = 0; i < sizeof attr_rules / sizeof *attr_rules; i++) {
		const struct attr_rule *r = &attr_rules[i];

		if (r->prefix ? strncmp(attr, r->name, strlen(r->name)) == 0
			      : strcmp(attr, r->name) == 0)
			return r;
	}
	return NULL;
}

/* A path that starts "/x", x not "/", "\" or space: the browser resolves
 * it on our own origin whatever follows. A value that starts "#" is a
 * fragment of this very page, whatever follows. */
static bool same_origin_head(const struct html *h)
{
	char c = h->head[1];

	if (h->head_len >= 1 && h->head[0] == '#')
		return true;
	return h->head_len == 2 && h->head[0] == '/' &&
	       ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		strchr("-._~?#", c) != NULL);
}

/* ---- the compiler ---- */

struct open_section {
	size_t node;
	struct html html;
};

struct compiler {
	struct template *t;
	struct html html;
	struct open_section open[TEMPLATE_MAX_NESTING];
	size_t n_open;
	struct err *e;
};

static struct node *add_node(struct template *t, enum node_kind kind, int line, int col)
{
	struct node *n;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->nodes = xrealloc(t->nodes, t->cap * sizeof *t->nodes);
	}
	n = &t->nodes[t->n++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->line = line;
	n->col = col;
	return n;
}

static bool name_byte(char c, bool path)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       (!path && (c == '.' || c == '/'));
}

/* A path: "." or segments of [A-Za-z0-9_-] joined by dots. Fills n->name
 * (segments NUL-separated) and n->nseg; false when malformed. */
static bool parse_path(struct node *n, const char *s, size_t len)
{
	if (len == 1 && s[0] == '.') {
		n->name = xstrdup(".");
		n->nseg = 0;
		return true;
	}
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_byte(s[i], true) && !(s[i] == '.' && s[i + 1] != '.'))
			return false;
	n->name = xmalloc(len + 1);
	n->nseg = 1;
	for (size_t i = 0; i < len; i++) {
		n->name[i] = s[i] == '.' ? '\0' : s[i];
		n->nseg += s[i] == '.';
	}
	n->name[len] = '\0';
	return true;
}

/* A path as written ("incident.ref"), cut to fit cap. Paths longer than
 * fit never match a close tag, which then names both. */
static void path_text(const struct node *nd, char *buf, size_t cap)
{
	size_t i = 0, seg = 0;

	for (; i + 1 < cap && (nd->name[i] || ++seg < nd->nseg); i++)
		buf[i] = nd->name[i] ? nd->name[i] : '.';
	buf[i] = '\0';
}

/* A partial's or fragment's name: [A-Za-z0-9_./-], as the caller's table
 * spells it. */
static bool parse_name(struct node *n, const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_byte(s[i], false))
			return false;
	n->name = xmalloc(len + 1);
	memcpy(n->name, s, len);
	n->name[len] = '\0';
	return true;
}

/* 0 when an output tag (kind) may stand in the current context, else -1
 * with e saying why; what is "{{x}}", "{{&x}}" or "{{>x}}". */
static int check_output(struct compiler *c, enum node_kind kind, const char *what, int line,
			int col)
{
	const struct html *h = &c->html;

	if (h->st == H_TEXT || (h->st == H_RAW && !h->raw_code && kind == N_VAR))
		return 0;
	if (h->st == H_RAW)
		return err_set(c->e, ERR_INVALID, "template", "%s inside <%s> at %d:%d", what,
			       h->raw, line, col);
	if (h->st == H_COMMENT)
		return err_set(c->e, ERR_INVALID, "template", "%s inside an HTML comment at %d:%d",
			       what, line, col);
	if (h->st != H_VALUE && h->st != H_BEFORE_VALUE)
		return err_set(c->e, ERR_INVALID, "template",
			       "%s inside an HTML tag, outside a quoted attribute value at %d:%d",
			       what, line, col);
	if (kind != N_VAR)
		return err_set(c->e, ERR_INVALID, "template",
			       "%s inside attribute \"%s\" at %d:%d: only text may stand there",
			       what, h->attr, line, col);
	if (h->st == H_BEFORE_VALUE || !h->quote)
		return err_set(c->e, ERR_INVALID, "template",
			       "%s in the unquoted value of attribute \"%s\" at %d:%d", what,
			       h->attr, line, col);
	const struct attr_rule *r = attr_rule(h->attr);
	if (!r || (r->url && same_origin_head(h)))
		return 0;
	if (r->url)
		return err_set(c->e, ERR_INVALID, "template",
			       "%s in attribute \"%s\" at %d:%d: %s; only after a literal path "
			       "such as \"/incidents/\"",
			       what, h->attr, line, col, r->why);
	return err_set(c->e, ERR_INVALID, "template", "%s in attribute \"%s\" at %d:%d: %s", what,
		       h->attr, line, col, r->why);
}

/* Compiles one tag, body[0..len) between the braces, trimmed. */
static int compile_tag(struct compiler *c, const char *body, size_t len, int line, int col)
{
	struct template *t = c->t;
	char sigil = len ? body[0] : '\0';
	const char *s = body;
	size_t n = len;
	struct node *nd;
	enum node_kind kind;
	const char *what;

	if (sigil == '!')
		return 0;
	if (sigil == '{' || sigil == '=')
		return err_set(c->e, ERR_INVALID, "template",
			       "\"{{%c\" at %d:%d is not supported: data is always escaped", sigil,
			       line, col);
	if (sigil && strchr("#^/>&", sigil)) {
		s++, n--;
		while (n && is_space(*s))
			s++, n--;
	}
	if (sigil == '/') {
		const struct open_section *o;
		char open_name[128];

		if (c->n_open == 0)
			return err_set(c->e, ERR_INVALID, "template",
				       "close of \"%.*s\" at %d:%d without an open section", (int)n,
				       s, line, col);
		o = &c->open[c->n_open - 1];
		nd = &t->nodes[o->node];
		path_text(nd, open_name, sizeof open_name);
		if (strlen(open_name) != n || memcmp(open_name, s, n) != 0)
			return err_set(
			    c->e, ERR_INVALID, "template",
			    "mismatched close \"%.*s\" at %d:%d: section \"%s\" opened at "
			    "%d:%d",
			    (int)n, s, line, col, open_name, nd->line, nd->col);
		if (!html_same(&o->html, &c->html))
			return err_set(
			    c->e, ERR_INVALID, "template",
			    "section \"%.*s\" closed at %d:%d in another HTML context than "
			    "it opened in at %d:%d",
			    (int)n, s, line, col, nd->line, nd->col);
		nd->end = t->n;
		c->n_open--;
		c->html.head_fixed = true;
		return 0;
	}
	switch (sigil) {
	case '#':
		kind = N_SECTION;
		break;
	case '^':
		kind = N_INVERTED;
		break;
	case '>':
		kind = N_PARTIAL;
		break;
	case '&':
		kind = N_TRUSTED;
		break;
	default:
		kind = N_VAR;
		break;
	}
	nd = add_node(t, kind, line, col);
	if (!(kind == N_PARTIAL || kind == N_TRUSTED ? parse_name(nd, s, n) : parse_path(nd, s, n)))
		return err_set(c->e, ERR_INVALID, "template", "invalid name \"%.*s\" at %d:%d",
			       (int)n, s, line, col);
	what = kind == N_VAR ? "{{x}}" : kind == N_TRUSTED ? "{{&x}}" : "{{>x}}";
	if (kind != N_SECTION && kind != N_INVERTED && check_output(c, kind, what, line, col) < 0)
		return -1;
	if (kind == N_SECTION || kind == N_INVERTED) {
		if (c->n_open == TEMPLATE_MAX_NESTING)
			return err_set(c->e, ERR_INVALID, "template",
				       "section at %d:%d nested deeper than %d", line, col,
				       TEMPLATE_MAX_NESTING);
		c->open[c->n_open].node = t->n - 1;
		c->open[c->n_open].html = c->html;
		c->n_open++;
	}
	c->html.head_fixed = true;
	return 0;
}

static void advance(const char *p, size_t n, int *line, int *col)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			(*line)++, *col = 1;
		else if (((unsigned char)p[i] & 0xc0) != 0x80) /* count characters */
			(*col)++;
	}
}

static const char *find2(const char *p, const char *end, char a)
{
	for (; p + 1 < end; p++)
		if (p[0] == a && p[1] == a)
			return p;
	return NULL;
}

int template_compile(const char *name, const char *src, size_t len, struct template **out,
		     struct err *e)
{
	struct compiler c;
	struct template *t = xcalloc(1, sizeof *t);
	const char *end, *p;
	int ret = -1, line = 1, col = 1;

	memset(&c, 0, sizeof c);
	c.t = t;
	c.e = e;
	c.html.st = H_TEXT;
	t->name = xstrdup(name ? name : "");
	t->src = xmalloc(len + 1);
	if (len)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	t->src_len = len;
	p = t->src;
	end = t->src + len;
	while (p < end) {
		const char *open = find2(p, end, '{'), *close, *b, *be;
		size_t text = (size_t)((open ? open : end) - p);
		int tl, tc;

		if (text) {
			struct node *nd = add_node(t, N_TEXT, line, col);
			nd->off = (size_t)(p - t->src);
			nd->len = text;
			html_feed(&c.html, p, text);
			advance(p, text, &line, &col);
		}
		if (!open)
			break;
		tl = line, tc = col;
		if (!(close = find2(open + 2, end, '}'))) {
			err_set(e, ERR_INVALID, "template", "unterminated tag at %d:%d", tl, tc);
			goto out;
		}
		/* "{{{x}}}" ends at its last brace, to be refused whole. */
		while (open[2] == '{' && close + 2 < end && close[2] == '}')
			close++;
		for (b = open + 2; b < close && is_space(*b); b++)
			;
		for (be = close; be > b && is_space(be[-1]); be--)
			;
		if (compile_tag(&c, b, (size_t)(be - b), tl, tc) < 0)
			goto out;
		advance(open, (size_t)(close + 2 - open), &line, &col);
		p = close + 2;
	}
	if (c.n_open) {
		const struct node *nd = &t->nodes[c.open[c.n_open - 1].node];
		char path[128];

		path_text(nd, path, sizeof path);
		err_set(e, ERR_INVALID, "template", "unclosed section \"%s\" at %d:%d", path,
			nd->line, nd->col);
		goto out;
	}
	if (c.html.st != H_TEXT) {
		if (c.html.st == H_RAW)
			err_set(e, ERR_INVALID, "template", "template ends at %d:%d inside <%s>",
				line, col, c.html.raw);
		else
			err_set(e, ERR_INVALID, "template",
				"template ends at %d:%d inside an HTML tag or comment", line, col);
		goto out;
	}
	*out = t;
	t = NULL;
	ret = 0;
out:
	if (ret < 0)
		*out = NULL;
	template_free(t);
	return ret;
}

void template_free(struct template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->nodes[i].name);
	free(t->nodes);
	free(t->src);
	free(t->name);
	free(t);
}

const char *template_name(const struct template *t)
{
	return t->name;
}

/* ---- the renderer ---- */

/* The context stack: innermost first, on the C stack. */
struct frame {
	const json_t *v;
	const struct frame *up;
};

struct render {
	const struct template_env *env;
	struct buf *out;
	struct err *e;
	int depth, max_depth;
};

static const json_t *lookup(const struct frame *f, const struct node *n)
{
	const char *seg = n->name;
	const json_t *v = NULL;

	if (n->nseg == 0)
		return f->v;
	for (; f && !v; f = f->up)
		if (json_is_object(f->v))
			v = json_object_get(f->v, seg);
	for (size_t i = 1; i < n->nseg && v; i++) {
		seg += strlen(seg) + 1;
		v = json_is_object(v) ? json_object_get(v, seg) : NULL;
	}
	return v;
}

static bool truthy(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) < 0 || json_real_value(v) > 0;
	case JSON_FALSE:
	case JSON_NULL:
		break;
	}
	return false;
}

static void print_value(struct buf *out, const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		template_escape(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		buf_printf(out, "%.15g", json_real_value(v));
		break;
	case JSON_TRUE:
		buf_puts(out, "true");
		break;
	case JSON_FALSE:
		buf_puts(out, "false");
		break;
	case JSON_OBJECT:
	case JSON_ARRAY:
	case JSON_NULL:
		break;
	}
}

static int render_nodes(struct render *r, const struct template *t, size_t from, size_t to,
			const struct frame *f)
{
	const struct template_env *env = r->env;

	for (size_t i = from; i < to;) {
		const struct node *n = &t->nodes[i];
		const json_t *v;
		size_t k;

		switch (n->kind) {
		case N_TEXT:
			buf_add(r->out, t->src + n->off, n->len);
			break;
		case N_VAR:
			print_value(r->out, lookup(f, n));
			break;
		case N_TRUSTED:
			for (k = 0; env && k < env->n_trusted; k++)
				if (strcmp(env->trusted[k].name, n->name) == 0)
					break;
			if (!env || k == env->n_trusted)
				return err_set(r->e, ERR_NOT_FOUND, "template",
					       "unknown trusted fragment \"%s\" at %d:%d in \"%s\"",
					       n->name, n->line, n->col, t->name);
			buf_puts(r->out, env->trusted[k].html ? env->trusted[k].html : "");
			break;
		case N_SECTION:
			v = lookup(f, n);
			if (json_is_array(v)) {
				for (k = 0; k < json_array_size(v); k++) {
					struct frame item = {json_array_get(v, k), f};
					if (render_nodes(r, t, i + 1, n->end, &item) < 0)
						return -1;
				}
			} else if (truthy(v)) {
				struct frame inner = {v, f};
				if (render_nodes(r, t, i + 1, n->end, &inner) < 0)
					return -1;
			}
			i = n->end;
			continue;
		case N_INVERTED:
			if (!truthy(lookup(f, n)) && render_nodes(r, t, i + 1, n->end, f) < 0)
				return -1;
			i = n->end;
			continue;
		case N_PARTIAL:
			for (k = 0; env && k < env->n_partials; k++)
				if (strcmp(env->partials[k].name, n->name) == 0)
					break;
			if (!env || k == env->n_partials || !env->partials[k].tpl)
				return err_set(r->e, ERR_NOT_FOUND, "template",
					       "unknown partial \"%s\" at %d:%d in \"%s\"", n->name,
					       n->line, n->col, t->name);
			if (r->depth >= r->max_depth)
				return err_set(
				    r->e, ERR_INVALID, "template",
				    "partial \"%s\" at %d:%d in \"%s\" nested deeper than %d",
				    n->name, n->line, n->col, t->name, r->max_depth);
			r->depth++;
			if (render_nodes(r, env->partials[k].tpl, 0, env->partials[k].tpl->n, f) <
			    0)
				return -1;
			r->depth--;
			break;
		}
		i++;
	}
	return 0;
}

int template_render(const struct template *t, const json_t *ctx, const struct template_env *env,
		    struct buf *out, struct err *e)
{
	struct render r = {env, out, e, 0, TEMPLATE_MAX_DEPTH};
	struct frame top = {ctx, NULL};
	size_t start = out->len;

	if (env && env->max_depth > 0)
		r.max_depth = env->max_depth;
	buf_grow(out, t->src_len);
	if (render_nodes(&r, t, 0, t->n, &top) < 0) {
		/* Leave out as it was: no half page. */
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		return -1;
	}
	return 0;
}
