#!/usr/bin/env bash
# The fuzz targets in the test command: each over its committed corpus
# (fuzz/corpus/NAME: the seeds and every crash found so far), then 10
# seconds of fuzzing (FUZZ_BRIEF_SECONDS to change). Non-zero on any
# crash, leak, hang or failed oracle; the last line is "N passed, N
# failed", one per target. Usage: tests/fuzz/run-brief.sh BUILD_DIR
# (a build with -DCMAKE_C_COMPILER=clang -DBR_FUZZ=ON; make test makes
# build-fuzz). Reproduce a failure: BUILD_DIR/fuzz_NAME CRASH_FILE.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
echo "== fuzz targets (${FUZZ_BRIEF_SECONDS:-10}s each)"
exec "$here/../../fuzz/run.sh" "${1:?usage: tests/fuzz/run-brief.sh BUILD_DIR}" \
	"${FUZZ_BRIEF_SECONDS:-10}"
