#!/usr/bin/env bash
# Installs the pinned tools into .tools/bin, unless the pinned versions are already there:
# opa and regal with `go install`, pre-commit with pip into a virtualenv. Prints the bin
# directory. With arguments (opa, regal, pre-commit), installs only those.
set -euo pipefail
cd "$(dirname "$0")/.."

OPA_VERSION=v1.22.2
# regal is pinned by tools/regal/go.mod and go.sum: the module proxy serves its
# versions but not its version list, so `go install …@version` cannot be used for it.
REGAL_VERSION=$(awk '/open-policy-agent\/regal v/{print $NF; exit}' tools/regal/go.mod)
PRE_COMMIT_VERSION=4.7.0
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"

want_opa=0
want_regal=0
want_pre_commit=0
if [ $# -eq 0 ]; then
  want_opa=1
  want_regal=1
  [ "${TAGGUARD_SKIP_PRE_COMMIT:-}" = 1 ] || want_pre_commit=1
fi
for tool in "$@"; do
  case "$tool" in
    opa) want_opa=1 ;;
    regal) want_regal=1 ;;
    pre-commit) want_pre_commit=1 ;;
    *) echo "install-tools: unknown tool '$tool' (opa, regal, pre-commit)" >&2; exit 2 ;;
  esac
done

need_opa=0
need_regal=0
need_pre_commit=0
# grep reads all of the output (no -q): with pipefail, a grep that stops early makes the pipeline fail on SIGPIPE.
if [ "$want_opa" = 1 ] && ! { [ -x "$BIN/opa" ] && "$BIN/opa" version 2>/dev/null | grep "^Version: ${OPA_VERSION#v}$" >/dev/null; }; then need_opa=1; fi
if [ "$want_regal" = 1 ] && ! { [ -x "$BIN/regal" ] && [ "$(cat "$BIN/.regal-version" 2>/dev/null)" = "$REGAL_VERSION" ]; }; then need_regal=1; fi
if [ "$want_pre_commit" = 1 ] && ! "$PWD/.tools/venv/bin/pre-commit" --version 2>/dev/null | grep " $PRE_COMMIT_VERSION$" >/dev/null; then need_pre_commit=1; fi

if [ $((need_opa + need_regal)) -gt 0 ] && ! command -v go >/dev/null 2>&1; then
  echo "install-tools: Go is needed to install opa and regal (https://go.dev/doc/install)" >&2
  exit 1
fi

# Both builds run at once: each is mostly a single long link and compile of its own tree.
pids=()
if [ "$need_opa" = 1 ]; then
  echo "install-tools: installing opa $OPA_VERSION into .tools/bin with go install (a few minutes the first time): it checks, tests and compiles the Rego policies" >&2
  GOBIN="$BIN" go install "github.com/open-policy-agent/opa@$OPA_VERSION" >&2 &
  pids+=($!)
fi
if [ "$need_regal" = 1 ]; then
  echo "install-tools: installing regal $REGAL_VERSION into .tools/bin with go install (a few minutes the first time): it lints the Rego policies" >&2
  (cd tools/regal && GOBIN="$BIN" go install github.com/open-policy-agent/regal >&2 && echo "$REGAL_VERSION" > "$BIN/.regal-version") &
  pids+=($!)
fi
for pid in "${pids[@]}"; do wait "$pid"; done
if [ "$need_opa" = 1 ] || [ "$need_regal" = 1 ]; then echo "install-tools: done" >&2; fi

# pre-commit, pinned, in a virtualenv of its own (the pre-commit hook's test drives it).
if [ "$need_pre_commit" = 1 ]; then
  echo "install-tools: installing pre-commit $PRE_COMMIT_VERSION into .tools/venv with pip: the test of the pre-commit hook drives it" >&2
  python3 -m venv "$PWD/.tools/venv" >&2
  "$PWD/.tools/venv/bin/pip" install --quiet "pre-commit==$PRE_COMMIT_VERSION" >&2
  ln -sf ../venv/bin/pre-commit "$BIN/pre-commit"
fi

echo "$BIN"
