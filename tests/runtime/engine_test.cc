#include "runtime/engine/engine.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "host/capsule/capsule_file.h"
#include "tests/support/tiny_models.h"

namespace locus {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = host::copy_to_aligned(testing::tiny_classifier_capsule());
    ASSERT_TRUE(Capsule::open(bytes_.data(), bytes_.size(), &capsule_).is_ok());
    arena_ = host::AlignedBuffer(capsule_.arena_bytes());
  }
  host::AlignedBuffer bytes_;
  host::AlignedBuffer arena_;
  Capsule capsule_;
};

TEST_F(EngineTest, RunsTinyClassifierToHandComputedValues) {
  Engine engine;
  ASSERT_TRUE(engine.init(capsule_, arena_.data(), arena_.size()).is_ok());
  ASSERT_EQ(engine.input_count(), 1u);
  ASSERT_EQ(engine.output_count(), 2u);
  const TensorView in = engine.input(0);
  EXPECT_EQ(in.bytes, 4u);
  EXPECT_FLOAT_EQ(in.scale, 0.5f);
  const int8_t x[4] = {2, 4, 6, 8};
  std::memcpy(in.data, x, 4);
  ASSERT_TRUE(engine.invoke().is_ok());

  const int8_t* fc = engine.output(1).as<int8_t>();
  EXPECT_EQ(fc[0], 3);
  EXPECT_EQ(fc[1], 1);
  EXPECT_EQ(fc[2], 5);
  // softmax(3, 1, 5) = 0.1173, 0.0159, 0.8668 -> round(p * 256) - 128.
  const int8_t* probs = engine.output(0).as<int8_t>();
  EXPECT_NEAR(probs[0], -98, 1);
  EXPECT_NEAR(probs[1], -124, 1);
  EXPECT_NEAR(probs[2], 94, 1);
}

TEST_F(EngineTest, SelfTestPassesAndDetectsCorruption) {
  Engine engine;
  ASSERT_TRUE(engine.init(capsule_, arena_.data(), arena_.size()).is_ok());
  ASSERT_TRUE(engine.has_self_test());
  EXPECT_TRUE(engine.run_self_test().is_ok());

  // Change one weight inside the buffer (bypassing the digest, which the
  // runtime does not check here): the self-test must notice.
  const schema::Tensor* weights = capsule_.graph()->tensors()->Get(1);
  ASSERT_NE(weights->data(), nullptr);
  auto* w = const_cast<uint8_t*>(weights->data()->data());
  w[0] = static_cast<uint8_t>(w[0] + 3);
  const Status s = engine.run_self_test();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.message();
  EXPECT_NE(std::string(s.message()).find("self-test: output"), std::string::npos);
}

TEST_F(EngineTest, RejectsSmallOrMisalignedArena) {
  Engine engine;
  Status s = engine.init(capsule_, arena_.data(), capsule_.arena_bytes() - 1);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(s.message()).find("arena"), std::string::npos);
  host::AlignedBuffer big(capsule_.arena_bytes() + 16);
  s = engine.init(capsule_, big.data() + 1, capsule_.arena_bytes());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine.invoke().code(), StatusCode::kFailedPrecondition);
}

TEST_F(EngineTest, ObserverSeesEveryOperatorInOrder) {
  Engine engine;
  ASSERT_TRUE(engine.init(capsule_, arena_.data(), arena_.size()).is_ok());
  std::vector<std::pair<uint32_t, bool>> seen;
  engine.set_observer(
      [](void* ctx, uint32_t index, schema::OpKind, bool end) {
        static_cast<std::vector<std::pair<uint32_t, bool>>*>(ctx)->emplace_back(index, end);
      },
      &seen);
  ASSERT_TRUE(engine.invoke().is_ok());
  const std::vector<std::pair<uint32_t, bool>> expected = {{0, false}, {0, true}, {1, false},
                                                           {1, true},  {2, false}, {2, true}};
  EXPECT_EQ(seen, expected);
}

TEST(Engine, UnopenedCapsuleIsRejected) {
  Capsule capsule;
  Engine engine;
  uint8_t arena[16];
  EXPECT_EQ(engine.init(capsule, arena, sizeof(arena)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine.input_count(), 0u);
  EXPECT_EQ(engine.input(0).data, nullptr);
}

}  // namespace
}  // namespace locus
