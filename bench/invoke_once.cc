// Loads a capsule, copies a raw input in and runs Engine::invoke() once.
// Used under `valgrind --tool=callgrind --toggle-collect='locus::Engine::invoke()'`
// so that only the instructions of one inference are counted.
#include <cstring>
#include <iostream>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "runtime/engine/engine.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: locus_invoke_once CAPSULE INPUT.bin\n";
    return 2;
  }
  try {
    locus::host::LoadedCapsule loaded = locus::host::load_capsule(argv[1]);
    locus::host::AlignedBuffer input = locus::host::read_file(argv[2]);
    locus::host::AlignedBuffer arena(loaded.capsule.arena_bytes());
    locus::Engine engine;
    locus::Status s = engine.init(loaded.capsule, arena.data(), arena.size());
    if (!s) locus::host::fail(s.message());
    const locus::TensorView in = engine.input(0);
    if (in.bytes != input.size()) locus::host::fail("input needs ", in.bytes, " bytes");
    std::memcpy(in.data, input.data(), in.bytes);
    s = engine.invoke();
    if (!s) locus::host::fail(s.message());
    const auto* out = static_cast<const int8_t*>(engine.output(0).data);
    int sum = 0;
    for (size_t i = 0; i < engine.output(0).bytes; ++i) sum += out[i];
    std::cout << "output checksum " << sum << "\n";
  } catch (const locus::host::Error& e) {
    std::cerr << "locus_invoke_once: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
