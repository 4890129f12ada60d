/* audit: canonical encoding, SHA-256 chain and verification (see
 * audit.h). */
#include "core/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

void audit_entry_release(struct audit_entry *a)
{
	free(a->detail);
	a->detail = NULL;
}

char *audit_detail(json_t *detail)
{
	if (!detail)
		detail = json_object();
	char *s = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(detail);
	return s ? s : xstrdup("{}");
}

/* Netstring-style field: "<len>:<bytes>," so no field can bleed into the
 * next whatever it contains. */
static void put(crypto_hash_sha256_state *st, const char *s)
{
	char len[24];
	size_t n = s ? strlen(s) : 0;
	int l = snprintf(len, sizeof len, "%zu:", n);
	crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)l);
	if (n)
		crypto_hash_sha256_update(st, (const unsigned char *)s, n);
	crypto_hash_sha256_update(st, (const unsigned char *)",", 1);
}

void audit_compute(const struct audit_entry *a, char out[AUDIT_HASH_HEX])
{
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char num[24], at[TS_BUF];
	crypto_hash_sha256_init(&st);
	put(&st, "breachreg-audit-v1");
	snprintf(num, sizeof num, "%lld", (long long)a->seq);
	put(&st, num);
	date_format_ts(a->at, at);
	put(&st, at);
	put(&st, a->actor);
	put(&st, a->action);
	put(&st, a->entity);
	put(&st, a->detail ? a->detail : "{}");
	put(&st, a->prev);
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(out, AUDIT_HASH_HEX, digest, sizeof digest);
}

void audit_verify_init(struct audit_verifier *v)
{
	v->count = 0;
	v->expect_seq = 1;
	snprintf(v->prev, sizeof v->prev, "%s", AUDIT_GENESIS);
}

int audit_verify_next(struct audit_verifier *v, const struct audit_entry *a, struct err *e)
{
	char field[48], h[AUDIT_HASH_HEX];
	snprintf(field, sizeof field, "audit[%lld]", (long long)a->seq);
	if (a->seq != v->expect_seq)
		return err_set(e, ERR_INVALID, field,
			       "entry %lld follows entry %lld: entries were removed or reordered "
			       "(expected %lld)",
			       (long long)a->seq, (long long)(v->expect_seq - 1),
			       (long long)v->expect_seq);
	if (strcmp(a->prev, v->prev) != 0)
		return err_set(e, ERR_INVALID, field,
			       "entry %lld does not chain to entry %lld: an entry before it was "
			       "removed, reordered or edited",
			       (long long)a->seq, (long long)(a->seq - 1));
	audit_compute(a, h);
	if (strcmp(h, a->hash) != 0)
		return err_set(e, ERR_INVALID, field,
			       "entry %lld was edited: its content does not match its hash",
			       (long long)a->seq);
	snprintf(v->prev, sizeof v->prev, "%s", a->hash);
	v->expect_seq++;
	v->count++;
	return 0;
}

json_t *audit_entry_to_json(const struct audit_entry *a)
{
	char at[TS_BUF];
	date_format_ts(a->at, at);
	json_t *d = a->detail ? json_loads(a->detail, 0, NULL) : NULL;
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "seq", (json_int_t)a->seq,
			 "at", at, "actor", a->actor, "action", a->action, "entity", a->entity,
			 "detail", d ? d : json_null(), "prev", a->prev, "hash", a->hash);
}
