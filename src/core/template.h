/* template: the HTML template engine of the web UI (issue 4 item 1). A
 * small mustache-like language, compiled once into a node array and
 * rendered many times against a jansson context into a struct buf. Pure:
 * templates come in as strings, no I/O, no globals.
 *
 * The language
 *   {{name}} {{a.b.c}}   the value, HTML-escaped, always: & < > " ' ` =
 *                        become entities; bytes that are not UTF-8
 *                        become U+FFFD. Strings print as text, numbers as
 *                        digits, true/false as words; null, missing,
 *                        objects and arrays print nothing.
 *   {{.}}                the current context (an array item in a section)
 *   {{#x}}..{{/x}}       a section: once per item of a non-empty array,
 *                        or once for another truthy value, which becomes
 *                        the current context. Falsy: missing, null,
 *                        false, 0, "", [].
 *   {{^x}}..{{/x}}       inverted: once when x is falsy
 *   {{> name}}           a partial, looked up by name in the render's
 *                        template_env; it sees the current context
 *   {{& name}}           a trusted fragment (below), raw, from the env only
 *   {{! text }}          a comment, renders nothing
 * Whitespace inside the braces is ignored. A name on the first segment is
 * looked up through the enclosing contexts, innermost first; later
 * segments only inside what the first found. There is no triple mustache
 * and no raw output of data: {{{x}}} and {{=..=}} are compile errors.
 *
 * Where tags may stand: the compiler follows the HTML of the template
 * text (text, tag, quoted or unquoted attribute value, comment, script)
 * and refuses, with line:column, a tag that escaping cannot make safe:
 *   - {{x}} inside a tag but outside a quoted attribute value, in an
 *     unquoted value, in an HTML comment or in <script>/<style>;
 *   - {{x}} in the value of on* event handlers, style, srcset, srcdoc
 *     and the other rows of attr_rules in template.c;
 *   - {{x}} in a URL attribute (href, src, action, formaction, ...)
 *     unless the value starts with a literal same-origin path, as in
 *     href="/incidents/{{ref}}": the literal "/i" fixes scheme and host,
 *     so data cannot make a javascript: or data: URL or leave the site.
 *     Whole URLs from data are never printed into attributes; C code that
 *     needs one builds the element itself as a trusted fragment;
 *   - {{&name}} and {{>name}} anywhere but in text (never in a tag);
 *   - a section whose {{/x}} stands in another HTML context than its
 *     {{#x}}, and a template that ends inside a tag or comment, so what
 *     the compiler checked holds whether sections render 0, 1 or n times.
 * Sections nest at most TEMPLATE_MAX_NESTING deep.
 *
 * Trusted fragments. Raw HTML reaches the output only from template text,
 * from partials (compiled templates, which are our code) and from the
 * trusted table of struct template_env: rows of name and HTML that C code
 * fills, such as an SVG chart our own code draws. {{&name}} looks up
 * that table alone and never the JSON context, so no value of any JSON
 * document (a forged {"__trusted_html": ..} or a key named like a
 * fragment) can reach it: data only ever reaches {{x}}, which escapes.
 * Grep "template_trusted" to audit every raw fragment. C code that puts
 * data into a fragment escapes it with template_escape.
 *
 * Errors are values: compile errors fill e (ERR_INVALID, field
 * "template") with the line and column of the offending tag, as
 * `unclosed section "list" at 12:5`. Rendering never fails on data;
 * it fails only on the code's own mistakes: an unknown partial or
 * trusted fragment (ERR_NOT_FOUND) and partials nested past the depth
 * limit (ERR_INVALID). */
#ifndef BR_TEMPLATE_H
#define BR_TEMPLATE_H
#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define TEMPLATE_MAX_NESTING 32 /* sections inside sections, per template */
#define TEMPLATE_MAX_DEPTH   16 /* partials inside partials, by default */

struct template; /* opaque: the compiled node array */

/* A partial: {{> name}} renders tpl (borrowed; must outlive the render). */
struct template_partial {
	const char *name;
	const struct template *tpl;
};

/* A trusted fragment: {{&name}} prints html as it is (borrowed). Only C
 * code fills these rows; see "Trusted fragments" above. */
struct template_trusted {
	const char *name;
	const char *html;
};

/* What a render may use besides the context; borrowed for the call. Any
 * table may be NULL with n 0. max_depth 0 means TEMPLATE_MAX_DEPTH. */
struct template_env {
	const struct template_partial *partials;
	size_t n_partials;
	const struct template_trusted *trusted;
	size_t n_trusted;
	int max_depth;
};

/* Compiles src (len bytes; need not be NUL-terminated) into *out, a new
 * template the caller frees with template_free. name (copied) names the
 * template in render errors. src is copied: the caller keeps it. Returns
 * 0, or -1 with *out NULL and e filled. */
int template_compile(const char *name, const char *src, size_t len, struct template **out,
		     struct err *e);
/* Frees t and everything it owns; NULL is a no-op. */
void template_free(struct template *t);
/* The name given to template_compile (borrowed). */
const char *template_name(const struct template *t);

/* Appends t rendered against ctx (borrowed, may be NULL) to out. env may
 * be NULL (no partials, no trusted fragments). Returns 0, or -1 with e
 * filled and out as it was before the call. */
int template_render(const struct template *t, const json_t *ctx, const struct template_env *env,
		    struct buf *out, struct err *e);

/* Appends len bytes of s to out HTML-escaped, as {{x}} prints a string:
 * for C code that builds a trusted fragment around data. */
void template_escape(struct buf *out, const char *s, size_t len);

#endif
