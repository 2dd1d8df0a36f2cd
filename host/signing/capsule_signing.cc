#include "host/signing/capsule_signing.h"

#include <cstring>

#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_writer.h"
#include "host/common/error.h"
#include "locus/schema/capsule_generated.h"
#include "runtime/capsule/capsule_reader.h"

namespace locus::host {
namespace fb = flatbuffers;

std::vector<uint8_t> encode_capsule_envelope(uint16_t format_version,
                                             std::span<const uint8_t> body,
                                             std::span<const uint8_t> body_sha256,
                                             const std::optional<EnvelopeSignature>& signature) {
  // Same order of construction as write_capsule (digest, then the 16-byte
  // aligned body); the signature goes last so an unsigned envelope is
  // identical to write_capsule's.
  fb::FlatBufferBuilder b(body.size() + 1024);
  auto digest_vec = b.CreateVector(body_sha256.data(), body_sha256.size());
  b.ForceVectorAlignment(body.size(), 1, 16);
  auto body_vec = b.CreateVector(body.data(), body.size());
  fb::Offset<schema::Signature> sig;
  if (signature) {
    auto key_id = b.CreateString(signature->key_id);
    auto ed = b.CreateVector(signature->ed25519);
    sig = schema::CreateSignature(b, key_id, ed);
  }
  auto capsule = schema::CreateCapsule(b, format_version, body_vec, digest_vec, sig);
  b.Finish(capsule, schema::CapsuleIdentifier());
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

std::vector<uint8_t> sign_capsule(std::span<const uint8_t> bytes, const SecretKey& key) {
  const AlignedBuffer aligned = copy_to_aligned(bytes);
  Capsule capsule;
  const Status s = Capsule::open(aligned.data(), aligned.size(), &capsule);
  if (!s) fail("sign: structure check failed: ", s.message());
  const Sha256 digest = sha256(capsule.body_bytes(), capsule.body_size());
  const auto* stored = capsule.envelope()->body_sha256();
  if (std::memcmp(digest.data(), stored->data(), digest.size()) != 0) {
    fail("sign: digest check failed: body SHA-256 is ", to_hex(digest.data(), digest.size()),
         " but the envelope records ", to_hex(stored->data(), stored->size()),
         " (the body was modified); refusing to sign");
  }
  const auto signature = ed25519_sign(key, digest);
  if (!ed25519_verify(key.public_key(), digest, signature)) {
    fail("sign: the new signature does not verify with key ", key.key_id,
         " (damaged secret key?)");
  }
  EnvelopeSignature sig{key.key_id, {signature.begin(), signature.end()}};
  return encode_capsule_envelope(capsule.envelope()->format_version(),
                                 {capsule.body_bytes(), capsule.body_size()}, digest, sig);
}

std::vector<uint8_t> sign_capsule_with(const std::string& key_name_or_path,
                                       std::span<const uint8_t> capsule) {
  const SecretKey key = load_secret_key(key_name_or_path);
  return sign_capsule(capsule, key);
}

}  // namespace locus::host
