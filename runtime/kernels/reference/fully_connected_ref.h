// Plain scalar reference for FullyConnected (int8): loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_FULLY_CONNECTED_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_FULLY_CONNECTED_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void fully_connected_s8(const FullyConnectedParams& p, int32_t batches, int32_t accum_depth,
                        const int8_t* input, int32_t output_depth, const int8_t* weights,
                        const int32_t* bias, int8_t* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_FULLY_CONNECTED_REF_H_
