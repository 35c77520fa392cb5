#!/usr/bin/env bash
# The one command that installs everything and runs every check and test (the README's second
# command; CI runs exactly this). Safe to re-run: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "system packages for the tests"
bash scripts/install-test-deps.sh

step "npm ci"
npm ci --no-audit --no-fund

step "format, lint, type check"
npm run format:check
npm run lint
npm run typecheck

step "build and tests"
mkdir -p .cache
npm test -- --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json

step "start-up on Node 24 (the runtime the image ships)"
node24="$(bash scripts/node24.sh)"
VOICEBOX_TEST_NODE="$node24" npx vitest run --project e2e test/foundation/startup.e2e-spec.ts

# One plain closing line for CI: the counts of the whole suite (run above).
node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest-report.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
'
