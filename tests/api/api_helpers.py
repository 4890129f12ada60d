"""api_helpers: a throwaway breachreg HTTP server on a private port and a
temp database, a small HTTP client, a tiny test runner and the assertions
the API tests share (STYLE habit 10).

Python 3 standard library only. An Instance owns a temporary directory with
the SQLite file; its world is set up through the CLI (`init`, `org add`,
`person add`, `user add`, `user token`) and then `serve` is started with
BREACHREG_NOW fixed, so references and dates are predictable. stop() sends
SIGTERM and reports a non-zero exit or any sanitizer report on stderr."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

NOW = "2026-11-28T10:00:00Z"
PASSWORD = "correct horse battery staple"

# The assertions and sanitizer markers are the CLI suite's: one set.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from helpers import (SANITIZER_MARKERS as _CLI_MARKERS, TestFailure, check, eq,  # noqa: E402,F401
                     fail, names_field)
import pgtest  # noqa: E402  (the PostgreSQL switch: BR_TEST_BACKEND=pgsql)
from pgtest import sqlite_only  # noqa: E402,F401

SANITIZER_MARKERS = _CLI_MARKERS + ("ThreadSanitizer",)


def clip(s, n=400):
    if isinstance(s, bytes):
        s = s.decode("utf-8", "replace")
    s = s.rstrip("\n")
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


# ---------------------------------------------------------------- HTTP client

class Resp:
    def __init__(self, method, path, status, headers, body):
        self.method, self.path, self.status, self.headers, self.body = (
            method, path, status, headers, body)
        self._json = None

    def header(self, name):
        return self.headers.get(name) if self.headers is not None else None

    def header_all(self, name):
        return self.headers.get_all(name) or [] if self.headers is not None else []

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body)
            except ValueError as e:
                fail(f"body is not JSON ({e})\n{self.describe()}")
        return self._json

    def describe(self):
        return (f"{self.method} {self.path} -> {self.status} "
                f"{self.header('Content-Type') or ''}\n  body: {clip(self.body)}")


def request(port, method, path, body=None, token=None, headers=None, raw=None, cookie=None,
            csrf=None, timeout=30):
    """One request on a new connection. body is sent as JSON (unless raw
    bytes are given); token as a bearer token; cookie as br_session."""
    h = {}
    data = None
    if raw is not None:
        data = raw
        h["Content-Type"] = "application/json"
    elif body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = "Bearer " + token
    if cookie:
        h["Cookie"] = "br_session=" + cookie
    if csrf:
        h["X-CSRF-Token"] = csrf
    if headers:
        for k, v in headers.items():
            if v is None:
                h.pop(k, None)
            else:
                h[k] = v
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return Resp(method, path, r.status, r.headers, r.read())
    finally:
        conn.close()


def send_large(port, path, size, token, chunked=False, timeout=30):
    """Sends a body of size bytes (a JSON string) and returns the status the
    server answered, or None when it only closed the connection. The server
    may answer before reading the body, so a broken pipe is expected."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Authorization", "Bearer " + token)
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        else:
            conn.putheader("Content-Length", str(size))
        conn.endheaders()
        piece = b'{"description":"' + b"x" * (size - 20) + b'"}'
        piece = piece[:size]
        step = 64 * 1024
        try:
            for i in range(0, len(piece), step):
                part = piece[i:i + step]
                if chunked:
                    conn.send(b"%x\r\n" % len(part) + part + b"\r\n")
                else:
                    conn.send(part)
            if chunked:
                conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            r = conn.getresponse()
            r.read()
            return r.status
        except (http.client.HTTPException, ConnectionError, socket.timeout, OSError):
            return None
    finally:
        conn.close()


# ---------------------------------------------------------------- instance

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Instance:
    """One throwaway register and its server."""

    def __init__(self, binary, name="api", now=NOW):
        self.binary = os.path.abspath(binary)
        self.dir = tempfile.mkdtemp(prefix=f"breachreg-{name}-")
        self.pg = pgtest.enabled()
        self.db = pgtest.new_db() if self.pg else os.path.join(self.dir, "reg.db")
        self.now = now
        self.proc = None
        self.port = None
        self.stderr_path = os.path.join(self.dir, "serve.stderr")
        self.tokens = {}
        self.owns_dir = True

    def sibling(self, now=None, name="sibling"):
        """Another server on the same database (not yet started), with its
        own clock: to see what a later time makes of stored sessions and
        locks, or to stop one server under load while another runs."""
        other = Instance.__new__(Instance)
        other.binary, other.dir, other.db = self.binary, self.dir, self.db
        other.pg = self.pg
        other.now = now or self.now
        other.proc = other.port = None
        other.stderr_path = os.path.join(self.dir, f"{name}.stderr")
        other.tokens = self.tokens
        other.owns_dir = False
        return other

    def env(self):
        e = dict(os.environ)
        e.pop("BREACHREG_DB", None)
        e["BREACHREG_NOW"] = self.now
        e.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        e.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        return e

    def cli(self, *args, stdin=None, ok=True):
        argv = [self.binary, "--db", self.db] + [str(a) for a in args]
        r = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                           timeout=240 if self.pg else 60, env=self.env(), cwd=self.dir)
        for m in SANITIZER_MARKERS:
            if m in r.stderr:
                fail(f"sanitizer report ({m}) from {' '.join(argv)}\n{clip(r.stderr, 3000)}")
        if ok and r.returncode != 0:
            fail(f"$ {' '.join(argv)}\n  exit {r.returncode}\n  stdout: {clip(r.stdout)}\n"
                 f"  stderr: {clip(r.stderr)}")
        return r

    def user(self, name, staff_id, roles, password=PASSWORD):
        args = ["user", "add", name, "--person", staff_id]
        for role in roles:
            args += ["--role", role]
        self.cli(*args, stdin=password + "\n")
        tok = self.cli("user", "token", name).stdout.strip()
        check(re.fullmatch(r"\S+", tok), f"user token {name} printed {tok!r}")
        self.tokens[name] = tok
        return tok

    def report(self, incident):
        """Records an incident through the CLI (as the local administrator)."""
        path = os.path.join(self.dir, "incident.json")
        with open(path, "w") as f:
            json.dump(incident, f)
        return self.cli("report", path).stdout.strip()

    def start(self):
        self.port = free_port()
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "--db", self.db, "serve", "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=self._err, env=self.env(), cwd=self.dir)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail(f"serve exited {self.proc.returncode} at start\n"
                     f"{clip(self.stderr(), 3000)}")
            try:
                if request(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        fail("serve did not answer /healthz within 20 s")

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM; returns a list of problems (empty when it exited 0
        with no sanitizer report)."""
        problems = []
        if self.proc is None:
            return problems
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problems.append("serve did not exit within 30 s of SIGTERM")
        else:
            problems.append(f"serve had already exited ({self.proc.returncode})")
        self._err.close()
        err = self.stderr()
        if self.proc.returncode != 0:
            problems.append(f"serve exited {self.proc.returncode} after SIGTERM")
        for m in SANITIZER_MARKERS:
            if m in err:
                problems.append(f"sanitizer report ({m}) on serve's stderr:\n{clip(err, 4000)}")
                break
        self.proc = None
        return problems

    def close(self):
        if self.proc is not None:
            self.stop()
        if self.owns_dir:
            if self.pg:
                pgtest.drop(self.db)
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- HTTP as an account

    def call(self, method, path, body=None, as_=None, **kw):
        token = self.tokens[as_] if as_ else None
        return request(self.port, method, path, body=body, token=token, **kw)

    def get(self, path, as_=None, **kw):
        return self.call("GET", path, as_=as_, **kw)

    def post(self, path, body, as_=None, **kw):
        return self.call("POST", path, body=body, as_=as_, **kw)

    # -- the database, read directly

    def sql(self, query, args=()):
        if self.pg:
            return pgtest.sql(self.db, query, args)
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()

    def dump(self, tables=None):
        """Every row of every table (or of the named ones), sorted: a
        snapshot to compare before and after a refused request."""
        if self.pg:
            return pgtest.dump(self.db, tables)
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            names = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            out = {}
            for t in names:
                if tables and t not in tables:
                    continue
                rows = con.execute(f'SELECT * FROM "{t}"').fetchall()
                out[t] = sorted(rows, key=repr)
            return out
        finally:
            con.close()


def dump_diff(before, after):
    lines = []
    for t in sorted(set(before) | set(after)):
        b, a = before.get(t, []), after.get(t, [])
        if b != a:
            added = [r for r in a if r not in b]
            removed = [r for r in b if r not in a]
            lines.append(f"table {t}: {len(added)} added {clip(repr(added[:3]), 300)}, "
                         f"{len(removed)} removed {clip(repr(removed[:3]), 300)}")
    return "\n".join(lines)


def problem(r, status, field=None):
    """r is an RFC 9457 problem with this status naming field (in "field",
    or as a whole word in "detail")."""
    if r.status != status:
        fail(f"expected {status}\n{r.describe()}")
    ct = r.header("Content-Type") or ""
    check(ct.startswith("application/problem+json"),
          f"error Content-Type is {ct!r}, not application/problem+json\n{r.describe()}")
    p = r.json()
    eq(p.get("status"), status, "problem status")
    if field is not None:
        got = p.get("field")
        if got != field and not names_field(p.get("detail", ""), field):
            fail(f"problem does not name the field {field!r} (field={got!r})\n{r.describe()}")
    return p


# ---------------------------------------------------------------- runner

class Runner:
    """Tests run in registration order; each is a function taking no
    arguments. Closing line: 'N passed, N failed'."""

    def __init__(self):
        self.tests = []

    def test(self, fn=None, name=None):
        def add(f):
            self.tests.append((name or f.__name__, f))
            return f
        return add(fn) if fn else add

    def add(self, name, fn):
        self.tests.append((name, fn))

    def run(self, only=None):
        passed = failed = 0
        for name, fn in self.tests:
            if only and not any(k in name for k in only):
                continue
            if pgtest.skipped(name) or pgtest.skipped(getattr(fn, "__name__", "")):
                print(f"skip {name} (a SQLite file test)", flush=True)
                continue
            t0 = time.time()
            try:
                fn()
            except TestFailure as e:
                failed += 1
                print(f"FAIL {name}\n  " + str(e).replace("\n", "\n  "), flush=True)
            except Exception:
                failed += 1
                print(f"ERROR {name}\n  " + traceback.format_exc().replace("\n", "\n  "),
                      flush=True)
            else:
                passed += 1
                print(f"ok   {name} ({time.time() - t0:.2f}s)", flush=True)
        return passed, failed
