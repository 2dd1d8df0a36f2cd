#include "host/audio/clip.h"

#include <algorithm>

namespace locus::host {

void fit_length(std::vector<int16_t>& clip, size_t samples) { clip.resize(samples, 0); }

std::vector<float> peak_normalized(std::span<const int16_t> clip) {
  std::vector<float> out(clip.size());
  if (clip.empty()) return out;
  const int16_t peak = *std::max_element(clip.begin(), clip.end());
  const float divisor = peak > 0 ? static_cast<float>(peak) : 32768.0f;
  for (size_t i = 0; i < clip.size(); ++i) out[i] = static_cast<float>(clip[i]) / divisor;
  return out;
}

void peak_normalize_int16(std::vector<int16_t>& clip) {
  if (clip.empty()) return;
  const int32_t peak = *std::max_element(clip.begin(), clip.end());
  if (peak <= 0) return;
  for (int16_t& v : clip) {
    const int64_t n = int64_t{v} * 32767;
    const int64_t r = (n >= 0 ? n + peak / 2 : n - peak / 2) / peak;
    v = static_cast<int16_t>(std::clamp<int64_t>(r, -32768, 32767));
  }
}

}  // namespace locus::host
