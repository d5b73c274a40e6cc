#!/usr/bin/env bash
# Every test: the Rego checks (opa fmt/check --strict/test, regal lint), the TypeScript
# type check, eslint, prettier --check, and the jest suites. Installs the pinned opa, regal
# and pre-commit when absent.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .tools/bin/opa ] || [ ! -x .tools/bin/regal ] || [ ! -x .tools/bin/pre-commit ]; then
  echo "== tools: installing the pinned opa and regal (go install, a few minutes) and pre-commit (pip) into .tools/, once:"
  echo "   the Rego checks need opa and regal, the jest suites opa (test policies) and pre-commit (the hook's test)"
fi
bash scripts/install-tools.sh >/dev/null

echo "== policies: opa check --strict, opa test, regal lint"
bash scripts/policy-checks.sh

echo "== typescript: tsc --noEmit"
npx tsc -p tsconfig.json --noEmit

echo "== lint: eslint"
npm run --silent lint

echo "== format: prettier --check"
npm run --silent format:check

echo "== jest"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
npx jest --json --outputFile="$results" "$@" || status=$?
# The closing line CI reads: "N passed, N failed, N skipped".
node -e '
  let r;
  try { r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); } catch { process.exit(0); }
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results"
exit "$status"
