"""crash_helpers: concurrent write load against a real `breachreg serve`,
the clients' ledger of what was acknowledged, and the checks that a
register (live, restarted after kill -9, backed up or restored) is whole
and holds every acknowledged write (SPEC 4, 7).

Python 3 standard library only; the server, the client and the runner
are tests/api/api_helpers.py's. The register is `init --demo` (accounts
per role, password breachreg-demo); the load is the security account's:
each worker thread reports incidents (POST /api/v1/incidents) and walks
its own incidents through triage, investigation, assessment and one
decision per subject (and a breach notice where that is the outcome),
so no two threads touch one incident and every answer the server gives
must be 2xx. A request without an answer (the
server was killed) is "in flight": its write may or may not be there.

Every request body carries a unique description ("crash-test ..."), so an
incident in the register can be matched to the request that made it."""
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
from api_helpers import (SANITIZER_MARKERS, Instance, Runner, check, clip,  # noqa: E402,F401
                         eq, fail, request)
import pgtest  # noqa: E402  (reads of a PostgreSQL register: BR_TEST_BACKEND=pgsql)

API = "/api/v1"
TAG = "crash-test"
STATES = ["reported", "triaged", "investigating", "awaiting-decision", "decided", "closed"]
# Baseline types (valid under every organisation's guidance).
TYPES = ["pass-lost", "pass-not-worn", "workstation-unlocked", "official-docs-unsecured",
         "cabinet-unlocked", "portable-asset-lost", "account-sharing"]
OUTCOMES = ["no-action", "advice", "breach-notice", "formal-action", "probation-review",
            "contract-review", "referral"]
ORGS = ["hq", "hmcts", "hmcts-crime", "hmpps-probation", "laa", "opg"]


def demo_instance(binary, name):
    """A started server on a fresh `init --demo` register, with the
    security account's bearer token as inst.tokens["security"]."""
    inst = Instance(binary, name)
    inst.cli("init", "--demo")
    inst.tokens["security"] = inst.cli("user", "token", "security").stdout.strip()
    check(re.fullmatch(r"\S+", inst.tokens["security"]), "user token security printed nothing")
    inst.start()
    return inst


def people_by_org(inst):
    """Possible subjects by organisation: not the security officer, who may
    not act on an incident about themselves."""
    rows = inst.sql("SELECT org, staff_id FROM people WHERE org IN (%s) AND staff_id NOT IN "
                    "(SELECT staff_id FROM accounts WHERE name = 'security') ORDER BY staff_id"
                    % ",".join("?" * len(ORGS)), ORGS)
    out = {}
    for org, staff in rows:
        out.setdefault(org, []).append(staff)
    return {o: p for o, p in out.items() if len(p) >= 3}


# ---------------------------------------------------------------- the ledger

class Ledger:
    """What the clients know, across rounds. Times are time.monotonic()."""

    def __init__(self):
        self.lock = threading.Lock()
        self.creates = {}     # description -> {body, ref, sent, acked (time or None), unknown}
        self.ref_desc = {}    # ref -> description, for every incident known to be ours
        self.state = {}       # ref -> index in STATES of the last acknowledged transition
        self.assessed = {}    # ref -> {subject: (severity, recommendation)} acknowledged
        self.decisions = {}   # (ref, subject) -> {outcome, severity, rationale, sent, acked}
        self.notices = {}     # (ref, subject) -> {number, sent, acked}
        self.pipes = {}       # ref -> pipeline of an incident still to be decided
        self.unexpected = []  # answers that are not 2xx, failures before the kill
        self.inflight = 0     # requests left without an answer
        self.acked = 0

    def note_unexpected(self, what):
        with self.lock:
            self.unexpected.append(what)


class Pipe:
    """One incident's way to its decisions, as its thread knows it."""

    def __init__(self, ref, subjects):
        self.ref = ref
        self.subjects = list(subjects)
        self.state = 0
        self.assessed = {}   # subject -> (severity, recommendation)
        self.decided = set()
        self.to_notice = set()  # decided on a breach notice, none issued yet
        self.dead = False    # a request on it was refused: left alone

    def done(self):
        return self.dead or (bool(self.assessed) and not self.to_notice and
                             all(s in self.decided for s in self.subjects))


class ServerGone(Exception):
    pass


class Load:
    """Worker threads writing until stop() (or until the server dies).
    killed_at is set by the caller just before it kills the server: a
    request that fails before then is a bug, after then it is in flight."""

    def __init__(self, inst, ledger, people, label, threads=6, seed=0):
        self.inst, self.ledger, self.people, self.label = inst, ledger, people, label
        self.nthreads = threads
        self.rng = random.Random(seed)
        self.stop_ev = threading.Event()
        self.killed_at = None
        self.threads = []

    def start(self):
        pipes = sorted(self.ledger.pipes.values(), key=lambda p: p.ref)
        for i in range(self.nthreads):
            mine = [p for k, p in enumerate(pipes) if k % self.nthreads == i]
            t = threading.Thread(target=self._run, args=(i, random.Random(self.rng.random()), mine),
                                 daemon=True)
            self.threads.append(t)
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(timeout=60)
            check(not t.is_alive(), "a load thread did not finish within 60 s")

    # -- one thread

    def _post(self, path, body):
        """The answer if it is 2xx; None for any other (noted as
        unexpected); ServerGone when there is none."""
        try:
            r = request(self.inst.port, "POST", path, body=body,
                        token=self.inst.tokens["security"], timeout=20)
        except Exception as e:  # noqa: BLE001  (refused, reset, RemoteDisconnected, ...)
            with self.ledger.lock:
                self.ledger.inflight += 1
            if self.killed_at is None:
                self.ledger.note_unexpected(f"POST {path} failed before the server was killed: "
                                            f"{e!r}")
            raise ServerGone() from None
        if not 200 <= r.status < 300:
            self.ledger.note_unexpected(f"{r.describe()}\n  request: {clip(repr(body), 300)}")
            return None
        try:
            r.json()
        except Exception as e:  # noqa: BLE001
            self.ledger.note_unexpected(f"{r.describe()}\n  {e}")
            return None
        return r

    def _run(self, i, rng, pipes):
        n = 0
        try:
            while not self.stop_ev.is_set():
                open_pipes = [p for p in pipes if not p.done()]
                if len(open_pipes) < 2 or rng.random() < 0.3:
                    p = self._create(i, n, rng)
                    n += 1
                    if p:
                        pipes.append(p)
                else:
                    self._advance(rng.choice(open_pipes))
        except ServerGone:
            pass
        except Exception:  # noqa: BLE001  (a bug here must not pass for a quiet thread)
            self.ledger.note_unexpected(f"load thread {i}: {traceback.format_exc()}")
        finally:
            with self.ledger.lock:
                for p in pipes:
                    if p.done():
                        self.ledger.pipes.pop(p.ref, None)
                    else:
                        self.ledger.pipes[p.ref] = p

    def _create(self, i, n, rng):
        org = rng.choice(sorted(self.people))
        subjects = rng.sample(self.people[org], rng.choice((1, 1, 2)))
        desc = f"{TAG} {self.label} t{i} n{n}"
        body = {"kind": rng.choice(("breach", "near-miss")), "org": org,
                "types": rng.sample(TYPES, rng.choice((1, 2, 3))),
                "classification": "none",
                "personal_data": {"records": 0, "special_category": False},
                "intent": "negligent", "damage": "low",
                "occurred_at": "2026-11-19T17:00:00Z", "discovered_at": "2026-11-20T09:30:00Z",
                "location": "crash test bench", "description": desc,
                "confidential_reporter": False, "subjects": subjects}
        rec = {"body": body, "ref": None, "sent": time.monotonic(), "acked": None}
        with self.ledger.lock:
            self.ledger.creates[desc] = rec
        r = self._post(f"{API}/incidents", body)
        if r is None:
            return None
        ref = r.json().get("ref")
        with self.ledger.lock:
            rec["ref"], rec["acked"] = ref, time.monotonic()
            self.ledger.ref_desc[ref] = desc
            self.ledger.state[ref] = 0
            self.ledger.acked += 1
        return Pipe(ref, subjects)

    def _advance(self, p):
        base = f"{API}/incidents/{p.ref}"
        led = self.ledger
        if p.state < 2:
            r = self._post(base + "/transitions", {"status": STATES[p.state + 1]})
            if r is None:
                p.dead = True
                return
            p.state += 1
            with led.lock:
                led.state[p.ref] = max(led.state.get(p.ref, 0), p.state)
                led.acked += 1
            return
        if not p.assessed:
            r = self._post(base + "/assessments", {})
            if r is None:
                p.dead = True
                return
            got = {a.get("subject"): (a.get("severity"), a.get("recommendation"))
                   for a in r.json().get("assessments", [])}
            if not all(s in got for s in p.subjects):
                led.note_unexpected(f"assessments of {p.ref} lack a subject of {p.subjects}: "
                                    f"{r.describe()}")
                p.dead = True
                return
            p.assessed = got
            with led.lock:
                led.assessed.setdefault(p.ref, {}).update(got)
                led.acked += 1
            return
        if p.to_notice:
            subj = sorted(p.to_notice)[0]
            entry = {"number": None, "sent": time.monotonic(), "acked": None}
            with led.lock:
                led.notices[(p.ref, subj)] = entry
            r = self._post(base + "/notices", {"subject": subj})
            p.to_notice.discard(subj)
            if r is not None:
                with led.lock:
                    entry["number"], entry["acked"] = r.json().get("number"), time.monotonic()
                    led.acked += 1
            return
        subj = next(s for s in p.subjects if s not in p.decided)
        sev, rec = p.assessed[subj]
        d = {"subject": subj, "outcome": rec, "severity": sev,
             "rationale": f"{TAG} decision on {p.ref} for {subj} ({self.label})"}
        if rec not in OUTCOMES:  # the manager grades it: a decision that differs
            d.update(outcome="advice", severity="minor" if sev == "ungraded" else sev,
                     override_reason="graded by the manager")
        entry = dict(d, sent=time.monotonic(), acked=None)
        with led.lock:
            led.decisions[(p.ref, subj)] = entry
        r = self._post(base + "/decisions", d)
        p.decided.add(subj)
        if r is not None and d["outcome"] == "breach-notice":
            p.to_notice.add(subj)
        if r is not None:
            with led.lock:
                entry["acked"] = time.monotonic()
                led.acked += 1


def resync(ledger, db):
    """After a restart: each unfinished pipeline from what the register
    holds (a write in flight at the kill may or may not be there), and
    every incident made by a create left in flight adopted. Returns how
    many writes left in flight turned out to be committed (creates and
    decisions)."""
    con = pgtest.connect_ro(db)
    committed = 0
    try:
        for desc, ref in con.execute("SELECT description, ref FROM incidents WHERE description "
                                     "LIKE ?", (TAG + " %",)):
            rec = ledger.creates.get(desc)
            if rec and rec["ref"] is None:
                committed += 1
                rec["ref"] = ref
                ledger.ref_desc[ref] = desc
                ledger.pipes[ref] = Pipe(ref, rec["body"]["subjects"])
        for ref, p in list(ledger.pipes.items()):
            row = con.execute("SELECT state FROM incidents WHERE ref=?", (ref,)).fetchone()
            if row is None:
                del ledger.pipes[ref]
                continue
            p.state = STATES.index(row[0]) if row[0] in STATES else 99
            if p.state > 2:
                del ledger.pipes[ref]
                continue
            p.assessed = {s: (sev, rec) for s, sev, rec in con.execute(
                "SELECT subject, severity, recommendation FROM assessments WHERE ref=?", (ref,))}
            p.decided = {s for (s,) in con.execute("SELECT subject FROM decisions WHERE ref=?",
                                                   (ref,))}
            for s in p.decided:
                d = ledger.decisions.get((ref, s))
                if d and d["acked"] is None and not d.get("found"):
                    d["found"] = True
                    committed += 1
            noticed = {s for (s,) in con.execute("SELECT subject FROM notices WHERE ref=?",
                                                 (ref,))}
            p.to_notice = {s for (s, o) in con.execute(
                "SELECT subject, outcome FROM decisions WHERE ref=?", (ref,))
                if o == "breach-notice" and s not in noticed}
            if p.assessed and not all(s in p.assessed for s in p.subjects):
                p.assessed = {}  # assess again: it covers every undecided subject
            if p.done():
                del ledger.pipes[ref]
    finally:
        con.close()
    return committed


# ---------------------------------------------------------------- checks

def cli_verify(inst, db=None):
    """Problems from `audit verify` and `trends verify` on db (default:
    inst's register): each must exit 0 with {"ok": true}."""
    db = db or inst.db
    problems = []
    for what in (["audit", "verify"], ["trends", "verify"]):
        argv = [inst.binary, "--db", db, "--json"] + what
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=inst.env(),
                           cwd=inst.dir)
        problems += [f"sanitizer report ({m}) from {' '.join(what)}:\n{clip(r.stderr, 3000)}"
                     for m in SANITIZER_MARKERS if m in r.stderr][:1]
        try:
            ok = r.returncode == 0 and json.loads(r.stdout).get("ok") is True
        except ValueError:
            ok = False
        if not ok:
            problems.append(f"$ breachreg --db {db} --json {' '.join(what)}\n"
                            f"  exit {r.returncode}\n  stdout: {clip(r.stdout)}\n"
                            f"  stderr: {clip(r.stderr)}")
    return problems


def whole(db):
    """Problems with the register at db as a whole: every incident with its
    types, subjects and one report entry in the audit log; every
    assessment, decision, transition, note and notice with its audit
    entry; references and notice numbers gap-free per year and equal to
    their sequences."""
    con = pgtest.connect_ro(db)
    q = lambda s, a=(): con.execute(s, a).fetchall()  # noqa: E731
    out = []
    try:
        for what, sql in (
            ("incidents without a type",
             "SELECT ref FROM incidents i WHERE NOT EXISTS "
             "(SELECT 1 FROM incident_types t WHERE t.ref = i.ref)"),
            ("incidents without a subject",
             "SELECT ref FROM incidents i WHERE NOT EXISTS "
             "(SELECT 1 FROM incident_subjects t WHERE t.ref = i.ref)"),
            ("incidents without exactly one report entry in the audit log",
             "SELECT ref FROM incidents i WHERE (SELECT count(*) FROM audit a WHERE a.entity = "
             "i.ref AND a.action IN ('incident.report', 'incident.import')) != 1"),
            ("report entries in the audit log without their incident",
             "SELECT entity FROM audit a WHERE a.action = 'incident.report' AND NOT EXISTS "
             "(SELECT 1 FROM incidents i WHERE i.ref = a.entity)"),
            ("types or subjects without their incident",
             "SELECT ref FROM incident_types t WHERE NOT EXISTS (SELECT 1 FROM incidents i "
             "WHERE i.ref = t.ref) UNION SELECT ref FROM incident_subjects t WHERE NOT EXISTS "
             "(SELECT 1 FROM incidents i WHERE i.ref = t.ref)"),
            ("decisions without their audit entry",
             "SELECT ref || ' ' || subject FROM decisions d WHERE NOT EXISTS (SELECT 1 FROM "
             "audit a WHERE a.entity = d.ref AND a.action = 'incident.decide' AND "
             "json_extract(a.detail, '$.subject') = d.subject)"),
            ("decision entries in the audit log without their decision",
             "SELECT entity || ' ' || json_extract(detail, '$.subject') FROM audit a WHERE "
             "a.action = 'incident.decide' AND NOT EXISTS (SELECT 1 FROM decisions d WHERE "
             "d.ref = a.entity AND d.subject = json_extract(a.detail, '$.subject'))"),
            ("assessments without their audit entry",
             "SELECT ref || ' ' || subject FROM assessments d WHERE NOT EXISTS (SELECT 1 FROM "
             "audit a WHERE a.entity = d.ref AND a.action = 'incident.assess' AND "
             "json_extract(a.detail, '$.subject') = d.subject)"),
            ("incidents whose transitions and transition entries differ in number",
             "SELECT ref FROM incidents i WHERE (SELECT count(*) FROM transitions t WHERE "
             "t.ref = i.ref) != (SELECT count(*) FROM audit a WHERE a.entity = i.ref AND "
             "a.action = 'incident.transition')"),
            ("incidents whose notes and note entries differ in number",
             "SELECT ref FROM incidents i WHERE (SELECT count(*) FROM notes t WHERE "
             "t.ref = i.ref) != (SELECT count(*) FROM audit a WHERE a.entity = i.ref AND "
             "a.action = 'incident.note')"),
            ("notices without their audit entry",
             "SELECT number FROM notices n WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE "
             "a.entity = n.number AND a.action = 'notice.issue')"),
            ("notice entries in the audit log without their notice",
             "SELECT entity FROM audit a WHERE a.action = 'notice.issue' AND NOT EXISTS "
             "(SELECT 1 FROM notices n WHERE n.number = a.entity)"),
            ("notices without their warning",
             "SELECT number FROM notices n WHERE NOT EXISTS (SELECT 1 FROM warnings w WHERE "
             "w.source = n.number)"),
            ("notices without their decision",
             "SELECT number FROM notices n WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE "
             "d.ref = n.ref AND d.subject = n.subject)"),
        ):
            rows = q(sql)
            if rows:
                out.append(f"{what}: {len(rows)}, e.g. {[r[0] for r in rows[:5]]}")
        for table, name in (("incidents", "SB"), ("notices", "BN")):
            for year, n, lo, hi in q(f"SELECT year, count(*), min(seq), max(seq) FROM {table} "
                                     "GROUP BY year"):
                if not (lo == 1 and hi == n):
                    have = {s for (s,) in q(f"SELECT seq FROM {table} WHERE year = ?", (year,))}
                    gaps = sorted(set(range(1, hi + 1)) - have)[:10]
                    out.append(f"{name}-{year} numbers are not gap-free: {n} numbers up to {hi}, "
                               f"missing {gaps}")
                last = q("SELECT last FROM sequences WHERE name = ? AND year = ?", (name, year))
                if not last or last[0][0] != hi:
                    out.append(f"{name}-{year}: the sequence says {last}, the highest number is "
                               f"{hi}")
        head = q("SELECT seq, hash FROM audit_head")
        last = q("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        if head != last:
            out.append(f"audit head {head} is not the last entry {last}")
    finally:
        con.close()
    return out


def ours(db):
    """The test's incidents in the register at db: description -> {ref,
    kind, org, types, subjects, state, decisions {subject: (outcome,
    severity, rationale)}, assessed {subject}}."""
    con = pgtest.connect_ro(db)
    out = {}
    try:
        for ref, desc, kind, org, state in con.execute(
                "SELECT ref, description, kind, org, state FROM incidents WHERE description "
                "LIKE ?", (TAG + " %",)):
            if desc in out:
                out[desc]["dup"].append(ref)
                continue
            out[desc] = {
                "ref": ref, "kind": kind, "org": org, "state": state, "dup": [],
                "types": [t for (t,) in con.execute(
                    "SELECT type FROM incident_types WHERE ref=? ORDER BY position", (ref,))],
                "subjects": [s for (s,) in con.execute(
                    "SELECT staff_id FROM incident_subjects WHERE ref=? ORDER BY position",
                    (ref,))],
                "assessed": {s for (s,) in con.execute(
                    "SELECT subject FROM assessments WHERE ref=?", (ref,))},
                "decisions": {s: (o, v, r) for s, o, v, r in con.execute(
                    "SELECT subject, outcome, severity, rationale FROM decisions WHERE ref=?",
                    (ref,))},
                "notices": dict(con.execute(
                    "SELECT subject, number FROM notices WHERE ref=?", (ref,)).fetchall()),
            }
    finally:
        con.close()
    return out


def acknowledged(ledger, db):
    """Problems with the acknowledged writes in the register at db (and
    with the test's incidents in it): each acknowledged create present as
    sent, under its reference; each incident of ours made by a request we
    sent, once, complete; each acknowledged transition, assessment,
    decision and breach notice there (a notice under its number)."""
    have = ours(db)
    out = []
    for desc, got in have.items():
        rec = ledger.creates.get(desc)
        if rec is None:
            out.append(f"{got['ref']} ({desc!r}) matches no request that was sent")
            continue
        if got["dup"]:
            out.append(f"{desc!r} was recorded more than once: {[got['ref']] + got['dup']}")
        body = rec["body"]
        want = (body["kind"], body["org"], body["types"], body["subjects"])
        if (got["kind"], got["org"], got["types"], got["subjects"]) != want:
            out.append(f"{got['ref']} is not as sent: kind, org, types, subjects "
                       f"{(got['kind'], got['org'], got['types'], got['subjects'])} vs {want}")
        if rec["ref"] is not None and rec["ref"] != got["ref"]:
            out.append(f"{desc!r} was acknowledged as {rec['ref']} but is {got['ref']}")
    by_ref = {g["ref"]: g for g in have.values()}
    for desc, rec in ledger.creates.items():
        if rec["acked"] is not None and desc not in have:
            out.append(f"LOST: acknowledged incident {rec['ref']} ({desc!r}) is not in the "
                       "register")
    for ref, st in ledger.state.items():
        g = by_ref.get(ref)
        if g and (STATES.index(g["state"]) if g["state"] in STATES else 99) < st:
            out.append(f"LOST: {ref} is {g['state']!r}, but the move to {STATES[st]!r} was "
                       "acknowledged")
    for ref, subs in ledger.assessed.items():
        g = by_ref.get(ref)
        if g and not set(subs) <= g["assessed"]:
            out.append(f"LOST: acknowledged assessments of {ref} for "
                       f"{sorted(set(subs) - g['assessed'])} are not in the register")
    for (ref, subj), d in ledger.decisions.items():
        g = by_ref.get(ref)
        got = g and g["decisions"].get(subj)
        if d["acked"] is not None and not got:
            out.append(f"LOST: acknowledged decision on {ref} for {subj} is not in the register")
        elif got and got != (d["outcome"], d["severity"], d["rationale"]):
            out.append(f"the decision on {ref} for {subj} is {got}, not as sent "
                       f"{(d['outcome'], d['severity'], d['rationale'])}")
    for (ref, subj), n in ledger.notices.items():
        g = by_ref.get(ref)
        got = g and g["notices"].get(subj)
        if n["acked"] is not None and got != n["number"]:
            out.append(f"LOST: acknowledged notice {n['number']} on {ref} for {subj} is "
                       f"{'not in the register' if not got else got}")
    return out


def audit_over_http(inst, refs):
    """Problems seen in GET /api/v1/audit?ref= for refs: each incident of
    ours has its report entry, and one decide entry per decision it holds."""
    have = {g["ref"]: g for g in ours(inst.db).values()}
    out = []
    for ref in refs:
        r = request(inst.port, "GET", f"{API}/audit?ref={ref}", token=inst.tokens["security"])
        if r.status != 200:
            out.append(f"GET /audit?ref={ref}: {r.describe()}")
            continue
        entries = r.json().get("entries", [])
        actions = [e["action"] for e in entries]
        g = have.get(ref)
        if g is None:
            if entries:
                out.append(f"{ref} is not in the register but has audit entries {actions}")
            continue
        if actions.count("incident.report") != 1:
            out.append(f"{ref}: {actions.count('incident.report')} report entries in {actions}")
        decided = {(e.get("detail") or {}).get("subject") for e in entries
                   if e["action"] == "incident.decide"}
        if decided != set(g["decisions"]):
            out.append(f"{ref}: decisions {sorted(g['decisions'])} but decide entries for "
                       f"{sorted(x for x in decided if x)}")
    return out


def kill9(inst):
    """SIGKILL the server; returns problems seen on its stderr so far."""
    inst.proc.kill()
    inst.proc.wait()
    inst._err.close()
    inst.proc = None
    err = inst.stderr()
    return [f"sanitizer report ({m}) before the kill:\n{clip(err, 3000)}"
            for m in SANITIZER_MARKERS if m in err][:1]
