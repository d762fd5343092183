#!/usr/bin/env bash
# Installs @azure/arm-batchai (and the identity-free core it needs) from the npm registry into
# tests/sdk/node/node_modules, once. The Python SDK comes from Debian's python3-azure.
set -euo pipefail
cd "$(dirname "$0")/../tests/sdk/node"
if [[ -d node_modules/@azure/arm-batchai ]]; then exit 0; fi
if ! command -v npm >/dev/null; then
  echo "warning: npm not found; the @azure/arm-batchai tests will be skipped" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 || npm install --no-audit --no-fund --loglevel=error >/dev/null
