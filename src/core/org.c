/* org: organisation records (see org.h). */
#include "core/org.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"

void org_init(struct org *o)
{
	memset(o, 0, sizeof *o);
	o->discipline_policy = -1;
	o->headcount = -1;
	o->created_at = TS_NONE;
}

void org_release(struct org *o)
{
	free(o->name);
	o->name = NULL;
}

void org_list_free(struct org *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		org_release(&list[i]);
	free(list);
}

int org_validate(const struct org *o, struct err *e)
{
	if (!jsonx_is_code(o->code))
		return err_set(e, ERR_INVALID, "code",
			       "invalid organisation code \"%.64s\": use lowercase letters, digits and '-'",
			       o->code);
	if (!o->name || !o->name[0])
		return err_set(e, ERR_INVALID, "name", "\"name\" is required");
	if (strlen(o->name) > ORG_NAME_MAX)
		return err_set(e, ERR_INVALID, "name", "\"name\" is too long (at most %d bytes)",
			       ORG_NAME_MAX);
	if (o->parent[0] && !jsonx_is_code(o->parent))
		return err_set(e, ERR_INVALID, "parent", "invalid organisation code \"%.64s\"",
			       o->parent);
	if (o->head[0] && !jsonx_is_staff_id(o->head))
		return err_set(e, ERR_INVALID, "head", "invalid staff id \"%.32s\"", o->head);
	if (o->headcount < -1 || o->headcount > 10000000)
		return err_set(e, ERR_INVALID, "headcount", "\"headcount\" must be 0 or more");
	return 0;
}

json_t *org_to_json(const struct org *o)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "code", o->code, "name",
			 o->name ? o->name : "", "parent",
			 o->parent[0] ? json_string(o->parent) : json_null(), "discipline_policy",
			 o->discipline_policy >= 0
				 ? json_string(vocab_name(&vocab_discipline, o->discipline_policy))
				 : json_null(),
			 "head", o->head[0] ? json_string(o->head) : json_null(), "headcount",
			 o->headcount >= 0 ? json_integer(o->headcount) : json_null());
}
