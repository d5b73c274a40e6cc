#!/usr/bin/env bash
# Installs the pinned policy toolchain (opa, regal) into .tools/bin with `go install`,
# unless the pinned versions are already there. Prints the bin directory.
set -euo pipefail
cd "$(dirname "$0")/.."

OPA_VERSION=v1.22.2
# regal is pinned by tools/regal/go.mod and go.sum: the module proxy serves its
# versions but not its version list, so `go install …@version` cannot be used for it.
REGAL_VERSION=$(awk '/open-policy-agent\/regal v/{print $NF; exit}' tools/regal/go.mod)
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"

need_opa=1
need_regal=1
if [ -x "$BIN/opa" ] && "$BIN/opa" version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}$"; then need_opa=0; fi
if [ -x "$BIN/regal" ] && [ "$(cat "$BIN/.regal-version" 2>/dev/null)" = "$REGAL_VERSION" ]; then need_regal=0; fi

if [ $((need_opa + need_regal)) -gt 0 ] && ! command -v go >/dev/null 2>&1; then
  echo "install-tools: Go is needed to install opa and regal (https://go.dev/doc/install)" >&2
  exit 1
fi

# Both builds run at once: each is mostly a single long link and compile of its own tree.
pids=()
if [ "$need_opa" = 1 ]; then
  echo "install-tools: installing opa $OPA_VERSION" >&2
  GOBIN="$BIN" go install "github.com/open-policy-agent/opa@$OPA_VERSION" >&2 &
  pids+=($!)
fi
if [ "$need_regal" = 1 ]; then
  echo "install-tools: installing regal $REGAL_VERSION" >&2
  (cd tools/regal && GOBIN="$BIN" go install github.com/open-policy-agent/regal >&2 && echo "$REGAL_VERSION" > "$BIN/.regal-version") &
  pids+=($!)
fi
for pid in "${pids[@]}"; do wait "$pid"; done

# pre-commit, pinned, in a virtualenv of its own (the pre-commit hook's test drives it).
PRE_COMMIT_VERSION=4.7.0
if [ "${TAGGUARD_SKIP_PRE_COMMIT:-}" != 1 ] && ! "$PWD/.tools/venv/bin/pre-commit" --version 2>/dev/null | grep -q " $PRE_COMMIT_VERSION$"; then
  echo "install-tools: installing pre-commit $PRE_COMMIT_VERSION" >&2
  python3 -m venv "$PWD/.tools/venv" >&2
  "$PWD/.tools/venv/bin/pip" install --quiet "pre-commit==$PRE_COMMIT_VERSION" >&2
  ln -sf ../venv/bin/pre-commit "$BIN/pre-commit"
fi

echo "$BIN"
