/* err: errors as values. Library code fills a caller's struct err with a
 * kind, the offending field and a message, and returns -1; only main()
 * decides what to print and which exit status or HTTP status follows. */
#ifndef BR_ERR_H
#define BR_ERR_H

enum err_kind {
	ERR_NONE = 0,
	ERR_INVALID,   /* bad input: CLI exit 2, HTTP 400/422 */
	ERR_NOT_FOUND, /* a named thing does not exist: exit 2, HTTP 404 */
	ERR_CONFLICT,  /* not allowed in the current state: exit 2, HTTP 409 */
	ERR_FORBIDDEN, /* not authorised: exit 2, HTTP 403 */
	ERR_RUNTIME,   /* storage or system failure: exit 1, HTTP 500 */
};

struct err {
	enum err_kind kind;
	char field[128]; /* JSON-path-like name of the offending field, or "" */
	char msg[512];   /* lowercase, no full stop, subject in quotes */
};

void err_clear(struct err *e);
/* Fills e (which may be NULL) and returns -1, so callers can write
 * `return err_set(e, ERR_INVALID, "intent", "invalid value \"%s\"", s);` */
int err_set(struct err *e, enum err_kind kind, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *err_kind_name(enum err_kind kind);

#endif
