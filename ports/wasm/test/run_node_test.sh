#!/usr/bin/env bash
# Builds the WebAssembly runtime (emcmake, into BUILD_DIR) and runs the node
# golden test against the host `locus` (HOST_CLI). Exits 77 (CTest: skipped)
# when emcc or node is missing.
#   run_node_test.sh BUILD_DIR HOST_CLI
set -euo pipefail
build=$1
cli=$2
src=$(cd "$(dirname "$0")/../../.." && pwd)
for tool in emcc emcmake node; do
  if ! command -v "$tool" >/dev/null; then
    echo "wasm test skipped: $tool not found (scripts/setup installs emscripten and node)"
    exit 77
  fi
done
# Debian's emscripten finds its node modules only through NODE_PATH.
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
if [[ ! -f "$build/build.ninja" ]]; then
  emcmake cmake -S "$src" -B "$build" -G Ninja -DLOCUS_RUNTIME_ONLY=ON \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target locus_wasm -j 2 | grep -v '^\[' || true
test -f "$build/ports/wasm/locus_runtime.wasm"
LOCUS_WASM_MODULE="$build/ports/wasm/locus_runtime.mjs" LOCUS_CLI="$cli" \
  node --test "$src/ports/wasm/test/golden_test.mjs"
