// Serialises a planned host::Graph plus its pipeline metadata into capsule
// bytes (schema/capsule.fbs): a 16-byte aligned body FlatBuffer wrapped in
// an envelope that carries the body's SHA-256 and, once signed, a detached
// Ed25519 signature.
#ifndef LOCUS_HOST_CAPSULE_CAPSULE_WRITER_H_
#define LOCUS_HOST_CAPSULE_CAPSULE_WRITER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/model/graph.h"
#include "locus/schema/capsule_generated.h"

namespace locus::host {

struct CapsuleSpec {
  schema::IdentityT identity;
  std::optional<schema::InputSpecT> input;
  std::vector<schema::DspBlockT> dsp;
  std::vector<std::string> labels;
  std::optional<schema::PostProcessT> postprocess;
  // Exact bytes per graph input and the bytes each output must then have.
  std::vector<std::vector<uint8_t>> self_test_inputs;
  std::vector<std::vector<uint8_t>> self_test_outputs;
  std::vector<float> feature_mean;
  std::vector<float> feature_variance;
  std::optional<schema::FeatureWindowT> feature_window;
  std::optional<schema::CalibrationRecordT> calibration;
  Graph graph;  // must already carry its memory plan
};

using Sha256 = std::array<uint8_t, 32>;

// Builds the capsule file. Throws Error if the graph is inconsistent
// (e.g. a constant tensor whose data size does not match its shape).
std::vector<uint8_t> write_capsule(const CapsuleSpec& spec);

// Only the body FlatBuffer (what the digest and signature cover).
std::vector<uint8_t> write_capsule_body(const CapsuleSpec& spec);

Sha256 sha256(const uint8_t* data, size_t size);
std::string to_hex(const uint8_t* data, size_t size);

}  // namespace locus::host

#endif  // LOCUS_HOST_CAPSULE_CAPSULE_WRITER_H_
