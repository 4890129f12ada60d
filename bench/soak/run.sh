#!/usr/bin/env bash
# Load and soak test (issue 7): a mixed read/write load for a bounded time
# against `breachreg serve` on the demo register, on 127.0.0.1 only.
#   mix (bench/soak/mixed.lua): 45% GET /api/v1/incidents/{ref} (audited
#   reads), 20% GET /api/v1/incidents?status=S, 10% GET
#   /api/v1/trends?by=month,org, 25% POST /api/v1/incidents (durable writes).
# The run is cut into intervals of 60 s (SECONDS/10 when SECONDS < 600); each
# interval is one fresh wrk process with the same script. After each one it
# reports requests/s, errors (responses outside 2xx plus socket errors),
# p50/p99 latency, the server's memory in KiB and the register's size:
#   VmRSS, RssAnon (heap, stacks, the page-cache budget) and RssFile
#   (+RssShmem: mapped code, the WAL index) from /proc/PID/status;
#   from /metrics: sqlite (SQLite's own allocator, not counting its
#   reserved page slots), pcache (what the page caches hold of their
#   8 MiB budget, reserved and resident from the start), heap_use and
#   heap_free (glibc malloc: in use, and free inside its arenas).
# Pass: no error in any interval; the server's VmRSS at the end less than
# 5% above its VmRSS at the end of the warm-up (the first
# SOAK_WARMUP_INTERVALS intervals, default 2); the server drains and exits 0
# on SIGTERM; `audit verify` passes on the register.
# The RSS rule is judged only when the warm-up lasts at least
# SOAK_MIN_WARMUP seconds (default 60): in its first minute the server's
# heap reaches its working size (each worker's first requests, each
# connection's prepared statements), so in a short run (30 s: 3 s
# intervals) RSS still grows while that happens, which is not a leak.
# Short runs report the growth without judging it; set SOAK_MIN_WARMUP=0
# to judge it anyway.
# Exit 0 on pass, 1 on fail. Raw wrk output goes to bench/out/soak.txt.
# Usage: bench/soak/run.sh [BUILD_DIR] [SECONDS]   (default 600; 30 for a short run)
# Environment: SOAK_THREADS (wrk threads, 2), SOAK_CONNS (connections, 16),
#              SOAK_SERVER_THREADS (serve --threads, 4), SOAK_MIN_WARMUP (60).
set -euo pipefail
build=$(realpath "${1:-build}")
secs=${2:-600}
[[ $secs =~ ^[0-9]+$ && $secs -ge 10 ]] || { echo "usage: $0 [BUILD_DIR] [SECONDS>=10]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../out
mkdir -p "$out"
raw=$out/soak.txt
tmp=$(mktemp -d)
B="$build/breachreg"
wthreads=${SOAK_THREADS:-2}
conns=${SOAK_CONNS:-16}
sthreads=${SOAK_SERVER_THREADS:-4}
min_warm=${SOAK_MIN_WARMUP:-60}
warm_n=${SOAK_WARMUP_INTERVALS:-2}
command -v wrk >/dev/null || { echo "wrk not found (Debian package wrk)" >&2; exit 1; }
[ -x "$B" ] || { echo "$B not found: build first" >&2; exit 1; }

if [ "$secs" -ge 600 ]; then ivl=60; else ivl=$((secs / 10)); fi
n=$((secs / ivl))

srv_pid=
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The demo register, plus a security account (sees every incident) whose
# person is the subject of the incidents the load reports.
export BREACHREG_NOW=2026-11-28T12:00:00Z
$B --db "$tmp/reg.db" init --demo >/dev/null
$B --db "$tmp/reg.db" org add bench "Benchmark unit" >/dev/null
$B --db "$tmp/reg.db" person add B1 --name "Bench Person" --org bench >/dev/null
echo "soak-password-1" | $B --db "$tmp/reg.db" user add soak --person B1 --role security >/dev/null
token=$($B --db "$tmp/reg.db" user token soak)
$B --db "$tmp/reg.db" --json incidents --limit 1000 |
	python3 -c 'import json,sys; print("\n".join(i["ref"] for i in json.load(sys.stdin)))' >"$tmp/refs"
unset BREACHREG_NOW
[ -s "$tmp/refs" ] || { echo "no incidents in the demo register" >&2; exit 1; }

port=$(free_port)
$B --db "$tmp/reg.db" serve --listen 127.0.0.1:$port --threads "$sthreads" \
	>"$tmp/serve.out" 2>"$tmp/serve.err" &
srv_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start" >&2; cat "$tmp/serve.err" >&2; exit 1; }

rss_kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$srv_pid/status"; }
# One gauge of /metrics in KiB: metric NAME{kind="KIND"} (from $tmp/metrics).
gauge_kib() { awk -v k="$1{kind=\"$2\"}" '$1 == k {printf "%d", $2 / 1024; f = 1} END {if (!f) print 0}' "$tmp/metrics"; }
mib() { [ -f "$1" ] && du -m "$1" | awk '{print $1}' || echo 0; }

{
	echo "# bench/soak/run.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): ${secs}s in $n intervals of ${ivl}s"
	echo "# wrk -t$wthreads -c$conns --timeout 5s -s mixed.lua; serve --threads $sthreads;" \
		"$(wc -l <"$tmp/refs") demo incidents read; $(nproc) cores"
} | tee "$raw"
echo "# server pid $srv_pid, VmRSS at start $(rss_kib VmRSS) KiB" | tee -a "$raw"
printf '%-4s %8s %9s %7s %8s %8s %9s %9s %9s %9s %9s %9s %9s %7s %7s\n' \
	int req/s requests errors p50_ms p99_ms VmRSS RssAnon RssFile sqlite pcache \
	heap_use heap_free db_MiB wal_MiB | tee "$tmp/table"

errs_total=0
declare -a rss anon
for i in $(seq 1 "$n"); do
	if ! kill -0 "$srv_pid" 2>/dev/null; then
		echo "server died during interval $i" | tee -a "$raw" >&2
		cat "$tmp/serve.err" >&2
		exit 1
	fi
	echo "## interval $i ($(date -u +%H:%M:%S))" >>"$raw"
	wrk -t"$wthreads" -c"$conns" -d"${ivl}s" --timeout 5s --latency -s "$here/mixed.lua" \
		-H "Authorization: Bearer $token" "http://127.0.0.1:$port/" -- "$tmp/refs" \
		>"$tmp/wrk.txt" 2>&1 || true
	cat "$tmp/wrk.txt" >>"$raw"
	line=$(grep '^SOAK ' "$tmp/wrk.txt" || true)
	if [ -z "$line" ]; then
		echo "interval $i: wrk produced no result" | tee -a "$raw" >&2
		exit 1
	fi
	declare -A m=()
	for kv in ${line#SOAK }; do m[${kv%%=*}]=${kv#*=}; done
	errs=$((m[non2xx] + m[connect] + m[read] + m[write] + m[timeout]))
	errs_total=$((errs_total + errs))
	rss[$i]=$(rss_kib VmRSS)
	anon[$i]=$(rss_kib RssAnon)
	curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/metrics" || : >"$tmp/metrics"
	row=$(awk -v i="$i" -v r="${m[requests]}" -v d="${m[duration_us]}" -v e="$errs" \
		-v p50="${m[p50_us]}" -v p99="${m[p99_us]}" -v rss="${rss[$i]}" -v anon="${anon[$i]}" \
		-v file="$(($(rss_kib RssFile) + $(rss_kib RssShmem)))" \
		-v sql="$(gauge_kib breachreg_store_memory_bytes used)" \
		-v pc="$(gauge_kib breachreg_store_memory_bytes page_cache)" \
		-v hu="$(gauge_kib breachreg_malloc_bytes in_use)" \
		-v hf="$(gauge_kib breachreg_malloc_bytes free)" \
		-v db="$(mib "$tmp/reg.db")" -v wal="$(mib "$tmp/reg.db-wal")" \
		'BEGIN {printf "%-4s %8.0f %9d %7d %8.2f %8.2f %9d %9d %9d %9d %9d %9d %9d %7d %7d", i, r / (d / 1e6), r, e, p50 / 1000, p99 / 1000, rss, anon, file, sql, pc, hu, hf, db, wal}')
	echo "$row" | tee -a "$tmp/table"
	echo "$row" >>"$raw"
done

echo "## summary" >>"$raw"
{
	echo
	cat "$tmp/table"
	echo
} >>"$raw"

fail=0
[ "$warm_n" -lt "$n" ] || warm_n=1
base=${rss[$warm_n]}
last=${rss[$n]}
peak=$base
for i in $(seq $((warm_n + 1)) "$n"); do [ "${rss[$i]}" -gt "$peak" ] && peak=${rss[$i]}; done
growth=$(awk -v b="$base" -v l="$last" 'BEGIN {printf "%.2f", (l - b) * 100 / b}')
{
	echo "errors (non-2xx + socket errors), all intervals: $errs_total (allowed: 0)"
	echo "VmRSS after warm-up (interval $warm_n): $base KiB; at the end (interval $n): $last KiB;" \
		"growth $growth% (allowed: < 5%); peak after warm-up $peak KiB"
	echo "of which RssAnon: ${anon[$warm_n]} -> ${anon[$n]} KiB" \
		"($(awk -v b="${anon[$warm_n]}" -v l="${anon[$n]}" 'BEGIN {printf "%+.2f", (l - b) * 100 / b}')%);" \
		"file-backed: $((base - anon[warm_n])) -> $((last - anon[n])) KiB"
} | tee -a "$raw"
[ "$errs_total" -eq 0 ] || fail=1
if [ $((ivl * warm_n)) -ge "$min_warm" ]; then
	awk -v g="$growth" 'BEGIN {exit !(g < 5)}' || fail=1
else
	echo "RSS growth not judged: the warm-up ($((ivl * warm_n))s) is shorter than SOAK_MIN_WARMUP (${min_warm}s)" |
		tee -a "$raw"
fi

kill -TERM "$srv_pid"
if wait "$srv_pid"; then echo "server drained and exited 0 on SIGTERM" | tee -a "$raw"; else
	echo "server exited $? on SIGTERM" | tee -a "$raw"
	fail=1
fi
srv_pid=
echo "register after the soak: $(sqlite3 "$tmp/reg.db" 'SELECT count(*) FROM incidents') incidents," \
	"$(sqlite3 "$tmp/reg.db" 'SELECT count(*) FROM audit') audit entries" | tee -a "$raw"
if $B --db "$tmp/reg.db" audit verify >>"$raw" 2>&1; then
	echo "audit verify: the hash chain is intact" | tee -a "$raw"
else
	echo "audit verify: FAILED" | tee -a "$raw"
	fail=1
fi
if [ "$fail" -eq 0 ]; then echo "soak: PASS" | tee -a "$raw"; else echo "soak: FAIL" | tee -a "$raw"; fi
exit "$fail"
