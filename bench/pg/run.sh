#!/usr/bin/env bash
# PostgreSQL benchmarks (issue 6), each a ratio of timings taken in the same
# run. Usage: bench/pg/run.sh [BUILD_DIR] [SECONDS] [N]
#   1. Ingest: POST /api/v1/incidents through two `serve` nodes on one
#      PostgreSQL database (wrk -c16 on each, at once) against one node on
#      SQLite (wrk -c32), the same request body (bench/http/post.lua).
#   2. The trend query `trends --by month --by org` on N incidents (default
#      1,000,000, the issue's size: about 6 minutes to build) against
#      10,000, on each backend (flatness), and PostgreSQL against SQLite
#      at N. The registers are built by `import` of
#      bench/central/gen.py's CSV into SQLite, then `migrate`d to PostgreSQL
#      (COPY), so both hold the same rows.
# The cluster is a throwaway one (scripts/pg-cluster.sh: Unix socket, fsync
# off, so the PostgreSQL side is not paying for durability here; the SQLite
# side runs with its usual WAL + synchronous=NORMAL).
set -euo pipefail
build=$(realpath "${1:-build}")
secs=${2:-10}
n=${3:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
out=$here/../out
mkdir -p "$out"
tmp=$(mktemp -d)
B=$build/breachreg
pids=()
pg=$("$root/scripts/pg-cluster.sh" start)
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$root/scripts/pg-cluster.sh" stop "$pg"
	rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
newdb() { psql -X -q "postgres://breachreg@/breachreg?host=$pg" -c "CREATE DATABASE $1" >/dev/null; echo "postgres://breachreg@/$1?host=$pg"; }
rps() { awk '/Requests\/sec/ {print $2}'; }
serve() { # serve DB PORT: starts a node, waits for /healthz
	"$B" --db "$1" serve --listen "127.0.0.1:$2" --threads 4 >/dev/null 2>"$tmp/serve-$2.err" &
	pids+=($!)
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && return; sleep 0.1; done
	echo "serve on $2 did not start" >&2; cat "$tmp/serve-$2.err" >&2; exit 1
}
world() { # world DB: prints a token
	"$B" --db "$1" init >/dev/null
	"$B" --db "$1" org add bench "Benchmark unit" >/dev/null
	"$B" --db "$1" person add B1 --name "Bench Person" --org bench >/dev/null
	echo "bench-password-1" | "$B" --db "$1" user add bench --person B1 --role security >/dev/null
	"$B" --db "$1" user token bench
}

export BREACHREG_NOW=2026-11-28T12:00:00Z
echo "== 1. ingest: POST /api/v1/incidents for ${secs}s"
tok=$(world "$tmp/ingest.db")
p1=$(free_port); serve "$tmp/ingest.db" "$p1"
wrk -t2 -c32 -d"${secs}s" -s "$root/bench/http/post.lua" -H "Authorization: Bearer $tok" \
	"http://127.0.0.1:$p1/api/v1/incidents" >"$tmp/sqlite.txt"
sq=$(rps <"$tmp/sqlite.txt")
echo "one node on SQLite:        $sq req/s ($(grep -c Non-2xx "$tmp/sqlite.txt" || true) non-2xx lines)"
url=$(newdb ingest)
tok=$(world "$url")
p2=$(free_port); serve "$url" "$p2"
p3=$(free_port); serve "$url" "$p3"
wpids=()
for p in "$p2" "$p3"; do
	wrk -t1 -c16 -d"${secs}s" -s "$root/bench/http/post.lua" -H "Authorization: Bearer $tok" \
		"http://127.0.0.1:$p/api/v1/incidents" >"$tmp/pg-$p.txt" &
	wpids+=($!)
done
wait "${wpids[@]}"
a=$(rps <"$tmp/pg-$p2.txt"); b=$(rps <"$tmp/pg-$p3.txt")
echo "two nodes on PostgreSQL:   $a + $b req/s"
"$B" --db "$url" audit verify
python3 -c "s=$a+$b; print(f'ingest ratio, two PostgreSQL nodes / one SQLite node: {s:.0f} / {$sq:.0f} = {s/$sq:.2f}')" \
	| tee "$out/pg-ingest.txt"
unset BREACHREG_NOW

echo
echo "== 2. trends --by month --by org: $n incidents against 10,000, each backend"
export BREACHREG_NOW=2026-12-31T23:00:00Z
"$B" --db "$tmp/template.db" init --demo >/dev/null
for size in 10000 "$n"; do
	python3 "$root/bench/central/gen.py" "$tmp/template.db" "$size" "$tmp/$size.csv"
	cp "$tmp/template.db" "$tmp/$size.db"
	"$B" --db "$tmp/$size.db" import "$tmp/$size.csv" >/dev/null
	dst=$(newdb "r$size")
	/usr/bin/time -f "migrate of $size incidents to PostgreSQL: %e s" \
		"$B" migrate --from "sqlite:$tmp/$size.db" --to "$dst" >/dev/null
	"$B" --db "$dst" trends verify
	echo "$dst" >"$tmp/$size.url"
done
hyperfine --style basic --warmup 3 --runs 20 --export-json "$out/pg-trends.json" \
	-n sqlite-small "$B --db $tmp/10000.db trends --by month --by org" \
	-n sqlite-large "$B --db $tmp/$n.db trends --by month --by org" \
	-n pg-small "$B --db '$(cat "$tmp/10000.url")' trends --by month --by org" \
	-n pg-large "$B --db '$(cat "$tmp/$n.url")' trends --by month --by org"
python3 - "$out/pg-trends.json" "$n" <<'PY' | tee "$out/pg-trends.txt"
import json, sys
t = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
print(f"trends on {n} / 10,000 incidents: SQLite {t['sqlite-large']:.1f} / {t['sqlite-small']:.1f} ms"
      f" = {t['sqlite-large'] / t['sqlite-small']:.2f}; PostgreSQL {t['pg-large']:.1f} /"
      f" {t['pg-small']:.1f} ms = {t['pg-large'] / t['pg-small']:.2f}")
print(f"trends at {n}, PostgreSQL / SQLite: {t['pg-large'] / t['sqlite-large']:.2f}")
PY
