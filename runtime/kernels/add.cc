// Add int8 with broadcasting, bit-exact with TFLite's int8 AddFunc.
//
// Each input's contribution ((x + offset) << left_shift, rescaled by its
// multiplier) depends only on the int8 value, so for large tensors it is
// tabulated once per call (256 entries per input); each element is then two
// lookups, an add and the output rescale.
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

// Tables pay off once there are clearly more elements than table entries.
constexpr int32_t kTableThreshold = 1024;

inline int32_t scale_input(int32_t x, int32_t offset, int32_t left_shift, int32_t multiplier,
                           int32_t shift) {
  return fp::multiply_by_quantized_multiplier_smaller_than_one_exp(
      (x + offset) * (int32_t{1} << left_shift), multiplier, shift);
}

inline int8_t finish(const AddParams& p, int32_t raw_sum) {
  const int32_t out = fp::multiply_by_quantized_multiplier_smaller_than_one_exp(
                          raw_sum, p.output_multiplier, p.output_shift) +
                      p.output_offset;
  return static_cast<int8_t>(fp::clamp(out, p.activation_min, p.activation_max));
}

}  // namespace

void add_s8(const AddParams& p, const Dims4& d1, const int8_t* input1, const Dims4& d2,
            const int8_t* input2, const Dims4& out, int8_t* output) {
  if (out.elements() >= kTableThreshold) {
    int32_t t1[256], t2[256];
    for (int32_t v = -128; v < 128; ++v) {
      t1[v + 128] = scale_input(v, p.input1_offset, p.left_shift, p.input1_multiplier,
                                p.input1_shift);
      t2[v + 128] = scale_input(v, p.input2_offset, p.left_shift, p.input2_multiplier,
                                p.input2_shift);
    }
    detail::for_each_broadcast_row(
        d1, input1, d2, input2, out, output,
        [&](const int8_t* a, int32_t sa, const int8_t* b, int32_t sb, int8_t* o, int32_t n) {
          for (int32_t i = 0; i < n; ++i) o[i] = finish(p, t1[a[i * sa] + 128] + t2[b[i * sb] + 128]);
        });
    return;
  }
  detail::for_each_broadcast_row(
      d1, input1, d2, input2, out, output,
      [&](const int8_t* a, int32_t sa, const int8_t* b, int32_t sb, int8_t* o, int32_t n) {
        for (int32_t i = 0; i < n; ++i) {
          const int32_t s1 = scale_input(a[i * sa], p.input1_offset, p.left_shift,
                                         p.input1_multiplier, p.input1_shift);
          const int32_t s2 = scale_input(b[i * sb], p.input2_offset, p.left_shift,
                                         p.input2_multiplier, p.input2_shift);
          o[i] = finish(p, s1 + s2);
        }
      });
}

}  // namespace locus::kernels
