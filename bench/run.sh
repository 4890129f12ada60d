#!/usr/bin/env bash
# Benchmarks for issue 2, each reported as a ratio against a baseline
# measured in the same run. Usage: bench/run.sh [BUILD_DIR] [N]
#   1. assessment throughput in process (bench_assess) against jansson
#      parsing the same facts; the target is 1,000,000 assessments/s.
#   2. store ingest: N report-equivalent inserts through the store API, and
#      through the whole service path, against the sqlite3 shell inserting
#      the same rows with the same durability (WAL, synchronous=NORMAL,
#      one transaction per incident), timed by hyperfine. Target >= 0.5.
set -euo pipefail
build=$(realpath "${1:-build}")
n=${2:-100000}
out=$(cd "$(dirname "$0")" && pwd)/out
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== 1. assessment throughput (one core)"
taskset -c 0 "$build/bench_assess" 5000000 | tee "$out/assess.txt"

echo
echo "== 2. store ingest of $n incidents, one durable transaction each"
export BREACHREG_NOW=2026-05-28T00:00:00Z
"$build/breachreg" --db "$tmp/template.db" init >/dev/null
"$build/breachreg" --db "$tmp/template.db" org add bench "Benchmark unit" >/dev/null
"$build/breachreg" --db "$tmp/template.db" person add B1 --name "Bench Person" --org bench >/dev/null
"$build/bench_ingest" sql "$n" >"$tmp/rows.sql"
reset="rm -f $tmp/run.db*; cp $tmp/template.db $tmp/run.db"
hyperfine --style basic --runs 3 --prepare "$reset" --export-json "$out/ingest.json" \
	-n sqlite3-shell "sqlite3 $tmp/run.db < $tmp/rows.sql" \
	-n store-api "$build/bench_ingest store $tmp/run.db $n" \
	-n registry-report "$build/bench_ingest report $tmp/run.db $n"
python3 - "$out/ingest.json" "$n" <<'PY' | tee "$out/ingest.txt"
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2]); base = r["sqlite3-shell"]
for name in ("store-api", "registry-report"):
    ratio = base / r[name]
    print(f"{name:16s} {n / r[name]:9.0f} inserts/s  ratio vs sqlite3 shell {ratio:.2f} "
          f"(target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
print(f"{'sqlite3-shell':16s} {n / base:9.0f} inserts/s  (baseline)")
PY
