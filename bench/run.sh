#!/usr/bin/env bash
# bench/run.sh [--quick] [--only SECTIONS] [--build-dir DIR]
# Builds the benchmarks (Release), runs every suite and macro benchmark, repeats each (median and
# min-max; 5 runs where cheap, fewer for the long ones, 1-3 with --quick), then prints the report
# and writes it to bench/results/latest.md (raw rows beside it in latest.tsv).
#   SECTIONS: comma-separated among engine,codec,router,store,rest,startup,replay,fuse,container;
#   rest is rest-get (GETs and LRO pollers, in memory) plus rest-put (durable job creates)
# REST runs pin the server to CPU 0 and the load (wrk, paced_load) to CPU 1 (set BENCH_SERVER_CPU /
# BENCH_CLIENT_CPU); BENCH_PACED_RATE (50000) is the rate of the paced GET runs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build-bench"
QUICK=0
ONLY="engine,codec,router,store,rest,startup,replay,fuse,container"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY="$2"; shift ;;
    --build-dir) BUILD="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
SERVER_CPU=${BENCH_SERVER_CPU:-0}
CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
if [[ $QUICK == 1 ]]; then REPS=2; LONG_REPS=1; DURATION=3; else REPS=5; LONG_REPS=3; DURATION=10; fi

RESULTS="$ROOT/bench/results"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
RAW="$WORK/raw.tsv"; NOTES="$WORK/notes.md"; MACHINE="$WORK/machine.txt"
: >"$RAW"; : >"$NOTES"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

STEP=0
progress() { STEP=$((STEP + 1)); printf '[bench %2d] %s\n' "$STEP" "$*" >&2; }
note() { printf -- '- %s\n' "$*" >>"$NOTES"; printf '[bench] note: %s\n' "$*" >&2; }
wanted() { [[ ",$ONLY," == *",$1,"* || ( $1 == rest-* && ",$ONLY," == *",rest,"* ) ]]; }
report() { python3 "$ROOT/bench/report.py" "$@"; }

# --- machine -----------------------------------------------------------------------------------
{
  echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit:    $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || echo ' (with local changes)')"
  echo "cpu:       $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores online"
  echo "memory:    $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel:    $(uname -sr)"
  echo "compiler:  $(c++ --version | head -1)"
  echo "build:     Release (${BUILD#"$ROOT"/})"
  echo "load:      $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at start)"
  echo "mode:      $([[ $QUICK == 1 ]] && echo quick || echo full), $REPS runs ($LONG_REPS for long ones)"
  echo "REST:      server on CPU $SERVER_CPU, load (wrk, paced_load) on CPU $CLIENT_CPU (taskset), loopback, HTTP"
} >"$MACHINE"

# --- build -------------------------------------------------------------------------------------
TARGETS=(engine_bench codec_bench router_bench store_bench batchai-emulator paced_load pause_probe)
wanted replay && TARGETS+=(philly_scale_replay)
wanted fuse && TARGETS+=(nfs_throughput)
wanted container && TARGETS+=(fakes_nodes_container_test)
progress "building ${TARGETS[*]} in $BUILD"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD" --target "${TARGETS[@]}" -j"${BENCH_JOBS:-2}" >"$WORK/build.log" 2>&1 ||
  { tail -30 "$WORK/build.log" >&2; echo "run.sh: build failed" >&2; exit 1; }
EMU="$BUILD/batchai-emulator"

# --- Google Benchmark suites -------------------------------------------------------------------
gbench() {  # gbench SECTION BINARY [extra args]
  local section=$1 binary=$2; shift 2
  progress "$section: $(basename "$binary")"
  local args=(--benchmark_repetitions="$REPS" --benchmark_out="$WORK/$section.json" --benchmark_out_format=json)
  [[ $QUICK == 1 ]] && args+=(--benchmark_min_time=0.05)
  "$binary" "${args[@]}" "$@" >"$WORK/$section.console" 2>&1 ||
    { note "$section: $(basename "$binary") failed: $(tail -1 "$WORK/$section.console")"; return 0; }
  while read -r line; do note "$section: $line"; done < <(grep -h "ERROR OCCURRED" "$WORK/$section.console" || true)
  report gbench "$WORK/$section.json" "$section" >>"$RAW"
}
ENGINE_FILTER="."
[[ $QUICK == 1 ]] && ENGINE_FILTER="^BM_(ExecutorEvents|Workload100kJobs500Nodes/1000|GangPlacement|ScheduleWithQueueLength|AutoscaleEvaluation)"
wanted engine && gbench engine "$BUILD/bench/engine_bench" --benchmark_filter="$ENGINE_FILTER"
wanted codec && gbench codec "$BUILD/bench/codec_bench"
wanted router && gbench router "$BUILD/bench/router_bench"
wanted store && TMPDIR="$WORK" gbench store "$BUILD/bench/store_bench"

# --- REST with wrk -----------------------------------------------------------------------------
BASE=""
start_server() {  # start_server [serve args]: sets SERVER_PID and BASE
  local log="$WORK/serve.$STEP.log"
  taskset -c "$SERVER_CPU" "$EMU" serve --backend sim --http-port 0 --https-port 0 --log-level warn "$@" \
    >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if grep -q '^ready' "$log"; then
      BASE=$(sed -n 's/^ready .*http=\(http:[^ ]*\).*/\1/p' "$log" | head -1)
      return 0
    fi
    sleep 0.05
  done
  echo "run.sh: serve did not get ready; its output:" >&2; cat "$log" >&2; exit 1
}
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
put() {  # put PATH BODY: prints the response headers
  curl -sS -D - -o /dev/null -X PUT -H 'Content-Type: application/json' --data "$2" "$BASE$1?api-version=2018-05-01"
}
WS=/subscriptions/bench/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws
seed_resources() {  # a workspace, experiment, one-node cluster and a job; sets OPERATION (a poll URL)
  put "$WS" '{"location":"eastus"}' >/dev/null
  put "$WS/experiments/e" '{}' >/dev/null
  OPERATION=$(put "$WS/clusters/c" '{"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u","adminUserPassword":"p"},"scaleSettings":{"manual":{"targetNodeCount":1}}}}' |
    tr -d '\r' | sed -n 's/^[Aa]zure-[Aa]sync[Oo]peration: *//p')
  put "$WS/experiments/e/jobs/j0" '{"properties":{"cluster":{"id":"'"$WS"'/clusters/c"},"nodeCount":1,"stdOutErrPathPrefix":"$AZ_BATCHAI_MOUNT_ROOT/out","customToolkitSettings":{"commandLine":"echo hi"}}}' >/dev/null
}
server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
server_cpu_since() {  # server_cpu_since TICKS: the server's CPU seconds since server_cpu_ticks gave TICKS
  awk -v a="$1" -v b="$(server_cpu_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN {print (b - a) / hz}'
}
wrk_once() {  # wrk_once NAME wrk-args...: one wrk run on the client CPU, with the server's CPU time
  local name=$1; shift
  local before; before=$(server_cpu_ticks)
  taskset -c "$CLIENT_CPU" wrk --latency -d"${DURATION}s" "$@" >"$WORK/wrk.txt" 2>&1 ||
    { note "rest: wrk failed for $name: $(tail -1 "$WORK/wrk.txt")"; return 0; }
  local cpu; cpu=$(server_cpu_since "$before")
  report wrk "$WORK/wrk.txt" rest "$name" "$cpu" >>"$RAW"
}
# The latency goal at a given rate: paced_load (open loop, latency from when each request fell due).
PACED_RATE=${BENCH_PACED_RATE:-50000}
paced_runs() {  # paced_runs NAME RUNS paced_load-args...: repeated paced runs on the client CPU
  local name=$1 runs=$2; shift 2
  for i in $(seq 1 "$runs"); do
    progress "rest: $name (run $i/$runs, ${DURATION}s)"
    local before; before=$(server_cpu_ticks)
    taskset -c "$CLIENT_CPU" "$BUILD/bench/paced_load" --duration "$DURATION" "$@" >"$WORK/paced.txt" 2>&1 ||
      { note "rest: paced_load failed for $name: $(tail -1 "$WORK/paced.txt")"; continue; }
    local cpu; cpu=$(server_cpu_since "$before")
    report wrk "$WORK/paced.txt" rest "$name" "$cpu" >>"$RAW"
  done
}
wrk_runs() {  # wrk_runs NAME RUNS wrk-args...: repeated wrk runs
  local name=$1 runs=$2; shift 2
  for i in $(seq 1 "$runs"); do
    progress "rest: $name (run $i/$runs, ${DURATION}s)"
    wrk_once "$name" "$@"
  done
}
if wanted rest-get || wanted rest-put; then
  if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
    note "rest: skipped, wrk or curl missing (scripts/install-deps.sh --test installs wrk)"
  else
    # The machine's own pauses on the two cores (3 s, both at once): on a shared VM they set the tail
    # of latencies measured in microseconds.
    progress "rest: pause_probe on CPU $SERVER_CPU and CPU $CLIENT_CPU (3s)"
    taskset -c "$SERVER_CPU" "$BUILD/bench/pause_probe" 3 >"$WORK/pauses.server.txt" &
    taskset -c "$CLIENT_CPU" "$BUILD/bench/pause_probe" 3 >"$WORK/pauses.client.txt"
    wait
    report pauses "$WORK/pauses.server.txt" rest "machine pauses, CPU $SERVER_CPU (server)" >>"$RAW"
    report pauses "$WORK/pauses.client.txt" rest "machine pauses, CPU $CLIENT_CPU (load)" >>"$RAW"
    if wanted rest-get; then
      # Reads: in memory, clock frozen (--time-scale 0) so the operation stays in progress while polled.
      progress "rest: starting serve --in-memory --time-scale 0 on CPU $SERVER_CPU"
      start_server --in-memory --time-scale 0
      seed_resources
      wrk_runs "GET job, 64 connections" "$REPS" -t1 -c64 "$BASE$WS/experiments/e/jobs/j0?api-version=2018-05-01"
      # The same below saturation: with one request in flight per connection, latency at 64 connections
      # is 64 / throughput (Little's law), so a lighter load shows what one request costs.
      wrk_runs "GET job, 8 connections" "$REPS" -t1 -c8 "$BASE$WS/experiments/e/jobs/j0?api-version=2018-05-01"
      wrk_runs "GET workspace, 64 connections" "$REPS" -t1 -c64 "$BASE$WS?api-version=2018-05-01"
      # wrk saturates the server, so its latency is mostly queueing (64 / throughput). The goal is a
      # latency at a rate: paced_load offers exactly that rate and times each request from when it fell due.
      paced_runs "GET job at $PACED_RATE req/s, 64 connections" "$REPS" --rate "$PACED_RATE" --connections 64 \
        "$BASE$WS/experiments/e/jobs/j0?api-version=2018-05-01"
      if [[ -n "$OPERATION" ]]; then
        wrk_runs "GET operation, 1000 connections" "$REPS" -t1 -c1000 --timeout 5s "$OPERATION"
      else
        note "rest: the cluster PUT gave no Azure-AsyncOperation header; LRO pollers not measured"
      fi
      stop_server
    fi
    if wanted rest-put; then
      # Writes: durable state (SQLite in the data dir), the clock running as in normal use.
      progress "rest: starting serve with a data dir (durable) on CPU $SERVER_CPU"
      start_server --data-dir "$WORK/data"
      seed_resources
      for i in $(seq 1 "$REPS"); do
        progress "rest: job creates (run $i/$REPS, ${DURATION}s)"
        # An experiment per run: a run creates tens of thousands of jobs, and an experiment holds at
        # most limits.maxJobsPerExperiment (200,000).
        put "$WS/experiments/run$i" '{}' >/dev/null
        wrk_once "PUT new job, durable, 64 connections" -t1 -c64 -s "$ROOT/bench/put_jobs.lua" "$BASE" \
          -- "$WS/experiments/run$i" "$WS/clusters/c" "run$i"
      done
      # Group commit keeps the WAL bounded (checkpoints on the store's thread, a RESTART past 64 MiB).
      note "rest: after the durable runs the WAL was $(( $(stat -c %s "$WORK/data/state.db-wal" 2>/dev/null || echo 0) / 1048576 )) MiB, the database $(( $(stat -c %s "$WORK/data/state.db") / 1048576 )) MiB"
      stop_server
      rm -rf "$WORK/data"
    fi
  fi
fi

# --- start-up and idle RSS ---------------------------------------------------------------------
if wanted startup; then
  progress "startup: $((REPS * 2 > 5 ? REPS * 2 : 5)) starts of serve --in-memory"
  python3 "$ROOT/bench/startup.py" "$EMU" "$((REPS * 2 > 5 ? REPS * 2 : 5))" "$SERVER_CPU" >>"$RAW" ||
    note "startup: failed"
fi

# --- Philly-scale replay -----------------------------------------------------------------------
if wanted replay; then
  REPLAY_ARGS=()
  [[ $QUICK == 1 ]] && REPLAY_ARGS=(10000 552)
  for i in $(seq 1 "$LONG_REPS"); do
    progress "replay: philly_scale_replay ${REPLAY_ARGS[*]:-(117,325 jobs, 552 nodes)} (run $i/$LONG_REPS)"
    "$BUILD/harness/philly_scale_replay" "${REPLAY_ARGS[@]}" >"$WORK/replay.txt" 2>&1 ||
      { note "replay: failed: $(tail -1 "$WORK/replay.txt")"; break; }
    name="philly_scale_replay ${REPLAY_ARGS[*]:-117325 552}"
    sed -n 's/.*replay \([0-9.]*\) s wall; \([0-9]*\) events\/s; \([0-9]*\) jobs\/s; peak RSS \([0-9]*\) MiB.*/\1 \2 \3 \4/p' \
      "$WORK/replay.txt" | while read -r wall events jobs rss; do
      printf 'replay\t%s\twall time\ts\t%s\nreplay\t%s\tevents/s\t1/s\t%s\nreplay\t%s\tjobs/s\t1/s\t%s\nreplay\t%s\tpeak RSS\tMiB\t%s\n' \
        "$name" "$wall" "$name" "$events" "$name" "$jobs" "$name" "$rss" >>"$RAW"
    done
  done
fi

# --- FUSE against native -----------------------------------------------------------------------
if wanted fuse; then
  if [[ ! -e /dev/fuse || $(id -u) != 0 ]]; then
    note "fuse: skipped, needs root and /dev/fuse"
  else
    # Each row twice: the store on the disk under $WORK, and on tmpfs (/dev/shm: the emulator's own cost).
    FUSE_ARGS=(--dir "$WORK")
    [[ $QUICK == 1 ]] && FUSE_ARGS+=(--size-mib 32 --files 500 --passes 2)
    for i in $(seq 1 "$LONG_REPS"); do
      progress "fuse: nfs_throughput (run $i/$LONG_REPS)"
      "$BUILD/tests/fakes/nfs/nfs_throughput" "${FUSE_ARGS[@]}" >"$WORK/fuse.txt" 2>&1 ||
        { note "fuse: nfs_throughput failed: $(tail -1 "$WORK/fuse.txt")"; break; }
      if [[ $i == 1 ]]; then
        while read -r line; do note "fuse: $line"; done < <(grep -h "skipped" "$WORK/fuse.txt" || true)
      fi
      # Rows: "<what> <native> <FUSE> <unit> <ratio>%"; the header lines do not parse as numbers.
      awk -v OFS='\t' 'NF >= 5 && $(NF-3) ~ /^[0-9.]+$/ && $(NF-2) ~ /^[0-9.]+$/ {
          name = $1; for (k = 2; k <= NF - 4; k++) name = name " " $k
          print "fuse", name, "native", $(NF-1), $(NF-3); print "fuse", name, "FUSE", $(NF-1), $(NF-2)
          r = $NF; sub(/%/, "", r); print "fuse", name, "FUSE/native", "%", r }' "$WORK/fuse.txt" >>"$RAW"
    done
  fi
fi

# --- container job launch ----------------------------------------------------------------------
if wanted container; then
  for i in $(seq 1 "$REPS"); do
    progress "container: launch latency, 2-node MPI, 50 jobs on 50 nodes (run $i/$REPS)"
    "$BUILD/tests/fakes/nodes/fakes_nodes_container_test" \
      --gtest_filter='*.Measurements:*.TwoNodeCustomMpiRanksPrintTheirHostnames:*.FiftyJobsOnFiftyNodes' \
      >"$WORK/container.txt" 2>&1 ||
      { note "container: the measurement test failed: $(grep -m1 -i 'fail' "$WORK/container.txt")"; break; }
    if grep -q '\[  SKIPPED \]' "$WORK/container.txt"; then
      note "container: skipped, $(grep -m1 -i 'skip' "$WORK/container.txt" | sed 's/^[^:]*: *//')"
      break
    fi
    sed -n 's/^submit to first process running on an idle node: \([0-9.]*\) ms.*/\1/p' "$WORK/container.txt" |
      while read -r ms; do printf 'container\tsubmit to first process, idle node\tlatency\tms\t%s\n' "$ms" >>"$RAW"; done
    sed -n 's/^2-node MPI hello, submit to succeeded: \([0-9.]*\) s.*/\1/p' "$WORK/container.txt" |
      while read -r sec; do printf 'container\t2-node customMpi hello, submit to succeeded\ttime\ts\t%s\n' "$sec" >>"$RAW"; done
    sed -n 's/^50 nodes ready in \([0-9.]*\) s; 50 one-node jobs submit to all succeeded: \([0-9.]*\) s.*/\1 \2/p' \
      "$WORK/container.txt" | while read -r ready jobs; do
      printf 'container\t50 nodes\tready\ts\t%s\n' "$ready" >>"$RAW"
      printf 'container\t50 one-node jobs on 50 nodes, all succeeded\ttime\ts\t%s\n' "$jobs" >>"$RAW"
    done
  done
fi

# --- report ------------------------------------------------------------------------------------
mkdir -p "$RESULTS"
report markdown "$RAW" "$MACHINE" "$NOTES" >"$RESULTS/latest.md"
cp "$RAW" "$RESULTS/latest.tsv"
cat "$RESULTS/latest.md"
echo "[bench] wrote $RESULTS/latest.md" >&2
