#!/usr/bin/env bash
# Installs @azure/arm-batchai (pinned by tests/sdk/node/package-lock.json) into
# tests/sdk/node/node_modules with `npm ci`, when missing or older than the lock file.
# The Python SDK comes from Debian's python3-azure (scripts/install-deps.sh --test).
# Never fatal: without node/npm or the registry, the node SDK test reports itself skipped.
set -euo pipefail
cd "$(dirname "$0")/../tests/sdk/node"

installed=node_modules/.package-lock.json
if [[ -d node_modules/@azure/arm-batchai && -f $installed && ! package-lock.json -nt $installed ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "warning: npm not found; the @azure/arm-batchai test (sdk_node) will be skipped" >&2
  exit 0
fi
if ! npm ci --no-audit --no-fund --loglevel=error >/dev/null; then
  echo "warning: 'npm ci' failed in tests/sdk/node; the @azure/arm-batchai test will be skipped" >&2
  rm -rf node_modules
fi
