#!/usr/bin/env bash
# scripts/weaviate-parity.sh [DATASET...]: hybrid nDCG@10 of the embedded and the
# Weaviate backend on the same eval indexes. Run it inside a cluster:
#   scripts/weaviate-cluster.sh run --nodes 1 -- scripts/weaviate-parity.sh
# Each dataset's eval index (built by `semsearch eval`, in the user cache dir) is
# copied, migrated into the cluster (no re-embedding), and both backends answer
# its queries. Prints one line per dataset and backend.
set -euo pipefail
cd "$(dirname "$0")/.."
model="${SEMSEARCH_MODEL:-all-MiniLM-L6-v2}"
[ "$#" -gt 0 ] || set -- cranfield cisi med cacm npl time lisa scifact
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for d in "$@"; do
  mkdir -p "$work/$d"
  cp "${XDG_CACHE_HOME:-$HOME/.cache}/semsearch/eval/$d-$model/semsearch.db" "$work/$d/"
  prefix="SemsearchEval$(echo "${d:0:1}" | tr a-z A-Z)${d:1}" # what eval --backend weaviate uses for --work $work/$d
  bin/semsearch migrate --to weaviate --data "$work/$d" --weaviate-prefix "$prefix" --log-level warn
  for b in embedded weaviate; do
    printf '%s\t%s\t' "$d" "$b"
    bin/semsearch eval --dataset "../shared/datasets/$d" --work "$work/$d" --backend "$b" --json --log-level warn |
      python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.4f" % r["ndcg@10"])'
  done
done
