// Saving features so people and notebooks can look at what the model sees:
// NumPy .npy, CSV, and a spectrogram-style PNG (frames left to right, the
// first feature at the bottom).
#ifndef LOCUS_HOST_FEATURES_FEATURE_WRITERS_H_
#define LOCUS_HOST_FEATURES_FEATURE_WRITERS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace locus::host {

enum class FeatureType { kFloat32, kUInt16, kInt8, kInt16 };

// frames x features, row-major. Values are held as float; integer feature
// types are exact in float and written back as their own type.
struct FeatureMatrix {
  int32_t frames = 0;
  int32_t features = 0;
  FeatureType type = FeatureType::kFloat32;
  std::vector<float> values;

  float at(int32_t frame, int32_t feature) const {
    return values[static_cast<size_t>(frame) * features + feature];
  }
};

const char* feature_type_name(FeatureType type);

void write_npy(const std::string& path, const FeatureMatrix& m);
void write_csv(const std::string& path, const FeatureMatrix& m);
// Each value becomes a `scale` x `scale` block coloured by a perceptual
// colour map between the matrix's minimum and maximum.
void write_spectrogram_png(const std::string& path, const FeatureMatrix& m, int scale = 4);

// The colour map of those drawings (viridis), t in [0, 1] (clamped).
std::array<uint8_t, 3> viridis(double t);
// An 8-bit RGB PNG, rows top-down (width x 3 bytes each), written atomically.
void write_png_rgb(const std::string& path, int width, int height,
                   const std::vector<uint8_t>& rgb);

}  // namespace locus::host

#endif  // LOCUS_HOST_FEATURES_FEATURE_WRITERS_H_
