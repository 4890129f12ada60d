#!/usr/bin/env python3
"""Several stateless nodes on one register (issue 6): two `breachreg serve`
processes on one database, 8 parallel clients sending incidents to each.

Usage: python3 tests/api/test_multinode.py BINARY [-k NAME]...

Checks that every incident a node acknowledged (201 with a reference) is
stored exactly once, that references are unique and gap-free for the
year, that the audit hash chain is one linear chain (`audit verify`), that
the rollups match a recount (`trends verify`), and that a token and a web
session made through one node are valid on the other. Runs on SQLite (two
processes on one file) and, with BR_TEST_BACKEND=pgsql, on PostgreSQL:
the case the shared engine is for.
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import json
import os
import re
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_helpers import Instance, Runner, check, eq, fail, request  # noqa: E402

CLIENTS = 8      # per node
PER_CLIENT = 6   # incidents each client sends
REF_RE = re.compile(r"SB-2026-(\d{6})")

runner = Runner()
test = runner.test
BINARY = None


class World:
    a = b = None


def body(n):
    return {"kind": "breach", "org": "hmcts", "types": ["pass-lost"],
            "classification": "none", "intent": "accidental", "damage": "low",
            "occurred_at": "2026-11-19T17:00:00Z", "discovered_at": "2026-11-20T09:30:00Z",
            "description": f"multinode incident {n}", "subjects": ["S2002"]}


def world():
    if World.a is None:
        a = Instance(BINARY, "multinode")
        World.a = a
        a.cli("init")
        a.cli("org", "add", "hmcts", "HM Courts & Tribunals Service")
        a.cli("person", "add", "S1001", "--name", "Rae Reporter", "--org", "hmcts")
        a.cli("person", "add", "S2002", "--name", "Sam Subject", "--org", "hmcts")
        a.user("sec", "S1001", ["security"])
        World.b = a.sibling(name="node-b")
        a.start()
        World.b.start()
    return World.a, World.b


@test
def parallel_reports_through_two_nodes():
    a, b = world()
    acked, errors = [], []
    lock = threading.Lock()

    def client(node, k):
        for i in range(PER_CLIENT):
            n = f"{node.port}-{k}-{i}"
            try:
                r = request(node.port, "POST", "/api/v1/incidents", body=body(n),
                            token=a.tokens["sec"], timeout=120)
            except OSError as e:
                with lock:
                    errors.append(f"{n}: {e}")
                continue
            with lock:
                if r.status == 201:
                    acked.append((r.json().get("ref"), n))
                else:
                    errors.append(f"{n}: HTTP {r.status} {r.text[:200]}")

    threads = [threading.Thread(target=client, args=(node, k))
               for node in (a, b) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, "refused or failed requests:\n" + "\n".join(errors[:10]))
    eq(len(acked), 2 * CLIENTS * PER_CLIENT, "acknowledged incidents")
    refs = [ref for ref, _ in acked]
    eq(len(set(refs)), len(refs), "references unique")
    nums = sorted(int(REF_RE.fullmatch(r).group(1)) for r in refs)
    eq(nums, list(range(1, len(refs) + 1)), "references gap-free from 1")
    stored = {d: r for r, d in a.sql("SELECT ref, description FROM incidents")}
    eq(len(stored), len(acked), "rows in incidents")
    for ref, n in acked:
        eq(stored.get(f"multinode incident {n}"), ref, f"incident {n} stored once, as {ref}")


@test
def audit_chain_and_rollups_hold():
    a, _ = world()
    v = json.loads(a.cli("--json", "audit", "verify").stdout)
    eq(v.get("ok"), True, "audit verify after the concurrent run")
    seqs = [s for (s,) in a.sql("SELECT seq FROM audit ORDER BY seq")]
    eq(seqs, list(range(1, len(seqs) + 1)), "one linear chain of audit entries")
    r = a.cli("trends", "verify", ok=False)
    eq(r.returncode, 0, f"trends verify (rollups against a recount): {r.stdout}{r.stderr}")


@test
def tokens_and_sessions_valid_on_every_node():
    a, b = world()
    for node in (a, b):
        eq(request(node.port, "GET", "/api/v1/incidents?limit=1", token=a.tokens["sec"]).status,
           200, f"token on node {node.port}")
    a.cli("user", "add", "web", "--person", "S1001", "--role", "security",
          stdin="correct horse battery staple\n")
    r = request(a.port, "POST", "/api/v1/session",
                body={"name": "web", "password": "correct horse battery staple"})
    check(r.status in (200, 201), f"sign in on node a: {r.status} {r.text[:200]}")
    cookie = None
    for sc in r.header_all("Set-Cookie"):
        m = re.match(r"br_session=([^;]*)", sc)
        cookie = cookie or (m.group(1) if m else None)
    check(cookie, "a session cookie")
    eq(request(b.port, "GET", "/api/v1/incidents?limit=1", cookie=cookie).status, 200,
       "the session made on node a, on node b")


@test
def nodes_stop_cleanly():
    a, b = world()
    problems = b.stop() + a.stop()
    if problems:
        fail("\n".join(problems))


def main():
    global BINARY
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    BINARY = os.path.abspath(args[0])
    only = [args[i + 1] for i, x in enumerate(args) if x == "-k" and i + 1 < len(args)]
    try:
        passed, failed = runner.run(only)
    finally:
        if World.b is not None and World.b.proc is not None:
            World.b.stop()
        if World.a is not None:
            World.a.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
