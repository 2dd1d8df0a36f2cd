#!/usr/bin/env bash
# Builds the WebAssembly runtime (emcmake, into BUILD_DIR), then runs the node
# golden test and the browser test against the host `locus` (HOST_CLI).
# Exits 77 (CTest: skipped) when emcc or node is missing.
#   run_tests.sh BUILD_DIR HOST_CLI
set -euo pipefail
build=$(mkdir -p "$1" && cd "$1" && pwd)
cli=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
src=$(cd "$(dirname "$0")/../../.." && pwd)
for tool in emcc emcmake node; do
  if ! command -v "$tool" >/dev/null; then
    echo "wasm tests skipped: $tool not found (scripts/setup installs emscripten and node)"
    exit 77
  fi
done
# Debian's emscripten finds its node modules only through NODE_PATH.
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
if [[ ! -f "$build/build.ninja" ]]; then
  emcmake cmake -S "$src" -B "$build" -G Ninja -DLOCUS_RUNTIME_ONLY=ON \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target locus_wasm -j 2 | { grep -v '^\[' || true; }
# As on Cortex-M: the runtime itself must not refer to the heap, exceptions
# or printf (the glue's allocations are the caller-owned memory).
forbidden='^(malloc|calloc|realloc|free|aligned_alloc|_Znw.*|_Zna.*|_Zdl.*|_Zda.*|__cxa_.*|abort|.*printf)$'
bad=$(emnm -u "$build/runtime/liblocus_runtime.a" 2>/dev/null | awk '{print $NF}' | grep -E "$forbidden" | sort -u || true)
if [[ -n "$bad" ]]; then
  echo "wasm: the runtime refers to forbidden symbols: $bad" >&2
  exit 1
fi
wasm=$build/ports/wasm/locus_runtime.wasm
echo "wasm: $wasm: $(stat -c %s "$wasm") bytes ($(gzip -9 -c "$wasm" | wc -c) gzipped)"
cd "$src/ports/wasm"
LOCUS_WASM_MODULE="$build/ports/wasm/locus_runtime.mjs" LOCUS_WASM_BUILD="$build" LOCUS_CLI="$cli" \
  node --test test/golden_test.mjs test/browser_test.mjs
