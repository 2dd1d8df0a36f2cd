#include "runtime/dsp/imu/butterworth.h"

#include "runtime/dsp/imu/imu_math.h"

namespace locus::dsp {

void design_butterworth(ImuFilterType type, int32_t order, float cutoff_hz,
                        float sample_rate_hz, Biquad* sections) {
  using imu_internal::kPi;
  const bool high = type == ImuFilterType::kHighPass;
  double ws, wc;
  imu_internal::sin_cos_quadrant(
      kPi * (static_cast<double>(cutoff_hz) / static_cast<double>(sample_rate_hz)), &ws, &wc);
  const double k = ws / wc;  // tan(pi fc / fs)
  const double k2 = k * k;
  const int32_t pairs = order / 2;
  for (int32_t i = 0; i < pairs; ++i) {
    // sin((2i+1) pi / (2N)) = sin(2 pi (2i+1) / (4N))
    double ps, pc;
    imu_internal::sin_cos_turns(static_cast<uint32_t>(2 * i + 1),
                                static_cast<uint32_t>(4 * order), &ps, &pc);
    const double k_over_q = 2.0 * ps * k;  // K / Q
    const double norm = 1.0 / (1.0 + k_over_q + k2);
    double b0, b1;
    if (high) {
      b0 = norm;
      b1 = -2.0 * norm;
    } else {
      b0 = k2 * norm;
      b1 = 2.0 * b0;
    }
    Biquad& s = sections[i];
    s.b0 = static_cast<float>(b0);
    s.b1 = static_cast<float>(b1);
    s.b2 = static_cast<float>(b0);
    s.a1 = static_cast<float>(2.0 * (k2 - 1.0) * norm);
    s.a2 = static_cast<float>((1.0 - k_over_q + k2) * norm);
  }
  if (order % 2 == 1) {
    const double norm = 1.0 / (1.0 + k);
    Biquad& s = sections[pairs];
    if (high) {
      s.b0 = static_cast<float>(norm);
      s.b1 = static_cast<float>(-norm);
    } else {
      s.b0 = static_cast<float>(k * norm);
      s.b1 = static_cast<float>(k * norm);
    }
    s.b2 = 0.0f;
    s.a1 = static_cast<float>((k - 1.0) * norm);
    s.a2 = 0.0f;
  }
}

void run_biquads(const Biquad* sections, int32_t section_count, float* samples,
                 int32_t count) {
  for (int32_t i = 0; i < section_count; ++i) {
    const Biquad s = sections[i];
    float z1 = 0.0f, z2 = 0.0f;
    for (int32_t n = 0; n < count; ++n) {
      const float x = samples[n];
      const float y = s.b0 * x + z1;
      z1 = s.b1 * x - s.a1 * y + z2;
      z2 = s.b2 * x - s.a2 * y;
      samples[n] = y;
    }
  }
}

}  // namespace locus::dsp
