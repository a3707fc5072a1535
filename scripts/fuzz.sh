#!/usr/bin/env bash
# Builds dpflow's libFuzzer targets (Fuzz/) with -sanitize=fuzzer,address on their own scratch path and runs
# each for SECONDS (default 60), seeded from the committed corpus Fuzz/Corpus/<target>/.
#   scripts/fuzz.sh [SECONDS] [TARGET…]      targets: csv pipeline npz keras-json idx (default: all)
# New interesting inputs go to .build-fuzz/corpus/<target>/ (not committed); a crash stops the run with a
# non-zero exit and leaves its input in .build-fuzz/crashes/. Keep every crasher as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(csv pipeline npz keras-json idx)
SCRATCH="$ROOT/.build-fuzz"

echo "== fuzz build (debug, -sanitize=fuzzer,address, scratch $SCRATCH)"
swift build --package-path Fuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | { grep -v "Cannot export local symbol" || true; } | tail -5
BIN="$(swift build --package-path Fuzz --scratch-path "$SCRATCH" --show-bin-path)"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
export OPENBLAS_NUM_THREADS=1
mkdir -p "$SCRATCH/crashes"
status=0
for target in "${TARGETS[@]}"; do
    work="$SCRATCH/corpus/$target"
    mkdir -p "$work"
    extra=()
    [ -f "Fuzz/$target.dict" ] && extra+=("-dict=Fuzz/$target.dict")
    echo "== fuzz-$target for ${SECONDS_PER_TARGET}s"
    # -rss_limit_mb / -malloc_limit_mb: an input that makes a parser allocate more than 2 GB is a finding.
    if ! "$BIN/fuzz-$target" "$work" "Fuzz/Corpus/$target" "${extra[@]}" \
            -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
            -max_len=8192 -print_final_stats=1 -artifact_prefix="$SCRATCH/crashes/$target-" \
            2> "$SCRATCH/fuzz-$target.log"; then
        status=1
        echo "fuzz-$target FOUND A CRASH; input and log:"
        ls "$SCRATCH/crashes/" | grep "^$target-" || true
        grep -E "ERROR|SUMMARY|Fatal error|==[0-9]+==" "$SCRATCH/fuzz-$target.log" | head -20 || true
    fi
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|cov: " "$SCRATCH/fuzz-$target.log" | tail -4 || true
done
exit $status
