/* guidance: resolution of layered, versioned guidance (see guidance.h). */
#include "core/guidance.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/catalogue.h"
#include "core/jsonx.h"

static const char *const default_referral[ENG_COUNT] = {
	[ENG_MINISTER] = "prime-minister",
	[ENG_SPECIAL_ADVISER] = "appointing-minister",
	[ENG_PERMANENT_SECRETARY] = "cabinet-secretary",
	[ENG_JUDICIAL_OFFICER] = "jcio",
};

static const int default_live_months[WRN_COUNT] = {
	[WRN_BREACH_NOTICE] = 12,
	[WRN_WRITTEN] = 6,
	[WRN_FINAL_WRITTEN] = 12,
};

void guidance_init(struct guidance *g)
{
	memset(g, 0, sizeof *g);
	g->significant_records = GUIDANCE_DEFAULT_SIGNIFICANT_RECORDS;
	g->retention_months = GUIDANCE_DEFAULT_RETENTION_MONTHS;
	memcpy(g->live_months, default_live_months, sizeof g->live_months);
	for (int i = 0; i < ENG_COUNT; i++)
		if (default_referral[i])
			snprintf(g->referral[i], CODE_MAX, "%s", default_referral[i]);
}

static struct guidance_type *add_type(struct guidance *g)
{
	g->types = xrealloc(g->types, (g->ntypes + 1) * sizeof *g->types);
	struct guidance_type *t = &g->types[g->ntypes++];
	memset(t, 0, sizeof *t);
	return t;
}

void guidance_init_baseline(struct guidance *g)
{
	static const char label[] = CATALOGUE_ROOT_ORG "/1";
	guidance_init(g);
	for (size_t i = 0; i < catalogue_baseline_count; i++) {
		const struct catalogue_entry *c = &catalogue_baseline[i];
		struct guidance_type *t = add_type(g);
		snprintf(t->code, sizeof t->code, "%s", c->code);
		t->title = xstrdup(c->title);
		t->baseline = t->grade = c->baseline;
		t->control = c->control;
		t->flags = c->flags;
		snprintf(t->defined_by, sizeof t->defined_by, "%s", label);
		snprintf(t->graded_by, sizeof t->graded_by, "%s", label);
	}
	snprintf(g->version, sizeof g->version, "%s", label);
	snprintf(g->chain, sizeof g->chain, "%s", label);
}

void guidance_release(struct guidance *g)
{
	for (size_t i = 0; i < g->ntypes; i++)
		free(g->types[i].title);
	free(g->types);
	g->types = NULL;
	g->ntypes = 0;
}

void guidance_copy(struct guidance *dst, const struct guidance *src)
{
	*dst = *src;
	dst->types = xmalloc((src->ntypes ? src->ntypes : 1) * sizeof *src->types);
	if (src->ntypes)
		memcpy(dst->types, src->types, src->ntypes * sizeof *src->types);
	for (size_t i = 0; i < src->ntypes; i++)
		dst->types[i].title = xstrdup(src->types[i].title);
}

int guidance_find(const struct guidance *g, const char *code)
{
	for (size_t i = 0; i < g->ntypes; i++)
		if (strcmp(g->types[i].code, code) == 0)
			return (int)i;
	return -1;
}

static int apply_types(struct guidance *g, const json_t *types, const char *label, struct err *e)
{
	char name[96];
	size_t i;
	const json_t *t;
	if (!json_is_array(types))
		return err_set(e, ERR_INVALID, "types", "\"types\" must be an array");
	json_array_foreach(types, i, t)
	{
		char code[CODE_MAX];
		const char *title;
		int baseline, control;
		snprintf(name, sizeof name, "types[%zu]", i);
		if (!json_is_object(t))
			return err_set(e, ERR_INVALID, name, "\"%s\" must be an object", name);
		snprintf(name, sizeof name, "types[%zu].code", i);
		if (jsonx_code(t, "code", name, true, code, sizeof code, e))
			return -1;
		if (!jsonx_is_code(code))
			return err_set(e, ERR_INVALID, name,
				       "invalid code \"%s\": use lowercase letters, digits and '-'",
				       code);
		snprintf(name, sizeof name, "types[%zu].title", i);
		if (jsonx_str(t, "title", name, 300, true, NULL, &title, e))
			return -1;
		snprintf(name, sizeof name, "types[%zu].baseline", i);
		if (jsonx_enum(t, "baseline", name, &vocab_severity, SEV_UNGRADED, &baseline, e))
			return -1;
		snprintf(name, sizeof name, "types[%zu].control", i);
		if (jsonx_enum(t, "control", name, &vocab_control, CTL_OTHER, &control, e))
			return -1;
		int at = guidance_find(g, code);
		struct guidance_type *gt;
		if (at >= 0) {
			gt = &g->types[at]; /* redefinition replaces the parent's row */
			free(gt->title);
		} else {
			if (g->ntypes >= GUIDANCE_MAX_TYPES)
				return err_set(e, ERR_INVALID, "types", "too many breach types (at most %d)",
					       GUIDANCE_MAX_TYPES);
			gt = add_type(g);
			snprintf(gt->code, sizeof gt->code, "%s", code);
			const struct catalogue_entry *c = catalogue_find(code);
			gt->flags = c ? c->flags : 0;
		}
		gt->title = xstrdup(title);
		gt->baseline = gt->grade = (enum severity)baseline;
		gt->control = (enum control)control;
		snprintf(gt->defined_by, sizeof gt->defined_by, "%s", label);
		snprintf(gt->graded_by, sizeof gt->graded_by, "%s", label);
	}
	return 0;
}

static int apply_grades(struct guidance *g, const json_t *grades, const char *label, struct err *e)
{
	char name[96];
	const char *code;
	const json_t *v;
	if (!json_is_object(grades))
		return err_set(e, ERR_INVALID, "grades", "\"grades\" must be an object");
	json_object_foreach((json_t *)grades, code, v)
	{
		snprintf(name, sizeof name, "grades.%.70s", code);
		int at = guidance_find(g, code);
		if (at < 0)
			return err_set(e, ERR_INVALID, name, "unknown breach type \"%.64s\"", code);
		int sev = json_is_string(v) ? vocab_parse(&vocab_severity, json_string_value(v)) : -1;
		if (sev <= SEV_UNGRADED)
			return err_set(e, ERR_INVALID, name,
				       "grade of \"%.64s\" must be one of: minor, serious, gross", code);
		g->types[at].grade = (enum severity)sev;
		snprintf(g->types[at].graded_by, sizeof g->types[at].graded_by, "%s", label);
	}
	return 0;
}

static int apply_live_months(struct guidance *g, const json_t *lm, struct err *e)
{
	char name[96];
	const char *level;
	const json_t *v;
	if (!json_is_object(lm))
		return err_set(e, ERR_INVALID, "live_months", "\"live_months\" must be an object");
	json_object_foreach((json_t *)lm, level, v)
	{
		snprintf(name, sizeof name, "live_months.%.60s", level);
		int l = vocab_parse(&vocab_warning_level, level);
		if (l < 0)
			return err_set(e, ERR_INVALID, name, "unknown warning level \"%.60s\"", level);
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 120)
			return err_set(e, ERR_INVALID, name,
				       "\"%s\" must be a whole number of months from 1 to 120", name);
		g->live_months[l] = (int)json_integer_value(v);
	}
	return 0;
}

static int apply_referral(struct guidance *g, const json_t *r, struct err *e)
{
	char name[96];
	const char *eng;
	const json_t *v;
	if (!json_is_object(r))
		return err_set(e, ERR_INVALID, "referral", "\"referral\" must be an object");
	json_object_foreach((json_t *)r, eng, v)
	{
		snprintf(name, sizeof name, "referral.%.60s", eng);
		int en = vocab_parse(&vocab_engagement, eng);
		if (en < 0 || !default_referral[en])
			return err_set(e, ERR_INVALID, name,
				       "\"%.60s\" is not an engagement that is referred", eng);
		if (!json_is_string(v) || !jsonx_is_code(json_string_value(v)))
			return err_set(e, ERR_INVALID, name,
				       "authority must be a code of lowercase letters, digits and '-'");
		snprintf(g->referral[en], CODE_MAX, "%s", json_string_value(v));
	}
	return 0;
}

int guidance_apply(struct guidance *g, const json_t *doc, const char *label, struct err *e)
{
	static const char *const known[] = {"grades", "types", "significant_records", "live_months",
					    "referral", "retention_months"};
	struct guidance work;
	const char *key;
	const json_t *v;
	int64_t n;
	int ret = -1;

	if (!json_is_object(doc))
		return err_set(e, ERR_INVALID, "", "guidance must be a JSON object");
	json_object_foreach((json_t *)doc, key, v)
	{
		size_t k = 0;
		while (k < sizeof known / sizeof known[0] && strcmp(known[k], key) != 0)
			k++;
		if (k == sizeof known / sizeof known[0])
			return err_set(e, ERR_INVALID, key, "unknown guidance key \"%.60s\"", key);
	}

	guidance_copy(&work, g);
	/* Types first, so that "grades" may re-grade a type this layer adds. */
	if ((v = json_object_get(doc, "types")) && apply_types(&work, v, label, e))
		goto out;
	if ((v = json_object_get(doc, "grades")) && apply_grades(&work, v, label, e))
		goto out;
	if (jsonx_int(doc, "significant_records", "significant_records", 1, 100000000,
		      work.significant_records, &n, e))
		goto out;
	work.significant_records = n;
	if ((v = json_object_get(doc, "live_months")) && apply_live_months(&work, v, e))
		goto out;
	if ((v = json_object_get(doc, "referral")) && apply_referral(&work, v, e))
		goto out;
	if (jsonx_int(doc, "retention_months", "retention_months", 12, 1200, work.retention_months,
		      &n, e))
		goto out;
	work.retention_months = (int)n;

	snprintf(work.version, sizeof work.version, "%s", label);
	size_t len = strlen(work.chain);
	if (len + strlen(label) + 2 > sizeof work.chain) {
		err_set(e, ERR_INVALID, "", "guidance chain too deep");
		goto out;
	}
	snprintf(work.chain + len, sizeof work.chain - len, "%s%s", len ? " " : "", label);

	guidance_release(g);
	*g = work;
	work.types = NULL;
	work.ntypes = 0;
	ret = 0;
out:
	guidance_release(&work);
	return ret;
}

json_t *guidance_type_to_json(const struct guidance_type *t)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", t->code, "title", t->title,
			 "grade", vocab_name(&vocab_severity, t->grade), "baseline",
			 vocab_name(&vocab_severity, t->baseline), "control",
			 vocab_name(&vocab_control, t->control), "defined_by", t->defined_by,
			 "graded_by", t->graded_by);
}

json_t *guidance_baseline_doc(void)
{
	json_t *types = json_array();
	for (size_t i = 0; i < catalogue_baseline_count; i++) {
		const struct catalogue_entry *c = &catalogue_baseline[i];
		json_array_append_new(types,
				      json_pack("{s:s, s:s, s:s, s:s}", "code", c->code, "title",
						c->title, "baseline",
						vocab_name(&vocab_severity, c->baseline), "control",
						vocab_name(&vocab_control, c->control)));
	}
	return json_pack("{s:o}", "types", types);
}

json_t *guidance_to_json(const struct guidance *g)
{
	json_t *types = json_array(), *lm = json_object(), *ref = json_object();
	for (size_t i = 0; i < g->ntypes; i++)
		json_array_append_new(types, guidance_type_to_json(&g->types[i]));
	for (int l = 0; l < WRN_COUNT; l++)
		json_object_set_new(lm, vocab_name(&vocab_warning_level, l),
				    json_integer(g->live_months[l]));
	for (int en = 0; en < ENG_COUNT; en++)
		if (g->referral[en][0])
			json_object_set_new(ref, vocab_name(&vocab_engagement, en),
					    json_string(g->referral[en]));
	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:i, s:o}", "version", g->version, "chain",
			 g->chain, "significant_records", (json_int_t)g->significant_records,
			 "live_months", lm, "referral", ref, "retention_months",
			 g->retention_months, "types", types);
}
