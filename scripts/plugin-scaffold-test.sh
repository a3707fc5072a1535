#!/usr/bin/env bash
# The scaffold-build-run test of issue 14, from this checkout: build dpflow, `dpflow plugin new demo` in a temporary
# folder, `swift build` and `swift test` there (the package depends on this checkout by path), run its sample pipeline
# with `dpflow run --plugin …`, and check the report (completed, the plugin library listed with its SHA-256, the
# plugin's layer in the model). Every step is bounded: DPFLOW_SCAFFOLD_BUILD_SECONDS (default 1800) for each build,
# 300 s for the run. Exit 0 on success; the temporary folder is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BUILD_LIMIT="${DPFLOW_SCAFFOLD_BUILD_SECONDS:-1800}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
started=$(date +%s)
step() { echo "== plugin scaffold test: $* ($(( $(date +%s) - started )) s)"; }

step "build dpflow"
timeout "$BUILD_LIMIT" swift build --product dpflow
DPFLOW="$(swift build --show-bin-path)/dpflow"

step "dpflow plugin new demo"
cd "$WORK"
"$DPFLOW" plugin new demo --dpflow "$ROOT"
cd demo

step "swift build (the plugin package)"
timeout "$BUILD_LIMIT" swift build
LIB="$PWD/.build/debug/libDemoPlugin.so"
test -s "$LIB"
# One copy of dpflow's types in the process: the plugin links libDPFlowPluginAPI.so and defines none of
# PrivateLearning's symbols itself (they bind to the dpflow executable's exported copy at load time).
# (Outputs are captured before grep: `grep -q` exits at the first match, and under pipefail the writer's
# SIGPIPE would fail the script.)
dynamic_section=$(readelf -d "$LIB")
grep -q 'NEEDED.*libDPFlowPluginAPI.so' <<< "$dynamic_section"
defined_symbols=$(nm -D --defined-only "$LIB")
if grep -q 's15PrivateLearning14PluginRegistryV' <<< "$defined_symbols"; then
    echo "plugin library embeds its own copy of PrivateLearning" >&2; exit 1
fi

step "swift test (conformance and reference tests)"
timeout "$BUILD_LIMIT" swift test

step "dpflow plugins --plugin …"
listing=$("$DPFLOW" plugins --plugin "$LIB")
grep -q "demo_feature_scale — " <<< "$listing"
grep -q "demo_parameter_count" <<< "$listing"

step "dpflow run --plugin … pipelines/demo.yaml"
export XDG_DATA_HOME="$WORK/xdg"
"$DPFLOW" ledger init --ledger "$WORK/ledger.sqlite" > /dev/null
timeout 300 "$DPFLOW" run --plugin "$LIB" pipelines/demo.yaml --output "$WORK/out" --ledger "$WORK/ledger.sqlite" --quiet

step "check the report"
REPORT="$WORK/out/report.json"
SUM="$(sha256sum "$LIB" | cut -c1-64)"
grep -q '"status" : "completed"' "$REPORT"
grep -q '"plugin_libraries"' "$REPORT"
grep -q "\"sha256\" : \"$SUM\"" "$REPORT"
grep -q '"layer:demo_feature_scale"' "$REPORT"
grep -q '"loss:demo_brier"' "$REPORT"
grep -q 'demo_feature_scale(' "$REPORT"
grep -q '"accuracy"' "$REPORT"
grep -q '"stage:demo_parameter_count"' "$REPORT"   # the sample stage, registered from the library
test -s "$WORK/out/parameter_count.txt"
step "passed"
