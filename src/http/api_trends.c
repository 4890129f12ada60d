/* api_trends: the central record over HTTP (SPEC 5, 6.2): trends, signals
 * and the quarterly return, with the same parameters as the CLI. */
#include <string.h>

#include "http/http.h"
#include "service/registry.h"

struct args {
	struct trends_query *q;
	struct err *e;
	bool failed;
};

/* Every query parameter, repeats included (?by=month&by=org, or
 * ?by=month,org). */
static enum MHD_Result trend_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct args *a = cls;
	char buf[256];

	(void)kind;
	if (a->failed)
		return MHD_NO;
	if (strcmp(key, "by") == 0 && value && strchr(value, ',')) {
		char *save = NULL;
		snprintf(buf, sizeof buf, "%s", value);
		for (char *t = strtok_r(buf, ",", &save); t && !a->failed;
		     t = strtok_r(NULL, ",", &save))
			a->failed = trends_query_set(a->q, "by", t, a->e) != 0;
	} else {
		a->failed = trends_query_set(a->q, key, value ? value : "", a->e) != 0;
	}
	return a->failed ? MHD_NO : MHD_YES;
}

enum MHD_Result api_trends(struct req *r)
{
	struct err e = {0};
	struct trends_query q;
	struct args a = {.q = &q, .e = &e};
	json_t *out = NULL;

	trends_query_init(&q);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, trend_arg, &a);
	if (a.failed || registry_trends(r->store, &r->actor, &q, &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 200, out);
}

enum MHD_Result api_signals(struct req *r)
{
	struct err e = {0};
	struct signals_query q;
	const char *month = req_arg(r, "month"), *org = req_arg(r, "org");
	json_t *out = NULL;

	signals_query_init(&q);
	if (month && (strchr(month, 'Q') || rollup_period_parse(month, false, &q.month))) {
		err_set(&e, ERR_INVALID, "month", "\"month\" must be a month YYYY-MM");
		return reply_err(r, &e);
	}
	if (org) {
		struct trends_query tq;
		trends_query_init(&tq);
		if (trends_query_set(&tq, "org", org, &e))
			return reply_err(r, &e);
		snprintf(q.org, sizeof q.org, "%s", org);
	}
	if (registry_signals(r->store, &r->actor, &q, r->now, &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 200, out);
}

enum MHD_Result api_return(struct req *r)
{
	struct err e = {0};
	const char *quarter = r->params[0];
	json_t *out = NULL;
	int month;

	if (!quarter || !strchr(quarter, 'Q') || rollup_period_parse(quarter, false, &month)) {
		err_set(&e, ERR_INVALID, "quarter", "\"quarter\" must be YYYYQn, e.g. 2026Q3");
		return reply_err(r, &e);
	}
	if (registry_return(r->store, &r->actor, month, &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 200, out);
}
