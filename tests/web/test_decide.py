#!/usr/bin/env python3
"""Black-box tests of the decision form, breach notices and people pages
(issue 4; SPEC 1, 3.5, 4, 7) against a real `breachreg serve` on a private
port and a temp database.

Usage: python3 tests/web/test_decide.py BINARY [-k NAME]...

A small world is set up through the CLI: organisation hmcts, a manager
M1 with reports S1 and S2, reporters R1 and R2, one account each, and
incidents about S1 (awaiting a decision, assessed) and S2 (one breach
notice issued 13 months ago, now expired, and one today, live). Every
test then signs in through the sign-in form, as a browser does, and uses
the pages with their forms (CSRF token, POST/redirect/GET).
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_helpers import (PASSWORD, Instance, Runner, Session, check, dump_diff, eq,  # noqa: E402
                         error_summary, fail, markings, request)

NOW = "2026-11-28T12:00:00Z"
EARLIER = "2025-10-20T12:00:00Z"  # 13 months before: that notice has expired
MARKING = "OFFICIAL-SENSITIVE HR / MANAGEMENT"
XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']
NOTICE_RE = r"BN-\d{4}-\d{6}"

runner = Runner()
test = runner.test
BINARY = None


# ---------------------------------------------------------------- checks

def marked_top_and_bottom(r, marking=MARKING):
    eq(markings(r.text), [("top", marking), ("bottom", marking)],
       f"the marking top and bottom of {r.path}")
    check(r.text.index("app-marking--top") < r.text.index("<main")
          < r.text.index("</main>") < r.text.index("app-marking--bottom"),
          "one marking is above the content and one below")


def error_summary_names(r, field):
    links = [h for h, _ in error_summary(r.text)]
    check(f"#{field}" in links, f"the error summary links to #{field}: {links}")
    check(f'id="{field}"' in r.text, f"the page has the input #{field}")
    check(re.search(rf'id="{re.escape(field)}-error" class="govuk-error-message"', r.text),
          f"the {field} field has its inline error message")


def no_raw_xss(r):
    for x in XSS:
        check(x not in r.text, f"{x!r} appears raw in {r.path}")


# ---------------------------------------------------------------- the world

class World:
    inst = None
    refs = {}
    notices = {}
    browsers = {}


def incident(subject, reporter, discovered, description="Laptop left on a train"):
    return {"kind": "breach", "org": "hmcts", "types": ["portable-asset-lost"],
            "classification": "official", "intent": "negligent", "damage": "low",
            "discovered_at": discovered, "occurred_at": discovered,
            "location": "Petty France, 5th floor", "description": description,
            "reporter": reporter, "subjects": [subject]}


def to_awaiting(inst, ref):
    for state in ("triaged", "investigating", "awaiting-decision"):
        inst.cli("transition", ref, state)
    inst.cli("assess-incident", ref)


def world():
    if World.inst:
        return World.inst
    inst = Instance(BINARY, name="web-decide", now=NOW)
    World.inst = inst
    inst.cli("init")
    inst.cli("org", "add", "hmcts", "HM Courts & Tribunals Service", "--discipline", "moj")
    for sid, name, mgr in [("M1", "Mina Manager", None), ("S1", "Sam Subject", "M1"),
                           ("S2", "Wes Warned", "M1"), ("R1", "Rita Reporter", None),
                           ("R2", "Rob Other", None), ("X1", XSS[1] + XSS[0], "M1"),
                           ("H1", "Hana HR", None)]:
        args = ["person", "add", sid, "--name", name, "--org", "hmcts", "--clearance", "sc"]
        if mgr:
            args += ["--manager", mgr]
        inst.cli(*args)
    inst.user("manager", "M1", ["manager"])
    inst.user("subject", "S1", ["reporter"])
    inst.user("warned", "S2", ["reporter"])
    inst.user("reporter", "R1", ["reporter"])
    inst.user("other", "R2", ["reporter"])
    inst.user("hr", "H1", ["hr"])

    # S2: a breach notice 13 months ago (expired now), and one today (live).
    inst.now = EARLIER
    old = inst.report(incident("S2", "R1", "2025-10-19T09:00:00Z"))
    to_awaiting(inst, old)
    inst.cli("decide", old, "--subject", "S2", "--outcome", "breach-notice", "--severity",
             "serious", "--rationale", "first breach")
    World.notices["old"] = inst.cli("notice", old, "--subject", "S2").stdout.strip()
    inst.now = NOW
    new = inst.report(incident("S2", "R1", "2026-11-20T09:30:00Z"))
    to_awaiting(inst, new)
    inst.cli("decide", new, "--subject", "S2", "--outcome", "formal-action", "--severity",
             "gross", "--rationale", "second breach",
             "--override-reason", "repeated within a year")
    World.notices["new"] = inst.cli("notice", new, "--subject", "S2").stdout.strip()
    World.refs["old"], World.refs["new"] = old, new

    # S1: awaiting a decision, assessed; and one not yet assessed.
    ref = inst.report(incident("S1", "R1", "2026-11-20T09:30:00Z"))
    to_awaiting(inst, ref)
    World.refs["s1"] = ref
    fresh = inst.report(incident("S1", "R1", "2026-11-21T09:30:00Z", "Pass lent"))
    for state in ("triaged", "investigating"):
        inst.cli("transition", fresh, state)
    World.refs["fresh"] = fresh
    both = inst.report(dict(incident("S1", "R1", "2026-11-22T09:30:00Z", "Shared account"),
                            subjects=["S1", "X1"]))
    to_awaiting(inst, both)
    World.refs["both"] = both
    inst.start()
    return inst


def browser(name):
    w = world()
    if name not in World.browsers:
        World.browsers[name] = Session(w).login(name, PASSWORD)
    return World.browsers[name]


def case(ref):
    return json.loads(world().cli("--json", "show", ref).stdout)


def audit(ref):
    return json.loads(world().cli("--json", "audit", "log", "--ref", ref).stdout)


# ---------------------------------------------------------------- tests

@test
def decision_form_shows_the_recommendation_and_factors():
    m = browser("manager")
    ref = World.refs["s1"]
    before = len(audit(ref))
    r = m.get(f"/incidents/{ref}/decide?subject=S1")
    eq(r.status, 200, f"the manager opens the decision form: {r.describe()}")
    marked_top_and_bottom(r)
    t = r.text
    check(t.count("<h1") == 1, "one h1")
    check("Serious misconduct" in t and "Breach notice" in t,
          "the recommendation (serious, breach notice) is shown")
    check("Low: little harm" in t and "Negligent: carelessness" in t,
          "damage and intent in plain words")
    check("No live warnings" in t, "previous warnings: none live for S1")
    # The recommendation is pre-selected; rationale is a labelled textarea.
    check(re.search(r'value="breach-notice" checked', t), "the recommended outcome is chosen")
    check(re.search(r'name="severity" type="radio" value="serious" checked', t),
          "the assessed severity is chosen")
    for v in ("no-action", "advice", "breach-notice", "formal-action", "probation-review",
              "contract-review", "referral"):
        check(f'value="{v}"' in t, f"outcome {v} is offered")
    check('<label class="govuk-label govuk-label--s" for="rationale">' in t, "rationale label")
    check('id="override_reason" name="override_reason"' in t,
          "the override reason is in the page (revealed by JS, present without)")
    check('data-aria-controls="conditional-override"' in t, "a GOV.UK conditional reveal")
    after = audit(ref)
    check(len(after) == before + 1 and after[-1]["action"] == "incident.read"
          and after[-1]["actor"] == "user:manager", "the read of the case is audited")


@test
def live_warnings_are_a_factor():
    m = browser("manager")
    r = m.get(f"/incidents/{World.refs['new']}/decide?subject=S2")
    eq(r.status, 200, r.describe())
    # Already decided: the decision is shown, with the live warning of today.
    check("Breach notice issued on 28 November 2026, live until 28 November 2027" in r.text,
          "the live warning with its dates\n" + r.text[r.text.find("Previous warnings"):][:1200])
    check("20 October 2025" not in r.text, "the expired warning is not a live factor")
    check("repeated within a year" in r.text, "the decision and its override reason")


@test
def unassessed_subject_is_offered_the_assessment():
    m = browser("manager")
    r = m.get(f"/incidents/{World.refs['fresh']}/decide")
    eq(r.status, 200, r.describe())
    check("has not been assessed yet" in r.text, "says there is no assessment")
    check(f'action="/incidents/{World.refs["fresh"]}/assessment"' in r.text,
          "offers the Assess action")
    check('name="rationale"' not in r.text, "no decision form before the assessment")


@test
def override_reason_is_required_when_the_decision_differs():
    m = browser("manager")
    ref = World.refs["s1"]
    before = world().dump(["decisions"])
    r = m.post(f"/incidents/{ref}/decide", {
        "subject": "S1", "outcome": "advice", "severity": "minor",
        "rationale": "Reported it at once"})
    eq(r.status, 400, f"a differing decision without a reason: {r.describe()}")
    error_summary_names(r, "override_reason")
    check("Reported it at once" in r.text, "what was typed is kept")
    check(re.search(r'value="advice" checked', r.text), "the chosen outcome is kept")
    check('govuk-checkboxes__conditional--hidden' not in r.text,
          "the override reason is revealed")
    marked_top_and_bottom(r)
    eq(world().dump(["decisions"]), before, "nothing is stored")


@test
def missing_answers_are_all_named():
    m = browser("manager")
    ref = World.refs["s1"]
    r = m.post(f"/incidents/{ref}/decide", {"subject": "S1", "outcome": "banish",
                                            "rationale": "  "})
    eq(r.status, 400, r.describe())
    for field in ("outcome", "severity", "rationale"):
        error_summary_names(r, field)
    check("<title>Error:" in r.text, "the title starts with Error:")


@test
def decision_without_csrf_is_refused():
    m = browser("manager")
    ref = World.refs["s1"]
    before = world().dump(["decisions", "audit"])
    r = m.post(f"/incidents/{ref}/decide", {
        "subject": "S1", "outcome": "breach-notice", "severity": "serious",
        "rationale": "no token"}, csrf=False)
    eq(r.status, 403, r.describe())
    r2 = m.post(f"/incidents/{ref}/decide", {
        "subject": "S1", "outcome": "breach-notice", "severity": "serious",
        "rationale": "wrong token", "csrf": "0" * 64})
    eq(r2.status, 403, r2.describe())
    after = world().dump(["decisions", "audit"])
    eq(after, before, f"nothing changed: {dump_diff(before, after)}")


@test
def subject_and_others_cannot_decide():
    ref = World.refs["s1"]
    for who in ("subject", "reporter", "other"):
        b = browser(who)
        r = b.get(f"/incidents/{ref}/decide?subject=S1")
        eq(r.status, 404, f"{who} gets 404 on the decision form: {r.describe()}")
        r = b.post(f"/incidents/{ref}/decide", {
            "subject": "S1", "outcome": "no-action", "severity": "minor",
            "rationale": "let me off", "override_reason": "me"})
        eq(r.status, 404, f"{who} gets 404 posting a decision: {r.describe()}")
    eq(case(ref)["decisions"], [], "no decision was stored")


@test
def hr_reads_the_factors_but_is_not_offered_the_decision():
    h = browser("hr")
    ref = World.refs["s1"]
    r = h.get(f"/incidents/{ref}/decide?subject=S1")
    eq(r.status, 200, f"HR reads the case of its organisation: {r.describe()}")
    check("Only the person&#39;s line manager or the security team" in r.text
          or "Only the person's line manager or the security team" in r.text
          or "line manager or the security team records" in r.text,
          "says who decides")
    check('name="rationale"' not in r.text, "no decision form")
    r = h.post(f"/incidents/{ref}/decide", {"subject": "S1", "outcome": "breach-notice",
                                            "severity": "serious", "rationale": "HR view"})
    eq(r.status, 404, f"and may not decide: {r.describe()}")


@test
def manager_decides_with_an_override_reason():
    m = browser("manager")
    ref = World.refs["s1"]
    rationale = "Left on a train; " + XSS[0] + " " + XSS[1]
    r = m.post(f"/incidents/{ref}/decide", {
        "subject": "S1", "outcome": "formal-action", "severity": "serious",
        "rationale": rationale, "override": "yes",
        "override_reason": "Second laptop this year"})
    eq(r.status, 303, f"the decision is recorded: {r.describe()}")
    eq(r.header("Location"), f"/incidents/{ref}?done=decision", "back to the case page")
    check("Your decision was recorded" in m.get(r.header("Location")).text,
          "the case page says the decision was recorded")
    d = case(ref)["decisions"]
    eq(len(d), 1, "one decision")
    eq(d[0]["outcome"], "formal-action", "outcome")
    eq(d[0]["override_reason"], "Second laptop this year", "override reason")
    eq(d[0]["rationale"], rationale, "rationale as typed")
    eq(d[0]["decided_by"], "user:manager", "decided by the manager")
    check(any(a["action"] == "incident.decide" for a in audit(ref)), "audited")
    # Shown escaped afterwards, and the form is gone.
    r = m.get(f"/incidents/{ref}/decide?subject=S1")
    eq(r.status, 200, r.describe())
    no_raw_xss(r)
    check("&lt;script&gt;alert(1)&lt;/script&gt;" in r.text, "the rationale shows escaped")
    check('name="rationale"' not in r.text, "no second decision form")
    # A second decision is a conflict.
    r = m.post(f"/incidents/{ref}/decide", {
        "subject": "S1", "outcome": "formal-action", "severity": "serious",
        "rationale": "again", "override_reason": "again"})
    eq(r.status, 409, f"a second decision: {r.describe()}")


@test
def manager_issues_a_notice():
    m = browser("manager")
    ref = World.refs["s1"]
    r = m.get(f"/incidents/{ref}/decide?subject=S1")
    check(f'action="/incidents/{ref}/notices"' in r.text, "the Issue a breach notice action")
    r = m.post(f"/incidents/{ref}/notices", {"subject": "S1"})
    eq(r.status, 303, f"the notice is issued: {r.describe()}")
    loc = r.header("Location") or ""
    check(re.fullmatch(rf"/notices/{NOTICE_RE}", loc), f"to the notice: {loc!r}")
    World.notices["s1"] = loc.rsplit("/", 1)[1]
    n = case(ref)["notices"]
    eq([x["number"] for x in n], [World.notices["s1"]], "the notice is on the case")
    r = m.post(f"/incidents/{ref}/notices", {"subject": "S1"})
    eq(r.status, 409, f"a second notice: {r.describe()}")
    r = m.post(f"/incidents/{ref}/notices", {"subject": "S1"}, csrf=False)
    eq(r.status, 403, f"no csrf: {r.describe()}")


@test
def notice_page_is_printable_and_marked():
    number = World.notices.get("s1") or fail("no notice issued")
    m = browser("manager")
    before = len(audit(World.refs["s1"]))
    r = m.get(f"/notices/{number}")
    eq(r.status, 200, r.describe())
    marked_top_and_bottom(r)
    t = r.text
    check(t.count("<h1") == 1 and f"Breach notice {number}" in t, "the number is the h1")
    check("Sam Subject (S1)" in t, "addressed to the subject by name")
    check(World.refs["s1"] in t, "the incident")
    check("Negligence leading to loss of portable assets" in t, "the breach in plain words")
    check("Serious misconduct" in t, "the severity")
    for p in ("POLSBP003", "POLSBP005", "POLSBP006"):
        check(p in t, f"policy reference {p}")
    check("Security Breach Policy" in t, "the Security Breach Policy")
    check("live warning on your record until 28 November 2027" in t, "the live period")
    check(re.search(r"Acknowledge by</dt>\s*<dd[^>]*>8 December 2026<", t),
          "the acknowledge-by date")
    check("Print this notice" in t and "print function" in t, "how to print it")
    check("Acknowledge this notice" not in t, "only the addressee acknowledges")
    after = audit(World.refs["s1"])
    check(len(after) == before + 1 and after[-1]["action"] == "incident.read",
          "the read is audited on the incident")


@test
def subject_sees_and_acknowledges_their_notice_once():
    number = World.notices.get("s1") or fail("no notice issued")
    s = browser("subject")
    ref = World.refs["s1"]
    r = s.get(f"/notices/{number}")
    eq(r.status, 200, f"the subject opens their notice: {r.describe()}")
    marked_top_and_bottom(r)
    check("Acknowledge this notice" in r.text, "with the acknowledgement action")
    check("Second laptop this year" not in r.text and "Left on a train" not in r.text,
          "the notice shows nothing of the decision's reasoning")
    check(f'href="/incidents/{ref}"' not in r.text, "no link to a case they may not see")
    # Not the case, nor the form.
    eq(s.get(f"/incidents/{ref}/decide?subject=S1").status, 404, "decide page is 404")
    r = s.get(f"/incidents/{ref}")
    check(r.status in (404, 501) and "Second laptop" not in r.text,
          f"the case page is not theirs: {r.status}")
    before = world().dump(["notices"])
    r = s.post(f"/notices/{number}/acknowledge", {}, csrf=False)
    eq(r.status, 403, f"no csrf: {r.describe()}")
    eq(world().dump(["notices"]), before, "nothing changed without csrf")
    r = s.post(f"/notices/{number}/acknowledge", {})
    eq(r.status, 303, f"acknowledged: {r.describe()}")
    eq(r.header("Location"), f"/notices/{number}?done=acknowledged", "back to the notice")
    r = s.get(r.header("Location"))
    check("You have acknowledged this breach notice" in r.text, "a success banner")
    check("Acknowledged</strong> on 28 November 2026" in r.text, "acknowledged today")
    check("Acknowledge this notice" not in r.text, "the action is gone")
    n = case(ref)["notices"][0]
    eq(n["acknowledged_on"], "2026-11-28", "stored")
    check(any(a["action"] == "notice.acknowledge" for a in
              json.loads(world().cli("--json", "audit", "log").stdout)),
          "the acknowledgement is audited")
    r = s.post(f"/notices/{number}/acknowledge", {})
    eq(r.status, 409, f"a second time: {r.describe()}")


@test
def others_cannot_see_or_acknowledge_a_notice():
    number = World.notices.get("s1") or fail("no notice issued")
    for who in ("reporter", "other", "warned"):
        b = browser(who)
        eq(b.get(f"/notices/{number}").status, 404, f"{who} gets 404 on the notice")
        eq(b.post(f"/notices/{number}/acknowledge", {}).status, 404,
           f"{who} gets 404 acknowledging it")
    m = browser("manager")
    eq(m.post(f"/notices/{World.notices['new']}/acknowledge", {}).status, 403,
       "the manager may not acknowledge for the subject")
    eq(m.get("/notices/BN-2026-999999").status, 404, "an unknown notice is 404")
    eq(m.get("/notices/nonsense").status, 404, "a malformed number is 404")


@test
def notice_api():
    w = world()
    number = World.notices["new"]
    r = w.get(f"/api/v1/notices/{number}", as_="warned")
    eq(r.status, 200, r.describe())
    j = r.json()
    eq(j["addressee"], True, "the addressee")
    check(any(p["code"] == "POLSBP006" for p in j["policy_refs"]), "policy references")
    eq(w.get(f"/api/v1/notices/{number}", as_="other").status, 404, "others: 404")
    eq(w.post(f"/api/v1/notices/{number}/acknowledgement", None, as_="manager").status, 403,
       "the manager may not acknowledge")
    r = w.post(f"/api/v1/notices/{number}/acknowledgement", None, as_="warned")
    eq(r.status, 200, r.describe())
    eq(r.json()["acknowledged_on"], "2026-11-28", "acknowledged today")
    eq(w.post(f"/api/v1/notices/{number}/acknowledgement", None, as_="warned").status, 409,
       "once")


@test
def person_page_lists_live_and_expired_warnings():
    m = browser("manager")
    r = m.get("/people/S2")
    eq(r.status, 200, r.describe())
    t = r.text
    check(t.count("<h1") == 1 and "Wes Warned" in t, "the person's name is the h1")
    check("HM Courts &amp; Tribunals Service" in t, "their organisation")
    check("SC (Security Check)" in t, "their clearance")
    live, expired = t.split("Expired warnings", 1)
    check(World.notices["new"] in live and "28 November 2027" in live,
          "today's notice is live, until 28 November 2027")
    check(World.notices["old"] in expired and "20 October 2026" in expired
          and "Expired</strong>" in expired, "last year's notice expired on 20 October 2026")
    check(f'href="/incidents/{World.refs["old"]}"' in expired, "linked to its incident")
    check(f'href="/notices/{World.notices["new"]}"' in live, "linked to its notice")
    marked_top_and_bottom(r, MARKING + " / PERSONAL DATA")
    # Their own record is theirs to see; another's is not.
    eq(browser("warned").get("/people/S2").status, 200, "a person sees their own warnings")
    eq(browser("other").get("/people/S2").status, 404, "another reporter gets 404")
    eq(browser("other").get("/people/NOPE1").status, 404, "an unknown person is 404")


@test
def several_subjects_are_chosen_one_at_a_time():
    m = browser("manager")
    ref = World.refs["both"]
    r = m.get(f"/incidents/{ref}/decide")
    eq(r.status, 200, r.describe())
    marked_top_and_bottom(r)
    check("Choose whose decision to record" in r.text, "asks whose decision")
    for sid in ("S1", "X1"):
        check(f'href="/incidents/{ref}/decide?subject={sid}"' in r.text, f"a link for {sid}")
    r = m.get(f"/incidents/{ref}/decide?subject=X1")
    eq(r.status, 200, r.describe())
    no_raw_xss(r)
    check("&lt;script&gt;" in r.text, "a name with markup is shown escaped")
    eq(m.get(f"/incidents/{ref}/decide?subject=R1").status, 404, "not a subject: 404")
    r = m.post(f"/incidents/{ref}/decide", {"subject": "R1", "outcome": "advice",
                                            "severity": "minor", "rationale": "x"})
    eq(r.status, 404, f"deciding for one who is not a subject: {r.describe()}")


@test
def markup_in_a_persons_name_is_escaped():
    r = browser("manager").get("/people/X1")
    eq(r.status, 200, r.describe())
    no_raw_xss(r)
    check("&lt;script&gt;alert(1)&lt;/script&gt;" in r.text, "the name is escaped")


@test
def pages_need_a_session():
    w = world()
    r = request(w.port, "GET", f"/incidents/{World.refs['s1']}/decide")
    check(r.status in (302, 303) and "/login" in (r.header("Location") or ""),
          f"signed out: sent to sign in: {r.describe()}")


@test
def server_stops_cleanly():
    if World.inst is None:
        return
    problems = World.inst.stop()
    check(not problems, "; ".join(problems))


def main():
    global BINARY
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    BINARY = os.path.abspath(args[0])
    only = [args[i + 1] for i, a in enumerate(args) if a == "-k" and i + 1 < len(args)]
    if only and not any("server_stops" in k for k in only):
        only.append("server_stops_cleanly")
    try:
        passed, failed = runner.run(only)
    finally:
        if World.inst is not None:
            World.inst.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
