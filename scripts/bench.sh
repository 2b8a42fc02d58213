#!/usr/bin/env bash
# make bench: index and search performance, printed as tables and written
# to bench/results.json.
#
# 1. The full search path (search.Searcher with precomputed query vectors,
#    so no model runs; chunk fetch, grouping and highlighting included), p50
#    and p99 over BENCH_QUERIES queries (default 100), k=10, with each
#    vector index (fast = index/vecindex, the default; exact = chromem-go)
#    beside a bare chromem-go query of the same depth, on 384-d random unit
#    vectors at 1k/10k/100k chunks (and 1M with BENCH_1M=1: fast only).
# 2. Start-up and RSS: index.OpenWith of an existing index in a fresh child
#    process, with each vector index; memory per 10k chunks; ingest
#    throughput without embedding.
# 3. The vector fast path beside bare chromem-go on the same vectors, query
#    by query (so both see the same load): clustered and uniform synthetic
#    vectors at 10k/100k (1M with BENCH_1M=1) and embeddings of real text
#    (the test collections' chunks and queries) when available, with recall
#    against an exact scan, build time and heap bytes per chunk.
#
# BENCH_1M=1 (`make bench` sets it; `make bench BENCH_1M=0` leaves it out)
# adds the 1M rows: about 6 minutes more on 2 cores, 2.7 GB of disk and up to
# 4 GB of memory. The indexes are built once per run (100k: about a minute;
# 1M: a few) in SEMSEARCH_BENCH_DIR when set (and kept), else in a
# temporary directory. The real-text vectors are written once by
# `go run ./eval/vecdump` into SEMSEARCH_BENCH_REAL (default
# ~/.cache/semsearch/bench/real-all-MiniLM-L6-v2) from the indexes
# `make bench-quality` builds, with the model in SEMSEARCH_MODELS.
# Latencies depend on the machine's load: run it on a quiet machine, and
# read ratios measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
queries=${BENCH_QUERIES:-100}
export BENCH_1M=${BENCH_1M:-0} BENCH_QUERIES=$queries
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${SEMSEARCH_BENCH_DIR:-}" ]; then
	export SEMSEARCH_BENCH_DIR="$tmp/indexes"
fi
mkdir -p "$SEMSEARCH_BENCH_DIR" bench
log="$tmp/bench.log"

run() { # package, benchmark regexp, iterations
	if ! "$GO" test -run '^$' -bench "$2" -benchtime "$3x" -timeout 90m "$1" >>"$log" 2>&1; then
		cat "$log" >&2
		exit 1
	fi
}

cache=${XDG_CACHE_HOME:-$HOME/.cache}/semsearch
real=${SEMSEARCH_BENCH_REAL:-$cache/bench/real-all-MiniLM-L6-v2}
if [ ! -f "$real/meta.json" ] && compgen -G "$cache/eval/*-all-MiniLM-L6-v2/semsearch.db" >/dev/null; then
	echo "writing the real-text vectors to $real (once)..." >&2
	"$GO" run ./eval/vecdump --out "$real" --models "${SEMSEARCH_MODELS:-models}" --shared ../shared >&2 || rm -rf "$real"
fi
if [ -f "$real/meta.json" ]; then
	export SEMSEARCH_BENCH_REAL="$real"
else
	echo "no real-text row: run make bench-quality (it builds the evaluation indexes) with the model in SEMSEARCH_MODELS" >&2
fi

echo "running benchmarks (building the indexes first; a few minutes, more with BENCH_1M=1)..." >&2
run ./search/ '^Benchmark(Search|SearchExact|Chromem)_' "$queries"
run ./search/ '^BenchmarkStartup_' 3
run ./search/ '^Benchmark(Open_100k|Memory_10k)$' 3
run ./search/ '^BenchmarkPut$' 200
run ./search/ '^BenchmarkPutMany_50$' 8
run ./index/vecindex/ '^BenchmarkVector$' 1

awk -v queries="$queries" -v json="bench/results.json" '
function val(name, unit) { return ((name, unit) in m) ? m[name, unit] : "" }
function num(x) { return x == "" ? "null" : x }
function cell(name) {
	if (val(name, "p50-ms") == "") return sprintf("%27s", "-")
	return sprintf("%7s / %-7s (%7s)", val(name, "p50-ms"), val(name, "p99-ms"), val(name, "cpu-ms/op"))
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	if (name ~ /^BenchmarkVector\//) vkeys[++nv] = name
	for (i = 3; i < NF; i++) m[name, $(i+1)] = $i
}
END {
	sizes = "1k 10k 100k 1M"; ns = split(sizes, sz, " ")
	chunks["1k"] = 1000; chunks["10k"] = 10000; chunks["100k"] = 100000; chunks["1M"] = 1000000
	printf "full search path, k=10, %d queries per cell: wall ms p50 / p99 (CPU ms per query, all threads)\n", queries
	printf "%-5s | %-27s | %-27s | %-27s | %-27s | %-27s | %-27s | %s\n", "size", "vector, fast index", "vector, exact (chromem)", "hybrid, fast index", "hybrid, exact (chromem)", "lexical", "bare chromem (depth 200)", "fast/exact vector p50"
	printf "------+-----------------------------+-----------------------------+-----------------------------+-----------------------------+-----------------------------+-----------------------------+----------------------\n"
	for (i = 1; i <= ns; i++) {
		s = sz[i]
		v = "BenchmarkSearch_Vector_" s; ve = "BenchmarkSearchExact_Vector_" s
		h = "BenchmarkSearch_Hybrid_" s; he = "BenchmarkSearchExact_Hybrid_" s
		l = "BenchmarkSearch_Lexical_" s; c = "BenchmarkChromem_Query_" s
		if (val(v, "p50-ms") == "") continue
		ratio = (val(ve, "p50-ms") > 0) ? sprintf("%.3fx", val(v, "p50-ms") / val(ve, "p50-ms")) : "-"
		printf "%-5s | %s | %s | %s | %s | %s | %s | %s\n", s, cell(v), cell(ve), cell(h), cell(he), cell(l), cell(c), ratio
	}
	printf "\nstart-up: index.OpenWith of an existing index in a fresh process (best of 3): wall ms (CPU ms), RSS once open / peak RSS, MB\n"
	printf "%-5s | %-32s | %s\n", "size", "fast index", "exact (chromem)"
	printf "------+----------------------------------+---------------------------------\n"
	for (i = 1; i <= ns; i++) {
		s = sz[i]; f = "BenchmarkStartup_" s "/fast"; e = "BenchmarkStartup_" s "/exact"
		if (val(f, "startup-ms") == "") continue
		printf "%-5s | %7s (%7s) %6s / %-6s | %7s (%7s) %6s / %-6s\n", s, val(f, "startup-ms"), val(f, "startup-cpu-ms"), val(f, "rss-MB"), val(f, "peak-rss-MB"), val(e, "startup-ms"), val(e, "startup-cpu-ms"), val(e, "rss-MB"), val(e, "peak-rss-MB")
	}
	printf "\n"
	printf "start-up, Open of a 100k-chunk index in-process: %.0f ms wall, %.0f ms CPU (target <= 1000 ms)\n", val("BenchmarkOpen_100k", "ns/op") / 1e6, val("BenchmarkOpen_100k", "cpu-ms/op")
	printf "memory per 10k chunks                : %.1f MB heap after load, %.1f MB database file\n", val("BenchmarkMemory_10k", "heap-MB"), val("BenchmarkMemory_10k", "db-MB")
	printf "ingest without embedding (Put)       : %.0f chunks/s (20-chunk posts, one transaction + fsync each)\n", val("BenchmarkPut", "chunks/s")
	printf "ingest without embedding (PutMany)   : %.0f chunks/s (50 posts of 20 chunks per transaction)\n", val("BenchmarkPutMany_50", "chunks/s")

	printf "\nvector fast path (index/vecindex: int8 scan + float32 re-scoring) beside bare chromem-go, k=10, %d queries per cell, queries alternated one by one\n", queries
	printf "wall ms p50 / p99 (CPU ms per query); recall against an exact float32 scan; build = vectors in memory to index; heap bytes per chunk beyond the shared float32 vectors\n"
	printf "%-9s %-5s | %-27s | %-27s | %7s | %9s | %-27s | %-15s | %s\n", "dataset", "size", "fast", "bare chromem", "speedup", "recall@10", "fast, k=200 (recall@200)", "build ms f / c", "B/chunk f / c"
	printf "----------------+-----------------------------+-----------------------------+---------+-----------+-----------------------------+-----------------+--------------\n"
	for (j = 1; j <= nv; j++) {
		k = vkeys[j]; split(k, kp, "/")
		printf "%-9s %-5s | %7.2f / %-7.2f (%7.2f) | %7.1f / %-7.1f (%7.1f) | %6.0fx | %9.3f | %7.2f / %-7.2f (%7.3f) | %6d / %-6d | %4.0f / %.0f\n", kp[2], kp[3],
			val(k, "p50-ms"), val(k, "p99-ms"), val(k, "cpu-ms"), val(k, "chromem-p50-ms"), val(k, "chromem-p99-ms"), val(k, "chromem-cpu-ms"),
			val(k, "speedup"), val(k, "recall@10"), val(k, "k200-p50-ms"), val(k, "k200-p99-ms"), val(k, "recall@200"),
			val(k, "build-ms"), val(k, "chromem-build-ms"), val(k, "B/vec"), val(k, "chromem-B/vec")
	}

	printf "{\"vector\":[" > json
	for (j = 1; j <= nv; j++) {
		k = vkeys[j]; split(k, kp, "/"); st = "BenchmarkStartup_" kp[3] "/fast"
		printf "%s\n {\"chunks\":%d,\"dataset\":\"%s\",\"p50_ms\":%s,\"p99_ms\":%s,\"cpu_ms\":%s,\"recall_at_10\":%s,\"chromem_p50_ms\":%s,\"startup_ms\":%s,\"rss_mb\":%s,\"chromem_p99_ms\":%s,\"chromem_cpu_ms\":%s,\"recall_at_200\":%s,\"k200_p50_ms\":%s,\"build_ms\":%s,\"chromem_build_ms\":%s,\"bytes_per_chunk\":%s,\"chromem_bytes_per_chunk\":%s}", (j > 1 ? "," : ""),
			val(k, "vectors"), kp[2], num(val(k, "p50-ms")), num(val(k, "p99-ms")), num(val(k, "cpu-ms")), num(val(k, "recall@10")), num(val(k, "chromem-p50-ms")),
			num(val(st, "startup-ms")), num(val(st, "rss-MB")), num(val(k, "chromem-p99-ms")), num(val(k, "chromem-cpu-ms")), num(val(k, "recall@200")),
			num(val(k, "k200-p50-ms")), num(val(k, "build-ms")), num(val(k, "chromem-build-ms")), num(val(k, "B/vec")), num(val(k, "chromem-B/vec")) > json
	}
	printf "\n],\"search\":[" > json
	sep = ""
	for (i = 1; i <= ns; i++) {
		s = sz[i]
		split("Search_Vector:vector:fast SearchExact_Vector:vector:exact Search_Hybrid:hybrid:fast SearchExact_Hybrid:hybrid:exact Search_Lexical:lexical:fast Chromem_Query:bare-chromem:exact", rows, " ")
		for (r in rows) {
			split(rows[r], rp, ":"); b = "Benchmark" rp[1] "_" s
			if (val(b, "p50-ms") == "") continue
			printf "%s\n {\"chunks\":%d,\"mode\":\"%s\",\"index\":\"%s\",\"p50_ms\":%s,\"p99_ms\":%s,\"cpu_ms\":%s}", sep, chunks[s], rp[2], rp[3], val(b, "p50-ms"), val(b, "p99-ms"), num(val(b, "cpu-ms/op")) > json
			sep = ","
		}
	}
	printf "\n],\"startup\":[" > json
	sep = ""
	for (i = 1; i <= ns; i++) {
		for (x = 1; x <= 2; x++) {
			kind = (x == 1) ? "fast" : "exact"; b = "BenchmarkStartup_" sz[i] "/" kind
			if (val(b, "startup-ms") == "") continue
			printf "%s\n {\"chunks\":%d,\"index\":\"%s\",\"startup_ms\":%s,\"cpu_ms\":%s,\"rss_mb\":%s,\"peak_rss_mb\":%s}", sep, chunks[sz[i]], kind, val(b, "startup-ms"), val(b, "startup-cpu-ms"), val(b, "rss-MB"), val(b, "peak-rss-MB") > json
			sep = ","
		}
	}
	printf "\n]}\n" > json
}' "$log"
echo "(written to bench/results.json)"
