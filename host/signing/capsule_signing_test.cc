#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <map>
#include <set>

#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_writer.h"
#include "host/common/error.h"
#include "host/signing/capsule_signing.h"
#include "host/signing/capsule_verify.h"
#include "host/signing/keys.h"
#include "host/store/temp_locus_home.h"
#include "runtime/capsule/capsule_reader.h"
#include "tests/support/tiny_models.h"

namespace locus::host {
namespace {

const VerifyCheck& check(const VerifyReport& r, const std::string& name) {
  for (const VerifyCheck& c : r.checks) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no check " + name);
}

VerifyOptions with_key(const PublicKey& key) {
  VerifyOptions o;
  o.keys = {key};
  return o;
}

class Signing : public ::testing::Test {
 protected:
  void SetUp() override {
    generate_key("release");
    generate_key("other");
    secret_ = load_secret_key("release");
    public_ = load_public_key("release");
    other_ = load_public_key("other");
    unsigned_ = locus::testing::tiny_classifier_capsule();
    signed_ = sign_capsule(unsigned_, secret_);
  }

  testing::TempLocusHome home_;
  SecretKey secret_;
  PublicKey public_, other_;
  std::vector<uint8_t> unsigned_, signed_;
};

TEST_F(Signing, UnsignedEnvelopeEncodingMatchesWriteCapsule) {
  const AlignedBuffer aligned = copy_to_aligned(unsigned_);
  Capsule c;
  ASSERT_TRUE(Capsule::open(aligned.data(), aligned.size(), &c));
  const std::vector<uint8_t> again = encode_capsule_envelope(
      c.envelope()->format_version(), {c.body_bytes(), c.body_size()},
      {c.envelope()->body_sha256()->data(), 32}, std::nullopt);
  EXPECT_EQ(again, unsigned_);
}

TEST_F(Signing, SignThenVerifyPasses) {
  const VerifyReport r = verify_capsule(signed_, with_key(public_), "tiny.capsule");
  EXPECT_TRUE(r.ok()) << r.render();
  EXPECT_EQ(r.signature, "valid");
  EXPECT_EQ(r.key_id, public_.key_id);
  EXPECT_EQ(r.signer, "release");
  EXPECT_EQ(r.name, "tiny");
  EXPECT_EQ(r.version, "1.2.3");
  for (const char* name : {"structure", "digest", "signature", "self-test"}) {
    EXPECT_EQ(check(r, name).status, CheckStatus::kPass) << name << ": " << check(r, name).message;
  }
  // Found among the user's keys when no key is given.
  const VerifyReport found = verify_capsule(signed_);
  EXPECT_TRUE(found.ok()) << found.render();
  EXPECT_EQ(found.signer, "release");
  // The body and digest are unchanged by signing.
  const AlignedBuffer a = copy_to_aligned(unsigned_), b = copy_to_aligned(signed_);
  Capsule ca, cb;
  ASSERT_TRUE(Capsule::open(a.data(), a.size(), &ca));
  ASSERT_TRUE(Capsule::open(b.data(), b.size(), &cb));
  ASSERT_EQ(ca.body_size(), cb.body_size());
  EXPECT_EQ(0, std::memcmp(ca.body_bytes(), cb.body_bytes(), ca.body_size()));
  EXPECT_EQ(0, std::memcmp(ca.envelope()->body_sha256()->data(),
                           cb.envelope()->body_sha256()->data(), 32));
  EXPECT_EQ(0u, reinterpret_cast<uintptr_t>(cb.body_bytes()) % 16);
  EXPECT_EQ(cb.envelope()->signature()->key_id()->str(), public_.key_id);
  EXPECT_EQ(cb.envelope()->signature()->ed25519()->size(), 64u);
  // The JSON report.
  const nlohmann::json j = r.to_json();
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["checks"].size(), 4u);
  EXPECT_EQ(j["checks"][2]["status"], "pass");
}

TEST_F(Signing, ResigningReplacesTheSignature) {
  const std::vector<uint8_t> resigned = sign_capsule(signed_, load_secret_key("other"));
  const VerifyReport r = verify_capsule(resigned, with_key(other_));
  EXPECT_TRUE(r.ok()) << r.render();
  EXPECT_EQ(r.key_id, other_.key_id);
  EXPECT_FALSE(verify_capsule(resigned, with_key(public_)).ok());
  EXPECT_EQ(resigned.size(), signed_.size());
  // Signing is deterministic (Ed25519).
  EXPECT_EQ(sign_capsule(resigned, secret_), signed_);
  EXPECT_EQ(sign_capsule_with("release", unsigned_), signed_);
}

TEST_F(Signing, WrongKeyFailsNamingTheSignature) {
  const VerifyReport r = verify_capsule(signed_, with_key(other_), "tiny.capsule");
  EXPECT_FALSE(r.ok());
  ASSERT_NE(r.first_failure(), nullptr);
  EXPECT_EQ(r.first_failure()->name, "signature");
  EXPECT_NE(r.error_message().find("signature check failed"), std::string::npos);
  EXPECT_NE(r.error_message().find(other_.key_id), std::string::npos) << r.error_message();
  EXPECT_EQ(check(r, "structure").status, CheckStatus::kPass);
  EXPECT_EQ(check(r, "digest").status, CheckStatus::kPass);

  // A key with the right id but wrong bytes: the Ed25519 check itself fails.
  PublicKey impostor = other_;
  impostor.key_id = public_.key_id;
  const VerifyReport r2 = verify_capsule(signed_, with_key(impostor));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.first_failure()->name, "signature");
  EXPECT_NE(r2.error_message().find("does not verify"), std::string::npos) << r2.error_message();

  EXPECT_THROW(verify_capsule_or_throw(signed_, with_key(other_)), Error);
}

TEST_F(Signing, UnknownSignerFailsWhenNoKeyIsGiven) {
  std::filesystem::remove(home_.path() / "keys" / "release.pub");
  const VerifyReport r = verify_capsule(signed_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.first_failure()->name, "signature");
  EXPECT_NE(r.error_message().find("not among your public keys"), std::string::npos)
      << r.error_message();
}

TEST_F(Signing, UnsignedCapsuleVerifiesStructurallyButFailsWhenAKeyIsRequired) {
  const VerifyReport r = verify_capsule(unsigned_);
  EXPECT_TRUE(r.ok()) << r.render();
  EXPECT_EQ(r.signature, "unsigned");
  EXPECT_EQ(check(r, "signature").status, CheckStatus::kSkipped);
  EXPECT_NE(check(r, "signature").message.find("unsigned"), std::string::npos);
  EXPECT_EQ(r.to_json()["signature"], "unsigned");

  const VerifyReport keyed = verify_capsule(unsigned_, with_key(public_));
  ASSERT_FALSE(keyed.ok());
  EXPECT_EQ(keyed.first_failure()->name, "signature");
  EXPECT_NE(keyed.error_message().find("unsigned"), std::string::npos) << keyed.error_message();

  VerifyOptions required;
  required.require_signature = true;
  const VerifyReport req = verify_capsule(unsigned_, required);
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.first_failure()->name, "signature");
}

// Flips every byte of a signed capsule (two ways); every variant must fail
// verification in structure, digest or signature, and nothing may crash.
TEST_F(Signing, EveryFlippedByteFailsVerification) {
  std::map<std::string, size_t> failed_by;
  size_t canonical = 0;  // caught only because the envelope is not canonical
  for (const uint8_t mask : {uint8_t{0xFF}, uint8_t{0x01}}) {
    for (size_t i = 0; i < signed_.size(); ++i) {
      std::vector<uint8_t> tampered = signed_;
      tampered[i] ^= mask;
      const VerifyReport r = verify_capsule(tampered, with_key(public_));
      ASSERT_FALSE(r.ok()) << "byte " << i << " ^ " << int{mask} << " went unnoticed\n"
                           << r.render();
      const std::string first = r.first_failure()->name;
      EXPECT_TRUE(first == "structure" || first == "digest" || first == "signature")
          << "byte " << i << ": " << r.error_message();
      EXPECT_FALSE(r.first_failure()->message.empty());
      ++failed_by[first];
      if (r.first_failure()->message.find("canonical") != std::string::npos) ++canonical;
    }
  }
  // Each kind of damage is represented.
  EXPECT_GT(failed_by["structure"], 0u);
  EXPECT_GT(failed_by["digest"], 0u);
  EXPECT_GT(failed_by["signature"], 0u);
  // Padding and unused envelope bytes pass the FlatBuffers verifier; only
  // the canonical-encoding check sees them.
  EXPECT_GT(canonical, 0u);
  RecordProperty("canonical_only", static_cast<int>(canonical));
  std::cout << "flips caught: structure " << failed_by["structure"] << " (canonical-only "
            << canonical << "), digest " << failed_by["digest"] << ", signature "
            << failed_by["signature"] << " of " << 2 * signed_.size() << "\n";
  // Also with the key looked up by id (no key given).
  for (size_t i = 0; i < signed_.size(); ++i) {
    std::vector<uint8_t> tampered = signed_;
    tampered[i] ^= 0x80;
    ASSERT_FALSE(verify_capsule(tampered).ok()) << "byte " << i;
  }
}

TEST_F(Signing, TruncatedAndExtendedCapsulesFail) {
  for (size_t size : {size_t{0}, size_t{8}, signed_.size() / 2, signed_.size() - 1}) {
    std::vector<uint8_t> cut(signed_.begin(), signed_.begin() + static_cast<long>(size));
    const VerifyReport r = verify_capsule(cut, with_key(public_));
    ASSERT_FALSE(r.ok()) << size;
    EXPECT_EQ(r.first_failure()->name, "structure");
  }
  std::vector<uint8_t> longer = signed_;
  longer.push_back(0);
  const VerifyReport r = verify_capsule(longer, with_key(public_));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.first_failure()->name, "structure");
}

TEST_F(Signing, TamperedBodyFailsTheDigestCheckAndSigningRefusesIt) {
  const AlignedBuffer aligned = copy_to_aligned(signed_);
  Capsule c;
  ASSERT_TRUE(Capsule::open(aligned.data(), aligned.size(), &c));
  const size_t label_offset = static_cast<size_t>(
      reinterpret_cast<const uint8_t*>(c.body()->labels()->Get(0)->c_str()) - aligned.data());
  std::vector<uint8_t> tampered = signed_;
  tampered[label_offset] = 'z';  // label "a" -> "z": structurally fine
  const VerifyReport r = verify_capsule(tampered, with_key(public_));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.first_failure()->name, "digest");
  EXPECT_NE(r.error_message().find("body was modified"), std::string::npos);
  try {
    sign_capsule(tampered, secret_);
    FAIL() << "signed a tampered capsule";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("digest check failed"), std::string::npos) << e.what();
  }
  EXPECT_THROW(sign_capsule(std::vector<uint8_t>(10, 0), secret_), Error);
}

// Changes a weight, recomputes the digest and re-signs: structure, digest and
// signature all pass, and only the self-test catches it.
TEST_F(Signing, SelfTestFailureIsDetected) {
  const AlignedBuffer aligned = copy_to_aligned(unsigned_);
  Capsule c;
  ASSERT_TRUE(Capsule::open(aligned.data(), aligned.size(), &c));
  std::vector<uint8_t> body(c.body_bytes(), c.body_bytes() + c.body_size());
  const auto* tensors = c.graph()->tensors();
  const uint8_t* weights = nullptr;
  for (uint32_t i = 0; i < tensors->size(); ++i) {
    const auto* t = tensors->Get(i);
    if (t->data() != nullptr && t->type() == schema::TensorType::Int8 && t->data()->size() > 0) {
      weights = t->data()->data();
      break;
    }
  }
  ASSERT_NE(weights, nullptr);
  const size_t offset = static_cast<size_t>(weights - c.body_bytes());
  body[offset] = static_cast<uint8_t>(body[offset] ^ 0x40);
  const Sha256 digest = sha256(body.data(), body.size());
  const std::vector<uint8_t> rebuilt =
      encode_capsule_envelope(c.envelope()->format_version(), body, digest, std::nullopt);
  const std::vector<uint8_t> resigned = sign_capsule(rebuilt, secret_);

  const VerifyReport r = verify_capsule(resigned, with_key(public_));
  ASSERT_FALSE(r.ok()) << r.render();
  EXPECT_EQ(check(r, "structure").status, CheckStatus::kPass);
  EXPECT_EQ(check(r, "digest").status, CheckStatus::kPass);
  EXPECT_EQ(check(r, "signature").status, CheckStatus::kPass);
  EXPECT_EQ(r.first_failure()->name, "self-test");
  EXPECT_NE(r.error_message().find("self-test check failed"), std::string::npos)
      << r.error_message();

  VerifyOptions no_self_test = with_key(public_);
  no_self_test.run_self_test = false;
  EXPECT_TRUE(verify_capsule(resigned, no_self_test).ok());
}

TEST_F(Signing, RenderNamesEveryCheck) {
  std::vector<uint8_t> tampered = signed_;
  tampered[tampered.size() / 2] ^= 0xFF;
  const VerifyReport r = verify_capsule(tampered, with_key(public_), "x.capsule");
  const std::string text = r.render();
  EXPECT_NE(text.find("FAILED: x.capsule: "), std::string::npos) << text;
  for (const char* name : {"structure", "digest", "signature", "self-test"}) {
    EXPECT_NE(text.find(name), std::string::npos) << text;
  }
  EXPECT_EQ(r.to_json()["failed_check"], r.first_failure()->name);
}

}  // namespace
}  // namespace locus::host
