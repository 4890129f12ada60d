/* accounts: accounts, API tokens, sign-in and sessions (see accounts.h).
 * The only file that makes secrets (randombytes) and does Argon2id work;
 * the store sees hashes only. */
#include "service/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/registry_internal.h"

#define PWHASH_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PWHASH_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

/* Checked against when the name is unknown, so that an unknown name costs
 * the same Argon2id work as a wrong password (no probing names by time).
 * Its password is a discarded random string; the parameters are ours. */
static const char dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$fvcDnpVw9kjSE0yYE651vA$"
				 "0EVmYfL8bjzY1b8awrVPCjAIQYgY2I+i3jZZdLrEXmk";

/* The one answer to a failed sign-in, whatever failed. */
#define LOGIN_FAILED "invalid name or password"

static int crypto_ready(struct err *e)
{
	if (sodium_init() < 0)
		return err_set(e, ERR_RUNTIME, "crypto", "libsodium failed to initialise");
	return 0;
}

/* 32 random bytes as 43 characters of unpadded base64url. */
static void random_id(char out[ACCOUNT_SID_BUF])
{
	unsigned char r[ACCOUNT_SECRET_BYTES];

	randombytes_buf(r, sizeof r);
	sodium_bin2base64(out, ACCOUNT_SID_BUF, r, sizeof r,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(r, sizeof r);
}

/* 32 random bytes as 64 hex digits. */
static void random_hex(char out[ACCOUNT_CSRF_BUF])
{
	unsigned char r[ACCOUNT_SECRET_BYTES];

	randombytes_buf(r, sizeof r);
	sodium_bin2hex(out, ACCOUNT_CSRF_BUF, r, sizeof r);
	sodium_memzero(r, sizeof r);
}

static bool is_self(const struct actor *a, const char *account)
{
	return strncmp(a->name, "user:", 5) == 0 && strcmp(a->name + 5, account) == 0;
}

static int need_power(const struct actor *a, struct err *e)
{
	if (authz_power(a, POW_ACCOUNTS))
		return 0;
	return err_set(e, ERR_FORBIDDEN, "", "%s may not manage accounts", a->name);
}

/* Tokens: an account's own, or anyone's with POW_ACCOUNTS. */
static int need_self_or_power(const struct actor *a, const char *account, struct err *e)
{
	if (is_self(a, account) || authz_power(a, POW_ACCOUNTS))
		return 0;
	return err_set(e, ERR_FORBIDDEN, "", "%s may not manage the tokens of \"%.64s\"", a->name,
		       account);
}

/* An account name from the caller, checked before it reaches the store. */
static int need_name(const char *name, struct err *e)
{
	if (!account_name_valid(name))
		return err_set(e, ERR_INVALID, "name", "invalid account name \"%.64s\"",
			       name ? name : "");
	return 0;
}

static int get_account(struct store *s, const char *name, struct account *out, struct err *e)
{
	if (need_name(name, e))
		return -1;
	if (s->ops->account_get(s, name, out, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "name", "unknown account \"%.64s\"", name);
		return -1;
	}
	return 0;
}

/* An audit actor for an account acting on itself (sign-in, sign-out). */
static void account_actor(const char *name, struct actor *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "user:%s", name);
}

/* The actor of an authenticated account: its person and that person's
 * organisation. A disabled account gives ERR_FORBIDDEN (field, msg). */
static int fill_actor(struct store *s, const struct account *acc, const char *field,
		      const char *msg, struct actor *out, struct err *e)
{
	struct person p;

	memset(out, 0, sizeof *out);
	if (acc->disabled)
		return err_set(e, ERR_FORBIDDEN, field, "%s", msg);
	person_init(&p);
	if (s->ops->person_get(s, acc->staff_id, &p, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_RUNTIME, "person", "account \"%s\" has no person \"%s\"",
				acc->name, acc->staff_id);
		return -1;
	}
	snprintf(out->name, sizeof out->name, "user:%s", acc->name);
	snprintf(out->staff_id, sizeof out->staff_id, "%s", acc->staff_id);
	snprintf(out->org, sizeof out->org, "%s", p.org);
	out->roles = acc->roles | ROLE_BIT(ROLE_REPORTER);
	out->system = false;
	person_release(&p);
	return 0;
}

/* ---- accounts ------------------------------------------------------- */

int accounts_add(struct store *s, const struct actor *a, const char *name, const char *staff_id,
		 unsigned roles, const char *password, ts_t now, struct err *e)
{
	struct account acc;
	struct person p;
	bool txn = false;
	int ret = -1;

	account_init(&acc);
	person_init(&p);
	if (need_power(a, e) || need_name(name, e))
		goto out;
	snprintf(acc.name, sizeof acc.name, "%s", name);
	if (!staff_id || strlen(staff_id) >= sizeof acc.staff_id) {
		err_set(e, ERR_INVALID, "person", "invalid staff id \"%.32s\"",
			staff_id ? staff_id : "");
		goto out;
	}
	snprintf(acc.staff_id, sizeof acc.staff_id, "%s", staff_id);
	acc.roles = roles | ROLE_BIT(ROLE_REPORTER);
	if (account_validate(&acc, e))
		goto out;
	/* The person first: the Argon2id work is wasted on a bad request. */
	if (s->ops->person_get(s, acc.staff_id, &p, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "person", "unknown person \"%s\"", acc.staff_id);
		goto out;
	}
	if (account_password_check(password, e) || crypto_ready(e))
		goto out;
	/* Hashed before the transaction: the write lock is not held for it. */
	if (crypto_pwhash_str_alg(acc.pw_hash, password, strlen(password), PWHASH_OPS, PWHASH_MEM,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		err_set(e, ERR_RUNTIME, "password", "cannot hash the password: out of memory");
		goto out;
	}
	acc.created_at = now;
	if (s->ops->begin(s, e))
		goto out;
	txn = true;
	if (s->ops->account_insert(s, &acc, e))
		goto out;
	if (reg_audit(s, a, now, "account.add", acc.name,
		      json_pack("{s:s, s:o}", "staff_id", acc.staff_id, "roles",
				account_roles_to_json(acc.roles)),
		      e))
		goto out;
	if (s->ops->commit(s, e))
		goto out;
	txn = false;
	ret = 0;
out:
	if (txn)
		s->ops->rollback(s);
	account_release(&acc);
	person_release(&p);
	return ret;
}

int accounts_get(struct store *s, const struct actor *a, const char *name, struct account *out,
		 struct err *e)
{
	account_init(out);
	if (!is_self(a, name ? name : "") && need_power(a, e))
		return -1;
	return get_account(s, name, out, e);
}

int accounts_list(struct store *s, const struct actor *a, struct account **out, size_t *n,
		  struct err *e)
{
	*out = NULL;
	*n = 0;
	if (need_power(a, e))
		return -1;
	return s->ops->account_list(s, out, n, e);
}

/* Loads an account inside a transaction, lets change() edit it, saves it
 * and audits action with the detail change() returns. */
typedef json_t *(*account_change)(struct account *acc, const void *arg);

static int account_edit(struct store *s, const struct actor *a, const char *name, ts_t now,
			const char *action, account_change change, const void *arg,
			bool end_sessions, struct err *e)
{
	struct account acc;
	json_t *detail;
	bool txn = false;
	int ret = -1;

	account_init(&acc);
	if (need_power(a, e) || need_name(name, e))
		goto out;
	if (s->ops->begin(s, e))
		goto out;
	txn = true;
	if (get_account(s, name, &acc, e))
		goto out;
	detail = change(&acc, arg);
	if (s->ops->account_update(s, &acc, e)) {
		json_decref(detail);
		goto out;
	}
	if (end_sessions && s->ops->session_delete_account(s, acc.name, e)) {
		json_decref(detail);
		goto out;
	}
	if (reg_audit(s, a, now, action, acc.name, detail, e) || s->ops->commit(s, e))
		goto out;
	txn = false;
	ret = 0;
out:
	if (txn)
		s->ops->rollback(s);
	account_release(&acc);
	return ret;
}

static json_t *change_roles(struct account *acc, const void *arg)
{
	unsigned roles = *(const unsigned *)arg | ROLE_BIT(ROLE_REPORTER);
	json_t *d = json_pack("{s:o, s:o}", "from", account_roles_to_json(acc->roles), "to",
			      account_roles_to_json(roles));

	acc->roles = roles;
	return d;
}

static json_t *change_disable(struct account *acc, const void *arg)
{
	(void)arg;
	acc->disabled = true;
	return json_pack("{s:b}", "disabled", 1);
}

static json_t *change_enable(struct account *acc, const void *arg)
{
	(void)arg;
	acc->disabled = false;
	acc->failed_logins = 0;
	acc->locked_until = TS_NONE;
	return json_pack("{s:b}", "disabled", 0);
}

int accounts_set_roles(struct store *s, const struct actor *a, const char *name, unsigned roles,
		       ts_t now, struct err *e)
{
	if (roles & ~((1u << ROLE_COUNT) - 1))
		return err_set(e, ERR_INVALID, "role", "unknown role bits 0x%x", roles);
	return account_edit(s, a, name, now, "account.roles", change_roles, &roles, false, e);
}

int accounts_disable(struct store *s, const struct actor *a, const char *name, ts_t now,
		     struct err *e)
{
	return account_edit(s, a, name, now, "account.disable", change_disable, NULL, true, e);
}

int accounts_enable(struct store *s, const struct actor *a, const char *name, ts_t now,
		    struct err *e)
{
	return account_edit(s, a, name, now, "account.enable", change_enable, NULL, false, e);
}

/* ---- API tokens ----------------------------------------------------- */

int accounts_token_create(struct store *s, const struct actor *a, const char *account,
			  const char *label, ts_t now, char token_out[ACCOUNT_TOKEN_BUF],
			  struct api_token *info, struct err *e)
{
	struct account acc;
	struct api_token t;
	char token[ACCOUNT_TOKEN_BUF];
	bool txn = false;
	int ret = -1;

	account_init(&acc);
	api_token_init(&t);
	token_out[0] = '\0';
	if (need_name(account, e) || need_self_or_power(a, account, e) ||
	    account_label_check(label, e) || crypto_ready(e))
		goto out;
	if (s->ops->begin(s, e))
		goto out;
	txn = true;
	if (get_account(s, account, &acc, e))
		goto out;
	if (acc.disabled) {
		err_set(e, ERR_CONFLICT, "name", "account \"%s\" is disabled", acc.name);
		goto out;
	}
	memcpy(token, ACCOUNT_TOKEN_PREFIX, strlen(ACCOUNT_TOKEN_PREFIX));
	random_id(token + strlen(ACCOUNT_TOKEN_PREFIX));
	account_secret_hash(token, t.hash);
	snprintf(t.account, sizeof t.account, "%s", acc.name);
	snprintf(t.label, sizeof t.label, "%s", label ? label : "");
	t.created_at = now;
	if (s->ops->token_insert(s, &t, e))
		goto out;
	if (reg_audit(s, a, now, "token.create", acc.name,
		      json_pack("{s:I, s:s}", "id", (json_int_t)t.id, "label", t.label), e) ||
	    s->ops->commit(s, e))
		goto out;
	txn = false;
	memcpy(token_out, token, sizeof token);
	if (info)
		*info = t;
	ret = 0;
out:
	if (txn)
		s->ops->rollback(s);
	sodium_memzero(token, sizeof token);
	account_release(&acc);
	return ret;
}

int accounts_token_list(struct store *s, const struct actor *a, const char *account,
			struct api_token **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	if (need_name(account, e) || need_self_or_power(a, account, e))
		return -1;
	if (s->ops->token_list(s, account, out, n, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "name", "unknown account \"%.64s\"", account);
		return -1;
	}
	return 0;
}

int accounts_token_revoke(struct store *s, const struct actor *a, const char *account, int64_t id,
			  ts_t now, struct err *e)
{
	struct account acc;
	bool txn = false;
	int ret = -1;

	account_init(&acc);
	if (need_name(account, e) || need_self_or_power(a, account, e))
		goto out;
	if (s->ops->begin(s, e))
		goto out;
	txn = true;
	if (get_account(s, account, &acc, e) || s->ops->token_revoke(s, acc.name, id, now, e))
		goto out;
	if (reg_audit(s, a, now, "token.revoke", acc.name, json_pack("{s:I}", "id", (json_int_t)id),
		      e) ||
	    s->ops->commit(s, e))
		goto out;
	txn = false;
	ret = 0;
out:
	if (txn)
		s->ops->rollback(s);
	account_release(&acc);
	return ret;
}

int accounts_authenticate_token(struct store *s, const char *token, ts_t now, struct actor *out,
				struct err *e)
{
	static const char refused[] = "invalid or revoked token";
	struct api_token t;
	struct account acc;
	struct err nf = {0};
	char hash[ACCOUNT_HASH_HEX];
	int ret = -1;

	memset(out, 0, sizeof *out);
	account_init(&acc);
	if (!account_token_shape(token))
		return err_set(e, ERR_FORBIDDEN, "token", "%s", refused);
	account_secret_hash(token, hash);
	if (s->ops->token_get_by_hash(s, hash, &t, &nf)) {
		if (nf.kind == ERR_NOT_FOUND)
			return err_set(e, ERR_FORBIDDEN, "token", "%s", refused);
		*e = nf;
		return -1;
	}
	if (t.revoked_at != TS_NONE) {
		err_set(e, ERR_FORBIDDEN, "token", "%s", refused);
		goto out;
	}
	if (s->ops->account_get(s, t.account, &acc, e) ||
	    fill_actor(s, &acc, "token", refused, out, e))
		goto out;
	/* Usage is recorded to the minute: no write on every request. A
	 * failed note of it does not refuse a valid token. */
	if (now != TS_NONE &&
	    (t.last_used_at == TS_NONE || now - t.last_used_at >= ACCOUNTS_TOUCH_SECONDS)) {
		struct err ignored = {0};
		s->ops->token_touch(s, t.id, now, &ignored);
	}
	ret = 0;
out:
	if (ret)
		memset(out, 0, sizeof *out);
	account_release(&acc);
	api_token_release(&t);
	return ret;
}

/* ---- sign-in and sessions ------------------------------------------- */

/* Why a sign-in failed, for the audit log only: the caller hears
 * LOGIN_FAILED whatever it was. */
static const char *login_refusal(const struct account *cur, bool found, bool verified, ts_t now)
{
	if (!found)
		return "unknown-account";
	if (cur->disabled)
		return "disabled";
	if (cur->locked_until != TS_NONE && now < cur->locked_until)
		return "locked";
	if (!verified)
		return "bad-password";
	return NULL;
}

/* Records a failed attempt inside the open transaction: counts a wrong
 * password (locking the account at the limit) and audits. The name tried
 * is recorded only when it is an account's: a mistyped password in the
 * name field must not reach the log. */
static int login_failed(struct store *s, struct account *cur, bool found, const char *reason,
			ts_t now, struct err *e)
{
	struct actor anon;
	json_t *detail = json_pack("{s:s}", "reason", reason);

	memset(&anon, 0, sizeof anon);
	snprintf(anon.name, sizeof anon.name, "anonymous");
	if (found && strcmp(reason, "bad-password") == 0) {
		cur->failed_logins++;
		/* Every failure from the limit on locks again. */
		if (cur->failed_logins >= ACCOUNTS_MAX_FAILURES)
			cur->locked_until = now + ACCOUNTS_LOCK_SECONDS;
		json_object_set_new(detail, "failed_logins", json_integer(cur->failed_logins));
		if (cur->locked_until != TS_NONE && cur->locked_until > now) {
			char at[TS_BUF];
			date_format_ts(cur->locked_until, at);
			json_object_set_new(detail, "locked_until", json_string(at));
		}
		if (s->ops->account_update(s, cur, e)) {
			json_decref(detail);
			return -1;
		}
	}
	return reg_audit(s, &anon, now, "account.login-failed", found ? cur->name : "", detail, e);
}

int accounts_login(struct store *s, const char *name, const char *password, ts_t now,
		   char sid_out[ACCOUNT_SID_BUF], char csrf_out[ACCOUNT_CSRF_BUF],
		   struct actor *out, struct err *e)
{
	struct account acc, cur;
	struct session ses;
	struct actor who;
	char sid[ACCOUNT_SID_BUF], expires[TS_BUF];
	const char *reason;
	size_t plen = password ? strnlen(password, ACCOUNT_PASSWORD_MAX + 1) : 0;
	bool found = false, verified, txn = false, refused = false;
	int ret = -1;

	account_init(&acc);
	account_init(&cur);
	session_init(&ses);
	sid[0] = sid_out[0] = csrf_out[0] = '\0';
	memset(out, 0, sizeof *out);
	if (now == TS_NONE)
		return err_set(e, ERR_INVALID, "now", "a sign-in needs the time");
	if (crypto_ready(e))
		return -1;
	if (name && account_name_valid(name)) {
		struct err nf = {0};
		if (s->ops->account_get(s, name, &acc, &nf) == 0) {
			found = true;
		} else if (nf.kind != ERR_NOT_FOUND) {
			*e = nf;
			goto out;
		}
	}
	/* Always one Argon2id verification, outside the write lock. */
	verified = crypto_pwhash_str_verify(found ? acc.pw_hash : dummy_hash,
					    password ? password : "", plen) == 0 &&
		   found && plen <= ACCOUNT_PASSWORD_MAX;

	if (s->ops->begin(s, e))
		goto out;
	txn = true;
	/* The counters as they are now, under the lock: attempts racing each
	 * other all count, and a password changed meanwhile is not accepted. */
	if (found) {
		struct err nf = {0};
		if (s->ops->account_get(s, acc.name, &cur, &nf)) {
			if (nf.kind != ERR_NOT_FOUND) {
				*e = nf;
				goto out;
			}
			found = false;
		} else if (strcmp(cur.pw_hash, acc.pw_hash) != 0) {
			verified = false;
		}
	}
	reason = login_refusal(&cur, found, verified, now);
	if (reason) {
		if (login_failed(s, &cur, found, reason, now, e) || s->ops->commit(s, e))
			goto out;
		txn = false;
		refused = true;
		goto out;
	}

	/* Signed in: the count restarts, stale sessions go, a new one starts. */
	if (cur.failed_logins || cur.locked_until != TS_NONE) {
		cur.failed_logins = 0;
		cur.locked_until = TS_NONE;
		if (s->ops->account_update(s, &cur, e))
			goto out;
	}
	if (s->ops->session_purge(s, now, now - ACCOUNTS_IDLE_SECONDS, NULL, e))
		goto out;
	random_id(sid);
	account_secret_hash(sid, ses.hash);
	random_hex(ses.csrf);
	snprintf(ses.account, sizeof ses.account, "%s", cur.name);
	ses.created_at = ses.last_seen_at = now;
	ses.expires_at = now + ACCOUNTS_SESSION_SECONDS;
	date_format_ts(ses.expires_at, expires);
	if (s->ops->session_insert(s, &ses, e) ||
	    fill_actor(s, &cur, "password", LOGIN_FAILED, &who, e) ||
	    reg_audit(s, &who, now, "account.login", cur.name,
		      json_pack("{s:s}", "expires_at", expires), e) ||
	    s->ops->commit(s, e))
		goto out;
	txn = false;
	memcpy(sid_out, sid, sizeof sid);
	memcpy(csrf_out, ses.csrf, sizeof ses.csrf);
	*out = who;
	ret = 0;
out:
	if (txn)
		s->ops->rollback(s);
	if (refused)
		err_set(e, ERR_FORBIDDEN, "password", LOGIN_FAILED);
	sodium_memzero(sid, sizeof sid);
	session_release(&ses);
	account_release(&acc);
	account_release(&cur);
	return ret;
}

int accounts_session(struct store *s, const char *sid, ts_t now, struct actor *out,
		     char csrf_out[ACCOUNT_CSRF_BUF], struct err *e)
{
	static const char ended[] = "the session has ended: sign in again";
	struct session ses;
	struct account acc;
	struct err nf = {0};
	char hash[ACCOUNT_HASH_HEX];
	int ret = -1;

	memset(out, 0, sizeof *out);
	if (csrf_out)
		csrf_out[0] = '\0';
	account_init(&acc);
	session_init(&ses);
	if (now == TS_NONE)
		return err_set(e, ERR_INVALID, "now", "a session check needs the time");
	if (!account_sid_shape(sid))
		return err_set(e, ERR_FORBIDDEN, "session", "%s", ended);
	account_secret_hash(sid, hash);
	if (s->ops->session_get_by_hash(s, hash, &ses, &nf)) {
		if (nf.kind == ERR_NOT_FOUND)
			return err_set(e, ERR_FORBIDDEN, "session", "%s", ended);
		*e = nf;
		return -1;
	}
	/* Absolute lifetime from sign-in, and idleness since last seen. */
	if (now >= ses.expires_at || now - ses.last_seen_at > ACCOUNTS_IDLE_SECONDS) {
		err_set(e, ERR_FORBIDDEN, "session", "%s", ended);
		goto out;
	}
	if (s->ops->account_get(s, ses.account, &acc, e) ||
	    fill_actor(s, &acc, "session", ended, out, e))
		goto out;
	if (now - ses.last_seen_at > ACCOUNTS_TOUCH_SECONDS) {
		struct err ignored = {0};
		s->ops->session_touch(s, ses.hash, now, &ignored);
	}
	if (csrf_out)
		memcpy(csrf_out, ses.csrf, sizeof ses.csrf);
	ret = 0;
out:
	if (ret)
		memset(out, 0, sizeof *out);
	session_release(&ses);
	account_release(&acc);
	return ret;
}

int accounts_logout(struct store *s, const char *sid, ts_t now, struct err *e)
{
	struct session ses;
	struct actor who;
	struct err nf = {0};
	char hash[ACCOUNT_HASH_HEX];
	bool txn = false;
	int ret = -1;

	session_init(&ses);
	if (!account_sid_shape(sid))
		return 0;
	account_secret_hash(sid, hash);
	if (s->ops->begin(s, e))
		return -1;
	txn = true;
	if (s->ops->session_get_by_hash(s, hash, &ses, &nf)) {
		if (nf.kind != ERR_NOT_FOUND) {
			*e = nf;
			goto out;
		}
		ret = 0; /* already gone: nothing to end or audit */
		goto out;
	}
	account_actor(ses.account, &who);
	if (s->ops->session_delete(s, hash, e) ||
	    reg_audit(s, &who, now, "account.logout", ses.account, NULL, e) || s->ops->commit(s, e))
		goto out;
	txn = false;
	ret = 0;
out:
	if (txn)
		s->ops->rollback(s);
	session_release(&ses);
	return ret;
}
