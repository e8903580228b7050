#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs every suite.
# Runs unattended (CI=true, root, no stdin) as well as on a developer's machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# System tools the suites use for real parts, not mocks. A missing one fails
# its suite (never a skip), so CI must install every one of them:
# - chromium: browser tests (vitest browser mode and playwright-core drive /usr/bin/chromium);
# - mosquitto (+ clients): the real external broker next to the embedded Aedes;
# - socat: real pseudo-terminal pairs standing in for USB serial cables;
# - gcc-avr, avr-libc: build the reference button-box firmware;
# - simavr, libsimavr-dev: run that firmware in an AVR emulator (GPIO, EEPROM, watchdog);
# - build-essential, python3: the host build of the firmware modules, and better-sqlite3's native addon;
# - openssl: certificates for the TLS (mqtts) broker tests;
# - nats-server: a JetStream server's MQTT 3.1.1 listener as the hub a ward forwards to;
# - unzip: the report tests open the XLSX with a reader apart from hailong's writer.
apt_install ca-certificates chromium mosquitto mosquitto-clients socat \
  gcc-avr avr-libc simavr libsimavr-dev build-essential python3 openssl nats-server unzip
require_node

echo "==> npm ci"
npm ci --no-audit --no-fund

echo "==> typecheck (tsc -b, one tsconfig per runtime)"
npx tsc -b

echo "==> lint and format check (biome check: rules and layout in biome.jsonc)"
npm run lint

echo "==> vitest: core, node and browser projects"
npx vitest run
