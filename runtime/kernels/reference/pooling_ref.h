// Plain scalar reference for AveragePool2D and MaxPool2D (int8): loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_POOLING_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_POOLING_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void average_pool_2d_s8(const PoolParams& p, const Dims4& input_dims, const int8_t* input,
                        const Dims4& output_dims, int8_t* output);
void max_pool_2d_s8(const PoolParams& p, const Dims4& input_dims, const int8_t* input,
                    const Dims4& output_dims, int8_t* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_POOLING_REF_H_
