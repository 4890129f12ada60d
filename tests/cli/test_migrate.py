#!/usr/bin/env python3
"""Black-box tests of `breachreg migrate --from sqlite:PATH --to postgres://...`
(issue 6): a whole SQLite register copied into an empty PostgreSQL one, in
one transaction. On the copy `audit verify` and `trends verify` pass, every
table holds the source's rows, the CLI reads the same register, and new
work goes on from where the source stopped (the next reference, new ids).

Needs a PostgreSQL cluster (BREACHREG_TEST_PG, scripts/with-pg.sh): run in
make test's SQLite pass; skipped without a cluster and in the PostgreSQL
pass (its source is a SQLite file by definition).

Usage: python3 tests/cli/test_migrate.py BINARY [-k NAME]...
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import check, eq, names_field, run_all, test  # noqa: E402
import pgtest  # noqa: E402


def demo(reg):
    # The demo register is the whole shape of one (a few thousand writes):
    # allowed longer than a command's usual minute on a busy machine.
    reg.ok("init", "--demo", now="2026-11-28T12:00:00Z", timeout=600)
    reg.now = "2026-11-28T12:00:00Z"


@test
def test_migrate_copies_a_whole_register(reg):
    demo(reg)
    src = reg.dump()
    url = pgtest.new_db()
    try:
        r = reg.ok("--json", "migrate", "--from", "sqlite:" + reg.db, "--to", url,
                   use_db=False)
        out = r.json()
        eq(out.get("ok"), True, "migrate --json ok")
        for t, rows in src.items():
            eq(out["tables"].get(t), len(rows), f"rows of {t} copied")
        dst = pgtest.dump(url)
        for t, rows in src.items():
            eq(len(dst.get(t, [])), len(rows), f"rows of {t} in the copy")
        eq(sorted(map(repr, dst["audit"])), sorted(map(repr, src["audit"])),
           "the audit chain verbatim")
        v = reg.ok_json("audit", "verify", db=url)
        eq(v.get("ok"), True, "audit verify on the copy")
        eq(v.get("verified"), len(src["audit"]), "every entry verified")
        reg.ok("trends", "verify", db=url)
        eq(reg.ok_json("incidents", db=url), reg.ok_json("incidents"), "the same incidents")
        eq(reg.ok_json("trends", "--by", "month", "--by", "org", db=url),
           reg.ok_json("trends", "--by", "month", "--by", "org"), "the same trends")
        # New work goes on after the copied numbers and ids.
        last = max(r[0] for r in reg.sql("SELECT ref FROM incidents"))
        org, reporter = reg.sql("SELECT org, reporter FROM incidents WHERE reporter IS NOT NULL"
                                " ORDER BY ref LIMIT 1")[0]
        inc = reg.write("i.json", {"kind": "breach", "org": org, "types": ["pass-lost"],
                                   "description": "after the move", "reporter": reporter,
                                   "discovered_at": "2026-11-27T09:00:00Z"})
        ref = reg.out("report", inc, db=url)
        eq(int(ref.split("-")[2]), int(last.split("-")[2]) + 1, "the next reference")
        reg.ok("note", ref, "a note on the copy", db=url)
        check(reg.ok_json("audit", "verify", db=url).get("ok"), "chain still intact")
    finally:
        pgtest.drop(url)


@test
def test_migrate_refuses_what_it_cannot_copy_into(reg):
    reg.ok("init")
    reg.ok("org", "add", "opg", "Office of the Public Guardian")
    url = pgtest.new_db()
    try:
        reg.ok("migrate", "--from", reg.db, "--to", url, use_db=False)
        before = pgtest.dump(url)
        reg.refuses(2, "migrate", "--from", reg.db, "--to", url, use_db=False, field="to")
        eq(pgtest.dump(url), before, "a refused migrate changes nothing")
        reg.refuses(2, "migrate", "--from", reg.db, "--to", reg.path("x.db"), use_db=False,
                    field="to")
        reg.refuses(2, "migrate", "--from", reg.path("none.db"), "--to", url, use_db=False,
                    field="from")
        r = reg.refuses(2, "migrate", "--to", url, use_db=False)
        check("migrate --from" in r.err, f"usage on stderr: {r.err!r}")
        check(not names_field(r.err, "to") or "usage" in r.err.lower(), "a usage message")
    finally:
        pgtest.drop(url)


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    if not os.environ.get("BREACHREG_TEST_PG") or pgtest.enabled():
        why = "no cluster (BREACHREG_TEST_PG)" if not pgtest.enabled() else "the PostgreSQL pass"
        print(f"skip  migrate tests: {why}")
        print("0 passed, 0 failed")
        return 0
    only = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "-k"]
    return run_all(os.path.abspath(argv[0]), jobs=2, only=only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
