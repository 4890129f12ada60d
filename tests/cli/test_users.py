#!/usr/bin/env python3
"""Black-box tests of `breachreg user` (SPEC 1, 6.1, 7): accounts with the
password on stdin, API tokens shown once and stored hashed, revocation, and
refusals that name the field and change nothing.

Usage: python3 tests/cli/test_users.py BINARY [-k NAME]...

Each test starts from a fresh temporary register (see helpers.py) and reads
the SQLite file directly only to compare content and to look for secrets in
its bytes. Ends with one line 'N passed, N failed'; exits 1 if anything
failed."""
import glob
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import check, eq, fail, run_all, test, unchanged  # noqa: E402

PASSWORD = "correct horse battery staple"
TOKEN_RE = r"br_[A-Za-z0-9_-]{43}"
ROLES = ["reporter", "manager", "investigator", "security", "hr", "dpo", "analyst", "admin"]


# ---------------------------------------------------------------- fixtures

def world(reg):
    reg.ok("init")
    reg.ok("org", "add", "hmcts", "HM Courts & Tribunals Service")
    reg.ok("person", "add", "S1001", "--name", "Ada Analyst", "--org", "hmcts")
    reg.ok("person", "add", "S1002", "--name", "Max Manager", "--org", "hmcts")


def add_user(reg, name="alice", person="S1001", roles=("manager",), password=PASSWORD):
    args = ["user", "add", name, "--person", person]
    for r in roles:
        args += ["--role", r]
    return reg.ok(*args, stdin=password + "\n")


def new_token(reg, name="alice", *extra):
    r = reg.ok("user", "token", name, *extra)
    check(re.fullmatch(TOKEN_RE + r"\n", r.out),
          f"user token printed {r.out!r}, not one line with br_ + 43 base64url")
    eq(r.err, "", "user token stderr")
    return r.out.strip()


def register_bytes(reg):
    """Every byte the register keeps on disk (database, WAL, anything else);
    on PostgreSQL, every value of every table as text (its files are the
    server's)."""
    if reg.pg:
        data = repr(reg.dump()).encode()
        check(data, "no database content found")
        return data
    data = b""
    for p in glob.glob(os.path.join(reg.dir, "reg.db*")):
        with open(p, "rb") as f:
            data += f.read()
    check(data, "no database file found")
    return data


def no_secret_keys(value, what):
    """No hash, password or CSRF field anywhere in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            if re.search(r"hash|password|csrf|secret", k):
                fail(f"{what}: JSON carries the secret field {k!r}")
            no_secret_keys(v, what)
    elif isinstance(value, list):
        for v in value:
            no_secret_keys(v, what)


# ---------------------------------------------------------------- accounts

@test
def add_reads_password_from_stdin_and_stores_argon2id(reg):
    world(reg)
    eq(add_user(reg).out, "alice\n", "user add prints the name")
    rows = reg.sql("SELECT name, staff_id, roles, pw_hash, disabled FROM accounts")
    eq(len(rows), 1, "accounts rows")
    name, staff, roles, pw_hash, disabled = rows[0]
    eq((name, staff, roles, disabled), ("alice", "S1001", "reporter,manager", 0), "stored account")
    check(pw_hash.startswith("$argon2id$v=19$"), f"password stored as {pw_hash[:20]!r}, not Argon2id")
    check(PASSWORD.encode() not in register_bytes(reg), "the password is in the database bytes")


@test
def add_json_and_list(reg):
    world(reg)
    got = reg.ok_json("user", "add", "bob", "--person", "S1002", "--role", "investigator",
                      "--role", "hr", stdin=PASSWORD + "\n")
    eq(got.get("name"), "bob", "name")
    eq(got.get("staff_id"), "S1002", "staff_id")
    eq(got.get("roles"), ["reporter", "investigator", "hr"], "roles (reporter always)")
    eq(got.get("disabled"), False, "disabled")
    no_secret_keys(got, "user add --json")
    add_user(reg, "alice", roles=("reporter",))
    listed = reg.ok_json("user", "list")
    eq([a["name"] for a in listed], ["alice", "bob"], "user list names")
    eq(listed[0]["roles"], ["reporter"], "alice's roles")
    no_secret_keys(listed, "user list --json")
    text = reg.out("user", "list")
    check("alice" in text and "bob" in text, f"user list text: {text!r}")
    check("argon2" not in text, "user list shows a hash")


@test
def password_line_handling(reg):
    world(reg)
    # The first line only; a CRLF ending is stripped like LF; no newline at all is fine.
    reg.ok("user", "add", "crlf", "--person", "S1001", "--role", "hr",
           stdin=PASSWORD + "\r\nsecond line\n")
    reg.ok("user", "add", "bare", "--person", "S1001", "--role", "hr", stdin=PASSWORD)
    data = register_bytes(reg)
    check(b"second line" not in data, "the second stdin line was stored")
    before = reg.dump()
    for stdin, why in (("", "no stdin"), ("\n", "an empty line"), ("short\n", "too short"),
                       ("x" * 1025 + "\n", "too long")):
        reg.refuses(2, "user", "add", "carol", "--person", "S1001", "--role", "hr",
                    stdin=stdin, field="password")
        unchanged(reg, before, f"user add with {why}")


@test
def bad_role_and_person_exit_2_and_change_nothing(reg):
    world(reg)
    add_user(reg)
    before = reg.dump()
    r = reg.refuses(2, "user", "add", "bob", "--person", "S1002", "--role", "wizard",
                    stdin=PASSWORD + "\n", field="role")
    check("wizard" in r.err, f"stderr does not quote the bad role\n{r.describe()}")
    unchanged(reg, before, "user add with a bad role")
    reg.refuses(2, "user", "add", "bob", "--person", "S9999", "--role", "hr",
                stdin=PASSWORD + "\n", field="person")
    unchanged(reg, before, "user add with an unknown person")
    reg.refuses(2, "--json", "user", "add", "bob", "--person", "S9999", "--role", "hr",
                stdin=PASSWORD + "\n", field="person")
    unchanged(reg, before, "user add --json with an unknown person")
    reg.refuses(2, "user", "add", "alice", "--person", "S1002", "--role", "hr",
                stdin=PASSWORD + "\n", field="name")
    unchanged(reg, before, "user add of an existing name")
    reg.refuses(2, "user", "add", "Bad Name!", "--person", "S1002", "--role", "hr",
                stdin=PASSWORD + "\n", field="name")
    unchanged(reg, before, "user add with a bad name")
    reg.refuses(2, "user", "add", "bob", "--role", "hr", stdin=PASSWORD + "\n")
    reg.refuses(2, "user", "add", "bob", "--person", "S1002", stdin=PASSWORD + "\n")
    reg.refuses(2, "user", "add", "bob", "--person", "S1002", "--role", stdin=PASSWORD + "\n")
    reg.refuses(2, "user", "frobnicate")
    reg.refuses(2, "user")
    unchanged(reg, before, "user usage errors")


@test
def roles_disable_enable(reg):
    world(reg)
    add_user(reg)
    got = reg.ok_json("user", "roles", "alice", "--role", "security", "--role", "analyst")
    eq(got.get("roles"), ["reporter", "security", "analyst"], "roles after user roles")
    eq(reg.ok_json("user", "disable", "alice").get("disabled"), True, "disabled")
    eq(reg.ok_json("user", "enable", "alice").get("disabled"), False, "enabled again")
    reg.refuses(2, "user", "disable", "nobody", field="name")
    reg.refuses(2, "user", "roles", "alice", "--role", "king", field="role")


# ---------------------------------------------------------------- tokens

@test
def token_is_printed_once_and_stored_hashed(reg):
    world(reg)
    add_user(reg)
    tok = new_token(reg, "alice", "--label", "ci")
    tok2 = new_token(reg)
    check(tok != tok2, "two tokens are the same")
    rows = reg.sql("SELECT id, account, label, hash, revoked_at FROM api_tokens ORDER BY id")
    eq(len(rows), 2, "api_tokens rows")
    eq(rows[0][1:3], ("alice", "ci"), "first token's account and label")
    eq(rows[0][3], hashlib.sha256(tok.encode()).hexdigest(), "stored hash is SHA-256 of the token")
    eq(rows[0][4], None, "revoked_at")
    data = register_bytes(reg)
    for t in (tok, tok2):
        check(t.encode() not in data and t[3:].encode() not in data,
              "a token is in the database bytes")
    listed = reg.ok_json("user", "tokens", "alice")
    eq([(t["id"], t["label"], t["revoked"]) for t in listed],
       [(rows[0][0], "ci", False), (rows[1][0], None, False)], "user tokens")
    no_secret_keys(listed, "user tokens --json")
    text = reg.out("user", "tokens", "alice")
    check(tok not in text and tok[3:] not in text, "user tokens shows a token")
    check("ci" in text, f"user tokens text lacks the label: {text!r}")
    # --json shows the token once, with its id for revoking.
    got = reg.ok_json("user", "token", "alice", "--label", "deploy")
    check(re.fullmatch(TOKEN_RE, got.get("token", "")), f"--json token: {got!r}")
    eq(got.get("label"), "deploy", "--json label")
    check(isinstance(got.get("id"), int), "--json id")
    no_secret_keys(got, "user token --json")
    audit = reg.out("audit", "log")
    for t in (tok, tok2, got["token"]):
        check(t[3:] not in audit, "a token is in the audit log")
    check("token.create" in audit, "token.create not audited")


@test
def token_refusals(reg):
    world(reg)
    add_user(reg)
    before = reg.dump()
    reg.refuses(2, "user", "token", "nobody", field="name")
    reg.refuses(2, "user", "tokens", "nobody", field="name")
    reg.refuses(2, "user", "token", "alice", "--label", "x" * 101, field="label")
    reg.refuses(2, "user", "token", "alice", "--label")
    reg.refuses(2, "user", "token", "alice", "--colour", "red")
    unchanged(reg, before, "refused user token")
    reg.ok("user", "disable", "alice")
    before = reg.dump()
    reg.refuses(2, "user", "token", "alice", field="name")
    unchanged(reg, before, "user token for a disabled account")


@test
def revoke(reg):
    world(reg)
    add_user(reg)
    add_user(reg, "bob", "S1002")
    new_token(reg, "alice", "--label", "one")
    new_token(reg, "alice", "--label", "two")
    ids = [t["id"] for t in reg.ok_json("user", "tokens", "alice")]
    out = reg.out("user", "revoke", "alice", str(ids[0]))
    check(str(ids[0]) in out, f"user revoke output: {out!r}")
    listed = reg.ok_json("user", "tokens", "alice")
    eq([t["revoked"] for t in listed], [True, False], "revoked flags")
    check(listed[0]["revoked_at"] == "2030-03-02T10:00:00Z", f"revoked_at {listed[0]!r}")
    before = reg.dump()
    reg.refuses(2, "user", "revoke", "alice", str(ids[0]), field="token")  # already revoked
    reg.refuses(2, "user", "revoke", "bob", str(ids[1]), field="token")  # not bob's
    reg.refuses(2, "user", "revoke", "alice", "999", field="token")
    reg.refuses(2, "user", "revoke", "alice", "abc", field="token")
    reg.refuses(2, "user", "revoke", "nobody", "1", field="name")
    unchanged(reg, before, "refused user revoke")
    eq(reg.ok_json("user", "revoke", "alice", str(ids[1])),
       {"account": "alice", "id": ids[1], "revoked": True}, "user revoke --json")
    log = reg.ok_json("audit", "log")
    actions = [e.get("action") for e in log] if isinstance(log, list) else []
    check(actions.count("token.revoke") == 2, f"token.revoke audited twice: {actions}")
    eq(reg.ok_json("audit", "verify").get("ok"), True, "audit chain intact")


@test
def audit_has_no_secrets(reg):
    world(reg)
    add_user(reg)
    tok = new_token(reg)
    reg.ok("user", "roles", "alice", "--role", "admin")
    text = reg.out("audit", "log")
    for action in ("account.add", "token.create", "account.roles"):
        check(action in text, f"{action} not in the audit log")
    check(PASSWORD not in text and tok[3:] not in text, "a secret is in the audit log")
    check("argon2" not in text, "a password hash is in the audit log")
    eq(reg.ok_json("audit", "verify").get("ok"), True, "audit chain intact")


# ---------------------------------------------------------------- main

def main(argv):
    args, only = [], []
    i = 0
    while i < len(argv):
        if argv[i] == "-k" and i + 1 < len(argv):
            only.append(argv[i + 1])
            i += 2
            continue
        args.append(argv[i])
        i += 1
    if not args:
        print(__doc__)
        return 2
    binary = os.path.abspath(args[0])
    if not os.access(binary, os.X_OK):
        print(f"not an executable: {binary}")
        print("0 passed, 1 failed")
        return 1
    jobs = int(os.environ.get("CLI_TEST_JOBS", "0")) or min(3, (os.cpu_count() or 2))
    return run_all(binary, jobs=jobs, only=only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
