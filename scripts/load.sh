#!/usr/bin/env bash
# make load: the loopback load test against the real server.
#
#   scripts/load.sh [DURATION]     (default 30s)
#
# Runs cmd/semsearch TestLoad: builds the binary, fills an index with 2,000
# generated posts (10,000 chunks; SEMSEARCH_LOAD_POSTS=20000 for 100,000)
# embedded by the in-process fake embedding server, starts `semsearch serve
# --rate-limit 0` (with SEMSEARCH_VECTOR_INDEX, if set), and drives it with 16
# connections (search in all three modes, related, similar) for DURATION.
# Prints requests/s, p50/p99 latency overall and per operation, statuses,
# and the server's RSS and open files at a third of the run and at its end.
# Fails on any 5xx or transport error, or on memory or file growth.
# Figures depend on the machine's load: run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
duration=${1:-30s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
SEMSEARCH_LOAD_DURATION=$duration "$GO" test -run '^TestLoad$' -count=1 -v -timeout 20m ./cmd/semsearch/ >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	cat "$log" >&2
	exit "$status"
fi
grep -E 'corpus:|load:|note:|^(--- |ok|PASS|FAIL)' "$log"
