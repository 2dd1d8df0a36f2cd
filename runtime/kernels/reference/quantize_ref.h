// Plain scalar reference for Quantize, Requantize and Dequantize: loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_QUANTIZE_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_QUANTIZE_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void quantize_f32_s8(float scale, int32_t zero_point, int32_t size, const float* input,
                     int8_t* output);
void requantize_s8(const RequantizeParams& p, int32_t size, const int8_t* input, int8_t* output);
void dequantize_s8_f32(float scale, int32_t zero_point, int32_t size, const int8_t* input,
                       float* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_QUANTIZE_REF_H_
