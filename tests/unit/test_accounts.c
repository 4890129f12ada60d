/* test_accounts: accounts, tokens, sign-in and sessions (service/accounts)
 * on a real SQLite register in a temporary directory (no mocks), with
 * explicit clock values. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include <sodium.h>
#include <sqlite3.h>

#include "core/alloc.h"
#include "service/accounts.h"
#include "service/drafts.h"
#include "service/registry.h"
#include "store/store.h"

#define PASSWORD "correct horse battery staple"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
	struct actor sys;
	ts_t t0;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct err e = {0};

	snprintf(f->dir, sizeof f->dir, "/tmp/braccts.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	if (fx_open(f->dir, "reg.db", f->path, sizeof f->path, &f->s, &e)) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
	}
	snprintf(f->sys.name, sizeof f->sys.name, "cli:test");
	f->sys.system = true;
	f->sys.roles = (1u << ROLE_COUNT) - 1;
	f->t0 = fx_ts("2030-03-02T10:00:00Z");
	fx_add_org(f->s, "moj", NULL);
	fx_add_org(f->s, "hmcts", "moj");
	fx_add_person(f->s, "S1001", "hmcts", NULL);
	fx_add_person(f->s, "S1002", "moj", NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	fx_drop(f->path);
	fx_rmtree(f->dir);
	free(f);
	return 0;
}

/* Whether needle occurs in the bytes of the database or its WAL. */
static bool in_files(const struct fx *f, const char *needle)
{
	const char *suffix[] = {"", "-wal"};
	size_t nl = strlen(needle);

	for (size_t k = 0; k < 2; k++) {
		char p[160];
		FILE *fp;
		char *buf;
		long len;
		bool hit = false;

		snprintf(p, sizeof p, "%s%s", f->path, suffix[k]);
		if (!(fp = fopen(p, "rb")))
			continue;
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		fseek(fp, 0, SEEK_SET);
		buf = xmalloc((size_t)len + 1);
		assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
		fclose(fp);
		for (long i = 0; !hit && i + (long)nl <= len; i++)
			hit = memcmp(buf + i, needle, nl) == 0;
		free(buf);
		if (hit)
			return true;
	}
	return false;
}

struct audit_find {
	const char *action;
	int count;
	char last_detail[512];
	char last_actor[ACTOR_MAX];
	const char *secret; /* must appear in no entry */
	bool leaked;
};

static int find_cb(const struct audit_entry *a, void *ctx)
{
	struct audit_find *af = ctx;

	if (af->secret && a->detail && strstr(a->detail, af->secret))
		af->leaked = true;
	if (af->secret && strstr(a->entity, af->secret))
		af->leaked = true;
	if (af->action && strcmp(a->action, af->action) == 0) {
		af->count++;
		snprintf(af->last_detail, sizeof af->last_detail, "%s", a->detail ? a->detail : "");
		snprintf(af->last_actor, sizeof af->last_actor, "%s", a->actor);
	}
	return 0;
}

static struct audit_find audit_find(struct store *s, const char *action, const char *secret)
{
	struct audit_find af = {.action = action, .secret = secret};
	struct err e = {0};

	assert_int_equal(s->ops->audit_each(s, NULL, find_cb, &af, &e), 0);
	return af;
}

static void verify_chain(struct store *s)
{
	struct err e = {0};
	int64_t n = 0;

	assert_int_equal(registry_audit_verify(s, &n, &e), 0);
	assert_true(n > 0);
}

static void add_alice(struct fx *f)
{
	struct err e = {0};

	assert_int_equal(accounts_add(f->s, &f->sys, "alice", "S1001", ROLE_BIT(ROLE_MANAGER),
				      PASSWORD, f->t0, &e),
			 0);
}

/* ---- accounts ------------------------------------------------------- */

static void test_add(void **state)
{
	struct fx *f = *state;
	struct account acc;
	struct err e = {0};
	struct actor plain = {.name = "user:bob", .staff_id = "S1002", .roles = 0};
	char longpw[ACCOUNT_PASSWORD_MAX + 2];

	add_alice(f);
	assert_int_equal(f->s->ops->account_get(f->s, "alice", &acc, &e), 0);
	assert_string_equal(acc.staff_id, "S1001");
	assert_int_equal(acc.roles, ROLE_BIT(ROLE_REPORTER) | ROLE_BIT(ROLE_MANAGER));
	assert_false(acc.disabled);
	assert_int_equal(acc.failed_logins, 0);
	assert_true(acc.locked_until == TS_NONE);
	assert_true(acc.created_at == f->t0);
	/* Argon2id, verifiable, and the password nowhere in the files. */
	assert_memory_equal(acc.pw_hash, "$argon2id$", 10);
	assert_int_equal(crypto_pwhash_str_verify(acc.pw_hash, PASSWORD, strlen(PASSWORD)), 0);
	assert_int_not_equal(crypto_pwhash_str_verify(acc.pw_hash, "wrong password!", 15), 0);
	account_release(&acc);
	assert_false(in_files(f, PASSWORD));

	/* Refusals name the field and write nothing. */
	assert_int_equal(accounts_add(f->s, &f->sys, "carol", "S9999", 0, PASSWORD, f->t0, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "person");
	assert_int_equal(accounts_add(f->s, &f->sys, "carol", "S1002", 0, "too short", f->t0, &e),
			 -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.field, "password");
	memset(longpw, 'x', sizeof longpw - 1);
	longpw[sizeof longpw - 1] = '\0';
	assert_int_equal(accounts_add(f->s, &f->sys, "carol", "S1002", 0, longpw, f->t0, &e), -1);
	assert_string_equal(e.field, "password");
	longpw[ACCOUNT_PASSWORD_MAX] = '\0'; /* exactly the limit is fine */
	assert_int_equal(accounts_add(f->s, &f->sys, "carol", "S1002", 0, longpw, f->t0, &e), 0);
	assert_int_equal(accounts_add(f->s, &f->sys, "Bad Name", "S1002", 0, PASSWORD, f->t0, &e),
			 -1);
	assert_string_equal(e.field, "name");
	assert_int_equal(accounts_add(f->s, &f->sys, "alice", "S1002", 0, PASSWORD, f->t0, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_string_equal(e.field, "name");
	assert_int_equal(
	    accounts_add(f->s, &f->sys, "dave", "S1002", 1u << ROLE_COUNT, PASSWORD, f->t0, &e),
	    -1);
	assert_string_equal(e.field, "role");
	/* Only an account manager adds accounts. */
	assert_int_equal(accounts_add(f->s, &plain, "dave", "S1002", 0, PASSWORD, f->t0, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM accounts"), 2);
	assert_int_equal(audit_find(f->s, "account.add", PASSWORD).count, 2);
	assert_false(audit_find(f->s, NULL, PASSWORD).leaked);
	verify_chain(f->s);
}

static void test_roles_disable(void **state)
{
	struct fx *f = *state;
	struct account acc;
	struct actor who;
	struct err e = {0};
	char sid[ACCOUNT_SID_BUF], csrf[ACCOUNT_CSRF_BUF];

	add_alice(f);
	assert_int_equal(accounts_set_roles(f->s, &f->sys, "alice", ROLE_BIT(ROLE_HR), f->t0, &e),
			 0);
	assert_int_equal(accounts_get(f->s, &f->sys, "alice", &acc, &e), 0);
	assert_int_equal(acc.roles, ROLE_BIT(ROLE_REPORTER) | ROLE_BIT(ROLE_HR));
	assert_int_equal(accounts_set_roles(f->s, &f->sys, "nobody", 0, f->t0, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);

	/* Disabling ends the sessions and refuses sign-in. */
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, f->t0, sid, csrf, &who, &e), 0);
	assert_int_equal(accounts_disable(f->s, &f->sys, "alice", f->t0 + 10, &e), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM sessions"), 0);
	assert_int_equal(accounts_session(f->s, sid, f->t0 + 20, &who, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, f->t0 + 30, sid, csrf, &who, &e),
			 -1);
	assert_string_equal(e.msg, "invalid name or password");
	assert_int_equal(accounts_enable(f->s, &f->sys, "alice", f->t0 + 40, &e), 0);
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, f->t0 + 50, sid, csrf, &who, &e),
			 0);
	assert_int_equal(audit_find(f->s, "account.disable", NULL).count, 1);
	assert_int_equal(audit_find(f->s, "account.enable", NULL).count, 1);
	assert_int_equal(audit_find(f->s, "account.roles", NULL).count, 1);
	verify_chain(f->s);
}

/* ---- sign-in -------------------------------------------------------- */

static void test_login(void **state)
{
	struct fx *f = *state;
	struct actor who;
	struct err e = {0}, e2 = {0};
	char sid[ACCOUNT_SID_BUF], sid2[ACCOUNT_SID_BUF], csrf[ACCOUNT_CSRF_BUF],
	    csrf2[ACCOUNT_CSRF_BUF], hash[ACCOUNT_HASH_HEX];
	struct audit_find af;

	add_alice(f);
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, f->t0, sid, csrf, &who, &e), 0);
	assert_true(account_sid_shape(sid));
	assert_int_equal(strlen(csrf), 64);
	assert_string_equal(who.name, "user:alice");
	assert_string_equal(who.staff_id, "S1001");
	assert_string_equal(who.org, "hmcts");
	assert_int_equal(who.roles, ROLE_BIT(ROLE_REPORTER) | ROLE_BIT(ROLE_MANAGER));
	assert_false(who.system);

	/* A new id on every sign-in; only its hash is stored. */
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, f->t0 + 5, sid2, csrf2, &who, &e),
			 0);
	assert_string_not_equal(sid, sid2);
	assert_string_not_equal(csrf, csrf2);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM sessions"), 2);
	account_secret_hash(sid, hash);
	{
		char q[200];
		snprintf(q, sizeof q, "SELECT count(*) FROM sessions WHERE hash = '%s'", hash);
		assert_int_equal(fx_raw_int(f->path, q), 1);
	}
	assert_false(in_files(f, sid));
	assert_false(in_files(f, sid2));

	/* Wrong password and unknown name: the same answer. */
	assert_int_equal(
	    accounts_login(f->s, "alice", "not the password", f->t0, sid, csrf, &who, &e), -1);
	assert_int_equal(accounts_login(f->s, "mallory", PASSWORD, f->t0, sid, csrf, &who, &e2),
			 -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_int_equal(e2.kind, e.kind);
	assert_string_equal(e.msg, "invalid name or password");
	assert_string_equal(e2.msg, e.msg);
	assert_string_equal(e2.field, e.field);
	assert_string_equal(sid, "");
	assert_string_equal(who.name, "");
	assert_int_equal(accounts_login(f->s, "", "", f->t0, sid, csrf, &who, &e2), -1);
	assert_string_equal(e2.msg, e.msg);
	assert_int_equal(accounts_login(f->s, NULL, NULL, f->t0, sid, csrf, &who, &e2), -1);
	assert_string_equal(e2.msg, e.msg);

	af = audit_find(f->s, "account.login", PASSWORD);
	assert_int_equal(af.count, 2);
	assert_string_equal(af.last_actor, "user:alice");
	af = audit_find(f->s, "account.login-failed", PASSWORD);
	assert_int_equal(af.count, 4);
	assert_false(af.leaked);
	assert_false(audit_find(f->s, NULL, "not the password").leaked);
	assert_false(audit_find(f->s, NULL, "mallory").leaked);
	assert_false(audit_find(f->s, NULL, sid2).leaked);
	verify_chain(f->s);
}

static void test_lockout(void **state)
{
	struct fx *f = *state;
	struct account acc;
	struct actor who;
	struct err e = {0};
	char sid[ACCOUNT_SID_BUF], csrf[ACCOUNT_CSRF_BUF];
	ts_t t = f->t0;

	add_alice(f);
	/* Four failures, then a success: the count restarts. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(
		    accounts_login(f->s, "alice", "bad password!", t + i, sid, csrf, &who, &e), -1);
	assert_int_equal(f->s->ops->account_get(f->s, "alice", &acc, &e), 0);
	assert_int_equal(acc.failed_logins, 4);
	assert_true(acc.locked_until == TS_NONE);
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, t + 10, sid, csrf, &who, &e), 0);
	assert_int_equal(f->s->ops->account_get(f->s, "alice", &acc, &e), 0);
	assert_int_equal(acc.failed_logins, 0);

	/* Five consecutive failures lock it for 15 minutes. */
	t += 100;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(
		    accounts_login(f->s, "alice", "bad password!", t + i, sid, csrf, &who, &e), -1);
		assert_string_equal(e.msg, "invalid name or password");
	}
	assert_int_equal(f->s->ops->account_get(f->s, "alice", &acc, &e), 0);
	assert_int_equal(acc.failed_logins, 5);
	assert_true(acc.locked_until == t + 4 + ACCOUNTS_LOCK_SECONDS);
	/* Locked: even the right password is refused, alike. */
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, t + 60, sid, csrf, &who, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_string_equal(e.msg, "invalid name or password");
	assert_int_equal(
	    accounts_login(f->s, "alice", PASSWORD, acc.locked_until - 1, sid, csrf, &who, &e), -1);
	assert_true(strstr(audit_find(f->s, "account.login-failed", NULL).last_detail, "locked"));
	/* From locked_until on, the right password works and resets. */
	assert_int_equal(
	    accounts_login(f->s, "alice", PASSWORD, acc.locked_until, sid, csrf, &who, &e), 0);
	assert_string_equal(who.name, "user:alice");
	assert_int_equal(f->s->ops->account_get(f->s, "alice", &acc, &e), 0);
	assert_int_equal(acc.failed_logins, 0);
	assert_true(acc.locked_until == TS_NONE);

	/* After a lock expires unused, one more failure locks again. */
	t = acc.created_at + 100000;
	for (int i = 0; i < 5; i++)
		accounts_login(f->s, "alice", "bad password!", t, sid, csrf, &who, &e);
	t += ACCOUNTS_LOCK_SECONDS;
	assert_int_equal(accounts_login(f->s, "alice", "bad password!", t, sid, csrf, &who, &e),
			 -1);
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, t + 1, sid, csrf, &who, &e), -1);
	assert_int_equal(
	    accounts_login(f->s, "alice", PASSWORD, t + ACCOUNTS_LOCK_SECONDS, sid, csrf, &who, &e),
	    0);
	verify_chain(f->s);
}

/* ---- sessions ------------------------------------------------------- */

static ts_t last_seen(struct fx *f, const char *sid)
{
	struct session ses;
	struct err e = {0};
	char hash[ACCOUNT_HASH_HEX];
	ts_t t;

	account_secret_hash(sid, hash);
	assert_int_equal(f->s->ops->session_get_by_hash(f->s, hash, &ses, &e), 0);
	t = ses.last_seen_at;
	session_release(&ses);
	return t;
}

static void test_session(void **state)
{
	struct fx *f = *state;
	struct actor who;
	struct err e = {0};
	char sid[ACCOUNT_SID_BUF], csrf[ACCOUNT_CSRF_BUF], got[ACCOUNT_CSRF_BUF];
	ts_t t = f->t0;

	add_alice(f);
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, t, sid, csrf, &who, &e), 0);
	memset(&who, 0, sizeof who);
	assert_int_equal(accounts_session(f->s, sid, t + 30, &who, got, &e), 0);
	assert_string_equal(got, csrf);
	assert_true(account_csrf_equal(csrf, got));
	assert_false(account_csrf_equal(csrf, "00"));
	assert_string_equal(who.name, "user:alice");
	assert_string_equal(who.org, "hmcts");
	/* last_seen_at moves only when it is more than a minute old. */
	assert_true(last_seen(f, sid) == t);
	assert_int_equal(accounts_session(f->s, sid, t + 61, &who, NULL, &e), 0);
	assert_true(last_seen(f, sid) == t + 61);

	/* Idle: 30 minutes since last seen is fine, a second more is not. */
	assert_int_equal(
	    accounts_session(f->s, sid, t + 61 + ACCOUNTS_IDLE_SECONDS, &who, NULL, &e), 0);
	t = last_seen(f, sid);
	assert_int_equal(accounts_session(f->s, sid, t + ACCOUNTS_IDLE_SECONDS + 1, &who, NULL, &e),
			 -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_string_equal(e.field, "session");
	assert_string_equal(who.name, "");

	/* Absolute: 8 hours from sign-in, however active. */
	t = f->t0 + 1000;
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, t, sid, csrf, &who, &e), 0);
	for (ts_t now = t + 20 * 60; now < t + ACCOUNTS_SESSION_SECONDS; now += 20 * 60)
		assert_int_equal(accounts_session(f->s, sid, now, &who, NULL, &e), 0);
	assert_int_equal(
	    accounts_session(f->s, sid, t + ACCOUNTS_SESSION_SECONDS - 1, &who, NULL, &e), 0);
	assert_int_equal(accounts_session(f->s, sid, t + ACCOUNTS_SESSION_SECONDS, &who, NULL, &e),
			 -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);

	/* Unknown and malformed ids. */
	assert_int_equal(accounts_session(f->s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", t,
					  &who, NULL, &e),
			 -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_int_equal(accounts_session(f->s, "x'; --", t, &who, NULL, &e), -1);
	assert_int_equal(accounts_session(f->s, NULL, t, &who, NULL, &e), -1);

	/* Sign-out ends it; again is harmless. Stale sessions go at sign-in. */
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, t + 10, sid, csrf, &who, &e), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM sessions"), 3);
	assert_int_equal(accounts_logout(f->s, sid, t + 20, &e), 0);
	assert_int_equal(accounts_session(f->s, sid, t + 30, &who, NULL, &e), -1);
	assert_int_equal(accounts_logout(f->s, sid, t + 40, &e), 0);
	assert_int_equal(accounts_logout(f->s, "garbage", t + 40, &e), 0);
	assert_int_equal(audit_find(f->s, "account.logout", NULL).count, 1);
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, t + ACCOUNTS_SESSION_SECONDS, sid,
					csrf, &who, &e),
			 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM sessions"), 1);
	assert_false(audit_find(f->s, NULL, sid).leaked);
	assert_false(audit_find(f->s, NULL, csrf).leaked);
	verify_chain(f->s);
}

/* ---- API tokens ----------------------------------------------------- */

static void test_tokens(void **state)
{
	struct fx *f = *state;
	struct actor who, self = {.name = "user:alice", .staff_id = "S1001"};
	struct api_token info, *list = NULL;
	struct err e = {0};
	char tok[ACCOUNT_TOKEN_BUF], tok2[ACCOUNT_TOKEN_BUF], hash[ACCOUNT_HASH_HEX];
	size_t n = 0;
	ts_t t = f->t0;

	add_alice(f);
	assert_int_equal(
	    accounts_add(f->s, &f->sys, "bob", "S1002", ROLE_BIT(ROLE_ANALYST), PASSWORD, t, &e),
	    0);
	assert_int_equal(accounts_token_create(f->s, &f->sys, "alice", "ci", t, tok, &info, &e), 0);
	assert_int_equal(strlen(tok), ACCOUNT_TOKEN_LEN);
	assert_memory_equal(tok, "br_", 3);
	assert_true(account_token_shape(tok));
	assert_true(info.id > 0);
	assert_string_equal(info.label, "ci");
	account_secret_hash(tok, hash);
	assert_string_equal(info.hash, hash);
	assert_false(in_files(f, tok));
	assert_false(in_files(f, tok + 3));
	assert_false(audit_find(f->s, NULL, tok + 3).leaked);

	/* The token is the account. */
	assert_int_equal(accounts_authenticate_token(f->s, tok, t + 5, &who, &e), 0);
	assert_string_equal(who.name, "user:alice");
	assert_string_equal(who.staff_id, "S1001");
	assert_string_equal(who.org, "hmcts");
	assert_int_equal(who.roles, ROLE_BIT(ROLE_REPORTER) | ROLE_BIT(ROLE_MANAGER));
	assert_false(who.system);
	/* Use is noted, at most once a minute. */
	assert_int_equal(f->s->ops->token_get_by_hash(f->s, hash, &info, &e), 0);
	assert_true(info.last_used_at == t + 5);
	assert_int_equal(accounts_authenticate_token(f->s, tok, t + 30, &who, &e), 0);
	assert_int_equal(f->s->ops->token_get_by_hash(f->s, hash, &info, &e), 0);
	assert_true(info.last_used_at == t + 5);
	assert_int_equal(accounts_authenticate_token(f->s, tok, t + 65, &who, &e), 0);
	assert_int_equal(f->s->ops->token_get_by_hash(f->s, hash, &info, &e), 0);
	assert_true(info.last_used_at == t + 65);

	/* Wrong, malformed and absent tokens: one refusal. */
	memcpy(tok2, tok, sizeof tok);
	tok2[10] = tok2[10] == 'A' ? 'B' : 'A';
	assert_int_equal(accounts_authenticate_token(f->s, tok2, t, &who, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_string_equal(e.field, "token");
	assert_string_equal(who.name, "");
	assert_int_equal(accounts_authenticate_token(f->s, tok + 3, t, &who, &e), -1);
	assert_int_equal(accounts_authenticate_token(f->s, "br_short", t, &who, &e), -1);
	assert_int_equal(accounts_authenticate_token(f->s, "", t, &who, &e), -1);
	assert_int_equal(accounts_authenticate_token(f->s, NULL, t, &who, &e), -1);

	/* An account manages its own tokens, not another's. */
	assert_int_equal(accounts_token_create(f->s, &self, "alice", "", t, tok2, NULL, &e), 0);
	assert_int_equal(accounts_token_create(f->s, &self, "bob", "", t, tok2, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_string_equal(tok2, "");
	assert_int_equal(accounts_token_list(f->s, &self, "bob", &list, &n, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_int_equal(accounts_token_list(f->s, &self, "alice", &list, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].label, "ci");
	api_token_list_free(list, n);
	assert_int_equal(accounts_token_create(f->s, &f->sys, "nobody", "", t, tok2, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "name");
	assert_int_equal(
	    accounts_token_create(f->s, &f->sys, "alice", "bad\nlabel", t, tok2, NULL, &e), -1);
	assert_string_equal(e.field, "label");

	/* Revoked: refused from then on. */
	assert_int_equal(accounts_token_revoke(f->s, &f->sys, "bob", 1, t + 100, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "token");
	assert_int_equal(accounts_token_revoke(f->s, &self, "alice", 1, t + 100, &e), 0);
	assert_int_equal(accounts_token_revoke(f->s, &self, "alice", 1, t + 101, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(accounts_authenticate_token(f->s, tok, t + 200, &who, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_int_equal(accounts_token_list(f->s, &f->sys, "alice", &list, &n, &e), 0);
	assert_true(list[0].revoked_at == t + 100);
	assert_true(list[1].revoked_at == TS_NONE);
	api_token_list_free(list, n);

	/* A disabled account's tokens stop working. */
	assert_int_equal(accounts_token_create(f->s, &f->sys, "bob", "x", t, tok2, NULL, &e), 0);
	assert_int_equal(accounts_authenticate_token(f->s, tok2, t, &who, &e), 0);
	assert_int_equal(accounts_disable(f->s, &f->sys, "bob", t, &e), 0);
	assert_int_equal(accounts_authenticate_token(f->s, tok2, t, &who, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_int_equal(accounts_token_create(f->s, &f->sys, "bob", "y", t, tok, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(accounts_enable(f->s, &f->sys, "bob", t, &e), 0);
	assert_int_equal(accounts_authenticate_token(f->s, tok2, t, &who, &e), 0);
	assert_string_equal(who.org, "moj");

	assert_int_equal(audit_find(f->s, "token.create", NULL).count, 3);
	assert_int_equal(audit_find(f->s, "token.revoke", NULL).count, 1);
	assert_false(audit_find(f->s, NULL, tok2 + 3).leaked);
	verify_chain(f->s);
}

/* ---- the store ------------------------------------------------------ */

static void test_store_ops(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct account a, got, *list = NULL;
	struct api_token t;
	struct session ses;
	struct err e = {0};
	size_t n = 0;
	int64_t gone = 0;

	account_init(&a);
	snprintf(a.name, sizeof a.name, "zed");
	snprintf(a.staff_id, sizeof a.staff_id, "S1002");
	a.roles = ROLE_BIT(ROLE_REPORTER) | ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DPO);
	snprintf(a.pw_hash, sizeof a.pw_hash, "$argon2id$x");
	assert_int_equal(s->ops->account_insert(s, &a, &e), 0);
	assert_true(a.id > 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT roles = 'reporter,dpo,admin' FROM accounts"), 1);
	assert_int_equal(s->ops->account_insert(s, &a, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_string_equal(e.field, "name");
	snprintf(a.name, sizeof a.name, "yan");
	snprintf(a.staff_id, sizeof a.staff_id, "S404");
	assert_int_equal(s->ops->account_insert(s, &a, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "person");
	assert_int_equal(s->ops->account_get(s, "yan", &got, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "name");

	assert_int_equal(s->ops->account_get(s, "zed", &got, &e), 0);
	got.failed_logins = 3;
	got.locked_until = f->t0;
	got.disabled = true;
	got.roles = ROLE_BIT(ROLE_REPORTER);
	assert_int_equal(s->ops->account_update(s, &got, &e), 0);
	assert_int_equal(s->ops->account_list(s, &list, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].failed_logins, 3);
	assert_true(list[0].locked_until == f->t0);
	assert_true(list[0].disabled);
	assert_int_equal(list[0].roles, ROLE_BIT(ROLE_REPORTER));
	account_list_free(list, n);
	snprintf(got.name, sizeof got.name, "nobody");
	assert_int_equal(s->ops->account_update(s, &got, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);

	/* A stored role list that does not parse is reported, not guessed. */
	fx_raw_exec(f->path, "UPDATE accounts SET roles = 'reporter,king'");
	assert_int_equal(s->ops->account_get(s, "zed", &got, &e), -1);
	assert_int_equal(e.kind, ERR_RUNTIME);
	assert_non_null(strstr(e.msg, "roles"));
	fx_raw_exec(f->path, "UPDATE accounts SET roles = 'reporter'");

	api_token_init(&t);
	snprintf(t.account, sizeof t.account, "zed");
	snprintf(t.hash, sizeof t.hash, "%064d", 1);
	assert_int_equal(s->ops->token_insert(s, &t, &e), 0);
	assert_int_equal(s->ops->token_insert(s, &t, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	snprintf(t.account, sizeof t.account, "nobody");
	snprintf(t.hash, sizeof t.hash, "%064d", 2);
	assert_int_equal(s->ops->token_insert(s, &t, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "account");
	assert_int_equal(s->ops->token_get_by_hash(s, "nope", &t, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_int_equal(s->ops->token_list(s, "nobody", &(struct api_token *){NULL}, &n, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);

	session_init(&ses);
	snprintf(ses.hash, sizeof ses.hash, "%064d", 7);
	snprintf(ses.account, sizeof ses.account, "zed");
	snprintf(ses.csrf, sizeof ses.csrf, "%064d", 8);
	ses.created_at = ses.last_seen_at = f->t0;
	ses.expires_at = f->t0 + 100;
	assert_int_equal(s->ops->session_insert(s, &ses, &e), 0);
	assert_int_equal(s->ops->session_insert(s, &ses, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	snprintf(ses.hash, sizeof ses.hash, "%064d", 9);
	ses.last_seen_at = f->t0 + 50;
	assert_int_equal(s->ops->session_insert(s, &ses, &e), 0);
	assert_int_equal(s->ops->session_touch(s, ses.hash, f->t0 + 60, &e), 0);
	/* Purge: expired at t0+100, or idle since t0+55 (the first one). */
	assert_int_equal(s->ops->session_purge(s, f->t0 + 10, f->t0 + 55, &gone, &e), 0);
	assert_int_equal(gone, 1);
	assert_int_equal(s->ops->session_delete(s, ses.hash, &e), 0);
	assert_int_equal(s->ops->session_delete(s, ses.hash, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_int_equal(s->ops->session_insert(s, &ses, &e), 0);
	assert_int_equal(s->ops->session_delete_account(s, "zed", &e), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM sessions"), 0);
	snprintf(ses.account, sizeof ses.account, "nobody");
	assert_int_equal(s->ops->session_insert(s, &ses, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	session_release(&ses);
}

/* The report journey's drafts: one per session, kept as given, gone
 * with the session; reporting from one removes it in the same
 * transaction, and a refused report keeps it. */
static void test_drafts(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	char sid[ACCOUNT_SID_BUF], csrf[ACCOUNT_CSRF_BUF];
	struct actor who = {0};
	struct incident inc;
	json_t *d;

	add_alice(f);
	assert_int_equal(registry_init(f->s, &f->sys, f->t0, &e), 0);
	assert_int_equal(accounts_login(f->s, "alice", PASSWORD, f->t0, sid, csrf, &who, &e), 0);
	assert_int_equal(drafts_get(f->s, sid, &d, &e), 0);
	assert_int_equal(json_object_size(d), 0);
	json_decref(d);

	json_t *doc = json_pack("{s:s, s:[s]}", "kind", "breach", "types", "pass-lost");
	assert_int_equal(drafts_put(f->s, sid, doc, f->t0, &e), 0);
	json_object_set_new(doc, "kind", json_string("near-miss"));
	assert_int_equal(drafts_put(f->s, sid, doc, f->t0 + 1, &e), 0);
	assert_int_equal(drafts_get(f->s, sid, &d, &e), 0);
	assert_true(json_equal(d, doc));
	json_decref(d);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM drafts"), 1);

	/* Too large: refused, the old one kept. */
	char *big = xcalloc(1, DRAFTS_MAX_BYTES + 2);
	memset(big, 'x', DRAFTS_MAX_BYTES + 1);
	json_t *huge = json_pack("{s:s}", "description", big);
	assert_int_equal(drafts_put(f->s, sid, huge, f->t0, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.field, "draft");
	json_decref(huge);
	free(big);

	/* No session, no draft: the store refuses a draft for none. */
	char hash[ACCOUNT_HASH_HEX];
	snprintf(hash, sizeof hash, "%064d", 42);
	assert_int_equal(f->s->ops->draft_put(f->s, hash, "{}", f->t0, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "session");

	/* A refused report keeps the draft; a good one takes it away. */
	json_t *in = json_pack("{s:[s], s:s, s:s, s:[s]}", "types", "pass-lost", "org", "hmcts",
			       "description", "lost pass", "subjects", "NOBODY");
	incident_init(&inc);
	assert_int_equal(drafts_report(f->s, &who, sid, in, f->t0, &inc, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM drafts"), 1);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM incidents"), 0);
	incident_release(&inc);
	json_object_set_new(in, "subjects", json_pack("[s]", "S1002"));
	incident_init(&inc);
	assert_int_equal(drafts_report(f->s, &who, sid, in, f->t0, &inc, &e), 0);
	assert_string_equal(inc.reporter, "S1001");
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM drafts"), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM incidents"), 1);
	incident_release(&inc);
	json_decref(in);

	/* Signing out takes the draft with the session. */
	assert_int_equal(drafts_put(f->s, sid, doc, f->t0, &e), 0);
	assert_int_equal(accounts_logout(f->s, sid, f->t0, &e), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM drafts"), 0);
	json_decref(doc);
}

/* A register made before accounts existed (schema 1) gains them. */
static void test_migration(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	f->s = NULL;
	fx_raw_exec(f->path, "DROP INDEX incidents_closed;"
			  "ALTER TABLE incidents DROP COLUMN pseudonymised_at;"
			  "DROP TABLE rollup; DROP TABLE rollup_times; DROP TABLE meta;"
			  "ALTER TABLE incident_types DROP COLUMN control;"
			  "ALTER TABLE incident_subjects DROP COLUMN engagement;"
			  "DROP TABLE hr_outcomes; DROP TABLE ico_decisions;"
			  "DROP TABLE drafts;"
			  "DROP TABLE sessions; DROP TABLE api_tokens; DROP TABLE accounts;");
	fx_raw_exec(f->path, fx_pg() ? "UPDATE breachreg_schema SET version = 1"
				     : "PRAGMA user_version = 1");
	assert_int_equal(fx_raw_int(f->path, fx_pg() ? "SELECT count(*) FROM pg_tables WHERE"
						       " tablename = 'accounts'"
						     : "SELECT count(*) FROM sqlite_master WHERE name = "
						       "'accounts'"),
			 0);
	{
		struct err e = {0};
		assert_int_equal(store_open(f->path, &f->s, &e), 0);
	}
	assert_int_equal(fx_raw_int(f->path, fx_pg() ? "SELECT version FROM breachreg_schema"
						     : "PRAGMA user_version"),
			 6);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM people"), 2);
	add_alice(f);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM accounts"), 1);
}

int main(void)
{
	if (fx_backend_missing())
		return FX_SKIP;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_add, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_roles_disable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_login, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drafts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
	};

	alloc_install_json();
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("accounts", tests, NULL, NULL);
}
