/* accounts: sign-in accounts, API tokens and web sessions as services
 * (SPEC 1, 6.1 `user`, 6.2 Auth, 7), shared by the CLI and HTTP. Each call
 * that writes is one store transaction with its audit entry, or changes
 * nothing. No password, token or session id is ever stored, audited or
 * returned in JSON: passwords are kept as Argon2id strings, tokens and
 * session ids as their SHA-256.
 *
 * Who may: managing accounts (add, roles, disable, list) needs POW_ACCOUNTS;
 * an account's own tokens may also be made, listed and revoked by that
 * account ("user:<name>"). Sign-in, session and token checks take no actor:
 * they make one.
 *
 * Sign-in is throttled per account, not per address: 5 consecutive failures
 * lock it for 15 minutes, and while the count stands every further failure
 * locks it again; a success resets the count. Unknown name, wrong password,
 * locked and disabled accounts all fail alike ("invalid name or password",
 * ERR_FORBIDDEN) after the same Argon2id work, so names cannot be probed.
 *
 * Sessions: a new random id per sign-in, valid 8 hours from sign-in and
 * ended by 30 idle minutes; each carries a CSRF token.
 *
 * Ownership: outputs are the caller's (list arrays freed with the type's
 * _list_free); secrets written to caller buffers are the caller's to wipe. */
#ifndef BR_ACCOUNTS_H
#define BR_ACCOUNTS_H
#include <stdbool.h>
#include <stddef.h>

#include "core/account.h"
#include "core/authz.h"
#include "store/store.h"

#define ACCOUNTS_MAX_FAILURES	 5
#define ACCOUNTS_LOCK_SECONDS	 (15 * 60)
#define ACCOUNTS_SESSION_SECONDS (8 * 60 * 60) /* absolute, from sign-in */
#define ACCOUNTS_IDLE_SECONDS	 (30 * 60)
#define ACCOUNTS_TOUCH_SECONDS	 60 /* last_seen_at / last_used_at granularity */

/* Adds an account for person staff_id with roles (a ROLE_BIT set; reporter
 * is added) and an Argon2id hash of password (12..1024 bytes). Errors name
 * "name" (invalid; ERR_CONFLICT if taken), "person" (ERR_NOT_FOUND),
 * "role", "password". */
int accounts_add(struct store *s, const struct actor *a, const char *name, const char *staff_id,
		 unsigned roles, const char *password, ts_t now, struct err *e);
/* One account (a's own, or any with POW_ACCOUNTS). */
int accounts_get(struct store *s, const struct actor *a, const char *name, struct account *out,
		 struct err *e);
int accounts_list(struct store *s, const struct actor *a, struct account **out, size_t *n,
		  struct err *e);
/* Replaces the account's roles (reporter is kept). */
int accounts_set_roles(struct store *s, const struct actor *a, const char *name, unsigned roles,
		       ts_t now, struct err *e);
/* Disabling also ends every session of the account; its tokens stop
 * working until it is enabled again. Enabling clears a lockout. */
int accounts_disable(struct store *s, const struct actor *a, const char *name, ts_t now,
		     struct err *e);
int accounts_enable(struct store *s, const struct actor *a, const char *name, ts_t now,
		    struct err *e);

/* Makes a new API token for account: token_out gets it (shown once, never
 * stored); info (may be NULL) gets the stored record (id, label, times). */
int accounts_token_create(struct store *s, const struct actor *a, const char *account,
			  const char *label, ts_t now, char token_out[ACCOUNT_TOKEN_BUF],
			  struct api_token *info, struct err *e);
int accounts_token_list(struct store *s, const struct actor *a, const char *account,
			struct api_token **out, size_t *n, struct err *e);
/* ERR_NOT_FOUND ("token") if account has no token id; ERR_CONFLICT if it
 * is already revoked. */
int accounts_token_revoke(struct store *s, const struct actor *a, const char *account, int64_t id,
			  ts_t now, struct err *e);
/* The actor behind a bearer token: "user:<account>", the account's person,
 * that person's organisation, roles. A malformed, unknown or revoked token
 * or a disabled account is refused alike (ERR_FORBIDDEN, "token"). No
 * Argon2 here: one indexed lookup of the hash, the account and the person;
 * last_used_at is written at most once a minute. */
int accounts_authenticate_token(struct store *s, const char *token, ts_t now, struct actor *out,
				struct err *e);

/* Signs in: on success a new session (sid_out: the id for the cookie,
 * csrf_out: its CSRF token) and the actor. Every attempt is audited
 * ("account.login", "account.login-failed"). */
int accounts_login(struct store *s, const char *name, const char *password, ts_t now,
		   char sid_out[ACCOUNT_SID_BUF], char csrf_out[ACCOUNT_CSRF_BUF],
		   struct actor *out, struct err *e);
/* The actor of a live session and its CSRF token (csrf_out may be NULL).
 * A missing, expired (8 h) or idle (30 min) session, or a disabled account,
 * is refused (ERR_FORBIDDEN, "session"). */
int accounts_session(struct store *s, const char *sid, ts_t now, struct actor *out,
		     char csrf_out[ACCOUNT_CSRF_BUF], struct err *e);
/* Ends the session (audited "account.logout"); an unknown or already
 * ended session is not an error. */
int accounts_logout(struct store *s, const char *sid, ts_t now, struct err *e);

#endif
