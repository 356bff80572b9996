#!/bin/sh
# The README's test command: installs everything the tests need, then runs every test.
set -eu
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
npm ci --no-audit --no-fund
npm test
