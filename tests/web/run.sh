#!/usr/bin/env bash
# The browser tests (issue 4): headless Debian chromium, driven by
# playwright-core, against a real server on a throwaway demo register.
# Usage: tests/web/run.sh BINARY [TEST_FILE...]   (default: every *.test.mjs)
# Screenshots go to tests/out/web/. Prints one closing line "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:?usage: tests/web/run.sh BINARY [TEST_FILE...]}")
shift
chromium=${CHROMIUM:-/usr/bin/chromium}

fail() { echo "web: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
command -v node >/dev/null || fail "node not found (scripts/deps.sh build installs it)"
command -v npm >/dev/null || fail "npm not found (scripts/deps.sh build installs it)"
[ -x "$chromium" ] || fail "$chromium not found (scripts/deps.sh test installs Debian's chromium)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || echo "web: node $(node --version) is older than playwright-core's >=20" >&2

# The packages of tests/web/package-lock.json, when missing or stale.
installed=$here/node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ "$here/package-lock.json" -nt "$installed" ]; then
	npm ci --prefix "$here" --no-audit --no-fund --ignore-scripts >&2 || fail "npm ci --prefix tests/web failed"
fi

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		wait "$pid"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

export BREACHREG_NOW=2026-11-28T12:00:00Z
export BREACHREG_BIN=$bin BREACHREG_DB=$tmp/reg.db
"$bin" --db "$tmp/reg.db" init --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; fail "init --demo failed"; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$tmp" && exec "$bin" --db "$tmp/reg.db" serve --listen "127.0.0.1:$port" --access-log "$tmp/access.log") \
	>"$tmp/server.log" 2>&1 &
pid=$!
export BASE_URL=http://127.0.0.1:$port
up=
for _ in $(seq 100); do
	if node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
		"$BASE_URL/healthz" 2>/dev/null; then up=1; break; fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
[ -n "$up" ] || { cat "$tmp/server.log" >&2; fail "the server did not answer $BASE_URL/healthz"; }

export WEB_OUT_DIR=$root/tests/out/web
mkdir -p "$WEB_OUT_DIR"
if [ $# -gt 0 ]; then files=("$@"); else files=("$here"/*.test.mjs); fi
# One file at a time: the tests share one register and two cores.
if node --test-concurrency=1 -e 0 2>/dev/null; then
	out=$(cd "$root" && node --test --test-concurrency=1 --test-reporter=tap "${files[@]}" 2>&1)
else
	out=
	for f in "${files[@]}"; do out+=$(cd "$root" && node --test --test-reporter=tap "$f" 2>&1)$'\n'; done
fi
echo "$out"
passed=$(grep -E '^# pass [0-9]+' <<<"$out" | awk '{s += $3} END {print s + 0}')
failed=$(grep -E '^# fail [0-9]+' <<<"$out" | awk '{s += $3} END {print s + 0}')
grep -qE '^# pass [0-9]+' <<<"$out" || failed=$((failed + 1))

# The server must stop cleanly on SIGTERM: under ASan a leak or error in a
# page handler shows here.
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
if [ "$rc" -ne 0 ]; then
	echo "web: the server exited $rc on SIGTERM:" >&2
	tail -40 "$tmp/server.log" >&2
	failed=$((failed + 1))
fi
echo "screenshots: $WEB_OUT_DIR"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
