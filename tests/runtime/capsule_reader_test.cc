#include "runtime/capsule/capsule_reader.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_writer.h"
#include "host/planner/memory_planner.h"
#include "runtime/engine/engine.h"
#include "tests/support/tiny_models.h"

namespace locus {
namespace {

// Writes the tiny classifier after `mutate` has damaged its graph and
// returns the status of opening it.
Status open_mutated(const std::function<void(host::Graph&)>& mutate) {
  host::CapsuleSpec spec = testing::tiny_classifier_spec();
  host::plan_memory(spec.graph);
  mutate(spec.graph);
  host::AlignedBuffer bytes = host::copy_to_aligned(host::write_capsule(spec));
  Capsule capsule;
  return Capsule::open(bytes.data(), bytes.size(), &capsule);
}

void expect_error(const Status& s, StatusCode code, const std::string& fragment) {
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_NE(std::string(s.message()).find(fragment), std::string::npos)
      << "message: " << s.message() << "\nexpected to contain: " << fragment;
}

TEST(CapsuleReader, OpensAndExposesIdentity) {
  host::AlignedBuffer bytes = host::copy_to_aligned(testing::tiny_classifier_capsule());
  Capsule capsule;
  ASSERT_TRUE(Capsule::open(bytes.data(), bytes.size(), &capsule).is_ok());
  EXPECT_EQ(capsule.envelope()->format_version(), kCapsuleFormatVersion);
  EXPECT_EQ(capsule.body()->identity()->name()->str(), "tiny");
  EXPECT_EQ(capsule.body()->identity()->sequence(), 7u);
  EXPECT_EQ(capsule.body()->labels()->size(), 3u);
  EXPECT_GT(capsule.arena_bytes(), 0u);
  // The digest covers exactly the body bytes.
  host::Sha256 digest = host::sha256(capsule.body_bytes(), capsule.body_size());
  EXPECT_EQ(0, std::memcmp(digest.data(), capsule.envelope()->body_sha256()->data(), 32));
}

TEST(CapsuleReader, RejectsNonCapsules) {
  Capsule capsule;
  expect_error(Capsule::open(nullptr, 0, &capsule), StatusCode::kMalformed, "too small");
  alignas(16) uint8_t junk[64] = {};
  expect_error(Capsule::open(junk, sizeof(junk), &capsule), StatusCode::kMalformed, "LCAP");
  host::AlignedBuffer bytes = host::copy_to_aligned(testing::tiny_classifier_capsule());
  host::AlignedBuffer shifted(bytes.size() + 16);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  expect_error(Capsule::open(shifted.data() + 1, bytes.size(), &capsule),
               StatusCode::kInvalidArgument, "aligned");
}

TEST(CapsuleReader, EveryTruncationIsRejected) {
  host::AlignedBuffer bytes = host::copy_to_aligned(testing::tiny_classifier_capsule());
  for (size_t n = 0; n < bytes.size(); ++n) {
    host::AlignedBuffer cut = host::copy_to_aligned({bytes.data(), n});
    Capsule capsule;
    EXPECT_FALSE(Capsule::open(cut.data(), cut.size(), &capsule).is_ok()) << "length " << n;
  }
}

// Every single-bit flip either fails verification or yields a capsule that
// runs without touching memory outside its buffers (checked under ASan).
TEST(CapsuleReader, BitFlipsAreRejectedOrHarmless) {
  const std::vector<uint8_t> original = testing::tiny_classifier_capsule();
  size_t rejected = 0, accepted = 0;
  for (size_t byte = 0; byte < original.size(); ++byte) {
    for (int bit = 0; bit < 8; bit += 3) {
      host::AlignedBuffer bytes = host::copy_to_aligned(original);
      bytes.data()[byte] ^= static_cast<uint8_t>(1u << bit);
      Capsule capsule;
      if (!Capsule::open(bytes.data(), bytes.size(), &capsule).is_ok()) {
        ++rejected;
        continue;
      }
      ++accepted;
      host::AlignedBuffer arena(capsule.arena_bytes());
      Engine engine;
      ASSERT_TRUE(engine.init(capsule, arena.data(), arena.size()).is_ok());
      EXPECT_TRUE(engine.invoke().is_ok());
    }
  }
  EXPECT_GT(rejected, 0u);
  EXPECT_GT(accepted, 0u);  // flips in weights or names are structurally fine
}

TEST(CapsuleReader, RejectsUnknownFormatVersion) {
  host::CapsuleSpec spec = testing::tiny_classifier_spec();
  host::plan_memory(spec.graph);
  std::vector<uint8_t> body = host::write_capsule_body(spec);
  flatbuffers::FlatBufferBuilder b;
  auto digest = host::sha256(body.data(), body.size());
  auto d = b.CreateVector(digest.data(), digest.size());
  b.ForceVectorAlignment(body.size(), 1, 16);
  auto bv = b.CreateVector(body);
  b.Finish(schema::CreateCapsule(b, kCapsuleFormatVersion + 1, bv, d),
           schema::CapsuleIdentifier());
  host::AlignedBuffer bytes = host::copy_to_aligned({b.GetBufferPointer(), b.GetSize()});
  Capsule capsule;
  expect_error(Capsule::open(bytes.data(), bytes.size(), &capsule), StatusCode::kUnsupported,
               "format version 2");
}

TEST(CapsuleReader, RejectsHugeDimensions) {
  expect_error(open_mutated([](host::Graph& g) { g.tensors[3].shape = {1 << 20, 1 << 20}; }),
               StatusCode::kMalformed, "tensor 3: size exceeds");
  expect_error(open_mutated([](host::Graph& g) { g.tensors[3].shape = {1, -3}; }),
               StatusCode::kMalformed, "tensor 3: dimension 1 is -3");
  expect_error(open_mutated([](host::Graph& g) { g.tensors[3].shape = {1, 1, 1, 1, 1, 1, 1}; }),
               StatusCode::kMalformed, "rank 7");
}

TEST(CapsuleReader, RejectsArenaOffsetsOutOfRange) {
  expect_error(open_mutated([](host::Graph& g) { g.tensors[5].arena_offset = g.arena_bytes; }),
               StatusCode::kMalformed, "tensor 5: arena range");
  expect_error(open_mutated([](host::Graph& g) { g.arena_bytes = 4; }), StatusCode::kMalformed,
               "exceeds the 4-byte arena");
}

// Changes one dimension of a tensor in finished capsule bytes (the writer
// refuses to produce such a capsule) and returns the status of opening it.
Status open_with_dimension(uint32_t tensor, uint32_t axis, int32_t value) {
  host::AlignedBuffer bytes = host::copy_to_aligned(testing::tiny_classifier_capsule());
  auto* envelope = schema::GetMutableCapsule(bytes.data());
  auto* body = flatbuffers::GetMutableRoot<schema::CapsuleBody>(envelope->mutable_body()->data());
  auto* shape = body->mutable_graph()->mutable_tensors()->GetMutableObject(tensor)->mutable_shape();
  shape->Mutate(axis, value);
  Capsule capsule;
  return Capsule::open(bytes.data(), bytes.size(), &capsule);
}

TEST(CapsuleReader, RejectsConstantSizeMismatch) {
  expect_error(open_with_dimension(1, 1, 5), StatusCode::kMalformed,
               "tensor 1: constant has 12 bytes, shape needs 15");
}

TEST(CapsuleReader, RejectsBadTensorIndices) {
  expect_error(open_mutated([](host::Graph& g) { g.operators[0].inputs[0] = 99; }),
               StatusCode::kMalformed, "tensor index 99 out of range");
  expect_error(open_mutated([](host::Graph& g) { g.outputs[0] = -1; }), StatusCode::kMalformed,
               "graph output");
  expect_error(open_mutated([](host::Graph& g) { g.operators[0].outputs = {1}; }),
               StatusCode::kMalformed, "operator 0 (FULLY_CONNECTED): output 0 must be a non-constant");
}

TEST(CapsuleReader, RejectsWrongOperatorShapesAndTypes) {
  expect_error(open_with_dimension(0, 1, 5), StatusCode::kMalformed,
               "operator 0 (FULLY_CONNECTED): input has 5 values, not a multiple of the "
               "weights' depth 4");
  expect_error(open_mutated([](host::Graph& g) { g.tensors[0].type = schema::TensorType::Int16; }),
               StatusCode::kUnsupported, "input has type Int16, expected Int8");
  expect_error(open_mutated([](host::Graph& g) { g.tensors[5].shape = {1, 1, 1, 4}; }),
               StatusCode::kMalformed, "operator 2 (SOFTMAX)");
}

TEST(CapsuleReader, RejectsBadOperatorParameters) {
  expect_error(open_mutated([](host::Graph& g) {
                 g.operators[0].params.AsFullyConnectedParams()->output_shift = {40};
               }),
               StatusCode::kMalformed, "shift 40 outside -31..30");
  expect_error(open_mutated([](host::Graph& g) {
                 g.operators[0].params.AsFullyConnectedParams()->activation_min = 100;
                 g.operators[0].params.AsFullyConnectedParams()->activation_max = 10;
               }),
               StatusCode::kMalformed, "activation_min 100 exceeds activation_max 10");
  expect_error(open_mutated([](host::Graph& g) {
                 g.operators[2].params.AsSoftmaxParams()->diff_min = -(1 << 30);
               }),
               StatusCode::kMalformed, "diff_min");
  expect_error(open_mutated([](host::Graph& g) { g.operators[1].params.Set(schema::PadParamsT()); }),
               StatusCode::kMalformed, "operator 1 (RESHAPE): parameters are missing or of the wrong kind");
  expect_error(open_mutated([](host::Graph& g) {
                 g.operators[1].kind = static_cast<schema::OpKind>(500);
               }),
               StatusCode::kUnsupported, "kind 500 is not supported");
}

}  // namespace
}  // namespace locus
