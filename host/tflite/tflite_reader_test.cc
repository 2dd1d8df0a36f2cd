#include "host/tflite/tflite_reader.h"

#include <gtest/gtest.h>

#include "host/common/error.h"
#include "host/tflite/tflite_format.h"
#include "host/tflite/tflite_test_model.h"

namespace locus::host::tflite {
namespace {

using testing::TestModel;

TestModel small_model() {
  TestModel m;
  m.codes = {{builtin_op::kConv2D, ""}, {150, ""}};  // 150 = GELU, beyond the int8 field
  const uint32_t weights = m.add_values(std::vector<int8_t>{1, 2, 3, 4});
  const uint32_t outside = m.add_values(std::vector<int8_t>{5, 6, 7}, /*external=*/true);
  m.add_tensor({{1, 2, 2, 1}, tensor_type::kInt8, 0, "input", {0.5f}, {-3}, 0});
  m.add_tensor({{1, 2, 2, 1}, tensor_type::kInt8, weights, "weights", {0.25f}, {0}, 0});
  m.add_tensor({{3}, tensor_type::kInt8, outside, "outside", {}, {}, 0});
  m.add_tensor({{1, 1, 1, 1}, tensor_type::kInt8, 0, "output", {1.0f}, {7}, 0});
  m.inputs = {0};
  m.outputs = {3};
  m.operators = {{0,
                  {0, 1, -1},
                  {3},
                  builtin_options_type::kConv2D,
                  testing::conv_2d_options(padding::kValid, 2, 3, activation::kRelu6, 4, 5)}};
  return m;
}

TEST(TfliteFormat, NamesOperatorsAndTypes) {
  EXPECT_STREQ(builtin_operator_name(0), "ADD");
  EXPECT_STREQ(builtin_operator_name(3), "CONV_2D");
  EXPECT_STREQ(builtin_operator_name(16), "LSTM");
  EXPECT_STREQ(builtin_operator_name(114), "QUANTIZE");
  EXPECT_STREQ(builtin_operator_name(150), "GELU");
  EXPECT_STREQ(builtin_operator_name(-1), "UNKNOWN");
  EXPECT_STREQ(builtin_operator_name(100000), "UNKNOWN");
  EXPECT_STREQ(tensor_type_name(tensor_type::kInt8), "int8");
  EXPECT_STREQ(tensor_type_name(tensor_type::kFloat32), "float32");
  EXPECT_STREQ(tensor_type_name(99), "unknown");
}

TEST(TfliteReader, ReadsEveryTableItUses) {
  const std::vector<uint8_t> bytes = testing::build_tflite(small_model());
  const ModelInfo model = read_tflite_model(bytes);
  EXPECT_EQ(model.version, 3u);
  EXPECT_EQ(model.description, "locus test model");
  ASSERT_EQ(model.operator_codes.size(), 2u);
  EXPECT_EQ(model.operator_codes[0].builtin_code, builtin_op::kConv2D);
  EXPECT_EQ(model.operator_codes[1].builtin_code, 150);  // max(127, 150)
  ASSERT_EQ(model.buffers.size(), 3u);
  EXPECT_TRUE(model.buffers[0].data.empty());
  EXPECT_EQ(std::vector<uint8_t>(model.buffers[1].data.begin(), model.buffers[1].data.end()),
            (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_TRUE(model.buffers[2].stored_outside_flatbuffer);
  EXPECT_EQ(std::vector<uint8_t>(model.buffers[2].data.begin(), model.buffers[2].data.end()),
            (std::vector<uint8_t>{5, 6, 7}));

  ASSERT_EQ(model.subgraphs.size(), 1u);
  const SubGraphInfo& sg = model.subgraphs[0];
  EXPECT_EQ(sg.name, "main");
  ASSERT_EQ(sg.tensors.size(), 4u);
  EXPECT_EQ(sg.tensors[0].name, "input");
  EXPECT_EQ(sg.tensors[0].shape, (std::vector<int32_t>{1, 2, 2, 1}));
  EXPECT_EQ(sg.tensors[0].type, tensor_type::kInt8);
  EXPECT_TRUE(sg.tensors[0].has_quantization);
  EXPECT_EQ(sg.tensors[0].quantization.scale, (std::vector<float>{0.5f}));
  EXPECT_EQ(sg.tensors[0].quantization.zero_point, (std::vector<int64_t>{-3}));
  EXPECT_EQ(sg.tensors[1].buffer, 1u);
  EXPECT_FALSE(sg.tensors[2].has_quantization);
  EXPECT_EQ(sg.inputs, (std::vector<int32_t>{0}));
  EXPECT_EQ(sg.outputs, (std::vector<int32_t>{3}));

  ASSERT_EQ(sg.operators.size(), 1u);
  const OperatorInfo& op = sg.operators[0];
  EXPECT_EQ(op.inputs, (std::vector<int32_t>{0, 1, -1}));
  EXPECT_EQ(op.builtin_options_type, builtin_options_type::kConv2D);
  const auto* conv = std::get_if<Conv2DOptions>(&op.builtin_options);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->padding, padding::kValid);
  EXPECT_EQ(conv->stride_w, 2);
  EXPECT_EQ(conv->stride_h, 3);
  EXPECT_EQ(conv->fused_activation, activation::kRelu6);
  EXPECT_EQ(conv->dilation_w, 4);
  EXPECT_EQ(conv->dilation_h, 5);
}

void expect_read_error(const TestModel& m, const std::string& fragment) {
  const std::vector<uint8_t> bytes = testing::build_tflite(m);
  try {
    read_tflite_model(bytes);
    ADD_FAILURE() << "expected an error containing: " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(TfliteReader, BoundsChecksEveryIndex) {
  TestModel m = small_model();
  m.tensors[1].buffer = 99;
  expect_read_error(m, "tflite: subgraph 0 tensor 1: buffer index 99 out of range (3 buffers)");

  m = small_model();
  m.operators[0].inputs = {0, 99};
  expect_read_error(
      m, "tflite: subgraph 0 operator 0: input 1: tensor index 99 out of range (4 tensors)");

  m = small_model();
  m.operators[0].outputs = {-2};
  expect_read_error(m, "output 0: tensor index -2 out of range");

  m = small_model();
  m.outputs = {-1};  // graph outputs may not be absent
  expect_read_error(m, "tflite: subgraph 0: output 0: tensor index -1 out of range");

  m = small_model();
  m.operators[0].opcode_index = 2;
  expect_read_error(m, "operator 0: opcode index 2 out of range (2 operator codes)");

  m = small_model();
  m.version = 2;
  expect_read_error(m, "schema version 2 is not supported");
}

TEST(TfliteReader, RejectsExternalDataOutsideTheFile) {
  std::vector<uint8_t> bytes = testing::build_tflite(small_model());
  bytes.resize(bytes.size() - 1);  // cut the last byte of the external buffer
  try {
    read_tflite_model(bytes);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("buffer 2: data at offset"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("lies outside the file"), std::string::npos) << e.what();
  }
}

TEST(TfliteReader, RejectsTinyAndMisalignedInput) {
  const std::vector<uint8_t> tiny = {1, 2, 3};
  EXPECT_THROW(read_tflite_model(tiny), Error);
  const std::vector<uint8_t> bytes = testing::build_tflite(small_model());
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
  EXPECT_THROW(read_tflite_model(std::span(shifted).subspan(1)), Error);
}

}  // namespace
}  // namespace locus::host::tflite
