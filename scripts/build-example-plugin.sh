#!/usr/bin/env bash
# Builds Plugins/ExamplePlugin as a loadable plugin library, the way a plugin package links it: compiled against this
# checkout's modules and linked against libDPFlowPluginAPI.so (never embedding its own copy of PrivateLearning).
#   ./scripts/build-example-plugin.sh            → .build/debug/plugins/libExamplePluginLibrary.so
#   dpflow run --plugin .build/debug/plugins/libExamplePluginLibrary.so PIPELINE
# (The tests build the same library the same way: Tests/DPPipelineTests/ExamplePluginLibraryBuild.swift.)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
swift build --product DPFlowPluginAPI
BIN="$(swift build --show-bin-path)"
mkdir -p "$BIN/plugins"
flags=()
# The stage (Plugins/ExampleStagePlugin) imports DPPipeline, whose dependencies include C modules: every module map.
while IFS= read -r map; do flags+=(-Xcc "-fmodule-map-file=$map" -Xcc "-I$(dirname "$map")"); done < <(
    ls "$ROOT"/Sources/*/module.modulemap "$BIN"/*.build/module.modulemap 2>/dev/null
    find "$ROOT/.build/checkouts" -path '*/.git' -prune -o \( -path '*include/module.modulemap' -o -path '*/Sources/*/module.modulemap' \) -print 2>/dev/null)
for flag in $(pkg-config --cflags openblas); do flags+=(-Xcc "$flag"); done
swiftc -emit-library -swift-version 6 -module-name ExamplePlugin -o "$BIN/plugins/libExamplePluginLibrary.so" \
    "$ROOT"/Plugins/ExamplePlugin/*.swift "$ROOT"/Plugins/ExampleStagePlugin/*.swift "$ROOT/Plugins/ExamplePluginLibrary/EntryPoint.swift" \
    -I "$BIN/Modules" -L "$BIN" -lDPFlowPluginAPI -Xlinker -rpath -Xlinker "$BIN" "${flags[@]}"
echo "$BIN/plugins/libExamplePluginLibrary.so"
