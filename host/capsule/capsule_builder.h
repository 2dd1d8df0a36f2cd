// From an imported or trained graph to capsule bytes: plans memory, writes
// the capsule, runs it once with the runtime on a deterministic input and
// embeds that input and the exact outputs as the self-test every device
// repeats before serving.
#ifndef LOCUS_HOST_CAPSULE_CAPSULE_BUILDER_H_
#define LOCUS_HOST_CAPSULE_CAPSULE_BUILDER_H_

#include <cstdint>
#include <vector>

#include "host/capsule/capsule_writer.h"
#include "host/planner/memory_planner.h"

namespace locus::host {

struct BuiltCapsule {
  std::vector<uint8_t> bytes;
  MemoryPlan plan;
};

// Deterministic test input bytes for a tensor (xorshift32 stream).
std::vector<uint8_t> self_test_pattern(size_t bytes, uint32_t seed);

// Everything a verified capsule's body says except its graph and self-test
// (identity, input, DSP blocks, labels, post-processing, feature window and
// statistics), so a derived capsule — recalibrated, relabelled — is built
// with a new graph and keeps the rest.
CapsuleSpec spec_from_capsule(const schema::CapsuleBody& body);

// spec.graph is planned here; any self-test in spec is replaced unless
// spec.self_test_inputs is already set (then only the outputs are computed).
BuiltCapsule build_capsule(CapsuleSpec spec);

}  // namespace locus::host

#endif  // LOCUS_HOST_CAPSULE_CAPSULE_BUILDER_H_
