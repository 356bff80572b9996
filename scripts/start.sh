#!/bin/sh
# The README's start command: installs sipd's Node dependencies, builds it and starts it on conf/sipd.conf.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
npm run build
bin/sipd start
