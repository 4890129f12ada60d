/* vocab: every closed set of words the policy uses (severities, intents,
 * engagements, states, outcomes, ...) as C enums with one name table each,
 * so parsing, printing and validation messages come from the same rows.
 * The numeric order of an enum is meaningful where it says so. */
#ifndef BR_VOCAB_H
#define BR_VOCAB_H
#include <stdbool.h>

#define CODE_MAX 64    /* organisation and breach-type codes, incl. NUL */
#define STAFF_MAX 32   /* staff ids, incl. NUL */
#define VERSION_MAX 80 /* "org/N", incl. NUL */
#define ACTOR_MAX 96   /* "cli:root", "user:alice", incl. NUL */
#define REF_MAX 24     /* "SB-2026-000001", incl. NUL */

/* Ordered: a higher value is worse; UNGRADED sorts below MINOR and means
 * "the guidance gives no level". */
enum severity { SEV_UNGRADED, SEV_MINOR, SEV_SERIOUS, SEV_GROSS, SEV_COUNT };
/* Ordered by protective marking. */
enum classification {
	CLS_NONE,
	CLS_OFFICIAL,
	CLS_OFFICIAL_SENSITIVE,
	CLS_SECRET,
	CLS_TOP_SECRET,
	CLS_COUNT
};
enum intent { INT_ACCIDENTAL, INT_NEGLIGENT, INT_RECKLESS, INT_DELIBERATE, INT_COUNT };
enum damage { DMG_NONE, DMG_LOW, DMG_MODERATE, DMG_HIGH, DMG_SEVERE, DMG_COUNT };
enum engagement {
	ENG_EMPLOYEE,
	ENG_CONTRACTOR,
	ENG_AGENCY,
	ENG_MINISTER,
	ENG_SPECIAL_ADVISER,
	ENG_PERMANENT_SECRETARY,
	ENG_JUDICIAL_OFFICER,
	ENG_COUNT
};
/* Ordered: a higher value is a deeper vetting level. */
enum clearance { CLR_NONE, CLR_BPSS, CLR_CTC, CLR_SC, CLR_DV, CLR_COUNT };
enum control {
	CTL_PHYSICAL_ACCESS,
	CTL_IT_ACCESS,
	CTL_PERSONNEL_SECURITY,
	CTL_INFORMATION_HANDLING,
	CTL_DATA_PROTECTION,
	CTL_PHYSICAL_SECURITY,
	CTL_ASSET_MANAGEMENT,
	CTL_CONDUCT,
	CTL_IT_USE,
	CTL_OTHER,
	CTL_COUNT
};
enum warning_level { WRN_BREACH_NOTICE, WRN_WRITTEN, WRN_FINAL_WRITTEN, WRN_COUNT };
enum route { ROUTE_DISCIPLINARY, ROUTE_PROBATION, ROUTE_CONTRACT, ROUTE_REFERRAL, ROUTE_COUNT };
enum discipline { DISC_MOJ, DISC_HMPPS, DISC_COUNT };
enum recommendation { REC_ADVICE, REC_BREACH_NOTICE, REC_FORMAL_ACTION, REC_MANAGER_TO_GRADE, REC_COUNT };
enum outcome {
	OUT_NO_ACTION,
	OUT_ADVICE,
	OUT_BREACH_NOTICE,
	OUT_FORMAL_ACTION,
	OUT_PROBATION_REVIEW,
	OUT_CONTRACT_REVIEW,
	OUT_REFERRAL,
	OUT_COUNT
};
enum action_code {
	ACT_DPO_NOTIFY,
	ACT_DSO_NOTIFY,
	ACT_LEGAL_REFERRAL,
	ACT_VETTING_NOTIFY,
	ACT_CONTRACT_MANAGER_NOTIFY,
	ACT_ACCESS_REVIEW,
	ACT_COUNT
};
enum kind { KIND_BREACH, KIND_NEAR_MISS, KIND_COUNT };
enum state {
	ST_REPORTED,
	ST_TRIAGED,
	ST_INVESTIGATING,
	ST_AWAITING_DECISION,
	ST_DECIDED,
	ST_CLOSED,
	ST_UNFOUNDED,
	ST_WITHDRAWN,
	ST_COUNT
};

struct vocab {
	const char *field; /* the usual JSON field name, for messages */
	const char *const *names;
	int count;
};

extern const struct vocab vocab_severity, vocab_classification, vocab_intent, vocab_damage,
	vocab_engagement, vocab_clearance, vocab_control, vocab_warning_level, vocab_route,
	vocab_discipline, vocab_recommendation, vocab_outcome, vocab_action, vocab_kind,
	vocab_state;

/* Index of s in v, or -1 (also for NULL). */
int vocab_parse(const struct vocab *v, const char *s);
/* The name of value i, or "?" when out of range. */
const char *vocab_name(const struct vocab *v, int i);
/* Writes "a, b, c" (all names) into buf, for "expected one of" messages. */
void vocab_list(const struct vocab *v, char *buf, int size);

#endif
