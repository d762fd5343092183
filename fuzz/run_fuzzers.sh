#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in BUILD_DIR and runs each for SECONDS on its committed
# seed corpus (plus what earlier runs in BUILD_DIR found), then the Python trace converters' fuzz
# harness. Exit 77 (skip) when clang or its fuzzer runtime is missing; 1 on any crash, leak, UB,
# timeout or build failure, with the reproducer left in BUILD_DIR/findings.
# Ends with a table, also written to BUILD_DIR/fuzz-summary.tsv: target, seconds, executions, exec/s,
# corpus (inputs at the end of the run), result.
#   fuzz/run_fuzzers.sh build-fuzz 10
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:?usage: run_fuzzers.sh BUILD_DIR SECONDS}"
seconds="${2:-10}"

clangxx="$(command -v clang++ || true)"
if [[ -z "$clangxx" ]]; then
  echo "SKIP: clang++ not found (scripts/install-deps.sh --test installs clang and libclang-rt-14-dev)"
  exit 77
fi
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
if ! "$clangxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>"$probe/err"; then
  echo "SKIP: clang cannot link -fsanitize=fuzzer (install libclang-rt-14-dev): $(head -c 300 "$probe/err")"
  exit 77
fi

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$clangxx" >/dev/null
fi

mkdir -p "$build/findings"
status=0
summary="$build/fuzz-summary.tsv"
printf 'target\tseconds\texecutions\texec/s\tcorpus\tresult\n' >"$summary"
# final_stat NAME LOG: a libFuzzer final statistic (-print_final_stats=1), or "?".
final_stat() { awk -v k="stat::$1:" '$1 == k { v = $2 } END { print (v == "" ? "?" : v) }' "$2"; }
# The corpus size libFuzzer last reported ("corp: N/..."), or "?".
corpus_size() { grep -oE 'corp: [0-9]+' "$1" | tail -1 | awk '{ print $2 }' | grep . || echo '?'; }
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
for target in request_parser router scenario_parser; do
  work="$build/corpus/$target"
  mkdir -p "$work"
  log="$build/$target.log"
  # Each target on its own, so that one that does not compile still lets the others run.
  if ! cmake --build "$build" --target "${target}_fuzzer" -j "${EMU_FUZZ_JOBS:-2}" >"$build/$target.build.log" 2>&1; then
    echo "$target: BUILD FAILED with clang:"
    grep -E 'error' "$build/$target.build.log" | sort -u | head -10
    printf '%s\t%s\t-\t-\t-\tbuild failed\n' "$target" "$seconds" >>"$summary"
    status=1
    continue
  fi
  # New inputs go to $work; the committed seeds are read, never written.
  if "$build/${target}_fuzzer" "$work" "$here/corpus/$target" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$build/findings/${target}-" \
       -print_final_stats=1 >"$log" 2>&1; then
    result="no finding"
  else
    result="FINDING"
    echo "$target: FINDING (reproducer in $build/findings):"
    tail -40 "$log"
    status=1
  fi
  runs="$(final_stat number_of_executed_units "$log")"
  echo "$target: $runs executions in $seconds s, $result"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$seconds" "$runs" "$(final_stat average_exec_per_sec "$log")" \
    "$(corpus_size "$log")" "$result" >>"$summary"
done

if command -v python3 >/dev/null; then
  if python3 "$here/trace_converters_fuzz.py" --seconds "$seconds" --findings "$build/findings" --strict \
       --summary "$summary"; then :; else
    status=1
  fi
else
  echo "trace converters: SKIP (python3 not found)"
  printf 'trace converters\t%s\t-\t-\t-\tskipped (no python3)\n' "$seconds" >>"$summary"
fi
echo
echo "Fuzz summary ($summary):"
column -t -s $'\t' "$summary" 2>/dev/null || cat "$summary"
exit $status
