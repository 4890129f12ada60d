/* drafts: the report journey's answers (see drafts.h). */
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "service/drafts.h"
#include "service/registry.h"

int drafts_get(struct store *s, const char *sid, json_t **out, struct err *e)
{
	char hash[ACCOUNT_HASH_HEX];
	char *doc = NULL;
	struct err ge = {0};
	json_error_t je;

	*out = NULL;
	account_secret_hash(sid, hash);
	if (s->ops->draft_get(s, hash, &doc, &ge)) {
		if (ge.kind != ERR_NOT_FOUND) {
			*e = ge;
			return -1;
		}
		*out = json_object();
		return 0;
	}
	*out = json_loads(doc, 0, &je);
	free(doc);
	if (!json_is_object(*out)) {
		/* Ours alone wrote it; a damaged one is dropped, not fatal. */
		json_decref(*out);
		*out = json_object();
	}
	return 0;
}

int drafts_put(struct store *s, const char *sid, const json_t *doc, ts_t now, struct err *e)
{
	char hash[ACCOUNT_HASH_HEX];
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	int ret = -1;

	account_secret_hash(sid, hash);
	if (!text) {
		err_set(e, ERR_INVALID, "draft", "the answers cannot be kept");
		goto out;
	}
	if (strlen(text) > DRAFTS_MAX_BYTES) {
		err_set(e, ERR_INVALID, "draft", "the answers are longer than %d bytes in all",
			DRAFTS_MAX_BYTES);
		goto out;
	}
	if (s->ops->begin(s, e))
		goto out;
	if (s->ops->draft_put(s, hash, text, now, e)) {
		s->ops->rollback(s);
		goto out;
	}
	if (s->ops->commit(s, e))
		goto out;
	ret = 0;
out:
	free(text);
	return ret;
}

int drafts_report(struct store *s, const struct actor *a, const char *sid, const json_t *in,
		  ts_t now, struct incident *out, struct err *e)
{
	char hash[ACCOUNT_HASH_HEX];

	account_secret_hash(sid, hash);
	if (s->ops->begin(s, e))
		return -1;
	/* registry_report's own transaction nests inside this one. */
	if (registry_report(s, a, in, now, out, e) || s->ops->draft_delete(s, hash, e)) {
		s->ops->rollback(s);
		return -1;
	}
	return s->ops->commit(s, e);
}
