// Untrusted input: truncated, bit-flipped and nonsensical files must make
// the importer throw host::Error -- never crash, never read out of bounds
// (run these under the asan preset too).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "host/common/error.h"
#include "host/tflite/tflite_importer.h"
#include "host/tflite/tflite_test_model.h"

namespace locus::host {
namespace {

namespace tfl = tflite;
using tfl::testing::TestModel;
using tfl::testing::TestTensor;

// A small valid model touching most of the reader: conv + softmax.
TestModel valid_model() {
  TestModel m;
  m.codes = {{tfl::builtin_op::kConv2D, ""},
             {tfl::builtin_op::kReshape, ""},
             {tfl::builtin_op::kSoftmax, ""}};
  const uint32_t weights = m.add_buffer(std::vector<uint8_t>(2 * 3 * 3 * 1, 1));
  const uint32_t bias = m.add_values(std::vector<int32_t>{5, -5});
  const uint32_t shape = m.add_values(std::vector<int32_t>{1, 8});
  m.add_tensor({{1, 4, 4, 1}, tfl::tensor_type::kInt8, 0, "input", {0.5f}, {-1}, 0});
  m.add_tensor({{2, 3, 3, 1}, tfl::tensor_type::kInt8, weights, "w", {0.25f, 0.5f}, {0, 0}, 0});
  m.add_tensor({{2}, tfl::tensor_type::kInt32, bias, "b", {0.125f, 0.25f}, {0, 0}, 0});
  m.add_tensor({{1, 2, 2, 2}, tfl::tensor_type::kInt8, 0, "conv", {1.0f}, {3}, 0});
  m.add_tensor({{2}, tfl::tensor_type::kInt32, shape, "shape", {}, {}, 0});
  m.add_tensor({{1, 8}, tfl::tensor_type::kInt8, 0, "flat", {1.0f}, {3}, 0});
  m.add_tensor({{1, 8}, tfl::tensor_type::kInt8, 0, "probs", {1.0f / 256}, {-128}, 0});
  m.inputs = {0};
  m.outputs = {6};
  m.operators = {
      {0,
       {0, 1, 2},
       {3},
       tfl::builtin_options_type::kConv2D,
       tfl::testing::conv_2d_options(tfl::padding::kSame, 2, 2, tfl::activation::kRelu)},
      {1, {3, 4}, {5}, 0, {}},
      {2, {5}, {6}, tfl::builtin_options_type::kSoftmax, tfl::testing::softmax_options(1.0f)}};
  return m;
}

// Imports and reports whether it threw host::Error; anything else fails.
bool import_fails_cleanly(std::span<const uint8_t> bytes) {
  try {
    import_tflite(bytes);
    return false;
  } catch (const Error&) {
    return true;
  }
}

uint32_t xorshift32(uint32_t& state) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

std::vector<uint8_t> reference_model(const char* relative_path) {
  const char* root = std::getenv("LOCUS_TEST_DATA");
  if (root == nullptr) return {};
  const std::filesystem::path path = std::filesystem::path(root) / relative_path;
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(MalformedTflite, TheSyntheticModelIsValid) {
  EXPECT_NO_THROW(import_tflite(tfl::testing::build_tflite(valid_model())));
}

TEST(MalformedTflite, EveryTruncationThrows) {
  const std::vector<uint8_t> bytes = tfl::testing::build_tflite(valid_model());
  for (size_t length = 0; length < bytes.size(); ++length) {
    std::vector<uint8_t> truncated(bytes.begin(),
                                   bytes.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_TRUE(import_fails_cleanly(truncated)) << "length " << length;
  }
}

TEST(MalformedTflite, EverySingleBitFlipIsHandled) {
  const std::vector<uint8_t> bytes = tfl::testing::build_tflite(valid_model());
  size_t rejected = 0;
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::vector<uint8_t> flipped = bytes;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    rejected += import_fails_cleanly(flipped) ? 1 : 0;  // or imports: both are fine
  }
  EXPECT_GT(rejected, bytes.size());  // most flips break something
}

TEST(MalformedTflite, RandomBytesAreRejected) {
  uint32_t state = 0x9E3779B9u;
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> noise(16 + round * 7);
    for (uint8_t& byte : noise) byte = static_cast<uint8_t>(xorshift32(state) >> 24);
    EXPECT_TRUE(import_fails_cleanly(noise)) << "round " << round;
  }
}

TEST(MalformedTflite, HugeDimensionsAreRejected) {
  TestModel m = valid_model();
  m.tensors[0].shape = {1, 1 << 30, 1 << 30, 4};
  m.tensors[3].shape = {1, 1 << 29, 1 << 29, 2};
  EXPECT_TRUE(import_fails_cleanly(tfl::testing::build_tflite(m)));
  m = valid_model();
  m.tensors[6].shape = {-1, 8};
  EXPECT_TRUE(import_fails_cleanly(tfl::testing::build_tflite(m)));
  m = valid_model();
  m.tensors[1].shape = {2, 3, 3, 1000};  // weights larger than their buffer
  EXPECT_TRUE(import_fails_cleanly(tfl::testing::build_tflite(m)));
}

TEST(MalformedTflite, OutOfRangeIndicesAreRejected) {
  TestModel m = valid_model();
  m.tensors[1].buffer = 99;
  EXPECT_TRUE(import_fails_cleanly(tfl::testing::build_tflite(m)));
  m = valid_model();
  m.operators[2].inputs = {1000};
  EXPECT_TRUE(import_fails_cleanly(tfl::testing::build_tflite(m)));
  m = valid_model();
  m.inputs = {7};
  EXPECT_TRUE(import_fails_cleanly(tfl::testing::build_tflite(m)));
  m = valid_model();
  m.operators[0].opcode_index = 3;
  EXPECT_TRUE(import_fails_cleanly(tfl::testing::build_tflite(m)));
}

TEST(MalformedTflite, ReferenceModelTruncationsAndBitFlips) {
  const std::vector<uint8_t> bytes =
      reference_model("tflm_micro_speech/micro_speech_quantized.tflite");
  if (bytes.empty()) GTEST_SKIP() << "set LOCUS_TEST_DATA to the shared datasets folder";
  const size_t step = std::max<size_t>(1, bytes.size() / 400);
  for (size_t length = 0; length < bytes.size(); length += step) {
    std::vector<uint8_t> truncated(bytes.begin(),
                                   bytes.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_TRUE(import_fails_cleanly(truncated)) << "length " << length;
  }
  uint32_t state = 12345;
  for (int flip = 0; flip < 3000; ++flip) {
    std::vector<uint8_t> flipped = bytes;
    const uint32_t bit = xorshift32(state) % static_cast<uint32_t>(bytes.size() * 8);
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    import_fails_cleanly(flipped);  // must not crash; either outcome is acceptable
  }
}

}  // namespace
}  // namespace locus::host
