// Feeds arbitrary bytes to the capsule reader; whatever opens must also
// initialise, pass or fail its self-test, and run without a memory error.
#include <cstdint>
#include <cstring>

#include "host/capsule/capsule_file.h"
#include "runtime/engine/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  locus::host::AlignedBuffer bytes = locus::host::copy_to_aligned({data, size});
  locus::Capsule capsule;
  if (!locus::Capsule::open(bytes.data(), bytes.size(), &capsule).is_ok()) return 0;
  if (capsule.arena_bytes() > (64u << 20)) return 0;  // plausible, just too big to fuzz
  locus::host::AlignedBuffer arena(capsule.arena_bytes());
  locus::Engine engine;
  if (!engine.init(capsule, arena.data(), arena.size()).is_ok()) return 0;
  std::memset(arena.data(), 0, arena.size());
  (void)engine.run_self_test();
  (void)engine.invoke();
  return 0;
}
