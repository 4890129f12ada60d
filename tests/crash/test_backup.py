#!/usr/bin/env python3
"""Backup under write load and restore (SPEC 6.1 `backup FILE`, `restore
FILE`; issue 7 item 4), against a real `breachreg serve` on an
`init --demo` register.

While several threads write (reports, transitions, assessments,
decisions), `breachreg backup COPY` runs (its own connection to the same
database), three times. Each copy must pass `audit verify` and `trends
verify`, be whole (every incident with its rows and audit entries, every
decision with its audit entry, references gap-free) and hold the register
as it was at one moment: every write acknowledged before the backup
started, and nothing sent after it finished. (A write can commit before
its acknowledgement reaches the client, so the upper bound is what was
sent by then, not what was acknowledged.)

`restore COPY` into a fresh path gives that register, verified, with one
more audit entry ("register.restore" carrying the copy's SHA-256) and no
web sessions, that a server serves with the copied accounts and tokens.
Over a register whose server was killed with SIGKILL (through a symbolic
link, with a stray rollback journal too) it leaves no stale log behind
and keeps the replaced file's mode; over a register in use it is refused
(exit 1). Garbage, an empty file, a truncated or damaged copy, a copy
whose audit log was edited or cut short, a copy whose rollups disagree
with a recount, a copy with changes still in a log beside it, another
program's SQLite database and a missing file are refused with exit 2
naming "file", and nothing changes: not the register, not its
directory, not the file given.

Usage: python3 tests/crash/test_backup.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_helpers import (SANITIZER_MARKERS, TAG, Instance, Ledger, Load, Runner,  # noqa: E402
                           check, cli_verify, clip, demo_instance, eq, fail, kill9, ours,
                           people_by_org, request, whole)

API = "/api/v1"
runner = Runner()
test = runner.test


class World:
    inst = None
    error = None
    ledger = Ledger()
    people = None
    scratch = None
    copies = []     # (path of the pristine copy, lower bound, upper bound)
    restored = None  # the fresh register restored from a copy


def world():
    if World.error:
        fail(f"setup failed earlier: {World.error}")
    if World.inst is None:
        try:
            World.inst = demo_instance(BINARY, "backup")
            World.people = people_by_org(World.inst)
            World.scratch = tempfile.mkdtemp(prefix="breachreg-restore-")
        except Exception as e:  # noqa: BLE001
            World.error = str(e).splitlines()[0] if str(e) else repr(e)
            raise
    return World.inst


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(db, *args, cwd=None):
    """The binary on another register than the instance's."""
    inst = world()
    argv = [inst.binary, "--db", db] + [str(a) for a in args]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=inst.env(),
                       cwd=cwd or World.scratch)
    for m in SANITIZER_MARKERS:
        if m in r.stderr:
            fail(f"sanitizer report ({m}) from {' '.join(argv)}\n{clip(r.stderr, 3000)}")
    r.describe = lambda: (f"$ {' '.join(argv)}\n  exit {r.returncode}\n  stdout: "
                          f"{clip(r.stdout)}\n  stderr: {clip(r.stderr)}")
    return r


def table_rows(db, skip=("audit", "audit_head", "sessions")):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                           "ORDER BY name") if n not in skip]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names}
    finally:
        con.close()


def audit_rows(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT seq, at, actor, action, entity, detail, prev, hash FROM audit "
                           "ORDER BY seq").fetchall()
    finally:
        con.close()


def listing(d):
    return sorted(os.listdir(d))


# ---------------------------------------------------------------- backup

@test
def backup_under_write_load_is_one_moment_of_the_register():
    inst, led = world(), World.ledger
    rng = random.Random()
    load = Load(inst, led, World.people, "b", threads=6, seed=rng.random())
    load.start()
    marks = []
    try:
        time.sleep(0.4)
        for k in range(3):
            path = os.path.join(World.scratch, f"copy{k}.db")
            t0 = time.monotonic()
            with led.lock:
                lo_inc = {d for d, r in led.creates.items() if r["acked"] is not None}
                lo_dec = {k2 for k2, d in led.decisions.items() if d["acked"] is not None}
            r = run(inst.db, "backup", path)
            t1 = time.monotonic()
            check(r.returncode == 0, f"backup under load failed\n{r.describe()}")
            with led.lock:
                hi_inc = {d for d, r2 in led.creates.items() if r2["sent"] < t1}
                hi_dec = {k2 for k2, d in led.decisions.items() if d["sent"] < t1}
            # Kept byte for byte before anything opens it (opening converts it to WAL).
            pristine = os.path.join(World.scratch, f"pristine{k}.db")
            shutil.copyfile(path, pristine)
            marks.append((path, pristine, lo_inc, hi_inc, lo_dec, hi_dec, t1 - t0))
            time.sleep(rng.uniform(0.2, 0.4))
    finally:
        load.stop()
    check(not led.unexpected, "unexpected answers under load:\n" + "\n".join(led.unexpected))
    eq(led.inflight, 0, "requests left without an answer (the server was not killed)")
    demo = inst.sql("SELECT count(*) FROM incidents WHERE description NOT LIKE ?",
                    (TAG + " %",))[0][0]
    problems = []
    for path, pristine, lo_inc, hi_inc, lo_dec, hi_dec, took in marks:
        name = os.path.basename(path)
        problems += [f"{name}: {p}" for p in cli_verify(inst, path) + whole(path)]
        have = ours(path)
        decs = {(g["ref"], s) for g in have.values() for s in g["decisions"]}
        missing = sorted(lo_inc - set(have))
        extra = sorted(set(have) - hi_inc)
        if missing:
            problems.append(f"{name}: {len(missing)} incidents acknowledged before the backup "
                            f"started are not in it, e.g. {missing[:3]}")
        if extra:
            problems.append(f"{name}: {len(extra)} incidents sent after the backup finished are "
                            f"in it, e.g. {extra[:3]}")
        refs = {d: led.creates[d]["ref"] for d in have if d in led.creates}
        if not lo_dec <= decs:
            problems.append(f"{name}: decisions acknowledged before the backup started are not "
                            f"in it: {sorted(lo_dec - decs)[:3]}")
        if not decs <= hi_dec:
            problems.append(f"{name}: decisions sent after the backup finished are in it: "
                            f"{sorted(decs - hi_dec)[:3]}")
        for d, g in have.items():
            body = led.creates.get(d, {}).get("body")
            if body and (g["types"], g["subjects"]) != (body["types"], body["subjects"]):
                problems.append(f"{name}: {g['ref']} is not whole: {g['types']} {g['subjects']}")
            if refs.get(d) and refs[d] != g["ref"]:
                problems.append(f"{name}: {d!r} is {g['ref']}, acknowledged as {refs[d]}")
        others = sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute(
            "SELECT count(*) FROM incidents WHERE description NOT LIKE ?", (TAG + " %",)
        ).fetchone()[0]
        if others != demo:
            problems.append(f"{name}: {others} incidents not ours, the register has {demo}")
        print(f"     {name}: {len(have)} of our incidents and {len(decs)} decisions "
              f"(acknowledged before: {len(lo_inc)}, sent by the end: {len(hi_inc)}); "
              f"backup took {took:.2f} s", flush=True)
    if problems:
        fail("\n".join(problems))
    World.copies = marks


# ---------------------------------------------------------------- restore

def a_copy():
    if not World.copies:
        fail("no backup was made (an earlier test failed)")
    return World.copies[len(World.copies) // 2][1]


@test
def restore_into_a_fresh_path_gives_the_copy_with_its_restore_audited():
    copy = a_copy()
    digest = sha256(copy)
    d = tempfile.mkdtemp(prefix="fresh-", dir=World.scratch)
    target = os.path.join(d, "restored.db")
    r = run(target, "--json", "restore", copy)
    check(r.returncode == 0, f"restore into a fresh path\n{r.describe()}")
    out = json.loads(r.stdout)
    eq(out.get("sha256"), digest, "the restore's report of the copy's SHA-256")
    eq(sha256(copy), digest, "the copy after the restore (restore never writes it)")
    eq(listing(d), ["restored.db"], "files beside the restored register")
    eq(oct(os.stat(target).st_mode & 0o777), "0o600", "mode of the restored register")
    problems = cli_verify(world(), target) + whole(target)
    check(not problems, "the restored register:\n" + "\n".join(problems))
    # Kept aside for the restore's own comparisons: the copy as it is when opened.
    opened = os.path.join(World.scratch, "opened.db")
    shutil.copyfile(copy, opened)
    run(opened, "audit", "verify")
    eq(table_rows(target), table_rows(opened), "every table but the audit log, restored vs copy")
    before, after = audit_rows(opened), audit_rows(target)
    eq(after[:-1], before, "the audit log up to the restore's entry")
    last = after[-1]
    eq((last[3], last[4]), ("register.restore", digest), "the last audit entry (action, entity)")
    eq(json.loads(last[5]).get("sha256"), digest, "the restore entry's sha256")
    eq(last[6], before[-1][7], "the restore entry chains to the copy's last entry")
    eq(sqlite3.connect(target).execute("SELECT count(*) FROM sessions").fetchone()[0], 0,
       "web sessions in the restored register")
    # A server serves it, with the copied accounts and tokens.
    srv = Instance(BINARY, "restored")
    srv.db = target
    srv.tokens = world().tokens
    try:
        srv.start()
        ref = next(iter(ours(target).values()))["ref"]
        r2 = request(srv.port, "GET", f"{API}/incidents/{ref}", token=srv.tokens["security"])
        eq(r2.status, 200, f"GET {ref} from a server on the restored register: {r2.describe()}")
        problems = srv.stop()
        check(not problems, "\n".join(problems))
    finally:
        srv.close()
    check(not [f for f in listing(d) if f != "restored.db" and not f.endswith(("-wal", "-shm"))],
          f"files beside the restored register after serving: {listing(d)}")
    World.restored = target


@test
def restore_ends_the_copys_web_sessions():
    src = os.path.join(World.scratch, "with-session.db")
    shutil.copyfile(a_copy(), src)
    con = sqlite3.connect(src)
    con.execute("INSERT INTO sessions (hash, account, csrf, created_at, last_seen_at, expires_at) "
                "VALUES (?, 'security', 'x', '2026-11-28T09:00:00Z', '2026-11-28T09:30:00Z', "
                "'2026-11-28T17:00:00Z')", ("ab" * 32,))
    con.commit()
    con.close()
    target = os.path.join(tempfile.mkdtemp(prefix="sessions-", dir=World.scratch), "reg.db")
    r = run(target, "restore", src)
    check(r.returncode == 0, f"restore of a copy with a web session\n{r.describe()}")
    con = sqlite3.connect(target)
    try:
        eq(con.execute("SELECT count(*) FROM sessions").fetchone()[0], 0, "sessions after it")
        detail = json.loads(con.execute("SELECT detail FROM audit ORDER BY seq DESC LIMIT 1")
                            .fetchone()[0])
    finally:
        con.close()
    eq(detail.get("sessions_ended"), 1, f"sessions_ended in the restore entry {detail}")


@test
def restore_over_a_killed_register_leaves_no_stale_log():
    copy = a_copy()
    # The register to be replaced: another copy, served with the same accounts.
    victim = Instance(BINARY, "victim")
    shutil.copyfile(World.copies[0][1], victim.db)
    victim.tokens = world().tokens
    try:
        victim.start()
        for i in range(20):
            r = request(victim.port, "POST", f"{API}/incidents",
                        body={"org": "laa", "types": ["pass-lost"], "subjects": ["S10400"],
                              "discovered_at": "2026-11-20T09:30:00Z",
                              "description": f"victim {i}"},
                        token=victim.tokens["security"])
            eq(r.status, 201, f"a write before the kill: {r.describe()}")
        kill9(victim)
        wal = victim.db + "-wal"
        check(os.path.exists(wal) and os.path.getsize(wal) > 0,
              f"the killed server left no log to be stale: {listing(victim.dir)}")
        with open(victim.db + "-journal", "wb") as f:  # and a stray rollback journal
            f.write(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 504)
        os.chmod(victim.db, 0o640)
        # Through a symbolic link: the file it names is replaced.
        link = os.path.join(victim.dir, "link.db")
        os.symlink(victim.db, link)
        r = run(link, "restore", copy)
        check(r.returncode == 0, f"restore over a killed register\n{r.describe()}")
        check(os.path.islink(link), "the symbolic link was replaced")
        left = [f for f in listing(victim.dir) if f.startswith("reg.db")]
        eq(left, ["reg.db"], "the register's files after the restore")
        eq(oct(os.stat(victim.db).st_mode & 0o777), "0o640", "the replaced register's mode")
        problems = cli_verify(victim) + whole(victim.db)
        check(not problems, "the restored register:\n" + "\n".join(problems))
        eq(sorted(ours(victim.db)), sorted(ours(copy)), "our incidents, restored vs copy")
        eq(victim.sql("SELECT count(*) FROM incidents WHERE description LIKE 'victim %'")[0][0],
           0, "incidents of the replaced register")
    finally:
        victim.close()


@test
def restore_over_a_register_in_use_is_refused():
    inst = world()
    check(inst.alive(), "the server is not running")
    before = (sha256(inst.db), inst.sql("SELECT seq, hash FROM audit_head"), listing(inst.dir))
    r = run(inst.db, "restore", a_copy())
    eq(r.returncode, 1, f"exit status of a restore over a register in use\n{r.describe()}")
    check("db" in r.stderr and "in use" in r.stderr, f"the refusal's message\n{r.describe()}")
    after = (sha256(inst.db), inst.sql("SELECT seq, hash FROM audit_head"), listing(inst.dir))
    eq(after, before, "the register in use, its audit head and its directory")
    r = request(inst.port, "GET", "/healthz")
    eq(r.status, 200, "the server after the refused restore")


def bad_files():
    """name -> path of a file restore must refuse, made from a copy."""
    copy = a_copy()
    d = tempfile.mkdtemp(prefix="bad-", dir=World.scratch)
    out = {}

    def make(name, data):
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(data)
        out[name] = p
        return p

    with open(copy, "rb") as f:
        raw = f.read()
    make("garbage.db", bytes(random.Random(7).getrandbits(8) for _ in range(8192)))
    make("empty.db", b"")
    make("text.db", b"this is not a register\n" * 100)
    make("truncated.db", raw[:len(raw) // 2])
    # The header intact, pages in the middle overwritten.
    make("corrupt.db", raw[:8192] + b"\xff" * (len(raw) - 16384) + raw[-8192:])

    def edited(name, *sql):
        p = make(name, raw)
        con = sqlite3.connect(p)
        for s in sql:
            con.execute(s)
        con.commit()
        con.close()
        check(not os.path.exists(p + "-wal"), f"{name} kept a log")
        return p

    edited("audit-edited.db", "UPDATE audit SET detail = '{\"tampered\":true}' WHERE seq = "
           "(SELECT seq FROM audit WHERE action = 'incident.decide' ORDER BY seq DESC LIMIT 1)")
    edited("audit-row-removed.db", "DELETE FROM audit WHERE seq = 100")
    edited("audit-cut-short.db", "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    edited("rollups-edited.db", "UPDATE rollup_times SET n = n + 5")
    edited("foreign.db", "PRAGMA application_id = 7")
    p = make("plain.db", b"")
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    # A copy with committed changes still in its log, as a process killed
    # with the database open leaves it: the main file and its -wal, taken
    # while the writer's connection is open.
    src = make("src.db", raw)
    con = sqlite3.connect(src)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA wal_autocheckpoint = 0")
    con.execute("CREATE TABLE later (x)")
    con.commit()
    shutil.copyfile(src, os.path.join(d, "with-log.db"))
    shutil.copyfile(src + "-wal", os.path.join(d, "with-log.db-wal"))
    con.close()
    os.unlink(src)
    del out["src.db"]
    out["with-log.db"] = os.path.join(d, "with-log.db")
    check(os.path.getsize(out["with-log.db"] + "-wal") > 0, "with-log.db has no log")
    # Or a rollback journal left beside it by a crash.
    make("with-journal.db", raw)
    with open(out["with-journal.db"] + "-journal", "wb") as f:
        f.write(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 504)
    out["missing.db"] = os.path.join(d, "missing.db")
    return out


@test
def restore_refuses_bad_files_and_changes_nothing():
    target = World.restored
    if not target:
        fail("no restored register (an earlier test failed)")
    d = os.path.dirname(target)
    before = (sha256(target), listing(d))
    problems = []
    for name, path in bad_files().items():
        given = sha256(path) if os.path.exists(path) else None
        r = run(target, "restore", path)
        if r.returncode != 2:
            problems.append(f"{name}: exit {r.returncode}, want 2\n{r.describe()}")
        elif not r.stderr.startswith("breachreg: file: "):
            problems.append(f"{name}: the message does not name \"file\"\n{r.describe()}")
        if (sha256(target), listing(d)) != before:
            problems.append(f"{name}: the register or its directory changed: {listing(d)}")
            before = (sha256(target), listing(d))
        if given and sha256(path) != given:
            problems.append(f"{name}: restore changed the file it was given")
        print(f"     {name}: exit {r.returncode}: {r.stderr.strip()[:150]}", flush=True)
    r = run(target, "restore", target)
    if r.returncode != 2:
        problems.append(f"the register onto itself: exit {r.returncode}\n{r.describe()}")
    problems += cli_verify(world(), target)
    check(not problems, "\n".join(problems))


@test
def server_stops_cleanly():
    problems = world().stop()
    check(not problems, "\n".join(problems))


def main():
    global BINARY
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    BINARY = os.path.abspath(args[0])
    only = [args[i + 1] for i, a in enumerate(args) if a == "-k" and i + 1 < len(args)]
    try:
        passed, failed = runner.run(only or None)
    finally:
        if World.inst is not None:
            World.inst.close()
        if World.scratch:
            shutil.rmtree(World.scratch, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
