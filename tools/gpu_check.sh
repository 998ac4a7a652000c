#!/usr/bin/env bash
# gpu_check.sh: the first run of memsnn on a GPU, as one script that proves the CUDA backend
# or locates what fails, inside a short lease (a 16-core H100 machine with no package
# registry and a copy of the working tree). Run it from the repository root there:
#
#   bash tools/gpu_check.sh OUTDIR            with .deps/bundle carried (tools/bundle_deps.sh)
#
# With the project's device tool: run(command="bash tools/gpu_check.sh $OUT",
# carry=[".deps/bundle"], timeout_s=540). Before spending device time, here:
#   bash tools/gpu_check.sh --preflight       bundle present, what travels under 64 MiB, the call
#   bash tools/gpu_check.sh OUT --dry-run     every step's command, nothing run
#   bash tools/gpu_check.sh OUT --no-gpu      every step for real except the GPU check (on a
#                                             machine without a GPU: the cuda tests skip, and the
#                                             script must call that a failure)
#
# Steps, each with a time stamp and its budget as a `timeout` (seconds, for 16 cores; the
# slowest piece is nvcc on kernels/simulate.cu, 130 s on a loaded 2-core VM), under one
# deadline of 470 s for the whole script (GPU_CHECK_DEADLINE_S): a step gets min(budget,
# time left before the deadline less 5 s), and is skipped, saying so, when under 15 s are left.
#   gpu         10  stop at once (exit 3, one line) without nvidia-smi or a device; print
#                   nvidia-smi and nvcc's version
#   probe       30  build and run tools/gpu_probe.cu: runtime and driver versions, one kernel
#   configure   40  CMake: Release, sm_90, tests ON, benchmarks OFF, the bundle when present
#   build      150  only the gpu-labelled test binaries (target gpu_tests) and snn_bench, -j nproc
#   ctest      100  ctest -L gpu (less the host instances of the parity tests, which CI runs),
#                   one process per test, -j nproc, 90 s per test; FAILS on any skipped test
#                   (a failed device probe skips every cuda test)
#   sanitizers  70  compute-sanitizer memcheck (20), racecheck (30), synccheck (20) on
#                   test_backend_parity '*OneTrainingImage*cuda*:*KnownRaster*cuda*'
#   locate    (150) only when a test failed: reconfigure with MEMSNN_CUDA_SYNC_CHECKS=ON (10),
#                   rebuild in place (100: only kernels/ recompiles, then relinks), rerun the
#                   failed tests with CUDA_LAUNCH_BLOCKING=1 (40), so a fault names its launch
#   bench       70  snn_bench, cpu and cuda in one run (the ratio), N = 100, 400, 1600;
#                   train, infer, ensemble E = 64 and 1024; at most 3 s per cell;
#                   --json OUTDIR/snn_bench.json
# Without failures the budgets add up to 470 s. After a failure the locate step comes before
# the bench, which then gets what is left of the deadline (and runs from the sync-checks
# build, which the summary says): the script still ends within 8 minutes.
#
# Settings from the environment: GPU_CHECK_BUILD_DIR (build-gpucheck), GPU_CHECK_JOBS (nproc),
# GPU_CHECK_DEADLINE_S (470), GPU_CHECK_BUDGET_SCALE (1; e.g. 10 with a 6000 s deadline for
# --no-gpu on a 2-core machine).
#
# OUTDIR gets (the device tool returns at most 8 files): log.txt (everything printed),
# summary.md, summary.json, ctest_gpu.xml (JUnit), snn_bench.json, and ctest_locate.xml
# after a locate step. Exit status: 0 when every step passed, 1 when one failed, 2 for a
# usage error, 3 when there is no GPU.
set -uo pipefail

usage() { echo "usage: bash tools/gpu_check.sh OUTDIR [--no-gpu | --dry-run] | --preflight" >&2; exit 2; }

cd "$(dirname "$0")/.." || exit 2
ROOT="$PWD"
BUNDLE="$ROOT/.deps/bundle"
CARRY=".deps/bundle"

# --- preflight (here, before a lease) -----------------------------------------------------
if [ "${1:-}" = "--preflight" ]; then
  ok=1
  if [ -f "$BUNDLE/memsnn_bundle.txt" ]; then
    echo "preflight: bundle $CARRY: $(du -sb "$BUNDLE" | cut -f1) bytes"
  else
    echo "preflight: no bundle at $CARRY: run bash tools/bundle_deps.sh"; ok=0
  fi
  tree=$( { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 du -cb 2>/dev/null \
          | awk '$2 == "total" {s += $1} END {print s + 0}')
  bundle=$(du -sb "$BUNDLE" 2>/dev/null | cut -f1)
  total=$(( tree + ${bundle:-0} ))
  echo "preflight: working tree $tree bytes + bundle ${bundle:-0} = $total bytes (limit $((64 * 1048576)))"
  [ "$total" -lt $((64 * 1048576)) ] || { echo "preflight: too large to travel"; ok=0; }
  bash -n tools/gpu_check.sh || ok=0
  echo "preflight: device tool call: run(command=\"bash tools/gpu_check.sh \$OUT\", carry=[\"$CARRY\"], timeout_s=540)"
  [ "$ok" = 1 ] && echo "preflight: ready" && exit 0
  exit 1
fi

[ $# -ge 1 ] || usage
OUTDIR="$1"; shift
MODE=gpu
for a in "$@"; do
  case "$a" in
    --no-gpu) MODE=no-gpu ;;
    --dry-run) MODE=dry-run ;;
    *) usage ;;
  esac
done
case "$OUTDIR" in -*) usage ;; esac
mkdir -p "$OUTDIR" || exit 2
OUTDIR="$(cd "$OUTDIR" && pwd)"
LOG="$OUTDIR/log.txt"
: >"$LOG"
# Everything printed also goes to log.txt.
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$!

BUILD="${GPU_CHECK_BUILD_DIR:-$ROOT/build-gpucheck}"
JOBS="${GPU_CHECK_JOBS:-$(nproc 2>/dev/null || echo 4)}"
DEADLINE_S="${GPU_CHECK_DEADLINE_S:-470}"
# Multiplies every step's budget: a 2-core machine trying --no-gpu needs about 10.
BUDGET_SCALE="${GPU_CHECK_BUDGET_SCALE:-1}"
T0=$(date +%s)
# Budgets in seconds (the header's table).
B_GPU=10; B_PROBE=30; B_CONFIGURE=40; B_BUILD=150; B_CTEST=100; B_TEST=90
declare -A B_SAN=([memcheck]=20 [racecheck]=30 [synccheck]=20)
B_LOC_CONFIGURE=10; B_LOC_BUILD=100; B_LOC_RERUN=40; B_LOCATE=150; B_BENCH=70
HOST_INSTANCES='/(serial_host|threaded_host) '
SANITIZER_FILTER='*OneTrainingImage*cuda*:*KnownRaster*cuda*'
BENCH_ARGS=(--backends cpu,cuda --neurons 100,400,1600 --modes train,infer,ensemble --ensemble 64,1024
            --train-images 100 --infer-images 1000 --warmup 2 --max-seconds 3)

# --- bookkeeping --------------------------------------------------------------------------
STEP_NAMES=(); STEP_STATUS=(); STEP_SECONDS=(); STEP_BUDGET=(); STEP_NOTE=()
FACTS=()        # "key<TAB>value" lines for the summary
FAILED_TESTS=()
SKIPPED_TESTS=()
SYNC_BUILD=0

elapsed() { echo $(( $(date +%s) - T0 )); }
stamp() { printf '[%s +%4ss]' "$(date -u +%H:%M:%S)" "$(elapsed)"; }
say() { echo "$(stamp) $*"; }
fact() { FACTS+=("$1"$'\t'"$2"); }
record() {  # record NAME STATUS SECONDS BUDGET NOTE
  STEP_NAMES+=("$1"); STEP_STATUS+=("$2"); STEP_SECONDS+=("$3"); STEP_BUDGET+=("$4"); STEP_NOTE+=("$5")
  say "<== $1: $2 (${3} s of ${4} s)${5:+ - $5}"
}
# Seconds a step may take: its budget, cut to the time left before the deadline.
allowance() {
  local budget=$(( $1 * BUDGET_SCALE )) left=$(( DEADLINE_S - $(elapsed) - 5 ))
  [ "$left" -lt "$budget" ] && budget=$left
  echo "$budget"
}
show_cmd() { printf '%q ' "$@"; echo; }

# run_step NAME BUDGET CMD...: runs CMD under `timeout`, output to the log and to
# $STEP_LOG; sets STEP_RC (124 when it ran out of time) and STEP_TIME.
STEP_RC=0; STEP_TIME=0; STEP_LOG=""
run_step() {
  local name=$1 budget=$2; shift 2
  local t; t=$(allowance "$budget")
  STEP_LOG="$SCRATCH/$name.log"
  : >"$STEP_LOG"
  if [ "$MODE" = dry-run ]; then
    say "==> $name (budget $budget s): $(show_cmd "$@")"
    STEP_RC=126; STEP_TIME=0
    return 0
  fi
  if [ "$t" -lt 15 ]; then
    say "==> $name: skipped, ${t} s left before the ${DEADLINE_S} s deadline"
    STEP_RC=125; STEP_TIME=0
    return 0
  fi
  say "==> $name (timeout $t s): $(show_cmd "$@")"
  local s; s=$(date +%s)
  timeout -k 5 "$t" "$@" 2>&1 | tee -a "$STEP_LOG"
  STEP_RC=${PIPESTATUS[0]}
  STEP_TIME=$(( $(date +%s) - s ))
  [ "$STEP_RC" = 137 ] && STEP_RC=124
  return 0
}
# A step that passed, or (dry run) would have run.
ok_rc() { [ "$1" = 0 ] || [ "$1" = 126 ]; }
# The status word for STEP_RC.
status_of() {
  case "$1" in
    0) echo pass ;;
    124) echo timeout ;;
    125) echo "skipped" ;;
    126) echo planned ;;
    *) echo fail ;;
  esac
}

json_escape() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/}
  printf '%s' "$s"
}

write_summary() {
  local overall=$1 exit_code=$2
  local md="$OUTDIR/summary.md" js="$OUTDIR/summary.json" i
  {
    echo "# gpu_check summary"
    echo
    echo "- overall: **$overall** (exit $exit_code), mode $MODE, $(elapsed) s of the ${DEADLINE_S} s deadline"
    echo "- started: $(date -u -d "@$T0" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "$T0"), host $(hostname 2>/dev/null), $JOBS cores"
    for f in "${FACTS[@]}"; do echo "- ${f%%$'\t'*}: ${f#*$'\t'}"; done
    echo
    echo "| step | status | seconds | budget | note |"
    echo "|---|---|---|---|---|"
    for i in "${!STEP_NAMES[@]}"; do
      echo "| ${STEP_NAMES[$i]} | ${STEP_STATUS[$i]} | ${STEP_SECONDS[$i]} | ${STEP_BUDGET[$i]} | ${STEP_NOTE[$i]//|/\\|} |"
    done
    if [ ${#FAILED_TESTS[@]} -gt 0 ]; then
      echo; echo "Failed tests:"; for t in "${FAILED_TESTS[@]}"; do echo "- \`$t\`"; done
    fi
    if [ ${#SKIPPED_TESTS[@]} -gt 0 ]; then
      echo; echo "Skipped tests (a failure here):"; for t in "${SKIPPED_TESTS[@]}"; do echo "- \`$t\`"; done
    fi
    echo
    echo "Everything printed: log.txt. Test results: ctest_gpu.xml. Throughput: snn_bench.json."
  } >"$md"
  {
    printf '{\n  "tool": "gpu_check",\n  "overall": "%s",\n  "exit_code": %s,\n  "mode": "%s",\n' "$overall" "$exit_code" "$MODE"
    printf '  "seconds": %s,\n  "deadline_s": %s,\n  "cores": %s,\n  "sync_checks_build": %s,\n' \
      "$(elapsed)" "$DEADLINE_S" "$JOBS" "$([ "$SYNC_BUILD" = 1 ] && echo true || echo false)"
    printf '  "facts": {'
    local sep=""
    for f in "${FACTS[@]}"; do
      printf '%s\n    "%s": "%s"' "$sep" "$(json_escape "${f%%$'\t'*}")" "$(json_escape "${f#*$'\t'}")"; sep=","
    done
    printf '\n  },\n  "steps": ['
    sep=""
    for i in "${!STEP_NAMES[@]}"; do
      printf '%s\n    {"name": "%s", "status": "%s", "seconds": %s, "budget_s": %s, "note": "%s"}' "$sep" \
        "${STEP_NAMES[$i]}" "${STEP_STATUS[$i]}" "${STEP_SECONDS[$i]}" "${STEP_BUDGET[$i]}" \
        "$(json_escape "${STEP_NOTE[$i]}")"
      sep=","
    done
    printf '\n  ],\n  "failed_tests": ['
    sep=""; for t in "${FAILED_TESTS[@]}"; do printf '%s"%s"' "$sep" "$(json_escape "$t")"; sep=", "; done
    printf '],\n  "skipped_tests": ['
    sep=""; for t in "${SKIPPED_TESTS[@]}"; do printf '%s"%s"' "$sep" "$(json_escape "$t")"; sep=", "; done
    printf ']\n}\n'
  } >"$js"
}

finish() {
  local overall=pass code=0 s
  for s in "${STEP_STATUS[@]}"; do
    case "$s" in pass|"not needed"|planned|"not run") ;; *) overall=fail; code=1 ;; esac
  done
  [ "$MODE" = dry-run ] && overall=dry-run
  write_summary "$overall" "$code"
  rm -rf "$SCRATCH"
  say "gpu_check: $overall in $(elapsed) s; summary in $OUTDIR/summary.md"
  exec >&- 2>&-
  wait "$TEE_PID" 2>/dev/null
  exit "$code"
}

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/gpu_check.XXXXXX")"
fact "repository" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"

# --- gpu: a device, or stop at once with one line ------------------------------------------
s=$(date +%s)
if [ "$MODE" = gpu ]; then
  why=""
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    why="nvidia-smi not found"
  elif ! timeout 20 nvidia-smi -L 2>/dev/null | grep -q '^GPU [0-9]'; then
    why="nvidia-smi lists no GPU: $(timeout 20 nvidia-smi -L 2>&1 | head -1)"
  fi
  if [ -n "$why" ]; then
    echo "gpu_check: no GPU on this machine ($why); run it on the GPU machine, or use --no-gpu / --dry-run here"
    STEP_NAMES+=(gpu); STEP_STATUS+=("no gpu"); STEP_SECONDS+=("$(( $(date +%s) - s ))"); STEP_BUDGET+=("$B_GPU")
    STEP_NOTE+=("$why")
    write_summary "no gpu" 3
    exec >&- 2>&-
    wait "$TEE_PID" 2>/dev/null
    exit 3
  fi
fi
say "gpu_check: repository $ROOT, output $OUTDIR, build $BUILD, $JOBS cores, mode $MODE, deadline $DEADLINE_S s"
if [ "$MODE" = gpu ]; then
  timeout 20 nvidia-smi
  gpu_line=$(timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
  fact "gpu" "$gpu_line"
  fact "driver cuda version" "$(timeout 20 nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)"
fi
NVCC="$(command -v nvcc || true)"
[ -z "$NVCC" ] && [ -x /usr/local/cuda/bin/nvcc ] && NVCC=/usr/local/cuda/bin/nvcc
if [ -n "$NVCC" ]; then
  "$NVCC" --version | tail -2
  fact "nvcc" "$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
fi
fact "cmake" "$(cmake --version 2>/dev/null | head -1)"
fact "host compiler" "$(c++ --version 2>/dev/null | head -1)"
if [ -f "$BUNDLE/memsnn_bundle.txt" ]; then
  fact "dependencies" "bundle $CARRY"
else
  fact "dependencies" "system (no $CARRY)"
fi
if [ "$MODE" = gpu ]; then
  record gpu pass "$(( $(date +%s) - s ))" $B_GPU "$gpu_line"
else
  record gpu "not run" 0 $B_GPU "mode $MODE: no GPU check"
fi

# --- probe: runtime, driver, one kernel ------------------------------------------------------
if [ -z "$NVCC" ]; then
  record probe fail 0 $B_PROBE "nvcc not found"
else
  run_step probe $B_PROBE bash -c "'$NVCC' -std=c++17 -O1 -gencode arch=compute_90,code=sm_90 -o '$SCRATCH/gpu_probe' tools/gpu_probe.cu && '$SCRATCH/gpu_probe'"
  note=$(grep -E '^(cuda runtime|device 0|gpu_probe)' "$STEP_LOG" | tr '\n' ' ')
  [ -n "$note" ] && fact "probe" "$note"
  record probe "$(status_of "$STEP_RC")" "$STEP_TIME" $B_PROBE "$note"
fi

# --- configure and build ---------------------------------------------------------------------
GEN=()
if [ ! -f "$BUILD/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then GEN=(-G Ninja); fi
CONFIGURE=(cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90
           -DMEMSNN_WITH_CUDA=ON -DMEMSNN_BUILD_TESTS=ON -DMEMSNN_BUILD_BENCHMARKS=OFF)
[ -n "$NVCC" ] && CONFIGURE+=(-DCMAKE_CUDA_COMPILER="$NVCC")
[ -f "$BUNDLE/memsnn_bundle.txt" ] && CONFIGURE+=(-DMEMSNN_DEPS_DIR="$BUNDLE")
BUILD_CMD=(cmake --build "$BUILD" -j "$JOBS" --target gpu_tests snn_bench)

run_step configure $B_CONFIGURE "${CONFIGURE[@]}" -DMEMSNN_CUDA_SYNC_CHECKS=OFF
record configure "$(status_of "$STEP_RC")" "$STEP_TIME" $B_CONFIGURE ""
CONFIGURED=$STEP_RC

if ok_rc "$CONFIGURED"; then
  run_step build $B_BUILD "${BUILD_CMD[@]}"
  BUILT=$STEP_RC
  note=""
  ok_rc "$BUILT" || note=$(grep -m3 -E 'error|Error' "$STEP_LOG" | tr '\n' ' ' | cut -c1-300)
  record build "$(status_of "$BUILT")" "$STEP_TIME" $B_BUILD "$note"
else
  BUILT=1
  record build skipped 0 $B_BUILD "configure failed"
fi

# --- ctest -L gpu: every test in its own process; a skip is a failure ------------------------
CTEST_OK=1
if ok_rc "$BUILT"; then
  # The host instances of the parity tests (serial_host, threaded_host) run in CI already;
  # here only what needs the device.
  run_step ctest $B_CTEST ctest --test-dir "$BUILD" -L gpu -E "$HOST_INSTANCES" -j "$JOBS" --timeout $B_TEST --output-on-failure \
    --output-junit "$OUTDIR/ctest_gpu.xml"
  rc=$STEP_RC
  if [ "$MODE" != dry-run ] && [ "$rc" != 125 ]; then
    mapfile -t SKIPPED_TESTS < <(sed -n 's/^ *[0-9]*\/[0-9]* Test *#[0-9]*: \(.*[^ ]\) \.*\**Skipped.*/\1/p' "$STEP_LOG" | sed 's/  *#.*//')
    mapfile -t FAILED_TESTS < <(sed -n '/The following tests FAILED:/,$p' "$STEP_LOG" \
      | sed -n 's/^[[:space:]]*[0-9][0-9]* - \(.*\) (\(Failed\|Timeout\|SEGFAULT\|Subprocess aborted\|Exception\|Child aborted\|[A-Za-z ]*\))$/\1 (\2)/p' \
      | grep -v '(Skipped)$' | sed 's/  *# GetParam() = [^(]*//')
    total=$(sed -n 's/.*tests passed, \([0-9]*\) tests* failed out of \([0-9]*\).*/\2/p' "$STEP_LOG" | tail -1)
    nfail=$(sed -n 's/.*tests passed, \([0-9]*\) tests* failed out of \([0-9]*\).*/\1/p' "$STEP_LOG" | tail -1)
    note="${total:-0} tests, ${nfail:-?} failed, ${#SKIPPED_TESTS[@]} skipped"
    fact "ctest -L gpu" "$note"
    status=pass
    if [ "$rc" = 124 ]; then status=timeout; CTEST_OK=0
    elif [ -z "$total" ] || [ "$total" = 0 ]; then status=fail; note="no gpu-labelled test ran; $note"; CTEST_OK=0
    elif [ "$rc" != 0 ] || [ "${nfail:-1}" != 0 ]; then status=fail; CTEST_OK=0
    fi
    if [ ${#SKIPPED_TESTS[@]} -gt 0 ]; then
      status=fail; CTEST_OK=0
      note="$note: a skipped gpu test means the device was not used (first: ${SKIPPED_TESTS[0]})"
      grep -m1 -h -E 'no CUDA device|Skipped|SKIPPED' "$STEP_LOG" | head -1 | sed 's/^/  first skip reason line: /'
    fi
    record ctest "$status" "$STEP_TIME" $B_CTEST "$note"
  else
    record ctest "$(status_of "$rc")" "$STEP_TIME" $B_CTEST ""
  fi
else
  record ctest skipped 0 $B_CTEST "nothing built"
fi

# --- compute-sanitizer on two short parity tests --------------------------------------------
SAN="$(command -v compute-sanitizer || true)"
for c in /usr/local/cuda/bin/compute-sanitizer /usr/local/cuda/compute-sanitizer/compute-sanitizer; do
  [ -z "$SAN" ] && [ -x "$c" ] && SAN=$c
done
PARITY="$BUILD/tests/test_backend_parity"
for tool in memcheck racecheck synccheck; do
  if ! ok_rc "$BUILT"; then
    record "sanitizer $tool" skipped 0 "${B_SAN[$tool]}" "nothing built"; continue
  fi
  if [ -z "$SAN" ] && [ "$MODE" != dry-run ]; then
    record "sanitizer $tool" fail 0 "${B_SAN[$tool]}" "compute-sanitizer not found"; continue
  fi
  run_step "sanitizer_$tool" "${B_SAN[$tool]}" "${SAN:-compute-sanitizer}" --tool "$tool" --error-exitcode 99 --print-limit 20 \
    "$PARITY" "--gtest_filter=$SANITIZER_FILTER"
  rc=$STEP_RC
  if [ "$MODE" = dry-run ] || [ "$rc" = 125 ]; then
    record "sanitizer $tool" "$(status_of "$rc")" "$STEP_TIME" "${B_SAN[$tool]}" ""; continue
  fi
  summary=$(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY|SYNCCHECK SUMMARY' "$STEP_LOG" | tail -1 | sed 's/^=* *//')
  ran=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests*\..*/\1/p' "$STEP_LOG" | tail -1)
  status=$(status_of "$rc")
  note="${summary:-no sanitizer summary}; ${ran:-0} tests passed"
  if grep -q '^\[  SKIPPED \]' "$STEP_LOG"; then status=fail; note="$note; a test skipped (no device?)"; fi
  if [ "${ran:-0}" = 0 ] && [ "$status" = pass ]; then status=fail; note="$note; no test ran"; fi
  [ "$rc" = 99 ] && note="errors found: $note"
  record "sanitizer $tool" "$status" "$STEP_TIME" "${B_SAN[$tool]}" "$note"
done

# --- locate: only after a failed test --------------------------------------------------------
if ok_rc "$BUILT" && [ "$CTEST_OK" = 0 ] && [ "${#FAILED_TESTS[@]}" -gt 0 ] || [ "$MODE" = dry-run ]; then
  s=$(date +%s)
  run_step locate_configure $B_LOC_CONFIGURE "${CONFIGURE[@]}" -DMEMSNN_CUDA_SYNC_CHECKS=ON
  [ "$MODE" != dry-run ] && SYNC_BUILD=1
  ok=$STEP_RC
  ok_rc "$ok" && { run_step locate_build $B_LOC_BUILD "${BUILD_CMD[@]}"; ok=$STEP_RC; }
  if ok_rc "$ok"; then
    run_step locate_rerun $B_LOC_RERUN env CUDA_LAUNCH_BLOCKING=1 ctest --test-dir "$BUILD" --rerun-failed -j "$JOBS" \
      --timeout $B_TEST --output-on-failure --output-junit "$OUTDIR/ctest_locate.xml"
    ok=$STEP_RC
    if [ "$MODE" != dry-run ]; then
      grep -E 'BackendError|\.cu:[0-9]+|\.cpp:[0-9]+: .*cuda|an illegal|misaligned|unspecified launch' "$STEP_LOG" \
        | sort -u | head -10 | sed 's/^/  located: /'
    fi
  fi
  if [ "$MODE" = dry-run ]; then
    record locate planned 0 $B_LOCATE "only after a failed test"
  else
    # The rerun failing is the expected outcome here: it names the launch. A pass means the
    # failure did not reproduce with synchronous launches.
    note="sync-checks build; rerun of ${#FAILED_TESTS[@]} failed test(s): rc $ok (log.txt: 'located:' lines)"
    st=pass
    [ "$ok" = 124 ] && st=timeout
    [ "$ok" = 125 ] && st=skipped
    record locate "$st" "$(( $(date +%s) - s ))" $B_LOCATE "$note"
  fi
else
  record locate "not needed" 0 $B_LOCATE "no failed test"
fi

# --- snn_bench: cpu and cuda in one run -------------------------------------------------------
if ok_rc "$BUILT"; then
  run_step bench $B_BENCH "$BUILD/apps/snn_bench" "${BENCH_ARGS[@]}" --json "$OUTDIR/snn_bench.json"
  rc=$STEP_RC
  note=""
  if [ "$MODE" != dry-run ] && [ "$rc" != 125 ]; then
    cells=$(grep -c -E '^  (cpu|cuda) +(train|infer|ensemble) +N=' "$STEP_LOG")
    failed_cells=$(grep -c -E ' failed \(' "$STEP_LOG")
    cuda=$(grep -m1 -E '^cuda: ' "$STEP_LOG")
    note="$cells cells, $failed_cells failed; ${cuda:-no cuda line}"
    [ "$SYNC_BUILD" = 1 ] && note="$note; ran from the sync-checks build (slower launches)"
    status=$(status_of "$rc")
    if [ "$status" = pass ] && { [ "$failed_cells" != 0 ] || grep -q '^cuda: unavailable' "$STEP_LOG"; }; then
      status=fail
    fi
    fact "snn_bench" "$note"
    record bench "$status" "$STEP_TIME" $B_BENCH "$note"
  else
    record bench "$(status_of "$rc")" "$STEP_TIME" $B_BENCH ""
  fi
else
  record bench skipped 0 $B_BENCH "nothing built"
fi

finish
