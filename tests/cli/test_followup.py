#!/usr/bin/env python3
"""Black-box tests of what follows a decision (SPEC 1): the DPO's decision on
notifying the ICO within 72 hours (UK GDPR Art. 33), and HR's disciplinary
outcome, whose written warnings go on record and weigh on later breaches.

Usage: python3 tests/cli/test_followup.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import check, eq, run_all, test  # noqa: E402

NOW = "2030-03-02T10:00:00Z"  # helpers' default clock


def world(reg):
    reg.ok("init")
    reg.ok("org", "add", "hmcts", "HM Courts & Tribunals Service", "--head", "S1000")
    reg.ok("person", "add", "S1000", "--name", "Hana Head", "--org", "hmcts")
    reg.ok("person", "add", "S2001", "--name", "Sam Subject", "--org", "hmcts",
           "--manager", "S1000")
    reg.ok("person", "add", "R3001", "--name", "Rita Reporter", "--org", "hmcts")


def report(reg, **kw):
    doc = {"org": "hmcts", "types": ["personal-data-release"], "classification": "official",
           "personal_data": {"records": 250, "special_category": False},
           "discovered_at": "2030-03-01T09:00:00Z", "description": "Case list emailed to the wrong firm",
           "reporter": "R3001", "subjects": ["S2001"]}
    doc.update(kw)
    ref = reg.out("report", "-", stdin=json.dumps(doc))
    for st in ("triaged", "investigating"):
        reg.ok("transition", ref, st)
    return ref


def due_actions(reg):
    return [(a["ref"], a["code"]) for a in reg.ok_json("summary")["actions_due"]]


@test
def test_ico_decision_completes_the_dpo_action(reg):
    world(reg)
    ref = report(reg)
    reg.ok("assess-incident", ref)
    check((ref, "dpo-notify") in due_actions(reg), "dpo-notify is due before the ICO decision")
    before = reg.dump()
    reg.refuses(2, "ico", ref, "--notify", "maybe", "--reason", "x", field="notify")
    reg.refuses(2, "ico", ref, "--notify", "yes", field="reason")
    reg.refuses(2, "ico", ref, "--notify", "no", "--reason", "low risk", "--ico-reference", "X1",
                field="notify")
    eq(reg.dump(), before, "refused ICO decisions change nothing")
    got = reg.ok_json("ico", ref, "--notify", "yes", "--reason", "250 clients' details",
                      "--ico-reference", "IC-123456-A1B2", "--notified-at", "2030-03-02T08:00:00Z")
    eq((got["notify"], got["ico_reference"], got["notified_at"]),
       (True, "IC-123456-A1B2", "2030-03-02T08:00:00Z"), "the decision as recorded")
    check((ref, "dpo-notify") not in due_actions(reg), "dpo-notify is no longer due")
    case = reg.ok_json("show", ref)
    eq(case["ico_decision"]["within_72_hours"], True,
       "notified 23 hours after discovery: within 72 hours")
    reg.refuses(2, "ico", ref, "--notify", "no", "--reason", "again", field="ref")
    log = reg.ok_json("audit", "log", "--ref", ref)
    check(any(x["action"] == "incident.ico" for x in log), "the ICO decision is audited")


@test
def test_ico_late_and_not_for_breaches_without_personal_data(reg):
    world(reg)
    late = report(reg, discovered_at="2030-02-20T09:00:00Z")
    reg.ok("ico", late, "--notify", "no", "--reason", "encrypted; no risk to rights")
    eq(reg.ok_json("show", late)["ico_decision"]["within_72_hours"], False,
       "decided 9 days after discovery: late")
    none = report(reg, types=["pass-lost"], personal_data={"records": 0})
    reg.refuses(2, "ico", none, "--notify", "no", "--reason", "n/a", field="ref")


@test
def test_hr_written_warning_goes_on_record_and_aggravates(reg):
    world(reg)
    ref = report(reg, types=["workstation-unlocked"], classification="none",
                 personal_data={"records": 0})
    reg.ok("assess-incident", ref)
    before = reg.dump()
    reg.refuses(2, "hr-outcome", ref, "--subject", "S2001", "--outcome", "written-warning",
                "--notes", "procedure complete", field="subject")  # no decision yet
    eq(reg.dump(), before, "refused outcome changes nothing")
    reg.ok("decide", ref, "--subject", "S2001", "--outcome", "advice", "--severity", "minor",
           "--rationale", "first time")
    reg.refuses(2, "hr-outcome", ref, "--subject", "S2001", "--outcome", "sacked",
                "--notes", "x", field="outcome")
    reg.refuses(2, "hr-outcome", ref, "--subject", "R3001", "--outcome", "dismissal",
                "--notes", "x", field="subject")
    reg.refuses(2, "hr-outcome", ref, "--subject", "S2001", "--outcome", "written-warning",
                field="notes")
    got = reg.ok_json("hr-outcome", ref, "--subject", "S2001", "--outcome", "written-warning",
                      "--notes", "hearing held 1 March; written warning issued")
    eq((got["outcome"], got["effective_on"]), ("written-warning", NOW[:10]), "recorded")
    w = reg.ok_json("warnings", "S2001")
    eq([(x["level"], x["live"]) for x in w["warnings"]], [("written-warning", True)],
       "the written warning is on record and live")
    eq(w["warnings"][0]["expires_on"], "2030-09-02", "written warnings are live for 6 months")
    second = report(reg, types=["pass-lost"], classification="none", personal_data={"records": 0})
    a = reg.ok_json("assess-incident", second)["assessments"][0]
    eq((a["severity"], a["live_warnings"]), ("serious", 1),
       "a later minor breach is aggravated by the live written warning")
    reg.refuses(2, "hr-outcome", ref, "--subject", "S2001", "--outcome", "dismissal",
                "--notes", "again", field="subject")
    check(reg.ok_json("show", ref)["hr_outcomes"][0]["outcome"] == "written-warning",
          "the case shows the HR outcome")


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    only = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "-k"]
    return run_all(os.path.abspath(argv[0]), jobs=2, only=only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
