#!/usr/bin/env python3
"""Black-box tests of the central record's web pages (SPEC 5, 6.3; issue
4): /trends (SVG charts beside their tables, the filter, the signals),
/trends/return (the quarterly return), /catalogue (the guidance in force
and its history) and /audit (the log, newest first, paged, by reference),
against a real `breachreg serve` on the demo register, signed in through
the sign-in form as the demo accounts.

Usage: python3 tests/web/test_record.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_helpers import (Instance, Runner, Session, check, eq, error_summary, fail,  # noqa: E402
                         location, markings, request, text_of)

ROLES = ("security", "admin", "manager", "reporter", "investigator", "hr", "dpo", "analyst")
XSS = ("<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>")

runner = Runner()
test = runner.test


class World:
    inst = None
    sessions = {}


def world():
    if World.inst is not None:
        return World.inst
    inst = Instance(BINARY, "web-record")
    World.inst = inst
    inst.cli("init", "--demo")
    for name in ROLES:
        inst.tokens[name] = inst.cli("user", "token", name).stdout.strip()
    inst.start()
    return inst


def session(name):
    """A browser signed in as a demo account, through the sign-in form."""
    if name not in World.sessions:
        World.sessions[name] = Session(world()).login(name)
    return World.sessions[name]


def page(path, as_):
    return session(as_).get(path)


def ok_page(path, as_):
    r = page(path, as_)
    if r.status != 200:
        fail(f"expected 200 for {path} as {as_}\n{r.describe()}")
    check((r.header("Content-Type") or "").startswith("text/html"), "an HTML page")
    return r.text


def section(body, heading_id):
    """The <section> of the trends page whose heading has this id."""
    m = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', body, re.S)
    check(m, f"no section {heading_id}")
    return m.group(0)


def table_rows(fragment):
    """[[cell text, ...], ...] of a table's body rows."""
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", fragment, re.S)
    check(body, "no table body")
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        rows.append([text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)])
    return rows


def assert_no_raw_xss(body, where):
    for raw in ("<script>alert", "<img src=x", "onerror=alert(1)>"):
        if raw in body:
            i = body.index(raw)
            fail(f"raw {raw!r} in {where}: ...{body[max(0, i - 200):i + 100]}...")


def report(incident):
    """Reports through the API as the demo reporter; returns the reference."""
    r = world().post("/api/v1/incidents", incident, as_="reporter")
    eq(r.status, 201, f"report: {r.describe()}")
    return r.json()["ref"]


def cli_json(*args):
    return json.loads(world().cli("--json", *args).stdout)


# ---------------------------------------------------------------- trends

@test
def security_sees_a_chart_and_a_table_for_each_dimension():
    body = ok_page("/trends", "security")
    ids = ("h-month", "h-org", "h-type", "h-severity", "h-control", "h-outcome")
    for hid in ids:
        s = section(body, hid)
        eq(s.count("<svg"), 1, f"one chart in {hid}")
        svg = re.search(r"<svg[^>]*>", s).group(0)
        check('role="img"' in svg and "aria-labelledby=" in svg, f"{hid}: an accessible SVG")
        check(re.search(r"<title id=\"[^\"]+\">[^<]+</title>", s), f"{hid}: a title")
        check("<desc" in s, f"{hid}: a text summary")
        check("style=" not in s, f"{hid}: no inline style (CSP)")
        eq(s.count("<table"), 1, f"one table in {hid}")
        check("<caption" in s, f"{hid}: the table has a caption")
        check(table_rows(s), f"{hid}: the table has rows")
    # Bars carry their values as text, not colour alone.
    month = section(body, "h-month")
    for label, count in table_rows(month):
        check(f">{count}</text>" in month, f"the month chart labels {label} with {count}")
    check("Discovery to report" in body and "90th percentile" in body, "the times")
    check('href="/trends/return?quarter=2026Q3"' in body, "a link to the latest complete return")
    check("app-marking" not in body, "counts only: no protective marking on trends")
    eq(body.count("<h1"), 1, "one h1")


@test
def the_tables_match_the_cli_for_the_same_filter():
    q = {"from": "2026-01", "to": "2026-06", "severity": "minor"}
    body = ok_page("/trends?" + urllib.parse.urlencode(q), "security")
    flags = ["--from", q["from"], "--to", q["to"], "--severity", q["severity"]]
    cli = cli_json("trends", "--by", "month", *flags)
    want = {row["month"]: row["count"] for row in cli["rows"]}
    got = {m: int(c) for m, c in table_rows(section(body, "h-month"))}
    eq(set(got), {"2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"},
       "every month of the range, gaps as 0")
    for m, c in got.items():
        eq(c, want.get(m, 0), f"month {m}")
    check(f"{cli['incidents']} incidents from 2026-01 to 2026-06" in text_of(body),
          "the total is the CLI's")
    cli = cli_json("trends", "--by", "type", *flags)
    want = {row["type"]: row["count"] for row in cli["rows"]}
    got = {code: int(c) for _title, code, c in table_rows(section(body, "h-type"))}
    eq(got, want, "incidents by type, as the CLI counts them")
    cli = cli_json("trends", "--by", "org", *flags)
    orgs = {o["code"]: o["name"] for o in world().get("/api/v1/orgs", as_="security").json()["orgs"]}
    want = {orgs[row["org"]]: (row["count"], row["own"]) for row in cli["rows"]}
    got = {r[0]: (int(r[1]), int(r[2])) for r in table_rows(section(body, "h-org"))}
    eq(got, want, "incidents by organisation, rolled up, as the CLI counts them")
    rated = [r for r in table_rows(section(body, "h-org")) if r[4] != "Not known"]
    check(rated, "rates per 1,000 staff where headcounts exist")
    check('<option value="minor" selected>' in body, "the filter keeps what was chosen")


@test
def a_bad_month_is_a_400_naming_it():
    for query, field in (("from=2026-13", "from"), ("to=soon", "to"), ("severity=awful", "severity"),
                         ("kind=rumour", "kind"), ("org=nowhere", "org"),
                         ("from=2026-06&to=2026-01", "to")):
        r = page(f"/trends?{query}", "security")
        eq(r.status, 400, f"{query}: {r.describe()}")
        summary = error_summary(r.text)
        check(summary, f"{query}: the error summary")
        eq(summary[0][0], f"#{field}", f"{query}: the summary links to the field")
        check(field in summary[0][1], f"{query}: the message names {field}: {summary}")
        check(f'id="{field}-error"' in r.text, f"{query}: the field's own message")
        check("<svg" not in r.text.split("Filter the incidents")[1], f"{query}: no charts")
        check(r.text.count("<title>Error: "), f"{query}: the title says Error")
    r = page("/trends?from=2026-13", "security")
    check('value="2026-13"' in r.text, "what was typed is kept")
    # Someone who may not see trends gets the 403, not the form's mistakes.
    eq(page("/trends?from=2026-13", "reporter").status, 403, "reporter, bad month")


@test
def only_security_and_analysts_see_trends_and_only_security_the_audit_log():
    for role in ROLES:
        for path, allowed in (("/trends", ("security", "analyst")),
                              ("/trends/return?quarter=2026Q3", ("security", "analyst")),
                              ("/audit", ("security",))):
            r = page(path, role)
            want = 200 if role in allowed else 403
            eq(r.status, want, f"{path} as {role}")
            if want == 403:
                check("<svg" not in r.text and "incident.report" not in r.text,
                      f"{path} as {role}: nothing of the record")
        # The catalogue: as the API answers.
        api = world().get("/api/v1/catalogue", as_=role).status
        eq(page("/catalogue", role).status, 200 if api == 200 else 403, f"/catalogue as {role}")
    r = request(world().port, "GET", "/trends")
    eq(r.status, 303, "signed out: to the sign-in page")


@test
def an_analyst_sees_repeat_subjects_only_as_pseudonyms():
    body = ok_page("/trends", "analyst")
    m = re.search(r"Repeat subjects.*?</table>", body, re.S)
    check(m, "the repeat subjects table")
    subjects = re.findall(r'<span class="app-subject">([^<]*)</span>', m.group(0))
    check(subjects, "the demo has repeat subjects")
    for s in subjects:
        check(re.fullmatch(r"P-[0-9a-f]{12}", s), f"pseudonym, not {s!r}")
    staff = {p for p in re.findall(r"\bS\d{4,6}\b", body)}
    eq(staff, set(), "no staff id anywhere on the analyst's page")
    sec = ok_page("/trends", "security")
    m = re.search(r"Repeat subjects.*?</table>", sec, re.S)
    check(re.search(r'<span class="app-subject">S\d+</span>', m.group(0)),
          "security sees staff ids")


def report_through_the_journey(as_):
    """Files a breach through the web journey (web_report.c), one
    question a page, and returns its reference."""
    s = session(as_)
    ok_page("/report", as_)
    answers = (
        ("kind", {"kind": "breach"}),
        ("what", {"types": "pass-lost", "description": "Pass lost on the way to court"}),
        ("when", {"occurred-day": "26", "occurred-month": "11", "occurred-year": "2026",
                  "occurred-time": "", "discovered-day": "27", "discovered-month": "11",
                  "discovered-year": "2026", "discovered-time": "09:00",
                  "location": "Crown court"}),
        ("who", {"org": "hmcts-crime", "subjects": ""}),
        ("info", {"classification": "none", "personal": "no", "disclosed": "no"}),
        ("how", {"intent": "accidental", "damage": "low", "criminal": "no"}),
    )
    for step, fields in answers:
        r = s.post(f"/report/{step}", fields)
        if r.status != 303:
            errs = re.findall(r'govuk-error-message">(.*?)</p>', r.text, re.S)
            fail(f"/report/{step}: {r.status} {[text_of(e) for e in errs]}")
    r = s.post("/report/check", {})
    m = re.search(r"/report/done/(SB-\d{4}-\d{6})", location(r) or "")
    check(m, f"redirected to the confirmation: {r.header('Location')}")
    return m.group(1)


@test
def a_breach_filed_through_the_journey_shows_up_in_the_trends():
    def november():
        rows = dict(table_rows(section(ok_page("/trends", "security"), "h-month")))
        return int(rows["2026-11"])

    before = november()
    ref = report_through_the_journey("reporter")
    eq(november(), before + 1, f"November counts {ref}")
    body = ok_page(f"/audit?ref={ref}", "security")
    check("incident.report" in body, "and the audit log has its report")


@test
def the_quarterly_return_is_marked_and_matches_the_cli():
    body = ok_page("/trends/return?quarter=2026Q3", "security")
    cli = cli_json("return", "--quarter", "2026Q3")
    eq(markings(body), [("top", cli["marking"]), ("bottom", cli["marking"])],
       "the CLI's marking, top and bottom")
    check(f'Breaches</dt><dd class="govuk-summary-list__value">{cli["breaches"]}<' in body,
          "breaches as the CLI counts them")
    check(f'Near misses</dt><dd class="govuk-summary-list__value">{cli["near_misses"]}<' in body,
          "near misses")
    for row in cli["by_type"]:
        check(f"<code>{row['type']}</code></td><td class=\"govuk-table__cell govuk-table__cell--numeric\">{row['count']}<"
              in body, f"type {row['type']}")
    r = page("/trends/return?quarter=2026Q5", "security")
    eq(r.status, 400, "a bad quarter")
    check('href="#quarter"' in r.text, "the summary names the quarter")
    eq(page("/trends/return", "analyst").status, 200, "the latest complete quarter by default")


# ---------------------------------------------------------------- catalogue

def publish(org, doc):
    w = world()
    path = os.path.join(w.dir, f"guidance-{org}.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    w.cli("guidance", "publish", org, path)


def catalogue_row(body, code):
    m = re.search(rf'<tr class="govuk-table__row" id="type-{re.escape(code)}">(.*?)</tr>', body, re.S)
    check(m, f"no row for {code}")
    return [text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", m.group(1), re.S)]


@test
def the_catalogue_shows_a_regrade_and_its_history():
    publish("hmcts-civil", {"grades": {"pass-not-worn": "serious"}, "significant_records": 40})
    root = ok_page("/catalogue", "security")
    row = catalogue_row(root, "pass-not-worn")
    eq(row[2], "Minor", "baseline grade at the root")
    check(row[4].startswith("MoJ baseline"), f"from the baseline: {row}")
    body = ok_page("/catalogue?org=hmcts-civil", "reporter")
    row = catalogue_row(body, "pass-not-worn")
    eq(row[2], "Serious", "re-graded by HMCTS Civil")
    check(row[4].startswith("Own guidance"), f"its own grade: {row}")
    check("40 records or more" in body, "the settings in force")
    history = cli_json("guidance", "history", "hmcts-civil")["versions"]
    latest = history[-1]["version"]
    check(f'href="/catalogue?org=hmcts-civil&amp;version={latest}"' in body,
          "each version can be viewed")
    check(history[-1]["published_at"] in body, "the history shows when")
    # An organisation below inherits the grade.
    orgs = {o["code"]: o for o in world().get("/api/v1/orgs", as_="security").json()["orgs"]}
    child = next((c for c, o in orgs.items() if o.get("parent") == "hmcts-civil"), None)
    if child:
        row = catalogue_row(ok_page(f"/catalogue?org={child}", "security"), "pass-not-worn")
        check(row[4].startswith("Inherited from"), f"inherited: {row}")
    v = ok_page(f"/catalogue?org=hmcts-civil&version={latest}", "security")
    m = re.search(r"Grades it sets.*?</table>", v, re.S)
    check(m and "pass-not-worn" in m.group(0) and "Serious" in m.group(0), "the version's document")
    eq(page("/catalogue?org=hmcts-civil&version=99", "security").status, 404, "no such version")
    eq(page("/catalogue?org=nowhere", "security").status, 404, "no such organisation")
    # Inherited from a parent: hmpps grades sensitive-info-unprotected.
    row = catalogue_row(ok_page("/catalogue?org=hmpps-hmp-styal", "security"),
                        "sensitive-info-unprotected")
    check("Inherited from" in row[4], f"inherited from HMPPS: {row}")


@test
def xss_in_guidance_titles_and_org_names_is_escaped_everywhere():
    w = world()
    w.cli("org", "add", "xss", XSS[0] + XSS[1], "--parent", "hq", "--headcount", "50")
    publish("xss", {"types": [{"code": "xss-type", "title": XSS[1] + XSS[0],
                               "baseline": "serious", "control": "information-handling"}]})
    ref = report({"kind": "breach", "types": ["xss-type"], "org": "xss",
                  "discovered_at": "2026-11-27T09:00:00Z", "description": "x"})
    check(ref.startswith("SB-"), f"reported {ref}")
    body = ok_page("/catalogue?org=xss", "security")
    assert_no_raw_xss(body, "/catalogue")
    check("&lt;script&gt;alert(1)&lt;/script&gt;" in body, "the escaped title")
    body = ok_page("/trends", "security")
    assert_no_raw_xss(body, "/trends")
    org_svg = re.search(r"<svg.*?</svg>", section(body, "h-org"), re.S).group(0)
    check("&lt;script&gt;" in org_svg, "the org chart's label escaped")
    type_svg = re.search(r"<svg.*?</svg>", section(body, "h-type"), re.S).group(0)
    check("&lt;script&gt;" in type_svg or "&lt;img" in type_svg, "the type chart's label escaped")
    for path in ("/trends?org=xss", "/trends/return?quarter=2026Q4", "/audit?ref=xss",
                 "/audit", "/catalogue?org=xss&version=1"):
        r = page(path, "security")
        check(r.status in (200, 400), f"{path}: {r.describe()}")
        assert_no_raw_xss(r.text, path)
    r = page("/audit?ref=" + urllib.parse.quote(XSS[1]), "security")
    assert_no_raw_xss(r.text, "/audit?ref=<xss>")
    r = page("/trends?from=" + urllib.parse.quote(XSS[0]), "security")
    eq(r.status, 400, "an XSS month is a bad month")
    assert_no_raw_xss(r.text, "/trends?from=<xss>")


# ---------------------------------------------------------------- audit

@test
def the_audit_log_shows_entries_newest_first_and_filters_by_ref():
    w = world()
    ref = report({"kind": "breach", "types": ["pass-lost"], "org": "hq",
                  "discovered_at": "2026-11-27T09:00:00Z", "description": "audit me"})
    w.cli("note", ref, "a note for the audit log")
    body = ok_page("/audit", "security")
    check(re.search(r"\d+ entries verified", body), "the chain's verification at the top")
    seqs = [int(s) for s in re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>', body)]
    eq(len(seqs), 50, "50 entries a page")
    eq(seqs, sorted(seqs, reverse=True), "newest first")
    head = cli_json("audit", "log")
    eq(seqs[0], head[-1]["seq"], "the newest entry first")
    check('href="/audit?page=2"' in body and 'rel="next"' in body, "a next page")
    p2 = ok_page("/audit?page=2", "security")
    seqs2 = [int(s) for s in re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>', p2)]
    eq(seqs2[0], seqs[-1] - 1, "page 2 follows page 1")
    body = ok_page(f"/audit?ref={ref}", "security")
    rows = table_rows(re.search(r'<table class="govuk-table app-audit">.*?</table>', body, re.S).group(0))
    actions = [r[3] for r in rows]
    eq(sorted(actions), ["incident.note", "incident.report"], f"only {ref}'s entries: {rows}")
    check(all(r[4] == ref for r in rows), "every entry is on the reference")
    check(f'href="/incidents/{ref}"' in body, "a link to the case")
    check("&quot;" in body or "{" in body, "the detail shown as text")
    eq(ok_page("/audit?page=999", "security").count("govuk-pagination__item--current"), 1,
       "a page past the end shows the last")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    BINARY = args[0]
    only = [args[i + 1] for i, a in enumerate(args) if a == "-k" and i + 1 < len(args)]
    try:
        passed, failed = runner.run(only)
    finally:
        problems = World.inst.stop() if World.inst else []
        if World.inst:
            World.inst.close()
    for p in problems:
        print(f"FAIL server\n  {p}")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
