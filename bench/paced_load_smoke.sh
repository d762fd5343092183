#!/usr/bin/env bash
# Smoke test of bench/paced_load against a real `serve`: a short paced run of GETs of a workspace must
# keep its rate with every answer a 200 and no socket error, and one of a missing resource must count
# its 404s.   paced_load_smoke.sh PACED_LOAD BATCHAI_EMULATOR
set -euo pipefail
paced_load=$1 emulator=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/paced-smoke.XXXXXX")
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$emulator" serve --backend sim --in-memory --time-scale 0 --data-dir "$work/data" --http-port 0 --https-port 0 \
  --log-level warn >"$work/serve.log" 2>&1 &
server=$!
base=""
for _ in $(seq 1 200); do
  base=$(sed -n 's/^ready .*http=\(http:[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
  [[ -n "$base" ]] && break
  sleep 0.05
done
[[ -n "$base" ]] || { echo "serve did not get ready:"; cat "$work/serve.log"; exit 1; }
ws=/subscriptions/smoke/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws
curl -sS -f -o /dev/null -X PUT -H 'Content-Type: application/json' --data '{"location":"eastus"}' \
  "$base$ws?api-version=2018-05-01"

"$paced_load" "$base$ws?api-version=2018-05-01" --rate 2000 --connections 4 --duration 1 --warmup 0.2 \
  | tee "$work/ok.txt"
rate=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$work/ok.txt")
awk -v r="$rate" 'BEGIN { exit !(r >= 1800 && r <= 2200) }' || { echo "FAIL: paced at 2000/s, got $rate/s"; exit 1; }
grep -q "Socket errors: connect 0, read 0, write 0, timeout 0" "$work/ok.txt" || { echo "FAIL: socket errors"; exit 1; }
if grep -q "Non-2xx" "$work/ok.txt"; then echo "FAIL: non-2xx answers to a GET of a workspace"; exit 1; fi
grep -Eq '^ +99% +[0-9.]+(us|ms|s)$' "$work/ok.txt" || { echo "FAIL: no p99 line"; exit 1; }

"$paced_load" "$base/subscriptions/smoke/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/none?api-version=2018-05-01" \
  --rate 500 --connections 2 --duration 0.5 --warmup 0 | tee "$work/missing.txt"
grep -Eq "Non-2xx or 3xx responses: [1-9]" "$work/missing.txt" || { echo "FAIL: 404s not counted"; exit 1; }
echo "paced_load smoke test passed"
