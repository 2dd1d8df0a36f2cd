#include "runtime/capsule/capsule_reader.h"

namespace locus {

Status Capsule::open(const uint8_t* data, size_t size, Capsule* out) {
  if (out == nullptr) return Status::error(StatusCode::kInvalidArgument, "capsule: null output");
  *out = Capsule();
  if (data == nullptr || size < 16) {
    return Status::error(StatusCode::kMalformed, "capsule: %zu bytes is too small to be a capsule",
                         data == nullptr ? size_t{0} : size);
  }
  if ((reinterpret_cast<uintptr_t>(data) & 3) != 0) {
    return Status::error(StatusCode::kInvalidArgument,
                         "capsule: buffer must be 4-byte aligned (16 recommended)");
  }
  if (size >= (size_t{1} << 31)) {
    return Status::error(StatusCode::kMalformed, "capsule: %zu bytes exceeds the 2 GiB limit", size);
  }
  if (!schema::CapsuleBufferHasIdentifier(data)) {
    return Status::error(StatusCode::kMalformed,
                         "capsule: missing file identifier 'LCAP' (not a capsule file)");
  }
  // The envelope check also verifies the nested body FlatBuffer.
  flatbuffers::Verifier verifier(data, size, /*max_depth=*/64, /*max_tables=*/1000000);
  if (!schema::VerifyCapsuleBuffer(verifier)) {
    return Status::error(StatusCode::kMalformed,
                         "capsule: FlatBuffers structure is corrupt (truncated or damaged file)");
  }
  const schema::Capsule* envelope = schema::GetCapsule(data);
  if (envelope->format_version() == 0 || envelope->format_version() > kCapsuleFormatVersion) {
    return Status::error(StatusCode::kUnsupported,
                         "capsule: format version %u is not supported (this runtime reads 1..%u)",
                         unsigned{envelope->format_version()}, unsigned{kCapsuleFormatVersion});
  }
  if (envelope->body() == nullptr) {
    return Status::error(StatusCode::kMalformed, "capsule: no body");
  }
  if ((reinterpret_cast<uintptr_t>(envelope->body()->data()) & 3) != 0) {
    return Status::error(StatusCode::kMalformed, "capsule: body is not 4-byte aligned");
  }
  const auto* digest = envelope->body_sha256();
  if (digest == nullptr || digest->size() != 32) {
    return Status::error(StatusCode::kMalformed, "capsule: body digest missing or not 32 bytes");
  }
  const auto* signature = envelope->signature();
  if (signature != nullptr && signature->ed25519() != nullptr &&
      signature->ed25519()->size() != 64) {
    return Status::error(StatusCode::kMalformed, "capsule: signature is %u bytes, expected 64",
                         signature->ed25519()->size());
  }
  const schema::CapsuleBody* body = envelope->body_nested_root();
  if (body->graph() == nullptr) {
    return Status::error(StatusCode::kMalformed, "capsule: body has no graph");
  }
  Status graph_status = verify_graph(body->graph());
  if (!graph_status) return graph_status.prefix("capsule");

  out->envelope_ = envelope;
  out->body_ = body;
  return Status::ok();
}

}  // namespace locus
