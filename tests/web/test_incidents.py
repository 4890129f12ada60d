#!/usr/bin/env python3
"""Black-box tests of the incident pages (issue 4): /incidents with its
filters and pagination, /my-reports, /incidents/{ref} and the forms on it
(transitions, notes, assessment), against a real `breachreg serve` on a
private port and the demo register.

Usage: python3 tests/web/test_incidents.py BINARY [-k NAME]...

The world is `init --demo` (a year of incidents, one account per role,
password breachreg-demo) plus a few incidents reported through the CLI for
what the demo does not pin down: a case whose subject is the reporter
account, one with personal data discovered 10 hours before the server's
clock, and one carrying XSS payloads. Accounts sign in through the form
(GET /login for its token cookie, POST /login) and keep br_session; the
CSRF token is scraped from a page. Ends with 'N passed, N failed'."""
import html
import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
from api_helpers import (SANITIZER_MARKERS, Instance, Runner, check, clip, dump_diff,  # noqa: E402
                         eq, fail)

NOW = "2026-11-28T12:00:00Z"
DEMO_PASSWORD = "breachreg-demo"
XSS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>"]

runner = Runner()
test = runner.test


# ---------------------------------------------------------------- HTTP

class Page:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        return self.headers.get(name)

    def describe(self):
        return f"{self.status}\n  body: {clip(self.text, 600)}"


def http_req(port, method, path, form=None, cookie=None, headers=None):
    h = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        h["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        h["Cookie"] = cookie
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return Page(r.status, r.headers, r.read())
    finally:
        conn.close()


class World:
    inst = None
    cookies = {}
    staff = {}
    refs = {}

    broken = None

    @classmethod
    def get(cls):
        if cls.broken:
            fail(f"the world could not be set up: {cls.broken}")
        if cls.inst is None:
            try:
                cls.setup()
            except Exception as e:
                cls.broken = str(e) or type(e).__name__
                raise
        return cls

    @classmethod
    def setup(cls):
        inst = Instance(BINARY, name="web-inc", now=NOW)
        cls.inst = inst
        # A year of incidents under ASan on a busy machine: more than the
        # helpers' 60 s for one command.
        r = subprocess.run([inst.binary, "--db", inst.db, "init", "--demo"], capture_output=True,
                           text=True, timeout=900, env=inst.env(), cwd=inst.dir)
        check(r.returncode == 0 and not any(m in r.stderr for m in SANITIZER_MARKERS),
              f"init --demo: exit {r.returncode}\n{clip(r.stderr, 2000)}")
        for name, staff_id in inst.sql("SELECT name, staff_id FROM accounts"):
            cls.staff[name] = staff_id
        reporter, manager = cls.staff["reporter"], cls.staff["manager"]
        # A case about the reporter account's person, reported by someone else.
        cls.refs["about_reporter"] = inst.report({
            "kind": "breach", "org": "hmcts-crime", "types": ["workstation-unlocked"],
            "discovered_at": "2026-11-27T09:00:00Z", "description": "Screen left unlocked",
            "reporter": manager, "subjects": [reporter]})
        # A report the reporter account made about a colleague.
        cls.refs["by_reporter"] = inst.report({
            "kind": "breach", "org": "hmcts-crime", "types": ["pass-lost"],
            "discovered_at": "2026-11-27T08:00:00Z", "description": "Colleague lost a pass",
            "reporter": reporter, "subjects": [manager]})
        # Personal data, discovered ten hours before the server's clock.
        cls.refs["personal"] = inst.report({
            "kind": "breach", "org": "hmcts-crime", "types": ["personal-data-release"],
            "classification": "official", "personal_data": {"records": 150,
                                                              "special_category": False},
            "discovered_at": "2026-11-28T02:00:00Z", "description": "Spreadsheet emailed out",
            "reporter": reporter, "subjects": [manager]})
        # XSS payloads in every free-text field.
        cls.refs["xss"] = inst.report({
            "kind": "breach", "org": "hmcts", "types": ["other"],
            "discovered_at": "2026-11-26T08:00:00Z", "description": XSS[0] + " " + XSS[1],
            "location": XSS[1] + XSS[0], "reporter": cls.staff["analyst"],
            "subjects": [manager]})
        inst.cli("note", cls.refs["xss"], XSS[0] + "\n" + XSS[1])
        # One to walk along the lifecycle through the forms.
        cls.refs["walk"] = inst.report({
            "kind": "near-miss", "org": "hmcts", "types": ["cabinet-unlocked"],
            "discovered_at": "2026-11-26T08:00:00Z", "description": "Cabinet found open",
            "reporter": cls.staff["analyst"], "subjects": [manager]})
        # Reported in confidence by the reporter account.
        cls.refs["confidential"] = inst.report({
            "kind": "breach", "org": "hmcts", "types": ["pass-misuse"],
            "discovered_at": "2026-11-26T08:00:00Z", "description": "Pass lent to a visitor",
            "reporter": reporter, "confidential_reporter": True, "subjects": [manager]})
        inst.start()

    @classmethod
    def login(cls, name):
        if name in cls.cookies:
            return cls.cookies[name]
        port = cls.inst.port
        r = http_req(port, "GET", "/login")
        eq(r.status, 200, "GET /login")
        token = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
        login_cookie = r.header("Set-Cookie").split(";")[0]
        r = http_req(port, "POST", "/login",
                     {"name": name, "password": DEMO_PASSWORD, "token": token},
                     cookie=login_cookie)
        eq(r.status, 303, f"sign in as {name}: {r.describe()}")
        cookie = r.header("Set-Cookie").split(";")[0]
        check(cookie.startswith("br_session="), f"session cookie {cookie!r}")
        cls.cookies[name] = cookie
        return cookie

    @classmethod
    def page(cls, name, path):
        return http_req(cls.inst.port, "GET", path, cookie=cls.login(name) if name else None)

    @classmethod
    def post(cls, name, path, form):
        return http_req(cls.inst.port, "POST", path, form, cookie=cls.login(name))


def csrf_of(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page.text)
    check(m, "the page has a CSRF field\n" + clip(page.text, 300))
    return html.unescape(m.group(1))


def refs_in(page):
    return re.findall(r'href="/incidents/(SB-\d{4}-\d{6})"', page.text)


def result_count(page):
    m = re.search(r"of <b>(\d+)</b> results", page.text)
    return int(m.group(1)) if m else None


def cli_refs(w, *args):
    return [i["ref"] for i in json.loads(w.inst.cli("--json", "incidents", *args).stdout)]


def marked(page, words):
    """The marking is at the top and the bottom of the page."""
    top = re.search(r'app-marking--top[^>]*>([^<]*)<', page.text)
    bottom = re.search(r'app-marking--bottom[^>]*>([^<]*)<', page.text)
    check(top and bottom, "the page has no marking top and bottom")
    for m in (top, bottom):
        check(words in m.group(1), f"marking {m.group(1)!r} lacks {words!r}")
    check(page.text.index("app-marking--top") < page.text.index("<main"),
          "the top marking comes after main")
    check(page.text.index("app-marking--bottom") > page.text.index("</main>"),
          "the bottom marking comes before the end of main")


def error_summary_names(page, field):
    check("govuk-error-summary" in page.text, "no error summary\n" + clip(page.text, 300))
    check(f'href="#{field}"' in page.text, f"the error summary does not link to #{field}")
    check(f'id="{field}"' in page.text or f"id=\"{field}\"" in page.text,
          f"no element with id {field} for the summary's link")


def audit_entries(w, ref, event):
    out = w.inst.cli("audit", "log", "--ref", ref).stdout
    return [line for line in out.splitlines() if event in line]


# ---------------------------------------------------------------- the list

@test
def list_counts_and_pages_match_the_cli_for_security():
    w = World.get()
    every = cli_refs(w)
    r = w.page("security", "/incidents")
    eq(r.status, 200, "GET /incidents")
    eq(result_count(r), len(every), "the total")
    eq(refs_in(r), every[:25], "page 1")
    r2 = w.page("security", "/incidents?page=2")
    eq(refs_in(r2), every[25:50], "page 2")
    check('rel="prev"' in r2.text and 'rel="next"' in r2.text, "page 2 has previous and next")
    last = (len(every) + 24) // 25
    r3 = w.page("security", f"/incidents?page={last}")
    eq(refs_in(r3), every[(last - 1) * 25:], "the last page")
    check('rel="next"' not in r3.text, "the last page has no next")
    check("moj-pagination" in r.text and "moj-filter-layout" in r.text, "MoJ components")


@test
def filters_match_the_cli_with_the_same_filter():
    w = World.get()
    cases = [
        ({"status": "investigating"}, ["--status", "investigating"]),
        ({"org": "hmcts"}, ["--org", "hmcts"]),
        ({"severity": "serious"}, ["--severity", "serious"]),
        ({"type": "pass-lost"}, ["--type", "pass-lost"]),
        ({"from": "2026-10-01", "to": "2026-10-31"}, ["--from", "2026-10-01", "--to", "2026-10-31"]),
        ({"org": "hmcts", "status": "closed", "type": "portable-asset-lost"},
         ["--org", "hmcts", "--status", "closed", "--type", "portable-asset-lost"]),
    ]
    for q, args in cases:
        want = cli_refs(w, *args)
        r = w.page("security", "/incidents?" + urllib.parse.urlencode(q))
        eq(r.status, 200, f"filter {q}")
        if want:
            eq(result_count(r), len(want), f"count for {q}")
            eq(refs_in(r), want[:25], f"rows for {q}")
        else:
            check("No incidents match" in r.text, f"empty result for {q}")
        # The filter is shown as selected, with a link that removes it.
        for k in q:
            check('class="moj-filter__tag"' in r.text, f"selected filter tags for {q}")
        # Bookmarkable: the form is a GET and pages keep the filter.
        check(re.search(r'<form method="get" action="/incidents"', r.text), "a GET form")
        if len(want) > 25:
            check("page&#61;2" in r.text and urllib.parse.urlencode(q).split("&")[0]
                  .replace("=", "&#61;") in r.text, f"the next page keeps {q}")


@test
def type_titles_and_status_tags_are_plain_words():
    w = World.get()
    r = w.page("security", "/incidents?type=portable-asset-lost")
    check("Negligence leading to loss of portable assets" in r.text, "the catalogue title")
    check(">portable-asset-lost<" not in r.text, "a type code is shown as a cell")
    check('class="govuk-tag govuk-tag--' in r.text, "status as a govuk-tag")


@test
def a_managers_list_is_what_the_api_lets_them_see():
    w = World.get()
    token = w.inst.cli("user", "token", "manager").stdout.strip()
    api = http_req(w.inst.port, "GET", "/api/v1/incidents?limit=1000",
                   headers={"Authorization": "Bearer " + token})
    eq(api.status, 200, "API list as the manager")
    want = [i["ref"] for i in json.loads(api.body)["incidents"]]
    check(0 < len(want) < len(cli_refs(w)), f"the manager sees some ({len(want)})")
    r = w.page("manager", "/incidents")
    eq(r.status, 200, "GET /incidents as manager")
    if len(want) > 25:
        eq(result_count(r), len(want), "the manager's total")
    eq(refs_in(r), want[:25], "the manager's first page")


@test
def bad_filter_values_are_400_naming_the_filter():
    w = World.get()
    for q, field in [("severity=purple", "severity"), ("status=asleep", "status"),
                     ("org=no-such-org", "org"), ("type=not-a-type", "type"),
                     ("from=2026-13-45", "from"), ("to=yesterday", "to"),
                     ("from=2026-11-02&to=2026-11-01", "to"), ("page=abc", "page"),
                     ("page=0", "page")]:
        r = w.page("security", "/incidents?" + q)
        eq(r.status, 400, f"?{q}")
        error_summary_names(r, field)
        check("<title>Error:" in r.text, f"?{q}: the title starts with Error:")
        check(not refs_in(r), f"?{q}: no rows under a bad filter")
    # What was typed is kept in the form.
    r = w.page("security", "/incidents?from=2026-13-45")
    check('value="2026-13-45"' in r.text, "the typed date is kept")


@test
def signed_out_is_sent_to_sign_in():
    w = World.get()
    for path in ["/incidents", "/my-reports", f"/incidents/{w.refs['walk']}"]:
        r = w.page(None, path)
        check(r.status in (302, 303), f"{path} signed out: {r.status}")
        check("/login" in (r.header("Location") or ""), f"{path} goes to /login")


# ---------------------------------------------------------------- who sees what

@test
def the_subject_gets_404_and_it_is_absent_from_their_lists():
    w = World.get()
    ref = w.refs["about_reporter"]
    r = w.page("reporter", f"/incidents/{ref}")
    eq(r.status, 404, "the subject on their own case")
    check("Screen left unlocked" not in r.text, "nothing of the case on the 404")
    for path in ["/incidents", "/my-reports", "/incidents?type=workstation-unlocked"]:
        r = w.page("reporter", path)
        eq(r.status, 200, path)
        check(ref not in r.text, f"{ref} is listed on {path} for its subject")
    # Accounts without incident content see only what they reported.
    for name in ["admin", "analyst"]:
        eq(w.page(name, f"/incidents/{ref}").status, 404, f"{name} on a case")
        mine = {r for (r,) in w.inst.sql("SELECT ref FROM incidents WHERE reporter = ?",
                                         (w.staff[name],))}
        listed = set(refs_in(w.page(name, "/incidents")))
        check(listed <= mine, f"{name} lists others' incidents: {sorted(listed - mine)[:3]}")


@test
def a_reporter_sees_their_report_at_my_reports_report_only():
    w = World.get()
    ref = w.refs["by_reporter"]
    r = w.page("reporter", "/my-reports")
    eq(r.status, 200, "GET /my-reports")
    check(ref in refs_in(r), f"{ref} is in my reports")
    check(w.refs["about_reporter"] not in r.text, "a case about me is not in my reports")
    check(">Severity<" not in r.text, "my reports show no severity")
    marked(r, "OFFICIAL-SENSITIVE")
    case = w.page("reporter", f"/incidents/{ref}")
    eq(case.status, 200, "the reporter on their report")
    check("Colleague lost a pass" in case.text, "the report's description")
    check("This is the report you made" in case.text, "says it is the report only")
    for part in ["Timeline", "Assessment and decision", "Add a note", "/transition",
                 "/assessment", "Severity:"]:
        check(part not in case.text, f"the report view shows {part!r}")
    marked(case, "OFFICIAL-SENSITIVE HR / MANAGEMENT")
    # A reporter-only account's /incidents lists what they may see, and says so.
    r = w.page("reporter", "/incidents")
    eq(r.status, 200, "/incidents as a reporter")
    check("You can see the incidents you reported" in r.text, "the reporter is told")
    check(set(refs_in(r)) <= set(refs_in(w.page("reporter", "/my-reports"))) | {ref},
          "the reporter's /incidents holds only their reports")


@test
def reading_a_case_is_audited():
    w = World.get()
    ref = w.refs["walk"]
    before = len(audit_entries(w, ref, "incident.read"))
    eq(w.page("investigator", f"/incidents/{ref}").status, 200, "investigator reads")
    after = audit_entries(w, ref, "incident.read")
    eq(len(after), before + 1, "one incident.read entry")
    check("user:investigator" in after[-1], f"by the investigator: {after[-1]}")


@test
def personal_data_case_has_the_ico_clock_and_the_marking():
    w = World.get()
    ref = w.refs["personal"]
    r = w.page("security", f"/incidents/{ref}")
    eq(r.status, 200, "the case page")
    m = re.search(r'<span class="app-clock[^"]*" data-due="([^"]+)" data-now="([^"]+)">([^<]*)</span>',
                  r.text)
    check(m, "the ICO clock element\n" + clip(r.text, 200))
    eq(m.group(1), "2026-12-01T02:00:00Z", "due 72 hours after discovery")
    eq(m.group(2), NOW, "data-now is the server's clock")
    eq(m.group(3), "62 hours 0 minutes left", "the time left")
    marked(r, "OFFICIAL-SENSITIVE HR / MANAGEMENT / PERSONAL DATA")
    # A case without personal data has no clock and no PERSONAL DATA.
    r = w.page("security", f"/incidents/{w.refs['walk']}")
    check("data-due=" not in r.text, "no clock without personal data")
    marked(r, "OFFICIAL-SENSITIVE HR / MANAGEMENT")
    check("PERSONAL DATA" not in r.text, "no PERSONAL DATA marking")


@test
def an_overdue_clock_says_overdue():
    w = World.get()
    # Demo: personal data discovered long ago, with no ICO decision.
    for inc in json.loads(w.inst.cli("--json", "incidents", "--status", "awaiting-decision").stdout):
        if inc["personal_data"]["records"] > 0:
            show = json.loads(w.inst.cli("--json", "show", inc["ref"]).stdout)
            if show.get("ico_decision") is None and inc["discovered_at"] < "2026-11-25":
                r = w.page("security", f"/incidents/{inc['ref']}")
                check(re.search(r'app-clock app-clock--overdue"[^>]*>overdue by \d+ hours \d+ minutes<',
                                r.text), "an overdue clock\n" + clip(r.text, 200))
                return
    fail("the demo has no overdue personal-data case to look at")


@test
def the_case_page_shows_facts_timeline_and_assessment():
    w = World.get()
    # A demo case with an assessment, a decision and a notice.
    for inc in json.loads(w.inst.cli("--json", "incidents", "--status", "decided").stdout):
        show = json.loads(w.inst.cli("--json", "show", inc["ref"]).stdout)
        if show["notices"] and show["assessments"]:
            break
    else:
        fail("no decided demo case with a notice")
    r = w.page("security", f"/incidents/{show['ref']}")
    eq(r.status, 200, "case page")
    check("govuk-summary-list" in r.text and "moj-timeline" in r.text, "summary and timeline")
    a = show["assessments"][0]
    for line in a["explanation"]:
        check(html.escape(line["text"], quote=True).replace("&#x27;", "&#39;") in r.text
              or line["policy"] in r.text, f"explanation line {line['rule']}")
        check(line["policy"] in r.text, f"the policy statement {line['policy']}")
    check(a["guidance_version"] in r.text, "the guidance version")
    n = show["notices"][0]["number"]
    check(f'href="/notices/{n}"' in r.text, "the notice links to its page")
    for t in show["transitions"]:
        check(t["at"] in r.text, f"the transition at {t['at']} is on the timeline")
    for note in show["notes"]:
        check(note["at"] in r.text, f"the note at {note['at']} is on the timeline")
    subj = show["subjects"][0]
    check(f'href="/people/{subj}"' in r.text, "the subject links to their page")


# ---------------------------------------------------------------- the forms

@test
def a_transition_through_the_form_is_made_and_audited():
    w = World.get()
    ref = w.refs["walk"]
    page = w.page("security", f"/incidents/{ref}")
    check('name="to" value="triaged"' in page.text, "a button to triage")
    check('value="closed"' not in page.text, "no button for a move not allowed from reported")
    r = w.post("security", f"/incidents/{ref}/transition",
               {"csrf": csrf_of(page), "to": "triaged"})
    eq(r.status, 303, f"POST transition: {r.describe()}")
    eq(r.header("Location"), f"/incidents/{ref}?done=transition", "back to the case")
    after = w.page("security", r.header("Location"))
    check("govuk-notification-banner--success" in after.text, "a success banner")
    check(">Triaged</strong>" in after.text, "the new status is shown")
    eq(json.loads(w.inst.cli("--json", "show", ref).stdout)["status"], "triaged", "stored")
    check(audit_entries(w, ref, "incident.transition"), "the transition is audited")
    # The flash never echoes the query.
    r = w.page("security", f"/incidents/{ref}?done=%3Cscript%3Ealert(1)%3C/script%3E")
    check("<script>alert(1)" not in r.text and "govuk-notification-banner" not in r.text,
          "an unknown done= shows nothing")


@test
def a_transition_without_csrf_is_403_and_changes_nothing():
    w = World.get()
    ref = w.refs["walk"]
    tables = ["incidents", "transitions", "notes", "audit", "assessments"]
    w.login("security")
    w.login("investigator")
    before = w.inst.dump(tables)
    for form in [{"to": "withdrawn", "reason": "x"},
                 {"to": "withdrawn", "reason": "x", "csrf": "not-the-token"}]:
        r = w.post("security", f"/incidents/{ref}/transition", form)
        eq(r.status, 403, f"POST {form}")
    r = w.post("security", f"/incidents/{ref}/notes", {"text": "no token"})
    eq(r.status, 403, "a note without CSRF")
    r = w.post("security", f"/incidents/{ref}/assessment", {})
    eq(r.status, 403, "an assessment without CSRF")
    # Another session's token is not this session's.
    other = w.page("investigator", f"/incidents/{ref}")
    r = w.post("security", f"/incidents/{ref}/transition",
               {"to": "withdrawn", "reason": "x", "csrf": csrf_of(other)})
    eq(r.status, 403, "another session's token")
    after = w.inst.dump(tables)
    # The investigator's read is audited; nothing else may differ.
    old_audit = before.pop("audit")
    new_audit = [row for row in after.pop("audit") if row not in old_audit]
    check(all("incident.read" in repr(row) for row in new_audit),
          f"refused POSTs were audited as something: {clip(repr(new_audit), 300)}")
    check(before == after, "the refused POSTs changed something:\n" + dump_diff(before, after))


@test
def a_reason_is_required_and_kept_and_illegal_moves_are_409():
    w = World.get()
    ref = w.refs["walk"]
    page = w.page("security", f"/incidents/{ref}")
    csrf = csrf_of(page)
    check('id="reason-unfounded"' in page.text, "a reason box for unfounded")
    r = w.post("security", f"/incidents/{ref}/transition",
               {"csrf": csrf, "to": "unfounded", "reason": "  "})
    eq(r.status, 400, f"unfounded without a reason: {r.describe()}")
    error_summary_names(r, "reason-unfounded")
    check("<details class=\"govuk-details\" open>" in r.text, "the form is open again")
    marked(r, "OFFICIAL-SENSITIVE")
    eq(json.loads(w.inst.cli("--json", "show", ref).stdout)["status"], "triaged", "unchanged")
    # An illegal move names the allowed next states.
    r = w.post("security", f"/incidents/{ref}/transition", {"csrf": csrf, "to": "closed"})
    eq(r.status, 409, "triaged -> closed")
    check("allowed next states" in r.text and "investigating" in r.text, "names the next states")
    r = w.post("security", f"/incidents/{ref}/transition", {"csrf": csrf, "to": "asleep"})
    eq(r.status, 400, "an unknown state")
    eq(w.post("security", "/incidents/SB-2026-999999/transition",
              {"csrf": csrf, "to": "triaged"}).status, 404, "an unknown incident")


@test
def notes_through_the_form_appear_on_the_timeline():
    w = World.get()
    ref = w.refs["walk"]
    csrf = csrf_of(w.page("investigator", f"/incidents/{ref}"))
    r = w.post("investigator", f"/incidents/{ref}/notes", {"csrf": csrf, "text": "   "})
    eq(r.status, 400, "an empty note")
    error_summary_names(r, "note")
    r = w.post("investigator", f"/incidents/{ref}/notes",
               {"csrf": csrf, "text": "Spoke to the team\nabout the cabinet"})
    eq(r.status, 303, f"a note: {r.describe()}")
    eq(r.header("Location"), f"/incidents/{ref}?done=note", "back to the case")
    after = w.page("investigator", r.header("Location"))
    check("Your note was added" in after.text, "the flash")
    check("Spoke to the team\nabout the cabinet" in after.text, "the note on the timeline")
    check(audit_entries(w, ref, "incident.note"), "the note is audited")
    # The subject's reporter account may not add one (it cannot see the case).
    eq(w.post("reporter", f"/incidents/{w.refs['about_reporter']}/notes",
              {"csrf": csrf_of(w.page("reporter", "/my-reports")), "text": "x"}).status,
       404, "a note on a case the account cannot see")


@test
def assessing_through_the_form_stores_each_subject():
    w = World.get()
    ref = w.refs["walk"]
    page = w.page("security", f"/incidents/{ref}")
    check(f'action="/incidents/{ref}/assessment"' in page.text, "an Assess button")
    r = w.post("security", f"/incidents/{ref}/assessment", {"csrf": csrf_of(page)})
    eq(r.status, 303, f"assess: {r.describe()}")
    after = w.page("security", r.header("Location"))
    check("Assessed severity" in after.text, "the assessment is shown")
    check("POLSBP003" in after.text, "with its policy references")
    check(json.loads(w.inst.cli("--json", "show", ref).stdout)["assessments"], "stored")


@test
def buttons_follow_the_accounts_permissions():
    w = World.get()
    ref = w.refs["walk"]
    # HR reads but does not work the case: no transitions, notes or assessment.
    r = w.page("hr", f"/incidents/{ref}")
    eq(r.status, 200, "hr reads a case in their organisation")
    for part in ["/transition", "/notes", "/assessment"]:
        check(part not in r.text, f"hr is offered {part}")
    # Reopening is for security only.
    closed = cli_refs(w, "--status", "closed", "--org", "hmcts")[0]
    r = w.page("investigator", f"/incidents/{closed}")
    eq(r.status, 200, "the investigator reads a closed case of their org")
    check("Reopen" not in r.text, "the investigator is offered reopen")
    r = w.page("security", f"/incidents/{closed}")
    check("Reopen the case" in r.text, "security is offered reopen")


@test
def decide_link_and_notice_form_follow_the_case():
    w = World.get()
    ref = w.refs["walk"]
    subject = w.staff["manager"]
    decide = f'href="/incidents/{ref}/decide?subject={subject}"'
    page = w.page("security", f"/incidents/{ref}")
    check(decide not in page.text, "a Decide link while triaged")
    r = w.post("security", f"/incidents/{ref}/transition",
               {"csrf": csrf_of(page), "to": "investigating"})
    eq(r.status, 303, f"to investigating: {r.describe()}")
    page = w.page("security", f"/incidents/{ref}")
    check(decide in page.text, "a Decide link for the assessed, undecided subject")
    check(f'action="/incidents/{ref}/notices"' not in page.text, "a notice form before a decision")
    a = json.loads(w.inst.cli("--json", "show", ref).stdout)["assessments"][0]
    outcome = a["recommendation"]
    extra = []
    if outcome not in ("breach-notice", "formal-action"):
        outcome, extra = "breach-notice", ["--override-reason", "test"]
    w.inst.cli("decide", ref, "--subject", subject, "--outcome", outcome, "--severity",
               a["severity"], "--rationale", "Considered damage, intent and warnings", *extra)
    page = w.page("security", f"/incidents/{ref}")
    check(decide not in page.text, "a Decide link after the decision")
    check("Considered damage, intent and warnings" in page.text, "the decision is shown")
    check(f'action="/incidents/{ref}/notices"' in page.text and
          f'name="subject" value="{subject}"' in page.text, "the notice form for the subject")
    # HR reads the decision but may not issue notices.
    hr = w.page("hr", f"/incidents/{ref}")
    check("Considered damage" in hr.text and "/notices\"" not in hr.text, "hr's view")


@test
def only_security_sees_a_confidential_reporter():
    w = World.get()
    ref = w.refs["confidential"]
    reporter = w.staff["reporter"]
    r = w.page("investigator", f"/incidents/{ref}")
    eq(r.status, 200, "the investigator on a case of their organisation")
    check("Reported by" not in r.text and reporter not in r.text, "the reporter is shown")
    r = w.page("security", f"/incidents/{ref}")
    check("Reported by" in r.text and reporter in r.text and "in confidence" in r.text,
          "security sees who reported, in confidence")
    r = w.page("reporter", f"/incidents/{ref}")
    eq(r.status, 200, "the confidential reporter on their report")
    check("You (" in r.text, "the reporter is told it was them")


# ---------------------------------------------------------------- escaping

@test
def xss_payloads_render_escaped():
    w = World.get()
    ref = w.refs["xss"]
    for name in ["security", "investigator"]:
        r = w.page(name, f"/incidents/{ref}")
        eq(r.status, 200, f"{name} on the XSS case")
        for raw in XSS + ["<img src=x", "<script>alert"]:
            check(raw not in r.text, f"{raw!r} is in the page raw for {name}")
        check("&lt;script&gt;alert(1)&lt;/script&gt;" in r.text, "the description, escaped")
        check("&lt;img src&#61;x onerror&#61;alert(1)&gt;" in r.text, "the img payload, escaped")
    r = w.page("security", "/incidents?org=hmcts")
    check("<script>alert" not in r.text, "the list")
    # Query values are echoed into the form escaped too.
    r = w.page("security", "/incidents?from=" + urllib.parse.quote(XSS[1]))
    eq(r.status, 400, "a payload as a date")
    check(XSS[1] not in r.text and "<img" not in r.text, "the typed payload is escaped")


@test
def server_stops_cleanly():
    w = World.get()
    problems = w.inst.stop()
    check(not problems, "\n".join(problems))


def main():
    global BINARY
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    BINARY = os.path.abspath(args[0])
    only = [args[i + 1] for i, a in enumerate(args) if a == "-k" and i + 1 < len(args)]
    if only:
        only.append("server_stops_cleanly")
    try:
        passed, failed = runner.run(only)
    finally:
        if World.inst is not None:
            if World.inst.alive():
                leftover = World.inst.stop()
                if leftover:
                    print("shutdown: " + "; ".join(leftover))
            World.inst.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


BINARY = None

if __name__ == "__main__":
    sys.exit(main())
