/* authz: who may do what (SPEC 1), as tables. Pure: the caller (the
 * service layer) works out where a principal stands relative to an
 * incident (struct incident_scope) from the store; this module only
 * decides. Every read and write of the CLI and HTTP passes through here,
 * lists included, so a list never shows what a single read would refuse.
 *
 * Roles: every account is a reporter. A manager sees, assesses and decides
 * incidents whose subject is in their line; an investigator works any
 * incident in their organisation's subtree; security does everything
 * everywhere; HR reads incidents and decisions of their subtree; the DPO
 * reads incidents involving personal data; an analyst sees only
 * pseudonymised trends and exports; an admin runs accounts, organisations
 * and guidance and sees no incident content unless also security. A
 * subject never sees the investigation or decision of their own case, and
 * only security sees a confidential reporter. */
#ifndef BR_AUTHZ_H
#define BR_AUTHZ_H
#include <stdbool.h>

#include "core/vocab.h"

enum role {
	ROLE_REPORTER,
	ROLE_MANAGER,
	ROLE_INVESTIGATOR,
	ROLE_SECURITY,
	ROLE_HR,
	ROLE_DPO,
	ROLE_ANALYST,
	ROLE_ADMIN,
	ROLE_COUNT
};
#define ROLE_BIT(r) (1u << (r))
extern const struct vocab vocab_role;

/* Who is acting: an account (with its person) or the local CLI. */
struct actor {
	char name[ACTOR_MAX];     /* audit name: "cli:root", "user:alice" */
	char staff_id[STAFF_MAX]; /* the account's person, or "" */
	char org[CODE_MAX];       /* that person's organisation, or "" */
	unsigned roles;           /* ROLE_BIT set */
	bool system;              /* the local system administrator (CLI): every power */
};

/* Where an actor stands relative to one incident. */
struct incident_scope {
	bool in_org;          /* the incident's org is the actor's org or below it */
	bool manages_subject; /* the actor is a direct or indirect line manager of a subject */
	bool is_subject;      /* the actor is a subject of the incident */
	bool is_reporter;     /* the actor reported it */
	bool personal_data;   /* the incident involves personal data */
	bool confidential_reporter;
};

enum perm {
	PERM_SEE = 1u << 0,          /* the report: facts, status, times */
	PERM_SEE_CASE = 1u << 1,     /* notes, timeline, assessments, decisions, notices */
	PERM_SEE_REPORTER = 1u << 2, /* who reported it */
	PERM_WORK = 1u << 3,         /* transitions (not reopen) and notes */
	PERM_ASSESS = 1u << 4,
	PERM_DECIDE = 1u << 5,       /* decisions and breach notices */
	PERM_REOPEN = 1u << 6,
	PERM_HR = 1u << 7,           /* record disciplinary outcomes */
	PERM_ICO = 1u << 8,          /* record ICO notification decisions */
};

/* Register-wide powers, not tied to one incident. */
enum power {
	POW_REPORT,        /* report a breach */
	POW_ASSESS_FACTS,  /* the bare assessment tool */
	POW_CATALOGUE,     /* read the catalogue and guidance */
	POW_TRENDS,        /* trends (pseudonymised unless POW_IDENTIFIED) */
	POW_EXPORT,        /* exports (pseudonymised unless POW_IDENTIFIED) */
	POW_IDENTIFIED,    /* see people by name in trends and exports */
	POW_AUDIT,         /* read and verify the audit log */
	POW_ACCOUNTS,      /* accounts and tokens of others */
	POW_ORGS,          /* add organisations and people */
	POW_GUIDANCE,      /* publish guidance */
	POW_PEOPLE,        /* read any person's record and warnings */
	POW_COUNT
};

/* The permissions an actor has on an incident: a PERM_ bit set. */
unsigned authz_incident(const struct actor *a, const struct incident_scope *s);
bool authz_power(const struct actor *a, enum power p);
/* Security team powers (the CLI has them). */
bool authz_is_security(const struct actor *a);
/* Whether a may read person staff_id's record and warnings, given whether
 * a manages them and whether they are in a's organisation subtree. */
bool authz_person(const struct actor *a, bool self, bool manages, bool in_org);

#endif
