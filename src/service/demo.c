/* demo: the demonstration register (see demo.h). Everything it writes comes
 * from the tables below: organisations, name lists, guidance documents,
 * incident scenarios, decision overrides and the texts of notes and
 * reasons. A fixed-seed PRNG, carried in the load's context, draws from
 * them. The load first plans every step of every incident with its time,
 * then sorts the steps by time and replays them through the registry, so
 * the register (and its audit chain) unfolds as it would have over the
 * year. */
#include "service/demo.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "service/accounts.h"
#include "core/assess.h"

#define MINUTE	  60
#define HOUR	  3600
#define DAY	  86400
#define DEMO_DAYS 365 /* incidents on day 0 (a year ago) .. DEMO_DAYS (today) */
#define DEMO_SEED UINT64_C(0x4d6f4a2d42726567)
/* A reserved domain (RFC 2606): demo people must never receive mail. */
#define DEMO_EMAIL_DOMAIN  "justice.example"
#define DEMO_MAX_PEOPLE	   500
#define DEMO_MAX_LOCATIONS 3

/* ---- PRNG: splitmix64, state passed around, never global ---- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static int rng_below(struct rng *r, int n)
{
	return n <= 1 ? 0 : (int)(rng_next(r) % (uint64_t)n);
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return hi <= lo ? lo : lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static bool rng_pct(struct rng *r, int pct)
{
	return rng_below(r, 100) < pct;
}

/* An index drawn with the given weights; dflt when they are all zero. */
static int rng_weighted(struct rng *r, const int *w, int n, int dflt)
{
	int sum = 0;
	for (int i = 0; i < n; i++)
		sum += w[i];
	if (sum <= 0)
		return dflt;
	int x = rng_below(r, sum);
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return dflt;
}

/* ---- organisations ---- */

/* Headcount is the unit's own staff, children not included, at demo
 * scale; people is how many demo people work there, the head included.
 * Incidents spread as the people do, so rates per 1,000 staff differ:
 * prisons higher, headquarters and the big court jurisdictions lower. */
/* clang-format off */
static const struct org_row {
	const char *code, *name;
	const char *parent; /* "" is the root */
	int discipline;     /* enum discipline, or -1 to inherit */
	int headcount, people;
	int contractor_pct, agency_pct;
	int ctc_pct, sc_pct, dv_pct; /* the rest are BPSS */
	bool round_the_clock;        /* reports come in at night and at weekends */
	const char *locations[DEMO_MAX_LOCATIONS];
} org_rows[] = {
	{"hq", "Ministry of Justice Headquarters", "", DISC_MOJ, 2400, 38, 6, 3, 5, 30, 6, false,
	 {"102 Petty France, London", "5 Wellington Place, Leeds", "Piccadilly Place, Manchester"}},
	{"hq-private-office", "Ministerial and Private Office", "hq", -1, 120, 6, 0, 0, 0, 60, 30,
	 false, {"102 Petty France, London, 10th floor", "Palace of Westminster", NULL}},
	{"hq-digital", "Justice Digital", "hq", -1, 1900, 30, 30, 3, 0, 40, 2, false,
	 {"102 Petty France, London", "Justice Digital hub, Sheffield",
	  "Justice Digital hub, Leeds"}},
	{"hmpps", "HM Prison and Probation Service", "", DISC_HMPPS, 1800, 22, 5, 2, 30, 20, 2,
	 false, {"HMPPS headquarters, 102 Petty France, London", "Clive House, London", NULL}},
	{"hmpps-prisons", "Prisons: group and area teams", "hmpps", -1, 900, 16, 8, 2, 40, 15, 0,
	 false, {"Prison Group Director's office, Birmingham", "Area office, Wakefield", NULL}},
	{"hmpps-hmp-pentonville", "HMP Pentonville", "hmpps-prisons", -1, 650, 32, 10, 4, 45, 5, 0,
	 true, {"HMP Pentonville, gate lodge", "HMP Pentonville, A wing",
		"HMP Pentonville, reception"}},
	{"hmpps-hmp-wakefield", "HMP Wakefield", "hmpps-prisons", -1, 700, 32, 10, 3, 50, 8, 0,
	 true, {"HMP Wakefield, gate lodge", "HMP Wakefield, healthcare unit",
		"HMP Wakefield, C wing"}},
	{"hmpps-hmp-styal", "HMP Styal", "hmpps-prisons", -1, 450, 22, 10, 4, 45, 5, 0, true,
	 {"HMP Styal, gate lodge", "HMP Styal, visits hall", "HMP Styal, Waite wing"}},
	{"hmpps-probation", "Probation Service", "hmpps", -1, 2400, 50, 4, 4, 25, 5, 0, false,
	 {"Probation office, Manchester", "Probation office, Leeds", "Probation office, Bristol"}},
	{"hmpps-ycs", "Youth Custody Service", "hmpps", -1, 700, 16, 6, 6, 40, 10, 0, true,
	 {"HMYOI Wetherby", "Youth Custody Service, Clive House, London", NULL}},
	{"hmcts", "HM Courts & Tribunals Service", "", DISC_MOJ, 1200, 14, 8, 6, 5, 15, 0, false,
	 {"HMCTS, 102 Petty France, London", "HMCTS Service Centre, Birmingham", NULL}},
	{"hmcts-crime", "HMCTS Crime", "hmcts", -1, 3800, 48, 3, 10, 5, 5, 0, false,
	 {"Central Criminal Court, London", "Birmingham Crown Court", "Leeds Magistrates' Court"}},
	{"hmcts-civil", "HMCTS Civil and Family", "hmcts", -1, 3400, 44, 3, 10, 5, 3, 0, false,
	 {"Manchester Civil Justice Centre", "Bristol Civil and Family Justice Centre",
	  "Royal Courts of Justice, London"}},
	{"hmcts-tribunals", "HMCTS Tribunals", "hmcts", -1, 1700, 22, 3, 8, 5, 5, 0, false,
	 {"Taylor House, London", "Glasgow Tribunals Centre", "Field House, London"}},
	{"laa", "Legal Aid Agency", "", DISC_MOJ, 1000, 20, 6, 5, 5, 8, 0, false,
	 {"102 Petty France, London", "Legal Aid Agency, Nottingham",
	  "Legal Aid Agency, Liverpool"}},
	{"opg", "Office of the Public Guardian", "", DISC_MOJ, 1600, 26, 4, 12, 3, 5, 0, false,
	 {"Office of the Public Guardian, Birmingham", "Office of the Public Guardian, Nottingham",
	  NULL}},
	{"cica", "Criminal Injuries Compensation Authority", "", DISC_MOJ, 280, 10, 4, 6, 3, 5, 0,
	 false, {"Alexander Bain House, Glasgow", NULL, NULL}},
};
/* clang-format on */
#define NORGS ((int)(sizeof org_rows / sizeof org_rows[0]))

static int org_index(const char *code)
{
	for (int i = 0; i < NORGS; i++)
		if (strcmp(org_rows[i].code, code) == 0)
			return i;
	return -1;
}

/* Whether org is scope or below it; an empty scope is everywhere. */
static bool org_in_scope(int org, const char *scope)
{
	if (!scope || !scope[0])
		return true;
	while (org >= 0) {
		if (strcmp(org_rows[org].code, scope) == 0)
			return true;
		org = org_rows[org].parent[0] ? org_index(org_rows[org].parent) : -1;
	}
	return false;
}

static int org_nlocations(int org)
{
	int n = 0;
	while (n < DEMO_MAX_LOCATIONS && org_rows[org].locations[n])
		n++;
	return n;
}

/* ---- people ---- */

/* clang-format off */
static const char *const first_names[] = {
	"Oliver",  "Amelia",  "George", "Isla",	   "Harry",   "Ava",	  "Jack",      "Mia",
	"Charlie", "Grace",   "Thomas", "Sophie",  "James",   "Emily",	  "William",   "Lily",
	"Mohammed", "Aisha",  "Daniel", "Priya",   "Samuel",  "Hannah",	  "Joseph",    "Chloe",
	"David",   "Rachel",  "Michael", "Sarah",  "Andrew",  "Laura",	  "Rhys",      "Ffion",
	"Callum",  "Eilidh",  "Sean",	"Niamh",   "Arjun",   "Fatima",	  "Kwame",     "Abena",
	"Tomasz",  "Agnieszka", "Connor", "Megan", "Ben",     "Holly",	  "Matthew",   "Zara",
	"Imran",   "Yasmin",  "Peter",	"Helen",   "Stephen", "Claire",	  "Gareth",    "Siobhan",
	"Paul",	   "Joanne",  "Mark",	"Karen",   "Richard", "Nicola",	  "Adam",      "Jasmine",
	"Ryan",	   "Ellie",   "Luke",	"Lucy",	   "Nathan",  "Jessica",
};
static const char *const last_names[] = {
	"Smith",    "Jones",	"Williams", "Taylor",	"Brown",    "Davies",	"Evans",
	"Wilson",   "Thomas",	"Johnson",  "Roberts",	"Robinson", "Thompson", "Wright",
	"Walker",   "White",	"Edwards",  "Hughes",	"Green",    "Hall",	"Lewis",
	"Harris",   "Clarke",	"Patel",    "Jackson",	"Wood",	    "Turner",	"Martin",
	"Cooper",   "Hill",	"Ward",	    "Morris",	"Moore",    "Clark",	"Lee",
	"King",	    "Baker",	"Harrison", "Morgan",	"Allen",    "James",	"Scott",
	"Phillips", "Watson",	"Davis",    "Parker",	"Price",    "Bennett",	"Young",
	"Griffiths", "Mitchell", "Kelly",   "Cook",	"Carter",   "Richardson", "Bailey",
	"Collins",  "Bell",	"Shaw",	    "Murphy",	"Miller",   "Cox",	"Richards",
	"Khan",	    "Marshall", "Anderson", "Simpson",	"Ellis",    "Adams",	"Singh",
	"Begum",    "Ali",	"Hussain",  "Ahmed",	"Okafor",   "Mensah",	"Kowalski",
	"O'Brien",  "MacDonald", "Campbell", "Stewart", "Reid",	    "Fraser",	"Owen",
	"Pritchard", "Rees",
};
/* clang-format on */
#define NFIRST ((int)(sizeof first_names / sizeof first_names[0]))
#define NLAST  ((int)(sizeof last_names / sizeof last_names[0]))

enum rank { RANK_STAFF, RANK_MANAGER, RANK_HEAD, RANK_OFFICE };

struct dperson {
	char id[STAFF_MAX];
	char name[64];
	char email[128];
	int org;     /* index into org_rows */
	int manager; /* index into the people, or -1 */
	enum engagement engagement;
	date_t probation_until;
	enum clearance clearance;
	enum rank rank; /* RANK_OFFICE: an office holder, kept for the pinned cases */
};

/* ---- guidance: organisations' own published versions ---- */

/* day is relative to the first day of the year of incidents. A version is
 * the organisation's whole own document, so a later one repeats what it
 * keeps from the earlier. */
/* clang-format off */
static const struct guidance_row {
	const char *org;
	int day;
	const char *doc;
} guidance_rows[] = {
	{"hmpps", -6,
	 "{\"grades\": {\"sensitive-info-unprotected\": \"serious\"},"
	 " \"types\": [{\"code\": \"keys-lost\", \"title\": \"Loss of prison keys, or keys taken "
	 "out of the establishment\", \"baseline\": \"serious\","
	 " \"control\": \"physical-security\"},"
	 " {\"code\": \"prohibited-item-conveyed\", \"title\": \"Conveying a prohibited article "
	 "(mobile phone, drugs, weapon) into a prison\", \"baseline\": \"gross\", \"control\": "
	 "\"conduct\"}]}"},
	{"hmpps-prisons", -6,
	 "{\"grades\": {\"clear-desk-failure\": \"minor\"}, \"significant_records\": 50}"},
	{"hmcts", -6,
	 "{\"grades\": {\"clear-desk-failure\": \"minor\"},"
	 " \"types\": [{\"code\": \"court-list-disclosed\", \"title\": \"Court or tribunal list, "
	 "or hearing papers, sent to the wrong party\", \"baseline\": \"serious\", \"control\": "
	 "\"information-handling\"}]}"},
	{"opg", -6,
	 "{\"grades\": {\"clear-desk-failure\": \"minor\"},"
	 " \"types\": [{\"code\": \"lpa-misdirected\", \"title\": \"Lasting power of attorney or "
	 "deputyship papers sent to the wrong address\", \"baseline\": \"serious\", \"control\": "
	 "\"data-protection\"}]}"},
	/* Mid-year, after a run of misdirected emails in civil and family. */
	{"hmcts", 182,
	 "{\"grades\": {\"clear-desk-failure\": \"minor\", \"sensitive-info-unprotected\": "
	 "\"serious\"},"
	 " \"types\": [{\"code\": \"court-list-disclosed\", \"title\": \"Court or tribunal list, "
	 "or hearing papers, sent to the wrong party\", \"baseline\": \"serious\", \"control\": "
	 "\"information-handling\"}],"
	 " \"significant_records\": 50}"},
};
/* clang-format on */
#define NGUIDANCE ((int)(sizeof guidance_rows / sizeof guidance_rows[0]))

/* ---- incident scenarios ---- */

/* Whom a scenario happens to. */
enum who {
	WHO_ANY,
	WHO_CLEARED, /* CTC or above: circumstances types */
	WHO_DV,
	WHO_MINISTER,
	WHO_SPAD,
	WHO_PERMSEC,
	WHO_JUDGE,
	WHO_NOBODY, /* no one identified: the head of unit is accountable */
};

/* One kind of event. weight is roughly how many a year happen at random
 * (0: only where pinned below); the facts are drawn from the ranges and
 * weights given (intent: accidental, negligent, reckless, deliberate;
 * damage: none, low, moderate, high, severe). */
struct scenario {
	const char *key;
	const char *types[2];
	int weight;
	const char *scope; /* NULL: any organisation; else that subtree */
	enum kind kind;
	enum who who;
	int subjects; /* 1 (default) or 2 */
	int self_pct; /* reported by the subject themselves */
	enum classification cls;
	int cls_pct;
	int pd_pct, rec_min, rec_max, special_pct;
	bool criminal, disclosure;
	int intent_w[INT_COUNT];
	int damage_w[DMG_COUNT];
	int lag_days; /* occurred up to this long before it was discovered */
	const char *description;
	const char *note; /* an investigation note, or NULL */
};

/* clang-format off */
static const struct scenario scenarios[] = {
	{.key = "pass-not-worn", .types = {"pass-not-worn"}, .weight = 80,
	 .intent_w = {30, 65, 5, 0}, .damage_w = {80, 20},
	 .description = "Not wearing a building pass inside the pass-controlled area; challenged "
			"by a colleague, who asked them to put it on.",
	 .note = "The subject says the pass was in a bag after a meeting in another building; it "
		 "was worn again at once."},
	{.key = "tailgate", .types = {"pass-not-worn"}, .weight = 22, .intent_w = {10, 80, 10, 0},
	 .damage_w = {60, 40},
	 .description = "Followed a colleague through the speed gates without a pass showing; "
			"stopped by the security officer at the lift lobby.",
	 .note = "The security officer's account and the gate log agree; the subject had left the "
		 "pass at home."},
	{.key = "workstation-unlocked", .types = {"workstation-unlocked"}, .weight = 60,
	 .cls = CLS_OFFICIAL, .cls_pct = 40, .intent_w = {30, 70}, .damage_w = {55, 40, 5},
	 .description = "Laptop left unlocked and unattended in the open-plan office over lunch; a "
			"colleague locked it and reported it.",
	 .note = "Device logs show no activity while the screen was unlocked."},
	{.key = "courtroom-terminal", .types = {"workstation-unlocked"}, .weight = 10,
	 .scope = "hmcts", .cls = CLS_OFFICIAL, .cls_pct = 100, .pd_pct = 30, .rec_min = 1,
	 .rec_max = 20, .intent_w = {20, 80}, .damage_w = {40, 50, 10},
	 .description = "Case management system left logged in on a shared terminal in a courtroom "
			"during the lunch adjournment.",
	 .note = "Audit trail checked: no records were opened while the terminal was unattended."},
	{.key = "pass-lost", .types = {"pass-lost"}, .weight = 45, .self_pct = 70,
	 .intent_w = {60, 40}, .damage_w = {30, 70}, .lag_days = 2,
	 .description = "Building pass lost, probably on the commute; reported the next morning "
			"and cancelled at the security desk.",
	 .note = "Pass cancelled in the access-control system the same morning; no use of it was "
		 "recorded after the loss."},
	{.key = "pass-wallet", .types = {"pass-lost"}, .weight = 8, .self_pct = 80,
	 .intent_w = {90, 10}, .damage_w = {10, 80, 10}, .lag_days = 1,
	 .description = "Building pass and civil service ID card lost with a wallet stolen on the "
			"train; the subject reported the theft to British Transport Police.",
	 .note = "Both cards cancelled; the crime reference is on file."},
	{.key = "address-unreported", .types = {"circumstances-unreported"}, .weight = 8,
	 .who = WHO_CLEARED, .self_pct = 30, .intent_w = {20, 75, 5}, .damage_w = {70, 30},
	 .lag_days = 200,
	 .description = "Change of address (moved in with a partner) not reported to the line "
			"manager for several months; it came to light at the clearance review.",
	 .note = "The subject has now completed the change of circumstances form and the vetting "
		 "team has it."},
	{.key = "marriage-unreported", .types = {"circumstances-unreported"}, .weight = 4,
	 .who = WHO_CLEARED, .intent_w = {20, 80}, .damage_w = {80, 20}, .lag_days = 150,
	 .description = "Marriage not reported to the line manager or the vetting team as the "
			"clearance conditions require.",
	 .note = NULL},
	{.key = "pass-lent", .types = {"pass-misuse"}, .weight = 4, .subjects = 2,
	 .intent_w = {0, 70, 30}, .damage_w = {30, 50, 20},
	 .description = "Pass lent to a colleague who had forgotten theirs, so that they could "
			"reach the secure floor; both passes were used the same morning.",
	 .note = "Access logs show the lent pass used at two doors while its holder was already "
		 "inside."},
	{.key = "account-shared", .types = {"account-sharing"}, .weight = 5, .subjects = 2,
	 .pd_pct = 40, .rec_min = 1, .rec_max = 50, .intent_w = {0, 75, 20, 5},
	 .damage_w = {20, 50, 30},
	 .description = "Login to the case management system shared with a new colleague who was "
			"still waiting for their own account.",
	 .note = "Both accounts reviewed; the new starter's access is approved and the shared "
		 "password has been reset."},
	{.key = "service-password", .types = {"account-sharing"}, .weight = 2,
	 .scope = "hq-digital", .intent_w = {0, 60, 40}, .damage_w = {20, 50, 30},
	 .description = "Service account password pasted into a team chat channel that includes "
			"contractors outside the project.",
	 .note = "Password rotated within the hour; the platform team found no use of it from an "
		 "unknown address."},
	{.key = "printer-overnight", .types = {"official-docs-unsecured"}, .weight = 8,
	 .cls = CLS_OFFICIAL_SENSITIVE, .cls_pct = 100, .pd_pct = 70, .rec_min = 1, .rec_max = 5,
	 .intent_w = {20, 80}, .damage_w = {30, 60, 10},
	 .description = "OFFICIAL-SENSITIVE report left on a shared printer overnight; found by "
			"the cleaning supervisor at 07:00.",
	 .note = "The report was recovered intact from the printer tray; the print log shows when "
		 "it was printed."},
	{.key = "papers-meeting-room", .types = {"official-docs-unsecured"}, .weight = 5,
	 .cls = CLS_OFFICIAL, .cls_pct = 100, .intent_w = {10, 90}, .damage_w = {40, 50, 10},
	 .description = "Bundle of OFFICIAL papers left in a meeting room that was then used by "
			"visitors.",
	 .note = NULL},
	{.key = "papers-train", .types = {"official-material-lost"}, .weight = 4,
	 .cls = CLS_OFFICIAL, .cls_pct = 100, .pd_pct = 60, .rec_min = 3, .rec_max = 40,
	 .self_pct = 60, .intent_w = {30, 70}, .damage_w = {10, 40, 40, 10},
	 .description = "Folder of OFFICIAL case papers left on a train; reported to the train "
			"operator's lost property and not recovered.",
	 .note = "The train operator's lost property was checked daily for a week; nothing was "
		 "handed in."},
	{.key = "misdirected-email", .types = {"personal-data-release"}, .weight = 9,
	 .cls = CLS_OFFICIAL, .cls_pct = 80, .pd_pct = 100, .rec_min = 20, .rec_max = 400,
	 .special_pct = 15, .self_pct = 40, .intent_w = {40, 60}, .damage_w = {10, 40, 40, 10},
	 .description = "Email with a spreadsheet of personal data sent to an external address "
			"picked by autocomplete; the recipient confirmed deletion.",
	 .note = "The recipient confirmed in writing that the email and attachment were deleted "
		 "unread."},
	{.key = "cloud-upload", .types = {"personal-data-release"}, .weight = 1, .pd_pct = 100,
	 .rec_min = 150, .rec_max = 2500, .special_pct = 30, .intent_w = {0, 50, 40, 10},
	 .damage_w = {0, 20, 40, 30, 10},
	 .description = "Export of case records uploaded to a personal cloud account to work on "
			"at home.",
	 .note = "The cloud account was checked with the subject and the files deleted; IT "
		 "security found no sharing links."},
	{.key = "cica-letter", .types = {"personal-data-release"}, .weight = 3, .scope = "cica",
	 .pd_pct = 100, .rec_min = 1, .rec_max = 2, .special_pct = 100, .intent_w = {50, 50},
	 .damage_w = {0, 30, 50, 20},
	 .description = "Letter about an applicant's injury claim, with medical evidence, posted "
			"to another applicant.",
	 .note = "The other applicant returned the letter; the applicant has been told and "
		 "offered support."},
	{.key = "laa-means", .types = {"personal-data-release"}, .weight = 3, .scope = "laa",
	 .pd_pct = 100, .rec_min = 1, .rec_max = 12, .special_pct = 10, .intent_w = {40, 60},
	 .damage_w = {10, 40, 40, 10},
	 .description = "Means assessment evidence (bank statements) emailed to the wrong legal "
			"aid provider.",
	 .note = "The provider confirmed deletion; the casework team now uses the provider portal "
		 "instead of email."},
	{.key = "psr-victim", .types = {"personal-data-release"}, .weight = 3,
	 .scope = "hmpps-probation", .pd_pct = 100, .rec_min = 1, .rec_max = 4, .special_pct = 60,
	 .intent_w = {30, 70}, .damage_w = {0, 10, 40, 40, 10},
	 .description = "Pre-sentence report including the victim's details sent to the "
			"defendant's address instead of the court.",
	 .note = "Victim liaison told the victim the same day; a safety plan was agreed with the "
		 "police."},
	{.key = "cabinet-open", .types = {"cabinet-unlocked"}, .weight = 5,
	 .cls = CLS_OFFICIAL_SENSITIVE, .cls_pct = 80, .intent_w = {20, 75, 5},
	 .damage_w = {50, 40, 10},
	 .description = "Security cabinet found unlocked with its key in the lock during the "
			"evening security patrol.",
	 .note = "Contents checked against the register the next morning; nothing was missing."},
	{.key = "laptop-car", .types = {"portable-asset-lost"}, .weight = 4, .cls = CLS_OFFICIAL,
	 .cls_pct = 100, .self_pct = 90, .intent_w = {20, 80}, .damage_w = {10, 60, 30},
	 .description = "Work laptop stolen from a car parked overnight on a driveway; reported to "
			"the police and the service desk.",
	 .note = "The service desk confirmed the laptop was encrypted; it has been wiped and "
		 "blocked from the network."},
	{.key = "phone-taxi", .types = {"portable-asset-lost"}, .weight = 7, .cls = CLS_OFFICIAL,
	 .cls_pct = 60, .self_pct = 90, .intent_w = {40, 60}, .damage_w = {40, 60},
	 .description = "Work mobile phone left in a taxi after a site visit; not recovered.",
	 .note = "Phone remotely wiped by the service desk within two hours of the report."},
	{.key = "laptop-abroad", .types = {"equipment-abroad"}, .weight = 3,
	 .intent_w = {0, 70, 25, 5}, .damage_w = {40, 50, 10},
	 .description = "Work laptop taken on holiday to Spain without authority; found when it "
			"connected to the network from abroad.",
	 .note = "Connection logs confirm the dates abroad; the subject says they did not know "
		 "authority was needed."},
	{.key = "record-lookup", .types = {"asset-misuse"}, .weight = 2, .pd_pct = 100,
	 .rec_min = 1, .rec_max = 3, .intent_w = {0, 0, 20, 80}, .damage_w = {0, 30, 50, 20},
	 .description = "Looked up a neighbour's record on the case management system with no "
			"business reason.",
	 .note = "The system audit trail shows three searches on the neighbour's name over two "
		 "weeks."},
	{.key = "private-printing", .types = {"asset-misuse"}, .weight = 2,
	 .intent_w = {0, 60, 30, 10}, .damage_w = {70, 30},
	 .description = "Office printers and post-room franking used for a private business over "
			"several months.",
	 .note = NULL},
	{.key = "arrest-unreported", .types = {"significant-circumstances-unreported"},
	 .weight = 2, .who = WHO_CLEARED, .intent_w = {0, 70, 30}, .damage_w = {40, 50, 10},
	 .lag_days = 120,
	 .description = "Arrest of a partner not reported to the line manager or the vetting team; "
			"it came to light at a clearance review.",
	 .note = "Vetting team informed; an aftercare review of the clearance is open."},
	{.key = "forwarded-assessment", .types = {"classified-disclosure"}, .weight = 1,
	 .cls = CLS_OFFICIAL_SENSITIVE, .cls_pct = 100, .disclosure = true,
	 .intent_w = {0, 50, 30, 20}, .damage_w = {0, 10, 40, 40, 10},
	 .description = "OFFICIAL-SENSITIVE security assessment forwarded to a former colleague's "
			"personal email for an opinion.",
	 .note = "The recipient confirmed deletion; the Departmental Security Officer has been "
		 "told."},
	{.key = "secret-printer", .types = {"secret-material-breach"}, .weight = 0, .scope = "hq",
	 .who = WHO_DV, .cls = CLS_SECRET, .cls_pct = 100, .intent_w = {0, 90, 10},
	 .damage_w = {20, 60, 20},
	 .description = "SECRET briefing printed on an unaccredited office printer and left in the "
			"output tray for about an hour.",
	 .note = "The DSO's team recovered the printout and had the printer's storage wiped."},
	{.key = "stores-theft", .types = {"criminal-act"}, .weight = 1, .scope = "hmpps",
	 .criminal = true, .intent_w = {0, 0, 0, 100}, .damage_w = {0, 20, 50, 30},
	 .description = "Theft of prisoners' property from reception stores, identified from CCTV "
			"after complaints of missing items.",
	 .note = "Police informed; the subject is suspended while the investigation runs."},
	{.key = "expenses-fraud", .types = {"criminal-act"}, .weight = 1, .criminal = true,
	 .intent_w = {0, 0, 0, 100}, .damage_w = {0, 40, 50, 10},
	 .description = "Travel and subsistence claims for journeys that did not take place, found "
			"by the expenses audit.",
	 .note = "Counter-fraud team has the claims and the rail booking records."},
	{.key = "phone-conveyed", .types = {"prohibited-item-conveyed", "criminal-act"},
	 .weight = 1, .scope = "hmpps-prisons", .criminal = true, .intent_w = {0, 0, 0, 100},
	 .damage_w = {0, 0, 30, 60, 10},
	 .description = "Mobile phone and SIM cards brought into the establishment for a prisoner; "
			"found in a search at the gate.",
	 .note = "Police and the Prison Group Director informed; gate searches stepped up."},
	{.key = "gambling-sites", .types = {"it-policy-serious-breach"}, .weight = 2,
	 .intent_w = {0, 10, 30, 60}, .damage_w = {40, 50, 10},
	 .description = "Repeated use of a work laptop for online gambling during working hours, "
			"with attempts to get round the web filter.",
	 .note = "Proxy logs for three months obtained from the service provider."},
	{.key = "clear-desk", .types = {"clear-desk-failure"}, .weight = 25, .cls = CLS_OFFICIAL,
	 .cls_pct = 30, .pd_pct = 30, .rec_min = 1, .rec_max = 10, .intent_w = {20, 80},
	 .damage_w = {60, 40},
	 .description = "Case files left out on a desk overnight in breach of the clear desk "
			"policy; found at the evening check.",
	 .note = NULL},
	{.key = "whiteboard", .types = {"sensitive-info-unprotected"}, .weight = 5,
	 .cls = CLS_OFFICIAL_SENSITIVE, .cls_pct = 50, .pd_pct = 50, .rec_min = 1, .rec_max = 30,
	 .intent_w = {20, 80}, .damage_w = {30, 50, 20},
	 .description = "Sensitive operational details left on a whiteboard in a room later used "
			"by visitors.",
	 .note = NULL},
	{.key = "escort-list", .types = {"sensitive-info-unprotected"}, .weight = 3,
	 .scope = "hmpps", .cls = CLS_OFFICIAL_SENSITIVE, .cls_pct = 100, .pd_pct = 100,
	 .rec_min = 5, .rec_max = 40, .intent_w = {10, 90}, .damage_w = {0, 20, 50, 30},
	 .description = "Printed list of planned prisoner escorts, with names and times, found in "
			"a staff car park.",
	 .note = "Escort times were changed the same day as a precaution."},
	{.key = "door-propped", .types = {"other"}, .weight = 4, .kind = KIND_NEAR_MISS,
	 .who = WHO_NOBODY, .intent_w = {0, 100}, .damage_w = {80, 20},
	 .description = "Fire door to the secure area found propped open with a wedge; nobody "
			"could say who had done it.",
	 .note = "Estates have fitted a door-held-open alarm."},
	{.key = "visitor-unescorted", .types = {"other"}, .weight = 4, .intent_w = {10, 80, 10},
	 .damage_w = {50, 50},
	 .description = "Let a visitor without a pass follow them through a secure door, and did "
			"not escort them.",
	 .note = NULL},
	{.key = "email-caught", .types = {"personal-data-release"}, .weight = 8,
	 .kind = KIND_NEAR_MISS, .pd_pct = 100, .rec_min = 5, .rec_max = 200, .self_pct = 80,
	 .intent_w = {60, 40}, .damage_w = {100},
	 .description = "Email with personal data addressed to the wrong recipient; held by the "
			"delayed-send rule and recalled before it left, then reported by the "
			"sender.",
	 .note = "Mail logs confirm the message never left the department."},
	{.key = "keys-home", .types = {"keys-lost"}, .weight = 5, .scope = "hmpps-prisons",
	 .self_pct = 80, .intent_w = {30, 70}, .damage_w = {20, 50, 30},
	 .description = "Set of wing keys taken home at the end of a shift; noticed missing at the "
			"key check, and returned by the subject the same evening.",
	 .note = "Locks on the wing were checked; the governor decided a re-key was not needed."},
	{.key = "keys-unclipped", .types = {"keys-lost"}, .weight = 4, .scope = "hmpps-prisons",
	 .kind = KIND_NEAR_MISS, .intent_w = {40, 60}, .damage_w = {100},
	 .description = "Key chain found unclipped from the belt during a routine check on the "
			"wing; keys still on the chain.",
	 .note = NULL},
	{.key = "court-list", .types = {"court-list-disclosed"}, .weight = 5, .scope = "hmcts",
	 .cls = CLS_OFFICIAL, .cls_pct = 100, .pd_pct = 100, .rec_min = 10, .rec_max = 120,
	 .special_pct = 20, .intent_w = {30, 70}, .damage_w = {0, 30, 50, 20},
	 .description = "Court list including a youth defendant's details sent to the wrong party, "
			"an unrelated firm of solicitors.",
	 .note = "The firm confirmed deletion; the listing office now checks recipients against "
		 "the case record."},
	{.key = "lpa-post", .types = {"lpa-misdirected"}, .weight = 5, .scope = "opg",
	 .pd_pct = 100, .rec_min = 1, .rec_max = 4, .special_pct = 30, .self_pct = 20,
	 .intent_w = {50, 50}, .damage_w = {0, 40, 50, 10},
	 .description = "Registered lasting power of attorney posted to the wrong address because "
			"of a transposed house number.",
	 .note = "The recipient returned the document; the donor and attorneys have been told."},
	/* Office holders: pinned once each (POLSBP004: the rules apply to all). */
	{.key = "red-box", .types = {"secret-material-breach"}, .who = WHO_MINISTER,
	 .cls = CLS_SECRET, .cls_pct = 100, .intent_w = {0, 100}, .damage_w = {0, 0, 100},
	 .description = "Red box papers including a SECRET submission left unattended in a car "
			"outside a constituency office; recovered intact after about 40 minutes.",
	 .note = "The DSO has reviewed the handling of red boxes with the private office."},
	{.key = "pow-pass-lent", .types = {"pass-misuse"}, .who = WHO_SPAD,
	 .intent_w = {0, 100}, .damage_w = {0, 100},
	 .description = "Palace of Westminster pass lent to a visiting party official so that they "
			"could wait in Portcullis House.",
	 .note = "Parliamentary Security Department informed and the pass re-issued."},
	{.key = "exec-floor-pass", .types = {"pass-not-worn"}, .who = WHO_PERMSEC,
	 .intent_w = {0, 100}, .damage_w = {100},
	 .description = "Not wearing a pass on the executive floor at 102 Petty France; challenged "
			"by a new security officer.",
	 .note = NULL},
	{.key = "judge-notebook", .types = {"official-material-lost"}, .who = WHO_JUDGE,
	 .cls = CLS_OFFICIAL, .cls_pct = 100, .pd_pct = 100, .rec_min = 5, .rec_max = 12,
	 .intent_w = {0, 100}, .damage_w = {0, 100},
	 .description = "Judge's trial notebook left in the robing room of another court centre "
			"after a visit; found by an usher and returned the next day.",
	 .note = "The usher confirms the notebook was closed and in its case when found."},
};
/* clang-format on */
#define NSCENARIOS ((int)(sizeof scenarios / sizeof scenarios[0]))

static const struct scenario *scenario_find(const char *key)
{
	for (int i = 0; i < NSCENARIOS; i++)
		if (strcmp(scenarios[i].key, key) == 0)
			return &scenarios[i];
	return NULL;
}

/* How an incident's life ends (or where it stops: still open at `now`). */
enum fate { FATE_CLOSE, FATE_STALL, FATE_UNFOUNDED, FATE_WITHDRAWN };

/* Cases placed on a given day (of 0 .. DEMO_DAYS). */
/* clang-format off */
static const struct pin {
	const char *key;
	int day;
	bool reopen; /* closed, then reopened by security and closed again */
} pins[] = {
	{"exec-floor-pass", 75, false}, {"laptop-car", 96, true},	{"red-box", 131, false},
	{"judge-notebook", 158, false}, {"pow-pass-lent", 204, false},
	{"secret-printer", 241, false},
};
/* clang-format on */

/* Runs of one scenario in one organisation: something for the rising
 * trend to find. */
static const struct cluster {
	const char *key, *org;
	int from, to, count;
	/* clang-format off */
} clusters[] = {
	{"misdirected-email", "hmcts-civil", 150, 178, 9},
	{"pass-not-worn", "hmcts-crime", 334, 360, 10},
};
/* clang-format on */

/* Repeat subjects: their first case is serious and ends in a breach
 * notice; their later ones are minor, aggravated by the live warning. */
static const char *const repeat_first[] = {"printer-overnight", "cabinet-open", "phone-taxi"};
static const char *const repeat_later[] = {"pass-not-worn", "workstation-unlocked", "clear-desk",
					   "tailgate"};
#define NFIRSTS	   ((int)(sizeof repeat_first / sizeof repeat_first[0]))
#define NLATERS	   ((int)(sizeof repeat_later / sizeof repeat_later[0]))
#define NREPEATERS 8

/* ---- decisions and texts ---- */

/* Where a manager departs from the recommendation, and why. */
/* clang-format off */
static const struct override_row {
	enum recommendation rec;
	enum outcome outcome;
	bool grade_down;  /* severity one level below the assessment */
	bool near_miss;   /* only for near misses */
	bool disciplinary; /* only on the disciplinary route */
	const char *reason;
} overrides[] = {
	{REC_ADVICE, OUT_BREACH_NOTICE, false, false, false,
	 "the floor warden had reminded the subject of this rule twice this quarter; although no "
	 "notice is on record, a breach notice is proportionate"},
	{REC_ADVICE, OUT_BREACH_NOTICE, false, false, false,
	 "a second lapse within weeks, the first dealt with informally; a breach notice is now "
	 "proportionate"},
	{REC_ADVICE, OUT_BREACH_NOTICE, false, false, false,
	 "the subject leads the team's security briefings on this very rule; a breach notice sets "
	 "the standard expected of them"},
	{REC_ADVICE, OUT_NO_ACTION, false, false, false,
	 "the lapse lasted under a minute and the subject put it right before anyone else noticed; "
	 "the conversation already held is enough"},
	{REC_ADVICE, OUT_NO_ACTION, false, true, false,
	 "a near miss that the control caught; the subject reported it at once and nothing "
	 "reached anyone, so no action against the individual"},
	{REC_BREACH_NOTICE, OUT_ADVICE, false, false, false,
	 "first breach in over twenty years' service, self-reported within the hour and "
	 "contained; a recorded conversation is proportionate"},
	{REC_BREACH_NOTICE, OUT_ADVICE, false, true, false,
	 "a near miss held by the delayed-send rule: no data left the department and the sender "
	 "reported it; advice is proportionate"},
	{REC_BREACH_NOTICE, OUT_FORMAL_ACTION, false, false, true,
	 "the subject had been told that morning not to do this; the manager treats it as a "
	 "decision to ignore the rule"},
	{REC_FORMAL_ACTION, OUT_BREACH_NOTICE, false, false, false,
	 "formal action would be disproportionate: the live warning concerns an unrelated minor "
	 "matter and the subject reported this breach themselves"},
	{REC_FORMAL_ACTION, OUT_BREACH_NOTICE, true, false, false,
	 "the potential damage was lower than first assessed: nothing left the building and "
	 "nothing was read by anyone without a need to know, so it is graded one level lower"},
};
/* clang-format on */
#define NOVERRIDES ((int)(sizeof overrides / sizeof overrides[0]))

static const char *const generic_notes[] = {
    "Spoke to the subject, who accepted what happened and has re-read the guidance.",
    "Line manager consulted: no earlier concerns about the subject's security conduct.",
    "Access-control logs checked for the period; nothing unusual beyond the reported event.",
    "Statement taken from the reporter; it is consistent with the subject's account.",
    "Local security adviser visited and walked through what happened with the team.",
};
#define NGENERIC	   ((int)(sizeof generic_notes / sizeof generic_notes[0]))
#define NOTE_SCENARIO	   (-1)
#define NOTE_PERSONAL_DATA (-2)
#define NOTE_REOPEN	   (-3)
static const char note_personal_data[] =
    "DPO informed with the number of people affected and the kind of data; the DPO records "
    "the ICO notification decision.";
static const char note_reopen[] =
    "Reopened at the DPO's request to add the supplier's forensic report on the recovered "
    "device: it confirms full-disk encryption and no access after the theft, so the decision "
    "stands.";
static const char reopen_reason[] =
    "new evidence: the police recovered the laptop and the supplier's forensic report is "
    "to be added to the case";

static const char *const unfounded_reasons[] = {
    "no breach: the subject acted within the policy and the report was a misunderstanding",
    "cctv and access-control logs contradict the report; no breach occurred",
    "the item reported missing was found where it should be, secured; no breach occurred",
    "the reporter mistook an arrangement the line manager had authorised in writing",
};
static const char *const withdrawn_reasons[] = {
    "reported twice: the same event is recorded under an earlier reference",
    "it named the wrong person; withdrawn by the reporter and reported again",
    "entered in error during training on the new reporting form",
};

/* ---- the load's context ---- */

enum step {
	EV_GUIDANCE, /* arg: guidance row */
	EV_REPORT,
	EV_TRIAGE,
	EV_INVESTIGATE,
	EV_NOTE, /* arg: generic note index or NOTE_* */
	EV_ASSESS,
	EV_AWAIT,
	EV_DECIDE, /* arg: subject index */
	EV_DECIDED,
	EV_NOTICE, /* arg: subject index */
	EV_CLOSE,
	EV_UNFOUND,  /* arg: reason index */
	EV_WITHDRAW, /* arg: reason index */
	EV_REOPEN,
};

struct event {
	ts_t at;
	int seq; /* creation order: a plan's steps keep their order on a tie */
	int plan;
	enum step step;
	int arg;
};

/* One subject of a planned incident, and what the register said. */
struct subject_plan {
	int person; /* index into the people, or -1: the head of unit */
	char staff_id[STAFF_MAX];
	bool assessed;
	enum severity severity;
	enum recommendation rec;
	enum route route;
	char route_policy[CODE_MAX];
	char guidance[VERSION_MAX];
	int live;
	bool decided;
	enum outcome outcome;
};

struct plan {
	const struct scenario *sc;
	int org;
	ts_t reported_at, discovered_at, occurred_at;
	int reporter;
	bool confidential;
	struct subject_plan sub[2];
	int nsub; /* 0 in the report: the head of unit; 1 after it */
	enum classification cls;
	int64_t records;
	bool special;
	enum intent intent;
	enum damage damage;
	int location;
	enum fate fate;
	enum state stop; /* FATE_STALL: the last state reached; UNFOUNDED/WITHDRAWN: from */
	bool override, reopen, fast;
	uint64_t seed;
	char ref[REF_MAX];
};

struct demo {
	struct store *s;
	struct actor act;
	ts_t now, start; /* start: midnight UTC, DEMO_DAYS days before now's day */
	struct rng rng;
	struct dperson people[DEMO_MAX_PEOPLE];
	int uses[DEMO_MAX_PEOPLE]; /* incidents planned with each person as subject */
	int npeople;
	int head[NORGS]; /* person index of each organisation's head */
	struct plan *plans;
	int nplans, capplans;
	struct event *ev;
	int nev, capev;
	struct demo_stats *st;
	struct err *e;
};

/* ---- people: generation ---- */

static void make_name(struct demo *d, struct dperson *p)
{
	for (;;) {
		const char *first = first_names[rng_below(&d->rng, NFIRST)];
		const char *last = last_names[rng_below(&d->rng, NLAST)];
		bool taken = false;
		snprintf(p->name, sizeof p->name, "%s %s", first, last);
		for (int i = 0; i < d->npeople && !taken; i++)
			taken = strcmp(d->people[i].name, p->name) == 0;
		if (taken)
			continue;
		/* firstname.lastname, lowercase letters and '-' only. */
		size_t n = 0;
		for (const char *c = p->name; *c && n + 1 < sizeof p->email; c++) {
			if (*c == ' ')
				p->email[n++] = '.';
			else if (*c >= 'A' && *c <= 'Z')
				p->email[n++] = (char)(*c - 'A' + 'a');
			else if ((*c >= 'a' && *c <= 'z') || *c == '-')
				p->email[n++] = *c;
		}
		p->email[n] = '\0';
		snprintf(p->email + n, sizeof p->email - n, "@%s", DEMO_EMAIL_DOMAIN);
		return;
	}
}

static int person_new(struct demo *d, int org, int manager, enum rank rank, enum engagement eng,
		      enum clearance clr)
{
	struct dperson *p = &d->people[d->npeople];
	memset(p, 0, sizeof *p);
	snprintf(p->id, sizeof p->id, "S%05d", 10001 + d->npeople);
	make_name(d, p);
	p->org = org;
	p->manager = manager;
	p->rank = rank;
	p->engagement = eng;
	p->clearance = clr;
	p->probation_until = DATE_NONE;
	return d->npeople++;
}

static enum clearance draw_clearance(struct demo *d, const struct org_row *o)
{
	int w[CLR_COUNT] = {0};
	w[CLR_CTC] = o->ctc_pct;
	w[CLR_SC] = o->sc_pct;
	w[CLR_DV] = o->dv_pct;
	w[CLR_BPSS] = 100 - o->ctc_pct - o->sc_pct - o->dv_pct;
	return (enum clearance)rng_weighted(&d->rng, w, CLR_COUNT, CLR_BPSS);
}

/* The whole population, managers before their reports: the permanent
 * secretary; then each organisation (parents first) with its head, its
 * managers and its staff; office holders beside their offices. */
static void make_people(struct demo *d)
{
	date_t today = date_of_ts(d->now);
	int permsec =
	    person_new(d, org_index("hq"), -1, RANK_OFFICE, ENG_PERMANENT_SECRETARY, CLR_DV);
	for (int o = 0; o < NORGS; o++) {
		const struct org_row *r = &org_rows[o];
		int parent = r->parent[0] ? org_index(r->parent) : -1;
		int boss = parent >= 0 ? d->head[parent] : permsec;
		bool senior = strncmp(r->code, "hq", 2) == 0;
		d->head[o] =
		    person_new(d, o, boss, RANK_HEAD, ENG_EMPLOYEE, senior ? CLR_DV : CLR_SC);
		if (strcmp(r->code, "hq-private-office") == 0) {
			int minister = person_new(d, o, -1, RANK_OFFICE, ENG_MINISTER, CLR_NONE);
			person_new(d, o, minister, RANK_OFFICE, ENG_SPECIAL_ADVISER, CLR_SC);
		}
		if (strcmp(r->code, "hmcts-crime") == 0)
			person_new(d, o, -1, RANK_OFFICE, ENG_JUDICIAL_OFFICER, CLR_BPSS);
		int nmgr = r->people >= 16 ? r->people / 8 : r->people >= 8 ? 2 : 1;
		int mgr[8];
		for (int i = 0; i < nmgr && i < 8; i++)
			mgr[i] = person_new(d, o, d->head[o], RANK_MANAGER, ENG_EMPLOYEE,
					    draw_clearance(d, r) > CLR_SC ? CLR_DV : CLR_SC);
		for (int i = 1 + nmgr; i < r->people && d->npeople < DEMO_MAX_PEOPLE; i++) {
			int x = rng_below(&d->rng, 100);
			enum engagement eng = x < r->contractor_pct ? ENG_CONTRACTOR
					      : x < r->contractor_pct + r->agency_pct
						  ? ENG_AGENCY
						  : ENG_EMPLOYEE;
			int p =
			    person_new(d, o, mgr[i % nmgr], RANK_STAFF, eng, draw_clearance(d, r));
			/* New starters: a few on probation for some months yet. */
			if (eng == ENG_EMPLOYEE && rng_pct(&d->rng, 4))
				d->people[p].probation_until =
				    today + (date_t)rng_range(&d->rng, 30, 200);
		}
	}
}

/* ---- setup: organisations and people through the registry ---- */

static int add_orgs(struct demo *d, ts_t at)
{
	for (int i = 0; i < NORGS; i++) {
		const struct org_row *r = &org_rows[i];
		struct org o;
		org_init(&o);
		snprintf(o.code, sizeof o.code, "%s", r->code);
		o.name = xstrdup(r->name);
		snprintf(o.parent, sizeof o.parent, "%s", r->parent);
		o.discipline_policy = r->discipline;
		snprintf(o.head, sizeof o.head, "%s", d->people[d->head[i]].id);
		o.headcount = r->headcount;
		int rc = registry_org_add(d->s, &d->act, &o, at + i * MINUTE, d->e);
		org_release(&o);
		if (rc)
			return -1;
		d->st->orgs++;
	}
	return 0;
}

static int add_people(struct demo *d, ts_t at)
{
	for (int i = 0; i < d->npeople; i++) {
		const struct dperson *dp = &d->people[i];
		struct person p;
		person_init(&p);
		snprintf(p.staff_id, sizeof p.staff_id, "%s", dp->id);
		p.name = xstrdup(dp->name);
		p.email = xstrdup(dp->email);
		snprintf(p.org, sizeof p.org, "%s", org_rows[dp->org].code);
		if (dp->manager >= 0)
			snprintf(p.manager, sizeof p.manager, "%s", d->people[dp->manager].id);
		p.engagement = dp->engagement;
		p.probation_until = dp->probation_until;
		p.clearance = dp->clearance;
		int rc = registry_person_add(d->s, &d->act, &p, at + i * 20, d->e);
		person_release(&p);
		if (rc)
			return -1;
		d->st->people++;
	}
	return 0;
}

/* ---- planning ---- */

/* Moves t forward into working hours (Monday to Friday, 08:00-18:00). */
static ts_t business(ts_t t)
{
	for (;;) {
		date_t day = date_of_ts(t);
		ts_t midnight = date_ts_of(day);
		int64_t sec = t - midnight;
		int weekday = (int)(((int64_t)day % 7 + 7 + 3) % 7); /* 1970-01-01: Thursday */
		if (weekday >= 5 || sec >= 18 * HOUR)
			t = midnight + DAY + 8 * HOUR + sec % HOUR;
		else if (sec < 8 * HOUR)
			t = midnight + 8 * HOUR + sec % HOUR;
		else
			return t;
	}
}

/* An organisation in the scenario's scope, weighted by how many of its
 * people have not yet been the subject of an incident (and never zero),
 * so that incidents spread as the people do. */
static int pick_org(struct demo *d, const struct scenario *sc)
{
	int w[NORGS] = {0};
	for (int i = 0; i < d->npeople; i++)
		if (d->uses[i] == 0 && d->people[i].rank != RANK_OFFICE)
			w[d->people[i].org]++;
	for (int i = 0; i < NORGS; i++)
		w[i] = org_in_scope(i, sc->scope) ? w[i] + 1 : 0;
	return rng_weighted(&d->rng, w, NORGS, 0);
}

static bool who_fits(const struct dperson *p, enum who who)
{
	switch (who) {
	case WHO_CLEARED:
		return p->rank != RANK_OFFICE && p->clearance >= CLR_CTC;
	case WHO_DV:
		return p->rank != RANK_OFFICE && p->clearance == CLR_DV;
	case WHO_MINISTER:
		return p->engagement == ENG_MINISTER;
	case WHO_SPAD:
		return p->engagement == ENG_SPECIAL_ADVISER;
	case WHO_PERMSEC:
		return p->engagement == ENG_PERMANENT_SECRETARY;
	case WHO_JUDGE:
		return p->engagement == ENG_JUDICIAL_OFFICER;
	case WHO_ANY:
	case WHO_NOBODY:
		break;
	}
	return p->rank != RANK_OFFICE;
}

/* A person of org (any org when org < 0) who fits, other than those in
 * excl[]; relaxes to anyone of org when no one fits. A subject is drawn
 * from the least involved so far, so that few people are repeat subjects
 * by chance (the deliberate ones are planned). -1 if none. */
static int pick_person(struct demo *d, int org, enum who who, const int *excl, int nexcl,
		       bool subject)
{
	int cand[DEMO_MAX_PEOPLE], n = 0, least = 0;
	for (int pass = 0; pass < 2 && n == 0; pass++)
		for (int i = 0; i < d->npeople; i++) {
			const struct dperson *p = &d->people[i];
			bool skip =
			    (org >= 0 && p->org != org) || !who_fits(p, pass == 0 ? who : WHO_ANY);
			for (int k = 0; k < nexcl && !skip; k++)
				skip = excl[k] == i;
			if (skip || (subject && n > 0 && d->uses[i] > least))
				continue;
			if (subject && (n == 0 || d->uses[i] < least)) {
				least = d->uses[i];
				n = 0;
			}
			cand[n++] = i;
		}
	int who_idx = n ? cand[rng_below(&d->rng, n)] : -1;
	if (subject && who_idx >= 0)
		d->uses[who_idx]++;
	return who_idx;
}

static struct plan *plan_alloc(struct demo *d)
{
	if (d->nplans == d->capplans) {
		d->capplans = d->capplans ? d->capplans * 2 : 256;
		d->plans = xrealloc(d->plans, (size_t)d->capplans * sizeof *d->plans);
	}
	struct plan *p = &d->plans[d->nplans++];
	memset(p, 0, sizeof *p);
	return p;
}

/* Plans one incident of sc on `day`, in org (or one drawn from the
 * scenario's scope when org < 0), with subject forced_subject (or one
 * drawn when < 0). */
static struct plan *plan_new(struct demo *d, const struct scenario *sc, int day, int org,
			     int forced_subject)
{
	struct plan *p = plan_alloc(d);
	struct rng *r = &d->rng;
	int excl[3];

	p->sc = sc;
	p->seed = rng_next(r);
	p->fate = FATE_CLOSE;
	p->stop = ST_CLOSED;
	/* Who. Office holders and forced subjects bring their organisation. */
	if (forced_subject >= 0 || (sc->who >= WHO_MINISTER && sc->who <= WHO_JUDGE)) {
		int who = forced_subject >= 0 ? forced_subject
					      : pick_person(d, -1, sc->who, NULL, 0, true);
		p->sub[0].person = who;
		p->nsub = 1;
		p->org = d->people[who].org;
	} else {
		p->org = org >= 0 ? org : pick_org(d, sc);
		if (sc->who == WHO_NOBODY) {
			p->nsub = 0; /* the registry names the head of unit */
			p->sub[0].person = -1;
			d->uses[d->head[p->org]]++;
		} else {
			p->nsub = sc->subjects == 2 ? 2 : 1;
			p->sub[0].person = pick_person(d, p->org, sc->who, NULL, 0, true);
			if (p->nsub == 2) {
				excl[0] = p->sub[0].person;
				p->sub[1].person = pick_person(d, p->org, WHO_ANY, excl, 1, true);
				if (p->sub[1].person < 0)
					p->nsub = 1;
			}
		}
	}
	/* Who reports: the subject (for losses), their line manager, or a
	 * colleague; a few in confidence. */
	int subj = p->nsub ? p->sub[0].person : -1;
	int mgr = subj >= 0 ? d->people[subj].manager : -1;
	if (subj >= 0 && rng_pct(r, sc->self_pct))
		p->reporter = subj;
	else if (mgr >= 0 && rng_pct(r, 40))
		p->reporter = mgr;
	else {
		int n = 0;
		for (int i = 0; i < p->nsub; i++)
			excl[n++] = p->sub[i].person;
		p->reporter = pick_person(d, p->org, WHO_ANY, excl, n, false);
		if (p->reporter < 0)
			p->reporter = d->head[p->org];
	}
	p->confidential = p->reporter != subj && rng_pct(r, 4);

	/* When. */
	ts_t midnight = d->start + (ts_t)day * DAY;
	if (org_rows[p->org].round_the_clock && rng_pct(r, 30))
		p->reported_at = midnight + rng_range(r, 0, DAY - MINUTE);
	else
		p->reported_at =
		    midnight + rng_range(r, 7 * HOUR + 30 * MINUTE, 18 * HOUR + 30 * MINUTE);
	p->discovered_at = p->reported_at - rng_range(r, 10 * MINUTE, 20 * HOUR);
	p->occurred_at = p->discovered_at -
			 rng_range(r, 0, sc->lag_days ? (int64_t)sc->lag_days * DAY : 6 * HOUR);

	/* What. */
	p->cls = rng_pct(r, sc->cls_pct) ? sc->cls : CLS_NONE;
	p->records = rng_pct(r, sc->pd_pct) ? rng_range(r, sc->rec_min, sc->rec_max) : 0;
	p->special = p->records > 0 && rng_pct(r, sc->special_pct);
	p->intent = (enum intent)rng_weighted(r, sc->intent_w, INT_COUNT, INT_NEGLIGENT);
	p->damage = (enum damage)rng_weighted(r, sc->damage_w, DMG_COUNT, DMG_LOW);
	p->location = rng_below(r, org_nlocations(p->org));
	p->override = rng_pct(r, sc->kind == KIND_NEAR_MISS ? 35 : 8);
	return p;
}

/* An ordinary fate: mostly closed; a few unfounded, withdrawn or stuck. */
static void draw_fate(struct demo *d, struct plan *p)
{
	static const int stall_w[ST_COUNT] = {[ST_REPORTED] = 10,
					      [ST_TRIAGED] = 15,
					      [ST_INVESTIGATING] = 30,
					      [ST_AWAITING_DECISION] = 35,
					      [ST_DECIDED] = 10};
	int x = rng_below(&d->rng, 100);
	if (x < 4) {
		p->fate = FATE_UNFOUNDED;
		p->stop = rng_pct(&d->rng, 50) ? ST_TRIAGED : ST_INVESTIGATING;
	} else if (x < 6) {
		p->fate = FATE_WITHDRAWN;
		p->stop = rng_pct(&d->rng, 70) ? ST_REPORTED : ST_TRIAGED;
	} else if (x < 11) {
		p->fate = FATE_STALL;
		p->stop = (enum state)rng_weighted(&d->rng, stall_w, ST_COUNT, ST_INVESTIGATING);
	}
}

static void make_plans(struct demo *d)
{
	/* Every scenario that happens at random happens at least once. */
	for (int i = 0; i < NSCENARIOS; i++) {
		if (scenarios[i].weight <= 0)
			continue;
		int day = 3 + i * (DEMO_DAYS - 40) / NSCENARIOS;
		draw_fate(d, plan_new(d, &scenarios[i], day, -1, -1));
	}
	/* Office holders and the set pieces. */
	for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
		const struct scenario *sc = scenario_find(pins[i].key);
		if (!sc || (pins[i].reopen && !authz_is_security(&d->act)))
			continue;
		struct plan *p = plan_new(d, sc, pins[i].day, -1, -1);
		p->reopen = pins[i].reopen;
		p->override = false;
	}
	/* Repeat subjects. */
	int rep[NREPEATERS], nrep = 0;
	for (int k = 0; k < NREPEATERS; k++) {
		int who = pick_person(d, -1, WHO_ANY, rep, nrep, false);
		if (who < 0)
			break;
		const struct dperson *p = &d->people[who];
		if (p->rank != RANK_STAFF || p->probation_until != DATE_NONE ||
		    strcmp(org_rows[p->org].code, "hq-private-office") == 0) {
			k--; /* draw again: staff of an ordinary unit only */
			continue;
		}
		rep[nrep++] = who;
		int day = (int)rng_range(&d->rng, 12, 110);
		for (int n = 0; day <= DEMO_DAYS - 5; n++) {
			const char *key = n == 0 ? repeat_first[rng_below(&d->rng, NFIRSTS)]
						 : repeat_later[rng_below(&d->rng, NLATERS)];
			struct plan *pl = plan_new(d, scenario_find(key), day, -1, who);
			d->uses[who]++;
			pl->override = false;
			pl->intent = INT_NEGLIGENT;
			pl->damage = n == 0 ? DMG_LOW : DMG_NONE;
			if (n == 2 || (n == 1 && rng_pct(&d->rng, 50)))
				break;
			day += (int)rng_range(&d->rng, 95, 135);
		}
	}
	/* Clusters. */
	for (size_t i = 0; i < sizeof clusters / sizeof clusters[0]; i++) {
		const struct cluster *c = &clusters[i];
		for (int k = 0; k < c->count; k++) {
			int day = (int)rng_range(&d->rng, c->from, c->to);
			draw_fate(d,
				  plan_new(d, scenario_find(c->key), day, org_index(c->org), -1));
		}
	}
	/* Work in hand at `now`: a misdirected email from yesterday, assessed
	 * and awaiting decision with the DPO's 72 hours still running; and a
	 * court list reported this morning. */
	struct plan *p =
	    plan_new(d, scenario_find("misdirected-email"), DEMO_DAYS, org_index("laa"), -1);
	p->fast = true;
	p->fate = FATE_STALL;
	p->stop = ST_AWAITING_DECISION;
	p->reported_at = d->now - 30 * HOUR;
	p->discovered_at = p->reported_at - 3 * HOUR;
	p->occurred_at = p->discovered_at - 20 * MINUTE;
	p->records = 180;
	p = plan_new(d, scenario_find("court-list"), DEMO_DAYS, org_index("hmcts-crime"), -1);
	p->fast = true;
	p->fate = FATE_STALL;
	p->stop = ST_REPORTED;
	p->reported_at = d->now - 4 * HOUR;
	p->discovered_at = p->reported_at - 90 * MINUTE;
	p->occurred_at = p->discovered_at - 2 * HOUR;

	/* The daily flow: about 1.2 a working day, fewer at weekends. */
	int weights[NSCENARIOS];
	for (int i = 0; i < NSCENARIOS; i++)
		weights[i] = scenarios[i].weight;
	date_t first = date_of_ts(d->start);
	for (int day = 0; day <= DEMO_DAYS; day++) {
		int weekday = (int)(((int64_t)(first + day) % 7 + 7 + 3) % 7);
		int pct = weekday >= 5 ? 4 : 15;
		for (int slot = 0; slot < 8; slot++) {
			if (!rng_pct(&d->rng, pct))
				continue;
			const struct scenario *sc =
			    &scenarios[rng_weighted(&d->rng, weights, NSCENARIOS, 0)];
			draw_fate(d, plan_new(d, sc, day, -1, -1));
		}
	}
}

static void push(struct demo *d, ts_t at, int plan, enum step step, int arg)
{
	if (at > d->now)
		return;
	if (d->nev == d->capev) {
		d->capev = d->capev ? d->capev * 2 : 1024;
		d->ev = xrealloc(d->ev, (size_t)d->capev * sizeof *d->ev);
	}
	d->ev[d->nev] = (struct event){at, d->nev, plan, step, arg};
	d->nev++;
}

/* The time of the next step: lo..hi later, in working hours (or within a
 * few hours for a case being rushed through). */
static ts_t next(const struct plan *p, struct rng *r, ts_t t, int64_t lo, int64_t hi)
{
	if (p->fast)
		return t + rng_range(r, 40 * MINUTE, 3 * HOUR);
	return business(t + rng_range(r, lo, hi));
}

/* Lays out every step of plan pi in time; push() keeps those up to now. */
static void schedule(struct demo *d, int pi)
{
	struct plan *p = &d->plans[pi];
	struct rng r = {p->seed};
	int nsub = p->nsub ? p->nsub : 1;
	ts_t t = p->reported_at;

	push(d, t, pi, EV_REPORT, 0);
	if (p->fate == FATE_WITHDRAWN && p->stop == ST_REPORTED) {
		push(d, next(p, &r, t, 2 * HOUR, 3 * DAY), pi, EV_WITHDRAW,
		     rng_below(&r, (int)(sizeof withdrawn_reasons / sizeof *withdrawn_reasons)));
		return;
	}
	if (p->fate == FATE_STALL && p->stop == ST_REPORTED)
		return;
	push(d, t = next(p, &r, t, 1 * HOUR, 3 * DAY), pi, EV_TRIAGE, 0);
	if (p->stop == ST_TRIAGED) {
		if (p->fate == FATE_WITHDRAWN)
			push(d, next(p, &r, t, 1 * HOUR, 3 * DAY), pi, EV_WITHDRAW,
			     rng_below(
				 &r, (int)(sizeof withdrawn_reasons / sizeof *withdrawn_reasons)));
		if (p->fate == FATE_UNFOUNDED)
			push(d, next(p, &r, t, 4 * HOUR, 5 * DAY), pi, EV_UNFOUND,
			     rng_below(
				 &r, (int)(sizeof unfounded_reasons / sizeof *unfounded_reasons)));
		return;
	}
	push(d, t = next(p, &r, t, 4 * HOUR, 6 * DAY), pi, EV_INVESTIGATE, 0);
	int nnotes = rng_below(&r, 3);
	if (p->sc->note && rng_pct(&r, 70))
		push(d, t = next(p, &r, t, 2 * HOUR, 3 * DAY), pi, EV_NOTE, NOTE_SCENARIO);
	if (p->records > 0 || p->special)
		push(d, t = next(p, &r, t, 1 * HOUR, 1 * DAY), pi, EV_NOTE, NOTE_PERSONAL_DATA);
	for (int i = 0; i < nnotes; i++)
		push(d, t = next(p, &r, t, 2 * HOUR, 3 * DAY), pi, EV_NOTE,
		     rng_below(&r, NGENERIC));
	if (p->stop == ST_INVESTIGATING) {
		if (p->fate == FATE_UNFOUNDED)
			push(d, next(p, &r, t, 1 * DAY, 10 * DAY), pi, EV_UNFOUND,
			     rng_below(
				 &r, (int)(sizeof unfounded_reasons / sizeof *unfounded_reasons)));
		return;
	}
	push(d, t = next(p, &r, t, 1 * DAY, 12 * DAY), pi, EV_ASSESS, 0);
	push(d, t = next(p, &r, t, 10 * MINUTE, 1 * DAY), pi, EV_AWAIT, 0);
	if (p->stop == ST_AWAITING_DECISION)
		return;
	for (int i = 0; i < nsub; i++)
		push(d, t = next(p, &r, t, i ? 10 * MINUTE : 1 * DAY, i ? 1 * DAY : 14 * DAY), pi,
		     EV_DECIDE, i);
	push(d, t = next(p, &r, t, 10 * MINUTE, 4 * HOUR), pi, EV_DECIDED, 0);
	for (int i = 0; i < nsub; i++)
		push(d, t = next(p, &r, t, 1 * HOUR, 2 * DAY), pi, EV_NOTICE, i);
	if (p->stop == ST_DECIDED)
		return;
	push(d, t = next(p, &r, t, 2 * DAY, 21 * DAY), pi, EV_CLOSE, 0);
	if (!p->reopen)
		return;
	push(d, t = next(p, &r, t, 10 * DAY, 30 * DAY), pi, EV_REOPEN, 0);
	push(d, t = next(p, &r, t, 1 * HOUR, 2 * DAY), pi, EV_NOTE, NOTE_REOPEN);
	push(d, t = next(p, &r, t, 1 * HOUR, 1 * DAY), pi, EV_AWAIT, 0);
	push(d, t = next(p, &r, t, 1 * HOUR, 2 * DAY), pi, EV_DECIDED, 0);
	push(d, next(p, &r, t, 1 * DAY, 5 * DAY), pi, EV_CLOSE, 0);
}

static int event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- replay through the registry ---- */

static json_t *plan_json(const struct demo *d, const struct plan *p)
{
	char occ[TS_BUF], disc[TS_BUF], desc[1024];
	const struct scenario *sc = p->sc;
	json_t *types = json_array(), *subs = json_array();
	for (int i = 0; i < 2 && sc->types[i]; i++)
		json_array_append_new(types, json_string(sc->types[i]));
	for (int i = 0; i < p->nsub; i++)
		json_array_append_new(subs, json_string(d->people[p->sub[i].person].id));
	date_format_ts(p->occurred_at, occ);
	date_format_ts(p->discovered_at, disc);
	if (p->records > 0)
		snprintf(desc, sizeof desc, "%s Personal data of %lld %s involved%s.",
			 sc->description, (long long)p->records,
			 p->records == 1 ? "person was" : "people was",
			 p->special ? ", including special category data" : "");
	else
		snprintf(desc, sizeof desc, "%s", sc->description);
	return json_pack("{s:s, s:s, s:o, s:s, s:b, s:{s:I, s:b}, s:b, s:b, s:b, s:s, s:s, s:s, "
			 "s:s, s:s, s:s, s:s, s:b, s:o}",
			 "kind", vocab_name(&vocab_kind, sc->kind), "org", org_rows[p->org].code,
			 "types", types, "classification",
			 vocab_name(&vocab_classification, p->cls), "strap", 0, "personal_data",
			 "records", (json_int_t)p->records, "special_category", (int)p->special,
			 "third_party_disclosure", (int)sc->disclosure, "authorised", 0, "criminal",
			 (int)sc->criminal, "intent", vocab_name(&vocab_intent, p->intent),
			 "damage", vocab_name(&vocab_damage, p->damage), "occurred_at", occ,
			 "discovered_at", disc, "location", org_rows[p->org].locations[p->location],
			 "description", desc, "reporter", d->people[p->reporter].id,
			 "confidential_reporter", (int)p->confidential, "subjects", subs);
}

static int do_report(struct demo *d, struct plan *p, ts_t at)
{
	struct incident inc;
	json_t *in = plan_json(d, p);
	int rc = registry_report(d->s, &d->act, in, at, &inc, d->e);
	json_decref(in);
	if (rc == 0) {
		snprintf(p->ref, sizeof p->ref, "%s", inc.ref);
		p->nsub = inc.nsubjects < 2 ? inc.nsubjects : 2;
		for (int i = 0; i < p->nsub; i++)
			snprintf(p->sub[i].staff_id, STAFF_MAX, "%s", inc.subjects[i]);
		d->st->incidents++;
	}
	incident_release(&inc);
	return rc;
}

static int do_assess(struct demo *d, struct plan *p, ts_t at)
{
	json_t *out = NULL, *as;
	size_t i;
	if (registry_assess_incident(d->s, &d->act, p->ref, at, &out, d->e))
		return -1;
	json_array_foreach(json_object_get(out, "assessments"), i, as)
	{
		const char *who = json_string_value(json_object_get(as, "subject"));
		const char *policy = json_string_value(json_object_get(as, "route_policy"));
		const char *version = json_string_value(json_object_get(as, "guidance_version"));
		for (int k = 0; k < p->nsub; k++) {
			struct subject_plan *sp = &p->sub[k];
			if (!who || strcmp(who, sp->staff_id) != 0)
				continue;
			int sev = vocab_parse(&vocab_severity,
					      json_string_value(json_object_get(as, "severity")));
			int rec =
			    vocab_parse(&vocab_recommendation,
					json_string_value(json_object_get(as, "recommendation")));
			int route = vocab_parse(&vocab_route,
						json_string_value(json_object_get(as, "route")));
			if (sev < 0 || rec < 0 || route < 0) {
				json_decref(out);
				return err_set(d->e, ERR_RUNTIME, "assessments",
					       "unexpected assessment of \"%s\" on %s", who,
					       p->ref);
			}
			sp->assessed = true;
			sp->severity = (enum severity)sev;
			sp->rec = (enum recommendation)rec;
			sp->route = (enum route)route;
			sp->live = (int)json_integer_value(json_object_get(as, "live_warnings"));
			snprintf(sp->route_policy, sizeof sp->route_policy, "%s",
				 policy ? policy : "");
			snprintf(sp->guidance, sizeof sp->guidance, "%s", version ? version : "");
		}
	}
	json_decref(out);
	return 0;
}

static enum outcome route_outcome(enum route route)
{
	switch (route) {
	case ROUTE_PROBATION:
		return OUT_PROBATION_REVIEW;
	case ROUTE_CONTRACT:
		return OUT_CONTRACT_REVIEW;
	case ROUTE_REFERRAL:
		return OUT_REFERRAL;
	case ROUTE_DISCIPLINARY:
	case ROUTE_COUNT:
		break;
	}
	return OUT_FORMAL_ACTION;
}

/* The outcome that follows rec on the subject's route, as managers mostly
 * decide: a breach notice may also go the probation or contract way. */
static enum outcome follow(enum recommendation rec, const struct subject_plan *sp, struct rng *r)
{
	switch (rec) {
	case REC_ADVICE:
		return OUT_ADVICE;
	case REC_BREACH_NOTICE:
		if (sp->route == ROUTE_DISCIPLINARY)
			return OUT_BREACH_NOTICE;
		if (sp->route == ROUTE_REFERRAL || rng_pct(r, 50))
			return route_outcome(sp->route);
		return OUT_BREACH_NOTICE;
	case REC_FORMAL_ACTION:
	case REC_MANAGER_TO_GRADE:
	case REC_COUNT:
		break;
	}
	return route_outcome(sp->route);
}

static bool notice_due(enum outcome o)
{
	return o == OUT_BREACH_NOTICE || o == OUT_FORMAL_ACTION || o == OUT_PROBATION_REVIEW ||
	       o == OUT_CONTRACT_REVIEW;
}

/* The referral authorities of the default guidance, as a rationale names
 * them; another code is named as it is. */
static const struct authority_row {
	const char *code, *name;
} authorities[] = {
    {"prime-minister", "the Prime Minister, under the Ministerial Code"},
    {"appointing-minister", "the appointing minister, under the Code of Conduct for Special "
			    "Advisers"},
    {"cabinet-secretary", "the Cabinet Secretary"},
    {"jcio", "the Judicial Conduct Investigations Office"},
};

static const char *authority_name(const char *code)
{
	for (size_t i = 0; i < sizeof authorities / sizeof authorities[0]; i++)
		if (strcmp(authorities[i].code, code) == 0)
			return authorities[i].name;
	return code[0] ? code : "the configured authority";
}

static void rationale(char *buf, size_t size, const struct plan *p, const struct subject_plan *sp,
		      enum severity sev, enum outcome out)
{
	static const char *const damage_text[DMG_COUNT] = {
	    "nothing was lost or seen by anyone without a need to know",
	    "little real risk arose and it was contained quickly",
	    "information or access was exposed for a limited time",
	    "information reached people outside the department",
	    "serious harm to people or operations was possible",
	};
	static const char *const intent_text[INT_COUNT] = {
	    "a genuine mistake",
	    "a lapse in care rather than a choice",
	    "the subject knew the rule and chose to ignore the risk",
	    "a deliberate act",
	};
	char warnings[96], action[256];

	if (sp->live == 0)
		snprintf(warnings, sizeof warnings, "none live");
	else
		snprintf(warnings, sizeof warnings, "%d live, so this is a repeated breach",
			 sp->live);
	switch (out) {
	case OUT_NO_ACTION:
		snprintf(action, sizeof action, "%s",
			 p->sc->who == WHO_NOBODY
			     ? "No individual was identified: the head of unit is recorded as "
			       "accountable and has had the control strengthened; no action."
			     : "No action against the individual.");
		break;
	case OUT_ADVICE:
		snprintf(action, sizeof action,
			 "Advice given on the security rule concerned and recorded on the case.");
		break;
	case OUT_BREACH_NOTICE:
		snprintf(
		    action, sizeof action,
		    "A breach notice is issued; it stays live for the period the guidance sets.");
		break;
	case OUT_FORMAL_ACTION:
		snprintf(action, sizeof action,
			 "Formal action under the %s disciplinary policy, with a breach notice.",
			 strcmp(sp->route_policy, "hmpps") == 0 ? "HMPPS" : "MoJ");
		break;
	case OUT_PROBATION_REVIEW:
		snprintf(
		    action, sizeof action,
		    "Dealt with under the probation policy (POLSBP005) at the probation review, "
		    "with a breach notice.");
		break;
	case OUT_CONTRACT_REVIEW:
		snprintf(action, sizeof action,
			 "The contract manager reviews the supplier's contract; a breach notice is "
			 "issued to the individual.");
		break;
	case OUT_REFERRAL:
	case OUT_COUNT:
		snprintf(action, sizeof action,
			 "Referred to %s, the authority for this office holder (POLSBP004).",
			 authority_name(sp->route_policy));
		break;
	}
	snprintf(buf, size,
		 "%s graded %s under %s%s. Damage %s: %s. Intent %s: %s. Previous "
		 "warnings: %s. %s",
		 p->sc->kind == KIND_NEAR_MISS ? "Near miss" : "Breach",
		 vocab_name(&vocab_severity, sev), sp->guidance,
		 sp->severity == SEV_UNGRADED ? " (left ungraded by the guidance: graded by the "
						"manager)"
					      : "",
		 vocab_name(&vocab_damage, p->damage), damage_text[p->damage],
		 vocab_name(&vocab_intent, p->intent), intent_text[p->intent], warnings, action);
}

static int do_decide(struct demo *d, struct plan *p, int k, ts_t at)
{
	struct subject_plan *sp = &p->sub[k];
	struct rng r = {p->seed ^ (UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)(k + 1))};
	struct decision dec;
	const char *reason = NULL;
	char text[2048];
	enum severity sev = sp->severity;
	enum outcome out;
	int ret;

	if (!sp->assessed)
		return 0;
	if (sev == SEV_UNGRADED) {
		/* The manager grades, then decides as SPEC 3.3 would for that grade. */
		bool heavy = p->records >= 50 || p->special || p->damage >= DMG_HIGH ||
			     p->intent >= INT_RECKLESS;
		bool mitigated =
		    sp->live == 0 && p->intent <= INT_NEGLIGENT && p->damage <= DMG_MODERATE;
		sev = heavy ? SEV_SERIOUS : SEV_MINOR;
		enum recommendation graded =
		    sev == SEV_MINOR ? (mitigated ? REC_ADVICE : REC_BREACH_NOTICE)
				     : (mitigated ? REC_BREACH_NOTICE : REC_FORMAL_ACTION);
		out = follow(graded, sp, &r);
		if (p->sc->who == WHO_NOBODY)
			out = OUT_NO_ACTION;
	} else {
		out = follow(sp->rec, sp, &r);
	}
	if (p->override && sp->route != ROUTE_REFERRAL && sp->rec != REC_MANAGER_TO_GRADE) {
		int cand[NOVERRIDES], n = 0;
		for (int i = 0; i < NOVERRIDES; i++) {
			const struct override_row *o = &overrides[i];
			if (o->rec != sp->rec || (o->near_miss && p->sc->kind != KIND_NEAR_MISS) ||
			    (o->disciplinary && sp->route != ROUTE_DISCIPLINARY) ||
			    (o->grade_down && sev <= SEV_MINOR))
				continue;
			cand[n++] = i;
		}
		if (n > 0) {
			const struct override_row *o = &overrides[cand[rng_below(&r, n)]];
			out = o->outcome;
			if (o->grade_down)
				sev = (enum severity)(sev - 1);
			reason = o->reason;
		}
	}
	/* A reason goes only with a decision that differs. */
	bool differs = (sp->severity != SEV_UNGRADED && sev != sp->severity) ||
		       !assess_outcome_follows(sp->rec, sp->route, out);
	rationale(text, sizeof text, p, sp, sev, out);
	decision_init(&dec);
	snprintf(dec.subject, sizeof dec.subject, "%s", sp->staff_id);
	dec.severity = sev;
	dec.outcome = out;
	dec.rationale = xstrdup(text);
	dec.override_reason = differs && reason ? xstrdup(reason) : NULL;
	ret = registry_decide(d->s, &d->act, p->ref, &dec, at, d->e);
	decision_release(&dec);
	if (ret == 0) {
		sp->decided = true;
		sp->outcome = out;
		d->st->decisions++;
	}
	return ret;
}

static int do_notice(struct demo *d, struct plan *p, int k, ts_t at)
{
	struct notice n;
	if (!p->sub[k].decided || !notice_due(p->sub[k].outcome))
		return 0;
	if (registry_notice(d->s, &d->act, p->ref, p->sub[k].staff_id, at, &n, d->e))
		return -1;
	notice_release(&n);
	d->st->notices++;
	return 0;
}

static int transition(struct demo *d, const struct plan *p, const char *to, const char *reason,
		      ts_t at)
{
	return registry_transition(d->s, &d->act, p->ref, to, reason, at, d->e);
}

static int run_event(struct demo *d, const struct event *ev)
{
	if (ev->step == EV_GUIDANCE) {
		const struct guidance_row *g = &guidance_rows[ev->arg];
		json_error_t je;
		int version;
		json_t *doc = json_loads(g->doc, 0, &je);
		if (!doc)
			return err_set(d->e, ERR_RUNTIME, "guidance",
				       "demo guidance for \"%s\" is not "
				       "JSON: %s",
				       g->org, je.text);
		int rc =
		    registry_guidance_publish(d->s, &d->act, g->org, doc, ev->at, &version, d->e);
		json_decref(doc);
		return rc;
	}
	struct plan *p = &d->plans[ev->plan];
	if (ev->step != EV_REPORT && !p->ref[0])
		return 0; /* never reported */
	switch (ev->step) {
	case EV_REPORT:
		return do_report(d, p, ev->at);
	case EV_TRIAGE:
		return transition(d, p, "triaged", NULL, ev->at);
	case EV_INVESTIGATE:
		return transition(d, p, "investigating", NULL, ev->at);
	case EV_NOTE: {
		const char *text = ev->arg == NOTE_SCENARIO	   ? p->sc->note
				   : ev->arg == NOTE_PERSONAL_DATA ? note_personal_data
				   : ev->arg == NOTE_REOPEN	   ? note_reopen
								   : generic_notes[ev->arg];
		return text ? registry_note(d->s, &d->act, p->ref, text, ev->at, d->e) : 0;
	}
	case EV_ASSESS:
		return do_assess(d, p, ev->at);
	case EV_AWAIT:
		return transition(d, p, "awaiting-decision", NULL, ev->at);
	case EV_DECIDE:
		return ev->arg < p->nsub ? do_decide(d, p, ev->arg, ev->at) : 0;
	case EV_DECIDED:
		return transition(d, p, "decided", NULL, ev->at);
	case EV_NOTICE:
		return ev->arg < p->nsub ? do_notice(d, p, ev->arg, ev->at) : 0;
	case EV_CLOSE:
		return transition(d, p, "closed", NULL, ev->at);
	case EV_UNFOUND:
		return transition(d, p, "unfounded", unfounded_reasons[ev->arg], ev->at);
	case EV_WITHDRAW:
		return transition(d, p, "withdrawn", withdrawn_reasons[ev->arg], ev->at);
	case EV_REOPEN:
		return transition(d, p, "reopened", reopen_reason, ev->at);
	case EV_GUIDANCE:
		break;
	}
	return 0;
}

/* ---- accounts: one per role, on people placed where the role bites ---- */

static const struct account_row {
	const char *name;
	enum role role;
	const char *org;
	enum rank rank;
	bool reports_to_manager; /* a direct report of the demo manager */
} account_rows[] = {
	{"security", ROLE_SECURITY, "hq", RANK_STAFF, false},
	{"admin", ROLE_ADMIN, "hq", RANK_STAFF, false},
	{"manager", ROLE_MANAGER, "hmcts-crime", RANK_MANAGER, false},
	{"reporter", ROLE_REPORTER, "hmcts-crime", RANK_STAFF, true},
	{"investigator", ROLE_INVESTIGATOR, "hmcts", RANK_STAFF, false},
	{"hr", ROLE_HR, "hmcts", RANK_STAFF, false},
	{"dpo", ROLE_DPO, "hq", RANK_STAFF, false},
	{"analyst", ROLE_ANALYST, "hq", RANK_STAFF, false},
};

static int add_accounts(struct demo *d, ts_t at)
{
	bool taken[DEMO_MAX_PEOPLE] = {0};
	int manager = -1;
	for (size_t i = 0; i < sizeof account_rows / sizeof account_rows[0]; i++) {
		const struct account_row *row = &account_rows[i];
		int org = org_index(row->org), pick = -1;
		for (int k = 0; k < d->npeople && pick < 0; k++) {
			const struct dperson *p = &d->people[k];
			if (taken[k] || p->org != org || p->rank != row->rank ||
			    p->engagement != ENG_EMPLOYEE || p->probation_until != DATE_NONE)
				continue;
			if (row->reports_to_manager && p->manager != manager)
				continue;
			pick = k;
		}
		if (pick < 0)
			return err_set(d->e, ERR_RUNTIME, "demo", "no one to hold the %s account",
				       row->name);
		taken[pick] = true;
		if (row->role == ROLE_MANAGER)
			manager = pick;
		if (accounts_add(d->s, &d->act, row->name, d->people[pick].id, ROLE_BIT(row->role),
				 DEMO_PASSWORD, at, d->e))
			return -1;
		d->st->accounts++;
	}
	return 0;
}

int demo_load(struct store *s, const struct actor *a, ts_t now, struct demo_stats *stats,
	      struct err *e)
{
	struct demo_stats local = {0};
	struct demo *d = xcalloc(1, sizeof *d);
	int ret = -1;

	d->s = s;
	d->act = *a;
	d->act.staff_id[0] = '\0'; /* each report names its own reporter */
	d->now = now;
	d->start = date_ts_of(date_of_ts(now) - DEMO_DAYS);
	d->rng.s = DEMO_SEED;
	d->st = stats ? stats : &local;
	memset(d->st, 0, sizeof *d->st);
	d->e = e;

	/* Set up a week before the year starts. */
	ts_t setup = d->start - 7 * DAY + 9 * HOUR;
	make_people(d);
	if (add_orgs(d, setup) || add_people(d, setup + HOUR) || add_accounts(d, setup + 2 * HOUR))
		goto out;
	make_plans(d);
	for (int i = 0; i < NGUIDANCE; i++)
		push(d, d->start + (ts_t)guidance_rows[i].day * DAY + 10 * HOUR, -1, EV_GUIDANCE,
		     i);
	for (int i = 0; i < d->nplans; i++)
		schedule(d, i);
	qsort(d->ev, (size_t)d->nev, sizeof *d->ev, event_cmp);
	for (int i = 0; i < d->nev; i++)
		if (run_event(d, &d->ev[i]))
			goto out;
	ret = 0;
out:
	free(d->plans);
	free(d->ev);
	free(d);
	return ret;
}
