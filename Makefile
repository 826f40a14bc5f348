# Thin wrapper over CMake. `make demo` and `make test` are the quick start.
JOBS      ?= 2
BUILD     ?= build
ASAN      ?= build-asan
FUZZ      ?= build-fuzz
FUZZ_TIME ?= 120
DEMO_DIR  ?= demo-data
DEMO_DATA ?= $(DEMO_DIR)/store
DEMO_LISTEN ?= 127.0.0.1:8080
WS        := $(BUILD)/watchstats
MAKEFLAGS += --no-print-directory

FUZZ_TARGETS := table_file_fuzz manifest_fuzz wal_fuzz ingest_state_fuzz parser_fuzz

.PHONY: all bootstrap build build-asan test unit-asan demo bench fuzz format clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: bootstrap
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
	  -DSANITIZE=address,undefined -DWS_BUILD_BENCH=OFF > /dev/null
	@cmake --build $(ASAN) -j $(JOBS) --target watchstats_tests watchstats watchstats_e2e_tests

# Every test on the Release build, then the unit tests and the server's
# end-to-end tests (a sanitized `watchstats serve` under load, kill -9 and
# SIGTERM) under ASan+UBSan.
test: build build-asan
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@echo "== unit and server tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -L unit
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -R '^(ServerTest|ServeCli)\.'

demo: build
	@rm -rf $(DEMO_DIR)
	@echo "== generating a month of events =="
	@$(WS) generate --out $(DEMO_DIR)/input --users 3000 --titles 300 --days 30 --seed 42
	@echo "== loading the catalog and users =="
	@$(WS) --data $(DEMO_DATA) catalog load $(DEMO_DIR)/input/catalog.json $(DEMO_DIR)/input/users.csv
	@echo "== ingesting =="
	@$(WS) --data $(DEMO_DATA) ingest --close-all $(DEMO_DIR)/input/events/*.ndjson
	@echo "== popular titles (last 30 days of data) =="
	@$(WS) --data $(DEMO_DATA) report popular --limit 10
	@echo "== daily trends =="
	@$(WS) --data $(DEMO_DATA) report trends
	@echo "== peak hours (viewers' local time) =="
	@$(WS) --data $(DEMO_DATA) report peak-hours
	@echo "== rejected events by reason =="
	@$(WS) --data $(DEMO_DATA) rejected | tail -n 12
	@echo "== serving the dashboard and the API (Ctrl-C stops) =="
	@key=$$($(WS) --data $(DEMO_DATA) keys create --role analyst --name demo 2>/dev/null) && \
	  echo "dashboard:   http://$(DEMO_LISTEN)/#key=$$key" && \
	  echo "analyst key: $$key   (curl -H 'Authorization: Bearer $$key' http://$(DEMO_LISTEN)/v1/trends)" && \
	  exec $(WS) --data $(DEMO_DATA) serve --listen $(DEMO_LISTEN)

bench: build
	@bench/run_ingest_bench.sh

# The libFuzzer targets (needs clang): seed corpora, then FUZZ_TIME seconds
# each; a target that finds a crash stops `make` with the end of its log.
fuzz:
	@cmake -S . -B $(FUZZ) -DCMAKE_CXX_COMPILER=clang++ -DWS_BUILD_FUZZ=ON \
	  -DWS_BUILD_TESTS=OFF -DWS_BUILD_BENCH=OFF > /dev/null
	@cmake --build $(FUZZ) -j $(JOBS) --target $(FUZZ_TARGETS) make_fuzz_corpus
	@$(FUZZ)/make_fuzz_corpus $(FUZZ)/corpus
	@mkdir -p $(FUZZ)/corpus/parser_fuzz $(FUZZ)/artifacts $(FUZZ)/logs
	@for t in $(FUZZ_TARGETS); do \
	  seeds=; if [ $$t = parser_fuzz ]; then seeds=tests/data/events; fi; \
	  echo "== $$t ($(FUZZ_TIME) s) =="; \
	  $(FUZZ)/$$t $(FUZZ)/corpus/$$t $$seeds -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ)/artifacts/$$t- > $(FUZZ)/logs/$$t.log 2>&1 \
	    || { tail -n 40 $(FUZZ)/logs/$$t.log; exit 1; }; \
	  grep -E 'DONE|stat::number_of_executed_units' $(FUZZ)/logs/$$t.log; \
	done

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN) $(DEMO_DIR)
