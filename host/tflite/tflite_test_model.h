// Test helper: writes small synthetic .tflite files with FlatBuffers'
// low-level builder and the field ids of tflite_format.h, so tests can make
// exactly the (valid or broken) models they need.
#ifndef LOCUS_HOST_TFLITE_TFLITE_TEST_MODEL_H_
#define LOCUS_HOST_TFLITE_TFLITE_TEST_MODEL_H_

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "host/tflite/tflite_format.h"

namespace locus::host::tflite::testing {

using Builder = flatbuffers::FlatBufferBuilder;
using OptionsWriter = std::function<flatbuffers::Offset<void>(Builder&)>;

struct TestTensor {
  std::vector<int32_t> shape;
  int8_t type = tensor_type::kInt8;
  uint32_t buffer = 0;
  std::string name;
  std::vector<float> scale;  // empty: no quantization table
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
};

struct TestOperator {
  uint32_t opcode_index = 0;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  uint8_t options_type = 0;
  OptionsWriter options;  // may be empty
};

struct TestBuffer {
  std::vector<uint8_t> data;
  // When `external` is set, `data` is appended after the FlatBuffer and
  // referenced by offset/size instead of being stored inline.
  bool external = false;
};

struct TestOperatorCode {
  int32_t builtin_code = 0;
  std::string custom_code;
};

struct TestModel {
  uint32_t version = 3;
  std::vector<TestOperatorCode> codes;
  std::vector<TestBuffer> buffers = {TestBuffer{}};  // buffer 0: the empty sentinel
  std::vector<TestTensor> tensors;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::vector<TestOperator> operators;
  int subgraph_count = 1;  // extra subgraphs are copies of the first

  // Adds a constant buffer of raw bytes and returns its index.
  uint32_t add_buffer(std::vector<uint8_t> bytes, bool external = false) {
    buffers.push_back({std::move(bytes), external});
    return static_cast<uint32_t>(buffers.size() - 1);
  }
  template <typename T>
  uint32_t add_values(const std::vector<T>& values, bool external = false) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return add_buffer(std::move(bytes), external);
  }
  int32_t add_tensor(TestTensor tensor) {
    tensors.push_back(std::move(tensor));
    return static_cast<int32_t>(tensors.size() - 1);
  }
};

std::vector<uint8_t> build_tflite(const TestModel& model);

// Options tables.
OptionsWriter conv_2d_options(int8_t padding, int32_t stride_w, int32_t stride_h, int8_t activation,
                              int32_t dilation_w = 1, int32_t dilation_h = 1);
OptionsWriter depthwise_conv_2d_options(int8_t padding, int32_t stride_w, int32_t stride_h,
                                        int32_t depth_multiplier, int8_t activation);
OptionsWriter pool_2d_options(int8_t padding, int32_t stride_w, int32_t stride_h, int32_t filter_w,
                              int32_t filter_h, int8_t activation);
OptionsWriter fully_connected_options(int8_t activation, bool keep_num_dims = false);
OptionsWriter softmax_options(float beta);
OptionsWriter concatenation_options(int32_t axis);
OptionsWriter activation_only_options(int8_t activation);  // Add / Mul (field 0)
OptionsWriter reducer_options(bool keep_dims);
OptionsWriter empty_options();

}  // namespace locus::host::tflite::testing

#endif  // LOCUS_HOST_TFLITE_TFLITE_TEST_MODEL_H_
