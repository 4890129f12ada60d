#!/usr/bin/env bash
# Import benchmark for issue 5 item 5: `breachreg import FILE.csv` of a
# legacy register of N incidents (default 1,000,000; env IMPORT_ROWS),
# against the sqlite3 shell's `.import --csv` of the same file into a
# fresh table (no checks, no indexes: the floor for getting those bytes
# into SQLite). Reported as a ratio, sqlite3 time / breachreg time; the
# target is >= 0.3. Then breachreg's peak RSS (/usr/bin/time -v) for the
# same import, and `trends verify` on the result.
# Usage: bench/import/run.sh [BUILD_DIR]   (a Release build: see README)
#   IMPORT_ROWS=N   rows to generate (default 1000000)
#   IMPORT_RUNS=N   hyperfine runs of each command (default 3)
set -euo pipefail
build=$(realpath "${1:-build}")
n=${IMPORT_ROWS:-1000000}
runs=${IMPORT_RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../out
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
B="$build/breachreg"
export BREACHREG_NOW=2026-11-28T12:00:00Z

# A register to import into: six organisations and 600 people, imported
# the ordinary way. Every reference in the CSV names one of them.
python3 - "$tmp" <<'PY'
import csv, sys
d = sys.argv[1]
orgs = ["hq", "hmcts", "hmcts-crime", "hmpps", "hmpps-probation", "laa"]
with open(f"{d}/orgs.txt", "w") as f:
    for o in orgs:
        f.write(o + "\n")
with open(f"{d}/people.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["staff_id", "name", "org", "engagement"])
    for i in range(600):
        eng = ["employee"] * 8 + ["contractor", "agency"]
        w.writerow([f"S{10000 + i}", f"Person {i}", orgs[i % len(orgs)], eng[i % 10]])
PY
$B --db "$tmp/template.db" init >/dev/null
while read -r o; do
	case $o in hmcts-*) p=hmcts ;; hmpps-*) p=hmpps ;; *) p="" ;; esac
	$B --db "$tmp/template.db" org add "$o" "Unit $o" ${p:+--parent $p} --head S10000 >/dev/null
done <"$tmp/orgs.txt"
$B --db "$tmp/template.db" person import "$tmp/people.csv" >/dev/null

# The legacy register: five years, in the order it was kept (by reporting
# time); free text with commas, quotes and the odd line break; a third of
# the rows already closed; some rows name no one (head of unit).
python3 - "$tmp/register.csv" "$n" <<'PY'
import csv, random, sys, datetime as dt
path, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(20261128)
orgs = ["hq", "hmcts", "hmcts-crime", "hmpps", "hmpps-probation", "laa"]
types = ["pass-lost", "pass-not-worn", "workstation-unlocked", "account-sharing",
         "official-docs-unsecured", "personal-data-release", "cabinet-unlocked",
         "portable-asset-lost", "clear-desk-failure", "sensitive-info-unprotected", "other"]
words = ("laptop left on a train, recovered by BTP; folder of case papers found in "
         "the \"quiet\" room; email sent to the wrong firm; pass lent to a visitor; "
         "screen left unlocked at lunch; cabinet open overnight").split()
locs = ["102 Petty France, London", "Leeds Magistrates' Court", "HMP Wakefield, gate lodge",
        "Probation office, Bristol", ""]
start = dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc).timestamp()
span = 5 * 365 * 86400
step = span / n
fmt = lambda t: dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["kind", "org", "types", "occurred_at", "discovered_at", "reported_at",
                "location", "description", "reporter", "confidential_reporter", "subjects",
                "classification", "strap", "third_party_disclosure", "authorised", "criminal",
                "records", "special_category", "intent", "damage", "state", "closed_at"])
    for i in range(n):
        rep = start + i * step
        disc = rep - rnd.randint(0, 30 * 86400)
        occ = disc - rnd.randint(0, 3 * 86400)
        t = rnd.sample(types, 1 if rnd.random() < 0.8 else 2)
        subj = rnd.sample(range(600), 0 if rnd.random() < 0.1 else rnd.randint(1, 2))
        desc = " ".join(rnd.choice(words) for _ in range(rnd.randint(8, 20)))
        if rnd.random() < 0.02:
            desc += "\nSecond line of the note."
        closed = rnd.random() < 0.33
        w.writerow(["near-miss" if rnd.random() < 0.15 else "breach", rnd.choice(orgs), ";".join(t),
                    fmt(occ), fmt(disc), fmt(rep), rnd.choice(locs), desc,
                    f"S{10000 + rnd.randrange(600)}", rnd.choice(["no", "no", "no", "yes"]),
                    ";".join(f"S{10000 + s}" for s in subj),
                    rnd.choice(["none", "official", "official-sensitive"]),
                    "false", "false", "false", "false",
                    rnd.choice([0, 0, 0, 3, 150]), rnd.choice(["no"] * 9 + ["yes"]),
                    rnd.choice(["accidental", "negligent", "negligent", "reckless"]),
                    rnd.choice(["none", "low", "moderate", "high"]),
                    "closed" if closed else "reported",
                    fmt(rep + rnd.randint(0, 90 * 86400)) if closed and rnd.random() < 0.5 else ""])
PY
bytes=$(wc -c <"$tmp/register.csv")
echo "== import of $n incidents ($((bytes / 1024 / 1024)) MiB of CSV), $runs runs each"

# For scale, not a target: the floor of writing these rows into the
# register's own tables (its indexes, foreign keys, WAL) with no parsing,
# checks or rollups: one INSERT ... SELECT per table from the rows already
# in SQLite (copied there untimed). Types get a placeholder control area.
cat >"$tmp/floor.sql" <<'SQL'
PRAGMA foreign_keys = ON;
PRAGMA synchronous = NORMAL;
BEGIN IMMEDIATE;
INSERT INTO incidents (ref, year, seq, kind, org, state, severity, classification, strap,
  third_party_disclosure, authorised, criminal, records, special_category, intent, damage,
  description, location, occurred_at, discovered_at, reported_at, updated_at, closed_at,
  reporter, confidential_reporter)
SELECT printf('SB-%s-%06d', substr(reported_at, 1, 4), rowid), substr(reported_at, 1, 4),
  rowid, kind, org, state, NULL, classification, 0, 0, 0, 0, records,
  special_category = 'yes', intent, damage, description, nullif(location, ''), occurred_at,
  discovered_at, reported_at, reported_at,
  CASE state WHEN 'closed' THEN coalesce(nullif(closed_at, ''), reported_at) END,
  reporter, confidential_reporter = 'yes' FROM t;
INSERT INTO incident_types (ref, position, type, control)
SELECT printf('SB-%s-%06d', substr(reported_at, 1, 4), rowid), 0,
  CASE WHEN instr(types, ';') THEN substr(types, 1, instr(types, ';') - 1) ELSE types END,
  'other' FROM t;
INSERT INTO incident_types (ref, position, type, control)
SELECT printf('SB-%s-%06d', substr(reported_at, 1, 4), rowid), 1,
  substr(types, instr(types, ';') + 1), 'other' FROM t WHERE instr(types, ';');
INSERT INTO incident_subjects (ref, position, staff_id, engagement)
SELECT printf('SB-%s-%06d', substr(reported_at, 1, 4), rowid), 0,
  CASE WHEN instr(subjects, ';') THEN substr(subjects, 1, instr(subjects, ';') - 1)
  ELSE coalesce(nullif(subjects, ''), 'S10000') END, 'employee' FROM t;
INSERT INTO incident_subjects (ref, position, staff_id, engagement)
SELECT printf('SB-%s-%06d', substr(reported_at, 1, 4), rowid), 1,
  substr(subjects, instr(subjects, ';') + 1), 'employee' FROM t WHERE instr(subjects, ';');
COMMIT;
SQL

reset_sql="rm -f $tmp/sql.db*"
reset_reg="rm -f $tmp/run.db*; cp $tmp/template.db $tmp/run.db"
reset_floor="rm -f $tmp/floor.db*; cp $tmp/template.db $tmp/floor.db; sqlite3 $tmp/floor.db '.import --csv $tmp/register.csv t'"
hyperfine --style basic --runs "$runs" --export-json "$out/import.json" \
	-n sqlite3-import --prepare "$reset_sql" "sqlite3 $tmp/sql.db '.import --csv $tmp/register.csv t'" \
	-n breachreg-import --prepare "$reset_reg" "$B --db $tmp/run.db import $tmp/register.csv" \
	-n schema-floor --prepare "$reset_floor" "sqlite3 $tmp/floor.db <$tmp/floor.sql"

# Once more, for the peak RSS (all of it from /usr/bin/time -v; the
# anonymous part sampled from /proc, since the CSV is mapped and its clean
# pages count in the RSS too), and to check what was imported.
eval "$reset_reg"
/usr/bin/time -v "$B" --db "$tmp/run.db" import "$tmp/register.csv" >"$tmp/import.out" 2>"$tmp/time.txt" &
tpid=$!
anon=0
while kill -0 $tpid 2>/dev/null; do
	pid=$(pgrep -P $tpid || true)
	a=$( [ -n "$pid" ] && awk '/RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
	[ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
	sleep 0.2
done
wait $tpid
cat "$tmp/import.out"
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
verify=$("$B" --db "$tmp/run.db" trends verify)
count=$(sqlite3 "$tmp/run.db" 'SELECT count(*) FROM incidents')

python3 - "$out/import.json" "$n" "$rss" "$anon" "$count" "$verify" <<'PY' | tee "$out/import.txt"
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
n, rss, anon, count, verify = (int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                               int(sys.argv[5]), sys.argv[6])
base, reg = r["sqlite3-import"], r["breachreg-import"]
ratio = base / reg
print(f"sqlite3 .import   {base:7.2f} s  {n / base:9.0f} rows/s  (baseline)")
print(f"breachreg import  {reg:7.2f} s  {n / reg:9.0f} rows/s  ratio {ratio:.2f} "
      f"(target >= 0.3: {'met' if ratio >= 0.3 else 'NOT met'})")
floor = r["schema-floor"]
print(f"schema floor      {floor:7.2f} s  {n / floor:9.0f} rows/s  ratio {base / floor:.2f} "
      f"(the register's tables by INSERT ... SELECT: no parsing, checks or rollups)")
print(f"breachreg peak RSS {rss / 1024:.0f} MiB (anonymous {anon / 1024:.0f} MiB, the rest "
      f"the mapped CSV); {count} incidents stored; {verify}")
PY
