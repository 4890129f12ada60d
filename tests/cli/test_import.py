#!/usr/bin/env python3
"""Black-box tests of `breachreg import FILE.csv` (SPEC 6.1, issue 5 item 5):
a legacy spreadsheet register of incidents comes in all rows or none, each
row checked as `report` checks one, with every bad row reported; the
rollups stay equal to a recount and the import is one audit entry.

Usage: python3 tests/cli/test_import.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import csv
import hashlib
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import check, eq, run_all, test, unchanged  # noqa: E402

NOW = "2030-03-02T10:00:00Z"  # helpers' default clock

COLUMNS = ["kind", "org", "types", "occurred_at", "discovered_at", "reported_at", "location",
           "description", "reporter", "confidential_reporter", "subjects", "classification",
           "strap", "third_party_disclosure", "authorised", "criminal", "records",
           "special_category", "intent", "damage", "state", "closed_at"]


def world(reg):
    reg.ok("init")
    reg.ok("org", "add", "hmcts", "HM Courts & Tribunals Service", "--head", "S1000")
    reg.ok("org", "add", "hmcts-crime", "HMCTS Crime", "--parent", "hmcts")
    reg.ok("person", "add", "S1000", "--name", "Hana Head", "--org", "hmcts")
    reg.ok("person", "add", "S2001", "--name", "Sam Subject", "--org", "hmcts-crime",
           "--manager", "S1000")
    reg.ok("person", "add", "S2002", "--name", "Cai Contractor", "--org", "hmcts-crime",
           "--engagement", "contractor")
    reg.ok("person", "add", "R3001", "--name", "Rita Reporter", "--org", "hmcts")


def row(**kw):
    r = {"kind": "breach", "org": "hmcts-crime", "types": "pass-lost",
         "discovered_at": "2027-05-01T09:00:00Z", "reported_at": "2027-05-02T09:00:00Z",
         "description": "Pass lost on the way home", "reporter": "R3001", "subjects": "S2001"}
    r.update(kw)
    return r


def csv_text(rows, columns=COLUMNS):
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", extrasaction="raise")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    return out.getvalue()


def incidents(reg):
    return reg.ok_json("incidents")


def by_description(reg):
    return {i["description"]: i for i in incidents(reg)}


TRICKY = 'Folder left at "Court 3", Leeds; found by cleaners,\nreturned next day'


def good_rows():
    return [
        row(description=TRICKY, location="Leeds, Court 3", types="official-docs-unsecured",
            classification="official", records="120", special_category="no",
            intent="accidental", damage="moderate", confidential_reporter="yes"),
        row(description="Laptop lost", types="portable-asset-lost; pass-lost",
            subjects="S2001;S2002", reported_at="2028-11-30T23:59:59Z",
            discovered_at="2028-11-29T08:00:00Z", occurred_at="2028-11-28T18:00:00Z",
            strap="0", criminal="FALSE", kind="near-miss"),
        row(description="Closed long ago", state="closed", closed_at="2027-07-01T12:00:00Z",
            reported_at="2027-06-01T12:00:00Z", discovered_at="2027-06-01T08:00:00Z"),
        row(description="Closed the day it came in", state="closed", org="hmcts", subjects="",
            reported_at="2027-08-01T12:00:00Z", discovered_at="2027-08-01T08:00:00Z"),
    ]


@test
def test_import_keeps_every_row_as_given(reg):
    world(reg)
    reg.ok("report", "-", stdin=json.dumps({
        "org": "hmcts", "types": ["pass-lost"], "description": "Reported the usual way",
        "reporter": "R3001", "subjects": ["S2001"], "discovered_at": "2030-03-01T09:00:00Z"}))
    before = len(incidents(reg))
    path = reg.write("legacy.csv", csv_text(good_rows()))
    out = reg.out("import", path)
    m = re.fullmatch(r"imported 4 incidents \((SB-\d{4}-\d{6}) to (SB-\d{4}-\d{6})\)", out)
    check(m, f"the summary line: {out!r}")
    eq((m.group(1), m.group(2)), ("SB-2027-000001", "SB-2027-000003"),
       "references follow each row's reporting year, in file order")
    eq(len(incidents(reg)), before + 4, "four more incidents")

    got = by_description(reg)
    t = got[TRICKY]
    eq((t["location"], t["classification"], t["personal_data"], t["intent"], t["damage"],
        t["confidential_reporter"]),
       ("Leeds, Court 3", "official", {"records": 120, "special_category": False},
        "accidental", "moderate", True),
       "commas, quotes and a line break round-trip; typed cells are typed")
    eq((t["reported_at"], t["discovered_at"], t["status"]),
       ("2027-05-02T09:00:00Z", "2027-05-01T09:00:00Z", "reported"),
       "the legacy reporting time is kept, not replaced by now")
    lap = got["Laptop lost"]
    eq((lap["ref"], lap["kind"], lap["types"], lap["subjects"], lap["occurred_at"]),
       ("SB-2028-000001", "near-miss", ["portable-asset-lost", "pass-lost"],
        ["S2001", "S2002"], "2028-11-28T18:00:00Z"), "lists split on ';' and trimmed")
    old = got["Closed long ago"]
    eq((old["status"], old["closed_at"], old["reported_at"]),
       ("closed", "2027-07-01T12:00:00Z", "2027-06-01T12:00:00Z"), "a closed row at closed_at")
    same = got["Closed the day it came in"]
    eq((same["status"], same["closed_at"], same["subjects"]),
       ("closed", "2027-08-01T12:00:00Z", ["S1000"]),
       "closed at reporting time when closed_at is empty; no subject means the head of unit")
    eq(got["Reported the usual way"]["reported_at"], NOW, "report still stamps now")


@test
def test_import_keeps_rollups_and_audit_whole(reg):
    world(reg)
    text = csv_text(good_rows())
    path = reg.write("legacy.csv", text)
    got = reg.ok_json("import", path)
    eq(got, {"imported": 4, "first": "SB-2027-000001", "last": "SB-2027-000003"},
       "the --json summary: the references of the first and last rows")
    v = reg.ok_json("trends", "verify")
    eq((v["ok"], v["incidents"], v["differences"]), (True, 4, 0),
       "the rollups agree with a recount after an import")
    reg.ok("audit", "verify")
    log = reg.ok_json("audit", "log")
    imports = [x for x in log if x["action"] == "incident.import"]
    eq(len(imports), 1, "exactly one audit entry for the whole import")
    eq(imports[0]["entity"], hashlib.sha256(text.encode()).hexdigest(),
       "the entry names the file by its SHA-256")
    eq(imports[0]["detail"], {"rows": 4, "first_ref": "SB-2027-000001",
                              "last_ref": "SB-2027-000003"}, "the entry's detail")
    check(not any(x["action"] == "incident.report" for x in log),
          "no per-row report entries")
    before = reg.dump()
    reg.refuses(2, "import", path, field="file")
    unchanged(reg, before, "the same file a second time")
    trend = reg.ok_json("trends", "--by", "status", "--all")
    eq(sorted((x["status"], x["count"]) for x in trend["rows"]), [("closed", 2), ("open", 2)],
       "trends count the closed rows as closed")


@test
def test_import_bad_rows_import_nothing_and_are_all_named(reg):
    world(reg)
    rows = [row(description="good 1"),
            row(description="bad type", types="pass-lost;lost-laptop"),      # row 3
            row(description="good 2"),
            row(description="bad date", discovered_at="2027-02-30T09:00:00Z"),  # row 5
            row(description="bad person", subjects="S2001;S9999"),           # row 6
            row(description="no org", org=""),                                # row 7
            row(description="good 3")]
    path = reg.write("mixed.csv", csv_text(rows))
    before = reg.dump()
    r = reg.refuses(2, "import", path)
    unchanged(reg, before, "a file with bad rows")
    for n, field in ((3, "types"), (5, "discovered_at"), (6, "subjects"), (7, "org")):
        check(re.search(rf"^breachreg: row {n}: {field}: ", r.err, re.M),
              f"stderr names row {n} and {field!r}\n{r.describe()}")
    check(not re.search(r"row (2|4|8)\b", r.err), f"good rows are not named\n{r.describe()}")
    check("lost-laptop" in r.err and "S9999" in r.err, "messages say what is wrong")
    check("nothing imported" in r.err, "the last line says nothing was imported")

    r = reg.run("--json", "import", path)
    eq(r.code, 2, "--json: still exit 2")
    doc = r.json()
    eq(doc["imported"], 0, "--json: imported 0")
    eq([(x["row"], x["field"]) for x in doc["errors"]],
       [(3, "types"), (5, "discovered_at"), (6, "subjects"), (7, "org")],
       "--json: every error with its row and field")
    unchanged(reg, before, "a refused --json import")


@test
def test_import_refuses_bad_cells_naming_the_column(reg):
    world(reg)
    cases = [
        (row(strap="maybe"), "strap"),
        (row(records="12 files"), "records"),
        (row(reported_at="2031-01-01T00:00:00Z"), "reported_at"),   # after NOW
        (row(reported_at=""), "reported_at"),
        (row(discovered_at="2027-05-03T09:00:00Z"), "discovered_at"),  # after reporting
        (row(state="triaged"), "state"),
        (row(closed_at="2027-06-01T00:00:00Z"), "closed_at"),       # not closed
        (row(state="closed", closed_at="2027-04-01T00:00:00Z"), "closed_at"),  # before
        (row(reporter=""), "reporter"),
        (row(reporter="R9999"), "reporter"),
        (row(intent="malicious"), "intent"),
        (row(description=""), "description"),
        (row(org="nowhere"), "org"),
    ]
    before = reg.dump()
    for i, (r, field) in enumerate(cases):
        path = reg.write(f"bad{i}.csv", csv_text([row(description="fine"), r]))
        res = reg.refuses(2, "import", path)
        check(re.search(rf"^breachreg: row 3: {field}: ", res.err, re.M),
              f"case {i}: stderr names row 3 and {field!r}\n{res.describe()}")
    unchanged(reg, before, "refused files")


@test
def test_import_header_problems(reg):
    world(reg)
    before = reg.dump()
    cols = COLUMNS + ["Colour"]
    path = reg.write("unknown.csv", csv_text([dict(row(), Colour="red")], cols))
    r = reg.refuses(2, "import", path)
    check(re.search(r'^breachreg: row 1: Colour: unknown column "Colour"', r.err, re.M),
          f"the unknown column is named\n{r.describe()}")
    path = reg.write("missing.csv", csv_text([row()], [c for c in COLUMNS if c != "org"]))
    reg.refuses(2, "import", path, field="org")
    path = reg.write("twice.csv", "org,types,ORG\nhmcts,pass-lost,hmcts\n")
    reg.refuses(2, "import", path, field="org")
    # Order and case of the header are free.
    path = reg.write("order.csv", " Description ,REPORTED_AT,types,Org,reporter\n"
                                  "A pass,2027-01-01T00:00:00Z,pass-lost,hmcts,R3001\n")
    unchanged(reg, before, "refused headers")
    eq(reg.ok_json("import", path)["imported"], 1, "any order and case of the columns")
    path = reg.write("short.csv", "org,types,reported_at,description,reporter\n"
                                  "hmcts,pass-lost,2027-01-01T00:00:00Z,x\n")
    reg.refuses(2, "import", path, field="row 2")


@test
def test_import_empty_file_and_header_only(reg):
    world(reg)
    before = reg.dump()
    reg.refuses(2, "import", reg.write("empty.csv", ""), field="file")
    unchanged(reg, before, "an empty file")
    path = reg.write("header.csv", csv_text([]))
    eq(reg.ok_json("import", path), {"imported": 0, "first": None, "last": None},
       "a header alone imports nothing")
    check("imported 0" in reg.out("import", path), "and says so")
    unchanged(reg, before, "a header alone")
    reg.refuses(2, "import", reg.path("absent.csv"), field="file")
    reg.refuses(2, "import", field=None)


@test
def test_import_error_report_is_capped(reg):
    world(reg)
    rows = [row(description=f"bad {i}", types="no-such-type") for i in range(1005)]
    path = reg.write("many.csv", csv_text(rows))
    before = reg.dump()
    r = reg.refuses(2, "import", path)
    eq(len(re.findall(r"^breachreg: row \d+: types: ", r.err, re.M)), 1000,
       "the first 1,000 errors are listed")
    check("... and 5 more" in r.err, f"the rest are counted\n{r.describe()}")
    doc = reg.run("--json", "import", path).json()
    eq((len(doc["errors"]), doc["error_count"]), (1000, 1005), "--json: capped list, full count")
    unchanged(reg, before, "a refused file")


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    only = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "-k"]
    return run_all(os.path.abspath(argv[0]), jobs=2, only=only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
