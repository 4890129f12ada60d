/* facts: parsing of assessment input (see facts.h). */
#include "core/facts.h"

#include <stdio.h>
#include <string.h>

#include "core/catalogue.h"
#include "core/jsonx.h"

void facts_init(struct facts *f)
{
	memset(f, 0, sizeof *f);
	f->classification = CLS_NONE;
	f->intent = INT_NEGLIGENT;
	f->damage = DMG_LOW;
	f->subject.engagement = ENG_EMPLOYEE;
	f->subject.probation_until = DATE_NONE;
	f->subject.clearance = CLR_BPSS;
	f->subject.discipline_policy = -1;
	snprintf(f->subject.org, sizeof f->subject.org, "%s", CATALOGUE_ROOT_ORG);
	f->discovered_at = TS_NONE;
	f->today = DATE_NONE;
}

int facts_guidance_code(const json_t *in, char out[CODE_MAX], struct err *e)
{
	if (jsonx_code(in, "guidance", "guidance", false, out, CODE_MAX, e))
		return -1;
	if (out[0] && !jsonx_is_code(out))
		return err_set(e, ERR_INVALID, "guidance", "invalid organisation code \"%s\"", out);
	return 0;
}

static int parse_types(struct facts *f, const json_t *in, const struct guidance *g, struct err *e)
{
	const json_t *types = json_object_get(in, "types");
	char name[32];
	size_t i;
	const json_t *t;
	if (!types || json_is_null(types))
		return err_set(e, ERR_INVALID, "types", "\"types\" is required: one or more breach types");
	if (!json_is_array(types))
		return err_set(e, ERR_INVALID, "types", "\"types\" must be an array of breach type codes");
	if (json_array_size(types) == 0)
		return err_set(e, ERR_INVALID, "types", "\"types\" must name at least one breach type");
	if (json_array_size(types) > FACTS_MAX_TYPES)
		return err_set(e, ERR_INVALID, "types", "\"types\" may name at most %d breach types",
			       FACTS_MAX_TYPES);
	f->ntypes = 0;
	json_array_foreach(types, i, t)
	{
		snprintf(name, sizeof name, "types[%zu]", i);
		if (!json_is_string(t))
			return err_set(e, ERR_INVALID, name, "\"%s\" must be a string, not %s", name,
				       jsonx_type_name(t));
		int at = guidance_find(g, json_string_value(t));
		if (at < 0)
			return err_set(e, ERR_INVALID, name, "unknown breach type \"%.64s\" in guidance %s",
				       json_string_value(t), g->version);
		bool dup = false;
		for (int k = 0; k < f->ntypes; k++)
			dup |= f->types[k] == at;
		if (!dup)
			f->types[f->ntypes++] = (uint16_t)at;
	}
	return 0;
}

static int parse_subject(struct subject_fact *s, const json_t *in, struct err *e)
{
	const json_t *sub = json_object_get(in, "subject");
	int v;
	if (!sub || json_is_null(sub))
		return 0;
	if (!json_is_object(sub))
		return err_set(e, ERR_INVALID, "subject", "\"subject\" must be an object");
	if (jsonx_enum(sub, "engagement", "subject.engagement", &vocab_engagement, s->engagement, &v,
		       e))
		return -1;
	s->engagement = (enum engagement)v;
	if (jsonx_bool(sub, "on_probation", "subject.on_probation", false, &s->on_probation, e))
		return -1;
	if (jsonx_date(sub, "probation_until", "subject.probation_until", DATE_NONE,
		       &s->probation_until, e))
		return -1;
	if (jsonx_enum(sub, "clearance", "subject.clearance", &vocab_clearance, s->clearance, &v, e))
		return -1;
	s->clearance = (enum clearance)v;
	if (jsonx_code(sub, "org", "subject.org", false, s->org, sizeof s->org, e))
		return -1;
	if (!s->org[0])
		snprintf(s->org, sizeof s->org, "%s", CATALOGUE_ROOT_ORG);
	else if (!jsonx_is_code(s->org))
		return err_set(e, ERR_INVALID, "subject.org", "invalid organisation code \"%s\"", s->org);
	if (jsonx_enum(sub, "discipline_policy", "subject.discipline_policy", &vocab_discipline, -1,
		       &s->discipline_policy, e))
		return -1;
	return 0;
}

static int parse_warnings(struct facts *f, const json_t *in, struct err *e)
{
	const json_t *ws = json_object_get(in, "warnings");
	char name[64];
	size_t i;
	const json_t *w;
	if (!ws || json_is_null(ws))
		return 0;
	if (!json_is_array(ws))
		return err_set(e, ERR_INVALID, "warnings", "\"warnings\" must be an array");
	if (json_array_size(ws) > FACTS_MAX_WARNINGS)
		return err_set(e, ERR_INVALID, "warnings", "\"warnings\" may hold at most %d entries",
			       FACTS_MAX_WARNINGS);
	json_array_foreach(ws, i, w)
	{
		struct warning_fact *wf = &f->warnings[i];
		int level;
		snprintf(name, sizeof name, "warnings[%zu]", i);
		if (!json_is_object(w))
			return err_set(e, ERR_INVALID, name, "\"%s\" must be an object", name);
		snprintf(name, sizeof name, "warnings[%zu].level", i);
		if (!json_object_get(w, "level"))
			return err_set(e, ERR_INVALID, name, "\"%s\" is required", name);
		if (jsonx_enum(w, "level", name, &vocab_warning_level, 0, &level, e))
			return -1;
		wf->level = (enum warning_level)level;
		snprintf(name, sizeof name, "warnings[%zu].issued_on", i);
		if (!json_object_get(w, "issued_on"))
			return err_set(e, ERR_INVALID, name, "\"%s\" is required", name);
		if (jsonx_date(w, "issued_on", name, DATE_NONE, &wf->issued_on, e))
			return -1;
	}
	f->nwarnings = (int)json_array_size(ws);
	return 0;
}

int facts_parse(struct facts *f, const json_t *in, const struct guidance *g, struct err *e)
{
	int v;
	bool special = false;
	int64_t records = 0;
	if (!json_is_object(in))
		return err_set(e, ERR_INVALID, "", "facts must be a JSON object");
	if (parse_types(f, in, g, e))
		return -1;
	if (jsonx_enum(in, "classification", "classification", &vocab_classification,
		       f->classification, &v, e))
		return -1;
	f->classification = (enum classification)v;
	if (jsonx_bool(in, "strap", "strap", f->strap, &f->strap, e) ||
	    jsonx_bool(in, "third_party_disclosure", "third_party_disclosure",
		       f->third_party_disclosure, &f->third_party_disclosure, e) ||
	    jsonx_bool(in, "authorised", "authorised", f->authorised, &f->authorised, e) ||
	    jsonx_bool(in, "criminal", "criminal", f->criminal, &f->criminal, e))
		return -1;
	const json_t *pd = json_object_get(in, "personal_data");
	if (pd && !json_is_null(pd)) {
		if (!json_is_object(pd))
			return err_set(e, ERR_INVALID, "personal_data",
				       "\"personal_data\" must be an object {records, special_category}");
		if (jsonx_int(pd, "records", "personal_data.records", 0, INT64_C(10000000000), 0,
			      &records, e) ||
		    jsonx_bool(pd, "special_category", "personal_data.special_category", false,
			       &special, e))
			return -1;
	}
	f->records = records;
	f->special_category = special;
	if (jsonx_enum(in, "intent", "intent", &vocab_intent, f->intent, &v, e))
		return -1;
	f->intent = (enum intent)v;
	if (jsonx_enum(in, "damage", "damage", &vocab_damage, f->damage, &v, e))
		return -1;
	f->damage = (enum damage)v;
	if (parse_subject(&f->subject, in, e) || parse_warnings(f, in, e))
		return -1;
	if (jsonx_ts(in, "discovered_at", "discovered_at", f->discovered_at, &f->discovered_at, e) ||
	    jsonx_date(in, "today", "today", f->today, &f->today, e))
		return -1;
	return facts_guidance_code(in, f->guidance, e);
}

json_t *facts_to_json(const struct facts *f, const struct guidance *g)
{
	json_t *types = json_array(), *ws = json_array();
	char d[DATE_BUF], t[TS_BUF];
	for (int i = 0; i < f->ntypes; i++)
		json_array_append_new(types, json_string(g->types[f->types[i]].code));
	for (int i = 0; i < f->nwarnings; i++) {
		date_format(f->warnings[i].issued_on, d);
		json_array_append_new(ws, json_pack("{s:s, s:s}", "level",
						    vocab_name(&vocab_warning_level, f->warnings[i].level),
						    "issued_on", d));
	}
	json_t *sub = json_pack("{s:s, s:b, s:s, s:s}", "engagement",
				vocab_name(&vocab_engagement, f->subject.engagement), "on_probation",
				f->subject.on_probation, "clearance",
				vocab_name(&vocab_clearance, f->subject.clearance), "org",
				f->subject.org);
	if (f->subject.probation_until != DATE_NONE) {
		date_format(f->subject.probation_until, d);
		json_object_set_new(sub, "probation_until", json_string(d));
	}
	if (f->subject.discipline_policy >= 0)
		json_object_set_new(sub, "discipline_policy",
				    json_string(vocab_name(&vocab_discipline,
							   f->subject.discipline_policy)));
	json_t *o = json_pack(
		"{s:o, s:s, s:b, s:{s:I, s:b}, s:b, s:b, s:b, s:s, s:s, s:o, s:o}", "types", types,
		"classification", vocab_name(&vocab_classification, f->classification), "strap",
		f->strap, "personal_data", "records", (json_int_t)f->records, "special_category",
		f->special_category, "third_party_disclosure", f->third_party_disclosure,
		"authorised", f->authorised, "criminal", f->criminal, "intent",
		vocab_name(&vocab_intent, f->intent), "damage", vocab_name(&vocab_damage, f->damage),
		"subject", sub, "warnings", ws);
	if (f->discovered_at != TS_NONE) {
		date_format_ts(f->discovered_at, t);
		json_object_set_new(o, "discovered_at", json_string(t));
	}
	if (f->today != DATE_NONE) {
		date_format(f->today, d);
		json_object_set_new(o, "today", json_string(d));
	}
	if (f->guidance[0])
		json_object_set_new(o, "guidance", json_string(f->guidance));
	return o;
}
