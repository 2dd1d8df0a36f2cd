#include "host/features/feature_writers.h"

#include <png.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"

namespace locus::host {
namespace {

void check(const FeatureMatrix& m, const std::string& path) {
  if (m.frames < 0 || m.features < 0 ||
      m.values.size() != static_cast<size_t>(m.frames) * static_cast<size_t>(m.features)) {
    fail(path, ": feature matrix has ", m.values.size(), " values for ", m.frames, " x ",
         m.features);
  }
}

template <typename T>
void append(std::vector<uint8_t>& out, T v) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

}  // namespace

// Viridis, sampled at nine points and interpolated linearly.
std::array<uint8_t, 3> viridis(double t) {
  static const double kStops[9][3] = {
      {68, 1, 84},    {71, 44, 122},  {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
      {39, 173, 129}, {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
  t = std::clamp(t, 0.0, 1.0) * 8.0;
  const int i = std::min(static_cast<int>(t), 7);
  const double f = t - i;
  std::array<uint8_t, 3> c{};
  for (int k = 0; k < 3; ++k) {
    c[k] = static_cast<uint8_t>(std::lround(kStops[i][k] + f * (kStops[i + 1][k] - kStops[i][k])));
  }
  return c;
}

const char* feature_type_name(FeatureType type) {
  switch (type) {
    case FeatureType::kFloat32: return "float32";
    case FeatureType::kUInt16: return "uint16";
    case FeatureType::kInt8: return "int8";
    case FeatureType::kInt16: return "int16";
  }
  return "?";
}

void write_npy(const std::string& path, const FeatureMatrix& m) {
  check(m, path);
  const char* descr = m.type == FeatureType::kFloat32  ? "<f4"
                      : m.type == FeatureType::kUInt16 ? "<u2"
                      : m.type == FeatureType::kInt16  ? "<i2"
                                                       : "|i1";
  std::ostringstream header;
  header << "{'descr': '" << descr << "', 'fortran_order': False, 'shape': (" << m.frames << ", "
         << m.features << "), }";
  std::string h = header.str();
  // Magic (6) + version (2) + length (2) + header, padded to 64 bytes, ending in '\n'.
  const size_t unpadded = 10 + h.size() + 1;
  h.append((64 - unpadded % 64) % 64, ' ');
  h.push_back('\n');
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  append<uint16_t>(out, static_cast<uint16_t>(h.size()));
  out.insert(out.end(), h.begin(), h.end());
  for (float v : m.values) {
    switch (m.type) {
      case FeatureType::kFloat32: append<float>(out, v); break;
      case FeatureType::kUInt16: append<uint16_t>(out, static_cast<uint16_t>(v)); break;
      case FeatureType::kInt16: append<int16_t>(out, static_cast<int16_t>(v)); break;
      case FeatureType::kInt8: append<int8_t>(out, static_cast<int8_t>(v)); break;
    }
  }
  write_file_atomic(path, out);
}

void write_csv(const std::string& path, const FeatureMatrix& m) {
  check(m, path);
  std::ostringstream s;
  s << "frame";
  for (int32_t f = 0; f < m.features; ++f) s << ",f" << f;
  s << "\n";
  s.precision(9);
  for (int32_t r = 0; r < m.frames; ++r) {
    s << r;
    for (int32_t f = 0; f < m.features; ++f) s << "," << m.at(r, f);
    s << "\n";
  }
  const std::string text = s.str();
  write_file_atomic(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

void write_png_rgb(const std::string& path, int width, int height,
                   const std::vector<uint8_t>& rgb) {
  if (width < 1 || height < 1 ||
      rgb.size() != static_cast<size_t>(width) * static_cast<size_t>(height) * 3) {
    fail(path, ": ", rgb.size(), " bytes are not a ", width, " x ", height, " RGB image");
  }
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) fail(tmp, ": cannot create");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
    std::remove(tmp.c_str());
    fail(path, ": PNG encoding failed");
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; ++y) png_write_row(png, &rgb[static_cast<size_t>(y) * width * 3]);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  if (std::fclose(f) != 0) fail(tmp, ": write failed");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail(path, ": cannot replace");
}

void write_spectrogram_png(const std::string& path, const FeatureMatrix& m, int scale) {
  check(m, path);
  if (m.frames == 0 || m.features == 0) fail(path, ": no features to draw");
  if (scale < 1 || scale > 64) fail(path, ": scale must be 1..64");
  const auto [lo_it, hi_it] = std::minmax_element(m.values.begin(), m.values.end());
  const double lo = *lo_it, span = std::max(1e-12, double(*hi_it) - lo);
  const int width = m.frames * scale, height = m.features * scale;
  std::vector<uint8_t> rgb(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    const int32_t feature = m.features - 1 - y / scale;  // low features at the bottom
    for (int x = 0; x < width; ++x) {
      const auto c = viridis((m.at(x / scale, feature) - lo) / span);
      std::memcpy(&rgb[(static_cast<size_t>(y) * width + x) * 3], c.data(), 3);
    }
  }
  write_png_rgb(path, width, height, rgb);
}

}  // namespace locus::host
