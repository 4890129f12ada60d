#!/usr/bin/env bash
# Black-box suites against a built binary: the public policy scenarios, the
# CLI, HTTP API and crash tests, and the browser tests (tests/web) on
# SQLite; then the CLI, API and kill -9 tests on PostgreSQL when
# BREACHREG_TEST_PG names a cluster.
# Usage: tests/run-all.sh BINARY [SHARED_DIR]
# Prints one closing line "N passed, N failed" over every suite.
set -uo pipefail
bin=$(realpath "$1")
shared=$(realpath -m "${2:-$(dirname "$0")/../../shared}")
here=$(cd "$(dirname "$0")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0
tally() { # reads a suite's output, echoes it, adds its closing counts
	local out=$1 line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	if [ -z "$line" ]; then failed=$((failed + 1)); echo "(suite printed no result line)"; return; fi
	passed=$((passed + p)); failed=$((failed + f))
}

if [ -x "$shared/tools/check-scenarios" ]; then
	echo "== policy scenarios ($shared/scenarios)"
	out=$(cd "$(mktemp -d)" && python3 "$shared/tools/check-scenarios" "$bin" "$shared/scenarios" 2>&1)
	echo "$out"; tally "$out"
else
	echo "== policy scenarios: $shared/tools/check-scenarios not found, skipped"
fi

for suite in "$here"/cli/test_*.py "$here"/api/test_*.py "$here"/web/test_*.py "$here"/crash/test_*.py; do
	[ -e "$suite" ] || continue
	echo "== $(basename "$suite")"
	out=$(python3 "$suite" "$bin" 2>&1)
	echo "$out"; tally "$out"
done

# The browser tests need node and Debian's chromium: without them this
# suite fails (it prints "0 passed, 1 failed"), it is never skipped.
echo "== web (tests/web, headless chromium)"
out=$("$here/web/run.sh" "$bin" 2>&1)
echo "$out"; tally "$out"

# The CLI, API and kill -9 suites again on PostgreSQL, each register a new
# database in the cluster at BREACHREG_TEST_PG (scripts/with-pg.sh makes
# one; make test does). tests/crash/test_backup.py stays SQLite-only: it
# backs up and restores register files, which a server database has not.
if [ -n "${BREACHREG_TEST_PG:-}" ]; then
	for suite in "$here"/cli/test_*.py "$here"/api/test_*.py "$here"/crash/test_crash.py; do
		[ -e "$suite" ] || continue
		echo "== $(basename "$suite") on PostgreSQL"
		out=$(BR_TEST_BACKEND=pgsql python3 "$suite" "$bin" 2>&1)
		echo "$out"; tally "$out"
	done
	echo "== crash/test_backup.py: SQLite file backup and restore, not run on PostgreSQL"
else
	echo "== PostgreSQL pass skipped: BREACHREG_TEST_PG is not set (scripts/with-pg.sh)"
fi

echo
echo "black-box: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
