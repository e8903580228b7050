#!/usr/bin/env bash
# The README's run command: installs what hailong needs and starts it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# build-essential, python3: better-sqlite3 compiles its addon when no prebuilt binary can be fetched.
apt_install ca-certificates build-essential python3
require_node
echo "==> npm ci"
npm ci --no-audit --no-fund
exec npm start
