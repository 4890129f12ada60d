#!/usr/bin/env python3
"""Black-box tests of the breachreg command line (SPEC 3, 4, 6.1, 7).

Usage: python3 tests/cli/test_cli.py BINARY [SHARED_DIR] [-k NAME]...

Each test starts from a fresh temporary register (--db in a temp dir) with
the clock fixed by BREACHREG_NOW, drives the real binary, and reads the
SQLite file directly only to compare content or to tamper with it. Ends with
one line 'N passed, N failed'; exits 1 if anything failed."""
import glob
import json
import os
import pwd
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import sqlite_only  # noqa: E402
from helpers import (DEFAULT_NOW, check, eq, fail, names_field, run_all, test,  # noqa: E402
                     unchanged)

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))

REF_RE = r"SB-(\d{4})-\d{6}"
NOTICE_RE = r"BN-(\d{4})-\d{6}"


# ---------------------------------------------------------------- fixtures

def world(reg):
    """The register most tests start from: HMCTS with a head of unit, a line
    manager, subjects of each kind, and a reporter."""
    reg.ok("init")
    reg.ok("org", "add", "hmcts", "HM Courts & Tribunals Service", "--discipline", "moj",
           "--headcount", "16000", "--head", "S1000")
    reg.ok("person", "add", "S1000", "--name", "Hana Head", "--org", "hmcts",
           "--email", "hana.head@justice.gov.uk", "--clearance", "sc")
    reg.ok("person", "add", "M1001", "--name", "Mo Manager", "--org", "hmcts",
           "--manager", "S1000", "--engagement", "employee", "--clearance", "sc")
    reg.ok("person", "add", "S2001", "--name", "Sam Subject", "--org", "hmcts",
           "--manager", "M1001", "--engagement", "employee", "--clearance", "sc")
    reg.ok("person", "add", "S2002", "--name", "Cal Contractor", "--org", "hmcts",
           "--manager", "M1001", "--engagement", "contractor", "--clearance", "bpss")
    reg.ok("person", "add", "S2003", "--name", "Pat Probationer", "--org", "hmcts",
           "--manager", "M1001", "--engagement", "employee", "--probation-until", "2030-09-30",
           "--clearance", "bpss")
    reg.ok("person", "add", "R3001", "--name", "Rita Reporter", "--org", "hmcts",
           "--clearance", "bpss")


def incident(**kw):
    doc = {"kind": "breach", "org": "hmcts", "types": ["workstation-unlocked"],
           "intent": "negligent", "damage": "low", "location": "102 Petty France, 5th floor",
           "description": "Workstation left unlocked over lunch", "reporter": "R3001",
           "confidential_reporter": False, "subjects": ["S2001"]}
    for k, v in kw.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    return doc


def report(reg, doc, now=None, name="incident.json"):
    """Reports doc; returns its reference (checked against SB-YYYY-NNNNNN)."""
    ref = reg.out("report", reg.write(name, doc), now=now)
    check(re.fullmatch(REF_RE, ref), f"report printed {ref!r}, not SB-YYYY-NNNNNN")
    return ref


def walk(reg, ref, *states, now=None):
    for st in states:
        got = reg.ok_json("transition", ref, st, now=now)
        eq(got.get("status"), st, f"status after transition {ref} {st}")


def assess_one(reg, ref, now=None):
    out = reg.ok_json("assess-incident", ref, now=now)
    eq(out.get("ref"), ref, "assess-incident ref")
    a = out.get("assessments")
    check(isinstance(a, list) and len(a) == 1, f"expected one assessment, got {a!r}")
    return a[0]


def rules(assessment):
    return [x.get("rule") for x in assessment.get("explanation", [])]


# ---------------------------------------------------------- 1. the full flow

@test
def test_full_flow_notice_aggravates_then_expires(reg):
    world(reg)
    t0 = "2030-03-02T10:00:00Z"
    ref = report(reg, incident(types=["portable-asset-lost"], classification="official",
                               intent="negligent", damage="moderate",
                               description="Laptop left on a train",
                               occurred_at="2030-02-28T17:00:00Z",
                               discovered_at="2030-03-01T09:30:00Z"), now=t0)
    eq(re.fullmatch(REF_RE, ref).group(1), "2030", f"year of {ref} (clock is {t0})")

    eq(reg.out("transition", ref, "triaged", now=t0), f"{ref} triaged", "transition text output")
    walk(reg, ref, "investigating", "awaiting-decision", now=t0)

    a = assess_one(reg, ref, now=t0)
    eq(a.get("subject"), "S2001", "assessed subject")
    eq(a.get("severity"), "serious", "severity of a lost OFFICIAL laptop")
    eq(a.get("baseline"), "serious", "baseline")
    eq(a.get("recommendation"), "breach-notice", "recommendation")
    eq(a.get("route"), "disciplinary", "route")
    eq(a.get("route_policy"), "moj", "route_policy")
    eq(a.get("guidance_version"), "moj/1", "guidance_version")
    eq(a.get("live_warnings"), 0, "live_warnings before any notice")
    check("aggravation" not in rules(a), f"first breach must not be aggravated: {rules(a)}")

    d = reg.ok_json("decide", ref, "--subject", "S2001", "--outcome", "breach-notice",
                    "--severity", "serious", "--rationale",
                    "laptop left on a train; encrypted; first breach", now=t0)
    eq((d.get("severity"), d.get("outcome")), ("serious", "breach-notice"), "decision echoed")

    bn = reg.out("notice", ref, "--subject", "S2001", now=t0)
    m = re.fullmatch(NOTICE_RE, bn)
    check(m, f"notice printed {bn!r}, not BN-YYYY-NNNNNN")
    eq(m.group(1), "2030", f"year of {bn}")

    w = reg.ok_json("warnings", "S2001", now=t0)
    eq(w.get("live"), 1, "live warnings after the notice")
    ws = w.get("warnings") or []
    check(len(ws) == 1, f"one warning expected: {ws!r}")
    eq(ws[0].get("live"), True, "warning is live")
    eq(ws[0].get("notice"), bn, "warning names its notice")
    eq(ws[0].get("level"), "breach-notice", "warning level")
    eq(ws[0].get("issued_on"), "2030-03-02", "warning issued_on")
    eq(ws[0].get("expires_on"), "2031-03-02", "a breach notice is live 12 months")

    case = reg.ok_json("show", ref, now=t0)
    check("OFFICIAL-SENSITIVE" in (case.get("marking") or ""),
          f"show --json marking: {case.get('marking')!r}")
    tos = [t.get("to") for t in case.get("transitions", [])]
    check(tos[-3:] == ["triaged", "investigating", "awaiting-decision"],
          f"transitions recorded in order: {tos}")
    eq(len(case.get("assessments", [])), 1, "assessments in show")
    eq(case["assessments"][0].get("guidance_version"), "moj/1", "stored assessment version")
    ds = case.get("decisions", [])
    eq(len(ds), 1, "decisions in show")
    eq(ds[0].get("rationale"), "laptop left on a train; encrypted; first breach", "rationale kept")
    eq([n.get("number") for n in case.get("notices", [])], [bn], "notices in show")
    eq(case.get("status"), "awaiting-decision", "status in show")

    text = reg.ok("show", ref, now=t0).out.strip().splitlines()
    check(text and "OFFICIAL-SENSITIVE" in text[0] and "OFFICIAL-SENSITIVE" in text[-1],
          f"show must carry the marking at top and bottom: {text[:1]} ... {text[-1:]}")

    walk(reg, ref, "decided", "closed", now=t0)
    closed = reg.ok_json("show", ref, now=t0)
    eq(closed.get("status"), "closed", "status after closing")
    check(closed.get("closed_at"), "closed_at is set once closed")

    # The CLI is the system administrator with security powers: it may reopen.
    got = reg.ok_json("transition", ref, "investigating", "--reason", "new evidence", now=t0)
    eq(got.get("status"), "investigating", "reopened from closed")

    # A second breach a week later, while the notice is live: aggravated.
    t1 = "2030-03-09T10:00:00Z"
    ref2 = report(reg, incident(types=["workstation-unlocked"], intent="negligent",
                                damage="low"), now=t1)
    check(ref2 != ref, "a new reference for a new incident")
    a2 = assess_one(reg, ref2, now=t1)
    eq(a2.get("baseline"), "minor", "baseline of workstation-unlocked")
    eq(a2.get("severity"), "serious", "minor aggravated one level by the live warning")
    eq(a2.get("live_warnings"), 1, "live_warnings from the register")
    aggr = [x for x in a2.get("explanation", []) if x.get("rule") == "aggravation"]
    check(aggr, f"an explanation line with rule aggravation: {a2.get('explanation')}")
    eq(aggr[0].get("policy"), "POLSBP006", "aggravation cites POLSBP006")
    eq(a2.get("recommendation"), "formal-action", "serious with a live warning")

    # The day before the warning lapses it still aggravates; 12 months on
    # (SPEC 3.5: live while today < issued_on + 12 months) and a day later
    # it does not.
    for when, live in (("2031-03-01T10:00:00Z", 1), ("2031-03-02T10:00:00Z", 0),
                       ("2031-03-03T10:00:00Z", 0)):
        r = report(reg, incident(types=["workstation-unlocked"]), now=when)
        eq(re.fullmatch(REF_RE, r).group(1), "2031", f"year of {r} reported at {when}")
        a3 = assess_one(reg, r, now=when)
        eq(a3.get("live_warnings"), live, f"live_warnings on {when[:10]}")
        eq(a3.get("severity"), "serious" if live else "minor", f"severity on {when[:10]}")
        eq("aggravation" in rules(a3), bool(live), f"aggravation line on {when[:10]}")

    w = reg.ok_json("warnings", "S2001", now="2031-03-03T10:00:00Z")
    eq(w.get("live"), 0, "no live warning after 12 months")
    eq([x.get("live") for x in w.get("warnings", [])], [False], "the warning is listed, expired")


@test
def test_decided_needs_every_subject_decided(reg):
    world(reg)
    ref = report(reg, incident(subjects=["S2001", "S2002"]))
    walk(reg, ref, "triaged", "investigating")
    out = reg.ok_json("assess-incident", ref)
    eq(sorted(a.get("subject") for a in out.get("assessments", [])), ["S2001", "S2002"],
       "one assessment per subject")
    routes = {a["subject"]: a.get("route") for a in out["assessments"]}
    eq(routes, {"S2001": "disciplinary", "S2002": "contract"}, "route by engagement")
    reg.ok("decide", ref, "--subject", "S2001", "--outcome", "advice", "--severity", "minor",
           "--rationale", "first time, no damage")
    walk(reg, ref, "awaiting-decision")
    before = reg.dump()
    reg.refuses(2, "transition", ref, "decided")
    unchanged(reg, before, "decided with a subject undecided")
    reg.ok("decide", ref, "--subject", "S2002", "--outcome", "advice", "--severity", "minor",
           "--rationale", "contractor briefed")
    walk(reg, ref, "decided")


# ------------------------------------------------------ 2. decide refuses

def decidable(reg):
    """An assessed workstation-unlocked incident: minor, advice."""
    world(reg)
    ref = report(reg, incident())
    walk(reg, ref, "triaged", "investigating")
    a = assess_one(reg, ref)
    eq((a.get("severity"), a.get("recommendation")), ("minor", "advice"),
       "a first unlocked workstation")
    return ref


@test
def test_decide_requires_rationale(reg):
    ref = decidable(reg)
    before = reg.dump()
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "advice",
                "--severity", "minor", field="rationale")
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "advice",
                "--severity", "minor", "--rationale", "   ", field="rationale")
    unchanged(reg, before, "decide without a rationale")


@test
def test_decide_requires_override_reason_when_differing(reg):
    ref = decidable(reg)
    before = reg.dump()
    # Outcome differs from the recommendation (advice).
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "breach-notice",
                "--severity", "minor", "--rationale", "second time", field="override_reason")
    # Severity differs from the assessment (minor).
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "advice",
                "--severity", "serious", "--rationale", "data at risk", field="override_reason")
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "advice",
                "--severity", "serious", "--rationale", "data at risk",
                "--override-reason", "  ", field="override_reason")
    unchanged(reg, before, "decide differing without an override reason")

    d = reg.ok_json("decide", ref, "--subject", "S2001", "--outcome", "breach-notice",
                    "--severity", "serious", "--rationale", "screen showed a court list",
                    "--override-reason", "sensitive list in view of the public")
    eq(d.get("override_reason"), "sensitive list in view of the public", "override recorded")
    case = reg.ok_json("show", ref)
    eq([(x.get("severity"), x.get("outcome"), x.get("override_reason"))
        for x in case.get("decisions", [])],
       [("serious", "breach-notice", "sensitive list in view of the public")], "stored decision")

    # One decision per subject: a second one, even one that follows the
    # recommendation, is refused and changes nothing.
    before = reg.dump()
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "advice",
                "--severity", "minor", "--rationale", "changed my mind")
    unchanged(reg, before, "second decision for the same subject")


@test
def test_decide_refuses_bad_subject_and_unassessed(reg):
    world(reg)
    ref = report(reg, incident())
    walk(reg, ref, "triaged", "investigating")
    before = reg.dump()
    # Not yet assessed: the recommendation to compare with does not exist.
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "advice",
                "--severity", "minor", "--rationale", "quick", field="subject")
    assess_one(reg, ref)
    before = reg.dump()
    reg.refuses(2, "decide", ref, "--subject", "S2002", "--outcome", "advice",
                "--severity", "minor", "--rationale", "not theirs", field="subject")
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "sack",
                "--severity", "minor", "--rationale", "x", field="outcome")
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "advice",
                "--severity", "ungraded", "--rationale", "x", field="severity")
    reg.refuses(2, "decide", "SB-2030-999999", "--subject", "S2001", "--outcome", "advice",
                "--severity", "minor", "--rationale", "x")
    unchanged(reg, before, "refused decisions")


@test
def test_notice_needs_a_decision_calling_for_one(reg):
    ref = decidable(reg)
    before = reg.dump()
    reg.refuses(2, "notice", ref, "--subject", "S2001", field="subject")
    unchanged(reg, before, "notice before a decision")
    reg.ok("decide", ref, "--subject", "S2001", "--outcome", "advice", "--severity", "minor",
           "--rationale", "words of advice given")
    before = reg.dump()
    reg.refuses(2, "notice", ref, "--subject", "S2001")
    unchanged(reg, before, "notice after an advice decision")
    eq(reg.ok_json("warnings", "S2001").get("live"), 0, "advice is not a live warning")


@test
def test_notice_once_per_subject(reg):
    world(reg)
    ref = report(reg, incident(types=["account-sharing"]))
    walk(reg, ref, "triaged", "investigating")
    a = assess_one(reg, ref)
    eq(a.get("recommendation"), "breach-notice", "account-sharing recommendation")
    reg.ok("decide", ref, "--subject", "S2001", "--outcome", "breach-notice",
           "--severity", a["severity"], "--rationale", "shared a password with a colleague")
    n = reg.ok_json("notice", ref, "--subject", "S2001")
    check(re.fullmatch(NOTICE_RE, n.get("number", "")), f"notice --json number: {n!r}")
    doc = n.get("document") or {}
    check("OFFICIAL-SENSITIVE" in doc.get("marking", ""), f"notice document marking: {doc!r}")
    before = reg.dump()
    reg.refuses(2, "notice", ref, "--subject", "S2001")
    unchanged(reg, before, "second notice")
    eq(reg.ok_json("warnings", "S2001").get("live"), 1, "exactly one live warning")


# ------------------------------------------------------------ 3. lifecycle

@test
def test_lifecycle_illegal_transition_lists_allowed(reg):
    world(reg)
    ref = report(reg, incident())
    before = reg.dump()
    r = reg.refuses(2, "transition", ref, "decided")
    for st in ("triaged", "unfounded", "withdrawn"):
        check(names_field(r.err, st), f"stderr should list allowed next state {st!r}\n"
                                      f"{r.describe()}")
    check(not names_field(r.err.split("allowed", 1)[-1], "closed"),
          f"closed is not an allowed next state\n{r.describe()}")
    reg.refuses(2, "transition", ref, "investigating")  # no skipping triage
    reg.refuses(2, "transition", ref, "purple", field="status")
    reg.refuses(2, "transition", "SB-2030-999999", "triaged")
    unchanged(reg, before, "illegal transitions")
    eq(reg.ok_json("show", ref).get("status"), "reported", "still reported")


@test
def test_lifecycle_withdraw_needs_reason_and_reopen(reg):
    world(reg)
    ref = report(reg, incident())
    walk(reg, ref, "triaged")
    before = reg.dump()
    reg.refuses(2, "transition", ref, "withdrawn", field="reason")
    reg.refuses(2, "transition", ref, "withdrawn", "--reason", "  ", field="reason")
    reg.refuses(2, "transition", ref, "unfounded", field="reason")
    unchanged(reg, before, "withdrawn without a reason")

    got = reg.ok_json("transition", ref, "withdrawn", "--reason", "reported twice")
    eq(got.get("status"), "withdrawn", "withdrawn with a reason")
    case = reg.ok_json("show", ref)
    last = case.get("transitions", [{}])[-1]
    eq((last.get("from"), last.get("to"), last.get("reason")),
       ("triaged", "withdrawn", "reported twice"), "the transition and its reason are recorded")
    check(last.get("actor", "").startswith("cli:"), f"transition actor {last.get('actor')!r}")
    check(case.get("closed_at"), "withdrawn is a closed state")

    before = reg.dump()
    reg.refuses(2, "transition", ref, "triaged")
    reg.refuses(2, "transition", ref, "investigating", field="reason")  # reopen needs a reason
    unchanged(reg, before, "from withdrawn")
    got = reg.ok_json("transition", ref, "investigating", "--reason", "not a duplicate after all")
    eq(got.get("status"), "investigating", "reopened from withdrawn")
    eq(reg.ok_json("show", ref).get("closed_at"), None, "a reopened incident is open again")

    walk(reg, ref, "awaiting-decision")
    reg.refuses(2, "transition", ref, "investigating", field="reason")
    got = reg.ok_json("transition", ref, "unfounded", "--reason", "screen was locked after all")
    eq(got.get("status"), "unfounded", "unfounded with a reason")
    got = reg.ok_json("transition", ref, "reopened", "--reason", "CCTV shows otherwise")
    eq(got.get("status"), "investigating", "'reopened' lands in investigating")


@test
def test_note_appends(reg):
    world(reg)
    ref = report(reg, incident())
    reg.ok("note", ref, "spoke to the subject")
    reg.ok("note", ref, "checked the access logs", now="2030-03-03T09:00:00Z")
    notes = reg.ok_json("show", ref).get("notes", [])
    eq([n.get("text") for n in notes], ["spoke to the subject", "checked the access logs"],
       "notes in order")
    before = reg.dump()
    reg.refuses(2, "note", ref, "   ", field="text")
    reg.refuses(2, "note", ref, "x" * 30000, field="text")
    unchanged(reg, before, "bad notes")


# ------------------------------------------------------------- 4. audit

def audit_store(reg):
    """A register with a few dozen audit entries."""
    world(reg)
    ref = report(reg, incident())
    walk(reg, ref, "triaged", "investigating")
    assess_one(reg, ref)
    r = reg.ok_json("audit", "verify")
    eq(r.get("ok"), True, "audit verify --json on a clean store")
    n = r.get("verified")
    check(isinstance(n, int) and n >= 10, f"verified count {n!r}")
    eq(reg.out("audit", "verify").startswith("audit chain intact"), True, "text verify")
    cols = reg.columns("audit")
    for c in ("seq", "at", "actor", "action", "entity", "detail", "prev", "hash"):
        check(c in cols, f"audit table column {c!r} (have {cols})")
    return n


def verify_fails(reg, entry=None):
    r = reg.run("audit", "verify")
    check(r.code != 0, f"audit verify must fail on a tampered chain\n{r.describe()}")
    eq(r.code, 1, "audit verify exit code on a broken chain")
    m = re.search(r"audit\[(\d+)\]", r.err)
    check(m, f"stderr must name the entry audit[N]\n{r.describe()}")
    if entry is not None:
        eq(int(m.group(1)), entry, f"entry named in {r.err.strip()!r}")
    j = reg.run("--json", "audit", "verify")
    check(j.code != 0, f"--json audit verify must fail too\n{j.describe()}")
    out = j.json()
    eq(out.get("ok"), False, "--json ok")
    eq(out.get("entry"), f"audit[{m.group(1)}]", "--json names the same entry")
    return int(m.group(1))


@test
def test_audit_verify_detects_edited_detail(reg):
    audit_store(reg)
    eq(reg.sql("UPDATE audit SET detail = ? WHERE seq = 3", ('{"forged":true}',)), [], "update")
    verify_fails(reg, entry=3)


@test
def test_audit_verify_detects_edited_actor(reg):
    audit_store(reg)
    reg.sql("UPDATE audit SET actor = 'cli:mallory' WHERE seq = 3")
    verify_fails(reg, entry=3)


@test
def test_audit_verify_detects_deleted_entry(reg):
    n = audit_store(reg)
    mid = n // 2
    reg.sql("DELETE FROM audit WHERE seq = ?", (mid,))
    got = verify_fails(reg)
    check(got in (mid, mid + 1), f"the entry named ({got}) should be at the gap ({mid})")


@test
def test_audit_verify_detects_reordered_entries(reg):
    audit_store(reg)
    cols = [c for c in reg.columns("audit") if c != "seq"]
    a = reg.sql(f"SELECT {', '.join(cols)} FROM audit WHERE seq = 4")[0]
    b = reg.sql(f"SELECT {', '.join(cols)} FROM audit WHERE seq = 5")[0]
    sets = ", ".join(f"{c} = ?" for c in cols)
    reg.sql(f"UPDATE audit SET {sets} WHERE seq = 4", b)
    reg.sql(f"UPDATE audit SET {sets} WHERE seq = 5", a)
    got = verify_fails(reg)
    check(got in (4, 5), f"the entry named ({got}) should be one of the swapped ones")


@test
def test_audit_verify_detects_truncated_tail_hash(reg):
    # Editing the newest entry's hash (nothing chains after it) is caught too.
    audit_store(reg)
    last = reg.sql("SELECT max(seq) FROM audit")[0][0]
    reg.sql("UPDATE audit SET hash = ? WHERE seq = ?", ("0" * 64, last))
    verify_fails(reg, entry=last)


@test
def test_audit_verify_detects_removed_newest_entries(reg):
    # SPEC 7: "any ... removed ... entry", including the newest ones, which
    # no later entry chains to.
    audit_store(reg)
    last = reg.sql("SELECT max(seq) FROM audit")[0][0]
    reg.sql("DELETE FROM audit WHERE seq >= ?", (last - 1,))
    got = verify_fails(reg)
    check(got in (last - 2, last - 1, last), f"the entry named ({got}) should be at the end")


@test
def test_audit_log_records_cli_actor(reg):
    world(reg)
    ref = report(reg, incident())
    reg.ok("show", ref)
    user = pwd.getpwuid(os.getuid()).pw_name
    log = reg.ok_json("audit", "log")
    check(isinstance(log, list) and len(log) >= 8, f"audit log --json: {str(log)[:200]}")
    eq(sorted({e.get("actor") for e in log}), [f"cli:{user}"], "every entry's actor")
    eq([e.get("seq") for e in log], list(range(1, len(log) + 1)), "sequence numbers")
    mine = reg.ok_json("audit", "log", "--ref", ref)
    actions = [e.get("action") for e in mine]
    check(mine and all(e.get("entity") == ref for e in mine), f"--ref filters: {mine!r}")
    check("incident.report" in actions and "incident.read" in actions,
          f"the report and the read of {ref} are audited: {actions}")


# ------------------------------------------------- 5. bad input changes nothing

BAD_REPORTS = [
    ("unknown breach type", incident(types=["no-such-breach"]), "types[0]"),
    ("unknown second type", incident(types=["pass-lost", "not-a-type"]), "types[1]"),
    ("bad intent", incident(intent="purple"), "intent"),
    ("bad damage", incident(damage="catastrophic"), "damage"),
    ("bad classification", incident(classification="restricted"), "classification"),
    ("bad kind", incident(kind="accident"), "kind"),
    ("types missing", incident(types=None), "types"),
    ("types empty", incident(types=[]), "types"),
    ("org missing", incident(org=None), "org"),
    ("description too long", incident(description="x" * 30000), "description"),
    ("description missing", incident(description=None), "description"),
    ("unknown subject", incident(subjects=["S9999"]), "subjects[0]"),
    ("unknown second subject", incident(subjects=["S2001", "S9999"]), "subjects[1]"),
    ("unknown reporter", incident(reporter="R9999"), "reporter"),
    ("no reporter", incident(reporter=None), "reporter"),
    ("unknown org", incident(org="no-such-org"), "org"),
    ("future discovery", incident(discovered_at="2030-04-01T00:00:00Z"), "discovered_at"),
    ("bad timestamp", incident(occurred_at="yesterday"), "occurred_at"),
    ("records not a number", incident(personal_data={"records": "many"}), "personal_data.records"),
    # jansson refuses \u0000 while parsing: naming the JSON is as good.
    ("NUL in description", incident(description="a\u0000b"), ("description", "json")),
    ("location too long", incident(location="x" * 600), "location"),
    ("subject not a staff id", incident(subjects=["no spaces allowed"]), "subjects[0]"),
    ("subject named twice", incident(subjects=["S2001", "S2001"]), "subjects[1]"),
]


@test
def test_report_bad_input_changes_nothing(reg):
    world(reg)
    report(reg, incident())  # so the counter and tables hold something
    before = reg.dump()
    problems = []
    for what, doc, field in BAD_REPORTS:
        r = reg.run("report", reg.write("bad.json", doc))
        fields = field if isinstance(field, tuple) else (field,)
        if r.code != 2 or not any(names_field(r.err, f) for f in fields) or r.out.strip():
            problems.append(f"{what}: want exit 2 naming {field!r}, no stdout\n{r.describe()}")
    r = reg.run("report", reg.write("bad.json", '{"org": "hmcts", "types": ["pass-lost"],'))
    if r.code != 2 or not names_field(r.err, "json"):
        problems.append(f"malformed JSON: want exit 2 naming 'json'\n{r.describe()}")
    r = reg.run("report", reg.path("missing.json"))
    if r.code != 2:
        problems.append(f"missing file: want exit 2\n{r.describe()}")
    if problems:
        fail("\n".join(problems))
    unchanged(reg, before, "refused reports")
    # And a good report still works afterwards, with the next number.
    report(reg, incident())


@test
def test_person_and_org_bad_input_changes_nothing(reg):
    world(reg)
    before = reg.dump()
    reg.refuses(2, "person", "add", "S5001", "--name", "Nobody", "--org", "no-such-org",
                field="org")
    reg.refuses(2, "person", "add", "S5001", "--name", "Nobody", "--org", "hmcts",
                "--manager", "M9999", field="manager")
    reg.refuses(2, "person", "add", "S5001", "--name", "Nobody", "--org", "hmcts",
                "--clearance", "top", field="clearance")
    reg.refuses(2, "person", "add", "S5001", "--name", "Nobody", "--org", "hmcts",
                "--engagement", "volunteer", field="engagement")
    reg.refuses(2, "person", "add", "S5001", "--name", "Nobody", "--org", "hmcts",
                "--probation-until", "30/09/2030", field="probation_until")
    reg.refuses(2, "person", "add", "S2001", "--name", "Duplicate", "--org", "hmcts")
    reg.refuses(2, "person", "add", "S5001", "--org", "hmcts")  # no --name
    reg.refuses(2, "org", "add", "laa", "Legal Aid Agency", "--parent", "no-such-org",
                field="parent")
    reg.refuses(2, "org", "add", "laa", "Legal Aid Agency", "--discipline", "strict",
                field="discipline")
    reg.refuses(2, "org", "add", "laa", "Legal Aid Agency", "--headcount", "-5",
                field="headcount")
    reg.refuses(2, "org", "add", "Bad Code", "Legal Aid Agency", field="code")
    reg.refuses(2, "org", "add", "hmcts", "Again")
    unchanged(reg, before, "refused person and org adds")
    eq(reg.run("warnings", "S5001").code, 2, "S5001 was not added")


@test
def test_init_is_idempotent(reg):
    world(reg)
    before = reg.dump()
    reg.ok("init")
    unchanged(reg, before, "a second init")
    eq(reg.ok_json("audit", "verify").get("ok"), True, "chain after re-init")


# ------------------------------------------------------- 6. bare assessment

def scenario_files():
    return sorted(glob.glob(os.path.join(SHARED, "scenarios", "*.json")))


def compare_expect(got, exp):
    """The comparison of shared/tools/check-scenarios."""
    bad = []
    for k, v in exp.items():
        if k == "route_policy" and exp.get("route") != "disciplinary":
            continue
        if k == "actions":
            codes = sorted(a.get("code") if isinstance(a, dict) else a
                           for a in got.get("actions", []))
            if codes != sorted(v):
                bad.append(f"actions {codes} != {sorted(v)}")
        elif k == "action_due":
            dues = {a.get("code"): a.get("due") for a in got.get("actions", [])
                    if isinstance(a, dict)}
            for code, due in v.items():
                if dues.get(code) != due:
                    bad.append(f"{code}.due {dues.get(code)} != {due}")
        elif got.get(k) != v:
            bad.append(f"{k} {got.get(k)!r} != {v!r}")
    if not got.get("explanation"):
        bad.append("explanation is empty")
    return bad


@test
def test_assess_shared_scenarios(reg):
    files = scenario_files()
    check(len(files) >= 5, f"scenarios not found under {SHARED}/scenarios")
    problems = []
    for path in files:
        case = json.load(open(path))
        r = reg.run("assess", reg.write("facts.json", case["input"]))
        if r.code != 0:
            problems.append(f"{os.path.basename(path)}: exit {r.code}: {r.err.strip()}")
            continue
        bad = compare_expect(r.json(), case["expect"])
        if bad:
            problems.append(f"{os.path.basename(path)}: " + "; ".join(bad))
    if problems:
        fail("\n".join(problems))
    check(not os.path.exists(reg.db), "assess needs no store and must not create one")


@test
def test_assess_stdin_and_defaults(reg):
    files = scenario_files()
    check(files, f"scenarios not found under {SHARED}/scenarios")
    case = json.load(open(files[0]))
    r = reg.ok("assess", "-", stdin=json.dumps(case["input"]))
    eq(compare_expect(r.json(), case["expect"]), [], f"assess - of {files[0]}")
    # Only types is required; today and discovered_at come from the clock.
    got = reg.ok("assess", "-", stdin='{"types": ["pass-misuse"]}',
                 now="2030-03-02T10:00:00Z").json()
    eq((got.get("severity"), got.get("route"), got.get("guidance_version")),
       ("serious", "disciplinary", "moj/1"), "defaults")
    eq(sorted(a.get("code") for a in got.get("actions", [])), ["access-review"],
       "pass-misuse calls for an access review")
    pd = reg.ok("assess", "-", now="2030-03-02T10:00:00Z",
                stdin='{"types": ["personal-data-release"], "personal_data": {"records": 500}}')
    due = {a["code"]: a.get("due") for a in pd.json().get("actions", [])}
    eq(due.get("dpo-notify"), "2030-03-05T10:00:00Z", "dpo-notify due discovered_at + 72 h")
    check(not os.path.exists(reg.db), "assess must not create a store")


@test
def test_assess_bad_input(reg):
    cases = [
        ('{"types": ["pass-lost"], "intent": "purple"}', "intent"),
        ('{"types": ["no-such-type"]}', "types[0]"),
        ('{"intent": "negligent"}', "types"),
        ('{"types": ["pass-lost"], "damage": 3}', "damage"),
        ('{"types": ["pass-lost"], "subject": {"engagement": "wizard"}}', "subject.engagement"),
        ('{"types": ["pass-lost"], "warnings": [{"level": "breach-notice", "issued_on": "soon"}]}',
         "warnings[0].issued_on"),
        ('{"types": ["pass-lost"]', "json"),
    ]
    for doc, field in cases:
        r = reg.refuses(2, "assess", "-", stdin=doc, field=field)
        eq(r.out, "", f"stdout of a refused assess ({doc})")
    reg.refuses(2, "assess")
    reg.refuses(2, "assess", reg.path("nope.json"))


# ------------------------------------------------------------- 7. guidance

HMCTS_GUIDANCE = {
    "grades": {"clear-desk-failure": "minor"},
    "types": [{"code": "court-list-disclosed", "title": "Court list sent to the wrong party",
               "baseline": "serious", "control": "information-handling"}],
}


def grades(cat):
    return {t.get("code"): t.get("grade") for t in cat.get("types", [])}


@test
def test_guidance_publish_inherit_and_record_version(reg):
    world(reg)
    reg.ok("org", "add", "hmcts-cft", "Civil, Family and Tribunals", "--parent", "hmcts")
    base = grades(reg.ok_json("catalogue", "--org", "hmcts"))
    eq(base.get("clear-desk-failure"), "ungraded", "baseline grade before publishing")
    check("court-list-disclosed" not in base, "the new type is not there yet")

    # Assessed before publishing: ungraded, under moj/1.
    old = report(reg, incident(types=["clear-desk-failure"]))
    a_old = assess_one(reg, old)
    eq((a_old.get("severity"), a_old.get("guidance_version")), ("ungraded", "moj/1"),
       "clear-desk-failure before hmcts guidance")

    eq(reg.out("guidance", "publish", "hmcts", reg.write("g.json", HMCTS_GUIDANCE)), "hmcts/1",
       "guidance publish prints ORG/N")
    cat = reg.ok_json("catalogue", "--org", "hmcts")
    eq(cat.get("guidance_version"), "hmcts/1", "catalogue guidance_version")
    g = grades(cat)
    eq(g.get("clear-desk-failure"), "minor", "re-graded by hmcts")
    eq(g.get("court-list-disclosed"), "serious", "the new type's grade")
    eq(grades(reg.ok_json("catalogue", "--org", "moj")).get("clear-desk-failure"), "ungraded",
       "the root's guidance is unchanged")
    child = reg.ok_json("catalogue", "--org", "hmcts-cft")
    eq(grades(child).get("clear-desk-failure"), "minor", "the child inherits the grade")
    eq(grades(child).get("court-list-disclosed"), "serious", "the child inherits the type")
    eq(child.get("guidance_version"), "hmcts/1", "the child's guidance in force")

    new = report(reg, incident(types=["clear-desk-failure"]))
    a = assess_one(reg, new)
    eq((a.get("severity"), a.get("guidance_version")), ("minor", "hmcts/1"),
       "assess-incident under hmcts/1")
    lst = report(reg, incident(types=["court-list-disclosed"], org="hmcts-cft"))
    a = assess_one(reg, lst)
    eq((a.get("severity"), a.get("guidance_version")), ("serious", "hmcts/1"),
       "a child org's incident of the new type")
    eq(reg.ok_json("show", old)["assessments"][0].get("guidance_version"), "moj/1",
       "an old assessment keeps the version it used")

    hist = reg.ok("guidance", "history", "hmcts").out
    check(re.search(r"^hmcts/1\b", hist, re.M), f"history lists hmcts/1: {hist!r}")
    # A published type may be on incidents: a version that drops it is refused.
    before = reg.dump()
    r = reg.refuses(2, "guidance", "publish", "hmcts", "-", stdin='{"significant_records": 50}')
    check("court-list-disclosed" in r.err, f"names the withdrawn type: {r.err!r}")
    eq(reg.dump(), before, "a refused version changes nothing")
    v2 = {"significant_records": 50, "types": HMCTS_GUIDANCE["types"]}
    eq(reg.out("guidance", "publish", "hmcts", "-", stdin=json.dumps(v2)),
       "hmcts/2", "a second version")
    h = reg.ok_json("guidance", "history", "hmcts")
    eq([v.get("version") for v in h.get("versions", [])], [1, 2], "history --json versions")
    eq(h["versions"][0].get("doc"), HMCTS_GUIDANCE, "version 1 is kept as published")
    show = reg.ok_json("guidance", "show", "hmcts")
    eq(show.get("in_force", {}).get("version"), "hmcts/2", "guidance show: in force")
    eq(show.get("in_force", {}).get("significant_records"), 50, "the new threshold")
    # SPEC 6.1: what a version does not give is inherited from the PARENT's
    # guidance in force, so hmcts/2 replaces hmcts/1 rather than adding to it.
    eq(grades(show["in_force"]).get("clear-desk-failure"), "ungraded",
       "hmcts/2 does not re-grade clear-desk-failure: the parent's grade applies")
    v1 = reg.ok_json("guidance", "show", "hmcts", "--version", "1")
    eq(v1.get("own", {}).get("version"), 1, "guidance show --version 1")
    reg.refuses(2, "guidance", "show", "hmcts", "--version", "9")


@test
def test_assess_naming_guidance_uses_the_register(reg):
    world(reg)
    reg.ok("guidance", "publish", "hmcts", reg.write("g.json", HMCTS_GUIDANCE))
    # A bare assess naming the guidance uses it when the register exists...
    got = reg.ok("assess", "-", stdin='{"types": ["clear-desk-failure"], "guidance": "hmcts"}')
    eq((got.json().get("severity"), got.json().get("guidance_version")), ("minor", "hmcts/1"),
       "assess with guidance hmcts")
    # ...and the baseline without one.
    got = reg.ok("assess", "-", stdin='{"types": ["clear-desk-failure"], "guidance": "hmcts"}',
                 db=reg.path("none.db"))
    eq((got.json().get("severity"), got.json().get("guidance_version")), ("ungraded", "moj/1"),
       "assess with guidance hmcts and no register")
    reg.refuses(2, "assess", "-", stdin='{"types": ["pass-lost"], "guidance": "nowhere"}',
                field="org")


@test
def test_guidance_invalid_changes_nothing(reg):
    world(reg)
    before = reg.dump()
    bad = [
        ({"grades": {"xyz": "minor"}}, "grades.xyz"),
        ({"grades": {"clear-desk-failure": "terrible"}}, "grades.clear-desk-failure"),
        ({"types": [{"code": "Bad Code", "title": "t", "baseline": "minor",
                     "control": "other"}]}, "types[0].code"),
        ({"live_months": {"breach-notice": -1}}, "live_months.breach-notice"),
        ({"grade": {"pass-lost": "serious"}}, "grade"),
    ]
    for doc, field in bad:
        reg.refuses(2, "guidance", "publish", "hmcts", reg.write("g.json", doc), field=field)
    reg.refuses(2, "guidance", "publish", "hmcts", "-", stdin="{", field="json")
    reg.refuses(2, "guidance", "publish", "no-such-org", reg.write("g.json", HMCTS_GUIDANCE),
                field="org")
    unchanged(reg, before, "refused guidance")
    eq(reg.ok_json("guidance", "history", "hmcts").get("versions"), [], "no version published")


@test
def test_guidance_live_months_and_manager_grading(reg):
    world(reg)
    eq(reg.out("guidance", "publish", "hmcts", "-", stdin='{"live_months": {"breach-notice": 6}}'),
       "hmcts/1", "publish live_months")
    # Ungraded: the assessment says so and the manager grades freely.
    ref = report(reg, incident(types=["clear-desk-failure"]))
    walk(reg, ref, "triaged", "investigating")
    a = assess_one(reg, ref)
    eq((a.get("severity"), a.get("recommendation")), ("ungraded", "manager-to-grade"),
       "an ungraded breach")
    reg.ok("decide", ref, "--subject", "S2001", "--outcome", "breach-notice",
           "--severity", "serious", "--rationale", "court papers left on a desk overnight")
    reg.ok("notice", ref, "--subject", "S2001")
    w = reg.ok_json("warnings", "S2001")
    eq([(x.get("issued_on"), x.get("expires_on"), x.get("live")) for x in w.get("warnings", [])],
       [("2030-03-02", "2030-09-02", True)], "hmcts breach notices are live 6 months")
    eq(w.get("guidance_version"), "hmcts/1", "warnings judged under hmcts/1")
    after = reg.ok_json("warnings", "S2001", now="2030-09-02T09:00:00Z")
    eq(after.get("live"), 0, "expired after 6 months")
    # Probation: probation-review follows a breach-notice recommendation.
    ref2 = report(reg, incident(types=["account-sharing"], subjects=["S2003"]))
    walk(reg, ref2, "triaged", "investigating")
    a2 = assess_one(reg, ref2)
    eq((a2.get("route"), a2.get("recommendation")), ("probation", "breach-notice"),
       "a probationer's account sharing")
    reg.ok("decide", ref2, "--subject", "S2003", "--outcome", "probation-review",
           "--severity", a2["severity"], "--rationale", "still on probation")
    walk(reg, ref2, "awaiting-decision", "decided")
    before = reg.dump()
    reg.refuses(2, "assess-incident", ref2, field="status")
    unchanged(reg, before, "assessing a decided incident")


# ----------------------------------------------------------- 8. person import

CSV_HEADER = "staff_id,name,email,org,manager,engagement,probation_until,clearance\n"


@test
def test_person_import_all(reg):
    world(reg)
    csv = (CSV_HEADER +
           "P4001,Ann Report,ann@justice.gov.uk,hmcts,P4003,employee,,sc\n"
           "P4002,\"Bloggs, Bob\",,hmcts,P4003,contractor,,bpss\n"
           "P4003,Cat Manager,cat@justice.gov.uk,hmcts,P4004,employee,,sc\n"
           "P4004,Dan Director,,hmcts,,employee,2030-12-31,dv\n")
    eq(reg.ok_json("person", "import", reg.write("people.csv", csv)), {"added": 4},
       "person import --json")
    for sid, name in (("P4001", "Ann Report"), ("P4002", "Bloggs, Bob"),
                      ("P4003", "Cat Manager"), ("P4004", "Dan Director")):
        eq(reg.ok_json("warnings", sid).get("name"), name, f"{sid} imported")
    # The imported engagement and probation date are what the routes use.
    ref = report(reg, incident(subjects=["P4002", "P4004", "P4001"]))
    routes = {a["subject"]: a.get("route")
              for a in reg.ok_json("assess-incident", ref).get("assessments", [])}
    eq(routes, {"P4002": "contract", "P4004": "probation", "P4001": "disciplinary"},
       "routes of imported people")


def import_refused(reg, csv, rows_field, what):
    """person import of csv must exit 2 naming each of rows_field, and add no one."""
    before = reg.dump()
    r = reg.refuses(2, "person", "import", reg.write("bad.csv", csv))
    for part in rows_field:
        check(re.search(r"(?<![\w])" + re.escape(part) + r"(?![\w])", r.err),
              f"{what}: stderr must name {part!r}\n{r.describe()}")
    unchanged(reg, before, what)
    eq(reg.run("warnings", "P4001").code, 2, f"{what}: P4001 was not imported")


@test
def test_person_import_bad_value_row_imports_none(reg):
    world(reg)
    # Row numbers count the header as row 1, as a spreadsheet shows them.
    import_refused(reg, CSV_HEADER +
                   "P4001,Ann Report,,hmcts,,employee,,sc\n"
                   "P4002,Bob Report,,hmcts,,employee,,purple\n"
                   "P4003,Cat Report,,hmcts,,employee,,sc\n",
                   ["row 3", "clearance"], "a bad clearance on row 3")
    import_refused(reg, CSV_HEADER +
                   "P4001,Ann Report,,hmcts,,employee,,sc\n"
                   "P4002,Bob Report,,hmcts,,employee,2030-13-01,sc\n",
                   ["row 3", "probation_until"], "a bad probation date on row 3")
    import_refused(reg, CSV_HEADER + "P4001,Ann Report,,hmcts,,volunteer,,sc\n",
                   ["row 2", "engagement"], "a bad engagement on row 2")


@test
def test_person_import_row_the_store_refuses_imports_none(reg):
    world(reg)
    # Rows only the store can refuse, after good rows were inserted.
    import_refused(reg, CSV_HEADER +
                   "P4001,Ann Report,,hmcts,,employee,,sc\n"
                   "P4002,Bob Report,,hmcts,P4001,employee,,sc\n"
                   "P4003,Cat Report,,nowhere,,employee,,sc\n",
                   ["row 4", "org"], "an unknown organisation on row 4")
    import_refused(reg, CSV_HEADER + "P4001,Ann Report,,hmcts,Z9999,employee,,sc\n",
                   ["row 2", "manager"], "an unknown manager on row 2")
    import_refused(reg, CSV_HEADER + "P4001,Ann Report,,hmcts,,employee,,sc\n"
                   "S2001,Sam Again,,hmcts,,,,\n", ["row 3"], "an existing staff id on row 3")
    import_refused(reg, CSV_HEADER + "P4001,Ann Report,,hmcts,P4002,employee,,sc\n"
                   "P4002,Bob Report,,hmcts,P4001,employee,,sc\n", ["manager"],
                   "a line-manager cycle")


@test
def test_person_import_bad_header_imports_none(reg):
    world(reg)
    import_refused(reg, "name,org\nAnn,hmcts\n", ["row 1"], "a header without staff_id")
    import_refused(reg, "", ["file"], "an empty file")


# ---------------------------------------------------------------- 9. backup

@test
@sqlite_only
def test_backup_is_a_verified_copy(reg):
    world(reg)
    for t in ("pass-lost", "account-sharing", "workstation-unlocked"):
        ref = report(reg, incident(types=[t]))
    walk(reg, ref, "triaged")
    copy = reg.path("backup.db")
    reg.ok("backup", copy)
    check(os.path.getsize(copy) > 0, "backup file written")
    v = reg.ok_json("audit", "verify", db=copy)
    eq(v.get("ok"), True, "audit verify on the backup")
    eq(v.get("verified"), reg.ok_json("audit", "verify").get("verified"),
       "the backup holds the whole chain")
    eq(len(reg.ok_json("incidents", db=copy)), 3, "incidents in the backup")
    eq(len(reg.ok_json("incidents")), 3, "incidents in the original")
    orig, back = reg.dump(), reg.dump(db=copy)
    eq(sorted(back), sorted(orig), "the backup has the same tables")
    for t in orig:
        eq(back[t], orig[t], f"table {t} in the backup")
    eq(reg.ok_json("show", ref, db=copy).get("status"), "triaged", "the backup's incident")
    reg.refuses(1, "backup", reg.path("no/such/dir/b.db"))


# ------------------------------------------------ 10. JSON output, exit codes

@test
def test_json_output_of_every_command(reg):
    checks = []

    def j(*args, **kw):
        out = reg.ok_json(*args, **kw)
        checks.append(args[0])
        return out

    init = j("init")
    eq(init.get("db"), reg.db, "init --json db")
    eq(j("org", "add", "hmcts", "HMCTS", "--head", "S1000", "--headcount", "100").get("code"),
       "hmcts", "org add --json")
    check(any(o.get("code") == "moj" for o in j("org", "list")), "org list has the root")
    eq(j("person", "add", "S1000", "--name", "Hana Head", "--org", "hmcts").get("staff_id"),
       "S1000", "person add --json")
    eq(j("person", "import", reg.write("p.csv", CSV_HEADER + "R3001,Rita,,hmcts,S1000,,,\n")),
       {"added": 1}, "person import --json")
    check(j("catalogue").get("types"), "catalogue --json types")
    eq(j("guidance", "publish", "hmcts", reg.write("g.json", HMCTS_GUIDANCE)).get(
        "guidance_version"), "hmcts/1", "guidance publish --json")
    check(j("guidance", "show", "hmcts").get("in_force"), "guidance show --json")
    check(j("guidance", "history", "hmcts").get("versions"), "guidance history --json")
    inc = j("report", reg.write("i.json", incident(types=["pass-misuse"], subjects=None)))
    ref = inc.get("ref", "")
    check(re.fullmatch(REF_RE, ref), f"report --json ref: {inc!r}")
    eq(inc.get("subjects"), ["S1000"], "report --json subjects")
    eq(j("transition", ref, "triaged").get("status"), "triaged", "transition --json")
    eq(j("note", ref, "first look").get("ref"), ref, "note --json")
    j("transition", ref, "investigating")
    a = j("assess-incident", ref)["assessments"][0]
    eq(j("decide", ref, "--subject", "S1000", "--outcome", a["recommendation"]
         if a["recommendation"] in ("breach-notice", "formal-action") else "breach-notice",
         "--severity", a["severity"], "--rationale", "lent pass to a visitor",
         "--override-reason", "n/a").get("subject"), "S1000", "decide --json")
    check(re.fullmatch(NOTICE_RE, j("notice", ref, "--subject", "S1000").get("number", "")),
          "notice --json number")
    eq(j("warnings", "S1000").get("live"), 1, "warnings --json")
    eq(j("show", ref).get("ref"), ref, "show --json")
    eq([i.get("ref") for i in j("incidents")], [ref], "incidents --json")
    eq(j("incidents", "--status", "closed"), [], "incidents --json filtered")
    check(j("audit", "log"), "audit log --json")
    eq(j("audit", "verify").get("ok"), True, "audit verify --json")
    if reg.pg:  # a shared database is backed up with pg_dump: refused, naming it
        reg.refuses(2, "--json", "backup", reg.path("b.db"), field="backup")
    else:
        eq(j("backup", reg.path("b.db")).get("backup"), reg.path("b.db"), "backup --json")
    check("open" in j("summary"), "summary --json")
    eq(j("assess", "-", stdin='{"types":["pass-lost"]}').get("severity"), "minor", "assess")
    # --json may also follow the command.
    r = reg.ok("warnings", "S1000", "--json")
    eq(r.json().get("staff_id"), "S1000", "--json after the command")


@test
def test_exit_codes(reg):
    r = reg.refuses(2, "frobnicate")
    check("frobnicate" in r.err, f"unknown command is named\n{r.describe()}")
    reg.refuses(2)  # no command at all
    eq(reg.ok("--help", use_db=False).out.startswith("usage:"), True, "--help prints usage")
    reg.refuses(2, "org")
    reg.refuses(2, "person", "add", "S1")
    reg.refuses(2, "report")
    reg.refuses(2, "transition", "SB-2030-000001")
    reg.refuses(2, "init", "--bogus")
    reg.refuses(2, "--db")
    reg.refuses(2, "catalogue", now="tomorrow", field="BREACHREG_NOW")
    # A runtime error (the store cannot be used) is 1, not 2.
    reg.write("garbage.db", "this is not a database\n" * 200)
    reg.refuses(1, "--db", reg.path("garbage.db"), "init", use_db=False)
    reg.refuses(1, "init", db=reg.path("no/such/dir/reg.db"))
    # Unknown references are invalid input (2), not runtime failures.
    reg.ok("init")
    reg.refuses(2, "show", "SB-2030-000042", field="ref")
    reg.refuses(2, "warnings", "S404")


@test
def test_breachreg_db_environment(reg):
    r = reg.run("init", use_db=False, env={"BREACHREG_DB": reg.db})
    eq(r.code, 0, f"init with BREACHREG_DB\n{r.describe()}")
    check(reg.pg or os.path.exists(reg.db), "BREACHREG_DB names the store")
    check(not os.path.exists(os.path.join(reg.dir, "breachreg.db")), "not the default path")
    r = reg.run("--json", "audit", "verify", use_db=False, env={"BREACHREG_DB": reg.db})
    eq((r.code, r.json().get("ok")), (0, True), "verify through BREACHREG_DB")


# -------------------------------------------------- 11. head of unit as subject

@test
def test_no_subject_takes_head_of_unit(reg):
    world(reg)
    ref = report(reg, incident(subjects=None))
    eq(reg.ok_json("show", ref).get("subjects"), ["S1000"], "head of hmcts is the subject")
    ref = report(reg, incident(subjects=[]))
    eq(reg.ok_json("show", ref).get("subjects"), ["S1000"], "an empty list too")
    reg.ok("org", "add", "hmcts-crime", "Crime", "--parent", "hmcts")
    ref = report(reg, incident(subjects=None, org="hmcts-crime"))
    eq(reg.ok_json("show", ref).get("subjects"), ["S1000"], "the nearest ancestor's head")
    a = assess_one(reg, ref)
    eq(a.get("subject"), "S1000", "the head is assessed")
    reg.ok("org", "add", "laa", "Legal Aid Agency")
    before = reg.dump()
    reg.refuses(2, "report", reg.write("i.json", incident(subjects=None, org="laa")),
                field="subjects")
    unchanged(reg, before, "no subject and no head of unit")


# ----------------------------------------------------- 12. confidential reporter

@test
def test_confidential_reporter(reg):
    world(reg)
    ref = report(reg, incident(confidential_reporter=True))
    case = reg.ok_json("show", ref)
    eq(case.get("confidential_reporter"), True, "confidential_reporter")
    eq(case.get("reporter"), "R3001", "the CLI (security powers) sees the reporter")
    open_ref = report(reg, incident())
    eq(reg.ok_json("show", open_ref).get("confidential_reporter"), False, "default false")
    listed = {i["ref"]: i for i in reg.ok_json("incidents")}
    eq(listed[ref].get("confidential_reporter"), True, "listed as confidential")


@test
def test_incidents_filters(reg):
    world(reg)
    a = report(reg, incident(types=["pass-lost"], subjects=["S2002"]))
    b = report(reg, incident(types=["account-sharing"]), now="2030-03-05T10:00:00Z")
    walk(reg, b, "triaged", now="2030-03-05T10:00:00Z")

    def refs(*args):
        return [i.get("ref") for i in reg.ok_json("incidents", *args)]

    eq(sorted(refs()), sorted([a, b]), "all")
    eq(refs("--status", "triaged"), [b], "--status")
    eq(refs("--type", "pass-lost"), [a], "--type")
    eq(refs("--subject", "S2002"), [a], "--subject")
    eq(sorted(refs("--org", "hmcts")), sorted([a, b]), "--org")
    eq(sorted(refs("--org", "moj")), sorted([a, b]), "--org rolls up the tree")
    eq(refs("--from", "2030-03-04"), [b], "--from")
    eq(refs("--to", "2030-03-02"), [a], "--to includes the day")
    reg.refuses(2, "incidents", "--status", "purple", field="status")
    reg.refuses(2, "incidents", "--from", "last week", field="from")


@test
def test_marking_and_text_round_trip(reg):
    world(reg)
    desc = "Café list — names of 3 jurors; “quoted”; emoji \U0001F512 and <b>tags</b>"
    ref = report(reg, incident(types=["personal-data-release"], description=desc,
                               personal_data={"records": 250, "special_category": False}))
    case = reg.ok_json("show", ref)
    eq(case.get("description"), desc, "description round trip")
    m = case.get("marking") or ""
    check("OFFICIAL-SENSITIVE" in m and "PERSONAL DATA" in m,
          f"personal data adds the PERSONAL DATA descriptor (SPEC 7): {m!r}")
    plain = reg.ok_json("show", report(reg, incident())).get("marking") or ""
    check("OFFICIAL-SENSITIVE" in plain and "PERSONAL DATA" not in plain,
          f"no personal data, no PERSONAL DATA descriptor: {plain!r}")
    text = reg.ok("show", ref).out
    check(desc in text, "text show prints the description")


@test
def test_long_free_text_is_refused(reg):
    ref = decidable(reg)
    before = reg.dump()
    reg.refuses(2, "decide", ref, "--subject", "S2001", "--outcome", "advice",
                "--severity", "minor", "--rationale", "r" * 30000, field="rationale")
    reg.refuses(2, "transition", ref, "withdrawn", "--reason", "r" * 30000, field="reason")
    reg.refuses(2, "person", "add", "S5001", "--name", "n" * 30000, "--org", "hmcts",
                field="name")
    reg.refuses(2, "org", "add", "laa", "n" * 30000, field="name")
    unchanged(reg, before, "over-long free text")


@test
def test_concurrent_reports_get_distinct_refs(reg):
    import subprocess
    world(reg)
    path = reg.write("i.json", incident())
    env = dict(os.environ, BREACHREG_NOW=DEFAULT_NOW)
    env.pop("BREACHREG_DB", None)
    procs = [subprocess.Popen([reg.binary, "--db", reg.db, "report", path], cwd=reg.dir,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(8)]
    outs = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    bad = [o for o in outs if o[2] != 0]
    check(not bad, f"concurrent reports failed: {bad[:2]}")
    refs = [o[0].strip() for o in outs]
    eq(len(set(refs)), 8, f"distinct references: {refs}")
    eq(len(reg.ok_json("incidents")), 8, "eight incidents stored")
    eq(reg.ok_json("audit", "verify").get("ok"), True, "chain intact after concurrent writes")


def main(argv):
    global SHARED
    args, only = [], []
    i = 0
    while i < len(argv):
        if argv[i] == "-k" and i + 1 < len(argv):
            only.append(argv[i + 1])
            i += 2
            continue
        args.append(argv[i])
        i += 1
    if not args:
        print(__doc__)
        return 2
    binary = os.path.abspath(args[0])
    if len(args) > 1:
        SHARED = os.path.abspath(args[1])
    if not os.access(binary, os.X_OK):
        print(f"not an executable: {binary}")
        print("0 passed, 1 failed")
        return 1
    jobs = int(os.environ.get("CLI_TEST_JOBS", "0")) or min(3, (os.cpu_count() or 2))
    return run_all(binary, jobs=jobs, only=only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
