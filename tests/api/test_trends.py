#!/usr/bin/env python3
"""Black-box tests of the central record over HTTP (SPEC 5, 6.2): GET
/api/v1/trends, /api/v1/signals and /api/v1/returns/{quarter} against a real
`breachreg serve` on the demo register: who may ask, that the answers are
the CLI's, that people are pseudonymised for an analyst, and that bad
parameters are problem+json naming the parameter.

Usage: python3 tests/api/test_trends.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_helpers import Instance, Runner, check, eq, fail, problem  # noqa: E402

API = "/api/v1"
ROLES = ("security", "admin", "manager", "reporter", "investigator", "hr", "dpo", "analyst")

runner = Runner()
test = runner.test


class World:
    inst = None


def world():
    if World.inst is not None:
        return World.inst
    inst = Instance(BINARY, "trends")
    World.inst = inst
    inst.cli("init", "--demo")
    for name in ROLES:
        inst.tokens[name] = inst.cli("user", "token", name).stdout.strip()
    inst.start()
    return inst


def ok_json(r):
    if r.status != 200:
        fail(f"expected 200\n{r.describe()}")
    return r.json()


@test
def only_security_and_analysts_see_trends():
    w = world()
    for path in (f"{API}/trends", f"{API}/signals", f"{API}/returns/2026Q3"):
        for role in ROLES:
            r = w.get(path, as_=role)
            want = 200 if role in ("security", "analyst") else 403
            if r.status != want:
                fail(f"{path} as {role}: want {want}\n{r.describe()}")
        eq(w.get(path).status, 401, f"{path} without credentials")


@test
def trends_answer_as_the_cli_does():
    w = world()
    api = ok_json(w.get(f"{API}/trends?by=month&by=org&from=2026-01&to=2026-06", as_="security"))
    cli = json.loads(w.cli("--json", "trends", "--by", "month", "--by", "org", "--from",
                           "2026-01", "--to", "2026-06").stdout)
    eq(api, cli, "the same answer over HTTP and the CLI")
    check(api["rows"] and api["incidents"] > 0, "the demo has incidents in the range")
    both = ok_json(w.get(f"{API}/trends?by=month,org&from=2026-01&to=2026-06", as_="analyst"))
    eq(both["rows"], api["rows"], "comma-separated by, and the analyst sees the same counts")


@test
def bad_parameters_name_themselves():
    w = world()
    for query, field in (("by=colour", "by"), ("from=2026-13", "from"), ("to=soon", "to"),
                         ("severity=awful", "severity"), ("org=nowhere", "org"),
                         ("colour=red", "colour"), ("all=maybe", "all")):
        r = w.get(f"{API}/trends?{query}", as_="security")
        problem(r, 404 if field == "org" else 400, field)
    problem(w.get(f"{API}/returns/2026Q5", as_="security"), 400, "quarter")
    problem(w.get(f"{API}/signals?month=2026Q1", as_="security"), 400, "month")


@test
def signals_pseudonymise_people_for_analysts():
    w = world()
    sec = ok_json(w.get(f"{API}/signals?month=2026-11", as_="security"))
    ana = ok_json(w.get(f"{API}/signals?month=2026-11", as_="analyst"))
    check(sec["repeat_subjects"], "the demo has repeat subjects")
    eq(len(ana["repeat_subjects"]), len(sec["repeat_subjects"]), "the same people")
    for r in ana["repeat_subjects"]:
        check(re.fullmatch(r"P-[0-9a-f]{12}", r["subject"]), f"a pseudonym: {r['subject']}")
    staff = {r["subject"] for r in sec["repeat_subjects"]}
    check(not staff & {r["subject"] for r in ana["repeat_subjects"]}, "no staff id for analysts")
    again = ok_json(w.get(f"{API}/signals?month=2026-11", as_="analyst"))
    eq([r["subject"] for r in again["repeat_subjects"]],
       [r["subject"] for r in ana["repeat_subjects"]], "pseudonyms are stable")
    eq(sec["rising"], ana["rising"], "counts are not personal")


@test
def quarterly_return_over_http():
    w = world()
    r = ok_json(w.get(f"{API}/returns/2026Q3", as_="security"))
    cli = json.loads(w.cli("--json", "return", "--quarter", "2026Q3").stdout)
    eq(r, cli, "the same return over HTTP and the CLI")
    eq((r["quarter"], r["from"], r["to"]), ("2026Q3", "2026-07", "2026-09"), "the quarter")
    check(r["breaches"] > 0, "the demo has breaches in 2026Q3")


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
