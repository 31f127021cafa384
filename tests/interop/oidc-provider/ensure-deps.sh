#!/bin/sh
# Installs the peer's npm dependencies with `npm ci`, only when node_modules was not already
# installed from the current package-lock.json. Safe to call before every test run.
set -eu
cd "$(dirname "$0")"
if ! cmp -s package-lock.json node_modules/.installed-lock.json 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-lock.json
fi
