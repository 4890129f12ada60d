/* registry_notice: one breach notice by its number, as its addressee or a
 * case reader sees it, and its acknowledgement by the addressee (see
 * registry.h). Issuing one is registry_notice (registry_incident.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "service/registry.h"
#include "service/registry_internal.h"

/* The Security Breach Policy's statements, in a line each, for the
 * notice's policy references. */
static const struct {
	const char *code, *text;
} policy_statements[] = {
    {"POLSBP001", "Everyone, including contractors and agency staff, shall observe security "
		  "policies."},
    {"POLSBP002", "Security breaches shall be identified, investigated and recorded centrally."},
    {"POLSBP003", "A breach of security responsibilities is misconduct, graded minor, serious or "
		  "gross by the published guidance; managers decide on the damage, the intent "
		  "and previous warnings."},
    {"POLSBP004", "Security procedures apply equally to all who work in the MoJ."},
    {"POLSBP005", "Disciplinary matters follow the MoJ (or HMPPS) Disciplinary Policy; those on "
		  "probation follow the probation policy."},
    {"POLSBP006", "A breach can lead to a breach notice, which might start disciplinary "
		  "procedures; repeated or deliberate breaches are judged more severely."},
};

/* Adds code to the set once. */
static void policy_add(json_t *set, const char *code)
{
	if (code && strncmp(code, "POLSBP", 6) == 0)
		json_object_set_new(set, code, json_true());
}

/* The statements the notice rests on: those its document names and those
 * the subject's assessment explained itself by, in the policy's order. */
static json_t *policy_refs(const json_t *doc, const struct assessment_record *as)
{
	json_t *set = json_object(), *out = json_array(), *v;
	size_t i;
	json_array_foreach(json_object_get(doc, "policy"), i, v)
	    policy_add(set, json_string_value(v));
	json_t *res = as && as->result ? json_loads(as->result, 0, NULL) : NULL;
	json_array_foreach(json_object_get(res, "explanation"), i, v)
	    policy_add(set, json_string_value(json_object_get(v, "policy")));
	json_decref(res);
	for (size_t k = 0; k < sizeof policy_statements / sizeof policy_statements[0]; k++)
		if (json_object_get(set, policy_statements[k].code))
			json_array_append_new(out, json_pack("{s:s, s:s}", "code",
							     policy_statements[k].code, "text",
							     policy_statements[k].text));
	json_decref(set);
	return out;
}

/* Loads notice number for a: its addressee, or one who may see the case
 * file of its incident. Anyone else gets ERR_NOT_FOUND, as for a notice
 * that does not exist. *self says whether a is the addressee. */
static int notice_for(struct store *s, const struct actor *a, const char *number, struct notice *n,
		      struct incident *inc, bool *self, struct err *e)
{
	unsigned perms = 0;
	if (s->ops->notice_get(s, number, n, e))
		return -1;
	*self = !a->system && a->staff_id[0] && strcmp(a->staff_id, n->subject) == 0;
	if (reg_incident_for(s, a, n->ref, PERM_SEE, inc, &perms, e)) {
		if (e->kind != ERR_NOT_FOUND && e->kind != ERR_FORBIDDEN)
			return -1;
		/* The addressee sees their notice even when they may not see
		 * the incident at all. */
		if (!*self)
			goto hidden;
		err_clear(e);
		incident_release(inc);
		incident_init(inc);
		if (s->ops->incident_get(s, n->ref, inc, e))
			return -1;
		return 0;
	}
	if (*self || (perms & PERM_SEE_CASE))
		return 0;
hidden:
	return err_set(e, ERR_NOT_FOUND, "number", "no breach notice \"%.32s\"", number);
}

int registry_notice_get(struct store *s, const struct actor *a, const char *number, ts_t now,
			json_t **out, struct err *e)
{
	struct notice n;
	struct incident inc;
	struct assessment_record as = {0};
	struct err nf = {0};
	bool self = false, have_as = false;
	int ret = -1;

	notice_init(&n);
	incident_init(&inc);
	/* A write transaction: the read is audited in the same one. */
	if (s->ops->begin(s, e))
		return -1;
	if (notice_for(s, a, number, &n, &inc, &self, e))
		goto out;
	if (s->ops->assessment_get(s, n.ref, n.subject, &as, &nf) == 0)
		have_as = true;
	else if (nf.kind != ERR_NOT_FOUND) {
		*e = nf;
		goto out;
	}
	if (reg_audit(s, a, now, "incident.read", n.ref,
		      json_pack("{s:s, s:b}", "notice", n.number, "addressee", self), e) ||
	    s->ops->commit(s, e))
		goto out;
	json_t *o = notice_to_json(&n);
	json_t *doc = json_object_get(o, "document");
	json_object_set_new(o, "marking", json_string(registry_marking(&inc)));
	json_object_set_new(o, "policy_refs", policy_refs(doc, have_as ? &as : NULL));
	json_object_set_new(o, "addressee", json_boolean(self));
	json_object_set_new(o, "acknowledged", json_boolean(n.acknowledged_on != DATE_NONE));
	*out = o;
	ret = 0;
out:
	if (ret)
		s->ops->rollback(s);
	notice_release(&n);
	incident_release(&inc);
	assessment_record_release(&as);
	return ret;
}

int registry_notice_acknowledge(struct store *s, const struct actor *a, const char *number,
				ts_t now, struct err *e)
{
	struct notice n;
	struct incident inc;
	bool self = false;
	int ret = -1;

	notice_init(&n);
	incident_init(&inc);
	if (s->ops->begin(s, e))
		return -1;
	if (notice_for(s, a, number, &n, &inc, &self, e))
		goto out;
	if (!self) {
		err_set(e, ERR_FORBIDDEN, "number",
			"only the person breach notice %s is addressed to may acknowledge it",
			n.number);
		goto out;
	}
	date_t today = date_of_ts(now);
	if (s->ops->notice_acknowledge(s, n.number, today, e))
		goto out;
	char on[DATE_BUF];
	date_format(today, on);
	if (reg_audit(s, a, now, "notice.acknowledge", n.number,
		      json_pack("{s:s, s:s, s:s}", "ref", n.ref, "subject", n.subject,
				"acknowledged_on", on),
		      e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	notice_release(&n);
	incident_release(&inc);
	return ret;
}
