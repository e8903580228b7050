#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs every suite.
# Runs unattended (CI=true, root, no stdin) as well as on a developer's machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# System tools the suites use for real parts, not mocks:
# chromium: browser tests (vitest browser mode and playwright-core drive /usr/bin/chromium).
apt_install ca-certificates chromium
require_node

echo "==> npm ci"
npm ci --no-audit --no-fund

echo "==> typecheck (tsc -b, one tsconfig per runtime)"
npx tsc -b

echo "==> vitest: core, node and browser projects"
npx vitest run
