#!/usr/bin/env bash
# Installs the Debian packages the emulator needs to build, run and test, skipping what is present.
# Used by ./run.sh and ./test.sh. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev openssl libsqlite3-dev libfmt-dev libyaml-cpp-dev libfuse3-dev fuse3
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-azure nodejs npm openmpi-bin iproute2
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(wrk chromium clang libclang-rt-14-dev)  # clang: the libFuzzer targets (fuzz/)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# A node and npm that did not come from Debian (e.g. a newer one on PATH) are fine as they are.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "error: missing packages: ${missing[*]}; run this script as root or install them with apt-get" >&2
    exit 1
  fi
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
