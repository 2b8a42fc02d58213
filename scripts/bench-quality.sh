#!/usr/bin/env bash
# Retrieval quality: `semsearch eval` on every dataset × mode, printed as one
# Markdown table next to the BM25 reference figures of the datasets' README,
# plus the seed questions; then the related-posts judgments (related ranking
# beside the TF-IDF baseline) as a second table.
#
#   bash scripts/bench-quality.sh            (make bench-quality: after build + model)
#
# Environment (all optional):
#   BIN        the binary                        (default bin/semsearch)
#   SHARED     the shared data folder            (default ../shared)
#   DATASETS   dataset names to run              (default: every folder in $SHARED/datasets)
#   MODES      retrieval modes                   (default "lexical vector hybrid")
#   QUESTIONS  seed questions file, "" to skip   (default $SHARED/eval/seed_dev_questions.jsonl)
#   RELATED    related-posts judgments, "" to skip (default $SHARED/eval/seed_related.jsonl)
#   WORK       parent of the per-dataset index dirs (default: semsearch's cache dir,
#              $XDG_CACHE_HOME/semsearch/eval/<dataset>-<model>)
#   LOGS       where each run's stderr goes      (default a temp dir, printed)
# Extra arguments are passed to every `semsearch eval` (e.g. --model all-MiniLM-L6-v2).
#
# The first run of a dataset embeds its whole corpus (minutes on a laptop for
# the larger ones); later runs reuse the index and only run the queries.
# A failed run prints "FAIL" in its row and makes the exit status 1; the
# other runs still go on.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${BIN:-bin/semsearch}"
SHARED="${SHARED:-../shared}"
MODES="${MODES:-lexical vector hybrid}"
QUESTIONS="${QUESTIONS-$SHARED/eval/seed_dev_questions.jsonl}"
RELATED="${RELATED-$SHARED/eval/seed_related.jsonl}"
LOGS="${LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/bench-quality.XXXXXX")}"
mkdir -p "$LOGS"
README="$SHARED/datasets/README.md"

if [ ! -x "$BIN" ]; then
	echo "bench-quality: $BIN not found; run 'make build' first" >&2
	exit 2
fi
if [ ! -d "$SHARED/datasets" ]; then
	echo "bench-quality: $SHARED/datasets not found (set SHARED=...)" >&2
	exit 2
fi
if [ -z "${DATASETS:-}" ]; then
	DATASETS="$(for d in "$SHARED"/datasets/*/; do [ -f "$d/corpus.jsonl" ] && basename "$d"; done | tr '\n' ' ')"
fi

# field NAME FILE: a number from the `eval --json` body.
field() {
	sed -n "s/.*\"$1\": *\([-0-9.eE+]*\).*/\1/p" "$2" | head -n 1
}

# ref DATASET: the README's BM25 row "| name | nDCG | MRR | R10 | R100 | nDCG stem | MRR stem | R10 stem | R100 stem |".
ref() {
	[ -f "$README" ] || return 0
	awk -F'|' -v d="$1" '{ gsub(/ /, "", $2) } $2 == d && NF >= 10 {
		for (i = 3; i <= 10; i++) { gsub(/ /, "", $i); printf "%s ", $i }
		exit }' "$README"
}

status=0
rows=""
# run NAME MODE ARGS...: one `semsearch eval --json`, appending a table row.
run() {
	local name="$1" mode="$2" out="$LOGS/$1-$2.json" log="$LOGS/$1-$2.log"
	shift 2
	local refstem="${REFSTEM:-}" work=()
	if [ -n "${WORK:-}" ]; then
		work=(--work "$WORK/$name")
	fi
	echo "bench-quality: $name $mode (log $log)" >&2
	local start=$SECONDS
	if "$BIN" eval --json --mode "$mode" "${work[@]}" "$@" >"$out" 2>"$log"; then
		local ndcg delta=""
		ndcg="$(field 'ndcg@10' "$out")"
		if [ -n "$refstem" ]; then
			delta="$(awk -v a="$ndcg" -v b="$refstem" 'BEGIN { printf "%+.4f", a - b }')"
		fi
		printf -v row '| %s | %s | %.4f | %.4f | %.4f | %.4f | %s | %s | %ss |' "$name" "$mode" \
			"$ndcg" "$(field 'mrr@10' "$out")" \
			"$(field 'recall@10' "$out")" "$(field 'recall@100' "$out")" \
			"$delta" "$(field queries "$out")" "$((SECONDS - start))"
	else
		row="| $name | $mode | FAIL | | | | | | see $log |"
		status=1
	fi
	rows+="$row"$'\n'
}

for name in $DATASETS; do
	r=($(ref "$name"))
	REFSTEM=""
	if [ "${#r[@]}" -ge 8 ]; then
		REFSTEM="${r[4]}"
		rows+="| $name | BM25 ref | ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} | | | |"$'\n'
		rows+="| $name | BM25 ref stem | ${r[4]} | ${r[5]} | ${r[6]} | ${r[7]} | | | |"$'\n'
	fi
	for mode in $MODES; do
		run "$name" "$mode" --dataset "$SHARED/datasets/$name" "$@"
	done
done
REFSTEM=""
if [ -n "$QUESTIONS" ]; then
	if [ -f "$QUESTIONS" ]; then
		for mode in $MODES; do
			run questions "$mode" --questions "$QUESTIONS" "$@"
		done
	else
		echo "bench-quality: $QUESTIONS not found; skipping the seed questions" >&2
	fi
fi

related_rows=""
if [ -n "$RELATED" ]; then
	if [ -f "$RELATED" ]; then
		out="$LOGS/related.txt" log="$LOGS/related.log"
		work=()
		if [ -n "${WORK:-}" ]; then
			work=(--work "$WORK/questions")
		fi
		echo "bench-quality: related (log $log)" >&2
		start=$SECONDS
		if "$BIN" eval --related "$RELATED" "${work[@]}" "$@" >"$out" 2>"$log"; then
			# The text table: system nDCG@5 P@5 strong@5 self empty targets.
			related_rows="$(awk -v t="$((SECONDS - start))" 'NR > 1 {
				printf "| %s | %s | %s | %s | %s | %s | %ss |\n", $1, $2, $3, $4, $5, $7, t }' "$out")"$'\n'
		else
			related_rows="| FAIL | | | | | | see $log |"$'\n'
			status=1
		fi
	else
		echo "bench-quality: $RELATED not found; skipping the related judgments" >&2
	fi
fi

echo
echo "| dataset | system | nDCG@10 | MRR@10 | R@10 | R@100 | Δ nDCG vs stem ref | queries | time |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s' "$rows"
if [ -n "$related_rows" ]; then
	echo
	echo "| related | nDCG@5 | P@5 | strong@5 | self | targets | time |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s' "$related_rows"
fi
echo
echo "BM25 ref: ../shared/tools/bm25_eval.py (k1=0.9 b=0.4; stem = Porter). Logs and JSON: $LOGS"
exit $status
