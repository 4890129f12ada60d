#!/usr/bin/env python3
"""Black-box tests of sign-in and the "Report a security breach" journey
(issue 4) over real HTTP, against `breachreg serve` on the demo register.

Usage: python3 tests/web/test_report.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import html
import json
import re
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_helpers import (Instance, Runner, Session, check, eq, error_summary, fail,  # noqa: E402
                         location, request, text_of)

runner = Runner()
test = runner.test
inst = None

GOOD = {
    "kind": {"kind": "breach"},
    "what": [("types", "portable-asset-lost"), ("types", "official-material-lost"),
             ("description", "Laptop and case papers left on the 17:02 from Euston")],
    "when": {"occurred-day": "12", "occurred-month": "7", "occurred-year": "2026",
             "occurred-time": "17:30", "discovered-day": "13", "discovered-month": "07",
             "discovered-year": "2026", "discovered-time": "09:15",
             "location": "Train to Birmingham"},
    "who": {"org": "hmcts", "subjects": "", "confidential": "yes"},
    "info": {"classification": "official", "personal": "yes", "records": "150",
             "special": "yes", "disclosed": "no"},
    "how": {"intent": "negligent", "damage": "moderate", "criminal": "no"},
}
STEPS = ["kind", "what", "when", "who", "info", "how"]


def incidents():
    return inst.sql("SELECT count(*) FROM incidents")[0][0]


def drafts():
    return inst.sql("SELECT count(*) FROM drafts")[0][0]


def walk(s, answers=GOOD):
    """Answers every step; returns the check page."""
    for i, step in enumerate(STEPS):
        r = s.post(f"/report/{step}", answers[step])
        want = "/report/check" if i == len(STEPS) - 1 else f"/report/{STEPS[i + 1]}"
        eq(location(r), want, f"after {step}")
    r = s.get("/report/check")
    eq(r.status, 200, "check your answers")
    return r


@test
def not_signed_in_goes_to_sign_in():
    r = request(inst.port, "GET", "/report/what")
    eq(r.status, 303, "status")
    eq(r.header("Location"), "/login?next=/report/what", "Location")
    r = request(inst.port, "POST", "/report/kind", raw=b"kind=breach",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    eq(r.status, 303, "a POST without a session")
    eq(r.header("Location"), "/login", "Location of a POST")


@test
def sign_in_errors_and_next():
    s = Session(inst)
    r = s.get("/login")
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.text).group(1)
    r = s.post("/login", {"name": "reporter", "password": "wrong-password-1", "token": token},
               csrf=False)
    eq(r.status, 401, "wrong password")
    eq(error_summary(r.text)[0][0], "#name", "the error links to the name input")
    check('id="name"' in r.text and 'value="reporter"' in r.text, "the name is kept")
    check("breachreg-demo" not in r.text and "wrong-password-1" not in r.text,
          "no password echoed")
    # Each sign-in page sets a new token: a browser sends the newest.
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.text).group(1)
    r = s.post("/login", {"name": "", "password": "", "token": token}, csrf=False)
    eq(r.status, 400, "empty form")
    eq([h for h, _ in error_summary(r.text)], ["#name", "#password"], "both named")
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.text).group(1)
    r = s.post("/login", {"name": "reporter", "password": "breachreg-demo", "token": "0" * 64},
               csrf=False)
    eq(r.status, 403, "a sign-in form token that is not the cookie's")
    r = s.get("/login?next=/report/when")
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.text).group(1)
    r = s.post("/login", {"name": "reporter", "password": "breachreg-demo", "token": token,
                          "next": "/report/when"}, csrf=False)
    eq(location(r), "/report/when", "back to the page asked for")
    s2 = Session(inst)
    r = s2.get("/login")
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.text).group(1)
    r = s2.post("/login", {"name": "reporter", "password": "breachreg-demo", "token": token,
                           "next": "//evil.example/x"}, csrf=False)
    eq(location(r), "/", "an off-site next is refused")


@test
def page_headers():
    s = Session(inst).login("reporter")
    r = s.get("/report")
    eq(r.status, 200, "start page")
    csp = r.header("Content-Security-Policy")
    check("script-src 'self'" in csp and "unsafe-inline" not in csp, f"CSP {csp}")
    check("frame-ancestors 'none'" in csp, "no framing")
    eq(r.header("X-Frame-Options"), "DENY", "X-Frame-Options")
    eq(r.header("X-Content-Type-Options"), "nosniff", "nosniff")
    eq(r.header("Cache-Control"), "no-store", "pages are not cached")
    check(r.header("Content-Type").startswith("text/html"), "HTML")
    check(not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), "no inline script")
    check(" style=" not in r.text, "no inline style")
    css = re.search(r'href="(/assets/govuk-frontend\.min-[0-9a-f]{10}\.css)"', r.text)
    check(css, "the stylesheet has a fingerprinted name")
    a = request(inst.port, "GET", css.group(1))
    eq(a.status, 200, "stylesheet")
    check("immutable" in a.header("Cache-Control"), "assets are cached for ever")
    check(a.header("Content-Type").startswith("text/css"), "CSS type")
    n = request(inst.port, "GET", css.group(1), headers={"If-None-Match": a.header("ETag")})
    eq(n.status, 304, "a revalidation")
    eq(request(inst.port, "GET", "/assets/nope-0123456789.css").status, 404, "unknown asset")


@test
def journey_files_a_report():
    s = Session(inst).login("reporter")
    before = incidents()
    r = walk(s)
    t = text_of(r.text)
    for want in ["A breach happened", "Negligence leading to loss of portable assets",
                 "Laptop and case papers left on the 17:02 from Euston",
                 "12 July 2026 at 17:30", "13 July 2026 at 09:15", "Train to Birmingham",
                 "HM Courts & Tribunals Service", "Not known: the head of unit",
                 "Only the central security team may see it", "OFFICIAL",
                 "Yes, about 150 people, including special category data",
                 "Someone was careless", "Moderate"]:
        check(want in t, f"check page shows {want!r}")
    check('href="/report/when?change=1"' in r.text, "a Change link per step")
    r = s.post("/report/check", {})
    loc = location(r)
    m = re.fullmatch(r"/report/done/(SB-2026-\d{6})", loc)
    check(m, f"confirmation {loc}")
    ref = m.group(1)
    eq(incidents(), before + 1, "one incident written")
    eq(drafts(), 0, "the draft is gone with the report")
    r = s.get(loc)
    eq(r.status, 200, "confirmation page")
    check("govuk-panel--confirmation" in r.text and ref in r.text, "panel with the reference")
    check("Data Protection Officer" in r.text, "personal data: the DPO's 72 hours explained")
    inc = json.loads(inst.cli("--json", "show", ref).stdout)
    eq(inc["kind"], "breach", "kind")
    eq(inc["org"], "hmcts", "org")
    eq(inc["types"], ["portable-asset-lost", "official-material-lost"], "types")
    eq(inc["personal_data"], {"records": 150, "special_category": True}, "personal data")
    # 17:30 and 09:15 BST are 16:30 and 08:15 UTC.
    eq(inc["occurred_at"], "2026-07-12T16:30:00Z", "occurred_at in UTC")
    eq(inc["discovered_at"], "2026-07-13T08:15:00Z", "discovered_at in UTC")
    eq(inc["confidential_reporter"], True, "confidential")
    eq(inc["classification"], "official", "classification")
    eq(inc["intent"], "negligent", "intent")
    eq(inc["location"], "Train to Birmingham", "location")
    who = inst.sql("SELECT staff_id FROM accounts WHERE name = 'reporter'")[0][0]
    eq(inc["reporter"], who, "the reporter is the signed-in person")
    log = inst.cli("--json", "audit", "log", "--ref", ref).stdout
    check('"incident.report"' in log and "user:reporter" in log, "the report is audited")
    # Sending again from the same (now empty) draft makes nothing.
    r = s.post("/report/check", {})
    eq(incidents(), before + 1, "no second report from one draft")
    eq(s.get("/report/check").header("Location"), "/report", "no answers: back to the start")


@test
def each_step_names_what_is_missing():
    s = Session(inst).login("reporter")
    before = incidents()
    want = {"kind": ["#kind"], "what": ["#types", "#description"],
            "when": ["#occurred-day", "#discovered-day"], "who": ["#org"],
            "info": ["#classification", "#personal", "#disclosed"],
            "how": ["#intent", "#damage", "#criminal"]}
    for step in STEPS:
        r = s.post(f"/report/{step}", {})
        eq(r.status, 400, f"empty {step}")
        links = [h for h, _ in error_summary(r.text)]
        eq(links, want[step], f"errors of {step}")
        for h in links:
            check(f'id="{h[1:]}"' in r.text, f"{step}: {h} points at an input on the page")
        check(r.text.count("govuk-error-message") >= len(links), f"{step}: inline messages")
        check("<title>Error:" in r.text, f"{step}: the title says Error")
    eq(incidents(), before, "nothing reported")


@test
def dates_and_numbers_are_checked():
    s = Session(inst).login("reporter")
    cases = [
        ({"occurred-day": "31", "occurred-month": "2", "occurred-year": "2026"},
         "Date it happened must be a real date"),
        ({"occurred-day": "1", "occurred-month": "12", "occurred-year": "2027"},
         "Date it happened must be today or in the past"),
        ({"occurred-day": "1", "occurred-month": "", "occurred-year": "2026"},
         "Date it happened must include a month"),
        ({"occurred-day": "1", "occurred-month": "1", "occurred-year": "2026",
          "occurred-time": "25:00"}, "Time it happened must be in the 24-hour clock"),
    ]
    base = {"discovered-day": "2", "discovered-month": "1", "discovered-year": "2026",
            "discovered-time": "10:00"}
    for fields, msg in cases:
        r = s.post("/report/when", {**base, **fields})
        eq(r.status, 400, f"{fields}")
        check(any(msg in t for _, t in error_summary(r.text)), f"{msg!r} in {error_summary(r.text)}")
    r = s.post("/report/when", {"occurred-day": "5", "occurred-month": "1", "occurred-year": "2026",
                                "discovered-day": "4", "discovered-month": "1",
                                "discovered-year": "2026", "discovered-time": "10:00"})
    check(any("same as or after" in t for _, t in error_summary(r.text)), "found before it happened")
    check('value="5"' in r.text and 'value="4"' in r.text, "what was typed is kept")
    r = s.post("/report/info", {"classification": "official", "personal": "yes",
                                "records": "lots", "disclosed": "no"})
    eq([h for h, _ in error_summary(r.text)], ["#records"], "records must be a number")
    r = s.post("/report/what", [("types", "no-such-type"), ("description", "x")])
    eq(error_summary(r.text)[0], ("#types", "Select what happened from the list"), "unknown type")


@test
def csrf_is_required():
    s = Session(inst).login("reporter")
    s.post("/report/kind", {"kind": "near-miss"})
    d = inst.sql("SELECT doc FROM drafts")
    r = s.post("/report/kind", {"kind": "breach"}, csrf=False)
    eq(r.status, 403, "no CSRF field")
    r = s.post("/report/kind", {"kind": "breach", "csrf": "0" * 64}, csrf=False)
    eq(r.status, 403, "a wrong CSRF field")
    eq(inst.sql("SELECT doc FROM drafts"), d, "the draft is unchanged")
    before = incidents()
    r = s.post("/report/check", {}, csrf=False)
    eq(r.status, 403, "sending without CSRF")
    eq(incidents(), before, "nothing reported")


@test
def free_text_is_escaped():
    s = Session(inst).login("reporter")
    bad = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>"
    answers = dict(GOOD)
    answers["what"] = [("types", "other"), ("description", bad)]
    answers["when"] = {**GOOD["when"], "location": bad}
    answers["who"] = {"org": "hmcts", "subjects": ""}
    r = walk(s, answers)
    check("<script>alert(1)" not in r.text and "<img src=x" not in r.text, "no raw markup")
    check("&lt;script&gt;alert(1)&lt;/script&gt;" in r.text, "shown as text")
    r = s.get("/report/when")
    value = re.search(r'id="location" name="location" type="text" value="([^"]*)"', r.text)
    check(value and "<img src=x" not in r.text, "the value attribute holds no raw quote or tag")
    eq(html.unescape(value.group(1)), bad, "and reads back as typed")
    s.post("/report", {})  # start again
    eq(s.get("/report/check").header("Location"), "/report", "started again: no answers")


@test
def unknown_staff_number_is_named():
    s = Session(inst).login("reporter")
    answers = dict(GOOD)
    answers["who"] = {"org": "hmcts", "subjects": "S10325, NOBODY-1"}
    walk(s, answers)
    before = incidents()
    r = s.post("/report/check", {})
    eq(r.status, 400, "a staff number that is no one's")
    errs = error_summary(r.text)
    eq(errs[0][0], "/report/who?change=1", "the error leads back to the question")
    eq(incidents(), before, "nothing reported")
    check(drafts() >= 1, "the answers are kept")
    r = s.post("/report/who", {"org": "hmcts", "subjects": "S10325", "change": "1"})
    eq(location(r), "/report/check", "a change returns to the check page")
    r = s.post("/report/check", {})
    check(location(r).startswith("/report/done/"), "now it is sent")


@test
def sign_out_ends_the_session_and_its_draft():
    s = Session(inst).login("reporter")
    s.post("/report/kind", {"kind": "breach"})
    n = drafts()
    check(n >= 1, "a draft")
    r = s.post("/logout", {})
    eq(location(r), "/login?signed_out=1", "signed out")
    eq(drafts(), n - 1, "the draft went with the session")
    eq(s.get("/").status, 303, "no longer signed in")
    check("You have signed out" in s.get("/login?signed_out=1").text, "told so")


def main():
    global inst
    binary = sys.argv[1]
    only = [a for a in sys.argv[2:] if a != "-k"]
    inst = Instance(binary, name="web-report", now="2026-11-28T12:00:00Z")
    try:
        inst.cli("init", "--demo")
        inst.start()
        passed, failed = runner.run(only)
        problems = inst.stop()
        for p in problems:
            print(f"FAIL server\n  {p}")
            failed += 1
    finally:
        inst.close()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
