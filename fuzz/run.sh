#!/usr/bin/env bash
# Runs every fuzz target of a BR_FUZZ build: first over its committed
# corpus alone (-runs=0: each seed once, the regression check), then, for
# SECONDS > 0, fuzzing for SECONDS more from that corpus. New inputs go to
# BUILD_DIR/fuzz-work/NAME, never to the committed corpus (merge the good
# ones by hand: FUZZER -merge=1 fuzz/corpus/NAME BUILD_DIR/fuzz-work/NAME).
# Crashes are kept as BUILD_DIR/fuzz-work/NAME-crash-*; each run's log is
# BUILD_DIR/fuzz-work/NAME.log. Targets run nproc at a time.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS]     (SECONDS: 60 unless given)
# Prints one line per target and a closing "N passed, N failed".
set -uo pipefail
build=$(realpath "${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS]}")
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# name    corpus (and NAME.dict)   -max_len
targets=(
	"json    json    8192"
	"import  import  16384"
	"http    http    8192"
	"server  http    8192"
	"web     web     4096"
)

# One target, its log to $work/NAME.log; prints its result line.
run_one() {
	local name=$1 corpus=$here/corpus/$2 dict=$here/$2.dict max_len=$3
	local bin=$build/fuzz_$name work=$build/fuzz-work log rc status
	log=$work/$name.log
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: $bin not built (cmake -DBR_FUZZ=ON, target fuzz)"
		return
	fi
	rm -rf "${work:?}/$name" "$work/$name"-crash-* "$work/$name"-leak-* \
		"$work/$name"-timeout-* "$work/$name"-oom-*
	mkdir -p "$work/$name"
	"$bin" -runs=0 -timeout=10 -artifact_prefix="$work/$name-" "$corpus" >"$log" 2>&1
	rc=$?
	status="corpus of $(find "$corpus" -type f | wc -l) replayed"
	if [ "$rc" -eq 0 ] && [ "$seconds" -gt 0 ]; then
		"$bin" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
			-dict="$dict" -artifact_prefix="$work/$name-" "$work/$name" "$corpus" \
			>>"$log" 2>&1
		rc=$?
		status="$status, $(grep -E '^#[0-9]+.*DONE' "$log" | tail -1 |
			sed -E 's/^#([0-9]+).*exec\/s: ([0-9]+).*/\1 runs, \2 exec\/s/') in ${seconds}s"
	fi
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name ($status)"
	else
		echo "FAIL $name (exit $rc; log $log)"
		grep -E '^(SUMMARY|fuzz_|fuzz:)|ERROR: |runtime error|Test unit written' "$log" |
			head -8 | sed 's/^/    /'
	fi
}

mkdir -p "$build/fuzz-work"
jobs=$(nproc)
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
i=0
for t in "${targets[@]}"; do
	# shellcheck disable=SC2086 # the row's words are the arguments
	run_one $t >"$results/$i" &
	i=$((i + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
done
wait

passed=0 failed=0
for ((k = 0; k < i; k++)); do
	cat "$results/$k"
	if grep -q '^PASS' "$results/$k"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
