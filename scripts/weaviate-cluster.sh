#!/usr/bin/env bash
# scripts/weaviate-cluster.sh run [--nodes N] -- CMD...
#
# Builds (or reuses) the pinned weaviate-server, starts an N-node cluster
# (default 3) inside a network namespace made with `unshare -n` with only lo
# up (gossip and gRPC bind every interface: in the namespace there is only
# loopback), waits until every node is ready and lists all N members, runs
# CMD inside the same namespace with SEMSEARCH_BACKEND=weaviate,
# SEMSEARCH_WEAVIATE_URL (the first node) and WEAVIATE_NODES ("URL PID" per
# node, space-separated pairs, comma-separated nodes) in its environment,
# then stops the nodes and exits with CMD's status.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ "${1:-}" = "--inside" ]; then
  shift
  nodes="$1"; shift
  [ "${1:-}" = "--" ] && shift
  ip link set lo up 2>/dev/null || true
  bin="$WEAVIATE_BIN"
  base="$(mktemp -d "${TMPDIR:-/tmp}/weaviate-cluster.XXXXXX")"
  join=""
  for ((i = 0; i < nodes; i++)); do join+="${join:+,}node$i:$((8300 + 2 * i))"; done
  pids=()
  list=""
  for ((i = 0; i < nodes; i++)); do
    mkdir -p "$base/node$i"
    extra=()
    [ "$i" -gt 0 ] && extra=(CLUSTER_JOIN=127.0.0.1:7100)
    env PERSISTENCE_DATA_PATH="$base/node$i" AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true \
      DEFAULT_VECTORIZER_MODULE=none ENABLE_MODULES= DISABLE_TELEMETRY=true \
      PROMETHEUS_MONITORING_ENABLED=false GO_PROFILING_DISABLE=true LOG_LEVEL=warning \
      QUERY_MAXIMUM_RESULTS=10000 CLUSTER_HOSTNAME="node$i" CLUSTER_IN_LOCALHOST=true \
      CLUSTER_ADVERTISE_ADDR=127.0.0.1 CLUSTER_GOSSIP_BIND_PORT=$((7100 + 2 * i)) \
      CLUSTER_DATA_BIND_PORT=$((7101 + 2 * i)) RAFT_PORT=$((8300 + 2 * i)) \
      RAFT_INTERNAL_RPC_PORT=$((8301 + 2 * i)) RAFT_JOIN="$join" RAFT_BOOTSTRAP_EXPECT="$nodes" \
      GRPC_PORT=$((50051 + i)) "${extra[@]}" \
      "$bin" --scheme http --host 127.0.0.1 --port $((8080 + i)) >"$base/node$i.log" 2>&1 &
    pids+=($!)
    list+="${list:+,}http://127.0.0.1:$((8080 + i)) $!"
  done
  stop() {
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    rm -rf "$base"
  }
  trap stop EXIT
  deadline=$(( $(date +%s) + 180 ))
  for ((i = 0; i < nodes; i++)); do
    url="http://127.0.0.1:$((8080 + i))"
    until curl -sf "$url/v1/.well-known/ready" >/dev/null &&
      [ "$(curl -sf "$url/v1/nodes" | grep -o '"status":"HEALTHY"' | wc -l)" -eq "$nodes" ]; do
      if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "weaviate-cluster: node$i not ready in 180s; its log:" >&2
        tail -20 "$base/node$i.log" >&2
        exit 1
      fi
      sleep 0.5
    done
  done
  echo "weaviate-cluster: $nodes nodes ready ($list)" >&2
  status=0
  SEMSEARCH_BACKEND=weaviate SEMSEARCH_WEAVIATE_URL=http://127.0.0.1:8080 WEAVIATE_NODES="$list" "$@" || status=$?
  exit "$status"
fi

[ "${1:-}" = "run" ] || { echo "usage: $0 run [--nodes N] -- CMD..." >&2; exit 2; }
shift
nodes=3
if [ "${1:-}" = "--nodes" ]; then nodes="$2"; shift 2; fi
[ "${1:-}" = "--" ] && shift
[ "$#" -gt 0 ] || { echo "usage: $0 run [--nodes N] -- CMD..." >&2; exit 2; }
WEAVIATE_BIN="${SEMSEARCH_WEAVIATE_SERVER:-$("$here/weaviate-build.sh")}"
export WEAVIATE_BIN
flags=(-n)
[ "$(id -u)" -eq 0 ] || flags=(-r -n)
exec unshare "${flags[@]}" -- bash "$here/weaviate-cluster.sh" --inside "$nodes" -- "$@"
