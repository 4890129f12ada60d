#!/usr/bin/env bash
# The CLI tests again with every command run under valgrind memcheck
# (issue 7 item 7): any invalid access, use of an uninitialised value or
# definite/indirect leak fails the test that ran it. Needs a build without
# sanitizers (valgrind and ASan do not mix). Usage:
#   scripts/valgrind-cli.sh BUILD_DIR [TEST_FILE...]
set -euo pipefail
build=$(realpath "${1:?usage: scripts/valgrind-cli.sh BUILD_DIR [TEST_FILE...]}")
shift
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/cli/test_*.py)
export BREACHREG_TEST_WRAPPER="valgrind --quiet --error-exitcode=99 --leak-check=full
 --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
 --track-origins=no"
passed=0 failed=0
for f in "${files[@]}"; do
	echo "== valgrind: $f"
	out=$(python3 "$f" "$build/breachreg" 2>&1) || true
	echo "$out" | grep -v '^ok ' | tail -n 40
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
	[ -n "$line" ] || { echo "no result line from $f"; failed=$((failed + 1)); continue; }
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
done
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
