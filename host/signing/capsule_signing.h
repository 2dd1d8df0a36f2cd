// Signing capsules: a detached Ed25519 signature over the body's SHA-256,
// stored in the envelope with the signing key's id (schema/capsule.fbs,
// table Signature). The body and its digest are never changed.
#ifndef LOCUS_HOST_SIGNING_CAPSULE_SIGNING_H_
#define LOCUS_HOST_SIGNING_CAPSULE_SIGNING_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "host/signing/keys.h"

namespace locus::host {

struct EnvelopeSignature {
  std::string key_id;
  std::vector<uint8_t> ed25519;  // 64 bytes
};

// The canonical envelope bytes for these parts. Without a signature this is
// byte for byte what write_capsule produces; verification re-encodes every
// capsule this way and refuses one whose bytes differ, so that no byte
// outside the signed body (padding included) can change unnoticed.
std::vector<uint8_t> encode_capsule_envelope(uint16_t format_version,
                                             std::span<const uint8_t> body,
                                             std::span<const uint8_t> body_sha256,
                                             const std::optional<EnvelopeSignature>& signature);

// Checks the capsule (the runtime reader's verification and the body digest
// recomputed), then returns a new envelope with the same body and digest and
// Signature{key.key_id, Ed25519(body_sha256)}. An existing signature is
// replaced. Throws Error naming the failed check.
std::vector<uint8_t> sign_capsule(std::span<const uint8_t> capsule, const SecretKey& key);

// sign_capsule with the secret key named (keys/NAME.key) or at a path; what
// `locus build --sign KEY` calls.
std::vector<uint8_t> sign_capsule_with(const std::string& key_name_or_path,
                                       std::span<const uint8_t> capsule);

}  // namespace locus::host

#endif  // LOCUS_HOST_SIGNING_CAPSULE_SIGNING_H_
