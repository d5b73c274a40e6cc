#!/usr/bin/env bash
# Installs the pinned policy toolchain (opa, regal) into .tools/bin with `go install`,
# unless the pinned versions are already there. Prints the bin directory.
set -euo pipefail
cd "$(dirname "$0")/.."

OPA_VERSION=v1.22.2
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"

if ! command -v go >/dev/null 2>&1; then
  echo "install-tools: Go is needed to install opa and regal (https://go.dev/doc/install)" >&2
  exit 1
fi

if [ ! -x "$BIN/opa" ] || ! "$BIN/opa" version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}$"; then
  echo "install-tools: installing opa $OPA_VERSION" >&2
  GOBIN="$BIN" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$OPA_VERSION" >&2
fi

# regal is pinned by tools/regal/go.mod and go.sum (the proxy serves its versions but
# not its version list, so `go install …@version` cannot be used for it).
REGAL_VERSION=$(awk '/open-policy-agent\/regal v/{print $NF; exit}' tools/regal/go.mod)
if [ ! -x "$BIN/regal" ] || [ "$(cat "$BIN/.regal-version" 2>/dev/null)" != "$REGAL_VERSION" ]; then
  echo "install-tools: installing regal $REGAL_VERSION" >&2
  (cd tools/regal && GOBIN="$BIN" go install github.com/open-policy-agent/regal >&2)
  echo "$REGAL_VERSION" > "$BIN/.regal-version"
fi

echo "$BIN"
