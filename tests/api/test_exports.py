#!/usr/bin/env python3
"""Black-box tests of GET /api/v1/exports/{format} (SPEC 1, 5, 6.2, 7)
against a real `breachreg serve` on a private port and a temp database:
security gets whole records as CSV, JSON or VERIS attachments; an analyst
gets pseudonymised records whether asked or not; other roles get 403;
unknown formats, xlsx and bad filters are problem+json naming the field;
every export is audited.

Usage: python3 tests/api/test_exports.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import csv
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_helpers import Instance, Runner, check, eq, fail, problem  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BREACHREG_SHARED",
                        os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared")))
API = "/api/v1/exports"
MARKING = "OFFICIAL-SENSITIVE HR / MANAGEMENT"
PERSONAL = MARKING + " / PERSONAL DATA"
STAFF = ("S100", "A100", "M100", "R100", "D200", "U100")

runner = Runner()
test = runner.test


class World:
    inst = None
    refs = {}


def world():
    if World.inst is not None:
        return World.inst
    inst = Instance(BINARY, "exports")
    World.inst = inst
    inst.cli("init")
    inst.cli("org", "add", "hmcts", "HM Courts & Tribunals Service")
    inst.cli("org", "add", "laa", "Legal Aid Agency")
    for staff, name, org, manager in (("S100", "Sam Security", "moj", None),
                                      ("A100", "Ann Analyst", "moj", None),
                                      ("M100", "Mina Manager", "hmcts", None),
                                      ("R100", "Rae Reporter", "hmcts", None),
                                      ("D200", "Dee Subject", "hmcts", "M100"),
                                      ("U100", "Uma Subject", "laa", None)):
        args = ["person", "add", staff, "--name", name, "--org", org]
        if manager:
            args += ["--manager", manager]
        inst.cli(*args)
    inst.user("sam", "S100", ["security"])
    inst.user("ann", "A100", ["analyst"])
    inst.user("mina", "M100", ["manager"])
    inst.user("rae", "R100", ["reporter"])
    World.refs["hmcts"] = inst.report({
        "org": "hmcts", "types": ["personal-data-release"], "classification": "official",
        "personal_data": {"records": 40, "special_category": False},
        "discovered_at": "2026-11-20T09:30:00Z", "occurred_at": "2026-11-19T17:00:00Z",
        "description": "Case list, with \"names\", emailed to the wrong firm\nby D200",
        "location": "Petty France", "reporter": "R100", "subjects": ["D200"]})
    World.refs["laa"] = inst.report({
        "org": "laa", "kind": "near-miss", "types": ["pass-lost"],
        "discovered_at": "2026-11-21T09:30:00Z", "description": "=cmd|' /C calc'!A0",
        "reporter": "R100", "subjects": ["U100"]})
    inst.start()
    return inst


def get(path, as_):
    return world().get(path, as_=as_)


def ok(r, ctype):
    if r.status != 200:
        fail(f"expected 200\n{r.describe()}")
    got = r.header("Content-Type") or ""
    check(got.startswith(ctype), f"Content-Type {got!r}, want {ctype}\n{r.describe()}")
    disp = r.header("Content-Disposition") or ""
    check(re.fullmatch(r'attachment; filename="breachreg-\d{4}-\d\d-\d\d\.[a-z.]+"', disp),
          f"Content-Disposition {disp!r}")
    return r


def names_staff(text):
    return [s for s in STAFF if re.search(rf"(?<![\w-]){s}(?![\w-])", text)]


def rows(r):
    return list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))


@test
def security_gets_csv():
    r = ok(get(f"{API}/csv", "sam"), "text/csv")
    check(r.body.endswith(b"\r\n"), "CSV records end in CRLF")
    table = rows(r)
    header = table[0]
    eq(len(table) - 1, 2, "one row per incident")
    by_ref = {t[0]: dict(zip(header, t)) for t in table[1:]}
    eq(sorted(by_ref), sorted(World.refs.values()), "the incidents")
    h = by_ref[World.refs["hmcts"]]
    eq(h["subjects"], "D200", "security sees subjects by staff id")
    eq(h["description"], "Case list, with \"names\", emailed to the wrong firm\nby D200",
       "quoted text survives")
    eq(h["marking"], PERSONAL, "personal data is marked")
    eq(by_ref[World.refs["laa"]]["description"], "'=cmd|' /C calc'!A0",
       "a formula is neutralised")
    eq(by_ref[World.refs["laa"]]["kind"], "near-miss", "kind")
    check("csv" in (r.header("Content-Disposition") or ""), "the file name ends in .csv")


@test
def security_gets_json_and_veris():
    doc = ok(get(f"{API}/json", "sam"), "application/json").json()
    eq(doc["marking"], PERSONAL, "the document's marking")
    eq(sorted(i["ref"] for i in doc["incidents"]), sorted(World.refs.values()), "incidents")
    for i in doc["incidents"]:
        check(i["marking"] in (MARKING, PERSONAL), "each incident is marked")
        check("subjects_detail" in i and "controls" in i, "the export's own fields")
    arr = ok(get(f"{API}/veris", "sam"), "application/json").json()
    check(isinstance(arr, list) and len(arr) == 2, "VERIS is an array of the incidents")
    got = {o["incident_id"]: o["security_incident"] for o in arr}
    eq(got, {World.refs["hmcts"]: "Confirmed", World.refs["laa"]: "Near miss"},
       "breach and near miss")
    try:
        import jsonschema
    except ImportError:
        return
    with open(os.path.join(SHARED, "veris", "verisc-merged.json")) as f:
        v = jsonschema.Draft4Validator(json.load(f))
    errs = [f"{o['incident_id']}: {e.message}" for o in arr for e in v.iter_errors(o)]
    check(not errs, "VERIS objects are valid: " + "; ".join(errs[:5]))


@test
def analyst_always_pseudonymised():
    for q in ("", "?pseudonymise=false", "?pseudonymise=true"):
        r = ok(get(f"{API}/csv{q}", "ann"), "text/csv")
        eq(names_staff(r.text), [], f"analyst CSV{q} names nobody")
        table = rows(r)
        eq(len(table) - 1, 2, f"analyst CSV{q} has every incident")
        subj = table[0].index("subjects")
        check(all(re.fullmatch(r"P-[0-9a-f]{12}", t[subj]) for t in table[1:]),
              f"subjects are pseudonyms{q}: {[t[subj] for t in table[1:]]}")
        check(all(t[table[0].index("description")] == "" for t in table[1:]),
              "free text is withheld")
    doc = ok(get(f"{API}/json", "ann"), "application/json").json()
    eq(names_staff(json.dumps(doc)), [], "analyst JSON names nobody")
    arr = ok(get(f"{API}/veris", "ann"), "application/json").json()
    eq(names_staff(json.dumps(arr)), [], "analyst VERIS names nobody")
    # The same person has the same pseudonym for security when asked.
    mine = ok(get(f"{API}/json?pseudonymise=true", "sam"), "application/json").json()
    eq([i["subjects"] for i in mine["incidents"]], [i["subjects"] for i in doc["incidents"]],
       "stable pseudonyms across accounts")
    eq(names_staff(json.dumps(mine)), [], "security asked for pseudonyms and got them")


@test
def other_roles_refused():
    for who in ("rae", "mina"):
        for fmt in ("csv", "json", "veris"):
            problem(get(f"{API}/{fmt}", who), 403)
    r = world().get(f"{API}/csv")
    eq(r.status, 401, "no credentials")


@test
def bad_requests_name_the_field():
    problem(get(f"{API}/pdf", "sam"), 400, "format")
    problem(get(f"{API}/xlsx", "sam"), 400, "format")
    problem(get(f"{API}/csv?from=yesterday", "sam"), 400, "from")
    problem(get(f"{API}/csv?to=2026-13-01", "sam"), 400, "to")
    problem(get(f"{API}/csv?org=Not%20A%20Code", "sam"), 400, "org")
    problem(get(f"{API}/csv?pseudonymise=maybe", "sam"), 400, "pseudonymise")


@test
def filters():
    doc = ok(get(f"{API}/json?org=laa", "sam"), "application/json").json()
    eq([i["ref"] for i in doc["incidents"]], [World.refs["laa"]], "org=laa")
    doc = ok(get(f"{API}/json?from=2030-01-01", "sam"), "application/json").json()
    eq(doc["incidents"], [], "nothing reported from 2030")
    table = rows(ok(get(f"{API}/csv?to=2000-01-01", "sam"), "text/csv"))
    eq(len(table), 1, "an empty CSV keeps its header")


@test
def exports_are_audited():
    r = world().get("/api/v1/audit", as_="sam")
    eq(r.status, 200, "audit log")
    entries = [e for e in r.json()["entries"] if e.get("action") == "export"]
    check(len(entries) >= 5, f"exports are audited ({len(entries)})")


@test
def server_stops_cleanly():
    inst = world()
    problems = inst.stop()
    check(not problems, "; ".join(problems))


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
            World.inst.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


BINARY = None

if __name__ == "__main__":
    sys.exit(main())
