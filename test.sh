#!/usr/bin/env bash
# Installs what is missing, builds everything (Release, tests and benchmarks) and runs the whole
# test suite with ctest. Extra arguments go to ctest (e.g. ./test.sh -L sdk).
# Optional stages, each after the Release suite (docs/reliability.md has their cost):
#   EMU_SANITIZERS=1  the dev preset (ASan+UBSan) with the unit, server and reliability labels, and
#                     the tsan preset with the server's threaded tests (label server)
#   EMU_FUZZ=1        the libFuzzer targets, built with clang, EMU_FUZZ_SECONDS (10) each
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh --test
scripts/install-sdk-deps.sh
scripts/install-dashboard-deps.sh
cmake --preset release -G Ninja >/dev/null
cmake --build --preset release
ctest --preset release -j2 "$@"

if [[ "${EMU_SANITIZERS:-0}" == 1 ]]; then
  cmake --preset dev -G Ninja -DEMU_BUILD_BENCH=OFF >/dev/null
  cmake --build --preset dev
  ctest --preset dev -j2 -L 'unit|server|reliability'
  cmake --preset tsan -G Ninja -DEMU_BUILD_BENCH=OFF >/dev/null
  cmake --build --preset tsan --target server_http_test server_process_test batchai-emulator
  ctest --test-dir build-tsan -j2 -L server --output-on-failure
fi

if [[ "${EMU_FUZZ:-0}" == 1 ]]; then
  fuzz/run_fuzzers.sh build/fuzz-clang "${EMU_FUZZ_SECONDS:-10}"
fi
