#!/usr/bin/env bash
# Build the pinned weaviate-server once (pure Go, CGO_ENABLED=0) into a cache
# and link it as bin/weaviate-server; later runs reuse the cached binary.
# Prints the binary's path. The cache is $WEAVIATE_CACHE, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/semsearch/weaviate-<version>.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${WEAVIATE_VERSION:-v1.39.3}"
cache="${WEAVIATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/semsearch/weaviate-$version}"
bin="$cache/weaviate-server"
if [ ! -x "$bin" ]; then
  mkdir -p "$cache"
  start=$(date +%s)
  echo "building weaviate-server $version into $cache (a few minutes)" >&2
  CGO_ENABLED=0 GOBIN="$cache" go install "github.com/weaviate/weaviate/cmd/weaviate-server@$version" >&2
  echo "built weaviate-server in $(( $(date +%s) - start ))s" >&2
fi
mkdir -p bin
ln -sf "$bin" bin/weaviate-server
echo "$bin"
