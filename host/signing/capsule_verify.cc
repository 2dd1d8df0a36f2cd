#include "host/signing/capsule_verify.h"

#include <cstring>
#include <sstream>

#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_writer.h"
#include "host/common/error.h"
#include "host/signing/capsule_signing.h"
#include "runtime/capsule/capsule_reader.h"
#include "runtime/engine/engine.h"

namespace locus::host {
namespace {

void pass(VerifyCheck& check, std::string message) {
  check.status = CheckStatus::kPass;
  check.message = std::move(message);
}

void fail_check(VerifyCheck& check, std::string message) {
  check.status = CheckStatus::kFail;
  check.message = std::move(message);
}

std::string key_label(const PublicKey& key) {
  return key.name.empty() ? key.key_id : key.key_id + " (" + key.name + ")";
}

// The envelope must be exactly its canonical encoding: the digest and the
// signature cover the body only, so this is what protects every other byte.
bool check_canonical(const Capsule& capsule, std::span<const uint8_t> bytes, VerifyCheck& check) {
  const schema::Capsule* env = capsule.envelope();
  std::optional<EnvelopeSignature> signature;
  if (const auto* sig = env->signature()) {
    if (sig->key_id() == nullptr || sig->ed25519() == nullptr) {
      fail_check(check, std::string("signature table has no ") +
                            (sig->key_id() == nullptr ? "key_id" : "ed25519 bytes"));
      return false;
    }
    signature = EnvelopeSignature{sig->key_id()->str(),
                                  {sig->ed25519()->begin(), sig->ed25519()->end()}};
  }
  const std::vector<uint8_t> canonical = encode_capsule_envelope(
      env->format_version(), {capsule.body_bytes(), capsule.body_size()},
      {env->body_sha256()->data(), env->body_sha256()->size()}, signature);
  if (canonical.size() != bytes.size()) {
    fail_check(check, "envelope is " + std::to_string(bytes.size()) + " bytes, its canonical "
                      "encoding " + std::to_string(canonical.size()) +
                      " (bytes outside the body were added, removed or changed)");
    return false;
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (canonical[i] != bytes[i]) {
      fail_check(check, "envelope byte " + std::to_string(i) +
                            " differs from its canonical encoding (bytes outside the body "
                            "were changed)");
      return false;
    }
  }
  return true;
}

void check_signature(const Capsule& capsule, const Sha256& stored_digest,
                     const VerifyOptions& options, VerifyReport& report, VerifyCheck& check) {
  const schema::Signature* sig = capsule.envelope()->signature();
  const bool key_given = !options.keys.empty();
  if (sig == nullptr) {
    report.signature = "unsigned";
    if (key_given) {
      fail_check(check, "capsule is unsigned, but a signature by " +
                            key_label(options.keys.front()) + " is required");
    } else if (options.require_signature) {
      fail_check(check, "capsule is unsigned, but a signature is required");
    } else {
      check.status = CheckStatus::kSkipped;
      check.message = "unsigned (no signature to check)";
    }
    return;
  }
  report.key_id = sig->key_id()->str();
  std::span<const uint8_t> ed{sig->ed25519()->data(), sig->ed25519()->size()};
  std::vector<PublicKey> candidates;
  std::vector<std::string> broken;
  if (key_given) {
    candidates = options.keys;
  } else if (options.search_user_keys) {
    candidates = load_user_public_keys(&broken);
  }
  const PublicKey* key = nullptr;
  for (const PublicKey& k : candidates) {
    if (k.key_id == report.key_id) {
      key = &k;
      break;
    }
  }
  if (key == nullptr) {
    report.signature = "invalid";
    std::string message;
    if (key_given) {
      message = "capsule is signed by key " + report.key_id + ", not by the given key";
      if (options.keys.size() > 1) message += "s";
      for (size_t i = 0; i < options.keys.size(); ++i) {
        message += (i == 0 ? " " : ", ") + key_label(options.keys[i]);
      }
    } else if (options.search_user_keys) {
      message = "capsule is signed by key " + report.key_id +
                ", which is not among your public keys in " + keys_dir().string() +
                " (pass the signer's public key with --key)";
      if (!broken.empty()) message += "; unreadable key files: " + broken.front();
    } else {
      message = "capsule is signed by key " + report.key_id + " and no public key was given";
    }
    fail_check(check, message);
    return;
  }
  if (!ed25519_verify(*key, stored_digest, ed)) {
    report.signature = "invalid";
    fail_check(check, "Ed25519 signature does not verify with key " + key_label(*key) +
                          " (the capsule was changed after signing, or signed by another key)");
    return;
  }
  report.signature = "valid";
  report.signer = key->name;
  pass(check, "signed by " + key_label(*key));
}

void check_self_test(const Capsule& capsule, VerifyCheck& check) {
  Engine engine;
  AlignedBuffer arena(capsule.arena_bytes());
  Status s = engine.init(capsule, arena.data(), arena.size());
  if (!s) {
    fail_check(check, s.message());
    return;
  }
  if (!engine.has_self_test()) {
    check.status = CheckStatus::kSkipped;
    check.message = "capsule carries no self-test vector";
    return;
  }
  s = engine.run_self_test();
  if (!s) {
    fail_check(check, s.message());
    return;
  }
  pass(check, "outputs match the expected bytes");
}

}  // namespace

const char* check_status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass: return "pass";
    case CheckStatus::kFail: return "fail";
    case CheckStatus::kSkipped: return "skipped";
  }
  return "?";
}

bool VerifyReport::ok() const { return first_failure() == nullptr; }

const VerifyCheck* VerifyReport::first_failure() const {
  for (const VerifyCheck& c : checks) {
    if (c.status == CheckStatus::kFail) return &c;
  }
  return nullptr;
}

std::string VerifyReport::error_message() const {
  const VerifyCheck* f = first_failure();
  if (f == nullptr) return {};
  return origin + ": " + f->name + " check failed: " + f->message;
}

nlohmann::json VerifyReport::to_json() const {
  nlohmann::json j;
  j["origin"] = origin;
  j["ok"] = ok();
  if (!name.empty()) j["name"] = name;
  if (!version.empty()) j["version"] = version;
  if (!digest.empty()) j["digest"] = digest;
  if (!signature.empty()) j["signature"] = signature;
  if (!key_id.empty()) j["key_id"] = key_id;
  if (!signer.empty()) j["signer"] = signer;
  j["checks"] = nlohmann::json::array();
  for (const VerifyCheck& c : checks) {
    j["checks"].push_back(
        {{"name", c.name}, {"status", check_status_name(c.status)}, {"message", c.message}});
  }
  if (const VerifyCheck* f = first_failure()) {
    j["failed_check"] = f->name;
    j["error"] = error_message();
  }
  return j;
}

std::string VerifyReport::render() const {
  std::ostringstream out;
  out << origin;
  if (!name.empty()) out << "  " << name << (version.empty() ? "" : " " + version);
  out << "\n";
  if (!digest.empty()) out << "  body       sha256:" << digest << "\n";
  for (const VerifyCheck& c : checks) {
    std::string label = c.name;
    label.resize(10, ' ');
    out << "  " << label << " " << check_status_name(c.status);
    if (!c.message.empty()) out << "  " << c.message;
    out << "\n";
  }
  out << (ok() ? "OK" : "FAILED: " + error_message()) << "\n";
  return out.str();
}

VerifyReport verify_capsule(std::span<const uint8_t> bytes, const VerifyOptions& options,
                            const std::string& origin) {
  VerifyReport report;
  report.origin = origin;
  for (const char* name : {"structure", "digest", "signature", "self-test"}) {
    report.checks.push_back(VerifyCheck{name, CheckStatus::kSkipped, ""});
  }
  VerifyCheck& structure = report.checks[0];
  VerifyCheck& digest = report.checks[1];
  VerifyCheck& signature = report.checks[2];
  VerifyCheck& self_test = report.checks[3];
  for (size_t i = 1; i < report.checks.size(); ++i) {
    report.checks[i].message = "not reached (structure check failed)";
  }

  // The reader wants aligned memory; capsules are read in place from it.
  const AlignedBuffer aligned = copy_to_aligned(bytes);
  Capsule capsule;
  const Status s = Capsule::open(aligned.data(), aligned.size(), &capsule);
  if (!s) {
    fail_check(structure, s.message());
    return report;
  }
  if (!check_canonical(capsule, bytes, structure)) return report;
  pass(structure, "format version " + std::to_string(capsule.envelope()->format_version()) +
                      ", " + std::to_string(capsule.graph()->operators()->size()) +
                      " operators, arena " + std::to_string(capsule.arena_bytes()) + " bytes");
  if (const auto* identity = capsule.body()->identity()) {
    if (identity->name() != nullptr) report.name = identity->name()->str();
    if (identity->version() != nullptr) report.version = identity->version()->str();
  }

  const Sha256 computed = sha256(capsule.body_bytes(), capsule.body_size());
  report.digest = to_hex(computed.data(), computed.size());
  Sha256 stored{};
  std::memcpy(stored.data(), capsule.envelope()->body_sha256()->data(), stored.size());
  if (computed != stored) {
    fail_check(digest, "body SHA-256 is " + report.digest + " but the envelope records " +
                           to_hex(stored.data(), stored.size()) + " (the body was modified)");
  } else {
    pass(digest, "body SHA-256 matches");
  }

  check_signature(capsule, stored, options, report, signature);

  if (options.run_self_test) {
    check_self_test(capsule, self_test);
  } else {
    self_test.status = CheckStatus::kSkipped;
    self_test.message = "not requested";
  }
  return report;
}

VerifyReport verify_capsule_or_throw(std::span<const uint8_t> bytes, const VerifyOptions& options,
                                     const std::string& origin) {
  VerifyReport report = verify_capsule(bytes, options, origin);
  if (!report.ok()) throw Error(report.error_message());
  return report;
}

}  // namespace locus::host
