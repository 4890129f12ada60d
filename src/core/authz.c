/* authz: the permission tables of SPEC 1 (see authz.h). */
#include "core/authz.h"

#include <stddef.h>

static const char *const role_names[] = {"reporter", "manager", "investigator", "security",
					 "hr",	     "dpo",	"analyst",	"admin"};
_Static_assert(sizeof role_names / sizeof role_names[0] == ROLE_COUNT, "role table size");
const struct vocab vocab_role = {"role", role_names, ROLE_COUNT};

#define ALL_PERMS                                                                                  \
	(PERM_SEE | PERM_SEE_CASE | PERM_SEE_REPORTER | PERM_WORK | PERM_ASSESS | PERM_DECIDE |    \
	 PERM_REOPEN | PERM_HR | PERM_ICO)

/* When a role grants what on an incident: a row applies when the actor
 * has the role and the incident meets `when`. Rows add up. */
enum when { ALWAYS, REPORTED_IT, MANAGES_SUBJECT, IN_ORG, PERSONAL_DATA };

static const struct grant {
	enum role role;
	enum when when;
	unsigned perms;
} grants[] = {
	/* A reporter follows what they reported, not the decisions on others. */
	{ROLE_REPORTER, REPORTED_IT, PERM_SEE},
	{ROLE_MANAGER, MANAGES_SUBJECT, PERM_SEE | PERM_SEE_CASE | PERM_WORK | PERM_ASSESS | PERM_DECIDE},
	{ROLE_INVESTIGATOR, IN_ORG, PERM_SEE | PERM_SEE_CASE | PERM_WORK | PERM_ASSESS},
	{ROLE_SECURITY, ALWAYS, ALL_PERMS},
	{ROLE_HR, IN_ORG, PERM_SEE | PERM_SEE_CASE | PERM_HR},
	{ROLE_DPO, PERSONAL_DATA, PERM_SEE | PERM_SEE_CASE | PERM_ICO},
	/* analyst and admin: nothing on an incident's content. */
};

static const unsigned powers[ROLE_COUNT] = {
	[ROLE_REPORTER] = 1u << POW_REPORT | 1u << POW_ASSESS_FACTS | 1u << POW_CATALOGUE,
	[ROLE_MANAGER] = 0,
	[ROLE_INVESTIGATOR] = 0,
	[ROLE_SECURITY] = 1u << POW_TRENDS | 1u << POW_EXPORT | 1u << POW_IDENTIFIED |
			  1u << POW_AUDIT | 1u << POW_PEOPLE,
	[ROLE_HR] = 0,
	[ROLE_DPO] = 0,
	[ROLE_ANALYST] = 1u << POW_TRENDS | 1u << POW_EXPORT,
	[ROLE_ADMIN] = 1u << POW_ACCOUNTS | 1u << POW_ORGS | 1u << POW_GUIDANCE,
};

static unsigned roles_of(const struct actor *a)
{
	/* Every account is a reporter. */
	return a->roles | ROLE_BIT(ROLE_REPORTER);
}

bool authz_is_security(const struct actor *a)
{
	return a->system || (roles_of(a) & ROLE_BIT(ROLE_SECURITY));
}

static bool holds(enum when w, const struct incident_scope *s)
{
	switch (w) {
	case ALWAYS:
		return true;
	case REPORTED_IT:
		return s->is_reporter;
	case MANAGES_SUBJECT:
		return s->manages_subject;
	case IN_ORG:
		return s->in_org;
	case PERSONAL_DATA:
		return s->personal_data;
	}
	return false;
}

unsigned authz_incident(const struct actor *a, const struct incident_scope *s)
{
	unsigned perms = 0, roles = roles_of(a);
	if (a->system)
		return ALL_PERMS;
	for (size_t i = 0; i < sizeof grants / sizeof grants[0]; i++)
		if ((roles & ROLE_BIT(grants[i].role)) && holds(grants[i].when, s))
			perms |= grants[i].perms;
	/* A subject never sees their own case's investigation or decision,
	 * whatever their roles; as its reporter they still follow the report. */
	if (s->is_subject)
		perms = s->is_reporter ? PERM_SEE : 0;
	/* Only security sees who reported in confidence; a reporter knows it
	 * was them. */
	if (s->confidential_reporter && !(roles & ROLE_BIT(ROLE_SECURITY)) && !s->is_reporter)
		perms &= ~PERM_SEE_REPORTER;
	else if (perms & PERM_SEE_CASE)
		perms |= PERM_SEE_REPORTER;
	if (s->is_reporter)
		perms |= PERM_SEE_REPORTER * !!(perms & PERM_SEE);
	return perms;
}

bool authz_power(const struct actor *a, enum power p)
{
	unsigned roles = roles_of(a);
	if (a->system)
		return true;
	for (int r = 0; r < ROLE_COUNT; r++)
		if ((roles & ROLE_BIT(r)) && (powers[r] & (1u << p)))
			return true;
	return false;
}

bool authz_person(const struct actor *a, bool self, bool manages, bool in_org)
{
	unsigned roles = roles_of(a);
	if (a->system || self || authz_power(a, POW_PEOPLE))
		return true;
	if ((roles & ROLE_BIT(ROLE_MANAGER)) && manages)
		return true;
	if ((roles & (ROLE_BIT(ROLE_HR) | ROLE_BIT(ROLE_INVESTIGATOR))) && in_org)
		return true;
	return false;
}
