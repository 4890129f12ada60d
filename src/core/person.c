/* person: person records (see person.h). */
#include "core/person.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"

void person_init(struct person *p)
{
	memset(p, 0, sizeof *p);
	p->engagement = ENG_EMPLOYEE;
	p->probation_until = DATE_NONE;
	p->clearance = CLR_BPSS;
	p->created_at = TS_NONE;
}

void person_release(struct person *p)
{
	free(p->name);
	free(p->email);
	p->name = p->email = NULL;
}

void person_list_free(struct person *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		person_release(&list[i]);
	free(list);
}

int person_validate(const struct person *p, struct err *e)
{
	if (!jsonx_is_staff_id(p->staff_id))
		return err_set(e, ERR_INVALID, "staff_id",
			       "invalid staff id \"%.32s\": 1 to 31 letters, digits, '.', '_' or '-'",
			       p->staff_id);
	if (!p->name || !p->name[0])
		return err_set(e, ERR_INVALID, "name", "\"name\" is required");
	if (strlen(p->name) > PERSON_NAME_MAX)
		return err_set(e, ERR_INVALID, "name", "\"name\" is too long (at most %d bytes)",
			       PERSON_NAME_MAX);
	if (p->email && p->email[0]) {
		const char *at = strchr(p->email, '@');
		if (strlen(p->email) > PERSON_EMAIL_MAX || !at || at == p->email || !at[1] ||
		    strchr(p->email, ' '))
			return err_set(e, ERR_INVALID, "email", "invalid email address \"%.64s\"",
				       p->email);
	}
	if (!jsonx_is_code(p->org))
		return err_set(e, ERR_INVALID, "org", "invalid organisation code \"%.64s\"", p->org);
	if (p->manager[0] && !jsonx_is_staff_id(p->manager))
		return err_set(e, ERR_INVALID, "manager", "invalid staff id \"%.32s\"", p->manager);
	if (p->manager[0] && strcmp(p->manager, p->staff_id) == 0)
		return err_set(e, ERR_INVALID, "manager", "a person cannot be their own line manager");
	return 0;
}

json_t *person_to_json(const struct person *p)
{
	char d[DATE_BUF];
	json_t *prob = json_null();
	if (p->probation_until != DATE_NONE) {
		date_format(p->probation_until, d);
		prob = json_string(d);
	}
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:s}", "staff_id", p->staff_id,
			 "name", p->name ? p->name : "", "email",
			 p->email && p->email[0] ? json_string(p->email) : json_null(), "org", p->org,
			 "line_manager", p->manager[0] ? json_string(p->manager) : json_null(),
			 "engagement", vocab_name(&vocab_engagement, p->engagement),
			 "probation_until", prob, "clearance",
			 vocab_name(&vocab_clearance, p->clearance));
}
