/* account: sign-in accounts, API tokens and web sessions (SPEC 1, 6.2, 7).
 * An account belongs to one person and carries a set of roles (every
 * account is a reporter). Secrets are never held here in the clear: an
 * account keeps its password's Argon2id string, a token and a session
 * their SHA-256 (hex) only. Pure: hashing a secret is arithmetic; making
 * one (randomness) and the Argon2id work belong to the service layer.
 *
 * Ownership: every member is a fixed buffer, so the types copy by value;
 * _release exists for the house lifecycle and clears nothing that must be
 * freed. _to_json never includes a hash, a password or a CSRF token. */
#ifndef BR_ACCOUNT_H
#define BR_ACCOUNT_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

#define ACCOUNT_NAME_MAX     65	 /* 1..64 of [a-z0-9._-], incl. NUL */
#define ACCOUNT_PW_HASH_MAX  128 /* crypto_pwhash_STRBYTES (checked in account.c) */
#define ACCOUNT_HASH_HEX     65	 /* hex SHA-256 of a token or session id, incl. NUL */
#define ACCOUNT_LABEL_MAX    101 /* a token's label: at most 100 bytes, incl. NUL */
#define ACCOUNT_PASSWORD_MIN 12	 /* bytes */
#define ACCOUNT_PASSWORD_MAX 1024
/* A token is "br_" + 43 base64url characters (32 random bytes); a session
 * id is the 43 characters alone; a CSRF token is 64 hex digits. */
#define ACCOUNT_SECRET_BYTES 32
#define ACCOUNT_TOKEN_PREFIX "br_"
#define ACCOUNT_SID_LEN	     43
#define ACCOUNT_TOKEN_LEN    (3 + ACCOUNT_SID_LEN)
#define ACCOUNT_TOKEN_BUF    (ACCOUNT_TOKEN_LEN + 1)
#define ACCOUNT_SID_BUF	     (ACCOUNT_SID_LEN + 1)
#define ACCOUNT_CSRF_BUF     65

struct account {
	int64_t id;
	char name[ACCOUNT_NAME_MAX];
	char staff_id[STAFF_MAX];	   /* the account's person */
	unsigned roles;			   /* ROLE_BIT set; always has ROLE_REPORTER */
	char pw_hash[ACCOUNT_PW_HASH_MAX]; /* Argon2id string ("$argon2id$...") */
	ts_t created_at;
	bool disabled;
	int failed_logins; /* consecutive, reset by a sign-in */
	ts_t locked_until; /* TS_NONE when not locked */
};

struct api_token {
	int64_t id;
	char account[ACCOUNT_NAME_MAX];
	char label[ACCOUNT_LABEL_MAX]; /* "" when none */
	char hash[ACCOUNT_HASH_HEX];   /* hex SHA-256 of the token */
	ts_t created_at;
	ts_t last_used_at; /* TS_NONE: never used */
	ts_t revoked_at;   /* TS_NONE: live */
};

struct session {
	char hash[ACCOUNT_HASH_HEX]; /* hex SHA-256 of the session id */
	char account[ACCOUNT_NAME_MAX];
	char csrf[ACCOUNT_CSRF_BUF]; /* the session's CSRF token */
	ts_t created_at;
	ts_t last_seen_at;
	ts_t expires_at; /* absolute */
};

void account_init(struct account *a);
void account_release(struct account *a);
void account_list_free(struct account *list, size_t n);
/* Checks name, staff_id and roles (not the password hash). */
int account_validate(const struct account *a, struct err *e);
/* {"name", "staff_id", "roles": [...], "disabled", "created_at",
 * "failed_logins", "locked_until"}. */
json_t *account_to_json(const struct account *a);

void api_token_init(struct api_token *t);
void api_token_release(struct api_token *t);
void api_token_list_free(struct api_token *list, size_t n);
/* {"id", "account", "label", "created_at", "last_used_at", "revoked_at",
 * "revoked"}. */
json_t *api_token_to_json(const struct api_token *t);

void session_init(struct session *s);
void session_release(struct session *s);
/* {"account", "created_at", "last_seen_at", "expires_at"}. */

/* True when s is an account name: 1..64 of [a-z0-9._-], starting with a
 * letter or digit. */
bool account_name_valid(const char *s);
/* Length 12..1024 bytes; ERR_INVALID naming "password" otherwise. */
int account_password_check(const char *password, struct err *e);
/* A token label: at most 100 bytes, no control characters. */
int account_label_check(const char *label, struct err *e);

/* Roles as text, "reporter,manager" in enum order (how the store keeps
 * them), and back; parse fails (-1) on an unknown or empty word. */
void account_roles_format(unsigned roles, char *buf, size_t size);
int account_roles_parse(const char *text, unsigned *out);
json_t *account_roles_to_json(unsigned roles);

/* out = hex(SHA-256(secret)): what is stored for a token or session id. */
void account_secret_hash(const char *secret, char out[ACCOUNT_HASH_HEX]);
/* The shape of a token ("br_" + 43 base64url) or a session id (43
 * base64url), checked before any lookup. */
bool account_token_shape(const char *token);
bool account_sid_shape(const char *sid);
/* Constant-time comparison of a CSRF token from a form with the
 * session's (false when either is missing or the lengths differ). */
bool account_csrf_equal(const char *expected, const char *given);

#endif
