// Plain scalar reference for Softmax (int8 -> int8 and int8 -> int16): loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_SOFTMAX_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_SOFTMAX_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void softmax_s8(const SoftmaxParams& p, int32_t outer_size, int32_t depth, const int8_t* input,
                int8_t* output);
void softmax_s8_s16(const SoftmaxParams& p, int32_t outer_size, int32_t depth,
                    const int8_t* input, int16_t* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_SOFTMAX_REF_H_
