/* incident: parsing and JSON of incidents, notes, transitions (see
 * incident.h). */
#include "core/incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"

void incident_init(struct incident *inc)
{
	memset(inc, 0, sizeof *inc);
	inc->kind = KIND_BREACH;
	inc->state = ST_REPORTED;
	inc->severity = -1;
	inc->classification = CLS_NONE;
	inc->intent = INT_NEGLIGENT;
	inc->damage = DMG_LOW;
	inc->occurred_at = inc->discovered_at = inc->reported_at = TS_NONE;
	inc->updated_at = inc->closed_at = TS_NONE;
}

void incident_release(struct incident *inc)
{
	free(inc->description);
	free(inc->location);
	inc->description = inc->location = NULL;
}

int incident_org_code(const json_t *in, char out[CODE_MAX], struct err *e)
{
	if (!json_is_object(in))
		return err_set(e, ERR_INVALID, "", "incident must be a JSON object");
	if (jsonx_code(in, "org", "org", true, out, CODE_MAX, e))
		return -1;
	if (!jsonx_is_code(out))
		return err_set(e, ERR_INVALID, "org", "invalid organisation code \"%.64s\"", out);
	return 0;
}

static int parse_subjects(struct incident *inc, const json_t *in, struct err *e)
{
	const json_t *subs = json_object_get(in, "subjects");
	char name[32];
	size_t i;
	const json_t *s;
	inc->nsubjects = 0;
	if (!subs || json_is_null(subs))
		return 0;
	if (!json_is_array(subs))
		return err_set(e, ERR_INVALID, "subjects", "\"subjects\" must be an array of staff ids");
	if (json_array_size(subs) > INCIDENT_MAX_SUBJECTS)
		return err_set(e, ERR_INVALID, "subjects", "\"subjects\" may name at most %d people",
			       INCIDENT_MAX_SUBJECTS);
	json_array_foreach(subs, i, s)
	{
		snprintf(name, sizeof name, "subjects[%zu]", i);
		if (!json_is_string(s) || !jsonx_is_staff_id(json_string_value(s)))
			return err_set(e, ERR_INVALID, name, "\"%s\" must be a staff id", name);
		for (int k = 0; k < inc->nsubjects; k++)
			if (strcmp(inc->subjects[k], json_string_value(s)) == 0)
				return err_set(e, ERR_INVALID, name, "\"%s\" is named twice",
					       json_string_value(s));
		snprintf(inc->subjects[inc->nsubjects++], STAFF_MAX, "%s", json_string_value(s));
	}
	return 0;
}

int incident_parse(struct incident *inc, const json_t *in, const struct guidance *g, ts_t now,
		   struct err *e)
{
	struct facts f;
	const char *desc, *loc;
	int kind;

	if (incident_org_code(in, inc->org, e))
		return -1;
	/* The facts of SPEC 3 share one parser with the engine. */
	facts_init(&f);
	if (facts_parse(&f, in, g, e))
		return -1;
	inc->ntypes = f.ntypes;
	for (int i = 0; i < f.ntypes; i++) {
		snprintf(inc->types[i], CODE_MAX, "%s", g->types[f.types[i]].code);
		inc->controls[i] = g->types[f.types[i]].control;
	}
	inc->classification = f.classification;
	inc->strap = f.strap;
	inc->third_party_disclosure = f.third_party_disclosure;
	inc->authorised = f.authorised;
	inc->criminal = f.criminal;
	inc->records = f.records;
	inc->special_category = f.special_category;
	inc->intent = f.intent;
	inc->damage = f.damage;

	if (jsonx_enum(in, "kind", "kind", &vocab_kind, KIND_BREACH, &kind, e))
		return -1;
	inc->kind = (enum kind)kind;
	if (jsonx_str(in, "description", "description", INCIDENT_DESCRIPTION_MAX, true, NULL, &desc,
		      e) ||
	    jsonx_str(in, "location", "location", INCIDENT_LOCATION_MAX, false, NULL, &loc, e))
		return -1;
	if (jsonx_ts(in, "discovered_at", "discovered_at", now, &inc->discovered_at, e) ||
	    jsonx_ts(in, "occurred_at", "occurred_at", inc->discovered_at, &inc->occurred_at, e))
		return -1;
	if (inc->discovered_at > now + INCIDENT_FUTURE_SLACK)
		return err_set(e, ERR_INVALID, "discovered_at", "\"discovered_at\" is in the future");
	if (inc->occurred_at > inc->discovered_at)
		return err_set(e, ERR_INVALID, "occurred_at",
			       "\"occurred_at\" is after \"discovered_at\"");
	if (jsonx_code(in, "reporter", "reporter", false, inc->reporter, sizeof inc->reporter, e))
		return -1;
	if (inc->reporter[0] && !jsonx_is_staff_id(inc->reporter))
		return err_set(e, ERR_INVALID, "reporter", "\"reporter\" must be a staff id");
	if (jsonx_bool(in, "confidential_reporter", "confidential_reporter", false,
		       &inc->confidential_reporter, e))
		return -1;
	if (parse_subjects(inc, in, e))
		return -1;
	inc->reported_at = inc->updated_at = now;
	inc->state = ST_REPORTED;
	free(inc->description);
	free(inc->location);
	inc->description = xstrdup(desc);
	inc->location = loc && loc[0] ? xstrdup(loc) : NULL;
	return 0;
}

json_t *incident_facts_json(const struct incident *inc)
{
	json_t *types = json_array();
	for (int i = 0; i < inc->ntypes; i++)
		json_array_append_new(types, json_string(inc->types[i]));
	return json_pack("{s:o, s:s, s:b, s:{s:I, s:b}, s:b, s:b, s:b, s:s, s:s, s:o}", "types",
			 types, "classification",
			 vocab_name(&vocab_classification, inc->classification), "strap", inc->strap,
			 "personal_data", "records", (json_int_t)inc->records, "special_category",
			 inc->special_category, "third_party_disclosure",
			 inc->third_party_disclosure, "authorised", inc->authorised, "criminal",
			 inc->criminal, "intent", vocab_name(&vocab_intent, inc->intent), "damage",
			 vocab_name(&vocab_damage, inc->damage), "discovered_at",
			 jsonx_ts_value(inc->discovered_at));
}

json_t *incident_to_json(const struct incident *inc, bool show_reporter)
{
	json_t *o = incident_facts_json(inc);
	json_t *subs = json_array();
	for (int i = 0; i < inc->nsubjects; i++)
		json_array_append_new(subs, json_string(inc->subjects[i]));
	json_object_set_new(o, "ref", json_string(inc->ref));
	json_object_set_new(o, "kind", json_string(vocab_name(&vocab_kind, inc->kind)));
	json_object_set_new(o, "org", json_string(inc->org));
	json_object_set_new(o, "status", json_string(vocab_name(&vocab_state, inc->state)));
	json_object_set_new(o, "severity",
			    inc->severity >= 0
				    ? json_string(vocab_name(&vocab_severity, inc->severity))
				    : json_null());
	json_object_set_new(o, "description", json_string(inc->description ? inc->description : ""));
	json_object_set_new(o, "location", inc->location ? json_string(inc->location) : json_null());
	json_object_set_new(o, "occurred_at", jsonx_ts_value(inc->occurred_at));
	json_object_set_new(o, "reported_at", jsonx_ts_value(inc->reported_at));
	json_object_set_new(o, "updated_at", jsonx_ts_value(inc->updated_at));
	json_object_set_new(o, "closed_at", jsonx_ts_value(inc->closed_at));
	json_object_set_new(o, "reporter",
			    show_reporter && inc->reporter[0] ? json_string(inc->reporter)
							      : json_null());
	json_object_set_new(o, "confidential_reporter", json_boolean(inc->confidential_reporter));
	json_object_set_new(o, "subjects", subs);
	return o;
}

void incident_note_release(struct incident_note *n)
{
	free(n->body);
	n->body = NULL;
}

void incident_note_list_free(struct incident_note *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		incident_note_release(&list[i]);
	free(list);
}

json_t *incident_note_to_json(const struct incident_note *n)
{
	return json_pack("{s:s, s:s, s:o}", "author", n->author, "text", n->body ? n->body : "",
			 "at", jsonx_ts_value(n->at));
}

void incident_transition_release(struct incident_transition *t)
{
	free(t->reason);
	t->reason = NULL;
}

void incident_transition_list_free(struct incident_transition *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		incident_transition_release(&list[i]);
	free(list);
}

json_t *incident_transition_to_json(const struct incident_transition *t)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:o}", "from", vocab_name(&vocab_state, t->from),
			 "to", vocab_name(&vocab_state, t->to), "reason",
			 t->reason ? json_string(t->reason) : json_null(), "actor", t->actor, "at",
			 jsonx_ts_value(t->at));
}
