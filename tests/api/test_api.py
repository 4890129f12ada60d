#!/usr/bin/env python3
"""Black-box tests of the HTTP API (SPEC 1, 3, 4, 6.2, 7) against a real
`breachreg serve` on a private port and a temp database.

Usage: python3 tests/api/test_api.py BINARY [-k NAME]...

One world is set up through the CLI (organisations moj > hmcts >
hmcts-crime and moj > laa, people with line-manager chains, one account
per role, API tokens, four reference incidents), then the server is
started with BREACHREG_NOW fixed and every test talks to it over HTTP,
reading the SQLite file directly only to compare content. The server is
stopped with SIGTERM at the end: it must exit 0 with no sanitizer report.
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import glob
import http.client
import json
import os
import re
import sys
import threading
import time
import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_helpers import (PASSWORD, Instance, Runner, check, clip, dump_diff, eq,  # noqa: E402
                         fail, problem, request, send_large)

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BREACHREG_SHARED",
                        os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared")))
if not os.path.isdir(SHARED):
    SHARED = "/work/shared"

REF_RE = r"SB-2026-\d{6}"
NOTICE_RE = r"BN-2026-\d{6}"
API = "/api/v1"

runner = Runner()
test = runner.test

# ---------------------------------------------------------------- the world

# code, name, parent ("moj" is made by init)
ORGS = [
    ("hmcts", "HM Courts & Tribunals Service", "moj"),
    ("hmcts-crime", "HMCTS Crime", "hmcts"),
    ("laa", "Legal Aid Agency", "moj"),
    ("t-guid", "Guidance sandbox", "moj"),
]
PARENT = {"moj": None, **{c: p for c, _, p in ORGS}}

# staff id, name, org, line manager
PEOPLE = [
    ("M100", "Mina Manager", "hmcts-crime", None),
    ("D100", "Dan Direct", "hmcts-crime", "M100"),
    ("D200", "Dee Indirect", "hmcts-crime", "D100"),
    ("F100", "Fay Flow", "hmcts-crime", "M100"),
    ("U100", "Uma Unrelated", "laa", None),
    ("U200", "Ugo Colleague", "laa", None),
    ("Z100", "Zed Noise", "laa", None),
    ("E100", "Eve Headoffice", "hmcts", None),
    ("I200", "Ian Investigator", "hmcts-crime", None),
    ("H200", "Lara HumanResources", "laa", None),
    ("I100", "Ivy Investigator", "hmcts", None),
    ("H100", "Hal HumanResources", "hmcts", None),
    ("P100", "Pat Protection", "moj", None),
    ("A100", "Ann Analyst", "moj", None),
    ("AD100", "Adam Admin", "moj", None),
    ("S100", "Sam Security", "moj", None),
    ("R100", "Rae Reporter", "hmcts-crime", None),
    ("X100", "Sia Signin", "laa", None),
    ("X200", "Lok Lockout", "laa", None),
    ("X300", "Tom Tokens", "laa", None),
]
PERSON = {s: {"org": o, "manager": m} for s, _, o, m in PEOPLE}

# account -> (person, roles); every account is also a reporter
ACCOUNTS = {
    "mina": ("M100", ["manager"]),
    "ivy": ("I100", ["investigator"]),
    "ian": ("I200", ["investigator"]),   # one level down: hmcts-crime
    "lara": ("H200", ["hr"]),            # HR of laa
    "hal": ("H100", ["hr"]),
    "pat": ("P100", ["dpo"]),
    "ann": ("A100", ["analyst"]),
    "adam": ("AD100", ["admin"]),
    "sam": ("S100", ["security"]),
    "rae": ("R100", ["reporter"]),
    "dee": ("D200", ["reporter"]),   # the subject DD
    "uma": ("U100", ["reporter"]),   # the subject U
    "ugo": ("U200", ["reporter"]),   # reported U's incident
}
EXTRA_ACCOUNTS = {"sia": ("X100", ["reporter"]), "lok": ("X200", ["reporter"]),
                  "tom": ("X300", ["reporter"])}

# The four kinds of incident the matrix is about.
KINDS = {
    # in M's line (indirect report DD), personal data, reported by R
    "line": {"org": "hmcts-crime", "subject": "D200", "reporter": "rae", "personal": True,
             "confidential": False, "types": ["personal-data-release"]},
    # another organisation: subject U, reported by U's colleague
    "laa": {"org": "laa", "subject": "U100", "reporter": "ugo", "personal": False,
            "confidential": False, "types": ["pass-lost"]},
    # reported in confidence by R; subject D (M's direct report)
    "confidential": {"org": "hmcts-crime", "subject": "D100", "reporter": "rae",
                     "personal": False, "confidential": True, "types": ["workstation-unlocked"]},
    # the manager M is the subject
    "self": {"org": "hmcts-crime", "subject": "M100", "reporter": "rae", "personal": False,
             "confidential": False, "types": ["pass-not-worn"]},
    # in the parent organisation hmcts: not in hmcts-crime's subtree
    "parent": {"org": "hmcts", "subject": "E100", "reporter": "rae", "personal": False,
               "confidential": False, "types": ["cabinet-unlocked"]},
}


def incident_body(kind, **extra):
    k = KINDS[kind]
    body = {
        "kind": "breach", "org": k["org"], "types": k["types"],
        "classification": "official" if k["personal"] else "none",
        "personal_data": {"records": 250 if k["personal"] else 0, "special_category": False},
        "intent": "negligent", "damage": "low",
        "occurred_at": "2026-11-19T17:00:00Z", "discovered_at": "2026-11-20T09:30:00Z",
        "location": "Petty France, 5th floor",
        "description": f"matrix incident of kind {kind}",
        "confidential_reporter": k["confidential"], "subjects": [k["subject"]],
    }
    body.update(extra)
    return body


def noise_body(description="noise"):
    return {"org": "laa", "types": ["pass-lost"], "description": description,
            "discovered_at": "2026-11-20T09:30:00Z", "subjects": ["Z100"]}


class World:
    inst = None
    error = None
    orig = {}      # kind -> ref of the reference incident (reported through the CLI)


def world():
    """The shared instance, set up once. A setup failure fails every test."""
    if World.error:
        fail(f"world setup failed earlier: {World.error}")
    if World.inst is None:
        inst = Instance(BINARY, "api")
        World.inst = inst
        try:
            inst.cli("init")
            for code, name, parent in ORGS:
                inst.cli("org", "add", code, name, "--parent", parent)
            for staff, name, org, mgr in PEOPLE:
                args = ["person", "add", staff, "--name", name, "--org", org,
                        "--email", f"{staff.lower()}@justice.example"]
                if mgr:
                    args += ["--manager", mgr]
                inst.cli(*args)
            for name, (staff, roles) in {**ACCOUNTS, **EXTRA_ACCOUNTS}.items():
                inst.user(name, staff, roles)
            for kind, k in KINDS.items():
                reporter = ACCOUNTS[k["reporter"]][0]
                ref = inst.report(incident_body(kind, reporter=reporter,
                                                description=f"reference incident {kind}"))
                check(re.fullmatch(REF_RE, ref), f"report printed {ref!r}")
                World.orig[kind] = ref
            inst.start()
        except Exception as e:  # noqa: BLE001
            World.error = str(e).splitlines()[0] if str(e) else repr(e)
            raise
    return World.inst


# ---------------------------------------------------------------- SPEC 1 as a model

def in_subtree(org, top):
    """org is top or below it."""
    while org:
        if org == top:
            return True
        org = PARENT.get(org)
    return False


def manages(manager, staff):
    cur = PERSON[staff]["manager"]
    for _ in range(32):
        if not cur:
            return False
        if cur == manager:
            return True
        cur = PERSON[cur]["manager"]
    return False


def perms(acct, kind):
    """What SPEC 1 lets acct do on an incident of kind: a set of
    see (the report), case (notes, assessments, decisions, notices),
    work (triage/transition, notes), assess, decide (decisions, notices)."""
    staff, roles = ACCOUNTS[acct]
    k = KINDS[kind]
    me = PERSON[staff]
    is_reporter = k["reporter"] == acct
    is_subject = k["subject"] == staff
    p = set()
    if is_reporter:
        p |= {"see"}
    if "manager" in roles and manages(staff, k["subject"]):
        p |= {"see", "case", "work", "assess", "decide"}
    if "investigator" in roles and in_subtree(k["org"], me["org"]):
        p |= {"see", "case", "work", "assess"}
    if "security" in roles:
        p |= {"see", "case", "work", "assess", "decide"}
    if "hr" in roles and in_subtree(k["org"], me["org"]):
        p |= {"see", "case"}
    if "dpo" in roles and k["personal"]:
        p |= {"see", "case"}
    # A subject never sees the investigation or decision of their own case.
    if is_subject:
        p = {"see"} if is_reporter else set()
    return p


def sees_reporter(acct, kind):
    """Who the incident's reporter field is shown to."""
    p = perms(acct, kind)
    if "see" not in p:
        return False
    if KINDS[kind]["confidential"]:
        return "security" in ACCOUNTS[acct][1] or KINDS[kind]["reporter"] == acct
    return "case" in p or KINDS[kind]["reporter"] == acct


def person_visible(acct, staff):
    """A person's record and warnings: themself, security, their line
    managers, and HR or investigators of an organisation above them."""
    me, roles = ACCOUNTS[acct]
    if me == staff or "security" in roles:
        return True
    if "manager" in roles and manages(me, staff):
        return True
    if ("hr" in roles or "investigator" in roles) and in_subtree(PERSON[staff]["org"],
                                                               PERSON[me]["org"]):
        return True
    return False


# The incident routes: name -> (method, path suffix, permission needed, status when allowed)
INCIDENT_ROUTES = {
    "GET /incidents/{ref}": ("GET", "", "see", 200),
    "GET /incidents/{ref}/notes": ("GET", "/notes", "case", 200),
    "GET /incidents/{ref}/assessments": ("GET", "/assessments", "case", 200),
    "GET /incidents/{ref}/decisions": ("GET", "/decisions", "case", 200),
    "GET /incidents/{ref}/notices": ("GET", "/notices", "case", 200),
    "POST /incidents/{ref}/notes": ("POST", "/notes", "work", 201),
    "POST /incidents/{ref}/transitions": ("POST", "/transitions", "work", 200),
    "POST /incidents/{ref}/assessments": ("POST", "/assessments", "assess", 201),
    "POST /incidents/{ref}/decisions": ("POST", "/decisions", "decide", 201),
    "POST /incidents/{ref}/notices": ("POST", "/notices", "decide", 201),
}


def expected_status(acct, kind, route):
    _, _, need, ok = INCIDENT_ROUTES[route]
    p = perms(acct, kind)
    if "see" not in p:
        return 404  # existence not disclosed
    return ok if need in p else 403


# ---------------------------------------------------------------- the matrix run

class Matrix:
    done = False
    got = {}     # (acct, kind, route) -> Resp
    refs = {}    # (acct, kind) -> ref of that account's copy


def sam_state(w, ref):
    r = w.get(f"{API}/incidents/{ref}", as_="sam")
    eq(r.status, 200, f"security reads {ref}")
    return r.json()["status"]


def sam_advance(w, ref, target):
    order = ["reported", "triaged", "investigating"]
    st = sam_state(w, ref)
    while st != target:
        check(st in order, f"{ref} is {st!r}, cannot advance to {target}")
        nxt = order[order.index(st) + 1]
        r = w.post(f"{API}/incidents/{ref}/transitions", {"status": nxt}, as_="sam")
        eq(r.status, 200, f"security moves {ref} to {nxt}: {r.describe()}")
        st = nxt


def assessed_severity(w, ref, subject):
    r = w.get(f"{API}/incidents/{ref}/assessments", as_="sam")
    eq(r.status, 200, f"security reads the assessments of {ref}")
    for a in r.json().get("assessments", []):
        if a.get("subject") == subject:
            sev = a.get("severity")
            return sev if sev in ("minor", "serious", "gross") else "minor"
    fail(f"no assessment of {subject} on {ref}: {r.describe()}")


def run_matrix():
    """Each account acts on a fresh copy of each kind of incident, made by
    its real reporter over the API; security does what the account may
    not, so that every later step has its precondition."""
    if Matrix.done:
        return
    w = world()
    for acct in ACCOUNTS:
        for kind, k in KINDS.items():
            r = w.post(f"{API}/incidents", incident_body(kind), as_=k["reporter"])
            eq(r.status, 201, f"{k['reporter']} reports a {kind} incident: {r.describe()}")
            ref = r.json()["ref"]
            Matrix.refs[(acct, kind)] = ref
            base = f"{API}/incidents/{ref}"
            subj = k["subject"]
            got = {}

            got["POST /incidents/{ref}/notes"] = w.post(
                base + "/notes", {"text": f"note by {acct}"}, as_=acct)
            r = w.post(base + "/notes", {"text": "note by security"}, as_="sam")
            eq(r.status, 201, f"security notes {ref}: {r.describe()}")

            got["POST /incidents/{ref}/transitions"] = w.post(
                base + "/transitions", {"status": "triaged"}, as_=acct)
            sam_advance(w, ref, "investigating")

            got["POST /incidents/{ref}/assessments"] = w.post(base + "/assessments", {}, as_=acct)
            if got["POST /incidents/{ref}/assessments"].status != 201:
                r = w.post(base + "/assessments", {}, as_="sam")
                eq(r.status, 201, f"security assesses {ref}: {r.describe()}")

            sev = assessed_severity(w, ref, subj)
            decision = {"subject": subj, "outcome": "breach-notice", "severity": sev,
                        "rationale": "considered damage, intent and previous warnings",
                        "override_reason": "authorisation matrix"}
            got["POST /incidents/{ref}/decisions"] = w.post(base + "/decisions", decision,
                                                            as_=acct)
            if got["POST /incidents/{ref}/decisions"].status != 201:
                r = w.post(base + "/decisions", decision, as_="sam")
                eq(r.status, 201, f"security decides {ref}: {r.describe()}")

            got["POST /incidents/{ref}/notices"] = w.post(base + "/notices", {"subject": subj},
                                                          as_=acct)
            if got["POST /incidents/{ref}/notices"].status != 201:
                r = w.post(base + "/notices", {"subject": subj}, as_="sam")
                eq(r.status, 201, f"security issues a notice on {ref}: {r.describe()}")

            # Reads last, when the case file has a note, an assessment, a
            # decision and a notice in it.
            for route, (method, suffix, _, _) in INCIDENT_ROUTES.items():
                if method == "GET":
                    got[route] = w.get(base + suffix, as_=acct)
            for route, resp in got.items():
                Matrix.got[(acct, kind, route)] = resp
    Matrix.done = True


def matrix_route_test(route):
    def fn():
        run_matrix()
        bad = []
        for acct in ACCOUNTS:
            for kind in KINDS:
                r = Matrix.got[(acct, kind, route)]
                want = expected_status(acct, kind, route)
                if r.status != want:
                    bad.append(f"{acct:5} on {kind:12} want {want}, got {r.status}: "
                               f"{clip(r.body, 160)}")
                elif want >= 400:
                    ct = r.header("Content-Type") or ""
                    if not ct.startswith("application/problem+json"):
                        bad.append(f"{acct} on {kind}: {want} is not problem+json ({ct})")
        if bad:
            fail(f"{route}: {len(bad)} of {len(ACCOUNTS) * len(KINDS)} cells wrong\n  "
                 + "\n  ".join(bad))
    return fn


for _route in INCIDENT_ROUTES:
    runner.add(f"authz matrix: {_route}", matrix_route_test(_route))


# ---------------------------------------------------------------- account-level routes

def _admin(a):
    return "admin" in ACCOUNTS[a][1]


def _security(a):
    return "security" in ACCOUNTS[a][1]


# name, method, path, body (or a function of the account), expected status per account
ACCOUNT_ROUTES = [
    ("GET /incidents", "GET", f"{API}/incidents", None, lambda a: 200),
    ("POST /incidents", "POST", f"{API}/incidents", lambda a: noise_body(f"reported by {a}"),
     lambda a: 201),
    ("POST /assess", "POST", f"{API}/assess", {"types": ["pass-lost"]}, lambda a: 200),
    # Admins keep people's records (they add them), but not their warnings.
    ("GET /people/{DD}", "GET", f"{API}/people/D200", None,
     lambda a: 200 if person_visible(a, "D200") or _admin(a) else 404),
    ("GET /people/{DD}/warnings", "GET", f"{API}/people/D200/warnings", None,
     lambda a: 200 if person_visible(a, "D200") else 404),
    ("GET /people/{U}", "GET", f"{API}/people/U100", None,
     lambda a: 200 if person_visible(a, "U100") or _admin(a) else 404),
    ("GET /people/{U}/warnings", "GET", f"{API}/people/U100/warnings", None,
     lambda a: 200 if person_visible(a, "U100") else 404),
    ("GET /orgs", "GET", f"{API}/orgs", None, lambda a: 200),
    ("POST /orgs", "POST", f"{API}/orgs",
     lambda a: {"code": f"t-{a}", "name": f"Made by {a}", "parent": "moj"},
     lambda a: 201 if _admin(a) else 403),
    ("POST /people", "POST", f"{API}/people",
     lambda a: {"staff_id": f"N-{a}", "name": f"New by {a}", "org": "laa"},
     lambda a: 201 if _admin(a) else 403),
    ("GET /catalogue", "GET", f"{API}/catalogue", None, lambda a: 200),
    ("POST /guidance/{org}", "POST", f"{API}/guidance/t-guid", {"significant_records": 50},
     lambda a: 201 if _admin(a) else 403),
    ("GET /audit", "GET", f"{API}/audit?ref=NONE", None, lambda a: 200 if _security(a) else 403),
    ("GET /audit/verify", "GET", f"{API}/audit/verify", None,
     lambda a: 200 if _security(a) else 403),
]


def account_route_test(name, method, path, body, want_fn):
    def fn():
        w = world()
        bad = []
        for acct in ACCOUNTS:
            b = body(acct) if callable(body) else body
            r = w.call(method, path, body=b, as_=acct)
            want = want_fn(acct)
            if r.status != want:
                bad.append(f"{acct:5} want {want}, got {r.status}: {clip(r.body, 160)}")
        if bad:
            fail(f"{name}: {len(bad)} of {len(ACCOUNTS)} accounts wrong\n  " + "\n  ".join(bad))
    return fn


for _row in ACCOUNT_ROUTES:
    runner.add(f"authz matrix: {_row[0]}", account_route_test(*_row))


@test
def authz_audit_verify_says_ok_to_security():
    w = world()
    r = w.get(f"{API}/audit/verify", as_="sam")
    eq(r.status, 200, "audit verify status")
    eq(r.json().get("ok"), True, f"audit verify: {r.text}")


@test
def no_credentials_is_401_on_every_protected_route():
    w = world()
    ref = World.orig["line"]
    routes = [
        ("GET", f"{API}/session"), ("DELETE", f"{API}/session"), ("POST", f"{API}/assess"),
        ("GET", f"{API}/incidents"), ("POST", f"{API}/incidents"),
        ("GET", f"{API}/incidents/{ref}"), ("POST", f"{API}/incidents/{ref}/transitions"),
        ("GET", f"{API}/incidents/{ref}/notes"), ("POST", f"{API}/incidents/{ref}/notes"),
        ("GET", f"{API}/incidents/{ref}/assessments"),
        ("POST", f"{API}/incidents/{ref}/assessments"),
        ("GET", f"{API}/incidents/{ref}/decisions"), ("POST", f"{API}/incidents/{ref}/decisions"),
        ("GET", f"{API}/incidents/{ref}/notices"), ("POST", f"{API}/incidents/{ref}/notices"),
        ("POST", f"{API}/people"), ("GET", f"{API}/people/D200"),
        ("GET", f"{API}/people/D200/warnings"), ("GET", f"{API}/orgs"), ("POST", f"{API}/orgs"),
        ("GET", f"{API}/catalogue"), ("GET", f"{API}/guidance/moj"),
        ("POST", f"{API}/guidance/t-guid"), ("GET", f"{API}/guidance/moj/history"),
        ("GET", f"{API}/audit"), ("GET", f"{API}/audit/verify"),
    ]
    bad = []
    before = w.dump()
    for method, path in routes:
        body = {"text": "x"} if method == "POST" else None
        for how, hdrs in (("no credentials", None),
                          ("a forged token", {"Authorization": "Bearer br_" + "A" * 43}),
                          ("a bogus cookie", {"Cookie": "br_session=nonsense"})):
            r = request(w.port, method, path, body=body, headers=hdrs)
            if r.status != 401:
                bad.append(f"{method} {path} with {how}: {r.status} {clip(r.body, 120)}")
            elif not (r.header("WWW-Authenticate") or "").startswith("Bearer"):
                bad.append(f"{method} {path} with {how}: 401 without WWW-Authenticate: Bearer")
    check(not bad, "not 401:\n  " + "\n  ".join(bad))
    diff = dump_diff(before, w.dump())
    check(not diff, f"unauthenticated requests changed the database:\n{diff}")


# ---------------------------------------------------------------- visibility

def list_refs(w, acct, query=""):
    r = w.get(f"{API}/incidents?limit=1000{query}", as_=acct)
    eq(r.status, 200, f"{acct} lists incidents: {r.describe()}")
    return [i["ref"] for i in r.json()["incidents"]]


@test
def lists_never_leak_list_equals_readable_set():
    w = world()
    run_matrix()
    all_refs = set(list_refs(w, "sam"))
    in_db = {r[0] for r in w.sql("SELECT ref FROM incidents")}
    eq(all_refs, in_db, "security's list against the incidents table")
    bad = []
    for acct in ACCOUNTS:
        listed = list_refs(w, acct)
        if len(listed) != len(set(listed)):
            bad.append(f"{acct}: the list repeats refs")
        readable = set()
        for ref in sorted(all_refs):
            r = w.get(f"{API}/incidents/{ref}", as_=acct)
            if r.status == 200:
                readable.add(ref)
            elif r.status != 404:
                bad.append(f"{acct} GET {ref}: {r.status} (want 200 or 404)")
        if set(listed) != readable:
            bad.append(f"{acct}: listed but not readable {sorted(set(listed) - readable)}; "
                       f"readable but not listed {sorted(readable - set(listed))}")
    check(not bad, "\n".join(bad))


@test
def list_pages_count_only_what_the_account_may_see():
    w = world()
    run_matrix()
    full = list_refs(w, "rae")
    check(len(full) >= 3, f"rae sees {len(full)} incidents")
    paged = []
    for off in range(0, len(full) + 2, 2):
        r = w.get(f"{API}/incidents?limit=2&offset={off}", as_="rae")
        eq(r.status, 200, "paged list")
        paged += [i["ref"] for i in r.json()["incidents"]]
    eq(paged, full, "pages of 2 joined against the full list")


@test
def reference_incidents_visibility_by_role():
    w = world()
    bad = []
    for kind, ref in World.orig.items():
        for acct in ACCOUNTS:
            r = w.get(f"{API}/incidents/{ref}", as_=acct)
            want = 200 if "see" in perms(acct, kind) else 404
            if r.status != want:
                bad.append(f"{acct} GET {kind} {ref}: want {want}, got {r.status}")
    check(not bad, "\n".join(bad))


@test
def subject_never_sees_own_case():
    w = world()
    # M is a manager, but the subject of this one
    for acct, kind in (("mina", "self"), ("dee", "line"), ("uma", "laa")):
        ref = World.orig[kind]
        for suffix in ("", "/notes", "/assessments", "/decisions", "/notices"):
            r = w.get(f"{API}/incidents/{ref}{suffix}", as_=acct)
            problem(r, 404, None)
        check(ref not in list_refs(w, acct), f"{acct}'s list shows {ref}, their own case")
        check(ref not in list_refs(w, acct, f"&subject={ACCOUNTS[acct][0]}"),
              f"{acct}'s list filtered by their own staff id shows {ref}")
    # A case with two subjects, one of them M and the other M's report:
    # managing the other does not open M's own case.
    r = w.post(f"{API}/incidents", {"org": "hmcts-crime", "types": ["pass-misuse"],
                                    "description": "pass lent between M and D",
                                    "subjects": ["M100", "D100"]}, as_="rae")
    eq(r.status, 201, f"report with two subjects: {r.describe()}")
    ref = r.json()["ref"]
    for suffix in ("", "/notes", "/decisions"):
        problem(w.get(f"{API}/incidents/{ref}{suffix}", as_="mina"), 404)
    problem(w.post(f"{API}/incidents/{ref}/notes", {"text": "mine"}, as_="mina"), 404)
    check(ref not in list_refs(w, "mina"), "mina's list shows a case she is a subject of")
    eq(w.get(f"{API}/incidents/{ref}", as_="sam").status, 200, "security reads it")


@test
def dpo_records_ico_decisions_and_hr_records_outcomes():
    """SPEC 1: the DPO records ICO notification decisions on incidents with
    personal data; HR records disciplinary outcomes in their subtree."""
    w = world()
    r = w.post(f"{API}/incidents", incident_body("line", description="ico and hr"), as_="rae")
    eq(r.status, 201, f"report: {r.describe()}")
    ref = r.json()["ref"]
    for st in ("triaged", "investigating"):
        eq(w.post(f"{API}/incidents/{ref}/transitions", {"status": st}, as_="sam").status, 200,
           f"security moves it to {st}")
    ico = {"notify": True, "reason": "client list sent to the wrong firm",
           "ico_reference": "IC-000001-X1"}
    for acct, want in (("mina", 403), ("hal", 403), ("ann", 404), ("uma", 404)):
        problem(w.post(f"{API}/incidents/{ref}/ico-decision", ico, as_=acct), want)
    problem(w.post(f"{API}/incidents/{ref}/ico-decision", {"notify": True}, as_="pat"), 400,
            field="reason")
    r = w.post(f"{API}/incidents/{ref}/ico-decision", ico, as_="pat")
    eq(r.status, 201, f"the DPO records it: {r.describe()}")
    problem(w.post(f"{API}/incidents/{ref}/ico-decision", ico, as_="pat"), 409)
    case = w.get(f"{API}/incidents/{ref}", as_="pat").json()
    eq(case["ico_decision"]["ico_reference"], "IC-000001-X1", "the case shows the ICO decision")
    # HR: after the manager's decision, in HR's own subtree only.
    eq(w.post(f"{API}/incidents/{ref}/assessments", {}, as_="mina").status, 201, "assessed")
    hr = {"subject": "D200", "outcome": "written-warning", "notes": "hearing held"}
    problem(w.post(f"{API}/incidents/{ref}/hr-outcomes", hr, as_="hal"), 409)  # no decision
    d = {"subject": "D200", "outcome": "formal-action", "severity": "serious",
         "rationale": "personal data of 250 clients", "override_reason": "agreed with HR"}
    r = w.post(f"{API}/incidents/{ref}/decisions", d, as_="mina")
    eq(r.status, 201, f"the manager decides: {r.describe()}")
    for acct, want in (("lara", 404), ("mina", 403), ("pat", 403)):
        problem(w.post(f"{API}/incidents/{ref}/hr-outcomes", hr, as_=acct), want)
    r = w.post(f"{API}/incidents/{ref}/hr-outcomes", hr, as_="hal")
    eq(r.status, 201, f"HR of hmcts records it: {r.describe()}")
    ws = w.get(f"{API}/people/D200/warnings", as_="hal").json()["warnings"]
    check(any(x["level"] == "written-warning" and x["live"] for x in ws),
          f"the written warning is live on record: {ws!r}")


@test
def subject_who_reported_sees_only_the_report():
    w = world()
    r = w.post(f"{API}/incidents", {"org": "hmcts-crime", "types": ["pass-lost"],
                                    "description": "I lost my own pass",
                                    "subjects": ["R100"]}, as_="rae")
    eq(r.status, 201, f"self-report: {r.describe()}")
    ref = r.json()["ref"]
    eq(w.post(f"{API}/incidents/{ref}/notes", {"text": "investigating"}, as_="sam").status, 201,
       "security notes it")
    r = w.get(f"{API}/incidents/{ref}", as_="rae")
    eq(r.status, 200, "the reporter-subject reads the report")
    o = r.json()
    for part in ("notes", "assessments", "decisions", "notices"):
        check(not o.get(part), f"the report view carries {part}: {o.get(part)!r}")
    for suffix in ("/notes", "/decisions"):
        problem(w.get(f"{API}/incidents/{ref}{suffix}", as_="rae"), 403)


@test
def confidential_reporter_shown_only_to_security_and_themself():
    w = world()
    bad = []
    for kind in ("confidential", "line"):
        ref = World.orig[kind]
        for acct in ACCOUNTS:
            r = w.get(f"{API}/incidents/{ref}", as_=acct)
            if r.status != 200:
                continue
            got = r.json().get("reporter", "<absent>")
            want = "R100" if sees_reporter(acct, kind) else None
            if got != want:
                bad.append(f"{acct} on {kind} {ref}: reporter {got!r}, want {want!r}")
    # and on every account's copy of the confidential incident
    run_matrix()
    for (acct, kind), ref in Matrix.refs.items():
        if kind != "confidential":
            continue
        r = Matrix.got[(acct, kind, "GET /incidents/{ref}")]
        if r.status == 200:
            got = r.json().get("reporter", "<absent>")
            want = "R100" if sees_reporter(acct, kind) else None
            if got != want:
                bad.append(f"{acct} on copy {ref}: reporter {got!r}, want {want!r}")
    check(not bad, "\n".join(bad))
    # the ones that matter, named
    ref = World.orig["confidential"]
    eq(w.get(f"{API}/incidents/{ref}", as_="sam").json()["reporter"], "R100", "security")
    eq(w.get(f"{API}/incidents/{ref}", as_="rae").json()["reporter"], "R100", "the reporter")
    eq(w.get(f"{API}/incidents/{ref}", as_="mina").json()["reporter"], None, "the manager")
    eq(w.get(f"{API}/incidents/{ref}", as_="ivy").json()["reporter"], None, "the investigator")
    eq(w.get(f"{API}/incidents/{ref}", as_="hal").json()["reporter"], None, "HR")
    # and the reporter's identity appears nowhere else in what they get
    for acct in ("mina", "ivy", "hal"):
        for suffix in ("", "/notes", "/assessments", "/decisions", "/notices"):
            r = w.get(f"{API}/incidents/{ref}{suffix}", as_=acct)
            check("R100" not in r.text and "user:rae" not in r.text,
                  f"{acct} GET {suffix or 'incident'} mentions the confidential reporter: "
                  f"{clip(r.body, 300)}")
        body = w.get(f"{API}/incidents?limit=1000", as_=acct).text
        check("R100" not in body, f"{acct}'s list mentions R100")


@test
def analyst_and_admin_get_no_incident_content():
    w = world()
    for acct in ("ann", "adam"):
        own = {r[0] for r in w.sql("SELECT ref FROM incidents WHERE reporter=?",
                                   (ACCOUNTS[acct][0],))}
        eq(set(list_refs(w, acct)), own, f"{acct}'s incident list (only what they reported)")
        for kind, ref in World.orig.items():
            for suffix in ("", "/notes", "/assessments", "/decisions", "/notices"):
                r = w.get(f"{API}/incidents/{ref}{suffix}", as_=acct)
                check(r.status in (403, 404), f"{acct} GET {ref}{suffix}: {r.describe()}")
                check("reference incident" not in r.text, f"{acct} got content: {r.describe()}")
            for suffix, body in (("/notes", {"text": "x"}), ("/transitions", {"status": "triaged"}),
                                 ("/assessments", {})):
                r = w.post(f"{API}/incidents/{ref}{suffix}", body, as_=acct)
                check(r.status in (403, 404), f"{acct} POST {ref}{suffix}: {r.describe()}")


@test
def reporter_view_has_no_case_content():
    w = world()
    run_matrix()
    ref = Matrix.refs[("rae", "line")]
    r = w.get(f"{API}/incidents/{ref}", as_="rae")
    eq(r.status, 200, "the reporter reads what they reported")
    o = r.json()
    for part in ("notes", "assessments", "decisions", "notices", "transitions"):
        check(not o.get(part), f"the reporter's view carries {part}: {clip(json.dumps(o.get(part)), 200)}")
    check("note by security" not in r.text, "the reporter's view shows a note")
    check("breach-notice" not in r.text, "the reporter's view shows the decision")


@test
def lists_never_leak_under_filters():
    w = world()
    run_matrix()
    readable = {}
    for acct in ACCOUNTS:
        readable[acct] = set(list_refs(w, acct))
    bad = []
    for q in ("&org=laa", "&org=hmcts-crime", "&org=hmcts", "&subject=U100", "&subject=M100",
              "&subject=D200", "&type=personal-data-release", "&status=reported",
              "&status=investigating", "&from=2026-01-01&to=2026-12-31"):
        for acct in ACCOUNTS:
            got = set(list_refs(w, acct, q))
            extra = got - readable[acct]
            if extra:
                bad.append(f"{acct} {q}: lists {sorted(extra)} it may not read")
    check(not bad, "\n".join(bad))


@test
def not_found_does_not_disclose_existence():
    """An incident the account may not see answers exactly like one that
    does not exist."""
    w = world()
    real = World.orig["laa"]
    fake = "SB-2026-999998"
    for acct in ("mina", "ann", "adam", "rae"):
        for suffix, method, body in (("", "GET", None), ("/notes", "GET", None),
                                     ("/notes", "POST", {"text": "x"}),
                                     ("/transitions", "POST", {"status": "triaged"}),
                                     ("/decisions", "POST", {"subject": "U100",
                                                             "outcome": "advice",
                                                             "severity": "minor",
                                                             "rationale": "r"})):
            a = w.call(method, f"{API}/incidents/{real}{suffix}", body=body, as_=acct)
            b = w.call(method, f"{API}/incidents/{fake}{suffix}", body=body, as_=acct)
            pa = a.text.replace(real, "REF")
            pb = b.text.replace(fake, "REF")
            check(a.status == b.status == 404 and pa == pb,
                  f"{acct} {method} {suffix or '/'}: hidden {a.status} {clip(pa, 200)} vs "
                  f"missing {b.status} {clip(pb, 200)}")


@test
def manager_decides_only_for_subjects_in_their_line():
    """One incident, two subjects: DD (in M's line) and U (not). M decides
    and issues a notice for DD, not for U (SPEC 1: a manager decides for
    subjects in their line; SPEC 4: one decision per subject)."""
    w = world()
    r = w.post(f"{API}/incidents", {"org": "hmcts-crime", "types": ["account-sharing"],
                                    "description": "password shared between DD and U",
                                    "discovered_at": "2026-11-20T09:30:00Z",
                                    "subjects": ["D200", "U100"]}, as_="rae")
    eq(r.status, 201, f"report: {r.describe()}")
    ref = r.json()["ref"]
    base = f"{API}/incidents/{ref}"
    sam_advance(w, ref, "investigating")
    eq(w.post(base + "/assessments", {}, as_="sam").status, 201, "security assesses")
    dec = {"outcome": "breach-notice", "severity": assessed_severity(w, ref, "D200"),
           "rationale": "shared a password", "override_reason": "test"}
    r = w.post(base + "/decisions", dict(dec, subject="D200"), as_="mina")
    eq(r.status, 201, f"M decides for DD: {r.describe()}")
    before = w.dump(["decisions", "notices", "warnings"])
    r = w.post(base + "/decisions", dict(dec, subject="U100",
                                         severity=assessed_severity(w, ref, "U100")), as_="mina")
    check(r.status in (403, 404), f"M decides for U, who is not in M's line: {r.describe()}")
    diff = dump_diff(before, w.dump(["decisions", "notices", "warnings"]))
    check(not diff, f"the refused decision changed the database:\n{diff}")
    r = w.post(base + "/decisions", dict(dec, subject="U100",
                                         severity=assessed_severity(w, ref, "U100")), as_="sam")
    eq(r.status, 201, f"security decides for U: {r.describe()}")
    r = w.post(base + "/notices", {"subject": "U100"}, as_="mina")
    check(r.status in (403, 404), f"M issues a breach notice to U: {r.describe()}")
    eq(w.post(base + "/notices", {"subject": "D200"}, as_="mina").status, 201,
       "M issues the notice to DD")


@test
def reporter_cannot_report_as_someone_else():
    w = world()
    r = w.post(f"{API}/incidents", dict(GOOD_INCIDENT, reporter="S100"), as_="rae")
    check(r.status in (201, 400, 403), f"report naming another reporter: {r.describe()}")
    if r.status == 201:
        eq(r.json()["reporter"], "R100", "reporter recorded for rae's report")
        eq(w.sql("SELECT reporter FROM incidents WHERE ref=?", (r.json()["ref"],)),
           [("R100",)], "stored reporter")


@test
def security_headers_and_marking():
    w = world()
    ref = World.orig["line"]
    r = w.get(f"{API}/incidents/{ref}", as_="sam")
    eq(r.status, 200, "read")
    eq(r.header("X-Content-Type-Options"), "nosniff", "X-Content-Type-Options")
    csp = r.header("Content-Security-Policy") or ""
    check(csp and "unsafe-inline" not in csp, f"Content-Security-Policy {csp!r}")
    check("no-store" in (r.header("Cache-Control") or ""), "incident content is cacheable")
    m = r.json().get("marking", "")
    check("OFFICIAL-SENSITIVE" in m and "PERSONAL DATA" in m,
          f"marking of an incident with personal data: {m!r}")
    m = w.get(f"{API}/incidents/{World.orig['laa']}", as_="sam").json().get("marking", "")
    check("OFFICIAL-SENSITIVE" in m and "PERSONAL DATA" not in m,
          f"marking without personal data: {m!r}")


@test
def every_incident_read_is_audited():
    w = world()
    ref = World.orig["line"]
    q = "SELECT COUNT(*) FROM audit WHERE action='incident.read' AND entity=? AND actor=?"
    for acct in ("mina", "rae", "pat", "sam"):
        before = w.sql(q, (ref, f"user:{acct}"))[0][0]
        eq(w.get(f"{API}/incidents/{ref}", as_=acct).status, 200, f"{acct} reads {ref}")
        after = w.sql(q, (ref, f"user:{acct}"))[0][0]
        eq(after, before + 1, f"incident.read entries by {acct} on {ref} after one GET")
    r = w.get(f"{API}/audit?ref={ref}", as_="sam")
    eq(r.status, 200, "security reads the audit log")
    entries = r.json()["entries"]
    readers = {e["actor"] for e in entries if e["action"] == "incident.read"}
    for acct in ("mina", "rae", "pat", "sam"):
        check(f"user:{acct}" in readers, f"no incident.read by user:{acct} in GET /audit?ref={ref}")
    check(all(e.get("entity") == ref for e in entries),
          "GET /audit?ref= returned entries of other refs")
    # a case part read is a read of the incident too
    before = w.sql(q, (ref, "user:ivy"))[0][0]
    eq(w.get(f"{API}/incidents/{ref}/notes", as_="ivy").status, 200, "ivy reads the notes")
    check(w.sql(q, (ref, "user:ivy"))[0][0] == before + 1, "reading the notes is not audited")


# ---------------------------------------------------------------- SPEC 3 scenarios

def scenario_test(path):
    def fn():
        w = world()
        case = json.load(open(path))
        r = w.post(f"{API}/assess", case["input"], as_="rae")
        eq(r.status, 200, f"POST /assess: {r.describe()}")
        got = r.json()
        exp = case["expect"]
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
        check(not bad, "; ".join(bad))
    return fn


_scen = sorted(glob.glob(os.path.join(SHARED, "scenarios", "*.json")))
for _p in _scen:
    runner.add(f"scenario over POST /assess: {os.path.basename(_p)[:-5]}", scenario_test(_p))
if not _scen:
    runner.add("scenarios found", lambda: fail(f"no scenarios under {SHARED}/scenarios"))


# ---------------------------------------------------------------- SPEC 4 flow

@test
def flow_report_to_notice_as_manager():
    w = world()
    r = w.post(f"{API}/incidents", {
        "kind": "breach", "org": "hmcts-crime", "types": ["portable-asset-lost"],
        "classification": "official", "intent": "negligent", "damage": "low",
        "occurred_at": "2026-11-19T17:00:00Z", "discovered_at": "2026-11-20T09:30:00Z",
        "location": "Train to Leeds", "description": "Laptop left on a train",
        "subjects": ["F100"]}, as_="mina")
    eq(r.status, 201, f"report: {r.describe()}")
    inc = r.json()
    ref = inc["ref"]
    check(re.fullmatch(REF_RE, ref), f"ref {ref!r} is not SB-2026-NNNNNN")
    eq(r.header("Location"), f"{API}/incidents/{ref}", "Location header")
    eq(inc["status"], "reported", "status after report")
    eq(inc["reporter"], "M100", "reporter is the account's person")
    base = f"{API}/incidents/{ref}"
    for st in ("triaged", "investigating"):
        r = w.post(base + "/transitions", {"status": st}, as_="mina")
        eq(r.status, 200, f"transition to {st}: {r.describe()}")
        eq(r.json().get("status"), st, "status in the transition answer")
    eq(w.get(base, as_="mina").json()["status"], "investigating", "status read back")

    r = w.post(base + "/assessments", {}, as_="mina")
    eq(r.status, 201, f"assess: {r.describe()}")
    a = [x for x in r.json()["assessments"] if x.get("subject") == "F100"]
    eq(len(a), 1, "one assessment of F100")
    a = a[0]
    eq(a["severity"], "serious", "severity of a negligent laptop loss")
    eq(a["recommendation"], "breach-notice", "recommendation")
    eq(a["route"], "disciplinary", "route")

    before = w.dump(["decisions", "audit", "incidents"])
    good = {"subject": "F100", "outcome": "breach-notice", "severity": "serious",
            "rationale": "laptop recovered; negligent; no previous warnings"}
    missing = dict(good)
    del missing["rationale"]
    problem(w.post(base + "/decisions", missing, as_="mina"), 400, "rationale")
    problem(w.post(base + "/decisions", dict(good, rationale="   "), as_="mina"), 400, "rationale")
    problem(w.post(base + "/decisions", dict(good, outcome="advice"), as_="mina"), 400,
            "override_reason")
    problem(w.post(base + "/decisions", dict(good, severity="minor"), as_="mina"), 400,
            "override_reason")
    diff = dump_diff(before, w.dump(["decisions", "audit", "incidents"]))
    check(not diff, f"refused decisions changed the database:\n{diff}")

    r = w.post(base + "/decisions", good, as_="mina")
    eq(r.status, 201, f"decision: {r.describe()}")
    d = r.json()
    eq(d["outcome"], "breach-notice", "decided outcome")
    eq(d["severity"], "serious", "decided severity")
    eq(d["rationale"], good["rationale"], "rationale stored")
    problem(w.post(base + "/decisions", good, as_="mina"), 409, "subject")

    problem(w.post(base + "/notices", {"subject": "D100"}, as_="mina"), 400, "subject")
    r = w.post(base + "/notices", {"subject": "F100"}, as_="mina")
    eq(r.status, 201, f"notice: {r.describe()}")
    number = r.json().get("number")
    check(number and re.fullmatch(NOTICE_RE, number), f"notice number {number!r}")
    eq(r.json().get("subject"), "F100", "notice subject")
    doc = r.json().get("document") or {}
    eq((doc.get("to") or {}).get("staff_id"), "F100", "the notice is addressed to the subject")
    check(doc.get("consequences") and doc.get("acknowledge_by") and doc.get("policy"),
          f"the notice document lacks consequences, policy or acknowledgement: {doc}")
    check("OFFICIAL-SENSITIVE" in (doc.get("marking") or ""), f"notice marking: {doc}")
    r = w.get(f"{API}/people/F100/warnings", as_="mina")
    eq(r.status, 200, f"warnings: {r.describe()}")
    wj = r.json()
    live = [x for x in wj["warnings"] if x.get("notice") == number]
    eq(len(live), 1, f"warnings carrying {number}: {wj}")
    eq(live[0]["live"], True, "the new notice is a live warning")
    eq(live[0]["level"], "breach-notice", "warning level")
    eq(live[0]["issued_on"], "2026-11-28", "issued today (BREACHREG_NOW)")
    eq(wj["live"], 1, "live warnings count")
    r = w.get(base + "/notices", as_="mina")
    eq([n.get("number") for n in r.json().get("notices", [])], [number], "notices of the incident")

    before = w.dump(["incidents", "transitions", "audit"])
    p = problem(w.post(base + "/transitions", {"status": "closed"}, as_="mina"), 409, "status")
    for allowed in ("awaiting-decision", "unfounded", "withdrawn"):
        check(allowed in p.get("detail", "") or allowed in json.dumps(p),
              f"409 does not list the allowed state {allowed!r}: {p}")
    problem(w.post(base + "/transitions", {"status": "purple"}, as_="mina"), 400, "status")
    problem(w.post(base + "/transitions", {"status": "unfounded"}, as_="mina"), 400, "reason")
    diff = dump_diff(before, w.dump(["incidents", "transitions", "audit"]))
    check(not diff, f"refused transitions changed the database:\n{diff}")
    eq(w.get(base, as_="mina").json()["status"], "investigating", "status after refusals")

    # the lifecycle runs to the end: awaiting-decision, decided, closed
    for st in ("awaiting-decision", "decided", "closed"):
        r = w.post(base + "/transitions", {"status": st}, as_="mina")
        eq(r.status, 200, f"transition to {st}: {r.describe()}")
    # reopening is for security only
    problem(w.post(base + "/transitions", {"status": "reopened", "reason": "new evidence"},
                   as_="mina"), 403, "status")
    r = w.post(base + "/transitions", {"status": "reopened", "reason": "new evidence"}, as_="sam")
    eq(r.status, 200, f"security reopens: {r.describe()}")
    eq(w.get(base, as_="sam").json()["status"], "investigating", "reopened to investigating")
    trans = [(t.get("from"), t.get("to")) for t in w.get(base, as_="sam").json()["transitions"]]
    eq(len(trans), 6, f"transitions recorded: {trans}")


# ---------------------------------------------------------------- SPEC 7 bad input

def refused_unchanged(w, send, status, field=None, what=""):
    """send() makes a refused request; the whole database must not change."""
    w.get(f"{API}/orgs", as_="rae")  # the token's first use is recorded: do it first
    before = w.dump()
    r = send()
    if isinstance(status, tuple):
        check(r.status in status, f"{what}: expected one of {status}\n{r.describe()}")
        problem(r, r.status, field)
    else:
        problem(r, status, field)
    diff = dump_diff(before, w.dump())
    check(not diff, f"{what}: the refused request changed the database:\n{diff}")
    eq(request(w.port, "GET", "/healthz").status, 200, "healthz after")
    return r


GOOD_INCIDENT = {"org": "hmcts-crime", "types": ["pass-lost"], "description": "pass lost",
                 "discovered_at": "2026-11-20T09:30:00Z", "subjects": ["D100"]}


@test
def bad_input_malformed_json():
    w = world()
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", None, as_="rae",
                                        raw=b'{"org": "laa", "types": ['), 400, "body",
                      "malformed JSON")
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", None, as_="rae", raw=b"[1,2]"),
                      400, "body", "a JSON array")
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", None, as_="rae", raw=b""),
                      400, "body", "an empty body")
    refused_unchanged(
        w, lambda: w.post(f"{API}/incidents", None, as_="rae",
                          raw=b'{"org":"laa","org":"hmcts","types":["pass-lost"],'
                              b'"description":"dup","subjects":["U100"]}'),
        400, None, "a duplicated key")


@test
def bad_input_wrong_json_types():
    w = world()
    cases = [("types", "pass-lost"), ("types", []), ("types", [7]), ("description", 42),
             ("subjects", "D100"), ("personal_data", {"records": "many"}),
             ("confidential_reporter", "yes"), ("discovered_at", "yesterday")]
    for field, value in cases:
        body = dict(GOOD_INCIDENT, **{field: value})
        r = refused_unchanged(w, lambda: w.post(f"{API}/incidents", body, as_="rae"), 400, None,
                              f"{field}={value!r}")
        got = r.json().get("field", "")
        check(got == field or got.startswith(field + ".") or got.startswith(field + "["),
              f"{field}={value!r}: the problem names {got!r}\n{r.describe()}")
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", dict(GOOD_INCIDENT, types="pass-lost"),
                                        as_="rae"), 400, "types", "types as a string")


@test
def bad_input_unknown_enum_and_type():
    w = world()
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", dict(GOOD_INCIDENT, intent="purple"),
                                        as_="rae"), 400, "intent", "intent purple")
    refused_unchanged(w, lambda: w.post(f"{API}/assess", {"types": ["pass-lost"],
                                                           "intent": "purple"}, as_="rae"),
                      400, "intent", "assess with intent purple")
    refused_unchanged(w, lambda: w.post(f"{API}/incidents",
                                        dict(GOOD_INCIDENT, types=["no-such-type"]), as_="rae"),
                      400, None, "an unknown breach type")
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", dict(GOOD_INCIDENT, org="nowhere"),
                                        as_="rae"), (400, 404), "org", "an unknown org")
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", dict(GOOD_INCIDENT, subjects=["NOPE1"]),
                                        as_="rae"), (400, 404), None, "an unknown subject")


@test
def bad_input_body_over_limit_is_413_and_server_stays_up():
    w = world()
    w.get(f"{API}/orgs", as_="rae")
    before = w.dump(["incidents", "audit"])
    st = send_large(w.port, f"{API}/incidents", 6 * 1024 * 1024, w.tokens["rae"])
    eq(st, 413, "6 MiB body with Content-Length")
    st = send_large(w.port, f"{API}/incidents", 6 * 1024 * 1024, w.tokens["rae"], chunked=True)
    eq(st, 413, "6 MiB chunked body")
    eq(request(w.port, "GET", "/healthz").status, 200, "healthz after 413")
    eq(w.get(f"{API}/incidents", as_="rae").status, 200, "the API answers after 413")
    diff = dump_diff(before, w.dump(["incidents", "audit"]))
    check(not diff, f"an oversized body changed the database:\n{diff}")
    # just under the limit is read (and refused for its content, not its size)
    big = json.dumps(dict(GOOD_INCIDENT, description="y" * (1024 * 1024 - 300))).encode()
    check(len(big) < 1024 * 1024, "fixture size")
    r = w.post(f"{API}/incidents", None, as_="rae", raw=big)
    check(r.status != 413, f"a body under 1 MiB was refused as too large: {r.describe()}")


@test
def bad_input_wrong_content_type():
    w = world()
    body = json.dumps(GOOD_INCIDENT).encode()
    for ct in ("text/plain", "application/x-www-form-urlencoded", None, "application/jsonx",
               "application/json-patch+json"):
        refused_unchanged(w, lambda: w.post(f"{API}/incidents", None, as_="rae", raw=body,
                                            headers={"Content-Type": ct}),
                          (400, 415), None, f"Content-Type {ct}")


@test
def bad_input_invalid_utf8():
    w = world()
    raw = (b'{"org":"hmcts-crime","types":["pass-lost"],"subjects":["D100"],'
           b'"description":"caf\xc3\x28 \xff\xfe"}')
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", None, as_="rae", raw=raw), 400, None,
                      "invalid UTF-8")
    raw = b'{"org":"hmcts-crime","types":["pass-lost"],"subjects":["D100"],"description":"a\\u0000b"}'
    r = w.post(f"{API}/incidents", None, as_="rae", raw=raw)
    check(r.status in (201, 400), f"an escaped NUL: {r.describe()}")
    if r.status == 201:
        got = w.get(f"{API}/incidents/{r.json()['ref']}", as_="rae").json()["description"]
        eq(got, "a\x00b", "an escaped NUL kept whole (not truncated)")


@test
def bad_input_deep_nesting():
    w = world()
    deep = b'{"org":"hmcts-crime","types":["pass-lost"],"x":' + b"[" * 100 + b"]" * 100 + b"}"
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", None, as_="rae", raw=deep), 400,
                      "body", "arrays nested 100 deep")
    deep = b'{"a":' * 100 + b"1" + b"}" * 100
    refused_unchanged(w, lambda: w.post(f"{API}/assess", None, as_="rae", raw=deep), 400,
                      "body", "objects nested 100 deep")
    deep = b"[" * 200000
    refused_unchanged(w, lambda: w.post(f"{API}/incidents", None, as_="rae", raw=deep), 400,
                      "body", "200000 open brackets")


@test
def bad_input_on_case_writes_changes_nothing():
    w = world()
    run_matrix()
    ref = Matrix.refs[("mina", "line")]
    base = f"{API}/incidents/{ref}"
    for path, body, field in (
            ("/notes", {"text": 5}, "text"), ("/notes", {"text": ""}, "text"),
            ("/notes", {"text": "x" * 2_000_00}, "text"),
            ("/transitions", {"status": 7}, "status"), ("/transitions", {}, "status"),
            ("/decisions", {"subject": "D200", "outcome": "hang", "severity": "minor",
                            "rationale": "r"}, "outcome"),
            ("/decisions", {"subject": "D200", "outcome": "advice", "severity": "minor",
                            "rationale": ["r"]}, "rationale"),
            ("/notices", {"subject": 12}, "subject"),
            ("/notices", {"subject": "U100"}, "subject")):
        refused_unchanged(w, lambda: w.post(base + path, body, as_="mina"), 400, field,
                          f"POST {path} {clip(json.dumps(body), 60)}")


@test
def bad_input_on_admin_writes_changes_nothing():
    w = world()
    for path, body, field in (
            ("/orgs", {"code": "hc", "name": "x", "headcount": "many"}, "headcount"),
            ("/orgs", {"code": "Bad Code", "name": "x"}, "code"),
            ("/orgs", {"code": "hc2", "name": "x", "discipline_policy": "strict"},
             "discipline_policy"),
            ("/people", {"staff_id": "Q1", "name": "x", "org": "laa", "engagement": "pirate"},
             "engagement"),
            ("/people", {"staff_id": "Q2", "name": "x", "org": "laa", "probation_until": "soon"},
             "probation_until"),
            ("/people", {"staff_id": "Q3", "name": "x", "org": "laa", "manager": "Q3"},
             "manager"),
            ("/people", {"staff_id": "Q4 bad", "name": "x", "org": "laa"}, "staff_id"),
            ("/guidance/t-guid", {"grades": {"pass-lost": "purple"}}, None),
            ("/guidance/t-guid", {"significant_records": "lots"}, "significant_records")):
        w.get(f"{API}/orgs", as_="adam")
        before = w.dump()
        r = w.post(API + path, body, as_="adam")
        problem(r, 400, field)
        diff = dump_diff(before, w.dump())
        check(not diff, f"POST {path} {body}: the refused request changed the database:\n{diff}")


@test
def sql_and_html_payloads_are_stored_verbatim():
    w = world()
    sql = "'); DROP TABLE incidents;--"
    html = "<script>alert(1)</script>"
    odd = 'quote " backslash \\ tab \t newline \n unicode é ✓ 🙂'
    body = dict(GOOD_INCIDENT, description=sql, location=html)
    r = w.post(f"{API}/incidents", body, as_="rae")
    eq(r.status, 201, f"report with payloads: {r.describe()}")
    check(r.header("Content-Type", ).startswith("application/json"), "JSON answer")
    ref = r.json()["ref"]
    eq(r.json()["description"], sql, "description in the 201")
    r = w.get(f"{API}/incidents/{ref}", as_="sam")
    eq(r.json()["description"], sql, "description read back")
    eq(r.json()["location"], html, "location read back")
    check(b"<script>" not in r.body or r.header("Content-Type").startswith("application/json"),
          "HTML served as something other than JSON")
    eq(w.sql("SELECT description, location FROM incidents WHERE ref=?", (ref,)), [(sql, html)],
       "stored as given")
    check(w.sql("SELECT COUNT(*) FROM incidents")[0][0] > 0, "incidents table still there")
    r = w.post(f"{API}/incidents/{ref}/notes", {"text": odd}, as_="sam")
    eq(r.status, 201, f"note: {r.describe()}")
    notes = w.get(f"{API}/incidents/{ref}/notes", as_="sam").json()["notes"]
    eq([n["text"] for n in notes], [odd], "note read back")
    r = w.get(f"{API}/incidents?type=%27%3B%20DROP%20TABLE%20incidents%3B--", as_="sam")
    check(r.status in (200, 400), f"a type filter with SQL: {r.describe()}")
    if r.status == 400:
        problem(r, 400, "type")
    check(w.sql("SELECT COUNT(*) FROM incidents")[0][0] > 0, "incidents table still there")


# ---------------------------------------------------------------- concurrency

@test
def concurrent_reports_get_unique_refs_and_all_land():
    w = world()
    before = w.sql("SELECT COUNT(*) FROM incidents")[0][0]
    accts = ["rae", "ugo", "mina", "sam", "ivy", "hal", "dee", "uma"]
    results, errors = [], []
    lock = threading.Lock()

    def worker(t):
        for i in range(25):
            try:
                r = w.post(f"{API}/incidents", noise_body(f"concurrent {t}/{i}"), as_=accts[t])
                with lock:
                    results.append((r.status, r.json().get("ref") if r.status == 201 else None,
                                    r.text if r.status != 201 else ""))
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(f"thread {t} request {i}: {e!r}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    check(not errors, f"{len(errors)} requests failed: {errors[:5]}")
    eq(len(results), 200, "answers")
    bad = [(s, clip(b, 200)) for s, _, b in results if s != 201]
    check(not bad, f"{len(bad)} not 201: {bad[:5]}")
    refs = [ref for _, ref, _ in results]
    eq(len(set(refs)), 200, "unique refs")
    check(all(re.fullmatch(REF_RE, x) for x in refs), "refs are SB-2026-NNNNNN")
    missing = [ref for ref in refs if w.get(f"{API}/incidents/{ref}", as_="sam").status != 200]
    check(not missing, f"acknowledged but not readable: {missing[:10]}")
    eq(w.sql("SELECT COUNT(*) FROM incidents")[0][0], before + 200, "incident rows added")
    qs = ",".join("?" * len(refs))
    eq(w.sql(f"SELECT COUNT(*) FROM incidents WHERE ref IN ({qs})", refs)[0][0], 200,
       "acknowledged refs in the table")
    eq(w.sql(f"SELECT COUNT(*) FROM audit WHERE action='incident.report' AND entity IN ({qs})",
             refs)[0][0], 200, "incident.report audit entries")
    r = w.cli("audit", "verify", ok=False)
    eq(r.returncode, 0, f"audit verify after concurrent writes: {r.stdout} {r.stderr}")


# ---------------------------------------------------------------- sign-in

def sign_in(w, name, password):
    return request(w.port, "POST", f"{API}/session", body={"name": name, "password": password})


def session_cookie(r):
    for sc in r.header_all("Set-Cookie"):
        m = re.match(r"br_session=([^;]*)", sc)
        if m:
            return m.group(1), sc
    return None, None


@test
def sign_in_sessions_and_csrf():
    w = world()
    r = sign_in(w, "sia", "not the password at all")
    problem(r, 401)
    check(session_cookie(r)[0] in (None, ""), f"a failed sign-in set a session: {r.header_all('Set-Cookie')}")
    problem(sign_in(w, "nobody-here", PASSWORD), 401)

    r = sign_in(w, "sia", PASSWORD)
    check(r.status in (200, 201), f"sign in: {r.describe()}")
    sid, sc = session_cookie(r)
    check(sid, f"no br_session cookie: {r.header_all('Set-Cookie')}")
    check(re.search(r";\s*HttpOnly", sc, re.I), f"cookie without HttpOnly: {sc}")
    check(re.search(r";\s*SameSite=Strict", sc, re.I), f"cookie without SameSite=Strict: {sc}")
    check(re.search(r";\s*Path=/", sc, re.I), f"cookie without Path=/: {sc}")
    csrf = r.json().get("csrf")
    check(csrf, f"no csrf in the answer: {r.text}")
    check(sid not in r.text, "the session id is in the body")
    eq(w.sql("SELECT COUNT(*) FROM sessions WHERE hash=?", (sid,))[0][0], 0,
       "session id stored in clear")

    r = request(w.port, "GET", f"{API}/incidents", cookie=sid)
    eq(r.status, 200, f"GET with the cookie: {r.describe()}")
    r = request(w.port, "GET", f"{API}/session", cookie=sid)
    eq(r.status, 200, "who am I")
    eq(r.json().get("actor"), "user:sia", "actor of the session")

    before = w.dump(["incidents", "audit"])
    problem(request(w.port, "POST", f"{API}/incidents", body=noise_body("csrf"), cookie=sid), 403,
            "X-CSRF-Token")
    problem(request(w.port, "POST", f"{API}/incidents", body=noise_body("csrf"), cookie=sid,
                    csrf="0" * len(csrf)), 403, "X-CSRF-Token")
    problem(request(w.port, "DELETE", f"{API}/session", cookie=sid), 403, "X-CSRF-Token")
    diff = dump_diff(before, w.dump(["incidents", "audit"]))
    check(not diff, f"refused cookie writes changed the database:\n{diff}")
    r = request(w.port, "POST", f"{API}/incidents", body=noise_body("csrf ok"), cookie=sid,
                csrf=csrf)
    eq(r.status, 201, f"cookie + CSRF write: {r.describe()}")
    eq(r.json().get("reporter"), "X100", "reporter of the cookie write")

    r2 = sign_in(w, "sia", PASSWORD)
    check(r2.status in (200, 201), f"second sign in: {r2.describe()}")
    sid2, _ = session_cookie(r2)
    check(sid2 and sid2 != sid, "the second sign-in reuses the session id")
    check(r2.json().get("csrf") != csrf, "the second sign-in reuses the CSRF token")

    r = request(w.port, "DELETE", f"{API}/session", cookie=sid, csrf=csrf)
    check(r.status in (200, 204), f"sign out: {r.describe()}")
    _, out_sc = session_cookie(r)
    check(out_sc and re.search(r"Max-Age=0|Expires=Thu, 01 Jan 1970", out_sc),
          f"sign-out does not clear the cookie: {r.header_all('Set-Cookie')}")
    problem(request(w.port, "GET", f"{API}/incidents", cookie=sid), 401)
    problem(request(w.port, "GET", f"{API}/session", cookie=sid), 401)
    eq(request(w.port, "GET", f"{API}/incidents", cookie=sid2).status, 200,
       "the other session still works")


@test
def sign_in_locks_after_five_failures():
    w = world()
    for i in range(5):
        problem(sign_in(w, "lok", f"wrong password {i}"), 401)
    r = sign_in(w, "lok", PASSWORD)
    check(r.status in (401, 429), f"the right password after 5 failures: {r.describe()}")
    check(session_cookie(r)[0] in (None, ""), "a locked account got a session")
    # the lock is the account's: another account still signs in
    r = sign_in(w, "sia", PASSWORD)
    check(r.status in (200, 201), f"another account after the lock: {r.describe()}")
    n = w.sql("SELECT COUNT(*) FROM audit WHERE action='account.login-failed'")[0][0]
    check(n >= 6, f"failed sign-ins audited: {n}")


def minutes_after(now, minutes):
    t = datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@test
def sessions_end_after_30_idle_minutes_and_locks_after_15():
    """Servers with later clocks on the same database: a session is good
    after 29 idle minutes and refused after 31; a locked account signs in
    again once 15 minutes have passed."""
    w = world()
    r = sign_in(w, "sia", PASSWORD)
    check(r.status in (200, 201), f"sign in: {r.describe()}")
    sid, _ = session_cookie(r)
    # make sure lok is locked now (the lockout test may not have run)
    for i in range(5):
        sign_in(w, "lok", f"wrong again {i}")
    check(sign_in(w, "lok", PASSWORD).status in (401, 429), "lok is locked")
    problems = []
    later = w.sibling(minutes_after(w.now, 29), "later29")
    later.start()
    try:
        eq(request(later.port, "GET", f"{API}/session", cookie=sid).status, 200,
           "the session after 29 idle minutes")
        r = sign_in(later, "lok", PASSWORD)
        check(r.status in (200, 201), f"lok 29 minutes after the lock: {r.describe()}")
    finally:
        problems += later.stop()
    much_later = w.sibling(minutes_after(w.now, 29 + 31), "later60")
    much_later.start()
    try:
        problem(request(much_later.port, "GET", f"{API}/session", cookie=sid), 401)
        problem(request(much_later.port, "GET", f"{API}/incidents", cookie=sid), 401)
    finally:
        problems += much_later.stop()
    check(not problems, "\n".join(problems))


@test
def tokens_revoked_roles_changed_account_disabled_take_effect_at_once():
    w = world()
    first = w.tokens["tom"]
    second = w.cli("user", "token", "tom", "--label", "second").stdout.strip()
    ok = lambda tok, path=f"{API}/incidents": request(w.port, "GET", path, token=tok).status
    eq(ok(first), 200, "first token")
    eq(ok(second), 200, "second token")
    ids = [t["id"] for t in json.loads(w.cli("--json", "user", "tokens", "tom").stdout)
           if t.get("label") == "second"]
    eq(len(ids), 1, "the second token's id")
    w.cli("user", "revoke", "tom", ids[0])
    eq(ok(second), 401, "a revoked token")
    eq(ok(first), 200, "the other token after a revocation")
    eq(ok(first, f"{API}/audit/verify"), 403, "audit as a reporter")
    w.cli("user", "roles", "tom", "--role", "security")
    eq(ok(first, f"{API}/audit/verify"), 200, "audit once made security")
    w.cli("user", "roles", "tom", "--role", "reporter")
    eq(ok(first, f"{API}/audit/verify"), 403, "audit once security is taken away")
    r = sign_in(w, "tom", PASSWORD)
    check(r.status in (200, 201), f"tom signs in: {r.describe()}")
    sid, _ = session_cookie(r)
    w.cli("user", "disable", "tom")
    eq(ok(first), 401, "the token of a disabled account")
    problem(request(w.port, "GET", f"{API}/incidents", cookie=sid), 401)
    problem(sign_in(w, "tom", PASSWORD), 401)
    w.cli("user", "enable", "tom")
    eq(ok(first), 200, "the token once the account is enabled")


@test
def concurrent_reads_are_each_audited():
    w = world()
    refs = sorted(r[0] for r in w.sql("SELECT ref FROM incidents"))[:50]
    q = "SELECT COUNT(*) FROM audit WHERE action='incident.read' AND actor='user:sam'"
    before = w.sql(q)[0][0]
    statuses, errors = [], []
    lock = threading.Lock()

    def worker(t):
        for i in range(25):
            ref = refs[(t * 25 + i) % len(refs)]
            try:
                st = w.get(f"{API}/incidents/{ref}", as_="sam").status
                with lock:
                    statuses.append(st)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    check(not errors, f"{len(errors)} reads failed: {errors[:3]}")
    eq(statuses, [200] * 200, "200 reads")
    eq(w.sql(q)[0][0], before + 200, "incident.read entries after 200 concurrent reads")
    r = w.get(f"{API}/audit/verify", as_="sam")
    eq(r.json().get("ok"), True, f"audit chain after concurrent reads: {r.text}")


@test
def sigterm_under_load_loses_no_acknowledged_write():
    w = world()
    other = w.sibling(name="loaded")
    other.start()
    acked, errors = [], []
    lock = threading.Lock()
    stop = threading.Event()

    def worker(t):
        i = 0
        while not stop.is_set() and i < 200:
            i += 1
            try:
                r = request(other.port, "POST", f"{API}/incidents",
                            body=noise_body(f"under load {t}/{i}"), token=w.tokens["ugo"])
            except (OSError, http.client.HTTPException):
                return  # the server has stopped listening
            if r.status == 201:
                with lock:
                    acked.append(r.json()["ref"])
            elif r.status != 503:
                with lock:
                    errors.append(r.describe())

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    problems = other.stop()
    stop.set()
    for t in threads:
        t.join(60)
    check(not problems, "\n".join(problems))
    check(not errors, f"answers other than 201 while stopping: {errors[:3]}")
    check(acked, "nothing was acknowledged before the stop")
    qs = ",".join("?" * len(acked))
    eq(w.sql(f"SELECT COUNT(*) FROM incidents WHERE ref IN ({qs})", acked)[0][0], len(acked),
       "acknowledged reports in the table after SIGTERM")
    r = w.cli("audit", "verify", ok=False)
    eq(r.returncode, 0, f"audit verify after a stop under load: {r.stdout} {r.stderr}")


# ---------------------------------------------------------------- health, metrics

@test
def healthz_and_metrics():
    w = world()
    r = request(w.port, "GET", "/healthz")
    eq(r.status, 200, "healthz")
    eq(r.json().get("status"), "ok", "healthz body")
    r = request(w.port, "GET", "/metrics")
    eq(r.status, 200, "metrics")
    check((r.header("Content-Type") or "").startswith("text/plain"),
          f"metrics Content-Type {r.header('Content-Type')}")
    text = r.text
    check(re.search(r"^breachreg_http_requests_total\{[^}]*\} \d+", text, re.M),
          "no breachreg_http_requests_total sample")
    counts = {m.group(1): int(m.group(2)) for m in
              re.finditer(r'^breachreg_incidents\{status="([a-z-]+)"\} (\d+)', text, re.M)}
    check(counts, "no breachreg_incidents{status=...} samples")
    db = dict(w.sql("SELECT state, COUNT(*) FROM incidents GROUP BY state")) if \
        "state" in ([c[0] for c in w.sql("SELECT column_name FROM information_schema.columns"
                                         " WHERE table_name = 'incidents'")] if w.pg else
                    [c[1] for c in w.sql("PRAGMA table_info(incidents)")]) else None
    if db is not None:
        for st, n in db.items():
            eq(counts.get(st), n, f"breachreg_incidents{{status={st!r}}} against the table")
    eq(sum(counts.values()), w.sql("SELECT COUNT(*) FROM incidents")[0][0],
       "sum of breachreg_incidents")
    # The memory gauges the soak test reads: the store's (SQLite's own
    # allocator, bounded by serve at 8 MiB) beside the C heap's (present
    # only: under ASan, glibc's mallinfo2 sees none of the heap).
    mem = {(m.group(1), m.group(2)): int(m.group(3)) for m in
           re.finditer(r'^breachreg_(store_memory|malloc)_bytes\{kind="([a-z_]+)"\} (\d+)$',
                       text, re.M)}
    for kind in ("used", "used_highwater", "page_cache_reserved", "page_cache",
                 "page_cache_highwater", "limit"):
        check(("store_memory", kind) in mem, f"no breachreg_store_memory_bytes{{kind={kind!r}}}")
    for kind in ("in_use", "free", "arena", "mmapped"):
        check(("malloc", kind) in mem, f"no breachreg_malloc_bytes{{kind={kind!r}}}")
    # On PostgreSQL the register's memory is the server's: SQLite's
    # allocator (what these gauges read) may hold nothing at all.
    check((w.pg or 0 < mem.get(("store_memory", "used"), 0)) and
          mem.get(("store_memory", "used"), 0) <= mem.get(("store_memory", "used_highwater"), 0),
          "store memory used is positive and at most its highwater")
    eq(mem.get(("store_memory", "limit")), 8 * 1024 * 1024, "the store's memory bound under serve")
    reserved = mem.get(("store_memory", "page_cache_reserved"), 0)
    check(7 * 1024 * 1024 < reserved <= 8 * 1024 * 1024,
          f"the page caches' budget under serve is 8 MiB of slots ({reserved})")
    check((w.pg or 0 < mem.get(("store_memory", "page_cache"), 0)) and
          mem.get(("store_memory", "page_cache"), 0) <= reserved,
          "the page caches hold pages, within their budget")


@test
def unknown_paths_and_methods():
    w = world()
    problem(w.get(f"{API}/nothing-here", as_="sam"), 404)
    r = w.call("PUT", f"{API}/incidents", body={}, as_="sam")
    problem(r, 405)
    allow = r.header("Allow") or ""
    check("GET" in allow and "POST" in allow,
          f"405 without an Allow header listing the methods (RFC 9110 15.5.6): {allow!r}")
    problem(w.get(f"{API}/incidents/SB-2026-999999", as_="sam"), 404, "ref")
    problem(w.get(f"{API}/incidents/..%2F..%2Fetc", as_="sam"), 404)


# ---------------------------------------------------------------- shutdown

@test
def server_stops_cleanly_on_sigterm():
    w = world()
    problems = w.stop()
    check(not problems, "\n".join(problems))
    err = w.stderr()
    check(PASSWORD not in err, "a password is in the server's log")
    leaked = [name for name, tok in w.tokens.items() if tok in err]
    check(not leaked, f"API tokens of {leaked} are in the server's log")
    r = w.cli("audit", "verify", ok=False)
    eq(r.returncode, 0, f"audit verify after shutdown: {r.stdout} {r.stderr}")


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
            leftover = World.inst.stop() if World.inst.alive() else []
            if leftover:
                print("shutdown: " + "; ".join(leftover))
            World.inst.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


BINARY = None

if __name__ == "__main__":
    sys.exit(main())
