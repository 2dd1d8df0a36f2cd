// Zero-copy access to a capsule held in caller memory (flash, a file
// buffer, a download slot). open() verifies everything the engine will
// later trust — the FlatBuffers structure, every shape, offset, operator
// parameter and the arena plan — so a capsule that opens cannot make the
// engine read or write out of bounds.
#ifndef LOCUS_RUNTIME_CAPSULE_CAPSULE_READER_H_
#define LOCUS_RUNTIME_CAPSULE_CAPSULE_READER_H_

#include <stddef.h>
#include <stdint.h>

#include "locus/schema/capsule_generated.h"
#include "runtime/status.h"

namespace locus {

// Newest envelope format this runtime reads. Older capsules stay readable:
// the schema only grows (see docs/capsule.md).
constexpr uint16_t kCapsuleFormatVersion = 1;

// Limits that keep arithmetic on shapes and offsets far from overflow.
constexpr int32_t kMaxTensorRank = 6;
constexpr int64_t kMaxTensorBytes = int64_t{1} << 30;
constexpr uint32_t kMaxTensors = 4096;
constexpr uint32_t kMaxOperators = 4096;
constexpr size_t kArenaAlignment = 16;

class Capsule {
 public:
  Capsule() = default;

  // Verifies `size` bytes at `data` and, on success, fills *out. The bytes
  // must stay valid and unchanged for as long as *out is used, and must be
  // at least 4-byte aligned (16 recommended: weights are 16-byte aligned).
  static Status open(const uint8_t* data, size_t size, Capsule* out);

  const schema::Capsule* envelope() const { return envelope_; }
  const schema::CapsuleBody* body() const { return body_; }
  const schema::Graph* graph() const { return body_->graph(); }
  const uint8_t* body_bytes() const { return envelope_->body()->data(); }
  size_t body_size() const { return envelope_->body()->size(); }

  // Bytes the caller must provide to Engine::init (16-byte aligned).
  size_t arena_bytes() const { return graph()->arena_bytes(); }

 private:
  const schema::Capsule* envelope_ = nullptr;
  const schema::CapsuleBody* body_ = nullptr;
};

// Semantic checks of a structurally verified graph (capsule_verifier.cc).
Status verify_graph(const schema::Graph* graph);

}  // namespace locus

#endif  // LOCUS_RUNTIME_CAPSULE_CAPSULE_READER_H_
