#!/usr/bin/env bash
# scripts/bench-weaviate.sh DATASET [N]: search latency, embedded vs Weaviate,
# on the same index. Run inside scripts/weaviate-cluster.sh (it needs
# SEMSEARCH_WEAVIATE_URL). The dataset's embedded eval index (built by
# `semsearch eval`) is copied, migrated into the cluster, and both backends
# answer the first N (default 200) of its queries through `semsearch serve`
# over loopback, one at a time, k=10 hybrid. Prints p50/p99 in ms.
set -euo pipefail
cd "$(dirname "$0")/.."
ds="$1"; n="${2:-200}"
model="${SEMSEARCH_MODEL:-all-MiniLM-L6-v2}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cp "${XDG_CACHE_HOME:-$HOME/.cache}/semsearch/eval/$ds-$model/semsearch.db" "$work/"
bin/semsearch migrate --to weaviate --data "$work" --weaviate-prefix Bench --log-level warn >&2
python3 - "../shared/datasets/$ds/queries.jsonl" "$n" >"$work/q.txt" <<'PY'
import json, sys, urllib.parse
for i, line in enumerate(open(sys.argv[1])):
    if i >= int(sys.argv[2]): break
    print(urllib.parse.quote(json.loads(line)["text"][:1000]))
PY
port=18090
for backend in embedded weaviate; do
  port=$((port + 1))
  bin/semsearch serve --data "$work" --backend "$backend" --weaviate-prefix Bench --addr 127.0.0.1:$port --log-level warn --poll=false &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.2; done
  chunks=$(curl -s "http://127.0.0.1:$port/api/stats" | grep -o '"chunks":[0-9]*' | cut -d: -f2)
  head -5 "$work/q.txt" | while read -r q; do curl -s -o /dev/null "http://127.0.0.1:$port/api/search?k=10&q=$q"; done # warm-up
  while read -r q; do
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/search?k=10&q=$q"
  done <"$work/q.txt" | sort -n >"$work/$backend.lat"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  count=$(wc -l <"$work/$backend.lat")
  p50=$(awk -v n="$count" 'NR==int(n*0.5+0.5){printf "%.1f", $1*1000}' "$work/$backend.lat")
  p99=$(awk -v n="$count" 'NR==int(n*0.99+0.5){printf "%.1f", $1*1000}' "$work/$backend.lat")
  echo "$ds $backend chunks=$chunks queries=$count p50_ms=$p50 p99_ms=$p99"
done
