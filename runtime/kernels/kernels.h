// Entry points of every int8 operator. One .cc file per operator; each is
// a straightforward scalar implementation whose integer arithmetic matches
// TensorFlow Lite Micro's reference kernels bit for bit.
#ifndef LOCUS_RUNTIME_KERNELS_KERNELS_H_
#define LOCUS_RUNTIME_KERNELS_KERNELS_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels {

// filter: OHWI [out_c, kh, kw, in_c]; bias: int32 [out_c] or null.
void conv_2d_s8(const ConvParams& p, const Dims4& input_dims, const int8_t* input,
                const Dims4& filter_dims, const int8_t* filter, const int32_t* bias,
                const Dims4& output_dims, int8_t* output);

// filter: [1, kh, kw, in_c * depth_multiplier]; output channel
// oc = ic * depth_multiplier + m.
void depthwise_conv_2d_s8(const ConvParams& p, const Dims4& input_dims, const int8_t* input,
                          const Dims4& filter_dims, const int8_t* filter, const int32_t* bias,
                          const Dims4& output_dims, int8_t* output);

// input: [batches, accum_depth]; weights: [output_depth, accum_depth].
void fully_connected_s8(const FullyConnectedParams& p, int32_t batches, int32_t accum_depth,
                        const int8_t* input, int32_t output_depth, const int8_t* weights,
                        const int32_t* bias, int8_t* output);

void average_pool_2d_s8(const PoolParams& p, const Dims4& input_dims, const int8_t* input,
                        const Dims4& output_dims, int8_t* output);
void max_pool_2d_s8(const PoolParams& p, const Dims4& input_dims, const int8_t* input,
                    const Dims4& output_dims, int8_t* output);

// Elementwise with NumPy broadcasting over 4-D shapes (a dimension of 1
// broadcasts against the output's).
void add_s8(const AddParams& p, const Dims4& dims1, const int8_t* input1, const Dims4& dims2,
            const int8_t* input2, const Dims4& output_dims, int8_t* output);
void mul_s8(const MulParams& p, const Dims4& dims1, const int8_t* input1, const Dims4& dims2,
            const int8_t* input2, const Dims4& output_dims, int8_t* output);

// Softmax over the innermost dimension (rows of `depth`).
void softmax_s8(const SoftmaxParams& p, int32_t outer_size, int32_t depth, const int8_t* input,
                int8_t* output);
void softmax_s8_s16(const SoftmaxParams& p, int32_t outer_size, int32_t depth,
                    const int8_t* input, int16_t* output);

void logistic_s8(const LogisticParams& p, int32_t size, const int8_t* input, int8_t* output);

void quantize_f32_s8(float scale, int32_t zero_point, int32_t size, const float* input,
                     int8_t* output);
void requantize_s8(const RequantizeParams& p, int32_t size, const int8_t* input, int8_t* output);
void dequantize_s8_f32(float scale, int32_t zero_point, int32_t size, const int8_t* input,
                       float* output);

void mean_s8(const MeanParams& p, const Dims4& input_dims, const int8_t* input,
             const Dims4& output_dims, int8_t* output);

// Constant padding of any element size (pad_value is the element's bytes).
void pad(const PadParams& p, const Dims4& input_dims, const void* input, size_t element_bytes,
         const void* pad_value, const Dims4& output_dims, void* output);

// Concatenation along `axis` (0..3 of the 4-D shapes) of `count` inputs with
// identical quantisation; element-size agnostic.
void concatenation(int32_t axis, int32_t count, const void* const* inputs,
                   const Dims4* input_dims, size_t element_bytes, const Dims4& output_dims,
                   void* output);

}  // namespace locus::kernels

#endif  // LOCUS_RUNTIME_KERNELS_KERNELS_H_
