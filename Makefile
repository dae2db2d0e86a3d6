# Cordon: top-level entry points. CMake does the building; this file only
# wires the steps together. See scripts/ for what each step runs.

BUILD_TYPE ?= Debug
JOBS       ?= 2
DB         ?= sqlite:cordon.db
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps build build-asan run test bench fuzz fuzz-smoke clean distclean

all: build

deps:
	scripts/deps.sh

build: deps
	@test -f build/CMakeCache.txt || cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build build -j$(JOBS)

build-asan: deps
	@test -f build-asan/CMakeCache.txt || \
		cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCORDON_SANITIZE=ON
	cmake --build build-asan -j$(JOBS)

run: build
	CORDON_DEV=1 build/cordon migrate --db $(DB)
	CORDON_DEV=1 build/cordon demo --db $(DB)
	exec env CORDON_DEV=1 build/cordon serve --db $(DB) --listen $(LISTEN)

# Every test: the suites on the normal build (SQLite, and at two hours of the
# Vietnamese day), each fuzz target on its fixed smoke inputs (the same on every
# machine), then the suites on the ASan+UBSan build on SQLite and PostgreSQL.
test: build
	TEST_ENGINES=sqlite scripts/test-all.sh build
	scripts/fuzz.sh --smoke
	$(MAKE) build-asan
	scripts/test-all.sh build-asan

# Benchmarks run on an optimised build of their own.
bench: deps
	@test -f build-bench/CMakeCache.txt || cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
	cmake --build build-bench -j$(JOBS)
	BUILD=build-bench CORDON_BIN=build-bench/cordon scripts/bench.sh

# Fuzzing: every libFuzzer target of tests/fuzz for FUZZ_SECONDS each (default
# 10 minutes), in a clang tree of its own; fuzz-smoke is the fixed run of make test.
fuzz: deps
	scripts/fuzz.sh

fuzz-smoke: deps
	scripts/fuzz.sh --smoke

clean:
	rm -rf build build-asan build-fuzz

distclean: clean
	rm -rf node_modules cordon.db cordon.db-wal cordon.db-shm
