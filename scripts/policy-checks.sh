#!/usr/bin/env bash
# Checks the Rego sources with the pinned tools: format, strict compile, unit tests, lint.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(bash scripts/install-tools.sh)
"$BIN/opa" fmt --list --fail policies >/dev/null || { echo "policy-checks: run 'opa fmt -w policies'" >&2; exit 1; }
# cases.yaml beside a rule is a test table, not data for the policy.
"$BIN/opa" check --strict --ignore "*.yaml" policies
"$BIN/opa" test --ignore "*.yaml" policies
"$BIN/regal" lint policies
