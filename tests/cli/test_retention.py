#!/usr/bin/env python3
"""Black-box tests of retention (SPEC 7, issue 7 item 5): `retention apply`
pseudonymises incidents closed longer ago than their guidance's
retention_months (subjects, reporter and free text replaced), keeps counts,
types, severities and outcomes so that every trend is identical before and
after, audits each, leaves open and recent cases alone, and changes nothing
on a dry run.

Usage: python3 tests/cli/test_retention.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import check, eq, run_all, test  # noqa: E402

T0 = "2028-03-01T10:00:00Z"
LATER = "2030-06-01T10:00:00Z"   # two years on: past 12 months' retention
NAMES = ("Sam Subject", "Rita Reporter")


def world(reg):
    reg.ok("init", now=T0)
    reg.ok("org", "add", "hmcts", "HM Courts & Tribunals Service", "--head", "H1000", now=T0)
    reg.ok("person", "add", "H1000", "--name", "Hana Head", "--org", "hmcts", now=T0)
    reg.ok("person", "add", "S2001", "--name", "Sam Subject", "--org", "hmcts",
           "--manager", "H1000", "--engagement", "contractor", now=T0)
    reg.ok("person", "add", "R3001", "--name", "Rita Reporter", "--org", "hmcts", now=T0)
    reg.ok("guidance", "publish", "hmcts", "-", stdin=json.dumps({"retention_months": 12}),
           now=T0)


def report(reg, now, description="Case list with Sam Subject's notes sent to the wrong firm"):
    doc = {"org": "hmcts", "types": ["personal-data-release"], "classification": "official",
           "personal_data": {"records": 40}, "description": description,
           "location": "Petty France, 5th floor", "reporter": "R3001", "subjects": ["S2001"]}
    return reg.out("report", "-", stdin=json.dumps(doc), now=now)


def close(reg, ref, now, notice=True):
    for st in ("triaged", "investigating"):
        reg.ok("transition", ref, st, now=now)
    reg.ok("note", ref, "Interviewed Sam Subject at home", now=now)
    reg.ok("assess-incident", ref, now=now)
    reg.ok("transition", ref, "awaiting-decision", now=now)
    reg.ok("decide", ref, "--subject", "S2001", "--outcome", "breach-notice", "--severity",
           "serious", "--rationale", "Sam Subject admitted sending it", "--override-reason",
           "context", now=now)
    if notice:
        reg.out("notice", ref, "--subject", "S2001", now=now)
    reg.ok("ico", ref, "--notify", "no", "--reason", "Sam Subject's firm deleted it", now=now)
    reg.ok("transition", ref, "decided", now=now)
    reg.ok("transition", ref, "closed", "--reason", "Sam Subject acknowledged", now=now)


TREND_VIEWS = (
    ("--all",), ("--by", "month", "--by", "org", "--all"), ("--by", "type", "--by", "severity"),
    ("--by", "outcome", "--by", "engagement"), ("--by", "control", "--by", "status"),
    ("--by", "kind", "--by", "quarter"),
)


def trends(reg):
    return [reg.ok_json("trends", *v, now=LATER) for v in TREND_VIEWS]


@test
def test_retention_pseudonymises_old_cases_and_keeps_trends(reg):
    world(reg)
    old = report(reg, T0)
    close(reg, old, T0)
    recent = report(reg, "2030-01-10T10:00:00Z")
    close(reg, recent, "2030-01-10T10:00:00Z", notice=False)
    still_open = report(reg, T0)
    before = trends(reg)
    ret_before = reg.ok_json("return", "--quarter", "2028Q1", now=LATER)

    dump = reg.dump()
    dry = reg.ok_json("retention", "apply", "--dry-run", now=LATER)
    eq([x["ref"] for x in dry["incidents"]], [old], "only the old closed case is due")
    eq(reg.dump(), dump, "a dry run changes nothing")

    got = reg.ok_json("retention", "apply", now=LATER)
    eq((got["count"], got["incidents"][0]["ref"]), (1, old), "one incident pseudonymised")

    eq(trends(reg), before, "every trend is identical after retention")
    eq(reg.ok_json("return", "--quarter", "2028Q1", now=LATER), ret_before, "so is the return")
    eq(reg.ok_json("trends", "verify", now=LATER)["differences"], 0, "rollups agree")
    reg.ok("audit", "verify", now=LATER)

    case = reg.ok_json("show", old, now=LATER)
    text = json.dumps(case)
    for s in ("S2001", "R3001") + NAMES + ("Petty France",):
        check(s not in text, f"{s!r} is gone from the case: {text[:400]}")
    check(case["subjects"][0].startswith("P-"), "the subject is a pseudonym")
    eq(case["decisions"][0]["outcome"], "breach-notice", "the outcome stays")
    eq(case["decisions"][0]["severity"], "serious", "the decided severity stays")
    eq(case["types"], ["personal-data-release"], "the types stay")
    eq(len(case["notices"]), 1, "the notice stays, as a number")

    # The pseudonymous person keeps organisation and engagement only.
    pseudo = case["subjects"][0]
    warnings = reg.ok_json("warnings", "S2001", now=LATER)
    check(all(w.get("ref") != old for w in warnings["warnings"]),
          "the old case's warning no longer names S2001")
    # The other cases are untouched.
    for ref in (recent, still_open):
        c = reg.ok_json("show", ref, now=LATER)
        eq(c["subjects"], ["S2001"], f"{ref} keeps its subject")
    # Audited, once, and a second run finds nothing more.
    log = reg.ok_json("audit", "log", "--ref", old, now=LATER)
    eq(sum(1 for x in log if x["action"] == "incident.retention"), 1, "audited once")
    eq(reg.ok_json("retention", "apply", now=LATER)["count"], 0, "nothing left to do")
    check(pseudo.startswith("P-") and len(pseudo) == 14, f"pseudonym form: {pseudo}")


@test
def test_retention_usage(reg):
    world(reg)
    reg.refuses(2, "retention")
    reg.refuses(2, "retention", "apply", "--now")
    eq(reg.ok_json("retention", "apply", now=LATER)["count"], 0, "an empty register")


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    only = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "-k"]
    return run_all(os.path.abspath(argv[0]), jobs=2, only=only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
