// Verifying a capsule from outside, check by check:
//
//   structure  the runtime reader's verification (FlatBuffers structure,
//              shapes, offsets, parameters, arena plan), and the envelope
//              bytes equal their canonical encoding (no byte outside the body
//              can change unnoticed)
//   digest     SHA-256 of the body bytes equals body_sha256
//   signature  Ed25519 over body_sha256 verifies with the given key, or with
//              the user's public key whose id the capsule names; an unsigned
//              capsule passes as "unsigned" unless a signature is required
//   self-test  the engine runs the embedded self-test vector and every output
//              byte matches
//
// A capsule passes when no check fails.
#ifndef LOCUS_HOST_SIGNING_CAPSULE_VERIFY_H_
#define LOCUS_HOST_SIGNING_CAPSULE_VERIFY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "host/signing/keys.h"

namespace locus::host {

enum class CheckStatus { kPass, kFail, kSkipped };

const char* check_status_name(CheckStatus status);  // "pass", "fail", "skipped"

struct VerifyCheck {
  std::string name;  // "structure", "digest", "signature", "self-test"
  CheckStatus status = CheckStatus::kSkipped;
  std::string message;
};

struct VerifyReport {
  std::string origin;  // file or ref, for messages
  std::vector<VerifyCheck> checks;
  // Filled in as far as the checks got:
  std::string digest;        // hex SHA-256 of the body (when structure passed)
  std::string signature;     // "valid", "invalid" or "unsigned" ("" if not reached)
  std::string key_id;        // the key id the capsule names, if signed
  std::string signer;        // name of the key that verified it, if any
  std::string name;          // identity name and version
  std::string version;

  bool ok() const;
  const VerifyCheck* first_failure() const;  // nullptr when ok()
  // "ORIGIN: digest check failed: ..." (empty when ok()).
  std::string error_message() const;
  nlohmann::json to_json() const;
  std::string render() const;  // one line per check, for people
};

struct VerifyOptions {
  // Keys to verify with. Non-empty means a signature is required and must
  // verify with one of these.
  std::vector<PublicKey> keys;
  // Without `keys`: fail unsigned capsules too.
  bool require_signature = false;
  // Without `keys`: look the capsule's key id up among the user's public keys
  // (keys_dir()). When false, a signed capsule whose key is not given fails.
  bool search_user_keys = true;
  bool run_self_test = true;
};

// Never throws for a bad capsule: every problem is a failed check in the
// report. (Throws only for errors outside the capsule, e.g. no memory.)
VerifyReport verify_capsule(std::span<const uint8_t> capsule, const VerifyOptions& options = {},
                            const std::string& origin = "capsule");

// verify_capsule, throwing Error(report.error_message()) when a check fails.
VerifyReport verify_capsule_or_throw(std::span<const uint8_t> capsule,
                                     const VerifyOptions& options = {},
                                     const std::string& origin = "capsule");

}  // namespace locus::host

#endif  // LOCUS_HOST_SIGNING_CAPSULE_VERIFY_H_
