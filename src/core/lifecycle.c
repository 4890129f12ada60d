/* lifecycle: transition table and checks (see lifecycle.h). */
#include "core/lifecycle.h"

#include <stdio.h>
#include <string.h>

enum who { ANYONE, SECURITY };

static const struct transition {
	enum state from, to;
	bool reason;
	enum who who;
} transitions[] = {
	{ST_REPORTED, ST_TRIAGED, false, ANYONE},
	{ST_TRIAGED, ST_INVESTIGATING, false, ANYONE},
	{ST_INVESTIGATING, ST_AWAITING_DECISION, false, ANYONE},
	{ST_AWAITING_DECISION, ST_DECIDED, false, ANYONE},
	{ST_DECIDED, ST_CLOSED, false, ANYONE},
	/* Sent back for more investigation before a decision. */
	{ST_AWAITING_DECISION, ST_INVESTIGATING, true, ANYONE},
	{ST_REPORTED, ST_UNFOUNDED, true, ANYONE},
	{ST_TRIAGED, ST_UNFOUNDED, true, ANYONE},
	{ST_INVESTIGATING, ST_UNFOUNDED, true, ANYONE},
	{ST_AWAITING_DECISION, ST_UNFOUNDED, true, ANYONE},
	{ST_DECIDED, ST_UNFOUNDED, true, ANYONE},
	{ST_REPORTED, ST_WITHDRAWN, true, ANYONE},
	{ST_TRIAGED, ST_WITHDRAWN, true, ANYONE},
	{ST_INVESTIGATING, ST_WITHDRAWN, true, ANYONE},
	{ST_AWAITING_DECISION, ST_WITHDRAWN, true, ANYONE},
	{ST_DECIDED, ST_WITHDRAWN, true, ANYONE},
	/* Reopened. */
	{ST_CLOSED, ST_INVESTIGATING, true, SECURITY},
	{ST_UNFOUNDED, ST_INVESTIGATING, true, SECURITY},
	{ST_WITHDRAWN, ST_INVESTIGATING, true, SECURITY},
};
#define NTRANS (sizeof transitions / sizeof transitions[0])

int lifecycle_parse_target(const char *s, enum state *to, struct err *e)
{
	int st = vocab_parse(&vocab_state, s);
	if (s && (strcmp(s, "reopened") == 0 || strcmp(s, "reopen") == 0))
		st = ST_INVESTIGATING;
	if (st < 0) {
		char list[256];
		vocab_list(&vocab_state, list, sizeof list);
		return err_set(e, ERR_INVALID, "status",
			       "invalid state \"%.64s\", expected one of: %s, reopened", s ? s : "",
			       list);
	}
	*to = (enum state)st;
	return 0;
}

bool lifecycle_is_open(enum state s)
{
	return s != ST_CLOSED && s != ST_UNFOUNDED && s != ST_WITHDRAWN;
}

int lifecycle_allowed(enum state from, bool security, enum state out[ST_COUNT])
{
	int n = 0;
	for (size_t i = 0; i < NTRANS; i++)
		if (transitions[i].from == from && (transitions[i].who == ANYONE || security))
			out[n++] = transitions[i].to;
	return n;
}

bool lifecycle_needs_reason(enum state from, enum state to)
{
	for (size_t i = 0; i < NTRANS; i++)
		if (transitions[i].from == from && transitions[i].to == to)
			return transitions[i].reason;
	return false;
}

int lifecycle_check(enum state from, enum state to, bool security, bool has_reason, struct err *e)
{
	for (size_t i = 0; i < NTRANS; i++) {
		const struct transition *t = &transitions[i];
		if (t->from != from || t->to != to)
			continue;
		if (t->who == SECURITY && !security)
			return err_set(e, ERR_FORBIDDEN, "status",
				       "only the security team may reopen an incident");
		if (t->reason && !has_reason)
			return err_set(e, ERR_INVALID, "reason",
				       "moving from \"%s\" to \"%s\" needs a reason",
				       vocab_name(&vocab_state, from), vocab_name(&vocab_state, to));
		return 0;
	}
	enum state next[ST_COUNT];
	int n = lifecycle_allowed(from, security, next);
	char list[256] = "";
	int off = 0;
	for (int i = 0; i < n; i++)
		off += snprintf(list + off, sizeof list - (size_t)off, "%s%s", i ? ", " : "",
				vocab_name(&vocab_state, next[i]));
	return err_set(e, ERR_CONFLICT, "status",
		       "cannot move from \"%s\" to \"%s\"; allowed next states: %s",
		       vocab_name(&vocab_state, from), vocab_name(&vocab_state, to),
		       n ? list : "none");
}
