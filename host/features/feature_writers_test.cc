#include "host/features/feature_writers.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <string>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"

namespace locus::host {
namespace {

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

FeatureMatrix small(FeatureType type) {
  FeatureMatrix m;
  m.frames = 2;
  m.features = 3;
  m.type = type;
  m.values = {0, 1, 2, 3, 4, 5};
  return m;
}

TEST(FeatureWriters, NpyHeaderAndPayload) {
  write_npy(temp("f.npy"), small(FeatureType::kUInt16));
  AlignedBuffer b = read_file(temp("f.npy"));
  ASSERT_GE(b.size(), 10u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()) + 1, 5), "NUMPY");
  const size_t header_len = b.data()[8] | (b.data()[9] << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string header(reinterpret_cast<const char*>(b.data()) + 10, header_len);
  EXPECT_NE(header.find("'descr': '<u2'"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': (2, 3)"), std::string::npos) << header;
  EXPECT_EQ(header.back(), '\n');
  ASSERT_EQ(b.size(), 10 + header_len + 6 * 2);
  const uint8_t* payload = b.data() + 10 + header_len;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(payload[2 * i], i);
    EXPECT_EQ(payload[2 * i + 1], 0);
  }
}

TEST(FeatureWriters, NpyInt8KeepsSign) {
  FeatureMatrix m = small(FeatureType::kInt8);
  m.values[0] = -128;
  write_npy(temp("i8.npy"), m);
  AlignedBuffer b = read_file(temp("i8.npy"));
  EXPECT_EQ(static_cast<int8_t>(b.data()[b.size() - 6]), -128);
}

TEST(FeatureWriters, Csv) {
  write_csv(temp("f.csv"), small(FeatureType::kFloat32));
  AlignedBuffer b = read_file(temp("f.csv"));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()), b.size()),
            "frame,f0,f1,f2\n0,0,1,2\n1,3,4,5\n");
}

TEST(FeatureWriters, SpectrogramPng) {
  write_spectrogram_png(temp("s.png"), small(FeatureType::kFloat32), 2);
  FILE* f = std::fopen(temp("s.png").c_str(), "rb");
  ASSERT_NE(f, nullptr);
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f);
  png_read_info(png, info);
  EXPECT_EQ(png_get_image_width(png, info), 4u);   // 2 frames x 2
  EXPECT_EQ(png_get_image_height(png, info), 6u);  // 3 features x 2
  std::vector<std::vector<uint8_t>> rows(6, std::vector<uint8_t>(4 * 3));
  for (auto& row : rows) png_read_row(png, row.data(), nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  std::fclose(f);
  // Bottom-left is feature 0 of frame 0, the minimum: the colour map's start.
  EXPECT_EQ(rows[5][0], 68);
  EXPECT_EQ(rows[5][1], 1);
  EXPECT_EQ(rows[5][2], 84);
  // Top-right is feature 2 of frame 1, the maximum: the colour map's end.
  EXPECT_EQ(rows[0][9], 253);
  EXPECT_EQ(rows[0][10], 231);
}

TEST(FeatureWriters, RejectsInconsistentMatrix) {
  FeatureMatrix m = small(FeatureType::kFloat32);
  m.values.pop_back();
  EXPECT_THROW(write_npy(temp("bad.npy"), m), Error);
}

}  // namespace
}  // namespace locus::host
