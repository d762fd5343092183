#!/usr/bin/env bash
# Installs what is missing, builds everything (Release, tests and benchmarks) and runs the whole
# test suite with ctest. Extra arguments go to ctest (e.g. ./test.sh -L sdk).
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh --test
scripts/install-sdk-deps.sh
scripts/install-dashboard-deps.sh
cmake --preset release -G Ninja >/dev/null
cmake --build --preset release
ctest --preset release -j2 "$@"
