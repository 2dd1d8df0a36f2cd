// TFLite -> Locus model IR. Converts the single subgraph of a .tflite file
// into a host::Graph whose operators carry every parameter the runtime
// kernels need, computed as TensorFlow Lite Micro computes them at Prepare
// time (see host/quantize/quantize_params.h), so the capsule reproduces
// TFLM's outputs bit for bit.
//
// Operator inputs in the IR follow the capsule contract:
//   Conv2D, DepthwiseConv2D, FullyConnected: [input, filter, bias or -1]
//   pools, Reshape, Softmax, Logistic, Quantize, Dequantize, Mean, Pad: [input]
//   Add, Mul: [a, b];  Concatenation: all inputs.  One output each.
// Constant operands that become parameters (RESHAPE's shape, MEAN's axes,
// PAD's paddings and PADV2's value) are dropped, as is every tensor that no
// kept operator or graph input/output refers to; the rest are renumbered in
// their original order.
#ifndef LOCUS_HOST_TFLITE_TFLITE_IMPORTER_H_
#define LOCUS_HOST_TFLITE_TFLITE_IMPORTER_H_

#include <cstdint>
#include <span>

#include "host/model/graph.h"

namespace locus::host {

// Throws host::Error naming the operator, tensor or field and the reason for
// any malformed or unsupported input. The bytes may have any alignment.
Graph import_tflite(std::span<const uint8_t> file_bytes);

}  // namespace locus::host

#endif  // LOCUS_HOST_TFLITE_TFLITE_IMPORTER_H_
