#!/usr/bin/env bash
# HTTP benchmarks for issue 3, each a ratio against a baseline measured in
# the same run with the same wrk settings:
#   1. GET /api/v1/incidents/{ref} with a bearer token, against nginx
#      serving a static file of the same bytes (target >= 0.5).
#   2. POST /api/v1/incidents (durable: WAL, synchronous=NORMAL, one
#      transaction per incident), against the sqlite3 shell inserting the
#      same rows with the same durability (target >= 0.5).
#   3. p99 latency under that load and the server's peak RSS (VmHWM) with
#      the demo register (target <= 64 MiB).
# Usage: bench/http/run.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
build=$(realpath "${1:-build}")
secs=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../out
mkdir -p "$out"
tmp=$(mktemp -d)
B="$build/breachreg"
cleanup() { kill "${srv_pid:-}" "${ngx_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WRK="wrk -t2 -c32 -d${secs}s --latency"

export BREACHREG_NOW=2026-11-28T12:00:00Z
$B --db "$tmp/reg.db" init --demo >/dev/null
$B --db "$tmp/reg.db" org add bench "Benchmark unit" >/dev/null
$B --db "$tmp/reg.db" person add B1 --name "Bench Person" --org bench >/dev/null
echo "bench-password-1" | $B --db "$tmp/reg.db" user add bench --person B1 --role security >/dev/null
token=$($B --db "$tmp/reg.db" user token bench)
ref=$($B --db "$tmp/reg.db" --json incidents --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ref"])')
unset BREACHREG_NOW

port=$(free_port)
$B --db "$tmp/reg.db" serve --listen 127.0.0.1:$port --threads 4 >"$tmp/serve.out" 2>"$tmp/serve.err" &
srv_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/api/v1/incidents/$ref"
curl -sf -H "Authorization: Bearer $token" "$url" >"$tmp/static.json"

# nginx: the same bytes as a static file, default worker count (one per core).
nport=$(free_port)
mkdir -p "$tmp/www" "$tmp/nginx"
cp "$tmp/static.json" "$tmp/www/incident.json"
cat >"$tmp/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
  uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  types { application/json json; }
  server { listen 127.0.0.1:$nport; root $tmp/www; }
}
CONF
nginx -c "$tmp/nginx.conf" -g 'daemon off;' &
ngx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nport/incident.json" >/dev/null && break; sleep 0.1; done

rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '/ 99%/ {print $2}'; }

echo "== 1. GET one incident ($(wc -c <"$tmp/static.json") bytes), wrk -t2 -c32 -d${secs}s"
$WRK -H "Authorization: Bearer $token" "http://127.0.0.1:$nport/incident.json" >"$tmp/nginx.txt"
$WRK -H "Authorization: Bearer $token" "$url" >"$tmp/get.txt"
ngx=$(rps <"$tmp/nginx.txt"); get=$(rps <"$tmp/get.txt")
echo "nginx static file:  $ngx req/s, p99 $(p99 <"$tmp/nginx.txt")"
echo "breachreg GET:      $get req/s, p99 $(p99 <"$tmp/get.txt"), non-2xx: $(grep -c 'Non-2xx' "$tmp/get.txt" || true)"
python3 -c "r=$get/$ngx; print(f'ratio GET/nginx {r:.2f} (target >= 0.5: {\"met\" if r >= 0.5 else \"NOT met\"})')"

echo
echo "== 2. POST incidents, durable, wrk -t2 -c32 -d${secs}s"
$WRK -s "$here/post.lua" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/incidents" >"$tmp/post.txt"
post=$(rps <"$tmp/post.txt")
echo "breachreg POST:     $post req/s, p99 $(p99 <"$tmp/post.txt"), non-2xx: $(grep -c 'Non-2xx' "$tmp/post.txt" || true)"
n=20000
"$build/bench_ingest" sql $n >"$tmp/rows.sql"
$B --db "$tmp/base.db" init >/dev/null
$B --db "$tmp/base.db" org add bench "Benchmark unit" >/dev/null
$B --db "$tmp/base.db" person add B1 --name "Bench Person" --org bench >/dev/null
t0=$(date +%s.%N); sqlite3 "$tmp/base.db" <"$tmp/rows.sql" >/dev/null; t1=$(date +%s.%N)
base=$(python3 -c "print(f'{$n/($t1-$t0):.0f}')")
echo "sqlite3 shell:      $base inserts/s (same rows, same durability)"
python3 -c "r=$post/$base; print(f'ratio POST/sqlite3 {r:.2f} (target >= 0.5: {\"met\" if r >= 0.5 else \"NOT met\"})')"

echo
echo "== 3. memory"
hwm=$(awk '/VmHWM/ {print $2}' /proc/$srv_pid/status)
echo "peak RSS (VmHWM) after both loads: $((hwm / 1024)) MiB (target <= 64 MiB: $([ $((hwm / 1024)) -le 64 ] && echo met || echo NOT met))"
kill -TERM $srv_pid; wait $srv_pid && echo "server drained and exited 0 on SIGTERM"
srv_pid=
