#include "runtime/dsp/image/image_preprocess.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace locus::dsp {
namespace {

struct Block {
  std::vector<uint8_t> memory;
  ImagePreprocessor pre;
  Status status;
  explicit Block(const ImagePreprocessConfig& c) : memory(ImagePreprocessor::state_bytes(c)) {
    status = pre.init(c, memory.data(), memory.size());
  }
  // Output as unsigned pixel values (kRawBytes makes int8 -> uint8 lossless).
  std::vector<int> run(const std::vector<uint8_t>& image, int32_t w, int32_t h,
                       PixelFormat format = PixelFormat::kGray8) {
    std::vector<int8_t> out(pre.output_bytes());
    const Status s = pre.process(image.data(), w, h, format, out.data());
    EXPECT_TRUE(s.is_ok()) << s.message();
    std::vector<int> values;
    for (int8_t v : out) values.push_back(static_cast<uint8_t>(v));
    return values;
  }
};

ImagePreprocessConfig config(int32_t w, int32_t h, int32_t channels, ImageResize resize) {
  ImagePreprocessConfig c = ImagePreprocessConfig::defaults();
  c.output_width = w;
  c.output_height = h;
  c.output_channels = channels;
  c.crop = ImageCrop::kNone;
  c.resize = resize;
  c.quantization = ImageQuantization::kRawBytes;
  return c;
}

TEST(ImagePreprocess, DefaultsAreValid) {
  const ImagePreprocessConfig c = ImagePreprocessConfig::defaults();
  EXPECT_TRUE(ImagePreprocessor::validate(c).is_ok());
  Block b(c);
  ASSERT_TRUE(b.status.is_ok());
  EXPECT_EQ(b.pre.output_bytes(), 96u * 96u);
}

TEST(ImagePreprocess, EqualSizeIsAnExactCopyEitherWay) {
  std::vector<uint8_t> image(5 * 3);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>(17 * i + 3);
  const std::vector<int> expected(image.begin(), image.end());
  for (ImageResize r : {ImageResize::kNearest, ImageResize::kBilinear}) {
    Block b(config(5, 3, 1, r));
    ASSERT_TRUE(b.status.is_ok());
    EXPECT_EQ(b.run(image, 5, 3), expected);
  }
}

TEST(ImagePreprocess, NearestDownscaleTakesTheHalfPixelCentres) {
  // 4x4, value 10*y + x -> 2x2: src = floor((dst + 0.5) * 2) = 1, 3.
  std::vector<uint8_t> image(16);
  for (int i = 0; i < 16; ++i) image[i] = static_cast<uint8_t>(10 * (i / 4) + i % 4);
  Block b(config(2, 2, 1, ImageResize::kNearest));
  EXPECT_EQ(b.run(image, 4, 4), (std::vector<int>{11, 13, 31, 33}));
}

TEST(ImagePreprocess, NearestUpscaleReplicates) {
  // 2x2 -> 4x4: src = floor((dst + 0.5) / 2) = 0, 0, 1, 1.
  Block b(config(4, 4, 1, ImageResize::kNearest));
  EXPECT_EQ(b.run({1, 2, 3, 4}, 2, 2),
            (std::vector<int>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

TEST(ImagePreprocess, BilinearHalvingAveragesPairsAndRoundsHalfUp) {
  // src = (dst + 0.5) * 2 - 0.5 = 0.5, 2.5.
  Block b(config(2, 1, 1, ImageResize::kBilinear));
  EXPECT_EQ(b.run({0, 10, 20, 31}, 4, 1), (std::vector<int>{5, 26}));  // 5, 25.5
}

TEST(ImagePreprocess, BilinearUpscaleByHand) {
  // 2x2 [[0, 100], [200, 40]] -> 4x4. src = (dst + 0.5) / 2 - 0.5 =
  // -0.25 (clamped to pixel 0), 0.25, 0.75, 1.25 (clamped to pixel 1).
  //   row 0: 0, 25, 75, 100           row 3: 200, 160, 80, 40
  //   row 1 = .75 row0 + .25 row3: 50, 58.75, 76.25, 85
  //   row 2 = .25 row0 + .75 row3: 150, 126.25, 78.75, 55
  Block b(config(4, 4, 1, ImageResize::kBilinear));
  EXPECT_EQ(b.run({0, 100, 200, 40}, 2, 2),
            (std::vector<int>{0, 25, 75, 100, 50, 59, 76, 85, 150, 126, 79, 55, 200, 160, 80, 40}));
}

TEST(ImagePreprocess, RectangleCrop) {
  std::vector<uint8_t> image(16);
  for (int i = 0; i < 16; ++i) image[i] = static_cast<uint8_t>(10 * (i / 4) + i % 4);
  ImagePreprocessConfig c = config(2, 2, 1, ImageResize::kBilinear);
  c.crop = ImageCrop::kRect;
  c.crop_rect = ImageRect{1, 2, 2, 2};
  Block b(c);
  ASSERT_TRUE(b.status.is_ok());
  EXPECT_EQ(b.run(image, 4, 4), (std::vector<int>{21, 22, 31, 32}));

  std::vector<int8_t> out(4);
  const Status s = b.pre.process(image.data(), 4, 3, PixelFormat::kGray8, out.data());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_STREQ(s.message(),
               "image: crop rectangle x 1 y 2 width 2 height 2 does not fit in the 4x3 image");
}

TEST(ImagePreprocess, CentreCropToAnAspect) {
  ImagePreprocessConfig c = config(4, 4, 1, ImageResize::kNearest);
  c.crop = ImageCrop::kCenterAspect;  // 0:0 -> the output's 1:1
  Block b(c);
  ImageRect r{};
  ASSERT_TRUE(b.pre.crop_for(6, 4, &r).is_ok());
  EXPECT_EQ((std::vector<int>{r.x, r.y, r.width, r.height}), (std::vector<int>{1, 0, 4, 4}));
  ASSERT_TRUE(b.pre.crop_for(3, 8, &r).is_ok());
  EXPECT_EQ((std::vector<int>{r.x, r.y, r.width, r.height}), (std::vector<int>{0, 2, 3, 3}));
  ASSERT_TRUE(b.pre.crop_for(7, 4, &r).is_ok());  // floor((7-4)/2) = 1
  EXPECT_EQ((std::vector<int>{r.x, r.y, r.width, r.height}), (std::vector<int>{1, 0, 4, 4}));

  c.aspect_width = 4;
  c.aspect_height = 3;
  Block b43(c);
  ASSERT_TRUE(b43.pre.crop_for(640, 640, &r).is_ok());
  EXPECT_EQ((std::vector<int>{r.x, r.y, r.width, r.height}), (std::vector<int>{0, 80, 640, 480}));
  ASSERT_TRUE(b43.pre.crop_for(1000, 480, &r).is_ok());
  EXPECT_EQ((std::vector<int>{r.x, r.y, r.width, r.height}), (std::vector<int>{180, 0, 640, 480}));

  // 6x4 image -> the centre 4x4 at identity size.
  std::vector<uint8_t> image(24);
  for (int i = 0; i < 24; ++i) image[i] = static_cast<uint8_t>(10 * (i / 6) + i % 6);
  EXPECT_EQ(b.run(image, 6, 4),
            (std::vector<int>{1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34}));
}

TEST(ImagePreprocess, GrayscaleWeights) {
  Block b(config(6, 1, 1, ImageResize::kNearest));
  const std::vector<uint8_t> rgb = {255, 0, 0,  0, 255, 0,  0, 0, 255,
                                    255, 255, 255,  10, 20, 30,  0, 0, 0};
  // (77 R + 150 G + 29 B + 128) >> 8
  const std::vector<int> expected = {77, 149, 29, 255, (770 + 3000 + 870 + 128) >> 8, 0};
  EXPECT_EQ(b.run(rgb, 6, 1, PixelFormat::kRgb888), expected);
  std::vector<uint8_t> bgr = rgb;
  for (size_t i = 0; i < bgr.size(); i += 3) std::swap(bgr[i], bgr[i + 2]);
  EXPECT_EQ(b.run(bgr, 6, 1, PixelFormat::kBgr888), expected);
}

TEST(ImagePreprocess, ColourConversions) {
  Block rgb(config(3, 1, 3, ImageResize::kNearest));
  // Gray -> RGB replicates.
  EXPECT_EQ(rgb.run({7, 200, 0}, 3, 1, PixelFormat::kGray8),
            (std::vector<int>{7, 7, 7, 200, 200, 200, 0, 0, 0}));
  // RGB565 by bit replication: r5 16 -> 132, g6 32 -> 130, b5 1 -> 8.
  const uint16_t mid = 16 << 11 | 32 << 5 | 1;
  const std::vector<uint8_t> le = {0x00, 0xf8, 0xe0, 0x07, static_cast<uint8_t>(mid & 0xff),
                                   static_cast<uint8_t>(mid >> 8)};
  const std::vector<int> expected = {255, 0, 0, 0, 255, 0, 132, 130, 8};
  EXPECT_EQ(rgb.run(le, 3, 1, PixelFormat::kRgb565), expected);
  std::vector<uint8_t> be = le;
  for (size_t i = 0; i < be.size(); i += 2) std::swap(be[i], be[i + 1]);
  EXPECT_EQ(rgb.run(be, 3, 1, PixelFormat::kRgb565Be), expected);
  // RGB565 -> gray goes through RGB888.
  Block gray(config(3, 1, 1, ImageResize::kNearest));
  EXPECT_EQ(gray.run(le, 3, 1, PixelFormat::kRgb565),
            (std::vector<int>{77, 149, (77 * 132 + 150 * 130 + 29 * 8 + 128) >> 8}));
}

TEST(ImagePreprocess, QuantizationModes) {
  ImagePreprocessConfig c = ImagePreprocessConfig::defaults();
  c.quantization = ImageQuantization::kRawBytes;
  Block raw(c);
  EXPECT_EQ(raw.pre.quantization_table()[0], 0);
  EXPECT_EQ(raw.pre.quantization_table()[127], 127);
  EXPECT_EQ(raw.pre.quantization_table()[128], -128);
  EXPECT_EQ(raw.pre.quantization_table()[200], -56);
  EXPECT_EQ(raw.pre.quantization_table()[255], -1);

  c.quantization = ImageQuantization::kSubtract128;
  Block shift(c);
  c.quantization = ImageQuantization::kAffine;  // defaults: scale 1/255, zero point -128, 0..1
  Block affine(c);
  for (int p = 0; p < 256; ++p) {
    EXPECT_EQ(shift.pre.quantization_table()[p], p - 128);
    EXPECT_EQ(affine.pre.quantization_table()[p], p - 128) << p;
  }

  // Half away from zero, zero point, clamping: real = p, scale 2.
  c.real_min = 0.0f;
  c.real_max = 255.0f;
  c.input_scale = 2.0f;
  c.input_zero_point = -10;
  Block half(c);
  const int8_t* t = half.pre.quantization_table();
  EXPECT_EQ(t[0], -10);
  EXPECT_EQ(t[1], -9);   // 0.5 -> 1
  EXPECT_EQ(t[3], -8);   // 1.5 -> 2
  EXPECT_EQ(t[255], 118);  // 127.5 -> 128, - 10
  c.input_zero_point = 0;
  Block clamp_high(c);
  EXPECT_EQ(clamp_high.pre.quantization_table()[255], 127);  // 128 clamped
  c.real_min = -255.0f;
  c.real_max = 0.0f;
  Block negative(c);
  EXPECT_EQ(negative.pre.quantization_table()[254], -1);   // -0.5 -> -1
  EXPECT_EQ(negative.pre.quantization_table()[0], -128);  // -127.5 -> -128
  c.input_scale = 1.0f;
  Block clamp_low(c);
  EXPECT_EQ(clamp_low.pre.quantization_table()[0], -128);  // -255 clamped
  EXPECT_EQ(clamp_low.pre.quantization_table()[200], -55);

  // [-1, 1] with scale 1/128: pixel 128 -> 0.0039 / 0.0078125 = 0.502 -> 1.
  c.real_min = -1.0f;
  c.real_max = 1.0f;
  c.input_scale = 1.0f / 128.0f;
  Block symmetric(c);
  EXPECT_EQ(symmetric.pre.quantization_table()[0], -128);
  EXPECT_EQ(symmetric.pre.quantization_table()[128], 1);
  EXPECT_EQ(symmetric.pre.quantization_table()[255], 127);
}

TEST(ImagePreprocess, OutputIsQuantizedThroughTheTable) {
  ImagePreprocessConfig c = config(2, 1, 1, ImageResize::kNearest);
  c.quantization = ImageQuantization::kSubtract128;
  Block b(c);
  std::vector<int8_t> out(2);
  const std::vector<uint8_t> image = {0, 255};
  ASSERT_TRUE(b.pre.process(image.data(), 2, 1, PixelFormat::kGray8, out.data()).is_ok());
  EXPECT_EQ(out, (std::vector<int8_t>{-128, 127}));
}

// A smooth but irregular synthetic RGB image.
std::vector<uint8_t> synthetic_rgb(int w, int h) {
  std::vector<uint8_t> image(static_cast<size_t>(w * h * 3));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        image[static_cast<size_t>((y * w + x) * 3 + c)] =
            static_cast<uint8_t>((x * (3 + c) + y * (5 - c) + (x * y) % (7 + c) * 11) % 256);
  return image;
}

// TensorFlow's bilinear resize (half_pixel_centers) in double.
double tf_bilinear(const std::vector<uint8_t>& image, int w, int h, int ch, int c, int ox,
                   int oy, int out_w, int out_h) {
  auto axis = [](int d, int in, int out, int* lo, int* hi, double* lerp) {
    const double src = (d + 0.5) * in / out - 0.5;
    *lo = std::max(static_cast<int>(std::floor(src)), 0);
    *hi = std::min(static_cast<int>(std::ceil(src)), in - 1);
    *lerp = src - std::floor(src);
  };
  int x0, x1, y0, y1;
  double lx, ly;
  axis(ox, w, out_w, &x0, &x1, &lx);
  axis(oy, h, out_h, &y0, &y1, &ly);
  auto p = [&](int x, int y) { return static_cast<double>(image[(y * w + x) * ch + c]); };
  const double top = p(x0, y0) + (p(x1, y0) - p(x0, y0)) * lx;
  const double bottom = p(x0, y1) + (p(x1, y1) - p(x0, y1)) * lx;
  return top + (bottom - top) * ly;
}

TEST(ImagePreprocess, BilinearDownscaleTo96MatchesTheDoubleFormula) {
  const int w = 250, h = 190;
  const auto image = synthetic_rgb(w, h);
  Block b(config(96, 96, 3, ImageResize::kBilinear));
  const auto out = b.run(image, w, h, PixelFormat::kRgb888);
  ASSERT_EQ(out.size(), 96u * 96u * 3u);
  int exact = 0;
  for (int y = 0; y < 96; ++y) {
    for (int x = 0; x < 96; ++x) {
      for (int c = 0; c < 3; ++c) {
        const double v = tf_bilinear(image, w, h, 3, c, x, y, 96, 96);
        const int got = out[static_cast<size_t>((y * 96 + x) * 3 + c)];
        ASSERT_LE(std::fabs(got - v), 0.5 + 0.07) << x << "," << y << "," << c << " " << v;
        if (got == static_cast<int>(std::floor(v + 0.5))) ++exact;
      }
    }
  }
  // Only values within 0.07 of a rounding boundary may differ.
  EXPECT_GE(exact, 96 * 96 * 3 * 97 / 100);
}

TEST(ImagePreprocess, NearestDownscaleTo96MatchesTheFormula) {
  // 250/96 and 190/96: no output lands exactly on a source pixel edge.
  const int w = 250, h = 190;
  const auto image = synthetic_rgb(w, h);
  Block b(config(96, 96, 3, ImageResize::kNearest));
  const auto out = b.run(image, w, h, PixelFormat::kRgb888);
  for (int y = 0; y < 96; ++y) {
    for (int x = 0; x < 96; ++x) {
      const int sx = std::min(static_cast<int>(std::floor((x + 0.5) * w / 96)), w - 1);
      const int sy = std::min(static_cast<int>(std::floor((y + 0.5) * h / 96)), h - 1);
      for (int c = 0; c < 3; ++c)
        ASSERT_EQ(out[static_cast<size_t>((y * 96 + x) * 3 + c)],
                  image[static_cast<size_t>((sy * w + sx) * 3 + c)]);
    }
  }
}

TEST(ImagePreprocess, CentreCropThenBilinearToMlperfShapes) {
  // 320x240 camera frame -> centre 240x240 -> 96x96x3 (VWW) and 32x32x3.
  const int w = 320, h = 240;
  const auto image = synthetic_rgb(w, h);
  for (int side : {96, 32}) {
    ImagePreprocessConfig c = config(side, side, 3, ImageResize::kBilinear);
    c.crop = ImageCrop::kCenterAspect;
    Block b(c);
    const auto out = b.run(image, w, h, PixelFormat::kRgb888);
    // The same as resizing the crop cut out by hand.
    std::vector<uint8_t> crop(static_cast<size_t>(240 * 240 * 3));
    for (int y = 0; y < 240; ++y)
      for (int x = 0; x < 240 * 3; ++x)
        crop[static_cast<size_t>(y * 240 * 3 + x)] = image[static_cast<size_t>(y * w * 3 + 40 * 3 + x)];
    Block plain(config(side, side, 3, ImageResize::kBilinear));
    EXPECT_EQ(out, plain.run(crop, 240, 240, PixelFormat::kRgb888)) << side;
  }
}

std::string init_error(const ImagePreprocessConfig& c, StatusCode code, size_t bytes = 4096) {
  std::vector<uint8_t> memory(bytes);
  ImagePreprocessor pre;
  const Status s = pre.init(c, memory.data(), memory.size());
  EXPECT_EQ(s.code(), code) << s.message();
  return s.message();
}

TEST(ImagePreprocess, RejectsInvalidConfigs) {
  ImagePreprocessConfig c = ImagePreprocessConfig::defaults();
  c.output_channels = 2;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument),
            "image: output_channels is 2, must be 1 (gray) or 3 (RGB)");
  EXPECT_EQ(ImagePreprocessor::state_bytes(c), 0u);
  c = ImagePreprocessConfig::defaults();
  c.output_width = 0;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument),
            "image: output size 0x96, each side must be 1..4096");
  c = ImagePreprocessConfig::defaults();
  c.crop = ImageCrop::kRect;
  c.crop_rect = ImageRect{-1, 0, 10, 10};
  EXPECT_NE(init_error(c, StatusCode::kInvalidArgument).find("crop rectangle"), std::string::npos);
  c = ImagePreprocessConfig::defaults();
  c.aspect_width = 4;
  EXPECT_NE(init_error(c, StatusCode::kInvalidArgument).find("aspect 4:0"), std::string::npos);
  c = ImagePreprocessConfig::defaults();
  c.quantization = ImageQuantization::kAffine;
  c.input_scale = 0.0f;
  EXPECT_NE(init_error(c, StatusCode::kInvalidArgument).find("input_scale"), std::string::npos);
  c.input_scale = 0.1f;
  c.input_zero_point = 200;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument),
            "image: input_zero_point is 200, must be -128..127");
  c = ImagePreprocessConfig::defaults();
  const size_t need = ImagePreprocessor::state_bytes(c);
  EXPECT_EQ(init_error(c, StatusCode::kResourceExhausted, need - 1),
            "image: state needs " + std::to_string(need) + " bytes, got " + std::to_string(need - 1));
}

TEST(ImagePreprocess, ProcessChecksItsArguments) {
  ImagePreprocessor uninitialised;
  uint8_t image[4] = {};
  int8_t out[96 * 96];
  EXPECT_EQ(uninitialised.process(image, 2, 2, PixelFormat::kGray8, out).code(),
            StatusCode::kFailedPrecondition);
  Block b(ImagePreprocessConfig::defaults());
  EXPECT_EQ(b.pre.process(nullptr, 2, 2, PixelFormat::kGray8, out).code(),
            StatusCode::kInvalidArgument);
  const Status s = b.pre.process(image, 0, 2, PixelFormat::kGray8, out);
  EXPECT_STREQ(s.message(), "image: input size 0x2, each side must be 1..32768");
  EXPECT_EQ(b.pre.process(image, 2, 2, static_cast<PixelFormat>(9), out).code(),
            StatusCode::kInvalidArgument);
  // Misaligned state memory works.
  std::vector<uint8_t> memory(ImagePreprocessor::state_bytes(ImagePreprocessConfig::defaults()) + 3);
  ImagePreprocessor pre;
  ASSERT_TRUE(pre.init(ImagePreprocessConfig::defaults(), memory.data() + 3, memory.size() - 3).is_ok());
  EXPECT_TRUE(pre.process(image, 2, 2, PixelFormat::kGray8, out).is_ok());
}

}  // namespace
}  // namespace locus::dsp

namespace locus::dsp {
namespace {

uint64_t fnv1a(const void* data, size_t bytes) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < bytes; ++i) {
    h ^= static_cast<const uint8_t*>(data)[i];
    h *= 1099511628211ull;
  }
  return h;
}

// Golden vectors every target must reproduce bit for bit (a change means
// kImagePreprocessImplementationVersion must move).
TEST(ImagePreprocess, GoldenVectors) {
  const int w = 173, h = 131;
  std::vector<uint8_t> image(static_cast<size_t>(w * h * 3));
  uint32_t s = 7;
  for (uint8_t& v : image) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<uint8_t>(s >> 24);
  }
  ImagePreprocessConfig c = ImagePreprocessConfig::defaults();
  c.output_channels = 3;
  Block vww(c);  // centre crop, bilinear, 96x96x3
  const auto a = vww.run(image, w, h, PixelFormat::kRgb888);
  c.output_width = c.output_height = 32;
  c.output_channels = 1;
  c.resize = ImageResize::kNearest;
  c.quantization = ImageQuantization::kAffine;
  c.input_scale = 0.0123f;
  c.input_zero_point = 5;
  c.real_min = -1.0f;
  Block small(c);
  const auto b = small.run(image, w, h, PixelFormat::kBgr888);
  EXPECT_EQ(fnv1a(a.data(), a.size() * sizeof(int)), 0xb2c42ba3fac242e7ull);
  EXPECT_EQ(fnv1a(b.data(), b.size() * sizeof(int)), 0xdc612eb18a84d514ull);
}

}  // namespace
}  // namespace locus::dsp
