#!/usr/bin/env bash
# Every test: the Rego checks (opa fmt/check --strict/test, regal lint), the TypeScript
# type check, and the jest suites. Installs the pinned opa and regal when absent.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== policies: opa check --strict, opa test, regal lint"
bash scripts/policy-checks.sh

echo "== typescript: tsc --noEmit"
npx tsc -p tsconfig.json --noEmit

echo "== jest"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
npx jest --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results"
exit "$status"
