#!/usr/bin/env bash
# The README's run command: installs what hailong needs and starts it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
require_node
echo "==> npm ci"
npm ci --no-audit --no-fund
exec npm start
