#include "host/capsule/capsule_writer.h"

#include <gtest/gtest.h>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_report.h"
#include "host/common/error.h"
#include "tests/support/tiny_models.h"

namespace locus::host {
namespace {

TEST(CapsuleWriter, RoundTripsIdentityLabelsAndGraph) {
  CapsuleSpec spec = testing::tiny_classifier_spec();
  spec.identity.parent_digest = std::vector<uint8_t>(32, 0xAB);
  spec.feature_mean = {1.0f, 2.0f};
  spec.feature_variance = {0.5f, 0.25f};
  BuiltCapsule built = build_capsule(spec);
  LoadedCapsule loaded = open_capsule(copy_to_aligned(built.bytes), "test");
  const schema::CapsuleBody* body = loaded.capsule.body();
  EXPECT_EQ(body->identity()->name()->str(), "tiny");
  EXPECT_EQ(body->identity()->version()->str(), "1.2.3");
  EXPECT_EQ(body->identity()->location()->str(), "lab");
  EXPECT_EQ(body->identity()->parent_digest()->size(), 32u);
  EXPECT_EQ(body->labels()->Get(2)->str(), "c");
  EXPECT_EQ(body->feature_stats()->variance()->Get(1), 0.25f);
  EXPECT_EQ(body->graph()->tensors()->size(), 6u);
  EXPECT_EQ(body->graph()->operators()->size(), 3u);
  EXPECT_EQ(body->graph()->arena_bytes(), built.plan.arena_bytes);
  EXPECT_EQ(body->self_test()->outputs()->size(), 2u);
}

TEST(CapsuleWriter, WeightsAre16ByteAligned) {
  LoadedCapsule loaded = open_capsule(copy_to_aligned(testing::tiny_classifier_capsule()), "t");
  for (const auto* t : *loaded.capsule.graph()->tensors()) {
    if (t->data() == nullptr) continue;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t->data()->data()) % 16, 0u) << t->name()->str();
  }
}

TEST(CapsuleWriter, OutputIsDeterministic) {
  EXPECT_EQ(testing::tiny_classifier_capsule(), testing::tiny_classifier_capsule());
}

TEST(CapsuleWriter, RejectsConstantWithWrongSize) {
  CapsuleSpec spec = testing::tiny_classifier_spec();
  spec.graph.tensors[1].data.pop_back();
  try {
    write_capsule(spec);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 1 'weights': data has 11 bytes"),
              std::string::npos)
        << e.what();
  }
}

TEST(CapsuleWriter, Sha256MatchesKnownVector) {
  const std::string abc = "abc";
  Sha256 d = sha256(reinterpret_cast<const uint8_t*>(abc.data()), abc.size());
  EXPECT_EQ(to_hex(d.data(), d.size()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CapsuleReport, DescribesInterfaceAndPlan) {
  LoadedCapsule loaded = open_capsule(copy_to_aligned(testing::tiny_classifier_capsule()), "t");
  nlohmann::json r = capsule_report(loaded.capsule, loaded.bytes.size());
  EXPECT_EQ(r["identity"]["name"], "tiny");
  EXPECT_EQ(r["inputs"][0]["shape"], nlohmann::json::array({1, 4}));
  EXPECT_EQ(r["inputs"][0]["scale"], 0.5);
  EXPECT_EQ(r["operators"].size(), 3u);
  EXPECT_EQ(r["operators"][0]["kind"], "FULLY_CONNECTED");
  EXPECT_EQ(r["weight_bytes"], 12u + 12u);
  EXPECT_EQ(r["arena_bytes"], 32u);
  EXPECT_EQ(r["arena_lower_bound"], 32u);
  const std::string text = render_capsule_report(r);
  EXPECT_NE(text.find("arena     32 bytes (lower bound 32)"), std::string::npos) << text;
}

TEST(CapsuleFile, AtomicWriteReplacesAndReadsBack) {
  const std::string path = ::testing::TempDir() + "/locus_atomic_test.bin";
  const std::vector<uint8_t> a = {1, 2, 3}, b = {9, 8, 7, 6};
  write_file_atomic(path, a);
  write_file_atomic(path, b);
  AlignedBuffer back = read_file(path);
  EXPECT_EQ(std::vector<uint8_t>(back.data(), back.data() + back.size()), b);
  EXPECT_THROW(read_file(path + ".missing"), Error);
}

}  // namespace
}  // namespace locus::host
