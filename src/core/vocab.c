/* vocab: the name tables of vocab.h. The order of each table is the order
 * of its enum; a static assert keeps them in step. */
#include "core/vocab.h"

#include <stdio.h>
#include <string.h>

#define VOCAB(var, fieldname, cnt, ...)                                                           \
	static const char *const var##_names[] = {__VA_ARGS__};                                   \
	_Static_assert(sizeof var##_names / sizeof var##_names[0] == (cnt), #var " table size");  \
	const struct vocab var = {fieldname, var##_names, (cnt)}

VOCAB(vocab_severity, "severity", SEV_COUNT, "ungraded", "minor", "serious", "gross");
VOCAB(vocab_classification, "classification", CLS_COUNT, "none", "official",
      "official-sensitive", "secret", "top-secret");
VOCAB(vocab_intent, "intent", INT_COUNT, "accidental", "negligent", "reckless", "deliberate");
VOCAB(vocab_damage, "damage", DMG_COUNT, "none", "low", "moderate", "high", "severe");
VOCAB(vocab_engagement, "engagement", ENG_COUNT, "employee", "contractor", "agency", "minister",
      "special-adviser", "permanent-secretary", "judicial-officer");
VOCAB(vocab_clearance, "clearance", CLR_COUNT, "none", "bpss", "ctc", "sc", "dv");
VOCAB(vocab_control, "control", CTL_COUNT, "physical-access", "it-access", "personnel-security",
      "information-handling", "data-protection", "physical-security", "asset-management",
      "conduct", "it-use", "other");
VOCAB(vocab_warning_level, "level", WRN_COUNT, "breach-notice", "written-warning",
      "final-written-warning");
VOCAB(vocab_route, "route", ROUTE_COUNT, "disciplinary", "probation", "contract", "referral");
VOCAB(vocab_discipline, "discipline_policy", DISC_COUNT, "moj", "hmpps");
VOCAB(vocab_recommendation, "recommendation", REC_COUNT, "advice", "breach-notice",
      "formal-action", "manager-to-grade");
VOCAB(vocab_outcome, "outcome", OUT_COUNT, "no-action", "advice", "breach-notice",
      "formal-action", "probation-review", "contract-review", "referral");
VOCAB(vocab_action, "code", ACT_COUNT, "dpo-notify", "dso-notify", "legal-referral",
      "vetting-notify", "contract-manager-notify", "access-review");
VOCAB(vocab_kind, "kind", KIND_COUNT, "breach", "near-miss");
VOCAB(vocab_state, "status", ST_COUNT, "reported", "triaged", "investigating", "awaiting-decision",
      "decided", "closed", "unfounded", "withdrawn");

int vocab_parse(const struct vocab *v, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < v->count; i++)
		if (strcmp(v->names[i], s) == 0)
			return i;
	return -1;
}

const char *vocab_name(const struct vocab *v, int i)
{
	return i >= 0 && i < v->count ? v->names[i] : "?";
}

void vocab_list(const struct vocab *v, char *buf, int size)
{
	int off = 0;
	buf[0] = '\0';
	for (int i = 0; i < v->count && off < size; i++)
		off += snprintf(buf + off, (size_t)(size - off), "%s%s", i ? ", " : "", v->names[i]);
}
