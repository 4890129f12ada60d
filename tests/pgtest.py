"""pgtest: the black-box suites' PostgreSQL backend switch.

With BR_TEST_BACKEND=pgsql and BREACHREG_TEST_PG (the Unix socket folder
of a throwaway cluster, scripts/pg-cluster.sh) every register a test makes
is a new database in that cluster, dropped when the test ends; the
helpers' direct reads (dump, sql, columns) go through psycopg2 instead of
the sqlite3 module. Without them, nothing changes: SQLite files.

Tests of what only a SQLite file has (its bytes, PRAGMAs, backup and
restore of the file) are marked sqlite_only and skipped, by name, on
PostgreSQL; tests/run-all.sh leaves tests/crash/test_backup.py out."""
import os
import re
import uuid


def enabled():
    return os.environ.get("BR_TEST_BACKEND") == "pgsql" and bool(os.environ.get("BREACHREG_TEST_PG"))


def is_url(db):
    return db.startswith("postgres://")


def _url(name):
    return f"postgres://breachreg@/{name}?host={os.environ['BREACHREG_TEST_PG']}"


def _connect(url):
    # Only on PostgreSQL runs: python3-psycopg2 (scripts/deps.sh test), also
    # when python3 is not Debian's own (a pyenv build, say).
    try:
        import psycopg2
    except ImportError:
        import sys
        sys.path.append("/usr/lib/python3/dist-packages")
        import psycopg2
    return psycopg2.connect(url)


def _admin(statement):
    con = _connect(_url("breachreg"))
    try:
        con.autocommit = True
        con.cursor().execute(statement)
    finally:
        con.close()


def new_db():
    """A new empty database; its URL (what --db takes)."""
    name = "brp_" + uuid.uuid4().hex[:16]
    _admin(f"CREATE DATABASE {name} STRATEGY FILE_COPY")
    return _url(name)


def drop(url):
    name = url.split("/")[3].split("?")[0]
    try:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except Exception:  # a failing test's leftovers go with the cluster
        pass


def _value(v):
    return bytes(v) if isinstance(v, memoryview) else v


def sql(url, statement, params=()):
    """Runs one statement (sqlite3's "?" placeholders allowed); its rows."""
    con = _connect(url)
    try:
        cur = con.cursor()
        cur.execute(re.sub(r"\?", "%s", statement) if params else statement, params or None)
        rows = [tuple(_value(v) for v in r) for r in cur.fetchall()] if cur.description else []
        con.commit()
        return rows
    finally:
        con.close()


class _ReadOnly:
    """A read-only connection with sqlite3's execute(sql, params) shape."""

    def __init__(self, url):
        self.con = _connect(url)
        self.con.set_session(readonly=True, autocommit=True)

    def execute(self, statement, params=()):
        # SQLite's json_extract(x, '$.k') is PostgreSQL's (x)::json ->> 'k'.
        statement = re.sub(r"json_extract\(([\w.]+), '\$\.(\w+)'\)", r"((\1)::json ->> '\2')",
                           statement)
        cur = self.con.cursor()
        cur.execute(re.sub(r"\?", "%s", statement) if params else statement, params or None)
        return cur

    def close(self):
        self.con.close()


def connect_ro(db):
    """A read-only connection to the register at db (a file or a URL)."""
    if is_url(db):
        return _ReadOnly(db)
    import sqlite3
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def tables(url):
    return [r[0] for r in sql(url, "SELECT tablename FROM pg_tables WHERE schemaname ="
                                   " current_schema() ORDER BY tablename")]


def columns(url, table):
    return [r[0] for r in sql(url, "SELECT column_name FROM information_schema.columns"
                                   f" WHERE table_name = '{table}' ORDER BY ordinal_position")]


def dump(url, only=None):
    """Every table's rows, sorted: a snapshot to compare."""
    out = {}
    for t in tables(url):
        if only and t not in only:
            continue
        out[t] = sorted(sql(url, f'SELECT * FROM "{t}"'), key=repr)
    return out


SQLITE_ONLY = set()


def sqlite_only(fn):
    """Marks a test as one of a SQLite file (skipped on PostgreSQL)."""
    SQLITE_ONLY.add(fn.__name__)
    return fn


def skipped(name):
    return enabled() and name in SQLITE_ONLY
