#!/usr/bin/env bash
# make bench: index and search performance, printed as one table.
#
# Query latency (p50/p99 over BENCH_QUERIES queries, k=10) through the full
# search path (search.Searcher with precomputed query vectors, so no model
# runs) beside a bare chromem-go QueryEmbedding of the same depth on the same
# 384-d random unit vectors, at 1k/10k/100k chunks; start-up (index.Open of an
# existing 100k-chunk index); memory per 10k chunks; ingest throughput
# without embedding (index.Put of precomputed vectors, one fsync per post).
#
# The indexes are built once (the 100k one takes about a minute) in
# SEMSEARCH_BENCH_DIR when set (and kept), else in a temporary directory.
# Latencies depend on the machine's load: run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
queries=${BENCH_QUERIES:-100}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${SEMSEARCH_BENCH_DIR:-}" ]; then
	export SEMSEARCH_BENCH_DIR="$tmp/indexes"
fi
mkdir -p "$SEMSEARCH_BENCH_DIR"
log="$tmp/bench.log"

run() { # benchmark regexp, iterations
	if ! "$GO" test -run '^$' -bench "$1" -benchtime "$2x" -timeout 60m ./search/ >>"$log" 2>&1; then
		cat "$log" >&2
		exit 1
	fi
}
echo "running benchmarks (building the indexes first; a few minutes)..." >&2
run '^Benchmark(Search|Chromem)_' "$queries"
run '^Benchmark(Open_100k|Memory_10k)$' 3
run '^BenchmarkPut$' 200
run '^BenchmarkPutMany_50$' 8

awk -v queries="$queries" '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "p50-ms") p50[name] = $i
		if ($(i+1) == "p99-ms") p99[name] = $i
		if ($(i+1) == "ns/op") nsop[name] = $i
		if ($(i+1) == "cpu-ms/op") cpu[name] = $i
		if ($(i+1) == "heap-MB") heap[name] = $i
		if ($(i+1) == "db-MB") db[name] = $i
		if ($(i+1) == "chunks/s") cps[name] = $i
	}
}
END {
	printf "query latency, k=10, %d queries per cell: wall ms p50 / p99 (CPU ms per query, all threads)\n", queries
	printf "%-7s | %-27s | %-27s | %-27s | %s\n", "chunks", "search vector", "search hybrid", "bare chromem (depth 50)", "vector/chromem p50 (CPU)"
	printf "%s\n", "--------+-----------------------------+-----------------------------+-----------------------------+-------------------------"
	n = split("1k 10k 100k", sizes, " ")
	for (i = 1; i <= n; i++) {
		s = sizes[i]
		v = "BenchmarkSearch_Vector_" s; h = "BenchmarkSearch_Hybrid_" s; c = "BenchmarkChromem_Query_" s
		ratio = (p50[c] > 0) ? sprintf("%.2fx", p50[v] / p50[c]) : "-"
		cratio = (cpu[c] > 0) ? sprintf("%.2fx", cpu[v] / cpu[c]) : "-"
		printf "%-7s | %7s / %-7s (%7s) | %7s / %-7s (%7s) | %7s / %-7s (%7s) | %s (%s)\n", s, p50[v], p99[v], cpu[v], p50[h], p99[h], cpu[h], p50[c], p99[c], cpu[c], ratio, cratio
	}
	printf "\n"
	printf "start-up, Open of a 100k-chunk index : %.0f ms wall, %.0f ms CPU (target <= 1000 ms)\n", nsop["BenchmarkOpen_100k"] / 1e6, cpu["BenchmarkOpen_100k"]
	printf "memory per 10k chunks                : %.1f MB heap after load, %.1f MB database file\n", heap["BenchmarkMemory_10k"], db["BenchmarkMemory_10k"]
	printf "ingest without embedding (Put)       : %.0f chunks/s (20-chunk posts, one transaction + fsync each)\n", cps["BenchmarkPut"]
	printf "ingest without embedding (PutMany)   : %.0f chunks/s (50 posts of 20 chunks per transaction)\n", cps["BenchmarkPutMany_50"]
}' "$log"
