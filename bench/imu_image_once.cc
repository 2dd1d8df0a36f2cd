// One call of ImuFeatures::compute() or ImagePreprocessor::process() on
// synthetic input, for instruction counts under callgrind:
//
//   valgrind --tool=callgrind \
//     --toggle-collect='locus::dsp::ImuFeatures::compute(float const*, int, float*)' \
//     build/release/bench/locus_imu_image_once imu
//   valgrind --tool=callgrind \
//     --toggle-collect='locus::dsp::ImagePreprocessor::process(*' \
//     build/release/bench/locus_imu_image_once image
//
// imu:   3 axes, 100 Hz, 2 s (200 frames), 4th-order 20 Hz low-pass, all
//        statistics, 128-point Hann Welch spectrum in 5 bands, 3 peaks.
// image: 320x240 RGB888 -> centre crop 240x240 -> bilinear 96x96x3, int8
//        (MLPerf Tiny VWW input). "image-gray" does 96x96x1 (person_detect).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "runtime/dsp/image/image_preprocess.h"
#include "runtime/dsp/imu/imu_features.h"

namespace {

int run_imu() {
  using namespace locus::dsp;
  ImuFeaturesConfig c = ImuFeaturesConfig::defaults();
  c.filter = ImuFilterType::kLowPass;
  c.filter_order = 4;
  c.filter_cutoff_hz = 20.0f;
  std::vector<uint8_t> state(ImuFeatures::state_bytes(c));
  ImuFeatures imu;
  locus::Status s = imu.init(c, state.data(), state.size());
  if (!s.is_ok()) {
    std::fprintf(stderr, "%s\n", s.message());
    return 1;
  }
  std::vector<float> x(static_cast<size_t>(3 * c.max_frames));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(std::sin(0.3 * static_cast<double>(i)) + 0.01 * static_cast<double>(i % 13));
  }
  std::vector<float> features(imu.feature_count());
  s = imu.compute(x.data(), c.max_frames, features.data());
  if (!s.is_ok()) {
    std::fprintf(stderr, "%s\n", s.message());
    return 1;
  }
  std::printf("imu: %zu features, state %zu bytes, first %g\n", features.size(), state.size(),
              static_cast<double>(features[0]));
  return 0;
}

int run_image(int channels) {
  using namespace locus::dsp;
  ImagePreprocessConfig c = ImagePreprocessConfig::defaults();
  c.output_channels = channels;
  std::vector<uint8_t> state(ImagePreprocessor::state_bytes(c));
  ImagePreprocessor pre;
  locus::Status s = pre.init(c, state.data(), state.size());
  if (!s.is_ok()) {
    std::fprintf(stderr, "%s\n", s.message());
    return 1;
  }
  const int w = 320, h = 240;
  std::vector<uint8_t> image(static_cast<size_t>(w * h * 3));
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>((i * 7 + i / 960) & 0xff);
  std::vector<int8_t> out(pre.output_bytes());
  s = pre.process(image.data(), w, h, PixelFormat::kRgb888, out.data());
  if (!s.is_ok()) {
    std::fprintf(stderr, "%s\n", s.message());
    return 1;
  }
  std::printf("image: %zu bytes out, state %zu bytes, first %d\n", out.size(), state.size(),
              static_cast<int>(out[0]));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "";
  if (std::strcmp(what, "imu") == 0) return run_imu();
  if (std::strcmp(what, "image") == 0) return run_image(3);
  if (std::strcmp(what, "image-gray") == 0) return run_image(1);
  std::fprintf(stderr, "usage: %s imu|image|image-gray\n", argv[0]);
  return 2;
}
