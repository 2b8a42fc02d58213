#!/usr/bin/env bash
# Embedding throughput: our pure-Go encoder (embed/local) next to
# onnxruntime running the same model from Python, on the same machine,
# both limited to the same number of threads (default 2).
#
#   bash scripts/bench-embed.sh [MODELS_DIR]        (make bench-embed)
#
# For every known model present in MODELS_DIR it prints chunks/s at 128 and
# 256 tokens, batch 1 and 32, the ratio Go/onnxruntime, and the Go process's
# peak RSS next to the size of the weights. Both sides encode identical
# synthetic token ids ([CLS] ... [SEP], no padding).
#
# onnxruntime side: scripts/bench-embed/ort_bench.py builds the ONNX graph
# from the same safetensors at bench time into a temp dir (never into the
# repo). onnxruntime, onnx, numpy and sympy (for its BERT fusions) are
# pip-installed into a venv under ${XDG_CACHE_HOME:-~/.cache}/semsearch/
# bench-venv on first use.
#
# Environment: THREADS (2), BENCH_SECONDS (3, per case), ROUNDS (3: Go and
# onnxruntime run alternately this many times, the best round of each is
# shown), BENCH_MODELS (comma-separated subset), SKIP_ORT=1 for Go only.
# The numbers are only as quiet as the machine: on a shared one, read the
# chunks per CPU-second columns too (CPU time of the whole process, so
# onnxruntime's spinning threads count against it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODELS_DIR="$(cd "${1:-$ROOT/models}" && pwd)"
THREADS="${THREADS:-2}"
SECS="${BENCH_SECONDS:-3}"
ROUNDS="${ROUNDS:-3}"
MODELS="${BENCH_MODELS:-all-MiniLM-L6-v2,bge-small-en-v1.5}"
PYTHON="${PYTHON:-python3}"
CASES="128x1,128x32,256x1,256x32"

OUT="$(mktemp -d "${TMPDIR:-/tmp}/bench-embed.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT

if [ "${SKIP_ORT:-0}" != 1 ]; then
	VENV="${XDG_CACHE_HOME:-$HOME/.cache}/semsearch/bench-venv"
	if ! "$VENV/bin/python" -c "import onnxruntime, onnx, numpy, sympy" 2>/dev/null; then
		echo "bench-embed: installing onnxruntime, onnx, numpy, sympy into $VENV" >&2
		"$PYTHON" -m venv "$VENV"
		"$VENV/bin/pip" install --quiet --disable-pip-version-check onnxruntime onnx numpy sympy
	fi
	ORT_PY="$VENV/bin/python"
fi

(cd "$ROOT" && go test -c -o "$OUT/local.test" ./embed/local)
found=0
IFS=, read -r -a names <<<"$MODELS"
for name in "${names[@]}"; do
	if [ ! -f "$MODELS_DIR/$name/model.safetensors" ]; then
		echo "bench-embed: $name not in $MODELS_DIR (make model / semsearch model pull $name): skipped" >&2
		continue
	fi
	found=1
	for round in $(seq "$ROUNDS"); do
		echo "bench-embed: $name: round $round/$ROUNDS: Go ($THREADS threads)..." >&2
		(cd "$ROOT/embed/local" && GOMAXPROCS="$THREADS" SEMSEARCH_MODELS="$MODELS_DIR" BENCH_EMBED_MODELS="$name" \
			"$OUT/local.test" -test.run '^$' -test.bench "^BenchmarkEmbed\$/^$name\$/" -test.benchtime "${SECS}s") \
			>"$OUT/go-$name-$round.txt"
		if [ "${SKIP_ORT:-0}" != 1 ]; then
			echo "bench-embed: $name: round $round/$ROUNDS: onnxruntime ($THREADS threads)..." >&2
			check=()
			fixture="$ROOT/embed/local/testdata/parity/$name.json"
			[ "$round" = 1 ] && [ -f "$fixture" ] && check=(--check "$fixture")
			"$ORT_PY" "$ROOT/scripts/bench-embed/ort_bench.py" "$MODELS_DIR/$name" "$name" \
				--threads "$THREADS" --cases "$CASES" --seconds "$SECS" ${check[@]+"${check[@]}"} >"$OUT/ort-$name-$round.jsonl"
		fi
	done
done
[ "$found" = 1 ] || { echo "bench-embed: no model weights in $MODELS_DIR: run make model" >&2; exit 1; }

"$PYTHON" "$ROOT/scripts/bench-embed/report.py" "$OUT" "$MODELS_DIR" "$THREADS"
