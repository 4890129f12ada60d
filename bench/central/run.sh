#!/usr/bin/env bash
# Benchmarks of the central record (issue 5), each a ratio of two timings
# taken in the same run. Usage: bench/central/run.sh [BUILD_DIR] [N]
#   1. trends --by month --by org on a register of N incidents (default
#      1,000,000) against the same on 10,000: the rollups keep trend answers
#      flat as the register grows (target: ratio at most 2).
#   2. export csv of the N-incident register against `sqlite3 -csv`
#      selecting the same columns from the same file (target: at least 0.5
#      of its speed).
# Both registers are built by `breachreg import` of generated legacy CSVs
# (bench/central/gen.py) into `init --demo` registers.
set -euo pipefail
build=$(realpath "${1:-build}")
n=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../out
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
B=$build/breachreg
export BREACHREG_NOW=2026-12-31T23:00:00Z

"$B" --db "$tmp/template.db" init --demo >/dev/null
for size in 10000 "$n"; do
	python3 "$here/gen.py" "$tmp/template.db" "$size" "$tmp/$size.csv"
	cp "$tmp/template.db" "$tmp/$size.db"
	/usr/bin/time -f "import of $size rows: %e s, max RSS %M KiB" \
		"$B" --db "$tmp/$size.db" import "$tmp/$size.csv" >/dev/null
	"$B" --db "$tmp/$size.db" trends verify
done

echo
echo "== 1. trends --by month --by org: $n incidents against 10,000"
hyperfine --style basic --warmup 3 --runs 30 --export-json "$out/trends.json" \
	-n small "$B --db $tmp/10000.db trends --by month --by org" \
	-n large "$B --db $tmp/$n.db trends --by month --by org"

echo
echo "== 2. export csv of $n incidents against sqlite3 -csv of the same columns"
# The export's columns (core/export.c) as one SELECT: the incident row,
# its types and control areas, its subjects with their engagement,
# decision and notice, and the ICO decision, oldest first.
cat >"$tmp/export.sql" <<'SQL'
SELECT i.ref, i.kind, i.org, i.state, i.severity,
 (SELECT group_concat(type, ';') FROM (SELECT type FROM incident_types t WHERE t.ref = i.ref ORDER BY position)),
 (SELECT group_concat(control, ';') FROM (SELECT control FROM incident_types t WHERE t.ref = i.ref ORDER BY position)),
 i.classification, i.records, i.records > 0 OR i.special_category, i.special_category, i.intent, i.damage,
 i.occurred_at, i.discovered_at, i.reported_at, i.closed_at,
 (SELECT group_concat(staff_id, ';') FROM (SELECT staff_id FROM incident_subjects s WHERE s.ref = i.ref ORDER BY position)),
 (SELECT group_concat(engagement, ';') FROM (SELECT engagement FROM incident_subjects s WHERE s.ref = i.ref ORDER BY position)),
 (SELECT group_concat(d.outcome, ';') FROM incident_subjects s LEFT JOIN decisions d ON d.ref = s.ref AND d.subject = s.staff_id WHERE s.ref = i.ref),
 (SELECT group_concat(d.severity, ';') FROM incident_subjects s LEFT JOIN decisions d ON d.ref = s.ref AND d.subject = s.staff_id WHERE s.ref = i.ref),
 (SELECT group_concat(n.number, ';') FROM notices n WHERE n.ref = i.ref),
 (SELECT notify FROM ico_decisions c WHERE c.ref = i.ref),
 i.location, i.description
FROM incidents i ORDER BY i.reported_at, i.ref;
SQL
hyperfine --style basic --warmup 1 --runs 5 --export-json "$out/export.json" \
	-n sqlite3-csv "sqlite3 -csv -header $tmp/$n.db < $tmp/export.sql > $tmp/base.csv" \
	-n export-csv "$B --db $tmp/$n.db export csv --out $tmp/export.csv"
/usr/bin/time -f "export csv RSS: %M KiB" "$B" --db "$tmp/$n.db" export csv --out "$tmp/export.csv"
echo "rows: sqlite3 $(($(wc -l <"$tmp/base.csv") - 1)), export $(python3 -c "
import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=''))) - 1)" "$tmp/export.csv")"

python3 - "$out/trends.json" "$out/export.json" "$n" <<'PY' | tee "$out/central.txt"
import json, sys
t = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
x = {x["command"]: x["median"] for x in json.load(open(sys.argv[2]))["results"]}
n = int(sys.argv[3])
r1 = t["large"] / t["small"]
print(f"trends --by month --by org: {n} incidents {t['large'] * 1000:.1f} ms, 10,000 "
      f"{t['small'] * 1000:.1f} ms, ratio {r1:.2f} (target <= 2: {'met' if r1 <= 2 else 'NOT met'})")
r2 = x["sqlite3-csv"] / x["export-csv"]
print(f"export csv of {n}: {x['export-csv']:.2f} s ({n / x['export-csv']:.0f} rows/s), sqlite3 -csv "
      f"{x['sqlite3-csv']:.2f} s, ratio {r2:.2f} (target >= 0.5: {'met' if r2 >= 0.5 else 'NOT met'})")
PY
