"""helpers: a throwaway breachreg register on a temp database, a tiny test
runner, and the assertions the CLI tests share (STYLE habit 10).

Python 3 standard library only. Each test gets its own Register: a fresh
temporary directory holding the SQLite file, with the clock fixed through
BREACHREG_NOW unless the test moves it."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pgtest  # noqa: E402  (the PostgreSQL switch: BR_TEST_BACKEND=pgsql)
from pgtest import sqlite_only  # noqa: E402,F401

# The default clock of every register: a year that is not "now", so that a
# reference numbered by the real clock instead of BREACHREG_NOW is caught.
DEFAULT_NOW = "2030-03-02T10:00:00Z"

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",  # UBSan
    "SUMMARY: AddressSanitizer",
    "SUMMARY: UndefinedBehaviorSanitizer",
)


# A command to run the binary under, e.g. valgrind (make test does: see
# scripts/valgrind-cli.sh); empty for none.
WRAPPER = os.environ.get("BREACHREG_TEST_WRAPPER", "").split()

# What valgrind memcheck prints for an error or a leak (it exits 99 too).
SANITIZER_MARKERS_VALGRIND = ("definitely lost in", "indirectly lost in", "Invalid read",
                              "Invalid write", "uninitialised value", "Invalid free")


class TestFailure(AssertionError):
    pass


def fail(msg):
    raise TestFailure(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def eq(got, want, what):
    if got != want:
        fail(f"{what}: got {got!r}, want {want!r}")


def names_field(text, field):
    """True if text names field as a whole token: "types" is not found in
    "types[0]" nor "org" in "organisation"."""
    pat = r"(?<![\w.\[\]-])" + re.escape(field) + r"(?![\w\[-])"
    return re.search(pat, text or "") is not None


class Result:
    def __init__(self, argv, code, out, err, env_now):
        self.argv, self.code, self.out, self.err, self.now = argv, code, out, err, env_now

    def describe(self):
        now = f"BREACHREG_NOW={self.now} " if self.now else ""
        return (f"$ {now}{' '.join(_quote(a) for a in self.argv)}\n"
                f"  exit {self.code}\n  stdout: {_clip(self.out)}\n  stderr: {_clip(self.err)}")

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as e:
            fail(f"stdout is not JSON ({e})\n{self.describe()}")


def _quote(a):
    return a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a.replace("'", "'\\''") + "'"


def _clip(s, n=600):
    s = s.rstrip("\n")
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


class Register:
    """One throwaway instance: a temp directory and database path."""

    def __init__(self, binary, name="t"):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix=f"breachreg-{name}-")
        self.pg = pgtest.enabled()
        self.db = pgtest.new_db() if self.pg else os.path.join(self.dir, "reg.db")
        self.now = DEFAULT_NOW
        self.log = []  # every command run, for failure reports

    def close(self):
        if self.pg:
            pgtest.drop(self.db)
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, content):
        """Writes a fixture into the temp dir (JSON if not a str); returns its path."""
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(content if isinstance(content, str) else json.dumps(content))
        return p

    def run(self, *args, now=None, stdin=None, db=None, env=None, use_db=True, timeout=None):
        argv = WRAPPER + [self.binary]
        if use_db:
            argv += ["--db", db or self.db]
        argv += list(args)
        e = dict(os.environ)
        e.pop("BREACHREG_DB", None)
        clock = now if now is not None else self.now
        if clock:
            e["BREACHREG_NOW"] = clock
        else:
            e.pop("BREACHREG_NOW", None)
        if env:
            e.update(env)
        # A server round trip per statement: PostgreSQL runs get longer.
        # Under valgrind every command runs 20-50 times slower (init --demo
        # hashes eight Argon2id passwords of 64 MiB each: about a minute),
        # so a wrapped run gets ten times the limit.
        limit = timeout or (240 if self.pg else 60)
        if WRAPPER:
            limit *= 10
        r = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                           timeout=limit, env=e, cwd=self.dir)
        res = Result(argv, r.returncode, r.stdout, r.stderr, clock)
        self.log.append(res)
        for m in SANITIZER_MARKERS + (SANITIZER_MARKERS_VALGRIND if WRAPPER else ()):
            if m in r.stderr:
                fail(f"sanitizer report ({m})\n{res.describe()}")
        if r.returncode < 0:
            fail(f"killed by signal {-r.returncode}\n{res.describe()}")
        return res

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        if r.code != 0:
            fail(f"expected exit 0\n{r.describe()}")
        return r

    def ok_json(self, *args, **kw):
        return self.ok("--json", *args, **kw).json()

    def out(self, *args, **kw):
        """stdout of a successful run, stripped."""
        return self.ok(*args, **kw).out.strip()

    def refuses(self, code, *args, field=None, **kw):
        """Runs a command that must fail with exit code, naming field on stderr."""
        r = self.run(*args, **kw)
        if r.code != code:
            fail(f"expected exit {code}\n{r.describe()}")
        if field is not None and not names_field(r.err, field):
            fail(f"stderr does not name the field {field!r}\n{r.describe()}")
        return r

    # ---- the database, read directly (black box: only for comparing
    # content and for tampering, never to set up state) ----
    def dump(self, db=None):
        """Every table's rows, in rowid order: the register's whole content."""
        if pgtest.is_url(db or self.db):
            return pgtest.dump(db or self.db)
        con = sqlite3.connect(db or self.db)
        try:
            out = {}
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            for t in tables:
                q = '"' + t.replace('"', '""') + '"'
                try:
                    rows = con.execute(f"SELECT * FROM {q} ORDER BY rowid").fetchall()
                except sqlite3.OperationalError:  # WITHOUT ROWID
                    rows = sorted(con.execute(f"SELECT * FROM {q}").fetchall(), key=repr)
                out[t] = rows
            return out
        finally:
            con.close()

    def sql(self, statement, params=()):
        if self.pg:
            return pgtest.sql(self.db, statement, params)
        con = sqlite3.connect(self.db)
        try:
            cur = con.execute(statement, params)
            rows = cur.fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def columns(self, table):
        if self.pg:
            return pgtest.columns(self.db, table)
        con = sqlite3.connect(self.db)
        try:
            return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        finally:
            con.close()


def dump_diff(before, after):
    """A short description of how two dumps differ ('' if equal)."""
    lines = []
    for t in sorted(set(before) | set(after)):
        b, a = before.get(t), after.get(t)
        if b == a:
            continue
        if b is None or a is None:
            lines.append(f"table {t} {'appeared' if b is None else 'vanished'}")
            continue
        added = [r for r in a if r not in b]
        removed = [r for r in b if r not in a]
        lines.append(f"table {t}: {len(b)} -> {len(a)} rows; added {_clip(repr(added[:3]), 300)}"
                     f"; removed {_clip(repr(removed[:3]), 300)}")
    return "\n".join(lines)


def unchanged(reg, before, what):
    after = reg.dump()
    if after != before:
        fail(f"{what}: the database content changed\n{dump_diff(before, after)}\n"
             f"{reg.log[-1].describe() if reg.log else ''}")


# ---- the runner ----

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def run_all(binary, jobs=2, only=None):
    """Runs every registered test (each on a fresh Register), prints one line
    per failure and a closing 'N passed, N failed'; returns the exit code."""
    selected = [t for t in TESTS if not only or any(o in t.__name__ for o in only)]
    for t in [t for t in selected if pgtest.skipped(t.__name__)]:
        print(f"skip  {t.__name__} (a SQLite file test)")
    selected = [t for t in selected if not pgtest.skipped(t.__name__)]
    results = {}
    lock = threading.Lock()
    queue = list(selected)
    t0 = time.time()

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                t = queue.pop(0)
            reg = Register(binary, t.__name__)
            start = time.time()
            try:
                t(reg)
                res = (True, "")
            except TestFailure as e:
                res = (False, str(e))
            except Exception:
                res = (False, traceback.format_exc())
            finally:
                reg.close()
            with lock:
                results[t.__name__] = res + (time.time() - start,)

    threads = [threading.Thread(target=worker) for _ in range(max(1, jobs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    passed = failed = 0
    for t in selected:
        ok, msg, secs = results[t.__name__]
        if ok:
            passed += 1
            print(f"ok    {t.__name__} ({secs:.1f}s)")
        else:
            failed += 1
            print(f"FAIL  {t.__name__} ({secs:.1f}s)")
            for line in msg.rstrip().splitlines():
                print(f"      {line}")
    print(f"# {time.time() - t0:.1f}s", file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
