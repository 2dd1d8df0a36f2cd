// Plain scalar reference for DepthwiseConv2D (int8, per-channel): loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_DEPTHWISE_CONV_2D_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_DEPTHWISE_CONV_2D_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void depthwise_conv_2d_s8(const ConvParams& p, const Dims4& input_dims, const int8_t* input,
                          const Dims4& filter_dims, const int8_t* filter, const int32_t* bias,
                          const Dims4& output_dims, int8_t* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_DEPTHWISE_CONV_2D_REF_H_
