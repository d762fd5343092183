#!/usr/bin/env bash
# Installs what is missing, builds everything (Release, tests and benchmarks) and runs the whole
# test suite with ctest. Extra arguments go to the Release ctest (e.g. ./test.sh -L sdk).
# Optional stages, each after the Release suite (.ci/run turns both on; docs/reliability.md has their
# cost and how to run each alone):
#   EMU_SANITIZERS=1  the dev preset (ASan+UBSan, -Werror) with the whole suite, every label but
#                     no_sanitizer; then the tsan preset with the threaded parts: the server (label
#                     server), the FUSE adapter's libfuse workers (fuse), the WAL checkpointer (store_test)
#   EMU_FUZZ=1        the libFuzzer targets, built with clang, and the trace converters' harness,
#                     EMU_FUZZ_SECONDS (10) each; fails on any finding and prints executions per target
# Every stage prints its wall time ("== stage: N s").
set -euo pipefail
cd "$(dirname "$0")"

stage_started=$SECONDS
stage_done() {
  echo "== $1: $((SECONDS - stage_started)) s"
  stage_started=$SECONDS
}

# Sanitizer reports of every process a test starts (serve under the SDK and reliability tests too,
# whose stderr the tests may not show) go to files in $1; any such file fails the stage.
sanitizer_reports_fail() {
  local reports=$1
  if compgen -G "$reports/*" >/dev/null; then
    echo "sanitizer reports in $reports:"
    for f in "$reports"/*; do
      echo "--- $f"
      head -60 "$f"
    done
    return 1
  fi
}

scripts/install-deps.sh --test
scripts/install-sdk-deps.sh
scripts/install-dashboard-deps.sh
stage_done "install"
cmake --preset release -G Ninja >/dev/null
cmake --build --preset release
stage_done "release build"
ctest --preset release -j2 "$@"
stage_done "release suite"

if [[ "${EMU_SANITIZERS:-0}" == 1 ]]; then
  cmake --preset dev -G Ninja >/dev/null
  cmake --build --preset dev
  stage_done "asan+ubsan build (build-dev)"
  reports="$PWD/build-dev/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  status=0
  ASAN_OPTIONS="log_path=$reports/asan:${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan:${UBSAN_OPTIONS:-}" \
    ctest --preset dev -j2 -LE no_sanitizer || status=1
  sanitizer_reports_fail "$reports" || status=1
  stage_done "asan+ubsan suite"
  [[ $status == 0 ]]

  cmake --preset tsan -G Ninja -DEMU_BUILD_BENCH=OFF >/dev/null
  cmake --build --preset tsan --target server_http_test server_process_test fakes_nfs_fuse_test store_test \
    batchai-emulator
  stage_done "tsan build (build-tsan)"
  reports="$PWD/build-tsan/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  status=0
  TSAN_OPTIONS="log_path=$reports/tsan:${TSAN_OPTIONS:-}" \
    ctest --test-dir build-tsan -j2 -L 'server|fuse' -LE no_sanitizer --output-on-failure || status=1
  TSAN_OPTIONS="log_path=$reports/tsan:${TSAN_OPTIONS:-}" build-tsan/tests/store/store_test --gtest_brief=1 || status=1
  sanitizer_reports_fail "$reports" || status=1
  stage_done "tsan suite"
  [[ $status == 0 ]]
fi

if [[ "${EMU_FUZZ:-0}" == 1 ]]; then
  fuzz/run_fuzzers.sh build/fuzz-clang "${EMU_FUZZ_SECONDS:-10}"
  stage_done "fuzz (build and ${EMU_FUZZ_SECONDS:-10} s per target)"
fi
