#!/usr/bin/env bash
# Static analysis in the test command (issue 7 item 7): cppcheck and
# clang-tidy (.clang-tidy) over every C file of src/, both as errors.
# Usage: scripts/lint.sh BUILD_DIR   (a CMake build dir with
# compile_commands.json; the Makefile passes build-asan)
set -euo pipefail
build=${1:?usage: scripts/lint.sh BUILD_DIR}
cd "$(dirname "$0")/.."
[ -f "$build/compile_commands.json" ] || { echo "lint: no $build/compile_commands.json" >&2; exit 2; }
files=$(ls src/*/*.c)
n=$(echo "$files" | wc -w)

# json_array_foreach and friends are jansson macros: show cppcheck the header.
cppcheck --enable=warning,performance,portability --std=c11 --quiet --inline-suppr \
	-I src --include=/usr/include/jansson.h --suppress=missingIncludeSystem \
	--error-exitcode=1 $files
echo "lint: cppcheck clean ($n files)"

# The ASan build's flags are gcc's; clang-tidy needs only the includes and
# defines, so drop what clang does not know.
echo "$files" | tr ' ' '\n' | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet \
	--extra-arg=-Wno-unknown-warning-option 2>/dev/null
echo "lint: clang-tidy clean ($n files)"
