/* account: account, token and session records (see account.h). */
#include "core/account.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authz.h"
#include "core/jsonx.h"

_Static_assert(ACCOUNT_PW_HASH_MAX == crypto_pwhash_STRBYTES, "Argon2id string buffer");
_Static_assert(ACCOUNT_SID_BUF ==
		   sodium_base64_ENCODED_LEN(ACCOUNT_SECRET_BYTES,
					     sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	       "a session id is 32 bytes in unpadded base64url");
_Static_assert(ACCOUNT_HASH_HEX == crypto_hash_sha256_BYTES * 2 + 1, "SHA-256 hex");
_Static_assert(ACCOUNT_CSRF_BUF == ACCOUNT_SECRET_BYTES * 2 + 1, "CSRF token hex");

#define ALL_ROLES ((1u << ROLE_COUNT) - 1)

void account_init(struct account *a)
{
	memset(a, 0, sizeof *a);
	a->roles = ROLE_BIT(ROLE_REPORTER);
	a->created_at = TS_NONE;
	a->locked_until = TS_NONE;
}

void account_release(struct account *a)
{
	/* Nothing is owned; the hash is wiped so a released record leaves
	 * no copy of it behind on the stack. */
	sodium_memzero(a->pw_hash, sizeof a->pw_hash);
}

void account_list_free(struct account *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		account_release(&list[i]);
	free(list);
}

int account_validate(const struct account *a, struct err *e)
{
	if (!account_name_valid(a->name))
		return err_set(
		    e, ERR_INVALID, "name",
		    "invalid account name \"%.64s\": 1 to 64 of lowercase letters, digits, "
		    "'.', '_' or '-', starting with a letter or digit",
		    a->name);
	if (!jsonx_is_staff_id(a->staff_id))
		return err_set(e, ERR_INVALID, "person", "invalid staff id \"%.32s\"", a->staff_id);
	if (a->roles & ~ALL_ROLES)
		return err_set(e, ERR_INVALID, "role", "unknown role bits 0x%x",
			       a->roles & ~ALL_ROLES);
	if (!(a->roles & ROLE_BIT(ROLE_REPORTER)))
		return err_set(e, ERR_INVALID, "role", "every account is a \"reporter\"");
	return 0;
}

json_t *account_to_json(const struct account *a)
{
	return json_pack("{s:s, s:s, s:o, s:b, s:o, s:i, s:o}", "name", a->name, "staff_id",
			 a->staff_id, "roles", account_roles_to_json(a->roles), "disabled",
			 a->disabled, "created_at", jsonx_ts_value(a->created_at), "failed_logins",
			 a->failed_logins, "locked_until", jsonx_ts_value(a->locked_until));
}

void api_token_init(struct api_token *t)
{
	memset(t, 0, sizeof *t);
	t->created_at = TS_NONE;
	t->last_used_at = TS_NONE;
	t->revoked_at = TS_NONE;
}

void api_token_release(struct api_token *t)
{
	(void)t;
}

void api_token_list_free(struct api_token *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		api_token_release(&list[i]);
	free(list);
}

json_t *api_token_to_json(const struct api_token *t)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:b}", "id", (json_int_t)t->id, "account",
			 t->account, "label", t->label[0] ? json_string(t->label) : json_null(),
			 "created_at", jsonx_ts_value(t->created_at), "last_used_at",
			 jsonx_ts_value(t->last_used_at), "revoked_at", jsonx_ts_value(t->revoked_at), "revoked",
			 t->revoked_at != TS_NONE);
}

void session_init(struct session *s)
{
	memset(s, 0, sizeof *s);
	s->created_at = TS_NONE;
	s->last_seen_at = TS_NONE;
	s->expires_at = TS_NONE;
}

void session_release(struct session *s)
{
	sodium_memzero(s->csrf, sizeof s->csrf);
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool account_name_valid(const char *s)
{
	size_t n;

	if (!s || !is_lower_alnum(s[0]))
		return false;
	for (n = 0; s[n]; n++)
		if (!is_lower_alnum(s[n]) && s[n] != '.' && s[n] != '_' && s[n] != '-')
			return false;
	return n < ACCOUNT_NAME_MAX;
}

int account_password_check(const char *password, struct err *e)
{
	size_t n = password ? strlen(password) : 0;

	if (n == 0)
		return err_set(e, ERR_INVALID, "password", "\"password\" is required");
	if (n < ACCOUNT_PASSWORD_MIN)
		return err_set(e, ERR_INVALID, "password",
			       "\"password\" is too short (at least %d bytes)",
			       ACCOUNT_PASSWORD_MIN);
	if (n > ACCOUNT_PASSWORD_MAX)
		return err_set(e, ERR_INVALID, "password",
			       "\"password\" is too long (at most %d bytes)", ACCOUNT_PASSWORD_MAX);
	return 0;
}

int account_label_check(const char *label, struct err *e)
{
	size_t n = label ? strlen(label) : 0;

	if (n >= ACCOUNT_LABEL_MAX)
		return err_set(e, ERR_INVALID, "label", "\"label\" is too long (at most %d bytes)",
			       ACCOUNT_LABEL_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f)
			return err_set(e, ERR_INVALID, "label",
				       "\"label\" must not contain control characters");
	return 0;
}

void account_roles_format(unsigned roles, char *buf, size_t size)
{
	size_t off = 0;

	if (size)
		buf[0] = '\0';
	for (int r = 0; r < ROLE_COUNT && off < size; r++) {
		if (!(roles & ROLE_BIT(r)))
			continue;
		int n = snprintf(buf + off, size - off, "%s%s", off ? "," : "",
				 vocab_name(&vocab_role, r));
		if (n < 0)
			return;
		off += (size_t)n;
	}
}

int account_roles_parse(const char *text, unsigned *out)
{
	char word[32];
	unsigned roles = 0;
	const char *p = text;

	*out = 0;
	if (!text || !*text)
		return -1;
	for (;;) {
		size_t n = strcspn(p, ",");
		int r;

		if (n == 0 || n >= sizeof word)
			return -1;
		memcpy(word, p, n);
		word[n] = '\0';
		if ((r = vocab_parse(&vocab_role, word)) < 0)
			return -1;
		roles |= ROLE_BIT(r);
		if (!p[n])
			break;
		p += n + 1;
	}
	*out = roles;
	return 0;
}

json_t *account_roles_to_json(unsigned roles)
{
	json_t *arr = json_array();

	for (int r = 0; r < ROLE_COUNT; r++)
		if (roles & ROLE_BIT(r))
			json_array_append_new(arr, json_string(vocab_name(&vocab_role, r)));
	return arr;
}

void account_secret_hash(const char *secret, char out[ACCOUNT_HASH_HEX])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(out, ACCOUNT_HASH_HEX, digest, sizeof digest);
}

static bool is_b64url(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return s[len] == '\0';
}

bool account_sid_shape(const char *sid)
{
	return sid && strnlen(sid, ACCOUNT_SID_BUF) == ACCOUNT_SID_LEN &&
	       is_b64url(sid, ACCOUNT_SID_LEN);
}

bool account_token_shape(const char *token)
{
	size_t plen = strlen(ACCOUNT_TOKEN_PREFIX);

	return token && strncmp(token, ACCOUNT_TOKEN_PREFIX, plen) == 0 &&
	       account_sid_shape(token + plen);
}

bool account_csrf_equal(const char *expected, const char *given)
{
	size_t n;

	if (!expected || !given || !expected[0])
		return false;
	n = strlen(expected);
	if (strnlen(given, n + 1) != n)
		return false;
	return sodium_memcmp(expected, given, n) == 0;
}
