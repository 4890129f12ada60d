# Thin front door; CMakeLists.txt is the real build.
#   make run    build, create the demo register if absent, show the overview,
#               serve the web UI and the API on http://127.0.0.1:8080/
#   make test   build under ASan+UBSan and run every test (the store, CLI and
#               API tests on SQLite and again on a throwaway PostgreSQL
#               cluster, scripts/with-pg.sh), then each fuzz target over its
#               corpus and for 10 s (clang, build-fuzz)
#   make fuzz   run each fuzz target in fuzz/ for FUZZ_SECONDS (60) each
#   make bench  run the benchmarks in bench/, bench/http/, bench/central/ and
#               bench/import/ (ratios against baselines; the last two build
#               registers of 1,000,000 incidents and take several minutes)

JOBS    ?= $(shell nproc)
DB      ?= breachreg.db
SHARED  ?= $(abspath ../shared)

.PHONY: all build build-asan build-fuzz run test fuzz unit cli-test scenarios bench format clean

all: build

build:
	@scripts/deps.sh build
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBR_TESTS=OFF >/dev/null
	@cmake --build build -j $(JOBS)

build-asan:
	@scripts/deps.sh build test
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBR_SANITIZE=ON -DBR_TESTS=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

# libFuzzer targets (fuzz/), clang with ASan+UBSan.
build-fuzz:
	@scripts/deps.sh build test
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DBR_FUZZ=ON -DBR_TESTS=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz

FUZZ_SECONDS ?= 60

fuzz: build-fuzz
	@fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

LISTEN  ?= 127.0.0.1:8080

run: build
	@[ -f "$(DB)" ] || ./build/breachreg --db "$(DB)" init --demo
	@./build/breachreg --db "$(DB)" summary
	@echo
	@echo "demo accounts (password: breachreg-demo):"
	@./build/breachreg --db "$(DB)" user list
	@echo
	@echo "web:      open http://$(LISTEN)/ and sign in as any account above (password breachreg-demo)"
	@echo "API:      curl -c jar -H 'Content-Type: application/json' -d '{\"name\":\"security\",\"password\":\"breachreg-demo\"}' http://$(LISTEN)/api/v1/session"
	@echo "or token: ./build/breachreg --db $(DB) user token security"
	@echo "access log: breachreg-access.log (JSON lines)"
	@./build/breachreg --db "$(DB)" serve --listen $(LISTEN) --access-log breachreg-access.log

test: build-asan build-fuzz
	@scripts/lint.sh build-asan
	@scripts/with-pg.sh sh -c 'ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure && \
		tests/run-all.sh build-asan/breachreg "$(SHARED)"'
	@cmake -S . -B build-vg -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBR_TESTS=OFF >/dev/null
	@cmake --build build-vg -j $(JOBS) --target breachreg
	@scripts/valgrind-cli.sh build-vg
	@tests/fuzz/run-brief.sh build-fuzz

bench: build
	@scripts/deps.sh bench
	@bench/run.sh build
	@bench/http/run.sh build
	@bench/web/run.sh build
	@bench/central/run.sh build
	@bench/import/run.sh build

format:
	@clang-format -i src/*/*.c src/*/*.h tests/unit/*.c bench/*.c

clean:
	rm -rf build build-asan build-fuzz
