#!/usr/bin/env bash
# Installs what is missing, builds the emulator (Release) and starts `batchai-emulator serve`.
#   ./run.sh                 build, then serve with the defaults (extra arguments go to serve)
#   ./run.sh --build-only    stop after the build; the binary is build/batchai-emulator
set -euo pipefail
cd "$(dirname "$0")"

build_only=0
serve_args=()
for a in "$@"; do
  if [[ "$a" == "--build-only" ]]; then build_only=1; else serve_args+=("$a"); fi
done

scripts/install-deps.sh
cmake --preset release -G Ninja >/dev/null
cmake --build --preset release --target batchai-emulator
[[ $build_only -eq 1 ]] && { echo "built build/batchai-emulator"; exit 0; }
exec build/batchai-emulator serve "${serve_args[@]+"${serve_args[@]}"}"
