#!/usr/bin/env python3
"""Black-box tests of the central record (SPEC 5, issue 5): trends from the
rollups, the signals on data built to have them and not to, the quarterly
return, and the rollups' own upkeep (verify, rebuild).

Usage: python3 tests/cli/test_trends.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import check, eq, run_all, test  # noqa: E402


def world(reg):
    reg.ok("init")
    reg.ok("org", "add", "hmcts", "HM Courts & Tribunals Service", "--head", "H1000",
           "--headcount", "1000")
    reg.ok("org", "add", "hmcts-crime", "Crime", "--parent", "hmcts", "--headcount", "500")
    reg.ok("org", "add", "laa", "Legal Aid Agency", "--head", "H2000", "--headcount", "200")
    reg.ok("person", "add", "H1000", "--name", "Hana Head", "--org", "hmcts")
    reg.ok("person", "add", "H2000", "--name", "Lee Head", "--org", "laa")
    reg.ok("person", "add", "R3001", "--name", "Rita Reporter", "--org", "hmcts")
    for i in range(8):
        reg.ok("person", "add", f"E{i:03d}", "--name", f"Employee {i}", "--org", "hmcts-crime",
               "--manager", "H1000")
        reg.ok("person", "add", f"C{i:03d}", "--name", f"Contractor {i}", "--org", "hmcts-crime",
               "--manager", "H1000", "--engagement", "contractor")


def report(reg, now, org="hmcts-crime", types=("pass-lost",), subjects=("E000",),
           discovered=None, kind="breach", records=0):
    doc = {"kind": kind, "org": org, "types": list(types), "intent": "negligent",
           "damage": "low", "description": "trend test", "reporter": "R3001",
           "subjects": list(subjects), "personal_data": {"records": records}}
    if discovered:
        doc["discovered_at"] = discovered
    return reg.out("report", "-", stdin=json.dumps(doc), now=now)


def decide(reg, ref, subject, outcome, severity="minor", now=None):
    for st in ("triaged", "investigating"):
        reg.ok("transition", ref, st, now=now)
    reg.ok("assess-incident", ref, now=now)
    reg.ok("decide", ref, "--subject", subject, "--outcome", outcome, "--severity", severity,
           "--rationale", "weighed the three factors", "--override-reason",
           "the circumstances differ", now=now)


def month_time(y, m, day=10):
    return f"{y:04d}-{m:02d}-{day:02d}T10:00:00Z"


@test
def test_trends_by_month_and_org_rolls_up_with_rates(reg):
    world(reg)
    report(reg, month_time(2030, 1))
    report(reg, month_time(2030, 1), org="hmcts")
    report(reg, month_time(2030, 2), org="laa", subjects=())  # head of unit
    t = reg.ok_json("trends", "--by", "month", "--by", "org")
    rows = {(r["month"], r["org"]): r for r in t["rows"]}
    eq(t["incidents"], 3, "three incidents")
    eq(rows[("2030-01", "hmcts")]["count"], 2, "hmcts counts its own and hmcts-crime's")
    eq(rows[("2030-01", "hmcts")]["own"], 1, "hmcts's own")
    eq(rows[("2030-01", "hmcts-crime")]["count"], 1, "hmcts-crime")
    eq(rows[("2030-01", "hmcts")]["headcount"], 1500, "headcount rolled up")
    eq(round(rows[("2030-01", "hmcts")]["rate_per_1000"], 3), round(2 * 1000 / 1500, 3),
       "rate per 1,000 staff")
    eq(rows[("2030-02", "laa")]["count"], 1, "laa in February")
    check(("2030-02", "hmcts") not in rows, "no empty groups")
    # The same as CSV, RFC 4180.
    r = reg.ok("trends", "--by", "month", "--by", "org", "--csv")
    got = list(csv.DictReader(io.StringIO(r.out, newline="")))
    eq(len(got), len(t["rows"]), "CSV rows")
    eq(set(got[0]), {"month", "org", "count", "own", "headcount", "rate_per_1000"}, "CSV header")
    # Filters: organisation subtree, month range, quarter form.
    eq(reg.ok_json("trends", "--org", "hmcts")["incidents"], 2, "hmcts and below")
    eq(reg.ok_json("trends", "--from", "2030-02")["incidents"], 1, "from February")
    eq(reg.ok_json("trends", "--from", "2030Q1", "--to", "2030Q1")["incidents"], 3, "Q1")
    eq(reg.ok_json("trends", "--to", "2030-01-31")["incidents"], 2, "to a date")


@test
def test_trends_unit_is_the_incident(reg):
    world(reg)
    # Two types of one control area and two subjects of one engagement.
    report(reg, month_time(2030, 1), types=("pass-lost", "pass-not-worn"),
           subjects=("E001", "E002"))
    t = reg.ok_json("trends", "--by", "control")
    eq([(r["control"], r["count"]) for r in t["rows"]], [("physical-access", 1)],
       "one incident in its control area, not two")
    t = reg.ok_json("trends", "--by", "type")
    eq(sorted((r["type"], r["count"]) for r in t["rows"]),
       [("pass-lost", 1), ("pass-not-worn", 1)], "one in each type")
    t = reg.ok_json("trends", "--by", "engagement")
    eq([(r["engagement"], r["count"]) for r in t["rows"]], [("employee", 1)], "one incident")
    t = reg.ok_json("trends", "--by", "outcome", "--by", "severity")
    eq([(r["outcome"], r["severity"]) for r in t["rows"]], [("undecided", "unassessed")],
       "nothing decided or assessed yet")


@test
def test_trends_leave_out_withdrawn_unless_asked(reg):
    world(reg)
    report(reg, month_time(2030, 1))
    gone = report(reg, month_time(2030, 1))
    reg.ok("transition", gone, "withdrawn", "--reason", "reported in error")
    eq(reg.ok_json("trends")["incidents"], 1, "withdrawn left out")
    eq(reg.ok_json("trends", "--all")["incidents"], 2, "--all counts it")
    t = reg.ok_json("trends", "--by", "status")
    eq(sorted((r["status"], r["count"]) for r in t["rows"]), [("open", 1), ("withdrawn", 1)],
       "by status shows both")


@test
def test_trends_times_from_discovery(reg):
    world(reg)
    # Reported 2, 4 and 30 hours after discovery: median 4 h (within the hour bucket).
    for now, found in (("2030-01-10T12:00:00Z", "2030-01-10T10:00:00Z"),
                       ("2030-01-11T14:00:00Z", "2030-01-11T10:00:00Z"),
                       ("2030-01-13T16:00:00Z", "2030-01-12T10:00:00Z")):
        report(reg, now, discovered=found)
    times = reg.ok_json("trends")["times"]
    eq(times["report"]["count"], 3, "three reports timed")
    check(4 <= times["report"]["median_hours"] < 5, f"median in [4, 5): {times['report']}")
    check(30 <= times["report"]["p90_hours"] < 31, f"p90 in [30, 31): {times['report']}")
    eq(times["close"]["count"], 0, "nothing closed")


@test
def test_trends_bad_input_names_the_field(reg):
    world(reg)
    before = reg.dump()
    reg.refuses(2, "trends", "--by", "colour", field="by")
    reg.refuses(2, "trends", "--from", "2030-13", field="from")
    reg.refuses(2, "trends", "--to", "yesterday", field="to")
    reg.refuses(2, "trends", "--severity", "awful", field="severity")
    reg.refuses(2, "trends", "--org", "Not A Code", field="org")
    reg.refuses(2, "trends", "--org", "nowhere", field="org")
    reg.refuses(2, "trends", "--by", "month", "--by", "quarter", field="by")
    reg.refuses(2, "trends", "--frobnicate")
    eq(reg.dump(), before, "refused queries change nothing")


@test
def test_rising_trend_flagged_only_where_it_is(reg):
    world(reg)
    # A steady baseline: one pass-lost and one pass-not-worn a month for a year.
    for m in range(1, 13):
        report(reg, month_time(2029, m), types=("pass-lost",))
        report(reg, month_time(2029, m), types=("pass-not-worn",))
    # January 2030: six pass-lost (a rise), one pass-not-worn (no change).
    for d in range(1, 7):
        report(reg, month_time(2030, 1, d), types=("pass-lost",))
    report(reg, month_time(2030, 1), types=("pass-not-worn",))
    s = reg.ok_json("signals", "--month", "2030-01", now="2030-02-01T09:00:00Z")
    rising = {(r["org"], r["type"]) for r in s["rising"]}
    check(("hmcts-crime", "pass-lost") in rising, f"the rise is flagged: {s['rising']}")
    check(("hmcts", "pass-lost") in rising, "and at the parent, which holds it")
    check(all(t != "pass-not-worn" for _, t in rising), "the steady type is not flagged")
    r = [x for x in s["rising"] if x["org"] == "hmcts-crime"][0]
    eq((r["count"], r["baseline_total"]), (6, 12), "counts behind the test")
    check(r["p_value"] < 0.01, "p below the stated threshold")
    # The month before: nothing rising.
    s = reg.ok_json("signals", "--month", "2029-12", now="2030-02-01T09:00:00Z")
    eq(s["rising"], [], "no rise in a steady month")
    text = reg.out("signals", "--month", "2030-01", now="2030-02-01T09:00:00Z")
    check("Rising trends" in text and "pass-lost" in text, "the text report names the rise")


@test
def test_repeat_subjects_within_twelve_months(reg):
    world(reg)
    report(reg, month_time(2029, 3), subjects=("E003",))
    report(reg, month_time(2029, 9), subjects=("E003",))  # 6 months later: repeat
    report(reg, month_time(2028, 11), subjects=("E004",))
    report(reg, month_time(2029, 12), subjects=("E004",))  # 13 months apart: not
    s = reg.ok_json("signals", "--month", "2029-12", now="2030-01-01T09:00:00Z")
    subjects = {r["subject"]: r for r in s["repeat_subjects"]}
    check("E003" in subjects, f"E003 is a repeat subject: {s['repeat_subjects']}")
    eq(subjects["E003"]["incidents"], 2, "two incidents")
    check("E004" not in subjects, "incidents 13 months apart are not a repeat")


@test
def test_control_adequacy_ranks_by_weighted_severity(reg):
    world(reg)
    for _ in range(3):
        report(reg, month_time(2030, 1), types=("pass-lost",))  # physical-access, minor
    ref = report(reg, month_time(2030, 1), types=("personal-data-release",), records=500)
    reg.ok("assess-incident", ref, now=month_time(2030, 1))
    s = reg.ok_json("signals", "--month", "2030-01", now="2030-02-01T09:00:00Z")
    ranked = [c["control"] for c in s["control_adequacy"]]
    first = s["control_adequacy"][0]
    check(first["score"] >= s["control_adequacy"][-1]["score"], "ranked by score")
    check("data-protection" in ranked and "physical-access" in ranked, f"both areas: {ranked}")
    pa = [c for c in s["control_adequacy"] if c["control"] == "physical-access"][0]
    eq((pa["incidents"], pa["where"][0]["org"]), (3, "hmcts-crime"), "where it fails")


@test
def test_consistency_flags_disparity_by_engagement(reg):
    world(reg)
    now = month_time(2030, 1)
    # The same type and severity: every employee got a breach notice, every
    # contractor only advice.
    for i in range(5):
        decide(reg, report(reg, now, subjects=(f"E{i:03d}",)), f"E{i:03d}", "breach-notice",
               now=now)
        decide(reg, report(reg, now, subjects=(f"C{i:03d}",)), f"C{i:03d}", "advice", now=now)
    s = reg.ok_json("signals", "--month", "2030-01", now="2030-02-01T09:00:00Z")
    flagged = {(c["by"], c["group"]) for c in s["consistency"]}
    check(("engagement", "contractor") in flagged, f"contractors treated differently: {s['consistency']}")
    c = [x for x in s["consistency"] if x["group"] == "contractor"][0]
    eq((c["sanctioned"], c["not_sanctioned"], c["rest_sanctioned"], c["rest_not_sanctioned"]),
       (0, 5, 5, 0), "the 2x2 table")
    check(abs(c["p_value"] - 0.007937) < 1e-4, f"Fisher's exact p: {c['p_value']}")


@test
def test_consistency_quiet_when_outcomes_are_even(reg):
    world(reg)
    now = month_time(2030, 1)
    for i in range(4):
        out = "breach-notice" if i % 2 else "advice"
        decide(reg, report(reg, now, subjects=(f"E{i:03d}",)), f"E{i:03d}", out, now=now)
        decide(reg, report(reg, now, subjects=(f"C{i:03d}",)), f"C{i:03d}", out, now=now)
    s = reg.ok_json("signals", "--month", "2030-01", now="2030-02-01T09:00:00Z")
    eq(s["consistency"], [], "no disparity flagged")
    check(s["consistency_tests"] > 0, "but comparisons were made")


@test
def test_quarterly_return(reg):
    world(reg)
    q3 = month_time(2030, 8)
    a = report(reg, q3, types=("personal-data-release",), records=40)
    b = report(reg, q3, types=("personal-data-release",), records=10)
    report(reg, q3, kind="near-miss")
    report(reg, month_time(2030, 10))  # Q4: not in the return
    for ref in (a, b):
        for st in ("triaged", "investigating"):
            reg.ok("transition", ref, st, now=q3)
    reg.ok("ico", a, "--notify", "yes", "--reason", "risk to rights", "--ico-reference", "IC-1",
           now=q3)
    reg.ok("ico", b, "--notify", "no", "--reason", "encrypted", now=q3)
    r = reg.ok_json("return", "--quarter", "2030Q3", now="2030-10-15T09:00:00Z")
    eq((r["quarter"], r["from"], r["to"]), ("2030Q3", "2030-07", "2030-09"), "the quarter")
    eq((r["breaches"], r["near_misses"]), (2, 1), "breaches and near misses")
    eq(r["personal_data"], {"breaches": 2, "reported_to_ico": 1, "not_reported_to_ico": 1,
                            "ico_decision_pending": 0}, "personal data and the ICO")
    eq(r["open"]["from_quarter"], 3, "all three still open")
    eq(r["open"]["all"], 4, "with Q4's")
    eq({x["type"]: x["count"] for x in r["by_type"]},
       {"personal-data-release": 2, "pass-lost": 1}, "by type")
    text = reg.out("return", "--quarter", "2030Q3", now="2030-10-15T09:00:00Z")
    check(text.startswith("OFFICIAL-SENSITIVE") and text.rstrip().endswith("OFFICIAL-SENSITIVE"),
          "marked at top and bottom")
    c = reg.ok("return", "--quarter", "2030Q3", "--csv", now="2030-10-15T09:00:00Z").out
    rows = list(csv.reader(io.StringIO(c, newline="")))
    eq(rows[0], ["section", "key", "count"], "CSV header")
    check(["personal_data", "reported_to_ico", "1"] in rows, "CSV carries the ICO count")
    reg.refuses(2, "return", "--quarter", "2030Q5", field="quarter")
    reg.refuses(2, "return", "--quarter", "2030-07", field="quarter")
    reg.refuses(2, "return")


@test
def test_rollups_verify_and_rebuild(reg):
    world(reg)
    for m in (1, 2, 3):
        ref = report(reg, month_time(2030, m))
        decide(reg, ref, "E000", "advice", now=month_time(2030, m))
    eq(reg.ok_json("trends", "verify")["differences"], 0, "rollups agree with a recount")
    before = reg.ok_json("trends", "--by", "month", "--by", "outcome")
    reg.sql("UPDATE rollup SET n = n + 5 WHERE mask = 0")
    r = reg.refuses(1, "trends", "verify")
    check("rebuild" in r.err, "verify says how to repair")
    eq(reg.ok_json("trends", "rebuild")["incidents"], 3, "rebuilt from three incidents")
    eq(reg.ok_json("trends", "verify")["differences"], 0, "agree again")
    eq(reg.ok_json("trends", "--by", "month", "--by", "outcome"), before, "same answers")
    eq(reg.out("audit", "verify").split()[0] != "", True, "audit still verifies")


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    only = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "-k"]
    return run_all(os.path.abspath(argv[0]), jobs=2, only=only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
