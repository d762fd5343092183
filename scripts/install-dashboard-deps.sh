#!/usr/bin/env bash
# Installs what the dashboard's browser test needs: Debian's chromium (apt, when missing and run as
# root or with sudo) and playwright-core (pinned by tests/dashboard/package-lock.json) into
# tests/dashboard/node_modules with `npm ci`, when missing or older than the lock file.
# Never fatal: without them the test (ctest -R dashboard_browser) reports itself skipped.
set -uo pipefail
cd "$(dirname "$0")/../tests/dashboard" || exit 0

if ! command -v chromium >/dev/null; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && sudo="sudo"
  if [[ $(id -u) -eq 0 || -n "$sudo" ]]; then
    echo "installing: chromium" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
      echo "warning: could not install chromium; the dashboard browser test will be skipped" >&2
  else
    echo "warning: chromium is missing and this is not root; the dashboard browser test will be skipped" >&2
  fi
fi

installed=node_modules/.package-lock.json
if [[ -d node_modules/playwright-core && -f $installed && ! package-lock.json -nt $installed ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "warning: npm not found; the dashboard browser test will be skipped" >&2
  exit 0
fi
if ! npm ci --no-audit --no-fund --loglevel=error >/dev/null; then
  echo "warning: 'npm ci' failed in tests/dashboard; the dashboard browser test will be skipped" >&2
  rm -rf node_modules
fi
exit 0
